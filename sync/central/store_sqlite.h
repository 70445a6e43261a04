/* Shared by the SQLite backend's files (store_sqlite.c, store_sqlite_web.c). */
#ifndef TILSTEDE_CENTRAL_STORE_SQLITE_H
#define TILSTEDE_CENTRAL_STORE_SQLITE_H

#include <sqlite3.h>

#include "store_backend.h"

/* The handle's connection (used by one thread at a time, as the handle). */
sqlite3 *central_sqlite_db(struct central_store *store);

/* store_sqlite_web.c's helpers for statements prepared per request: the
 * connection's last failure as a negative errno with its message, a
 * prepare, an exec, a rollback when a transaction is open, a text column. */
int central_sqlite_fail(sqlite3 *db, const char *what, char *err, size_t errlen);
int central_sqlite_prepare(sqlite3 *db, const char *sql, const char *what, sqlite3_stmt **st,
                           char *err, size_t errlen);
int central_sqlite_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen);
void central_sqlite_rollback(sqlite3 *db);
void central_sqlite_text(sqlite3_stmt *st, int col, char *out, size_t cap);

/* An activity row: these columns, read by central_sqlite_activity_row. */
#define CENTRAL_SQLITE_ACTIVITY_COLUMNS                                                            \
    "id, site, date, start, end, title, place, coalesce(plan, ''), coalesce(plan_date, ''), "     \
    "cancelled"
void central_sqlite_activity_row(sqlite3_stmt *st, struct central_activity *a);
/* Binds an activity as ?1 id, ?2 site, ?3 date, ?4 start, ?5 end, ?6 title,
 * ?7 place, ?8 the change counter, ?9 its plan, ?10 plan_date. */
void central_sqlite_activity_bind(sqlite3_stmt *st, const struct central_activity *a,
                                  const char *plan, int64_t change);

/* Pages of events for the kiosks: st selects seq and then EVENT_COLUMNS
 * with ?1 the site, ?2 the cursor (seq after), ?3 the row limit; binds them
 * (limit + 1 rows, to tell whether more follow), hands each event to cb
 * and resets st (see central_store_events_after). */
int central_sqlite_events_page(sqlite3 *db, sqlite3_stmt *st, const char *site, int64_t after,
                               size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                               int *more, char *err, size_t errlen);

/* Calendar imports and a site's week (store_sqlite_plan.c). */
int central_sqlite_plan_import(struct central_store *store, const char *site, const char *from,
                               const struct central_plan_import *plans, size_t count,
                               const char *const *keep, size_t keep_count,
                               struct central_import_counts *counts, char *err, size_t errlen);
int central_sqlite_activities(struct central_store *store, const char *site, const char *from,
                              const char *to, central_activity_cb cb, void *ctx, char *err,
                              size_t errlen);

/* Registers what the web operations' SQL calls (tilstede_fold, COLLATE
 * tilstede_nb) on a new connection. 0 or the failure. */
int central_sqlite_web_open(sqlite3 *db, char *err, size_t errlen);
/* A site's opening hours (store_sqlite_plan.c). */
int central_sqlite_opening_set(struct central_store *store, const char *site,
                               const struct central_opening *hours, char *err, size_t errlen);
int central_sqlite_openings(struct central_store *store, central_opening_cb cb, void *ctx,
                            char *err, size_t errlen);

/* The duration a visit counts for, as visits_rounded_seconds() computes it,
 * with `r` the setting row. */
#define ROUNDED(v)                                                                                 \
    "CASE WHEN r.round_minutes > 0 THEN (max(0, (" v ".end_us - " v ".start_us) / 1000000)"        \
    " + r.round_minutes * 30) / (r.round_minutes * 60) * (r.round_minutes * 60)"                   \
    " ELSE max(0, (" v ".end_us - " v ".start_us) / 1000000) END"

#endif
