/* The store's operations for the review of visits closed automatically:
 * the list a coordinator or a site's contact works through, the correction
 * that sets a visit's real end (a correction event, as a kiosk's staff
 * make), and the corrections made here that the site's kiosks fetch
 * (GET /v1/corrections). Both backends have them (store_sqlite_review.c,
 * store_pg_review.c: slots of struct central_store_review_ops in
 * store_backend.h, a correction's steps in store_review.c); a backend
 * without them answers -ENOTSUP (its review page says it cannot read the
 * list, and its kiosks get 404 from GET /v1/corrections, as from an older
 * receiver). */
#ifndef TILSTEDE_CENTRAL_STORE_REVIEW_H
#define TILSTEDE_CENTRAL_STORE_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A visit closed automatically and not yet corrected. */
struct central_review_visit {
    char end_event[EVENT_ID_LEN + 1]; /* the auto-close a correction names */
    char site[EVENT_KEY_MAX];
    char site_name[CENTRAL_NAME_MAX];
    char volunteer[EVENT_KEY_MAX];
    char volunteer_name[CENTRAL_NAME_MAX * 2]; /* "" when the roster has no row */
    char activity_title[CENTRAL_NAME_MAX];     /* "" for none */
    int64_t start_us;
    int64_t end_us; /* the end the kiosk credited */
};

typedef int (*central_review_visit_cb)(void *ctx, const struct central_review_visit *visit);

/* The visits closed automatically that await review, of one site (site
 * "": of every site), by site and then oldest first, at most limit. */
int central_store_review_visits(struct central_store *store, const char *site, size_t limit,
                                central_review_visit_cb cb, void *ctx, char *err, size_t errlen);
/* The visit awaiting review that end_event closed: 0, or -ENOENT when none
 * awaits review (unknown, corrected already, or not closed automatically). */
int central_store_review_get(struct central_store *store, const char *end_event,
                             struct central_review_visit *visit, char *err, size_t errlen);
/* Sets the real end of that visit: in one transaction, a correction event
 * (source staff, recorded now) for the visit's site, attributed to the
 * kiosk that recorded end_event, applied to the visit (its hours count in
 * every total at once, its review flag cleared), and named as made in the
 * web app by actor. *made is the event. -ENOENT as review_get; -EINVAL
 * when end_us is before the visit's start. */
int central_store_review_correct(struct central_store *store, const char *end_event, int64_t end_us,
                                 const char *actor, struct event *made, char *err, size_t errlen);
/* The corrections made in the web app for site, stored after the cursor
 * `after` (0: from the first), in the order stored, at most limit; as
 * central_store_events_after. */
int central_store_corrections_after(struct central_store *store, const char *site, int64_t after,
                                    size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                                    int *more, char *err, size_t errlen);

#endif
