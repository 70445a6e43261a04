/* The coordinator's dashboard: one page with this year's hours per kind of
 * service and per site, each kiosk's last contact, visits awaiting review,
 * and the report page with its CSV. Bokmål, inline CSS, nothing fetched
 * from the internet; a silent kiosk is marked in words, not colour alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "http_internal.h"
#include "numfmt.h"
#include "opening.h"
#include "report.h"
#include "store_mail.h"

#define REVIEW_ROWS 50

static const char *const weekdays[] = {"søndag",  "mandag", "tirsdag", "onsdag",
                                       "torsdag", "fredag", "lørdag"};
static const char *const months[] = {"januar",    "februar", "mars",     "april",
                                     "mai",       "juni",    "juli",     "august",
                                     "september", "oktober", "november", "desember"};

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* "mandag 23. november 2026 kl. 14.30", local time. */
static void format_when(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    snprintf(out, cap, "%s %d. %s %d kl. %02d.%02d", weekdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* "23.11.2026 kl. 14.30", local time: compact, for table cells. */
static void format_short(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    snprintf(out, cap, "%02d.%02d.%d kl. %02d.%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min);
}

/* "3 døgn", "5 timer", "12 minutter". */
static void format_age(int64_t seconds, char *out, size_t cap)
{
    if (seconds >= 2 * 86400)
        snprintf(out, cap, "%lld døgn", (long long)(seconds / 86400));
    else if (seconds >= 2 * 3600)
        snprintf(out, cap, "%lld timer", (long long)(seconds / 3600));
    else if (seconds >= 120)
        snprintf(out, cap, "%lld minutter", (long long)(seconds / 60));
    else
        snprintf(out, cap, "under to minutter");
}

static const char page_style[] =
    "<style>"
    ":root{color-scheme:light;--ink:#1b1b1b;--muted:#555;--line:#c9c9c9;--warn:#8a1c00;"
    "--warnbg:#fff1e6}"
    "body{font:16px/1.45 system-ui,'DejaVu Sans',sans-serif;color:var(--ink);margin:0;"
    "background:#fafafa}"
    "header{background:#17365d;color:#fff;padding:14px 28px}"
    "header h1{margin:0;font-size:22px}header p{margin:2px 0 0;opacity:.85}"
    "main{padding:8px 28px 40px;max-width:1200px}"
    "h2{font-size:19px;margin:26px 0 8px}"
    "table{border-collapse:collapse;background:#fff;min-width:50%}"
    "th,td{border:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}"
    "th{background:#eef1f5}td.n,th.n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    "tr.sum td{font-weight:700;border-top:2px solid var(--ink)}"
    "tr.silent td{background:var(--warnbg)}tr.silent td:first-child{border-left:6px solid "
    "var(--warn)}"
    ".flag{font-weight:700;color:var(--warn)}"
    ".muted{color:var(--muted)}.t{white-space:nowrap}"
    "nav a,p a{color:#0b4ea2}"
    "form{margin:8px 0 14px}label{margin-right:12px}"
    "input,select,button{font:inherit;padding:3px 6px}"
    ".lead{font-size:20px;margin:6px 0 0}"
    /* A table wider than a phone scrolls inside its box, the page does not. */
    ".wide{overflow-x:auto;max-width:100%}"
    "@media (max-width:600px){header,main{padding-left:12px;padding-right:12px}}"
    "</style>";

static void page_start(struct central_buf *out, const char *title)
{
    central_buf_str(out, "<!doctype html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    central_buf_html(out, title);
    central_buf_printf(out, "</title>%s</head><body><header><h1>", page_style);
    central_buf_html(out, title);
    char when[80];
    format_when(now_us(), when, sizeof when);
    central_buf_printf(out, "</h1><p>Tilstede · frivillige timer · %s</p></header><main>", when);
}

static void page_end(struct central_buf *out)
{
    central_buf_str(out, "</main></body></html>\n");
}

static void number_cells(struct central_buf *out, const struct central_report *report,
                         int64_t seconds)
{
    char hours[48], arsverk[48];
    numfmt_decimal(central_report_hours(seconds), 0, " ", hours, sizeof hours);
    numfmt_decimal(central_report_arsverk(report, seconds), 1, " ", arsverk, sizeof arsverk);
    central_buf_printf(out, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", hours, arsverk);
}

static void visits_cell(struct central_buf *out, int64_t visits)
{
    char text[48];
    numfmt_decimal((double)visits, 0, " ", text, sizeof text);
    central_buf_printf(out, "<td class=\"n\">%s</td>", text);
}

static void report_table(struct central_buf *out, const struct central_report *report,
                         const char *heading, const char *detail_heading)
{
    central_buf_printf(out, "<div class=\"wide\"><table><thead><tr><th scope=\"col\">%s</th>", heading);
    if (detail_heading)
        central_buf_printf(out, "<th scope=\"col\">%s</th>", detail_heading);
    central_buf_str(out, "<th scope=\"col\" class=\"n\">Timer</th><th scope=\"col\" "
                         "class=\"n\">Årsverk</th><th scope=\"col\" class=\"n\">Besøk</th>"
                         "</tr></thead><tbody>");
    for (size_t i = 0; i < report->count; i++) {
        const struct central_report_row *row = &report->rows[i];
        central_buf_str(out, "<tr><td>");
        central_buf_html(out, row->label);
        central_buf_str(out, "</td>");
        if (detail_heading) {
            central_buf_str(out, "<td>");
            central_buf_html(out, row->detail);
            central_buf_str(out, "</td>");
        }
        number_cells(out, report, row->seconds);
        visits_cell(out, row->visits);
        central_buf_str(out, "</tr>");
    }
    central_buf_printf(out, "<tr class=\"sum\"><td%s>Sum</td>",
                       detail_heading ? " colspan=\"2\"" : "");
    number_cells(out, report, report->total.seconds);
    visits_cell(out, report->total.visits);
    central_buf_str(out, "</tr></tbody></table></div>");
}

struct device_rows {
    struct central_buf *out;
    const struct central_report *sites; /* by site: key = id, label = name */
    int64_t now;
    int64_t silent_after_s;
    const struct central_openings *hours; /* silence counts the open hours only */
    int silent;
    int count;
};


/* The reader's state as the protocol names it (reader_state_name), in
 * words for the coordinator; "not connected" is flagged. */
static void reader_state_html(struct central_buf *out, const char *state)
{
    static const struct {
        const char *name, *words;
        int flag;
    } states[] = {{"connected", "ok", 0},
                  {"starting", "starter", 0},
                  {"disconnected", "ikke tilkoblet", 1},
                  {"stopped", "stoppet", 1}};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (!strcmp(state, states[i].name)) {
            central_buf_printf(out, states[i].flag ? "<span class=\"flag\">%s</span>" : "%s",
                               states[i].words);
            return;
        }
    central_buf_str(out, "ukjent");
}

/* "⚠ Gjenopprettet fra sikkerhetskopi 22.11. 03.00; 14 hendelser hentet
 * tilbake": the kiosk restored a backup and tells of it until staff have
 * seen it and the central's events are back on it. */
static void recovery_html(struct central_buf *out, const struct central_recovery *r)
{
    time_t t = (time_t)(r->backup_us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    central_buf_printf(out,
                       "<br><span class=\"flag\">⚠ Gjenopprettet fra sikkerhetskopi "
                       "%02d.%02d. %02d.%02d</span>",
                       tm.tm_mday, tm.tm_mon + 1, tm.tm_hour, tm.tm_min);
    if (r->skipped_backups > 0)
        central_buf_printf(out, " (%lld nyere %s skadet)", (long long)r->skipped_backups,
                           r->skipped_backups == 1 ? "sikkerhetskopi var" : "sikkerhetskopier var");
    long long fetched = (long long)r->fetched_events;
    const char *events = fetched == 1 ? "hendelse" : "hendelser";
    if (strcmp(r->fetch, "done") == 0)
        central_buf_printf(out, "; %lld %s hentet tilbake", fetched, events);
    else if (strcmp(r->fetch, "pending") == 0)
        central_buf_printf(out, "; henter hendelser tilbake fra sentralen (%lld så langt)",
                           fetched);
    else
        central_buf_str(out, "; ingen sentral å hente hendelser fra");
}

static int device_row(void *ctx, const struct central_device *d)
{
    struct device_rows *rows = ctx;
    struct central_buf *out = rows->out;
    if (d->revoked_us)
        return 0;
    rows->count++;
    int64_t seen = d->last_seen_us;
    int64_t age = seen ? (rows->now - seen) / 1000000 : -1;
    int silent = central_openings_silent(rows->hours, d->site, seen, rows->now / 1000000,
                                         rows->silent_after_s);
    rows->silent += silent;
    central_buf_printf(out, "<tr%s><td>", silent ? " class=\"silent\"" : "");
    const char *site_name = d->site;
    for (size_t i = 0; i < rows->sites->count; i++)
        if (strcmp(rows->sites->rows[i].key, d->site) == 0)
            site_name = rows->sites->rows[i].label;
    central_buf_html(out, site_name);
    central_buf_str(out, "</td><td>");
    central_buf_html(out, d->name);
    if (d->status.recovery.reported)
        recovery_html(out, &d->status.recovery);
    central_buf_str(out, "</td><td>");
    if (silent) {
        char age_text[48];
        format_age(age, age_text, sizeof age_text);
        if (seen)
            central_buf_printf(out, "<span class=\"flag t\">⚠ Stille i %s</span><br>", age_text);
        else
            central_buf_str(out, "<span class=\"flag t\">⚠ Aldri hørt fra</span>");
    }
    if (seen) {
        char when[80];
        format_short(seen, when, sizeof when);
        central_buf_str(out, "<span class=\"t\">");
        central_buf_html(out, when);
        central_buf_str(out, "</span>");
    }
    central_buf_str(out, "</td>");
    if (d->status.received_us) {
        central_buf_printf(out, "<td class=\"n\">%lld", (long long)d->status.events_waiting);
        /* Refused events never arrive: their hours are missing here. */
        if (d->status.events_refused > 0)
            central_buf_printf(out, "<br><span class=\"flag\">⚠ %lld avvist</span>",
                               (long long)d->status.events_refused);
        central_buf_str(out, "</td><td>");
        central_buf_html(out, d->status.software_version);
        central_buf_str(out, "</td><td>");
        reader_state_html(out, d->status.reader_state);
        central_buf_printf(out, "</td><td>%s</td><td>",
                           d->status.clock_synced
                               ? "synkronisert"
                               : "<span class=\"flag\">ikke synkronisert</span>");
        if (d->status.token_refused_us) {
            char when[80];
            format_short(d->status.token_refused_us, when, sizeof when);
            central_buf_str(out, "<span class=\"flag\">⚠ Nøkkelen avvist ");
            central_buf_html(out, when);
            central_buf_str(out, "</span><br>");
        }
        central_buf_html(out, d->status.last_error[0] ? d->status.last_error : "–");
        central_buf_str(out, "</td></tr>");
    } else {
        central_buf_str(out, "<td class=\"n\">–</td><td colspan=\"4\" class=\"muted\">"
                             "ingen statusrapport ennå</td></tr>");
    }
    return 0;
}

struct review_rows {
    struct central_buf *out;
    int count;
};

static int review_row(void *ctx, const struct central_review *r)
{
    struct review_rows *rows = ctx;
    struct central_buf *out = rows->out;
    char start[80], end[80];
    format_short(r->start_us, start, sizeof start);
    format_short(r->end_us, end, sizeof end);
    rows->count++;
    central_buf_str(out, "<tr><td>");
    central_buf_html(out, r->site_name);
    central_buf_str(out, "</td><td>");
    central_buf_html(out, r->volunteer_name[0] ? r->volunteer_name : r->volunteer);
    central_buf_str(out, "</td><td class=\"t\">");
    central_buf_html(out, start);
    central_buf_str(out, "</td><td class=\"t\">");
    central_buf_html(out, end);
    central_buf_str(out, "</td></tr>");
    return 0;
}

/* The monthly mails that failed and wait for their retry. */
struct mail_rows {
    struct central_buf *out;
    int count;
};

static int mail_row(void *ctx, const struct central_mail_state *state)
{
    struct mail_rows *rows = ctx;
    if (!rows->count++)
        central_buf_str(rows->out,
                        "<h2>Månedsrapporten på e-post – ikke sendt</h2>"
                        "<p><span class=\"flag\">⚠ E-posten gikk ikke.</span> Den prøves igjen "
                        "av seg selv; sjekk e-postoppsettet (--smtp-url) om feilen står.</p>"
                        "<div class=\"wide\"><table><thead><tr><th scope=\"col\">Måned</th><th scope=\"col\">Til"
                        "</th><th scope=\"col\" class=\"n\">Forsøk</th><th scope=\"col\">"
                        "Neste forsøk</th><th scope=\"col\">Feil</th></tr></thead><tbody>");
    char next[64];
    format_short(state->next_try_us, next, sizeof next);
    central_buf_htmlf(rows->out,
                      "<tr><td>%s</td><td>%s &lt;%s&gt;</td><td class=\"n\">%lld</td><td>%s</td>"
                      "<td>%s</td></tr>",
                      state->month, state->name, state->address, (long long)state->attempts, next,
                      state->last_error);
    return 0;
}

static void fail_page(struct central_response *response, int rc, const char *err)
{
    central_respond_store_error(response, rc, err);
}

void central_dashboard_page(struct central_request *request, struct central_response *response)
{
    struct central_buf *out = &response->body;
    struct central_report *by_kind = NULL, *by_site = NULL;
    struct central_openings openings = {NULL, 0};
    char err[512];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char from[24], to[24]; /* room for any int year: the compiler checks */
    snprintf(from, sizeof from, "%04d-01-01", tm.tm_year + 1900);
    snprintf(to, sizeof to, "%04d-12-31", tm.tm_year + 1900);
    double per = request->config->hours_per_arsverk;
    int rc = central_report_run(request->store, from, to, CENTRAL_BY_KIND, per, &by_kind, err,
                                sizeof err);
    if (!rc)
        rc = central_report_run(request->store, from, to, CENTRAL_BY_SITE, per, &by_site, err,
                                sizeof err);
    if (rc) {
        fail_page(response, rc, err);
        goto out;
    }
    response->content_type = "text/html; charset=utf-8";
    char title[64];
    snprintf(title, sizeof title, "Frivillige timer %d", tm.tm_year + 1900);
    page_start(out, title);

    char hours[48], arsverk[48], per_text[32];
    numfmt_decimal(central_report_hours(by_kind->total.seconds), 0, " ", hours, sizeof hours);
    numfmt_decimal(central_report_arsverk(by_kind, by_kind->total.seconds), 1, " ", arsverk, sizeof arsverk);
    numfmt_decimal(per, 0, " ", per_text, sizeof per_text);
    central_buf_printf(out,
                       "<p class=\"lead\">Hittil i år: <strong>%s timer</strong>, "
                       "<strong>%s årsverk</strong> <span class=\"muted\">(1 årsverk = %s "
                       "timer)</span></p>",
                       hours, arsverk, per_text);

    central_buf_str(out, "<h2>Timer etter tjenesteområde</h2>");
    report_table(out, by_kind, "Tjenesteområde", NULL);
    central_buf_printf(out,
                       "<p><a href=\"/report.csv?from=%s&amp;to=%s&amp;by=kind\">Last ned "
                       "som CSV for Excel</a> · <a href=\"/report?from=%s&amp;to=%s&amp;"
                       "by=kind\">Flere rapporter</a></p>",
                       from, to, from, to);

    central_buf_str(out, "<h2>Timer etter enhet</h2>");
    report_table(out, by_site, "Enhet", "Type");
    central_buf_printf(out,
                       "<p><a href=\"/report.csv?from=%s&amp;to=%s&amp;by=site\">Last ned "
                       "som CSV</a> · <a href=\"/report?from=%s&amp;to=%s&amp;by=month\">Per "
                       "måned</a> · <a href=\"/report?from=%s&amp;to=%s&amp;by=activity\">Per "
                       "aktivitet</a></p>",
                       from, to, from, to, from, to);

    central_buf_str(out, "<h2>Kiosker</h2><div class=\"wide\"><table><thead><tr><th scope=\"col\">Enhet</th>"
                         "<th scope=\"col\">Kiosk</th><th scope=\"col\">Sist kontakt</th>"
                         "<th scope=\"col\" class=\"n\">Ventende hendelser</th>"
                         "<th scope=\"col\">Programvare</th><th scope=\"col\">Kortleser</th>"
                         "<th scope=\"col\">Klokke</th><th scope=\"col\">Siste feil</th>"
                         "</tr></thead><tbody>");
    /* Without the hours (a store that has none) every site counts as open. */
    central_openings_load(request->store, &openings, err, sizeof err);
    struct device_rows devices = {out,    by_site, now_us(), request->config->silent_after_s,
                                  &openings, 0,     0};
    if ((rc = central_store_devices(request->store, device_row, &devices, err, sizeof err))) {
        fail_page(response, rc, err);
        goto out;
    }
    if (!devices.count)
        central_buf_str(out, "<tr><td colspan=\"8\" class=\"muted\">Ingen kiosker er registrert."
                             "</td></tr>");
    central_buf_str(out, "</tbody></table></div>");
    if (devices.silent)
        central_buf_printf(out,
                           "<p><span class=\"flag\">⚠ %d %s ikke hørt fra på %lld timer i "
                           "enhetens åpningstid.</span> Sjekk strøm og nettverk.</p>",
                           devices.silent, devices.silent == 1 ? "kiosk er" : "kiosker er",
                           (long long)(request->config->silent_after_s / 3600));

    struct mail_rows mails = {out, 0};
    rc = central_store_mail_failures(request->store, mail_row, &mails, err, sizeof err);
    if (rc && rc != -ENOTSUP) {
        fail_page(response, rc, err);
        goto out;
    }
    if (mails.count)
        central_buf_str(out, "</tbody></table></div>");

    central_buf_str(out, "<h2>Besøk avsluttet automatisk – til gjennomgang</h2>"
                         "<p class=\"muted\">Frivillige som glemte å sjekke ut. Rett tiden på "
                         "kiosken (personalmenyen) om den ikke stemmer.</p>"
                         "<div class=\"wide\"><table><thead><tr><th scope=\"col\">Enhet</th><th scope=\"col\">"
                         "Frivillig</th><th scope=\"col\">Inn</th><th scope=\"col\">Ut "
                         "(satt automatisk)</th></tr></thead><tbody>");
    struct review_rows reviews = {out, 0};
    if ((rc = central_store_reviews(request->store, REVIEW_ROWS, review_row, &reviews, err,
                                    sizeof err))) {
        fail_page(response, rc, err);
        goto out;
    }
    if (!reviews.count)
        central_buf_str(out, "<tr><td colspan=\"4\" class=\"muted\">Ingenting å gå gjennom."
                             "</td></tr>");
    central_buf_str(out, "</tbody></table></div>");
    page_end(out);
    if (out->failed)
        central_respond_error(response, 500, "internal", "the page did not fit in memory");
out:
    central_openings_free(&openings);
    central_report_free(by_kind);
    central_report_free(by_site);
}

/* /report (HTML), /report.csv and /report.json, all with ?from&to&by. */
void central_dashboard_report(struct central_request *request, struct central_response *response)
{
    const char *from = central_request_arg(request, "from");
    const char *to = central_request_arg(request, "to");
    const char *by_text = central_request_arg(request, "by");
    char year_from[24], year_to[24];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(year_from, sizeof year_from, "%04d-01-01", tm.tm_year + 1900);
    snprintf(year_to, sizeof year_to, "%04d-12-31", tm.tm_year + 1900);
    if (!from || !from[0])
        from = year_from;
    if (!to || !to[0])
        to = year_to;
    int by = central_report_by_parse(by_text && by_text[0] ? by_text : "kind");
    if (by < 0) {
        central_respond_error(response, 400, "invalid_request",
                              "by: expected site, kind, activity, month or volunteer");
        return;
    }
    if (!central_report_date_valid(from) || !central_report_date_valid(to)) {
        central_respond_error(response, 400, "invalid_request",
                              "from, to: expected dates YYYY-MM-DD");
        return;
    }
    struct central_report *report = NULL;
    char err[512];
    int rc = central_report_run(request->store, from, to, (enum central_report_by)by,
                                request->config->hours_per_arsverk, &report, err, sizeof err);
    if (rc) {
        if (rc == -EINVAL)
            central_respond_error(response, 400, "invalid_request", err);
        else
            central_respond_store_error(response, rc, err);
        return;
    }
    const char *path = request->path;
    if (strcmp(path, "/report.csv") == 0) {
        rc = central_report_csv(report, &response->body);
        response->content_type = "text/csv; charset=utf-8";
        snprintf(request->disposition, sizeof request->disposition,
                 "attachment; filename=\"frivillige-timer-%s-%s-%s.csv\"", from, to,
                 central_report_by_name(report->by));
        response->content_disposition = request->disposition;
    } else if (strcmp(path, "/report.json") == 0) {
        rc = central_report_json(report, &response->body);
        response->content_type = "application/json; charset=utf-8";
    } else {
        struct central_buf *out = &response->body;
        response->content_type = "text/html; charset=utf-8";
        page_start(out, "Rapport: frivillige timer");
        central_buf_str(out, "<nav><a href=\"/\">← Oversikt</a></nav><form method=\"get\" "
                             "action=\"/report\"><label>Fra <input type=\"date\" name=\"from\" "
                             "value=\"");
        central_buf_html(out, from);
        central_buf_str(out, "\"></label><label>Til <input type=\"date\" name=\"to\" value=\"");
        central_buf_html(out, to);
        central_buf_str(out, "\"></label><label>Etter <select name=\"by\">");
        static const char *const by_labels[][2] = {
            {"kind", "tjenesteområde"}, {"site", "enhet"},          {"activity", "aktivitet"},
            {"month", "måned"},         {"volunteer", "frivillig"},
        };
        for (size_t i = 0; i < sizeof by_labels / sizeof by_labels[0]; i++)
            central_buf_printf(
                out, "<option value=\"%s\"%s>%s</option>", by_labels[i][0],
                strcmp(by_labels[i][0], central_report_by_name(report->by)) == 0 ? " selected" : "",
                by_labels[i][1]);
        central_buf_str(out, "</select></label><button>Vis</button></form>");
        static const char *const headings[][2] = {
            [CENTRAL_BY_SITE] = {"Enhet", "Type"},
            [CENTRAL_BY_KIND] = {"Tjenesteområde", NULL},
            [CENTRAL_BY_ACTIVITY] = {"Aktivitet", "Dato og sted"},
            [CENTRAL_BY_MONTH] = {"Måned", NULL},
            [CENTRAL_BY_VOLUNTEER] = {"Frivillig", "Navn"},
        };
        report_table(out, report, headings[report->by][0], headings[report->by][1]);
        central_buf_str(out, "<p><a href=\"/report.csv?from=");
        central_buf_html(out, from);
        central_buf_str(out, "&amp;to=");
        central_buf_html(out, to);
        central_buf_printf(out, "&amp;by=%s\">Last ned som CSV for Excel</a></p>",
                           central_report_by_name(report->by));
        page_end(out);
        rc = out->failed ? -E2BIG : 0;
    }
    central_report_free(report);
    if (rc)
        central_respond_error(response, 500, "internal", "the report did not fit in memory");
}
