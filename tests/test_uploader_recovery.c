/* A kiosk restored from a backup fetches back what the central holds
 * (issue 6), over real HTTP on loopback to a real central through the
 * fault proxy. What was uploaded comes back and what was in neither the
 * backup nor the central is lost, and nothing else; nothing goes up twice;
 * the kiosk derives the central's visits and hours; the status report
 * tells of the restore; a fetch cut between pages resumes to the same end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "recovery.h"
#include "store.h"
#include "testutil.h"
#include "outbox.h"
#include "uploader.h"
#include "uploader_harness.h"

/* The day before the damage: what the central and the kiosk were told. */
struct day_one {
    /* A: uploaded before the backup. */
    struct event kari_in, ola_in, ola_out;
    /* In the backup, but still waiting for upload when it was taken;
     * uploaded after it. */
    struct event per_in;
    /* B: after the backup, uploaded: Kari leaves, Per's visit is closed by
     * the rules and then corrected by staff, Åse comes. */
    struct event kari_out, per_close, per_fix, ase_in;
    /* C: after the backup, never uploaded (the central was down). */
    struct event ase_out;
};

struct env {
    struct fixture *central;
    struct proxy *proxy;
    struct kiosk_side kiosk;
    struct uploader_tuning tuning;
    struct day_one day;
    struct recovery_report report;
    struct kiosk *restored;        /* the kiosk as main() opens it after the restore */
    struct event ola_back;         /* a tap after the restore, before the fetch */
    int64_t restored_at_us;
    char backup[700];              /* the backup taken on day one */
    int64_t backup_s;              /* and its time */
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    test_use_oslo_time();
    proxied_kiosk_start(&e->kiosk, &e->central, &e->proxy);
    snprintf(e->kiosk.cfg.card_key, sizeof e->kiosk.cfg.card_key, "%s/card.key", e->kiosk.dir);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 1000, .request_timeout_ms = 1500};
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    kiosk_close(e->restored);
    proxied_kiosk_stop(&e->kiosk, e->central, e->proxy);
    free(e);
    return 0;
}

/* One run of the uploader, as tilstedectl sync does it; fails the test
 * unless it succeeds (*err empty) or fails (*err says why) as expected. */
static void sync_expect(struct env *e, int ok, struct uploader_result *result, char *err,
                        size_t errlen)
{
    err[0] = '\0';
    int rc = uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &e->tuning, result, err,
                               errlen);
    if (ok && rc)
        fail_msg("sync: %s", err);
    if (!ok && (!rc || !err[0]))
        fail_msg("sync succeeded, or failed without saying why");
}

static void sync_ok(struct env *e, struct uploader_result *result)
{
    char err[1024];
    sync_expect(e, 1, result, err, sizeof err);
}

/* An event recorded `minutes` after the one before, stating that time. */
static void record(struct env *e, int minutes, enum event_kind kind, const char *volunteer,
                   struct event *out)
{
    clock_fake_advance(&e->kiosk.clock, (int64_t)minutes * US_PER_MIN);
    kiosk_side_record(&e->kiosk, kind, volunteer, out);
}

static void upload_expect(struct env *e, int64_t uploaded)
{
    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.uploaded, uploaded);
}

static long long count_in(const char *path, const char *sql, const char *event_id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long count = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (event_id)
            sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            count = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return count;
}

static long long held_by(const char *path, const struct event *ev)
{
    return count_in(path, "SELECT count(*) FROM event WHERE event_id = ?1", ev->event_id);
}

/* The first day: A uploaded; a backup while Per's check-in waits; B
 * uploaded, Per's check-in with it; then C, while the central is down. */
static void day_one(struct env *e)
{
    struct day_one *d = &e->day;
    char err[1024];
    record(e, 0, EVENT_CHECKIN, "F-1", &d->kari_in); /* 09:00 */
    record(e, 10, EVENT_CHECKIN, "F-2", &d->ola_in);
    record(e, 60, EVENT_CHECKOUT, "F-2", &d->ola_out);
    upload_expect(e, 3);

    record(e, 20, EVENT_CHECKIN, "F-3", &d->per_in);
    clock_fake_advance(&e->kiosk.clock, 10 * US_PER_MIN);
    e->backup_s = clock_wall(&e->kiosk.clock.source) / US_PER_S;
    if (recovery_backup_rotate_at(&e->kiosk.cfg, NULL, RECOVERY_KEEP_DEFAULT, (time_t)e->backup_s,
                                  e->backup, sizeof e->backup, err, sizeof err))
        fail_msg("backup: %s", err);
    upload_expect(e, 1); /* Per's check-in: the backup has it waiting */

    record(e, 60, EVENT_CHECKOUT, "F-1", &d->kari_out);
    clock_fake_advance(&e->kiosk.clock, 30 * US_PER_MIN);
    int64_t now = clock_wall(&e->kiosk.clock.source);
    kiosk_side_record_at(&e->kiosk, EVENT_AUTOCLOSE, "F-3", now, NULL, &d->per_close);
    kiosk_side_record_at(&e->kiosk, EVENT_CORRECTION, "", now - 15 * US_PER_MIN,
                         d->per_close.event_id, &d->per_fix);
    record(e, 30, EVENT_CHECKIN, "F-4", &d->ase_in);
    upload_expect(e, 4);

    record(e, 60, EVENT_CHECKOUT, "F-4", &d->ase_out);
    struct uploader_result result;
    proxy_set_mode(e->proxy, PROXY_DOWN);
    sync_expect(e, 0, &result, err, sizeof err);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 1);
    proxy_set_mode(e->proxy, PROXY_PASS);
}

/* The database is damaged and the kiosk starts the next morning:
 * recovery_prepare() restores the backup, the kiosk opens it (and its rules
 * close the visits the backup left open), main() records the restore, and
 * Ola taps in before the uploader has run. */
static void damage_and_restore(struct env *e)
{
    char err[1024];
    store_close(e->kiosk.store);
    e->kiosk.store = NULL;
    test_scribble(e->kiosk.cfg.database, 2 * 4096);
    clock_fake_advance(&e->kiosk.clock, 20 * US_PER_H);
    if (recovery_prepare(&e->kiosk.cfg, NULL, &e->report, err, sizeof err))
        fail_msg("recovery_prepare: %s", err);
    assert_int_equal(e->report.action, RECOVERY_RESTORED);
    assert_string_equal(e->report.backup_path, e->backup);
    assert_int_equal(e->report.backup_us, e->backup_s * US_PER_S);

    /* What main() does: open, then record the restore. */
    assert_int_equal(kiosk_open(&e->kiosk.cfg, &e->kiosk.clock.source, &e->restored, err,
                                sizeof err),
                     0);
    e->restored_at_us = clock_wall(&e->kiosk.clock.source);
    assert_int_equal(kiosk_recovery_record(e->restored, e->report.backup_us,
                                           e->report.skipped_backups),
                     0);
    struct kiosk_recovery recovery;
    assert_int_equal(kiosk_recovery_status(e->restored, &recovery), 1);
    assert_int_equal(recovery.fetch_state, KIOSK_FETCH_PENDING);

    if (store_open(e->kiosk.cfg.database, &e->kiosk.store, err, sizeof err))
        fail_msg("store_open: %s", err);
    record(e, 5, EVENT_CHECKIN, "F-2", &e->ola_back);
    /* Waiting now: Per's check-in (the backup had it waiting), the closing
     * of Kari's and Per's visits by the restored kiosk's rules (the backup
     * had them open), and Ola's tap. */
    assert_int_equal(kiosk_side_pending(&e->kiosk), 1 + 2 + 1);
}

static void day_one_then_damage_and_restore(struct env *e)
{
    day_one(e);
    damage_and_restore(e);
}

static int find_a1(void *ctx, const struct central_device *device)
{
    if (strcmp(device->name, "A1") == 0)
        *(struct central_device *)ctx = *device;
    return 0;
}

static struct central_device device_a1(struct env *e)
{
    struct central_device a1 = {0};
    char err[256];
    assert_int_equal(central_store_devices(e->central->store, find_a1, &a1, err, sizeof err), 0);
    return a1;
}

/* Where every recovery must end, however the fetch went. */
static void assert_recovered(struct env *e)
{
    const struct day_one *d = &e->day;
    const char *kiosk_db = e->kiosk.cfg.database;
    const char *central_db = e->central->db;

    /* A and B on the kiosk, once each (B fetched back); C in neither place,
     * and that is all that was lost. */
    const struct event *kept[] = {&d->kari_in,  &d->ola_in,    &d->ola_out, &d->per_in,
                                  &d->kari_out, &d->per_close, &d->per_fix, &d->ase_in};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        assert_int_equal(held_by(kiosk_db, kept[i]), 1);
        assert_int_equal(held_by(central_db, kept[i]), 1);
    }
    assert_int_equal(held_by(kiosk_db, &d->ase_out), 0);
    assert_int_equal(held_by(central_db, &d->ase_out), 0);
    /* The central has day one's eight, then the three events of the morning
     * after (the two closings by the rules and Ola's tap), each once; the
     * kiosk holds exactly the same, every field equal. */
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event"), 8 + 3);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);

    /* The same visits and hours: Kari's visit ends with her check-out,
     * Per's at the corrected time; the closings of the morning after come
     * after them and change nothing, on both sides; Åse's visit is open on
     * both, since her check-out was in neither place. */
    assert_int_equal(same_visits(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
    struct store_visit visit;
    assert_int_equal(store_last_closed_visit(e->kiosk.store, FIXTURE_SITE_A, "F-1", &visit), 0);
    assert_string_equal(visit.end_event, d->kari_out.event_id);
    assert_int_equal(store_last_closed_visit(e->kiosk.store, FIXTURE_SITE_A, "F-3", &visit), 0);
    assert_string_equal(visit.end_event, d->per_close.event_id);
    assert_int_equal(visit.end_us, d->per_fix.at_us);
    assert_int_equal(store_open_visit(e->kiosk.store, FIXTURE_SITE_A, "F-4", &visit), 0);
    assert_string_equal(visit.start_event, d->ase_in.event_id);
    assert_int_equal(store_open_visit(e->kiosk.store, FIXTURE_SITE_A, "F-2", &visit), 0);
    assert_string_equal(visit.start_event, e->ola_back.event_id);

    /* The restore is done with fetching; four events came back. */
    struct kiosk_recovery recovery;
    assert_int_equal(kiosk_recovery_status(e->restored, &recovery), 1);
    assert_int_equal(recovery.fetch_state, KIOSK_FETCH_DONE);
    assert_int_equal(recovery.fetched_events, 4);
    assert_int_equal(recovery.acknowledged, 0);

    /* The status report told the central, which the dashboard shows. */
    struct central_device a1 = device_a1(e);
    assert_int_equal(a1.status.recovery.reported, 1);
    assert_int_equal(a1.status.recovery.at_us, e->restored_at_us);
    assert_int_equal(a1.status.recovery.backup_us, e->report.backup_us);
    assert_int_equal(a1.status.recovery.skipped_backups, 0);
    assert_string_equal(a1.status.recovery.fetch, "done");
    assert_int_equal(a1.status.recovery.fetched_events, 4);
}

static void test_restored_kiosk_fetches_back_what_the_central_holds(void **state)
{
    struct env *e = *state;
    day_one_then_damage_and_restore(e);

    struct uploader_result result;
    sync_ok(e, &result);
    assert_int_equal(result.fetched, 4);   /* B */
    assert_int_equal(result.uploaded, 3);  /* the morning's three; Per's check-in not again */
    assert_recovered(e);

    /* Once is enough: the next run fetches nothing and sends nothing. */
    sync_ok(e, &result);
    assert_int_equal(result.fetched, 0);
    assert_int_equal(result.uploaded, 0);

    /* Staff acknowledge it on the kiosk: the next report no longer tells. */
    assert_int_equal(kiosk_recovery_acknowledge(e->restored), 0);
    sync_ok(e, &result);
    assert_int_equal(device_a1(e).status.recovery.reported, 0);
    struct kiosk_recovery recovery;
    assert_int_equal(kiosk_recovery_status(e->restored, &recovery), 1);
    assert_int_equal(recovery.acknowledged, 1);
}

static void test_fetch_cut_between_pages_resumes_to_the_same_end(void **state)
{
    struct env *e = *state;
    e->kiosk.cfg.batch_size = 2; /* pages of two: day one's eight in four */
    day_one_then_damage_and_restore(e);

    /* The central answers three pages, then the fourth breaks off. */
    struct uploader_result result;
    char err[1024];
    proxy_set_mode_after(e->proxy, 3, PROXY_CUT_RESPONSE);
    sync_expect(e, 0, &result, err, sizeof err);
    assert_non_null(strstr(err, "GET"));
    proxy_set_mode(e->proxy, PROXY_PASS);
    /* Pages one and two were events the kiosk had; page three brought
     * Kari's check-out and Per's closing, stored with its cursor. Nothing
     * has been sent: the morning's three events still wait. */
    struct kiosk_recovery recovery;
    assert_int_equal(kiosk_recovery_status(e->restored, &recovery), 1);
    assert_int_equal(recovery.fetch_state, KIOSK_FETCH_PENDING);
    assert_int_equal(recovery.fetched_events, 2);
    assert_int_equal(held_by(e->kiosk.cfg.database, &e->day.kari_out), 1);
    assert_int_equal(held_by(e->kiosk.cfg.database, &e->day.per_fix), 0);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event"), 8);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 3); /* Per's check-in came back: marked */
    /* The visits are derived again after the last page only; cut short, a
     * marker says they are stale, and the next opening of the outbox (the
     * kiosk started again after a power cut) derives them: Kari's visit
     * ends with the check-out page three brought. */
    struct outbox *outbox;
    assert_int_equal(outbox_open(e->kiosk.store, &outbox, err, sizeof err), 0);
    outbox_close(outbox);
    struct store_visit visit;
    assert_int_equal(store_last_closed_visit(e->kiosk.store, FIXTURE_SITE_A, "F-1", &visit), 0);
    assert_string_equal(visit.end_event, e->day.kari_out.event_id);

    /* The next run goes on from page four and ends where an uncut one does. */
    sync_ok(e, &result);
    assert_int_equal(result.fetched, 2);
    assert_int_equal(result.uploaded, 3);
    assert_recovered(e);
}

/* A kiosk configured for another site than the central knows its token by
 * would store what comes back where it never looks: the fetch stops and
 * says what to correct, and nothing is sent meanwhile. */
static void test_fetch_of_another_sites_events_stops_and_says_why(void **state)
{
    struct env *e = *state;
    struct event in, out, after;
    record(e, 0, EVENT_CHECKIN, "F-1", &in);
    record(e, 60, EVENT_CHECKOUT, "F-1", &out);
    upload_expect(e, 2);
    struct kiosk_recovery restore = {.at_us = clock_wall(&e->kiosk.clock.source),
                                     .backup_us = in.at_us,
                                     .fetch_state = KIOSK_FETCH_PENDING};
    assert_int_equal(store_recovery_record(e->kiosk.store, &restore), 0);
    snprintf(e->kiosk.cfg.site_id, sizeof e->kiosk.cfg.site_id, "solsiden");
    record(e, 5, EVENT_CHECKIN, "F-2", &after);

    struct uploader_result result;
    char err[1024];
    sync_expect(e, 0, &result, err, sizeof err);
    assert_non_null(strstr(err, "events of site \"" FIXTURE_SITE_A "\""));
    assert_non_null(strstr(err, "[site] id = \"solsiden\""));
    assert_int_equal(result.uploaded, 0);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 1);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event"), 2);
    char cursor[STORE_CURSOR_MAX];
    assert_int_equal(store_recovery_latest(e->kiosk.store, &restore, cursor), 0);
    assert_int_equal(restore.fetch_state, KIOSK_FETCH_PENDING);
    assert_string_equal(cursor, "");
    /* The coordinator hears of it: the status report says what is wrong. */
    struct central_device a1 = device_a1(e);
    assert_non_null(strstr(a1.status.last_error, "[site] id = \"solsiden\""));
    assert_int_equal(a1.status.events_waiting, 1);
    assert_string_equal(a1.status.recovery.fetch, "pending");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restored_kiosk_fetches_back_what_the_central_holds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_cut_between_pages_resumes_to_the_same_end,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_of_another_sites_events_stops_and_says_why,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
