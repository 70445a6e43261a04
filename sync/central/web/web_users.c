/* Accounts in the browser, for coordinators: the same as `tilstede-central
 * user add|list|revoke|full-name`. A new account gets a one-time set-up
 * link. The full name is what a statement of hours is signed with. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "web.h"

/* The answer to a full name over the limit (or not text): names it. */
void web_bad_full_name(struct web *web)
{
    char words[256];
    snprintf(words, sizeof words,
             _("Det fulle navnet kan ha høyst %d byte (omtrent like mange bokstaver) og ingen "
               "kontrolltegn."),
             CENTRAL_NAME_MAX - 1);
    web_message(web, MHD_HTTP_BAD_REQUEST, _("Ugyldig navn"), words);
}

struct user_rows {
    struct web *web;
    int count; /* rows so far: each row's form fields get ids of their own */
};

/* The full name, changed in place: one small form per account. */
static void full_name_form(struct web *web, const struct central_user *user, int row)
{
    central_buf_htmlf(web->out,
                      "<form method=\"post\" action=\"/users/name\" class=\"inline\">"
                      "<input type=\"hidden\" name=\"name\" value=\"%s\"><label class=\"sr\" "
                      "for=\"ufull%d\">%s %s</label><input id=\"ufull%d\" name=\"full_name\" "
                      "value=\"%s\" maxlength=\"%d\" autocomplete=\"off\">",
                      user->name, row, _("Fullt navn for"), user->name, row, user->full_name,
                      CENTRAL_NAME_MAX - 1);
    web_csrf_field(web);
    central_buf_htmlf(web->out, "<button type=\"submit\" aria-label=\"%s %s\">%s</button></form>",
                      _("Lagre fullt navn for"), user->name, _("Lagre"));
}

static int user_row(void *ctx, const struct central_user *user)
{
    struct user_rows *rows = ctx;
    struct web *web = rows->web;
    struct central_buf *out = web->out;
    char sites[CENTRAL_USER_SITES_MAX * EVENT_KEY_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < user->site_count && used < sizeof sites; i++)
        used += (size_t)snprintf(sites + used, sizeof sites - used, "%s%s", i ? ", " : "",
                                 user->sites[i]);
    const char *state = user->revoked_us         ? _("trukket tilbake")
                        : user->password_hash[0] ? _("i bruk")
                        : user->setup_expires_us ? _("venter på oppsett")
                                                 : "–";
    central_buf_htmlf(out, "<tr><td>%s</td><td>", user->name);
    if (user->revoked_us)
        central_buf_htmlf(out, "%s", user->full_name);
    else
        full_name_form(web, user, ++rows->count);
    central_buf_htmlf(out, "</td><td>%s</td><td>%s</td><td>%s</td><td>",
                      web_role_words(web, user->role), user->site_count ? sites : _("alle"), state);
    if (!user->revoked_us) {
        central_buf_htmlf(out,
                          "<form method=\"post\" action=\"/users/revoke\">"
                          "<input type=\"hidden\" name=\"name\" value=\"%s\">",
                          user->name);
        web_csrf_field(web);
        char label[CENTRAL_NAME_MAX + 64];
        snprintf(label, sizeof label, _("Trekk tilbake %s"), user->name);
        central_buf_htmlf(out, "<button type=\"submit\" aria-label=\"%s\">%s</button></form>",
                          label, _("Trekk tilbake"));
    }
    central_buf_str(out, "</td></tr>");
    return 0;
}

static int site_box(void *ctx, const struct central_site *site)
{
    struct web *web = ctx;
    central_buf_htmlf(web->out,
                      "<label class=\"check\"><input type=\"checkbox\" name=\"site\" "
                      "value=\"%s\"> %s</label>",
                      site->id, site->name);
    return 0;
}

void web_users_page(struct web *web)
{
    char err[256];
    web_begin(web, _("Brukere"));
    struct central_buf *out = web->out;
    central_buf_htmlf(out,
                      "<div class=\"wide\"><table><caption>%s</caption><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                      _("Brukere"), _("Brukernavn"), _("Fullt navn"), _("Rolle"), _("Enheter"),
                      _("Status"), _("Handling"));
    struct user_rows rows = {web, 0};
    central_store_users(web->request->store, user_row, &rows, err, sizeof err);
    central_buf_htmlf(out,
                      "</tbody></table></div><h2>%s</h2>"
                      "<form method=\"post\" action=\"/users/add\" class=\"stack\">"
                      "<label for=\"uname\">%s</label>"
                      "<input id=\"uname\" name=\"name\" required maxlength=\"100\">"
                      "<label for=\"ufull\">%s</label><input id=\"ufull\" name=\"full_name\" "
                      "maxlength=\"%d\" autocomplete=\"off\" aria-describedby=\"ufullhint\">"
                      "<p class=\"hint\" id=\"ufullhint\">%s</p>"
                      "<label for=\"role\">%s</label><select id=\"role\" name=\"role\">"
                      "<option value=\"contact\">%s</option>"
                      "<option value=\"coordinator\">%s</option>"
                      "<option value=\"viewer\">%s</option></select>"
                      "<fieldset><legend>%s</legend>",
                      _("Ny bruker"), _("Brukernavn"), _("Fullt navn (valgfritt)"),
                      CENTRAL_NAME_MAX - 1,
                      _("Navnet som står på det personen skriver under, som timebekreftelser."),
                      _("Rolle"), web_role_words(web, CENTRAL_ROLE_CONTACT),
                      web_role_words(web, CENTRAL_ROLE_COORDINATOR),
                      web_role_words(web, CENTRAL_ROLE_VIEWER), _("Enheter (for frivilligkontakter)"));
    central_store_sites(web->request->store, site_box, web, err, sizeof err);
    central_buf_str(out, "</fieldset>");
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form>", _("Lag bruker"));
    web_end(web);
}

void web_users_add(struct web *web)
{
    struct central_user user = {0};
    const char *name = web_field(web, "name"), *role = web_field(web, "role");
    if (!name || !name[0] || strlen(name) >= CENTRAL_NAME_MAX || !role) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _("Mangler brukernavn"),
                    _("Brukeren trenger et navn (under 128 tegn) og en rolle."));
        return;
    }
    snprintf(user.name, sizeof user.name, "%s", name);
    const char *full_name = web_field(web, "full_name");
    if (full_name && !central_user_full_name_valid(full_name)) {
        web_bad_full_name(web);
        return;
    }
    snprintf(user.full_name, sizeof user.full_name, "%s", full_name ? full_name : "");
    user.role = !strcmp(role, "coordinator") ? CENTRAL_ROLE_COORDINATOR
                : !strcmp(role, "viewer")    ? CENTRAL_ROLE_VIEWER
                                             : CENTRAL_ROLE_CONTACT;
    snprintf(user.lang, sizeof user.lang, "nb");
    for (size_t i = 0; i < web->field_count && user.site_count < CENTRAL_USER_SITES_MAX; i++)
        if (!strcmp(web->fields[i].name, "site") && strlen(web->fields[i].value) < EVENT_KEY_MAX)
            snprintf(user.sites[user.site_count++], EVENT_KEY_MAX, "%s", web->fields[i].value);
    if (user.role == CENTRAL_ROLE_CONTACT && !user.site_count) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _("Mangler enhet"),
                    _("En frivilligkontakt trenger minst én enhet."));
        return;
    }
    char link[512], err[256];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    web_setup_link(web->request->config->public_url, link, sizeof link, hash);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int64_t expires = ((int64_t)tv.tv_sec + WEB_SETUP_LINK_S) * 1000000;
    int rc = central_store_user_add(web->request->store, &user, hash, expires, err, sizeof err);
    if (rc) {
        web_message(web, rc == -EEXIST ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST,
                    _("Brukeren ble ikke laget"),
                    rc == -EEXIST ? _("Det finnes alt en bruker med dette navnet.")
                                  : _("En av enhetene finnes ikke."));
        return;
    }
    web_audit(web, "user add", user.name, web_role_words(web, user.role));
    web_begin(web, _("Brukeren er laget"));
    central_buf_str(web->out, "<p>");
    central_buf_htmlf(web->out,
                      _("Send denne lenken til %s. Den virker én gang, i %d timer, og vises "
                        "bare nå:"),
                      user.name, WEB_SETUP_LINK_S / 3600);
    central_buf_htmlf(web->out,
                      "</p><p class=\"command\"><code>%s</code></p>"
                      "<p><a href=\"/users\">%s</a></p>",
                      link, _("Tilbake til brukerne"));
    web_end(web);
}

void web_users_revoke(struct web *web)
{
    const char *name = web_field(web, "name");
    char err[256];
    if (!name || central_store_user_revoke(web->request->store, name, err, sizeof err)) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke brukeren"),
                    _("Det finnes ingen aktiv bruker med dette navnet."));
        return;
    }
    web_audit(web, "user revoke", name, "");
    web_redirect(web, "/users");
}

void web_users_name(struct web *web)
{
    const char *name = web_field(web, "name"), *full_name = web_field(web, "full_name");
    if (!full_name || !central_user_full_name_valid(full_name)) {
        web_bad_full_name(web);
        return;
    }
    char err[256];
    int rc = name ? central_store_user_set_full_name(web->request->store, name, full_name, err,
                                                     sizeof err)
                  : -ENOENT;
    if (rc) {
        web_message(web, rc == -ENOENT ? MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE,
                    rc == -ENOENT ? _("Fant ikke brukeren") : _("Prøv igjen"),
                    rc == -ENOENT ? _("Det finnes ingen bruker med dette navnet.")
                                  : _("Valget kunne ikke lagres nå."));
        return;
    }
    web_audit(web, "user full name", name, full_name);
    web_redirect(web, "/users");
}
