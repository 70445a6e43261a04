/* A volunteer's data on request (GDPR) at the central: `volunteer export`
 * gives their roster row, cards and events of every site and nobody
 * else's; `volunteer forget --yes` erases them in one go and the reports
 * drop by exactly their hours, leaving everyone else's as they were. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "central_fixture.h"
#include "report.h"

#define HOUR_US    (INT64_C(3600) * 1000000)
#define OUTPUT_MAX 65536
#define FORGOTTEN  "anna"
#define KEPT       "bjorn"

/* Runs `tilstede-central volunteer VERB ID [--yes]` on the fixture's
 * database as the program does, with input as its stdin; returns the exit
 * status, stdout in out. */
static int admin_input(const struct fixture *f, char *out, size_t cap, int yes, const char *verb,
                       const char *id, const char *input)
{
    char *words[] = {"volunteer", (char *)verb, (char *)id};
    FILE *stdin_file = tmpfile(), *stdout_file = tmpfile(), *stderr_file = tmpfile();
    assert_non_null(stdin_file);
    assert_non_null(stdout_file);
    assert_non_null(stderr_file);
    fputs(input, stdin_file);
    rewind(stdin_file);
    struct central_admin_args args = {
        .words = words, .word_count = 3, .db = f->db, .yes = yes, .in = stdin_file};
    int status = central_admin_run(&args, stdout_file, stderr_file);
    fclose(stdin_file);
    rewind(stdout_file);
    size_t len = fread(out, 1, cap - 1, stdout_file);
    out[len] = '\0';
    fclose(stdout_file);
    fclose(stderr_file);
    return status;
}

static int admin(const struct fixture *f, char *out, size_t cap, int yes, const char *verb,
                 const char *id)
{
    return admin_input(f, out, cap, yes, verb, id, "");
}

static void ingest(const struct fixture *f, int64_t device, const char *site, struct event *events,
                   size_t count)
{
    struct central_device dev = {.id = device};
    snprintf(dev.site, sizeof dev.site, "%s", site);
    enum central_ingest_result results[8];
    assert_true(count <= 8);
    for (size_t i = 0; i < count; i++)
        snprintf(events[i].site, sizeof events[i].site, "%s", site);
    char err[256] = "";
    assert_int_equal(central_store_ingest(f->store, &dev, events, count, results, err, sizeof err),
                     0);
}

/* A closed visit: check-in at start, check-out hours later. */
static void visit(struct event pair[2], const char *volunteer, const char *start, double hours)
{
    int64_t at = fixture_utc(start);
    fixture_event(&pair[0], EVENT_CHECKIN, volunteer, at);
    fixture_event(&pair[1], EVENT_CHECKOUT, volunteer, at + (int64_t)(hours * HOUR_US));
}

struct totals {
    int64_t all, site_a, forgotten, kept;
};

static struct totals report(const struct fixture *f)
{
    struct totals t = {0};
    struct central_report *r = NULL;
    char err[256] = "";
    assert_int_equal(central_report_run(f->store, "2026-01-01", "2026-12-31", CENTRAL_BY_SITE,
                                        CENTRAL_HOURS_PER_ARSVERK_DEFAULT, &r, err, sizeof err),
                     0);
    t.all = r->total.seconds; /* from the daily totals the triggers keep */
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->rows[i].key, FIXTURE_SITE_A) == 0)
            t.site_a = r->rows[i].seconds;
    central_report_free(r);
    assert_int_equal(central_report_run(f->store, "2026-01-01", "2026-12-31", CENTRAL_BY_VOLUNTEER,
                                        CENTRAL_HOURS_PER_ARSVERK_DEFAULT, &r, err, sizeof err),
                     0);
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->rows[i].key, FORGOTTEN) == 0)
            t.forgotten = r->rows[i].seconds;
        if (strcmp(r->rows[i].key, KEPT) == 0)
            t.kept = r->rows[i].seconds;
    }
    central_report_free(r);
    return t;
}

static void test_export_has_only_their_data_and_forget_drops_exactly_their_hours(void **state)
{
    struct fixture *f = *state;
    static char out[OUTPUT_MAX];
    struct central_volunteer roster[2] = {0};
    snprintf(roster[0].external_id, sizeof roster[0].external_id, FORGOTTEN);
    snprintf(roster[0].given_name, sizeof roster[0].given_name, "Anna");
    snprintf(roster[0].family_name, sizeof roster[0].family_name, "Berg");
    roster[0].active = 1;
    snprintf(roster[1].external_id, sizeof roster[1].external_id, KEPT);
    snprintf(roster[1].given_name, sizeof roster[1].given_name, "Bjørn");
    snprintf(roster[1].family_name, sizeof roster[1].family_name, "Dahl");
    roster[1].active = 1;
    size_t changed = 0;
    char err[256] = "";
    assert_int_equal(central_store_roster_replace(f->store, roster, 2, &changed, err, sizeof err),
                     0);

    /* Both on the same day at site A (one daily total row shared), the
     * forgotten one also at site B, with a card. */
    struct event a[5], b[2], kept[2];
    visit(a, FORGOTTEN, "2026-03-02T09:00:00Z", 3);
    fixture_event(&a[2], EVENT_CARD_ENROLLED, FORGOTTEN, fixture_utc("2026-03-02T08:59:00Z"));
    a[2].source = SOURCE_STAFF;
    memset(a[2].card_hash, 'c', CARD_HASH_HEX);
    a[2].card_hash[CARD_HASH_HEX] = '\0';
    visit(kept, KEPT, "2026-03-02T10:00:00Z", 2);
    visit(b, FORGOTTEN, "2026-04-07T16:00:00Z", 1.5);
    ingest(f, f->device_a1, FIXTURE_SITE_A, a, 3);
    ingest(f, f->device_a2, FIXTURE_SITE_A, kept, 2);
    ingest(f, f->device_b1, FIXTURE_SITE_B, b, 2);

    struct totals before = report(f);
    const int64_t forgotten_s = (int64_t)(4.5 * 3600), kept_s = 2 * 3600;
    assert_int_equal(before.forgotten, forgotten_s);
    assert_int_equal(before.kept, kept_s);
    assert_int_equal(before.all, forgotten_s + kept_s);

    /* The export: their events at both sites, their card, their hours. */
    assert_int_equal(admin(f, out, sizeof out, 0, "export", FORGOTTEN), CENTRAL_EXIT_OK);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "external_id")), FORGOTTEN);
    json_t *row = json_object_get(doc, "roster");
    assert_string_equal(json_string_value(json_object_get(row, "family_name")), "Berg");
    json_t *cards = json_object_get(doc, "cards");
    assert_int_equal(json_array_size(cards), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cards, 0), "card_hash")),
                        a[2].card_hash);
    assert_true(json_is_false(json_object_get(json_array_get(cards, 0), "revoked")));
    assert_int_equal(json_integer_value(json_object_get(doc, "seconds")), forgotten_s);
    assert_int_equal(json_integer_value(json_object_get(doc, "visits")), 2);
    assert_true(json_real_value(json_object_get(doc, "hours")) == 4.5);
    json_t *events = json_object_get(doc, "events");
    assert_int_equal(json_array_size(events), 5);
    const struct event *theirs[] = {&a[0], &a[1], &a[2], &b[0], &b[1]};
    for (size_t i = 0; i < 5; i++) {
        int found = 0;
        for (size_t j = 0; j < json_array_size(events); j++) {
            json_t *ev = json_array_get(events, j);
            if (strcmp(json_string_value(json_object_get(ev, "event_id")), theirs[i]->event_id))
                continue;
            found = 1;
            assert_string_equal(json_string_value(json_object_get(ev, "site")), theirs[i]->site);
            assert_string_equal(json_string_value(json_object_get(ev, "kind")),
                                event_kind_name(theirs[i]->kind));
            assert_non_null(json_object_get(ev, "at"));
            assert_non_null(json_object_get(ev, "recorded_at"));
            assert_non_null(json_object_get(ev, "source"));
            assert_true(json_is_true(json_object_get(ev, "clock_synced")));
        }
        assert_true(found);
    }
    assert_null(strstr(out, kept[0].event_id));
    assert_null(strstr(out, kept[1].event_id));
    json_decref(doc);

    /* Without --yes nothing happens. */
    assert_int_equal(admin(f, out, sizeof out, 0, "forget", FORGOTTEN), CENTRAL_EXIT_USAGE);
    assert_int_equal(report(f).all, before.all);

    assert_int_equal(admin(f, out, sizeof out, 1, "forget", FORGOTTEN), CENTRAL_EXIT_OK);
    assert_non_null(strstr(out, "5 events"));
    assert_non_null(strstr(out, "tilstedectl forget"));
    assert_non_null(strstr(out, "roster import"));

    struct totals after = report(f);
    assert_int_equal(after.all, before.all - forgotten_s);
    assert_int_equal(after.site_a, kept_s); /* the shared daily row keeps only the other's */
    assert_int_equal(after.kept, kept_s);
    assert_int_equal(after.forgotten, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event WHERE volunteer = 'anna'"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit WHERE volunteer = 'anna'"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM card WHERE volunteer = 'anna'"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE external_id = 'anna'"),
                     0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event WHERE volunteer = 'bjorn'"), 2);

    assert_int_equal(admin(f, out, sizeof out, 0, "export", FORGOTTEN), CENTRAL_EXIT_NOT_FOUND);
    assert_int_equal(admin(f, out, sizeof out, 1, "forget", FORGOTTEN), CENTRAL_EXIT_NOT_FOUND);
    assert_int_equal(admin(f, out, sizeof out, 0, "export", KEPT), CENTRAL_EXIT_OK);
}

/* With "-" the id comes from stdin: a command line goes to the journal
 * when run with sudo, and the id is personal data. An id that does not fit
 * is refused, never cut to a prefix that could be someone else's. */
static void test_the_id_can_come_from_stdin_and_is_never_cut_short(void **state)
{
    struct fixture *f = *state;
    static char out[OUTPUT_MAX];
    struct event visit_pair[2];
    visit(visit_pair, FORGOTTEN, "2026-03-02T09:00:00Z", 2);
    ingest(f, f->device_a1, FIXTURE_SITE_A, visit_pair, 2);

    assert_int_equal(admin_input(f, out, sizeof out, 0, "export", "-", FORGOTTEN "\r\n"),
                     CENTRAL_EXIT_OK);
    assert_non_null(strstr(out, visit_pair[0].event_id));
    assert_int_equal(admin_input(f, out, sizeof out, 0, "export", "-", ""), CENTRAL_EXIT_USAGE);
    assert_int_equal(admin_input(f, out, sizeof out, 0, "export", "-", "\n" FORGOTTEN "\n"),
                     CENTRAL_EXIT_USAGE);
    char long_id[EVENT_KEY_MAX + 8];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(admin_input(f, out, sizeof out, 1, "forget", "-", long_id),
                     CENTRAL_EXIT_USAGE);
    assert_int_equal(admin(f, out, sizeof out, 1, "forget", long_id), CENTRAL_EXIT_USAGE);
    assert_int_equal(admin_input(f, out, sizeof out, 1, "forget", "-", FORGOTTEN "\n"),
                     CENTRAL_EXIT_OK);
    assert_int_equal(admin(f, out, sizeof out, 0, "export", FORGOTTEN), CENTRAL_EXIT_NOT_FOUND);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_export_has_only_their_data_and_forget_drops_exactly_their_hours, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_the_id_can_come_from_stdin_and_is_never_cut_short,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
