/* The PostgreSQL backend's uploads: events in one transaction per batch,
 * visits derived by firmware/visits.c's rules on this backend's visit
 * table, kiosks' status, and a site's events fetched back. */
#include "store_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "visits.h"

/* ---- a batch's visits, for firmware/visits.c's rules ----
 *
 * The rules ask, event by event, for the open visit of a volunteer, and
 * begin or end one. Asking the server each time costs round trips per
 * event; instead the batch reads its volunteers' open visits once (under
 * the site's lock nobody else changes them), answers the rules from what
 * it knows, and writes what they decided in two statements: the visits it
 * began (closed already when it also ended them) and the visits it ended
 * that began before it. A correction works on the database (it may name
 * any visit), so what is pending is written before it runs. The rules
 * keep at most one open visit per site and volunteer; that is what the
 * batch remembers of each. */

/* An empty text is NULL, as the SQLite backend binds it. */
static const char *or_null(const char *text)
{
    return text[0] ? text : NULL;
}

struct open_visit {
    const char *volunteer;
    const char *start_event; /* of its open visit; NULL when it has none */
    size_t pending;          /* 1 + its index in batch.begun while not yet written */
};

struct begun_visit {
    const struct event *start;
    char day[11];
    const struct event *end; /* NULL while open */
    int review;
};

struct ended_visit {
    const char *start_event;
    const struct event *end;
    int review;
};

struct batch {
    struct pg_store *store;
    const char *site;
    struct open_visit *open;
    size_t open_count;
    struct begun_visit *begun;
    size_t begun_count;
    struct ended_visit *ended;
    size_t ended_count;
};

static int by_volunteer(const void *a, const void *b)
{
    return strcmp(((const struct open_visit *)a)->volunteer,
                  ((const struct open_visit *)b)->volunteer);
}

static struct open_visit *open_visit_of(struct batch *b, const char *volunteer)
{
    struct open_visit key = {.volunteer = volunteer};
    return bsearch(&key, b->open, b->open_count, sizeof key, by_volunteer);
}

/* ingest reads the open visits of every volunteer its rules will ask for
 * first: one it did not is a mistake in this file. */
static int not_in_batch(const char *site, const char *volunteer, char *err, size_t errlen)
{
    snprintf(err, errlen, "visits: volunteer \"%s\" at \"%s\" is not in the batch", volunteer,
             site);
    return -EINVAL;
}

static int batch_find_open(void *ctx, const char *site, const char *volunteer, int64_t *id,
                           char *err, size_t errlen)
{
    struct batch *b = ctx;
    struct open_visit *open = open_visit_of(b, volunteer);
    if (!open || strcmp(site, b->site) != 0)
        return not_in_batch(site, volunteer, err, errlen);
    if (!open->start_event)
        return 0;
    *id = open - b->open;
    return 1;
}

static int batch_insert(void *ctx, const struct event *ev, const char *day, char *err,
                        size_t errlen)
{
    struct batch *b = ctx;
    struct open_visit *open = open_visit_of(b, ev->volunteer);
    if (!open)
        return not_in_batch(ev->site, ev->volunteer, err, errlen);
    struct begun_visit *begun = &b->begun[b->begun_count++];
    memset(begun, 0, sizeof *begun);
    begun->start = ev;
    snprintf(begun->day, sizeof begun->day, "%s", day);
    begun->review = ev->review ? 1 : 0;
    open->start_event = ev->event_id;
    open->pending = b->begun_count;
    return 0;
}

static int batch_close(void *ctx, int64_t id, const struct event *ev, int review, char *err,
                       size_t errlen)
{
    (void)err;
    (void)errlen;
    struct batch *b = ctx;
    struct open_visit *open = &b->open[id];
    if (open->pending) {
        struct begun_visit *begun = &b->begun[open->pending - 1];
        begun->end = ev;
        begun->review = review;
    } else {
        b->ended[b->ended_count++] =
            (struct ended_visit){.start_event = open->start_event, .end = ev, .review = review};
    }
    open->start_event = NULL;
    open->pending = 0;
    return 0;
}

/* 0 when every array parameter of p from `first` on was built (none is
 * NULL), else -ENOMEM naming what did not fit. */
static int arrays_built(const struct params *p, int first, const char *what, char *err,
                        size_t errlen)
{
    for (int i = first; i < p->count; i++)
        if (!p->value[i]) {
            snprintf(err, errlen, "%s: out of memory", what);
            return -ENOMEM;
        }
    return 0;
}

/* The array parameters of ST_VISITS_INSERT and ST_VISITS_CLOSE. */
enum { BEGUN_ARRAYS = 9, ENDED_ARRAYS = 5 };

/* The visits begun and ended so far, as the parameters of their two
 * statements (steps, which the caller runs, in a pipeline or one by one). */
struct flush {
    struct pg_array begun[BEGUN_ARRAYS], ended[ENDED_ARRAYS];
    struct params begun_params, ended_params;
    struct pg_step steps[2];
    size_t count;
};

static int flush_build(struct batch *b, struct flush *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < BEGUN_ARRAYS; i++)
        pg_array_init(&f->begun[i], b->begun_count);
    for (int i = 0; i < ENDED_ARRAYS; i++)
        pg_array_init(&f->ended[i], b->ended_count);
    int rc = 0;
    if (b->begun_count) {
        struct pg_array *begun = f->begun;
        for (size_t i = 0; i < b->begun_count; i++) {
            const struct begun_visit *v = &b->begun[i];
            pg_array_text(&begun[0], v->start->volunteer);
            pg_array_text(&begun[1], or_null(v->start->activity));
            pg_array_text(&begun[2], v->start->event_id);
            pg_array_number(&begun[3], v->start->at_us);
            pg_array_text(&begun[4], v->day);
            pg_array_number(&begun[5], v->review);
            pg_array_text(&begun[6], v->end ? v->end->event_id : NULL);
            if (v->end) {
                pg_array_number(&begun[7], v->end->at_us);
                pg_array_number(&begun[8], (int)v->end->kind);
            } else {
                pg_array_text(&begun[7], NULL);
                pg_array_text(&begun[8], NULL);
            }
        }
        struct params *p = &f->begun_params;
        param_text(p, b->site);
        for (int i = 0; i < BEGUN_ARRAYS; i++)
            param_text(p, pg_array_end(&begun[i]));
        if ((rc = arrays_built(p, 1, "the batch's new visits", err, errlen)))
            return rc;
        f->steps[f->count++] =
            (struct pg_step){.which = ST_VISITS_INSERT, .p = p, .what = "visits"};
    }
    if (b->ended_count) {
        struct pg_array *ended = f->ended;
        for (size_t i = 0; i < b->ended_count; i++) {
            const struct ended_visit *v = &b->ended[i];
            pg_array_text(&ended[0], v->start_event);
            pg_array_text(&ended[1], v->end->event_id);
            pg_array_number(&ended[2], v->end->at_us);
            pg_array_number(&ended[3], (int)v->end->kind);
            pg_array_number(&ended[4], v->review);
        }
        struct params *p = &f->ended_params;
        for (int i = 0; i < ENDED_ARRAYS; i++)
            param_text(p, pg_array_end(&ended[i]));
        if ((rc = arrays_built(p, 0, "the batch's ended visits", err, errlen)))
            return rc;
        f->steps[f->count++] = (struct pg_step){.which = ST_VISITS_CLOSE, .p = p, .what = "visits"};
    }
    return 0;
}

/* After the flush's statements ran: nothing is pending any more. */
static void flush_done(struct batch *b)
{
    for (size_t i = 0; i < b->open_count; i++)
        b->open[i].pending = 0;
    b->begun_count = b->ended_count = 0;
}

static void flush_free(struct flush *f)
{
    for (int i = 0; i < BEGUN_ARRAYS; i++)
        pg_array_free(&f->begun[i]);
    for (int i = 0; i < ENDED_ARRAYS; i++)
        pg_array_free(&f->ended[i]);
}

/* The visits begun and ended so far, written now (before a correction,
 * which works on the database). */
static int batch_flush(struct batch *b, char *err, size_t errlen)
{
    struct flush f;
    int rc = flush_build(b, &f, err, errlen);
    for (size_t i = 0; !rc && i < f.count; i++)
        rc = pg_query(b->store, f.steps[i].which, f.steps[i].p, NULL, f.steps[i].what, err, errlen);
    if (!rc)
        flush_done(b);
    flush_free(&f);
    return rc;
}

static int batch_correct_start(void *ctx, const char *corrects, int64_t at_us, const char *day,
                               int *changed, char *err, size_t errlen)
{
    struct batch *b = ctx;
    int rc = batch_flush(b, err, errlen);
    if (rc)
        return rc;
    struct params p = {0};
    param_text(&p, corrects);
    param_number(&p, at_us);
    param_text(&p, day);
    int64_t rows = 0;
    rc = pg_query_changes(b->store, ST_VISIT_CORRECT_START, &p, &rows, "visits", err, errlen);
    *changed = (int)rows;
    return rc;
}

static int batch_correct_end(void *ctx, const char *corrects, int64_t at_us, int *changed,
                             char *err, size_t errlen)
{
    struct batch *b = ctx;
    int rc = batch_flush(b, err, errlen);
    if (rc)
        return rc;
    struct params p = {0};
    param_text(&p, corrects);
    param_number(&p, at_us);
    int64_t rows = 0;
    rc = pg_query_changes(b->store, ST_VISIT_CORRECT_END, &p, &rows, "visits", err, errlen);
    *changed = (int)rows;
    return rc;
}

static int batch_newer_correction(void *ctx, const struct event *ev, char *err, size_t errlen)
{
    struct batch *b = ctx;
    struct params p = {0};
    param_text(&p, ev->corrects);
    param_number(&p, ev->recorded_us);
    param_text(&p, ev->event_id);
    param_text(&p, ev->site);
    PGresult *res = NULL;
    int rc = pg_query(b->store, ST_NEWER_CORRECTION, &p, &res, "correction", err, errlen);
    if (rc)
        return rc;
    int newer = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return newer;
}

static const struct visits_table batch_visits = {
    .find_open = batch_find_open,
    .insert = batch_insert,
    .close = batch_close,
    .correct_start = batch_correct_start,
    .correct_end = batch_correct_end,
    .newer_correction = batch_newer_correction,
};

static int opens_or_ends(const struct event *ev)
{
    return ev->kind == EVENT_CHECKIN || ev->kind == EVENT_CHECKOUT || ev->kind == EVENT_AUTOCLOSE;
}

/* The volunteers whose events may begin or end a visit, sorted, each once.
 * Which of their events are new is known only after the insert, sent in
 * the same pipeline: the open visits of all of them are read, and those
 * of volunteers with nothing new are never asked for. */
static void batch_volunteers(struct batch *b, const struct event *events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (opens_or_ends(&events[i]))
            b->open[b->open_count++] = (struct open_visit){.volunteer = events[i].volunteer};
    if (!b->open_count)
        return;
    qsort(b->open, b->open_count, sizeof *b->open, by_volunteer);
    size_t distinct = 1;
    for (size_t i = 1; i < b->open_count; i++)
        if (strcmp(b->open[i].volunteer, b->open[distinct - 1].volunteer) != 0)
            b->open[distinct++] = b->open[i];
    b->open_count = distinct;
}

/* ST_VISITS_OPEN's rows; the strings stay in res until the batch is done. */
static void batch_take_open(struct batch *b, const PGresult *res)
{
    for (int row = 0; res && row < PQntuples(res); row++) {
        struct open_visit *open = open_visit_of(b, PQgetvalue(res, row, 0));
        if (open)
            open->start_event = PQgetvalue(res, row, 1);
    }
}

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

/* An event's 13 columns but its site, one array each (the order of
 * ST_EVENTS_INSERT's parameters). */
enum { EVENT_ARRAYS = EVENT_COLUMN_COUNT - 1 };

static void event_arrays(struct pg_array *a, const struct event *ev)
{
    pg_array_text(&a[0], ev->event_id);
    pg_array_text(&a[1], event_kind_name(ev->kind));
    pg_array_text(&a[2], or_null(ev->volunteer));
    pg_array_number(&a[3], ev->at_us);
    pg_array_number(&a[4], ev->recorded_us);
    pg_array_number(&a[5], ev->mono_us);
    pg_array_text(&a[6], ev->boot_id);
    pg_array_number(&a[7], ev->clock_synced ? 1 : 0);
    pg_array_text(&a[8], event_source_name(ev->source));
    pg_array_text(&a[9], or_null(ev->activity));
    pg_array_text(&a[10], or_null(ev->corrects));
    pg_array_text(&a[11], or_null(ev->card_hash));
    pg_array_number(&a[12], ev->review ? 1 : 0);
}

struct batch_index {
    const char *event_id;
    size_t index;
};

static int by_event_id(const void *a, const void *b)
{
    const struct batch_index *x = a, *y = b;
    int order = strcmp(x->event_id, y->event_id);
    return order ? order : (x->index > y->index) - (x->index < y->index);
}

/* ST_EVENTS_INSERT's rows, the events stored (the first copy of an id in
 * the batch): their results[] become CENTRAL_INGEST_STORED. order[] is the
 * batch's ids with their index, sorted here. */
static void events_stored(const PGresult *res, struct batch_index *order, size_t count,
                          enum central_ingest_result *results)
{
    qsort(order, count, sizeof *order, by_event_id);
    for (int row = 0; row < PQntuples(res); row++) {
        struct batch_index key = {PQgetvalue(res, row, 0), 0};
        /* index 0 sorts first among equal ids: the first copy is found */
        size_t low = 0, high = count;
        while (low < high) {
            size_t mid = low + (high - low) / 2;
            if (by_event_id(&order[mid], &key) < 0)
                low = mid + 1;
            else
                high = mid;
        }
        if (low < count && strcmp(order[low].event_id, key.event_id) == 0)
            results[order[low].index] = CENTRAL_INGEST_STORED;
    }
}

/* ST_CORRECTED_ELSEWHERE's rows: the stored corrections that name an event
 * of another site (see the SQLite backend) are stored, but change nothing. */
static void corrections_elsewhere(const PGresult *res, const struct event *events, size_t count,
                                  const enum central_ingest_result *results,
                                  unsigned char *elsewhere)
{
    for (int row = 0; res && row < PQntuples(res); row++)
        for (size_t i = 0; i < count; i++)
            if (results[i] == CENTRAL_INGEST_STORED && events[i].kind == EVENT_CORRECTION &&
                strcmp(events[i].corrects, PQgetvalue(res, row, 0)) == 0)
                elsewhere[i] = 1;
}

/* One transaction in two round trips whatever the batch's size (libpq's
 * pipeline mode): first the site's lock, the events, the corrections'
 * sites, the open visits and the device's last contact; then, once the
 * rules have run here, the visits begun and ended and the commit. A
 * correction or a card event adds its own statements between. */
int pg_ingest(struct central_store *store, const struct central_device *device,
              const struct event *events, size_t count, enum central_ingest_result *results,
              char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t received = pg_now_us(), change = 0;
    size_t slots = count ? count : 1;
    struct batch b = {
        .store = s,
        .site = device->site,
        .open = calloc(slots, sizeof *b.open),
        .begun = calloc(slots, sizeof *b.begun),
        .ended = calloc(slots, sizeof *b.ended),
    };
    unsigned char *elsewhere = calloc(slots, 1);
    struct batch_index *order = calloc(slots, sizeof *order);
    struct pg_array arrays[EVENT_ARRAYS], volunteers, named;
    for (int i = 0; i < EVENT_ARRAYS; i++)
        pg_array_init(&arrays[i], count);
    pg_array_init(&named, count);
    pg_array_init(&volunteers, 0);
    PGresult *inserted = NULL, *open_res = NULL, *corrected = NULL;
    struct flush flush;
    int flushing = 0, rc = 0;
    char what[64];
    snprintf(what, sizeof what, "storing a batch of %zu events", count);
    if (!b.open || !b.begun || !b.ended || !elsewhere || !order) {
        snprintf(err, errlen, "%s: out of memory", what);
        rc = -ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        /* The HTTP layer already did this; the store is the last line. */
        if (strcmp(events[i].site, device->site) != 0) {
            snprintf(err, errlen, "event %s: site \"%s\" is not the device's site \"%s\"",
                     events[i].event_id, events[i].site, device->site);
            rc = -EPERM;
            goto done;
        }
        event_arrays(arrays, &events[i]);
        results[i] = CENTRAL_INGEST_DUPLICATE;
        order[i] = (struct batch_index){events[i].event_id, i};
        if (events[i].kind == EVENT_CORRECTION)
            pg_array_text(&named, events[i].corrects);
    }
    batch_volunteers(&b, events, count);
    pg_array_free(&volunteers);
    pg_array_init(&volunteers, b.open_count);
    for (size_t i = 0; i < b.open_count; i++)
        pg_array_text(&volunteers, b.open[i].volunteer);

    struct params lock = {0}, insert = {0}, open = {0}, corrections = {0}, seen = {0};
    param_text(&lock, device->site);
    for (int i = 0; i < EVENT_ARRAYS; i++)
        param_text(&insert, pg_array_end(&arrays[i]));
    param_text(&insert, device->site);
    param_number(&insert, device->id);
    param_number(&insert, received);
    param_text(&open, device->site);
    param_text(&open, pg_array_end(&volunteers));
    param_text(&corrections, pg_array_end(&named));
    param_text(&corrections, device->site);
    param_number(&seen, device->id);
    param_number(&seen, received);
    if ((rc = arrays_built(&insert, 0, what, err, errlen)) ||
        (rc = arrays_built(&open, 1, "the batch's volunteers", err, errlen)) ||
        (rc = arrays_built(&corrections, 0, "corrections", err, errlen)))
        goto done;
    struct pg_step first[6] = {
        {.sql = "BEGIN", .what = "begin"},
        {.which = ST_SITE_LOCK, .p = &lock, .what = "site lock"},
        {.which = ST_EVENTS_INSERT, .p = &insert, .out = &inserted, .what = what},
    };
    size_t steps = 3;
    if (named.count)
        first[steps++] = (struct pg_step){.which = ST_CORRECTED_ELSEWHERE,
                                          .p = &corrections,
                                          .out = &corrected,
                                          .what = "correction"};
    if (b.open_count)
        first[steps++] = (struct pg_step){
            .which = ST_VISITS_OPEN, .p = &open, .out = &open_res, .what = "visits"};
    first[steps++] =
        (struct pg_step){.which = ST_DEVICE_SEEN, .p = &seen, .what = "device last seen"};
    if (!(rc = pg_ready(s, err, errlen)))
        rc = pg_pipeline(s, first, steps, err, errlen);
    /* A connection that looked fine may have lost a server restarted since
     * the last call: nothing was done, so connect again once. */
    if (rc == -EBUSY && PQstatus(s->conn) != CONNECTION_OK) {
        PQclear(inserted);
        PQclear(corrected);
        PQclear(open_res);
        inserted = corrected = open_res = NULL;
        if (!(rc = pg_ready(s, err, errlen)))
            rc = pg_pipeline(s, first, steps, err, errlen);
    }
    if (rc)
        goto out;
    events_stored(inserted, order, count, results);
    corrections_elsewhere(corrected, events, count, results, elsewhere);
    batch_take_open(&b, open_res);
    for (size_t i = 0; i < count; i++) {
        const struct event *ev = &events[i];
        /* Only a newly stored event moves the hours. */
        if (results[i] != CENTRAL_INGEST_STORED || elsewhere[i])
            continue;
        rc = visits_apply_table(&batch_visits, &b, ev, err, errlen);
        if (rc < 0)
            goto out;
        rc = 0;
        if ((ev->kind == EVENT_CARD_ENROLLED || ev->kind == EVENT_CARD_REVOKED) &&
            (rc = set_card(s, ev, &change, err, errlen)))
            goto out;
    }
    flushing = 1;
    if ((rc = flush_build(&b, &flush, err, errlen)))
        goto out;
    struct pg_step last[3];
    steps = 0;
    for (size_t i = 0; i < flush.count; i++)
        last[steps++] = flush.steps[i];
    /* The commit goes with the visits: after a failure the server skips
     * the rest of a pipeline, the commit too, and the caller rolls back.
     * A process that dies before sending this leaves nothing (the server
     * ends the transaction when it reads the closed connection); one that
     * dies after it leaves the batch whole, unanswered: the kiosk sends it
     * again and is told its events are there. Only a commit the server
     * confirmed is answered 200. */
    last[steps++] = (struct pg_step){.sql = "COMMIT", .what = "commit"};
    rc = pg_pipeline(s, last, steps, err, errlen);
out:
    if (rc)
        pg_rollback(s);
done:
    if (flushing)
        flush_free(&flush);
    PQclear(inserted);
    PQclear(corrected);
    PQclear(open_res);
    for (int i = 0; i < EVENT_ARRAYS; i++)
        pg_array_free(&arrays[i]);
    pg_array_free(&named);
    pg_array_free(&volunteers);
    free(order);
    free(elsewhere);
    free(b.open);
    free(b.begun);
    free(b.ended);
    return rc;
}

int pg_event_apply(struct pg_store *s, const struct event *ev, int64_t device,
                   int64_t received_us, char *err, size_t errlen)
{
    struct pg_array arrays[EVENT_ARRAYS];
    for (int i = 0; i < EVENT_ARRAYS; i++)
        pg_array_init(&arrays[i], 1);
    event_arrays(arrays, ev);
    struct params insert = {0};
    for (int i = 0; i < EVENT_ARRAYS; i++)
        param_text(&insert, pg_array_end(&arrays[i]));
    param_text(&insert, ev->site);
    param_number(&insert, device);
    param_number(&insert, received_us);
    PGresult *res = NULL;
    int rc = arrays_built(&insert, 0, "storing the event", err, errlen);
    if (!rc && !(rc = pg_query(s, ST_EVENTS_INSERT, &insert, &res, "storing the event", err,
                               errlen)) &&
        PQntuples(res) != 1) {
        snprintf(err, errlen, "event %s is stored already", ev->event_id);
        rc = -EEXIST;
    }
    PQclear(res);
    /* A batch of no uploaded events: the rules ask a correction nothing
     * of open visits, only the database. */
    struct batch b = {.store = s, .site = ev->site};
    if (!rc)
        rc = visits_apply_table(&batch_visits, &b, ev, err, errlen);
    for (int i = 0; i < EVENT_ARRAYS; i++)
        pg_array_free(&arrays[i]);
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
    if (status->events_refused >= 0)
        param_number(&p, status->events_refused);
    else
        param_null(&p);
    if (status->token_refused_us)
        param_number(&p, status->token_refused_us);
    else
        param_null(&p);
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
    return pg_events_page(pg_cast(store), ST_EVENTS_AFTER, site, after, limit, cb, ctx, cursor,
                          more, err, errlen);
}

int pg_events_page(struct pg_store *s, int which, const char *site, int64_t after, size_t limit,
                   central_event_cb cb, void *ctx, int64_t *cursor, int *more, char *err,
                   size_t errlen)
{
    struct params p = {0};
    param_text(&p, site);
    param_number(&p, after);
    /* One more than asked for tells whether another page follows. */
    param_number(&p, (int64_t)limit + 1);
    *cursor = after;
    *more = 0;
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, which, &p, &res, "events", err, errlen)))
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
