/* The reports in the browser: hours and årsverk for a period, grouped by
 * service area, site, activity, month or volunteer, with a way down (an
 * area to its sites, a site to its activities and volunteers, a volunteer
 * to their visits), and every report as CSV and as an Excel workbook. The
 * figures are report.c's (central_report_run_at), the files report.c's CSV
 * and xlsx.c's workbook: the page, the downloads and `tilstede-central
 * report` cannot disagree. A contact's reports hold their sites only: the
 * store is asked for those sites, whatever the URL names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "report.h"
#include "visit_list.h"
#include "web.h"
#include "web_report.h"
#include "xlsx.h"

#define VISITS_SHOWN 1000 /* a volunteer's visits in the period, newest first */

/* Every word these pages show, in one place (bokmål). */
static const struct {
    const char *title, *period, *year, *quarter, *month, *range, *whole_year, *from, *to, *by,
        *show, *by_kind, *by_site, *by_activity, *by_month, *by_volunteer, *everything, *crumbs,
        *hours, *arsverk, *visits, *sum, *download, *csv, *xlsx, *annual, *nothing, *volunteers,
        *volunteers_at, *visits_of, *col_site, *col_came, *col_left, *col_activity, *here_now,
        *no_visits, *first_only, *per_arsverk, *of_period, *col_hours, *col_arsverk, *col_visits,
        *statement;
    const char *bad_title, *bad_by, *no_site_title, *no_site, *no_area, *busy_title, *busy,
        *too_large, *too_many_visits;
} text = {
    .title = N_("Rapporter"),
    .period = N_("Periode"),
    .year = N_("År"),
    .quarter = N_("Kvartal"),
    .month = N_("Måned"),
    .range = N_("Fra og til dato"),
    .whole_year = N_("Hele året"),
    .from = N_("Fra"),
    .to = N_("Til"),
    .by = N_("Gruppert etter"),
    .show = N_("Vis"),
    .by_kind = N_("Tjenesteområde"),
    .by_site = N_("Enhet"),
    .by_activity = N_("Aktivitet"),
    .by_month = N_("Måned"),
    .by_volunteer = N_("Frivillig"),
    .everything = N_("Alle enheter"),
    .crumbs = N_("Hvor i rapporten"),
    .hours = N_("timer"),
    .arsverk = N_("årsverk"),
    .visits = N_("besøk"),
    .sum = N_("Sum"),
    .download = N_("Last ned"),
    .csv = N_("CSV for Excel"),
    .xlsx = N_("Excel-arbeidsbok (.xlsx)"),
    .annual = N_("Årsrapporten"),
    .nothing = N_("Ingen timer registrert i perioden."),
    .volunteers = N_("Frivillige"),
    .volunteers_at = N_("Frivillige på"),
    .visits_of = N_("Besøk"),
    .col_site = N_("Enhet"),
    .col_came = N_("Kom"),
    .col_left = N_("Gikk"),
    .col_activity = N_("Aktivitet"),
    .here_now = N_("er her nå"),
    .no_visits = N_("Ingen besøk i perioden."),
    .first_only = N_("Viser de nyeste"),
    .per_arsverk = N_("1 årsverk ="),
    .of_period = N_("i perioden"),
    .col_hours = N_("Timer"),
    .col_arsverk = N_("Årsverk"),
    .col_visits = N_("Besøk"),
    .statement = N_("Timebekreftelse"),
    .bad_title = N_("Rapporten kan ikke lages"),
    .bad_by = N_("Grupperingen må være tjenesteområde, enhet, aktivitet, måned eller frivillig."),
    .no_site_title = N_("Fant ikke enheten"),
    .no_site = N_("Det finnes ingen enhet med denne ID-en som du har tilgang til."),
    .no_area = N_("Det finnes ikke noe slikt tjenesteområde."),
    .busy_title = N_("Prøv igjen"),
    .busy = N_("Rapporten kunne ikke leses nå. Prøv igjen om litt."),
    .too_many_visits = N_("Det er for mange besøk for én fil. Velg en kortere periode."),
    .too_large =
        N_("Rapporten er for stor for én side. Last den ned som CSV eller Excel-arbeidsbok, "
           "eller velg en kortere periode eller én enhet."),
};

/* ---- what the request asks for (shared with web_year.c and
 * web_statement.c through web_report.h) ---- */

static int sees_every_site(const struct web *web)
{
    return web->user.role == CENTRAL_ROLE_COORDINATOR || web->user.role == CENTRAL_ROLE_VIEWER;
}

struct site_collect {
    const struct web *web;
    struct web_scope *scope;
    int failed;
};

static int collect_site(void *ctx, const struct central_site *site)
{
    struct site_collect *c = ctx;
    struct web_scope *scope = c->scope;
    if (!sees_every_site(c->web) && !web_may_site(c->web, site->id))
        return 0;
    if (scope->area[0] && strcmp(central_report_area(site->kind), scope->area) != 0)
        return 0;
    if (scope->site.id[0] && strcmp(scope->site.id, site->id) != 0)
        return 0;
    if (scope->count == scope->cap) {
        size_t cap = scope->cap ? scope->cap * 2 : 16;
        struct central_site *sites = realloc(scope->sites, cap * sizeof *sites);
        const char **ids = realloc(scope->ids, cap * sizeof *ids);
        if (sites)
            scope->sites = sites;
        if (ids)
            scope->ids = ids;
        if (!sites || !ids) {
            c->failed = 1;
            return -ENOMEM;
        }
        scope->cap = cap;
    }
    scope->sites[scope->count++] = *site;
    return 0;
}

int web_scope_read(const struct web *web, struct web_scope *scope, unsigned *status,
                   const char **title, const char **words)
{
    memset(scope, 0, sizeof *scope);
    const char *area = web_field(web, "area"), *site = web_field(web, "site");
    char err[256];
    *status = 0;
    if (area && area[0]) {
        const char *label = central_report_area_label(area);
        if (!label) {
            *status = MHD_HTTP_NOT_FOUND;
            *title = _(text.bad_title);
            *words = _(text.no_area);
            return -1;
        }
        snprintf(scope->area, sizeof scope->area, "%s", area);
        scope->area_label = label;
    }
    if (site && site[0]) {
        /* Another site's id, or one that does not exist: the same answer. */
        if (strlen(site) >= sizeof scope->site.id ||
            (!sees_every_site(web) && !web_may_site(web, site)) ||
            central_store_site_get(web->request->store, site, &scope->site, err, sizeof err)) {
            *status = MHD_HTTP_NOT_FOUND;
            *title = _(text.no_site_title);
            *words = _(text.no_site);
            return -1;
        }
    }
    struct site_collect c = {web, scope, 0};
    if (central_store_sites(web->request->store, collect_site, &c, err, sizeof err)) {
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        *title = _(text.busy_title);
        *words = _(text.busy);
        return -1;
    }
    for (size_t i = 0; i < scope->count; i++)
        scope->ids[i] = scope->sites[i].id;
    /* Every site of the municipality: no filter at all, so a coordinator's
     * report is the CLI's to the second. */
    scope->all = sees_every_site(web) && !scope->area[0] && !scope->site.id[0];
    return 0;
}

void web_scope_free(struct web_scope *scope)
{
    free(scope->sites);
    free(scope->ids);
}

int web_scope_report(const struct web *web, const struct web_scope *scope,
                     const struct web_period *period, enum central_report_by by,
                     struct central_report **out)
{
    static const char *const none[1] = {""};
    char err[256];
    double per = web->request->config->hours_per_arsverk > 0
                     ? web->request->config->hours_per_arsverk
                     : CENTRAL_HOURS_PER_ARSVERK_DEFAULT;
    return central_report_run_at(web->request->store, period->from, period->to, by, per,
                                 scope->all     ? NULL
                                 : scope->count ? scope->ids
                                                : none,
                                 scope->all ? 0 : scope->count, out, err, sizeof err);
}

void web_hours_words(const struct web *web, double hours, char *out, size_t cap)
{
    web_number(web, hours, 1, out, cap);
}

void web_arsverk_words(const struct web *web, double arsverk, char *out, size_t cap)
{
    web_number(web, arsverk, 2, out, cap);
}

/* ---- the page ---- */

struct request {
    struct web_period period;
    struct web_scope scope;
    int by; /* enum central_report_by, or -1: a volunteer's visits */
    const char *by_name;
    char volunteer[EVENT_KEY_MAX];
    char query[1024]; /* period, scope and grouping, for the downloads */
    char place[640];  /* period and scope, for the drill-down links */
};

static const char *by_words(const struct web *web, int by)
{
    switch (by) {
    case CENTRAL_BY_KIND:
        return _(text.by_kind);
    case CENTRAL_BY_SITE:
        return _(text.by_site);
    case CENTRAL_BY_ACTIVITY:
        return _(text.by_activity);
    case CENTRAL_BY_MONTH:
        return _(text.by_month);
    case CENTRAL_BY_VOLUNTEER:
        return _(text.by_volunteer);
    }
    return _(text.visits_of);
}

/* Reads the request, or answers it with the reason and returns 1. */
static int read_request(struct web *web, struct request *r)
{
    memset(r, 0, sizeof *r);
    char why[256];
    if (web_period_parse(web, &r->period, why, sizeof why)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), why);
        return 1;
    }
    const char *by = web_field(web, "by");
    const char *volunteer = web_field(web, "volunteer");
    r->by_name = by && by[0] ? by : "kind";
    if (!strcmp(r->by_name, "visits") && volunteer && volunteer[0] &&
        strlen(volunteer) < sizeof r->volunteer) {
        r->by = -1;
        snprintf(r->volunteer, sizeof r->volunteer, "%s", volunteer);
    } else if ((r->by = central_report_by_parse(r->by_name)) < 0) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.bad_by));
        return 1;
    }
    unsigned status;
    const char *title, *words;
    if (web_scope_read(web, &r->scope, &status, &title, &words)) {
        web_message(web, status, title, words);
        return 1;
    }
    char area[WEB_URL_PART_MAX(CENTRAL_KIND_MAX * 2)], site[WEB_URL_PART_MAX(EVENT_KEY_MAX)],
        who[WEB_URL_PART_MAX(EVENT_KEY_MAX)];
    web_url_part(r->scope.area, area, sizeof area);
    web_url_part(r->scope.site.id, site, sizeof site);
    web_url_part(r->volunteer, who, sizeof who);
    snprintf(r->place, sizeof r->place, "%s%s%s%s%s", r->period.query, area[0] ? "&area=" : "",
             area, site[0] ? "&site=" : "", site);
    snprintf(r->query, sizeof r->query, "%s&by=%s%s%s", r->place, r->by_name,
             who[0] ? "&volunteer=" : "", who);
    return 0;
}

static void option(struct central_buf *out, const char *value, const char *chosen,
                   const char *words)
{
    central_buf_htmlf(out, "<option value=\"%s\"%s>%s</option>", value,
                      !strcmp(value, chosen) ? " selected" : "", words);
}

static void period_form(struct web *web, const struct request *r)
{
    struct central_buf *out = web->out;
    const struct web_period *p = &r->period;
    central_buf_str(out, "<form class=\"filters\" method=\"get\" action=\"/reports\">");
    central_buf_htmlf(out,
                      "<div><label for=\"rperiod\">%s</label><select id=\"rperiod\" "
                      "name=\"period\">",
                      _(text.period));
    option(out, "year", p->kind, _(text.whole_year));
    option(out, "quarter", p->kind, _(text.quarter));
    option(out, "month", p->kind, _(text.month));
    option(out, "range", p->kind, _(text.range));
    central_buf_htmlf(out,
                      "</select></div><div><label for=\"ryear\">%s</label><input id=\"ryear\" "
                      "name=\"year\" type=\"number\" min=\"2000\" max=\"2099\" value=\"%d\" "
                      "inputmode=\"numeric\"></div>"
                      "<div><label for=\"rquarter\">%s</label><select id=\"rquarter\" "
                      "name=\"quarter\">",
                      _(text.year), p->year, _(text.quarter));
    for (int q = 1; q <= 4; q++)
        central_buf_htmlf(out, "<option value=\"%d\"%s>%d.</option>", q,
                          q == p->quarter ? " selected" : "", q);
    central_buf_htmlf(out,
                      "</select></div><div><label for=\"rmonth\">%s</label><select id=\"rmonth\" "
                      "name=\"month\">",
                      _(text.month));
    for (int m = 1; m <= 12; m++)
        central_buf_htmlf(out, "<option value=\"%d\"%s>%s</option>", m,
                          m == p->month ? " selected" : "", web_month_name(web, m));
    central_buf_htmlf(out,
                      "</select></div><div><label for=\"rfrom\">%s</label><input id=\"rfrom\" "
                      "name=\"from\" type=\"date\" value=\"%s\"></div><div><label "
                      "for=\"rto\">%s</label><input id=\"rto\" name=\"to\" type=\"date\" "
                      "value=\"%s\"></div>",
                      _(text.from), p->from, _(text.to), p->to);
    central_buf_htmlf(out, "<div><label for=\"rby\">%s</label><select id=\"rby\" name=\"by\">",
                      _(text.by));
    static const char *const names[] = {"kind", "site", "activity", "month", "volunteer"};
    static const int bys[] = {CENTRAL_BY_KIND, CENTRAL_BY_SITE, CENTRAL_BY_ACTIVITY,
                              CENTRAL_BY_MONTH, CENTRAL_BY_VOLUNTEER};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        option(out, names[i], r->by_name, by_words(web, bys[i]));
    central_buf_str(out, "</select></div>");
    if (r->scope.area[0])
        central_buf_htmlf(out, "<input type=\"hidden\" name=\"area\" value=\"%s\">", r->scope.area);
    if (r->scope.site.id[0])
        central_buf_htmlf(out, "<input type=\"hidden\" name=\"site\" value=\"%s\">",
                          r->scope.site.id);
    central_buf_htmlf(out, "<div><button type=\"submit\">%s</button></div></form>", _(text.show));
}

/* "Alle enheter › Helsehus og sykehjem › Lilleby sykehjem" */
static void crumbs(struct web *web, const struct request *r)
{
    struct central_buf *out = web->out;
    if (!r->scope.area[0] && !r->scope.site.id[0] && r->by >= 0)
        return;
    central_buf_htmlf(out, "<nav class=\"crumbs\" aria-label=\"%s\"><ol>", _(text.crumbs));
    central_buf_htmlf(out, "<li><a href=\"/reports?%s&amp;by=kind\">%s</a></li>", r->period.query,
                      _(text.everything));
    const char *area = r->scope.area[0]      ? r->scope.area
                       : r->scope.site.id[0] ? central_report_area(r->scope.site.kind)
                                             : NULL;
    if (area)
        central_buf_htmlf(out, "<li><a href=\"/reports?%s&amp;by=site&amp;area=%s\">%s</a></li>",
                          r->period.query, area, central_report_area_label(area));
    if (r->scope.site.id[0]) {
        char site[WEB_URL_PART_MAX(EVENT_KEY_MAX)];
        web_url_part(r->scope.site.id, site, sizeof site);
        central_buf_htmlf(out,
                          "<li><a href=\"/reports?%s&amp;by=activity&amp;site=%s\">%s</a></li>",
                          r->period.query, site, r->scope.site.name);
    }
    central_buf_str(out, "</ol></nav>");
}

static void sum_line(struct web *web, const struct central_report *report)
{
    char hours[48], arsverk[48], per[32];
    web_hours_words(web, central_report_hours(report->total.seconds), hours, sizeof hours);
    web_arsverk_words(web, central_report_arsverk(report, report->total.seconds), arsverk,
                      sizeof arsverk);
    web_number(web, report->hours_per_arsverk, 0, per, sizeof per);
    central_buf_htmlf(web->out,
                      "<p class=\"total\"><strong>%s: %s %s, %s %s</strong>, %lld %s "
                      "<span class=\"fresh\">(%s %s %s)</span></p>",
                      _(text.sum), hours, _(text.hours), arsverk, _(text.arsverk),
                      (long long)report->total.visits, _(text.visits), _(text.per_arsverk), per,
                      _(text.hours));
}

/* The report's own words (report.c: bokmål, as the CSV and the workbook
 * keep them): its headings and the kinds of service and their groups. */
static const char *const report_words[] = {
    N_("Helsehus og sykehjem"), N_("Aktivitetshusene"), N_("Hjemmetjenestene"), N_("Andre"),
    N_("Sykehjem"), N_("Helsehus"), N_("Aktivitetshus"), N_("Hjemmetjeneste"), N_("Annet"),
    N_("Enhet"), N_("Type"), N_("Tjenesteområde"), N_("Aktivitet"), N_("Dato og sted"),
    N_("Måned"), N_("Frivillig"), N_("Navn")};

const char *web_report_words(const struct web *web, const char *words)
{
    /* Only the report's own words: a site's or a volunteer's name is
     * data, and never goes through a catalogue. */
    for (size_t i = 0; words && i < sizeof report_words / sizeof *report_words; i++)
        if (!strcmp(words, report_words[i]))
            return _(report_words[i]);
    return words;
}

/* The first cell of a row: its label, a link down where there is one. */
static void label_cell(struct web *web, const struct request *r,
                       const struct central_report_row *row)
{
    struct central_buf *out = web->out;
    char key[WEB_URL_PART_MAX(EVENT_KEY_MAX)];
    web_url_part(row->key, key, sizeof key);
    switch (r->by) {
    case CENTRAL_BY_KIND:
        central_buf_htmlf(out,
                          "<th scope=\"row\"><a href=\"/reports?%s&amp;by=site&amp;area=%s\">%s"
                          "</a></th>",
                          r->period.query, key, web_report_words(web, row->label));
        return;
    case CENTRAL_BY_SITE:
        central_buf_htmlf(out,
                          "<th scope=\"row\"><a href=\"/reports?%s&amp;by=activity&amp;site=%s\">"
                          "%s</a> <a class=\"also\" href=\"/reports?%s&amp;by=volunteer&amp;"
                          "site=%s\"><span class=\"sr\">%s %s: </span>%s</a></th>",
                          r->period.query, key, row->label, r->period.query, key,
                          _(text.volunteers_at), row->label, _(text.volunteers));
        return;
    case CENTRAL_BY_VOLUNTEER:
        central_buf_htmlf(out,
                          "<th scope=\"row\"><a href=\"/reports?%s&amp;by=visits&amp;volunteer=%s"
                          "\">%s</a></th>",
                          r->place, key, row->label);
        return;
    default:
        central_buf_htmlf(out, "<th scope=\"row\">%s</th>", row->label);
    }
}

static void number_cells(struct web *web, const struct central_report *report,
                         const struct central_report_row *row)
{
    char hours[48], arsverk[48];
    web_hours_words(web, central_report_hours(row->seconds), hours, sizeof hours);
    web_arsverk_words(web, central_report_arsverk(report, row->seconds), arsverk, sizeof arsverk);
    central_buf_htmlf(web->out,
                      "<td class=\"n\" data-label=\"%s\">%s</td><td class=\"n\" "
                      "data-label=\"%s\">%s</td><td class=\"n\" data-label=\"%s\">%lld</td>",
                      _(text.col_hours), hours, _(text.col_arsverk), arsverk, _(text.col_visits),
                      (long long)row->visits);
}

static void report_table(struct web *web, const struct request *r,
                         const struct central_report *report)
{
    struct central_buf *out = web->out;
    const char *group, *detail;
    central_report_headings(report->by, &group, &detail);
    central_buf_htmlf(out,
                      "<div class=\"wide\"><table class=\"stack report\" id=\"report\">"
                      "<caption class=\"sr\">%s</caption><thead><tr><th scope=\"col\">%s</th>",
                      by_words(web, r->by), web_report_words(web, group));
    detail = detail ? web_report_words(web, detail) : NULL;
    if (detail)
        central_buf_htmlf(out, "<th scope=\"col\">%s</th>", detail);
    central_buf_htmlf(out,
                      "<th scope=\"col\" class=\"n\">%s</th><th scope=\"col\" class=\"n\">%s"
                      "</th><th scope=\"col\" class=\"n\">%s</th></tr></thead><tbody>",
                      _(text.col_hours), _(text.col_arsverk), _(text.col_visits));
    for (size_t i = 0; i < report->count; i++) {
        const struct central_report_row *row = &report->rows[i];
        central_buf_str(out, "<tr>");
        label_cell(web, r, row);
        if (detail)
            central_buf_htmlf(out, "<td data-label=\"%s\">%s</td>", detail,
                              web_report_words(web, row->detail));
        number_cells(web, report, row);
        central_buf_str(out, "</tr>");
    }
    central_buf_htmlf(out, "</tbody><tfoot><tr class=\"sum\"><th scope=\"row\">%s</th>",
                      _(text.sum));
    if (detail)
        central_buf_str(out, "<td></td>");
    number_cells(web, report, &report->total);
    central_buf_str(out, "</tr></tfoot></table></div>");
}

static void downloads(struct web *web, const struct request *r)
{
    central_buf_htmlf(web->out,
                      "<p class=\"downloads\">%s: <a href=\"/reports.csv?%s\" download>%s</a> · "
                      "<a href=\"/reports.xlsx?%s\" download>%s</a> · <a href=\"/year?year=%d\">"
                      "%s %d</a></p>",
                      _(text.download), r->query, _(text.csv), r->query, _(text.xlsx),
                      r->period.year, _(text.annual), r->period.year);
}

/* ---- a volunteer's visits in the period ---- */

/* The list of a volunteer's visits the request names: its period, and the
 * sites of its scope (a contact's own; a drill-down's). */
static void visit_list_of(const struct request *r, const struct central_volunteer *v,
                          struct central_visit_list *list)
{
    static const char *const none[1] = {""};
    memset(list, 0, sizeof *list);
    snprintf(list->volunteer, sizeof list->volunteer, "%s", v->external_id);
    snprintf(list->name, sizeof list->name, "%s %s", v->given_name, v->family_name);
    snprintf(list->from, sizeof list->from, "%s", r->period.from);
    snprintf(list->to, sizeof list->to, "%s", r->period.to);
    snprintf(list->where, sizeof list->where, "%s",
             r->scope.site.id[0] ? r->scope.site.name
             : r->scope.area[0]  ? r->scope.area_label
                                 : "");
    list->sites = r->scope.all ? NULL : r->scope.count ? r->scope.ids : none;
    list->site_count = r->scope.all ? 0 : r->scope.count;
}

struct visit_rows {
    struct web *web;
    const struct central_visit_list *list;
    size_t count;
    int64_t seconds, visits;
};

static int visit_row(void *ctx, const struct central_visit *visit)
{
    struct visit_rows *rows = ctx;
    struct web *web = rows->web;
    /* A contact sees their sites' visits only; a drill-down its scope's:
     * the same rule as the downloads'. */
    if (!central_visit_list_takes(rows->list, visit))
        return 0;
    rows->seconds += visit->seconds;
    rows->visits += visit->end_us != 0;
    if (++rows->count > VISITS_SHOWN)
        return 0;
    char came[64], left[64] = "", hours[48];
    web_when(web, visit->start_us, came, sizeof came);
    if (visit->end_us) {
        /* The same day: the clock is enough. */
        if (web_same_day(visit->start_us, visit->end_us))
            web_time(web, visit->end_us, left, sizeof left);
        else
            web_when(web, visit->end_us, left, sizeof left);
    }
    web_hours_words(web, central_report_hours(visit->seconds), hours, sizeof hours);
    central_buf_htmlf(web->out,
                      "<tr><th scope=\"row\">%s</th><td data-label=\"%s\">%s</td>"
                      "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                      "<td class=\"n\" data-label=\"%s\">%s</td></tr>",
                      came, _(text.col_site), visit->site_name, _(text.col_left),
                      visit->end_us ? left : _(text.here_now), _(text.col_activity),
                      visit->activity, _(text.col_hours), visit->end_us ? hours : "–");
    return 0;
}

static void visits_page(struct web *web, const struct request *r)
{
    struct central_volunteer v;
    if (web_volunteer_or_answer(web, r->volunteer, &v))
        return;
    int rc;
    struct central_buf *out = web->out;
    char title[3 * CENTRAL_NAME_MAX], err[256];
    snprintf(title, sizeof title, "%s %s %s", v.given_name, v.family_name, r->period.words);
    web_begin(web, title);
    period_form(web, r);
    crumbs(web, r);
    central_buf_htmlf(out,
                      "<h2>%s %s</h2><div class=\"wide\"><table class=\"stack report\" "
                      "id=\"visits\"><caption class=\"sr\">%s</caption><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
                      "</th><th scope=\"col\">%s</th><th scope=\"col\" class=\"n\">%s</th>"
                      "</tr></thead><tbody>",
                      _(text.visits_of), r->period.words, _(text.visits_of), _(text.col_came),
                      _(text.col_site), _(text.col_left), _(text.col_activity), _(text.col_hours));
    struct central_visit_list list;
    visit_list_of(r, &v, &list);
    struct visit_rows rows = {web, &list, 0, 0, 0};
    rc = central_store_volunteer_visits(web->request->store, v.external_id, r->scope.site.id, 0,
                                        visit_row, &rows, err, sizeof err);
    char hours[48];
    web_hours_words(web, central_report_hours(rows.seconds), hours, sizeof hours);
    central_buf_htmlf(out,
                      "</tbody><tfoot><tr class=\"sum\"><th scope=\"row\">%s</th><td></td><td>"
                      "</td><td></td><td class=\"n\" data-label=\"%s\">%s</td></tr></tfoot>"
                      "</table></div>",
                      _(text.sum), _(text.col_hours), hours);
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\" role=\"alert\">%s</p>", _(text.busy));
    else if (!rows.count)
        central_buf_htmlf(out, "<p>%s</p>", _(text.no_visits));
    else if (rows.count > VISITS_SHOWN)
        central_buf_htmlf(out, "<p>%s %d.</p>", _(text.first_only), VISITS_SHOWN);
    if (!rc && rows.count)
        central_buf_htmlf(out,
                          "<p class=\"downloads\">%s: <a href=\"/reports.csv?%s\" download>%s</a>"
                          " · <a href=\"/reports.xlsx?%s\" download>%s</a></p>",
                          _(text.download), r->query, _(text.csv), r->query, _(text.xlsx));
    char id[WEB_URL_PART_MAX(EVENT_KEY_MAX)];
    web_url_part(v.external_id, id, sizeof id);
    if (web->user.role != CENTRAL_ROLE_VIEWER)
        central_buf_htmlf(out,
                          "<p><a href=\"/volunteers/%s\">%s %s</a> · <a href=\"/statement/%s?%s\">"
                          "%s %s</a></p>",
                          id, v.given_name, v.family_name, id, r->period.query, _(text.statement),
                          r->period.words);
    web_end(web);
}

void web_reports_page(struct web *web)
{
    struct request r;
    if (read_request(web, &r))
        return;
    if (r.by < 0) {
        visits_page(web, &r);
        web_scope_free(&r.scope);
        return;
    }
    struct central_report *report = NULL;
    if (web_scope_report(web, &r.scope, &r.period, (enum central_report_by)r.by, &report)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.busy_title), _(text.busy));
        web_scope_free(&r.scope);
        return;
    }
    struct central_buf *out = web->out;
    web_begin(web, _(text.title));
    period_form(web, &r);
    crumbs(web, &r);
    const char *where = r.scope.site.id[0]     ? r.scope.site.name
                        : r.scope.area[0]      ? r.scope.area_label
                        : sees_every_site(web) ? _(text.everything)
                                               : NULL;
    central_buf_htmlf(out, "<h2>%s, %s%s%s</h2>", by_words(web, r.by), r.period.words,
                      where ? " · " : "", where ? where : "");
    sum_line(web, report);
    downloads(web, &r);
    if (report->count)
        report_table(web, &r, report);
    else
        central_buf_htmlf(out, "<p>%s</p>", _(text.nothing));
    web_end(web);
    if (out->failed) {
        /* Never a page cut short: say so, and point to the files. */
        out->failed = 0;
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _(text.bad_title), _(text.too_large));
    }
    central_report_free(report);
    web_scope_free(&r.scope);
}

/* ---- the downloads ---- */

/* "timer-2026-01-01-2026-12-31-site-lilleby.csv", or a volunteer's visits
 * "besok-F-1-2026-01-01-2026-12-31-lilleby.csv": ids are letters, digits
 * and - _ . (PROTOCOL.md); anything else becomes _, so the name needs no
 * quoting beyond its quotes. */
static void file_name(const struct request *r, const char *ending, char *out, size_t cap)
{
    char scope[EVENT_KEY_MAX + 2] = "", who[EVENT_KEY_MAX] = "";
    if (r->scope.site.id[0] || r->scope.area[0])
        snprintf(scope, sizeof scope, "-%s",
                 r->scope.site.id[0] ? r->scope.site.id : r->scope.area);
    snprintf(who, sizeof who, "%s", r->volunteer);
    for (char *c = scope; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c))
            *c = '_';
    for (char *c = who; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c))
            *c = '_';
    if (r->by < 0)
        snprintf(out, cap, "attachment; filename=\"besok-%s-%s-%s%s.%s\"", who, r->period.from,
                 r->period.to, scope, ending);
    else
        snprintf(out, cap, "attachment; filename=\"timer-%s-%s-%s%s.%s\"", r->period.from,
                 r->period.to, central_report_by_name((enum central_report_by)r->by), scope,
                 ending);
}

/* What a download holds: a report, or a volunteer's visits. */
struct download {
    struct request r;
    struct central_report *report;
    struct central_visit_list visits;
};

/* Reads the request and its report or visits: 0, or 1 after answering. */
static int download_read(struct web *web, struct download *d)
{
    memset(d, 0, sizeof *d);
    if (read_request(web, &d->r))
        return 1;
    int answered = 0;
    if (d->r.by >= 0) {
        if (web_scope_report(web, &d->r.scope, &d->r.period, (enum central_report_by)d->r.by,
                             &d->report)) {
            web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.busy_title), _(text.busy));
            answered = 1;
        }
    } else {
        struct central_volunteer v;
        char err[256];
        if (web_volunteer_or_answer(web, d->r.volunteer, &v)) {
            answered = 1;
        } else {
            visit_list_of(&d->r, &v, &d->visits);
            int rc = central_store_volunteer_visits(web->request->store, v.external_id,
                                                    d->r.scope.site.id, 0, central_visit_list_add,
                                                    &d->visits, err, sizeof err);
            if (rc) {
                web_message(web, rc == -E2BIG ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_SERVICE_UNAVAILABLE,
                            rc == -E2BIG ? _(text.bad_title) : _(text.busy_title),
                            rc == -E2BIG ? _(text.too_many_visits) : _(text.busy));
                answered = 1;
            }
        }
    }
    /* The list keeps the scope's site ids: freed with the download. */
    if (answered) {
        central_visit_list_free(&d->visits);
        web_scope_free(&d->r.scope);
    }
    return answered;
}

static void download_free(struct download *d)
{
    central_report_free(d->report);
    central_visit_list_free(&d->visits);
    web_scope_free(&d->r.scope);
}

void web_reports_csv(struct web *web)
{
    struct download d;
    if (download_read(web, &d))
        return;
    int rc = d.report ? central_report_csv(d.report, web->out)
                      : central_visit_list_csv(&d.visits, web->out);
    if (rc) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _(text.bad_title), _(text.busy));
    } else {
        web->response->content_type = "text/csv; charset=utf-8";
        file_name(&d.r, "csv", web->request->disposition, sizeof web->request->disposition);
        web->response->content_disposition = web->request->disposition;
    }
    download_free(&d);
}

void web_reports_xlsx(struct web *web)
{
    struct download d;
    if (download_read(web, &d))
        return;
    const struct central_report *books[] = {d.report};
    char err[256];
    int rc = d.report ? central_xlsx_buf(books, 1, web->out, err, sizeof err)
                      : central_xlsx_visits_buf(&d.visits, web->out, err, sizeof err);
    if (rc) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _(text.bad_title), err);
    } else {
        web->response->content_type =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        file_name(&d.r, "xlsx", web->request->disposition, sizeof web->request->disposition);
        web->response->content_disposition = web->request->disposition;
    }
    download_free(&d);
}
