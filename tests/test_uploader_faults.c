/* The uploader against a real tilstede-central on loopback, with faults
 * injected by a proxy between them. After each fault, once it is gone, the
 * central holds exactly the kiosk's events (none lost, none twice) and its
 * report gives the hours the kiosk computes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outbox.h"
#include "uploader.h"
#include "uploader_harness.h"

#define HOUR_US (INT64_C(3600) * 1000000)
#define VISITS 150 /* 300 events: three batches of 100 */

struct env {
    struct fixture *central;
    struct proxy *proxy;
    struct kiosk_side kiosk;
    struct uploader_tuning tuning;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    proxied_kiosk_start(&e->kiosk, &e->central, &e->proxy);
    e->tuning = (struct uploader_tuning){.connect_timeout_ms = 1000, .request_timeout_ms = 1500};
    kiosk_side_add_visits(&e->kiosk, VISITS, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US,
                          2 * HOUR_US);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    proxied_kiosk_stop(&e->kiosk, e->central, e->proxy);
    free(e);
    return 0;
}

static int sync_now(struct env *e, struct uploader_result *result, char *err, size_t errlen)
{
    return uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &e->tuning, result, err,
                             errlen);
}

static long long central_events(struct env *e)
{
    return fixture_count(e->central, "SELECT count(*) FROM event");
}

/* The fault makes the run fail and marks nothing; without it, everything
 * arrives exactly once. stored_during_fault: what the central kept. */
static void fault_then_recover(struct env *e, enum proxy_mode mode, long long stored_during_fault)
{
    struct uploader_result result;
    char err[1024];
    proxy_set_mode(e->proxy, mode);
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    fprintf(stderr, "  fault %d reported: %s (pending %d, central %lld, uploaded %lld)\n", (int)mode, err,
            kiosk_side_pending(&e->kiosk), central_events(e), (long long)result.uploaded);
    assert_true(err[0] != '\0');
    assert_int_equal(kiosk_side_pending(&e->kiosk), 2 * VISITS);
    assert_int_equal(central_events(e), stored_during_fault);

    proxy_set_mode(e->proxy, PROXY_PASS);
    /* A 503 says Retry-After: 1; the next run honours it (PROTOCOL.md). */
    clock_fake_advance(&e->kiosk.clock, 2000000);
    int rc = sync_now(e, &result, err, sizeof err);
    if (rc || result.uploaded != 2 * VISITS)
        fprintf(stderr, "  recovery: rc %d, uploaded %lld, waiting %lld, central %lld: %s\n", rc,
                (long long)result.uploaded, (long long)result.events_waiting, central_events(e),
                err);
    assert_int_equal(rc, 0);
    assert_int_equal(result.events_waiting, 0);
    assert_int_equal(result.uploaded, 2 * VISITS);
    assert_true(result.last_success_us > 0);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 0);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

static int find_a1(void *ctx, const struct central_device *device)
{
    if (strcmp(device->name, "A1") == 0)
        *(struct central_device *)ctx = *device;
    return 0;
}

static void test_backlog_arrives_exactly_once_without_faults(void **state)
{
    struct env *e = *state;
    struct uploader_result result;
    char err[1024];
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 2 * VISITS);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
    /* The status report reached the central. */
    struct central_device a1 = {0};
    char store_err[256];
    assert_int_equal(central_store_devices(e->central->store, find_a1, &a1, store_err,
                                           sizeof store_err),
                     0);
    assert_true(a1.status.received_us > 0);
    assert_int_equal(a1.status.events_waiting, 0);
    assert_string_equal(a1.status.software_version, TILSTEDE_VERSION);
    /* A second run has nothing to send and still succeeds. */
    assert_int_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.uploaded, 0);
    assert_int_equal(central_events(e), 2 * VISITS);
}

static void test_central_down_loses_nothing_then_drains(void **state)
{
    fault_then_recover(*state, PROXY_DOWN, 0);
}

static void test_status_500_marks_nothing_then_drains(void **state)
{
    fault_then_recover(*state, PROXY_500, 0);
}

static void test_503_retry_after_is_reported_then_drains(void **state)
{
    struct env *e = *state;
    struct uploader_result result;
    char err[1024];
    proxy_set_mode(e->proxy, PROXY_503);
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_int_equal(result.retry_after_ms, 1000);
    fault_then_recover(e, PROXY_503, 0);
}

static void test_answer_that_never_comes_times_out_then_drains(void **state)
{
    struct env *e = *state;
    int64_t started = mono_ms();
    fault_then_recover(e, PROXY_HANG, 0);
    /* The request timeout (1.5 s) bounded the wait. */
    assert_true(mono_ms() - started < 10000);
}

static void test_connection_cut_mid_request_stores_nothing_then_drains(void **state)
{
    fault_then_recover(*state, PROXY_CUT_REQUEST, 0);
}

static void test_connection_cut_mid_response_is_sent_again_and_stored_once(void **state)
{
    /* The central stored the first batch; the kiosk never heard it. */
    fault_then_recover(*state, PROXY_CUT_RESPONSE, 100);
}

static void test_malformed_answer_marks_nothing_and_is_stored_once(void **state)
{
    fault_then_recover(*state, PROXY_MALFORMED, 100);
}

static void test_wrong_token_gets_401_and_nothing_stored(void **state)
{
    struct env *e = *state;
    struct uploader_result result;
    char err[1024];
    kiosk_side_set_token(&e->kiosk, "not-a-token-of-this-central");
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_non_null(strstr(err, "401"));
    assert_non_null(strstr(err, "token_file"));
    assert_int_equal(central_events(e), 0);
    kiosk_side_set_token(&e->kiosk, e->central->token_a1);
    fault_then_recover(e, PROXY_DOWN, 0);
}

static void test_world_readable_token_file_is_refused(void **state)
{
    struct env *e = *state;
    struct uploader_result result;
    char err[1024];
    chmod(e->kiosk.cfg.token_file, 0644);
    assert_int_not_equal(sync_now(e, &result, err, sizeof err), 0);
    assert_non_null(strstr(err, "readable by every user"));
    assert_non_null(strstr(err, "chmod 600"));
    assert_int_equal(proxy_requests(e->proxy), 0); /* the token never left the kiosk */
    chmod(e->kiosk.cfg.token_file, 0600);
    fault_then_recover(e, PROXY_500, 0);
}

static void test_plain_http_to_another_host_is_refused(void **state)
{
    struct env *e = *state;
    struct config cfg = e->kiosk.cfg;
    struct uploader_result result;
    char err[1024];
    snprintf(cfg.central_url, sizeof cfg.central_url, "http://central.example.no");
    assert_int_not_equal(uploader_sync_now(&cfg, &e->kiosk.clock.source, &e->tuning, &result,
                                           err, sizeof err),
                         0);
    assert_non_null(strstr(err, "https"));
}

/* A child uploads; it is killed while the central's answer is held back
 * (stored there, not yet marked here). The next run sends the batch again
 * and the central keeps each event once. */
static void test_sigkill_in_the_middle_of_an_upload_stays_exact(void **state)
{
    struct env *e = *state;
    proxy_set_mode(e->proxy, PROXY_HOLD_RESPONSE);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct uploader_result result;
        char err[1024];
        struct uploader_tuning slow = {.request_timeout_ms = 60000};
        uploader_sync_now(&e->kiosk.cfg, &e->kiosk.clock.source, &slow, &result, err,
                          sizeof err);
        _exit(0);
    }
    int64_t until = mono_ms() + 20000;
    while (proxy_held(e->proxy) < 1 && mono_ms() < until)
        usleep(5000);
    assert_int_equal(proxy_held(e->proxy), 1);
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_int_equal(central_events(e), 100);
    assert_int_equal(kiosk_side_pending(&e->kiosk), 2 * VISITS);
    fault_then_recover(e, PROXY_DOWN, 100);
}

/* TLS: a central with a certificate from the test CA. */
static void test_wrong_certificate_is_refused_and_the_right_ca_drains(void **state)
{
    (void)state;
    char dir[256];
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/uptls-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(make_test_ca(dir), 0);
    char cert[320], key[320];
    snprintf(cert, sizeof cert, "%s/server.pem", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    struct central_http_config config = {.tls_cert = cert, .tls_key = key};
    struct fixture *central = fixture_start(&config);
    struct kiosk_side kiosk;
    kiosk_side_init(&kiosk, central->base, central->token_a1);
    assert_int_equal(strncmp(central->base, "https://", 8), 0);
    kiosk_side_add_visits(&kiosk, 20, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    struct uploader_tuning tuning = {.connect_timeout_ms = 2000, .request_timeout_ms = 5000};
    struct uploader_result result;
    char err[1024];

    /* No CA file: the system's CAs do not know the test CA. */
    assert_int_not_equal(uploader_sync_now(&kiosk.cfg, &kiosk.clock.source, &tuning, &result,
                                           err, sizeof err),
                         0);
    fprintf(stderr, "  no ca_file: %s\n", err);
    /* Another CA: refused too. */
    snprintf(kiosk.cfg.ca_file, sizeof kiosk.cfg.ca_file, "%s/other-ca.pem", dir);
    assert_int_not_equal(uploader_sync_now(&kiosk.cfg, &kiosk.clock.source, &tuning, &result,
                                           err, sizeof err),
                         0);
    fprintf(stderr, "  other CA: %s\n", err);
    assert_non_null(strstr(err, "ca_file"));
    assert_int_equal(fixture_count(central, "SELECT count(*) FROM event"), 0);
    assert_int_equal(kiosk_side_pending(&kiosk), 40);

    snprintf(kiosk.cfg.ca_file, sizeof kiosk.cfg.ca_file, "%s/ca.pem", dir);
    assert_int_equal(uploader_sync_now(&kiosk.cfg, &kiosk.clock.source, &tuning, &result, err,
                                       sizeof err),
                     0);
    assert_int_equal(result.uploaded, 40);
    assert_int_equal(same_events(&kiosk, central), 0);
    assert_int_equal(same_hours(&kiosk, central), 0);

    kiosk_side_fini(&kiosk);
    fixture_stop(central);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backlog_arrives_exactly_once_without_faults, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_central_down_loses_nothing_then_drains, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_status_500_marks_nothing_then_drains, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_503_retry_after_is_reported_then_drains, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_answer_that_never_comes_times_out_then_drains,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_connection_cut_mid_request_stores_nothing_then_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_connection_cut_mid_response_is_sent_again_and_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_answer_marks_nothing_and_is_stored_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_token_gets_401_and_nothing_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_world_readable_token_file_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plain_http_to_another_host_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_in_the_middle_of_an_upload_stays_exact,
                                        setup, teardown),
        cmocka_unit_test(test_wrong_certificate_is_refused_and_the_right_ca_drains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
