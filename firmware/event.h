/* The event: the one record the kiosk writes and the central receives.
 * Events are append-only; hours are derived from them (see visits.h). */
#ifndef TILSTEDE_EVENT_H
#define TILSTEDE_EVENT_H

#include <stdint.h>

#include "fieldlimits.h"

#define EVENT_ID_LEN 36    /* a UUID in text form, without the NUL */
#define EVENT_KEY_MAX (VOLUNTEER_ID_MAX + 1) /* site ids, volunteer external ids, with the NUL */
#define CARD_HASH_HEX 64   /* a keyed BLAKE2b-256 of a card UID, in hex */

enum event_kind {
    EVENT_CHECKIN = 1,
    EVENT_CHECKOUT = 2,
    EVENT_AUTOCLOSE = 3,   /* closed by the rules; at_us is the credited end */
    EVENT_CORRECTION = 4,  /* sets the time of the event named in `corrects` */
    EVENT_CARD_ENROLLED = 5,
    EVENT_CARD_REVOKED = 6,
};

enum event_source {
    SOURCE_CARD = 1,
    SOURCE_NAME = 2,
    SOURCE_STAFF = 3,
    SOURCE_AUTOMATIC = 4,
};

struct event {
    char event_id[EVENT_ID_LEN + 1];
    enum event_kind kind;
    char site[EVENT_KEY_MAX];
    char volunteer[EVENT_KEY_MAX]; /* the roster's external id */
    /* The time the event states: when the volunteer came or went; for an
     * auto-close the end it credits; for a correction the corrected time. */
    int64_t at_us;
    /* When it was recorded: wall clock, monotonic clock and boot, so a time
     * taken before the clock was synchronised can be corrected later. */
    int64_t recorded_us;
    int64_t mono_us;
    char boot_id[EVENT_ID_LEN + 1];
    int clock_synced;
    enum event_source source;
    char activity[EVENT_ID_LEN + 1];  /* activity uuid, or "" */
    char corrects[EVENT_ID_LEN + 1];  /* corrected event's id, or "" */
    char card_hash[CARD_HASH_HEX + 1]; /* for card events, or "" */
    int review; /* flagged for staff review */
};

const char *event_kind_name(enum event_kind kind);
int event_kind_parse(const char *name); /* the kind, or -1 */
const char *event_source_name(enum event_source source);
int event_source_parse(const char *name); /* the source, or -1 */

/* A new time-ordered (version 7) UUID, random bits from libsodium. */
void event_new_id(char out[EVENT_ID_LEN + 1]);



/* Event rows in SQLite (the kiosk's and the central's event tables share
 * these column names): the columns in the order event_from_row reads them
 * and event_bind binds them. */
#define EVENT_COLUMNS                                                                 \
    "event_id, kind, site, volunteer, at_us, recorded_us, mono_us, boot_id, "         \
    "clock_synced, source, activity, corrects, card_hash, review"
#define EVENT_COLUMN_COUNT 14

struct sqlite3_stmt;
/* Reads an event from columns col..col+13; returns 0 or -EINVAL on a row
 * that is not a valid event (unknown kind, over-long text). */
int event_from_row(struct sqlite3_stmt *st, int col, struct event *ev);
/* Binds an event to parameters first..first+13 (empty texts as NULL). */
int event_bind(struct sqlite3_stmt *st, int first, const struct event *ev);
#endif
