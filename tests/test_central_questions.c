/* The coordinator's questions, on visits made by hand so the answer is
 * known: whom to thank (a milestone passed in the period, not before it;
 * above a number of hours), whom we have lost (came regularly, then quiet
 * for six weeks; an inactive volunteer is not called), whose papers need
 * attention (no agreement, expired, running out, undated counts as on file). */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central_fixture.h"
#include "questions.h"

#define HOUR_US (INT64_C(3600) * 1000000)
#define DAY_US  (24 * HOUR_US)

static void roster(struct fixture *f)
{
    static const struct {
        const char *id, *given, *family, *signed_on, *police;
        int active, undated;
    } rows[] = {
        {"F-1", "Åse", "Øvrebø", "2025-01-01", "2027-01-01", 1, 0},
        {"F-2", "Per", "Berg", "", "2026-03-10", 1, 0},            /* no agreement, expires soon */
        {"F-3", "Kari", "Lund", "2025-02-02", "2026-01-31", 1, 0}, /* expired */
        {"F-4", "Ola", "Dal", "", "", 1, 1},                       /* undated: on file */
        {"F-5", "Gro", "Vik", "", "", 0, 0},                       /* inactive: not listed */
    };
    struct central_volunteer v[5];
    memset(v, 0, sizeof v);
    for (int i = 0; i < 5; i++) {
        snprintf(v[i].external_id, sizeof v[i].external_id, "%s", rows[i].id);
        snprintf(v[i].given_name, sizeof v[i].given_name, "%s", rows[i].given);
        snprintf(v[i].family_name, sizeof v[i].family_name, "%s", rows[i].family);
        snprintf(v[i].confidentiality_signed, sizeof v[i].confidentiality_signed, "%s",
                 rows[i].signed_on);
        snprintf(v[i].police_valid_until, sizeof v[i].police_valid_until, "%s", rows[i].police);
        v[i].active = rows[i].active;
        v[i].confidentiality_undated = v[i].police_undated = rows[i].undated;
    }
    size_t changed;
    char err[256];
    assert_int_equal(central_store_roster_replace(f->store, v, 5, &changed, err, sizeof err), 0);
}

/* `count` visits of `hours` each, one a week from `first` (UTC, 09:00). */
static void weekly(struct fixture *f, const char *token, const char *volunteer, const char *first,
                   int count, int hours)
{
    struct event events[200];
    int64_t start = fixture_utc(first);
    for (int i = 0; i < count; i++) {
        fixture_event(&events[2 * i], EVENT_CHECKIN, volunteer, start + i * 7 * DAY_US);
        fixture_event(&events[2 * i + 1], EVENT_CHECKOUT, volunteer,
                      start + i * 7 * DAY_US + hours * HOUR_US);
    }
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, (size_t)count * 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
}

static const struct central_thanks_row *thanked(const struct central_questions *q, const char *id)
{
    for (size_t i = 0; i < q->thanks_count; i++)
        if (strcmp(q->thanks[i].volunteer, id) == 0)
            return &q->thanks[i];
    return NULL;
}

static void test_thanks_lists_milestones_passed_in_the_period_only(void **state)
{
    struct fixture *f = *state;
    roster(f);
    /* F-1: 8 h in January, then 4 h in February: passes 10 h in February. */
    weekly(f, f->token_a1, "F-1", "2026-01-05T09:00:00Z", 2, 4);
    weekly(f, f->token_a1, "F-1", "2026-02-02T09:00:00Z", 1, 4);
    /* F-2: 12 h in January: passed 10 h before February, not in it. */
    weekly(f, f->token_b1, "F-2", "2026-01-05T09:00:00Z", 3, 4);
    weekly(f, f->token_b1, "F-2", "2026-02-02T09:00:00Z", 1, 1);
    /* F-3: 60 h in February, mostly at B: passes 10 and 50, thanked for 50. */
    weekly(f, f->token_b1, "F-3", "2026-02-02T09:00:00Z", 4, 10);
    weekly(f, f->token_a1, "F-3", "2026-02-03T09:00:00Z", 2, 10);
    struct central_questions q;
    char err[512];
    assert_int_equal(
        central_questions_thanks(f->store, "2026-02-01", "2026-02-28", 0, &q, err, sizeof err), 0);
    assert_int_equal(q.thanks_count, 2);
    assert_string_equal(q.thanks[0].volunteer, "F-3"); /* most hours first */
    assert_int_equal(q.thanks[0].milestone, 50);
    assert_string_equal(q.thanks[0].site, FIXTURE_SITE_B);
    const struct central_thanks_row *ase = thanked(&q, "F-1");
    assert_non_null(ase);
    assert_int_equal(ase->milestone, 10);
    assert_int_equal(ase->seconds_before, 8 * 3600);
    assert_string_equal(ase->name, "Åse Øvrebø");
    assert_null(thanked(&q, "F-2"));
    central_questions_free(&q);

    /* The party list: everyone with 3 hours or more in the period. */
    assert_int_equal(
        central_questions_thanks(f->store, "2026-02-01", "2026-02-28", 3, &q, err, sizeof err), 0);
    assert_int_equal(q.thanks_count, 2); /* F-2 had 1 h: not on it */
    assert_true(thanked(&q, "F-1")->above);
    central_questions_free(&q);
    assert_int_equal(
        central_questions_thanks(f->store, "2026-03-01", "2026-02-01", 0, &q, err, sizeof err),
        -EINVAL);
}

static void test_lost_lists_regulars_gone_quiet_and_not_the_inactive(void **state)
{
    struct fixture *f = *state;
    roster(f);
    /* F-1 came every week from January to early March, then stopped. */
    weekly(f, f->token_a1, "F-1", "2026-01-05T09:00:00Z", 9, 2);
    /* F-2 came as often and still comes. */
    weekly(f, f->token_b1, "F-2", "2026-01-05T09:00:00Z", 20, 2);
    /* F-3 came only twice: not a regular. */
    weekly(f, f->token_a1, "F-3", "2026-01-05T09:00:00Z", 2, 2);
    /* F-5 stopped too, but is no longer on the roster as active. */
    weekly(f, f->token_a1, "F-5", "2026-01-05T09:00:00Z", 9, 2);
    struct central_questions q;
    char err[512];
    assert_int_equal(central_questions_lost(f->store, "2026-04-30", 6, 4, &q, err, sizeof err), 0);
    assert_int_equal(q.lost_count, 1);
    assert_string_equal(q.lost[0].volunteer, "F-1");
    assert_int_equal(q.lost[0].last_us, fixture_utc("2026-03-02T09:00:00Z"));
    assert_string_equal(q.lost[0].site, FIXTURE_SITE_A);
    central_questions_free(&q);
    /* Two weeks after the last visit is not yet lost. */
    assert_int_equal(central_questions_lost(f->store, "2026-03-16", 6, 4, &q, err, sizeof err), 0);
    assert_int_equal(q.lost_count, 0);
    central_questions_free(&q);
}

static void test_papers_lists_what_is_missing_with_the_sites(void **state)
{
    struct fixture *f = *state;
    roster(f);
    weekly(f, f->token_b1, "F-2", "2026-01-05T09:00:00Z", 1, 2);
    weekly(f, f->token_a1, "F-2", "2026-01-06T09:00:00Z", 1, 2);
    struct central_questions q;
    char err[512];
    assert_int_equal(central_questions_papers(f->store, "2026-02-15", &q, err, sizeof err), 0);
    assert_int_equal(q.papers_count, 2); /* F-2 and F-3; F-1 and F-4 fine, F-5 inactive */
    assert_string_equal(q.papers[0].volunteer, "F-3"); /* by name: Kari before Per */
    assert_int_equal(q.papers[0].problems, CENTRAL_PAPER_POLICE_EXPIRED);
    assert_null(q.papers[0].sites);
    assert_string_equal(q.papers[1].volunteer, "F-2");
    assert_int_equal(q.papers[1].problems,
                     CENTRAL_PAPER_NO_CONFIDENTIALITY | CENTRAL_PAPER_POLICE_SOON);
    assert_non_null(strstr(q.papers[1].sites, ","));
    struct central_buf text;
    central_buf_init(&text, 1 << 20);
    assert_int_equal(central_questions_text(&q, &text), 0);
    assert_non_null(strstr(text.data, "ingen taushetserklæring; politiattest går ut 2026-03-10"));
    assert_non_null(strstr(text.data, "politiattest gikk ut 2026-01-31"));
    central_buf_free(&text);
    central_questions_free(&q);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_thanks_lists_milestones_passed_in_the_period_only,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_lost_lists_regulars_gone_quiet_and_not_the_inactive,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_papers_lists_what_is_missing_with_the_sites,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
