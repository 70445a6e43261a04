/* The reports in the browser (sync/central/web/web_reports.c, web_year.c,
 * web_statement.c) over real HTTP: a period and a grouping give the CLI's
 * figures, the way down from a service area to a volunteer's visits, the
 * downloads byte for byte as `report --csv` writes them, the annual report
 * in Tønsberg's shape, a volunteer's statement without card or notes, and
 * a contact held to their own sites whatever the URL says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after the headers it needs */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "central_fixture.h"
#include "report.h"
#include "store_web.h"
#include "web_client.h"
#include "web_report.h"

#define PASSWORD "langtpassord1"

static struct fixture *start(void)
{
    struct central_http_config config = {.threads = 2,
                                         .quiet = 1,
                                         .public_url = "https://tilstede.example",
                                         .municipality = "Lilleby kommune"};
    return fixture_start(&config);
}

/* A visit of `minutes` from a UTC time, uploaded by the kiosk of token;
 * activity is an activity's id or NULL. */
static void visit(struct fixture *f, const char *token, const char *volunteer, const char *at,
                  int minutes, const char *activity)
{
    struct event events[2];
    int64_t start = fixture_utc(at);
    fixture_event(&events[0], EVENT_CHECKIN, volunteer, start);
    fixture_event(&events[1], EVENT_CHECKOUT, volunteer, start + (int64_t)minutes * 60000000);
    if (activity) {
        snprintf(events[0].activity, sizeof events[0].activity, "%s", activity);
        snprintf(events[1].activity, sizeof events[1].activity, "%s", activity);
    }
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
}

static struct central_volunteer person(const char *id, const char *given, const char *family)
{
    struct central_volunteer v;
    memset(&v, 0, sizeof v);
    snprintf(v.external_id, sizeof v.external_id, "%s", id);
    snprintf(v.given_name, sizeof v.given_name, "%s", given);
    snprintf(v.family_name, sizeof v.family_name, "%s", family);
    v.active = 1;
    return v;
}

static char sangstund[EVENT_ID_LEN + 1];

/* Kari at Lilleby (site A, a sykehjem), Øystein at Lilleby and at the
 * activity house (B), Lise at B only; one visit in 2025 outside the year. */
static void setup_visits(struct fixture *f)
{
    struct central_volunteer list[] = {person("F-1", "Kari", "Nordmann"),
                                       person("F-2", "Øystein", "Åsheim"),
                                       person("F-4", "Lise", "Berg")};
    size_t changed;
    char err[256];
    assert_int_equal(central_store_roster_replace(f->store, list, 3, &changed, err, sizeof err), 0);
    struct central_activity song = {0};
    event_new_id(song.id);
    snprintf(sangstund, sizeof sangstund, "%s", song.id);
    snprintf(song.site, sizeof song.site, FIXTURE_SITE_A);
    snprintf(song.date, sizeof song.date, "2026-11-24");
    snprintf(song.start, sizeof song.start, "11:00");
    snprintf(song.end, sizeof song.end, "12:00");
    snprintf(song.title, sizeof song.title, "Sangstund");
    assert_int_equal(central_store_activity_add(f->store, &song, err, sizeof err), 0);
    visit(f, f->token_a1, "F-1", "2026-03-10T10:00:00Z", 120, NULL);
    visit(f, f->token_a1, "F-1", "2026-11-24T10:00:00Z", 90, sangstund);
    visit(f, f->token_a2, "F-2", "2026-11-23T09:00:00Z", 120, NULL);
    visit(f, f->token_b1, "F-2", "2026-11-25T12:00:00Z", 180, NULL);
    visit(f, f->token_b1, "F-4", "2026-06-01T08:00:00Z", 60, NULL);
    visit(f, f->token_b1, "F-4", "2025-12-30T08:00:00Z", 600, NULL);
}

/* A central with setup_visits' visits, and a coordinator signed in. */
static struct fixture *start_as_coordinator(char *cookie, size_t cap)
{
    struct fixture *f = start();
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, PASSWORD);
    setup_visits(f);
    sign_in(f, "kari", PASSWORD, cookie, cap);
    return f;
}

/* The report as the CLI computes it, of every site (sites NULL) or some. */
static struct central_report *cli_report(struct fixture *f, const char *from, const char *to,
                                         enum central_report_by by, const char *const *sites,
                                         size_t count)
{
    struct central_report *report = NULL;
    char err[256];
    assert_int_equal(central_report_run_at(f->store, from, to, by, 1700.0, sites, count, &report,
                                           err, sizeof err),
                     0);
    return report;
}

/* The page holds the row's label, hours and årsverk as it writes them. */
static void assert_row_shown(const char *body, const struct central_report *report,
                             const struct central_report_row *row)
{
    char hours[48], arsverk[48], cells[256];
    web_hours_words(NULL, central_report_hours(row->seconds), hours, sizeof hours);
    web_arsverk_words(NULL, central_report_arsverk(report, row->seconds), arsverk, sizeof arsverk);
    const char *at = strstr(body, row->label);
    if (!at)
        fail_msg("the page lacks the row \"%s\"", row->label);
    snprintf(cells, sizeof cells,
             "<td class=\"n\" data-label=\"Timer\">%s</td><td class=\"n\" "
             "data-label=\"Årsverk\">%s</td><td class=\"n\" data-label=\"Besøk\">%lld</td>",
             hours, arsverk, (long long)row->visits);
    if (!strstr(at, cells))
        fail_msg("the row \"%s\" lacks %s", row->label, cells);
}

static void test_each_grouping_shows_the_clis_figures_for_the_period(void **state)
{
    (void)state;
    char cookie[256];
    struct fixture *f = start_as_coordinator(cookie, sizeof cookie);
    static const struct {
        const char *by;
        enum central_report_by grouping;
    } groupings[] = {{"kind", CENTRAL_BY_KIND},
                     {"site", CENTRAL_BY_SITE},
                     {"activity", CENTRAL_BY_ACTIVITY},
                     {"month", CENTRAL_BY_MONTH},
                     {"volunteer", CENTRAL_BY_VOLUNTEER}};
    static const struct {
        const char *query, *from, *to;
    } periods[] = {
        {"period=year&year=2026", "2026-01-01", "2026-12-31"},
        {"period=quarter&year=2026&quarter=4", "2026-10-01", "2026-12-31"},
        {"period=month&year=2026&month=3", "2026-03-01", "2026-03-31"},
        {"period=range&from=2025-12-01&to=2026-06-30", "2025-12-01", "2026-06-30"},
    };
    struct page page;
    for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++)
        for (size_t g = 0; g < sizeof groupings / sizeof groupings[0]; g++) {
            char path[256];
            snprintf(path, sizeof path, "/reports?%s&by=%s", periods[p].query, groupings[g].by);
            assert_int_equal(web_request(f, path, cookie, NULL, NULL, NULL, &page), 200);
            struct central_report *report =
                cli_report(f, periods[p].from, periods[p].to, groupings[g].grouping, NULL, 0);
            for (size_t i = 0; i < report->count; i++)
                assert_row_shown(page.body, report, &report->rows[i]);
            if (report->count)
                assert_row_shown(page.body, report, &report->total);
            central_report_free(report);
        }
    /* The year's sum: 2 + 1.5 + 2 + 3 + 1 hours; 2025's ten hours are not in it. */
    assert_int_equal(
        web_request(f, "/reports?period=year&year=2026", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Sum: 9,5 timer"));
    assert_non_null(strstr(page.body, "Helsehus og sykehjem"));
    /* A bad period says which field is wrong, and makes no report. */
    assert_int_equal(
        web_request(f, "/reports?period=month&year=2026&month=13", cookie, NULL, NULL, NULL, &page),
        400);
    assert_non_null(strstr(page.body, "Måneden må være et tall fra 1 til 12, ikke «13»."));
    assert_int_equal(web_request(f, "/reports?period=range&from=2026-02-30&to=2026-03-01", cookie,
                                 NULL, NULL, NULL, &page),
                     400);
    assert_non_null(strstr(page.body, "Fra-datoen"));
    assert_int_equal(web_request(f, "/reports?period=range&from=2026-05-01&to=2026-03-01", cookie,
                                 NULL, NULL, NULL, &page),
                     400);
    assert_non_null(strstr(page.body, "før til-datoen"));
    assert_int_equal(web_request(f, "/reports?year=20x6", cookie, NULL, NULL, NULL, &page), 400);
    assert_int_equal(web_request(f, "/reports?by=weekday", cookie, NULL, NULL, NULL, &page), 400);
    fixture_stop(f);
}

static void test_drill_down_from_service_area_to_a_volunteers_visits(void **state)
{
    (void)state;
    char cookie[256];
    struct fixture *f = start_as_coordinator(cookie, sizeof cookie);
    struct page page;
    /* The area links to its sites. */
    assert_int_equal(
        web_request(f, "/reports?period=year&year=2026&by=kind", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "href=\"/reports?period=year&amp;year=2026&amp;by=site&amp;"
                                      "area=helsehus_sykehjem\">Helsehus og sykehjem</a>"));
    assert_int_equal(web_request(f, "/reports?period=year&year=2026&by=site&area=helsehus_sykehjem",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Lilleby sykehjem"));
    assert_null(strstr(page.body, "Aktivitetshuset"));
    assert_non_null(strstr(page.body, "Sum: 5,5 timer"));
    /* A site to its activities and its volunteers: only that site's hours. */
    assert_int_equal(web_request(f,
                                 "/reports?period=year&year=2026&by=activity&site=" FIXTURE_SITE_A,
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Sangstund"));
    assert_non_null(strstr(page.body, "Uten aktivitet"));
    assert_int_equal(web_request(f,
                                 "/reports?period=year&year=2026&by=volunteer&site=" FIXTURE_SITE_A,
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    const char *const site_a[] = {FIXTURE_SITE_A};
    struct central_report *at_a =
        cli_report(f, "2026-01-01", "2026-12-31", CENTRAL_BY_VOLUNTEER, site_a, 1);
    assert_int_equal(at_a->count, 2); /* Kari and Øystein; Lise was never there */
    for (size_t i = 0; i < at_a->count; i++)
        assert_row_shown(page.body, at_a, &at_a->rows[i]);
    central_report_free(at_a);
    assert_null(strstr(page.body, "F-4"));
    /* Øystein at Lilleby: his two hours there, not the three at B. */
    assert_non_null(strstr(page.body, "Timer\">2,0</td>"));
    /* A volunteer to their visits in the period. */
    assert_int_equal(
        web_request(f,
                    "/reports?period=year&year=2026&by=visits&volunteer=F-2&site=" FIXTURE_SITE_A,
                    cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "23.11.2026 kl. 10.00"));
    assert_null(strstr(page.body, "25.11.2026"));
    assert_int_equal(web_request(f, "/reports?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "25.11.2026 kl. 13.00"));
    assert_non_null(strstr(page.body, "Timer\">5,0</td>"));
    /* Nothing below an area that does not exist, or a site. */
    assert_int_equal(web_request(f, "/reports?area=sykehus", cookie, NULL, NULL, NULL, &page), 404);
    assert_int_equal(web_request(f, "/reports?site=nowhere", cookie, NULL, NULL, NULL, &page), 404);
    fixture_stop(f);
}

/* The CSV as `tilstede-central report --csv` writes it. */
static void cli_csv(struct fixture *f, const char *from, const char *to, enum central_report_by by,
                    const char *const *sites, size_t count, struct central_buf *out)
{
    struct central_report *report = cli_report(f, from, to, by, sites, count);
    central_buf_init(out, 1 << 20);
    assert_int_equal(central_report_csv(report, out), 0);
    central_report_free(report);
}

static void test_downloads_are_the_clis_csv_and_a_workbook(void **state)
{
    (void)state;
    struct fixture *f = start();
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, PASSWORD);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, PASSWORD);
    setup_visits(f);
    char cookie[256];
    sign_in(f, "kari", PASSWORD, cookie, sizeof cookie);
    struct page page;
    /* The page links its downloads. */
    assert_int_equal(
        web_request(f, "/reports?period=year&year=2026&by=site", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(
        strstr(page.body, "href=\"/reports.csv?period=year&amp;year=2026&amp;by=site\""));
    assert_non_null(
        strstr(page.body, "href=\"/reports.xlsx?period=year&amp;year=2026&amp;by=site\""));
    static const char *const bys[] = {"kind", "site", "activity", "month", "volunteer"};
    for (size_t i = 0; i < sizeof bys / sizeof bys[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/reports.csv?period=year&year=2026&by=%s", bys[i]);
        assert_int_equal(web_request(f, path, cookie, NULL, NULL, NULL, &page), 200);
        struct central_buf csv;
        cli_csv(f, "2026-01-01", "2026-12-31",
                (enum central_report_by)central_report_by_parse(bys[i]), NULL, 0, &csv);
        assert_int_equal(page.len, csv.len);
        assert_memory_equal(page.body, csv.data, csv.len);
        central_buf_free(&csv);
        assert_string_equal(page.content_type, "text/csv; charset=utf-8");
        assert_non_null(
            strstr(page.disposition, "attachment; filename=\"timer-2026-01-01-2026-12-31-"));
    }
    /* BOM, ';', decimal comma, CRLF. */
    assert_memory_equal(page.body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(page.body, ";5,00;0,00;2\r\n"));
    assert_int_equal(web_request(f, "/reports.xlsx?period=quarter&year=2026&quarter=4&by=volunteer",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_memory_equal(page.body, "PK\x03\x04", 4);
    assert_string_equal(page.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_non_null(strstr(page.disposition, "-volunteer.xlsx\""));
    /* A contact's CSV is the report of their site only. */
    sign_in(f, "ola", PASSWORD, cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/reports.csv?period=year&year=2026&by=volunteer", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    const char *const site_a[] = {FIXTURE_SITE_A};
    struct central_buf csv;
    cli_csv(f, "2026-01-01", "2026-12-31", CENTRAL_BY_VOLUNTEER, site_a, 1, &csv);
    assert_int_equal(page.len, csv.len);
    assert_memory_equal(page.body, csv.data, csv.len);
    central_buf_free(&csv);
    assert_null(strstr(page.body, "F-4"));
    fixture_stop(f);
}

/* A file of the test's own directory with data, for the readback. */
static void save(const struct fixture *f, const char *name, const char *data, size_t len,
                 char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", f->dir, name);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    fclose(file);
}

static void test_a_volunteers_visits_download_as_csv_and_a_workbook(void **state)
{
    (void)state;
    struct fixture *f = start();
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, PASSWORD);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, PASSWORD);
    setup_visits(f);
    char cookie[256];
    sign_in(f, "kari", PASSWORD, cookie, sizeof cookie);
    struct page page;
    /* The visits page links its downloads. */
    assert_int_equal(web_request(f, "/reports?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "href=\"/reports.csv?period=year&amp;year=2026&amp;"
                                      "by=visits&amp;volunteer=F-2\""));
    assert_non_null(strstr(page.body, "href=\"/reports.xlsx?period=year&amp;year=2026&amp;"
                                      "by=visits&amp;volunteer=F-2\""));
    /* Øystein's two visits, newest first, in Norway's time, and the sum:
     * the page's rows as a spreadsheet reads them. */
    static const char expected[] = "\xEF\xBB\xBF"
                                   "Kom;Enhet;Gikk;Aktivitet;Timer\r\n"
                                   "25.11.2026 13:00;Aktivitetshuset;25.11.2026 16:00;;3,00\r\n"
                                   "23.11.2026 10:00;Lilleby sykehjem;23.11.2026 12:00;;2,00\r\n"
                                   "Sum;;;;5,00\r\n";
    assert_int_equal(web_request(f, "/reports.csv?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_string_equal(page.content_type, "text/csv; charset=utf-8");
    assert_string_equal(page.disposition,
                        "attachment; filename=\"besok-F-2-2026-01-01-2026-12-31.csv\"");
    assert_int_equal(page.len, strlen(expected));
    assert_memory_equal(page.body, expected, page.len);
    char csv_path[512], book_path[512], command[2048];
    save(f, "visits.csv", page.body, page.len, csv_path, sizeof csv_path);
    assert_int_equal(web_request(f, "/reports.xlsx?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_memory_equal(page.body, "PK\x03\x04", 4);
    assert_string_equal(page.content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(page.disposition,
                        "attachment; filename=\"besok-F-2-2026-01-01-2026-12-31.xlsx\"");
    save(f, "visits.xlsx", page.body, page.len, book_path, sizeof book_path);
    snprintf(command, sizeof command, "/usr/bin/python3 '%s' --visits '%s' '%s'", XLSX_READBACK,
             book_path, csv_path);
    assert_int_equal(system(command), 0);
    /* A site's drill-down: that site's visits; an activity by its title. */
    assert_int_equal(web_request(f,
                                 "/reports.csv?period=year&year=2026&by=visits&volunteer=F-1"
                                 "&site=" FIXTURE_SITE_A,
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "\r\n24.11.2026 11:00;Lilleby sykehjem;24.11.2026 12:30;"
                                      "Sangstund;1,50\r\n"));
    assert_non_null(strstr(page.body, "\r\nSum;;;;3,50\r\n"));
    assert_non_null(strstr(page.disposition, "besok-F-1-2026-01-01-2026-12-31-lilleby.csv"));
    save(f, "visits-a.csv", page.body, page.len, csv_path, sizeof csv_path);
    assert_int_equal(web_request(f,
                                 "/reports.xlsx?period=year&year=2026&by=visits&volunteer=F-1"
                                 "&site=" FIXTURE_SITE_A,
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    save(f, "visits-a.xlsx", page.body, page.len, book_path, sizeof book_path);
    snprintf(command, sizeof command, "/usr/bin/python3 '%s' --visits '%s' '%s'", XLSX_READBACK,
             book_path, csv_path);
    assert_int_equal(system(command), 0);
    /* Nobody of that id: the page's 404. */
    assert_int_equal(web_request(f, "/reports.csv?period=year&year=2026&by=visits&volunteer=F-99",
                                 cookie, NULL, NULL, NULL, &page),
                     404);
    /* A contact: their site's visits only, and nobody never there. */
    sign_in(f, "ola", PASSWORD, cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/reports.csv?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_null(strstr(page.body, "Aktivitetshuset"));
    assert_non_null(strstr(page.body, "\r\nSum;;;;2,00\r\n"));
    static const char *const never_there[] = {
        "/reports.csv?period=year&year=2026&by=visits&volunteer=F-4",
        "/reports.xlsx?period=year&year=2026&by=visits&volunteer=F-4",
        "/reports.xlsx?period=year&year=2026&by=visits&volunteer=F-2&site=" FIXTURE_SITE_B,
    };
    for (size_t i = 0; i < sizeof never_there / sizeof never_there[0]; i++) {
        assert_int_equal(web_request(f, never_there[i], cookie, NULL, NULL, NULL, &page), 404);
        assert_null(strstr(page.body, "Berg"));
    }
    fixture_stop(f);
}

static void test_contact_cannot_reach_another_sites_figures_by_editing_the_url(void **state)
{
    (void)state;
    struct fixture *f = start();
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, PASSWORD);
    setup_visits(f);
    char cookie[256];
    sign_in(f, "ola", PASSWORD, cookie, sizeof cookie);
    struct page page, missing;
    /* Their own report: Lilleby only, its 5,5 hours. */
    assert_int_equal(
        web_request(f, "/reports?period=year&year=2026&by=site", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "Lilleby sykehjem"));
    assert_null(strstr(page.body, "Aktivitetshuset"));
    assert_non_null(strstr(page.body, "Sum: 5,5 timer"));
    assert_int_equal(
        web_request(f, "/reports?period=year&year=2026&by=month", cookie, NULL, NULL, NULL, &page),
        200);
    assert_null(strstr(page.body, "juni 2026")); /* Lise's June at B */
    /* The other site by URL: the same 404 as a site that does not exist,
     * for the page and the downloads; nothing of its figures. */
    static const char *const other[] = {
        "/reports?period=year&year=2026&by=volunteer&site=" FIXTURE_SITE_B,
        "/reports.csv?period=year&year=2026&by=volunteer&site=" FIXTURE_SITE_B,
        "/reports.xlsx?period=year&year=2026&by=activity&site=" FIXTURE_SITE_B,
        "/year?year=2026&site=" FIXTURE_SITE_B,
    };
    assert_int_equal(web_request(f, "/reports?site=nosuchsite", cookie, NULL, NULL, NULL, &missing),
                     404);
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        assert_int_equal(web_request(f, other[i], cookie, NULL, NULL, NULL, &page), 404);
        assert_string_equal(page.body, missing.body);
    }
    /* The other site's area holds none of their sites: nothing. */
    assert_int_equal(web_request(f,
                                 "/reports?period=year&year=2026&by=volunteer&area=aktivitetshus",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Sum: 0,0 timer"));
    assert_null(strstr(page.body, "F-2"));
    /* Øystein's visits: only those at Lilleby; Lise's and her statement: 404. */
    assert_int_equal(web_request(f, "/reports?period=year&year=2026&by=visits&volunteer=F-2",
                                 cookie, NULL, NULL, NULL, &page),
                     200);
    assert_null(strstr(page.body, "25.11.2026"));
    assert_non_null(strstr(page.body, "23.11.2026"));
    assert_int_equal(web_request(f, "/reports?period=year&year=2026&by=visits&volunteer=F-4",
                                 cookie, NULL, NULL, NULL, &page),
                     404);
    assert_null(strstr(page.body, "Berg"));
    assert_int_equal(web_request(f, "/statement/F-4", cookie, NULL, NULL, NULL, &page), 404);
    assert_int_equal(
        web_request(f, "/statement/F-2?period=year&year=2026", cookie, NULL, NULL, NULL, &page),
        200);
    assert_null(strstr(page.body, "Aktivitetshuset"));
    assert_non_null(strstr(page.body, "<strong>2,0 timer</strong>"));
    fixture_stop(f);
}

static void test_annual_report_in_the_shape_of_tonsberg_and_printable_on_a4(void **state)
{
    (void)state;
    char cookie[256];
    struct fixture *f = start_as_coordinator(cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/year?year=2026", cookie, NULL, NULL, NULL, &page), 200);
    /* Each sentence as `report --by kind` prints it. */
    struct central_report *by_kind =
        cli_report(f, "2026-01-01", "2026-12-31", CENTRAL_BY_KIND, NULL, 0);
    struct central_buf lines;
    central_buf_init(&lines, 1 << 16);
    assert_int_equal(central_report_text(by_kind, &lines), 0);
    char *save = NULL;
    int sentences = 0;
    for (char *line = strtok_r(strchr(lines.data, '\n') + 1, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char item[600];
        snprintf(item, sizeof item, "<li>%s</li>", line);
        if (!strstr(page.body, item))
            fail_msg("the annual report lacks %s", item);
        sentences++;
    }
    assert_int_equal(sentences, 3); /* two areas and the sum */
    central_buf_free(&lines);
    central_report_free(by_kind);
    assert_non_null(strstr(page.body, "<li>Helsehus og sykehjem: 6 timer, 0,0 årsverk</li>"));
    /* Sites under their areas. */
    const char *area =
        strstr(page.body, "<tr class=\"area\"><th scope=\"row\">Helsehus og sykehjem");
    assert_non_null(area);
    assert_non_null(strstr(area, "<tr class=\"site\"><th scope=\"row\">Lilleby sykehjem"));
    assert_non_null(strstr(page.body, "Lilleby kommune"));
    assert_non_null(strstr(page.body, "href=\"/year.xlsx?period=year&amp;year=2026\""));
    /* The style sheet prints it on A4 without the menus. */
    assert_int_equal(web_request(f, "/tilstede.css", NULL, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "@media print{"));
    assert_non_null(strstr(page.body, "@page{size:A4"));
    /* The workbook: a sheet per grouping. */
    assert_int_equal(web_request(f, "/year.xlsx?year=2026", cookie, NULL, NULL, NULL, &page), 200);
    assert_memory_equal(page.body, "PK\x03\x04", 4);
    assert_non_null(strstr(page.disposition, "frivillig-innsats-2026-01-01-2026-12-31.xlsx"));
    fixture_stop(f);
}

static void test_statement_has_hours_per_month_and_no_card_or_notes(void **state)
{
    (void)state;
    struct fixture *f = start();
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, PASSWORD);
    setup_visits(f);
    /* A card and a note, which a statement never shows. */
    struct event enrolled;
    fixture_event(&enrolled, EVENT_CARD_ENROLLED, "F-1", fixture_utc("2026-03-01T09:00:00Z"));
    enrolled.source = SOURCE_STAFF;
    memset(enrolled.card_hash, 'c', CARD_HASH_HEX);
    memcpy(enrolled.card_hash + CARD_HASH_HEX - 6, "d1e2f3", 6);
    enrolled.card_hash[CARD_HASH_HEX] = '\0';
    struct reply reply;
    assert_int_equal(fixture_post_events(f, f->token_a1, &enrolled, 1, &reply), 0);
    reply_free(&reply);
    struct central_note note = {0};
    snprintf(note.author, sizeof note.author, "kari");
    snprintf(note.text, sizeof note.text, "Hemmelig merknad");
    char err[256];
    assert_int_equal(central_store_note_add(f->store, "F-1", &note, err, sizeof err), 0);
    char cookie[256];
    sign_in(f, "kari", PASSWORD, cookie, sizeof cookie);
    struct page page;
    /* The volunteer's page links it. */
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "href=\"/statement/F-1\""));
    assert_int_equal(
        web_request(f, "/statement/F-1?period=year&year=2026", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "Kari Nordmann"));
    assert_non_null(strstr(page.body, "Lilleby kommune"));
    assert_non_null(strstr(page.body, "Lilleby sykehjem"));
    assert_non_null(strstr(page.body, "Sangstund"));
    /* Every month of the year, the empty ones too, and the total. */
    assert_non_null(strstr(page.body, "<th scope=\"row\">mars 2026</th><td class=\"n\">2,0</td>"));
    assert_non_null(
        strstr(page.body, "<th scope=\"row\">november 2026</th><td class=\"n\">1,5</td>"));
    assert_non_null(strstr(page.body, "<th scope=\"row\">juli 2026</th><td class=\"n\">0,0</td>"));
    assert_non_null(strstr(page.body, "<strong>3,5 timer</strong>"));
    /* Who made it, and when: the account's name while it has no full
     * name, then the full name alone. */
    assert_non_null(strstr(page.body, "kari (frivilligkoordinator)"));
    assert_int_equal(central_store_user_set_full_name(f->store, "kari", "Kari Lund", err,
                                                      sizeof err),
                     0);
    assert_int_equal(
        web_request(f, "/statement/F-1?period=year&year=2026", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "Kari Lund (frivilligkoordinator)"));
    assert_null(strstr(page.body, "kari (frivilligkoordinator)"));
    /* The hours agree with the report by volunteer. */
    struct central_report *by_volunteer =
        cli_report(f, "2026-01-01", "2026-12-31", CENTRAL_BY_VOLUNTEER, NULL, 0);
    for (size_t i = 0; i < by_volunteer->count; i++)
        if (!strcmp(by_volunteer->rows[i].key, "F-1"))
            assert_int_equal(by_volunteer->rows[i].seconds, 210 * 60);
    central_report_free(by_volunteer);
    /* Nothing of the card, the note or the papers. */
    assert_null(strstr(page.body, "d1e2f3"));
    assert_null(strstr(page.body, "Hemmelig"));
    assert_null(strstr(page.body, "Kort"));
    assert_null(strstr(page.body, "Taushetserklæring"));
    /* A period of its own, and one too long for a page. */
    assert_int_equal(web_request(f, "/statement/F-1?from=2026-11-01&to=2026-11-30", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "<strong>1,5 timer</strong>"));
    assert_int_equal(web_request(f, "/statement/F-1?from=2000-01-01&to=2026-11-30", cookie, NULL,
                                 NULL, NULL, &page),
                     400);
    assert_int_equal(web_request(f, "/statement/F-99", cookie, NULL, NULL, NULL, &page), 404);
    fixture_stop(f);
}

int main(void)
{
    /* The pages' dates and clocks are Norway's. */
    setenv("TZ", "Europe/Oslo", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_grouping_shows_the_clis_figures_for_the_period),
        cmocka_unit_test(test_drill_down_from_service_area_to_a_volunteers_visits),
        cmocka_unit_test(test_downloads_are_the_clis_csv_and_a_workbook),
        cmocka_unit_test(test_a_volunteers_visits_download_as_csv_and_a_workbook),
        cmocka_unit_test(test_contact_cannot_reach_another_sites_figures_by_editing_the_url),
        cmocka_unit_test(test_annual_report_in_the_shape_of_tonsberg_and_printable_on_a4),
        cmocka_unit_test(test_statement_has_hours_per_month_and_no_card_or_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
