/* The uploader never stuck for good (sync/PROTOCOL.md): a central (or a
 * proxy) with a smaller batch or body limit answers 413 and gets smaller
 * batches, down to one event; an event that alone is too large is set
 * aside and does not hold back the rest; the size that worked is kept for
 * the next run; a roster cursor the central calls invalid is dropped and
 * the roster fetched whole; a Retry-After holds the next run, and a token
 * refused with 401 is not sent again until the token file changes. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"
#include "uploader.h"
#include "uploader_harness.h"

#define HOUR_US (INT64_C(3600) * 1000000)

struct env {
    struct fixture *central;
    struct kiosk_side kiosk;
    struct uploader_tuning tuning;
};

static struct env *start(size_t max_batch, size_t max_body)
{
    struct env *e = calloc(1, sizeof *e);
    struct central_http_config config = {.max_batch = max_batch, .max_body = max_body};
    e->central = fixture_start(&config);
    kiosk_side_init(&e->kiosk, e->central->base, e->central->token_a1);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 2000, .request_timeout_ms = 5000};
    return e;
}

static void stop(struct env *e)
{
    kiosk_side_fini(&e->kiosk);
    fixture_stop(e->central);
    free(e);
}

static int sync_now(struct env *e, struct uploader_result *result, char *err, size_t errlen)
{
    return uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &e->tuning, result, err,
                             errlen);
}

static void state(struct env *e, const char *key, char *out, size_t cap)
{
    struct outbox *outbox = NULL;
    char err[256];
    assert_int_equal(outbox_open(e->kiosk.store, &outbox, err, sizeof err), 0);
    outbox_state_get(outbox, key, out, cap);
    outbox_close(outbox);
}

static void test_413_to_batches_halves_them_until_everything_arrives_once(void **unused)
{
    (void)unused;
    struct env *e = start(7, 0); /* the kiosk sends 100 a batch */
    kiosk_side_add_visits(&e->kiosk, 40, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, 2 * HOUR_US);
    struct uploader_result result;
    char err[1024] = "";
    int rc = sync_now(e, &result, err, sizeof err);
    if (rc)
        fprintf(stderr, "  sync: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(result.uploaded, 80);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
    /* 80 waiting: 80 → 40 → 20 → 10 → 5; the size that fits is kept for next time. */
    char limit[32];
    state(e, OUTBOX_BATCH_LIMIT, limit, sizeof limit);
    assert_string_equal(limit, "5");
    kiosk_side_add_visits(&e->kiosk, 5, fixture_utc("2030-03-03T09:00:00Z"), HOUR_US, HOUR_US);
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 10);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    stop(e);
}

static void test_413_to_bodies_sends_what_fits_and_sets_aside_what_never_can(void **unused)
{
    (void)unused;
    /* About three events fit in 1500 bytes. */
    struct env *e = start(0, 1500);
    kiosk_side_add_visits(&e->kiosk, 20, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, 2 * HOUR_US);
    struct uploader_result result;
    char err[1024] = "";
    int rc = sync_now(e, &result, err, sizeof err);
    if (rc)
        fprintf(stderr, "  sync: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(result.uploaded, 40);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    stop(e);

    /* A limit no single event fits: each is set aside once, nothing loops. */
    e = start(0, 100);
    kiosk_side_add_visits(&e->kiosk, 3, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    rc = sync_now(e, &result, err, sizeof err);
    assert_int_equal(result.uploaded, 0);
    assert_int_equal(result.refused, 6);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    /* (The status report is over 100 bytes too: the run says so.) */
    assert_int_not_equal(rc, 0);
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event"), 0);
    stop(e);
}

static void test_invalid_roster_cursor_is_dropped_and_the_roster_fetched_whole(void **unused)
{
    (void)unused;
    struct env *e = start(0, 0);
    struct outbox *outbox = NULL;
    char err[1024] = "";
    assert_int_equal(outbox_open(e->kiosk.store, &outbox, err, sizeof err), 0);
    assert_int_equal(outbox_state_set(outbox, OUTBOX_ROSTER_CURSOR, "not-a-cursor-of-ours"), 0);
    outbox_close(outbox);
    struct uploader_result result;
    int rc = sync_now(e, &result, err, sizeof err);
    if (rc)
        fprintf(stderr, "  sync: %s\n", err);
    assert_int_equal(rc, 0);
    char cursor[STORE_CURSOR_MAX];
    state(e, OUTBOX_ROSTER_CURSOR, cursor, sizeof cursor);
    assert_string_not_equal(cursor, "not-a-cursor-of-ours");
    assert_true(cursor[0] != '\0');
    stop(e);
}

static void test_retry_after_holds_the_next_sync_run_until_now_overrides(void **unused)
{
    (void)unused;
    struct env *e = calloc(1, sizeof *e);
    struct proxy *proxy = NULL;
    proxied_kiosk_start(&e->kiosk, &e->central, &proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 2000, .request_timeout_ms = 5000};
    kiosk_side_add_visits(&e->kiosk, 3, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    struct uploader_result result;
    char err[1024] = "";
    proxy_set_mode(proxy, PROXY_503); /* Retry-After: 1 */
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    int asked = proxy_requests(proxy);
    proxy_set_mode(proxy, PROXY_PASS);
    /* A second run at once sends nothing and says why and until when. */
    assert_int_equal(sync_now(e, &result, err, sizeof err), -EAGAIN);
    assert_int_equal(proxy_requests(proxy), asked);
    assert_non_null(strstr(err, "Retry-After"));
    assert_true(result.next_attempt_us > clock_wall(&e->kiosk.clock.source));
    assert_int_equal(result.events_waiting, 6);
    /* sync --now sends anyway. */
    e->tuning.ignore_retry_after = 1;
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 6);
    e->tuning.ignore_retry_after = 0;
    /* Once through, nothing holds the next run. */
    kiosk_side_add_visits(&e->kiosk, 1, fixture_utc("2030-03-02T09:00:00Z"), HOUR_US, HOUR_US);
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 2);
    /* And after the wait, a plain run goes too. */
    proxy_set_mode(proxy, PROXY_503);
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    proxy_set_mode(proxy, PROXY_PASS);
    clock_fake_advance(&e->kiosk.clock, 1500000);
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    proxied_kiosk_stop(&e->kiosk, e->central, proxy);
    free(e);
}

static void test_401_stops_uploads_until_the_token_file_changes(void **unused)
{
    (void)unused;
    struct env *e = calloc(1, sizeof *e);
    struct proxy *proxy = NULL;
    proxied_kiosk_start(&e->kiosk, &e->central, &proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 2000, .request_timeout_ms = 5000};
    kiosk_side_add_visits(&e->kiosk, 2, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    /* A revoked kiosk's token: well formed, unknown to the central. */
    char wrong[CENTRAL_TOKEN_TEXT_MAX];
    snprintf(wrong, sizeof wrong, "%s", e->central->token_a1);
    wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'A' ? 'B' : 'A';
    kiosk_side_set_token(&e->kiosk, wrong);
    struct uploader_result result;
    char err[1024] = "";
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_non_null(strstr(err, "401"));
    int asked = proxy_requests(proxy);
    /* The same token again: nothing goes to the central, and it says why. */
    for (int i = 0; i < 3; i++) {
        assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
        assert_non_null(strstr(err, "refused this kiosk's token"));
        assert_non_null(strstr(err, "token_file"));
    }
    assert_int_equal(proxy_requests(proxy), asked);
    /* A new token in the file: uploads go again. */
    kiosk_side_set_token(&e->kiosk, e->central->token_a1);
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 4);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    proxied_kiosk_stop(&e->kiosk, e->central, proxy);
    free(e);
}

static void test_a_timeout_names_the_request_not_the_base_url(void **unused)
{
    (void)unused;
    struct env *e = calloc(1, sizeof *e);
    struct proxy *proxy = NULL;
    proxied_kiosk_start(&e->kiosk, &e->central, &proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 1000, .request_timeout_ms = 1000};
    kiosk_side_add_visits(&e->kiosk, 1, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    proxy_set_mode(proxy, PROXY_HANG); /* reads the request, never answers */
    struct uploader_result result;
    char err[1024] = "", want[CONFIG_TEXT_MAX + 32];
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    fprintf(stderr, "  %s\n", err);
    snprintf(want, sizeof want, "POST %s/v1/events: ", e->kiosk.cfg.central_url);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "Timeout"));
    proxy_set_mode(proxy, PROXY_PASS);
    proxied_kiosk_stop(&e->kiosk, e->central, proxy);
    free(e);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_413_to_batches_halves_them_until_everything_arrives_once),
        cmocka_unit_test(test_413_to_bodies_sends_what_fits_and_sets_aside_what_never_can),
        cmocka_unit_test(test_invalid_roster_cursor_is_dropped_and_the_roster_fetched_whole),
        cmocka_unit_test(test_retry_after_holds_the_next_sync_run_until_now_overrides),
        cmocka_unit_test(test_401_stops_uploads_until_the_token_file_changes),
        cmocka_unit_test(test_a_timeout_names_the_request_not_the_base_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
