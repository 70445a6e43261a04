/* The coordinator's workbook: the reports written as .xlsx with
 * libxlsxwriter and read back with openpyxl (tests/xlsx_readback.py), which
 * checks every cell against the same report's JSON: numbers stored as
 * numbers with a format, the headings frozen, a sheet per grouping, names
 * with æ, ø, å whole, and a roster name that looks like a formula kept as
 * text. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "central_fixture.h"
#include "report.h"
#include "xlsx.h"

/* Debian's python3, which has python3-openpyxl, whatever else is first on
 * the PATH. */
#ifndef TEST_PYTHON
#define TEST_PYTHON "/usr/bin/python3"
#endif
#ifndef XLSX_READBACK
#error "XLSX_READBACK must name tests/xlsx_readback.py"
#endif

#define HOUR_US (INT64_C(3600) * 1000000)
#define DAY_US  (24 * HOUR_US)

static void add_roster(struct fixture *f)
{
    static const char *const names[][3] = {
        {"F-1", "Åse", "Øvrebø-Ødegård"},
        {"F-2", "Marie-Louise", "Kristoffersen-Bjørnstad"},
        {"F-3", "=HYPERLINK(\"http://x\")", "Formel"},
        {"F-4", "Per Ivar", "Ærlig"},
    };
    struct central_volunteer volunteers[4];
    memset(volunteers, 0, sizeof volunteers);
    for (int i = 0; i < 4; i++) {
        snprintf(volunteers[i].external_id, sizeof volunteers[i].external_id, "%s", names[i][0]);
        snprintf(volunteers[i].given_name, sizeof volunteers[i].given_name, "%s", names[i][1]);
        snprintf(volunteers[i].family_name, sizeof volunteers[i].family_name, "%s", names[i][2]);
        volunteers[i].active = 1;
    }
    size_t changed = 0;
    char err[256];
    assert_int_equal(
        central_store_roster_replace(f->store, volunteers, 4, &changed, err, sizeof err), 0);
}

/* A seeded year of visits at both sites, with odd seconds so the hours
 * have decimals. */
static void send_year(struct fixture *f)
{
    srand(20261202);
    int64_t year = fixture_utc("2026-01-01T07:00:00Z");
    const char *tokens[2] = {f->token_a1, f->token_b1};
    for (int site = 0; site < 2; site++) {
        struct event events[400];
        size_t count = 0;
        for (int day = site; day < 365 && count + 2 <= 400; day += 3 + rand() % 5) {
            char volunteer[8];
            snprintf(volunteer, sizeof volunteer, "F-%d", 1 + rand() % 4);
            int64_t start = year + day * DAY_US + (int64_t)(rand() % 36000) * 1000000;
            int64_t end = start + (int64_t)(900 + rand() % 14000) * 1000000 + rand() % 1000000;
            fixture_event(&events[count++], EVENT_CHECKIN, volunteer, start);
            fixture_event(&events[count++], EVENT_CHECKOUT, volunteer, end);
        }
        struct reply reply;
        assert_int_equal(fixture_post_events(f, tokens[site], events, count, &reply), 0);
        assert_int_equal(reply.status, 200);
        reply_free(&reply);
    }
}

static int run_readback(const char *book, char **json_paths, size_t count)
{
    char command[4096];
    int len = snprintf(command, sizeof command, "%s '%s' '%s'", TEST_PYTHON, XLSX_READBACK, book);
    for (size_t i = 0; i < count; i++)
        len += snprintf(command + len, sizeof command - (size_t)len, " '%s'", json_paths[i]);
    int status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_json(const struct central_report *report, const char *path)
{
    struct central_buf buf;
    central_buf_init(&buf, 64u << 20);
    assert_int_equal(central_report_json(report, &buf), 0);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(buf.data, 1, buf.len, file), buf.len);
    fclose(file);
    central_buf_free(&buf);
}

static void test_every_cell_of_the_workbook_equals_the_report(void **state)
{
    struct fixture *f = *state;
    add_roster(f);
    send_year(f);
    static const enum central_report_by groupings[] = {
        CENTRAL_BY_KIND,  CENTRAL_BY_SITE,      CENTRAL_BY_ACTIVITY,
        CENTRAL_BY_MONTH, CENTRAL_BY_VOLUNTEER,
    };
    enum { SHEETS = sizeof groupings / sizeof groupings[0] };
    struct central_report *reports[SHEETS];
    char paths[SHEETS][400];
    char *path_list[SHEETS];
    char err[512];
    for (size_t i = 0; i < SHEETS; i++) {
        assert_int_equal(central_report_run(f->store, "2026-01-01", "2026-12-31", groupings[i],
                                            CENTRAL_HOURS_PER_ARSVERK_DEFAULT, &reports[i], err,
                                            sizeof err),
                         0);
        snprintf(paths[i], sizeof paths[i], "%s/report-%zu.json", f->dir, i);
        write_json(reports[i], paths[i]);
        path_list[i] = paths[i];
    }
    assert_true(reports[4]->count == 4); /* every volunteer came */
    char book[400];
    snprintf(book, sizeof book, "%s/timer.xlsx", f->dir);
    assert_int_equal(central_xlsx_write((const struct central_report *const *)reports, SHEETS, book,
                                        err, sizeof err),
                     0);
    assert_int_equal(run_readback(book, path_list, SHEETS), 0);

    /* The read-back can fail: a report that does not match is caught. */
    reports[1]->rows[0].seconds += 3600;
    write_json(reports[1], paths[1]);
    assert_int_equal(run_readback(book, path_list, SHEETS), 1);

    /* The download's bytes are the same workbook. */
    struct central_buf buf;
    central_buf_init(&buf, 64u << 20);
    assert_int_equal(
        central_xlsx_buf((const struct central_report *const *)reports, 1, &buf, err, sizeof err),
        0);
    assert_true(buf.len > 1000);
    assert_memory_equal(buf.data, "PK\x03\x04", 4); /* a zip, as every .xlsx is */
    central_buf_free(&buf);
    for (size_t i = 0; i < SHEETS; i++)
        central_report_free(reports[i]);
}

static void test_a_workbook_that_cannot_be_written_says_where_and_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct central_report *report = NULL;
    char err[512];
    assert_int_equal(central_report_run(f->store, "2026-01-01", "2026-12-31", CENTRAL_BY_SITE,
                                        CENTRAL_HOURS_PER_ARSVERK_DEFAULT, &report, err,
                                        sizeof err),
                     0);
    char book[400];
    snprintf(book, sizeof book, "%s/no-such-dir/timer.xlsx", f->dir);
    const struct central_report *list[] = {report};
    assert_true(central_xlsx_write(list, 1, book, err, sizeof err) < 0);
    assert_non_null(strstr(err, "no-such-dir"));
    struct stat st;
    assert_int_not_equal(stat(book, &st), 0);
    central_report_free(report);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_cell_of_the_workbook_equals_the_report,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_workbook_that_cannot_be_written_says_where_and_leaves_nothing, fixture_setup,
            fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
