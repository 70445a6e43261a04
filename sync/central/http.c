/* The HTTP glue: libmicrohttpd, routing, authentication, request bodies
 * bounded while they arrive, and a pool of store handles (one per worker
 * thread, since a store handle is used by one thread at a time). The pages
 * themselves are in api.c and dashboard.c. */
#include "http_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <strings.h>

#include "deadline.h"
#include "protocol.h"
#include "token.h"
#include "utf8.h"

#define CONNECTION_TIMEOUT_S 30
#define CONNECTION_LIMIT     256
/* One client address holds at most this many of them, so slow clients from
 * one address cannot take every connection from the kiosks. Behind nginx
 * every connection comes from 127.0.0.1: nginx buffers whole requests
 * before it opens one here (deploy/nginx), so it needs few at a time. */
#define PER_ADDRESS_CONNECTION_LIMIT 32
#define ERROR_MESSAGE_MAX            512 /* bytes of an error body's message */
#define STORE_WAIT_MS        2000 /* a request waits this long for a free store handle */
#define RETRY_AFTER_BUSY_S   5
#define RESPONSE_MAX_BYTES   (64u * 1024u * 1024u)
#define TLS_FILE_MAX_BYTES   (1024u * 1024u)
/* libmicrohttpd's memory for one connection, which holds the request line
 * and the headers while they arrive. A request that does not fit gets
 * libmicrohttpd's own 414 or 431, with an HTML body; with room for well
 * over CENTRAL_HTTP_TARGET_MAX and CENTRAL_HTTP_HEADERS_MAX, requests past
 * those limits reach on_headers, which answers in JSON. Memory is touched
 * only as a request fills it. */
#define CONNECTION_MEMORY_BYTES (128u * 1024u)
/* Per header field in the limit's count: ": " and CRLF. */
#define HEADER_FIELD_OVERHEAD 4

struct central_http {
    struct central_http_config config;
    struct MHD_Daemon *daemon;
    struct central_deadline *deadline;
    uint16_t port;
    char *tls_cert_pem;
    char *tls_key_pem;
    pthread_mutex_t lock;
    pthread_cond_t returned;
    struct central_store **stores; /* free handles: stores[0 .. free_count) */
    size_t free_count;
    size_t store_count;
};

enum auth { AUTH_NONE, AUTH_DEVICE };

struct route {
    const char *method;
    const char *path;
    enum auth auth;
    int has_body;
    void (*handler)(struct central_request *, struct central_response *);
};

static const struct route routes[] = {
    {"GET", "/v1/health", AUTH_NONE, 0, central_api_health},
    {"POST", "/v1/events", AUTH_DEVICE, 1, central_api_events},
    {"GET", "/v1/events", AUTH_DEVICE, 0, central_api_events_fetch},
    {"GET", "/v1/corrections", AUTH_DEVICE, 0, central_api_corrections_fetch},
    {"GET", "/v1/roster", AUTH_DEVICE, 0, central_api_roster},
    {"POST", "/v1/status", AUTH_DEVICE, 1, central_api_status},
    {"GET", "/v1/site", AUTH_DEVICE, 0, central_api_site},
};
#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

/* The people's pages (web/): web.c checks the session, the role and the
 * CSRF token itself, and takes form bodies. */
static const struct route web_route = {"*", "(a web page)", AUTH_NONE, 1, central_web_handle};

/* Per-request state, kept by MHD between the calls for one request. */
struct request_state {
    struct MHD_Connection *connection;
    int started;        /* on_headers has seen this request */
    size_t target_len;  /* the request target's length as sent */
    const char *method; /* for the journal: a known method's name, never the client's text */
    const char *path;   /* for the journal: a route's path, or NULL outside the API */
    const struct route *route;
    struct central_device device; /* id 0 until a device token is accepted */
    char *body;
    size_t body_len;
    size_t body_cap;
    int too_large;
    char url[512]; /* a web page's path */
};

/* ---- the store pool ---- */

static struct central_store *store_acquire(struct central_http *http)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += STORE_WAIT_MS / 1000;
    deadline.tv_nsec += (long)(STORE_WAIT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    struct central_store *store = NULL;
    pthread_mutex_lock(&http->lock);
    while (http->free_count == 0)
        if (pthread_cond_timedwait(&http->returned, &http->lock, &deadline) == ETIMEDOUT)
            break;
    if (http->free_count > 0)
        store = http->stores[--http->free_count];
    pthread_mutex_unlock(&http->lock);
    return store;
}

static void store_release(struct central_http *http, struct central_store *store)
{
    if (!store)
        return;
    pthread_mutex_lock(&http->lock);
    http->stores[http->free_count++] = store;
    pthread_cond_signal(&http->returned);
    pthread_mutex_unlock(&http->lock);
}

/* ---- the request deadline (deadline.c), one watch per connection ---- */

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct central_http *http = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? central_deadline_watch(http->deadline, info->connect_fd) : NULL;
        if (!*socket_context && !http->config.quiet)
            fputs("tilstede-central: out of memory: a connection is not under the request "
                  "deadline\n",
                  stderr);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        central_deadline_forget(http->deadline, *socket_context);
        *socket_context = NULL;
    }
}

static struct central_deadline_watch *connection_watch(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* ---- responses ---- */

size_t central_message_field(const char *message, char *out, size_t cap)
{
    size_t len = strspn(message, "abcdefghijklmnopqrstuvwxyz_");
    if (len == 0 || message[len] != ':' || len >= cap)
        len = 0;
    memcpy(out, message, len);
    out[len] = '\0';
    return len;
}

void central_respond_error(struct central_response *response, unsigned status, const char *code,
                           const char *message)
{
    /* A message may quote the client (jansson quotes the byte it choked
     * on): a stray byte in it would make the error body invalid JSON. */
    char clean[ERROR_MESSAGE_MAX];
    utf8_copy_clean(clean, sizeof clean, message);
    central_respond_json(response, status, protocol_error_json(code, clean));
    if (response->status != status)
        return; /* out of memory: central_respond_json answered 500 internal */
    response->error_code = code;
    central_message_field(message, response->log_note, sizeof response->log_note);
}

void central_respond_json(struct central_response *response, unsigned status, void *doc)
{
    json_t *json = doc;
    response->status = status;
    response->content_type = "application/json; charset=utf-8";
    response->body.len = 0;
    response->body.failed = 0;
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text || central_buf_str(&response->body, text)) {
        response->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        response->body.len = 0;
        response->body.failed = 0;
        central_buf_str(&response->body,
                        "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
        response->error_code = "internal";
    }
    free(text);
}

void central_respond_store_error(struct central_response *response, int rc, const char *err)
{
    if (rc == -EBUSY) {
        response->retry_after_s = RETRY_AFTER_BUSY_S;
        central_respond_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
                              "the database is busy; retry after the Retry-After delay");
    } else {
        central_respond_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage_failed", err);
    }
    /* The store's message names the statement that failed and SQLite's
     * reason, on the server's paths an event id or a site at most: no
     * names, volunteer ids or card data (only the admin commands' errors
     * name a volunteer, and those go to the terminal). The operator needs
     * it, so the journal gets it too. */
    snprintf(response->log_note, sizeof response->log_note, "%s", err);
}

const char *central_request_arg(const struct central_request *request, const char *name)
{
    return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_response(struct MHD_Connection *connection,
                                     struct central_response *response)
{
    size_t len = 0;
    char *body = central_buf_take(&response->body, &len);
    if (!body)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (len || response->status != MHD_HTTP_NO_CONTENT)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                response->content_type ? response->content_type
                                                       : "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (response->content_disposition)
        MHD_add_response_header(r, "Content-Disposition", response->content_disposition);
    if (response->retry_after_s) {
        char value[16];
        snprintf(value, sizeof value, "%u", response->retry_after_s);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, value);
    }
    /* People sign in on /login; only scripts answer a challenge, with a
     * token (HTTP Basic on the old dashboard is retired). */
    if (response->status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tilstede\"");
    if (response->content_type && strncmp(response->content_type, "text/html", 9) == 0)
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self'; script-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'");
    if (response->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, response->allow);
    if (response->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, response->set_cookie);
    if (response->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, response->location);
    enum MHD_Result result = MHD_queue_response(connection, response->status, r);
    MHD_destroy_response(r);
    return result;
}

/* ---- the journal ---- */

static void log_line(const struct central_http *http, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void log_line(const struct central_http *http, const char *format, ...)
{
    if (http->config.quiet)
        return;
    va_list args;
    va_start(args, format);
    fputs("tilstede-central: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
}

/* One line per refused request, and per answer a handler noted (a batch of
 * events, a roster with rows in it): the route, the site and device number,
 * the status, the error code and the note. Never the URL as sent, a header
 * or the body: the client chose those, and they may hold names, a token or a
 * card (issue 6). Successful polls are not logged, so an idle central
 * writes nothing. */
static void log_request(const struct central_http *http, const struct request_state *rs,
                        const struct central_response *response)
{
    const char *code = response->error_code ? response->error_code : "";
    const char *note = response->log_note;
    if (response->status < 400 && !note[0])
        return;
    char device[EVENT_KEY_MAX + 48] = "";
    if (rs->device.id)
        snprintf(device, sizeof device, " site %s device %lld", rs->device.site,
                 (long long)rs->device.id);
    char outcome[sizeof response->log_note + 64];
    if (!note[0])
        snprintf(outcome, sizeof outcome, "%u%s%s", response->status, code[0] ? " " : "", code);
    else if (code[0])
        snprintf(outcome, sizeof outcome, "%u %s (%s)", response->status, code, note);
    else
        snprintf(outcome, sizeof outcome, "%u: %s", response->status, note);
    log_line(http, "%s %s%s: %s", rs->method, rs->path ? rs->path : "(a path outside the API)",
             device, outcome);
}

/* Every answer goes out here, logged first. */
static enum MHD_Result finish(const struct central_http *http, const struct request_state *rs,
                              struct central_response *response)
{
    log_request(http, rs, response);
    enum MHD_Result result = send_response(rs->connection, response);
    central_buf_free(&response->body);
    return result;
}

static enum MHD_Result send_error_allow(const struct central_http *http,
                                        const struct request_state *rs, unsigned status,
                                        const char *code, const char *message, const char *allow)
{
    struct central_response response = {.allow = allow};
    central_buf_init(&response.body, RESPONSE_MAX_BYTES);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        response.retry_after_s = RETRY_AFTER_BUSY_S;
    central_respond_error(&response, status, code, message);
    return finish(http, rs, &response);
}

static enum MHD_Result send_error(const struct central_http *http, const struct request_state *rs,
                                  unsigned status, const char *code, const char *message)
{
    return send_error_allow(http, rs, status, code, message, NULL);
}

/* ---- authentication ---- */

/* Checks the kiosk's bearer token: 0 with the device, or an HTTP status. */
static unsigned auth_device(struct central_http *http, struct MHD_Connection *connection,
                            struct central_device *device, char *err, size_t errlen)
{
    const char *header =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    if (!header || strncmp(header, "Bearer ", 7) != 0 ||
        central_token_hash(header + 7, strlen(header + 7), hash)) {
        snprintf(err, errlen, "missing or malformed \"Authorization: Bearer <device token>\"");
        return MHD_HTTP_UNAUTHORIZED;
    }
    struct central_store *store = store_acquire(http);
    if (!store) {
        snprintf(err, errlen, "the server is busy");
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    int rc = central_store_device_auth(store, hash, device, err, errlen);
    store_release(http, store);
    if (rc == -ENOENT) {
        snprintf(err, errlen, "unknown or revoked device token");
        return MHD_HTTP_UNAUTHORIZED;
    }
    return rc == 0        ? 0
           : rc == -EBUSY ? MHD_HTTP_SERVICE_UNAVAILABLE
                          : MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* ---- the request cycle ---- */

#define ALLOW_MAX 64 /* "GET, HEAD, POST" and room to grow */

/* The route of method and url. When there is none, *same_path is a route of
 * that path with other methods, all listed in allow (a 405), or NULL with
 * allow empty (a 404). */
static const struct route *route_find(const char *method, const char *url,
                                      const struct route **same_path, char allow[ALLOW_MAX])
{
    size_t used = 0;
    allow[0] = '\0';
    *same_path = NULL;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (strcmp(routes[i].path, url) != 0)
            continue;
        *same_path = &routes[i];
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
            return &routes[i];
        const char *methods = strcmp(routes[i].method, "GET") == 0 ? "GET, HEAD" : routes[i].method;
        if (used < ALLOW_MAX)
            used += (size_t)snprintf(allow + used, ALLOW_MAX - used, "%s%s", used ? ", " : "",
                                     methods);
    }
    return NULL;
}

/* The method's name for the journal: one of ours, not the client's text. */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET",     "HEAD",  "POST",    "PUT",  "DELETE",
                                        "OPTIONS", "PATCH", "CONNECT", "TRACE"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(method, known[i]) == 0)
            return known[i];
    return "(another method)";
}

/* Content-Type names application/json: the media type exactly, in any
 * case, optionally followed by parameters (RFC 9110, 8.3.1). */
static int is_json_media_type(const char *type)
{
    static const char json[] = "application/json";
    type += strspn(type, " \t");
    if (strncasecmp(type, json, sizeof json - 1) != 0)
        return 0;
    type += sizeof json - 1;
    type += strspn(type, " \t");
    return *type == '\0' || *type == ';';
}

/* A marker for content_length_differs: the request has two Content-Length
 * headers that do not agree (RFC 9112, 6.3: a request to refuse). */
static const char CONTENT_LENGTH_DIFFERS[] = "";

/* For MHD_get_connection_values: *cls becomes the first Content-Length,
 * or CONTENT_LENGTH_DIFFERS when a later one says otherwise. */
static enum MHD_Result content_length_differs(void *cls, enum MHD_ValueKind kind, const char *key,
                                              const char *value)
{
    (void)kind;
    const char **first = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    if (!*first) {
        *first = value;
        return MHD_YES;
    }
    if (strcmp(*first, value) != 0) {
        *first = CONTENT_LENGTH_DIFFERS;
        return MHD_NO;
    }
    return MHD_YES;
}

/* For MHD_get_connection_values: adds a header field's size to *cls. */
static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + HEADER_FIELD_OVERHEAD;
    return MHD_YES;
}

/* The first call for a request: headers only. Everything that can be
 * refused before the body arrives is refused here, so a wrong token or an
 * oversized body costs the server nothing. */
static enum MHD_Result on_headers(struct central_http *http, struct MHD_Connection *connection,
                                  const char *url, const char *method, struct request_state *rs)
{
    const struct route *same_path;
    char allow[ALLOW_MAX];
    char message[128];
    if (rs->target_len > CENTRAL_HTTP_TARGET_MAX) {
        snprintf(message, sizeof message,
                 "the request target (path and query) is longer than %u bytes",
                 CENTRAL_HTTP_TARGET_MAX);
        return send_error(http, rs, MHD_HTTP_URI_TOO_LONG, "uri_too_long", message);
    }
    size_t header_bytes = 0;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, add_header_size, &header_bytes);
    if (header_bytes > CENTRAL_HTTP_HEADERS_MAX) {
        snprintf(message, sizeof message, "the header fields are larger than %u bytes",
                 CENTRAL_HTTP_HEADERS_MAX);
        return send_error(http, rs, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                          message);
    }
    const char *page_path = central_web_serves(method, url);
    if (page_path) {
        rs->route = &web_route;
        rs->path = page_path; /* the table's own words for the journal, never the URL */
        snprintf(rs->url, sizeof rs->url, "%s", url);
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        /* A person gets a page saying so, not a dropped connection: the
         * body is read and dropped (on_body), then the page is the web
         * door's (request.body_too_large). */
        if (length && strtoull(length, NULL, 10) > CENTRAL_WEB_BODY_MAX)
            rs->too_large = 1;
        return MHD_YES;
    }
    rs->route = route_find(method, url, &same_path, allow);
    if (!rs->route) {
        if (!same_path)
            return send_error(http, rs, MHD_HTTP_NOT_FOUND, "not_found", "no such path");
        rs->path = same_path->path;
        return send_error_allow(http, rs, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                                "this method is not allowed on this path", allow);
    }
    rs->path = rs->route->path;
    if (rs->route->auth == AUTH_DEVICE) {
        char err[256];
        unsigned status = auth_device(http, connection, &rs->device, err, sizeof err);
        if (status) {
            memset(&rs->device, 0, sizeof rs->device);
            return send_error(http, rs, status,
                              status == MHD_HTTP_UNAUTHORIZED          ? "unauthorized"
                              : status == MHD_HTTP_SERVICE_UNAVAILABLE ? "busy"
                                                                       : "storage_failed",
                              err);
        }
    }
    if (rs->route->has_body) {
        const char *length = NULL;
        MHD_get_connection_values(connection, MHD_HEADER_KIND, content_length_differs, &length);
        if (length == CONTENT_LENGTH_DIFFERS)
            return send_error(http, rs, MHD_HTTP_BAD_REQUEST, "malformed_request",
                              "two different Content-Length headers");
        if (length && strtoull(length, NULL, 10) > http->config.max_body) {
            snprintf(message, sizeof message, "the body is larger than %zu bytes",
                     http->config.max_body);
            return send_error(http, rs, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", message);
        }
        const char *type =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (type && !is_json_media_type(type))
            return send_error(http, rs, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                              "send the body as application/json");
    }
    return MHD_YES;
}

/* A piece of the body: kept while within the limit; past it the rest is
 * read and dropped (MHD cannot answer in the middle of an upload), so the
 * memory used stays at the limit. A client that sends Content-Length, as
 * every client should, gets its 413 before sending the body. */
static void on_body(struct central_http *http, struct request_state *rs, const char *data,
                    size_t len)
{
    if (rs->too_large)
        return;
    size_t max = rs->route == &web_route ? CENTRAL_WEB_BODY_MAX : http->config.max_body;
    if (len > max - rs->body_len) {
        rs->too_large = 1;
        free(rs->body);
        rs->body = NULL;
        rs->body_len = rs->body_cap = 0;
        return;
    }
    if (rs->body_len + len > rs->body_cap) {
        size_t cap = rs->body_cap ? rs->body_cap : 16384;
        while (cap < rs->body_len + len)
            cap *= 2;
        if (cap > max)
            cap = max;
        char *body = realloc(rs->body, cap);
        if (!body) {
            rs->too_large = 1; /* answered as 413: there is no room for it */
            return;
        }
        rs->body = body;
        rs->body_cap = cap;
    }
    memcpy(rs->body + rs->body_len, data, len);
    rs->body_len += len;
}

static enum MHD_Result on_complete(struct central_http *http, struct MHD_Connection *connection,
                                   struct request_state *rs)
{
    central_deadline_read(http->deadline, connection_watch(connection));
    if (rs->too_large && rs->route != &web_route) {
        char message[128];
        snprintf(message, sizeof message, "the body is larger than %zu bytes",
                 http->config.max_body);
        return send_error(http, rs, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", message);
    }
    struct central_request request = {
        .config = &http->config,
        .connection = connection,
        .path = rs->route->path,
        .body = rs->body,
        .body_len = rs->body_len,
        .device = rs->device,
        .method = rs->method,
        .body_too_large = rs->too_large,
    };
    const union MHD_ConnectionInfo *peer =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (peer && peer->client_addr) {
        const struct sockaddr *sa = peer->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      request.peer, sizeof request.peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      request.peer, sizeof request.peer);
        request.from_loopback = central_http_is_loopback(request.peer);
    }
    if (rs->route == &web_route)
        request.path = rs->url;
    struct central_response response = {.status = MHD_HTTP_OK};
    central_buf_init(&response.body, RESPONSE_MAX_BYTES);
    if (rs->route->handler != central_api_health) {
        request.store = store_acquire(http);
        if (!request.store) {
            central_buf_free(&response.body);
            return send_error(http, rs, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
                              "all workers are busy; retry after the Retry-After delay");
        }
    }
    rs->route->handler(&request, &response);
    store_release(http, request.store);
    return finish(http, rs, &response);
}

/* MHD's URI log callback, called once the request line has arrived: the
 * request's state begins here, with the target's length as sent (MHD
 * decodes the path and splits off the query before on_request sees it). */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    struct request_state *rs = calloc(1, sizeof *rs);
    if (rs) {
        rs->connection = connection;
        rs->target_len = strlen(uri);
    }
    return rs;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct central_http *http = cls;
    struct request_state *rs = *con_cls;
    if (!rs) {
        rs = on_request_line(http, url, connection);
        if (!rs)
            return MHD_NO;
        *con_cls = rs;
    }
    if (!rs->started) {
        rs->started = 1;
        rs->method = method_label(method);
        return on_headers(http, connection, url, method, rs);
    }
    if (*upload_data_size) {
        on_body(http, rs, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return on_complete(http, connection, rs);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct central_http *http = cls;
    (void)code;
    central_deadline_restart(http->deadline, connection_watch(connection));
    struct request_state *rs = *con_cls;
    if (rs) {
        free(rs->body);
        free(rs);
        *con_cls = NULL;
    }
}

void central_http_log_mhd(FILE *out, const char *format, va_list args)
{
    /* MHD 0.9's "Failed to send ... for the request for `%s'": the URL as
     * the client sent it (decoded), e.g. a path with a name in it. */
    if (strstr(format, "request for")) {
        fputs("tilstede-central: http: a response could not be sent in full (the connection "
              "broke); its URL is left out of the log\n",
              out);
        return;
    }
    fputs("tilstede-central: http: ", out);
    vfprintf(out, format, args);
}

static void on_mhd_log(void *cls, const char *format, va_list args)
{
    const struct central_http *http = cls;
    if (!http->config.quiet)
        central_http_log_mhd(stderr, format, args);
}

/* ---- start and stop ---- */

int central_http_is_loopback(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return 0;
}

/* Splits "HOST:PORT" or "[HOST]:PORT". */
static int parse_listen(const char *listen, char *host, size_t hostcap, unsigned *port)
{
    const char *colon;
    if (!listen)
        return -EINVAL;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= hostcap)
            return -EINVAL;
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= hostcap)
            return -EINVAL;
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
    }
    char *end;
    unsigned long value = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || value > 65535)
        return -EINVAL;
    *port = (unsigned)value;
    return 0;
}

static int read_file(const char *path, char **out, char *err, size_t errlen)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    char *data = malloc(TLS_FILE_MAX_BYTES + 1);
    size_t len = data ? fread(data, 1, TLS_FILE_MAX_BYTES + 1, file) : 0;
    int failed = ferror(file);
    fclose(file);
    if (!data || failed || len > TLS_FILE_MAX_BYTES) {
        snprintf(err, errlen, "%s: cannot read it, or it is larger than %u bytes", path,
                 TLS_FILE_MAX_BYTES);
        free(data);
        return -EIO;
    }
    data[len] = '\0';
    *out = data;
    return 0;
}

void central_http_stop(struct central_http *http)
{
    if (!http)
        return;
    if (http->daemon)
        MHD_stop_daemon(http->daemon); /* every connection closed: no watch is left */
    central_deadline_stop(http->deadline);
    for (size_t i = 0; i < http->free_count; i++)
        central_store_close(http->stores[i]);
    free(http->stores);
    if (http->tls_key_pem) {
        memset(http->tls_key_pem, 0, strlen(http->tls_key_pem));
        free(http->tls_key_pem);
    }
    free(http->tls_cert_pem);
    pthread_cond_destroy(&http->returned);
    pthread_mutex_destroy(&http->lock);
    free(http);
}

int central_http_start(const struct central_http_config *config, struct central_http **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    char host[64];
    unsigned port;
    if (parse_listen(config->listen, host, sizeof host, &port)) {
        snprintf(err, errlen, "--listen \"%s\": expected ADDRESS:PORT, e.g. 127.0.0.1:8080",
                 config->listen ? config->listen : "");
        return -EINVAL;
    }
    int tls = config->tls_cert || config->tls_key;
    if (tls && !(config->tls_cert && config->tls_key)) {
        snprintf(err, errlen, "TLS needs both --tls-cert and --tls-key");
        return -EINVAL;
    }
    if (!tls && !central_http_is_loopback(host)) {
        snprintf(err, errlen,
                 "--listen %s: refusing plain HTTP on an address that is not loopback; listen "
                 "on 127.0.0.1 behind the TLS reverse proxy, or give --tls-cert and --tls-key",
                 config->listen);
        return -EPERM;
    }
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    int ipv6 = 0;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        ipv6 = 1;
    } else {
        snprintf(err, errlen, "--listen %s: \"%s\" is not an IP address", config->listen, host);
        return -EINVAL;
    }

    struct central_http *http = calloc(1, sizeof *http);
    if (!http) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pthread_mutex_init(&http->lock, NULL);
    pthread_cond_init(&http->returned, NULL);
    http->config = *config;
    if (!http->config.threads)
        http->config.threads = CENTRAL_HTTP_THREADS_DEFAULT;
    if (!http->config.max_body)
        http->config.max_body = PROTOCOL_MAX_BODY_BYTES;
    if (!http->config.max_batch)
        http->config.max_batch = PROTOCOL_MAX_BATCH_EVENTS;
    if (!(http->config.hours_per_arsverk > 0))
        http->config.hours_per_arsverk = 1700.0;
    if (!http->config.session_idle_s)
        http->config.session_idle_s = CENTRAL_SESSION_IDLE_S_DEFAULT;
    if (!http->config.silent_after_s)
        http->config.silent_after_s = CENTRAL_SILENT_AFTER_S_DEFAULT;
    if (!http->config.request_deadline_s)
        http->config.request_deadline_s = CENTRAL_REQUEST_DEADLINE_S_DEFAULT;
    int rc;
    /* One handle per worker thread; the migration runs on the first open. */
    http->store_count = http->config.threads;
    http->stores = calloc(http->store_count, sizeof *http->stores);
    if (!http->stores) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < http->store_count; i++) {
        if ((rc = central_store_open(config->db, &http->stores[i], err, errlen))) {
            if (config->db_origin) {
                char why[512];
                snprintf(why, sizeof why, "%s", err);
                utf8_format(err, errlen, "the database of %s: %s", config->db_origin, why);
            }
            goto fail;
        }
        http->free_count++;
    }
    if (tls && ((rc = read_file(config->tls_cert, &http->tls_cert_pem, err, errlen)) ||
                (rc = read_file(config->tls_key, &http->tls_key_pem, err, errlen))))
        goto fail;
    if ((rc = central_deadline_start(http->config.request_deadline_s, http->config.quiet,
                                     &http->deadline, err, errlen)))
        goto fail;

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    if (tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, http->tls_cert_pem},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, http->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    http->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, http,
        /* The logger first, so MHD's own messages about later options use it. */
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)http->config.threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_BYTES,
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, http, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, http, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_ARRAY,
        tls_options, MHD_OPTION_END);
    if (!http->daemon) {
        snprintf(err, errlen,
                 "--listen %s: cannot start the HTTP server (address in use, or "
                 "the TLS certificate and key do not load)",
                 config->listen);
        rc = -EADDRINUSE;
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    http->port = info ? info->port : (uint16_t)port;
    *out = http;
    return 0;
fail:
    central_http_stop(http);
    return rc;
}

uint16_t central_http_port(const struct central_http *http)
{
    return http->port;
}
