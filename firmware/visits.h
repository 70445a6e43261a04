/* Visits derived from events: one check-in paired with the check-out or
 * auto-close that ends it, with corrections applied. Shared by the kiosk's
 * store and the central's SQLite backend, so both count the same hours. */
#ifndef TILSTEDE_VISITS_H
#define TILSTEDE_VISITS_H

#include <sqlite3.h>
#include <stddef.h>

#include "event.h"

struct visits;

/* The schema of the visit table (IF NOT EXISTS); run it before visits_open. */
const char *visits_schema(void);

int visits_open(sqlite3 *db, struct visits **out, char *err, size_t errlen);
void visits_close(struct visits *visits);

/* Applies one event, inside the caller's transaction. Events must come in
 * the order they were recorded for each (site, volunteer). Returns 0 when
 * the event changed a visit, 1 when it changed none (a check-out with no
 * open visit, a correction of an unknown event, a card event), or a
 * negative value with err set when the database failed. */
int visits_apply(struct visits *visits, const struct event *ev, char *err, size_t errlen);

/* Where visits_apply's decisions are carried out: the SQLite visit table
 * through the statements of visits.c, or another database's (the central's
 * PostgreSQL backend) through its own, so the rules of what an event means
 * for the hours exist once. Each returns 0, or a negative errno with err
 * set; find_open 1 when an open visit was found (its id in *id), 0 when
 * none; the corrections put the number of visits they changed in
 * *changed. A close or a correction never sets an end before the start. */
struct visits_table {
    int (*find_open)(void *ctx, const char *site, const char *volunteer, int64_t *id, char *err,
                     size_t errlen);
    int (*insert)(void *ctx, const struct event *ev, const char *day, char *err, size_t errlen);
    int (*close)(void *ctx, int64_t id, const struct event *ev, int review, char *err,
                 size_t errlen);
    int (*correct_start)(void *ctx, const char *corrects, int64_t at_us, const char *day,
                         int *changed, char *err, size_t errlen);
    /* A correction of the end is the staff's review: it clears the flag. */
    int (*correct_end)(void *ctx, const char *corrects, int64_t at_us, int *changed, char *err,
                       size_t errlen);
    /* 1 when the event log holds a correction of ev->corrects for ev's
     * site recorded after ev (a later recorded_at, or the same and a greater event_id),
     * which wins over ev whichever was applied first; 0 when none; < 0 with
     * err set. NULL: every correction applies, the last applied winning. */
    int (*newer_correction)(void *ctx, const struct event *ev, char *err, size_t errlen);
};

/* visits_apply on a table of operations: the same results. */
int visits_apply_table(const struct visits_table *table, void *ctx, const struct event *ev,
                       char *err, size_t errlen);

/* Empties the visit table and replays every event of `events_sql` (a query
 * returning event rows in the order of event_row_columns) through
 * visits_apply. Used to prove the derived table equals its source. */
int visits_rebuild(sqlite3 *db, const char *events_sql, char *err, size_t errlen);

/* The local (TZ) calendar date of a time, "YYYY-MM-DD". */
void visits_local_day(int64_t at_us, char out[11]);

/* The duration of a visit in seconds as reports count it: rounded to the
 * nearest multiple of round_min minutes (0 = no rounding), never negative. */
long long visits_rounded_seconds(long long seconds, int round_min);

#endif
