/* The upload bookkeeping over the kiosk's store: which events wait, the
 * batch to send next, marking events uploaded once the central has
 * answered, what the uploader remembers between runs (sync_state), the
 * roster the central sends back, the events it gives back after a restore
 * from backup, and mending the times of events taken before the clock was
 * synchronised. Knows nothing of HTTP or JSON.
 *
 * A struct outbox borrows one struct store (one connection, one thread). */
#ifndef TILSTEDE_OUTBOX_H
#define TILSTEDE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "event.h"
#include "kiosk.h"

struct outbox;
struct store;

/* sync_state keys */
#define OUTBOX_LAST_UPLOAD "last_upload_us" /* wall time of the last successful upload */
#define OUTBOX_LAST_ERROR "last_error"      /* "" after a success */
#define OUTBOX_ROSTER_CURSOR "roster_cursor"
/* Where the corrections made on the central were read up to
 * (GET /v1/corrections, PROTOCOL.md section 6a). */
#define OUTBOX_CORRECTIONS_CURSOR "corrections_cursor"
/* A hash of the device token the central refused with 401: nothing is sent
 * while [sync] token_file still holds that token. */
#define OUTBOX_TOKEN_REFUSED "token_refused"
/* When the central first refused that token (wall µs); kept after a new
 * token works, so the status report can tell of the lockout. */
#define OUTBOX_TOKEN_REFUSED_AT "token_refused_at_us"
/* The central's Retry-After, as the wall time (µs) before which no run
 * sends: kept in the store so `tilstedectl sync` honours it across runs. */
#define OUTBOX_NEXT_ATTEMPT "next_attempt_us"
/* The largest batch the central (or a proxy before it) took after a 413. */
#define OUTBOX_BATCH_LIMIT "upload_batch_limit"
#define OUTBOX_STATE_MAX 512 /* longest value kept, with the NUL */

/* An event of this boot taken before the clock was synchronised is held
 * back this long (monotonic time) waiting for the clock: once synchronised
 * its time is corrected before it leaves. After that it goes flagged. */
#define OUTBOX_UNSYNCED_HOLD_US (INT64_C(30) * 60 * 1000000)

/* Values of event.uploaded. */
#define OUTBOX_PENDING 0
#define OUTBOX_UPLOADED 1
#define OUTBOX_REJECTED 2 /* the central refused it as invalid: kept here for review */

int outbox_open(struct store *store, struct outbox **out, char *err, size_t errlen);
void outbox_close(struct outbox *outbox);
const char *outbox_errmsg(const struct outbox *outbox);

/* Fills up to max pending events in recording (seq) order and returns how
 * many, or < 0. Stops before an event of the current boot that still waits
 * for the clock (see OUTBOX_UNSYNCED_HOLD_US), so later events never
 * overtake it. */
int outbox_next_batch(struct outbox *outbox, const struct clock_source *clock,
                      struct event *events, size_t max);
/* Marks the events uploaded (or rejected) in one transaction; ids not
 * pending are skipped. Returns how many changed, or < 0 (nothing changed). */
int outbox_mark(struct outbox *outbox, const char *const *event_ids, size_t count, int state);
int outbox_pending(struct outbox *outbox); /* events waiting, or < 0 */
int outbox_rejected(struct outbox *outbox); /* events the central refused, or < 0 */

/* An event the central will never take as it is, and why. */
#define OUTBOX_REASON_MAX 512 /* the central's message kept, with the NUL */
#define OUTBOX_CODE_MAX 32    /* the central's code kept, with the NUL */
struct outbox_refusal {
    char event_id[EVENT_ID_LEN + 1];
    int status;                   /* the HTTP status that refused it: 200, 400, 413 */
    char code[OUTBOX_CODE_MAX];   /* invalid_event, site_mismatch, invalid_request, ... */
    char reason[OUTBOX_REASON_MAX]; /* the central's message (cut between characters) */
    int64_t refused_us;           /* when it was set aside (list only) */
    int seen;                     /* staff have acknowledged it (list only) */
    /* What the event is, for the list: kind, volunteer, time it states. */
    enum event_kind kind;
    char volunteer[EVENT_KEY_MAX];
    int64_t at_us;
};
/* Sets the pending events aside as refused (event.uploaded = REJECTED) with
 * each one's status, code and reason, in one transaction. Returns how many
 * changed, or < 0 (nothing changed). */
int outbox_refuse(struct outbox *outbox, const struct outbox_refusal *refusals, size_t count,
                  int64_t now_us);
/* Refused events staff have not yet acknowledged, or < 0. */
int outbox_refused_unseen(struct outbox *outbox);
/* Every refused event still in the log, oldest first, into *out (malloc'd,
 * the caller frees; NULL when none): how many, or < 0. */
int outbox_refused_list(struct outbox *outbox, struct outbox_refusal **out);
/* Staff have seen them: every refusal acknowledged. Returns how many were
 * not yet, or < 0. */
int outbox_refused_ack(struct outbox *outbox);
/* The central's fault after all (a proxy, a bug since fixed): puts the
 * refused events named (all of them when count is 0) back in the outbox as
 * waiting, in their place in the log, and drops their refusals, in one
 * transaction. Returns how many were put back, or < 0 with nothing
 * changed: -ENOENT when an id is not a refused event (the message names
 * it). */
int outbox_refused_retry(struct outbox *outbox, const char *const *event_ids, size_t count);

/* 1 when an event was recorded by another connection (tilstedectl, the
 * kiosk's UI) since the last call, else 0 (the first call only takes the
 * mark), or < 0. While nothing is committed it costs one PRAGMA
 * data_version: cheap enough to ask every second. */
int outbox_recorded_since(struct outbox *outbox);

/* sync_state: 0 found, 1 missing (out = ""), < 0 error. */
int outbox_state_get(struct outbox *outbox, const char *key, char *out, size_t cap);
int outbox_state_set(struct outbox *outbox, const char *key, const char *value);
/* The integer form (0 when missing). */
int64_t outbox_state_int(struct outbox *outbox, const char *key);

/* The roster as the central sends it, already parsed. */
struct outbox_card {
    char card_hash[CARD_HASH_HEX + 1];
    char volunteer[EVENT_KEY_MAX]; /* external id, "" when the card has no owner */
    int revoked;
};
struct outbox_roster {
    const struct volunteer *volunteers; /* by external_id; id and notes ignored */
    size_t volunteer_count;
    const struct outbox_card *cards;
    size_t card_count;
    const struct activity *activities; /* by uuid; id ignored */
    size_t activity_count;
    const char *cursor; /* saved with the changes, so they arrive once */
    int full;           /* the whole roster: what it leaves out is gone */
};
/* Applies it in ONE transaction with the new cursor: all or nothing.
 * A full answer also makes the volunteers it leaves out inactive, revokes
 * the cards it leaves out (but a card enrolled here whose event still
 * waits for upload) and removes the activities it leaves out; events and
 * visits are never touched. *changed counts rows added or updated. */
int outbox_apply_roster(struct outbox *outbox, const struct outbox_roster *roster,
                        int64_t now_us, size_t *changed);

/* A page of the events fetched back from the central after a restore from
 * backup (GET /v1/events), applied in ONE transaction with the fetch's new
 * cursor (store_recovery_progress; with last, the fetch is done):
 * - an event the kiosk lacks is added, marked uploaded: it never goes back;
 * - one it holds but had not marked uploaded (the backup was older than the
 *   upload) is marked uploaded;
 * - the events still waiting for upload move after the added ones in the
 *   log, because the central will apply them after what it holds, and
 *   with the last page the visits are derived again in that order, so both
 *   count the same hours (until then a marker says they are stale).
 * What an event says never changes. *added: events added. */
/* A page of the corrections made on the central (GET /v1/corrections),
 * applied in ONE transaction with the new cursor (OUTBOX_CORRECTIONS_CURSOR):
 * each the kiosk lacks is added, marked uploaded (it never goes back), and
 * applied to the visits as the kiosk's own staff correction would be; one
 * it holds changes nothing. Two corrections of one visit end the same
 * whichever came first (visits.h, newer_correction). last is unused (the
 * signature is outbox_fetch_apply's). *added: events added. */
int outbox_corrections_apply(struct outbox *outbox, const struct event *events, size_t count,
                             const char *cursor, int last, size_t *added);
int outbox_fetch_apply(struct outbox *outbox, const struct event *events, size_t count,
                       const char *cursor, int last, size_t *added);

/* Once the clock is synchronised (and not before the build date), gives
 * each pending event of the current boot recorded with clock_synced = 0
 * the wall time of its monotonic time (offset = wall now - mono now),
 * marks it synchronised and rebuilds the visits. Every event of that boot
 * moves the same way, whatever its kind (check-ins, check-outs,
 * auto-closes, corrections): all were read off the same wrong clock, as
 * the kiosk's sweep makes sure (kiosk.c, sweep_one), so the visits they
 * make keep their lengths. Events of an earlier boot cannot be mended and
 * stay flagged. Returns how many were corrected. */
int outbox_correct_clock(struct outbox *outbox, const struct clock_source *clock);

#endif
