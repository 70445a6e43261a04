/* What needs review: the visits the kiosks closed automatically (a
 * forgotten check-out), per site and oldest first, where a coordinator or
 * the site's contact sets the real end. The end is a correction event, as a
 * kiosk's staff make (store_review.h): it counts in every total at once and
 * goes down to the site's kiosks with their next sync (GET
 * /v1/corrections). A contact sees and corrects only their own sites,
 * whatever the URL or the form says. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "plan.h"
#include "protocol.h"
#include "report.h"
#include "store_review.h"
#include "web.h"

#define REVIEW_SHOWN 500 /* rows of the list; corrected ones make room */

/* Every word these pages show, in one place: bokmål msgids, translated
 * where used (_(), web.h). Plain text: the markup is in the formats below. */
static const struct {
    const char *title, *intro, *none, *col_name, *col_activity, *col_came, *col_credited, *col_end,
        *date, *time, *save, *first_only, *read_failed, *done, *no_access_title, *no_access,
        *gone_title, *gone, *bad_title, *bad_time, *before_start, *in_future, *busy, *all_sites,
        *unknown_name;
} text = {
    .title = N_("Til gjennomgang"),
    .intro = N_("Besøk som kiosken avsluttet av seg selv fordi noen glemte å sjekke ut. Sett "
                "riktig sluttid: timene telles med en gang, og kiosken får rettingen ved neste "
                "synkronisering."),
    .none = N_("Ingen besøk venter på gjennomgang."),
    .col_name = N_("Frivillig"),
    .col_activity = N_("Aktivitet"),
    .col_came = N_("Kom"),
    .col_credited = N_("Avsluttet automatisk"),
    .col_end = N_("Riktig sluttid"),
    .date = N_("Dato"),
    .time = N_("Klokkeslett"),
    .save = N_("Lagre"),
    .first_only = N_("Viser de eldste"),
    .read_failed = N_("Listen kunne ikke leses. Last siden på nytt."),
    .done = N_("Sluttiden er lagret, og timene er telt på nytt."),
    .no_access_title = N_("Ingen tilgang"),
    .no_access = N_("Du har ikke tilgang til denne enheten."),
    .gone_title = N_("Finnes ikke lenger"),
    .gone = N_("Besøket venter ikke lenger på gjennomgang (det kan være rettet allerede)."),
    .bad_title = N_("Sluttiden ble ikke lagret"),
    .bad_time = N_("Skriv dato som åååå-mm-dd og klokkeslett som tt:mm."),
    .before_start = N_("Sluttiden kan ikke være før den frivillige kom."),
    .in_future = N_("Sluttiden kan ikke være fram i tid."),
    .busy = N_("Tjenesten er opptatt. Prøv igjen om litt."),
    .all_sites = N_("Alle enheter"),
    .unknown_name = N_("(ikke i frivilliglisten)"),
};

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* "YYYY-MM-DD" and "HH:MM" in local time as microseconds: 0, or -EINVAL. */
static int local_time(const char *date, const char *clock, int64_t *us)
{
    int year, month, day, hour, minute;
    if (!date || !clock || !central_report_date_valid(date) || !central_plan_clock_valid(clock) ||
        sscanf(date, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
        sscanf(clock, "%2d:%2d", &hour, &minute) != 2)
        return -EINVAL;
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = minute,
                    .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -EINVAL;
    *us = (int64_t)t * 1000000;
    return 0;
}

static void local_date(int64_t us, char out[CENTRAL_DATE_LEN + 1])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (!strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm))
        out[0] = '\0';
}

struct list {
    struct web *web;
    char site[EVENT_KEY_MAX]; /* the site whose table is open, "" none */
    size_t count;
};

static void table_close(struct list *list)
{
    if (list->site[0])
        central_buf_str(list->web->out, "</tbody></table></div>");
    list->site[0] = '\0';
}

static int review_row(void *ctx, const struct central_review_visit *r)
{
    struct list *list = ctx;
    struct web *web = list->web;
    struct central_buf *out = web->out;
    if (strcmp(list->site, r->site) != 0) {
        table_close(list);
        snprintf(list->site, sizeof list->site, "%s", r->site);
        central_buf_htmlf(out,
                          "<h2 id=\"site-%s\">%s</h2><div class=\"wide\"><table class=\"stack\">"
                          "<caption class=\"sr\">%s</caption><thead><tr>"
                          "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                          "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                          "<th scope=\"col\">%s</th></tr></thead><tbody>",
                          r->site, r->site_name, r->site_name, _(text.col_name),
                          _(text.col_activity), _(text.col_came), _(text.col_credited),
                          _(text.col_end));
    }
    char came[64], credited[64], day[CENTRAL_DATE_LEN + 1];
    web_when(web, r->start_us, came, sizeof came);
    web_when(web, r->end_us, credited, sizeof credited);
    local_date(r->start_us, day);
    central_buf_htmlf(out,
                      "<tr data-event=\"%s\"><td>%s <span class=\"t\">%s</span></td><td>%s</td>"
                      "<td class=\"t\">%s</td><td class=\"t\">%s</td><td>"
                      "<form method=\"post\" action=\"/review\" class=\"actions\">"
                      "<input type=\"hidden\" name=\"event\" value=\"%s\">",
                      r->end_event, r->volunteer_name[0] ? r->volunteer_name : _(text.unknown_name),
                      r->volunteer, r->activity_title, came, credited, r->end_event);
    web_csrf_field(list->web);
    central_buf_htmlf(out,
                      "<label for=\"date-%s\">%s</label><input type=\"date\" id=\"date-%s\" "
                      "name=\"date\" value=\"%s\" required>"
                      "<label for=\"time-%s\">%s</label><input type=\"time\" id=\"time-%s\" "
                      "name=\"time\" required>"
                      "<button type=\"submit\">%s</button></form></td></tr>",
                      r->end_event, _(text.date), r->end_event, day, r->end_event, _(text.time),
                      r->end_event, _(text.save));
    list->count++;
    return 0;
}

static int site_option(void *ctx, const struct central_site *site)
{
    struct list *list = ctx;
    if (web_may_site(list->web, site->id))
        central_buf_htmlf(list->web->out, "<li><a href=\"/review/%s\">%s</a></li>", site->id,
                          site->name);
    return 0;
}

void web_review_page(struct web *web)
{
    struct central_store *store = web->request->store;
    struct central_buf *out = web->out;
    char err[256];
    const char *site = web->arg;
    if (site[0] && (strchr(site, '/') || !web_may_site(web, site))) {
        web_message(web, MHD_HTTP_FORBIDDEN, _(text.no_access_title), _(text.no_access));
        return;
    }
    web_begin(web, _(text.title));
    const char *done = web_field(web, "done");
    if (done && !strcmp(done, "1"))
        central_buf_htmlf(out, "<p class=\"message\" role=\"status\">%s</p>", _(text.done));
    central_buf_htmlf(out,
                      "<p>%s</p><nav aria-label=\"%s\"><ul class=\"sites\">"
                      "<li><a href=\"/review\">%s</a></li>",
                      _(text.intro), _(text.all_sites), _(text.all_sites));
    struct list list = {.web = web};
    central_store_sites(store, site_option, &list, err, sizeof err);
    central_buf_str(out, "</ul></nav>");
    int rc = 0;
    if (site[0] || web->user.role == CENTRAL_ROLE_COORDINATOR) {
        rc = central_store_review_visits(store, site, REVIEW_SHOWN, review_row, &list, err,
                                         sizeof err);
    } else {
        /* A contact: each of their sites in turn, never the whole list. */
        for (size_t i = 0; !rc && i < web->user.site_count && list.count < REVIEW_SHOWN; i++)
            rc = central_store_review_visits(store, web->user.sites[i], REVIEW_SHOWN - list.count,
                                             review_row, &list, err, sizeof err);
    }
    table_close(&list);
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>", _(text.read_failed));
    else if (!list.count)
        central_buf_htmlf(out, "<p>%s</p>", _(text.none));
    else if (list.count >= REVIEW_SHOWN)
        central_buf_htmlf(out, "<p>%s %d.</p>", _(text.first_only), REVIEW_SHOWN);
    web_end(web);
}

/* "2026-12-03 14:05", local: the audit log's rows are read by every
 * language, so they hold no words of one. */
static void audit_time(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    if (!strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
        out[0] = '\0';
}

void web_review_post(struct web *web)
{
    struct central_store *store = web->request->store;
    const char *event_id = web_field(web, "event");
    char err[256];
    struct central_review_visit visit;
    int rc = event_id && protocol_is_uuid(event_id)
                 ? central_store_review_get(store, event_id, &visit, err, sizeof err)
                 : -ENOENT;
    if (rc == -ENOENT) {
        web_message(web, MHD_HTTP_NOT_FOUND, _(text.gone_title), _(text.gone));
        return;
    }
    if (rc) {
        web->response->retry_after_s = 5;
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.bad_title), _(text.busy));
        return;
    }
    /* The form names a visit by its event alone: the site is the visit's,
     * so an edited form reaches no other site than the URL would. */
    if (!web_may_site(web, visit.site)) {
        web_message(web, MHD_HTTP_FORBIDDEN, _(text.no_access_title), _(text.no_access));
        return;
    }
    int64_t end_us = 0;
    if (local_time(web_field(web, "date"), web_field(web, "time"), &end_us)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.bad_time));
        return;
    }
    if (end_us < visit.start_us) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.before_start));
        return;
    }
    if (end_us > now_us()) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.in_future));
        return;
    }
    struct event made;
    rc = central_store_review_correct(store, event_id, end_us, web->user.name, &made, err,
                                      sizeof err);
    if (rc == -ENOENT) {
        web_message(web, MHD_HTTP_NOT_FOUND, _(text.gone_title), _(text.gone));
        return;
    }
    if (rc == -EINVAL) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _(text.bad_title), _(text.before_start));
        return;
    }
    if (rc) {
        web->response->retry_after_s = 5;
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _(text.bad_title), _(text.busy));
        return;
    }
    /* Who corrected what: the site, the auto-close, the old and new end;
     * the volunteer by id, as the other audit rows name them. */
    char was[32], now[32], detail[CENTRAL_AUDIT_TEXT_MAX];
    audit_time(visit.end_us, was, sizeof was);
    audit_time(end_us, now, sizeof now);
    snprintf(detail, sizeof detail, "%s: end %s (was %s), corrects %s", visit.site, now, was,
             event_id);
    web_audit(web, "visit end correct", visit.volunteer, detail);
    char path[EVENT_KEY_MAX + 32];
    int back_to_site = web->arg[0] && !strcmp(web->arg, visit.site);
    snprintf(path, sizeof path, "/review%s%s?done=1", back_to_site ? "/" : "",
             back_to_site ? visit.site : "");
    web_redirect(web, path);
}
