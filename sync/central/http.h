/* The central's HTTP server (libmicrohttpd): the /v1/ API for kiosks and
 * the coordinator's dashboard, on a small pool of threads, each request
 * served with a store handle of its own. */
#ifndef TILSTEDE_CENTRAL_HTTP_H
#define TILSTEDE_CENTRAL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define CENTRAL_HTTP_THREADS_DEFAULT   2
#define CENTRAL_SILENT_AFTER_S_DEFAULT (24 * 3600)
/* A request (headers and body) not read in full this long after its
 * connection opened, or after the previous answer on it, is cut. Room for a
 * kiosk's largest batch over a poor mobile link; behind nginx, which sends
 * each request whole, it never applies. */
#define CENTRAL_REQUEST_DEADLINE_S_DEFAULT 60
#define CENTRAL_REQUEST_DEADLINE_S_MAX     3600
/* The request target (path and query, as sent) and the header fields
 * (names and values) of one request: beyond them 414 and 431, in JSON. */
#define CENTRAL_HTTP_TARGET_MAX  8192
#define CENTRAL_HTTP_HEADERS_MAX 32768

struct central_http;

struct central_http_config {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free one */
    const char *db;       /* store location, see central_store_open */
    const char *db_origin; /* where db was chosen, for its errors ("central.conf:3 (postgres)") */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    unsigned threads;         /* 0: CENTRAL_HTTP_THREADS_DEFAULT */
    size_t max_body;          /* 0: PROTOCOL_MAX_BODY_BYTES */
    size_t max_batch;         /* 0: PROTOCOL_MAX_BATCH_EVENTS */
    double hours_per_arsverk; /* 0: the default 1700 */
    int64_t silent_after_s;   /* dashboard: a kiosk quiet this long stands out */
    int quiet;                /* no log lines on stderr */
    unsigned request_deadline_s; /* 0: CENTRAL_REQUEST_DEADLINE_S_DEFAULT */
    /* The web app. */
    const char *public_url;   /* "https://tilstede.kommune.no": set-up links start with it */
    const char *sso_header;   /* a header naming the signed-in user, trusted from loopback
                               * only (the OpenID Connect proxy); NULL: none */
    int64_t session_idle_s;   /* 0: CENTRAL_SESSION_IDLE_S_DEFAULT */
    const char *municipality; /* "Tønsberg kommune", on a volunteer's statement; NULL: none */
};

#define CENTRAL_SESSION_IDLE_S_DEFAULT (8 * 3600)

/* Starts serving in background threads. Refuses plain HTTP on an address
 * that is not loopback. Returns 0 or a negative errno with err set. */
int central_http_start(const struct central_http_config *config, struct central_http **out,
                       char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
uint16_t central_http_port(const struct central_http *http);
/* Stops accepting, finishes the requests in flight, frees everything. */
void central_http_stop(struct central_http *http);

/* 1 when host (an IPv4 or IPv6 literal) is a loopback address. */
int central_http_is_loopback(const char *host);

#endif
