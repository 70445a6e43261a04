/* The review's store calls (store_review.h): the list and the fetch go to
 * the backend's table; a correction's steps are taken here, each step's
 * SQL the backend's, so SQLite and PostgreSQL check, record and apply a
 * correction alike. A backend without the table or a slot answers "not
 * supported". */
#include "store_backend.h"

#include <errno.h>
#include <stdio.h>
#include <sys/time.h>

/* The boot id of events made on the central (PROTOCOL.md, section 6a):
 * a correction recorded here has no kiosk boot or monotonic clock. */
#define CENTRAL_BOOT_ID "tilstede-central"

#define NEED_REVIEW(store, op, err, errlen)                                                        \
    do {                                                                                           \
        if (!(store)->ops->review || !(store)->ops->review->op) {                                  \
            snprintf(err, errlen, "the %s store cannot " #op, (store)->ops->name);                 \
            return -ENOTSUP;                                                                       \
        }                                                                                          \
    } while (0)

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int central_store_review_visits(struct central_store *store, const char *site, size_t limit,
                                central_review_visit_cb cb, void *ctx, char *err, size_t errlen)
{
    NEED_REVIEW(store, visits, err, errlen);
    return store->ops->review->visits(store, site ? site : "", limit, cb, ctx, err, errlen);
}

/* The backend's find, with "none awaits review" as -ENOENT. */
static int review_find(struct central_store *store, const char *end_event,
                       struct central_review_visit *visit, int64_t *device, char *err,
                       size_t errlen)
{
    int rc = store->ops->review->find(store, end_event, visit, device, err, errlen);
    if (rc == 0) {
        snprintf(err, errlen, "no visit closed automatically by event %s awaits review", end_event);
        return -ENOENT;
    }
    return rc < 0 ? rc : 0;
}

int central_store_review_get(struct central_store *store, const char *end_event,
                             struct central_review_visit *visit, char *err, size_t errlen)
{
    NEED_REVIEW(store, find, err, errlen);
    return review_find(store, end_event, visit, NULL, err, errlen);
}

/* The correction event of visit, as a kiosk's staff make one: for the
 * visit's site and volunteer, naming the auto-close, recorded now. */
static void correction_event(const struct central_review_visit *visit, const char *end_event,
                             int64_t end_us, struct event *ev)
{
    *ev = (struct event){.kind = EVENT_CORRECTION, .source = SOURCE_STAFF, .clock_synced = 1};
    event_new_id(ev->event_id);
    snprintf(ev->site, sizeof ev->site, "%s", visit->site);
    snprintf(ev->volunteer, sizeof ev->volunteer, "%s", visit->volunteer);
    snprintf(ev->boot_id, sizeof ev->boot_id, "%s", CENTRAL_BOOT_ID);
    snprintf(ev->corrects, sizeof ev->corrects, "%s", end_event);
    ev->at_us = end_us;
    ev->recorded_us = now_us();
}

int central_store_review_correct(struct central_store *store, const char *end_event, int64_t end_us,
                                 const char *actor, struct event *made, char *err, size_t errlen)
{
    NEED_REVIEW(store, find, err, errlen);
    NEED_REVIEW(store, begin, err, errlen);
    NEED_REVIEW(store, record, err, errlen);
    NEED_REVIEW(store, finish, err, errlen);
    const struct central_store_review_ops *review = store->ops->review;
    struct central_review_visit visit;
    struct event ev = {0};
    int64_t device = 0;
    /* The transaction locks the visit's site, so the site is read first;
     * the visit is read again under the lock, as an upload that got there
     * first may have corrected it meanwhile. */
    int rc = review_find(store, end_event, &visit, NULL, err, errlen);
    if (rc || (rc = review->begin(store, visit.site, err, errlen)))
        return rc;
    if ((rc = review_find(store, end_event, &visit, &device, err, errlen)))
        goto out;
    if (end_us < visit.start_us) {
        snprintf(err, errlen, "the end cannot be before the visit's start");
        rc = -EINVAL;
        goto out;
    }
    correction_event(&visit, end_event, end_us, &ev);
    rc = review->record(store, &ev, device, actor, err, errlen);
    if (rc > 0) {
        /* A newer correction of the same auto-close is already stored: the
         * visit would not await review. */
        snprintf(err, errlen, "event %s has a newer correction", end_event);
        rc = -ENOENT;
    }
out:
    rc = review->finish(store, rc, err, errlen);
    if (!rc)
        *made = ev;
    return rc;
}

int central_store_corrections_after(struct central_store *store, const char *site, int64_t after,
                                    size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                                    int *more, char *err, size_t errlen)
{
    NEED_REVIEW(store, corrections_after, err, errlen);
    return store->ops->review->corrections_after(store, site, after, limit, cb, ctx, cursor, more,
                                                 err, errlen);
}
