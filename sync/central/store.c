/* Picks a storage backend from the location and forwards each call to its
 * table of operations; a NULL slot answers "not supported". */
#include "store_backend.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEED(store, op, err, errlen)                                                               \
    do {                                                                                           \
        if (!(store)->ops->op) {                                                                   \
            snprintf(err, errlen, "the %s store cannot " #op, (store)->ops->name);                 \
            return -ENOTSUP;                                                                       \
        }                                                                                          \
    } while (0)

int central_store_open(const char *location, struct central_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!location || !location[0]) {
        snprintf(err, errlen, "no database given (use --db FILE)");
        return -EINVAL;
    }
    if (strncmp(location, "postgresql:", 11) == 0 || strncmp(location, "postgres:", 9) == 0)
        return central_pg_open(location, out, err, errlen);
    if (strncmp(location, "sqlite:", 7) == 0)
        location += 7;
    return central_sqlite_open(location, out, err, errlen);
}

void central_store_close(struct central_store *store)
{
    if (store)
        store->ops->close(store);
}

const char *central_store_backend(const struct central_store *store)
{
    return store->ops->name;
}

int central_store_device_auth(struct central_store *store,
                              const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES],
                              struct central_device *device, char *err, size_t errlen)
{
    NEED(store, device_auth, err, errlen);
    return store->ops->device_auth(store, hash, device, err, errlen);
}

int central_store_ingest(struct central_store *store, const struct central_device *device,
                         const struct event *events, size_t count,
                         enum central_ingest_result *results, char *err, size_t errlen)
{
    NEED(store, ingest, err, errlen);
    return store->ops->ingest(store, device, events, count, results, err, errlen);
}

int central_store_roster_since(struct central_store *store, const char *site, int64_t since,
                               const struct central_roster_sink *sink, int64_t *cursor, int *full,
                               char *err, size_t errlen)
{
    NEED(store, roster_since, err, errlen);
    return store->ops->roster_since(store, site, since, sink, cursor, full, err, errlen);
}

int central_store_events_after(struct central_store *store, const char *site, int64_t after,
                               size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                               int *more, char *err, size_t errlen)
{
    NEED(store, events_after, err, errlen);
    return store->ops->events_after(store, site, after, limit, cb, ctx, cursor, more, err, errlen);
}

int central_store_status_put(struct central_store *store, int64_t device_id,
                             const struct central_status *status, char *err, size_t errlen)
{
    NEED(store, status_put, err, errlen);
    return store->ops->status_put(store, device_id, status, err, errlen);
}

int central_store_totals(struct central_store *store, const char *from, const char *to,
                         enum central_group group, central_total_cb cb, void *ctx, char *err,
                         size_t errlen)
{
    return central_store_totals_at(store, from, to, group, NULL, 0, cb, ctx, err, errlen);
}

int central_store_totals_at(struct central_store *store, const char *from, const char *to,
                            enum central_group group, const char *const *sites, size_t site_count,
                            central_total_cb cb, void *ctx, char *err, size_t errlen)
{
    NEED(store, totals, err, errlen);
    if (!sites)
        return store->ops->totals(store, from, to, group, NULL, cb, ctx, err, errlen);
    /* Both backends read a JSON array of ids (SQLite's json_each,
     * PostgreSQL's json_array_elements_text): one bound parameter, any ids. */
    json_t *list = json_array();
    char *text = NULL;
    int rc = -EINVAL;
    for (size_t i = 0; list && i < site_count; i++)
        if (json_array_append_new(list, json_string(sites[i]))) {
            snprintf(err, errlen, "report: the site id \"%s\" is not UTF-8 text", sites[i]);
            goto out;
        }
    if (!list || !(text = json_dumps(list, JSON_COMPACT))) {
        snprintf(err, errlen, "report: out of memory");
        rc = -ENOMEM;
        goto out;
    }
    rc = store->ops->totals(store, from, to, group, text, cb, ctx, err, errlen);
out:
    free(text);
    json_decref(list);
    return rc;
}

int central_store_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                          char *err, size_t errlen)
{
    NEED(store, reviews, err, errlen);
    return store->ops->reviews(store, limit, cb, ctx, err, errlen);
}

int central_store_volunteer_sites(struct central_store *store, const char *from, const char *to,
                                  central_volunteer_site_cb cb, void *ctx, char *err,
                                  size_t errlen)
{
    NEED(store, volunteer_sites, err, errlen);
    return store->ops->volunteer_sites(store, from, to, cb, ctx, err, errlen);
}

int central_store_site_add(struct central_store *store, const struct central_site *site, char *err,
                           size_t errlen)
{
    NEED(store, site_add, err, errlen);
    return store->ops->site_add(store, site, err, errlen);
}

int central_store_sites(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                        size_t errlen)
{
    NEED(store, sites, err, errlen);
    return store->ops->sites(store, cb, ctx, err, errlen);
}

int central_store_site_get(struct central_store *store, const char *id, struct central_site *site,
                           char *err, size_t errlen)
{
    NEED(store, site_get, err, errlen);
    return store->ops->site_get(store, id, site, err, errlen);
}

int central_store_device_add(struct central_store *store, const char *site, const char *name,
                             const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], int64_t *id,
                             char *err, size_t errlen)
{
    NEED(store, device_add, err, errlen);
    return store->ops->device_add(store, site, name, hash, id, err, errlen);
}

int central_store_device_revoke(struct central_store *store, int64_t id, char *err, size_t errlen)
{
    NEED(store, device_revoke, err, errlen);
    return store->ops->device_revoke(store, id, err, errlen);
}

int central_store_devices(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                          size_t errlen)
{
    NEED(store, devices, err, errlen);
    return store->ops->devices(store, cb, ctx, err, errlen);
}

int central_store_admin_add(struct central_store *store, const char *name,
                            const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                            size_t errlen)
{
    NEED(store, admin_add, err, errlen);
    return store->ops->admin_add(store, name, hash, err, errlen);
}

int central_store_admin_revoke(struct central_store *store, const char *name, char *err,
                               size_t errlen)
{
    NEED(store, admin_revoke, err, errlen);
    return store->ops->admin_revoke(store, name, err, errlen);
}

int central_store_admin_auth(struct central_store *store,
                             const unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                             size_t errlen)
{
    NEED(store, admin_auth, err, errlen);
    return store->ops->admin_auth(store, hash, err, errlen);
}

int central_store_roster_replace(struct central_store *store,
                                 const struct central_volunteer *volunteers, size_t count,
                                 size_t *changed, char *err, size_t errlen)
{
    NEED(store, roster_replace, err, errlen);
    return store->ops->roster_replace(store, volunteers, count, changed, err, errlen);
}

int central_store_activity_add(struct central_store *store, const struct central_activity *activity,
                               char *err, size_t errlen)
{
    NEED(store, activity_add, err, errlen);
    return store->ops->activity_add(store, activity, err, errlen);
}

int central_store_plan_add(struct central_store *store, const struct central_plan *plan,
                           const struct central_activity *occurrences, size_t count, char *err,
                           size_t errlen)
{
    NEED(store, plan_add, err, errlen);
    return store->ops->plan_add(store, plan, occurrences, count, err, errlen);
}

int central_store_occurrence_change(struct central_store *store, const char *plan,
                                    const char *plan_date, const struct central_activity *change,
                                    char *err, size_t errlen)
{
    NEED(store, occurrence_change, err, errlen);
    return store->ops->occurrence_change(store, plan, plan_date, change, err, errlen);
}

int central_store_plans(struct central_store *store, const char *site, central_plan_cb cb,
                        void *ctx, char *err, size_t errlen)
{
    NEED(store, plans, err, errlen);
    return store->ops->plans(store, site, cb, ctx, err, errlen);
}

int central_store_plan_import(struct central_store *store, const char *site, const char *from,
                              const struct central_plan_import *plans, size_t count,
                              const char *const *keep, size_t keep_count,
                              struct central_import_counts *counts, char *err, size_t errlen)
{
    NEED(store, plan_import, err, errlen);
    return store->ops->plan_import(store, site, from, plans, count, keep, keep_count, counts, err,
                                   errlen);
}

int central_store_activities(struct central_store *store, const char *site, const char *from,
                             const char *to, central_activity_cb cb, void *ctx, char *err,
                             size_t errlen)
{
    NEED(store, activities, err, errlen);
    return store->ops->activities(store, site, from, to, cb, ctx, err, errlen);
}

int central_store_opening_set(struct central_store *store, const char *site,
                              const struct central_opening *hours, char *err, size_t errlen)
{
    NEED(store, opening_set, err, errlen);
    return store->ops->opening_set(store, site, hours, err, errlen);
}

int central_store_openings(struct central_store *store, central_opening_cb cb, void *ctx,
                           char *err, size_t errlen)
{
    NEED(store, openings, err, errlen);
    return store->ops->openings(store, cb, ctx, err, errlen);
}

int central_store_volunteer_export(struct central_store *store, const char *external_id,
                                   const struct central_volunteer_sink *sink, int64_t *seconds,
                                   int64_t *visits, char *err, size_t errlen)
{
    NEED(store, volunteer_export, err, errlen);
    return store->ops->volunteer_export(store, external_id, sink, seconds, visits, err, errlen);
}

int central_store_volunteer_forget(struct central_store *store, const char *external_id,
                                   struct central_erasure *erased, char *err, size_t errlen)
{
    NEED(store, volunteer_forget, err, errlen);
    return store->ops->volunteer_forget(store, external_id, erased, err, errlen);
}
