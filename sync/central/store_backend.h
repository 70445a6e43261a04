/* What a storage backend provides: a table of operations, one per
 * central_store_* call (see store.h for what each must do). A backend's
 * handle starts with `struct central_store` and is cast back by the
 * backend. An operation a backend cannot do is left NULL. */
#ifndef TILSTEDE_CENTRAL_STORE_BACKEND_H
#define TILSTEDE_CENTRAL_STORE_BACKEND_H

#include "store.h"

struct central_store_ops {
    const char *name;
    void (*close)(struct central_store *store);
    int (*device_auth)(struct central_store *store, const unsigned char *hash,
                       struct central_device *device, char *err, size_t errlen);
    int (*ingest)(struct central_store *store, const struct central_device *device,
                  const struct event *events, size_t count, enum central_ingest_result *results,
                  char *err, size_t errlen);
    int (*roster_since)(struct central_store *store, const char *site, int64_t since,
                        const struct central_roster_sink *sink, int64_t *cursor, int *full,
                        char *err, size_t errlen);
    int (*events_after)(struct central_store *store, const char *site, int64_t after,
                        size_t limit, central_event_cb cb, void *ctx, int64_t *cursor, int *more,
                        char *err, size_t errlen);
    int (*status_put)(struct central_store *store, int64_t device_id,
                      const struct central_status *status, char *err, size_t errlen);
    int (*totals)(struct central_store *store, const char *from, const char *to,
                  enum central_group group, central_total_cb cb, void *ctx, char *err,
                  size_t errlen);
    int (*reviews)(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                   char *err, size_t errlen);
    int (*volunteer_sites)(struct central_store *store, const char *from, const char *to,
                           central_volunteer_site_cb cb, void *ctx, char *err, size_t errlen);
    int (*site_add)(struct central_store *store, const struct central_site *site, char *err,
                    size_t errlen);
    int (*sites)(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                 size_t errlen);
    int (*site_get)(struct central_store *store, const char *id, struct central_site *site,
                    char *err, size_t errlen);
    int (*device_add)(struct central_store *store, const char *site, const char *name,
                      const unsigned char *hash, int64_t *id, char *err, size_t errlen);
    int (*device_revoke)(struct central_store *store, int64_t id, char *err, size_t errlen);
    int (*devices)(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                   size_t errlen);
    int (*admin_add)(struct central_store *store, const char *name, const unsigned char *hash,
                     char *err, size_t errlen);
    int (*admin_revoke)(struct central_store *store, const char *name, char *err, size_t errlen);
    int (*admin_auth)(struct central_store *store, const unsigned char *hash, char *err,
                      size_t errlen);
    int (*roster_replace)(struct central_store *store, const struct central_volunteer *volunteers,
                          size_t count, size_t *changed, char *err, size_t errlen);
    int (*activity_add)(struct central_store *store, const struct central_activity *activity,
                        char *err, size_t errlen);
    int (*volunteer_export)(struct central_store *store, const char *external_id,
                            const struct central_volunteer_sink *sink, int64_t *seconds,
                            int64_t *visits, char *err, size_t errlen);
    int (*volunteer_forget)(struct central_store *store, const char *external_id,
                            struct central_erasure *erased, char *err, size_t errlen);
};

struct central_store {
    const struct central_store_ops *ops;
};

/* The backends. */
int central_sqlite_open(const char *path, struct central_store **out, char *err, size_t errlen);
/* location: a libpq connection URI (postgresql://...). */
int central_pg_open(const char *location, struct central_store **out, char *err, size_t errlen);
/* For the tests of the migrations: brings the database only to `version`
 * (never down); and the version this program's schema is at. */
int central_pg_migrate_to(const char *location, int version, char *err, size_t errlen);
int central_pg_schema_version(void);

#endif
