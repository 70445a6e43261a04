/* Shared between the HTTP glue (http.c) and the pages it serves (api.c for
 * /v1/, dashboard.c for the coordinator). Not for use outside sync/central. */
#ifndef TILSTEDE_CENTRAL_HTTP_INTERNAL_H
#define TILSTEDE_CENTRAL_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "http.h"
#include "store.h"

/* The largest body a web page takes: a roster upload (a file of 100 000
 * volunteers is about 10 MiB as CSV; the municipalities' are far smaller)
 * with its form around it. Over it the person gets a page that says so. */
#define CENTRAL_WEB_BODY_MAX (8u * 1024u * 1024u)

/* What a handler sees of a request. */
struct central_request {
    const struct central_http_config *config;
    struct MHD_Connection *connection;
    struct central_store *store;
    const char *body;   /* the whole body, or NULL */
    int body_too_large; /* over its limit: read and dropped, body is NULL */
    size_t body_len;
    const char *path;             /* "/v1/events", "/report.csv", ... */
    struct central_device device; /* the authenticated kiosk, for /v1/ */
    char disposition[160];        /* room for a Content-Disposition value */
    const char *method;           /* "GET", "POST" */
    int from_loopback;            /* the peer is 127.0.0.0/8 or ::1 (the proxy) */
    char peer[64];                /* the peer's address, for the sign-in throttle */
};

/* What a handler answers. */
struct central_response {
    unsigned status;
    struct central_buf body;
    const char *content_type;
    const char *content_disposition; /* or NULL */
    unsigned retry_after_s;          /* 0: no Retry-After */
    const char *allow;               /* the Allow header of a 405, or NULL */
    /* For the journal, where http.c writes one line per refused request,
     * batch of events and roster sent: the error's code (set by
     * central_respond_error) and a note of counts, positions or the field at
     * fault. Never a name, a volunteer's id, a card hash, a token or text
     * quoted from the request: the journal keeps no personal data (issue 6). */
    const char *error_code;
    char log_note[160];
    /* The web pages' headers: a cookie to set ("" none), a redirect's
     * target ("" none). */
    char set_cookie[256];
    char location[512];
};

/* Sets a JSON error answer {"error": {"code", "message"}}, and its code
 * and the field the message names (see central_message_field) for the
 * journal. */
void central_respond_error(struct central_response *response, unsigned status, const char *code,
                           const char *message);
/* Sets a JSON answer (takes the reference to doc). */
void central_respond_json(struct central_response *response, unsigned status, void *doc);
/* The answer to a store failure: 503 with Retry-After when busy, else 500. */
void central_respond_store_error(struct central_response *response, int rc, const char *err);
/* The field a message names by the protocol's convention ("volunteer" of
 * "volunteer: must be a string or null") into out, and its length; 0 and ""
 * when it names none. The only part of a message fit for the journal:
 * the rest may quote what the client sent. */
size_t central_message_field(const char *message, char *out, size_t cap);
/* Writes one of MHD's messages to out, as "tilstede-central: http: ...".
 * Those about a response that could not be sent name the request's URL,
 * which the client chose: they are written without it. */
void central_http_log_mhd(FILE *out, const char *format, va_list args);
/* A query argument, or NULL. */
const char *central_request_arg(const struct central_request *request, const char *name);

void central_api_health(struct central_request *request, struct central_response *response);
void central_api_events(struct central_request *request, struct central_response *response);
void central_api_events_fetch(struct central_request *request, struct central_response *response);
void central_api_corrections_fetch(struct central_request *request,
                                   struct central_response *response);
void central_api_roster(struct central_request *request, struct central_response *response);
void central_api_status(struct central_request *request, struct central_response *response);
void central_api_site(struct central_request *request, struct central_response *response);

/* The people's web app (web/web.c): the path of its page (the table's
 * literal, "/volunteers/" for a prefix) when it serves method and path,
 * else NULL. */
const char *central_web_serves(const char *method, const char *path);
void central_web_handle(struct central_request *request, struct central_response *response);

/* The dashboard and its /report page, in the signed-in person's language
 * (web.h: the request, the response and the language are the web's). */
struct web;
void central_dashboard_page(const struct web *web);
void central_dashboard_report(const struct web *web);

#endif
