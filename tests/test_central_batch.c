/* The visits a batch derives on the central equal firmware/visits.c's
 * rules applied one event at a time: uploads of mixed batches (check-ins,
 * check-outs, auto-closes, a check-in over an open visit, corrections of
 * events in the same batch and in earlier ones, copies of events already
 * sent), compared row by row with visits_rebuild on a scratch SQLite
 * database. On both backends (the PostgreSQL one derives a batch's visits
 * in a few statements, not one by one). */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_fixture.h"
#include "visits.h"

#define EVENTS      1500
#define BATCH_MOST  60
#define VOLUNTEERS  12
#define ACTIVITIES  3
#define MINUTE_US   (INT64_C(60) * 1000000)

/* A fixed sequence, so a failure can be run again. */
static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

/* The events of the uploads, in the order they are sent (copies too). */
static size_t make_uploads(struct event *events, size_t count)
{
    unsigned seed = 20260302;
    char activities[ACTIVITIES][EVENT_ID_LEN + 1];
    for (int i = 0; i < ACTIVITIES; i++)
        event_new_id(activities[i]);
    int64_t at = fixture_utc("2026-03-02T06:00:00Z");
    for (size_t i = 0; i < count; i++) {
        struct event *ev = &events[i];
        char volunteer[16];
        snprintf(volunteer, sizeof volunteer, "v%u", next_random(&seed) % VOLUNTEERS);
        at += (int64_t)(next_random(&seed) % 90) * MINUTE_US;
        unsigned pick = next_random(&seed) % 100;
        if (i > 0 && pick < 10) {
            /* A copy of an event sent before, or earlier in this batch. */
            *ev = events[next_random(&seed) % i];
            continue;
        }
        if (pick < 45) {
            fixture_event(ev, EVENT_CHECKIN, volunteer, at);
            if (next_random(&seed) % 3 == 0)
                snprintf(ev->activity, sizeof ev->activity, "%s",
                         activities[next_random(&seed) % ACTIVITIES]);
        } else if (pick < 80) {
            fixture_event(ev, EVENT_CHECKOUT, volunteer, at);
            ev->review = next_random(&seed) % 7 == 0;
        } else if (pick < 88) {
            fixture_event(ev, EVENT_AUTOCLOSE, volunteer, at);
        } else {
            /* A correction of an earlier event (often in the same batch),
             * to a time before or after it; sometimes of none we know. */
            int64_t shift = ((int64_t)(next_random(&seed) % 240) - 120) * MINUTE_US;
            if (i > 0 && next_random(&seed) % 8) {
                const struct event *named = &events[i - 1 - next_random(&seed) % (i < 40 ? i : 40)];
                fixture_event(ev, EVENT_CORRECTION, named->volunteer, named->at_us + shift);
                snprintf(ev->corrects, sizeof ev->corrects, "%s", named->event_id);
            } else {
                fixture_event(ev, EVENT_CORRECTION, volunteer, at + shift);
                event_new_id(ev->corrects);
            }
        }
    }
    return count;
}

/* The visits the rules give, one event at a time, in a scratch SQLite
 * database: each id stored once, in the order the uploads sent them. */
static sqlite3 *derive_one_by_one(const struct event *events, size_t count)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, visits_schema(), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE event (seq INTEGER PRIMARY KEY, event_id TEXT "
                                  "UNIQUE, kind TEXT, site TEXT, volunteer TEXT, at_us INTEGER, "
                                  "recorded_us INTEGER, mono_us INTEGER, boot_id TEXT, "
                                  "clock_synced INTEGER, source TEXT, activity TEXT, "
                                  "corrects TEXT, card_hash TEXT, review INTEGER)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT OR IGNORE INTO event (" EVENT_COLUMNS
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                        "?11, ?12, ?13, ?14)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < count; i++) {
        struct event ev = events[i];
        snprintf(ev.site, sizeof ev.site, FIXTURE_SITE_A);
        assert_int_equal(event_bind(st, 1, &ev), 0);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    char err[256];
    int rc = visits_rebuild(db, "SELECT " EVENT_COLUMNS " FROM event ORDER BY seq", err,
                            sizeof err);
    if (rc)
        fprintf(stderr, "visits_rebuild: %s\n", err);
    assert_int_equal(rc, 0);
    return db;
}

static void test_mixed_batches_derive_the_visits_of_one_event_at_a_time(void **state)
{
    struct fixture *f = *state;
    struct event *events = calloc(EVENTS, sizeof *events);
    assert_non_null(events);
    make_uploads(events, EVENTS);
    unsigned seed = 7;
    for (size_t sent = 0; sent < EVENTS;) {
        size_t size = 1 + next_random(&seed) % BATCH_MOST;
        if (size > EVENTS - sent)
            size = EVENTS - sent;
        struct reply reply;
        assert_int_equal(fixture_post_events(f, f->token_a1, events + sent, size, &reply), 0);
        if (reply.status != 200)
            fprintf(stderr, "batch at %zu: %ld %s\n", sent, reply.status, reply.body);
        assert_int_equal(reply.status, 200);
        reply_free(&reply);
        sent += size;
    }
    sqlite3 *expected = derive_one_by_one(events, EVENTS);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(expected,
                                        "SELECT volunteer, coalesce(activity, ''), start_event, "
                                        "start_us, start_day, coalesce(end_event, ''), "
                                        "coalesce(end_us, -1), coalesce(end_kind, -1), review "
                                        "FROM visit ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    long long rows = 0, closed = 0, reviewed = 0, corrected = 0, seconds = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        long long start_us = sqlite3_column_int64(st, 3), end_us = sqlite3_column_int64(st, 6);
        if (end_us >= 0) {
            closed++;
            seconds += (end_us - start_us) / 1000000;
        }
        reviewed += sqlite3_column_int(st, 8);
        char sql[900];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM visit WHERE site = '%s' AND volunteer = '%s' "
                 "AND coalesce(activity, '') = '%s' AND start_event = '%s' AND start_us = %lld "
                 "AND start_day = '%s' AND coalesce(end_event, '') = '%s' "
                 "AND coalesce(end_us, -1) = %lld AND coalesce(end_kind, -1) = %d "
                 "AND review = %d",
                 FIXTURE_SITE_A, sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                 sqlite3_column_text(st, 2), start_us, sqlite3_column_text(st, 4),
                 sqlite3_column_text(st, 5), end_us, sqlite3_column_int(st, 7),
                 sqlite3_column_int(st, 8));
        long long found = fixture_count(f, sql);
        if (found != 1)
            fprintf(stderr, "visit %lld not as the rules give it: %s\n", rows, sql);
        assert_int_equal(found, 1);
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(expected,
                                        "SELECT count(*) FROM visit v JOIN event e "
                                        "ON e.kind = 'correction' AND e.corrects IN "
                                        "(v.start_event, v.end_event)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    corrected = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(expected);
    /* The mix has every case in it, or the comparison proves little. */
    assert_true(closed > 50 && rows - closed > 0 && reviewed > 20 && corrected > 20);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit"), rows);
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total"), seconds);
    assert_int_equal(fixture_count(f, "SELECT sum(visits) FROM visit_total"), closed);
    free(events);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mixed_batches_derive_the_visits_of_one_event_at_a_time,
                                        fixture_setup, fixture_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
