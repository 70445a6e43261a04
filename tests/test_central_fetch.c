/* tilstede-central's GET /v1/events over real HTTP on loopback: a kiosk
 * restored from a backup fetches back its site's events, page by page
 * with a cursor, only its own site's; wrong tokens and bad parameters are
 * refused with a reason; a central of the previous schema upgrades. And the
 * restore in the status report, stored with the device's status and shown
 * on the dashboard. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_fixture.h"
#include "protocol.h"
#include "visits.h"

#define HOUR_US (INT64_C(3600) * 1000000)

static void post_events(struct fixture *f, const char *token, const struct event *events,
                        size_t count)
{
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, count, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
}

/* GET path with token; the answer's JSON when it has the expected status. */
static json_t *get_json(struct fixture *f, const char *path, const char *token, long expect_status)
{
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", path, token, NULL, 0, &reply), 0);
    if (reply.status != expect_status)
        fprintf(stderr, "GET %s: unexpected %ld: %s\n", path, reply.status, reply.body);
    assert_int_equal(reply.status, expect_status);
    json_t *doc = json_loads(reply.body, 0, NULL);
    assert_non_null(doc);
    reply_free(&reply);
    return doc;
}

static json_t *fetch_page(struct fixture *f, const char *token, const char *cursor, int limit)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/events?after=%s&limit=%d", cursor, limit);
    json_t *page = get_json(f, path, token, 200);
    assert_true(json_is_array(json_object_get(page, "events")));
    assert_true(json_is_string(json_object_get(page, "cursor")));
    assert_true(json_is_boolean(json_object_get(page, "more")));
    return page;
}

/* The event as the fetch must give it back: every field, and the site. */
static void assert_same_event(const json_t *fetched, const struct event *sent, const char *site)
{
    json_t *expected = protocol_event_to_json(sent);
    json_object_set_new(expected, "site", json_string(site));
    if (!json_equal(expected, (json_t *)fetched)) {
        char *a = json_dumps(expected, JSON_SORT_KEYS), *b = json_dumps(fetched, JSON_SORT_KEYS);
        fprintf(stderr, "sent    %s\nfetched %s\n", a, b);
        free(a);
        free(b);
        fail();
    }
    json_decref(expected);
}

static void test_fetch_pages_the_sites_events_in_upload_order(void **state)
{
    struct fixture *f = *state;
    int64_t start = fixture_utc("2026-03-02T09:00:00Z");
    /* Site A from both its kiosks, site B in between; every kind. */
    struct event a1[5], b1[3], a2[2];
    fixture_event(&a1[0], EVENT_CHECKIN, "F-1", start);
    fixture_event(&a1[1], EVENT_AUTOCLOSE, "F-1", start + 8 * HOUR_US);
    fixture_event(&a1[2], EVENT_CORRECTION, "", start + 3 * HOUR_US);
    snprintf(a1[2].corrects, sizeof a1[2].corrects, "%s", a1[1].event_id);
    a1[2].review = 1;
    fixture_event(&a1[3], EVENT_CARD_ENROLLED, "F-2", start + 4 * HOUR_US);
    snprintf(a1[3].card_hash, sizeof a1[3].card_hash, "%064d", 7);
    fixture_event(&a1[4], EVENT_CHECKIN, "F-2", start + 5 * HOUR_US);
    snprintf(a1[4].activity, sizeof a1[4].activity, "5f0b7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b");
    for (int i = 0; i < 3; i++)
        fixture_event(&b1[i], EVENT_CHECKIN, "F-9", start + i * HOUR_US);
    fixture_event(&a2[0], EVENT_CHECKIN, "F-3", start + HOUR_US);
    fixture_event(&a2[1], EVENT_CHECKOUT, "F-3", start + 2 * HOUR_US);
    post_events(f, f->token_a1, a1, 3);
    post_events(f, f->token_b1, b1, 3);
    post_events(f, f->token_a2, a2, 2);
    post_events(f, f->token_a1, a1 + 3, 2);
    const struct event *upload_order[] = {&a1[0], &a1[1], &a1[2], &a2[0], &a2[1], &a1[3], &a1[4]};

    /* Pages of three: 3 + 3 + 1, in the order the central stored them. */
    char cursor[32] = "";
    size_t seen = 0;
    int pages = 0;
    for (int more = 1; more; pages++) {
        json_t *page = fetch_page(f, f->token_a1, cursor, 3);
        const json_t *events = json_object_get(page, "events");
        assert_true(json_array_size(events) <= 3);
        size_t i;
        const json_t *ev;
        json_array_foreach(events, i, ev) {
            assert_true(seen < 7);
            assert_same_event(ev, upload_order[seen++], FIXTURE_SITE_A);
        }
        more = json_is_true(json_object_get(page, "more"));
        snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(page, "cursor")));
        json_decref(page);
    }
    assert_int_equal(pages, 3);
    assert_int_equal(seen, 7);

    /* At the end: nothing more, the same cursor; a later upload follows it. */
    json_t *page = fetch_page(f, f->token_a2, cursor, 3);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 0);
    assert_false(json_is_true(json_object_get(page, "more")));
    assert_string_equal(json_string_value(json_object_get(page, "cursor")), cursor);
    json_decref(page);
    struct event later;
    fixture_event(&later, EVENT_CHECKOUT, "F-2", start + 6 * HOUR_US);
    post_events(f, f->token_a2, &later, 1);
    page = fetch_page(f, f->token_a1, cursor, 3);
    assert_int_equal(json_array_size(json_object_get(page, "events")), 1);
    assert_same_event(json_array_get(json_object_get(page, "events"), 0), &later, FIXTURE_SITE_A);
    json_decref(page);

    /* Site B's kiosk gets site B's events and no others; without a limit
     * the page holds up to the protocol's maximum. */
    page = get_json(f, "/v1/events", f->token_b1, 200);
    const json_t *events = json_object_get(page, "events");
    assert_int_equal(json_array_size(events), 3);
    for (size_t i = 0; i < 3; i++)
        assert_same_event(json_array_get(events, i), &b1[i], FIXTURE_SITE_B);
    assert_false(json_is_true(json_object_get(page, "more")));
    json_decref(page);
}

static void assert_error(struct fixture *f, const char *path, const char *token, long status,
                         const char *code, const char *message_part)
{
    json_t *doc = get_json(f, path, token, status);
    const json_t *error = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(error, "code")), code);
    const char *message = json_string_value(json_object_get(error, "message"));
    assert_non_null(message);
    if (!strstr(message, message_part))
        fail_msg("%s: message \"%s\" does not say \"%s\"", path, message, message_part);
    assert_null(json_object_get(doc, "events"));
    json_decref(doc);
}

static void test_fetch_refuses_wrong_tokens_and_bad_parameters(void **state)
{
    struct fixture *f = *state;
    struct event ev;
    fixture_event(&ev, EVENT_CHECKIN, "F-1", fixture_utc("2026-03-02T09:00:00Z"));
    post_events(f, f->token_a1, &ev, 1);

    char wrong[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(wrong, hash); /* the right shape, never registered */
    assert_error(f, "/v1/events", wrong, 401, "unauthorized", "token");
    assert_error(f, "/v1/events", NULL, 401, "unauthorized", "token");
    char err[256];
    assert_int_equal(central_store_device_revoke(f->store, f->device_a2, err, sizeof err), 0);
    assert_error(f, "/v1/events", f->token_a2, 401, "unauthorized", "token");

    static const char *const bad_cursors[] = {"abc", "-1", "+3", "1x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_cursors / sizeof bad_cursors[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/events?after=%s", bad_cursors[i]);
        assert_error(f, path, f->token_a1, 400, "invalid_cursor", "after: expected the cursor");
    }
    static const char *const bad_limits[] = {"0", "501", "-5", "ten", ""};
    for (size_t i = 0; i < sizeof bad_limits / sizeof bad_limits[0]; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/events?limit=%s", bad_limits[i]);
        assert_error(f, path, f->token_a1, 400, "invalid_request", "limit: expected a number");
    }
    /* The edges of the limit are fine. */
    json_decref(fetch_page(f, f->token_a1, "", 1));
    json_decref(fetch_page(f, f->token_a1, "", 500));
}

static long post_status(struct fixture *f, const char *token, const char *recovery)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"software_version\":\"0.1.0\",\"events_waiting\":0,\"last_upload\":null,"
             "\"last_error\":null,\"reader_state\":\"connected\",\"clock_synced\":true%s%s}",
             recovery ? ",\"recovery\":" : "", recovery ? recovery : "");
    struct reply reply;
    assert_int_equal(
        fixture_request(f, "POST", "/v1/status", token, body, strlen(body), &reply), 0);
    long status = reply.status;
    if (status != 204)
        fprintf(stderr, "status report: %ld %s\n", status, reply.body);
    reply_free(&reply);
    return status;
}

static int find_a1(void *ctx, const struct central_device *device)
{
    struct central_device *out = ctx;
    if (device->id == out->id)
        *out = *device;
    return 0;
}

static struct central_device device_a1(struct fixture *f)
{
    struct central_device d = {.id = f->device_a1};
    char err[256];
    assert_int_equal(central_store_devices(f->store, find_a1, &d, err, sizeof err), 0);
    return d;
}

static char *dashboard(struct fixture *f)
{
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    return reply.body; /* the caller frees it */
}

static void test_status_tells_of_a_restore_until_the_kiosk_stops(void **state)
{
    struct fixture *f = *state;
    static const char pending[] =
        "{\"at\":\"2026-11-23T06:12:40.000000Z\",\"backup_at\":\"2026-11-22T02:00:00.000000Z\","
        "\"skipped_backups\":1,\"fetch\":\"pending\",\"fetched_events\":3}";
    static const char done[] =
        "{\"at\":\"2026-11-23T06:12:40.000000Z\",\"backup_at\":\"2026-11-22T02:00:00.000000Z\","
        "\"skipped_backups\":0,\"fetch\":\"done\",\"fetched_events\":14}";
    assert_int_equal(post_status(f, f->token_a1, pending), 204);
    struct central_device d = device_a1(f);
    assert_int_equal(d.status.recovery.reported, 1);
    assert_int_equal(d.status.recovery.at_us, fixture_utc("2026-11-23T06:12:40Z"));
    assert_int_equal(d.status.recovery.backup_us, fixture_utc("2026-11-22T02:00:00Z"));
    assert_int_equal(d.status.recovery.skipped_backups, 1);
    assert_string_equal(d.status.recovery.fetch, "pending");
    assert_int_equal(d.status.recovery.fetched_events, 3);
    char *page = dashboard(f);
    assert_non_null(strstr(page, "Gjenopprettet fra sikkerhetskopi 22.11. 03.00"));
    assert_non_null(strstr(page, "1 nyere sikkerhetskopi var skadet"));
    assert_non_null(strstr(page, "henter hendelser tilbake fra sentralen (3 så langt)"));
    free(page);

    assert_int_equal(post_status(f, f->token_a1, done), 204);
    page = dashboard(f);
    assert_non_null(
        strstr(page, "Gjenopprettet fra sikkerhetskopi 22.11. 03.00</span>; 14 hendelser hentet "
                     "tilbake"));
    free(page);

    /* Staff have seen it and the fetch is done: the kiosk stops telling. */
    assert_int_equal(post_status(f, f->token_a1, NULL), 204);
    assert_int_equal(device_a1(f).status.recovery.reported, 0);
    page = dashboard(f);
    assert_null(strstr(page, "Gjenopprettet"));
    free(page);
    assert_int_equal(post_status(f, f->token_a1, "null"), 204);
}

static void test_status_with_a_bad_restore_gets_400_naming_the_field(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *recovery, *field;
    } cases[] = {
        {"[]", "recovery: expected an object"},
        {"{\"at\":\"yesterday\",\"backup_at\":\"2026-11-22T02:00:00Z\",\"skipped_backups\":0,"
         "\"fetch\":\"done\",\"fetched_events\":0}",
         "recovery.at"},
        {"{\"at\":\"2026-11-23T06:12:40Z\",\"skipped_backups\":0,\"fetch\":\"done\","
         "\"fetched_events\":0}",
         "recovery.backup_at"},
        {"{\"at\":\"2026-11-23T06:12:40Z\",\"backup_at\":\"2026-11-22T02:00:00Z\","
         "\"skipped_backups\":-1,\"fetch\":\"done\",\"fetched_events\":0}",
         "recovery.skipped_backups"},
        {"{\"at\":\"2026-11-23T06:12:40Z\",\"backup_at\":\"2026-11-22T02:00:00Z\","
         "\"skipped_backups\":0,\"fetch\":\"maybe\",\"fetched_events\":0}",
         "recovery.fetch"},
        {"{\"at\":\"2026-11-23T06:12:40Z\",\"backup_at\":\"2026-11-22T02:00:00Z\","
         "\"skipped_backups\":0,\"fetch\":\"done\",\"fetched_events\":\"14\"}",
         "recovery.fetched_events"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[1024];
        snprintf(body, sizeof body,
                 "{\"software_version\":\"0.1.0\",\"events_waiting\":0,\"reader_state\":\"ok\","
                 "\"clock_synced\":true,\"recovery\":%s}",
                 cases[i].recovery);
        struct reply reply;
        assert_int_equal(
            fixture_request(f, "POST", "/v1/status", f->token_a1, body, strlen(body), &reply), 0);
        assert_int_equal(reply.status, 400);
        if (!strstr(reply.body, cases[i].field))
            fail_msg("case %zu: %s does not name %s", i, reply.body, cases[i].field);
        assert_non_null(strstr(reply.body, "invalid_request"));
        reply_free(&reply);
    }
    assert_int_equal(device_a1(f).status.received_us, 0); /* nothing stored */
}

static int keep_event(void *ctx, const struct event *ev)
{
    *(struct event *)ctx = *ev;
    return 0;
}

static int keep_device(void *ctx, const struct central_device *device)
{
    *(struct central_device *)ctx = *device;
    return 0;
}

extern const char embed_central_001[];

/* A central made by the previous version (schema 1) with a device, its
 * status and an event: opening it adds the index and the status columns,
 * and the event can be fetched back. */
static void test_central_of_schema_1_upgrades_and_serves_the_fetch(void **state)
{
    (void)state;
    char dir[256], path[300], err[512];
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/central-v1-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/central.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, visits_schema(), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, embed_central_001, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO site VALUES ('lilleby', 'Lilleby', 'sykehjem', 0);"
                     "INSERT INTO device (id, site, name, token_lookup, token_hash, created_us) "
                     "VALUES (7, 'lilleby', 'A1', 1, x'00', 0);"
                     "INSERT INTO device_status VALUES (7, 5, '0.1.0', 0, NULL, NULL, 'ok', 1);"
                     "INSERT INTO event (event_id, kind, site, volunteer, at_us, recorded_us, "
                     "mono_us, boot_id, clock_synced, source, review, device, received_us) "
                     "VALUES ('3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b21', 'checkin', 'lilleby', "
                     "'F-1', 1780000000000000, 1780000000000000, 1, 'b', 1, 'card', 0, 7, 0);"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    struct central_store *store = NULL;
    assert_int_equal(central_store_open(path, &store, err, sizeof err), 0);
    struct event ev = {0};
    int64_t cursor = 0;
    int more = 1;
    assert_int_equal(central_store_events_after(store, "lilleby", 0, 10, keep_event, &ev, &cursor,
                                                &more, err, sizeof err),
                     0);
    assert_string_equal(ev.event_id, "3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b21");
    assert_int_equal(cursor, 1);
    assert_int_equal(more, 0);
    struct central_device device = {0};
    assert_int_equal(central_store_devices(store, keep_device, &device, err, sizeof err), 0);
    assert_int_equal(device.status.received_us, 5);
    assert_int_equal(device.status.recovery.reported, 0);
    central_store_close(store);

    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fetch_pages_the_sites_events_in_upload_order,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fetch_refuses_wrong_tokens_and_bad_parameters,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_status_tells_of_a_restore_until_the_kiosk_stops,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_status_with_a_bad_restore_gets_400_naming_the_field,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test(test_central_of_schema_1_upgrades_and_serves_the_fetch),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
