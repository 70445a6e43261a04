/* Reports: the hours tilstede-central reports equal the hours the test
 * computes on its own from the events it sent (check-outs, auto-closes,
 * corrections, local days across midnight), årsverk = hours / 1700, and the
 * CSV is what a Norwegian Excel opens as it is. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central_fixture.h"
#include "report.h"
#include "numfmt.h"

#define HOUR_US (INT64_C(3600) * 1000000)
#define DAY_US  (24 * HOUR_US)

/* ---- an independent model of the hours ---- */

struct model_visit {
    int site; /* 0: A (sykehjem), 1: B (aktivitetshus) */
    char volunteer[16];
    int64_t start, end; /* after corrections; end 0: still open */
};

struct model {
    struct event *events[2]; /* per site, in the order sent */
    size_t count[2], cap[2];
    struct model_visit *visits;
    size_t visit_count, visit_cap;
};

static struct event *model_add(struct model *m, int site, enum event_kind kind,
                               const char *volunteer, int64_t at)
{
    if (m->count[site] == m->cap[site]) {
        m->cap[site] = m->cap[site] ? m->cap[site] * 2 : 256;
        m->events[site] = realloc(m->events[site], m->cap[site] * sizeof(struct event));
    }
    struct event *ev = &m->events[site][m->count[site]++];
    fixture_event(ev, kind, volunteer, at);
    return ev;
}

enum ending { CHECKOUT, AUTOCLOSE, OPEN };
enum fix { NO_FIX, FIX_START, FIX_END };

/* One visit: its events into the site's stream, its true span into the model. */
static void visit(struct model *m, int site, const char *volunteer, int64_t start, int64_t end,
                  enum ending ending, enum fix fix, int64_t fixed_to)
{
    struct event *in = model_add(m, site, EVENT_CHECKIN, volunteer, start);
    char in_id[EVENT_ID_LEN + 1];
    strcpy(in_id, in->event_id);
    char out_id[EVENT_ID_LEN + 1] = "";
    if (ending != OPEN) {
        struct event *out = model_add(
            m, site, ending == CHECKOUT ? EVENT_CHECKOUT : EVENT_AUTOCLOSE, volunteer, end);
        strcpy(out_id, out->event_id);
    }
    if (fix != NO_FIX) {
        struct event *correction = model_add(m, site, EVENT_CORRECTION, volunteer, fixed_to);
        strcpy(correction->corrects, fix == FIX_START ? in_id : out_id);
        if (fix == FIX_START)
            start = fixed_to;
        else
            end = fixed_to;
    }
    if (m->visit_count == m->visit_cap) {
        m->visit_cap = m->visit_cap ? m->visit_cap * 2 : 256;
        m->visits = realloc(m->visits, m->visit_cap * sizeof *m->visits);
    }
    struct model_visit *v = &m->visits[m->visit_count++];
    v->site = site;
    snprintf(v->volunteer, sizeof v->volunteer, "%s", volunteer);
    v->start = start;
    v->end = ending == OPEN ? 0 : (end > start ? end : start);
}

static void model_free(struct model *m)
{
    free(m->events[0]);
    free(m->events[1]);
    free(m->visits);
}

/* The local (Oslo) date of a time, computed here with the C library. */
static void local_day(int64_t us, char out[11])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Expected seconds of visits in [from, to] matching the filter. */
static int64_t expected(const struct model *m, const char *from, const char *to, int site,
                        const char *month, const char *volunteer)
{
    int64_t total = 0;
    for (size_t i = 0; i < m->visit_count; i++) {
        const struct model_visit *v = &m->visits[i];
        char day[11];
        local_day(v->start, day);
        if (!v->end || strcmp(day, from) < 0 || strcmp(day, to) > 0)
            continue;
        if ((site >= 0 && v->site != site) || (month && strncmp(day, month, 7) != 0) ||
            (volunteer && strcmp(v->volunteer, volunteer) != 0))
            continue;
        total += (v->end - v->start) / 1000000;
    }
    return total;
}

static void send_all(struct fixture *f, const struct model *m)
{
    const char *tokens[2] = {f->token_a1, f->token_b1};
    for (int site = 0; site < 2; site++) {
        for (size_t at = 0; at < m->count[site]; at += 500) {
            size_t n = m->count[site] - at < 500 ? m->count[site] - at : 500;
            char *body = fixture_batch(m->events[site] + at, n);
            struct reply reply;
            assert_int_equal(
                fixture_request(f, "POST", "/v1/events", tokens[site], body, strlen(body), &reply),
                0);
            assert_int_equal(reply.status, 200);
            json_t *doc = json_loads(reply.body, 0, NULL);
            assert_int_equal(json_array_size(json_object_get(doc, "stored")), n);
            json_decref(doc);
            reply_free(&reply);
            free(body);
        }
    }
}

static json_t *report_json(struct fixture *f, const char *from, const char *to, const char *by)
{
    char path[160];
    snprintf(path, sizeof path, "/report.json?from=%s&to=%s&by=%s", from, to, by);
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", path, f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_non_null(doc);
    reply_free(&reply);
    return doc;
}

static json_t *row(json_t *doc, const char *key)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "rows"), i,
                       r) if (strcmp(json_string_value(json_object_get(r, "key")), key) ==
                              0) return r;
    return NULL;
}

static int64_t row_seconds(json_t *doc, const char *key)
{
    json_t *r = row(doc, key);
    return r ? (int64_t)json_integer_value(json_object_get(r, "seconds")) : 0;
}

static void build_model(struct model *m)
{
    /* The cases by hand, at site A, volunteer "h<n>". */
    int64_t jan15 = fixture_utc("2026-01-15T09:00:00Z");
    visit(m, 0, "h1", jan15, jan15 + 9 * HOUR_US / 4 + 123456, CHECKOUT, NO_FIX, 0);
    visit(m, 0, "h2", jan15, jan15 + 12 * HOUR_US, AUTOCLOSE, NO_FIX, 0);
    visit(m, 0, "h3", jan15 + DAY_US, jan15 + DAY_US + 11 * HOUR_US, CHECKOUT, FIX_END,
          jan15 + DAY_US + 3 * HOUR_US); /* forgot to check out: fixed to 3 h */
    visit(m, 0, "h4", jan15 + 2 * DAY_US, jan15 + 2 * DAY_US + 3 * HOUR_US, CHECKOUT, FIX_START,
          jan15 + 2 * DAY_US + HOUR_US); /* came an hour later than tapped */
    visit(m, 0, "h5", jan15 + 3 * DAY_US, jan15 + 3 * DAY_US + 12 * HOUR_US, AUTOCLOSE, FIX_END,
          jan15 + 3 * DAY_US + 4 * HOUR_US); /* auto-closed, then reviewed */
    visit(m, 0, "h6", jan15 + 4 * DAY_US, 0, OPEN, NO_FIX, 0);
    /* Night watch: 23:30 in Oslo on 5 May, counted on 5 May. */
    visit(m, 0, "h7", fixture_utc("2026-05-05T21:30:00Z"), fixture_utc("2026-05-06T04:00:00Z"),
          CHECKOUT, NO_FIX, 0);
    /* 00:30 in Oslo on 1 June is June, though it is still May in UTC. */
    visit(m, 0, "h8", fixture_utc("2026-05-31T22:30:00Z"), fixture_utc("2026-06-01T03:00:00Z"),
          CHECKOUT, NO_FIX, 0);
    /* New Year: 23:00 in Oslo on 31 December 2025 is last year... */
    visit(m, 1, "h9", fixture_utc("2025-12-31T22:00:00Z") - HOUR_US,
          fixture_utc("2026-01-01T01:00:00Z"), CHECKOUT, NO_FIX, 0);
    /* ...00:30 on 1 January 2026 is this year. */
    visit(m, 1, "h10", fixture_utc("2025-12-31T23:30:00Z"), fixture_utc("2026-01-01T02:00:00Z"),
          CHECKOUT, NO_FIX, 0);

    /* Then a year of ordinary visits, seeded so a failure repeats. */
    srand(20261123);
    int64_t year = fixture_utc("2026-01-01T07:00:00Z");
    for (int v = 0; v < 60; v++) {
        char volunteer[16];
        snprintf(volunteer, sizeof volunteer, "r%d", v);
        int site = v % 3 == 0;
        for (int day = v % 5; day < 365; day += 4 + rand() % 9) {
            int64_t start =
                year + day * DAY_US + (int64_t)(rand() % (10 * 3600)) * 1000000 + rand() % 1000000;
            int64_t end = start + (int64_t)(600 + rand() % (5 * 3600)) * 1000000 + rand() % 1000000;
            int dice = rand() % 20;
            enum ending ending = dice == 0 ? AUTOCLOSE : dice == 1 ? OPEN : CHECKOUT;
            enum fix fix = NO_FIX;
            int64_t fixed = 0;
            if (dice == 2) {
                fix = FIX_END;
                fixed = start + (int64_t)(rand() % (3 * 3600)) * 1000000;
            } else if (dice == 3) {
                fix = FIX_START;
                fixed = start + (int64_t)(rand() % 1800) * 1000000;
            }
            /* A visit left open is closed by the next check-in (and
             * flagged); keep the model simple by not following one. */
            if (ending == OPEN)
                day = 400;
            visit(m, site, volunteer, start, end, ending, fix, fixed);
        }
    }
}

static void test_report_hours_equal_hours_computed_from_the_events(void **state)
{
    struct fixture *f = *state;
    struct model m = {0};
    build_model(&m);
    send_all(f, &m);
    const char *from = "2026-01-01", *to = "2026-12-31";

    json_t *by_site = report_json(f, from, to, "site");
    assert_int_equal(row_seconds(by_site, FIXTURE_SITE_A), expected(&m, from, to, 0, NULL, NULL));
    assert_int_equal(row_seconds(by_site, FIXTURE_SITE_B), expected(&m, from, to, 1, NULL, NULL));
    int64_t all = expected(&m, from, to, -1, NULL, NULL);
    json_t *total = json_object_get(by_site, "total");
    assert_int_equal(json_integer_value(json_object_get(total, "seconds")), all);
    double hours = (double)all / 3600.0;
    assert_true(fabs(json_real_value(json_object_get(total, "hours")) - hours) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(total, "arsverk")) - hours / 1700.0) < 1e-12);

    json_t *by_kind = report_json(f, from, to, "kind");
    assert_int_equal(row_seconds(by_kind, "helsehus_sykehjem"),
                     expected(&m, from, to, 0, NULL, NULL));
    assert_int_equal(row_seconds(by_kind, "aktivitetshus"), expected(&m, from, to, 1, NULL, NULL));
    assert_string_equal(
        json_string_value(json_object_get(row(by_kind, "helsehus_sykehjem"), "label")),
        "Helsehus og sykehjem");

    json_t *by_month = report_json(f, from, to, "month");
    for (int month = 1; month <= 12; month++) {
        char key[8];
        snprintf(key, sizeof key, "2026-%02d", month);
        assert_int_equal(row_seconds(by_month, key), expected(&m, from, to, -1, key, NULL));
    }
    assert_string_equal(json_string_value(json_object_get(row(by_month, "2026-06"), "label")),
                        "juni 2026");

    json_t *by_volunteer = report_json(f, from, to, "volunteer");
    static const char *const people[] = {"h1", "h2", "h3",  "h4", "h5", "h6",  "h7",
                                         "h8", "h9", "h10", "r0", "r1", "r17", "r59"};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        assert_int_equal(row_seconds(by_volunteer, people[i]),
                         expected(&m, from, to, -1, NULL, people[i]));
    /* The hand-made cases, spelled out. */
    assert_int_equal(row_seconds(by_volunteer, "h2"), 12 * 3600); /* auto-close credits its time */
    assert_int_equal(row_seconds(by_volunteer, "h3"), 3 * 3600);
    assert_int_equal(row_seconds(by_volunteer, "h4"), 2 * 3600);
    assert_int_equal(row_seconds(by_volunteer, "h5"), 4 * 3600);
    assert_null(row(by_volunteer, "h6"));
    assert_null(row(by_volunteer, "h9"));
    assert_int_equal(row_seconds(by_volunteer, "h10"), 2 * 3600 + 1800);

    /* A period of one day: the night watch counts on the day it began. */
    json_t *may5 = report_json(f, "2026-05-05", "2026-05-05", "volunteer");
    assert_int_equal(row_seconds(may5, "h7"), 6 * 3600 + 1800);
    json_decref(may5);

    /* The command line gives the same total. */
    json_decref(by_site);
    json_decref(by_kind);
    json_decref(by_month);
    json_decref(by_volunteer);
    model_free(&m);
}

static void test_norwegian_numbers_have_space_thousands_and_decimal_comma(void **state)
{
    (void)state;
    char text[64];
    numfmt_decimal(11905, 0, " ", text, sizeof text);
    assert_string_equal(text, "11 905");
    numfmt_decimal(1234567.891, 2, " ", text, sizeof text);
    assert_string_equal(text, "1 234 567,89");
    numfmt_decimal(7.00294, 1, " ", text, sizeof text);
    assert_string_equal(text, "7,0");
    numfmt_decimal(0.6, 1, " ", text, sizeof text);
    assert_string_equal(text, "0,6");
    numfmt_decimal(2.5, 0, " ", text, sizeof text);
    assert_string_equal(text, "3");
    numfmt_decimal(999.996, 2, " ", text, sizeof text);
    assert_string_equal(text, "1 000,00");
    numfmt_decimal(11905.25, 2, "", text, sizeof text);
    assert_string_equal(text, "11905,25");
}

/* One visit of exactly 11 905 hours, so the totals are Tønsberg's line. */
static void send_tonsberg_line(struct fixture *f)
{
    struct event events[2];
    int64_t start = fixture_utc("2026-01-02T08:00:00Z");
    fixture_event(&events[0], EVENT_CHECKIN, "F-1", start);
    fixture_event(&events[1], EVENT_CHECKOUT, "F-1", start + INT64_C(11905) * HOUR_US);
    char *body = fixture_batch(events, 2);
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/events", f->token_a1, body, strlen(body), &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    free(body);
}

static void test_csv_has_bom_semicolons_decimal_comma_and_crlf(void **state)
{
    struct fixture *f = *state;
    send_tonsberg_line(f);
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/report.csv?from=2026-01-01&to=2026-12-31&by=kind", f->admin_token, NULL, 0, &reply),
                     0);
    assert_int_equal(reply.status, 200);
    assert_string_equal(reply.content_type, "text/csv; charset=utf-8");
    const char expected_csv[] = "\xEF\xBB\xBF"
                                "Tjenesteområde;Timer;Årsverk;Besøk\r\n"
                                "Helsehus og sykehjem;11905,00;7,00;1\r\n"
                                "Aktivitetshusene;0,00;0,00;0\r\n"
                                "Sum;11905,00;7,00;1\r\n";
    assert_int_equal(reply.len, sizeof expected_csv - 1);
    assert_memory_equal(reply.body, expected_csv, sizeof expected_csv - 1);
    reply_free(&reply);
}

static void test_yearly_table_line_comes_out_of_one_command(void **state)
{
    struct fixture *f = *state;
    send_tonsberg_line(f);
    struct central_report *report = NULL;
    char err[256];
    assert_int_equal(central_report_run(f->store, "2026-01-01", "2026-12-31", CENTRAL_BY_KIND,
                                        CENTRAL_HOURS_PER_ARSVERK_DEFAULT, &report, err,
                                        sizeof err),
                     0);
    struct central_buf text;
    central_buf_init(&text, 1 << 20);
    assert_int_equal(central_report_text(report, &text), 0);
    assert_non_null(strstr(text.data, "\nHelsehus og sykehjem: 11 905 timer, 7,0 årsverk\n"));
    assert_non_null(strstr(text.data, "\nSum: 11 905 timer, 7,0 årsverk\n"));
    central_buf_free(&text);
    central_report_free(report);
    /* And the dashboard shows the same line. */
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "Helsehus og sykehjem"));
    /* Grouped with a no-break space, as every page of the web app. */
    assert_non_null(strstr(reply.body, "11\xc2\xa0" "905"));
    reply_free(&reply);
}

static void test_dashboard_marks_silent_kiosks_in_words_and_lists_reviews(void **state)
{
    struct fixture *f = *state;
    struct event events[2];
    int64_t start = fixture_utc("2026-02-02T08:00:00Z");
    fixture_event(&events[0], EVENT_CHECKIN, "F-7", start);
    fixture_event(&events[1], EVENT_AUTOCLOSE, "F-7", start + 4 * HOUR_US);
    char *body = fixture_batch(events, 2);
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/events", f->token_a1, body, strlen(body), &reply), 0);
    reply_free(&reply);
    free(body);
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    /* A1 was just heard from; A2 and B1 never: marked in words. */
    assert_non_null(strstr(reply.body, "Aldri hørt fra"));
    assert_non_null(strstr(reply.body, "2 kiosker er ikke hørt fra"));
    assert_non_null(strstr(reply.body, "til gjennomgang"));
    assert_non_null(strstr(reply.body, "F-7")); /* not on the roster: shown by id */
    assert_non_null(strstr(reply.body, "/report.csv?"));
    assert_null(strstr(reply.body, "http://")); /* nothing from elsewhere */
    assert_null(strstr(reply.body, "https://"));
    reply_free(&reply);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_hours_equal_hours_computed_from_the_events,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test(test_norwegian_numbers_have_space_thousands_and_decimal_comma),
        cmocka_unit_test_setup_teardown(test_csv_has_bom_semicolons_decimal_comma_and_crlf,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_yearly_table_line_comes_out_of_one_command,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_dashboard_marks_silent_kiosks_in_words_and_lists_reviews, fixture_setup,
            fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
