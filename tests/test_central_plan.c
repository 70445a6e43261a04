/* A weekly plan's expansion into dated occurrences (sync/central/plan.c):
 * the right weekdays only, both ends included, a summer-time change moves
 * no day, and a bad weekday or too long a span is an error naming it. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

struct dates {
    char list[64][CENTRAL_DATE_LEN + 1];
    size_t count;
};

static int keep(void *ctx, const struct central_activity *a)
{
    struct dates *d = ctx;
    assert_true(d->count < 64);
    assert_string_equal(a->date, a->plan_date);
    snprintf(d->list[d->count++], CENTRAL_DATE_LEN + 1, "%s", a->date);
    return 0;
}

static struct central_plan plan_of(const char *days, const char *from, const char *until)
{
    struct central_plan p;
    memset(&p, 0, sizeof p);
    char err[256];
    assert_int_equal(central_plan_weekdays(days, &p.weekdays, err, sizeof err), 0);
    snprintf(p.id, sizeof p.id, "01a2371d-3a55-7c52-84aa-a63d34b70516");
    snprintf(p.site, sizeof p.site, "solsiden");
    snprintf(p.title, sizeof p.title, "Sangstund");
    snprintf(p.start, sizeof p.start, "11:00");
    snprintf(p.end, sizeof p.end, "12:00");
    snprintf(p.from, sizeof p.from, "%s", from);
    snprintf(p.until, sizeof p.until, "%s", until);
    assert_int_equal(central_plan_check(&p, err, sizeof err), 0);
    return p;
}

static void test_weekly_plan_gives_only_its_weekdays_with_both_ends_included(void **state)
{
    (void)state;
    struct central_plan p = plan_of("tir,tor", "2026-12-01", "2026-12-10");
    struct dates d = {0};
    assert_int_equal(central_plan_expand(&p, keep, &d), 0);
    assert_int_equal(d.count, 4);
    assert_string_equal(d.list[0], "2026-12-01");
    assert_string_equal(d.list[1], "2026-12-03");
    assert_string_equal(d.list[2], "2026-12-08");
    assert_string_equal(d.list[3], "2026-12-10");
}

static void test_summer_time_changes_move_no_sunday(void **state)
{
    (void)state;
    /* Europe/Oslo leaves summer time on Sunday 25 October 2026 and enters
     * it on Sunday 29 March 2026. */
    struct central_plan p = plan_of("sunday", "2026-10-18", "2026-11-01");
    struct dates d = {0};
    assert_int_equal(central_plan_expand(&p, keep, &d), 0);
    assert_int_equal(d.count, 3);
    assert_string_equal(d.list[1], "2026-10-25");
    assert_string_equal(d.list[2], "2026-11-01");
    p = plan_of("søn", "2026-03-28", "2026-03-30");
    d.count = 0;
    assert_int_equal(central_plan_expand(&p, keep, &d), 0);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.list[0], "2026-03-29");
}

static void test_bad_weekday_and_long_span_are_errors_naming_them(void **state)
{
    (void)state;
    char err[256];
    int days;
    assert_int_equal(central_plan_weekdays("tue,tusday", &days, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "\"tusday\""));
    struct central_plan p = plan_of("tue", "2026-01-01", "2026-01-31");
    snprintf(p.until, sizeof p.until, "2028-01-01");
    assert_int_equal(central_plan_check(&p, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "2028-01-01"));
    snprintf(p.until, sizeof p.until, "2026-01-31");
    snprintf(p.end, sizeof p.end, "11:00");
    assert_int_equal(central_plan_check(&p, err, sizeof err), -EINVAL);
    /* A night watch ends the next day: allowed. */
    snprintf(p.start, sizeof p.start, "22:00");
    snprintf(p.end, sizeof p.end, "07:00");
    assert_int_equal(central_plan_check(&p, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekly_plan_gives_only_its_weekdays_with_both_ends_included),
        cmocka_unit_test(test_summer_time_changes_move_no_sunday),
        cmocka_unit_test(test_bad_weekday_and_long_span_are_errors_naming_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
