/* The SQLite backend's steps of the review of visits closed automatically
 * (store_backend.h, taken by store_review.c): the list, and the correction
 * made in the web app, which is stored and applied as a kiosk's
 * correction event is at upload, through the same visits.c, so the hours
 * are derived one way. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"
#include "visits.h"

static void read_review(sqlite3_stmt *st, struct central_review_visit *r, int64_t *device)
{
    memset(r, 0, sizeof *r);
    central_sqlite_text(st, 0, r->end_event, sizeof r->end_event);
    central_sqlite_text(st, 1, r->site, sizeof r->site);
    central_sqlite_text(st, 2, r->site_name, sizeof r->site_name);
    central_sqlite_text(st, 3, r->volunteer, sizeof r->volunteer);
    central_sqlite_text(st, 4, r->volunteer_name, sizeof r->volunteer_name);
    central_sqlite_text(st, 5, r->activity_title, sizeof r->activity_title);
    r->start_us = sqlite3_column_int64(st, 6);
    r->end_us = sqlite3_column_int64(st, 7);
    if (device)
        *device = sqlite3_column_int64(st, 8);
}

static int sqlite_review_visits(struct central_store *store, const char *site, size_t limit,
                                central_review_visit_cb cb, void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = central_sqlite_prepare(db,
                                    CENTRAL_REVIEW_SELECT "AND (?1 = '' OR v.site = ?1) "
                                                          "ORDER BY v.site, v.start_us, v.id "
                                                          "LIMIT ?2",
                                    "visits to review", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_review_visit r;
        read_review(st, &r, NULL);
        rc = cb(ctx, &r);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "visits to review", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_review_find(struct central_store *store, const char *end_event,
                              struct central_review_visit *visit, int64_t *device, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = central_sqlite_prepare(db, CENTRAL_REVIEW_SELECT "AND v.end_event = ?1",
                                    "visit to review", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, end_event, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_review(st, visit, device);
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = central_sqlite_fail(db, "visit to review", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

/* SQLite has one writer: the whole database is the site's lock. */
static int sqlite_review_begin(struct central_store *store, const char *site, char *err,
                               size_t errlen)
{
    (void)site;
    return central_sqlite_exec(central_sqlite_db(store), "BEGIN IMMEDIATE", "correction", err,
                               errlen);
}

static int sqlite_review_record(struct central_store *store, const struct event *ev, int64_t device,
                                const char *actor, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    struct visits *visits = NULL;
    int rc = central_sqlite_prepare(db,
                                    "INSERT INTO event (" EVENT_COLUMNS ", device, received_us) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                    "?13, ?14, ?15, ?16)",
                                    "storing the correction", &st, err, errlen);
    if (rc)
        return rc;
    if (event_bind(st, 1, ev) || sqlite3_bind_int64(st, 15, device) ||
        sqlite3_bind_int64(st, 16, ev->recorded_us) || sqlite3_step(st) != SQLITE_DONE) {
        rc = central_sqlite_fail(db, "storing the correction", err, errlen);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = central_sqlite_prepare(db,
                                     "INSERT INTO web_correction (event_id, actor) VALUES (?1, ?2)",
                                     "naming the correction", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, ev->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = central_sqlite_fail(db, "naming the correction", err, errlen);
        goto out;
    }
    if (!(rc = visits_open(db, &visits, err, errlen)))
        rc = visits_apply(visits, ev, err, errlen);
out:
    sqlite3_finalize(st);
    visits_close(visits);
    return rc;
}

static int sqlite_review_finish(struct central_store *store, int rc, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    if (!rc)
        rc = central_sqlite_exec(db, "COMMIT", "correction", err, errlen);
    if (rc)
        central_sqlite_rollback(db);
    return rc;
}

static int sqlite_corrections_after(struct central_store *store, const char *site, int64_t after,
                                    size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                                    int *more, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    /* Few rows: the web's corrections, each found by its event. */
    int rc = central_sqlite_prepare(db,
                                    "SELECT e.seq, " EVENT_COLUMNS " FROM web_correction w "
                                    "JOIN event e USING (event_id) WHERE e.site = ?1 "
                                    "AND e.seq > ?2 ORDER BY e.seq LIMIT ?3",
                                    "corrections", &st, err, errlen);
    if (rc)
        return rc;
    rc = central_sqlite_events_page(db, st, site, after, limit, cb, ctx, cursor, more, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

const struct central_store_review_ops central_sqlite_review_ops = {
    .visits = sqlite_review_visits,
    .find = sqlite_review_find,
    .begin = sqlite_review_begin,
    .record = sqlite_review_record,
    .finish = sqlite_review_finish,
    .corrections_after = sqlite_corrections_after,
};
