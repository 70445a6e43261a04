/* The per-volunteer monthly totals (volunteer_month_total, schema 10) that
 * the report per volunteer reads: after ingest, corrections (a kiosk's and
 * one made on the review page), a volunteer forgotten on request, visits
 * derived again and the schema's migration, they equal the same totals
 * summed from scratch over the visits; and the report per volunteer over
 * any period (whole months, days at the ends, one site) equals the visits'
 * own sums. Runs on both backends. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central_fixture.h"
#include "store_review.h"
#include "visits.h"

/* The migration steps that made the totals, as the program embeds them. */
extern const char embed_central_010[];
extern const char embed_central_pg_011[];

#define HOUR_US   (INT64_C(3600) * 1000000)
#define DAY_US    (24 * HOUR_US)
#define BATCH_MAX 500
#define ROWS_MAX  64

/* The events a test sent, kept to correct some of them later. */
struct sent {
    struct event events[2][4096]; /* per site: A, B */
    size_t count[2];
};

static struct event *add(struct sent *s, int site, enum event_kind kind, const char *volunteer,
                         int64_t at)
{
    assert_true(s->count[site] < sizeof s->events[site] / sizeof s->events[site][0]);
    struct event *ev = &s->events[site][s->count[site]++];
    fixture_event(ev, kind, volunteer, at);
    return ev;
}

static void post(struct fixture *f, int site, const struct event *events, size_t count)
{
    for (size_t at = 0; at < count; at += BATCH_MAX) {
        size_t n = count - at < BATCH_MAX ? count - at : BATCH_MAX;
        struct reply reply;
        assert_int_equal(
            fixture_post_events(f, site ? f->token_b1 : f->token_a1, events + at, n, &reply), 0);
        assert_int_equal(reply.status, 200);
        reply_free(&reply);
    }
}

/* A year of visits at both sites: some volunteers at both, visits that
 * start late in the evening on a month's last day (local time), which is
 * where a month key computed in UTC would go wrong. */
static void fill_year(struct fixture *f, struct sent *s)
{
    int64_t year = fixture_utc("2026-01-01T07:00:00Z");
    for (int v = 0; v < 6; v++) {
        char volunteer[16];
        snprintf(volunteer, sizeof volunteer, "m%d", v);
        for (int day = v; day < 365; day += 3 + v) {
            int site = (v + day) % 4 == 0; /* m0..m5 mostly at A, now and then at B */
            int64_t start = year + day * DAY_US + (int64_t)(v * 1800 + day % 7 * 600) * 1000000;
            add(s, site, EVENT_CHECKIN, volunteer, start);
            add(s, site, day % 11 ? EVENT_CHECKOUT : EVENT_AUTOCLOSE, volunteer,
                start + HOUR_US + (int64_t)(day * 97 % 7200) * 1000000);
        }
    }
    /* 23:30 on 31 March in Oslo (CEST from 29 March) is 21:30 UTC. */
    static const char *const evenings[] = {"2026-01-31T22:30:00Z", "2026-03-31T21:30:00Z",
                                           "2026-06-30T21:45:00Z", "2026-12-31T22:15:00Z"};
    for (size_t i = 0; i < sizeof evenings / sizeof evenings[0]; i++) {
        int64_t start = fixture_utc(evenings[i]);
        add(s, 0, EVENT_CHECKIN, "late", start);
        add(s, 0, EVENT_CHECKOUT, "late", start + 2 * HOUR_US);
    }
    post(f, 0, s->events[0], s->count[0]);
    post(f, 1, s->events[1], s->count[1]);
}

static void assert_totals_equal_scratch(struct fixture *f)
{
    long long drift = fixture_count(f, FIXTURE_VOLUNTEER_TOTALS_DRIFT_SQL);
    if (drift)
        fail_msg("%lld rows of volunteer_month_total differ from the visits' sums", drift);
}

struct rows {
    struct central_total row[ROWS_MAX];
    size_t count;
};

static int keep_row(void *ctx, const struct central_total *t)
{
    struct rows *rows = ctx;
    assert_true(rows->count < ROWS_MAX);
    rows->row[rows->count++] = *t;
    return 0;
}

/* The report per volunteer for from..to (at site, or every site for
 * NULL) against sums over the visit table for the same days. */
static void assert_report_equals_visits(struct fixture *f, const char *from, const char *to,
                                        const char *site)
{
    struct rows rows = {.count = 0};
    char err[512], where[256], sql[1024];
    const char *sites[] = {site};
    assert_int_equal(central_store_totals_at(f->store, from, to, CENTRAL_GROUP_VOLUNTEER,
                                             site ? sites : NULL, site ? 1 : 0, keep_row, &rows,
                                             err, sizeof err),
                     0);
    snprintf(where, sizeof where,
             "v.end_us IS NOT NULL AND v.start_day BETWEEN '%s' AND '%s' AND ('%s' = '' OR "
             "v.site = '%s')",
             from, to, site ? site : "", site ? site : "");
    snprintf(sql, sizeof sql, "SELECT count(DISTINCT v.volunteer) FROM visit v WHERE %s", where);
    long long volunteers = fixture_count(f, sql);
    if ((long long)rows.count != volunteers)
        fail_msg("%s..%s at %s: %zu rows, the visits have %lld volunteers", from, to,
                 site ? site : "every site", rows.count, volunteers);
    for (size_t i = 0; i < rows.count; i++) {
        const struct central_total *t = &rows.row[i];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(sum(" FIXTURE_ROUNDED_SQL "), 0) FROM visit v CROSS JOIN "
                 "setting r WHERE %s AND v.volunteer = '%s'",
                 where, t->key);
        long long seconds = fixture_count(f, sql);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM visit v WHERE %s AND v.volunteer = '%s'",
                 where, t->key);
        long long visits = fixture_count(f, sql);
        if (t->seconds != seconds || t->visits != visits)
            fail_msg("%s..%s at %s, %s: report %lld s in %lld visits, the visits %lld s in %lld",
                     from, to, site ? site : "every site", t->key, (long long)t->seconds,
                     (long long)t->visits, seconds, visits);
        if (i > 0)
            assert_true(rows.row[i - 1].seconds >= t->seconds); /* most hours first */
    }
}

/* Whole months, days at either end, both ends in one month, one day, a
 * period across the new year, a leap-free February, from after to. */
static void assert_every_period(struct fixture *f)
{
    static const char *const periods[][2] = {
        {"2026-01-01", "2026-12-31"}, {"2026-01-15", "2026-03-10"}, {"2026-02-01", "2026-02-28"},
        {"2026-02-01", "2026-02-27"}, {"2026-02-02", "2026-02-28"}, {"2026-03-31", "2026-04-01"},
        {"2026-03-05", "2026-03-20"}, {"2026-06-30", "2026-06-30"}, {"2025-12-20", "2026-01-10"},
        {"2026-02-28", "2026-12-01"}, {"2026-07-01", "2026-06-30"}, {"2026-12-31", "2027-01-31"},
    };
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        assert_report_equals_visits(f, periods[i][0], periods[i][1], NULL);
        assert_report_equals_visits(f, periods[i][0], periods[i][1], FIXTURE_SITE_B);
    }
}

static void test_report_per_volunteer_for_any_period_equals_the_visits(void **state)
{
    struct fixture *f = *state;
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    assert_true(fixture_count(f, "SELECT count(*) FROM volunteer_month_total") > 50);
    assert_totals_equal_scratch(f);
    assert_every_period(f);
}

static void test_totals_follow_the_rounding_of_the_moment(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(fixture_exec(f, "UPDATE setting SET round_minutes = 15"), 0);
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    /* Rounded to quarter hours: each visit's seconds a multiple of 900. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer_month_total "
                                      "WHERE seconds % 900 <> 0"),
                     0);
    assert_totals_equal_scratch(f);
    assert_every_period(f);
}

/* The first check-in of volunteer at site at or after `at`; fill_year
 * put its check-out or auto-close right after it. */
static const struct event *find_checkin(const struct sent *s, int site, const char *volunteer,
                                        int64_t at)
{
    for (size_t i = 0; i + 1 < s->count[site]; i++) {
        const struct event *ev = &s->events[site][i];
        if (ev->kind == EVENT_CHECKIN && strcmp(ev->volunteer, volunteer) == 0 && ev->at_us >= at)
            return ev;
    }
    fail_msg("no check-in of %s", volunteer);
    return NULL;
}

static void test_totals_follow_corrections(void **state)
{
    struct fixture *f = *state;
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    struct event fixes[4];
    /* 00:30 on 1 February in Oslo, moved back to 20:00 on 31 January: the
     * visit changes month (and day). */
    int64_t feb1 = fixture_utc("2026-01-31T23:30:00Z");
    struct event pair[2];
    fixture_event(&pair[0], EVENT_CHECKIN, "late2", feb1);
    fixture_event(&pair[1], EVENT_CHECKOUT, "late2", feb1 + HOUR_US);
    post(f, 0, pair, 2);
    assert_int_equal(fixture_count(f, "SELECT visits FROM volunteer_month_total WHERE "
                                      "volunteer = 'late2' AND month = '2026-02'"),
                     1);
    fixture_event(&fixes[0], EVENT_CORRECTION, "late2", fixture_utc("2026-01-31T19:00:00Z"));
    snprintf(fixes[0].corrects, sizeof fixes[0].corrects, "%s", pair[0].event_id);
    /* An end corrected, then corrected again later: the later one wins. */
    const struct event *checkin = find_checkin(&s, 0, "m3", 0);
    const struct event *checkout = checkin + 1;
    fixture_event(&fixes[1], EVENT_CORRECTION, "m3", checkin->at_us + 5 * HOUR_US);
    snprintf(fixes[1].corrects, sizeof fixes[1].corrects, "%s", checkout->event_id);
    fixture_event(&fixes[2], EVENT_CORRECTION, "m3", checkin->at_us + 2 * HOUR_US);
    fixes[2].recorded_us = fixes[1].recorded_us + 1000000;
    snprintf(fixes[2].corrects, sizeof fixes[2].corrects, "%s", checkout->event_id);
    /* A start moved to the next month: 23:45 on 30 June to 00:30 on 1 July. */
    checkin = find_checkin(&s, 0, "late", fixture_utc("2026-06-30T21:45:00Z"));
    fixture_event(&fixes[3], EVENT_CORRECTION, "late", fixture_utc("2026-06-30T22:30:00Z"));
    snprintf(fixes[3].corrects, sizeof fixes[3].corrects, "%s", checkin->event_id);
    post(f, 0, fixes, 4);
    /* A visit closed automatically, its real end set on the review page. */
    const struct event *autoclose = NULL;
    for (size_t i = 0; i < s.count[0] && !autoclose; i++)
        if (s.events[0][i].kind == EVENT_AUTOCLOSE)
            autoclose = &s.events[0][i];
    assert_non_null(autoclose);
    struct event made;
    char err[512];
    if (central_store_review_correct(f->store, autoclose->event_id,
                                     (autoclose - 1)->at_us + HOUR_US / 4, "kari", &made, err,
                                     sizeof err))
        fail_msg("review: %s", err);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer_month_total WHERE "
                                      "volunteer = 'late2' AND month = '2026-02'"),
                     0); /* its only visit left February: no row of nothing */
    assert_int_equal(fixture_count(f, "SELECT visits FROM volunteer_month_total WHERE "
                                      "volunteer = 'late' AND month = '2026-07'"),
                     1);
    assert_totals_equal_scratch(f);
    assert_every_period(f);
}

static void test_a_forgotten_volunteer_leaves_no_row_and_the_rest_stay_right(void **state)
{
    struct fixture *f = *state;
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    assert_true(fixture_count(f, "SELECT count(*) FROM volunteer_month_total "
                                 "WHERE volunteer = 'm2'") > 0);
    struct central_erasure erased;
    char err[512];
    assert_int_equal(central_store_volunteer_forget(f->store, "m2", &erased, err, sizeof err), 0);
    assert_true(erased.visits > 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer_month_total "
                                      "WHERE volunteer = 'm2'"),
                     0);
    assert_true(fixture_count(f, "SELECT count(*) FROM volunteer_month_total") > 0);
    assert_totals_equal_scratch(f);
    assert_every_period(f);
}

/* The report per volunteer, as text, to compare before and after. */
static void report_text(struct fixture *f, char *out, size_t size)
{
    struct rows rows = {.count = 0};
    char err[512];
    assert_int_equal(central_store_totals(f->store, "2026-01-01", "2026-12-31",
                                          CENTRAL_GROUP_VOLUNTEER, keep_row, &rows, err,
                                          sizeof err),
                     0);
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < rows.count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s %lld %lld\n", rows.row[i].key,
                                 (long long)rows.row[i].seconds, (long long)rows.row[i].visits);
    assert_true(used < size);
}

static void test_totals_follow_visits_derived_again(void **state)
{
    struct fixture *f = *state;
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    char before[4096], after[4096];
    report_text(f, before, sizeof before);
    /* Every visit removed and put back, each in one statement. */
    assert_int_equal(fixture_exec(f, "CREATE TABLE visit_copy AS SELECT * FROM visit"), 0);
    assert_int_equal(fixture_exec(f, "DELETE FROM visit"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer_month_total"), 0);
    assert_int_equal(fixture_exec(f, "INSERT INTO visit SELECT * FROM visit_copy"), 0);
    assert_totals_equal_scratch(f);
    report_text(f, after, sizeof after);
    assert_string_equal(after, before);
    if (!fixture_on_postgresql()) {
        /* SQLite: derived again from the event log by visits.c itself, as
         * a kiosk's store does (visits_rebuild). */
        sqlite3 *db = NULL;
        char err[512];
        assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        if (visits_rebuild(db, "SELECT " EVENT_COLUMNS " FROM event ORDER BY seq", err, sizeof err))
            fail_msg("visits_rebuild: %s", err);
        assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_totals_equal_scratch(f);
        report_text(f, after, sizeof after);
        assert_string_equal(after, before);
    }
}

/* A central of schema 9 (SQLite) or 10 (PostgreSQL), before the totals
 * existed: the migration's step counts the visits it already holds. */
static void test_the_migration_counts_the_visits_already_there(void **state)
{
    struct fixture *f = *state;
    static struct sent s;
    memset(&s, 0, sizeof s);
    fill_year(f, &s);
    char before[4096], after[4096];
    report_text(f, before, sizeof before);
    /* Back to the schema before, then that version's step run as the
     * migration runs it (later versions' steps stay applied). */
    const char *back =
        fixture_on_postgresql()
            ? "DROP TABLE volunteer_month_total; "
              "DROP FUNCTION volunteer_month_total_after_insert() CASCADE; "
              "DROP FUNCTION volunteer_month_total_after_update() CASCADE; "
              "DROP FUNCTION volunteer_month_total_after_delete() CASCADE"
            : "DROP TABLE volunteer_month_total; DROP TRIGGER volunteer_month_total_insert; "
              "DROP TRIGGER volunteer_month_total_update; "
              "DROP TRIGGER volunteer_month_total_delete; "
              "CREATE INDEX visit_report_volunteer ON visit(volunteer, start_day, start_us, "
              "end_us) WHERE end_us IS NOT NULL";
    assert_int_equal(fixture_exec(f, back), 0);
    assert_int_equal(
        fixture_exec(f, fixture_on_postgresql() ? embed_central_pg_011 : embed_central_010), 0);
    assert_true(fixture_count(f, "SELECT count(*) FROM volunteer_month_total") > 50);
    assert_totals_equal_scratch(f);
    report_text(f, after, sizeof after);
    assert_string_equal(after, before);
    /* And the triggers are back: a new visit counts. */
    struct event pair[2];
    int64_t at = fixture_utc("2026-11-11T09:00:00Z");
    fixture_event(&pair[0], EVENT_CHECKIN, "new", at);
    fixture_event(&pair[1], EVENT_CHECKOUT, "new", at + HOUR_US);
    post(f, 0, pair, 2);
    assert_int_equal(fixture_count(f, "SELECT seconds FROM volunteer_month_total WHERE "
                                      "volunteer = 'new' AND month = '2026-11'"),
                     3600);
    assert_totals_equal_scratch(f);
}

int main(void)
{
    /* The central counts a visit on its local (Oslo) day. */
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_per_volunteer_for_any_period_equals_the_visits,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_totals_follow_the_rounding_of_the_moment,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_totals_follow_corrections, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_forgotten_volunteer_leaves_no_row_and_the_rest_stay_right, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_totals_follow_visits_derived_again, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_the_migration_counts_the_visits_already_there,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
