/* The local store: one SQLite file (WAL, synchronous=FULL) holding the
 * roster, cards, activities and the append-only event log, with visits
 * derived from the events. All of the kiosk's SQL lives in store.c.
 *
 * A struct store is one connection, for one thread. The kiosk, the
 * uploader and tilstedectl each open their own on the same file. */
#ifndef TILSTEDE_STORE_H
#define TILSTEDE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "kiosk.h"

#define STORE_VERSION 10 /* the schema this build writes (PRAGMA user_version) */

struct store;
struct sqlite3;

/* Opens (creating when missing) and migrates to STORE_VERSION. A file that
 * is not a healthy SQLite database, or was written by a newer Tilstede, is
 * refused with a message and left exactly as it was. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
/* Tests: migrate no further than version (to build old databases). */
int store_open_version(const char *path, int version, struct store **out, char *err,
                       size_t errlen);
void store_close(struct store *store);
const char *store_errmsg(const struct store *store);
int store_version(struct store *store);
struct sqlite3 *store_db(struct store *store); /* tests and benchmarks only */

/* BEGIN IMMEDIATE: takes the write lock now, so a commit cannot fail on a
 * lock held by another connection after the decision was made. */
int store_begin(struct store *store);
int store_commit(struct store *store); /* durable when it returns 0 */
void store_rollback(struct store *store);

/* Appends an event and applies it to the visits (inside a transaction). */
int store_append(struct store *store, const struct event *ev);
/* Appends an event made on the central (a correction set in its web app),
 * marked uploaded so it is never sent back, and applies it to the visits
 * (inside a transaction): 0 added, 1 held already (nothing changed). */
int store_append_uploaded(struct store *store, const struct event *ev);

/* --- volunteers: 0 found, 1 not found, < 0 error --- */
int store_volunteer(struct store *store, int64_t id, struct volunteer *out);
int store_volunteer_by_external_id(struct store *store, const char *external_id,
                                   struct volunteer *out);
/* Inserts or updates by external id. *change: 0 unchanged, 1 added, 2 updated. */
int store_volunteer_upsert(struct store *store, const struct volunteer *v, int64_t now_us,
                           int *change);
int store_volunteers_each(struct store *store, int active_only,
                          int (*fn)(void *user, const struct volunteer *v), void *user);
int store_volunteer_count(struct store *store);
/* A number every change to the volunteer table raises (any connection,
 * any program): a cached name index is stale when it differs. < 0 error. */
int64_t store_roster_version(struct store *store);
/* Tests: counts the statements this connection runs from now on (on = 1),
 * or stops (on = 0); returns the count since the last call and restarts. */
int64_t store_count_statements(struct store *store, int on);

/* --- cards (by keyed hash) --- */
/* 0 found (volunteer and revoked set), 1 unknown, < 0 error. */
int store_card_find(struct store *store, const char *hash, int64_t *volunteer_id, int *revoked);
/* -EEXIST when the card already belongs to someone (not revoked). */
int store_card_add(struct store *store, const char *hash, int64_t volunteer_id, int64_t now_us);
int store_card_revoke(struct store *store, const char *hash, int64_t now_us); /* 1 = unknown */
int store_unknown_remember(struct store *store, const char *hash, int64_t now_us,
                           int64_t forget_before_us);
/* The newest unknown tap at or after since_us: 0 found, 1 none. */
int store_unknown_latest(struct store *store, int64_t since_us, char hash[CARD_HASH_HEX + 1],
                         int64_t *tapped_us);

/* --- visits --- */
struct store_visit {
    char start_event[EVENT_ID_LEN + 1];
    char end_event[EVENT_ID_LEN + 1];
    char volunteer[EVENT_KEY_MAX];
    char activity[EVENT_ID_LEN + 1];
    int64_t start_us;
    int64_t end_us; /* 0 while open */
    int end_kind;
    int review;
};
int store_open_visit(struct store *store, const char *site, const char *volunteer,
                     struct store_visit *out);
int store_last_closed_visit(struct store *store, const char *site, const char *volunteer,
                            struct store_visit *out);
int store_open_visits_each(struct store *store, const char *site,
                           int (*fn)(void *user, const struct store_visit *v), void *user);
/* The volunteer's last check-in or check-out event here: 0 found, 1 none. */
int store_last_toggle(struct store *store, const char *site, const char *volunteer,
                      struct event *out);
/* One event by its id: 0 found, 1 none. */
int store_event_by_id(struct store *store, const char *event_id, struct event *out);
/* Seconds and visits of a volunteer's closed visits starting from_day..to_day. */
int store_volunteer_seconds(struct store *store, const char *volunteer, const char *from_day,
                            const char *to_day, int round_min, int64_t *seconds,
                            int64_t *visits);
int store_visit_count(struct store *store, const char *volunteer); /* ever, or < 0 */
/* The highest milestone counted for the volunteer in year ("2026") at a
 * check-out: 0 found, 1 none yet. store_milestone_set raises it (never
 * lowers it) as a step of the caller's transaction. */
int store_milestone_seen(struct store *store, const char *volunteer, const char *year, int *mark);
int store_milestone_set(struct store *store, const char *volunteer, const char *year, int mark);

int store_present_each(struct store *store, const char *site,
                       void (*fn)(void *user, const struct presence *p), void *user);
int store_review_each(struct store *store, const char *site,
                      void (*fn)(void *user, const struct review_item *r), void *user);
/* Volunteers with a visit starting on day (open or closed). */
int store_visitors_on_day(struct store *store, const char *site, const char *day,
                          int (*fn)(void *user, const struct volunteer *v), void *user);

/* --- activities --- */
int store_activities_on_day(struct store *store, const char *day, struct activity *out,
                            size_t max);
int store_activity_by_uuid(struct store *store, const char *uuid, struct activity *out);
int store_activity_save(struct store *store, struct activity *activity); /* id 0 = add */
int store_activity_remove(struct store *store, int64_t id);

/* --- reports --- */
enum store_report_by { REPORT_TOTAL = 0, REPORT_BY_VOLUNTEER, REPORT_BY_ACTIVITY, REPORT_BY_MONTH };
struct report_row {
    char key[EVENT_KEY_MAX];  /* external id, activity uuid, YYYY-MM, or "" */
    char label[2 * KIOSK_NAME_MAX + 2];
    int64_t seconds;          /* rounded as configured, summed */
    int64_t visits;
};
int store_report(struct store *store, const char *from_day, const char *to_day,
                 enum store_report_by by, int round_min,
                 int (*fn)(void *user, const struct report_row *row), void *user);

/* --- upload bookkeeping --- */
int store_pending_count(struct store *store); /* events not yet uploaded */

/* --- retention and a person's data (GDPR) --- */
/* Deletes visits that ended before cutoff_us with all their events, and
 * card events recorded before it, but only what has been uploaded: the
 * central keeps the totals. *deleted: events deleted. */
int store_prune(struct store *store, int64_t cutoff_us, int64_t *deleted);
/* Calls fn with each event of a volunteer, in recording order. */
int store_events_of(struct store *store, const char *volunteer,
                    int (*fn)(void *user, const struct event *ev), void *user);
/* Erases a volunteer on request: events, visits, cards and the roster row,
 * in one transaction. Events not yet uploaded go too (the person asked);
 * *events says how many events were erased. 1 = no such volunteer. */
int store_forget(struct store *store, const char *external_id, int64_t *events);

/* --- maintenance --- */
/* PRAGMA integrity_check: 0 healthy, 1 damaged (report says how), < 0 error. */
int store_check(struct store *store, char *report, size_t cap);
/* An online backup (sqlite3_backup) to path, written next to it and renamed
 * into place, so a half-written backup never replaces a good one. */
int store_backup(struct store *store, const char *path, char *err, size_t errlen);
/* Rebuilds the visit table from the events (same transaction). */
int store_rebuild_visits(struct store *store);
/* The same inside the caller's transaction. */
int store_replay_visits(struct store *store);

/* --- a restore from backup (kiosk_recovery_*, and the uploader's fetch) --- */
/* A cursor of the central's (opaque; sync/PROTOCOL.md: at most 256 bytes),
 * with the NUL. One limit for the roster's and the events' cursors. */
#define STORE_CURSOR_MAX 257
/* Records a restore (its own transaction); the newest record is the one
 * that counts. fetched_events and acknowledged start at 0. */
int store_recovery_record(struct store *store, const struct kiosk_recovery *recovery);
/* The newest record: 0 found, 1 none, < 0 error. cursor (may be NULL)
 * receives where the fetch from the central has got to ("" at the start). */
int store_recovery_latest(struct store *store, struct kiosk_recovery *out,
                          char cursor[STORE_CURSOR_MAX]);
/* Marks the newest record seen by staff: 0, 1 none, < 0 error. */
int store_recovery_acknowledge(struct store *store);
/* A page of the fetch has been stored (inside the caller's transaction):
 * saves the cursor, adds fetched to fetched_events, and with done sets
 * fetch_state to KIOSK_FETCH_DONE. */
int store_recovery_progress(struct store *store, const char *cursor, int64_t fetched, int done);

#endif
