/* The PostgreSQL backend's steps of the review of visits closed
 * automatically (store_backend.h, taken by store_review.c): the list, and
 * the correction made in the web app, stored under the site's lock and
 * applied through firmware/visits.c's rules as an uploaded correction is
 * (store_pg_ingest.c), so both backends derive the same hours. */
#include "store_pg.h"

#include <string.h>

static void read_review(const PGresult *res, int row, struct central_review_visit *r,
                        int64_t *device)
{
    memset(r, 0, sizeof *r);
    pg_copy_column(res, row, 0, r->end_event, sizeof r->end_event);
    pg_copy_column(res, row, 1, r->site, sizeof r->site);
    pg_copy_column(res, row, 2, r->site_name, sizeof r->site_name);
    pg_copy_column(res, row, 3, r->volunteer, sizeof r->volunteer);
    pg_copy_column(res, row, 4, r->volunteer_name, sizeof r->volunteer_name);
    pg_copy_column(res, row, 5, r->activity_title, sizeof r->activity_title);
    r->start_us = pg_column_int(res, row, 6);
    r->end_us = pg_column_int(res, row, 7);
    if (device)
        *device = pg_column_int(res, row, 8);
}

static int pg_review_visits(struct central_store *store, const char *site, size_t limit,
                            central_review_visit_cb cb, void *ctx, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site);
    param_number(&p, (int64_t)limit);
    PGresult *res = NULL;
    /* Sites in the "C" collation, as SQLite orders them. */
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           CENTRAL_REVIEW_SELECT "AND ($1 = '' OR v.site = $1) "
                                                 "ORDER BY v.site COLLATE \"C\", v.start_us, v.id "
                                                 "LIMIT $2",
                           &p, &res, "visits to review", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_review_visit r;
        read_review(res, row, &r, NULL);
        rc = cb(ctx, &r);
    }
    PQclear(res);
    return rc;
}

static int pg_review_find(struct central_store *store, const char *end_event,
                          struct central_review_visit *visit, int64_t *device, char *err,
                          size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, end_event);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s, CENTRAL_REVIEW_SELECT "AND v.end_event = $1", &p, &res,
                           "visit to review", err, errlen)))
        return rc;
    if (PQntuples(res) > 0) {
        read_review(res, 0, visit, device);
        rc = 1;
    }
    PQclear(res);
    return rc;
}

/* The site's lock is the uploads' (ST_SITE_LOCK): a kiosk's batch and a
 * correction of the same site take turns, so the correction's event seq
 * follows commit order (the kiosks' cursors need it) and the latest
 * recorded correction is the one the visit keeps. */
static int pg_review_begin(struct central_store *store, const char *site, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site);
    int rc = pg_begin_write(s, err, errlen);
    if (!rc && (rc = pg_query(s, ST_SITE_LOCK, &p, NULL, "site lock", err, errlen)))
        pg_rollback(s);
    return rc;
}

static int pg_review_record(struct central_store *store, const struct event *ev, int64_t device,
                            const char *actor, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int rc = pg_event_apply(s, ev, device, ev->recorded_us, err, errlen);
    if (rc < 0)
        return rc;
    struct params p = {0};
    param_text(&p, ev->event_id);
    param_text(&p, actor);
    int named = pg_run(s, "INSERT INTO web_correction (event_id, actor) VALUES ($1, $2)", &p, NULL,
                       "naming the correction", err, errlen);
    return named ? named : rc;
}

static int pg_review_finish(struct central_store *store, int rc, char *err, size_t errlen)
{
    return pg_finish(pg_cast(store), rc, err, errlen);
}

static int pg_corrections_after(struct central_store *store, const char *site, int64_t after,
                                size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                                int *more, char *err, size_t errlen)
{
    return pg_events_page(pg_cast(store), ST_CORRECTIONS_AFTER, site, after, limit, cb, ctx, cursor,
                          more, err, errlen);
}

const struct central_store_review_ops central_pg_review_ops = {
    .visits = pg_review_visits,
    .find = pg_review_find,
    .begin = pg_review_begin,
    .record = pg_review_record,
    .finish = pg_review_finish,
    .corrections_after = pg_corrections_after,
};
