/* The audit log for coordinators: who changed what, when. The rows hold
 * ids and counts only, never card data or passwords. */
#include <stdio.h>

#include "web.h"

#define AUDIT_ROWS 500

static int audit_row(void *ctx, const struct central_audit *audit)
{
    struct web *web = ctx;
    char when[64];
    web_when(web, audit->at_us, when, sizeof when);
    central_buf_htmlf(web->out,
                      "<tr><td class=\"t\">%s</td><td>%s</td><td>%s</td><td>%s</td>"
                      "<td>%s</td></tr>",
                      when, audit->actor, audit->action, audit->subject, audit->detail);
    return 0;
}

void web_audit_page(struct web *web)
{
    char err[256];
    web_begin(web, _("Endringslogg"));
    central_buf_htmlf(web->out,
                      "<div class=\"wide\"><table><caption>%s</caption><thead><tr>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                      "<th scope=\"col\">%s</th></tr></thead><tbody>",
                      _("De siste endringene"), _("Når"), _("Hvem"), _("Hva"), _("Gjelder"),
                      _("Detalj"));
    if (central_store_audits(web->request->store, AUDIT_ROWS, audit_row, web, err, sizeof err))
        central_buf_htmlf(web->out, "<tr><td colspan=\"5\">%s</td></tr>",
                          _("Loggen kunne ikke leses."));
    central_buf_str(web->out, "</tbody></table></div>");
    web_end(web);
}
