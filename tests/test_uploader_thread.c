/* The uploader's thread: sends soon after a kick, reports its status,
 * honours Retry-After, backs off with a cap, stops at once in the middle of
 * a request, and drains an offline fortnight when the central is back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uploader.h"
#include "uploader_harness.h"

#define HOUR_US (INT64_C(3600) * 1000000)
#define DAY_US (24 * HOUR_US)

struct env {
    struct fixture *central;
    struct proxy *proxy;
    struct kiosk_side kiosk;
    struct clock_fake uploader_clock; /* the thread's own: never moved while it runs */
    atomic_int status_calls;
    /* The wait the uploader chose after each failed attempt, by its number. */
    int64_t retry_in_ms[64];
    atomic_int max_failed;
};

static void on_status(void *user, const struct uploader_status *status)
{
    struct env *e = user;
    atomic_fetch_add(&e->status_calls, 1);
    int k = status->failed_attempts;
    if (k > 0 && k < 64) {
        e->retry_in_ms[k] = status->retry_in_ms;
        if (k > atomic_load(&e->max_failed))
            atomic_store(&e->max_failed, k);
    }
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    proxied_kiosk_start(&e->kiosk, &e->central, &e->proxy);
    clock_fake_init(&e->uploader_clock, fixture_utc("2030-03-20T08:00:00Z"));
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

static struct uploader *start(struct env *e, const struct uploader_tuning *tuning)
{
    struct uploader *up = NULL;
    struct uploader_callbacks callbacks = {on_status, e};
    char err[512];
    assert_int_equal(uploader_start_tuned(&e->kiosk.cfg, &e->uploader_clock.source, &callbacks,
                                          tuning, &up, err, sizeof err),
                     0);
    return up;
}

/* Waits up to timeout_ms for the uploader to report nothing waiting. */
static int wait_drained(struct uploader *up, int timeout_ms)
{
    int64_t until = mono_ms() + timeout_ms;
    struct uploader_status st;
    do {
        uploader_status(up, &st);
        if (st.state == UPLOADER_ONLINE && st.events_waiting == 0)
            return 0;
        usleep(10000);
    } while (mono_ms() < until);
    fprintf(stderr, "not drained: state %d, waiting %lld, error '%s'\n", (int)st.state,
            (long long)st.events_waiting, st.last_error);
    return -1;
}

static void test_kick_sends_new_events_soon_and_reports_status(void **state)
{
    struct env *e = *state;
    struct uploader_tuning tuning = {.period_ms = 60000, .kick_delay_ms = 50};
    struct uploader *up = start(e, &tuning);
    assert_int_equal(wait_drained(up, 5000), 0); /* the first run, nothing to send */
    int64_t first_success;
    struct uploader_status st;
    uploader_status(up, &st);
    first_success = st.last_success_us;

    kiosk_side_add_visits(&e->kiosk, 30, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    int64_t kicked = mono_ms();
    uploader_kick(up);
    while (kiosk_side_pending(&e->kiosk) > 0 && mono_ms() - kicked < 5000)
        usleep(5000);
    int64_t took = mono_ms() - kicked;
    assert_int_equal(wait_drained(up, 5000), 0);

    fprintf(stderr, "  kick to drained: %lld ms\n", (long long)took);
    assert_true(took < 3000); /* well before the 60 s period */
    uploader_status(up, &st);
    assert_true(st.last_success_us >= first_success);
    assert_string_equal(st.last_error, "");
    assert_true(atomic_load(&e->status_calls) >= 2);
    uploader_stop(up);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

static void test_retry_after_is_honoured_between_attempts(void **state)
{
    struct env *e = *state;
    kiosk_side_add_visits(&e->kiosk, 10, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    proxy_set_mode(e->proxy, PROXY_503);
    struct uploader_tuning tuning = {.kick_delay_ms = 10, .backoff_min_ms = 20,
                                     .backoff_max_ms = 100};
    struct uploader *up = start(e, &tuning);
    int64_t until = mono_ms() + 5000;
    while (proxy_requests(e->proxy) < 3 && mono_ms() < until)
        usleep(5000);
    /* The backoff alone would retry within 100 ms; Retry-After says 1 s. */
    int64_t gap1 = proxy_request_ms(e->proxy, 1) - proxy_request_ms(e->proxy, 0);
    int64_t gap2 = proxy_request_ms(e->proxy, 2) - proxy_request_ms(e->proxy, 1);
    fprintf(stderr, "  gaps after 503: %lld ms, %lld ms\n", (long long)gap1, (long long)gap2);
    assert_true(gap1 >= 950 && gap2 >= 950);
    struct uploader_status st;
    uploader_status(up, &st);
    assert_int_equal(st.state, UPLOADER_OFFLINE);
    assert_non_null(strstr(st.last_error, "503"));
    proxy_set_mode(e->proxy, PROXY_PASS);
    assert_int_equal(wait_drained(up, 5000), 0);
    uploader_stop(up);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
}

static void test_backoff_grows_and_stays_under_the_cap(void **state)
{
    struct env *e = *state;
    kiosk_side_add_visits(&e->kiosk, 10, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    proxy_set_mode(e->proxy, PROXY_500);
    struct uploader_tuning tuning = {.backoff_min_ms = 40, .backoff_max_ms = 320};
    struct uploader *up = start(e, &tuning);
    /* Kicks while backing off must not cause extra attempts. */
    int64_t until = mono_ms() + 3000;
    while (mono_ms() < until) {
        uploader_kick(up);
        usleep(20000);
    }
    uploader_stop(up);
    /* The attempts are the uploads; each failed one is followed by a
     * status report (the central answered, if only with 500). */
    int64_t at[64];
    int idx[64];
    int n = 0, requests = proxy_requests(e->proxy);
    for (int i = 0; i < requests && n < 64; i++)
        if (proxy_request_is(e->proxy, i, "POST /v1/events")) {
            idx[n] = i;
            at[n++] = proxy_request_ms(e->proxy, i);
        }
    assert_true(n >= 5 && n <= 20);
    /* The central answered (500): each failed upload is followed by the
     * status, with the error (PROTOCOL.md section 8). */
    assert_true(requests >= 2 * n - 1);
    /* The waits the uploader chose: 40, 80, 160, 320, 320... each between
     * half and all of it (equal jitter). These are exact, whatever the
     * machine's load; only the wall-clock gaps below depend on it. */
    int failed = atomic_load(&e->max_failed);
    assert_true(failed >= n - 1);
    fprintf(stderr, "  attempts in 3 s: %d (of %d requests); waits chosen:", n, requests);
    for (int k = 1; k <= failed; k++) {
        int64_t base = 40;
        for (int j = 1; j < k && base < 320; j++)
            base *= 2;
        if (base > 320)
            base = 320;
        fprintf(stderr, " %lld", (long long)e->retry_in_ms[k]);
        assert_true(e->retry_in_ms[k] >= base / 2 && e->retry_in_ms[k] <= base);
    }
    /* On the wire: the next upload never comes before the wait chosen,
     * counted from the answer to the previous attempt's last request (its
     * status report). A slow machine only makes the gaps longer. */
    fprintf(stderr, "\n  gaps on the wire:");
    for (int i = 1; i < n; i++) {
        int64_t answered = proxy_request_answered_ms(e->proxy, idx[i] - 1);
        assert_true(answered > 0);
        int64_t gap = at[i] - answered;
        fprintf(stderr, " %lld", (long long)gap);
        assert_true(gap >= e->retry_in_ms[i] - 1); /* both counted in whole ms */
    }
    fprintf(stderr, "\n");
}

static void test_stop_is_prompt_in_the_middle_of_a_request(void **state)
{
    struct env *e = *state;
    kiosk_side_add_visits(&e->kiosk, 10, fixture_utc("2030-03-01T09:00:00Z"), HOUR_US, HOUR_US);
    proxy_set_mode(e->proxy, PROXY_HANG);
    struct uploader_tuning tuning = {.request_timeout_ms = 30000};
    struct uploader *up = start(e, &tuning);
    int64_t until = mono_ms() + 5000;
    while (proxy_requests(e->proxy) < 1 && mono_ms() < until)
        usleep(2000);
    assert_int_equal(proxy_requests(e->proxy), 1);
    usleep(50000);
    int64_t before = mono_ms();
    uploader_stop(up);
    int64_t took = mono_ms() - before;
    fprintf(stderr, "  stop during a request: %lld ms\n", (long long)took);
    assert_true(took < 100); /* within a few frames */
    assert_int_equal(kiosk_side_pending(&e->kiosk), 20);
    proxy_set_mode(e->proxy, PROXY_PASS);
    up = start(e, &tuning);
    assert_int_equal(wait_drained(up, 5000), 0);
    uploader_stop(up);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
}

/* Two weeks of check-ins with the central unreachable, the uploader
 * trying all along; then the network comes back and the backlog drains. */
static void test_offline_fortnight_backlog_drains(void **state)
{
    struct env *e = *state;
    proxy_set_mode(e->proxy, PROXY_DOWN);
    struct uploader_tuning tuning = {.kick_delay_ms = 10, .backoff_min_ms = 20,
                                     .backoff_max_ms = 200, .period_ms = 500};
    struct uploader *up = start(e, &tuning);
    int events = 0;
    int64_t day0 = fixture_utc("2030-03-02T07:00:00Z");
    for (int day = 0; day < 14; day++) {
        e->kiosk.clock.wall = day0 + day * DAY_US;
        e->kiosk.clock.mono += DAY_US;
        /* 60 visits a day, 10 minutes apart, 2 h 30 min each. */
        events += kiosk_side_add_visits(&e->kiosk, 60, day0 + day * DAY_US, 10 * 60 * 1000000LL,
                                        150 * 60 * 1000000LL);
        uploader_kick(up);
        usleep(20000);
    }
    usleep(300000);
    struct uploader_status st;
    uploader_status(up, &st);
    assert_int_equal(st.state, UPLOADER_OFFLINE);
    assert_int_equal(st.events_waiting, events);
    assert_true(st.last_error[0] != '\0');
    assert_int_equal(fixture_count(e->central, "SELECT count(*) FROM event"), 0);

    proxy_set_mode(e->proxy, PROXY_PASS);
    int64_t back = mono_ms();
    assert_int_equal(wait_drained(up, 20000), 0);
    fprintf(stderr, "  %d events drained in %lld ms after the central came back\n", events,
            (long long)(mono_ms() - back));
    uploader_stop(up);
    assert_int_equal(same_events(&e->kiosk, e->central), 0);
    assert_int_equal(same_hours(&e->kiosk, e->central), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kick_sends_new_events_soon_and_reports_status,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_is_honoured_between_attempts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backoff_grows_and_stays_under_the_cap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_is_prompt_in_the_middle_of_a_request, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_offline_fortnight_backlog_drains, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
