/* tilstede-central's /v1/ API over real HTTP on loopback: idempotent
 * ingest, authentication, one site per device, limits, malformed input,
 * nothing half-stored when the database fails mid-batch. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_fixture.h"

#define DAY_US  (INT64_C(86400) * 1000000)
#define HOUR_US (INT64_C(3600) * 1000000)

/* Pairs of check-in/check-out for n volunteers, 2 hours each. */
static void make_visits(struct event *events, size_t pairs, int64_t start)
{
    for (size_t i = 0; i < pairs; i++) {
        char volunteer[32];
        snprintf(volunteer, sizeof volunteer, "v%zu", i);
        fixture_event(&events[2 * i], EVENT_CHECKIN, volunteer, start + (int64_t)i * 1000000);
        fixture_event(&events[2 * i + 1], EVENT_CHECKOUT, volunteer,
                      start + (int64_t)i * 1000000 + 2 * HOUR_US);
    }
}

static json_t *post_events(struct fixture *f, const char *token, const struct event *events,
                           size_t count, long expect_status)
{
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, count, &reply), 0);
    if (reply.status != expect_status)
        fprintf(stderr, "unexpected %ld: %s\n", reply.status, reply.body);
    assert_int_equal(reply.status, expect_status);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_non_null(doc);
    reply_free(&reply);
    return doc;
}

static int list_has(const json_t *list, const char *id)
{
    size_t i;
    const json_t *value;
    json_array_foreach(list, i, value) if (strcmp(json_string_value(value), id) == 0) return 1;
    return 0;
}

static void test_same_batch_twice_stores_each_event_once(void **state)
{
    struct fixture *f = *state;
    struct event events[10];
    make_visits(events, 5, fixture_utc("2026-03-02T09:00:00Z"));
    json_t *first = post_events(f, f->token_a1, events, 10, 200);
    assert_int_equal(json_array_size(json_object_get(first, "stored")), 10);
    assert_int_equal(json_array_size(json_object_get(first, "duplicate")), 0);
    json_t *second = post_events(f, f->token_a1, events, 10, 200);
    assert_int_equal(json_array_size(json_object_get(second, "stored")), 0);
    assert_int_equal(json_array_size(json_object_get(second, "duplicate")), 10);
    for (int i = 0; i < 10; i++)
        assert_true(list_has(json_object_get(second, "duplicate"), events[i].event_id));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 10);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit WHERE end_us IS NOT NULL"), 5);
    /* The hours count once too: 5 visits of 2 hours. */
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total"), 5 * 7200);
    json_decref(first);
    json_decref(second);
}

static void test_overlapping_batches_store_each_event_once(void **state)
{
    struct fixture *f = *state;
    struct event events[20];
    make_visits(events, 10, fixture_utc("2026-03-03T09:00:00Z"));
    json_t *first = post_events(f, f->token_a1, events, 12, 200);
    /* The second batch repeats events 8..11 and adds 12..19. */
    json_t *second = post_events(f, f->token_a1, events + 8, 12, 200);
    assert_int_equal(json_array_size(json_object_get(first, "stored")), 12);
    assert_int_equal(json_array_size(json_object_get(second, "stored")), 8);
    assert_int_equal(json_array_size(json_object_get(second, "duplicate")), 4);
    for (int i = 8; i < 12; i++)
        assert_true(list_has(json_object_get(second, "duplicate"), events[i].event_id));
    for (int i = 12; i < 20; i++)
        assert_true(list_has(json_object_get(second, "stored"), events[i].event_id));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 20);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit WHERE end_us IS NOT NULL"), 10);
    json_decref(first);
    json_decref(second);
}

static void test_duplicate_inside_one_batch_is_stored_once(void **state)
{
    struct fixture *f = *state;
    struct event events[3];
    make_visits(events, 1, fixture_utc("2026-03-04T09:00:00Z"));
    events[2] = events[0];
    json_t *reply = post_events(f, f->token_a1, events, 3, 200);
    assert_int_equal(json_array_size(json_object_get(reply, "stored")), 2);
    assert_int_equal(json_array_size(json_object_get(reply, "duplicate")), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 2);
    json_decref(reply);
}

static void assert_unauthorized(struct fixture *f, const char *token)
{
    struct event events[2];
    make_visits(events, 1, fixture_utc("2026-03-05T09:00:00Z"));
    char *body = fixture_batch(events, 2);
    struct reply reply;
    assert_int_equal(fixture_request(f, "POST", "/v1/events", token, body, strlen(body), &reply),
                     0);
    assert_int_equal(reply.status, 401);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "error"), "code")),
                        "unauthorized");
    json_decref(doc);
    reply_free(&reply);
    free(body);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
}

static void test_missing_or_wrong_token_gets_401_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    assert_unauthorized(f, NULL);
    assert_unauthorized(f, "not-a-token");
    char wrong[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(wrong, hash); /* the right shape, never registered */
    assert_unauthorized(f, wrong);
}

static void test_revoked_token_gets_401_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    char err[256];
    assert_int_equal(central_store_device_revoke(f->store, f->device_a1, err, sizeof err), 0);
    assert_unauthorized(f, f->token_a1);
    /* The other kiosk of the site still works. */
    struct event events[2];
    make_visits(events, 1, fixture_utc("2026-03-05T09:00:00Z"));
    json_decref(post_events(f, f->token_a2, events, 2, 200));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 2);
}

static void test_device_of_site_a_cannot_write_site_b(void **state)
{
    struct fixture *f = *state;
    struct event events[2];
    make_visits(events, 1, fixture_utc("2026-03-06T09:00:00Z"));
    char *body = fixture_batch(events, 2);
    /* Name site B in the first event, as a confused or hostile client might. */
    json_t *doc = json_loads(body, 0, NULL);
    free(body);
    json_object_set_new(json_array_get(json_object_get(doc, "events"), 0), "site",
                        json_string(FIXTURE_SITE_B));
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/events", f->token_a1, body, strlen(body), &reply), 0);
    free(body);
    assert_int_equal(reply.status, 200);
    doc = json_loads(reply.body, 0, NULL);
    reply_free(&reply);
    json_t *rejected = json_object_get(doc, "rejected");
    assert_int_equal(json_array_size(rejected), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rejected, 0), "code")),
                        "site_mismatch");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rejected, 0), "event_id")),
                        events[0].event_id);
    json_decref(doc);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event WHERE site = 'aktiviteten'"), 0);
    /* What the device sends without naming a site is its own site's. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event WHERE site = 'lilleby'"), 1);
}

static void test_correction_cannot_move_another_sites_hours(void **state)
{
    struct fixture *f = *state;
    struct event events[2];
    make_visits(events, 1, fixture_utc("2026-03-06T09:00:00Z"));
    json_decref(post_events(f, f->token_a1, events, 2, 200));
    /* Kiosk B1 (another site) names A's check-out in a correction. */
    struct event correction;
    fixture_event(&correction, EVENT_CORRECTION, "v0", fixture_utc("2026-03-06T20:00:00Z"));
    strcpy(correction.corrects, events[1].event_id);
    json_t *reply = post_events(f, f->token_b1, &correction, 1, 200);
    assert_int_equal(json_array_size(json_object_get(reply, "stored")), 1);
    json_decref(reply);
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total"), 7200);
    /* The same correction from A's own kiosk does move it. */
    fixture_event(&correction, EVENT_CORRECTION, "v0", fixture_utc("2026-03-06T12:00:00Z"));
    strcpy(correction.corrects, events[1].event_id);
    json_decref(post_events(f, f->token_a2, &correction, 1, 200));
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total"), 3 * 3600);
}

static void test_body_over_limit_gets_413(void **state)
{
    struct fixture *f = *state;
    size_t len = 4u * 1024u * 1024u + 1;
    char *body = malloc(len);
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    struct reply reply;
    assert_int_equal(fixture_request(f, "POST", "/v1/events", f->token_a1, body, len, &reply), 0);
    assert_int_equal(reply.status, 413);
    assert_non_null(strstr(reply.body, "body_too_large"));
    reply_free(&reply);
    free(body);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
}

/* Chunked upload: no Content-Length, so the limit is found while reading. */
struct chunked {
    size_t left;
};

static size_t read_spaces(char *buffer, size_t size, size_t count, void *user)
{
    struct chunked *c = user;
    size_t n = size * count < c->left ? size * count : c->left;
    memset(buffer, ' ', n);
    c->left -= n;
    return n;
}

static void test_chunked_body_over_limit_gets_413(void **state)
{
    struct fixture *f = *state;
    CURL *curl = curl_easy_init();
    char url[128], auth[160];
    snprintf(url, sizeof url, "%s/v1/events", f->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->token_a1);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    struct chunked body = {5u * 1024u * 1024u};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_spaces);
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 413);
    fclose(sink);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}

static void test_batch_over_500_events_gets_413(void **state)
{
    struct fixture *f = *state;
    struct event *events = calloc(502, sizeof *events);
    make_visits(events, 251, fixture_utc("2026-03-07T09:00:00Z"));
    json_t *doc = post_events(f, f->token_a1, events, 501, 413);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "error"), "code")),
                        "batch_too_large");
    json_decref(doc);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
    /* Exactly 500 is fine. */
    doc = post_events(f, f->token_a1, events, 500, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "stored")), 500);
    json_decref(doc);
    free(events);
}

static void test_malformed_json_gets_400_with_a_message(void **state)
{
    struct fixture *f = *state;
    static const char *const bodies[] = {"{\"events\": [", "not json", "[1,2]", "{\"events\": 3}",
                                         ""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct reply reply;
        assert_int_equal(fixture_request(f, "POST", "/v1/events", f->token_a1, bodies[i],
                                         strlen(bodies[i]), &reply),
                         0);
        assert_int_equal(reply.status, 400);
        json_t *doc = json_loads(reply.body, 0, NULL);
        assert_non_null(doc);
        const char *message =
            json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
        assert_non_null(message);
        assert_true(strlen(message) > 10);
        json_decref(doc);
        reply_free(&reply);
    }
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
}

static void test_one_invalid_event_is_rejected_with_a_reason_and_the_rest_stored(void **state)
{
    struct fixture *f = *state;
    struct event events[4];
    make_visits(events, 2, fixture_utc("2026-03-08T09:00:00Z"));
    char *body = fixture_batch(events, 4);
    json_t *doc = json_loads(body, 0, NULL);
    free(body);
    json_t *list = json_object_get(doc, "events");
    json_object_set_new(json_array_get(list, 1), "at", json_string("yesterday"));
    json_object_set_new(json_array_get(list, 2), "kind", json_string("teleport"));
    json_array_append_new(list, json_pack("{s:s}", "kind", "checkin")); /* no id at all */
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/events", f->token_a1, body, strlen(body), &reply), 0);
    free(body);
    assert_int_equal(reply.status, 200);
    doc = json_loads(reply.body, 0, NULL);
    reply_free(&reply);
    json_t *rejected = json_object_get(doc, "rejected");
    assert_int_equal(json_array_size(rejected), 3);
    json_t *bad_time = json_array_get(rejected, 0);
    assert_string_equal(json_string_value(json_object_get(bad_time, "event_id")),
                        events[1].event_id);
    assert_non_null(strstr(json_string_value(json_object_get(bad_time, "error")), "at:"));
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(rejected, 1), "error")), "kind:"));
    assert_true(json_is_null(json_object_get(json_array_get(rejected, 2), "event_id")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rejected, 2), "index")), 4);
    assert_int_equal(json_array_size(json_object_get(doc, "stored")), 2);
    assert_true(list_has(json_object_get(doc, "stored"), events[0].event_id));
    assert_true(list_has(json_object_get(doc, "stored"), events[3].event_id));
    json_decref(doc);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 2);
}

static void test_database_failure_mid_batch_stores_nothing(void **state)
{
    struct fixture *f = *state;
    struct event events[10];
    make_visits(events, 5, fixture_utc("2026-03-09T09:00:00Z"));
    /* A real failure of the database on the 7th event of the batch. */
    assert_int_equal(fixture_fault_on_event(f, events[6].event_id), 0);
    json_t *doc = post_events(f, f->token_a1, events, 10, 500);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "error"), "code")),
                        "storage_failed");
    json_decref(doc);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit_total"), 0);
    /* Once the fault is gone the same batch goes in whole. */
    assert_int_equal(fixture_fault_clear(f), 0);
    doc = post_events(f, f->token_a1, events, 10, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "stored")), 10);
    json_decref(doc);
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total"), 5 * 7200);
}

static void test_status_is_stored_per_device(void **state)
{
    struct fixture *f = *state;
    const char *body = "{\"software_version\":\"0.1.0\",\"events_waiting\":17,"
                       "\"last_upload\":\"2026-11-23T13:30:00.000000Z\",\"last_error\":null,"
                       "\"reader_state\":\"ok\",\"clock_synced\":true}";
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", f->token_b1, body, strlen(body), &reply), 0);
    assert_int_equal(reply.status, 204);
    reply_free(&reply);
    assert_int_equal(fixture_count(f, "SELECT events_waiting FROM device_status"), 17);
    assert_int_equal(fixture_count(f, "SELECT device FROM device_status"), f->device_b1);
    const char *bad = "{\"software_version\":\"0.1.0\",\"events_waiting\":-1,"
                      "\"reader_state\":\"ok\",\"clock_synced\":true}";
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", f->token_b1, bad, strlen(bad), &reply), 0);
    assert_int_equal(reply.status, 400);
    assert_non_null(strstr(reply.body, "events_waiting"));
    reply_free(&reply);
}

static void test_status_keeps_refused_events_and_a_refused_token_for_the_dashboard(void **state)
{
    struct fixture *f = *state;
    struct reply reply;
    /* A kiosk older than the fields: not reported, not zero. */
    const char *old = "{\"software_version\":\"0.1.0\",\"events_waiting\":0,"
                      "\"reader_state\":\"ok\",\"clock_synced\":true}";
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", f->token_b1, old, strlen(old), &reply), 0);
    assert_int_equal(reply.status, 204);
    reply_free(&reply);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device_status "
                                      "WHERE events_refused IS NULL AND token_refused_us IS NULL"),
                     1);
    const char *body = "{\"software_version\":\"0.1.0\",\"events_waiting\":2,"
                       "\"reader_state\":\"ok\",\"clock_synced\":true,\"events_refused\":3,"
                       "\"token_refused_at\":\"2026-11-23T13:30:00.000000Z\"}";
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", f->token_a1, body, strlen(body), &reply), 0);
    assert_int_equal(reply.status, 204);
    reply_free(&reply);
    assert_int_equal(fixture_count(f, "SELECT events_refused FROM device_status "
                                      "WHERE events_refused IS NOT NULL"),
                     3);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device_status "
                                      "WHERE token_refused_us = 1795440600000000"),
                     1);
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "3 avvist"));
    assert_non_null(strstr(reply.body, "Nøkkelen avvist 23.11."));
    reply_free(&reply);
    const char *bad[] = {
        "{\"software_version\":\"0.1.0\",\"events_waiting\":0,\"reader_state\":\"ok\","
        "\"clock_synced\":true,\"events_refused\":-2}",
        "{\"software_version\":\"0.1.0\",\"events_waiting\":0,\"reader_state\":\"ok\","
        "\"clock_synced\":true,\"token_refused_at\":\"yesterday\"}",
    };
    const char *field[] = {"events_refused", "token_refused_at"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fixture_request(f, "POST", "/v1/status", f->token_a1, bad[i],
                                         strlen(bad[i]), &reply),
                         0);
        assert_int_equal(reply.status, 400);
        assert_non_null(strstr(reply.body, field[i]));
        reply_free(&reply);
    }
}

static void test_health_needs_no_token_and_unknown_paths_get_404_or_405(void **state)
{
    struct fixture *f = *state;
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/v1/health", NULL, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    assert_int_equal(fixture_request(f, "GET", "/v1/nothing", NULL, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 404);
    reply_free(&reply);
    assert_int_equal(fixture_request(f, "DELETE", "/v1/events", f->token_a1, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 405);
    reply_free(&reply);
    /* The dashboard is not open to a device token, nor to nobody (sent to
     * sign in); scripts send an admin token as a bearer token. */
    assert_int_equal(fixture_request(f, "GET", "/", f->token_a1, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 401);
    reply_free(&reply);
    assert_int_equal(fixture_request(f, "GET", "/", NULL, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 303); /* to /login */
    reply_free(&reply);
    /* HTTP Basic, the old dashboard's sign-in, is retired: told so, even
     * with a good admin token as the password. */
    assert_int_equal(fixture_request_basic(f, "/", "koordinator", f->admin_token, &reply), 0);
    assert_int_equal(reply.status, 401);
    assert_non_null(strstr(reply.body, "/login"));
    assert_non_null(strstr(reply.body, "Authorization: Bearer"));
    reply_free(&reply);
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "Frivillige timer"));
    reply_free(&reply);
}

static void test_plain_http_on_a_public_address_is_refused(void **state)
{
    (void)state;
    struct central_http_config config = {.listen = "0.0.0.0:0", .db = ":memory:", .quiet = 1};
    struct central_http *http = NULL;
    char err[512];
    assert_int_equal(central_http_start(&config, &http, err, sizeof err), -EPERM);
    assert_null(http);
    assert_non_null(strstr(err, "loopback"));
}

static json_t *get_site(struct fixture *f, const char *token, long expect_status)
{
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/v1/site", token, NULL, 0, &reply), 0);
    if (reply.status != expect_status)
        fprintf(stderr, "unexpected %ld: %s\n", reply.status, reply.body);
    assert_int_equal(reply.status, expect_status);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_non_null(doc);
    reply_free(&reply);
    return doc;
}

static void test_site_names_the_tokens_site_and_device(void **state)
{
    struct fixture *f = *state;
    json_t *doc = get_site(f, f->token_b1, 200);
    json_t *site = json_object_get(doc, "site"), *device = json_object_get(doc, "device");
    assert_string_equal(json_string_value(json_object_get(site, "id")), FIXTURE_SITE_B);
    assert_string_equal(json_string_value(json_object_get(site, "name")), "Aktivitetshuset");
    assert_string_equal(json_string_value(json_object_get(site, "kind")), "aktivitetshus");
    assert_int_equal(json_integer_value(json_object_get(device, "id")), f->device_b1);
    assert_string_equal(json_string_value(json_object_get(device, "name")), "B1");
    json_decref(doc);
    doc = get_site(f, f->token_a2, 200);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "site"), "id")),
                        FIXTURE_SITE_A);
    json_decref(doc);
}

static void test_site_with_a_wrong_token_gets_401(void **state)
{
    struct fixture *f = *state;
    char wrong[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(wrong, hash); /* the right shape, never registered */
    json_t *doc = get_site(f, wrong, 401);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "error"), "code")),
                        "unauthorized");
    assert_null(json_object_get(doc, "site"));
    json_decref(doc);
    doc = get_site(f, NULL, 401);
    json_decref(doc);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_batch_twice_stores_each_event_once, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_batches_store_each_event_once,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_inside_one_batch_is_stored_once,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_or_wrong_token_gets_401_and_stores_nothing,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_revoked_token_gets_401_and_stores_nothing,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_device_of_site_a_cannot_write_site_b, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_correction_cannot_move_another_sites_hours,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_body_over_limit_gets_413, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_chunked_body_over_limit_gets_413, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_batch_over_500_events_gets_413, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_json_gets_400_with_a_message, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_one_invalid_event_is_rejected_with_a_reason_and_the_rest_stored, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_database_failure_mid_batch_stores_nothing,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_status_keeps_refused_events_and_a_refused_token_for_the_dashboard, fixture_setup,
            fixture_teardown),
        cmocka_unit_test_setup_teardown(test_status_is_stored_per_device, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_health_needs_no_token_and_unknown_paths_get_404_or_405,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test(test_plain_http_on_a_public_address_is_refused),
        cmocka_unit_test_setup_teardown(test_site_names_the_tokens_site_and_device, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_site_with_a_wrong_token_gets_401, fixture_setup,
                                        fixture_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
