/* The check-in rules as pure decisions: no database, no clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rules.h"
#include "testutil.h"

static const char BOOT[] = "boot-a";

static struct config defaults(void)
{
    struct config cfg;
    config_defaults(&cfg);
    return cfg;
}

/* A known, active, compliant volunteer tapping a card; no earlier events. */
static struct rules_tap card_tap(void)
{
    struct rules_tap tap = {
        .now_us = test_local_us(2026, 11, 23, 10, 0),
        .now_mono_us = 5000 * US_PER_S,
        .boot_id = BOOT,
        .today = "2026-11-23",
        .card_known = 1,
        .by_card = 1,
        .active = 1,
        .confidentiality_signed = "2025-01-01",
        .police_valid_until = "",
    };
    return tap;
}

/* The tap of someone who checked in `ago` earlier on this boot. */
static struct rules_tap tap_after_checkin(int64_t ago)
{
    struct rules_tap tap = card_tap();
    tap.has_open_visit = 1;
    tap.has_last = 1;
    tap.last_was_checkin = 1;
    tap.last_boot_id = BOOT;
    tap.last_mono_us = tap.now_mono_us - ago;
    tap.last_wall_us = tap.now_us - ago;
    return tap;
}

static enum tap_outcome outcome_of(const struct config *cfg, const struct rules_tap *tap)
{
    struct rules_decision d;
    rules_decide(cfg, tap, &d);
    return d.outcome;
}

static void test_first_tap_checks_in(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_CHECKED_IN);
    assert_int_equal(d.notices, 0);
}

static void test_tap_with_open_visit_checks_out(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(2 * US_PER_H);
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
}

static void test_second_tap_within_window_does_not_toggle(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(29 * US_PER_S);
    assert_int_equal(outcome_of(&cfg, &tap), TAP_ALREADY_IN);
    tap = tap_after_checkin(30 * US_PER_S); /* the window is [0, 30 s) */
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
}

static void test_window_after_checkout_reports_already_out(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.has_last = 1;
    tap.last_was_checkin = 0;
    tap.last_boot_id = BOOT;
    tap.last_mono_us = tap.now_mono_us - 3 * US_PER_S;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_ALREADY_OUT);
}

/* NTP may step the wall clock between two taps; on one boot the monotonic
 * clock decides, so a 10-minute wall jump does not break the window. */
static void test_window_uses_monotonic_clock_on_same_boot(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(5 * US_PER_S);
    tap.last_wall_us = tap.now_us - 10 * US_PER_MIN;
    assert_int_equal(outcome_of(&cfg, &tap), TAP_ALREADY_IN);
}

static void test_window_uses_wall_clock_across_reboot(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(10 * US_PER_MIN);
    tap.last_boot_id = "boot-before";
    tap.last_mono_us = tap.now_mono_us - 5 * US_PER_S; /* meaningless across boots */
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
    tap.last_wall_us = tap.now_us - 10 * US_PER_S;
    assert_int_equal(outcome_of(&cfg, &tap), TAP_ALREADY_IN);
}

/* Issue 12: across a reboot the two wall times are comparable only when
 * both were read on a synchronised clock. A check-in at 1970 + 10 min on
 * one boot and a tap at 1970 + 20 s on the next are not 20 s apart. */
static void test_window_compares_no_wall_times_of_an_unsynchronised_clock(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(10 * US_PER_MIN);
    tap.last_boot_id = "boot-before";
    tap.last_wall_us = tap.now_us - 10 * US_PER_S;
    tap.last_clock_unsynced = 1;
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
    tap.last_clock_unsynced = 0;
    tap.clock_unsynced = 1;
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
}

/* A name chosen on screen and confirmed is meant: the window is for a card
 * held too long or tapped twice, not for someone who checks out by name. */
static void test_name_toggle_is_not_held_by_the_window(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(5 * US_PER_S);
    tap.by_card = 0;
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
}

static void test_window_is_configurable(void **state)
{
    (void)state;
    struct config cfg = defaults();
    cfg.repeat_window_s = 0;
    struct rules_tap tap = tap_after_checkin(1 * US_PER_S);
    assert_int_equal(outcome_of(&cfg, &tap), TAP_CHECKED_OUT);
}

static void test_unknown_card(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.card_known = 0;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_UNKNOWN_CARD);
}

static void test_revoked_card_refused_even_when_checked_in(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.card_revoked = 1;
    tap.has_open_visit = 1;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_REFUSED);
    assert_int_equal(d.reason, REFUSE_CARD_REVOKED);
}

static void test_inactive_volunteer_refused(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.active = 0;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_REFUSED);
    assert_int_equal(d.reason, REFUSE_INACTIVE);
}

static void test_inactive_volunteer_checked_in_still_checks_out(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = tap_after_checkin(2 * 3600 * US_PER_S);
    tap.active = 0;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_CHECKED_OUT);
}

static void test_missing_confidentiality_checks_in_with_notice_by_default(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.confidentiality_signed = "";
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_CHECKED_IN);
    assert_int_equal(d.notices, NOTICE_NO_CONFIDENTIALITY);
}

static void test_expired_police_certificate_gives_notice(void **state)
{
    (void)state;
    struct config cfg = defaults();
    struct rules_tap tap = card_tap();
    tap.police_valid_until = "2026-11-22";
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_CHECKED_IN);
    assert_int_equal(d.notices, NOTICE_POLICE_CERT_EXPIRED);

    tap.police_valid_until = "2026-11-23"; /* valid through its last day */
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.notices, 0);
}

static void test_compliance_refuse_policy_refuses_check_in(void **state)
{
    (void)state;
    struct config cfg = defaults();
    cfg.compliance = COMPLIANCE_REFUSE;
    struct rules_tap tap = card_tap();
    tap.police_valid_until = "2020-01-01";
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_REFUSED);
    assert_int_equal(d.reason, REFUSE_POLICE_CERT_EXPIRED);
    tap.confidentiality_signed = "";
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.reason, REFUSE_NO_CONFIDENTIALITY);
}

/* Hours given must be counted: leaving is never refused for paperwork. */
static void test_compliance_never_blocks_check_out(void **state)
{
    (void)state;
    struct config cfg = defaults();
    cfg.compliance = COMPLIANCE_REFUSE;
    struct rules_tap tap = card_tap();
    tap.confidentiality_signed = "";
    tap.has_open_visit = 1;
    struct rules_decision d;
    rules_decide(&cfg, &tap, &d);
    assert_int_equal(d.outcome, TAP_CHECKED_OUT);
}

static void test_deadline_is_end_of_day(void **state)
{
    (void)state;
    struct config cfg = defaults();
    int64_t start = test_local_us(2026, 11, 23, 14, 0);
    assert_int_equal(rules_autoclose_deadline(&cfg, start), test_local_us(2026, 11, 23, 23, 0));
}

static void test_deadline_is_max_length_when_sooner(void **state)
{
    (void)state;
    struct config cfg = defaults();
    int64_t start = test_local_us(2026, 11, 23, 7, 0);
    assert_int_equal(rules_autoclose_deadline(&cfg, start), test_local_us(2026, 11, 23, 17, 0));
}

static void test_deadline_after_day_end_is_next_day_or_max(void **state)
{
    (void)state;
    struct config cfg = defaults();
    int64_t start = test_local_us(2026, 11, 23, 23, 30);
    /* next 23:00 is tomorrow evening; 10 hours come first */
    assert_int_equal(rules_autoclose_deadline(&cfg, start), test_local_us(2026, 11, 24, 9, 30));
    cfg.day_end_min = -1; /* off: a night-watch site */
    start = test_local_us(2026, 11, 23, 21, 0);
    assert_int_equal(rules_autoclose_deadline(&cfg, start), test_local_us(2026, 11, 24, 7, 0));
}

/* 29 March 2026: clocks go from 02:00 to 03:00 in Norway. */
static void test_deadline_across_summer_time_change(void **state)
{
    (void)state;
    struct config cfg = defaults();
    cfg.day_end_min = 12 * 60;
    cfg.max_visit_s = 24 * 3600;
    int64_t start = test_local_us(2026, 3, 28, 20, 0);
    int64_t deadline = rules_autoclose_deadline(&cfg, start);
    assert_int_equal(deadline, test_local_us(2026, 3, 29, 12, 0));
    assert_int_equal(deadline - start, 15 * US_PER_H); /* one hour less in the night */
}

static void test_credit_none_fixed_scheduled(void **state)
{
    (void)state;
    struct config cfg = defaults();
    int64_t start = test_local_us(2026, 11, 23, 13, 0);
    int64_t deadline = test_local_us(2026, 11, 23, 23, 0);
    int64_t activity_end = test_local_us(2026, 11, 23, 14, 30);

    cfg.autoclose_credit = CREDIT_NONE;
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, activity_end), start);
    cfg.autoclose_credit = CREDIT_FIXED;
    cfg.autoclose_fixed_s = 3 * 3600;
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, activity_end), start + 3 * US_PER_H);
    cfg.autoclose_credit = CREDIT_SCHEDULED;
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, activity_end), activity_end);
    /* without an activity, scheduled credits nothing */
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, 0), start);
}

static void test_credit_never_past_deadline_nor_before_start(void **state)
{
    (void)state;
    struct config cfg = defaults();
    int64_t start = test_local_us(2026, 11, 23, 21, 0);
    int64_t deadline = test_local_us(2026, 11, 23, 23, 0);
    cfg.autoclose_credit = CREDIT_FIXED;
    cfg.autoclose_fixed_s = 5 * 3600;
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, 0), deadline);
    cfg.autoclose_credit = CREDIT_SCHEDULED; /* checked in after the activity ended */
    assert_int_equal(rules_autoclose_credit(&cfg, start, deadline, start - US_PER_H), start);
}

static void test_milestones(void **state)
{
    (void)state;
    assert_int_equal(rules_milestone(9.5, 10.5), 10);
    assert_int_equal(rules_milestone(10.0, 11.0), 0);
    assert_int_equal(rules_milestone(49.0, 50.0), 50);
    assert_int_equal(rules_milestone(99.0, 120.0), 100);
    assert_int_equal(rules_milestone(240.0, 251.0), 250);
    assert_int_equal(rules_milestone(251.0, 260.0), 0);
    assert_int_equal(rules_milestone(0.0, 2.0), 0);
    /* against the highest milestone already counted, not the hours before */
    assert_int_equal(rules_milestone_reached(9.99), 0);
    assert_int_equal(rules_milestone_reached(10.0), 10);
    assert_int_equal(rules_milestone_reached(300.0), 250);
    assert_int_equal(rules_milestone_due(0, 13.0), 10);
    assert_int_equal(rules_milestone_due(10, 13.0), 0);
    assert_int_equal(rules_milestone_due(10, 51.0), 50);
    assert_int_equal(rules_milestone_due(50, 12.0), 0); /* hours taken away: nothing twice */
}

int main(void)
{
    test_use_oslo_time();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_tap_checks_in),
        cmocka_unit_test(test_tap_with_open_visit_checks_out),
        cmocka_unit_test(test_second_tap_within_window_does_not_toggle),
        cmocka_unit_test(test_window_after_checkout_reports_already_out),
        cmocka_unit_test(test_window_uses_monotonic_clock_on_same_boot),
        cmocka_unit_test(test_window_uses_wall_clock_across_reboot),
        cmocka_unit_test(test_window_compares_no_wall_times_of_an_unsynchronised_clock),
        cmocka_unit_test(test_name_toggle_is_not_held_by_the_window),
        cmocka_unit_test(test_window_is_configurable),
        cmocka_unit_test(test_unknown_card),
        cmocka_unit_test(test_revoked_card_refused_even_when_checked_in),
        cmocka_unit_test(test_inactive_volunteer_refused),
        cmocka_unit_test(test_inactive_volunteer_checked_in_still_checks_out),
        cmocka_unit_test(test_missing_confidentiality_checks_in_with_notice_by_default),
        cmocka_unit_test(test_expired_police_certificate_gives_notice),
        cmocka_unit_test(test_compliance_refuse_policy_refuses_check_in),
        cmocka_unit_test(test_compliance_never_blocks_check_out),
        cmocka_unit_test(test_deadline_is_end_of_day),
        cmocka_unit_test(test_deadline_is_max_length_when_sooner),
        cmocka_unit_test(test_deadline_after_day_end_is_next_day_or_max),
        cmocka_unit_test(test_deadline_across_summer_time_change),
        cmocka_unit_test(test_credit_none_fixed_scheduled),
        cmocka_unit_test(test_credit_never_past_deadline_nor_before_start),
        cmocka_unit_test(test_milestones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
