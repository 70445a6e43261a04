/* Forwards the review's store calls (store_review.h) to the backend's
 * table; a backend without the table or the slot answers "not supported". */
#include "store_backend.h"

#include <errno.h>
#include <stdio.h>

#define NEED_REVIEW(store, op, err, errlen)                                                        \
    do {                                                                                           \
        if (!(store)->ops->review || !(store)->ops->review->op) {                                  \
            snprintf(err, errlen, "the %s store cannot " #op, (store)->ops->name);                 \
            return -ENOTSUP;                                                                       \
        }                                                                                          \
    } while (0)

int central_store_review_visits(struct central_store *store, const char *site, size_t limit,
                                central_review_visit_cb cb, void *ctx, char *err, size_t errlen)
{
    NEED_REVIEW(store, visits, err, errlen);
    return store->ops->review->visits(store, site ? site : "", limit, cb, ctx, err, errlen);
}

int central_store_review_get(struct central_store *store, const char *end_event,
                             struct central_review_visit *visit, char *err, size_t errlen)
{
    NEED_REVIEW(store, get, err, errlen);
    return store->ops->review->get(store, end_event, visit, err, errlen);
}

int central_store_review_correct(struct central_store *store, const char *end_event, int64_t end_us,
                                 const char *actor, struct event *made, char *err, size_t errlen)
{
    NEED_REVIEW(store, correct, err, errlen);
    return store->ops->review->correct(store, end_event, end_us, actor, made, err, errlen);
}

int central_store_corrections_after(struct central_store *store, const char *site, int64_t after,
                                    size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                                    int *more, char *err, size_t errlen)
{
    NEED_REVIEW(store, corrections_after, err, errlen);
    return store->ops->review->corrections_after(store, site, after, limit, cb, ctx, cursor, more,
                                                 err, errlen);
}
