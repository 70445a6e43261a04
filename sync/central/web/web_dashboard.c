/* The dashboard (dashboard.c: this year's hours, the kiosks, the mail and
 * the visits closed automatically) and its /report downloads, as pages of
 * the web app: behind the session sign-in like every page, or an admin
 * token as Authorization: Bearer for scripts. It once had HTTP Basic of
 * its own; that is retired (web.c answers it with where to sign in). The
 * dashboard covers every site, so a contact goes to their own start page. */
#include "web.h"

void web_dashboard_page(struct web *web)
{
    if (web->user.role == CENTRAL_ROLE_CONTACT) {
        web_redirect(web, "/home");
        return;
    }
    central_dashboard_page(web);
}

void web_dashboard_report(struct web *web)
{
    central_dashboard_report(web);
}
