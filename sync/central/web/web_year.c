/* The annual report the municipality publishes: hours and årsverk per
 * service area and, under each, per site, for a year, in the shape of
 * Tønsberg's table ("Helsehus og sykehjem: 11 905 timer, 7,0 årsverk": the
 * sentences are report.c's text, as `tilstede-central report` prints
 * them). Printable on A4 (web.css's print rules) and as a workbook with a
 * sheet per grouping. A contact's holds their sites only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "web.h"
#include "web_report.h"
#include "xlsx.h"

/* Every word this page shows, in one place (bokmål). */
static const struct {
    const char *title, *for_sites, *year, *show, *col_area, *hours, *arsverk, *sum, *download,
        *xlsx, *hours_word, *csv_kind, *csv_site, *print, *per_arsverk, *made, *details, *bad_title,
        *busy_title, *busy;
} text = {
    .title = N_("Frivillig innsats"),
    .for_sites = N_("Gjelder"),
    .year = N_("År"),
    .show = N_("Vis"),
    .col_area = N_("Tjenesteområde og enhet"),
    .hours = N_("Timer"),
    .arsverk = N_("Årsverk"),
    .sum = N_("Sum"),
    .download = N_("Last ned"),
    .xlsx = N_("Excel-arbeidsbok (.xlsx)"),
    .hours_word = N_("timer"),
    .csv_kind = N_("CSV per tjenesteområde"),
    .csv_site = N_("CSV per enhet"),
    .print = N_("Skriv ut eller lagre som PDF fra nettleserens meny (Ctrl+P)."),
    .per_arsverk = N_("Ett årsverk regnes som"),
    .made = N_("Tall fra Tilstede, hentet"),
    .details = N_("Detaljer"),
    .bad_title = N_("Årsrapporten kan ikke lages"),
    .busy_title = N_("Prøv igjen"),
    .busy = N_("Rapporten kunne ikke leses nå. Prøv igjen om litt."),
};

struct year {
    struct web_period period;
    struct web_scope scope;
    struct central_report *by_kind, *by_site;
};

/* Reads the year and runs both reports, or answers and returns 1. */
static int year_read(struct web *web, struct year *y)
{
    memset(y, 0, sizeof *y);
    char why[256];
    unsigned status;
    const char *title, *words;
    if (web_period_parse(web, &y->period, why, sizeof why)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), why);
        return 1;
    }
    if (web_scope_read(web, &y->scope, &status, &title, &words)) {
        web_message(web, status, title, words);
        return 1;
    }
    if (web_scope_report(web, &y->scope, &y->period, CENTRAL_BY_KIND, &y->by_kind) ||
        web_scope_report(web, &y->scope, &y->period, CENTRAL_BY_SITE, &y->by_site)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.busy_title), _(text.busy));
        return 1;
    }
    return 0;
}

static void year_free(struct year *y)
{
    central_report_free(y->by_kind);
    central_report_free(y->by_site);
    web_scope_free(&y->scope);
}

static void cells(struct web *web, const struct central_report *report, int64_t seconds)
{
    char hours[48], arsverk[48];
    web_number(web, central_report_hours(seconds), 0, hours, sizeof hours);
    web_number(web, central_report_arsverk(report, seconds), 1, arsverk, sizeof arsverk);
    central_buf_htmlf(web->out,
                      "<td class=\"n\" data-label=\"%s\">%s</td><td class=\"n\" "
                      "data-label=\"%s\">%s</td>",
                      _(text.hours), hours, _(text.arsverk), arsverk);
}

static const char *site_kind(const struct web_scope *scope, const char *id)
{
    for (size_t i = 0; i < scope->count; i++)
        if (!strcmp(scope->sites[i].id, id))
            return scope->sites[i].kind;
    return "other";
}

void web_year_page(struct web *web)
{
    struct year y;
    if (year_read(web, &y)) {
        year_free(&y);
        return;
    }
    struct central_buf *out = web->out;
    const char *municipality = web->request->config->municipality;
    char title[128];
    snprintf(title, sizeof title, "%s %s", _(text.title), y.period.words);
    web_begin(web, title);
    central_buf_htmlf(out,
                      "<form class=\"filters noprint\" method=\"get\" action=\"/year\"><div>"
                      "<label for=\"yyear\">%s</label><input id=\"yyear\" name=\"year\" "
                      "type=\"number\" min=\"2000\" max=\"2099\" value=\"%d\" "
                      "inputmode=\"numeric\"></div><div><button type=\"submit\">%s</button>"
                      "</div></form>",
                      _(text.year), y.period.year, _(text.show));
    if (municipality && municipality[0])
        central_buf_htmlf(out, "<p class=\"lead\">%s</p>", municipality);
    if (!y.scope.all) {
        central_buf_htmlf(out, "<p>%s: ", _(text.for_sites));
        for (size_t i = 0; i < y.scope.count; i++)
            central_buf_htmlf(out, "%s%s", i ? ", " : "", y.scope.sites[i].name);
        central_buf_str(out, "</p>");
    }

    /* The sentences of the published report, as the CLI writes them; in
     * nynorsk or English the same sentences in the page's words. */
    struct central_buf sentences;
    central_buf_init(&sentences, 64 * 1024);
    central_report_text(y.by_kind, &sentences);
    central_buf_str(out, "<ul class=\"annual\" id=\"annual\">");
    const char *line = sentences.len ? strchr(sentences.data, '\n') : NULL;
    if (strcmp(web_lang(web), "nb") != 0) {
        line = NULL;
        for (size_t i = 0; i <= y.by_kind->count; i++) {
            const struct central_report_row *row =
                i < y.by_kind->count ? &y.by_kind->rows[i] : &y.by_kind->total;
            char hours[48], arsverk[48];
            web_number(web, central_report_hours(row->seconds), 0, hours, sizeof hours);
            web_number(web, central_report_arsverk(y.by_kind, row->seconds), 1, arsverk,
                       sizeof arsverk);
            central_buf_str(out, "<li>");
            /* TRANSLATORS: the annual report's sentence: a service area, its
             * hours and its full-time equivalents. */
            central_buf_htmlf(out, _("%s: %s timer, %s årsverk"),
                              i < y.by_kind->count ? web_report_words(web, row->label)
                                                   : _(text.sum),
                              hours, arsverk);
            central_buf_str(out, "</li>");
        }
    }
    while (line && line[1]) {
        const char *end = strchr(line + 1, '\n');
        char one[512];
        snprintf(one, sizeof one, "%.*s", (int)(end ? end - line - 1 : (long)strlen(line + 1)),
                 line + 1);
        central_buf_htmlf(out, "<li>%s</li>", one);
        line = end;
    }
    central_buf_str(out, "</ul>");
    central_buf_free(&sentences);

    central_buf_htmlf(out,
                      "<h2>%s</h2><div class=\"wide\"><table class=\"stack annual\" id=\"year\">"
                      "<caption class=\"sr\">%s %s</caption><thead><tr><th scope=\"col\">%s</th>"
                      "<th scope=\"col\" class=\"n\">%s</th><th scope=\"col\" class=\"n\">%s"
                      "</th></tr></thead><tbody>",
                      _(text.details), _(text.title), y.period.words, _(text.col_area),
                      _(text.hours), _(text.arsverk));
    for (size_t a = 0; a < y.by_kind->count; a++) {
        const struct central_report_row *area = &y.by_kind->rows[a];
        central_buf_htmlf(out, "<tr class=\"area\"><th scope=\"row\">%s</th>",
                          web_report_words(web, area->label));
        cells(web, y.by_kind, area->seconds);
        central_buf_str(out, "</tr>");
        for (size_t s = 0; s < y.by_site->count; s++) {
            const struct central_report_row *site = &y.by_site->rows[s];
            if (strcmp(central_report_area(site_kind(&y.scope, site->key)), area->key) != 0)
                continue;
            central_buf_htmlf(out, "<tr class=\"site\"><th scope=\"row\">%s</th>", site->label);
            cells(web, y.by_site, site->seconds);
            central_buf_str(out, "</tr>");
        }
    }
    central_buf_htmlf(out, "</tbody><tfoot><tr class=\"sum\"><th scope=\"row\">%s</th>",
                      _(text.sum));
    cells(web, y.by_kind, y.by_kind->total.seconds);
    central_buf_str(out, "</tr></tfoot></table></div>");

    char per[32], today[CENTRAL_DATE_LEN + 1], shown[16];
    web_number(web, y.by_kind->hours_per_arsverk, 0, per, sizeof per);
    web_day(0, today);
    web_date(web, today, shown, sizeof shown);
    central_buf_htmlf(out, "<p class=\"fresh\">%s %s %s. %s %s.</p>", _(text.per_arsverk), per,
                      _(text.hours_word), _(text.made), shown);
    central_buf_htmlf(out,
                      "<p class=\"downloads noprint\">%s: <a href=\"/year.xlsx?%s\" download>%s"
                      "</a> · <a href=\"/reports.csv?%s&amp;by=kind\" download>%s</a> · "
                      "<a href=\"/reports.csv?%s&amp;by=site\" download>%s</a></p>"
                      "<p class=\"noprint hint\">%s</p>",
                      _(text.download), y.period.query, _(text.xlsx), y.period.query,
                      _(text.csv_kind), y.period.query, _(text.csv_site), _(text.print));
    web_end(web);
    year_free(&y);
}

void web_year_xlsx(struct web *web)
{
    struct year y;
    if (year_read(web, &y)) {
        year_free(&y);
        return;
    }
    const struct central_report *books[] = {y.by_kind, y.by_site};
    char err[256];
    if (central_xlsx_buf(books, 2, web->out, err, sizeof err)) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _(text.bad_title), err);
    } else {
        web->response->content_type =
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        snprintf(web->request->disposition, sizeof web->request->disposition,
                 "attachment; filename=\"frivillig-innsats-%s-%s.xlsx\"", y.period.from,
                 y.period.to);
        web->response->content_disposition = web->request->disposition;
    }
    year_free(&y);
}
