/* A correction made on the central reaches the kiosk (PROTOCOL.md, 6a),
 * over real HTTP on loopback to a real central through the fault proxy:
 * a coordinator sets the real end of a visit the kiosk closed
 * automatically, and after the kiosk's next sync both count the same
 * hours and the same visit, the kiosk's review list no longer has it, and
 * nothing goes up again. A correction on the kiosk and one on the central
 * of the same visit end the same on both, whichever was made first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after its prerequisites */
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "store.h"
#include "store_review.h"
#include "testutil.h"
#include "uploader.h"
#include "uploader_harness.h"

struct env {
    struct fixture *central;
    struct proxy *proxy;
    struct kiosk_side kiosk;
    struct uploader_tuning tuning;
    struct event checkin, autoclose; /* Kari's visit, closed by the rules */
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    test_use_oslo_time();
    proxied_kiosk_start(&e->kiosk, &e->central, &e->proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 1000, .request_timeout_ms = 1500};
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    proxied_kiosk_stop(&e->kiosk, e->central, e->proxy);
    free(e);
    return 0;
}

static void sync_ok(struct env *e, struct uploader_result *result)
{
    char err[1024] = "";
    if (uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &e->tuning, result, err,
                          sizeof err))
        fail_msg("sync: %s", err);
}

static long long kiosk_count(struct env *e, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long count = -1;
    if (sqlite3_prepare_v2(store_db(e->kiosk.store), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return count;
}

/* Kari checks in and forgets to check out: the rules close her visit
 * after 10 hours. Uploaded. */
static void forgotten_checkout(struct env *e)
{
    kiosk_side_record(&e->kiosk, EVENT_CHECKIN, "F-1", &e->checkin);
    clock_fake_advance(&e->kiosk.clock, 10 * US_PER_H);
    kiosk_side_record_at(&e->kiosk, EVENT_AUTOCLOSE, "F-1", e->checkin.at_us + 10 * US_PER_H, NULL,
                         &e->autoclose);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

/* The coordinator's correction in the web app (store_review.h). */
static void central_correct(struct env *e, int64_t end_us, struct event *made)
{
    char err[256];
    int rc = central_store_review_correct(e->central->store, e->autoclose.event_id, end_us, "kora",
                                          made, err, sizeof err);
    if (rc)
        fail_msg("central correction: %s", err);
}

/* The kiosk's staff correction of the same auto-close, recorded at
 * recorded_us (staff made it then; the kiosk has not uploaded it yet). */
static void kiosk_correct(struct env *e, int64_t end_us, int64_t recorded_us, struct event *out)
{
    struct event ev = e->autoclose;
    event_new_id(ev.event_id);
    ev.kind = EVENT_CORRECTION;
    ev.source = SOURCE_STAFF;
    ev.at_us = end_us;
    ev.recorded_us = recorded_us;
    snprintf(ev.corrects, sizeof ev.corrects, "%s", e->autoclose.event_id);
    assert_int_equal(store_begin(e->kiosk.store), 0);
    assert_int_equal(store_append(e->kiosk.store, &ev), 0);
    assert_int_equal(store_commit(e->kiosk.store), 0);
    *out = ev;
}

static int64_t kiosk_end(struct env *e)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT end_us FROM visit WHERE end_event = '%s'",
             e->autoclose.event_id);
    return kiosk_count(e, sql);
}

static void test_central_correction_reaches_the_kiosk_and_both_count_the_same(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    assert_int_equal(kiosk_count(e, "SELECT count(*) FROM visit WHERE review = 1"), 1);
    /* She left after 2½ hours: set on the central, counted there at once. */
    int64_t end = e->checkin.at_us + 150 * US_PER_MIN;
    struct event made;
    central_correct(e, end, &made);
    assert_int_not_equal(same_hours(&e->kiosk, e->central), 0);

    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 0);
    assert_int_equal(result.corrections, 1);
    assert_int_equal(kiosk_end(e), end);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
    assert_int_equal(same_visits(&e->kiosk, e->central), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    /* Off the kiosk's review list, and never sent back up. */
    assert_int_equal(kiosk_count(e, "SELECT count(*) FROM visit WHERE review = 1"), 0);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    /* The next sync finds nothing new, and the cursor holds: once only. */
    int requests = proxy_requests(e->proxy);
    sync_ok(e, &result);
    assert_int_equal(result.corrections, 0);
    assert_int_equal(result.uploaded, 0);
    assert_true(proxy_requests(e->proxy) > requests);
    assert_int_equal(kiosk_count(e, "SELECT count(*) FROM event WHERE kind = 'correction'"), 1);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    /* A page applied twice (the cursor lost) changes nothing. */
    assert_int_equal(sqlite3_exec(store_db(e->kiosk.store),
                                  "DELETE FROM sync_state WHERE key = '" OUTBOX_CORRECTIONS_CURSOR
                                  "'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sync_ok(e, &result);
    assert_int_equal(result.corrections, 0);
    assert_int_equal(kiosk_end(e), end);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
}

static void test_corrections_answer_cut_short_is_fetched_again_at_the_next_sync(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    int64_t end = e->checkin.at_us + 3 * US_PER_H;
    struct event made;
    central_correct(e, end, &made);
    /* The answer to the corrections' fetch (after the roster's) is cut. */
    proxy_set_mode_after(e->proxy, 1, PROXY_CUT_RESPONSE);
    struct uploader_result result;
    char err[1024];
    assert_int_not_equal(uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &e->tuning,
                                           &result, err, sizeof err),
                         0);
    proxy_set_mode(e->proxy, PROXY_PASS);
    sync_ok(e, &result);
    assert_int_equal(kiosk_end(e), end);
    assert_int_equal(same_visits(&e->kiosk, e->central), 0);
    assert_int_equal(kiosk_count(e, "SELECT count(*) FROM event WHERE kind = 'correction'"), 1);
}

/* Staff on the kiosk corrected first (not yet uploaded), then the
 * coordinator: the coordinator's, recorded later, wins on both. */
static void test_kiosk_correction_before_the_centrals_loses_on_both(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    struct event staff, made;
    int64_t staff_end = e->checkin.at_us + 4 * US_PER_H;
    int64_t central_end = e->checkin.at_us + 3 * US_PER_H;
    kiosk_correct(e, staff_end, fixture_utc("2026-01-05T12:00:00Z"), &staff);
    central_correct(e, central_end, &made);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 1);
    assert_int_equal(result.corrections, 1);
    assert_int_equal(kiosk_end(e), central_end);
    assert_int_equal(same_visits(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

/* The coordinator first, then staff on the kiosk (recorded later, by the
 * kiosk's clock in 2030): the staff's wins on both. */
static void test_kiosk_correction_after_the_centrals_wins_on_both(void **state)
{
    struct env *e = *state;
    forgotten_checkout(e);
    struct event staff, made;
    int64_t central_end = e->checkin.at_us + 3 * US_PER_H;
    int64_t staff_end = e->checkin.at_us + 5 * US_PER_H;
    central_correct(e, central_end, &made);
    kiosk_correct(e, staff_end, clock_wall(&e->kiosk.clock.source), &staff);
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, 1);
    assert_int_equal(result.corrections, 1);
    assert_int_equal(kiosk_end(e), staff_end);
    assert_int_equal(same_visits(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
    /* And a kiosk rebuilt from its events derives the same. */
    assert_int_equal(store_rebuild_visits(e->kiosk.store), 0);
    assert_int_equal(kiosk_end(e), staff_end);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_central_correction_reaches_the_kiosk_and_both_count_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_corrections_answer_cut_short_is_fetched_again_at_the_next_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_correction_before_the_centrals_loses_on_both,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_correction_after_the_centrals_wins_on_both,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
