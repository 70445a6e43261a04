/* Inside the PostgreSQL backend (store_pg*.c): the handle, the prepared
 * statements by name, parameters in text form, and the helpers its files
 * share. Nothing outside the backend includes it. */
#ifndef TILSTEDE_CENTRAL_STORE_PG_H
#define TILSTEDE_CENTRAL_STORE_PG_H

#include <libpq-fe.h>
#include <stdio.h>

#include "buf.h"
#include "store_backend.h"

#define PARAMS_MAX 20
#define NUMBER_MAX 24

/* The prepared statements (their SQL in store_pg_sql.c). */
enum {
    ST_DEVICE_AUTH,
    ST_SITE_LOCK,
    ST_EVENTS_INSERT,
    ST_CARD_SET,
    ST_CORRECTED_ELSEWHERE,
    ST_EVENTS_AFTER,
    ST_CHANGE_NEXT,
    ST_CHANGE_NOW,
    ST_DEVICE_SEEN,
    ST_VOLUNTEERS_SINCE,
    ST_CARDS_SINCE,
    ST_ACTIVITIES_SINCE,
    ST_STATUS_PUT,
    ST_TOTAL_SITE,
    ST_TOTAL_ACTIVITY,
    ST_TOTAL_MONTH,
    ST_TOTAL_VOLUNTEER,
    ST_REVIEWS,
    ST_VOLUNTEER_SITES,
    ST_SITE_ADD,
    ST_SITES,
    ST_SITE_GET,
    ST_DEVICE_ADD,
    ST_DEVICE_REVOKE,
    ST_DEVICES,
    ST_ADMIN_ADD,
    ST_ADMIN_REVOKE,
    ST_ADMIN_AUTH,
    ST_ACTIVITY_ADD,
    ST_ROSTER_UPSERT,
    ST_ROSTER_SEEN,
    ST_ROSTER_RETIRE,
    ST_VOLUNTEER_KNOWN,
    ST_VOLUNTEER_GET,
    ST_VOLUNTEER_CARDS,
    ST_VOLUNTEER_EVENTS,
    ST_VOLUNTEER_HOURS,
    ST_FORGET_TOTALS,
    ST_FORGET_VISITS,
    ST_FORGET_EVENTS,
    ST_FORGET_CARDS,
    ST_FORGET_VOLUNTEER,
    ST_VISITS_OPEN,
    ST_VISITS_INSERT,
    ST_VISITS_CLOSE,
    ST_VISIT_CORRECT_START,
    ST_VISIT_CORRECT_END,
    ST_NEWER_CORRECTION,
    ST_CORRECTIONS_AFTER,
    ST_COUNT
};

extern const char *const pg_statement_sql[ST_COUNT];

struct pg_store {
    struct central_store base;
    PGconn *conn;
    char *location;
    int prepared;
};

/* Parameters in text form; NULL for SQL NULL. */
struct params {
    const char *value[PARAMS_MAX];
    char number[PARAMS_MAX][NUMBER_MAX];
    int count;
};

static inline void param_text(struct params *p, const char *value)
{
    p->value[p->count++] = value;
}

/* An empty text is NULL, as the SQLite backend binds it. */
static inline void param_optional(struct params *p, const char *value)
{
    p->value[p->count++] = value && value[0] ? value : NULL;
}

static inline void param_number(struct params *p, int64_t value)
{
    snprintf(p->number[p->count], NUMBER_MAX, "%lld", (long long)value);
    p->value[p->count] = p->number[p->count];
    p->count++;
}

static inline void param_null(struct params *p)
{
    p->value[p->count++] = NULL;
}

/* A parameter of array type (text[], bigint[], int[]) in PostgreSQL's
 * text form, built element by element: a whole batch then goes to the
 * server in one statement. Every element is quoted and escaped, so any
 * text goes through as it is; an element longer than PG_ARRAY_ELEMENT_MAX
 * is an error, never cut. */
#define PG_ARRAY_ELEMENT_MAX 128
struct pg_array {
    struct central_buf buf;
    size_t count;
};

/* Room for `elements` elements of at most PG_ARRAY_ELEMENT_MAX bytes. */
void pg_array_init(struct pg_array *a, size_t elements);
/* NULL (the pointer) appends SQL NULL; "" an empty text. */
int pg_array_text(struct pg_array *a, const char *value);
int pg_array_number(struct pg_array *a, int64_t value);
/* The literal ("{...}"), valid until pg_array_free; NULL when an append
 * failed (over the cap, out of memory). */
const char *pg_array_end(struct pg_array *a);
void pg_array_free(struct pg_array *a);

static inline struct pg_store *pg_cast(struct central_store *store)
{
    return (struct pg_store *)store;
}

/* A token's hash as hex text, for decode($n, 'hex'). */
#define PG_HASH_HEX_MAX (CENTRAL_TOKEN_HASH_BYTES * 2 + 1)
void pg_hash_hex(const unsigned char *hash, char out[PG_HASH_HEX_MAX]);
int64_t pg_now_us(void);
int64_t pg_column_int(const PGresult *res, int row, int col);
void pg_copy_column(const PGresult *res, int row, int col, char *out, size_t cap);
/* Runs a prepared statement; *out gets the result when the caller wants
 * rows (PQclear it). 0, or a negative errno with err set; -EBUSY when the
 * server cannot be reached (the next call connects again). */
int pg_query(struct pg_store *s, int which, const struct params *p, PGresult **out,
             const char *what, char *err, size_t errlen);
/* Like pg_query, for a statement run once (the web app's, a few per page
 * a person opens): parsed each time, no name kept. */
int pg_run(struct pg_store *s, const char *sql, const struct params *p, PGresult **out,
           const char *what, char *err, size_t errlen);
/* One statement of a pipeline: prepared (which) or plain (sql, run as
 * its own statement), *out getting its rows when not NULL. */
struct pg_step {
    int which;
    const char *sql;
    const struct params *p;
    PGresult **out;
    const char *what;
};
/* Sends the steps at once in libpq's pipeline mode, one round trip for
 * them all, and takes their results in order: 0, or the first failure's
 * errno with err set, as pg_query's (the server runs none after it). A
 * transaction begun in a pipeline stays open after it. */
int pg_pipeline(struct pg_store *s, const struct pg_step *steps, size_t count, char *err,
                size_t errlen);
/* Like pg_query; *changed gets the number of rows changed. */
int pg_query_changes(struct pg_store *s, int which, const struct params *p, int64_t *changed,
                     const char *what, char *err, size_t errlen);
/* Connected, with the statements prepared: 0, or -EBUSY. */
int pg_ready(struct pg_store *s, char *err, size_t errlen);
int pg_begin_write(struct pg_store *s, char *err, size_t errlen);
/* One snapshot (REPEATABLE READ) for all the reads of an operation. */
int pg_begin_read(struct pg_store *s, char *err, size_t errlen);
int pg_commit(struct pg_store *s, char *err, size_t errlen);
void pg_rollback(struct pg_store *s);
/* Ends a write transaction: commits when rc is 0, else (or when the commit
 * fails) rolls back; rc, or the commit's failure. */
int pg_finish(struct pg_store *s, int rc, char *err, size_t errlen);
/* The next value of the roster change counter, inside the caller's write
 * transaction; its row stays locked until the commit. */
int pg_next_change(struct pg_store *s, int64_t *value, char *err, size_t errlen);
int pg_read_event(const PGresult *res, int row, int col, const char *what, struct event *ev,
                  char *err, size_t errlen);
void pg_read_volunteer(const PGresult *res, int row, struct central_volunteer *v);
void pg_read_card(const PGresult *res, int row, struct central_card *c);

/* An activity row: these columns, read by pg_read_activity. */
#define PG_ACTIVITY_COLUMNS                                                                        \
    "id, site, date, start, \"end\", title, place, coalesce(plan, ''), coalesce(plan_date, ''), "  \
    "cancelled"
void pg_read_activity(const PGresult *res, int row, struct central_activity *a);
/* An activity's ten parameters (ST_ACTIVITY_ADD's): id, site, date, start,
 * end, title, place, the change counter, its plan, plan_date. */
void pg_activity_params(struct params *p, const struct central_activity *a, const char *plan,
                        int64_t change);

/* The operations of store_pg_ingest.c, store_pg_roster.c and store_pg_plan.c. */
int pg_ingest(struct central_store *store, const struct central_device *device,
              const struct event *events, size_t count, enum central_ingest_result *results,
              char *err, size_t errlen);
int pg_status_put(struct central_store *store, int64_t device_id,
                  const struct central_status *status, char *err, size_t errlen);
int pg_events_after(struct central_store *store, const char *site, int64_t after, size_t limit,
                    central_event_cb cb, void *ctx, int64_t *cursor, int *more, char *err,
                    size_t errlen);
/* A page of a site's events by the prepared statement `which` (site,
 * cursor, limit; rows of seq and the event), as pg_events_after's. */
int pg_events_page(struct pg_store *s, int which, const char *site, int64_t after, size_t limit,
                   central_event_cb cb, void *ctx, int64_t *cursor, int *more, char *err,
                   size_t errlen);
/* Stores an event that names the visit it changes (a correction made in
 * the web app) as device's, received at received_us, and applies it to
 * the visits as an uploaded one is: inside the caller's write transaction,
 * which holds the site's lock (ST_SITE_LOCK); visits_apply's result. */
int pg_event_apply(struct pg_store *s, const struct event *ev, int64_t device,
                   int64_t received_us, char *err, size_t errlen);
int pg_roster_since(struct central_store *store, const char *site, int64_t since,
                    const struct central_roster_sink *sink, int64_t *cursor, int *full, char *err,
                    size_t errlen);
int pg_roster_replace(struct central_store *store, const struct central_volunteer *volunteers,
                      size_t count, size_t *changed, char *err, size_t errlen);
int pg_totals(struct central_store *store, const char *from, const char *to,
              enum central_group group, const char *sites_json, central_total_cb cb, void *ctx,
              char *err, size_t errlen);
int pg_volunteer_sites(struct central_store *store, const char *from, const char *to,
                       central_volunteer_site_cb cb, void *ctx, char *err, size_t errlen);
int pg_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx, char *err,
               size_t errlen);
int pg_volunteer_export(struct central_store *store, const char *external_id,
                        const struct central_volunteer_sink *sink, int64_t *seconds,
                        int64_t *visits, char *err, size_t errlen);
int pg_activity_add(struct central_store *store, const struct central_activity *activity, char *err,
                    size_t errlen);
int pg_plan_add(struct central_store *store, const struct central_plan *plan,
                const struct central_activity *occurrences, size_t count, char *err, size_t errlen);
int pg_occurrence_change(struct central_store *store, const char *plan, const char *plan_date,
                         const struct central_activity *change, char *err, size_t errlen);
int pg_plans(struct central_store *store, const char *site, central_plan_cb cb, void *ctx,
             char *err, size_t errlen);
int pg_plan_import(struct central_store *store, const char *site, const char *from,
                   const struct central_plan_import *plans, size_t count, const char *const *keep,
                   size_t keep_count, struct central_import_counts *counts, char *err,
                   size_t errlen);
int pg_activities(struct central_store *store, const char *site, const char *from, const char *to,
                  central_activity_cb cb, void *ctx, char *err, size_t errlen);
int pg_opening_set(struct central_store *store, const char *site,
                   const struct central_opening *hours, char *err, size_t errlen);
int pg_openings(struct central_store *store, central_opening_cb cb, void *ctx, char *err,
                size_t errlen);
int pg_volunteer_forget(struct central_store *store, const char *external_id,
                        struct central_erasure *erased, char *err, size_t errlen);

/* The duration a visit counts for, as visits_rounded_seconds() computes it,
 * with `r` the setting row (the SQLite backend's ROUNDED). */
#define ROUNDED(v)                                                                                 \
    "CASE WHEN r.round_minutes > 0 THEN (greatest(0, (" v ".end_us - " v ".start_us) / 1000000)"   \
    " + r.round_minutes * 30) / (r.round_minutes * 60) * (r.round_minutes * 60)"                   \
    " ELSE greatest(0, (" v ".end_us - " v ".start_us) / 1000000) END"

#endif
