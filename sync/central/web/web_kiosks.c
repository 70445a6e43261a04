/* The kiosks: each one's state as the dashboard shows it, the silent ones
 * first; add one (its token shown once, in the one command to paste on the
 * board) and revoke one. A contact sees and changes their own sites' only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "opening.h"
#include "plan.h"
#include "token.h"
#include "web.h"

#define KIOSKS_MAX 1024

struct kiosk_list {
    struct web *web;
    struct central_device *devices;
    size_t count;
    /* The sites' opening hours: silence counts only while a site is open. */
    struct central_openings hours;
    int64_t now_s;
    size_t left_out; /* kiosks past KIOSKS_MAX */
};

static int keep_device(void *ctx, const struct central_device *device)
{
    struct kiosk_list *list = ctx;
    if (device->revoked_us || !web_may_site(list->web, device->site))
        return 0;
    if (list->count == KIOSKS_MAX) {
        list->left_out++; /* said on the page, never a silent cut */
        return 0;
    }
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
    return central_openings_silent(&list->hours, d->site, d->last_seen_us, list->now_s,
                                   silent_after_s);
}

static void kiosk_row(struct web *web, const struct central_device *d, int quiet)
{
    struct central_buf *out = web->out;
    char seen[64];
    snprintf(seen, sizeof seen, "%s", _("aldri"));
    if (d->last_seen_us)
        web_when(web, d->last_seen_us, seen, sizeof seen);
    /* Markup only as literals: central_buf_htmlf escapes every %s. */
    central_buf_str(out, quiet ? "<tr class=\"silent\">" : "<tr>");
    central_buf_htmlf(out, "<td>%s</td><td>%s</td><td>%s%s</td>", d->site, d->name,
                      quiet ? _("⚠ Stille · ") : "", seen);
    if (d->status.received_us)
        central_buf_htmlf(out, "<td class=\"n\">%lld</td><td>%s</td><td>%s</td><td>%s</td>",
                          (long long)d->status.events_waiting, d->status.software_version,
                          strcmp(d->status.reader_state, "connected") == 0 ? _("ok")
                                                                           : _("ikke tilkoblet"),
                          d->status.clock_synced ? _("synkronisert") : _("ikke synkronisert"));
    else
        central_buf_htmlf(out, "<td class=\"n\">–</td><td colspan=\"3\">%s</td>",
                          _("ingen statusrapport ennå"));
    central_buf_htmlf(out,
                      "<td>%s</td><td><form method=\"post\" action=\"/kiosks/revoke\">"
                      "<input type=\"hidden\" name=\"id\" value=\"%lld\">",
                      d->status.recovery.reported ? _("gjenopprettet fra sikkerhetskopi") : "–",
                      (long long)d->id);
    web_csrf_field(web);
    char label[CENTRAL_NAME_MAX + 64];
    snprintf(label, sizeof label, _("Trekk tilbake %s"), d->name);
    central_buf_htmlf(out, "<button type=\"submit\" aria-label=\"%s\">%s</button></form></td></tr>",
                      label, _("Trekk tilbake"));
}

static int site_option(void *ctx, const struct central_site *site)
{
    struct web *web = ctx;
    if (web_may_site(web, site->id))
        central_buf_htmlf(web->out, "<option value=\"%s\">%s</option>", site->id, site->name);
    return 0;
}

/* "man, tir, fre 08.00–16.00", or "hele døgnet" without hours. */
static void hours_words(struct web *web, const struct central_opening *hours)
{
    struct central_buf *out = web->out;
    if (!hours) {
        central_buf_str(out, _("hele døgnet, alle dager"));
        return;
    }
    const char *sep = "";
    for (int d = 0; d < 7; d++)
        if (hours->weekdays & (CENTRAL_PLAN_MONDAY << d)) {
            central_buf_htmlf(out, "%s%s", sep, web_weekday_short(web, d + 1));
            sep = ", ";
        }
    if (strcmp(hours->start, hours->end) == 0)
        central_buf_htmlf(out, " %s", _("hele døgnet"));
    else {
        /* The Norwegian clock: 08.00. */
        char span[16];
        snprintf(span, sizeof span, "%.2s.%.2s–%.2s.%.2s", hours->start, hours->start + 3,
                 hours->end, hours->end + 3);
        central_buf_htmlf(out, " %s", span);
    }
}

struct hours_rows {
    struct web *web;
    const struct central_openings *hours;
};

static int hours_row(void *ctx, const struct central_site *site)
{
    struct hours_rows *rows = ctx;
    struct web *web = rows->web;
    if (!web_may_site(web, site->id))
        return 0;
    central_buf_htmlf(web->out, "<tr><td>%s</td><td>", site->name);
    hours_words(web, central_openings_site(rows->hours, site->id));
    central_buf_str(web->out, "</td></tr>");
    return 0;
}

/* The opening hours: each site's, and a form to change one. */
static void hours_section(struct web *web, const struct central_openings *hours)
{
    struct central_buf *out = web->out;
    struct central_store *store = web->request->store;
    char err[256];
    central_buf_htmlf(out,
                      "<h2 id=\"hours\">%s</h2><p>%s</p><div class=\"wide\"><table><caption>"
                      "%s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s"
                      "</th></tr></thead><tbody>",
                      _("Åpningstider"),
                      _("En kiosk regnes som stille bare for tiden enheten er åpen: en "
                        "dagsenters kiosk er ikke stille mandag morgen etter en stengt helg."),
                      _("Åpningstider per enhet"), _("Enhet"), _("Åpen"));
    struct hours_rows rows = {web, hours};
    central_store_sites(store, hours_row, &rows, err, sizeof err);
    central_buf_htmlf(out,
                      "</tbody></table></div><h3>%s</h3><form method=\"post\" "
                      "action=\"/kiosks/hours\" class=\"stack\"><label for=\"hsite\">%s</label>"
                      "<select id=\"hsite\" name=\"site\">",
                      _("Endre åpningstid"), _("Enhet"));
    central_store_sites(store, site_option, web, err, sizeof err);
    central_buf_htmlf(out, "</select><fieldset class=\"days\"><legend>%s</legend>", _("Dager"));
    /* Monday to Friday ticked: most sites' week. */
    web_weekday_boxes(web, CENTRAL_PLAN_MONDAY * 31);
    central_buf_htmlf(out,
                      "</fieldset><label for=\"hstart\">%s</label><input id=\"hstart\" "
                      "name=\"start\" type=\"time\" value=\"08:00\" required>"
                      "<label for=\"hend\">%s</label><input id=\"hend\" name=\"end\" "
                      "type=\"time\" value=\"16:00\" required><p class=\"hint\">%s</p>",
                      _("Åpner"), _("Stenger"),
                      _("Stenger før den åpner: åpent over midnatt. Like tider: hele døgnet."));
    web_csrf_field(web);
    central_buf_htmlf(out,
                      "<button type=\"submit\">%s</button><button type=\"submit\" "
                      "name=\"always\" value=\"1\" formnovalidate>%s</button></form>",
                      _("Lagre åpningstid"), _("Åpen hele døgnet"));
}

void web_kiosks_page(struct web *web)
{
    struct central_store *store = web->request->store;
    struct kiosk_list list = {.web = web, .devices = calloc(KIOSKS_MAX, sizeof *list.devices),
                              .now_s = now_s()};
    char err[256];
    if (!list.devices) {
        web_message(web, MHD_HTTP_INTERNAL_SERVER_ERROR, _("Feil"), _("Tomt for minne."));
        return;
    }
    int rc = central_store_devices(store, keep_device, &list, err, sizeof err);
    /* Without the hours (a store that has none) every site counts as open. */
    int hours_rc = central_openings_load(store, &list.hours, err, sizeof err);
    web_begin(web, _("Kiosker"));
    struct central_buf *out = web->out;
    if (rc)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>", _("Kioskene kunne ikke leses."));
    if (hours_rc && hours_rc != -ENOTSUP)
        central_buf_htmlf(out, "<p class=\"error\">%s</p>",
                          _("Åpningstidene kunne ikke leses: alle enheter regnes som åpne."));
    int64_t after = web->request->config->silent_after_s;
    size_t quiet = 0;
    for (size_t i = 0; i < list.count; i++)
        quiet += silent(&list, &list.devices[i], after);
    if (quiet) {
        central_buf_str(out, "<p class=\"warn\" role=\"status\">⚠ ");
        central_buf_htmlf(out,
                          web_ntext(web,
                                    "%zu kiosk er ikke hørt fra på %lld timer i enhetens "
                                    "åpningstid.",
                                    "%zu kiosker er ikke hørt fra på %lld timer i enhetens "
                                    "åpningstid.",
                                    (long)quiet),
                          quiet, (long long)(after / 3600));
        central_buf_str(out, "</p>");
    }
    if (list.left_out) {
        central_buf_str(out, "<p class=\"warn\">");
        central_buf_htmlf(out,
                          _("Siden viser de første %d kioskene; %zu til er ikke vist."),
                          KIOSKS_MAX, list.left_out);
        central_buf_str(out, "</p>");
    }
    central_buf_htmlf(out,
                      "<div class=\"wide\"><table><caption>%s</caption><thead>"
                      "<tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\" class=\"n\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
                      "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>"
                      "<tbody>",
                      _("Kiosker i bruk"), _("Enhet"), _("Kiosk"), _("Sist kontakt"),
                      _("Ventende"), _("Programvare"), _("Kortleser"), _("Klokke"),
                      _("Gjenoppretting"), _("Handling"));
    /* Silent first, then the rest, each in the store's order. */
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < list.count; i++)
            if (silent(&list, &list.devices[i], after) == pass)
                kiosk_row(web, &list.devices[i], pass);
    central_buf_htmlf(out,
                      "</tbody></table></div><h2>%s</h2><form method=\"post\" "
                      "action=\"/kiosks/add\" class=\"stack\"><label for=\"site\">%s"
                      "</label><select id=\"site\" name=\"site\">",
                      _("Legg til en kiosk"), _("Enhet"));
    central_store_sites(store, site_option, web, err, sizeof err);
    central_buf_htmlf(out,
                      "</select><label for=\"kname\">%s</label>"
                      "<input id=\"kname\" name=\"name\" required maxlength=\"100\">",
                      _("Navn på kiosken"));
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form>", _("Legg til"));
    hours_section(web, &list.hours);
    web_end(web);
    free(list.devices);
    central_openings_free(&list.hours);
}

/* Sets a site's opening hours from the form, or open day and night. */
void web_kiosks_hours(struct web *web)
{
    const char *site = web_field(web, "site");
    if (!site || !web_may_site(web, site)) {
        web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                    _("Du har ikke tilgang til denne enheten."));
        return;
    }
    const char *always = web_field(web, "always");
    struct central_opening hours;
    char err[256], days[64], detail[128];
    int rc = 0;
    if (always && always[0]) {
        rc = central_store_opening_set(web->request->store, site, NULL, err, sizeof err);
        snprintf(detail, sizeof detail, "day and night");
    } else {
        int weekdays = web_weekdays(web);
        central_plan_weekdays_text(weekdays, days, sizeof days);
        if (!weekdays) {
            web_message(web, MHD_HTTP_BAD_REQUEST, _("Ingen dager valgt"),
                        _("Kryss av for minst én dag enheten er åpen, eller velg «Åpen hele "
                          "døgnet»."));
            return;
        }
        if (central_opening_parse(site, days, web_field(web, "start"), web_field(web, "end"),
                                  &hours, err, sizeof err)) {
            web_message(web, MHD_HTTP_BAD_REQUEST, _("Ugyldig klokkeslett"),
                        _("Skriv klokkeslettene som TT:MM, for eksempel 08:00 og 16:00."));
            return;
        }
        rc = central_store_opening_set(web->request->store, site, &hours, err, sizeof err);
        snprintf(detail, sizeof detail, "%s %s-%s", days, hours.start, hours.end);
    }
    if (rc) {
        web_message(web, rc == -ENOENT ? MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE,
                    _("Åpningstiden ble ikke lagret"),
                    rc == -ENOENT ? _("Enheten finnes ikke.")
                                  : _("Åpningstiden kunne ikke lagres nå. Prøv igjen."));
        return;
    }
    web_audit(web, "site hours", site, detail);
    web_redirect(web, "/kiosks#hours");
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
