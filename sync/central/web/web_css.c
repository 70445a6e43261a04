/* The style sheet, compiled in (web.css): nothing is fetched from outside. */
#include "web.h"

extern const char embed_web[];

void web_css(struct web *web)
{
    web->response->content_type = "text/css; charset=utf-8";
    central_buf_str(web->out, embed_web);
}
