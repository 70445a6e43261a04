/* The PostgreSQL backend of the central's store (store_backend.h), through
 * libpq: for a municipality whose IT runs PostgreSQL, and for several
 * central processes against one database. Every statement is prepared
 * with parameters in text form; the results are the SQLite backend's
 * (same queries, key order in the "C" collation as SQLite compares). A
 * lost connection answers -EBUSY (the kiosk is told to retry) and is
 * opened again at the next call. This file: the connection, the schema,
 * devices, admins and sites; store_pg_ingest.c the uploads and visits,
 * store_pg_roster.c the roster, reports and a volunteer's data,
 * store_pg_review.c the review of visits closed automatically. */
#include "store_pg.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

extern const char embed_central_pg_001[];
extern const char embed_central_pg_002[];
extern const char embed_central_pg_003[];
extern const char embed_central_pg_004[];
extern const char embed_central_pg_005[];
extern const char embed_central_pg_006[];
extern const char embed_central_pg_007[];
extern const char embed_central_pg_008[];
extern const char embed_central_pg_009[];
extern const char embed_central_pg_010[];
extern const char embed_central_pg_011[];
extern const char embed_central_pg_012[];
extern const char embed_central_pg_013[];

static const char *const migrations[] = {
    embed_central_pg_001, embed_central_pg_002, embed_central_pg_003, embed_central_pg_004,
    embed_central_pg_005, embed_central_pg_006, embed_central_pg_007, embed_central_pg_008,
    embed_central_pg_009, embed_central_pg_010, embed_central_pg_011, embed_central_pg_012,
    embed_central_pg_013};
#define PG_SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The advisory lock of the migrations (store_pg_sql.c has the sites'). */
#define LOCK_MIGRATION 29719

int64_t pg_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int64_t pg_column_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

void pg_copy_column(const PGresult *res, int row, int col, char *out, size_t cap)
{
    snprintf(out, cap, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

/* A failed statement as a negative errno, with the server's message. */
static int fail_result(struct pg_store *s, const PGresult *res, const char *what, char *err,
                       size_t errlen)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *message =
        res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(message, "\n"), message);
    if (PQstatus(s->conn) != CONNECTION_OK || !state)
        return -EBUSY; /* the server went away: the next call connects again */
    if (strcmp(state, "23503") == 0)
        return -ENOENT; /* names a site or device that does not exist */
    if (strncmp(state, "23", 2) == 0)
        return -EEXIST;
    /* Serialization failures, deadlocks, lock timeouts, a server shutting
     * down or starting up, too many connections: try again later. */
    if (strncmp(state, "40", 2) == 0 || strncmp(state, "55", 2) == 0 ||
        strncmp(state, "57", 2) == 0 || strncmp(state, "08", 2) == 0 || strcmp(state, "53300") == 0)
        return -EBUSY;
    if (strcmp(state, "25006") == 0)
        return -EROFS;
    return -EIO;
}

/* A statement's result: *out gets it when the caller wants rows (PQclear
 * it); 0, or a negative errno with err set. */
static int take_result(struct pg_store *s, PGresult *res, PGresult **out, const char *what,
                       char *err, size_t errlen)
{
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        int rc = fail_result(s, res, what, err, errlen);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

int pg_query(struct pg_store *s, int which, const struct params *p, PGresult **out,
             const char *what, char *err, size_t errlen)
{
    char name[16];
    snprintf(name, sizeof name, "s%d", which);
    PGresult *res =
        PQexecPrepared(s->conn, name, p ? p->count : 0, p ? p->value : NULL, NULL, NULL, 0);
    return take_result(s, res, out, what, err, errlen);
}

int pg_run(struct pg_store *s, const char *sql, const struct params *p, PGresult **out,
           const char *what, char *err, size_t errlen)
{
    PGresult *res =
        PQexecParams(s->conn, sql, p ? p->count : 0, NULL, p ? p->value : NULL, NULL, NULL, 0);
    return take_result(s, res, out, what, err, errlen);
}

/* Ends a pipeline whose connection cannot be trusted to be idle: dropped,
 * so that the next call connects afresh (connect_store). */
static void drop_connection(struct pg_store *s)
{
    PQfinish(s->conn);
    s->conn = NULL;
    s->prepared = 0;
}

int pg_pipeline(struct pg_store *s, const struct pg_step *steps, size_t count, char *err,
                size_t errlen)
{
    if (PQenterPipelineMode(s->conn) != 1)
        return fail_result(s, NULL, "pipeline", err, errlen);
    int rc = 0;
    size_t sent = 0;
    for (; sent < count; sent++) {
        const struct pg_step *step = &steps[sent];
        int n = step->p ? step->p->count : 0;
        const char *const *values = step->p ? step->p->value : NULL;
        char name[16];
        snprintf(name, sizeof name, "s%d", step->which);
        int ok = step->sql ? PQsendQueryParams(s->conn, step->sql, n, NULL, values, NULL, NULL, 0)
                           : PQsendQueryPrepared(s->conn, name, n, values, NULL, NULL, 0);
        if (!ok) {
            rc = fail_result(s, NULL, step->what, err, errlen);
            break;
        }
    }
    if (PQpipelineSync(s->conn) != 1) {
        if (!rc)
            rc = fail_result(s, NULL, "pipeline", err, errlen);
        drop_connection(s);
        return rc;
    }
    /* Each step's result, then the NULL that ends it; after a failure the
     * server skips the rest (PGRES_PIPELINE_ABORTED) up to the sync. */
    for (size_t i = 0; i < sent; i++) {
        PGresult *res = PQgetResult(s->conn);
        if (!res) {
            if (!rc)
                rc = fail_result(s, NULL, steps[i].what, err, errlen);
            drop_connection(s);
            return rc;
        }
        if (rc || PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
            PQclear(res);
            if (!rc)
                rc = fail_result(s, NULL, steps[i].what, err, errlen);
        } else {
            rc = take_result(s, res, steps[i].out, steps[i].what, err, errlen);
        }
        while ((res = PQgetResult(s->conn)))
            PQclear(res);
    }
    PGresult *sync = PQgetResult(s->conn);
    int synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || PQexitPipelineMode(s->conn) != 1) {
        if (!rc)
            rc = fail_result(s, NULL, "pipeline", err, errlen);
        drop_connection(s);
    }
    return rc;
}

/* Like query, and *changed gets the number of rows the statement changed. */
int pg_query_changes(struct pg_store *s, int which, const struct params *p, int64_t *changed,
                     const char *what, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_query(s, which, p, &res, what, err, errlen);
    if (!rc) {
        *changed = strtoll(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return rc;
}

/* ---- array parameters ---- */

/* Quotes, comma and an escape before every byte: the worst case. */
#define ARRAY_ELEMENT_BYTES (2 * PG_ARRAY_ELEMENT_MAX + 3)

void pg_array_init(struct pg_array *a, size_t elements)
{
    central_buf_init(&a->buf, (elements + 1) * ARRAY_ELEMENT_BYTES);
    a->count = 0;
    central_buf_add(&a->buf, "{", 1);
}

int pg_array_text(struct pg_array *a, const char *value)
{
    if (a->count++ && central_buf_add(&a->buf, ",", 1))
        return -E2BIG;
    if (!value)
        return central_buf_add(&a->buf, "NULL", 4);
    size_t len = strlen(value);
    if (len > PG_ARRAY_ELEMENT_MAX) {
        a->buf.failed = 1;
        return -E2BIG;
    }
    /* Inside double quotes only " and \ need a backslash. */
    char quoted[ARRAY_ELEMENT_BYTES];
    size_t n = 0;
    quoted[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (value[i] == '"' || value[i] == '\\')
            quoted[n++] = '\\';
        quoted[n++] = value[i];
    }
    quoted[n++] = '"';
    return central_buf_add(&a->buf, quoted, n);
}

int pg_array_number(struct pg_array *a, int64_t value)
{
    char number[NUMBER_MAX];
    snprintf(number, sizeof number, "%lld", (long long)value);
    return pg_array_text(a, number);
}

const char *pg_array_end(struct pg_array *a)
{
    if (central_buf_add(&a->buf, "}", 1) || a->buf.failed)
        return NULL;
    return a->buf.data;
}

void pg_array_free(struct pg_array *a)
{
    central_buf_free(&a->buf);
}

static int exec_plain(struct pg_store *s, const char *sql, const char *what, char *err,
                      size_t errlen)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = 0;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        rc = fail_result(s, res, what, err, errlen);
    PQclear(res);
    return rc;
}

/* ---- connection, schema and statements ---- */

/* The schema version (0 for an empty database), inside the caller's
 * transaction. */
static int schema_version(struct pg_store *s, int *version, char *err, size_t errlen)
{
    PGresult *res = PQexec(s->conn, "SELECT to_regclass('schema_version') IS NOT NULL");
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail_result(s, res, "reading the schema version", err, errlen);
        goto out;
    }
    *version = 0;
    if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
        PQclear(res);
        res = PQexec(s->conn, "SELECT version FROM schema_version");
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            rc = fail_result(s, res, "reading the schema version", err, errlen);
            goto out;
        }
        *version = (int)pg_column_int(res, 0, 0);
    }
out:
    PQclear(res);
    return rc;
}

/* Brings the schema to `target`, one version per transaction under an
 * advisory lock, so central processes starting together migrate once. */
static int migrate(struct pg_store *s, int target, char *err, size_t errlen)
{
    for (;;) {
        int version = 0, rc;
        if ((rc = exec_plain(s, "BEGIN", "migration", err, errlen)))
            return rc;
        char lock[80];
        snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", LOCK_MIGRATION);
        if ((rc = exec_plain(s, lock, "migration lock", err, errlen)) ||
            (rc = schema_version(s, &version, err, errlen)))
            goto fail;
        if (version > PG_SCHEMA_VERSION) {
            snprintf(err, errlen,
                     "%s: schema version %d is newer than this program's %d; update "
                     "tilstede-central",
                     PQdb(s->conn), version, PG_SCHEMA_VERSION);
            rc = -EPROTO;
            goto fail;
        }
        if (version >= target)
            return exec_plain(s, "COMMIT", "migration", err, errlen);
        char what[64], set[80];
        snprintf(what, sizeof what, "migration to schema version %d", version + 1);
        snprintf(set, sizeof set, "UPDATE schema_version SET version = %d", version + 1);
        if ((rc = exec_plain(s, migrations[version], what, err, errlen)) ||
            (rc = exec_plain(s, set, what, err, errlen)) ||
            (rc = exec_plain(s, "COMMIT", what, err, errlen)))
            goto fail;
        continue;
    fail:
        exec_plain(s, "ROLLBACK", "migration", (char[64]){0}, 64);
        return rc;
    }
}

static int prepare(struct pg_store *s, char *err, size_t errlen)
{
    int rc = exec_plain(s,
                        "CREATE TEMP TABLE IF NOT EXISTS roster_seen (id text PRIMARY KEY) "
                        "ON COMMIT DELETE ROWS",
                        "roster import table", err, errlen);
    for (int i = 0; !rc && i < ST_COUNT; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        PGresult *res = PQprepare(s->conn, name, pg_statement_sql[i], 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            char what[48];
            snprintf(what, sizeof what, "preparing statement %d", i);
            rc = fail_result(s, res, what, err, errlen);
        }
        PQclear(res);
    }
    s->prepared = rc == 0;
    return rc;
}

/* Connects (again, after the server went away) and prepares the
 * statements. -EBUSY while the server cannot be reached. */
static int connect_store(struct pg_store *s, char *err, size_t errlen)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK && s->prepared)
        return 0;
    if (s->conn)
        PQfinish(s->conn);
    s->prepared = 0;
    s->conn = PQconnectdb(s->location);
    if (!s->conn) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        const char *message = PQerrorMessage(s->conn);
        snprintf(err, errlen, "the PostgreSQL database cannot be reached: %.*s",
                 (int)strcspn(message, "\n"), message);
        return -EBUSY;
    }
    PQsetNoticeProcessor(s->conn, NULL, NULL);
    exec_plain(s, "SET client_min_messages = warning", "settings", err, errlen);
    return 0;
}

int pg_ready(struct pg_store *s, char *err, size_t errlen)
{
    int rc = connect_store(s, err, errlen);
    if (!rc && !s->prepared)
        rc = prepare(s, err, errlen);
    return rc;
}

static int begin(struct pg_store *s, const char *how, char *err, size_t errlen)
{
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = exec_plain(s, how, "begin", err, errlen);
    /* A connection that looked fine may have lost a server restarted since
     * the last call: nothing was done yet, so connect again once. */
    if (rc == -EBUSY && PQstatus(s->conn) != CONNECTION_OK && !(rc = pg_ready(s, err, errlen)))
        rc = exec_plain(s, how, "begin", err, errlen);
    return rc;
}

int pg_begin_write(struct pg_store *s, char *err, size_t errlen)
{
    return begin(s, "BEGIN", err, errlen);
}

/* One snapshot for all the reads of an operation. */
int pg_begin_read(struct pg_store *s, char *err, size_t errlen)
{
    return begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen);
}

int pg_commit(struct pg_store *s, char *err, size_t errlen)
{
    return exec_plain(s, "COMMIT", "commit", err, errlen);
}

int pg_finish(struct pg_store *s, int rc, char *err, size_t errlen)
{
    if (!rc)
        rc = pg_commit(s, err, errlen);
    if (rc)
        pg_rollback(s);
    return rc;
}

void pg_rollback(struct pg_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        exec_plain(s, "ROLLBACK", "rollback", (char[64]){0}, 64);
}

static void pg_close(struct central_store *store)
{
    struct pg_store *s = pg_cast(store);
    if (!s)
        return;
    PQfinish(s->conn);
    free(s->location);
    free(s);
}

static const struct central_store_ops pg_ops;

static int open_at(const char *location, int target, struct central_store **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s || !(s->location = strdup(location))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->base.ops = &pg_ops;
    int rc = connect_store(s, err, errlen);
    if (!rc)
        rc = migrate(s, target, err, errlen);
    if (rc) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

int central_pg_open(const char *location, struct central_store **out, char *err, size_t errlen)
{
    return open_at(location, PG_SCHEMA_VERSION, out, err, errlen);
}

int central_pg_migrate_to(const char *location, int version, char *err, size_t errlen)
{
    struct central_store *store = NULL;
    int rc = open_at(location, version, &store, err, errlen);
    pg_close(store);
    return rc;
}

int central_pg_schema_version(void)
{
    return PG_SCHEMA_VERSION;
}

static int64_t token_lookup(const unsigned char *hash)
{
    int64_t lookup = 0;
    memcpy(&lookup, hash, sizeof lookup);
    return lookup;
}

/* 1 when the hex text of a stored hash is `hash`, compared in constant time. */
static int hash_matches(const char *hex, const unsigned char *hash)
{
    unsigned char stored[CENTRAL_TOKEN_HASH_BYTES];
    size_t len = 0;
    if (sodium_hex2bin(stored, sizeof stored, hex, strlen(hex), NULL, &len, NULL) ||
        len != CENTRAL_TOKEN_HASH_BYTES)
        return 0;
    return sodium_memcmp(stored, hash, CENTRAL_TOKEN_HASH_BYTES) == 0;
}

/* ---- devices and admins ---- */

static int pg_device_auth(struct central_store *store, const unsigned char *hash,
                          struct central_device *device, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_number(&p, token_lookup(hash));
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_DEVICE_AUTH, &p, &res, "device token", err, errlen)))
        return rc;
    rc = -ENOENT;
    for (int row = 0; row < PQntuples(res); row++) {
        if (!hash_matches(PQgetvalue(res, row, 3), hash))
            continue;
        memset(device, 0, sizeof *device);
        device->id = pg_column_int(res, row, 0);
        pg_copy_column(res, row, 1, device->site, sizeof device->site);
        pg_copy_column(res, row, 2, device->name, sizeof device->name);
        device->created_us = pg_column_int(res, row, 4);
        rc = 0;
    }
    if (rc)
        snprintf(err, errlen, "unknown or revoked device token");
    PQclear(res);
    return rc;
}

static int pg_admin_auth(struct central_store *store, const unsigned char *hash, char *err,
                         size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_number(&p, token_lookup(hash));
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_ADMIN_AUTH, &p, &res, "admin token", err, errlen)))
        return rc;
    rc = -ENOENT;
    for (int row = 0; row < PQntuples(res); row++)
        if (hash_matches(PQgetvalue(res, row, 0), hash))
            rc = 0;
    if (rc)
        snprintf(err, errlen, "unknown or revoked admin token");
    PQclear(res);
    return rc;
}

void pg_hash_hex(const unsigned char *hash, char out[PG_HASH_HEX_MAX])
{
    sodium_bin2hex(out, CENTRAL_TOKEN_HASH_BYTES * 2 + 1, hash, CENTRAL_TOKEN_HASH_BYTES);
}

static int pg_device_add(struct central_store *store, const char *site, const char *name,
                         const unsigned char *hash, int64_t *id, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(hash, hex);
    struct params p = {0};
    param_text(&p, site);
    param_text(&p, name);
    param_number(&p, token_lookup(hash));
    param_text(&p, hex);
    param_number(&p, pg_now_us());
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_query(s, ST_DEVICE_ADD, &p, &res, "device add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "device \"%s\": site \"%s\" already has a device of that name", name,
                 site);
    else if (rc == -ENOENT)
        snprintf(err, errlen, "device \"%s\": there is no site \"%s\" (see site list)", name, site);
    if (!rc) {
        *id = pg_column_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

static int pg_device_revoke(struct central_store *store, int64_t id, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_number(&p, id);
    param_number(&p, pg_now_us());
    int64_t changed = 0;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_query_changes(s, ST_DEVICE_REVOKE, &p, &changed, "device revoke", err, errlen);
    if (!rc && changed == 0) {
        snprintf(err, errlen, "device %lld: no such active device", (long long)id);
        return -ENOENT;
    }
    return rc;
}

static int pg_devices(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                      size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_DEVICES, NULL, &res, "device list", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_device d;
        memset(&d, 0, sizeof d);
        d.id = pg_column_int(res, row, 0);
        pg_copy_column(res, row, 1, d.site, sizeof d.site);
        pg_copy_column(res, row, 2, d.name, sizeof d.name);
        d.created_us = pg_column_int(res, row, 3);
        d.revoked_us = pg_column_int(res, row, 4);
        d.last_seen_us = pg_column_int(res, row, 5);
        d.status.received_us = pg_column_int(res, row, 6);
        pg_copy_column(res, row, 7, d.status.software_version, sizeof d.status.software_version);
        d.status.events_waiting = pg_column_int(res, row, 8);
        d.status.last_upload_us = pg_column_int(res, row, 9);
        pg_copy_column(res, row, 10, d.status.last_error, sizeof d.status.last_error);
        pg_copy_column(res, row, 11, d.status.reader_state, sizeof d.status.reader_state);
        d.status.clock_synced = (int)pg_column_int(res, row, 12);
        struct central_recovery *r = &d.status.recovery;
        r->reported = (int)pg_column_int(res, row, 13);
        r->at_us = pg_column_int(res, row, 14);
        r->backup_us = pg_column_int(res, row, 15);
        r->skipped_backups = pg_column_int(res, row, 16);
        pg_copy_column(res, row, 17, r->fetch, sizeof r->fetch);
        r->fetched_events = pg_column_int(res, row, 18);
        d.status.events_refused = pg_column_int(res, row, 19);
        d.status.token_refused_us = pg_column_int(res, row, 20);
        rc = cb(ctx, &d);
    }
    PQclear(res);
    return rc;
}

static int pg_admin_add(struct central_store *store, const char *name, const unsigned char *hash,
                        char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(hash, hex);
    struct params p = {0};
    param_text(&p, name);
    param_number(&p, token_lookup(hash));
    param_text(&p, hex);
    param_number(&p, pg_now_us());
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_query(s, ST_ADMIN_ADD, &p, NULL, "admin add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "admin \"%s\" already exists (revoke it first)", name);
    return rc;
}

static int pg_admin_revoke(struct central_store *store, const char *name, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, name);
    param_number(&p, pg_now_us());
    int64_t changed = 0;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_query_changes(s, ST_ADMIN_REVOKE, &p, &changed, "admin revoke", err, errlen);
    if (!rc && changed == 0) {
        snprintf(err, errlen, "admin \"%s\": no such active admin", name);
        return -ENOENT;
    }
    return rc;
}

/* ---- sites and activities ---- */

static int pg_site_add(struct central_store *store, const struct central_site *site, char *err,
                       size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, site->id);
    param_text(&p, site->name);
    param_text(&p, site->kind);
    param_number(&p, pg_now_us());
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_query(s, ST_SITE_ADD, &p, NULL, "site add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen,
                 "site \"%s\": already exists, or kind \"%s\" is not one of "
                 "sykehjem, helsehus, aktivitetshus, hjemmetjeneste, other",
                 site->id, site->kind);
    return rc;
}

static void read_site(const PGresult *res, int row, struct central_site *site)
{
    pg_copy_column(res, row, 0, site->id, sizeof site->id);
    pg_copy_column(res, row, 1, site->name, sizeof site->name);
    pg_copy_column(res, row, 2, site->kind, sizeof site->kind);
}

static int pg_sites(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                    size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_SITES, NULL, &res, "site list", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_site site;
        read_site(res, row, &site);
        rc = cb(ctx, &site);
    }
    PQclear(res);
    return rc;
}

static int pg_site_get(struct central_store *store, const char *id, struct central_site *site,
                       char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, id);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_query(s, ST_SITE_GET, &p, &res, "site get", err, errlen)))
        return rc;
    if (PQntuples(res) == 1) {
        read_site(res, 0, site);
    } else {
        snprintf(err, errlen, "site \"%s\": no such site", id);
        rc = -ENOENT;
    }
    PQclear(res);
    return rc;
}

/* The next value of the roster change counter, inside the caller's write
 * transaction; its row stays locked until the commit. */
int pg_next_change(struct pg_store *s, int64_t *value, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_query(s, ST_CHANGE_NEXT, NULL, &res, "roster change counter", err, errlen);
    if (!rc) {
        *value = pg_column_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

static const struct central_store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .device_auth = pg_device_auth,
    .ingest = pg_ingest,
    .roster_since = pg_roster_since,
    .events_after = pg_events_after,
    .status_put = pg_status_put,
    .totals = pg_totals,
    .reviews = pg_reviews,
    .volunteer_sites = pg_volunteer_sites,
    .site_add = pg_site_add,
    .sites = pg_sites,
    .site_get = pg_site_get,
    .device_add = pg_device_add,
    .device_revoke = pg_device_revoke,
    .devices = pg_devices,
    .admin_add = pg_admin_add,
    .admin_revoke = pg_admin_revoke,
    .admin_auth = pg_admin_auth,
    .roster_replace = pg_roster_replace,
    .activity_add = pg_activity_add,
    .plan_add = pg_plan_add,
    .occurrence_change = pg_occurrence_change,
    .plans = pg_plans,
    .plan_import = pg_plan_import,
    .activities = pg_activities,
    .opening_set = pg_opening_set,
    .openings = pg_openings,
    .volunteer_export = pg_volunteer_export,
    .volunteer_forget = pg_volunteer_forget,
    .web = &central_pg_web_ops,
    .mail = &central_pg_mail_ops,
    .review = &central_pg_review_ops,
};
