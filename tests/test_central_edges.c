/* tilstede-central at its edges (issue 12, item 5), over raw sockets on
 * loopback so the test controls every byte of a request: JSON the parser
 * quotes badly, media types, duplicated headers, an empty version, a long
 * target and large headers, requests that never finish arriving, and 300
 * slow connections while a kiosk still uploads. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "central_fixture.h"

#define RAW_REPLY_MAX    65536
#define RAW_TIMEOUT_MS   20000 /* a test machine that stalls this long fails the test */
#define SLOW_CLIENTS     300
#define SLOW_SOURCE_ADDR "127.0.0.2" /* loopback, another client address than the kiosk's */
/* The deadline tests: the server cuts a request at TEST_DEADLINE_S; its
 * clients send a byte every TRICKLE_MS, far inside the idle timeout (30 s),
 * so only the deadline can cut them. A cut that comes later than
 * CUT_SLACK_MS past the deadline fails the test (a stalled machine too). */
#define TEST_DEADLINE_S 2
#define TRICKLE_MS      250
#define CUT_SLACK_MS    3000
/* 300 slow clients from SLOW_ADDRESSES addresses 127.0.0.2, .3, ...: 30
 * each, under the limit per address (32), 300 in all, over the server's
 * 256 connections. */
#define SLOW_ADDRESSES      10
#define SLOW_BYTE_PERIOD_MS 1000
#define KIOSK_RETRY_MS      200
#define KIOSK_BOUND_MS      ((TEST_DEADLINE_S * 1000) + 10000)

static unsigned fixture_port(const struct fixture *f)
{
    const char *colon = strrchr(f->base, ':');
    return (unsigned)strtoul(colon + 1, NULL, 10);
}

/* A TCP connection to the fixture, from source (NULL: any loopback). */
static int raw_connect(const struct fixture *f, const char *source)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    if (source) {
        struct sockaddr_in local = {.sin_family = AF_INET};
        inet_pton(AF_INET, source, &local.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&local, sizeof local), 0);
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)fixture_port(f))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

struct raw_reply {
    int status;
    char text[RAW_REPLY_MAX + 1];
    const char *body; /* inside text */
};

/* Sends request as it is and reads the answer until the server closes. */
static void raw_request(const struct fixture *f, const char *request, size_t len,
                        struct raw_reply *out)
{
    int fd = raw_connect(f, NULL);
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may answer and close before reading it all */
        sent += (size_t)n;
    }
    size_t got = 0;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, RAW_TIMEOUT_MS), 1);
        ssize_t n = recv(fd, out->text + got, RAW_REPLY_MAX - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == RAW_REPLY_MAX)
            break;
    }
    close(fd);
    out->text[got] = '\0';
    out->status = 0;
    sscanf(out->text, "HTTP/1.%*c %d", &out->status);
    const char *end = strstr(out->text, "\r\n\r\n");
    out->body = end ? end + 4 : "";
}

/* A POST with the given extra headers and body; Connection: close. */
static void raw_post(const struct fixture *f, const char *path, const char *token,
                     const char *headers, const char *body, struct raw_reply *out)
{
    size_t cap = strlen(body) + strlen(headers) + 1024;
    char *request = malloc(cap);
    assert_non_null(request);
    int len = snprintf(request, cap,
                       "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                       "Authorization: Bearer %s\r\n%s\r\n%s",
                       path, token, headers, body);
    raw_request(f, request, (size_t)len, out);
    free(request);
}

/* The body is one JSON error of code: jansson refuses invalid UTF-8, so this
 * also proves the body is valid UTF-8. */
static void assert_error_body(const struct raw_reply *reply, int status, const char *code)
{
    if (reply->status != status)
        fprintf(stderr, "expected %d %s, got:\n%s\n", status, code, reply->text);
    assert_int_equal(reply->status, status);
    json_error_t error;
    json_t *doc = json_loads(reply->body, 0, &error);
    if (!doc)
        fprintf(stderr, "not JSON (%s): %s\n", error.text, reply->body);
    assert_non_null(doc);
    const char *got = json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
    assert_non_null(got);
    assert_string_equal(got, code);
    json_decref(doc);
}

static char *sized(const char *body)
{
    static char headers[128];
    snprintf(headers, sizeof headers, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
             strlen(body));
    return headers;
}

static void test_backslash_before_a_non_ascii_byte_is_malformed_json_in_valid_utf8(void **state)
{
    struct fixture *f = *state;
    static const char *const bodies[] = {
        "{\"events\":[],\"x\":\"\\\xc3\xa5\"}", /* \å */
        "{\"events\":[],\"x\":\"\\\xff\"}",     /* \ and a byte that is never UTF-8 */
        "{\"events\":[],\"x\":\"\xe2\x82\"}",   /* a character cut short */
        "\xc3",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct raw_reply reply;
        raw_post(f, "/v1/events", f->token_a1, sized(bodies[i]), bodies[i], &reply);
        assert_error_body(&reply, 400, "malformed_json");
    }
}

static void test_a_json_body_that_is_not_an_object_is_an_invalid_request(void **state)
{
    struct fixture *f = *state;
    static const char *const bodies[] = {"\"events\"", "[]", "42", "null"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct raw_reply reply;
        raw_post(f, "/v1/events", f->token_a1, sized(bodies[i]), bodies[i], &reply);
        assert_error_body(&reply, 400, "invalid_request");
        raw_post(f, "/v1/status", f->token_a1, sized(bodies[i]), bodies[i], &reply);
        assert_error_body(&reply, 400, "invalid_request");
    }
}

static void test_status_software_version_must_have_one_to_63_bytes(void **state)
{
    struct fixture *f = *state;
    char body[256];
    static const char *const versions[] = {"", "0123456789012345678901234567890123456789"
                                               "012345678901234567890123"}; /* 0 and 64 */
    for (size_t i = 0; i < 2; i++) {
        snprintf(body, sizeof body,
                 "{\"software_version\":\"%s\",\"events_waiting\":0,\"clock_synced\":true,"
                 "\"reader_state\":\"ok\"}",
                 versions[i]);
        struct raw_reply reply;
        raw_post(f, "/v1/status", f->token_a1, sized(body), body, &reply);
        assert_error_body(&reply, 400, "invalid_request");
        assert_non_null(strstr(reply.body, "software_version"));
    }
    snprintf(body, sizeof body,
             "{\"software_version\":\"%s\",\"events_waiting\":0,\"clock_synced\":true,"
             "\"reader_state\":\"ok\"}",
             "012345678901234567890123456789012345678901234567890123456789012"); /* 63 */
    struct raw_reply reply;
    raw_post(f, "/v1/status", f->token_a1, sized(body), body, &reply);
    assert_int_equal(reply.status, 204);
}

static void test_content_type_is_matched_exactly_ignoring_case_with_parameters(void **state)
{
    struct fixture *f = *state;
    static const char body[] = "{\"events\":[]}";
    static const char *const refused[] = {
        "application/jsonx", "application/json-seq", "application/json, text/plain",
        "text/json",         "application/json/x",   ""};
    static const char *const accepted[] = {
        "application/json", "Application/JSON", "application/json; charset=utf-8",
        "APPLICATION/JSON ;charset=UTF-8", "application/json\t; charset=\"utf-8\""};
    char headers[256];
    struct raw_reply reply;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(headers, sizeof headers, "Content-Type: %s\r\nContent-Length: %zu\r\n", refused[i],
                 strlen(body));
        raw_post(f, "/v1/events", f->token_a1, headers, body, &reply);
        if (reply.status != 415)
            fprintf(stderr, "Content-Type \"%s\" was not refused\n", refused[i]);
        assert_error_body(&reply, 415, "unsupported_media_type");
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        snprintf(headers, sizeof headers, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                 accepted[i], strlen(body));
        raw_post(f, "/v1/events", f->token_a1, headers, body, &reply);
        if (reply.status != 200)
            fprintf(stderr, "Content-Type \"%s\" was refused: %s\n", accepted[i], reply.text);
        assert_int_equal(reply.status, 200);
    }
}

static void test_two_different_content_lengths_are_a_bad_request(void **state)
{
    struct fixture *f = *state;
    static const char body[] = "{\"events\":[]}";
    struct raw_reply reply;
    raw_post(f, "/v1/events", f->token_a1,
             "Content-Type: application/json\r\nContent-Length: 13\r\nContent-Length: 5\r\n", body,
             &reply);
    assert_error_body(&reply, 400, "malformed_request");
}

/* PROTOCOL.md, 1: a body sent without Content-Type is read as JSON. */
static void test_a_body_without_content_type_is_read_as_json(void **state)
{
    struct fixture *f = *state;
    struct event ev;
    fixture_event(&ev, EVENT_CHECKIN, "V-2", fixture_utc("2026-11-23T08:00:00Z"));
    char *body = fixture_batch(&ev, 1);
    char headers[64];
    snprintf(headers, sizeof headers, "Content-Length: %zu\r\n", strlen(body));
    struct raw_reply reply;
    raw_post(f, "/v1/events", f->token_a1, headers, body, &reply);
    free(body);
    if (reply.status != 200)
        fprintf(stderr, "without Content-Type: %s\n", reply.text);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, ev.event_id));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 1);
    raw_post(f, "/v1/events", f->token_a1, "Content-Length: 10\r\n", "{\"events\":", &reply);
    assert_error_body(&reply, 400, "malformed_json");
}

/* PROTOCOL.md: event ids are unique across the deployment. */
static void test_an_event_id_stored_for_one_site_is_a_duplicate_for_another(void **state)
{
    struct fixture *f = *state;
    struct event ev;
    fixture_event(&ev, EVENT_CHECKIN, "V-1", fixture_utc("2026-11-23T08:00:00Z"));
    struct reply reply;
    assert_int_equal(fixture_post_events(f, f->token_a1, &ev, 1, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    assert_int_equal(fixture_post_events(f, f->token_b1, &ev, 1, &reply), 0);
    assert_int_equal(reply.status, 200);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_non_null(doc);
    const json_t *duplicate = json_object_get(doc, "duplicate");
    assert_int_equal(json_array_size(duplicate), 1);
    assert_string_equal(json_string_value(json_array_get(duplicate, 0)), ev.event_id);
    assert_int_equal(json_array_size(json_object_get(doc, "stored")), 0);
    json_decref(doc);
    reply_free(&reply);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 1);
}

/* Waits until the server has taken up connection fd: it answers (100
 * Continue) or closes it. Returns 1 when it answered, 0 when it closed. */
static int slow_client_taken(int fd, size_t index)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, RAW_TIMEOUT_MS) != 1)
        fail_msg("slow client %zu: the server neither took nor refused its connection; every "
                 "slot is held by the ones before it",
                 index);
    char answer[64];
    ssize_t n = recv(fd, answer, sizeof answer - 1, 0);
    return n > 0;
}

/* 300 connections from one address each send their headers and then hold
 * the body back, as a slow client would; the server takes each of them up
 * (100 Continue) or refuses it (closes) before the next one connects. Then
 * a kiosk from another address uploads while every slow client still holds
 * its socket open: they give up only after its answer, so no wall-clock
 * threshold decides the test. */
static void test_slow_clients_from_one_address_do_not_lock_out_a_kiosk(void **state)
{
    struct fixture *f = *state;
    int slow[SLOW_CLIENTS];
    size_t held = 0;
    char request[512];
    int len = snprintf(request, sizeof request,
                       "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s"
                       "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
                       "Expect: 100-continue\r\n\r\n",
                       f->token_a2);
    for (size_t i = 0; i < SLOW_CLIENTS; i++) {
        slow[i] = raw_connect(f, SLOW_SOURCE_ADDR);
        send(slow[i], request, (size_t)len, MSG_NOSIGNAL);
        held += slow_client_taken(slow[i], i);
    }
    fprintf(stderr, "%d slow connections from %s, %zu of them held open by the server\n",
            SLOW_CLIENTS, SLOW_SOURCE_ADDR, held);
    assert_true(held > 0);

    struct event ev;
    fixture_event(&ev, EVENT_CHECKIN, "kiosk-upload", fixture_utc("2026-11-23T08:00:00Z"));
    struct reply reply;
    int rc = fixture_post_events(f, f->token_a1, &ev, 1, &reply);
    if (rc == 0 && reply.status != 200)
        fprintf(stderr, "the kiosk got %ld: %s\n", reply.status, reply.body);
    assert_int_equal(rc, 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    for (size_t i = 0; i < SLOW_CLIENTS; i++)
        close(slow[i]);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int fixture_setup_short_deadline(void **state)
{
    struct central_http_config config = {.request_deadline_s = TEST_DEADLINE_S};
    *state = fixture_start(&config);
    return 0;
}

/* A GET of /v1/health with a query of pad bytes, as long as target_len. */
static void get_with_target(const struct fixture *f, size_t target_len, struct raw_reply *out)
{
    static const char path[] = "/v1/health?pad=";
    assert_true(target_len >= sizeof path - 1);
    size_t cap = target_len + 256;
    char *request = malloc(cap);
    assert_non_null(request);
    int len = snprintf(request, cap, "GET %s", path);
    memset(request + len, 'a', target_len - (sizeof path - 1));
    len += (int)(target_len - (sizeof path - 1));
    len += snprintf(request + len, cap - (size_t)len,
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    raw_request(f, request, (size_t)len, out);
    free(request);
}

static void test_a_request_target_over_its_limit_gets_414_with_a_json_error(void **state)
{
    struct fixture *f = *state;
    struct raw_reply reply;
    get_with_target(f, CENTRAL_HTTP_TARGET_MAX, &reply);
    if (reply.status != 200)
        fprintf(stderr, "a target of %d bytes: %s\n", CENTRAL_HTTP_TARGET_MAX, reply.text);
    assert_int_equal(reply.status, 200);
    /* Just over the limit, and well past it: 40 000 bytes did not fit in
     * libmicrohttpd's default memory for a connection, which then answered
     * 414 itself, in HTML. */
    static const size_t over[] = {CENTRAL_HTTP_TARGET_MAX + 1, 40000};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        get_with_target(f, over[i], &reply);
        assert_error_body(&reply, 414, "uri_too_long");
        assert_non_null(strstr(reply.text, "Content-Type: application/json"));
    }
}

/* A GET of /v1/health with count header fields X-Pad-N of value_len bytes. */
static void get_with_headers(const struct fixture *f, size_t count, size_t value_len,
                             struct raw_reply *out)
{
    size_t cap = count * (value_len + 32) + 256;
    char *request = malloc(cap);
    assert_non_null(request);
    int len = snprintf(request, cap,
                       "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (size_t i = 0; i < count; i++) {
        len += snprintf(request + len, cap - (size_t)len, "X-Pad-%03zu: ", i);
        memset(request + len, 'b', value_len);
        len += (int)value_len;
        len += snprintf(request + len, cap - (size_t)len, "\r\n");
    }
    len += snprintf(request + len, cap - (size_t)len, "\r\n");
    raw_request(f, request, (size_t)len, out);
    free(request);
}

static void test_header_fields_over_their_limit_get_431_with_a_json_error(void **state)
{
    struct fixture *f = *state;
    struct raw_reply reply;
    /* Host and Connection take 37 bytes of the limit, each X-Pad-NNN 13
     * more than its value: 30 fields of 1000 bytes fit. */
    get_with_headers(f, 30, 1000, &reply);
    if (reply.status != 200)
        fprintf(stderr, "30 fields of 1000 bytes: %s\n", reply.text);
    assert_int_equal(reply.status, 200);
    /* One field over the limit (it did not fit in libmicrohttpd's default
     * memory for a connection, which answered 431 itself, in HTML), and
     * many fields that together are over it. */
    get_with_headers(f, 1, CENTRAL_HTTP_HEADERS_MAX, &reply);
    assert_error_body(&reply, 431, "headers_too_large");
    assert_non_null(strstr(reply.text, "Content-Type: application/json"));
    get_with_headers(f, 40, 1000, &reply);
    assert_error_body(&reply, 431, "headers_too_large");
}

/* Sends text a byte every TRICKLE_MS until the server closes the connection
 * (returns the milliseconds since start_ms) or CUT_SLACK_MS past the
 * deadline (fails). Nothing may come back: the deadline answers nothing. */
static int64_t trickle_until_cut(int fd, const char *text, int64_t start_ms)
{
    size_t len = strlen(text);
    for (size_t sent = 0;; sent++) {
        int64_t elapsed = monotonic_ms() - start_ms;
        if (elapsed > TEST_DEADLINE_S * 1000 + CUT_SLACK_MS)
            fail_msg("the connection was still open %lld ms after it opened, having sent %zu "
                     "bytes a byte at a time; the deadline is %d s",
                     (long long)elapsed, sent, TEST_DEADLINE_S);
        if (sent < len && send(fd, text + sent, 1, MSG_NOSIGNAL) != 1)
            return monotonic_ms() - start_ms; /* the server shut it down */
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, TRICKLE_MS) == 1) {
            char answer[256];
            ssize_t n = recv(fd, answer, sizeof answer - 1, 0);
            if (n > 0) {
                answer[n] = '\0';
                fail_msg("the server answered a request still arriving: %s", answer);
            }
            return monotonic_ms() - start_ms;
        }
    }
}

static void assert_cut_at_deadline(int64_t elapsed_ms, const char *what)
{
    fprintf(stderr, "%s: cut %lld ms after the connection opened (deadline %d s)\n", what,
            (long long)elapsed_ms, TEST_DEADLINE_S);
    assert_true(elapsed_ms >= TEST_DEADLINE_S * 1000 - 50);
    assert_true(elapsed_ms <= TEST_DEADLINE_S * 1000 + CUT_SLACK_MS);
}

static void test_headers_sent_a_byte_at_a_time_are_cut_at_the_deadline(void **state)
{
    struct fixture *f = *state;
    char request[512];
    snprintf(request, sizeof request,
             "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"events\":[]}",
             f->token_a1);
    int64_t start = monotonic_ms();
    int fd = raw_connect(f, NULL);
    assert_cut_at_deadline(trickle_until_cut(fd, request, start), "headers a byte at a time");
    close(fd);
}

static void test_a_body_sent_a_byte_at_a_time_is_cut_at_the_deadline(void **state)
{
    struct fixture *f = *state;
    char headers[512];
    int len = snprintf(headers, sizeof headers,
                       "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s"
                       "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n",
                       f->token_a1);
    char body[401];
    memset(body, ' ', 400);
    body[0] = '{';
    body[400] = '\0';
    int64_t start = monotonic_ms();
    int fd = raw_connect(f, NULL);
    assert_int_equal(send(fd, headers, (size_t)len, MSG_NOSIGNAL), len);
    assert_cut_at_deadline(trickle_until_cut(fd, body, start), "a body a byte at a time");
    close(fd);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
}

/* Reads one answer with a Content-Length from a kept-alive connection
 * into text; returns its status. */
static int read_one_answer(int fd, char *text, size_t cap)
{
    size_t got = 0;
    const char *end = NULL;
    long length = -1;
    for (;;) {
        if (end && length >= 0 && got >= (size_t)(end + 4 - text) + (size_t)length)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, RAW_TIMEOUT_MS), 1);
        ssize_t n = recv(fd, text + got, cap - 1 - got, 0);
        if (n <= 0)
            fail_msg("the server closed a kept-alive connection after %zu bytes of an answer", got);
        got += (size_t)n;
        text[got] = '\0';
        if (!end && (end = strstr(text, "\r\n\r\n"))) {
            const char *header = strcasestr(text, "\r\nContent-Length:");
            assert_non_null(header);
            length = strtol(header + 17, NULL, 10);
        }
    }
    int status = 0;
    sscanf(text, "HTTP/1.%*c %d", &status);
    return status;
}

/* The deadline is for one request: each answer on a kept-alive connection
 * starts the next request's count afresh. */
static void
test_a_kept_alive_connection_outlives_the_deadline_while_each_request_is_in_time(void **state)
{
    struct fixture *f = *state;
    static const char request[] = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    int64_t start = monotonic_ms();
    int fd = raw_connect(f, NULL);
    char answer[4096];
    int requests = 0;
    while (monotonic_ms() - start < 2 * TEST_DEADLINE_S * 1000 + 500) {
        assert_int_equal(send(fd, request, sizeof request - 1, MSG_NOSIGNAL),
                         (ssize_t)(sizeof request - 1));
        assert_int_equal(read_one_answer(fd, answer, sizeof answer), 200);
        requests++;
        usleep(TEST_DEADLINE_S * 1000 * 1000 / 2);
    }
    fprintf(stderr, "%d requests on one connection over %lld ms (deadline %d s)\n", requests,
            (long long)(monotonic_ms() - start), TEST_DEADLINE_S);
    close(fd);
}

/* The slow clients, fed a header byte each every SLOW_BYTE_PERIOD_MS by
 * their own thread until the test stops them. */
struct slow_clients {
    int fd[SLOW_CLIENTS];
    int open[SLOW_CLIENTS];
    size_t sent[SLOW_CLIENTS];
    const char *request;
    size_t request_len;
    pthread_mutex_t lock;
    int stop;
};

static void *slow_clients_feed(void *arg)
{
    struct slow_clients *slow = arg;
    for (;;) {
        pthread_mutex_lock(&slow->lock);
        int stop = slow->stop;
        pthread_mutex_unlock(&slow->lock);
        if (stop)
            return NULL;
        for (size_t i = 0; i < SLOW_CLIENTS; i++) {
            if (!slow->open[i] || slow->sent[i] >= slow->request_len)
                continue;
            char peek;
            ssize_t n = recv(slow->fd[i], &peek, 1, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
                send(slow->fd[i], slow->request + slow->sent[i], 1, MSG_NOSIGNAL) != 1) {
                slow->open[i] = 0; /* cut by the server */
                continue;
            }
            slow->sent[i]++;
        }
        usleep(SLOW_BYTE_PERIOD_MS * 1000);
    }
}

/* 300 connections from ten addresses (under the limit per address, over
 * the server's 256 connections in all) send their headers a byte a second,
 * and would for minutes: every connection the server has is held, and a
 * kiosk's connection waits in the queue to be accepted. The deadline cuts
 * them, and the kiosk's upload (tried again every KIOSK_RETRY_MS should it
 * fail) goes through. */
static void
test_slow_clients_from_many_addresses_lock_out_a_kiosk_only_until_the_deadline(void **state)
{
    struct fixture *f = *state;
    static struct slow_clients slow;
    memset(&slow, 0, sizeof slow);
    pthread_mutex_init(&slow.lock, NULL);
    char request[512];
    int len = snprintf(request, sizeof request,
                       "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s"
                       "\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n",
                       f->token_a2);
    slow.request = request;
    slow.request_len = (size_t)len;
    int64_t start = monotonic_ms();
    for (size_t i = 0; i < SLOW_CLIENTS; i++) {
        char source[16];
        snprintf(source, sizeof source, "127.0.0.%zu", 2 + i % SLOW_ADDRESSES);
        slow.fd[i] = raw_connect(f, source);
        slow.open[i] = 1;
    }
    pthread_t feeder;
    assert_int_equal(pthread_create(&feeder, NULL, slow_clients_feed, &slow), 0);

    struct event ev;
    fixture_event(&ev, EVENT_CHECKIN, "kiosk-upload", fixture_utc("2026-11-23T08:00:00Z"));
    int attempts = 0, stored = 0;
    int64_t elapsed = 0;
    while (!stored && elapsed <= KIOSK_BOUND_MS) {
        struct reply reply;
        int rc = fixture_post_events(f, f->token_a1, &ev, 1, &reply);
        elapsed = monotonic_ms() - start;
        attempts++;
        stored = rc == 0 && reply.status == 200;
        reply_free(&reply);
        if (!stored)
            usleep(KIOSK_RETRY_MS * 1000);
    }
    pthread_mutex_lock(&slow.lock);
    slow.stop = 1;
    pthread_mutex_unlock(&slow.lock);
    pthread_join(feeder, NULL);
    size_t cut = 0;
    for (size_t i = 0; i < SLOW_CLIENTS; i++) {
        char peek;
        ssize_t n = recv(slow.fd[i], &peek, 1, MSG_DONTWAIT);
        cut += n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        close(slow.fd[i]);
    }
    pthread_mutex_destroy(&slow.lock);
    fprintf(stderr,
            "%d slow connections from %d addresses: the kiosk stored its event %lld ms after "
            "they connected, at attempt %d (deadline %d s); by then the server had cut %zu "
            "of them\n",
            SLOW_CLIENTS, SLOW_ADDRESSES, (long long)elapsed, attempts, TEST_DEADLINE_S, cut);
    if (!stored)
        fail_msg("the kiosk's upload did not go through within %d ms (%d attempts)", KIOSK_BOUND_MS,
                 attempts);
    /* The slow clients did hold every connection until the deadline. */
    assert_true(elapsed >= TEST_DEADLINE_S * 1000 - 50);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_backslash_before_a_non_ascii_byte_is_malformed_json_in_valid_utf8, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_json_body_that_is_not_an_object_is_an_invalid_request, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_status_software_version_must_have_one_to_63_bytes,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_content_type_is_matched_exactly_ignoring_case_with_parameters, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_different_content_lengths_are_a_bad_request,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_event_id_stored_for_one_site_is_a_duplicate_for_another, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_body_without_content_type_is_read_as_json,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_slow_clients_from_one_address_do_not_lock_out_a_kiosk,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_request_target_over_its_limit_gets_414_with_a_json_error, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_header_fields_over_their_limit_get_431_with_a_json_error, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_headers_sent_a_byte_at_a_time_are_cut_at_the_deadline,
                                        fixture_setup_short_deadline, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_body_sent_a_byte_at_a_time_is_cut_at_the_deadline,
                                        fixture_setup_short_deadline, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_kept_alive_connection_outlives_the_deadline_while_each_request_is_in_time,
            fixture_setup_short_deadline, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_slow_clients_from_many_addresses_lock_out_a_kiosk_only_until_the_deadline,
            fixture_setup_short_deadline, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
