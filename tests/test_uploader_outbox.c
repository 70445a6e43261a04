/* The outbox over the kiosk's store: batches in recording order and
 * bounded, marks only what is named, sync_state round trips, a roster
 * answer applied all or nothing with its cursor, and a page fetched back
 * after a restore applied once however often it comes, full roster answers
 * that leave rows out, and events another connection records noticed.
 * No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "store.h"
#include "uploader_harness.h"

#define HOUR_US (INT64_C(3600) * 1000000)

struct env {
    struct kiosk_side kiosk;
    struct outbox *outbox;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    kiosk_side_init(&e->kiosk, "http://127.0.0.1:9", "token");
    char err[256];
    assert_int_equal(outbox_open(e->kiosk.store, &e->outbox, err, sizeof err), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    outbox_close(e->outbox);
    kiosk_side_fini(&e->kiosk);
    free(e);
    return 0;
}

static void test_batch_is_in_recording_order_and_bounded(void **state)
{
    struct env *e = *state;
    kiosk_side_add_visits(&e->kiosk, 30, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    struct event batch[25];
    assert_int_equal(outbox_next_batch(e->outbox, &e->kiosk.clock.source, batch, 25), 25);
    for (int i = 0; i < 25; i++)
        assert_int_equal(batch[i].kind, i % 2 ? EVENT_CHECKOUT : EVENT_CHECKIN);
    assert_true(batch[0].at_us < batch[2].at_us);
    assert_int_equal(outbox_pending(e->outbox), 60);
}

static void test_mark_changes_only_the_named_pending_events(void **state)
{
    struct env *e = *state;
    kiosk_side_add_visits(&e->kiosk, 5, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    struct event batch[10];
    assert_int_equal(outbox_next_batch(e->outbox, &e->kiosk.clock.source, batch, 10), 10);
    const char *ids[] = {batch[0].event_id, batch[1].event_id, "no-such-event"};
    assert_int_equal(outbox_mark(e->outbox, ids, 3, OUTBOX_UPLOADED), 2);
    assert_int_equal(outbox_mark(e->outbox, ids, 2, OUTBOX_UPLOADED), 0); /* once */
    assert_int_equal(outbox_pending(e->outbox), 8);
    const char *bad[] = {batch[2].event_id};
    assert_int_equal(outbox_mark(e->outbox, bad, 1, OUTBOX_REJECTED), 1);
    assert_int_equal(outbox_rejected(e->outbox), 1);
    assert_int_equal(outbox_pending(e->outbox), 7);
    struct event next[10];
    assert_int_equal(outbox_next_batch(e->outbox, &e->kiosk.clock.source, next, 10), 7);
    assert_string_equal(next[0].event_id, batch[3].event_id);
}

static void test_sync_state_round_trips(void **state)
{
    struct env *e = *state;
    char value[64];
    assert_int_equal(outbox_state_get(e->outbox, OUTBOX_ROSTER_CURSOR, value, sizeof value), 1);
    assert_int_equal(outbox_state_int(e->outbox, OUTBOX_LAST_UPLOAD), 0);
    assert_int_equal(outbox_state_set(e->outbox, OUTBOX_LAST_UPLOAD, "1893456000000000"), 0);
    assert_int_equal(outbox_state_int(e->outbox, OUTBOX_LAST_UPLOAD), INT64_C(1893456000000000));
    assert_int_equal(outbox_state_set(e->outbox, OUTBOX_ROSTER_CURSOR, "41"), 0);
    assert_int_equal(outbox_state_set(e->outbox, OUTBOX_ROSTER_CURSOR, "42"), 0);
    assert_int_equal(outbox_state_get(e->outbox, OUTBOX_ROSTER_CURSOR, value, sizeof value), 0);
    assert_string_equal(value, "42");
}

static const char *const HASH_A = "aa00000000000000000000000000000000000000000000000000000000000001";
static const char *const HASH_B = "bb00000000000000000000000000000000000000000000000000000000000002";
static const char *const ACTIVITY = "5f0b7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b";

/* Card A for F-1, card B for F-2, and Sangstund on 2030-03-04. */
static void cards_and_activity(struct outbox_card cards[2], struct activity *a)
{
    memset(cards, 0, 2 * sizeof *cards);
    snprintf(cards[0].card_hash, sizeof cards[0].card_hash, "%s", HASH_A);
    snprintf(cards[0].volunteer, sizeof cards[0].volunteer, "F-1");
    snprintf(cards[1].card_hash, sizeof cards[1].card_hash, "%s", HASH_B);
    snprintf(cards[1].volunteer, sizeof cards[1].volunteer, "F-2");
    memset(a, 0, sizeof *a);
    snprintf(a->uuid, sizeof a->uuid, "%s", ACTIVITY);
    snprintf(a->day, sizeof a->day, "2030-03-04");
    a->start_min = 600;
    a->end_min = 660;
    snprintf(a->title, sizeof a->title, "Sangstund");
}

static void test_roster_applies_volunteers_cards_and_activities_with_its_cursor(void **state)
{
    struct env *e = *state;
    struct volunteer v[2] = {0};
    snprintf(v[0].external_id, sizeof v[0].external_id, "F-1");
    snprintf(v[0].given_name, sizeof v[0].given_name, "Kari");
    snprintf(v[0].family_name, sizeof v[0].family_name, "Nordmann");
    v[0].active = 1;
    snprintf(v[1].external_id, sizeof v[1].external_id, "F-2");
    snprintf(v[1].given_name, sizeof v[1].given_name, "Ola");
    snprintf(v[1].family_name, sizeof v[1].family_name, "Hansen");
    v[1].active = 1;
    struct outbox_card cards[2];
    struct activity a;
    cards_and_activity(cards, &a);
    cards[1].revoked = 1;
    struct outbox_roster roster = {v, 2, cards, 2, &a, 1, "17", 0};
    size_t changed = 0;
    assert_int_equal(outbox_apply_roster(e->outbox, &roster, fixture_utc("2030-03-04T08:00:00Z"),
                                         &changed),
                     0);
    assert_int_equal(changed, 5);
    struct volunteer got;
    assert_int_equal(store_volunteer_by_external_id(e->kiosk.store, "F-1", &got), 0);
    assert_string_equal(got.given_name, "Kari");
    int64_t owner;
    int revoked;
    assert_int_equal(store_card_find(e->kiosk.store, HASH_A, &owner, &revoked), 0);
    assert_int_equal(owner, got.id);
    assert_int_equal(revoked, 0);
    assert_int_equal(store_card_find(e->kiosk.store, HASH_B, &owner, &revoked), 0);
    assert_int_equal(revoked, 1);
    struct activity saved;
    assert_int_equal(store_activity_by_uuid(e->kiosk.store, ACTIVITY, &saved), 0);
    assert_string_equal(saved.title, "Sangstund");
    char cursor[16];
    outbox_state_get(e->outbox, OUTBOX_ROSTER_CURSOR, cursor, sizeof cursor);
    assert_string_equal(cursor, "17");

    /* Card A revoked later; the same answer again changes nothing. */
    cards[0].revoked = 1;
    roster.cursor = "18";
    assert_int_equal(outbox_apply_roster(e->outbox, &roster, fixture_utc("2030-03-05T08:00:00Z"),
                                         &changed),
                     0);
    assert_int_equal(store_card_find(e->kiosk.store, HASH_A, &owner, &revoked), 0);
    assert_int_equal(revoked, 1);

    /* A bad activity spoils the whole answer: nothing of it, no new cursor. */
    snprintf(v[0].given_name, sizeof v[0].given_name, "Karianne");
    a.start_min = 5000;
    roster.cursor = "19";
    assert_true(outbox_apply_roster(e->outbox, &roster, fixture_utc("2030-03-06T08:00:00Z"),
                                    &changed) < 0);
    assert_non_null(strstr(outbox_errmsg(e->outbox), "roster"));
    assert_int_equal(store_volunteer_by_external_id(e->kiosk.store, "F-1", &got), 0);
    assert_string_equal(got.given_name, "Kari");
    outbox_state_get(e->outbox, OUTBOX_ROSTER_CURSOR, cursor, sizeof cursor);
    assert_string_equal(cursor, "18");
}

static const char *const HASH_C = "cc00000000000000000000000000000000000000000000000000000000000003";

static void set_volunteer(struct volunteer *v, const char *external_id, const char *given)
{
    memset(v, 0, sizeof *v);
    snprintf(v->external_id, sizeof v->external_id, "%s", external_id);
    snprintf(v->given_name, sizeof v->given_name, "%s", given);
    snprintf(v->family_name, sizeof v->family_name, "Hansen");
    v->active = 1;
}

static int volunteer_active(struct env *e, const char *external_id)
{
    struct volunteer got;
    assert_int_equal(store_volunteer_by_external_id(e->kiosk.store, external_id, &got), 0);
    return got.active;
}

static int card_revoked(struct env *e, const char *hash)
{
    int64_t owner;
    int revoked;
    assert_int_equal(store_card_find(e->kiosk.store, hash, &owner, &revoked), 0);
    return revoked;
}

/* PROTOCOL.md, section 7: a full answer is the whole roster. What it leaves
 * out goes, in the answer's one transaction, and no event goes with it; a
 * card enrolled here whose event the central has not had yet stays. */
static void test_full_roster_answer_takes_away_the_rows_it_leaves_out(void **state)
{
    struct env *e = *state;
    struct volunteer v[2];
    set_volunteer(&v[0], "F-1", "Kari");
    set_volunteer(&v[1], "F-2", "Ola");
    struct outbox_card cards[2];
    struct activity a;
    cards_and_activity(cards, &a);
    struct outbox_roster roster = {v, 2, cards, 2, &a, 1, "1", 1};
    size_t changed = 0;
    int64_t now = fixture_utc("2030-03-04T08:00:00Z");
    assert_int_equal(outbox_apply_roster(e->outbox, &roster, now, &changed), 0);

    /* Card C enrolled here for Kari; its event still waits for upload. */
    struct volunteer kari;
    assert_int_equal(store_volunteer_by_external_id(e->kiosk.store, "F-1", &kari), 0);
    struct event enrolled = {0};
    event_new_id(enrolled.event_id);
    enrolled.kind = EVENT_CARD_ENROLLED;
    snprintf(enrolled.site, sizeof enrolled.site, "%s", e->kiosk.cfg.site_id);
    snprintf(enrolled.volunteer, sizeof enrolled.volunteer, "F-1");
    enrolled.at_us = enrolled.recorded_us = now;
    snprintf(enrolled.boot_id, sizeof enrolled.boot_id, "boot");
    enrolled.clock_synced = 1;
    enrolled.source = SOURCE_STAFF;
    snprintf(enrolled.card_hash, sizeof enrolled.card_hash, "%s", HASH_C);
    assert_int_equal(store_begin(e->kiosk.store), 0);
    assert_int_equal(store_card_add(e->kiosk.store, HASH_C, kari.id, now), 0);
    assert_int_equal(store_append(e->kiosk.store, &enrolled), 0);
    assert_int_equal(store_commit(e->kiosk.store), 0);
    kiosk_side_add_visits(&e->kiosk, 2, now, HOUR_US, HOUR_US / 2);
    int pending = outbox_pending(e->outbox);

    /* A full answer with a bad activity: nothing of it, nothing left out. */
    struct activity bad = a;
    bad.start_min = 5000;
    struct outbox_roster spoilt = {v, 1, cards, 1, &bad, 1, "2", 1};
    assert_true(outbox_apply_roster(e->outbox, &spoilt, now, &changed) < 0);
    assert_int_equal(volunteer_active(e, "F-2"), 1);
    assert_int_equal(card_revoked(e, HASH_B), 0);

    /* Ola, his card B and the activity are left out. */
    struct outbox_roster full = {v, 1, cards, 1, NULL, 0, "2", 1};
    assert_int_equal(outbox_apply_roster(e->outbox, &full, now, &changed), 0);
    assert_int_equal(changed, 3);
    assert_int_equal(volunteer_active(e, "F-2"), 0);
    assert_int_equal(volunteer_active(e, "F-1"), 1);
    assert_int_equal(card_revoked(e, HASH_B), 1);
    assert_int_equal(card_revoked(e, HASH_A), 0);
    assert_int_equal(card_revoked(e, HASH_C), 0); /* not yet heard of, not left out */
    struct activity day[4];
    assert_int_equal(store_activities_on_day(e->kiosk.store, "2030-03-04", day, 4), 0);
    struct activity kept;
    assert_int_equal(store_activity_by_uuid(e->kiosk.store, ACTIVITY, &kept), 0); /* events name it */
    assert_int_equal(outbox_pending(e->outbox), pending);

    /* An answer that is not full leaves out nothing. */
    struct outbox_roster changes = {v, 1, cards, 1, NULL, 0, "3", 0};
    assert_int_equal(outbox_apply_roster(e->outbox, &changes, now, &changed), 0);
    assert_int_equal(card_revoked(e, HASH_C), 0);

    /* Once the central has had the enrolment, a full answer without C is
     * the central's word: revoked. */
    const char *ids[] = {enrolled.event_id};
    assert_int_equal(outbox_mark(e->outbox, ids, 1, OUTBOX_UPLOADED), 1);
    full.cursor = "4";
    assert_int_equal(outbox_apply_roster(e->outbox, &full, now, &changed), 0);
    assert_int_equal(card_revoked(e, HASH_C), 1);
    /* Sent again, the activity is back on the day's list. */
    struct outbox_roster back = {v, 2, cards, 2, &a, 1, "5", 0};
    assert_int_equal(outbox_apply_roster(e->outbox, &back, now, &changed), 0);
    assert_int_equal(store_activities_on_day(e->kiosk.store, "2030-03-04", day, 4), 1);
    assert_int_equal(volunteer_active(e, "F-2"), 1);
}

/* The running kiosk's uploader learns of an event another program recorded
 * (tilstedectl tap) through its own connection, and of nothing else: its
 * own writes and a mere mark of uploaded events are no new event. */
static void test_an_event_recorded_on_another_connection_is_noticed_once(void **state)
{
    struct env *e = *state;
    struct store *own;
    struct outbox *watch;
    char err[256];
    assert_int_equal(store_open(e->kiosk.cfg.database, &own, err, sizeof err), 0);
    assert_int_equal(outbox_open(own, &watch, err, sizeof err), 0);
    assert_int_equal(outbox_recorded_since(watch), 0); /* takes the mark */
    assert_int_equal(outbox_recorded_since(watch), 0);
    struct event ev;
    kiosk_side_record(&e->kiosk, EVENT_CHECKIN, "F-1", &ev); /* the other program */
    assert_int_equal(outbox_recorded_since(watch), 1);
    assert_int_equal(outbox_recorded_since(watch), 0);
    const char *ids[] = {ev.event_id};
    assert_int_equal(outbox_mark(e->outbox, ids, 1, OUTBOX_UPLOADED), 1);
    assert_int_equal(outbox_recorded_since(watch), 0);
    assert_int_equal(outbox_state_set(watch, OUTBOX_LAST_ERROR, ""), 0);
    assert_int_equal(outbox_recorded_since(watch), 0);
    kiosk_side_record(&e->kiosk, EVENT_CHECKOUT, "F-1", &ev);
    assert_int_equal(outbox_recorded_since(watch), 1);
    outbox_close(watch);
    store_close(own);
}

/* A page fetched back after a restore, applied twice (a run cut after its
 * commit, then the same page again): the events are there once, counted
 * once, marked uploaded, and the log still refuses to be rewritten. */
static void test_fetched_page_applied_twice_changes_nothing(void **state)
{
    struct env *e = *state;
    struct kiosk_recovery restore = {.at_us = fixture_utc("2030-03-04T08:00:00Z"),
                                     .backup_us = fixture_utc("2030-03-03T02:00:00Z"),
                                     .fetch_state = KIOSK_FETCH_PENDING};
    assert_int_equal(store_recovery_record(e->kiosk.store, &restore), 0);
    struct event waiting, page[2];
    kiosk_side_record(&e->kiosk, EVENT_CHECKIN, "F-1", &waiting);
    page[0] = waiting; /* the central had it: the backup was older than its upload */
    fixture_event(&page[1], EVENT_CHECKOUT, "F-1", waiting.at_us + HOUR_US);
    snprintf(page[1].site, sizeof page[1].site, "%s", FIXTURE_SITE_A);
    size_t added = 0;
    assert_int_equal(outbox_fetch_apply(e->outbox, page, 2, "17", 0, &added), 0);
    assert_int_equal(added, 1);
    assert_int_equal(outbox_fetch_apply(e->outbox, page, 2, "17", 1, &added), 0);
    assert_int_equal(added, 0);
    assert_int_equal(outbox_pending(e->outbox), 0);

    struct kiosk_recovery now;
    char cursor[STORE_CURSOR_MAX];
    assert_int_equal(store_recovery_latest(e->kiosk.store, &now, cursor), 0);
    assert_int_equal(now.fetched_events, 1);
    assert_int_equal(now.fetch_state, KIOSK_FETCH_DONE);
    assert_string_equal(cursor, "17");
    struct store_visit visit;
    assert_int_equal(
        store_last_closed_visit(e->kiosk.store, FIXTURE_SITE_A, "F-1", &visit), 0);
    assert_string_equal(visit.end_event, page[1].event_id);
    assert_int_not_equal(sqlite3_exec(store_db(e->kiosk.store),
                                      "UPDATE event SET kind = 'checkin' WHERE kind = 'checkout'",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batch_is_in_recording_order_and_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mark_changes_only_the_named_pending_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_state_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_roster_applies_volunteers_cards_and_activities_with_its_cursor, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_full_roster_answer_takes_away_the_rows_it_leaves_out,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_event_recorded_on_another_connection_is_noticed_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetched_page_applied_twice_changes_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
