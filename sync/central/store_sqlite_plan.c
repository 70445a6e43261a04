/* The SQLite backend's calendar import, a site's week and its opening
 * hours (store.h: central_store_plan_import, central_store_activities,
 * central_store_opening_set, central_store_openings). They run when a
 * person imports a file or opens a page, so statements are prepared per
 * call, as in store_sqlite_web.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opening.h"
#include "plan.h"
#include "store_sqlite.h"

#define WHAT "calendar import"

static int step_done(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    int result =
        rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : central_sqlite_fail(db, WHAT, err, errlen);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

/* The statements of one import, prepared once for all its plans. */
enum {
    IMPORT_CHANGE,
    IMPORT_FIND,
    IMPORT_INSERT,
    IMPORT_UPDATE,
    IMPORT_UPSERT,
    IMPORT_FUTURE,
    IMPORT_CANCEL_ONE,
    IMPORT_IMPORTED,
    IMPORT_CANCEL_FROM,
    IMPORT_COUNT
};

static const char *const import_sql[IMPORT_COUNT] = {
    [IMPORT_CHANGE] = "UPDATE roster_change SET value = value + 1 RETURNING value",
    [IMPORT_FIND] = "SELECT id, site FROM activity_plan WHERE uid = ?1",
    [IMPORT_INSERT] =
        "INSERT INTO activity_plan (id, site, title, place, start, end, weekdays, "
        "from_date, until_date, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [IMPORT_UPDATE] = "UPDATE activity_plan SET title = ?2, place = ?3, start = ?4, end = ?5, "
                      "weekdays = ?6, from_date = ?7, until_date = ?8 WHERE id = ?1 AND "
                      "(title, place, start, end, weekdays, from_date, until_date) IS NOT "
                      "(?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    /* An occurrence the import gives: added, or changed only when it
     * differs, so a second import of the same file sends the kiosks
     * nothing new. */
    [IMPORT_UPSERT] =
        "INSERT INTO activity (id, site, date, start, end, title, place, changed, plan, "
        "plan_date, cancelled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT (plan, plan_date) DO UPDATE SET date = excluded.date, "
        "start = excluded.start, end = excluded.end, title = excluded.title, "
        "place = excluded.place, cancelled = excluded.cancelled, changed = excluded.changed "
        "WHERE (activity.date, activity.start, activity.end, activity.title, activity.place, "
        "activity.cancelled) IS NOT (excluded.date, excluded.start, excluded.end, "
        "excluded.title, excluded.place, excluded.cancelled)",
    [IMPORT_FUTURE] = "SELECT plan_date FROM activity WHERE plan = ?1 AND plan_date >= ?2 "
                      "AND cancelled = 0 ORDER BY plan_date",
    [IMPORT_CANCEL_ONE] = "UPDATE activity SET cancelled = 1, changed = ?3 WHERE plan = ?1 AND "
                          "plan_date = ?2",
    [IMPORT_IMPORTED] = "SELECT id, uid FROM activity_plan WHERE site = ?1 AND uid IS NOT NULL "
                        "ORDER BY id",
    [IMPORT_CANCEL_FROM] = "UPDATE activity SET cancelled = 1, changed = ?3 WHERE plan = ?1 AND "
                           "plan_date >= ?2 AND cancelled = 0",
};

struct import {
    sqlite3 *db;
    sqlite3_stmt *st[IMPORT_COUNT];
    int64_t change;
    const char *site, *from;
    struct central_import_counts *counts;
    char *err;
    size_t errlen;
};

/* The plan's id: the one imported before with its uid, or its own (added). */
static int import_plan_row(struct import *im, const struct central_plan *plan, char *id)
{
    sqlite3_stmt *st = im->st[IMPORT_FIND];
    sqlite3_bind_text(st, 1, plan->uid, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc = 0;
    char site[EVENT_KEY_MAX] = "";
    if (step == SQLITE_ROW) {
        central_sqlite_text(st, 0, id, EVENT_ID_LEN + 1);
        central_sqlite_text(st, 1, site, sizeof site);
    } else if (step != SQLITE_DONE) {
        rc = central_sqlite_fail(im->db, WHAT, im->err, im->errlen);
    }
    sqlite3_reset(st);
    if (rc)
        return rc;
    if (step == SQLITE_ROW && strcmp(site, im->site) != 0) {
        snprintf(im->err, im->errlen, "event UID %s was imported for site \"%s\", not \"%s\"",
                 plan->uid, site, im->site);
        return -EEXIST;
    }
    int update = step == SQLITE_ROW;
    if (!update)
        memcpy(id, plan->id, EVENT_ID_LEN + 1);
    st = im->st[update ? IMPORT_UPDATE : IMPORT_INSERT];
    int p = 1;
    sqlite3_bind_text(st, p++, id, -1, SQLITE_STATIC);
    if (!update)
        sqlite3_bind_text(st, p++, im->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p++, plan->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p++, plan->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p++, plan->start, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p++, plan->end, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, p++, plan->weekdays);
    sqlite3_bind_text(st, p++, plan->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p++, plan->until, -1, SQLITE_STATIC);
    if (!update)
        sqlite3_bind_text(st, p++, plan->uid, -1, SQLITE_STATIC);
    if ((rc = step_done(im->db, st, im->err, im->errlen)))
        return rc == -ENOENT ? (snprintf(im->err, im->errlen,
                                         "there is no site \"%s\" (see site "
                                         "list)",
                                         im->site),
                                -ENOENT)
                             : rc;
    if (!update)
        im->counts->added++;
    else if (sqlite3_changes(im->db) > 0)
        im->counts->updated++;
    return 0;
}

static int import_one(struct import *im, const struct central_plan_import *plan)
{
    char id[EVENT_ID_LEN + 1];
    int rc = import_plan_row(im, plan->plan, id);
    if (rc)
        return rc;
    int changed_before = sqlite3_total_changes(im->db);
    sqlite3_stmt *st = im->st[IMPORT_UPSERT];
    for (size_t i = 0; i < plan->count && !rc; i++) {
        const struct central_activity *a = &plan->occurrences[i];
        central_sqlite_activity_bind(st, a, id, im->change);
        sqlite3_bind_text(st, 2, im->site, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 11, a->cancelled ? 1 : 0);
        rc = step_done(im->db, st, im->err, im->errlen);
    }
    im->counts->changed += (size_t)(sqlite3_total_changes(im->db) - changed_before);
    if (rc)
        return rc;
    /* The earlier import's occurrences from `from` on that this one no
     * longer has: collected first, then cancelled. */
    st = im->st[IMPORT_FUTURE];
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, im->from, -1, SQLITE_STATIC);
    size_t cap = 0, count = 0;
    char(*gone)[CENTRAL_DATE_LEN + 1] = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char date[CENTRAL_DATE_LEN + 1];
        central_sqlite_text(st, 0, date, sizeof date);
        if (central_plan_import_gives(plan, date))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            void *grown = realloc(gone, cap * sizeof *gone);
            if (!grown) {
                rc = -ENOMEM;
                break;
            }
            gone = grown;
        }
        memcpy(gone[count++], date, sizeof date);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(im->db, WHAT, im->err, im->errlen);
    sqlite3_reset(st);
    st = im->st[IMPORT_CANCEL_ONE];
    for (size_t i = 0; i < count && !rc; i++) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, gone[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, im->change);
        rc = step_done(im->db, st, im->err, im->errlen);
    }
    im->counts->changed += rc ? 0 : count;
    free(gone);
    if (rc == -ENOMEM)
        snprintf(im->err, im->errlen, WHAT ": out of memory");
    return rc;
}

/* The site's imported plans the file no longer has: their occurrences
 * from `from` on are cancelled. */
static int import_gone(struct import *im, const struct central_plan_import *plans, size_t count,
                       const char *const *keep, size_t keep_count)
{
    sqlite3_stmt *st = im->st[IMPORT_IMPORTED];
    sqlite3_bind_text(st, 1, im->site, -1, SQLITE_STATIC);
    size_t cap = 0, gone_count = 0;
    char(*gone)[EVENT_ID_LEN + 1] = NULL;
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char uid[CENTRAL_PLAN_UID_MAX];
        central_sqlite_text(st, 1, uid, sizeof uid);
        if (central_plan_import_names(uid, plans, count, keep, keep_count))
            continue;
        if (gone_count == cap) {
            cap = cap ? cap * 2 : 16;
            void *grown = realloc(gone, cap * sizeof *gone);
            if (!grown) {
                snprintf(im->err, im->errlen, WHAT ": out of memory");
                rc = -ENOMEM;
                break;
            }
            gone = grown;
        }
        central_sqlite_text(st, 0, gone[gone_count++], EVENT_ID_LEN + 1);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(im->db, WHAT, im->err, im->errlen);
    sqlite3_reset(st);
    st = im->st[IMPORT_CANCEL_FROM];
    for (size_t i = 0; i < gone_count && !rc; i++) {
        sqlite3_bind_text(st, 1, gone[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, im->from, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, im->change);
        rc = step_done(im->db, st, im->err, im->errlen);
        if (!rc && sqlite3_changes(im->db) > 0) {
            im->counts->removed++;
            im->counts->changed += (size_t)sqlite3_changes(im->db);
        }
    }
    free(gone);
    return rc;
}

int central_sqlite_plan_import(struct central_store *store, const char *site, const char *from,
                               const struct central_plan_import *plans, size_t count,
                               const char *const *keep, size_t keep_count,
                               struct central_import_counts *counts, char *err, size_t errlen)
{
    struct import im = {.db = central_sqlite_db(store),
                        .site = site,
                        .from = from,
                        .counts = counts,
                        .err = err,
                        .errlen = errlen};
    memset(counts, 0, sizeof *counts);
    int rc = central_sqlite_exec(im.db, "BEGIN IMMEDIATE", WHAT, err, errlen);
    if (rc)
        return rc;
    for (int i = 0; i < IMPORT_COUNT && !rc; i++)
        rc = central_sqlite_prepare(im.db, import_sql[i], WHAT, &im.st[i], err, errlen);
    if (rc)
        goto out;
    if (sqlite3_step(im.st[IMPORT_CHANGE]) != SQLITE_ROW) {
        rc = central_sqlite_fail(im.db, WHAT, err, errlen);
        goto out;
    }
    im.change = sqlite3_column_int64(im.st[IMPORT_CHANGE], 0);
    sqlite3_reset(im.st[IMPORT_CHANGE]);
    for (size_t i = 0; i < count && !rc; i++)
        rc = import_one(&im, &plans[i]);
    if (!rc)
        rc = import_gone(&im, plans, count, keep, keep_count);
    if (!rc)
        rc = central_sqlite_exec(im.db, "COMMIT", WHAT, err, errlen);
out:
    for (int i = 0; i < IMPORT_COUNT; i++)
        sqlite3_finalize(im.st[i]);
    if (rc)
        central_sqlite_rollback(im.db);
    return rc;
}

void central_sqlite_activity_bind(sqlite3_stmt *st, const struct central_activity *a,
                                  const char *plan, int64_t change)
{
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->start, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a->end, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, a->place, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, change);
    sqlite3_bind_text(st, 9, plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, a->plan_date, -1, SQLITE_STATIC);
}

void central_sqlite_activity_row(sqlite3_stmt *st, struct central_activity *a)
{
    memset(a, 0, sizeof *a);
    central_sqlite_text(st, 0, a->id, sizeof a->id);
    central_sqlite_text(st, 1, a->site, sizeof a->site);
    central_sqlite_text(st, 2, a->date, sizeof a->date);
    central_sqlite_text(st, 3, a->start, sizeof a->start);
    central_sqlite_text(st, 4, a->end, sizeof a->end);
    central_sqlite_text(st, 5, a->title, sizeof a->title);
    central_sqlite_text(st, 6, a->place, sizeof a->place);
    central_sqlite_text(st, 7, a->plan, sizeof a->plan);
    central_sqlite_text(st, 8, a->plan_date, sizeof a->plan_date);
    a->cancelled = sqlite3_column_int(st, 9);
}

int central_sqlite_activities(struct central_store *store, const char *site, const char *from,
                              const char *to, central_activity_cb cb, void *ctx, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(db,
                                    "SELECT " CENTRAL_SQLITE_ACTIVITY_COLUMNS
                                    " FROM activity WHERE site = ?1 AND date BETWEEN ?2 AND ?3 "
                                    "ORDER BY date, start, title, id",
                                    "activities", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_activity a;
        central_sqlite_activity_row(st, &a);
        rc = cb(ctx, &a);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "activities", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

int central_sqlite_opening_set(struct central_store *store, const char *site,
                               const struct central_opening *hours, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(db,
                                    hours ? "INSERT OR REPLACE INTO site_opening (site, weekdays, "
                                            "start, end) SELECT id, ?2, ?3, ?4 FROM site "
                                            "WHERE id = ?1"
                                          : "DELETE FROM site_opening WHERE site = ?1",
                                    "opening hours", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    if (hours) {
        sqlite3_bind_int(st, 2, hours->weekdays);
        sqlite3_bind_text(st, 3, hours->start, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, hours->end, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : central_sqlite_fail(db, "opening hours", err, errlen);
    int changed = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (!rc && hours && changed == 0) {
        snprintf(err, errlen, "there is no site \"%s\" (see site list)", site);
        rc = -ENOENT;
    }
    return rc;
}

int central_sqlite_openings(struct central_store *store, central_opening_cb cb, void *ctx,
                            char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(db,
                                    "SELECT site, weekdays, start, end FROM site_opening "
                                    "ORDER BY site",
                                    "opening hours", &st, err, errlen);
    if (rc)
        return rc;
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_opening hours;
        memset(&hours, 0, sizeof hours);
        central_sqlite_text(st, 0, hours.site, sizeof hours.site);
        hours.weekdays = sqlite3_column_int(st, 1);
        central_sqlite_text(st, 2, hours.start, sizeof hours.start);
        central_sqlite_text(st, 3, hours.end, sizeof hours.end);
        rc = cb(ctx, &hours);
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "opening hours", err, errlen);
    sqlite3_finalize(st);
    return rc;
}
