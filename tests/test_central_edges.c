/* tilstede-central at its edges (issue 12, item 5), over raw sockets on
 * loopback so the test controls every byte of a request: JSON the parser
 * quotes badly, media types, duplicated headers, an empty version, and 300
 * slow connections from one address while a kiosk still uploads. */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "central_fixture.h"

#define RAW_REPLY_MAX    65536
#define RAW_TIMEOUT_MS   20000 /* a test machine that stalls this long fails the test */
#define SLOW_CLIENTS     300
#define SLOW_SOURCE_ADDR "127.0.0.2" /* loopback, another client address than the kiosk's */

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
        cmocka_unit_test_setup_teardown(test_slow_clients_from_one_address_do_not_lock_out_a_kiosk,
                                        fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
