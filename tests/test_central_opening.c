/* A site's opening hours and the silent-kiosk rule (sync/central/opening.c,
 * issue 13, 4): silence is counted in opening time only, a night opening
 * passes midnight, a summer-time change counts the hour the clock skips
 * as gone, and a kiosk never heard from is silent. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "opening.h"
#include "plan.h"
#include "testutil.h"

#define DAY_S  (24 * 3600)
#define HOUR_S 3600

/* Seconds since the epoch of an Oslo wall-clock time "YYYY-MM-DD HH:MM". */
static int64_t oslo(const char *text)
{
    struct tm tm = {0};
    assert_int_equal(sscanf(text, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min),
                     5);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static struct central_opening hours_of(const char *days, const char *start, const char *end)
{
    struct central_opening hours;
    memset(&hours, 0, sizeof hours);
    char err[128];
    assert_int_equal(central_plan_weekdays(days, &hours.weekdays, err, sizeof err), 0);
    snprintf(hours.start, sizeof hours.start, "%s", start);
    snprintf(hours.end, sizeof hours.end, "%s", end);
    return hours;
}

static void test_a_closed_weekend_does_not_make_a_day_centres_kiosk_silent(void **state)
{
    (void)state;
    struct central_opening weekdays = hours_of("mon,tue,wed,thu,fri", "08:00", "16:00");
    /* Friday 4 December 16.00 to Monday 7 December 09.00: one open hour. */
    int64_t friday = oslo("2026-12-04 16:00"), monday = oslo("2026-12-07 09:00");
    assert_int_equal(central_opening_seconds(&weekdays, friday, monday), HOUR_S);
    assert_false(central_opening_silent(&weekdays, friday, monday, DAY_S));
    /* A nursing home (no hours: always open) counts all 65 hours. */
    assert_int_equal(central_opening_seconds(NULL, friday, monday), 65 * HOUR_S);
    assert_true(central_opening_silent(NULL, friday, monday, DAY_S));
    /* Monday 09.00 to Thursday 10.00: 7 + 8 + 8 + 2 = 25 open hours. */
    int64_t thursday = oslo("2026-12-10 10:00");
    assert_int_equal(central_opening_seconds(&weekdays, monday, thursday), 25 * HOUR_S);
    assert_true(central_opening_silent(&weekdays, monday, thursday, DAY_S));
}

static void test_night_opening_passes_midnight_and_summer_time_skips_an_hour(void **state)
{
    (void)state;
    /* A night watch service open Saturday 22.00 to Sunday 07.00. */
    struct central_opening nights = hours_of("sat", "22:00", "07:00");
    assert_int_equal(
        central_opening_seconds(&nights, oslo("2026-12-05 21:00"), oslo("2026-12-06 08:00")),
        9 * HOUR_S);
    /* Only from Saturday: Sunday 22.00 is closed. */
    assert_int_equal(
        central_opening_seconds(&nights, oslo("2026-12-06 21:00"), oslo("2026-12-07 08:00")), 0);
    /* The night summer time begins (28 March 2027) has 8 hours. */
    assert_int_equal(
        central_opening_seconds(&nights, oslo("2027-03-27 21:00"), oslo("2027-03-28 08:00")),
        8 * HOUR_S);
    /* Open the whole day (equal times): Saturday noon to Sunday noon then
     * is 23 hours. */
    struct central_opening always = hours_of("mon,tue,wed,thu,fri,sat,sun", "00:00", "00:00");
    assert_int_equal(
        central_opening_seconds(&always, oslo("2027-03-27 12:00"), oslo("2027-03-28 12:00")),
        23 * HOUR_S);
}

static void test_a_kiosk_never_heard_from_is_silent(void **state)
{
    (void)state;
    struct central_opening weekdays = hours_of("mon,tue,wed,thu,fri", "08:00", "16:00");
    assert_true(central_opening_silent(&weekdays, 0, oslo("2026-12-07 09:00"), DAY_S));
    assert_false(central_opening_silent(&weekdays, oslo("2026-12-07 08:30"),
                                        oslo("2026-12-07 09:00"), DAY_S));
}

int main(void)
{
    test_use_oslo_time();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_closed_weekend_does_not_make_a_day_centres_kiosk_silent),
        cmocka_unit_test(test_night_opening_passes_midnight_and_summer_time_skips_an_hour),
        cmocka_unit_test(test_a_kiosk_never_heard_from_is_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
