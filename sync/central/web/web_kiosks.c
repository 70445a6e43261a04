/* The kiosks: each one's state as the dashboard shows it, the silent ones
 * first; add one (its token shown once, in the one command to paste on the
 * board) and revoke one. A contact sees and changes their own sites' only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "opening.h"
#include "token.h"
#include "web.h"

#define KIOSKS_MAX 1024

#define OPENINGS_MAX 1024

struct kiosk_list {
    struct web *web;
    struct central_device *devices;
    size_t count;
    /* The sites' opening hours: silence counts only while a site is open. */
    struct central_opening *hours;
    size_t hour_count;
};

static int keep_hours(void *ctx, const struct central_opening *hours)
{
    struct kiosk_list *list = ctx;
    if (list->hours && list->hour_count < OPENINGS_MAX)
        list->hours[list->hour_count++] = *hours;
    return 0;
}

static int keep_device(void *ctx, const struct central_device *device)
{
    struct kiosk_list *list = ctx;
    if (device->revoked_us || !web_may_site(list->web, device->site) || list->count == KIOSKS_MAX)
        return 0;
    list->devices[list->count++] = *device;
    return 0;
}

static int64_t now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec;
}

static int silent(const struct kiosk_list *list, const struct central_device *d,
                  int64_t silent_after_s)
{
    const struct central_opening *hours = NULL;
    for (size_t i = 0; i < list->hour_count; i++)
        if (strcmp(list->hours[i].site, d->site) == 0)
            hours = &list->hours[i];
    return central_opening_silent(hours, d->last_seen_us / 1000000, now_s(), silent_after_s);
}

static void kiosk_row(struct web *web, const struct central_device *d, int quiet)
{
    struct central_buf *out = web->out;
    char seen[64] = "aldri";
    if (d->last_seen_us)
        web_when(d->last_seen_us, seen, sizeof seen);
    /* Markup only as literals: central_buf_htmlf escapes every %s. */
    central_buf_str(out, quiet ? "<tr class=\"silent\">" : "<tr>");
    central_buf_htmlf(out, "<td>%s</td><td>%s</td><td>%s%s</td>", d->site, d->name,
                      quiet ? "⚠ Stille · " : "", seen);
    if (d->status.received_us)
        central_buf_htmlf(out, "<td class=\"n\">%lld</td><td>%s</td><td>%s</td><td>%s</td>",
                          (long long)d->status.events_waiting, d->status.software_version,
                          strcmp(d->status.reader_state, "connected") == 0 ? "ok"
                                                                           : "ikke tilkoblet",
                          d->status.clock_synced ? "synkronisert" : "ikke synkronisert");
    else
        central_buf_str(out, "<td class=\"n\">–</td><td colspan=\"3\">ingen statusrapport "
                             "ennå</td>");
    central_buf_htmlf(out,
                      "<td>%s</td><td><form method=\"post\" action=\"/kiosks/revoke\">"
                      "<input type=\"hidden\" name=\"id\" value=\"%lld\">",
                      d->status.recovery.reported ? "gjenopprettet fra sikkerhetskopi" : "–",
                      (long long)d->id);
    web_csrf_field(web);
    central_buf_htmlf(out,
                      "<button type=\"submit\" aria-label=\"Trekk tilbake %s\">Trekk "
                      "tilbake</button></form></td></tr>",
                      d->name);
}

static int site_option(void *ctx, const struct central_site *site)
{
    struct web *web = ctx;
    if (web_may_site(web, site->id))
        central_buf_htmlf(web->out, "<option value=\"%s\">%s</option>", site->id, site->name);
    return 0;
}

void web_kiosks_page(struct web *web)
{
    struct central_store *store = web->request->store;
    struct kiosk_list list = {web, calloc(KIOSKS_MAX, sizeof *list.devices), 0, NULL, 0};
    char err[256];
    if (!list.devices) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, "Feil", "Tomt for minne.");
        return;
    }
    int rc = central_store_devices(store, keep_device, &list, err, sizeof err);
    /* Without the hours (a store that has none) every site counts as open. */
    list.hours = calloc(OPENINGS_MAX, sizeof *list.hours);
    central_store_openings(store, keep_hours, &list, err, sizeof err);
    web_begin(web, "Kiosker");
    struct central_buf *out = web->out;
    if (rc)
        central_buf_str(out, "<p class=\"error\">Kioskene kunne ikke leses.</p>");
    int64_t after = web->request->config->silent_after_s;
    size_t quiet = 0;
    for (size_t i = 0; i < list.count; i++)
        quiet += silent(&list, &list.devices[i], after);
    if (quiet)
        central_buf_htmlf(out,
                          "<p class=\"warn\" role=\"status\">⚠ %zu %s ikke hørt fra på %lld "
                          "timer i enhetens åpningstid.</p>",
                          quiet, quiet == 1 ? "kiosk er" : "kiosker er", (long long)(after / 3600));
    central_buf_str(out, "<div class=\"wide\"><table><caption>Kiosker i bruk</caption><thead>"
                         "<tr><th scope=\"col\">Enhet</th><th scope=\"col\">Kiosk</th>"
                         "<th scope=\"col\">Sist kontakt</th><th scope=\"col\" class=\"n\">"
                         "Ventende</th><th scope=\"col\">Programvare</th><th scope=\"col\">"
                         "Kortleser</th><th scope=\"col\">Klokke</th><th scope=\"col\">"
                         "Gjenoppretting</th><th scope=\"col\">Handling</th></tr></thead>"
                         "<tbody>");
    /* Silent first, then the rest, each in the store's order. */
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < list.count; i++)
            if (silent(&list, &list.devices[i], after) == pass)
                kiosk_row(web, &list.devices[i], pass);
    central_buf_str(out, "</tbody></table></div>");
    central_buf_str(out, "<h2>Legg til en kiosk</h2><form method=\"post\" "
                         "action=\"/kiosks/add\" class=\"stack\"><label for=\"site\">Enhet"
                         "</label><select id=\"site\" name=\"site\">");
    central_store_sites(store, site_option, web, err, sizeof err);
    central_buf_str(out, "</select><label for=\"kname\">Navn på kiosken</label>"
                         "<input id=\"kname\" name=\"name\" required maxlength=\"100\">");
    web_csrf_field(web);
    central_buf_str(out, "<button type=\"submit\">Legg til</button></form>");
    web_end(web);
    free(list.devices);
    free(list.hours);
}

void web_kiosks_add(struct web *web)
{
    const char *site = web_field(web, "site"), *name = web_field(web, "name");
    if (!site || !name || !name[0] || strlen(name) >= CENTRAL_NAME_MAX) {
        web_message(web, MHD_HTTP_BAD_REQUEST, "Mangler navn",
                    "Kiosken trenger et navn (under 128 tegn).");
        return;
    }
    if (!web_may_site(web, site)) {
        web_message(web, MHD_HTTP_FORBIDDEN, "Ingen tilgang",
                    "Du har ikke tilgang til denne enheten.");
        return;
    }
    char token[CENTRAL_TOKEN_TEXT_MAX], err[256];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(token, hash);
    int64_t id = 0;
    int rc = central_store_device_add(web->request->store, site, name, hash, &id, err, sizeof err);
    if (rc) {
        web_message(web, rc == -EEXIST ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST,
                    "Kiosken ble ikke lagt til",
                    rc == -EEXIST ? "Enheten har alt en kiosk med dette navnet."
                                  : "Enheten finnes ikke.");
        return;
    }
    char number[32];
    snprintf(number, sizeof number, "%lld", (long long)id);
    web_audit(web, "kiosk add", site, number);
    const char *url = web->request->config->public_url;
    web_begin(web, "Kiosken er lagt til");
    central_buf_htmlf(web->out,
                      "<p>Kiosk nummer %lld, «%s». Kjør denne kommandoen på kiosken. "
                      "Nøkkelen vises bare nå:</p><pre class=\"command\"><code>"
                      "sudo tilstedectl --config /etc/tilstede/tilstede.conf provision "
                      "--central %s --token %s</code></pre>"
                      "<p><a href=\"/kiosks\">Tilbake til kioskene</a></p>",
                      (long long)id, name, url && url[0] ? url : "https://SENTRALEN", token);
    web_end(web);
    memset(token, 0, sizeof token);
}

struct find_device {
    int64_t id;
    struct central_device device;
    int found;
};

static int find_device(void *ctx, const struct central_device *device)
{
    struct find_device *find = ctx;
    if (device->id == find->id && !device->revoked_us) {
        find->device = *device;
        find->found = 1;
    }
    return 0;
}

void web_kiosks_revoke(struct web *web)
{
    const char *id_text = web_field(web, "id");
    struct find_device find = {.id = id_text ? strtoll(id_text, NULL, 10) : 0};
    char err[256];
    central_store_devices(web->request->store, find_device, &find, err, sizeof err);
    if (!find.found || !web_may_site(web, find.device.site)) {
        web_message(web, MHD_HTTP_FORBIDDEN, "Ingen tilgang",
                    "Kiosken finnes ikke, eller den hører ikke til dine enheter.");
        return;
    }
    if (central_store_device_revoke(web->request->store, find.id, err, sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, "Prøv igjen",
                    "Kiosken kunne ikke trekkes tilbake nå.");
        return;
    }
    char number[32];
    snprintf(number, sizeof number, "%lld", (long long)find.id);
    web_audit(web, "kiosk revoke", find.device.site, number);
    web_redirect(web, "/kiosks");
}
