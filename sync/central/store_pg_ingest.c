/* The PostgreSQL backend's uploads: events in one transaction per batch,
 * visits derived by firmware/visits.c's rules on this backend's visit
 * table, kiosks' status, and a site's events fetched back. */
#include "store_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "visits.h"

/* ---- the visit table, for firmware/visits.c's rules ---- */

static int visit_find_open(void *ctx, const char *site, const char *volunteer, int64_t *id,
                           char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, site);
    param_text(&p, volunteer);
    PGresult *res = NULL;
    int rc = pg_query(ctx, ST_VISIT_FIND_OPEN, &p, &res, "visits", err, errlen);
    if (rc)
        return rc;
    int found = PQntuples(res) == 1;
    if (found)
        *id = pg_column_int(res, 0, 0);
    PQclear(res);
    return found;
}

static int visit_insert(void *ctx, const struct event *ev, const char *day, char *err,
                        size_t errlen)
{
    struct params p = {0};
    param_text(&p, ev->site);
    param_text(&p, ev->volunteer);
    param_optional(&p, ev->activity);
    param_text(&p, ev->event_id);
    param_number(&p, ev->at_us);
    param_text(&p, day);
    param_number(&p, ev->review ? 1 : 0);
    return pg_query(ctx, ST_VISIT_INSERT, &p, NULL, "visits", err, errlen);
}

static int visit_close(void *ctx, int64_t id, const struct event *ev, int review, char *err,
                       size_t errlen)
{
    struct params p = {0};
    param_number(&p, id);
    param_text(&p, ev->event_id);
    param_number(&p, ev->at_us);
    param_number(&p, (int)ev->kind);
    param_number(&p, review);
    return pg_query(ctx, ST_VISIT_CLOSE, &p, NULL, "visits", err, errlen);
}

static int visit_correct_start(void *ctx, const char *corrects, int64_t at_us, const char *day,
                               int *changed, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, corrects);
    param_number(&p, at_us);
    param_text(&p, day);
    int64_t rows = 0;
    int rc = pg_query_changes(ctx, ST_VISIT_CORRECT_START, &p, &rows, "visits", err, errlen);
    *changed = (int)rows;
    return rc;
}

static int visit_correct_end(void *ctx, const char *corrects, int64_t at_us, int *changed,
                             char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, corrects);
    param_number(&p, at_us);
    int64_t rows = 0;
    int rc = pg_query_changes(ctx, ST_VISIT_CORRECT_END, &p, &rows, "visits", err, errlen);
    *changed = (int)rows;
    return rc;
}

static const struct visits_table pg_visits = {
    .find_open = visit_find_open,
    .insert = visit_insert,
    .close = visit_close,
    .correct_start = visit_correct_start,
    .correct_end = visit_correct_end,
};

/* ---- ingest ---- */

static int set_card(struct pg_store *s, const struct event *ev, int64_t *change, char *err,
                    size_t errlen)
{
    int rc;
    if (!*change && (rc = pg_next_change(s, change, err, errlen)))
        return rc;
    struct params p = {0};
    param_text(&p, ev->card_hash);
    param_optional(&p, ev->volunteer);
    param_number(&p, ev->kind == EVENT_CARD_REVOKED);
    param_number(&p, ev->at_us);
    param_number(&p, *change);
    return pg_query(s, ST_CARD_SET, &p, NULL, "card", err, errlen);
}

/* 1 when a correction names an event of another site (see the SQLite
 * backend): stored, but it changes nothing. */
static int corrects_other_site(struct pg_store *s, const struct event *ev, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, ev->corrects);
    PGresult *res = NULL;
    int rc = pg_query(s, ST_EVENT_SITE, &p, &res, "correction", err, errlen);
    if (rc)
        return rc;
    int other = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), ev->site) != 0;
    PQclear(res);
    return other;
}

static void event_params(struct params *p, const struct event *ev)
{
    param_optional(p, ev->event_id);
    param_text(p, event_kind_name(ev->kind));
    param_text(p, ev->site);
    param_optional(p, ev->volunteer);
    param_number(p, ev->at_us);
    param_number(p, ev->recorded_us);
    param_number(p, ev->mono_us);
    param_text(p, ev->boot_id);
    param_number(p, ev->clock_synced ? 1 : 0);
    param_text(p, event_source_name(ev->source));
    param_optional(p, ev->activity);
    param_optional(p, ev->corrects);
    param_optional(p, ev->card_hash);
    param_number(p, ev->review ? 1 : 0);
}

int pg_ingest(struct central_store *store, const struct central_device *device,
              const struct event *events, size_t count, enum central_ingest_result *results,
              char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t received = pg_now_us(), change = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    struct params lock = {0};
    param_text(&lock, device->site);
    if ((rc = pg_query(s, ST_SITE_LOCK, &lock, NULL, "site lock", err, errlen)))
        goto out;
    for (size_t i = 0; i < count; i++) {
        const struct event *ev = &events[i];
        /* The HTTP layer already did this; the store is the last line. */
        if (strcmp(ev->site, device->site) != 0) {
            snprintf(err, errlen, "event %s: site \"%s\" is not the device's site \"%s\"",
                     ev->event_id, ev->site, device->site);
            rc = -EPERM;
            goto out;
        }
        struct params p = {0};
        event_params(&p, ev);
        param_number(&p, device->id);
        param_number(&p, received);
        char what[80];
        snprintf(what, sizeof what, "storing event %s", ev->event_id);
        PGresult *res = NULL;
        if ((rc = pg_query(s, ST_EVENT_INSERT, &p, &res, what, err, errlen)))
            goto out;
        int stored = PQntuples(res) == 1;
        PQclear(res);
        if (!stored) {
            results[i] = CENTRAL_INGEST_DUPLICATE;
            continue;
        }
        results[i] = CENTRAL_INGEST_STORED;
        if (ev->kind == EVENT_CORRECTION) {
            int other = corrects_other_site(s, ev, err, errlen);
            if (other < 0) {
                rc = other;
                goto out;
            }
            if (other)
                continue;
        }
        /* Only a newly stored event moves the hours. */
        rc = visits_apply_table(&pg_visits, s, ev, err, errlen);
        if (rc < 0)
            goto out;
        rc = 0;
        if ((ev->kind == EVENT_CARD_ENROLLED || ev->kind == EVENT_CARD_REVOKED) &&
            (rc = set_card(s, ev, &change, err, errlen)))
            goto out;
    }
    struct params seen = {0};
    param_number(&seen, device->id);
    param_number(&seen, received);
    if ((rc = pg_query(s, ST_DEVICE_SEEN, &seen, NULL, "device last seen", err, errlen)))
        goto out;
    rc = pg_commit(s, err, errlen);
out:
    if (rc)
        pg_rollback(s);
    return rc;
}

int pg_status_put(struct central_store *store, int64_t device_id,
                  const struct central_status *status, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t now = pg_now_us();
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    struct params p = {0};
    param_number(&p, device_id);
    param_number(&p, now);
    param_text(&p, status->software_version);
    param_number(&p, status->events_waiting);
    if (status->last_upload_us)
        param_number(&p, status->last_upload_us);
    else
        param_null(&p);
    param_optional(&p, status->last_error);
    param_text(&p, status->reader_state);
    param_number(&p, status->clock_synced ? 1 : 0);
    const struct central_recovery *r = &status->recovery;
    if (r->reported) {
        param_number(&p, r->at_us);
        param_number(&p, r->backup_us);
        param_number(&p, r->skipped_backups);
        param_text(&p, r->fetch);
        param_number(&p, r->fetched_events);
    } else {
        for (int i = 0; i < 5; i++)
            param_null(&p);
    }
    if ((rc = pg_query(s, ST_STATUS_PUT, &p, NULL, "status", err, errlen)))
        goto out;
    struct params seen = {0};
    param_number(&seen, device_id);
    param_number(&seen, now);
    if ((rc = pg_query(s, ST_DEVICE_SEEN, &seen, NULL, "device last seen", err, errlen)))
        goto out;
    rc = pg_commit(s, err, errlen);
out:
    if (rc)
        pg_rollback(s);
    return rc;
}

/* ---- reading events back ---- */

int pg_read_event(const PGresult *res, int row, int col, const char *what, struct event *ev,
                  char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    int kind = event_kind_parse(PQgetvalue(res, row, col + 1));
    int source = event_source_parse(PQgetvalue(res, row, col + 9));
    struct {
        int col;
        char *out;
        size_t cap;
    } texts[] = {
        {col, ev->event_id, sizeof ev->event_id},
        {col + 2, ev->site, sizeof ev->site},
        {col + 3, ev->volunteer, sizeof ev->volunteer},
        {col + 7, ev->boot_id, sizeof ev->boot_id},
        {col + 10, ev->activity, sizeof ev->activity},
        {col + 11, ev->corrects, sizeof ev->corrects},
        {col + 12, ev->card_hash, sizeof ev->card_hash},
    };
    int bad = kind < 0 || source < 0;
    for (size_t i = 0; !bad && i < sizeof texts / sizeof texts[0]; i++) {
        const char *value = PQgetvalue(res, row, texts[i].col);
        size_t len = strlen(value);
        if (len >= texts[i].cap)
            bad = 1;
        else
            memcpy(texts[i].out, value, len + 1);
    }
    if (bad) {
        snprintf(err, errlen, "%s: event %s cannot be read back (kind, source or a field)", what,
                 PQgetvalue(res, row, col));
        return -EIO;
    }
    ev->kind = (enum event_kind)kind;
    ev->source = (enum event_source)source;
    ev->at_us = pg_column_int(res, row, col + 4);
    ev->recorded_us = pg_column_int(res, row, col + 5);
    ev->mono_us = pg_column_int(res, row, col + 6);
    ev->clock_synced = (int)pg_column_int(res, row, col + 8);
    ev->review = (int)pg_column_int(res, row, col + 13);
    return 0;
}

int pg_events_after(struct central_store *store, const char *site, int64_t after, size_t limit,
                    central_event_cb cb, void *ctx, int64_t *cursor, int *more, char *err,
                    size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site);
    param_number(&p, after);
    /* One more than asked for tells whether another page follows. */
    param_number(&p, (int64_t)limit + 1);
    *cursor = after;
    *more = 0;
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_EVENTS_AFTER, &p, &res, "events", err, errlen)))
        return rc;
    int rows = PQntuples(res);
    for (int row = 0; !rc && row < rows; row++) {
        if ((size_t)row == limit) {
            *more = 1;
            break;
        }
        struct event ev;
        if ((rc = pg_read_event(res, row, 1, "events", &ev, err, errlen)))
            break;
        *cursor = pg_column_int(res, row, 0);
        rc = cb(ctx, &ev);
    }
    PQclear(res);
    return rc;
}
