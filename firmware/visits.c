/* Derives visits from events (see visits.h). The rules that decide *whether*
 * an event is allowed live in rules.c; this file only records what an
 * accepted event means for the hours. */
#include "visits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const char embed_visits[];

enum {
    ST_FIND_OPEN,
    ST_INSERT,
    ST_CLOSE,
    ST_CORRECT_START,
    ST_CORRECT_END,
    ST_NEWER_CORRECTION,
    ST_COUNT
};

static const char *const statement_sql[ST_COUNT] = {
    [ST_FIND_OPEN] = "SELECT id, start_us FROM visit WHERE site = ?1 AND volunteer = ?2 "
                     "AND end_us IS NULL ORDER BY start_us DESC LIMIT 1",
    [ST_INSERT] = "INSERT INTO visit (site, volunteer, activity, start_event, start_us, "
                  "start_day, review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* An end before the start (a clock jump, a mistyped correction) counts
     * as zero, never as negative hours. */
    [ST_CLOSE] = "UPDATE visit SET end_event = ?2, end_us = max(?3, start_us), end_kind = ?4, "
                 "review = ?5 WHERE id = ?1",
    [ST_CORRECT_START] = "UPDATE visit SET start_us = ?2, start_day = ?3, "
                         "end_us = CASE WHEN end_us IS NULL THEN NULL ELSE max(end_us, ?2) END "
                         "WHERE start_event = ?1",
    /* A correction of the end is the staff's review: it clears the flag. */
    [ST_CORRECT_END] = "UPDATE visit SET end_us = max(?2, start_us), review = 0 "
                       "WHERE end_event = ?1",
    /* Another correction of the same event recorded later (the event id
     * breaks a tie), in the event log of the kiosk or of the central, whose
     * tables share these columns. Of the same site: the central keeps a
     * correction that names another site's event, which changes nothing. */
    [ST_NEWER_CORRECTION] = "SELECT EXISTS (SELECT 1 FROM event WHERE corrects = ?1 "
                            "AND kind = 'correction' AND site = ?4 AND (recorded_us > ?2 OR "
                            "(recorded_us = ?2 AND event_id > ?3)))",
};

struct visits {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
};

const char *visits_schema(void) { return embed_visits; }

void visits_close(struct visits *visits)
{
    if (!visits)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(visits->st[i]);
    free(visits);
}

int visits_open(sqlite3 *db, struct visits **out, char *err, size_t errlen)
{
    struct visits *visits = calloc(1, sizeof *visits);
    if (!visits) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    visits->db = db;
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &visits->st[i], NULL) != SQLITE_OK) {
            snprintf(err, errlen, "visits: %s", sqlite3_errmsg(db));
            visits_close(visits);
            return -EIO;
        }
    }
    *out = visits;
    return 0;
}

void visits_local_day(int64_t at_us, char out[11])
{
    time_t t = (time_t)(at_us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

long long visits_rounded_seconds(long long seconds, int round_min)
{
    if (seconds < 0)
        return 0;
    if (round_min <= 0)
        return seconds;
    long long step = (long long)round_min * 60;
    return (seconds + step / 2) / step * step;
}

/* Runs a statement to completion and resets it, whatever happened. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(db));
        return -EIO;
    }
    return 0;
}

/* ---- the SQLite visit table ---- */

static int sqlite_find_open(void *ctx, const char *site, const char *volunteer, int64_t *id,
                            char *err, size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_FIND_OPEN];
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, volunteer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int found = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(v->db));
        found = -EIO;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

static int sqlite_insert(void *ctx, const struct event *ev, const char *day, char *err,
                         size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_INSERT];
    sqlite3_bind_text(st, 1, ev->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ev->volunteer, -1, SQLITE_STATIC);
    if (ev->activity[0])
        sqlite3_bind_text(st, 3, ev->activity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, ev->at_us);
    sqlite3_bind_text(st, 6, day, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, ev->review ? 1 : 0);
    return step_done(v->db, st, err, errlen);
}

static int sqlite_close(void *ctx, int64_t id, const struct event *ev, int review, char *err,
                        size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_CLOSE];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, ev->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ev->at_us);
    sqlite3_bind_int(st, 4, (int)ev->kind);
    sqlite3_bind_int(st, 5, review);
    return step_done(v->db, st, err, errlen);
}

static int sqlite_correct_start(void *ctx, const char *corrects, int64_t at_us, const char *day,
                                int *changed, char *err, size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_CORRECT_START];
    sqlite3_bind_text(st, 1, corrects, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_us);
    sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
    int rc = step_done(v->db, st, err, errlen);
    *changed = rc ? 0 : sqlite3_changes(v->db);
    return rc;
}

static int sqlite_correct_end(void *ctx, const char *corrects, int64_t at_us, int *changed,
                              char *err, size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_CORRECT_END];
    sqlite3_bind_text(st, 1, corrects, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, at_us);
    int rc = step_done(v->db, st, err, errlen);
    *changed = rc ? 0 : sqlite3_changes(v->db);
    return rc;
}

static int sqlite_newer_correction(void *ctx, const struct event *ev, char *err, size_t errlen)
{
    struct visits *v = ctx;
    sqlite3_stmt *st = v->st[ST_NEWER_CORRECTION];
    sqlite3_bind_text(st, 1, ev->corrects, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, ev->recorded_us);
    sqlite3_bind_text(st, 3, ev->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->site, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int newer = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    if (rc != SQLITE_ROW) {
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(v->db));
        newer = -EIO;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return newer;
}

static const struct visits_table sqlite_table = {
    .find_open = sqlite_find_open,
    .insert = sqlite_insert,
    .close = sqlite_close,
    .correct_start = sqlite_correct_start,
    .correct_end = sqlite_correct_end,
    .newer_correction = sqlite_newer_correction,
};

/* ---- what an event means for the hours ---- */

static int apply_checkin(const struct visits_table *t, void *ctx, const struct event *ev,
                         char *err, size_t errlen)
{
    int64_t open_id;
    int found = t->find_open(ctx, ev->site, ev->volunteer, &open_id, err, errlen);
    if (found < 0)
        return found;
    if (found) {
        /* The rules close a visit before the next check-in, so this only
         * happens with events from elsewhere (an older kiosk, a restore):
         * end the old visit at the new start and ask staff to look. */
        int rc = t->close(ctx, open_id, ev, 1, err, errlen);
        if (rc)
            return rc;
    }
    char day[11];
    visits_local_day(ev->at_us, day);
    return t->insert(ctx, ev, day, err, errlen);
}

static int apply_close(const struct visits_table *t, void *ctx, const struct event *ev,
                       char *err, size_t errlen)
{
    int64_t open_id;
    int found = t->find_open(ctx, ev->site, ev->volunteer, &open_id, err, errlen);
    if (found <= 0)
        return found < 0 ? found : 1;
    int review = ev->kind == EVENT_AUTOCLOSE || ev->review;
    return t->close(ctx, open_id, ev, review, err, errlen);
}

static int apply_correction(const struct visits_table *t, void *ctx, const struct event *ev,
                            char *err, size_t errlen)
{
    /* The latest recorded correction of an event wins, whatever order the
     * corrections arrive in: the kiosk applies its staff's correction before
     * the central's that it fetches later, the central the other way round
     * when the kiosk uploads late, and both must end with the same hours. */
    if (t->newer_correction) {
        int newer = t->newer_correction(ctx, ev, err, errlen);
        if (newer)
            return newer < 0 ? newer : 1;
    }
    char day[11];
    visits_local_day(ev->at_us, day);
    int start_changed = 0, end_changed = 0;
    int rc = t->correct_start(ctx, ev->corrects, ev->at_us, day, &start_changed, err, errlen);
    if (rc)
        return rc;
    rc = t->correct_end(ctx, ev->corrects, ev->at_us, &end_changed, err, errlen);
    if (rc)
        return rc;
    return start_changed + end_changed ? 0 : 1;
}

int visits_apply_table(const struct visits_table *t, void *ctx, const struct event *ev,
                       char *err, size_t errlen)
{
    switch (ev->kind) {
    case EVENT_CHECKIN:
        return apply_checkin(t, ctx, ev, err, errlen);
    case EVENT_CHECKOUT:
    case EVENT_AUTOCLOSE:
        return apply_close(t, ctx, ev, err, errlen);
    case EVENT_CORRECTION:
        return apply_correction(t, ctx, ev, err, errlen);
    case EVENT_CARD_ENROLLED:
    case EVENT_CARD_REVOKED:
        return 1;
    }
    snprintf(err, errlen, "visits: unknown event kind %d", (int)ev->kind);
    return -EINVAL;
}

int visits_apply(struct visits *v, const struct event *ev, char *err, size_t errlen)
{
    return visits_apply_table(&sqlite_table, v, ev, err, errlen);
}

int visits_rebuild(sqlite3 *db, const char *events_sql, char *err, size_t errlen)
{
    struct visits *v = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -EIO;
    if (sqlite3_exec(db, "DELETE FROM visit", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(db));
        goto out;
    }
    if ((rc = visits_open(db, &v, err, errlen)))
        goto out;
    if (sqlite3_prepare_v2(db, events_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(db));
        rc = -EIO;
        goto out;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct event ev;
        if (event_from_row(st, 0, &ev) < 0) {
            snprintf(err, errlen, "visits: an event row is not valid");
            rc = -EINVAL;
            goto out;
        }
        rc = visits_apply(v, &ev, err, errlen);
        if (rc < 0)
            goto out;
    }
    rc = step == SQLITE_DONE ? 0 : -EIO;
    if (rc)
        snprintf(err, errlen, "visits: %s", sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    visits_close(v);
    return rc;
}
