/* For the uploader's tests and benchmark: a kiosk (config, store, fake
 * clock, token file) beside an in-process central, a fault proxy between
 * them, and the checks that both hold the same events and hours. */
#ifndef TILSTEDE_TEST_UPLOADER_HARNESS_H
#define TILSTEDE_TEST_UPLOADER_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "central_fixture.h"
#include "clock.h"
#include "config.h"
#include "store.h"

/* The proxy's behaviour for every request from now on. */
enum proxy_mode {
    PROXY_PASS = 0,      /* relay to the central */
    PROXY_DOWN,          /* nothing listens on the port */
    PROXY_500,           /* answer 500 without asking the central */
    PROXY_503,           /* answer 503 with Retry-After: 1 */
    PROXY_HANG,          /* read the request, never answer */
    PROXY_CUT_REQUEST,   /* read half the request body, relay that half, close */
    PROXY_CUT_RESPONSE,  /* relay; send the client half the central's answer, close */
    PROXY_MALFORMED,     /* relay; answer the client 200 with broken JSON */
    PROXY_HOLD_RESPONSE, /* relay; keep the central's answer until the mode changes */
};

struct proxy;
struct proxy *proxy_start(uint16_t upstream_port);
void proxy_stop(struct proxy *proxy);
void proxy_set_mode(struct proxy *proxy, enum proxy_mode mode);
/* The mode from the request after the next `requests` on (a fault in the
 * middle of a run); not PROXY_DOWN. */
void proxy_set_mode_after(struct proxy *proxy, int requests, enum proxy_mode mode);
uint16_t proxy_port(const struct proxy *proxy);
int proxy_requests(struct proxy *proxy);   /* requests read so far */
int proxy_held(struct proxy *proxy);       /* answers held back (HOLD_RESPONSE) */
/* CLOCK_MONOTONIC ms of the n-th request (0-based), or -1. */
int64_t proxy_request_ms(struct proxy *proxy, int n);
/* Just before the proxy wrote its answer to request n: the client cannot
 * have the answer earlier. */
int64_t proxy_request_answered_ms(struct proxy *proxy, int n);
/* 1 when the n-th request's line starts with start ("POST /v1/events"). */
int proxy_request_is(struct proxy *proxy, int n, const char *start);

struct kiosk_side {
    char dir[256];
    struct config cfg;
    struct clock_fake clock;
    struct store *store; /* the test's own connection */
    int volunteers;
};

/* A kiosk of FIXTURE_SITE_A with the given token, sending to url. */
void kiosk_side_init(struct kiosk_side *k, const char *url, const char *token);
void kiosk_side_fini(struct kiosk_side *k);
/* What most uploader tests run on: a central, the fault proxy before it,
 * and a kiosk of FIXTURE_SITE_A sending through the proxy with kiosk A1's
 * token. _stop undoes it. */
void proxied_kiosk_start(struct kiosk_side *k, struct fixture **central, struct proxy **proxy);
void proxied_kiosk_stop(struct kiosk_side *k, struct fixture *central, struct proxy *proxy);
void kiosk_side_set_token(struct kiosk_side *k, const char *token);
/* Records visits check-in/check-out pairs, one a volunteer in turn, from
 * first_us every step_us, each lasting length_us. Returns events added. */
int kiosk_side_add_visits(struct kiosk_side *k, int visits, int64_t first_us, int64_t step_us,
                          int64_t length_us);
/* One event at the fake clock's present (wall, mono, boot, synced). */
int kiosk_side_record(struct kiosk_side *k, enum event_kind kind, const char *volunteer,
                      struct event *out);
/* The same stating at_us (an auto-close's credited end, a correction's
 * time); corrects names the event a correction corrects, or NULL. */
int kiosk_side_record_at(struct kiosk_side *k, enum event_kind kind, const char *volunteer,
                         int64_t at_us, const char *corrects, struct event *out);
int kiosk_side_pending(struct kiosk_side *k);

/* 0 when the central holds exactly the kiosk's events (each once, every
 * field equal); otherwise prints the first difference and returns -1. */
int same_events(struct kiosk_side *k, struct fixture *central);
/* 0 when the central's report gives the site the hours the kiosk computes. */
int same_hours(struct kiosk_side *k, struct fixture *central);
/* 0 when both derived the same visits (events, times, how each ended). */
int same_visits(struct kiosk_side *k, struct fixture *central);

/* Makes a CA, another CA and a server certificate for 127.0.0.1 in dir. */
int make_test_ca(const char *dir);

int64_t mono_ms(void);

#endif
