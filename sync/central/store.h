/* The central's storage: the one narrow interface the HTTP layer, the
 * reports, the dashboard and the admin commands use. Each backend (SQLite,
 * PostgreSQL) is a table of operations (store_backend.h); a
 * missing operation answers -ENOTSUP. A handle is used by one thread at a
 * time; the server keeps one handle per worker thread. */
#ifndef TILSTEDE_CENTRAL_STORE_H
#define TILSTEDE_CENTRAL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define CENTRAL_TOKEN_HASH_BYTES 32
#define CENTRAL_NAME_MAX         128 /* display names, titles, places (with the NUL) */
#define CENTRAL_DATE_LEN         10  /* YYYY-MM-DD */
#define CENTRAL_KIND_MAX         24
#define CENTRAL_STATUS_TEXT_MAX  512 /* a kiosk's last error, with the NUL */

struct central_store;

struct central_site {
    char id[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX];
    char kind[CENTRAL_KIND_MAX]; /* sykehjem, helsehus, aktivitetshus, hjemmetjeneste, other */
};

/* A kiosk's restore from backup, as its status report tells it. */
struct central_recovery {
    int reported;      /* 0: the report told of no restore (the rest is 0) */
    int64_t at_us;     /* when the kiosk put the backup in place */
    int64_t backup_us; /* when that backup was taken */
    int64_t skipped_backups;
    char fetch[8]; /* "pending", "done" or "none": fetching back the central's events */
    int64_t fetched_events;
};

/* What a kiosk last said about itself (POST /v1/status). */
struct central_status {
    int64_t received_us; /* 0: never reported */
    char software_version[64];
    int64_t events_waiting;
    int64_t last_upload_us; /* 0: none */
    char last_error[CENTRAL_STATUS_TEXT_MAX];
    char reader_state[32];
    int clock_synced;
    struct central_recovery recovery;
    int64_t events_refused;   /* refused events the kiosk keeps; -1: not reported */
    int64_t token_refused_us; /* the last 401 to the kiosk's token it tells of; 0: none */
};

struct central_device {
    int64_t id;
    char site[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX];
    int64_t created_us;
    int64_t revoked_us;   /* 0: active */
    int64_t last_seen_us; /* 0: never */
    struct central_status status;
};

struct central_volunteer {
    char external_id[EVENT_KEY_MAX];
    char given_name[CENTRAL_NAME_MAX];
    char family_name[CENTRAL_NAME_MAX];
    int active;
    char confidentiality_signed[CENTRAL_DATE_LEN + 1]; /* "" for none */
    char police_valid_until[CENTRAL_DATE_LEN + 1];     /* "" for none */
    /* Signed, or has a certificate, but the roster gives no date (the
     * coordinator's spreadsheet says only "ja"). */
    int confidentiality_undated;
    int police_undated;
};

struct central_card {
    char card_hash[CARD_HASH_HEX + 1];
    char volunteer[EVENT_KEY_MAX];
    int revoked;
};

struct central_activity {
    char id[EVENT_ID_LEN + 1];
    char site[EVENT_KEY_MAX];
    char date[CENTRAL_DATE_LEN + 1];
    char start[6]; /* HH:MM */
    char end[6];
    char title[CENTRAL_NAME_MAX];
    char place[CENTRAL_NAME_MAX];
    /* An occurrence of a weekly plan (plan.h): the plan's id and the date
     * the plan gave it before any move; both "" for a one-date activity. */
    char plan[EVENT_ID_LEN + 1];
    char plan_date[CENTRAL_DATE_LEN + 1];
    int cancelled; /* this occurrence will not happen: kiosks drop it */
};

enum central_ingest_result {
    CENTRAL_INGEST_STORED = 1,
    CENTRAL_INGEST_DUPLICATE = 2,
};

/* Receives the roster rows changed since a cursor. A callback returning
 * non-zero stops the walk and is returned. */
struct central_roster_sink {
    int (*volunteer)(void *ctx, const struct central_volunteer *volunteer);
    int (*card)(void *ctx, const struct central_card *card);
    int (*activity)(void *ctx, const struct central_activity *activity);
    void *ctx;
};

enum central_group {
    CENTRAL_GROUP_SITE,
    CENTRAL_GROUP_ACTIVITY,
    CENTRAL_GROUP_MONTH,
    CENTRAL_GROUP_VOLUNTEER,
};

/* One group's total in a period: closed visits that started in it. */
struct central_total {
    char key[EVENT_KEY_MAX];          /* site id, activity id ("" none), YYYY-MM, volunteer id */
    char label[CENTRAL_NAME_MAX * 2]; /* site name, activity title, "", volunteer's name */
    char site_kind[CENTRAL_KIND_MAX]; /* for sites */
    char detail[CENTRAL_NAME_MAX];    /* activity: "YYYY-MM-DD, site name" */
    int64_t seconds;
    int64_t visits;
};

/* A visit closed automatically that staff have not looked at yet. */
struct central_review {
    char site[EVENT_KEY_MAX];
    char site_name[CENTRAL_NAME_MAX];
    char volunteer[EVENT_KEY_MAX];
    char volunteer_name[CENTRAL_NAME_MAX * 2];
    int64_t start_us;
    int64_t end_us;
};

/* One volunteer's closed visits at one site in a period: what the
 * coordinator's questions (whom to thank, whom we have lost, whose papers
 * need attention) are answered from. */
struct central_volunteer_site {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2]; /* "" when the roster has no row */
    char site[EVENT_KEY_MAX];
    char site_name[CENTRAL_NAME_MAX];
    int64_t seconds; /* rounded as the reports count them */
    int64_t visits;
    int64_t first_us, last_us; /* the first and the last visit's start */
};

/* Receives what the central keeps of one volunteer (an export on request,
 * GDPR art. 15). A callback returning non-zero stops the walk and is
 * returned. */
struct central_volunteer_sink {
    int (*volunteer)(void *ctx, const struct central_volunteer *volunteer);
    int (*card)(void *ctx, const struct central_card *card);
    int (*event)(void *ctx, const struct event *event);
    void *ctx;
};

/* What an erasure removed. */
struct central_erasure {
    int64_t events;
    int64_t visits;
    int64_t cards;
    int roster; /* 1: the roster row was there */
};

typedef int (*central_event_cb)(void *ctx, const struct event *event);
typedef int (*central_site_cb)(void *ctx, const struct central_site *site);
typedef int (*central_device_cb)(void *ctx, const struct central_device *device);
typedef int (*central_total_cb)(void *ctx, const struct central_total *total);
typedef int (*central_review_cb)(void *ctx, const struct central_review *review);
typedef int (*central_volunteer_site_cb)(void *ctx, const struct central_volunteer_site *row);

/* Opens (and creates or migrates) the store at `location`: a file path or
 * "sqlite:PATH" for SQLite; a libpq URI "postgresql://..." (or
 * "postgres://...") for PostgreSQL. */
int central_store_open(const char *location, struct central_store **out, char *err, size_t errlen);
void central_store_close(struct central_store *store);
const char *central_store_backend(const struct central_store *store);

/* The device whose token hashes to `hash`, if it is not revoked: 0, or
 * -ENOENT for an unknown or revoked token. */
int central_store_device_auth(struct central_store *store,
                              const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES],
                              struct central_device *device, char *err, size_t errlen);

/* Stores a batch of valid events for the device's site, all or nothing, in
 * the given order: results[i] says whether events[i] was new or already
 * stored. Returns 0; -EBUSY when the store is overloaded (retry later);
 * another negative errno when it failed (nothing stored). */
int central_store_ingest(struct central_store *store, const struct central_device *device,
                         const struct event *events, size_t count,
                         enum central_ingest_result *results, char *err, size_t errlen);

/* Volunteers and cards (deployment-wide) and the site's activities changed
 * after `since` (0: everything). *cursor is the position to ask from next
 * time; *full is 1 when everything was sent (the client replaces its copy). */
int central_store_roster_since(struct central_store *store, const char *site, int64_t since,
                               const struct central_roster_sink *sink, int64_t *cursor, int *full,
                               char *err, size_t errlen);

/* The site's events stored after the cursor `after` (0: from the first),
 * in the order they were stored, at most `limit`: cb gets each. *cursor is
 * where the next page starts (`after` when there were none); *more is 1
 * when events after this page exist. Only `site`'s events, never another's. */
int central_store_events_after(struct central_store *store, const char *site, int64_t after,
                               size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                               int *more, char *err, size_t errlen);

int central_store_status_put(struct central_store *store, int64_t device_id,
                             const struct central_status *status, char *err, size_t errlen);

/* Totals per group of closed visits that started between the local dates
 * from and to (inclusive, YYYY-MM-DD), largest first for volunteers and
 * activities, in key order otherwise. */
int central_store_totals(struct central_store *store, const char *from, const char *to,
                         enum central_group group, central_total_cb cb, void *ctx, char *err,
                         size_t errlen);
/* The same, of the listed sites only (a contact's, or a drill-down's):
 * sites NULL is every site, site_count 0 with sites not NULL is none. */
int central_store_totals_at(struct central_store *store, const char *from, const char *to,
                            enum central_group group, const char *const *sites, size_t site_count,
                            central_total_cb cb, void *ctx, char *err, size_t errlen);
int central_store_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                          char *err, size_t errlen);

/* Per volunteer and site, the closed visits that started between the local
 * dates from and to (inclusive), ordered by volunteer, then site. */
int central_store_volunteer_sites(struct central_store *store, const char *from, const char *to,
                                  central_volunteer_site_cb cb, void *ctx, char *err,
                                  size_t errlen);

int central_store_site_add(struct central_store *store, const struct central_site *site, char *err,
                           size_t errlen);
int central_store_sites(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                        size_t errlen);
/* One site by id: 0, or -ENOENT when there is none. */
int central_store_site_get(struct central_store *store, const char *id, struct central_site *site,
                           char *err, size_t errlen);
int central_store_device_add(struct central_store *store, const char *site, const char *name,
                             const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], int64_t *id,
                             char *err, size_t errlen);
int central_store_device_revoke(struct central_store *store, int64_t id, char *err, size_t errlen);
int central_store_devices(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                          size_t errlen);
/* Dashboard logins: a name and a token hash, like devices. */
int central_store_admin_add(struct central_store *store, const char *name,
                            const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                            size_t errlen);
int central_store_admin_revoke(struct central_store *store, const char *name, char *err,
                               size_t errlen);
int central_store_admin_auth(struct central_store *store,
                             const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                             size_t errlen);
/* Replaces the roster: volunteers in the list are added or updated, those
 * missing from it are marked inactive (never deleted: their hours stay). */
int central_store_roster_replace(struct central_store *store,
                                 const struct central_volunteer *volunteers, size_t count,
                                 size_t *changed, char *err, size_t errlen);
int central_store_activity_add(struct central_store *store, const struct central_activity *activity,
                               char *err, size_t errlen);

/* Weekly plans (plan.h). plan_add stores a checked plan and its expanded
 * occurrences in one transaction, with one roster change so the kiosks
 * receive them all at their next poll; -ENOENT for an unknown site.
 * occurrence_change cancels (change->cancelled) or moves (change's date,
 * start, end; "" keeps the field) the occurrence the plan gave plan_date; -ENOENT when the
 * plan has none that day. plans lists a site's plans ("" every site) by
 * start date. */
struct central_plan;
typedef int (*central_plan_cb)(void *ctx, const struct central_plan *plan);
int central_store_plan_add(struct central_store *store, const struct central_plan *plan,
                           const struct central_activity *occurrences, size_t count, char *err,
                           size_t errlen);
int central_store_occurrence_change(struct central_store *store, const char *plan,
                                    const char *plan_date, const struct central_activity *change,
                                    char *err, size_t errlen);
int central_store_plans(struct central_store *store, const char *site, central_plan_cb cb,
                        void *ctx, char *err, size_t errlen);

/* A calendar import (ical.h): each plan (its uid set; its id used only
 * when the uid is new) with its occurrences on and after `from`, in
 * plan_date order. plan_import, in one transaction, adds each plan or
 * updates the one imported before with its uid (the same id), makes its
 * occurrences from `from` on be those given (one no longer given is
 * cancelled, never deleted: visits may name it), and cancels from `from`
 * on the occurrences of the site's imported plans whose uid is neither
 * given nor in keep[] (events gone from the calendar). -EEXIST when a uid
 * was imported for another site. */
struct central_plan_import {
    const struct central_plan *plan;
    const struct central_activity *occurrences;
    size_t count;
};
struct central_import_counts {
    size_t added, updated, removed; /* plans */
    size_t changed;                 /* occurrences added or changed */
};
int central_store_plan_import(struct central_store *store, const char *site, const char *from,
                              const struct central_plan_import *plans, size_t count,
                              const char *const *keep, size_t keep_count,
                              struct central_import_counts *counts, char *err, size_t errlen);
/* A site's activities (one-date and occurrences, cancelled ones too) whose
 * date is between from and to (inclusive), by date and start. */
typedef int (*central_activity_cb)(void *ctx, const struct central_activity *activity);
int central_store_activities(struct central_store *store, const char *site, const char *from,
                             const char *to, central_activity_cb cb, void *ctx, char *err,
                             size_t errlen);

/* A site's opening hours (opening.h): set (hours NULL: open day and night
 * again), and every site's that has them. -ENOENT for an unknown site. */
struct central_opening;
typedef int (*central_opening_cb)(void *ctx, const struct central_opening *hours);
int central_store_opening_set(struct central_store *store, const char *site,
                              const struct central_opening *hours, char *err, size_t errlen);
int central_store_openings(struct central_store *store, central_opening_cb cb, void *ctx,
                           char *err, size_t errlen);

/* Everything kept of one volunteer, from one snapshot: the roster row (not
 * called when there is none), the cards, the events of every site in time
 * order; then *seconds and *visits of their closed visits, rounded as the
 * reports count them. -ENOENT when the central knows nothing of them (no
 * roster row, card or event). */
int central_store_volunteer_export(struct central_store *store, const char *external_id,
                                   const struct central_volunteer_sink *sink, int64_t *seconds,
                                   int64_t *visits, char *err, size_t errlen);
/* Erases, in one transaction, everything kept of one volunteer: events,
 * visits and their share of the daily totals, cards, the roster row. The
 * kiosks keep their own copies, and the next roster import adds the row
 * again if the file still has it. -ENOENT as for the export. */
int central_store_volunteer_forget(struct central_store *store, const char *external_id,
                                   struct central_erasure *erased, char *err, size_t errlen);

#endif
