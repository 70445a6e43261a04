/* What a storage backend provides: a table of operations, one per
 * central_store_* call (see store.h for what each must do). A backend's
 * handle starts with `struct central_store` and is cast back by the
 * backend. An operation a backend cannot do is left NULL. */
#ifndef TILSTEDE_CENTRAL_STORE_BACKEND_H
#define TILSTEDE_CENTRAL_STORE_BACKEND_H

#include "store.h"
#include "store_mail.h"
#include "store_review.h"
#include "store_web.h"

/* The web app's operations (store_web.h), one per central_store_* call of
 * that header; the whole table may be NULL. */
struct central_store_web_ops {
    int (*user_add)(struct central_store *store, const struct central_user *user,
                    const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                    size_t errlen);
    int (*user_relink)(struct central_store *store, const char *name,
                       const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                       size_t errlen);
    int (*user_get)(struct central_store *store, const char *name, struct central_user *user,
                    char *err, size_t errlen);
    int (*users)(struct central_store *store, central_user_cb cb, void *ctx, char *err,
                 size_t errlen);
    int (*user_revoke)(struct central_store *store, const char *name, char *err, size_t errlen);
    int (*user_setup_find)(struct central_store *store, const unsigned char *setup_hash,
                           struct central_user *user, char *err, size_t errlen);
    int (*user_setup_use)(struct central_store *store, const unsigned char *setup_hash,
                          const char *password_hash, struct central_user *user, char *err,
                          size_t errlen);
    int (*user_set_lang)(struct central_store *store, int64_t user_id, const char *lang,
                         char *err, size_t errlen);
    int (*user_set_full_name)(struct central_store *store, const char *name,
                              const char *full_name, char *err, size_t errlen);
    int (*session_add)(struct central_store *store, const unsigned char *id_hash,
                       int64_t user_id, const char *csrf, char *err, size_t errlen);
    int (*session_get)(struct central_store *store, const unsigned char *id_hash,
                       int64_t idle_us, struct central_user *user, char *csrf, char *err,
                       size_t errlen);
    int (*session_delete)(struct central_store *store, const unsigned char *id_hash, char *err,
                          size_t errlen);
    int (*login_failures)(struct central_store *store, const char *key, int64_t *failures,
                          int64_t *last_us, char *err, size_t errlen);
    int (*login_failure)(struct central_store *store, const char *key, int clear, char *err,
                         size_t errlen);
    int (*audit_add)(struct central_store *store, const struct central_audit *audit, char *err,
                     size_t errlen);
    int (*audit_add_many)(struct central_store *store, const struct central_audit *audits,
                          size_t count, char *err, size_t errlen);
    int (*upload_put)(struct central_store *store, const unsigned char *session_hash,
                      const unsigned char *id_hash, const struct central_upload *upload,
                      int64_t keep_us, char *err, size_t errlen);
    int (*upload_get)(struct central_store *store, const unsigned char *session_hash,
                      const unsigned char *id_hash, int64_t keep_us,
                      struct central_upload *upload, char *err, size_t errlen);
    int (*upload_delete)(struct central_store *store, const unsigned char *id_hash, char *err,
                         size_t errlen);
    int (*audits)(struct central_store *store, size_t limit, central_audit_cb cb, void *ctx,
                  char *err, size_t errlen);
    int (*present)(struct central_store *store, const char *site, central_presence_cb cb,
                   void *ctx, char *err, size_t errlen);
    int (*volunteers)(struct central_store *store, const struct central_volunteer_filter *filter,
                      central_volunteer_cb cb, void *ctx, char *err, size_t errlen);
    int (*volunteer_get)(struct central_store *store, const char *external_id,
                         struct central_volunteer *volunteer, char *err, size_t errlen);
    int (*volunteer_cards)(struct central_store *store, const char *external_id,
                           central_card_cb cb, void *ctx, char *err, size_t errlen);
    int (*volunteer_visits)(struct central_store *store, const char *external_id,
                            const char *site, size_t limit, central_visit_cb cb, void *ctx,
                            char *err, size_t errlen);
    int (*notes)(struct central_store *store, const char *external_id, central_note_cb cb,
                 void *ctx, char *err, size_t errlen);
    int (*note_add)(struct central_store *store, const char *external_id,
                    const struct central_note *note, char *err, size_t errlen);
    int (*card_revoke)(struct central_store *store, const char *external_id,
                       const char *card_hash, char *err, size_t errlen);
};

/* The monthly mail's operations (store_mail.h); the table may be NULL. */
struct central_store_mail_ops {
    int (*user_set_mail)(struct central_store *store, const char *name, const char *email,
                         int monthly, char *err, size_t errlen);
    int (*claim)(struct central_store *store, const char *month, int64_t user_id,
                 const char *address, int64_t now_us, int64_t lease_us, int ignore_backoff,
                 int64_t *attempts, char *err, size_t errlen);
    int (*result)(struct central_store *store, const char *month, int64_t user_id, int64_t now_us,
                  const char *error, int64_t next_try_us, char *err, size_t errlen);
    int (*failures)(struct central_store *store, central_mail_state_cb cb, void *ctx, char *err,
                    size_t errlen);
};

/* The review of visits closed automatically (store_review.h): each
 * backend's SQL, one slot a step; the steps of a correction are
 * store_review.c's, so both backends take them alike. The table may be
 * NULL. */
struct central_store_review_ops {
    int (*visits)(struct central_store *store, const char *site, size_t limit,
                  central_review_visit_cb cb, void *ctx, char *err, size_t errlen);
    /* 1 with *visit when a visit closed automatically by end_event awaits
     * review, and *device (when not NULL) the kiosk that recorded
     * end_event; 0 when none awaits review; < 0 with err set. */
    int (*find)(struct central_store *store, const char *end_event,
                struct central_review_visit *visit, int64_t *device, char *err, size_t errlen);
    /* Begins a correction's write transaction: until finish, no upload of
     * site changes its events or visits. */
    int (*begin)(struct central_store *store, const char *site, char *err, size_t errlen);
    /* Inside it: stores ev as device's event, received at ev's recorded
     * time, names it made in the web app by actor, and applies it to the
     * visits as an uploaded correction: visits_apply's 0 (a visit changed)
     * or 1 (none: a newer correction wins), or < 0 with err set. */
    int (*record)(struct central_store *store, const struct event *ev, int64_t device,
                  const char *actor, char *err, size_t errlen);
    /* Ends it: commits when rc is 0, else rolls back; rc, or the commit's
     * failure. */
    int (*finish)(struct central_store *store, int rc, char *err, size_t errlen);
    int (*corrections_after)(struct central_store *store, const char *site, int64_t after,
                             size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                             int *more, char *err, size_t errlen);
};

/* The review list's rows in both backends' SQL (the same words in
 * SQLite's and PostgreSQL's), the columns in central_review_visit's order
 * and then the kiosk that recorded the auto-close; each backend adds its
 * WHERE and ORDER BY, with its own parameters. end_kind 3 is
 * EVENT_AUTOCLOSE: a visit flagged for another reason (a check-in that
 * closed the visit before it) is not the auto-close the correction names,
 * and ends with the next visit's start event. */
#define CENTRAL_REVIEW_SELECT                                                                      \
    "SELECT v.end_event, v.site, coalesce(s.name, v.site), v.volunteer, "                          \
    "coalesce(p.given_name || ' ' || p.family_name, ''), coalesce(a.title, ''), v.start_us, "      \
    "v.end_us, e.device FROM visit v JOIN event e ON e.event_id = v.end_event "                    \
    "LEFT JOIN site s ON s.id = v.site LEFT JOIN volunteer p ON p.external_id = v.volunteer "      \
    "LEFT JOIN activity a ON a.id = v.activity "                                                   \
    "WHERE v.review = 1 AND v.end_kind = 3 AND v.end_us IS NOT NULL "

struct central_store_ops {
    const char *name;
    void (*close)(struct central_store *store);
    int (*device_auth)(struct central_store *store, const unsigned char *hash,
                       struct central_device *device, char *err, size_t errlen);
    int (*ingest)(struct central_store *store, const struct central_device *device,
                  const struct event *events, size_t count, enum central_ingest_result *results,
                  char *err, size_t errlen);
    int (*roster_since)(struct central_store *store, const char *site, int64_t since,
                        const struct central_roster_sink *sink, int64_t *cursor, int *full,
                        char *err, size_t errlen);
    int (*events_after)(struct central_store *store, const char *site, int64_t after,
                        size_t limit, central_event_cb cb, void *ctx, int64_t *cursor, int *more,
                        char *err, size_t errlen);
    int (*status_put)(struct central_store *store, int64_t device_id,
                      const struct central_status *status, char *err, size_t errlen);
    /* sites_json: a JSON array of the site ids to count, or NULL for all. */
    int (*totals)(struct central_store *store, const char *from, const char *to,
                  enum central_group group, const char *sites_json, central_total_cb cb, void *ctx,
                  char *err, size_t errlen);
    int (*reviews)(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                   char *err, size_t errlen);
    int (*volunteer_sites)(struct central_store *store, const char *from, const char *to,
                           central_volunteer_site_cb cb, void *ctx, char *err, size_t errlen);
    int (*site_add)(struct central_store *store, const struct central_site *site, char *err,
                    size_t errlen);
    int (*sites)(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                 size_t errlen);
    int (*site_get)(struct central_store *store, const char *id, struct central_site *site,
                    char *err, size_t errlen);
    int (*device_add)(struct central_store *store, const char *site, const char *name,
                      const unsigned char *hash, int64_t *id, char *err, size_t errlen);
    int (*device_revoke)(struct central_store *store, int64_t id, char *err, size_t errlen);
    int (*devices)(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                   size_t errlen);
    int (*admin_add)(struct central_store *store, const char *name, const unsigned char *hash,
                     char *err, size_t errlen);
    int (*admin_revoke)(struct central_store *store, const char *name, char *err, size_t errlen);
    int (*admin_auth)(struct central_store *store, const unsigned char *hash, char *err,
                      size_t errlen);
    int (*roster_replace)(struct central_store *store, const struct central_volunteer *volunteers,
                          size_t count, size_t *changed, char *err, size_t errlen);
    int (*activity_add)(struct central_store *store, const struct central_activity *activity,
                        char *err, size_t errlen);
    int (*plan_add)(struct central_store *store, const struct central_plan *plan,
                    const struct central_activity *occurrences, size_t count, char *err,
                    size_t errlen);
    int (*occurrence_change)(struct central_store *store, const char *plan, const char *plan_date,
                             const struct central_activity *change, char *err, size_t errlen);
    int (*plans)(struct central_store *store, const char *site, central_plan_cb cb, void *ctx,
                 char *err, size_t errlen);
    int (*plan_import)(struct central_store *store, const char *site, const char *from,
                       const struct central_plan_import *plans, size_t count,
                       const char *const *keep, size_t keep_count,
                       struct central_import_counts *counts, char *err, size_t errlen);
    int (*activities)(struct central_store *store, const char *site, const char *from,
                      const char *to, central_activity_cb cb, void *ctx, char *err, size_t errlen);
    int (*opening_set)(struct central_store *store, const char *site,
                       const struct central_opening *hours, char *err, size_t errlen);
    int (*openings)(struct central_store *store, central_opening_cb cb, void *ctx, char *err,
                    size_t errlen);
    int (*volunteer_export)(struct central_store *store, const char *external_id,
                            const struct central_volunteer_sink *sink, int64_t *seconds,
                            int64_t *visits, char *err, size_t errlen);
    int (*volunteer_forget)(struct central_store *store, const char *external_id,
                            struct central_erasure *erased, char *err, size_t errlen);
    const struct central_store_web_ops *web;
    const struct central_store_mail_ops *mail;
    const struct central_store_review_ops *review;
};

struct central_store {
    const struct central_store_ops *ops;
};

/* The backends. */
int central_sqlite_open(const char *path, struct central_store **out, char *err, size_t errlen);
/* location: a libpq connection URI (postgresql://...). */
int central_pg_open(const char *location, struct central_store **out, char *err, size_t errlen);
/* For the tests of the migrations: brings the database only to `version`
 * (never down); and the version this program's schema is at. */
int central_pg_migrate_to(const char *location, int version, char *err, size_t errlen);
int central_pg_schema_version(void);
/* SQLite's web operations (store_sqlite_web.c), on the handle's database. */
extern const struct central_store_web_ops central_sqlite_web_ops;
/* SQLite's monthly mail operations (store_sqlite_mail.c). */
extern const struct central_store_mail_ops central_sqlite_mail_ops;
/* SQLite's review of visits closed automatically (store_sqlite_review.c). */
extern const struct central_store_review_ops central_sqlite_review_ops;
/* PostgreSQL's (store_pg_web.c). */
extern const struct central_store_web_ops central_pg_web_ops;
extern const struct central_store_mail_ops central_pg_mail_ops;
/* PostgreSQL's review (store_pg_review.c). */
extern const struct central_store_review_ops central_pg_review_ops;

#endif
