/* The kiosk core end to end on a fake clock: taps and names toggle, the
 * repeat window, unknown and revoked cards, auto-close and its review,
 * milestones, staff corrections, reports, a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "demo.h"
#include "kiosk.h"
#include "store.h"
#include "testutil.h"

struct fixture {
    char dir[256];
    struct config cfg;
    struct clock_fake clock;
    struct kiosk *kiosk;
};

static const uint8_t KARI[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x01}; /* demo card 0 */
static const uint8_t OLA[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x02};
static const uint8_t ASE[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x04}; /* no agreement */
static const uint8_t STRANGER[] = {0x04, 0xde, 0x30, 0x00, 0x00, 0x00, 0x05};

static int open_kiosk(struct fixture *f)
{
    char err[600];
    return kiosk_open(&f->cfg, &f->clock.source, &f->kiosk, err, sizeof err);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[600];
    test_tmpdir(f->dir, sizeof f->dir, "kiosk");
    config_defaults(&f->cfg);
    snprintf(f->cfg.site_id, sizeof f->cfg.site_id, "solsiden");
    snprintf(f->cfg.database, sizeof f->cfg.database, "%s/kiosk.db", f->dir);
    snprintf(f->cfg.card_key, sizeof f->cfg.card_key, "%s/card.key", f->dir);
    clock_fake_init(&f->clock, test_local_us(2026, 11, 23, 9, 0));
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(demo_populate(f->kiosk, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    free(f);
    return 0;
}

static void advance(struct fixture *f, int64_t us) { clock_fake_advance(&f->clock, us); }

static struct tap_result tap(struct fixture *f, const uint8_t *uid)
{
    struct tap_result r;
    assert_int_equal(kiosk_tap(f->kiosk, uid, 7, &r), 0);
    return r;
}

static int64_t volunteer_id(struct fixture *f, const char *external_id)
{
    struct volunteer v;
    assert_int_equal(kiosk_volunteer_by_external_id(f->kiosk, external_id, &v), 0);
    return v.id;
}

static int count_events(struct fixture *f, const char *kind)
{
    struct store *s;
    char err[600];
    assert_int_equal(store_open(f->cfg.database, &s, err, sizeof err), 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM event WHERE kind = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    store_close(s);
    return n;
}

static int sum_seconds(void *user, const struct report_row *row)
{
    *(int64_t *)user += row->seconds;
    return 0;
}

static int64_t report_seconds(struct fixture *f, int round_min)
{
    struct store *s;
    char err[600];
    int64_t seconds = 0;
    assert_int_equal(store_open(f->cfg.database, &s, err, sizeof err), 0);
    assert_int_equal(store_report(s, "2026-01-01", "2026-12-31", REPORT_BY_VOLUNTEER, round_min, sum_seconds, &seconds), 0);
    store_close(s);
    return seconds;
}

static void test_tap_checks_in_then_out(void **state)
{
    struct fixture *f = *state;
    struct tap_result r = tap(f, KARI);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    assert_string_equal(r.given_name, "Kari");
    assert_int_equal(r.milestone, 1); /* the first visit ever */
    assert_int_equal(r.at_us, test_local_us(2026, 11, 23, 9, 0));
    assert_int_equal(kiosk_present_count(f->kiosk), 1);

    advance(f, 2 * US_PER_H + 15 * US_PER_MIN);
    r = tap(f, KARI);
    assert_int_equal(r.outcome, TAP_CHECKED_OUT);
    assert_int_equal(r.today_s, 2 * 3600 + 15 * 60);
    assert_int_equal(r.milestone, 0);
    assert_int_equal(kiosk_present_count(f->kiosk), 0);
    assert_int_equal(report_seconds(f, 0), 2 * 3600 + 15 * 60);
}

/* One tap, one event, however long the card is held or tapped again. */
static void test_card_again_within_window_records_nothing(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_IN);
    for (int i = 0; i < 5; i++) {
        advance(f, 5 * US_PER_S);
        struct tap_result r = tap(f, KARI);
        assert_int_equal(r.outcome, TAP_ALREADY_IN);
        assert_string_equal(r.event_id, "");
    }
    assert_int_equal(count_events(f, "checkin"), 1);
    assert_int_equal(count_events(f, "checkout"), 0);
    advance(f, 30 * US_PER_S);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_OUT);
    advance(f, 2 * US_PER_S);
    assert_int_equal(tap(f, KARI).outcome, TAP_ALREADY_OUT);
    assert_int_equal(count_events(f, "checkout"), 1);
}

static void grab_activity(void *user, const struct presence *p)
{
    snprintf(user, 128, "%s", p->activity_title);
}

static void test_name_toggle_with_chosen_activity(void **state)
{
    struct fixture *f = *state;
    struct activity list[8];
    int n = kiosk_activities(f->kiosk, clock_wall(&f->clock.source), list, 8);
    assert_int_equal(n, 4);
    assert_string_equal(list[1].title, "Allsang");
    struct tap_result r;
    assert_int_equal(kiosk_toggle(f->kiosk, volunteer_id(f, "D002"), list[1].id, SOURCE_NAME, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    char title[128] = "";
    assert_int_equal(kiosk_present(f->kiosk, grab_activity, title), 1);
    assert_string_equal(title, "Allsang");
}

/* A card tapped during the breakfast club belongs to it. */
static void test_card_tap_takes_the_activity_going_on(void **state)
{
    struct fixture *f = *state;
    advance(f, 30 * US_PER_MIN); /* 09:30, Frokostklubb 09:00-11:00 */
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
    char title[128] = "";
    kiosk_present(f->kiosk, grab_activity, title);
    assert_string_equal(title, "Frokostklubb");
}

static void test_unknown_card_is_remembered_for_enrolling(void **state)
{
    struct fixture *f = *state;
    int64_t when;
    assert_int_equal(kiosk_last_unknown_card(f->kiosk, &when), 0);
    assert_int_equal(tap(f, STRANGER).outcome, TAP_UNKNOWN_CARD);
    assert_int_equal(kiosk_last_unknown_card(f->kiosk, &when), 1);
    assert_int_equal(when, clock_wall(&f->clock.source));
    advance(f, 2 * US_PER_MIN);
    assert_int_equal(kiosk_enroll_last_unknown(f->kiosk, volunteer_id(f, "D006")), 0);
    /* Enrolled, it is not unknown any more: nothing left to enroll again. */
    assert_int_equal(kiosk_last_unknown_card(f->kiosk, &when), 0);
    assert_int_equal(kiosk_enroll_last_unknown(f->kiosk, volunteer_id(f, "D007")), -ENOENT);
    struct tap_result r = tap(f, STRANGER);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    assert_string_equal(r.given_name, "André");
    assert_int_equal(count_events(f, "card_enrolled"), 5); /* 4 demo cards and this */
}

static void test_unknown_card_forgotten_after_memory_window(void **state)
{
    struct fixture *f = *state;
    int64_t when;
    assert_int_equal(tap(f, STRANGER).outcome, TAP_UNKNOWN_CARD);
    advance(f, 5 * US_PER_MIN + US_PER_S);
    assert_int_equal(kiosk_last_unknown_card(f->kiosk, &when), 0);
    assert_int_equal(kiosk_enroll_last_unknown(f->kiosk, volunteer_id(f, "D006")), -ENOENT);
}

static void test_card_of_someone_else_cannot_be_enrolled(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(kiosk_enroll_uid(f->kiosk, volunteer_id(f, "D006"), KARI, 7), -EEXIST);
}

static void test_revoked_card_is_refused_and_can_be_reissued(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(kiosk_revoke_uid(f->kiosk, OLA, 7), 0);
    struct tap_result r = tap(f, OLA);
    assert_int_equal(r.outcome, TAP_REFUSED);
    assert_int_equal(r.reason, REFUSE_CARD_REVOKED);
    assert_string_equal(r.given_name, "Ola");
    assert_int_equal(kiosk_enroll_uid(f->kiosk, volunteer_id(f, "D007"), OLA, 7), 0);
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
}

static void test_inactive_volunteer_is_refused_by_name(void **state)
{
    struct fixture *f = *state;
    struct tap_result r;
    assert_int_equal(kiosk_toggle(f->kiosk, volunteer_id(f, "D014"), 0, SOURCE_NAME, &r), 0);
    assert_int_equal(r.outcome, TAP_REFUSED);
    assert_int_equal(r.reason, REFUSE_INACTIVE);
    assert_int_equal(count_events(f, "checkin"), 0);
}

static void collect_compliance(void *user, const struct volunteer *v, unsigned notices)
{
    if (!strcmp(v->external_id, "D004"))
        assert_int_equal(notices, NOTICE_NO_CONFIDENTIALITY);
    if (!strcmp(v->external_id, "D005"))
        assert_int_equal(notices, NOTICE_POLICE_CERT_EXPIRED);
    (*(unsigned *)user)++;
}

static void test_compliance_notice_and_staff_list(void **state)
{
    struct fixture *f = *state;
    struct tap_result r = tap(f, ASE);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    assert_true(r.notices & NOTICE_NO_CONFIDENTIALITY);
    struct tap_result p;
    assert_int_equal(kiosk_toggle(f->kiosk, volunteer_id(f, "D005"), 0, SOURCE_NAME, &p), 0);
    assert_true(p.notices & NOTICE_POLICE_CERT_EXPIRED);
    tap(f, KARI);
    unsigned seen = 0;
    assert_int_equal(kiosk_compliance_today(f->kiosk, collect_compliance, &seen), 2);
    assert_int_equal(seen, 2);
}

static void test_compliance_refuse_policy(void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    f->cfg.compliance = COMPLIANCE_REFUSE;
    assert_int_equal(open_kiosk(f), 0);
    struct tap_result r = tap(f, ASE);
    assert_int_equal(r.outcome, TAP_REFUSED);
    assert_int_equal(r.reason, REFUSE_NO_CONFIDENTIALITY);
    /* staff may still check her in by hand, and see the notice */
    struct tap_result s;
    assert_int_equal(kiosk_staff_set(f->kiosk, r.volunteer_id, 1, 0, &s), 0);
    assert_int_equal(s.outcome, TAP_CHECKED_IN);
    assert_true(s.notices & NOTICE_NO_CONFIDENTIALITY);
}

/* Forgot to check out: closed at 23:00 by the sweep, flagged for review,
 * told at the next check-in, and mended by staff with a correction. */
static void grab_review(void *user, const struct review_item *item)
{
    snprintf(user, 40, "%s", item->autoclose_event);
    assert_string_equal(item->given_name, "Kari");
}

static void test_forgotten_checkout_closed_at_day_end_and_reviewed(void **state)
{
    struct fixture *f = *state;
    advance(f, 4 * US_PER_H); /* 13:00 */
    struct tap_result in = tap(f, KARI);
    assert_int_equal(in.outcome, TAP_CHECKED_IN);
    advance(f, 9 * US_PER_H + 59 * US_PER_MIN); /* 22:59 */
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    advance(f, 2 * US_PER_MIN); /* 23:01 */
    assert_int_equal(kiosk_sweep(f->kiosk), 1);
    assert_int_equal(kiosk_present_count(f->kiosk), 0);
    assert_int_equal(report_seconds(f, 0), 0); /* credit: none */

    char event[40] = "";
    assert_int_equal(kiosk_review_list(f->kiosk, grab_review, event), 1);

    advance(f, 10 * US_PER_H); /* 09:01 next day */
    struct tap_result next = tap(f, KARI);
    assert_int_equal(next.outcome, TAP_CHECKED_IN);
    assert_true(next.notices & NOTICE_LAST_AUTOCLOSED);
    assert_int_equal(next.last_autoclose_us, test_local_us(2026, 11, 23, 23, 0));

    /* she says she left at 15:30 */
    assert_int_equal(kiosk_correct_end(f->kiosk, event, test_local_us(2026, 11, 23, 15, 30)), 0);
    assert_int_equal(kiosk_review_list(f->kiosk, NULL, NULL), 0);
    assert_int_equal(report_seconds(f, 0), 2 * 3600 + 30 * 60);
    assert_int_equal(kiosk_correct_end(f->kiosk, event, test_local_us(2026, 11, 23, 15, 0)), -ENOENT);
}

/* No sweep ran overnight (the board was off): the next tap closes the old
 * visit first and starts a new one; it does not check her out. */
static void test_next_morning_tap_closes_old_visit_and_checks_in(void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    f->cfg.autoclose_credit = CREDIT_SCHEDULED;
    assert_int_equal(open_kiosk(f), 0);
    advance(f, 4 * US_PER_H + 10 * US_PER_MIN); /* 13:10, Allsang 13:00-14:30 */
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
    advance(f, 20 * US_PER_H); /* 09:10 next day */
    struct tap_result r = tap(f, OLA);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    assert_true(r.notices & NOTICE_LAST_AUTOCLOSED);
    assert_int_equal(count_events(f, "autoclose"), 1);
    /* credited to the end of Allsang: 13:10 to 14:30 */
    assert_int_equal(report_seconds(f, 0), 80 * 60);
}

/* Issue 12, item 2: a night watch runs past day_end. Whoever checked in
 * for it stays on the fire roll call all night, and the check-out in the
 * morning ends the visit. */
static int64_t night_watch(struct fixture *f, int64_t on_day_us)
{
    struct activity list[8];
    int count = kiosk_activities(f->kiosk, on_day_us, list, 8);
    for (int i = 0; i < count; i++)
        if (!strcmp(list[i].title, "Nattevakt"))
            return list[i].id;
    fail_msg("no Nattevakt on that day");
    return 0;
}

static void set_clock(struct fixture *f, int64_t wall_us)
{
    advance(f, wall_us - f->clock.wall);
}

/* At this time the sweep closes nothing and this many are on the roll call. */
static void none_closed_at(struct fixture *f, int64_t at_us, int present)
{
    set_clock(f, at_us);
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    assert_int_equal(kiosk_present_count(f->kiosk), present);
}

static void test_a_night_watch_stays_on_the_roll_call_all_night_and_counts_to_its_check_out(
    void **state)
{
    struct fixture *f = *state;
    set_clock(f, test_local_us(2026, 11, 23, 22, 30));
    struct tap_result r;
    assert_int_equal(kiosk_toggle(f->kiosk, volunteer_id(f, "D001"), night_watch(f, f->clock.wall),
                                  SOURCE_NAME, &r),
                     0);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    none_closed_at(f, test_local_us(2026, 11, 23, 23, 1), 1);
    none_closed_at(f, test_local_us(2026, 11, 24, 3, 0), 1);
    set_clock(f, test_local_us(2026, 11, 24, 7, 5));
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_OUT);
    assert_int_equal(report_seconds(f, 0), 8 * 3600 + 35 * 60);
    assert_int_equal(kiosk_review_list(f->kiosk, NULL, NULL), 0);
}

/* A card tapped at 01:00 belongs to the night watch begun yesterday at
 * 22:00, and its visit lasts until the watch ends even when the safety net
 * (max_visit_hours = 4 here) comes first; then it is closed. */
static void test_a_card_during_a_night_watch_after_midnight_is_kept_until_its_end(void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    f->cfg.max_visit_s = 4 * 3600;
    f->cfg.autoclose_credit = CREDIT_SCHEDULED;
    assert_int_equal(open_kiosk(f), 0);
    set_clock(f, test_local_us(2026, 11, 24, 1, 0));
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
    none_closed_at(f, test_local_us(2026, 11, 24, 6, 59), 1);
    set_clock(f, test_local_us(2026, 11, 24, 7, 0));
    assert_int_equal(kiosk_sweep(f->kiosk), 1);
    assert_int_equal(report_seconds(f, 0), 6 * 3600); /* credited to the watch's end */
    assert_int_equal(kiosk_review_list(f->kiosk, NULL, NULL), 1);
}

/* 29 March 2026 at 02:00 clocks go to 03:00: the night watch 22:00-07:00
 * is eight hours long. Kari checks in at 22:30 and out at 07:05: 7 h 35
 * min. Ola forgets: closed when ten hours have passed (09:30 summer time)
 * and credited to the watch's end at 07:00 summer time (not 08:00): 7 h 30
 * min. */
static void test_a_night_watch_across_the_summer_time_change_ends_at_seven_summer_time(
    void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    f->cfg.autoclose_credit = CREDIT_SCHEDULED;
    assert_int_equal(open_kiosk(f), 0);
    set_clock(f, test_local_us(2026, 3, 28, 12, 0));
    struct activity watch = {.start_min = 22 * 60, .end_min = 7 * 60};
    snprintf(watch.day, sizeof watch.day, "2026-03-28");
    snprintf(watch.title, sizeof watch.title, "Nattevakt");
    assert_int_equal(kiosk_activity_save(f->kiosk, &watch), 0);
    set_clock(f, test_local_us(2026, 3, 28, 22, 30));
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_IN);
    assert_int_equal(tap(f, OLA).outcome, TAP_CHECKED_IN);
    none_closed_at(f, test_local_us(2026, 3, 29, 6, 59), 2);
    set_clock(f, test_local_us(2026, 3, 29, 7, 5));
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_OUT);
    assert_int_equal(report_seconds(f, 0), 7 * 3600 + 35 * 60);
    set_clock(f, test_local_us(2026, 3, 29, 9, 29));
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    set_clock(f, test_local_us(2026, 3, 29, 9, 30));
    assert_int_equal(kiosk_sweep(f->kiosk), 1);
    assert_int_equal(report_seconds(f, 0), (7 * 3600 + 35 * 60) + (7 * 3600 + 30 * 60));
}

static void test_visit_longer_than_maximum_is_closed(void **state)
{
    struct fixture *f = *state;
    kiosk_close(f->kiosk);
    f->cfg.day_end_min = -1;
    f->cfg.autoclose_credit = CREDIT_FIXED;
    f->cfg.autoclose_fixed_s = 3 * 3600;
    assert_int_equal(open_kiosk(f), 0);
    tap(f, KARI);
    advance(f, 9 * US_PER_H + 59 * US_PER_MIN);
    assert_int_equal(kiosk_sweep(f->kiosk), 0);
    advance(f, 2 * US_PER_MIN);
    assert_int_equal(kiosk_sweep(f->kiosk), 1);
    assert_int_equal(report_seconds(f, 0), 3 * 3600);
}

/* The kiosk starting up closes what is overdue (it was off at 23:00). */
static void test_start_closes_overdue_visits(void **state)
{
    struct fixture *f = *state;
    tap(f, KARI);
    kiosk_close(f->kiosk);
    advance(f, 24 * US_PER_H);
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(kiosk_present_count(f->kiosk), 0);
    assert_int_equal(count_events(f, "autoclose"), 1);
}

static void test_milestone_at_ten_hours(void **state)
{
    struct fixture *f = *state;
    for (int day = 0; day < 4; day++) {
        struct tap_result in = tap(f, KARI);
        assert_int_equal(in.outcome, TAP_CHECKED_IN);
        advance(f, 3 * US_PER_H);
        struct tap_result out = tap(f, KARI);
        assert_int_equal(out.outcome, TAP_CHECKED_OUT);
        /* 3, 6, 9, then 12 hours: the fourth crosses 10 */
        assert_int_equal(out.milestone, day == 3 ? 10 : 0);
        assert_true(out.hours_this_year > 3.0 * day + 2.9);
        advance(f, 21 * US_PER_H);
    }
}

/* Hours that reach the kiosk between two visits (a correction: here by
 * staff, from the central it is the same event) are thanked for at her
 * next check-out. 4 hours counted at her last check-out, a correction
 * lifts the year to 12, and the next check-out tells 10, once. */
static void test_milestone_reached_by_a_correction_is_told_at_the_next_checkout(void **state)
{
    struct fixture *f = *state;
    tap(f, KARI); /* 09:00 */
    advance(f, 3 * US_PER_H);
    assert_int_equal(tap(f, KARI).milestone, 0); /* 12:00: 3 hours */
    advance(f, US_PER_H);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_IN); /* 13:00, and forgets */
    advance(f, 10 * US_PER_H + US_PER_MIN); /* 23:01 */
    assert_int_equal(kiosk_sweep(f->kiosk), 1);
    char event[40] = "";
    assert_int_equal(kiosk_review_list(f->kiosk, grab_review, event), 1);

    advance(f, 10 * US_PER_H); /* 09:01 next day */
    tap(f, KARI);
    advance(f, US_PER_H);
    struct tap_result out = tap(f, KARI);
    assert_int_equal(out.outcome, TAP_CHECKED_OUT);
    assert_int_equal(out.milestone, 0); /* 4 hours */

    /* she had left at 21:00: 8 hours more */
    assert_int_equal(kiosk_correct_end(f->kiosk, event, test_local_us(2026, 11, 23, 21, 0)), 0);
    assert_int_equal(report_seconds(f, 0), 12 * 3600);

    advance(f, US_PER_H);
    tap(f, KARI);
    advance(f, US_PER_H);
    out = tap(f, KARI);
    assert_int_equal(out.outcome, TAP_CHECKED_OUT);
    assert_int_equal(out.milestone, 10);
    assert_true(out.hours_this_year > 12.9);

    advance(f, US_PER_H);
    tap(f, KARI);
    advance(f, US_PER_H);
    assert_int_equal(tap(f, KARI).milestone, 0); /* told once */
}

/* Staff checking her out by hand tell no milestone (she is not at the
 * screen): it stays due for her own next check-out. */
static void test_milestone_waits_for_her_own_checkout_when_staff_check_her_out(void **state)
{
    struct fixture *f = *state;
    int64_t id = 0;
    for (int day = 0; day < 3; day++) { /* 3, 6, 9 hours */
        id = tap(f, KARI).volunteer_id;
        advance(f, 3 * US_PER_H);
        assert_int_equal(tap(f, KARI).milestone, 0);
        advance(f, 21 * US_PER_H);
    }
    struct tap_result r;
    tap(f, KARI);
    advance(f, 2 * US_PER_H);
    assert_int_equal(kiosk_staff_set(f->kiosk, id, 0, 0, &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_OUT);
    assert_int_equal(r.milestone, 0); /* 11 hours, told to nobody */
    advance(f, 21 * US_PER_H);
    tap(f, KARI);
    advance(f, US_PER_H);
    assert_int_equal(tap(f, KARI).milestone, 10);
}

static void test_staff_check_in_and_out_at_given_times(void **state)
{
    struct fixture *f = *state;
    int64_t id = volunteer_id(f, "D003");
    struct tap_result r;
    advance(f, 6 * US_PER_H); /* 15:00 */
    assert_int_equal(kiosk_staff_set(f->kiosk, id, 1, test_local_us(2026, 11, 23, 10, 0), &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_IN);
    assert_int_equal(kiosk_staff_set(f->kiosk, id, 1, 0, &r), 0);
    assert_int_equal(r.outcome, TAP_ALREADY_IN);
    assert_int_equal(kiosk_staff_set(f->kiosk, id, 0, test_local_us(2026, 11, 23, 12, 45), &r), 0);
    assert_int_equal(r.outcome, TAP_CHECKED_OUT);
    assert_int_equal(report_seconds(f, 0), 2 * 3600 + 45 * 60);
    assert_int_equal(kiosk_staff_set(f->kiosk, id, 0, 0, &r), 0);
    assert_int_equal(r.outcome, TAP_ALREADY_OUT);
}

/* Reports round each visit; the raw times are kept. */
static void test_report_rounding_keeps_raw_times(void **state)
{
    struct fixture *f = *state;
    tap(f, KARI);
    advance(f, 52 * US_PER_MIN + 29 * US_PER_S);
    tap(f, KARI);
    assert_int_equal(report_seconds(f, 0), 52 * 60 + 29);
    assert_int_equal(report_seconds(f, 5), 50 * 60);
    assert_int_equal(report_seconds(f, 10), 50 * 60);
    assert_int_equal(report_seconds(f, 15), 45 * 60);
}

/* Many random taps over weeks: the report's hours equal the hours the test
 * adds up itself from what each tap said. */
static void test_report_equals_hours_from_taps(void **state)
{
    struct fixture *f = *state;
    const uint8_t *cards[] = {KARI, OLA, ASE};
    int64_t started[3] = {0}, expected = 0;
    uint32_t seed = 12345;
    for (int step = 0; step < 300; step++) {
        seed = seed * 1103515245u + 12345u;
        int who = (int)((seed >> 16) % 3);
        advance(f, (int64_t)(60 + (seed >> 8) % 7200) * US_PER_S);
        struct tap_result r = tap(f, cards[who]);
        if (r.outcome == TAP_CHECKED_IN) {
            /* An open visit closed automatically before this tap counted
             * zero (credit none), so only the new start matters. */
            started[who] = r.at_us;
        } else if (r.outcome == TAP_CHECKED_OUT) {
            assert_int_equal(r.visit_start_us, started[who]);
            expected += (r.at_us - started[who]) / US_PER_S;
        }
    }
    assert_true(expected > 0);
    assert_int_equal(report_seconds(f, 0), expected);
}

/* The uploader's roster sync and tilstedectl import-roster write on their
 * own connections while the kiosk runs: its name search must see them. */
static void test_search_sees_a_roster_changed_by_another_program(void **state)
{
    struct fixture *f = *state;
    int64_t ids[8];
    assert_int_equal(kiosk_search(f->kiosk, "ingebjørg", ids, 8), 0);
    assert_int_equal(kiosk_search(f->kiosk, "bråt", ids, 8), 1);

    struct store *other;
    char err[600];
    assert_int_equal(store_open(f->cfg.database, &other, err, sizeof err), 0);
    struct volunteer v = {.active = 1};
    snprintf(v.external_id, sizeof v.external_id, "N900");
    snprintf(v.given_name, sizeof v.given_name, "Ingebjørg");
    snprintf(v.family_name, sizeof v.family_name, "Kvåle");
    int change = -1;
    assert_int_equal(store_volunteer_upsert(other, &v, clock_wall(&f->clock.source), &change), 0);
    assert_int_equal(change, 1);
    /* D003 (found by "bråt") leaves the roster. */
    struct volunteer d003;
    assert_int_equal(store_volunteer_by_external_id(other, "D003", &d003), 0);
    d003.active = 0;
    assert_int_equal(store_volunteer_upsert(other, &d003, clock_wall(&f->clock.source), &change), 0);
    assert_int_equal(change, 2);
    store_close(other);

    assert_int_equal(kiosk_search(f->kiosk, "ingebjørg", ids, 8), 1);
    assert_int_equal(ids[0], volunteer_id(f, "N900"));
    assert_int_equal(kiosk_search(f->kiosk, "bråt", ids, 8), 0);
}

static void test_search_finds_by_any_name_part(void **state)
{
    struct fixture *f = *state;
    int64_t ids[8];
    assert_int_equal(kiosk_search(f->kiosk, "bråt", ids, 8), 1);
    assert_int_equal(ids[0], volunteer_id(f, "D003"));
    assert_int_equal(kiosk_search(f->kiosk, "gunnar", ids, 8), 0); /* inactive */
    char name[64];
    kiosk_display_name("Åse", "Ødegård", name, sizeof name);
    assert_string_equal(name, "Åse Ø.");
}

static void test_staff_pin(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(kiosk_check_pin(f->kiosk, "1234"), -ENOENT);
    kiosk_close(f->kiosk);
    assert_int_equal(crypto_pwhash_str(f->cfg.staff_pin_hash, "2468", 4,
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(kiosk_check_pin(f->kiosk, "2468"), 1);
    assert_int_equal(kiosk_check_pin(f->kiosk, "2469"), 0);
}

/* The PIN's hash costs 16 MiB, not the 64 MiB of libsodium's interactive
 * limits (the board's peak), and a hash stored with those older limits
 * still verifies: the parameters travel in the hash string. */
static void test_pin_hash_cost_is_the_kiosks_and_old_hashes_verify(void **state)
{
    struct fixture *f = *state;
    char hash[crypto_pwhash_STRBYTES];
    assert_int_equal(kiosk_hash_pin("2468", hash, sizeof hash), 0);
    assert_non_null(strstr(hash, "$m=16384,t=3,"));
    assert_int_equal(crypto_pwhash_str_needs_rehash(hash, KIOSK_PIN_HASH_OPSLIMIT,
                                                    KIOSK_PIN_HASH_MEMLIMIT_BYTES), 0);
    assert_int_equal(kiosk_hash_pin("2468", hash, 64), -EINVAL);

    kiosk_close(f->kiosk);
    assert_int_equal(crypto_pwhash_str(f->cfg.staff_pin_hash, "1357", 4,
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE), 0);
    assert_non_null(strstr(f->cfg.staff_pin_hash, "$m=65536,"));
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(kiosk_check_pin(f->kiosk, "1357"), 1);
    assert_int_equal(kiosk_check_pin(f->kiosk, "1358"), 0);
    kiosk_close(f->kiosk);
    assert_int_equal(kiosk_hash_pin("1357", f->cfg.staff_pin_hash, sizeof f->cfg.staff_pin_hash), 0);
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(kiosk_check_pin(f->kiosk, "1357"), 1);
    assert_int_equal(kiosk_check_pin(f->kiosk, "1358"), 0);
}

/* The disk fills: the tap fails visibly (never reported as done), nothing
 * recorded before is lost, and it works again once space is freed. */
static void test_full_disk_tap_fails_visibly_then_recovers(void **state)
{
    struct fixture *f = *state;
    char mnt[300], filler[400], err[600];
    snprintf(mnt, sizeof mnt, "%s/tmpfs", f->dir);
    mkdir(mnt, 0700);
    if (mount("tilstede-test", mnt, "tmpfs", 0, "size=2m") != 0) {
        print_message("skipped: cannot mount a tmpfs here (%s); run as root\n", strerror(errno));
        skip();
    }
    kiosk_close(f->kiosk);
    snprintf(f->cfg.database, sizeof f->cfg.database, "%s/kiosk.db", mnt);
    assert_int_equal(open_kiosk(f), 0);
    assert_int_equal(demo_populate(f->kiosk, err, sizeof err), 0);
    assert_int_equal(tap(f, KARI).outcome, TAP_CHECKED_IN);

    snprintf(filler, sizeof filler, "%s/filler", mnt);
    FILE *fill = fopen(filler, "wb");
    char block[4096] = {0};
    while (fwrite(block, 1, sizeof block, fill) == sizeof block && fflush(fill) == 0)
        ;
    fclose(fill);

    /* Keep tapping until the WAL needs a page it cannot have. */
    struct tap_result r = {0};
    int failed_at = -1;
    for (int i = 0; i < 400 && failed_at < 0; i++) {
        advance(f, 31 * US_PER_S);
        int rc = kiosk_tap(f->kiosk, i % 2 ? KARI : OLA, 7, &r);
        if (r.outcome == TAP_FAILED) {
            assert_true(rc < 0);
            assert_non_null(strstr(r.message, "full"));
            assert_string_equal(r.event_id, "");
            failed_at = i;
        }
    }
    assert_true(failed_at >= 0);
    unlink(filler);
    advance(f, 31 * US_PER_S);
    r = tap(f, KARI);
    assert_true(r.outcome == TAP_CHECKED_IN || r.outcome == TAP_CHECKED_OUT);
    kiosk_close(f->kiosk);
    f->kiosk = NULL;
    assert_int_equal(open_kiosk(f), 0);
    assert_true(count_events(f, "checkin") >= 1);
    kiosk_close(f->kiosk);
    f->kiosk = NULL;
    umount2(mnt, MNT_DETACH);
    snprintf(f->cfg.database, sizeof f->cfg.database, "%s/kiosk.db", f->dir);
    assert_int_equal(open_kiosk(f), 0);
}

static void reopen(struct fixture *f)
{
    kiosk_close(f->kiosk);
    f->kiosk = NULL;
    assert_int_equal(open_kiosk(f), 0);
}

/* A restore from backup stays on record across restarts, shows until staff
 * acknowledge it, and a later restore is the one that counts. */
static void test_recovery_on_record_until_acknowledged_across_restarts(void **state)
{
    struct fixture *f = *state;
    struct kiosk_recovery r;
    assert_int_equal(kiosk_recovery_status(f->kiosk, &r), 0);
    assert_int_equal(kiosk_recovery_acknowledge(f->kiosk), 0); /* nothing to hide */

    int64_t backup_us = test_local_us(2026, 11, 22, 3, 0);
    int64_t restored_us = clock_wall(&f->clock.source);
    assert_int_equal(kiosk_recovery_record(f->kiosk, backup_us, 1), 0);
    reopen(f);
    assert_int_equal(kiosk_recovery_status(f->kiosk, &r), 1);
    assert_int_equal(r.at_us, restored_us);
    assert_int_equal(r.backup_us, backup_us);
    assert_int_equal(r.skipped_backups, 1);
    assert_int_equal(r.fetch_state, KIOSK_FETCH_NONE); /* no central in this configuration */
    assert_int_equal(r.fetched_events, 0);
    assert_int_equal(r.acknowledged, 0);

    assert_int_equal(kiosk_recovery_acknowledge(f->kiosk), 0);
    reopen(f);
    assert_int_equal(kiosk_recovery_status(f->kiosk, &r), 1);
    assert_int_equal(r.acknowledged, 1);
    assert_int_equal(r.backup_us, backup_us);

    /* Restored again, now with a central: the new record waits for its fetch. */
    snprintf(f->cfg.central_url, sizeof f->cfg.central_url, "https://tilstede.example.no");
    reopen(f);
    advance(f, US_PER_H);
    assert_int_equal(kiosk_recovery_record(f->kiosk, backup_us + 24 * US_PER_H, 0), 0);
    reopen(f);
    assert_int_equal(kiosk_recovery_status(f->kiosk, &r), 1);
    assert_int_equal(r.at_us, restored_us + US_PER_H);
    assert_int_equal(r.backup_us, backup_us + 24 * US_PER_H);
    assert_int_equal(r.skipped_backups, 0);
    assert_int_equal(r.fetch_state, KIOSK_FETCH_PENDING);
    assert_int_equal(r.acknowledged, 0);
}

int main(void)
{
    test_use_oslo_time();
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_tap_checks_in_then_out),
        T(test_card_again_within_window_records_nothing),
        T(test_name_toggle_with_chosen_activity),
        T(test_card_tap_takes_the_activity_going_on),
        T(test_unknown_card_is_remembered_for_enrolling),
        T(test_unknown_card_forgotten_after_memory_window),
        T(test_card_of_someone_else_cannot_be_enrolled),
        T(test_revoked_card_is_refused_and_can_be_reissued),
        T(test_inactive_volunteer_is_refused_by_name),
        T(test_compliance_notice_and_staff_list),
        T(test_compliance_refuse_policy),
        T(test_forgotten_checkout_closed_at_day_end_and_reviewed),
        T(test_next_morning_tap_closes_old_visit_and_checks_in),
        T(test_visit_longer_than_maximum_is_closed),
        T(test_a_night_watch_stays_on_the_roll_call_all_night_and_counts_to_its_check_out),
        T(test_a_card_during_a_night_watch_after_midnight_is_kept_until_its_end),
        T(test_a_night_watch_across_the_summer_time_change_ends_at_seven_summer_time),
        T(test_start_closes_overdue_visits),
        T(test_milestone_at_ten_hours),
        T(test_milestone_reached_by_a_correction_is_told_at_the_next_checkout),
        T(test_milestone_waits_for_her_own_checkout_when_staff_check_her_out),
        T(test_staff_check_in_and_out_at_given_times),
        T(test_report_rounding_keeps_raw_times),
        T(test_report_equals_hours_from_taps),
        T(test_search_finds_by_any_name_part),
        T(test_search_sees_a_roster_changed_by_another_program),
        T(test_staff_pin),
        T(test_pin_hash_cost_is_the_kiosks_and_old_hashes_verify),
        T(test_full_disk_tap_fails_visibly_then_recovers),
        T(test_recovery_on_record_until_acknowledged_across_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
