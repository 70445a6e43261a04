/* The signed-in person's own page: who they are to Tilstede (role, sites),
 * their full name (what a statement of hours they make is signed with),
 * and the language of every page they see, stored with their account. */
#include <string.h>

#include "web.h"

/* Each language named in itself, as a chooser should. */
static const char *const langs[3][2] = {{"nb", "Bokmål"}, {"nn", "Nynorsk"}, {"en", "English"}};

void web_me_page(struct web *web)
{
    struct central_buf *out = web->out;
    web_begin(web, _("Min side"));
    central_buf_htmlf(out, "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
                      _("Brukernavn"), web->user.name, _("Rolle"),
                      web_role_words(web, web->user.role));
    if (web->user.site_count) {
        central_buf_htmlf(out, "<dt>%s</dt><dd>", _("Enheter"));
        for (size_t i = 0; i < web->user.site_count; i++)
            central_buf_htmlf(out, "%s%s", i ? ", " : "", web->user.sites[i]);
        central_buf_str(out, "</dd>");
    }
    central_buf_htmlf(out,
                      "</dl><h2>%s</h2><form method=\"post\" action=\"/me/name\" "
                      "class=\"stack\"><label for=\"mfull\">%s</label><input id=\"mfull\" "
                      "name=\"full_name\" value=\"%s\" maxlength=\"%d\" autocomplete=\"name\" "
                      "aria-describedby=\"mfullhint\"><p class=\"hint\" id=\"mfullhint\">%s</p>",
                      _("Fullt navn"), _("Fullt navn (valgfritt)"), web->user.full_name,
                      CENTRAL_NAME_MAX - 1,
                      _("Navnet som står på det du skriver under, som timebekreftelser. Uten "
                        "det står brukernavnet der."));
    web_csrf_field(web);
    central_buf_htmlf(out,
                      "<button type=\"submit\">%s</button></form><h2>%s</h2><form "
                      "method=\"post\" action=\"/me\" class=\"stack\"><fieldset><legend>%s"
                      "</legend>",
                      _("Lagre navnet"), _("Språk"), _("Språket på sidene dine"));
    for (int i = 0; i < 3; i++)
        central_buf_htmlf(out,
                          "<label class=\"check\" lang=\"%s\"><input type=\"radio\" name=\"lang\" "
                          "value=\"%s\"%s> %s</label>",
                          langs[i][0], langs[i][0],
                          strcmp(web_lang(web), langs[i][0]) == 0 ? " checked" : "", langs[i][1]);
    central_buf_str(out, "</fieldset>");
    web_csrf_field(web);
    central_buf_htmlf(out, "<button type=\"submit\">%s</button></form><p><a href=\"/mail\">%s</a></p>",
                      _("Lagre språket"), _("Månedsrapport på e-post"));
    web_end(web);
}

void web_me_post(struct web *web)
{
    const char *lang = web_field(web, "lang");
    if (web->by_token || web->user.id <= 0) {
        web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                    _("Språket hører til en brukers konto; en tilgangsnøkkel har ingen."));
        return;
    }
    if (!web_lang_valid(lang)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _("Ugyldig skjema"),
                    _("Velg bokmål, nynorsk eller engelsk."));
        return;
    }
    char err[256];
    if (central_store_user_set_lang(web->request->store, web->user.id, lang, err, sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Valget kunne ikke lagres nå."));
        return;
    }
    web_audit(web, "user lang", web->user.name, lang);
    web_redirect(web, "/me");
}

void web_me_name_post(struct web *web)
{
    const char *full_name = web_field(web, "full_name");
    if (web->by_token || web->user.id <= 0) {
        web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                    _("Navnet hører til en brukers konto; en tilgangsnøkkel har ingen."));
        return;
    }
    if (!full_name || !central_user_full_name_valid(full_name)) {
        web_bad_full_name(web);
        return;
    }
    char err[256];
    if (central_store_user_set_full_name(web->request->store, web->user.name, full_name, err,
                                         sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Valget kunne ikke lagres nå."));
        return;
    }
    web_audit(web, "user full name", web->user.name, full_name);
    web_redirect(web, "/me");
}
