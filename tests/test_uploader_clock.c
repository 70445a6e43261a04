/* The clock of a board without a battery: events taken before the clock is
 * synchronised are mended from their monotonic time once it is (same
 * boot), wait for that before they leave, and go flagged when they cannot
 * be mended (an earlier boot). A time before the build date is never
 * trusted. With the fake clock and a real central. */
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

#include "demo.h"
#include "kiosk.h"
#include "outbox.h"
#include "store.h"
#include "uploader.h"
#include "uploader_harness.h"

#define S_US INT64_C(1000000)
#define MIN_US (60 * S_US)
#define HOUR_US (60 * MIN_US)

struct env {
    struct fixture *central;
    struct kiosk_side kiosk;
    struct outbox *outbox;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    e->central = fixture_start(NULL);
    kiosk_side_init(&e->kiosk, e->central->base, e->central->token_a1);
    char err[256];
    assert_int_equal(outbox_open(e->kiosk.store, &e->outbox, err, sizeof err), 0);
    /* Booted with no battery clock: the wall clock says 2001. */
    e->kiosk.clock.wall = fixture_utc("2001-01-01T00:00:30Z");
    e->kiosk.clock.mono = 30 * S_US;
    e->kiosk.clock.synced = 0;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    outbox_close(e->outbox);
    kiosk_side_fini(&e->kiosk);
    fixture_stop(e->central);
    free(e);
    return 0;
}

static int sync_now(struct env *e, struct uploader_result *result)
{
    char err[1024];
    int rc = uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, NULL, result, err,
                               sizeof err);
    if (rc)
        fprintf(stderr, "sync: %s\n", err);
    return rc;
}

static void read_event(struct env *e, const char *id, struct event *ev)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(e->kiosk.store),
                                        "SELECT " EVENT_COLUMNS " FROM event WHERE event_id = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    memset(ev, 0, sizeof *ev);
    assert_int_equal(event_from_row(st, 0, ev), 0);
    sqlite3_finalize(st);
}

/* A visit recorded on the wrong clock (two hours, unless said). */
static void unsynced_visit_of(struct env *e, struct event *in, struct event *out, int64_t length)
{
    kiosk_side_record(&e->kiosk, EVENT_CHECKIN, "F-1", in);
    clock_fake_advance(&e->kiosk.clock, length);
    kiosk_side_record(&e->kiosk, EVENT_CHECKOUT, "F-1", out);
    assert_int_equal(in->clock_synced, 0);
}

static void unsynced_visit(struct env *e, struct event *in, struct event *out)
{
    unsynced_visit_of(e, in, out, 2 * HOUR_US);
}

static void sync_the_clock(struct env *e, const char *now)
{
    clock_fake_advance(&e->kiosk.clock, 10 * MIN_US);
    e->kiosk.clock.wall = fixture_utc(now);
    e->kiosk.clock.synced = 1;
}

static int64_t seconds_on(struct kiosk_side *k, const char *volunteer, const char *day,
                          int64_t *visits)
{
    int64_t seconds = 0;
    assert_int_equal(store_volunteer_seconds(k->store, volunteer, day, day, 0, &seconds, visits),
                     0);
    return seconds;
}

static void test_unsynced_events_of_this_boot_are_corrected_once_the_clock_syncs(void **state)
{
    struct env *e = *state;
    struct event in, out, fixed;
    unsynced_visit(e, &in, &out);
    sync_the_clock(e, "2030-03-04T12:10:00Z");
    /* The check-in was 2 h 10 min before the synchronised now. */
    assert_int_equal(outbox_correct_clock(e->outbox, &e->kiosk.clock.source), 2);
    read_event(e, in.event_id, &fixed);
    assert_int_equal(fixed.clock_synced, 1);
    assert_int_equal(fixed.recorded_us, fixture_utc("2030-03-04T10:00:00Z"));
    assert_int_equal(fixed.at_us, fixture_utc("2030-03-04T10:00:00Z"));
    assert_int_equal(fixed.mono_us, in.mono_us);
    read_event(e, out.event_id, &fixed);
    assert_int_equal(fixed.at_us, fixture_utc("2030-03-04T12:00:00Z"));
    /* Nothing left to correct; the visit is two hours on 4 March 2030. */
    assert_int_equal(outbox_correct_clock(e->outbox, &e->kiosk.clock.source), 0);
    int64_t visits = 0;
    assert_int_equal(seconds_on(&e->kiosk, "F-1", "2030-03-04", &visits), 2 * 3600);
    assert_int_equal(visits, 1);

    struct uploader_result result;
    assert_int_equal(sync_now(e, &result), 0);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event WHERE clock_synced = 0"),
                     0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

static void test_unsynced_events_wait_for_the_clock_before_they_leave(void **state)
{
    struct env *e = *state;
    struct event in, out;
    /* Shorter than the hold: both still wait for the clock. */
    unsynced_visit_of(e, &in, &out, 20 * MIN_US);
    struct uploader_result result;
    assert_int_equal(sync_now(e, &result), 0);
    assert_int_equal(result.uploaded, 0);
    assert_int_equal(result.events_waiting, 2);
    sync_the_clock(e, "2030-03-04T12:10:00Z");
    assert_int_equal(sync_now(e, &result), 0);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event WHERE clock_synced = 1"),
                     2);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
}

static void test_unsynced_events_go_flagged_when_the_clock_never_syncs(void **state)
{
    struct env *e = *state;
    struct event in, out;
    unsynced_visit(e, &in, &out);
    clock_fake_advance(&e->kiosk.clock, OUTBOX_UNSYNCED_HOLD_US + MIN_US);
    struct event batch[4];
    assert_int_equal(outbox_next_batch(e->outbox, &e->kiosk.clock.source, batch, 4), 2);
    assert_int_equal(batch[0].clock_synced, 0);
}

static void test_unsynced_events_of_an_earlier_boot_stay_flagged_and_reach_the_central_flagged(
    void **state)
{
    struct env *e = *state;
    struct event in, out, kept;
    unsynced_visit(e, &in, &out);
    /* Power cut; the board boots again and this time finds the time. */
    snprintf(e->kiosk.clock.boot, sizeof e->kiosk.clock.boot,
             "00000000-0000-4000-8000-000000000002");
    e->kiosk.clock.mono = 20 * S_US;
    e->kiosk.clock.wall = fixture_utc("2030-03-05T08:00:00Z");
    e->kiosk.clock.synced = 1;
    assert_int_equal(outbox_correct_clock(e->outbox, &e->kiosk.clock.source), 0);
    read_event(e, in.event_id, &kept);
    assert_int_equal(kept.clock_synced, 0);
    assert_int_equal(kept.at_us, in.at_us);

    struct uploader_result result;
    assert_int_equal(sync_now(e, &result), 0);
    assert_int_equal(result.uploaded, 2);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event WHERE clock_synced = 0"),
                     2);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
}

static void test_a_synchronised_clock_before_the_build_date_is_not_trusted(void **state)
{
    struct env *e = *state;
    struct event in, out, kept;
    unsynced_visit(e, &in, &out);
    /* Something claims the clock is synchronised, but it says 2001. */
    e->kiosk.clock.synced = 1;
    assert_int_equal(outbox_correct_clock(e->outbox, &e->kiosk.clock.source), 0);
    read_event(e, in.event_id, &kept);
    assert_int_equal(kept.clock_synced, 0);
    assert_int_equal(kept.recorded_us, in.recorded_us);
}

/* Issue 12, item 1. The board boots at 07:00 with its clock at 1970. Kari
 * checks in at 07:20; NTP sets the clock at 08:30; she checks out at 10:05.
 * Whether the minute's sweep runs before the uploader corrects the stored
 * times or after, no deadline may be measured across the two clocks: one
 * visit of 2.75 h, not flagged, on both sides. */
static const uint8_t KARI[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x01}; /* demo card 0 */

/* The demo kiosk on a board just powered on: the clock says 1970-01-01
 * 00:05 UTC, five minutes after power on, not synchronised. */
static struct kiosk *open_demo_on_1970(struct kiosk_side *ks)
{
    char err[600];
    snprintf(ks->cfg.card_key, sizeof ks->cfg.card_key, "%s/card.key", ks->dir);
    ks->clock.wall = 5 * MIN_US;
    ks->clock.mono = 5 * MIN_US;
    ks->clock.synced = 0;
    struct kiosk *k;
    assert_int_equal(kiosk_open(&ks->cfg, &ks->clock.source, &k, err, sizeof err), 0);
    assert_int_equal(demo_populate(k, err, sizeof err), 0);
    return k;
}

static void a_morning_begun_on_a_1970_clock(struct env *e, int sweep_before_correction)
{
    struct kiosk_side *ks = &e->kiosk;
    struct kiosk *k = open_demo_on_1970(ks);
    clock_fake_advance(&ks->clock, 15 * MIN_US); /* 07:20 real time */
    struct tap_result r;
    assert_int_equal(kiosk_tap(k, KARI, sizeof KARI, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);

    clock_fake_advance(&ks->clock, 70 * MIN_US);
    ks->clock.wall = fixture_utc("2030-03-04T07:30:00Z"); /* NTP: 08:30 in Oslo */
    ks->clock.synced = 1;
    if (sweep_before_correction)
        assert_int_equal(kiosk_sweep(k), 0);
    assert_true(outbox_correct_clock(e->outbox, &ks->clock.source) > 0);
    assert_int_equal(kiosk_sweep(k), 0);
    assert_int_equal(kiosk_present_count(k), 1);

    clock_fake_advance(&ks->clock, 95 * MIN_US); /* 10:05 */
    assert_int_equal(kiosk_tap(k, KARI, sizeof KARI, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_OUT);
    assert_int_equal(kiosk_sweep(k), 0);
    assert_int_equal(kiosk_review_list(k, NULL, NULL), 0);
    kiosk_close(k);

    int64_t visits = 0;
    assert_int_equal(seconds_on(ks, "D001", "2030-03-04", &visits), 2 * 3600 + 45 * 60);
    assert_int_equal(visits, 1);
    struct uploader_result result;
    assert_int_equal(sync_now(e, &result), 0);
    assert_int_equal(result.events_waiting, 0);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event WHERE kind = 'autoclose'"),
                     0);
    assert_int_equal(
        fixture_count(e->central, "SELECT count(*) FROM visit WHERE review = 1 OR end_us IS NULL"),
        0);
    assert_int_equal(same_events(ks, e->central), 0);
    assert_int_equal(same_hours(ks, e->central), 0);
}

static void test_a_visit_begun_on_a_1970_clock_counts_whole_when_the_sweep_runs_first(void **state)
{
    a_morning_begun_on_a_1970_clock(*state, 1);
}

static void test_a_visit_begun_on_a_1970_clock_counts_whole_when_the_correction_runs_first(
    void **state)
{
    a_morning_begun_on_a_1970_clock(*state, 0);
}

/* The check-in was on a boot whose clock said 1970, and the board has
 * restarted since with the right time: the two clocks have nothing in
 * common, so the sweep does not close her visit (a 1970 deadline is not
 * "long ago"), her next tap checks her out, and a visit nobody ends is
 * closed once this boot alone has lasted max_visit_hours. */
static void test_a_visit_begun_before_a_reboot_on_a_1970_clock_is_not_closed_by_its_1970_deadline(
    void **state)
{
    struct env *e = *state;
    struct kiosk_side *ks = &e->kiosk;
    char err[600];
    struct kiosk *k = open_demo_on_1970(ks);
    static const uint8_t OLA[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x02};
    struct tap_result r;
    assert_int_equal(kiosk_tap(k, KARI, sizeof KARI, &r), 0);
    assert_int_equal(kiosk_tap(k, OLA, sizeof OLA, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    kiosk_close(k);

    snprintf(ks->clock.boot, sizeof ks->clock.boot, "00000000-0000-4000-8000-000000000002");
    ks->clock.mono = 40 * S_US;
    ks->clock.wall = fixture_utc("2030-03-04T07:30:00Z");
    ks->clock.synced = 1;
    assert_int_equal(kiosk_open(&ks->cfg, &ks->clock.source, &k, err, sizeof err), 0);
    assert_int_equal(kiosk_present_count(k), 2);
    clock_fake_advance(&ks->clock, MIN_US);
    assert_int_equal(kiosk_tap(k, KARI, sizeof KARI, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_OUT);
    clock_fake_advance(&ks->clock, 10 * HOUR_US - 2 * MIN_US);
    assert_int_equal(kiosk_sweep(k), 0);
    assert_int_equal(kiosk_present_count(k), 1);
    clock_fake_advance(&ks->clock, 2 * MIN_US);
    assert_int_equal(kiosk_sweep(k), 1);
    assert_int_equal(kiosk_present_count(k), 0);
    kiosk_close(k);
    /* Ola's auto-close is a time on his check-in's clock, flagged with it. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(ks->store),
                                        "SELECT count(*) FROM event WHERE kind = 'autoclose' "
                                        "AND clock_synced = 0 AND boot_id = "
                                        "'00000000-0000-4000-8000-000000000001'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1); /* the day's end is 23:00 in Norway */
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_unsynced_events_of_this_boot_are_corrected_once_the_clock_syncs, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_unsynced_events_wait_for_the_clock_before_they_leave,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_unsynced_events_go_flagged_when_the_clock_never_syncs, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_unsynced_events_of_an_earlier_boot_stay_flagged_and_reach_the_central_flagged,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_synchronised_clock_before_the_build_date_is_not_trusted, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_visit_begun_on_a_1970_clock_counts_whole_when_the_sweep_runs_first, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_visit_begun_on_a_1970_clock_counts_whole_when_the_correction_runs_first, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_visit_begun_before_a_reboot_on_a_1970_clock_is_not_closed_by_its_1970_deadline,
            setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
