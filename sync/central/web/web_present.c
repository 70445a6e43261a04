/* Who is here now, per site: the second source for a fire roll call, so
 * one small page that loads fast and reads at arm's length on a phone.
 * It says how fresh it is: the time of each kiosk's last upload. */
#include <stdio.h>
#include <string.h>

#include "web.h"

void web_home_page(struct web *web)
{
    if (web->user.role & (CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT)) {
        web_redirect(web, "/here");
        return;
    }
    web_begin(web, "Tilstede");
    central_buf_htmlf(web->out, "<p>%s <a href=\"/\">%s</a>.</p>", _("Rapportene finner du på"),
                      _("oversikten"));
    web_end(web);
}

struct site_list {
    struct web *web;
    int count;
};

static int site_link(void *ctx, const struct central_site *site)
{
    struct site_list *list = ctx;
    if (!web_may_site(list->web, site->id))
        return 0;
    list->count++;
    central_buf_htmlf(list->web->out, "<li><a href=\"/here/%s\">%s</a></li>", site->id, site->name);
    return 0;
}

struct upload_times {
    const struct web *web;
    const char *site;
    struct central_buf *out;
    int count;
};

static int upload_time(void *ctx, const struct central_device *device)
{
    struct upload_times *times = ctx;
    const struct web *web = times->web;
    if (device->revoked_us || strcmp(device->site, times->site) != 0)
        return 0;
    char when[64];
    int64_t at =
        device->status.last_upload_us ? device->status.last_upload_us : device->last_seen_us;
    if (at)
        web_clock(web, at, when, sizeof when);
    else
        snprintf(when, sizeof when, "%s", _("aldri"));
    /* Markup only as literals: central_buf_htmlf escapes every %s. */
    if (times->count++)
        central_buf_str(times->out, "<br>");
    /* TRANSLATORS: a kiosk's name, then when it last uploaded. */
    central_buf_str(times->out, "<span class=\"t\">");
    central_buf_htmlf(times->out, _("%s: sist lastet opp %s"), device->name, when);
    central_buf_str(times->out, "</span>");
    return 0;
}

struct present_rows {
    const struct web *web;
    struct central_buf *out;
    int count;
};

static int present_row(void *ctx, const struct central_presence *p)
{
    struct present_rows *rows = ctx;
    const struct web *web = rows->web;
    char since[64];
    web_clock(web, p->since_us, since, sizeof since);
    central_buf_htmlf(rows->out,
                      "<li><span class=\"who\">%s</span> <span class=\"since\">"
                      "%s %s%s%s</span></li>",
                      p->name[0] ? p->name : p->volunteer, _("fra"), since,
                      p->activity[0] ? " · " : "",
                      p->activity);
    rows->count++;
    return 0;
}

void web_present_page(struct web *web)
{
    struct central_store *store = web->request->store;
    char err[256];
    if (!web->arg[0]) {
        /* A contact with one site goes straight to it. */
        if (web->user.role != CENTRAL_ROLE_COORDINATOR && web->user.site_count == 1) {
            char path[EVENT_KEY_MAX + 8];
            snprintf(path, sizeof path, "/here/%s", web->user.sites[0]);
            web_redirect(web, path);
            return;
        }
        web_begin(web, _("Hvem er her"));
        central_buf_str(web->out, "<ul class=\"sites\">");
        struct site_list list = {web, 0};
        central_store_sites(store, site_link, &list, err, sizeof err);
        central_buf_str(web->out, "</ul>");
        if (!list.count)
            central_buf_htmlf(web->out, "<p>%s</p>", _("Ingen enheter."));
        web_end(web);
        return;
    }
    struct central_site site;
    /* The same answer for a site that does not exist and one not yours:
     * the URL tells nothing about other sites. */
    if (!web_may_site(web, web->arg) ||
        central_store_site_get(store, web->arg, &site, err, sizeof err) != 0) {
        web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                    _("Du har ikke tilgang til denne enheten."));
        return;
    }
    char title[CENTRAL_NAME_MAX + 32];
    snprintf(title, sizeof title, _("Her nå: %s"), site.name);
    web_begin(web, title);
    struct central_buf *out = web->out;
    central_buf_str(out, "<ul class=\"present\">");
    struct present_rows rows = {web, out, 0};
    int rc = central_store_present(store, site.id, present_row, &rows, err, sizeof err);
    central_buf_str(out, "</ul>");
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>",
                          _("Listen kunne ikke leses. Last siden på nytt."));
    central_buf_htmlf(out, "<p class=\"count\">");
    central_buf_htmlf(out,
                      web_ntext(web, "<strong>%d</strong> frivillig innsjekket",
                                "<strong>%d</strong> frivillige innsjekket", rows.count),
                      rows.count);
    central_buf_str(out, "</p>");
    central_buf_str(out, "<p class=\"fresh\">");
    struct upload_times times = {web, site.id, out, 0};
    central_store_devices(store, upload_time, &times, err, sizeof err);
    if (!times.count)
        central_buf_htmlf(out, "%s", _("Ingen kiosk ved denne enheten."));
    central_buf_htmlf(out, "</p><p><a href=\"\">%s</a></p>", _("Oppdater"));
    web_end(web);
}
