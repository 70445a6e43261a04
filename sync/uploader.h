/* The kiosk's uploader: sends the recorded events to the municipality's
 * central in batches, fetches the roster, reports the kiosk's status.
 * Runs in a thread of its own with its own store connection, so a
 * check-in never waits for the network; tilstedectl uses the same code
 * synchronously (uploader_sync_now). See PROTOCOL.md for the wire format. */
#ifndef TILSTEDE_UPLOADER_H
#define TILSTEDE_UPLOADER_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "reader.h"

#define UPLOADER_ERROR_MAX 512

struct uploader;

enum uploader_state {
    UPLOADER_STARTING = 0, /* no attempt yet */
    UPLOADER_ONLINE,       /* the last attempt reached the central and succeeded */
    UPLOADER_OFFLINE,      /* the last attempt failed: see last_error */
};

struct uploader_status {
    enum uploader_state state;
    int64_t last_success_us;  /* wall time of the last successful upload, 0 = never */
    int64_t events_waiting;   /* not yet accepted by the central (-1: unknown) */
    int64_t events_rejected;  /* refused by the central as invalid, kept here */
    int clock_synced;
    char last_error[UPLOADER_ERROR_MAX]; /* "" when the last attempt succeeded */
    int failed_attempts; /* failed attempts in a row since the last success */
    int64_t retry_in_ms; /* after a failure: the wait chosen before the next attempt; 0 online */
};

struct uploader_callbacks {
    /* Called from the uploader's thread after the status changed. Post an
     * event (SDL_PushEvent) and return; never block here. */
    void (*status_changed)(void *user, const struct uploader_status *status);
    void *user;
};

/* Times, for tests; 0 takes the default. */
struct uploader_tuning {
    int64_t period_ms;          /* at least this often (default 3 min) */
    int64_t kick_delay_ms;      /* after a kick, gather more events (default 2 s) */
    int64_t backoff_min_ms;     /* first retry delay (default 5 s) */
    int64_t backoff_max_ms;     /* the cap (default 10 min) */
    int64_t connect_timeout_ms; /* default 10 s */
    int64_t request_timeout_ms; /* the whole request (default 60 s) */
    int ignore_retry_after;     /* sync --now: send even before the central's Retry-After */
};

/* Starts the thread. cfg and clock must outlive the uploader; callbacks
 * may be NULL. Fails (with err saying what to fix) when [sync]
 * central_url is missing or not https (plain http only to loopback). */
int uploader_start(const struct config *cfg, const struct clock_source *clock,
                   const struct uploader_callbacks *callbacks, struct uploader **out, char *err,
                   size_t errlen);
int uploader_start_tuned(const struct config *cfg, const struct clock_source *clock,
                         const struct uploader_callbacks *callbacks,
                         const struct uploader_tuning *tuning, struct uploader **out, char *err,
                         size_t errlen);
/* Stops within a frame, even in the middle of a request (the batch is
 * then sent again next time; the central deduplicates). NULL is fine. */
void uploader_stop(struct uploader *uploader);
/* A new event was recorded: send soon (not while backing off). */
void uploader_kick(struct uploader *uploader);
/* A copy of the current status; thread-safe. */
void uploader_status(struct uploader *uploader, struct uploader_status *out);
/* The card reader's state for the status report (reader_state_name: only
 * the values PROTOCOL.md lists). */
void uploader_set_reader_state(struct uploader *uploader, enum reader_state state);

/* One synchronous run for tilstedectl and tests: corrects the clock,
 * after a restore from backup fetches back what the central holds, uploads
 * until nothing waits (or an error), fetches the roster, reports the
 * status. Returns 0, or < 0 with err saying what failed. */
struct uploader_result {
    int64_t uploaded;        /* accepted by the central in this run */
    int64_t refused;         /* set aside in this run: refused by the central (rejected,
                              * or alone too large (413) or not taken (400)) */
    int64_t fetched;         /* after a restore: events fetched back in this run */
    int64_t corrections;     /* corrections made on the central, fetched in this run */
    int64_t events_waiting;  /* after the run */
    int64_t last_success_us; /* 0 = never */
    int64_t retry_after_ms;  /* the central asked to wait this long (429/503), else 0 */
    int64_t next_attempt_us; /* wall time before which no run sends (Retry-After), else 0 */
    /* Rows in this run's roster answer (everything when the answer was full). */
    int64_t roster_volunteers;
    int64_t roster_cards;
    int64_t roster_activities;
};
int uploader_sync_now(const struct config *cfg, const struct clock_source *clock,
                      const struct uploader_tuning *tuning, struct uploader_result *result,
                      char *err, size_t errlen);

/* 0 when url may be used for the central: https, or plain http only to
 * this machine (127.0.0.1, [::1], localhost); else -EINVAL with err
 * saying what to write instead. */
int uploader_check_url(const char *url, char *err, size_t errlen);

/* Reads the device token from path (one line, not readable by other
 * users) into token. Returns 0, or < 0 with err saying what to fix. */
int uploader_token_read(const char *path, char *token, size_t cap, char *err, size_t errlen);

/* Who the token belongs to (GET /v1/site), for `tilstedectl provision`. */
struct uploader_site {
    char site_id[64];
    char site_name[CONFIG_TEXT_MAX];
    char site_kind[32];
    int64_t device_id;
    char device_name[128];
};
/* Asks the central at [sync] central_url with the token in [sync]
 * token_file. Returns 0; -EACCES when the central refused the token;
 * another negative errno with err saying what failed. */
int uploader_fetch_site(const struct config *cfg, const struct uploader_tuning *tuning,
                        struct uploader_site *out, char *err, size_t errlen);

#endif
