/* The SQLite backend's review of visits closed automatically
 * (store_review.h): the list, and the correction made in the web app, which
 * is stored and applied as a kiosk's correction event is at upload, through
 * the same visits.c, so the hours are derived one way. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "store_sqlite.h"
#include "visits.h"

/* The boot id of events made on the central (PROTOCOL.md, section 6a):
 * a correction recorded here has no kiosk boot or monotonic clock. */
#define CENTRAL_BOOT_ID "tilstede-central"

/* end_kind 3 is EVENT_AUTOCLOSE: a visit flagged for another reason (a
 * check-in that closed the visit before it) is not the auto-close the
 * correction names, and ends with the next visit's start event. */
#define REVIEW_SELECT                                                                              \
    "SELECT v.end_event, v.site, coalesce(s.name, v.site), v.volunteer, "                          \
    "coalesce(p.given_name || ' ' || p.family_name, ''), coalesce(a.title, ''), v.start_us, "      \
    "v.end_us FROM visit v LEFT JOIN site s ON s.id = v.site "                                     \
    "LEFT JOIN volunteer p ON p.external_id = v.volunteer "                                        \
    "LEFT JOIN activity a ON a.id = v.activity "                                                   \
    "WHERE v.review = 1 AND v.end_kind = 3 AND v.end_us IS NOT NULL "

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void read_review(sqlite3_stmt *st, struct central_review_visit *r)
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
}

static int sqlite_review_visits(struct central_store *store, const char *site, size_t limit,
                                central_review_visit_cb cb, void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = central_sqlite_prepare(db,
                                    REVIEW_SELECT "AND (?1 = '' OR v.site = ?1) "
                                                  "ORDER BY v.site, v.start_us, v.id LIMIT ?2",
                                    "visits to review", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_review_visit r;
        read_review(st, &r);
        rc = cb(ctx, &r);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "visits to review", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

/* The visit awaiting review and the device that recorded its auto-close. */
static int review_find(sqlite3 *db, const char *end_event, struct central_review_visit *visit,
                       int64_t *device, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = central_sqlite_prepare(db, REVIEW_SELECT "AND v.end_event = ?1", "visit to review",
                                    &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, end_event, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_review(st, visit);
    } else if (step == SQLITE_DONE) {
        snprintf(err, errlen, "no visit closed automatically by event %s awaits review", end_event);
        rc = -ENOENT;
    } else {
        rc = central_sqlite_fail(db, "visit to review", err, errlen);
    }
    sqlite3_finalize(st);
    if (rc || !device)
        return rc;
    if ((rc = central_sqlite_prepare(db, "SELECT device FROM event WHERE event_id = ?1",
                                     "the auto-close's kiosk", &st, err, errlen)))
        return rc;
    sqlite3_bind_text(st, 1, end_event, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *device = sqlite3_column_int64(st, 0);
    else
        rc = step == SQLITE_DONE ? -ENOENT
                                 : central_sqlite_fail(db, "the auto-close's kiosk", err, errlen);
    if (step == SQLITE_DONE)
        snprintf(err, errlen, "event %s is not in the event log", end_event);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_review_get(struct central_store *store, const char *end_event,
                             struct central_review_visit *visit, char *err, size_t errlen)
{
    return review_find(central_sqlite_db(store), end_event, visit, NULL, err, errlen);
}

static int sqlite_review_correct(struct central_store *store, const char *end_event, int64_t end_us,
                                 const char *actor, struct event *made, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    struct visits *visits = NULL;
    struct central_review_visit visit;
    int64_t device = 0, now = now_us();
    int rc = central_sqlite_exec(db, "BEGIN IMMEDIATE", "correction", err, errlen);
    if (rc)
        return rc;
    if ((rc = review_find(db, end_event, &visit, &device, err, errlen)))
        goto out;
    if (end_us < visit.start_us) {
        snprintf(err, errlen, "the end cannot be before the visit's start");
        rc = -EINVAL;
        goto out;
    }
    struct event ev = {.kind = EVENT_CORRECTION, .source = SOURCE_STAFF, .clock_synced = 1};
    event_new_id(ev.event_id);
    snprintf(ev.site, sizeof ev.site, "%s", visit.site);
    snprintf(ev.volunteer, sizeof ev.volunteer, "%s", visit.volunteer);
    snprintf(ev.boot_id, sizeof ev.boot_id, "%s", CENTRAL_BOOT_ID);
    snprintf(ev.corrects, sizeof ev.corrects, "%s", end_event);
    ev.at_us = end_us;
    ev.recorded_us = now;
    if ((rc = central_sqlite_prepare(db,
                                     "INSERT INTO event (" EVENT_COLUMNS ", device, received_us) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                     "?13, ?14, ?15, ?16)",
                                     "storing the correction", &st, err, errlen)))
        goto out;
    if (event_bind(st, 1, &ev) || sqlite3_bind_int64(st, 15, device) ||
        sqlite3_bind_int64(st, 16, now) || sqlite3_step(st) != SQLITE_DONE) {
        rc = central_sqlite_fail(db, "storing the correction", err, errlen);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = central_sqlite_prepare(db,
                                     "INSERT INTO web_correction (event_id, actor) "
                                     "VALUES (?1, ?2)",
                                     "naming the correction", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, ev.event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = central_sqlite_fail(db, "naming the correction", err, errlen);
        goto out;
    }
    if ((rc = visits_open(db, &visits, err, errlen)))
        goto out;
    rc = visits_apply(visits, &ev, err, errlen);
    if (rc < 0)
        goto out;
    if (rc > 0) {
        /* A newer correction of the same auto-close is already stored: the
         * visit would not await review. */
        snprintf(err, errlen, "event %s has a newer correction", end_event);
        rc = -ENOENT;
        goto out;
    }
    if ((rc = central_sqlite_exec(db, "COMMIT", "correction", err, errlen)))
        goto out;
    *made = ev;
out:
    sqlite3_finalize(st);
    visits_close(visits);
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
    .get = sqlite_review_get,
    .correct = sqlite_review_correct,
    .corrections_after = sqlite_corrections_after,
};
