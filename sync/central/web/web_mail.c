/* The signed-in person's monthly mail (mail.h): to which address last
 * month's report goes, and a button to switch it off or on again. */
#include <string.h>

#include "store_mail.h"
#include "web.h"

void web_mail_page(struct web *web)
{
    web_begin(web, _("Månedsrapport på e-post"));
    if (!web->user.email[0]) {
        central_buf_htmlf(web->out, "<p>%s</p>",
                          _("Du har ingen e-postadresse hos Tilstede, så du får ikke "
                            "månedsrapporten. Be koordinatoren legge den inn."));
        web_end(web);
        return;
    }
    central_buf_htmlf(web->out,
                      _("<p>Den første arbeidsdagen i måneden kommer forrige måneds timer, med "
                        "regnearket, til <strong>%s</strong>.</p><p>Nå: <strong>%s</strong>.</p>"),
                      web->user.email, web->user.monthly_mail ? _("på") : _("av"));
    central_buf_str(web->out, "<form method=\"post\" action=\"/mail\">");
    web_csrf_field(web);
    central_buf_htmlf(web->out,
                      "<input type=\"hidden\" name=\"monthly\" value=\"%s\">"
                      "<button type=\"submit\">%s</button></form>",
                      web->user.monthly_mail ? "off" : "on",
                      web->user.monthly_mail ? _("Slå av månedsrapporten")
                                             : _("Slå på månedsrapporten"));
    web_end(web);
}

void web_mail_post(struct web *web)
{
    const char *monthly = web_field(web, "monthly");
    if (!monthly || (strcmp(monthly, "on") != 0 && strcmp(monthly, "off") != 0)) {
        web_message(web, MHD_HTTP_BAD_REQUEST, _("Ugyldig skjema"),
                    _("Skjemaet manglet valget på eller av."));
        return;
    }
    int on = strcmp(monthly, "on") == 0;
    char err[256];
    if (central_store_user_set_mail(web->request->store, web->user.name, NULL, on, err,
                                    sizeof err)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Valget kunne ikke lagres nå."));
        return;
    }
    web_audit(web, "user mail", web->user.name, on ? "on" : "off");
    web_redirect(web, "/mail");
}
