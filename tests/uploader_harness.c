/* The uploader's test harness (uploader_harness.h): the kiosk side, the
 * fault proxy (one thread, one connection at a time, one request per
 * connection), and the equality checks between kiosk and central. */
#include "uploader_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "store.h"

#define REQUEST_MAX (8u * 1024u * 1024u)
#define TIMES_MAX 4096
#define REQUEST_LINE_KEPT 32

static void die(const char *what)
{
    fprintf(stderr, "uploader harness: %s: %s\n", what, strerror(errno));
    abort();
}

int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ proxy */

struct proxy {
    uint16_t port, upstream;
    int listen_fd;
    atomic_int mode, stop, requests, held, listening;
    atomic_int switch_after, switch_mode; /* proxy_set_mode_after; -1: none */
    int64_t times[TIMES_MAX];
    int64_t answered[TIMES_MAX]; /* just before the answer was written */
    char lines[TIMES_MAX][REQUEST_LINE_KEPT]; /* the start of each request line */
    pthread_t thread;
};

static int listen_on(uint16_t port, uint16_t *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    *bound = ntohs(addr.sin_port);
    return fd;
}

/* Waits for fd to be readable, giving up when the proxy stops. */
static int readable(struct proxy *p, int fd, int timeout_ms)
{
    int64_t until = mono_ms() + timeout_ms;
    while (!atomic_load(&p->stop)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int rc = poll(&pfd, 1, 20);
        if (rc > 0)
            return 1;
        if (mono_ms() > until)
            return 0;
    }
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads the head and up to body_limit bytes of the body. */
static char *read_request(struct proxy *p, int fd, size_t *head_len, size_t *body_len,
                          size_t *total, int half_body)
{
    char *buf = malloc(REQUEST_MAX + 1);
    size_t len = 0, want = REQUEST_MAX;
    *head_len = 0;
    while (len < want) {
        if (!readable(p, fd, 10000))
            break;
        ssize_t n = recv(fd, buf + len, want - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (!*head_len) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            *head_len = (size_t)(end - buf) + 4;
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            *body_len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
            want = *head_len + (half_body ? *body_len / 2 : *body_len);
        }
    }
    if (!*head_len) {
        free(buf);
        return NULL;
    }
    *total = len < want ? len : want;
    return buf;
}

static int connect_upstream(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Relays the request with "Connection: close", reads the answer to EOF. */
static char *relay(struct proxy *p, const char *req, size_t head_len, size_t total, size_t *out_len)
{
    int fd = connect_upstream(p->upstream);
    if (fd < 0)
        return NULL;
    const char *line_end = strstr(req, "\r\n");
    size_t first = (size_t)(line_end - req) + 2;
    static const char close_header[] = "Connection: close\r\n";
    if (write_all(fd, req, first) || write_all(fd, close_header, sizeof close_header - 1) ||
        write_all(fd, req + first, total - first)) {
        close(fd);
        return NULL;
    }
    (void)head_len;
    size_t cap = 1 << 16, len = 0;
    char *resp = malloc(cap + 1);
    for (;;) {
        if (!readable(p, fd, 30000))
            break;
        if (len == cap) {
            cap *= 2;
            resp = realloc(resp, cap + 1);
        }
        ssize_t n = recv(fd, resp + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    resp[len] = '\0';
    *out_len = len;
    return resp;
}

static void answer(int fd, const char *status, const char *extra, const char *body)
{
    char text[1024];
    snprintf(text, sizeof text,
             "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             status, extra, strlen(body), body);
    write_all(fd, text, strlen(text));
}

/* The mode for the request arriving now. */
static enum proxy_mode next_mode(struct proxy *p)
{
    if (atomic_load(&p->switch_after) >= 0 && atomic_fetch_sub(&p->switch_after, 1) == 0)
        atomic_store(&p->mode, atomic_load(&p->switch_mode));
    return (enum proxy_mode)atomic_load(&p->mode);
}

static void serve(struct proxy *p, int fd)
{
    enum proxy_mode mode = next_mode(p);
    size_t head_len = 0, body_len = 0, total = 0, resp_len = 0;
    char *req = read_request(p, fd, &head_len, &body_len, &total, mode == PROXY_CUT_REQUEST);
    char *resp = NULL;
    int n = -1;
    if (!req)
        goto out;
    n = atomic_fetch_add(&p->requests, 1);
    if (n < TIMES_MAX) {
        p->times[n] = mono_ms();
        snprintf(p->lines[n], sizeof p->lines[n], "%.*s", (int)strcspn(req, "\r\n"), req);
    }
    if (n < TIMES_MAX)
        p->answered[n] = mono_ms(); /* relayed answers: stamped again below */
    switch (mode) {
    case PROXY_500:
        answer(fd, "500 Internal Server Error", "",
               "{\"error\":{\"code\":\"internal\",\"message\":\"injected fault\"}}");
        break;
    case PROXY_503:
        answer(fd, "503 Service Unavailable", "Retry-After: 1\r\n",
               "{\"error\":{\"code\":\"busy\",\"message\":\"injected fault\"}}");
        break;
    case PROXY_HANG:
        while (readable(p, fd, 60000) && atomic_load(&p->mode) == PROXY_HANG) {
            char sink[4096];
            if (recv(fd, sink, sizeof sink, 0) <= 0)
                break;
        }
        break;
    case PROXY_CUT_REQUEST: {
        /* The central sees a request that stops half way. */
        int up = connect_upstream(p->upstream);
        if (up >= 0) {
            write_all(up, req, total);
            close(up);
        }
        break;
    }
    default:
        resp = relay(p, req, head_len, total, &resp_len);
        if (!resp)
            break;
        if (n < TIMES_MAX)
            p->answered[n] = mono_ms();
        if (mode == PROXY_CUT_RESPONSE) {
            write_all(fd, resp, resp_len / 2);
        } else if (mode == PROXY_MALFORMED) {
            answer(fd, "200 OK", "", "{\"stored\": [\"");
        } else if (mode == PROXY_HOLD_RESPONSE) {
            atomic_fetch_add(&p->held, 1);
            while (!atomic_load(&p->stop) && atomic_load(&p->mode) == PROXY_HOLD_RESPONSE)
                usleep(10000);
        } else {
            write_all(fd, resp, resp_len);
        }
    }
out:
    free(req);
    free(resp);
    close(fd);
}

static void *proxy_main(void *arg)
{
    struct proxy *p = arg;
    while (!atomic_load(&p->stop)) {
        if (atomic_load(&p->mode) == PROXY_DOWN) {
            if (p->listen_fd >= 0) {
                close(p->listen_fd);
                p->listen_fd = -1;
            }
            atomic_store(&p->listening, 0);
            usleep(10000);
            continue;
        }
        if (p->listen_fd < 0) {
            uint16_t bound;
            p->listen_fd = listen_on(p->port, &bound);
            if (p->listen_fd < 0) {
                usleep(10000);
                continue;
            }
        }
        atomic_store(&p->listening, 1);
        struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            serve(p, fd);
    }
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    return NULL;
}

struct proxy *proxy_start(uint16_t upstream)
{
    struct proxy *p = calloc(1, sizeof *p);
    p->upstream = upstream;
    atomic_store(&p->switch_after, -1);
    p->listen_fd = listen_on(0, &p->port);
    if (p->listen_fd < 0)
        die("proxy listen");
    atomic_store(&p->listening, 1);
    if (pthread_create(&p->thread, NULL, proxy_main, p))
        die("proxy thread");
    return p;
}

void proxy_stop(struct proxy *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    pthread_join(p->thread, NULL);
    free(p);
}

/* Returns once the port is in the state the mode wants (closed when down). */
void proxy_set_mode(struct proxy *p, enum proxy_mode mode)
{
    atomic_store(&p->mode, (int)mode);
    int want = mode != PROXY_DOWN;
    while (atomic_load(&p->listening) != want)
        usleep(1000);
}
void proxy_set_mode_after(struct proxy *p, int requests, enum proxy_mode mode)
{
    atomic_store(&p->switch_mode, (int)mode);
    atomic_store(&p->switch_after, requests);
}

uint16_t proxy_port(const struct proxy *p) { return p->port; }
int proxy_requests(struct proxy *p) { return atomic_load(&p->requests); }
int proxy_held(struct proxy *p) { return atomic_load(&p->held); }
int64_t proxy_request_ms(struct proxy *p, int n)
{
    return n >= 0 && n < TIMES_MAX && n < atomic_load(&p->requests) ? p->times[n] : -1;
}

int64_t proxy_request_answered_ms(struct proxy *p, int n)
{
    return n >= 0 && n < TIMES_MAX && n < atomic_load(&p->requests) ? p->answered[n] : -1;
}

int proxy_request_is(struct proxy *p, int n, const char *start)
{
    return n >= 0 && n < TIMES_MAX && n < atomic_load(&p->requests) &&
           strncmp(p->lines[n], start, strlen(start)) == 0;
}

/* ------------------------------------------------------------ kiosk side */

void kiosk_side_set_token(struct kiosk_side *k, const char *token)
{
    FILE *f = fopen(k->cfg.token_file, "w");
    if (!f)
        die(k->cfg.token_file);
    fprintf(f, "%s\n", token);
    fclose(f);
    chmod(k->cfg.token_file, 0600);
}

void kiosk_side_init(struct kiosk_side *k, const char *url, const char *token)
{
    memset(k, 0, sizeof *k);
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(k->dir, sizeof k->dir, "%s/kiosk-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(k->dir))
        die("mkdtemp");
    config_defaults(&k->cfg);
    snprintf(k->cfg.site_id, sizeof k->cfg.site_id, "%s", FIXTURE_SITE_A);
    snprintf(k->cfg.database, sizeof k->cfg.database, "%s/kiosk.db", k->dir);
    snprintf(k->cfg.token_file, sizeof k->cfg.token_file, "%s/token", k->dir);
    snprintf(k->cfg.central_url, sizeof k->cfg.central_url, "%s", url);
    k->cfg.batch_size = 100;
    kiosk_side_set_token(k, token);
    /* A synchronised clock in 2030, well after any build date. */
    clock_fake_init(&k->clock, fixture_utc("2030-03-04T08:00:00Z"));
    char err[512];
    if (store_open(k->cfg.database, &k->store, err, sizeof err)) {
        fprintf(stderr, "kiosk store: %s\n", err);
        abort();
    }
}

void kiosk_side_fini(struct kiosk_side *k)
{
    store_close(k->store);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", k->dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", k->dir);
}

void proxied_kiosk_start(struct kiosk_side *k, struct fixture **central, struct proxy **proxy)
{
    *central = fixture_start(NULL);
    uint16_t port = 0;
    sscanf(strrchr((*central)->base, ':') + 1, "%hu", &port);
    *proxy = proxy_start(port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", proxy_port(*proxy));
    kiosk_side_init(k, url, (*central)->token_a1);
}

void proxied_kiosk_stop(struct kiosk_side *k, struct fixture *central, struct proxy *proxy)
{
    proxy_stop(proxy);
    kiosk_side_fini(k);
    fixture_stop(central);
}

static void kiosk_event(struct kiosk_side *k, struct event *ev, enum event_kind kind,
                        const char *volunteer, int64_t at_us)
{
    memset(ev, 0, sizeof *ev);
    event_new_id(ev->event_id);
    ev->kind = kind;
    snprintf(ev->site, sizeof ev->site, "%s", k->cfg.site_id);
    snprintf(ev->volunteer, sizeof ev->volunteer, "%s", volunteer);
    ev->at_us = at_us;
    ev->recorded_us = at_us;
    ev->mono_us = clock_mono(&k->clock.source);
    snprintf(ev->boot_id, sizeof ev->boot_id, "%s", clock_boot_id(&k->clock.source));
    ev->clock_synced = clock_synced(&k->clock.source);
    ev->source = SOURCE_CARD;
}

int kiosk_side_add_visits(struct kiosk_side *k, int visits, int64_t first_us, int64_t step_us,
                          int64_t length_us)
{
    if (store_begin(k->store))
        abort();
    for (int i = 0; i < visits; i++) {
        char volunteer[32];
        snprintf(volunteer, sizeof volunteer, "F-%d", k->volunteers++ % 50);
        struct event ev;
        int64_t start = first_us + i * step_us;
        kiosk_event(k, &ev, EVENT_CHECKIN, volunteer, start);
        if (store_append(k->store, &ev))
            goto fail;
        kiosk_event(k, &ev, EVENT_CHECKOUT, volunteer, start + length_us);
        if (store_append(k->store, &ev))
            goto fail;
    }
    if (store_commit(k->store))
        goto fail;
    return 2 * visits;
fail:
    fprintf(stderr, "recording events: %s\n", store_errmsg(k->store));
    abort();
}

int kiosk_side_record(struct kiosk_side *k, enum event_kind kind, const char *volunteer,
                      struct event *out)
{
    return kiosk_side_record_at(k, kind, volunteer, clock_wall(&k->clock.source), NULL, out);
}

int kiosk_side_record_at(struct kiosk_side *k, enum event_kind kind, const char *volunteer,
                         int64_t at_us, const char *corrects, struct event *out)
{
    struct event ev;
    kiosk_event(k, &ev, kind, volunteer, at_us);
    ev.recorded_us = clock_wall(&k->clock.source);
    if (kind == EVENT_AUTOCLOSE || kind == EVENT_CORRECTION)
        ev.source = kind == EVENT_AUTOCLOSE ? SOURCE_AUTOMATIC : SOURCE_STAFF;
    snprintf(ev.corrects, sizeof ev.corrects, "%s", corrects ? corrects : "");
    if (store_begin(k->store) || store_append(k->store, &ev) || store_commit(k->store)) {
        fprintf(stderr, "recording an event: %s\n", store_errmsg(k->store));
        abort();
    }
    if (out)
        *out = ev;
    return 0;
}

int kiosk_side_pending(struct kiosk_side *k) { return store_pending_count(k->store); }

/* ---------------------------------------------------------------- checks */

/* An event row as one text line: the protocol's JSON plus the site. */
static char *event_line(sqlite3_stmt *st)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    if (event_from_row(st, 0, &ev))
        abort();
    json_t *obj = protocol_event_to_json(&ev);
    json_object_set_new(obj, "site", json_string(ev.site));
    char *line = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return line;
}

/* A visit row as one text line: its columns, '|' between them. */
static char *visit_line(sqlite3_stmt *st)
{
    char *line = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&line, &len);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        const unsigned char *text = sqlite3_column_text(st, i);
        fprintf(out, "%s%s", i ? "|" : "", text ? (const char *)text : "NULL");
    }
    fclose(out);
    return line;
}

/* Every row of sql in the database at path, as lines. */
static char **row_lines(const char *path, const char *sql, char *(*line)(sqlite3_stmt *st),
                        size_t *count)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char **lines = NULL;
    size_t n = 0, cap = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
        abort();
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            lines = realloc(lines, cap * sizeof *lines);
        }
        lines[n++] = line(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    *count = n;
    return lines;
}

/* 0 when the kiosk's and the central's databases give the same lines. */
static int same_rows(const char *what, struct kiosk_side *k, struct fixture *central,
                     const char *sql, char *(*line)(sqlite3_stmt *st))
{
    size_t nk = 0, nc = 0;
    char **kiosk = row_lines(k->cfg.database, sql, line, &nk);
    char **cent = row_lines(central->db, sql, line, &nc);
    int rc = 0;
    if (nk != nc) {
        fprintf(stderr, "the kiosk holds %zu %ss, the central %zu\n", nk, what, nc);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < nk; i++) {
        if (strcmp(kiosk[i], cent[i]) != 0) {
            fprintf(stderr, "%s differs:\n  kiosk:   %s\n  central: %s\n", what, kiosk[i],
                    cent[i]);
            rc = -1;
        }
    }
    for (size_t i = 0; i < nk; i++)
        free(kiosk[i]);
    for (size_t i = 0; i < nc; i++)
        free(cent[i]);
    free(kiosk);
    free(cent);
    return rc;
}

int same_events(struct kiosk_side *k, struct fixture *central)
{
    return same_rows("event", k, central,
                     "SELECT " EVENT_COLUMNS " FROM event ORDER BY event_id", event_line);
}

int same_visits(struct kiosk_side *k, struct fixture *central)
{
    return same_rows("visit", k, central,
                     "SELECT site, volunteer, activity, start_event, start_us, start_day, "
                     "end_event, end_us, end_kind, review FROM visit ORDER BY start_event",
                     visit_line);
}

static int add_kiosk_row(void *user, const struct report_row *row)
{
    *(int64_t *)user += row->seconds;
    return 0;
}

static int add_central_row(void *user, const struct central_total *total)
{
    if (strcmp(total->key, FIXTURE_SITE_A) == 0)
        *(int64_t *)user += total->seconds;
    return 0;
}

int same_hours(struct kiosk_side *k, struct fixture *central)
{
    int64_t kiosk_s = 0, central_s = 0;
    char err[256];
    if (store_report(k->store, "2000-01-01", "2099-12-31", REPORT_TOTAL, 0, add_kiosk_row,
                     &kiosk_s) ||
        central_store_totals(central->store, "2000-01-01", "2099-12-31", CENTRAL_GROUP_SITE,
                             add_central_row, &central_s, err, sizeof err)) {
        fprintf(stderr, "report failed\n");
        return -1;
    }
    if (kiosk_s != central_s || kiosk_s == 0) {
        fprintf(stderr, "hours differ: kiosk %lld s, central %lld s\n", (long long)kiosk_s,
                (long long)central_s);
        return -1;
    }
    return 0;
}

int make_test_ca(const char *dir)
{
    char command[2048];
    snprintf(command, sizeof command,
             "cd '%s' && "
             "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
             "extendedKeyUsage=serverAuth\\n' > server.ext && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Tilstede test CA' 2>/dev/null && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout other-ca.key -out other-ca.pem -days 2 -subj '/CN=Another CA' "
             "2>/dev/null && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 2 -extfile server.ext 2>/dev/null",
             dir);
    return system(command) == 0 ? 0 : -1;
}
