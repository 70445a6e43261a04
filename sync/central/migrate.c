/* Moving a central from SQLite to PostgreSQL (migrate.h). Both schemas are
 * brought to their current version by their backends first; then every
 * table of the SQLite schema, read from the source itself, is copied as it
 * is (COPY), ids and change counters included, so the kiosks' tokens,
 * roster cursors and fetch cursors, the coordinators' sessions and the
 * monthly mail's "sent once" stay valid. A table is never left behind
 * silently: one the PostgreSQL schema lacks, or a column it lacks, stops
 * the move before anything is written. */
#include "migrate.h"

#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "utf8.h"

#define TABLES_MAX     64
#define COLUMNS_MAX    32
#define NAME_MAX_BYTES 64
#define COPY_CHUNK     (256 * 1024) /* bytes sent to the server at a time */

/* Tables with the one row a fresh schema already holds: replaced. They go
 * first (the totals' trigger reads the rounding). */
static const char *const singletons[] = {"setting", "roster_change"};
/* The daily and the per-volunteer monthly totals, which the target's
 * triggers fill as the visits arrive, but with today's rounding: they are
 * replaced by the source's after the visits, so that a report reads the
 * same after as before even when the rounding changed after some visits
 * were counted. */
static const char *const replaced_after_visits[] = {"visit_total", "volunteer_month_total"};

struct column {
    char name[NAME_MAX_BYTES];
    int bytea; /* the target's column is bytea: the source's bytes, as hex */
};

struct table {
    char name[NAME_MAX_BYTES];
    struct column columns[COLUMNS_MAX];
    int column_count;
    char refs[TABLES_MAX][NAME_MAX_BYTES]; /* the tables its foreign keys name */
    int ref_count;
    char identity[NAME_MAX_BYTES]; /* the target's identity column, "" for none */
    int singleton;                 /* one row, replaced, copied first */
    int replace;                   /* the target's rows deleted before the copy */
    int done;
};

static int listed(const char *name, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

static int pg_failed(PGconn *conn, PGresult *res, const char *what, char *err, size_t errlen)
{
    ExecStatusType status = PQresultStatus(res);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok) {
        const char *message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
        if (!message[0])
            message = PQerrorMessage(conn);
        const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
        utf8_format(err, errlen, "migrate: %s: %.*s%s%s", what, (int)strcspn(message, "\n"),
                    message, detail ? " " : "", detail ? detail : "");
    }
    PQclear(res);
    return ok ? 0 : -EIO;
}

static int sqlite_failed(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    utf8_format(err, errlen, "migrate: reading %s: %s", what, sqlite3_errmsg(db));
    return -EIO;
}

static int name_copy(char *out, const char *name, const char *what, char *err, size_t errlen)
{
    if (!name || strlen(name) >= NAME_MAX_BYTES || strchr(name, '"')) {
        utf8_format(err, errlen,
                    "migrate: the source's %s \"%.*s\" is not a name this program "
                    "copies",
                    what, UTF8_CLIP(name ? name : "", 80));
        return -EINVAL;
    }
    memcpy(out, name, strlen(name) + 1);
    return 0;
}

/* The source's tables, their columns and foreign keys, each matched with
 * the target's table of the same name. */
static int read_tables(sqlite3 *db, PGconn *conn, struct table *tables, int *count, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    *count = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return sqlite_failed(db, "the schema", err, errlen);
    int step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (*count == TABLES_MAX) {
            snprintf(err, errlen, "migrate: the source has more than %d tables", TABLES_MAX);
            rc = -EINVAL;
            break;
        }
        struct table *t = &tables[(*count)++];
        memset(t, 0, sizeof *t);
        rc = name_copy(t->name, name, "table", err, errlen);
        t->singleton = listed(name, singletons, sizeof singletons / sizeof singletons[0]);
        if (listed(name, replaced_after_visits,
                   sizeof replaced_after_visits / sizeof replaced_after_visits[0])) {
            t->replace = 1;
            snprintf(t->refs[t->ref_count++], NAME_MAX_BYTES, "visit");
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sqlite_failed(db, "the schema", err, errlen);
    sqlite3_finalize(st);

    for (int i = 0; !rc && i < *count; i++) {
        struct table *t = &tables[i];
        char sql[160];
        /* The target's columns: which exist, which are bytea, which is an
         * identity whose sequence must follow the copied ids. */
        const char *param[1] = {t->name};
        PGresult *res = PQexecParams(conn,
                                     "SELECT column_name, data_type, is_identity FROM "
                                     "information_schema.columns WHERE table_schema = "
                                     "current_schema() AND table_name = $1",
                                     1, NULL, param, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            rc = pg_failed(conn, res, "the target's schema", err, errlen);
            break;
        }
        if (PQntuples(res) == 0) {
            utf8_format(err, errlen,
                        "migrate: the source's table %s has no counterpart in the PostgreSQL "
                        "schema (is this tilstede-central older than the database?); nothing "
                        "was moved",
                        t->name);
            PQclear(res);
            rc = -ENOTSUP;
            break;
        }
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%.63s') ORDER BY cid",
                 t->name);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            PQclear(res);
            rc = sqlite_failed(db, t->name, err, errlen);
            break;
        }
        while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            if (t->column_count == COLUMNS_MAX) {
                snprintf(err, errlen, "migrate: table %s has more than %d columns", t->name,
                         COLUMNS_MAX);
                rc = -EINVAL;
                break;
            }
            struct column *c = &t->columns[t->column_count++];
            if ((rc = name_copy(c->name, name, "column", err, errlen)))
                break;
            int found = -1;
            for (int r = 0; r < PQntuples(res); r++)
                if (strcmp(PQgetvalue(res, r, 0), name) == 0)
                    found = r;
            if (found < 0) {
                utf8_format(err, errlen,
                            "migrate: the PostgreSQL table %s has no column %s, which the "
                            "source has; nothing was moved",
                            t->name, name);
                rc = -ENOTSUP;
                break;
            }
            c->bytea = strcmp(PQgetvalue(res, found, 1), "bytea") == 0;
            if (strcmp(PQgetvalue(res, found, 2), "YES") == 0)
                snprintf(t->identity, sizeof t->identity, "%s", name);
        }
        if (!rc && step != SQLITE_DONE)
            rc = sqlite_failed(db, t->name, err, errlen);
        sqlite3_finalize(st);
        PQclear(res);
        if (rc)
            break;
        snprintf(sql, sizeof sql, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list('%.63s')",
                 t->name);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            rc = sqlite_failed(db, t->name, err, errlen);
            break;
        }
        while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW && t->ref_count < TABLES_MAX)
            rc = name_copy(t->refs[t->ref_count++], (const char *)sqlite3_column_text(st, 0),
                           "table", err, errlen);
        sqlite3_finalize(st);
    }
    return rc;
}

/* The target must hold no central yet: every table copied is empty, but
 * for the one row of the singletons (and the totals of no visits). */
static int target_empty(PGconn *conn, const struct table *tables, int count, char *err,
                        size_t errlen)
{
    for (int i = 0; i < count; i++) {
        if (tables[i].singleton || tables[i].replace)
            continue;
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT EXISTS (SELECT 1 FROM \"%.63s\")", tables[i].name);
        PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            return pg_failed(conn, res, tables[i].name, err, errlen);
        int rows = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (rows) {
            utf8_format(err, errlen,
                        "migrate: %s already holds a central (rows in %s); give an empty "
                        "database",
                        PQdb(conn), tables[i].name);
            return -EEXIST;
        }
    }
    return 0;
}

struct out {
    char *buf;
    size_t len, cap;
};

static int out_add(struct out *o, const char *data, size_t len)
{
    if (o->len + len > o->cap) {
        size_t cap = o->cap ? o->cap : COPY_CHUNK * 2;
        while (cap < o->len + len)
            cap *= 2;
        char *buf = realloc(o->buf, cap);
        if (!buf)
            return -ENOMEM;
        o->buf = buf;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
    return 0;
}

/* One value in COPY's text format: NULL as \N; a backslash, tab, newline
 * and carriage return escaped; bytea as \\x and hex. */
static int out_value(struct out *o, sqlite3_stmt *st, int i, int bytea)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return out_add(o, "\\N", 2);
    if (bytea) {
        const unsigned char *bytes = sqlite3_column_blob(st, i);
        int len = sqlite3_column_bytes(st, i);
        static const char digits[] = "0123456789abcdef";
        int rc = out_add(o, "\\\\x", 3);
        for (int k = 0; !rc && k < len; k++) {
            char pair[2] = {digits[bytes[k] >> 4], digits[bytes[k] & 15]};
            rc = out_add(o, pair, 2);
        }
        return rc;
    }
    const char *text = (const char *)sqlite3_column_text(st, i);
    int len = sqlite3_column_bytes(st, i), rc = 0, from = 0;
    for (int k = 0; !rc && k < len; k++) {
        const char *escape = text[k] == '\\'   ? "\\\\"
                             : text[k] == '\t' ? "\\t"
                             : text[k] == '\n' ? "\\n"
                             : text[k] == '\r' ? "\\r"
                                               : NULL;
        if (escape) {
            rc = out_add(o, text + from, (size_t)(k - from));
            if (!rc)
                rc = out_add(o, escape, 2);
            from = k + 1;
        }
    }
    return rc ? rc : out_add(o, text + from, (size_t)(len - from));
}

static int copy_table(sqlite3 *db, PGconn *conn, const struct table *t, long long *rows, char *err,
                      size_t errlen)
{
    char select[4096] = "SELECT ", copy[4096]; /* COLUMNS_MAX names of NAME_MAX_BYTES fit */
    size_t sl = strlen(select);
    int cl = snprintf(copy, sizeof copy, "COPY \"%.63s\" (", t->name);
    for (int i = 0; i < t->column_count; i++) {
        sl += (size_t)snprintf(select + sl, sizeof select - sl, "%s\"%.63s\"", i ? ", " : "",
                               t->columns[i].name);
        cl += snprintf(copy + cl, sizeof copy - (size_t)cl, "%s\"%.63s\"", i ? ", " : "",
                       t->columns[i].name);
    }
    snprintf(select + sl, sizeof select - sl, " FROM \"%.63s\"", t->name);
    snprintf(copy + cl, sizeof copy - (size_t)cl, ") FROM STDIN");
    *rows = 0;
    int rc = 0;
    if (t->singleton || t->replace) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM \"%.63s\"", t->name);
        if ((rc = pg_failed(conn, PQexec(conn, sql), t->name, err, errlen)))
            return rc;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, select, -1, &st, NULL) != SQLITE_OK)
        return sqlite_failed(db, t->name, err, errlen);
    PGresult *res = PQexec(conn, copy);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        sqlite3_finalize(st);
        return pg_failed(conn, res, t->name, err, errlen);
    }
    PQclear(res);
    struct out o = {0};
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; !rc && i < t->column_count; i++) {
            rc = i ? out_add(&o, "\t", 1) : 0;
            if (!rc)
                rc = out_value(&o, st, i, t->columns[i].bytea);
        }
        if (!rc)
            rc = out_add(&o, "\n", 1);
        (*rows)++;
        if (!rc && o.len >= COPY_CHUNK) {
            if (PQputCopyData(conn, o.buf, (int)o.len) != 1)
                rc = -EIO;
            o.len = 0;
        }
    }
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    else if (!rc && step != SQLITE_DONE)
        rc = sqlite_failed(db, t->name, err, errlen);
    if (!rc && o.len && PQputCopyData(conn, o.buf, (int)o.len) != 1)
        rc = -EIO;
    free(o.buf);
    sqlite3_finalize(st);
    /* Ends the COPY either way: an error message aborts it. */
    PQputCopyEnd(conn, rc ? "the source could not be read" : NULL);
    while ((res = PQgetResult(conn))) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
        } else if (!err[0]) {
            rc = pg_failed(conn, res, t->name, err, errlen);
        } else {
            rc = rc ? rc : -EIO;
            PQclear(res);
        }
    }
    if (rc && !err[0])
        pg_failed(conn, NULL, t->name, err, errlen);
    if (rc)
        return rc;
    if (t->identity[0]) {
        /* The next id the target hands out follows the copied ones. */
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('\"%.63s\"', '%.63s'), "
                 "coalesce(max(\"%.63s\"), 0) + 1, false) FROM \"%.63s\"",
                 t->name, t->identity, t->identity, t->name);
        rc = pg_failed(conn, PQexec(conn, sql), t->name, err, errlen);
    }
    return rc;
}

/* The next table to copy: a singleton first, then one whose foreign keys
 * name only tables already copied (or itself). */
static struct table *next_table(struct table *tables, int count)
{
    for (int i = 0; i < count; i++)
        if (!tables[i].done && tables[i].singleton)
            return &tables[i];
    for (int i = 0; i < count; i++) {
        if (tables[i].done)
            continue;
        int ready = 1;
        for (int r = 0; ready && r < tables[i].ref_count; r++)
            for (int k = 0; k < count; k++)
                if (k != i && !tables[k].done && strcmp(tables[k].name, tables[i].refs[r]) == 0)
                    ready = 0;
        if (ready)
            return &tables[i];
    }
    return NULL;
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
    err[0] = '\0';
    int rc;
    if ((rc = open_schema(from, err, errlen)) || (rc = open_schema(to, err, errlen)))
        return rc;
    static struct table tables[TABLES_MAX];
    int count = 0;
    sqlite3 *db = NULL;
    PGconn *conn = PQconnectdb(to);
    if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        utf8_format(err, errlen, "migrate: %s: %s", from, sqlite3_errmsg(db));
        rc = -EIO;
        goto out;
    }
    /* One read snapshot of the source, one transaction on the target. */
    if (sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
        SQLITE_OK) {
        rc = sqlite_failed(db, from, err, errlen);
        goto out;
    }
    if ((rc = pg_failed(conn, PQexec(conn, "BEGIN"), "begin", err, errlen)) ||
        (rc = read_tables(db, conn, tables, &count, err, errlen)) ||
        (rc = target_empty(conn, tables, count, err, errlen)))
        goto out;
    struct table *t;
    while ((t = next_table(tables, count))) {
        long long rows = 0;
        if ((rc = copy_table(db, conn, t, &rows, err, errlen)))
            goto out;
        t->done = 1;
        fprintf(out, "%s\t%lld\n", t->name, rows);
    }
    for (int i = 0; i < count; i++)
        if (!tables[i].done) { /* foreign keys in a circle: not in this schema */
            utf8_format(err, errlen, "migrate: table %s: its foreign keys form a circle",
                        tables[i].name);
            rc = -ENOTSUP;
            goto out;
        }
    rc = pg_failed(conn, PQexec(conn, "COMMIT"), "commit", err, errlen);
out:
    if (rc && PQstatus(conn) == CONNECTION_OK)
        PQclear(PQexec(conn, "ROLLBACK"));
    PQfinish(conn);
    sqlite3_close(db);
    return rc;
}
