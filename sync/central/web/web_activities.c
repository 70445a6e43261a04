/* Activities, per site: the week (Monday to Sunday, each day's occurrences
 * with their times, cancelled ones marked), a weekly activity planned once
 * (plan.h: the same check, expansion and store as the command), one
 * occurrence cancelled, restored or moved, and a calendar file imported
 * (ical.h, as `activity import`). A contact sees and changes their own
 * sites only: every handler checks the site in the URL, and a plan named
 * in a form must be that site's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ical.h"
#include "plan.h"
#include "report.h"
#include "web.h"

#define PATH_MAX_LEN (EVENT_KEY_MAX + 64)

/* "tirsdag 8. desember" ("Tuesday 8 December") of a valid YYYY-MM-DD. */
static void day_words(const struct web *web, const char *date, char *out, size_t cap)
{
    int month = atoi(date + 5), day = atoi(date + 8);
    /* TRANSLATORS: a weekday, the day of the month, the month. */
    snprintf(out, cap, _("%s %d. %s"), web_weekday(web, central_plan_weekday_of(date)), day,
             web_month_name(web, month));
}

/* "11.00" ("11:00") of "11:00". */
static void clock_words(const struct web *web, const char *clock, char out[6])
{
    /* TRANSLATORS: hours and minutes; only the separator changes. */
    snprintf(out, 6, _("%.2s.%.2s"), clock, clock + 3);
}

/* The ISO week number of a valid date. */
static int week_number(const char *date)
{
    struct tm tm = {0};
    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8);
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char week[4];
    strftime(week, sizeof week, "%V", &tm);
    return atoi(week);
}

/* The site named at the start of the URL's rest, if the person may see it;
 * else a 403 page (the same for a site that does not exist: the URL tells
 * nothing about other sites). *rest is what follows "SITE/". */
static int site_of_url(struct web *web, struct central_site *site, const char **rest)
{
    char id[EVENT_KEY_MAX];
    size_t len = strcspn(web->arg, "/");
    char err[256];
    if (len == 0 || len >= sizeof id)
        goto refuse;
    memcpy(id, web->arg, len);
    id[len] = '\0';
    *rest = web->arg[len] == '/' ? web->arg + len + 1 : "";
    if (!web_may_site(web, id) ||
        central_store_site_get(web->request->store, id, site, err, sizeof err) != 0)
        goto refuse;
    return 0;
refuse:
    web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                _("Du har ikke tilgang til denne enheten."));
    return -EACCES;
}

static int site_link(void *ctx, const struct central_site *site)
{
    struct web *web = ctx;
    if (web_may_site(web, site->id))
        central_buf_htmlf(web->out, "<li><a href=\"/activities/%s\">%s</a></li>", site->id,
                          site->name);
    return 0;
}

/* ---- the week ---- */

struct week {
    struct web *web;
    const char *site;
    char days[7][CENTRAL_DATE_LEN + 1];
    struct central_activity *rows;
    size_t count, cap;
};

static int keep_row(void *ctx, const struct central_activity *activity)
{
    struct week *week = ctx;
    if (week->count == week->cap) {
        size_t cap = week->cap ? week->cap * 2 : 32;
        void *grown = realloc(week->rows, cap * sizeof *week->rows);
        if (!grown)
            return -ENOMEM;
        week->rows = grown;
        week->cap = cap;
    }
    week->rows[week->count++] = *activity;
    return 0;
}

static void occurrence_actions(struct web *web, const char *site, const char *monday,
                               const struct central_activity *a)
{
    struct central_buf *out = web->out;
    char when[64];
    day_words(web, a->date, when, sizeof when);
    central_buf_htmlf(out,
                      "<div class=\"actions\"><form method=\"post\" action=\"/activities/%s/"
                      "cancel\"><input type=\"hidden\" name=\"plan\" value=\"%s\"><input "
                      "type=\"hidden\" name=\"date\" value=\"%s\"><input type=\"hidden\" "
                      "name=\"week\" value=\"%s\">",
                      site, a->plan, a->plan_date, monday);
    if (a->cancelled)
        central_buf_str(out, "<input type=\"hidden\" name=\"restore\" value=\"1\">");
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\" aria-label=\"%s %s %s\">%s</button></form>",
                      a->cancelled ? _("Gjenopprett") : _("Avlys"), a->title, when,
                      a->cancelled ? _("Gjenopprett") : _("Avlys"));
    if (a->cancelled) {
        central_buf_str(out, "</div>");
        return;
    }
    central_buf_htmlf(out,
                      "<details><summary>%s<span class=\"sr\"> %s %s</span></summary>"
                      "<form method=\"post\" action=\"/activities/%s/move\" class=\"move\">"
                      "<input type=\"hidden\" name=\"plan\" value=\"%s\"><input type=\"hidden\" "
                      "name=\"date\" value=\"%s\">"
                      "<label for=\"d-%s\">%s</label><input type=\"date\" id=\"d-%s\" "
                      "name=\"new_date\" value=\"%s\" required>"
                      "<label for=\"s-%s\">%s</label><input type=\"time\" id=\"s-%s\" "
                      "name=\"start\" value=\"%s\" required>"
                      "<label for=\"e-%s\">%s</label><input type=\"time\" id=\"e-%s\" "
                      "name=\"end\" value=\"%s\" required>",
                      _("Flytt"), a->title, when, site, a->plan, a->plan_date, a->id,
                      _("Ny dato"), a->id, a->date, a->id, _("Fra kl."), a->id, a->start, a->id,
                      _("Til kl."), a->id, a->end);
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form></details></div>",
                      _("Flytt"));
}

static void week_day(struct web *web, struct week *week, int index, const char *today)
{
    struct central_buf *out = web->out;
    const char *date = week->days[index];
    char heading[64];
    day_words(web, date, heading, sizeof heading);
    central_buf_htmlf(out, "<section class=\"day%s\"><h2>%s%s</h2>",
                      strcmp(date, today) == 0 ? " today" : "", heading,
                      strcmp(date, today) == 0 ? _(" (i dag)") : "");
    int any = 0;
    for (size_t i = 0; i < week->count; i++) {
        const struct central_activity *a = &week->rows[i];
        if (strcmp(a->date, date) != 0)
            continue;
        if (!any++)
            central_buf_str(out, "<ul class=\"week\">");
        char start[6], end[6];
        clock_words(web, a->start, start);
        clock_words(web, a->end, end);
        /* Raw HTML only as literals: every %s is escaped. */
        central_buf_str(out, a->cancelled ? "<li class=\"cancelled\">" : "<li>");
        central_buf_htmlf(out, "<span class=\"t\">%s–%s%s</span> <strong>%s</strong>%s%s", start,
                          end, strcmp(a->end, a->start) < 0 ? _(" (til neste dag)") : "", a->title,
                          a->place[0] ? " · " : "", a->place);
        if (a->cancelled)
            central_buf_htmlf(out, " <span class=\"tag\">%s</span>", _("Avlyst"));
        if (a->plan[0] && strcmp(a->plan_date, a->date) != 0) {
            char from[64];
            day_words(web, a->plan_date, from, sizeof from);
            central_buf_str(out, " <span class=\"moved\">");
            central_buf_htmlf(out, _("(flyttet fra %s)"), from);
            central_buf_str(out, "</span>");
        }
        if (a->plan[0])
            occurrence_actions(web, week->site, week->days[0], a);
        central_buf_str(out, "</li>");
    }
    if (any)
        central_buf_str(out, "</ul>");
    else
        central_buf_htmlf(out, "<p class=\"none\">%s</p>", _("Ingen aktiviteter."));
    central_buf_str(out, "</section>");
}

static void plan_form(struct web *web, const char *site, const char *monday)
{
    struct central_buf *out = web->out;
    char until[CENTRAL_DATE_LEN + 1];
    central_plan_date_add(monday, 7 * 26 - 1, until);
    central_buf_htmlf(out,
                      "<h2 id=\"plan\">%s</h2><form method=\"post\" "
                      "action=\"/activities/%s/plan\" class=\"stack\">"
                      "<label for=\"title\">%s</label><input id=\"title\" name=\"title\" "
                      "required maxlength=\"%d\">"
                      "<label for=\"place\">%s</label><input id=\"place\" "
                      "name=\"place\" maxlength=\"%d\"><fieldset class=\"days\"><legend>%s"
                      "</legend>",
                      _("Planlegg en ukentlig aktivitet"), site, _("Tittel"), CENTRAL_NAME_MAX - 1,
                      _("Sted (valgfritt)"), CENTRAL_NAME_MAX - 1, _("Ukedager"));
    web_weekday_boxes(web, 0);
    char most[128];
    snprintf(most, sizeof most, _("Høyst %d dager fra første dato."), CENTRAL_PLAN_DAYS_MAX);
    central_buf_htmlf(out,
                      "</fieldset><label for=\"start\">%s</label><input type=\"time\" "
                      "id=\"start\" name=\"start\" required><label for=\"end\">%s</label>"
                      "<input type=\"time\" id=\"end\" name=\"end\" required "
                      "aria-describedby=\"end-hint\"><p id=\"end-hint\" class=\"hint\">%s</p>"
                      "<label for=\"from\">%s</label><input type=\"date\" id=\"from\" "
                      "name=\"from\" value=\"%s\" required><label for=\"until\">%s"
                      "</label><input type=\"date\" id=\"until\" name=\"until\" value=\"%s\" "
                      "required aria-describedby=\"until-hint\"><p id=\"until-hint\" "
                      "class=\"hint\">%s</p>",
                      _("Fra kl."), _("Til kl."),
                      _("Slutter den før den begynner, slutter den neste dag (nattevakt "
                        "22.00–07.00)."),
                      _("Første dato"), monday, _("Siste dato"), until, most);
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form>", _("Planlegg"));
    char hint[512];
    snprintf(hint, sizeof hint,
             _("Lagre kalenderen fra Outlook som iCalendar-fil, høyst %u MB. Filen er enhetens "
               "hele kalender: en hendelse som er fjernet fra den, avlyses fra i dag. Å "
               "importere den samme filen igjen endrer ingenting."),
             CENTRAL_ICAL_FILE_MAX / (1024 * 1024));
    central_buf_htmlf(out,
                      "<h2 id=\"import\">%s</h2><form method=\"post\" "
                      "action=\"/activities/%s/import\" enctype=\"multipart/form-data\" "
                      "class=\"stack\"><label for=\"file\">%s</label>"
                      "<input type=\"file\" id=\"file\" name=\"file\" accept=\".ics,text/"
                      "calendar\" required aria-describedby=\"file-hint\"><p id=\"file-hint\" "
                      "class=\"hint\">%s</p>",
                      _("Importer fra kalenderen"), site, _("Kalenderfil (.ics)"), hint);
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form>", _("Importer"));
}

static void week_page(struct web *web, const struct central_site *site)
{
    struct central_store *store = web->request->store;
    char today[CENTRAL_DATE_LEN + 1], err[256];
    central_ical_today(today);
    const char *asked = web_field(web, "week");
    const char *anchor = asked && central_report_date_valid(asked) ? asked : today;
    struct week week = {.web = web, .site = site->id};
    int weekday = central_plan_weekday_of(anchor);
    central_plan_date_add(anchor, 1 - weekday, week.days[0]);
    for (int i = 1; i < 7; i++)
        central_plan_date_add(week.days[0], i, week.days[i]);
    int rc = central_store_activities(store, site->id, week.days[0], week.days[6], keep_row, &week,
                                      err, sizeof err);
    char title[CENTRAL_NAME_MAX + 32];
    snprintf(title, sizeof title, _("Aktiviteter: %s"), site->name);
    web_begin(web, title);
    struct central_buf *out = web->out;
    const char *planned = web_field(web, "planned");
    if (planned && atoi(planned) > 0) {
        central_buf_str(out, "<p class=\"done\" role=\"status\">");
        central_buf_htmlf(out,
                          web_ntext(web, "Aktiviteten er planlagt: %d gang.",
                                    "Aktiviteten er planlagt: %d ganger.", atoi(planned)),
                          atoi(planned));
        central_buf_str(out, "</p>");
    }
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>",
                          _("Aktivitetene kunne ikke leses. Last siden på nytt."));
    char previous[CENTRAL_DATE_LEN + 1], next[CENTRAL_DATE_LEN + 1];
    central_plan_date_add(week.days[0], -7, previous);
    central_plan_date_add(week.days[0], 7, next);
    int first_month = atoi(week.days[0] + 5), last_month = atoi(week.days[6] + 5);
    char span[96];
    if (first_month == last_month)
        /* TRANSLATORS: a week within one month: "7.–13. desember 2026". */
        snprintf(span, sizeof span, _("%d.–%d. %s %d"), atoi(week.days[0] + 8),
                 atoi(week.days[6] + 8), web_month_name(web, last_month), atoi(week.days[6]));
    else
        /* TRANSLATORS: a week across two months: "30. november–6. desember 2026". */
        snprintf(span, sizeof span, _("%d. %s–%d. %s %d"), atoi(week.days[0] + 8),
                 web_month_name(web, first_month), atoi(week.days[6] + 8),
                 web_month_name(web, last_month), atoi(week.days[6]));
    char week_name[160];
    snprintf(week_name, sizeof week_name, _("Uke %d: %s"), week_number(week.days[0]), span);
    central_buf_htmlf(out,
                      "<nav class=\"weeks\" aria-label=\"%s\"><a href=\"/activities/%s?week="
                      "%s\">← %s</a><p class=\"week-name\">%s</p><a "
                      "href=\"/activities/%s?week=%s\">%s →</a></nav>",
                      _("Uker"), site->id, previous, _("Forrige uke"), week_name, site->id, next,
                      _("Neste uke"));
    if (strcmp(today, week.days[0]) < 0 || strcmp(today, week.days[6]) > 0)
        central_buf_htmlf(out, "<p><a href=\"/activities/%s\">%s</a></p>", site->id,
                          _("Til denne uken"));
    for (int i = 0; i < 7; i++)
        week_day(web, &week, i, today);
    plan_form(web, site->id, week.days[0]);
    web_end(web);
    free(week.rows);
}

void web_activities_page(struct web *web)
{
    if (!web->arg[0]) {
        if (web->user.role != CENTRAL_ROLE_COORDINATOR && web->user.site_count == 1) {
            char path[PATH_MAX_LEN];
            snprintf(path, sizeof path, "/activities/%s", web->user.sites[0]);
            web_redirect(web, path);
            return;
        }
        char err[256];
        web_begin(web, _("Aktiviteter"));
        central_buf_str(web->out, "<ul class=\"sites\">");
        central_store_sites(web->request->store, site_link, web, err, sizeof err);
        central_buf_str(web->out, "</ul>");
        web_end(web);
        return;
    }
    struct central_site site;
    const char *rest;
    if (site_of_url(web, &site, &rest))
        return;
    if (rest[0]) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke siden"), _("Denne siden finnes ikke."));
        return;
    }
    week_page(web, &site);
}

/* ---- the changes ---- */

static void back_to_week(struct web *web, const char *site, const char *date, const char *extra)
{
    char path[PATH_MAX_LEN + 32];
    snprintf(path, sizeof path, "/activities/%s?week=%s%s", site,
             date && central_report_date_valid(date) ? date : "", extra ? extra : "");
    web_redirect(web, path);
}

/* A 400 page saying what to fix (the browser's back button keeps the form). */
static void bad_input(struct web *web, const char *site, const char *text)
{
    (void)site;
    web_message(web, MHD_HTTP_BAD_REQUEST, _("Ikke lagret"), text);
}

static void plan_post(struct web *web, const struct central_site *site)
{
    struct central_plan plan;
    memset(&plan, 0, sizeof plan);
    const char *title = web_field(web, "title"), *place = web_field(web, "place");
    const char *start = web_field(web, "start"), *end = web_field(web, "end");
    const char *from = web_field(web, "from"), *until = web_field(web, "until");
    char err[256];
    plan.weekdays = web_weekdays(web);
    if (!title || !title[0] || strlen(title) >= sizeof plan.title ||
        (place && strlen(place) >= sizeof plan.place)) {
        bad_input(web, site->id,
                  _("Aktiviteten trenger en tittel, og tittel og sted må være under 128 "
                    "tegn."));
        return;
    }
    if (!plan.weekdays) {
        bad_input(web, site->id, _("Velg minst én ukedag."));
        return;
    }
    if (!start || !end || !central_plan_clock_valid(start) || !central_plan_clock_valid(end) ||
        !strcmp(start, end)) {
        bad_input(web, site->id,
                  _("Skriv to forskjellige klokkeslett som 11:00 og 12:00. En slutt før "
                    "starten er neste dag."));
        return;
    }
    if (!from || !until || !central_report_date_valid(from) || !central_report_date_valid(until)) {
        bad_input(web, site->id, _("Skriv første og siste dato."));
        return;
    }
    event_new_id(plan.id);
    snprintf(plan.site, sizeof plan.site, "%s", site->id);
    snprintf(plan.title, sizeof plan.title, "%s", title);
    snprintf(plan.place, sizeof plan.place, "%s", place ? place : "");
    memcpy(plan.start, start, sizeof plan.start);
    memcpy(plan.end, end, sizeof plan.end);
    memcpy(plan.from, from, sizeof plan.from);
    memcpy(plan.until, until, sizeof plan.until);
    size_t count = 0;
    int rc = central_plan_save(web->request->store, &plan, &count, err, sizeof err);
    if (rc == -EINVAL) {
        char text[256];
        snprintf(text, sizeof text,
                 _("Fra første til siste dato kan det være høyst %d dager, og minst én av "
                   "ukedagene må falle mellom dem."),
                 CENTRAL_PLAN_DAYS_MAX);
        bad_input(web, site->id, text);
        return;
    }
    if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Aktiviteten kunne ikke lagres nå."));
        return;
    }
    char detail[CENTRAL_NAME_MAX + 64];
    snprintf(detail, sizeof detail, "%s, %s-%s, %s..%s", plan.title, plan.start, plan.end,
             plan.from, plan.until);
    web_audit(web, "activity plan", site->id, detail);
    char extra[32];
    snprintf(extra, sizeof extra, "&planned=%zu", count);
    back_to_week(web, site->id, from, extra);
}

struct plan_find {
    const char *id;
    int found;
};

static int find_plan(void *ctx, const struct central_plan *plan)
{
    struct plan_find *find = ctx;
    find->found |= strcmp(plan->id, find->id) == 0;
    return 0;
}

/* 1 when plan is one of site's. */
static int plan_of_site(struct web *web, const char *site, const char *plan)
{
    struct plan_find find = {plan, 0};
    char err[256];
    return plan &&
           central_store_plans(web->request->store, site, find_plan, &find, err, sizeof err) == 0 &&
           find.found;
}

static void occurrence_post(struct web *web, const struct central_site *site, int move)
{
    const char *plan = web_field(web, "plan"), *date = web_field(web, "date");
    if (!plan_of_site(web, site->id, plan) || !date || !central_report_date_valid(date)) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke aktiviteten"),
                    _("Aktiviteten finnes ikke ved denne enheten."));
        return;
    }
    struct central_activity change;
    memset(&change, 0, sizeof change);
    const char *restore = web_field(web, "restore");
    change.cancelled = !move && !(restore && !strcmp(restore, "1"));
    const char *new_date = web_field(web, "new_date");
    if (move) {
        const char *start = web_field(web, "start"), *end = web_field(web, "end");
        if (!new_date || !central_report_date_valid(new_date) || !start || !end ||
            !central_plan_clock_valid(start) || !central_plan_clock_valid(end) ||
            !strcmp(start, end)) {
            bad_input(web, site->id, _("Skriv en dato og to forskjellige klokkeslett."));
            return;
        }
        memcpy(change.date, new_date, sizeof change.date);
        memcpy(change.start, start, sizeof change.start);
        memcpy(change.end, end, sizeof change.end);
    }
    char err[256];
    int rc =
        central_store_occurrence_change(web->request->store, plan, date, &change, err, sizeof err);
    if (rc == -ENOENT) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke aktiviteten"),
                    _("Aktiviteten har ingen forekomst den dagen."));
        return;
    }
    if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Endringen kunne ikke lagres nå."));
        return;
    }
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s%s%s %s-%s", plan, date, move ? " to " : "",
             move ? change.date : "", change.start, change.end);
    web_audit(web,
              move               ? "activity move"
              : change.cancelled ? "activity cancel"
                                 : "activity restore",
              site->id, detail);
    back_to_week(web, site->id, move ? new_date : web_field(web, "week"), NULL);
}

static const char *reason_words(const struct web *web, enum central_ical_reason reason)
{
    switch (reason) {
    case CENTRAL_ICAL_RULE_FREQ:
        return _("den gjentas månedlig eller årlig; bare ukentlige og daglige gjentakelser "
               "importeres. Legg den inn for hånd.");
    case CENTRAL_ICAL_RULE_INTERVAL:
        return _("den gjentas annenhver uke eller sjeldnere; bare hver uke og hver dag "
               "importeres. Legg den inn for hånd.");
    case CENTRAL_ICAL_RULE_PARTS:
        return _("gjentakelsen nevner måneder, datoer eller den n-te ukedagen; bare ukedager "
               "importeres.");
    case CENTRAL_ICAL_ALL_DAY:
        return _("den varer hele dagen; en aktivitet trenger start og slutt.");
    case CENTRAL_ICAL_LENGTH:
        return _("den varer ikke mellom 0 og 24 timer.");
    case CENTRAL_ICAL_NO_TIME:
        return _("den mangler tittel, start eller slutt.");
    case CENTRAL_ICAL_ZONE:
        return _("den bruker en tidssone som ikke står i filen.");
    case CENTRAL_ICAL_DATES:
        return _("den har ekstra datoer (RDATE, EXRULE), som ikke importeres.");
    case CENTRAL_ICAL_CHANGED:
        return _("en endret forekomst passer ikke til hendelsen.");
    case CENTRAL_ICAL_UID:
        return _("den mangler UID, eller UID-en står to ganger i filen.");
    case CENTRAL_ICAL_TEXT:
        return _("tittelen eller stedet er for langt, eller ikke UTF-8.");
    case CENTRAL_ICAL_UNREADABLE:
    default:
        return _("den kunne ikke leses.");
    }
}

static void import_post(struct web *web, const struct central_site *site)
{
    size_t len = 0;
    const char *text = web_field_bytes(web, "file", &len);
    if (!text || len == 0) {
        bad_input(web, site->id, _("Velg en kalenderfil (.ics) å importere."));
        return;
    }
    if (len > CENTRAL_ICAL_FILE_MAX) {
        char message[128];
        snprintf(message, sizeof message,
                 _("Filen er større enn %u MB. Lagre en kortere periode av kalenderen."),
                 CENTRAL_ICAL_FILE_MAX / (1024 * 1024));
        bad_input(web, site->id, message);
        web->response->status = MHD_HTTP_CONTENT_TOO_LARGE;
        return;
    }
    struct central_ical_result *result = malloc(sizeof *result);
    if (!result) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _("Feil"), _("Tomt for minne."));
        return;
    }
    char today[CENTRAL_DATE_LEN + 1], err[512];
    central_ical_today(today);
    int rc = central_ical_import(web->request->store, site->id, "upload", text, len, today, result,
                                 err, sizeof err);
    if (rc == -EINVAL) {
        bad_input(web, site->id,
                  _("Filen er ikke en kalenderfil med hendelser (iCalendar, .ics). Ingenting "
                    "ble endret."));
    } else if (rc == -EEXIST) {
        bad_input(web, site->id,
                  _("En hendelse i filen er alt importert for en annen enhet. Ingenting ble "
                    "endret."));
    } else if (rc) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Kalenderen kunne ikke importeres nå. Ingenting ble endret."));
    } else {
        char detail[128];
        snprintf(detail, sizeof detail, "%zu events, %zu added, %zu changed, %zu removed",
                 result->events, result->counts.added, result->counts.updated,
                 result->counts.removed);
        web_audit(web, "activity import", site->id, detail);
        char title[CENTRAL_NAME_MAX + 32];
        snprintf(title, sizeof title, _("Kalenderen er importert: %s"), site->name);
        web_begin(web, title);
        struct central_buf *out = web->out;
        central_buf_str(out, "<p class=\"done\" role=\"status\">");
        central_buf_htmlf(out,
                          _("Hendelser i filen: %zu. Nye: %zu. Endret: %zu. Avlyst eller fjernet: "
                            "%zu. Bare i fortiden: %zu. Aktiviteter fra i dag: %zu, av dem nye "
                            "eller endret: %zu."),
                          result->events, result->counts.added, result->counts.updated,
                          result->counts.removed + result->cancelled, result->past,
                          result->occurrences, result->counts.changed);
        central_buf_str(out, "</p>");
        if (result->refused) {
            central_buf_str(out, "<h2>");
            central_buf_htmlf(out,
                              web_ntext(web, "%zu hendelse ble ikke importert",
                                        "%zu hendelser ble ikke importert", (long)result->refused),
                              result->refused);
            central_buf_str(out, "</h2><ul class=\"refused\">");
            for (size_t i = 0; i < result->refusal_count; i++) {
                const struct central_ical_refusal *row = &result->refusals[i];
                central_buf_str(out, "<li>");
                central_buf_htmlf(out, _("Linje %d: «%s» ble ikke importert: %s"), row->line,
                                  row->title[0] ? row->title : _("uten tittel"),
                                  reason_words(web, row->reason));
                central_buf_htmlf(out, " <span class=\"meta\">UID %s</span></li>", row->uid);
            }
            central_buf_str(out, "</ul>");
        }
        central_buf_htmlf(out, "<p><a href=\"/activities/%s\">%s</a></p>", site->id,
                          _("Til aktivitetene"));
        web_end(web);
    }
    free(result);
}

void web_activities_post(struct web *web)
{
    struct central_site site;
    const char *rest;
    if (site_of_url(web, &site, &rest))
        return;
    if (!strcmp(rest, "plan"))
        plan_post(web, &site);
    else if (!strcmp(rest, "cancel"))
        occurrence_post(web, &site, 0);
    else if (!strcmp(rest, "move"))
        occurrence_post(web, &site, 1);
    else if (!strcmp(rest, "import"))
        import_post(web, &site);
    else
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke siden"), _("Denne siden finnes ikke."));
}
