/* The PostgreSQL backend's roster (cursors, imports), reports, and a
 * volunteer's data on request (export and erasure). */
#include "store_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

/* ---- roster ---- */

void pg_read_volunteer(const PGresult *res, int row, struct central_volunteer *v)
{
    pg_copy_column(res, row, 0, v->external_id, sizeof v->external_id);
    pg_copy_column(res, row, 1, v->given_name, sizeof v->given_name);
    pg_copy_column(res, row, 2, v->family_name, sizeof v->family_name);
    v->active = (int)pg_column_int(res, row, 3);
    pg_copy_column(res, row, 4, v->confidentiality_signed, sizeof v->confidentiality_signed);
    pg_copy_column(res, row, 5, v->police_valid_until, sizeof v->police_valid_until);
    v->confidentiality_undated = (int)pg_column_int(res, row, 6);
    v->police_undated = (int)pg_column_int(res, row, 7);
}

void pg_read_card(const PGresult *res, int row, struct central_card *c)
{
    pg_copy_column(res, row, 0, c->card_hash, sizeof c->card_hash);
    pg_copy_column(res, row, 1, c->volunteer, sizeof c->volunteer);
    c->revoked = (int)pg_column_int(res, row, 2);
}

/* Each card a statement returns, to `card` (which may stop the walk). */
static int send_cards(struct pg_store *s, int which, const struct params *p,
                      int (*card)(void *ctx, const struct central_card *card), void *ctx,
                      const char *what, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_query(s, which, p, &res, what, err, errlen);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_card c;
        pg_read_card(res, row, &c);
        rc = card(ctx, &c);
    }
    PQclear(res);
    return rc;
}

static int roster_rows(struct pg_store *s, int64_t since, const char *site,
                       const struct central_roster_sink *sink, char *err, size_t errlen)
{
    struct params p = {0};
    param_number(&p, since);
    PGresult *res = NULL;
    int rc = pg_query(s, ST_VOLUNTEERS_SINCE, &p, &res, "roster volunteers", err, errlen);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_volunteer v;
        pg_read_volunteer(res, row, &v);
        rc = sink->volunteer(sink->ctx, &v);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = send_cards(s, ST_CARDS_SINCE, &p, sink->card, sink->ctx, "roster cards", err,
                               errlen)))
        return rc;
    res = NULL;
    param_text(&p, site);
    if (rc || (rc = pg_query(s, ST_ACTIVITIES_SINCE, &p, &res, "roster activities", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_activity a;
        pg_read_activity(res, row, &a);
        rc = sink->activity(sink->ctx, &a);
    }
    PQclear(res);
    return rc;
}

int pg_roster_since(struct central_store *store, const char *site, int64_t since,
                    const struct central_roster_sink *sink, int64_t *cursor, int *full, char *err,
                    size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    /* One snapshot: the cursor and the rows together. A writer holds the
     * counter's row until it commits, so no change with a smaller value
     * can commit after this snapshot. */
    int rc = pg_begin_read(s, err, errlen);
    if (rc)
        return rc;
    PGresult *res = NULL;
    if ((rc = pg_query(s, ST_CHANGE_NOW, NULL, &res, "roster cursor", err, errlen)))
        goto out;
    *cursor = pg_column_int(res, 0, 0);
    PQclear(res);
    /* A cursor from the future comes from another database: start over. */
    if (since < 0 || since > *cursor)
        since = 0;
    *full = since == 0;
    rc = roster_rows(s, since, site, sink, err, errlen);
out:
    if (rc)
        pg_rollback(s);
    else
        rc = pg_commit(s, err, errlen);
    return rc;
}

int pg_roster_replace(struct central_store *store, const struct central_volunteer *volunteers,
                      size_t count, size_t *changed, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t change = 0;
    *changed = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = pg_next_change(s, &change, err, errlen)))
        goto out;
    for (size_t i = 0; i < count; i++) {
        const struct central_volunteer *v = &volunteers[i];
        struct params p = {0};
        param_text(&p, v->external_id);
        param_text(&p, v->given_name);
        param_text(&p, v->family_name);
        param_number(&p, v->active ? 1 : 0);
        param_optional(&p, v->confidentiality_signed);
        param_optional(&p, v->police_valid_until);
        param_number(&p, change);
        param_number(&p, v->confidentiality_undated ? 1 : 0);
        param_number(&p, v->police_undated ? 1 : 0);
        char what[100];
        snprintf(what, sizeof what, "roster import, volunteer \"%s\"", v->external_id);
        int64_t rows = 0;
        if ((rc = pg_query_changes(s, ST_ROSTER_UPSERT, &p, &rows, what, err, errlen)))
            goto out;
        *changed += (size_t)rows;
        struct params id = {0};
        param_text(&id, v->external_id);
        if ((rc = pg_query(s, ST_ROSTER_SEEN, &id, NULL, what, err, errlen)))
            goto out;
    }
    struct params retire = {0};
    param_number(&retire, change);
    int64_t retired = 0;
    if ((rc = pg_query_changes(s, ST_ROSTER_RETIRE, &retire, &retired,
                               "roster import, retiring volunteers", err, errlen)))
        goto out;
    *changed += (size_t)retired;
    rc = pg_commit(s, err, errlen);
out:
    if (rc)
        pg_rollback(s);
    return rc;
}

/* ---- reports ---- */

int pg_totals(struct central_store *store, const char *from, const char *to,
              enum central_group group, const char *sites_json, central_total_cb cb, void *ctx,
              char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    static const int which[] = {
        [CENTRAL_GROUP_SITE] = ST_TOTAL_SITE,
        [CENTRAL_GROUP_ACTIVITY] = ST_TOTAL_ACTIVITY,
        [CENTRAL_GROUP_MONTH] = ST_TOTAL_MONTH,
        [CENTRAL_GROUP_VOLUNTEER] = ST_TOTAL_VOLUNTEER,
    };
    if ((unsigned)group >= sizeof which / sizeof which[0]) {
        snprintf(err, errlen, "report: unknown grouping %d", (int)group);
        return -EINVAL;
    }
    struct params p = {0};
    param_text(&p, from);
    param_text(&p, to);
    param_text(&p, sites_json); /* NULL: every site */
    struct central_period_split split;
    if (group == CENTRAL_GROUP_VOLUNTEER) {
        central_period_split(from, to, &split);
        param_text(&p, split.months_from);
        param_text(&p, split.months_to);
        param_text(&p, split.head_from);
        param_text(&p, split.head_to);
        param_text(&p, split.tail_from);
        param_text(&p, split.tail_to);
    }
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, which[group], &p, &res, "report", err, errlen)))
        return rc;
    int n = PQnfields(res);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_total t;
        memset(&t, 0, sizeof t);
        pg_copy_column(res, row, 0, t.key, sizeof t.key);
        t.seconds = pg_column_int(res, row, n - 2);
        t.visits = pg_column_int(res, row, n - 1);
        switch (group) {
        case CENTRAL_GROUP_SITE:
            pg_copy_column(res, row, 1, t.label, sizeof t.label);
            pg_copy_column(res, row, 2, t.site_kind, sizeof t.site_kind);
            break;
        case CENTRAL_GROUP_ACTIVITY: {
            pg_copy_column(res, row, 1, t.label, sizeof t.label);
            char date[16], site[CENTRAL_NAME_MAX];
            pg_copy_column(res, row, 2, date, sizeof date);
            pg_copy_column(res, row, 3, site, sizeof site);
            if (date[0])
                snprintf(t.detail, sizeof t.detail, "%s, %.100s", date, site);
            break;
        }
        case CENTRAL_GROUP_VOLUNTEER:
            pg_copy_column(res, row, 1, t.label, sizeof t.label);
            break;
        case CENTRAL_GROUP_MONTH:
            break;
        }
        rc = cb(ctx, &t);
    }
    PQclear(res);
    return rc;
}

int pg_volunteer_sites(struct central_store *store, const char *from, const char *to,
                       central_volunteer_site_cb cb, void *ctx, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, from);
    param_text(&p, to);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_VOLUNTEER_SITES, &p, &res, "volunteer visits", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_volunteer_site v;
        memset(&v, 0, sizeof v);
        pg_copy_column(res, row, 0, v.volunteer, sizeof v.volunteer);
        pg_copy_column(res, row, 1, v.name, sizeof v.name);
        pg_copy_column(res, row, 2, v.site, sizeof v.site);
        pg_copy_column(res, row, 3, v.site_name, sizeof v.site_name);
        v.seconds = pg_column_int(res, row, 4);
        v.visits = pg_column_int(res, row, 5);
        v.first_us = pg_column_int(res, row, 6);
        v.last_us = pg_column_int(res, row, 7);
        rc = cb(ctx, &v);
    }
    PQclear(res);
    return rc;
}

int pg_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx, char *err,
               size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_number(&p, limit);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_REVIEWS, &p, &res, "reviews", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_review r;
        pg_copy_column(res, row, 0, r.site, sizeof r.site);
        pg_copy_column(res, row, 1, r.site_name, sizeof r.site_name);
        pg_copy_column(res, row, 2, r.volunteer, sizeof r.volunteer);
        pg_copy_column(res, row, 3, r.volunteer_name, sizeof r.volunteer_name);
        r.start_us = pg_column_int(res, row, 4);
        r.end_us = pg_column_int(res, row, 5);
        rc = cb(ctx, &r);
    }
    PQclear(res);
    return rc;
}

/* ---- a volunteer's data, on request ---- */

static int volunteer_known(struct pg_store *s, const char *external_id, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, external_id);
    PGresult *res = NULL;
    int rc = pg_query(s, ST_VOLUNTEER_KNOWN, &p, &res, "looking up a volunteer", err, errlen);
    if (rc)
        return rc;
    rc = pg_column_int(res, 0, 0) ? 0 : -ENOENT;
    PQclear(res);
    if (rc == -ENOENT)
        snprintf(err, errlen,
                 "volunteer \"%s\": the central has no roster row, card or event of them",
                 external_id);
    return rc;
}

static int export_rows(struct pg_store *s, const char *external_id,
                       const struct central_volunteer_sink *sink, int64_t *seconds, int64_t *visits,
                       char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, external_id);
    PGresult *res = NULL;
    int rc = pg_query(s, ST_VOLUNTEER_GET, &p, &res, "export, roster row", err, errlen);
    if (!rc && PQntuples(res) == 1) {
        struct central_volunteer v;
        pg_read_volunteer(res, 0, &v);
        rc = sink->volunteer(sink->ctx, &v);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = send_cards(s, ST_VOLUNTEER_CARDS, &p, sink->card, sink->ctx, "export, cards",
                               err, errlen)))
        return rc;
    res = NULL;
    if (rc || (rc = pg_query(s, ST_VOLUNTEER_EVENTS, &p, &res, "export, events", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct event ev;
        if (!(rc = pg_read_event(res, row, 0, "export", &ev, err, errlen)))
            rc = sink->event(sink->ctx, &ev);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = pg_query(s, ST_VOLUNTEER_HOURS, &p, &res, "export, hours", err, errlen)))
        return rc;
    *seconds = pg_column_int(res, 0, 0);
    *visits = pg_column_int(res, 0, 1);
    PQclear(res);
    return 0;
}

int pg_volunteer_export(struct central_store *store, const char *external_id,
                        const struct central_volunteer_sink *sink, int64_t *seconds,
                        int64_t *visits, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    *seconds = *visits = 0;
    /* One snapshot: an upload meanwhile cannot make events and hours
     * disagree. */
    int rc = pg_begin_read(s, err, errlen);
    if (rc)
        return rc;
    rc = volunteer_known(s, external_id, err, errlen);
    if (!rc)
        rc = export_rows(s, external_id, sink, seconds, visits, err, errlen);
    if (rc)
        pg_rollback(s);
    else
        rc = pg_commit(s, err, errlen);
    return rc;
}

int pg_volunteer_forget(struct central_store *store, const char *external_id,
                        struct central_erasure *erased, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    /* The totals first: they are computed from the visits still there. */
    static const struct {
        int which;
        const char *what;
    } steps[] = {
        {ST_FORGET_TOTALS, "erasing a volunteer, daily totals"},
        {ST_FORGET_VISITS, "erasing a volunteer, visits"},
        {ST_FORGET_EVENTS, "erasing a volunteer, events"},
        {ST_FORGET_CARDS, "erasing a volunteer, cards"},
        {ST_FORGET_VOLUNTEER, "erasing a volunteer, roster row"},
    };
    memset(erased, 0, sizeof *erased);
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = volunteer_known(s, external_id, err, errlen)))
        goto out;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct params p = {0};
        param_text(&p, external_id);
        int64_t changes = 0;
        if ((rc = pg_query_changes(s, steps[i].which, &p, &changes, steps[i].what, err, errlen)))
            goto out;
        switch (steps[i].which) {
        case ST_FORGET_VISITS:
            erased->visits = changes;
            break;
        case ST_FORGET_EVENTS:
            erased->events = changes;
            break;
        case ST_FORGET_CARDS:
            erased->cards = changes;
            break;
        case ST_FORGET_VOLUNTEER:
            erased->roster = changes > 0;
            break;
        }
    }
    rc = pg_commit(s, err, errlen);
out:
    if (rc) {
        pg_rollback(s);
        memset(erased, 0, sizeof *erased);
    }
    return rc;
}
