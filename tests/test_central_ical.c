/* A service's calendar imported into weekly plans (sync/central/ical.c,
 * issue 13, 3): an Outlook export with an EXDATE and a moved occurrence
 * (RECURRENCE-ID), a week where summer time begins with Oslo, UTC and
 * floating times and a night watch, a second import that changes nothing,
 * a changed file that updates by UID and cancels what was removed, and
 * the rules a weekly plan cannot hold refused by line and UID. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ical.h"
#include "store.h"
#include "testutil.h"

#define OUTLOOK ICAL_DATA_DIR "/aktiviteter-outlook.ics"
#define TIMES   ICAL_DATA_DIR "/aktiviteter-tider.ics"
#define SANGSTUND_UID                                                                              \
    "040000008200E00074C5B7101A82E00800000000B0C3A1D2E5F6DA01000000000000000"                      \
    "010000000A1B2C3D4E5F60718293A4B5C6D7E8F90"

struct fixture {
    char dir[256], db[300];
    struct central_store *store;
    struct central_ical_result result;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    test_tmpdir(f->dir, sizeof f->dir, "central-ical");
    snprintf(f->db, sizeof f->db, "%s/central.db", f->dir);
    char err[256];
    assert_int_equal(central_store_open(f->db, &f->store, err, sizeof err), 0);
    struct central_site site = {"solsiden", "Solsiden helsehus", "helsehus"};
    assert_int_equal(central_store_site_add(f->store, &site, err, sizeof err), 0);
    struct central_site other = {"lilleby", "Lilleby sykehjem", "sykehjem"};
    assert_int_equal(central_store_site_add(f->store, &other, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    central_store_close(f->store);
    free(f);
    return 0;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char *text = malloc(CENTRAL_ICAL_FILE_MAX + 2);
    *len = fread(text, 1, CENTRAL_ICAL_FILE_MAX + 1, file);
    fclose(file);
    text[*len] = '\0';
    return text;
}

static int import_text(struct fixture *f, const char *site, const char *text, size_t len,
                       const char *today, char *err, size_t errlen)
{
    return central_ical_import(f->store, site, "test.ics", text, len, today, &f->result, err,
                               errlen);
}

static void import_file(struct fixture *f, const char *site, const char *path, const char *today)
{
    size_t len;
    char *text = read_all(path, &len);
    char err[512] = "";
    int rc = import_text(f, site, text, len, today, err, sizeof err);
    if (rc)
        fail_msg("import %s: %s", path, err);
    free(text);
}

struct day_list {
    struct central_activity rows[512];
    size_t count;
};

static int keep_row(void *ctx, const struct central_activity *a)
{
    struct day_list *list = ctx;
    assert_true(list->count < 512);
    list->rows[list->count++] = *a;
    return 0;
}

static struct day_list *activities(struct fixture *f, const char *site, const char *from,
                                   const char *to)
{
    static struct day_list list;
    list.count = 0;
    char err[256];
    assert_int_equal(
        central_store_activities(f->store, site, from, to, keep_row, &list, err, sizeof err), 0);
    return &list;
}

/* The one activity titled `title` on date (NULL when there is none). */
static const struct central_activity *on(struct fixture *f, const char *date, const char *title)
{
    struct day_list *list = activities(f, "solsiden", date, date);
    const struct central_activity *found = NULL;
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->rows[i].title, title)) {
            assert_null(found);
            found = &list->rows[i];
        }
    return found;
}

static void assert_at(struct fixture *f, const char *date, const char *title, const char *start,
                      const char *end)
{
    const struct central_activity *a = on(f, date, title);
    if (!a)
        fail_msg("no %s on %s", title, date);
    assert_false(a->cancelled);
    assert_string_equal(a->start, start);
    assert_string_equal(a->end, end);
}

static void test_outlook_export_gives_weekly_plans_with_exdate_and_moved_occurrence(void **state)
{
    struct fixture *f = *state;
    import_file(f, "solsiden", OUTLOOK, "2026-12-02");
    assert_int_equal(f->result.events, 5);
    assert_int_equal(f->result.imported, 3);
    assert_int_equal(f->result.counts.added, 3);
    assert_int_equal(f->result.past, 1);
    assert_int_equal(f->result.refused, 1);
    /* Sangstund every Tuesday 11.00-12.00, from today on. */
    assert_null(on(f, "2026-12-01", "Sangstund"));
    assert_at(f, "2026-12-08", "Sangstund", "11:00", "12:00");
    assert_null(on(f, "2026-12-09", "Sangstund"));
    /* EXDATE: cancelled, still there for the kiosks to drop. */
    assert_true(on(f, "2026-12-29", "Sangstund")->cancelled);
    /* RECURRENCE-ID: Tuesday 5 January moved to Wednesday 13.00-14.00. */
    assert_null(on(f, "2027-01-05", "Sangstund"));
    const struct central_activity *moved = on(f, "2027-01-06", "Sangstund");
    assert_non_null(moved);
    assert_string_equal(moved->plan_date, "2027-01-05");
    assert_string_equal(moved->start, "13:00");
    /* Summer time from 28 March 2027: still 11.00 by Oslo's clock; the
     * EXDATE after it (30 March) cancelled; UNTIL 29 June included. */
    assert_at(f, "2027-03-23", "Sangstund", "11:00", "12:00");
    assert_true(on(f, "2027-03-30", "Sangstund")->cancelled);
    assert_at(f, "2027-04-06", "Sangstund", "11:00", "12:00");
    assert_at(f, "2027-06-29", "Sangstund", "11:00", "12:00");
    assert_null(on(f, "2027-07-06", "Sangstund"));
    /* COUNT=12 on Monday, Wednesday and Friday from 2 December. */
    struct day_list *trim = activities(f, "solsiden", "2026-12-01", "2027-01-31");
    size_t trim_count = 0;
    for (size_t i = 0; i < trim->count; i++)
        trim_count += !strcmp(trim->rows[i].title, "Sterk og stødig");
    assert_int_equal(trim_count, 12);
    assert_at(f, "2026-12-28", "Sterk og stødig", "10:00", "10:45");
    assert_null(on(f, "2026-12-30", "Sterk og stødig"));
    /* A single event is a plan of one day. */
    assert_at(f, "2026-12-17", "Julekonsert med skolekoret", "18:00", "19:30");
    /* The monthly birthday party is refused, naming its RRULE's line and
     * UID; nothing of it is planned. */
    assert_non_null(strstr(f->result.report, "line 128: event UID 040000008200E00074C5B7101A82E"
                                             "00800000000F4071829304B5C6D"));
    assert_non_null(strstr(f->result.report, "\"Bursdagsfeiring\""));
    assert_non_null(strstr(f->result.report, "monthly"));
    assert_null(on(f, "2026-12-03", "Bursdagsfeiring"));
    assert_null(on(f, "2026-06-20", "Sommerfest"));
}

static void test_summer_time_week_keeps_oslo_clock_for_zoned_utc_floating_and_night(void **state)
{
    struct fixture *f = *state;
    import_file(f, "solsiden", TIMES, "2026-12-02");
    assert_int_equal(f->result.imported, 3);
    /* TZID=Europe/Oslo with its VTIMEZONE: the night watch on Saturday
     * 27 March (summer time begins at 02.00) ends at 07.00 like the rest. */
    assert_at(f, "2027-03-20", "Nattevakt", "22:00", "07:00");
    assert_at(f, "2027-03-27", "Nattevakt", "22:00", "07:00");
    assert_at(f, "2027-04-03", "Nattevakt", "22:00", "07:00");
    /* UTC 13.00 is 14.00 in Oslo in winter, 15.00 in summer. */
    assert_at(f, "2027-03-18", "Kaffekos", "14:00", "15:00");
    assert_at(f, "2027-03-25", "Kaffekos", "14:00", "15:00");
    assert_at(f, "2027-04-01", "Kaffekos", "15:00", "16:00");
    /* A floating time is Oslo's clock on both sides of the change. */
    assert_at(f, "2027-03-22", "Lesestund", "15:00", "16:00");
    assert_at(f, "2027-03-29", "Lesestund", "15:00", "16:00");
    /* Every other week is refused by its RRULE's line and UID. */
    assert_int_equal(f->result.refused, 1);
    assert_non_null(strstr(f->result.report, "line 53: event UID annenhver-uke@solsiden.example"));
    assert_non_null(strstr(f->result.report, "INTERVAL=2"));
    assert_null(on(f, "2027-03-23", "Fotpleie"));
}

static size_t count_plans_cb_count;
static int count_plan(void *ctx, const struct central_plan *plan)
{
    (void)ctx, (void)plan;
    count_plans_cb_count++;
    return 0;
}

static size_t plan_count(struct fixture *f)
{
    char err[256];
    count_plans_cb_count = 0;
    assert_int_equal(central_store_plans(f->store, "solsiden", count_plan, NULL, err, sizeof err),
                     0);
    return count_plans_cb_count;
}

/* Replaces the first `from` in text with `to` (same buffer, room for it). */
static void replace(char *text, size_t *len, const char *from, const char *to)
{
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t from_len = strlen(from), to_len = strlen(to);
    memmove(at + to_len, at + from_len, strlen(at + from_len) + 1);
    memcpy(at, to, to_len);
    *len = strlen(text);
}

static void test_second_import_changes_nothing_and_a_changed_file_updates_by_uid(void **state)
{
    struct fixture *f = *state;
    import_file(f, "solsiden", OUTLOOK, "2026-12-02");
    size_t plans = plan_count(f);
    size_t rows = activities(f, "solsiden", "2026-01-01", "2027-12-31")->count;
    import_file(f, "solsiden", OUTLOOK, "2026-12-02");
    assert_int_equal(f->result.counts.added, 0);
    assert_int_equal(f->result.counts.updated, 0);
    assert_int_equal(f->result.counts.changed, 0);
    assert_int_equal(plan_count(f), plans);
    assert_int_equal(activities(f, "solsiden", "2026-01-01", "2027-12-31")->count, rows);

    /* A week later: Sangstund now 11.30-12.30, the exercise group gone
     * from the file, the Christmas concert unchanged. */
    size_t len;
    char *text = read_all(OUTLOOK, &len);
    text = realloc(text, len + 64);
    replace(text, &len, "20261201T120000", "20261201T123000");
    replace(text, &len, "20261201T110000", "20261201T113000");
    char *trim = strstr(text, "SUMMARY;LANGUAGE=nb:Sterk og stødig");
    char *begin = trim, *end = strstr(trim, "END:VEVENT\r\n") + strlen("END:VEVENT\r\n");
    while (strncmp(begin, "BEGIN:VEVENT", 12) != 0)
        begin--;
    memmove(begin, end, strlen(end) + 1);
    len = strlen(text);
    char err[512];
    assert_int_equal(import_text(f, "solsiden", text, len, "2026-12-09", err, sizeof err), 0);
    free(text);
    assert_int_equal(f->result.counts.added, 0);
    assert_int_equal(f->result.counts.updated, 1);
    assert_int_equal(f->result.counts.removed, 1);
    assert_int_equal(plan_count(f), plans);
    /* Before the second import's day: as the first import left it. */
    assert_at(f, "2026-12-08", "Sangstund", "11:00", "12:00");
    assert_at(f, "2026-12-04", "Sterk og stødig", "10:00", "10:45");
    /* From it on: the new times; the removed group cancelled, kept. */
    assert_at(f, "2026-12-15", "Sangstund", "11:30", "12:30");
    assert_at(f, "2027-01-06", "Sangstund", "13:00", "14:00");
    assert_true(on(f, "2026-12-09", "Sterk og stødig")->cancelled);
    assert_true(on(f, "2026-12-28", "Sterk og stødig")->cancelled);
    assert_at(f, "2026-12-17", "Julekonsert med skolekoret", "18:00", "19:30");
}

static void test_the_same_uid_for_another_site_is_refused(void **state)
{
    struct fixture *f = *state;
    import_file(f, "solsiden", TIMES, "2026-12-02");
    size_t len;
    char *text = read_all(TIMES, &len);
    char err[512] = "";
    assert_int_equal(import_text(f, "lilleby", text, len, "2026-12-02", err, sizeof err), -EEXIST);
    assert_non_null(strstr(err, "was imported for site \"solsiden\""));
    assert_int_equal(activities(f, "lilleby", "2026-01-01", "2027-12-31")->count, 0);
    free(text);
}

static const char all_day[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//NB\r\n"
    "BEGIN:VEVENT\r\nUID:julaften@solsiden.example\r\nDTSTAMP:20261125T093000Z\r\n"
    "DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225\r\nSUMMARY:Julaften\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:gudstjeneste@solsiden.example\r\nDTSTAMP:20261125T093000Z\r\n"
    "DTSTART;TZID=Europe/Oslo:20261213T110000\r\nDTEND;TZID=Europe/Oslo:20261213T120000\r\n"
    "SUMMARY:Gudstjeneste\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static void test_bad_files_are_refused_and_change_nothing(void **state)
{
    struct fixture *f = *state;
    char err[512] = "";
    /* An all-day event: refused by line and UID; the other is imported
     * (Europe/Oslo without a VTIMEZONE: libical knows the zone). */
    assert_int_equal(
        import_text(f, "solsiden", all_day, strlen(all_day), "2026-12-02", err, sizeof err), 0);
    assert_non_null(strstr(f->result.report, "line 4: event UID julaften@solsiden.example"));
    assert_non_null(strstr(f->result.report, "all day"));
    assert_at(f, "2026-12-13", "Gudstjeneste", "11:00", "12:00");
    size_t rows = activities(f, "solsiden", "2026-01-01", "2027-12-31")->count;

    /* Over the size limit: an error naming it; nothing changes. */
    size_t big = CENTRAL_ICAL_FILE_MAX + 1;
    char *text = malloc(big + 1);
    memset(text, 'x', big);
    text[big] = '\0';
    memcpy(text, all_day, strlen(all_day));
    assert_int_equal(import_text(f, "solsiden", text, big, "2026-12-02", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "a calendar file may be at most 2097152 bytes"));
    free(text);
    /* Not a calendar at all, and a calendar without events: nothing is
     * taken as "every event removed". */
    const char *csv = "navn;dato\r\nSangstund;2026-12-08\r\n";
    assert_int_equal(import_text(f, "solsiden", csv, strlen(csv), "2026-12-02", err, sizeof err),
                     -EINVAL);
    assert_non_null(strstr(err, "not an iCalendar file"));
    const char *empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    assert_int_equal(
        import_text(f, "solsiden", empty, strlen(empty), "2026-12-02", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "holds no events"));
    assert_int_equal(activities(f, "solsiden", "2026-01-01", "2027-12-31")->count, rows);
    assert_false(on(f, "2026-12-13", "Gudstjeneste")->cancelled);
}

/* The command as the program runs it: exit 1 and the refused event on
 * stderr, the rest imported; a second run the same. */
static void test_import_command_reports_refused_events_and_exits_1(void **state)
{
    struct fixture *f = *state;
    char out_path[300], err_path[300];
    snprintf(out_path, sizeof out_path, "%s/out.txt", f->dir);
    snprintf(err_path, sizeof err_path, "%s/err.txt", f->dir);
    char *words[] = {"activity", "import", "solsiden", OUTLOOK};
    struct central_admin_args args = {
        .words = words, .word_count = 4, .db = f->db, .on = "2026-12-02"};
    FILE *out = fopen(out_path, "w"), *errout = fopen(err_path, "w");
    assert_int_equal(central_admin_run(&args, out, errout), CENTRAL_EXIT_FAILURE);
    fclose(out);
    fclose(errout);
    size_t len;
    char *printed = read_all(out_path, &len);
    assert_non_null(strstr(printed, "5 events: 3 imported (3 added, 0 changed)"));
    free(printed);
    printed = read_all(err_path, &len);
    assert_non_null(strstr(printed, "line 128: event UID"));
    assert_non_null(strstr(printed, "1 of the events were not imported"));
    free(printed);
    assert_at(f, "2026-12-17", "Julekonsert med skolekoret", "18:00", "19:30");
}

int main(void)
{
    test_use_oslo_time();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_outlook_export_gives_weekly_plans_with_exdate_and_moved_occurrence, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_summer_time_week_keeps_oslo_clock_for_zoned_utc_floating_and_night, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_second_import_changes_nothing_and_a_changed_file_updates_by_uid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_same_uid_for_another_site_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_are_refused_and_change_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_command_reports_refused_events_and_exits_1,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
