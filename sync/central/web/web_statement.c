/* A volunteer's statement of hours, for a school, a job application or
 * NAV: their name, the sites and activities, the hours per month and in
 * total for a period, the municipality's name, and who made it and when.
 * One A4 page when printed (or saved as PDF by the browser), signed with
 * the maker's full name (their account's name when they gave none; /me).
 * Nothing else
 * of the volunteer: no card, no notes, no papers. The hours are the
 * reports' (each visit as the store rounds it for them); a contact's
 * statement holds their sites only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "web.h"
#include "web_report.h"

#define STATEMENT_MONTHS_MAX 120 /* ten years: longer is no longer one page */
#define STATEMENT_NAMES_MAX  12  /* sites or activities named; the rest counted */

/* Every word this page shows, in one place (bokmål). */
static const struct {
    const char *title, *confirms, *has_given, *in_period, *name, *period, *sites, *activities,
        *none, *col_month, *col_hours, *col_visits, *sum, *hours, *signed_place, *by,
        *role_coordinator, *role_contact, *print, *back, *from, *to, *show, *too_long, *bad_title,
        *busy_title, *busy, *municipality_missing;
} text = {
    .title = N_("Bekreftelse på frivillig innsats"),
    .confirms = N_("bekrefter at"),
    .has_given = N_("har gjort frivillig innsats i kommunens helse- og omsorgstjenester"),
    .in_period = N_("i perioden"),
    .name = N_("Navn"),
    .period = N_("Periode"),
    .sites = N_("Enheter"),
    .activities = N_("Aktiviteter"),
    .none = N_("–"),
    .col_month = N_("Måned"),
    .col_hours = N_("Timer"),
    .col_visits = N_("Besøk"),
    .sum = N_("Sum"),
    .hours = N_("timer"),
    .signed_place = N_("Dato"),
    .by = N_("Frivilligkoordinator"),
    .role_coordinator = N_("frivilligkoordinator"),
    .role_contact = N_("frivilligkontakt"),
    .print = N_("Skriv ut eller lagre som PDF fra nettleserens meny (Ctrl+P). Siden passer på ett "
                "A4-ark."),
    .back = N_("Tilbake til den frivillige"),
    .from = N_("Fra"),
    .to = N_("Til"),
    .show = N_("Vis"),
    .too_long = N_("Perioden er for lang for én bekreftelse (høyst ti år)."),
    .bad_title = N_("Bekreftelsen kan ikke lages"),
    .busy_title = N_("Prøv igjen"),
    .busy = N_("Timene kunne ikke leses nå. Prøv igjen om litt."),
    .municipality_missing = N_("Kommunen"),
};

struct month {
    int64_t seconds, visits;
};

struct statement {
    const struct web_period *period;
    const struct web_scope *scope;
    int first_year, first_month;
    struct month months[STATEMENT_MONTHS_MAX];
    int month_count;
    int64_t seconds, visits;
    char sites[STATEMENT_NAMES_MAX][CENTRAL_NAME_MAX];
    int site_count, sites_more;
    char activities[STATEMENT_NAMES_MAX][CENTRAL_NAME_MAX];
    int activity_count, activities_more;
};

/* Adds name to a list of distinct names: 1 when it was new. */
static void add_name(char (*names)[CENTRAL_NAME_MAX], int *count, int *more, const char *name)
{
    if (!name[0])
        return;
    for (int i = 0; i < *count; i++)
        if (!strcmp(names[i], name))
            return;
    if (*count < STATEMENT_NAMES_MAX)
        snprintf(names[(*count)++], CENTRAL_NAME_MAX, "%s", name);
    else
        (*more)++;
}

static int in_scope(const struct web_scope *scope, const char *site)
{
    if (scope->all)
        return 1;
    for (size_t i = 0; i < scope->count; i++)
        if (!strcmp(scope->ids[i], site))
            return 1;
    return 0;
}

static int add_visit(void *ctx, const struct central_visit *visit)
{
    struct statement *s = ctx;
    /* The reports count closed visits, by the day they started. */
    if (!visit->end_us || !in_scope(s->scope, visit->site) ||
        strcmp(visit->day, s->period->from) < 0 || strcmp(visit->day, s->period->to) > 0)
        return 0;
    int index = (atoi(visit->day) - s->first_year) * 12 + atoi(visit->day + 5) - s->first_month;
    if (index < 0 || index >= s->month_count)
        return 0;
    s->months[index].seconds += visit->seconds;
    s->months[index].visits++;
    s->seconds += visit->seconds;
    s->visits++;
    add_name(s->sites, &s->site_count, &s->sites_more, visit->site_name);
    add_name(s->activities, &s->activity_count, &s->activities_more, visit->activity);
    return 0;
}

static void name_list(const struct web *web, struct central_buf *out,
                      char (*names)[CENTRAL_NAME_MAX], int count, int more)
{
    if (!count)
        central_buf_str(out, _(text.none));
    for (int i = 0; i < count; i++)
        central_buf_htmlf(out, "%s%s", i ? ", " : "", names[i]);
    if (more)
        central_buf_htmlf(out, _(" og %d til"), more);
}

/* "3. desember 2026" */
static void long_date(const struct web *web, const char *iso, char *out, size_t cap)
{
    snprintf(out, cap, "%d. %s %d", atoi(iso + 8), web_month_name(web, atoi(iso + 5)), atoi(iso));
}

void web_statement_page(struct web *web)
{
    struct central_volunteer v;
    if (web_volunteer_or_answer(web, web->arg, &v))
        return;
    struct web_period period;
    struct web_scope scope;
    char why[256], err[256];
    unsigned status;
    const char *title, *words;
    if (web_period_parse(web, &period, why, sizeof why)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), why);
        return;
    }
    if (web_scope_read(web, &scope, &status, &title, &words)) {
        web_message(web, status, title, words);
        return;
    }
    struct statement *s = calloc(1, sizeof *s);
    if (!s) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.busy_title), _(text.busy));
        web_scope_free(&scope);
        return;
    }
    s->period = &period;
    s->scope = &scope;
    s->first_year = atoi(period.from);
    s->first_month = atoi(period.from + 5);
    s->month_count =
        (atoi(period.to) - s->first_year) * 12 + atoi(period.to + 5) - s->first_month + 1;
    if (s->month_count > STATEMENT_MONTHS_MAX) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.too_long));
        goto out;
    }
    if (central_store_volunteer_visits(web->request->store, v.external_id, "", 0, add_visit, s, err,
                                       sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.busy_title), _(text.busy));
        goto out;
    }

    struct central_buf *out = web->out;
    const char *municipality = web->request->config->municipality;
    if (!municipality || !municipality[0])
        municipality = _(text.municipality_missing);
    char name[2 * CENTRAL_NAME_MAX + 2], total[48], today[CENTRAL_DATE_LEN + 1], made[48], from[48],
        to[48];
    snprintf(name, sizeof name, "%s %s", v.given_name, v.family_name);
    web_number(web, central_report_hours(s->seconds), 1, total, sizeof total);
    web_day(0, today);
    long_date(web, today, made, sizeof made);
    long_date(web, period.from, from, sizeof from);
    long_date(web, period.to, to, sizeof to);
    web_begin(web, _(text.title));
    central_buf_htmlf(out,
                      "<article class=\"statement\"><p class=\"lead\">%s</p><p>%s %s %s %s "
                      "%s %s–%s: <strong>%s %s</strong>.</p>",
                      municipality, municipality, _(text.confirms), name, _(text.has_given),
                      _(text.in_period), from, to, total, _(text.hours));
    central_buf_htmlf(out,
                      "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>"
                      "<dt>%s</dt><dd>",
                      _(text.name), name, _(text.period), period.words, _(text.sites));
    name_list(web, out, s->sites, s->site_count, s->sites_more);
    central_buf_htmlf(out, "</dd><dt>%s</dt><dd>", _(text.activities));
    name_list(web, out, s->activities, s->activity_count, s->activities_more);
    central_buf_htmlf(out,
                      "</dd></dl><table class=\"months\" id=\"months\"><caption class=\"sr\">%s"
                      "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\" "
                      "class=\"n\">%s</th><th scope=\"col\" class=\"n\">%s</th></tr></thead>"
                      "<tbody>",
                      _(text.col_hours), _(text.col_month), _(text.col_hours), _(text.col_visits));
    /* A year or less: every month, also the empty ones; longer, the months
     * with hours, so it stays one page. */
    for (int i = 0; i < s->month_count; i++) {
        if (s->month_count > 12 && !s->months[i].visits)
            continue;
        int month = (s->first_month - 1 + i) % 12 + 1;
        int year = s->first_year + (s->first_month - 1 + i) / 12;
        char hours[48];
        web_number(web, central_report_hours(s->months[i].seconds), 1, hours,
                       sizeof hours);
        central_buf_htmlf(out,
                          "<tr><th scope=\"row\">%s %d</th><td class=\"n\">%s</td>"
                          "<td class=\"n\">%lld</td></tr>",
                          web_month_name(web, month), year, hours, (long long)s->months[i].visits);
    }
    central_buf_htmlf(out,
                      "</tbody><tfoot><tr class=\"sum\"><th scope=\"row\">%s</th><td "
                      "class=\"n\">%s</td><td class=\"n\">%lld</td></tr></tfoot></table>",
                      _(text.sum), total, (long long)s->visits);
    central_buf_htmlf(out,
                      "<div class=\"signature\"><p>%s: %s</p><p class=\"line\">%s (%s), %s</p>"
                      "</div></article>",
                      _(text.signed_place), made, central_user_display_name(&web->user),
                      web->user.role == CENTRAL_ROLE_COORDINATOR ? _(text.role_coordinator)
                                                                 : _(text.role_contact),
                      municipality);
    char id[WEB_URL_PART_MAX(EVENT_KEY_MAX)];
    web_url_part(v.external_id, id, sizeof id);
    central_buf_htmlf(out,
                      "<form class=\"filters noprint\" method=\"get\" action=\"/statement/%s\">"
                      "<div><label for=\"sfrom\">%s</label><input id=\"sfrom\" name=\"from\" "
                      "type=\"date\" value=\"%s\"></div><div><label for=\"sto\">%s</label>"
                      "<input id=\"sto\" name=\"to\" type=\"date\" value=\"%s\"></div><div>"
                      "<button type=\"submit\">%s</button></div></form>"
                      "<p class=\"noprint hint\">%s</p><p class=\"noprint\"><a "
                      "href=\"/volunteers/%s\">%s</a></p>",
                      id, _(text.from), period.from, _(text.to), period.to, _(text.show),
                      _(text.print), id, _(text.back));
    web_end(web);
out:
    free(s);
    web_scope_free(&scope);
}
