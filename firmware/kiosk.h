/* The kiosk core: what the UI, tilstedectl and the uploader call. It joins
 * the store (SQLite), the check-in rules, the card-hash key and the clock.
 *
 * Threads: a struct kiosk owns one SQLite connection and is used by one
 * thread at a time. The UI thread has its own; the uploader opens another
 * on the same file. The reader never calls in here: its thread posts the
 * UID to the UI thread, which calls kiosk_tap(). */
#ifndef TILSTEDE_KIOSK_H
#define TILSTEDE_KIOSK_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "event.h"

struct kiosk;

enum tap_outcome {
    TAP_CHECKED_IN = 1,
    TAP_CHECKED_OUT,
    TAP_ALREADY_IN,    /* same card again within the repeat window: no event */
    TAP_ALREADY_OUT,   /* likewise, just after a check-out */
    TAP_UNKNOWN_CARD,  /* remembered for staff to enroll */
    TAP_REFUSED,       /* see refuse_reason */
    TAP_FAILED,        /* not recorded (disk full, database error): message */
};

enum refuse_reason {
    REFUSE_NONE = 0,
    REFUSE_CARD_REVOKED,
    REFUSE_INACTIVE,
    REFUSE_NO_CONFIDENTIALITY,
    REFUSE_POLICE_CERT_EXPIRED,
};

/* Notices for the volunteer and staff (a bit set). */
#define NOTICE_NO_CONFIDENTIALITY 0x1u  /* checked in without a signed agreement */
#define NOTICE_POLICE_CERT_EXPIRED 0x2u
#define NOTICE_LAST_AUTOCLOSED 0x4u     /* the previous visit was closed automatically */

/* What went wrong, for a screen that says it in its own words: the
 * message (kiosk_errmsg, tap_result.message) is English, for the log and
 * tilstedectl. */
enum kiosk_error {
    KIOSK_ERR_NONE = 0,
    KIOSK_ERR_OTHER,            /* a fault; the message says what */
    KIOSK_ERR_STORAGE,          /* the database could not read or write */
    KIOSK_ERR_STORAGE_FULL,     /* the disk is full */
    KIOSK_ERR_STORAGE_BUSY,     /* the database is locked by another program */
    KIOSK_ERR_STORAGE_READONLY, /* the database cannot be written */
    KIOSK_ERR_NO_UNKNOWN_CARD,  /* none tapped within unknown_card_memory_s */
    KIOSK_ERR_CARD_TAKEN,       /* the card already belongs to a volunteer */
    KIOSK_ERR_BAD_CARD,         /* a card UID of the wrong length */
    KIOSK_ERR_NO_VOLUNTEER,     /* not (or no longer) in the roster */
    KIOSK_ERR_ACTIVITY_GONE,    /* the activity is not on today */
    KIOSK_ERR_ACTIVITY_INVALID, /* an activity needs a date, a title and times */
    KIOSK_ERR_REVIEW_GONE,      /* the visit no longer awaits review */
    KIOSK_ERR_END_BEFORE_START, /* a corrected end before the check-in */
    KIOSK_ERR_END_IN_FUTURE,    /* a corrected end after now */
    KIOSK_ERR_COUNT
};

/* A name with its NUL; activity titles and places are held alike. */
#define KIOSK_NAME_MAX (VOLUNTEER_NAME_MAX + 1)

struct tap_result {
    enum tap_outcome outcome;
    enum refuse_reason reason;
    unsigned notices;
    int64_t volunteer_id;
    char given_name[KIOSK_NAME_MAX];
    char family_name[KIOSK_NAME_MAX];
    int64_t at_us;            /* the time of the check-in or check-out */
    int64_t visit_start_us;   /* the visit's start (check-out, already in) */
    int64_t today_s;          /* time on site today, this visit included */
    int64_t last_autoclose_us; /* with NOTICE_LAST_AUTOCLOSED: when it was closed */
    double hours_this_year;   /* after this event */
    int milestone;            /* 0, or 1 (first visit ever), 10, 50, 100, 250 (hours this year) */
    char event_id[EVENT_ID_LEN + 1];
    char message[256];        /* with TAP_FAILED: what went wrong, in English, for the log */
    enum kiosk_error error;   /* with TAP_FAILED: the same, for the screen's words */
};

int kiosk_open(const struct config *cfg, const struct clock_source *clock, struct kiosk **out,
               char *err, size_t errlen);
void kiosk_close(struct kiosk *kiosk);
const struct config *kiosk_config(const struct kiosk *kiosk);
const char *kiosk_errmsg(const struct kiosk *kiosk); /* the last error's message */
enum kiosk_error kiosk_errkind(const struct kiosk *kiosk); /* and its kind */
const struct clock_source *kiosk_clock(const struct kiosk *kiosk);

/* A card on the reader. Reported as done only after the commit. */
int kiosk_tap(struct kiosk *kiosk, const uint8_t *uid, size_t uid_len, struct tap_result *out);
/* A name chosen on screen (SOURCE_NAME) or by staff (SOURCE_STAFF): the
 * same toggle a card gives. activity_id 0 = none ("annet"). */
int kiosk_toggle(struct kiosk *kiosk, int64_t volunteer_id, int64_t activity_id,
                 enum event_source source, struct tap_result *out);
/* Staff: check in or out by hand, at a time (0 = now). */
int kiosk_staff_set(struct kiosk *kiosk, int64_t volunteer_id, int in, int64_t at_us,
                    struct tap_result *out);

/* Closes visits open past the end of day or the maximum length; returns how
 * many were closed, or a negative error. The UI calls it every minute. */
int kiosk_sweep(struct kiosk *kiosk);
/* How many visits kiosk_sweep has closed on this handle, counting the sweep
 * kiosk_open runs: a command that opens the kiosk to sweep finds the work
 * often done by the opening (tilstedectl sweep reports both). */
int kiosk_swept(const struct kiosk *kiosk);

/* --- people --- */
/* confidentiality_signed of an agreement signed with no known date (a
 * roster's "ja", the central's confidentiality_signed_undated): the rules
 * ask only whether it is signed, and no date is ever invented. */
#define KIOSK_SIGNED_UNDATED "signed"
struct volunteer {
    int64_t id;
    char external_id[EVENT_KEY_MAX];
    char given_name[KIOSK_NAME_MAX];
    char family_name[KIOSK_NAME_MAX];
    int active;
    char confidentiality_signed[11]; /* YYYY-MM-DD, KIOSK_SIGNED_UNDATED, or "" */
    char police_valid_until[11];     /* YYYY-MM-DD, or "" */
    char notes[VOLUNTEER_NOTES_MAX + 1];
};
int kiosk_volunteer(struct kiosk *kiosk, int64_t id, struct volunteer *out);
int kiosk_volunteer_by_external_id(struct kiosk *kiosk, const char *external_id,
                                   struct volunteer *out);
/* Name search (case-insensitive prefix of any name part); fills up to max
 * ids of active volunteers, returns how many matched in all, or < 0. The
 * index is rebuilt first when the roster changed since (on any connection:
 * an import, the uploader's roster sync). */
int kiosk_search(struct kiosk *kiosk, const char *query, int64_t *ids, size_t max);
/* Rebuilds the name index now (kiosk_search does it when needed). */
int kiosk_reload_roster(struct kiosk *kiosk);

/* "Kari N.": given name and the family name's initial, for public screens. */
void kiosk_display_name(const char *given, const char *family, char *out, size_t cap);

/* --- who is here (also the fire roll call) --- */
struct presence {
    int64_t volunteer_id;
    char given_name[KIOSK_NAME_MAX];
    char family_name[KIOSK_NAME_MAX];
    int64_t since_us;
    int64_t activity_id;
    char activity_title[KIOSK_NAME_MAX];
};
/* Calls fn for each person on site now, ordered by family, given name. */
int kiosk_present(struct kiosk *kiosk, void (*fn)(void *user, const struct presence *p),
                  void *user);
int kiosk_present_count(struct kiosk *kiosk);

/* --- activities --- */
struct activity {
    int64_t id;
    char uuid[EVENT_ID_LEN + 1];
    char day[11];     /* YYYY-MM-DD */
    int start_min;    /* minutes after midnight */
    int end_min;      /* may be < start_min for a night watch past midnight */
    char title[KIOSK_NAME_MAX];
    char place[KIOSK_NAME_MAX];
    int cancelled; /* from the central's roster: drop this one (never stored) */
};
/* Fills up to max activities of the local day of at_us, by start time. */
int kiosk_activities(struct kiosk *kiosk, int64_t at_us, struct activity *out, size_t max);
int kiosk_activity_save(struct kiosk *kiosk, struct activity *activity); /* id 0 = add */
int kiosk_activity_remove(struct kiosk *kiosk, int64_t id);

/* --- cards --- */
/* The last unknown card tapped within the memory window: 1 and its time,
 * or 0 when there is none. */
int kiosk_last_unknown_card(struct kiosk *kiosk, int64_t *tapped_at_us);
int kiosk_enroll_last_unknown(struct kiosk *kiosk, int64_t volunteer_id);
int kiosk_enroll_uid(struct kiosk *kiosk, int64_t volunteer_id, const uint8_t *uid, size_t len);
int kiosk_revoke_uid(struct kiosk *kiosk, const uint8_t *uid, size_t len);

/* --- staff review --- */
struct review_item {
    char autoclose_event[EVENT_ID_LEN + 1]; /* correct this event's time */
    int64_t volunteer_id;
    char given_name[KIOSK_NAME_MAX];
    char family_name[KIOSK_NAME_MAX];
    int64_t start_us;
    int64_t credited_end_us;
    char activity_title[KIOSK_NAME_MAX];
};
int kiosk_review_list(struct kiosk *kiosk, void (*fn)(void *user, const struct review_item *r),
                      void *user);
/* Sets the real end time of a visit closed automatically (a correction
 * event); clears it from the review list. */
int kiosk_correct_end(struct kiosk *kiosk, const char *autoclose_event, int64_t end_us);

/* Volunteers who checked in today without a signed confidentiality
 * agreement or with an expired police certificate. */
int kiosk_compliance_today(struct kiosk *kiosk,
                           void (*fn)(void *user, const struct volunteer *v, unsigned notices),
                           void *user);

/* Tests: statements run on this kiosk's connection (store_count_statements). */
int64_t kiosk_count_statements(struct kiosk *kiosk, int on);

/* --- staff PIN --- */
/* The PIN's Argon2id cost. 16 MiB rather than libsodium's interactive
 * 64 MiB: the hash's memory is the kiosk's peak while a PIN is checked,
 * and the board's whole process must stay under 60 MB. Three passes (not
 * two) win back part of the lost cost per guess; the pad's growing delay
 * is what really guards a PIN of a few digits. A hash made with other
 * limits (an older `set-pin`) still verifies: libsodium reads them from
 * the hash string. */
#define KIOSK_PIN_HASH_MEMLIMIT_BYTES ((size_t)16 * 1024 * 1024)
#define KIOSK_PIN_HASH_OPSLIMIT 3

/* 1 = right, 0 = wrong, < 0 no PIN set or error. */
int kiosk_check_pin(const struct kiosk *kiosk, const char *pin);

/* PIN's hash at the kiosk's cost into hash (crypto_pwhash_STRBYTES, 128
 * bytes): 0, or -ENOMEM. */
int kiosk_hash_pin(const char *pin, char *hash, size_t hashlen);

/* --- a restore from backup --- */
struct kiosk_recovery {
    int64_t at_us;          /* when the kiosk restored the backup */
    int64_t backup_us;      /* when that backup was taken */
    int skipped_backups;    /* newer backups that were damaged themselves */
    int fetch_state;        /* KIOSK_FETCH_PENDING, _DONE, _NONE (no central configured) */
    int fetched_events;     /* events fetched back from the central so far */
    int acknowledged;       /* staff have seen it */
};
#define KIOSK_FETCH_NONE 0
#define KIOSK_FETCH_PENDING 1
#define KIOSK_FETCH_DONE 2
/* "none", "pending" or "done": the fetch state's word in the status
 * report and in tilstedectl's JSON ("none" for a value out of range). */
const char *kiosk_fetch_state_name(int fetch_state);
/* Records a restore (called once by main after kiosk_open when recovery_prepare restored a backup). */
int kiosk_recovery_record(struct kiosk *kiosk, int64_t backup_us, int skipped_backups);
/* 1 and *out filled when a recovery is on record (the latest one), 0 when none, < 0 error. */
int kiosk_recovery_status(struct kiosk *kiosk, struct kiosk_recovery *out);
/* Staff have seen it: it stops showing on screen (the record stays for the status report until fetch is done). */
int kiosk_recovery_acknowledge(struct kiosk *kiosk);

/* What staff should know of the upload: events the central refused that
 * staff have not yet acknowledged, and since when the central refuses this
 * kiosk's token (401; 0 when it does not). 0 or < 0. */
int kiosk_upload_notices(struct kiosk *kiosk, int *refused_unseen, int64_t *token_refused_us);
/* Staff have seen the refused events (the staff menu's "Seen"; the same as
 * `tilstedectl sync --refused --ack`). 0 or < 0. */
int kiosk_refused_acknowledge(struct kiosk *kiosk);

#endif
