/* A correction made on the central decides the kiosk's milestone (issue
 * 14, 2): the real kiosk core (kiosk.c, on a fake clock) closes a
 * forgotten visit by its rules with one hour credited, the coordinator
 * sets the real end on the central (store_review.h, as the web app does),
 * and the kiosk's next sync brings it down; the volunteer's next hour then
 * passes 10 hours this year on the kiosk, as the central's thank-you list
 * says; and when the correction arrives only after that check-out, the
 * next one tells it (rules_milestone_due: the highest milestone told is
 * kept). Over real HTTP
 * on loopback, on both backends (TILSTEDE_CENTRAL_BACKEND). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after its prerequisites */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "questions.h"
#include "store_review.h"
#include "testutil.h"
#include "uploader.h"
#include "uploader_harness.h"

/* The credit the kiosk's rules give a forgotten check-out, and the real
 * length the coordinator sets: 9½ hours, so one more hour passes 10. */
#define CREDIT_S       (3600)
#define REAL_LENGTH_US (570 * US_PER_MIN)
#define NEXT_VISIT_US  (60 * US_PER_MIN)

struct env {
    struct fixture *central;
    struct proxy *proxy;
    struct kiosk_side side;
    struct kiosk *kiosk;
    struct uploader_tuning tuning;
    int64_t volunteer; /* Kari's id on the kiosk */
    int64_t start_us;  /* of her forgotten visit */
};

static void sync_ok(struct env *e, struct uploader_result *result)
{
    char err[1024] = "";
    if (uploader_sync_now(&e->side.cfg, &e->side.clock.source, &e->tuning, result, err, sizeof err))
        fail_msg("sync: %s", err);
}

/* Kari on the central's roster, brought to the kiosk by a sync; the kiosk
 * closes a forgotten visit with CREDIT_S credited. */
static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    test_use_oslo_time();
    proxied_kiosk_start(&e->side, &e->central, &e->proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 1000, .request_timeout_ms = 1500};
    snprintf(e->side.cfg.card_key, sizeof e->side.cfg.card_key, "%s/card.key", e->side.dir);
    e->side.cfg.autoclose_credit = CREDIT_FIXED;
    e->side.cfg.autoclose_fixed_s = CREDIT_S;
    struct central_volunteer kari = {.external_id = "F-1",
                                     .given_name = "Kari",
                                     .family_name = "Nordmann",
                                     .active = 1,
                                     .confidentiality_signed = "2026-01-05"};
    size_t changed = 0;
    char err[256];
    if (central_store_roster_replace(e->central->store, &kari, 1, &changed, err, sizeof err))
        fail_msg("roster: %s", err);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.roster_volunteers, 1);
    if (kiosk_open(&e->side.cfg, &e->side.clock.source, &e->kiosk, err, sizeof err))
        fail_msg("kiosk: %s", err);
    struct volunteer v;
    int found = kiosk_volunteer_by_external_id(e->kiosk, "F-1", &v);
    if (found)
        fail_msg("F-1 on the kiosk: %d %s", found, kiosk_errmsg(e->kiosk));
    e->volunteer = v.id;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    kiosk_close(e->kiosk);
    proxied_kiosk_stop(&e->side, e->central, e->proxy);
    free(e);
    return 0;
}

static void toggle(struct env *e, enum tap_outcome expected, struct tap_result *out)
{
    assert_int_equal(kiosk_toggle(e->kiosk, e->volunteer, 0, SOURCE_NAME, out), 0);
    assert_int_equal(out->outcome, expected);
}

/* 09.00 Kari checks in and forgets to check out; after the day's end the
 * kiosk's rules close the visit with the credit. Uploaded. */
static void forgotten_checkout(struct env *e)
{
    struct tap_result tap;
    toggle(e, TAP_CHECKED_IN, &tap);
    e->start_us = tap.at_us;
    clock_fake_advance(&e->side.clock, 15 * US_PER_H); /* 00.00 the next day */
    assert_int_equal(kiosk_sweep(e->kiosk), 1);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(same_hours(&e->side, e->central), 0);
}

static int first_visit(void *ctx, const struct central_review_visit *visit)
{
    struct central_review_visit *first = ctx;
    if (!first->end_event[0])
        *first = *visit;
    return 0;
}

/* The coordinator takes the visit from the central's review list (by its
 * auto-close, as the page does) and sets the real end. */
static void central_correct(struct env *e)
{
    struct central_review_visit visit = {0};
    struct event made;
    char err[256];
    assert_int_equal(central_store_review_visits(e->central->store, FIXTURE_SITE_A, 10, first_visit,
                                                 &visit, err, sizeof err),
                     0);
    assert_string_equal(visit.volunteer, "F-1");
    assert_int_equal(visit.start_us, e->start_us);
    assert_int_equal(visit.end_us, e->start_us + CREDIT_S * US_PER_S);
    if (central_store_review_correct(e->central->store, visit.end_event,
                                     e->start_us + REAL_LENGTH_US, "kora", &made, err, sizeof err))
        fail_msg("central correction: %s", err);
}

/* The hours this year a tap's result tells, in whole seconds. */
static int64_t year_seconds(const struct tap_result *tap)
{
    return (int64_t)(tap->hours_this_year * 3600.0 + 0.5);
}

/* The next morning's hour on the kiosk: its check-out's result. */
static void next_visit(struct env *e, struct tap_result *out)
{
    clock_fake_advance(&e->side.clock, 9 * US_PER_H);
    struct tap_result in;
    toggle(e, TAP_CHECKED_IN, &in);
    clock_fake_advance(&e->side.clock, NEXT_VISIT_US);
    toggle(e, TAP_CHECKED_OUT, out);
}

/* The central's thank-you list for the kiosk's year: Kari's row. */
static void central_thanks(struct env *e, struct central_thanks_row *row)
{
    struct central_questions q;
    char err[256];
    if (central_questions_thanks(e->central->store, "2030-01-01", "2030-12-31", 0, &q, err,
                                 sizeof err))
        fail_msg("thanks: %s", err);
    memset(row, 0, sizeof *row);
    for (size_t i = 0; i < q.thanks_count; i++)
        if (!strcmp(q.thanks[i].volunteer, "F-1"))
            *row = q.thanks[i];
    central_questions_free(&q);
}

static void test_central_correction_gives_the_kiosks_milestone_at_the_next_visit(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    central_correct(e);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.corrections, 1);
    assert_int_equal(same_hours(&e->side, e->central), 0);

    struct tap_result out;
    next_visit(e, &out);
    assert_int_equal(year_seconds(&out), (REAL_LENGTH_US + NEXT_VISIT_US) / US_PER_S);
    assert_int_equal(out.milestone, 10);
    /* The central, once the visit is up, counts the same and thanks her
     * for the same 10 hours. */
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(same_hours(&e->side, e->central), 0);
    struct central_thanks_row row;
    central_thanks(e, &row);
    assert_string_equal(row.volunteer, "F-1");
    assert_int_equal(row.milestone, out.milestone);
    assert_int_equal(row.seconds, year_seconds(&out));
}

/* Without the sync the kiosk still counts its credit: the same hour gives
 * no milestone there. What the test above shows is the correction's. The
 * sync after that check-out brings the hours together, and her next
 * check-out on the kiosk thanks her for the 10 hours the central already
 * counts (the kiosk keeps the highest milestone told, schema 10). */
static void test_a_correction_synced_after_her_checkout_gives_the_milestone_at_the_next(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    central_correct(e);
    struct tap_result out;
    next_visit(e, &out);
    assert_int_equal(year_seconds(&out), CREDIT_S + NEXT_VISIT_US / US_PER_S);
    assert_int_equal(out.milestone, 0);
    /* The sync then brings both together in hours. */
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.corrections, 1);
    assert_int_equal(same_hours(&e->side, e->central), 0);

    next_visit(e, &out);
    assert_int_equal(year_seconds(&out), (REAL_LENGTH_US + 2 * NEXT_VISIT_US) / US_PER_S);
    assert_int_equal(out.milestone, 10);
    sync_ok(e, &result);
    assert_int_equal(same_hours(&e->side, e->central), 0);
    struct central_thanks_row row;
    central_thanks(e, &row);
    assert_int_equal(row.milestone, out.milestone);
    assert_int_equal(row.seconds, year_seconds(&out));
    next_visit(e, &out);
    assert_int_equal(out.milestone, 0); /* told once */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_central_correction_gives_the_kiosks_milestone_at_the_next_visit, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_correction_synced_after_her_checkout_gives_the_milestone_at_the_next, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
