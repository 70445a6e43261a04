/* The PostgreSQL backend's activities: one-date ones, weekly plans and
 * their occurrences, a calendar's import, a site's week (store.h), with
 * the SQLite backend's results (store_sqlite.c, store_sqlite_plan.c).
 * Every change takes the roster change counter first, whose row lock
 * orders it among the others for the kiosks' roster cursor. */
#include "store_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opening.h"
#include "plan.h"

#define IMPORT "calendar import"

void pg_read_activity(const PGresult *res, int row, struct central_activity *a)
{
    memset(a, 0, sizeof *a);
    pg_copy_column(res, row, 0, a->id, sizeof a->id);
    pg_copy_column(res, row, 1, a->site, sizeof a->site);
    pg_copy_column(res, row, 2, a->date, sizeof a->date);
    pg_copy_column(res, row, 3, a->start, sizeof a->start);
    pg_copy_column(res, row, 4, a->end, sizeof a->end);
    pg_copy_column(res, row, 5, a->title, sizeof a->title);
    pg_copy_column(res, row, 6, a->place, sizeof a->place);
    pg_copy_column(res, row, 7, a->plan, sizeof a->plan);
    pg_copy_column(res, row, 8, a->plan_date, sizeof a->plan_date);
    a->cancelled = (int)pg_column_int(res, row, 9);
}

void pg_activity_params(struct params *p, const struct central_activity *a, const char *plan,
                        int64_t change)
{
    param_text(p, a->id);
    param_text(p, a->site);
    param_text(p, a->date);
    param_text(p, a->start);
    param_text(p, a->end);
    param_text(p, a->title);
    param_text(p, a->place);
    param_number(p, change);
    param_text(p, plan);
    param_text(p, a->plan_date);
}

static int insert_activity(struct pg_store *s, const struct central_activity *activity,
                           int64_t change, char *err, size_t errlen)
{
    struct params p = {0};
    pg_activity_params(&p, activity, activity->plan, change);
    int rc = pg_query(s, ST_ACTIVITY_ADD, &p, NULL, "activity add", err, errlen);
    if (rc == -ENOENT)
        snprintf(err, errlen, "activity \"%s\": there is no site \"%s\" (see site list)",
                 activity->title, activity->site);
    return rc;
}

int pg_activity_add(struct central_store *store, const struct central_activity *activity,
                    char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t change = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if (!(rc = pg_next_change(s, &change, err, errlen)))
        rc = insert_activity(s, activity, change, err, errlen);
    return pg_finish(s, rc, err, errlen);
}

static void plan_params(struct params *p, const struct central_plan *plan)
{
    param_text(p, plan->title);
    param_text(p, plan->place);
    param_text(p, plan->start);
    param_text(p, plan->end);
    param_number(p, plan->weekdays);
    param_text(p, plan->from);
    param_text(p, plan->until);
}

int pg_plan_add(struct central_store *store, const struct central_plan *plan,
                const struct central_activity *occurrences, size_t count, char *err,
                size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t change = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = pg_next_change(s, &change, err, errlen)))
        return pg_finish(s, rc, err, errlen);
    struct params p = {0};
    param_text(&p, plan->id);
    param_text(&p, plan->site);
    plan_params(&p, plan);
    param_text(&p, plan->uid);
    rc = pg_run(s,
                "INSERT INTO activity_plan (id, site, title, place, start, \"end\", weekdays, "
                "from_date, until_date, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                "nullif($10, ''))",
                &p, NULL, "activity plan add", err, errlen);
    if (rc == -ENOENT)
        snprintf(err, errlen, "activity \"%s\": there is no site \"%s\" (see site list)",
                 plan->title, plan->site);
    for (size_t i = 0; i < count && !rc; i++)
        rc = insert_activity(s, &occurrences[i], change, err, errlen);
    return pg_finish(s, rc, err, errlen);
}

int pg_occurrence_change(struct central_store *store, const char *plan, const char *plan_date,
                         const struct central_activity *change, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t counter = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = pg_next_change(s, &counter, err, errlen)))
        return pg_finish(s, rc, err, errlen);
    struct params p = {0};
    param_text(&p, plan);
    param_text(&p, plan_date);
    param_number(&p, change->cancelled ? 1 : 0);
    param_text(&p, change->date);
    param_text(&p, change->start);
    param_text(&p, change->end);
    param_number(&p, counter);
    int64_t changed = 0;
    PGresult *res = NULL;
    rc = pg_run(s,
                "UPDATE activity SET cancelled = $3, date = coalesce(nullif($4, ''), date), "
                "start = coalesce(nullif($5, ''), start), "
                "\"end\" = coalesce(nullif($6, ''), \"end\"), changed = $7 "
                "WHERE plan = $1 AND plan_date = $2",
                &p, &res, "activity change", err, errlen);
    if (!rc) {
        changed = strtoll(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        if (changed == 0) {
            snprintf(err, errlen, "activity plan %s has no occurrence on %s (see activity list)",
                     plan, plan_date);
            rc = -ENOENT;
        }
    }
    return pg_finish(s, rc, err, errlen);
}

int pg_plans(struct central_store *store, const char *site, central_plan_cb cb, void *ctx,
             char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site ? site : "");
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           "SELECT id, site, title, place, start, \"end\", weekdays, from_date, "
                           "until_date, coalesce(uid, '') FROM activity_plan "
                           "WHERE $1::text = '' OR site = $1 ORDER BY from_date COLLATE \"C\", "
                           "start COLLATE \"C\", id COLLATE \"C\"",
                           &p, &res, "activity plans", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_plan plan;
        memset(&plan, 0, sizeof plan);
        pg_copy_column(res, row, 0, plan.id, sizeof plan.id);
        pg_copy_column(res, row, 1, plan.site, sizeof plan.site);
        pg_copy_column(res, row, 2, plan.title, sizeof plan.title);
        pg_copy_column(res, row, 3, plan.place, sizeof plan.place);
        pg_copy_column(res, row, 4, plan.start, sizeof plan.start);
        pg_copy_column(res, row, 5, plan.end, sizeof plan.end);
        plan.weekdays = (int)pg_column_int(res, row, 6);
        pg_copy_column(res, row, 7, plan.from, sizeof plan.from);
        pg_copy_column(res, row, 8, plan.until, sizeof plan.until);
        pg_copy_column(res, row, 9, plan.uid, sizeof plan.uid);
        rc = cb(ctx, &plan);
    }
    PQclear(res);
    return rc;
}

int pg_activities(struct central_store *store, const char *site, const char *from, const char *to,
                  central_activity_cb cb, void *ctx, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site);
    param_text(&p, from);
    param_text(&p, to);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           "SELECT " PG_ACTIVITY_COLUMNS " FROM activity WHERE site = $1 AND "
                           "date COLLATE \"C\" BETWEEN $2 AND $3 ORDER BY date COLLATE \"C\", "
                           "start COLLATE \"C\", title COLLATE \"C\", id COLLATE \"C\"",
                           &p, &res, "activities", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_activity a;
        pg_read_activity(res, row, &a);
        rc = cb(ctx, &a);
    }
    PQclear(res);
    return rc;
}

/* ---- a calendar's import ---- */

struct import {
    struct pg_store *store;
    int64_t change;
    const char *site, *from;
    struct central_import_counts *counts;
    char *err;
    size_t errlen;
};

/* A statement of the import; *changed (when not NULL) the rows it changed. */
static int import_run(struct import *im, const char *sql, const struct params *p,
                      PGresult **out, int64_t *changed)
{
    PGresult *res = NULL;
    int rc = pg_run(im->store, sql, p, &res, IMPORT, im->err, im->errlen);
    if (rc)
        return rc;
    if (changed)
        *changed = strtoll(PQcmdTuples(res), NULL, 10);
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

/* The plan's id: the one imported before with its uid, or its own (added). */
static int import_plan_row(struct import *im, const struct central_plan *plan, char *id)
{
    struct params find = {0};
    param_text(&find, plan->uid);
    PGresult *res = NULL;
    int rc = import_run(im, "SELECT id, site FROM activity_plan WHERE uid = $1", &find, &res, NULL);
    if (rc)
        return rc;
    int update = PQntuples(res) == 1;
    char site[EVENT_KEY_MAX] = "";
    if (update) {
        pg_copy_column(res, 0, 0, id, EVENT_ID_LEN + 1);
        pg_copy_column(res, 0, 1, site, sizeof site);
    }
    PQclear(res);
    if (update && strcmp(site, im->site) != 0) {
        snprintf(im->err, im->errlen, "event UID %s was imported for site \"%s\", not \"%s\"",
                 plan->uid, site, im->site);
        return -EEXIST;
    }
    if (!update)
        memcpy(id, plan->id, EVENT_ID_LEN + 1);
    struct params p = {0};
    param_text(&p, id);
    plan_params(&p, plan);
    int64_t changed = 0;
    if (update) {
        rc = import_run(im,
                        "UPDATE activity_plan SET title = $2, place = $3, start = $4, "
                        "\"end\" = $5, weekdays = $6, from_date = $7, until_date = $8 "
                        "WHERE id = $1 AND (title, place, start, \"end\", weekdays, from_date, "
                        "until_date) IS DISTINCT FROM ($2, $3, $4, $5, $6::int, $7, $8)",
                        &p, NULL, &changed);
    } else {
        param_text(&p, im->site);
        param_text(&p, plan->uid);
        rc = import_run(im,
                        "INSERT INTO activity_plan (id, title, place, start, \"end\", weekdays, "
                        "from_date, until_date, site, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                        "$8, $9, $10)",
                        &p, NULL, NULL);
    }
    if (rc == -ENOENT)
        snprintf(im->err, im->errlen, "there is no site \"%s\" (see site list)", im->site);
    if (rc)
        return rc;
    if (!update)
        im->counts->added++;
    else if (changed > 0)
        im->counts->updated++;
    return 0;
}

static int import_one(struct import *im, const struct central_plan_import *plan)
{
    char id[EVENT_ID_LEN + 1];
    int rc = import_plan_row(im, plan->plan, id);
    /* An occurrence the import gives: added, or changed only when it
     * differs, so a second import of the same file sends the kiosks
     * nothing new. */
    for (size_t i = 0; i < plan->count && !rc; i++) {
        const struct central_activity *a = &plan->occurrences[i];
        struct params p = {0};
        pg_activity_params(&p, a, id, im->change);
        p.value[1] = im->site;
        param_number(&p, a->cancelled ? 1 : 0);
        int64_t changed = 0;
        rc = import_run(
            im,
            "INSERT INTO activity (id, site, date, start, \"end\", title, place, changed, plan, "
            "plan_date, cancelled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
            "ON CONFLICT (plan, plan_date) DO UPDATE SET date = excluded.date, "
            "start = excluded.start, \"end\" = excluded.\"end\", title = excluded.title, "
            "place = excluded.place, cancelled = excluded.cancelled, changed = excluded.changed "
            "WHERE (activity.date, activity.start, activity.\"end\", activity.title, "
            "activity.place, activity.cancelled) IS DISTINCT FROM (excluded.date, "
            "excluded.start, excluded.\"end\", excluded.title, excluded.place, "
            "excluded.cancelled)",
            &p, NULL, &changed);
        im->counts->changed += (size_t)changed;
    }
    if (rc)
        return rc;
    /* The earlier import's occurrences from `from` on that this one no
     * longer has are cancelled. */
    struct params future = {0};
    param_text(&future, id);
    param_text(&future, im->from);
    PGresult *res = NULL;
    if ((rc = import_run(im,
                         "SELECT plan_date FROM activity WHERE plan = $1 AND plan_date "
                         "COLLATE \"C\" >= $2 AND cancelled = 0 ORDER BY plan_date COLLATE \"C\"",
                         &future, &res, NULL)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        const char *date = PQgetvalue(res, row, 0);
        if (central_plan_import_gives(plan, date))
            continue;
        struct params cancel = {0};
        param_text(&cancel, id);
        param_text(&cancel, date);
        param_number(&cancel, im->change);
        rc = import_run(im,
                        "UPDATE activity SET cancelled = 1, changed = $3 WHERE plan = $1 AND "
                        "plan_date = $2",
                        &cancel, NULL, NULL);
        im->counts->changed += rc ? 0 : 1;
    }
    PQclear(res);
    return rc;
}

/* The site's imported plans the file no longer has: their occurrences
 * from `from` on are cancelled. */
static int import_gone(struct import *im, const struct central_plan_import *plans, size_t count,
                       const char *const *keep, size_t keep_count)
{
    struct params p = {0};
    param_text(&p, im->site);
    PGresult *res = NULL;
    int rc = import_run(im,
                        "SELECT id, uid FROM activity_plan WHERE site = $1 AND uid IS NOT NULL "
                        "ORDER BY id COLLATE \"C\"",
                        &p, &res, NULL);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        if (central_plan_import_names(PQgetvalue(res, row, 1), plans, count, keep, keep_count))
            continue;
        struct params cancel = {0};
        param_text(&cancel, PQgetvalue(res, row, 0));
        param_text(&cancel, im->from);
        param_number(&cancel, im->change);
        int64_t changed = 0;
        rc = import_run(im,
                        "UPDATE activity SET cancelled = 1, changed = $3 WHERE plan = $1 AND "
                        "plan_date COLLATE \"C\" >= $2 AND cancelled = 0",
                        &cancel, NULL, &changed);
        if (!rc && changed > 0) {
            im->counts->removed++;
            im->counts->changed += (size_t)changed;
        }
    }
    PQclear(res);
    return rc;
}

int pg_plan_import(struct central_store *store, const char *site, const char *from,
                   const struct central_plan_import *plans, size_t count, const char *const *keep,
                   size_t keep_count, struct central_import_counts *counts, char *err,
                   size_t errlen)
{
    struct import im = {.store = pg_cast(store),
                        .site = site,
                        .from = from,
                        .counts = counts,
                        .err = err,
                        .errlen = errlen};
    memset(counts, 0, sizeof *counts);
    int rc = pg_begin_write(im.store, err, errlen);
    if (rc)
        return rc;
    rc = pg_next_change(im.store, &im.change, err, errlen);
    for (size_t i = 0; i < count && !rc; i++)
        rc = import_one(&im, &plans[i]);
    if (!rc)
        rc = import_gone(&im, plans, count, keep, keep_count);
    return pg_finish(im.store, rc, err, errlen);
}

/* ---- a site's opening hours ---- */

int pg_opening_set(struct central_store *store, const char *site,
                   const struct central_opening *hours, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site);
    if (hours) {
        param_number(&p, hours->weekdays);
        param_text(&p, hours->start);
        param_text(&p, hours->end);
    }
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           hours ? "INSERT INTO site_opening (site, weekdays, start, \"end\") "
                                   "SELECT id, $2, $3, $4 FROM site WHERE id = $1 "
                                   "ON CONFLICT (site) DO UPDATE SET weekdays = excluded.weekdays, "
                                   "start = excluded.start, \"end\" = excluded.\"end\""
                                 : "DELETE FROM site_opening WHERE site = $1",
                           &p, &res, "opening hours", err, errlen)))
        return rc;
    if (hours && strtoll(PQcmdTuples(res), NULL, 10) == 0) {
        snprintf(err, errlen, "there is no site \"%s\" (see site list)", site);
        rc = -ENOENT;
    }
    PQclear(res);
    return rc;
}

int pg_openings(struct central_store *store, central_opening_cb cb, void *ctx, char *err,
                size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           "SELECT site, weekdays, start, \"end\" FROM site_opening "
                           "ORDER BY site COLLATE \"C\"",
                           NULL, &res, "opening hours", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_opening hours;
        memset(&hours, 0, sizeof hours);
        pg_copy_column(res, row, 0, hours.site, sizeof hours.site);
        hours.weekdays = (int)pg_column_int(res, row, 1);
        pg_copy_column(res, row, 2, hours.start, sizeof hours.start);
        pg_copy_column(res, row, 3, hours.end, sizeof hours.end);
        rc = cb(ctx, &hours);
    }
    PQclear(res);
    return rc;
}
