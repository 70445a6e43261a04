/* The coordinator's dashboard: one page with this year's hours per kind of
 * service and per site, each kiosk's last contact, visits awaiting review,
 * and the report page with its CSV. In the signed-in person's language
 * (web.h's _(), the web app's catalogues), inline CSS, nothing fetched
 * from the internet; a silent kiosk is marked in words, not colour alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "opening.h"
#include "report.h"
#include "store_mail.h"
#include "web.h"
#include "web_report.h"

#define REVIEW_ROWS 50

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* "3 døgn", "5 timer", "12 minutter". */
static void format_age(const struct web *web, int64_t seconds, char *out, size_t cap)
{
    if (seconds >= 2 * 86400)
        snprintf(out, cap, _("%lld døgn"), (long long)(seconds / 86400));
    else if (seconds >= 2 * 3600)
        snprintf(out, cap, _("%lld timer"), (long long)(seconds / 3600));
    else if (seconds >= 120)
        snprintf(out, cap, _("%lld minutter"), (long long)(seconds / 60));
    else
        snprintf(out, cap, "%s", _("under to minutter"));
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

static void page_start(const struct web *web, struct central_buf *out, const char *title)
{
    central_buf_printf(out,
                       "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\"><title>",
                       web_lang(web));
    central_buf_html(out, title);
    central_buf_printf(out, "</title>%s</head><body><header><h1>", page_style);
    central_buf_html(out, title);
    char when[96];
    /* TRANSLATORS: the weekday, then the date and time. */
    char date[80];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    web_when_long(web, now_us(), date, sizeof date);
    snprintf(when, sizeof when, "%s %s", web_weekday(web, tm.tm_wday ? tm.tm_wday : 7), date);
    central_buf_htmlf(out, "</h1><p>Tilstede · %s · %s</p></header><main>", _("frivillige timer"),
                      when);
}

static void page_end(struct central_buf *out)
{
    central_buf_str(out, "</main></body></html>\n");
}

static void number_cells(const struct web *web, struct central_buf *out,
                         const struct central_report *report, int64_t seconds)
{
    char hours[48], arsverk[48];
    web_number(web, central_report_hours(seconds), 0, hours, sizeof hours);
    web_number(web, central_report_arsverk(report, seconds), 1, arsverk, sizeof arsverk);
    central_buf_printf(out, "<td class=\"n\">%s</td><td class=\"n\">%s</td>", hours, arsverk);
}

static void visits_cell(const struct web *web, struct central_buf *out, int64_t visits)
{
    char text[48];
    web_number(web, (double)visits, 0, text, sizeof text);
    central_buf_printf(out, "<td class=\"n\">%s</td>", text);
}

static void report_table(const struct web *web, struct central_buf *out,
                         const struct central_report *report)
{
    const char *heading, *detail_heading;
    central_report_headings(report->by, &heading, &detail_heading);
    central_buf_htmlf(out, "<div class=\"wide\"><table><thead><tr><th scope=\"col\">%s</th>",
                      web_report_words(web, heading));
    if (detail_heading)
        central_buf_htmlf(out, "<th scope=\"col\">%s</th>", web_report_words(web, detail_heading));
    central_buf_htmlf(out,
                      "<th scope=\"col\" class=\"n\">%s</th><th scope=\"col\" "
                      "class=\"n\">%s</th><th scope=\"col\" class=\"n\">%s</th>"
                      "</tr></thead><tbody>",
                      _("Timer"), _("Årsverk"), _("Besøk"));
    for (size_t i = 0; i < report->count; i++) {
        const struct central_report_row *row = &report->rows[i];
        central_buf_str(out, "<tr><td>");
        central_buf_html(out, web_report_words(web, row->label));
        central_buf_str(out, "</td>");
        if (detail_heading) {
            central_buf_str(out, "<td>");
            central_buf_html(out, web_report_words(web, row->detail));
            central_buf_str(out, "</td>");
        }
        number_cells(web, out, report, row->seconds);
        visits_cell(web, out, row->visits);
        central_buf_str(out, "</tr>");
    }
    central_buf_printf(out, "<tr class=\"sum\"><td%s>", detail_heading ? " colspan=\"2\"" : "");
    central_buf_htmlf(out, "%s</td>", _("Sum"));
    number_cells(web, out, report, report->total.seconds);
    visits_cell(web, out, report->total.visits);
    central_buf_str(out, "</tr></tbody></table></div>");
}

struct device_rows {
    const struct web *web;
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
static void reader_state_html(const struct web *web, struct central_buf *out, const char *state)
{
    static const struct {
        const char *name, *words;
        int flag;
    } states[] = {{"connected", N_("ok"), 0},
                  {"starting", N_("starter"), 0},
                  {"disconnected", N_("ikke tilkoblet"), 1},
                  {"stopped", N_("stoppet"), 1}};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (!strcmp(state, states[i].name)) {
            central_buf_htmlf(out, states[i].flag ? "<span class=\"flag\">%s</span>" : "%s",
                              _(states[i].words));
            return;
        }
    central_buf_htmlf(out, "%s", _("ukjent"));
}

/* "⚠ Gjenopprettet fra sikkerhetskopi 22.11. 03.00; 14 hendelser hentet
 * tilbake": the kiosk restored a backup and tells of it until staff have
 * seen it and the central's events are back on it. */
static void recovery_html(const struct web *web, struct central_buf *out,
                          const struct central_recovery *r)
{
    time_t t = (time_t)(r->backup_us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    char restored[160];
    /* TRANSLATORS: the backup's day, month, hour and minute. */
    snprintf(restored, sizeof restored, _("Gjenopprettet fra sikkerhetskopi %02d.%02d. %02d.%02d"),
             tm.tm_mday, tm.tm_mon + 1, tm.tm_hour, tm.tm_min);
    /* central_buf_htmlf knows no widths: the text is made first. */
    central_buf_htmlf(out, "<br><span class=\"flag\">⚠ %s</span>", restored);
    if (r->skipped_backups > 0)
        central_buf_htmlf(out,
                          web_ntext(web, " (%lld nyere sikkerhetskopi var skadet)",
                                    " (%lld nyere sikkerhetskopier var skadet)",
                                    (long)r->skipped_backups),
                          (long long)r->skipped_backups);
    long long fetched = (long long)r->fetched_events;
    if (strcmp(r->fetch, "done") == 0)
        central_buf_htmlf(out,
                          web_ntext(web, "; %lld hendelse hentet tilbake",
                                    "; %lld hendelser hentet tilbake", (long)fetched),
                          fetched);
    else if (strcmp(r->fetch, "pending") == 0)
        central_buf_htmlf(out, _("; henter hendelser tilbake fra sentralen (%lld så langt)"),
                          fetched);
    else
        central_buf_htmlf(out, "%s", _("; ingen sentral å hente hendelser fra"));
}

static int device_row(void *ctx, const struct central_device *d)
{
    struct device_rows *rows = ctx;
    const struct web *web = rows->web;
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
        recovery_html(web, out, &d->status.recovery);
    central_buf_str(out, "</td><td>");
    if (silent) {
        char age_text[48];
        format_age(web, age, age_text, sizeof age_text);
        central_buf_str(out, "<span class=\"flag t\">⚠ ");
        if (seen)
            central_buf_htmlf(out, _("Stille i %s"), age_text);
        else
            central_buf_htmlf(out, "%s", _("Aldri hørt fra"));
        central_buf_str(out, seen ? "</span><br>" : "</span>");
    }
    if (seen) {
        char when[80];
        web_when(web, seen, when, sizeof when);
        central_buf_str(out, "<span class=\"t\">");
        central_buf_html(out, when);
        central_buf_str(out, "</span>");
    }
    central_buf_str(out, "</td>");
    if (d->status.received_us) {
        central_buf_printf(out, "<td class=\"n\">%lld", (long long)d->status.events_waiting);
        /* Refused events never arrive: their hours are missing here. */
        if (d->status.events_refused > 0)
            central_buf_htmlf(out, _("<br><span class=\"flag\">⚠ %lld avvist</span>"),
                              (long long)d->status.events_refused);
        central_buf_str(out, "</td><td>");
        central_buf_html(out, d->status.software_version);
        central_buf_str(out, "</td><td>");
        reader_state_html(web, out, d->status.reader_state);
        central_buf_str(out, "</td><td>");
        central_buf_htmlf(out, d->status.clock_synced ? "%s" : "<span class=\"flag\">%s</span>",
                          d->status.clock_synced ? _("synkronisert") : _("ikke synkronisert"));
        central_buf_str(out, "</td><td>");
        if (d->status.token_refused_us) {
            char when[80];
            web_when(web, d->status.token_refused_us, when, sizeof when);
            central_buf_str(out, "<span class=\"flag\">⚠ ");
            central_buf_htmlf(out, _("Nøkkelen avvist %s"), when);
            central_buf_str(out, "</span><br>");
        }
        central_buf_html(out, d->status.last_error[0] ? d->status.last_error : "–");
        central_buf_str(out, "</td></tr>");
    } else {
        central_buf_htmlf(out, "<td class=\"n\">–</td><td colspan=\"4\" class=\"muted\">%s"
                               "</td></tr>",
                          _("ingen statusrapport ennå"));
    }
    return 0;
}

struct review_rows {
    const struct web *web;
    struct central_buf *out;
    int count;
};

static int review_row(void *ctx, const struct central_review *r)
{
    struct review_rows *rows = ctx;
    const struct web *web = rows->web;
    struct central_buf *out = rows->out;
    char start[80], end[80];
    web_when(web, r->start_us, start, sizeof start);
    web_when(web, r->end_us, end, sizeof end);
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
    const struct web *web;
    struct central_buf *out;
    int count;
};

static int mail_row(void *ctx, const struct central_mail_state *state)
{
    struct mail_rows *rows = ctx;
    const struct web *web = rows->web;
    if (!rows->count++)
        central_buf_htmlf(rows->out,
                          "<h2>%s</h2><p><span class=\"flag\">⚠ %s</span> %s</p>"
                          "<div class=\"wide\"><table><thead><tr><th scope=\"col\">%s</th>"
                          "<th scope=\"col\">%s</th><th scope=\"col\" class=\"n\">%s</th>"
                          "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>"
                          "<tbody>",
                          _("Månedsrapporten på e-post – ikke sendt"), _("E-posten gikk ikke."),
                          _("Den prøves igjen av seg selv; sjekk e-postoppsettet (--smtp-url) om "
                            "feilen står."),
                          _("Måned"), _("Til"), _("Forsøk"), _("Neste forsøk"), _("Feil"));
    char next[80];
    web_when(web, state->next_try_us, next, sizeof next);
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

void central_dashboard_page(const struct web *web)
{
    struct central_request *request = web->request;
    struct central_response *response = web->response;
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
    char title[96];
    snprintf(title, sizeof title, _("Frivillige timer %d"), tm.tm_year + 1900);
    page_start(web, out, title);

    char hours[48], arsverk[48], per_text[32];
    web_number(web, central_report_hours(by_kind->total.seconds), 0, hours, sizeof hours);
    web_number(web, central_report_arsverk(by_kind, by_kind->total.seconds), 1, arsverk,
               sizeof arsverk);
    web_number(web, per, 0, per_text, sizeof per_text);
    central_buf_htmlf(out,
                      _("<p class=\"lead\">Hittil i år: <strong>%s timer</strong>, "
                        "<strong>%s årsverk</strong> <span class=\"muted\">(1 årsverk = %s "
                        "timer)</span></p>"),
                      hours, arsverk, per_text);

    central_buf_htmlf(out, "<h2>%s</h2>", _("Timer etter tjenesteområde"));
    report_table(web, out, by_kind);
    central_buf_htmlf(out,
                      "<p><a href=\"/report.csv?from=%s&amp;to=%s&amp;by=kind\">%s</a> · "
                      "<a href=\"/report?from=%s&amp;to=%s&amp;by=kind\">%s</a></p>",
                      from, to, _("Last ned som CSV for Excel"), from, to, _("Flere rapporter"));

    central_buf_htmlf(out, "<h2>%s</h2>", _("Timer etter enhet"));
    report_table(web, out, by_site);
    central_buf_htmlf(out,
                      "<p><a href=\"/report.csv?from=%s&amp;to=%s&amp;by=site\">%s</a> · "
                      "<a href=\"/report?from=%s&amp;to=%s&amp;by=month\">%s</a> · "
                      "<a href=\"/report?from=%s&amp;to=%s&amp;by=activity\">%s</a></p>",
                      from, to, _("Last ned som CSV"), from, to, _("Per måned"), from, to,
                      _("Per aktivitet"));

    central_buf_htmlf(out,
                      "<h2>%s</h2><div class=\"wide\"><table><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\" class=\"n\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                      _("Kiosker"), _("Enhet"), _("Kiosk"), _("Sist kontakt"),
                      _("Ventende hendelser"), _("Programvare"), _("Kortleser"), _("Klokke"),
                      _("Siste feil"));
    /* Without the hours (a store that has none) every site counts as open. */
    central_openings_load(request->store, &openings, err, sizeof err);
    struct device_rows devices = {web,       out, by_site, now_us(), request->config->silent_after_s,
                                  &openings, 0,   0};
    if ((rc = central_store_devices(request->store, device_row, &devices, err, sizeof err))) {
        fail_page(response, rc, err);
        goto out;
    }
    if (!devices.count)
        central_buf_htmlf(out, "<tr><td colspan=\"8\" class=\"muted\">%s</td></tr>",
                          _("Ingen kiosker er registrert."));
    central_buf_str(out, "</tbody></table></div>");
    if (devices.silent) {
        central_buf_str(out, "<p><span class=\"flag\">⚠ ");
        central_buf_htmlf(out,
                          web_ntext(web, "%zu kiosk er ikke hørt fra på %lld timer i enhetens "
                                         "åpningstid.",
                                    "%zu kiosker er ikke hørt fra på %lld timer i enhetens "
                                    "åpningstid.",
                                    devices.silent),
                          (size_t)devices.silent,
                          (long long)(request->config->silent_after_s / 3600));
        central_buf_htmlf(out, "</span> %s</p>", _("Sjekk strøm og nettverk."));
    }

    struct mail_rows mails = {web, out, 0};
    rc = central_store_mail_failures(request->store, mail_row, &mails, err, sizeof err);
    if (rc && rc != -ENOTSUP) {
        fail_page(response, rc, err);
        goto out;
    }
    if (mails.count)
        central_buf_str(out, "</tbody></table></div>");

    central_buf_htmlf(out,
                      "<h2>%s</h2><p class=\"muted\">%s</p><div class=\"wide\"><table><thead>"
                      "<tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                      _("Besøk avsluttet automatisk – til gjennomgang"),
                      _("Frivillige som glemte å sjekke ut. Rett tiden på kiosken "
                        "(personalmenyen) om den ikke stemmer."),
                      _("Enhet"), _("Frivillig"), _("Inn"), _("Ut (satt automatisk)"));
    struct review_rows reviews = {web, out, 0};
    if ((rc = central_store_reviews(request->store, REVIEW_ROWS, review_row, &reviews, err,
                                    sizeof err))) {
        fail_page(response, rc, err);
        goto out;
    }
    if (!reviews.count)
        central_buf_htmlf(out, "<tr><td colspan=\"4\" class=\"muted\">%s</td></tr>",
                          _("Ingenting å gå gjennom."));
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
void central_dashboard_report(const struct web *web)
{
    struct central_request *request = web->request;
    struct central_response *response = web->response;
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
        page_start(web, out, _("Rapport: frivillige timer"));
        central_buf_htmlf(out,
                          "<nav><a href=\"/\">← %s</a></nav><form method=\"get\" "
                          "action=\"/report\"><label>%s <input type=\"date\" name=\"from\" "
                          "value=\"%s\"></label><label>%s <input type=\"date\" name=\"to\" "
                          "value=\"%s\"></label><label>%s <select name=\"by\">",
                          _("Oversikt"), _("Fra"), from, _("Til"), to, _("Etter"));
        static const char *const by_labels[][2] = {
            {"kind", N_("tjenesteområde")}, {"site", N_("enhet")},
            {"activity", N_("aktivitet")},  {"month", N_("måned")},
            {"volunteer", N_("frivillig")},
        };
        for (size_t i = 0; i < sizeof by_labels / sizeof by_labels[0]; i++)
            central_buf_htmlf(
                out, "<option value=\"%s\"%s>%s</option>", by_labels[i][0],
                strcmp(by_labels[i][0], central_report_by_name(report->by)) == 0 ? " selected" : "",
                _(by_labels[i][1]));
        central_buf_htmlf(out, "</select></label><button>%s</button></form>", _("Vis"));
        report_table(web, out, report);
        central_buf_str(out, "<p><a href=\"/report.csv?from=");
        central_buf_html(out, from);
        central_buf_str(out, "&amp;to=");
        central_buf_html(out, to);
        central_buf_htmlf(out, "&amp;by=%s\">%s</a></p>", central_report_by_name(report->by),
                          _("Last ned som CSV for Excel"));
        page_end(out);
        rc = out->failed ? -E2BIG : 0;
    }
    central_report_free(report);
    if (rc)
        central_respond_error(response, 500, "internal", "the report did not fit in memory");
}
