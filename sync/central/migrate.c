/* Moving a central from SQLite to PostgreSQL (migrate.h). Both schemas are
 * brought to their current version by their backends first; then each
 * table's rows are copied as they are, ids and change counters included,
 * so the kiosks' tokens, roster cursors and fetch cursors stay valid. The
 * daily totals are not copied: the target's trigger adds each closed visit
 * as it arrives, which also checks that the source's totals agreed. */
#include "migrate.h"

#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store.h"

#define COLUMNS_MAX 20

/* One table: its columns in PostgreSQL, and the SQLite expression of each
 * (a BLOB goes as hex text and is decoded on the other side). Tables with
 * a single settings row have it replaced. */
struct table {
    const char *name;
    const char *columns;  /* the INSERT's column list */
    const char *select;   /* the SQLite SELECT of the same columns, in order */
    const char *values;   /* the INSERT's VALUES list */
    const char *identity; /* the identity column whose sequence follows, or NULL */
    int replace;          /* 1: delete the target's row first */
};

static const struct table tables[] = {
    {"setting", "one, round_minutes", "SELECT one, round_minutes FROM setting", "$1, $2", NULL, 1},
    {"roster_change", "one, value", "SELECT one, value FROM roster_change", "$1, $2", NULL, 1},
    {"site", "id, name, kind, created_us", "SELECT id, name, kind, created_us FROM site",
     "$1, $2, $3, $4", NULL, 0},
    {"device", "id, site, name, token_lookup, token_hash, created_us, revoked_us, last_seen_us",
     "SELECT id, site, name, token_lookup, hex(token_hash), created_us, revoked_us, "
     "last_seen_us FROM device ORDER BY id",
     "$1, $2, $3, $4, decode($5, 'hex'), $6, $7, $8", "id", 0},
    {"device_status",
     "device, received_us, software_version, events_waiting, last_upload_us, last_error, "
     "reader_state, clock_synced, recovery_at_us, recovery_backup_us, recovery_skipped, "
     "recovery_fetch, recovery_fetched, events_refused, token_refused_us",
     "SELECT device, received_us, software_version, events_waiting, last_upload_us, "
     "last_error, reader_state, clock_synced, recovery_at_us, recovery_backup_us, "
     "recovery_skipped, recovery_fetch, recovery_fetched, events_refused, token_refused_us "
     "FROM device_status",
     "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15", NULL, 0},
    {"admin", "id, name, token_lookup, token_hash, created_us, revoked_us",
     "SELECT id, name, token_lookup, hex(token_hash), created_us, revoked_us FROM admin "
     "ORDER BY id",
     "$1, $2, $3, decode($4, 'hex'), $5, $6", "id", 0},
    {"volunteer",
     "external_id, given_name, family_name, active, confidentiality_signed, "
     "police_valid_until, confidentiality_undated, police_undated, changed",
     "SELECT external_id, given_name, family_name, active, confidentiality_signed, "
     "police_valid_until, confidentiality_undated, police_undated, changed FROM volunteer",
     "$1, $2, $3, $4, $5, $6, $7, $8, $9", NULL, 0},
    {"card", "card_hash, volunteer, revoked, at_us, changed",
     "SELECT card_hash, volunteer, revoked, at_us, changed FROM card", "$1, $2, $3, $4, $5", NULL,
     0},
    {"activity", "id, site, date, start, \"end\", title, place, changed",
     "SELECT id, site, date, start, end, title, place, changed FROM activity",
     "$1, $2, $3, $4, $5, $6, $7, $8", NULL, 0},
    {"event",
     "seq, event_id, kind, site, volunteer, at_us, recorded_us, mono_us, boot_id, "
     "clock_synced, source, activity, corrects, card_hash, review, device, received_us",
     "SELECT seq, event_id, kind, site, volunteer, at_us, recorded_us, mono_us, boot_id, "
     "clock_synced, source, activity, corrects, card_hash, review, device, received_us "
     "FROM event ORDER BY seq",
     "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17", "seq", 0},
    {"visit",
     "id, site, volunteer, activity, start_event, start_us, start_day, end_event, end_us, "
     "end_kind, review",
     "SELECT id, site, volunteer, activity, start_event, start_us, start_day, end_event, "
     "end_us, end_kind, review FROM visit ORDER BY id",
     "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11", "id", 0},
};

/* The web app's tables (schema 3), which the PostgreSQL backend does not
 * hold yet: a central with rows in them is not moved, so no account,
 * audit row or note is lost on the way. */
static const char *const not_moved[] = {"web_user", "audit", "volunteer_note"};

static int refuse_unmoved(sqlite3 *db, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof not_moved / sizeof not_moved[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                 not_moved[i]);
        sqlite3_stmt *st = NULL;
        long long rows = 0;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1) {
            sqlite3_finalize(st);
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", not_moved[i]);
            if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW)
                rows = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        if (rows > 0) {
            snprintf(err, errlen,
                     "migrate: the source has %lld rows in %s (the web app's accounts, audit "
                     "log or notes), which the PostgreSQL backend does not hold yet; nothing "
                     "was moved",
                     rows, not_moved[i]);
            return -ENOTSUP;
        }
    }
    return 0;
}

static int pg_ok(PGconn *conn, PGresult *res, const char *what, char *err, size_t errlen)
{
    ExecStatusType status = PQresultStatus(res);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok) {
        const char *message = PQerrorMessage(conn);
        snprintf(err, errlen, "migrate: %s: %.*s", what, (int)strcspn(message, "\n"), message);
    }
    PQclear(res);
    return ok ? 0 : -EIO;
}

static int copy_table(sqlite3 *db, PGconn *conn, const struct table *t, long long *rows, char *err,
                      size_t errlen)
{
    char sql[1024], what[80];
    snprintf(what, sizeof what, "table %s", t->name);
    *rows = 0;
    if (t->replace) {
        snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
        if (pg_ok(conn, PQexec(conn, sql), what, err, errlen))
            return -EIO;
    }
    snprintf(sql, sizeof sql, "INSERT INTO %s (%s) VALUES (%s)", t->name, t->columns, t->values);
    if (pg_ok(conn, PQprepare(conn, t->name, sql, 0, NULL), what, err, errlen))
        return -EIO;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, t->select, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "migrate: reading %s: %s", t->name, sqlite3_errmsg(db));
        return -EIO;
    }
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *values[COLUMNS_MAX];
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n && i < COLUMNS_MAX; i++)
            values[i] = sqlite3_column_type(st, i) == SQLITE_NULL
                            ? NULL
                            : (const char *)sqlite3_column_text(st, i);
        rc =
            pg_ok(conn, PQexecPrepared(conn, t->name, n, values, NULL, NULL, 0), what, err, errlen);
        if (!rc)
            (*rows)++;
    }
    if (!rc && step != SQLITE_DONE) {
        snprintf(err, errlen, "migrate: reading %s: %s", t->name, sqlite3_errmsg(db));
        rc = -EIO;
    }
    sqlite3_finalize(st);
    if (!rc && t->identity) {
        /* The next id the target hands out follows the copied ones. */
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
                 "coalesce(max(%s), 0) + 1, false) FROM %s",
                 t->name, t->identity, t->identity, t->name);
        rc = pg_ok(conn, PQexec(conn, sql), what, err, errlen);
    }
    return rc;
}

static int is_postgresql(const char *location)
{
    return strncmp(location, "postgresql:", 11) == 0 || strncmp(location, "postgres:", 9) == 0;
}

/* Each backend makes (or upgrades) its own schema. */
static int open_schema(const char *location, char *err, size_t errlen)
{
    struct central_store *store = NULL;
    int rc = central_store_open(location, &store, err, errlen);
    central_store_close(store);
    return rc;
}

int central_migrate(const char *from, const char *to, FILE *out, char *err, size_t errlen)
{
    if (!from || !to || is_postgresql(from) || !is_postgresql(to)) {
        snprintf(err, errlen,
                 "migrate needs --from FILE (a SQLite central) and "
                 "--to postgresql://... (an empty PostgreSQL database)");
        return -EINVAL;
    }
    if (strncmp(from, "sqlite:", 7) == 0)
        from += 7;
    int rc;
    if ((rc = open_schema(from, err, errlen)) || (rc = open_schema(to, err, errlen)))
        return rc;
    sqlite3 *db = NULL;
    PGconn *conn = PQconnectdb(to);
    if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "migrate: %s: %s", from, sqlite3_errmsg(db));
        rc = -EIO;
        goto out;
    }
    /* One read snapshot of the source, one transaction on the target. */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        pg_ok(conn, PQexec(conn, "BEGIN"), "begin", err, errlen)) {
        if (!err[0])
            snprintf(err, errlen, "migrate: %s: %s", from, sqlite3_errmsg(db));
        rc = -EIO;
        goto out;
    }
    if ((rc = refuse_unmoved(db, err, errlen)))
        goto out;
    PGresult *res = PQexec(conn, "SELECT (SELECT count(*) FROM site) + (SELECT count(*) FROM "
                                 "admin) + (SELECT count(*) FROM volunteer) + "
                                 "(SELECT count(*) FROM event)");
    int empty = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    PQclear(res);
    if (!empty) {
        snprintf(err, errlen,
                 "migrate: %s already holds a central's sites, logins, roster or events; "
                 "give an empty database",
                 PQdb(conn));
        rc = -EEXIST;
        goto out;
    }
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        long long rows = 0;
        if ((rc = copy_table(db, conn, &tables[i], &rows, err, errlen)))
            goto out;
        fprintf(out, "%s\t%lld\n", tables[i].name, rows);
    }
    rc = pg_ok(conn, PQexec(conn, "COMMIT"), "commit", err, errlen);
out:
    if (rc && PQstatus(conn) == CONNECTION_OK)
        PQclear(PQexec(conn, "ROLLBACK"));
    PQfinish(conn);
    sqlite3_close(db);
    return rc;
}
