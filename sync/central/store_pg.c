/* The PostgreSQL backend of the central's store (store_backend.h), through
 * libpq: for a municipality whose IT runs PostgreSQL, and for several
 * central processes against one database. Every statement is prepared
 * with parameters in text form; the results are the SQLite backend's
 * (same queries, key order in the "C" collation as SQLite compares). A
 * lost connection answers -EBUSY (the kiosk is told to retry) and is
 * opened again at the next call. Visits are derived by firmware/visits.c's
 * rules through a table of operations on this backend's visit table. */
#include "store_backend.h"

#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "visits.h"

extern const char embed_central_pg_001[];
extern const char embed_central_pg_002[];

static const char *const migrations[] = {embed_central_pg_001, embed_central_pg_002};
#define PG_SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* Advisory lock keys: one for migrations, one space for the sites (with
 * the hash of the site's id as the second key). */
#define LOCK_MIGRATION 29719
#define LOCK_SITE      "29720"

#define PARAMS_MAX 20
#define NUMBER_MAX 24

/* The duration a visit counts for, as visits_rounded_seconds() computes it,
 * with `r` the setting row (the SQLite backend's ROUNDED). */
#define ROUNDED(v)                                                                                 \
    "CASE WHEN r.round_minutes > 0 THEN (greatest(0, (" v ".end_us - " v ".start_us) / 1000000)"   \
    " + r.round_minutes * 30) / (r.round_minutes * 60) * (r.round_minutes * 60)"                   \
    " ELSE greatest(0, (" v ".end_us - " v ".start_us) / 1000000) END"

#define EVENT_SELECT                                                                               \
    "event_id, kind, site, coalesce(volunteer, ''), at_us, recorded_us, mono_us, boot_id, "       \
    "clock_synced, source, coalesce(activity, ''), coalesce(corrects, ''), "                      \
    "coalesce(card_hash, ''), review"

enum {
    ST_DEVICE_AUTH,
    ST_SITE_LOCK,
    ST_EVENT_INSERT,
    ST_CARD_SET,
    ST_EVENT_SITE,
    ST_EVENTS_AFTER,
    ST_CHANGE_NEXT,
    ST_CHANGE_NOW,
    ST_DEVICE_SEEN,
    ST_VOLUNTEERS_SINCE,
    ST_CARDS_SINCE,
    ST_ACTIVITIES_SINCE,
    ST_STATUS_PUT,
    ST_TOTAL_SITE,
    ST_TOTAL_ACTIVITY,
    ST_TOTAL_MONTH,
    ST_TOTAL_VOLUNTEER,
    ST_REVIEWS,
    ST_SITE_ADD,
    ST_SITES,
    ST_SITE_GET,
    ST_DEVICE_ADD,
    ST_DEVICE_REVOKE,
    ST_DEVICES,
    ST_ADMIN_ADD,
    ST_ADMIN_REVOKE,
    ST_ADMIN_AUTH,
    ST_ACTIVITY_ADD,
    ST_ROSTER_UPSERT,
    ST_ROSTER_SEEN,
    ST_ROSTER_RETIRE,
    ST_VOLUNTEER_KNOWN,
    ST_VOLUNTEER_GET,
    ST_VOLUNTEER_CARDS,
    ST_VOLUNTEER_EVENTS,
    ST_VOLUNTEER_HOURS,
    ST_FORGET_TOTALS,
    ST_FORGET_VISITS,
    ST_FORGET_EVENTS,
    ST_FORGET_CARDS,
    ST_FORGET_VOLUNTEER,
    ST_VISIT_FIND_OPEN,
    ST_VISIT_INSERT,
    ST_VISIT_CLOSE,
    ST_VISIT_CORRECT_START,
    ST_VISIT_CORRECT_END,
    ST_COUNT
};

static const char *const statement_sql[ST_COUNT] = {
    [ST_DEVICE_AUTH] = "SELECT id, site, name, encode(token_hash, 'hex'), created_us FROM device "
                       "WHERE token_lookup = $1 AND revoked_us IS NULL",
    /* Ingest of one site runs one at a time (kiosks of other sites do not
     * wait): the site's event seqs then follow commit order, which the
     * fetch's cursor needs, and two processes never derive one
     * volunteer's visits from two halves of a batch. */
    [ST_SITE_LOCK] = "SELECT pg_advisory_xact_lock(" LOCK_SITE ", hashtext($1))",
    [ST_EVENT_INSERT] =
        "INSERT INTO event (event_id, kind, site, volunteer, at_us, recorded_us, mono_us, "
        "boot_id, clock_synced, source, activity, corrects, card_hash, review, device, "
        "received_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16) ON CONFLICT (event_id) DO NOTHING RETURNING seq",
    [ST_CARD_SET] = "INSERT INTO card (card_hash, volunteer, revoked, at_us, changed) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (card_hash) DO UPDATE SET "
                    "volunteer = coalesce(excluded.volunteer, card.volunteer), "
                    "revoked = excluded.revoked, at_us = excluded.at_us, "
                    "changed = excluded.changed WHERE excluded.at_us >= card.at_us",
    [ST_EVENT_SITE] = "SELECT site FROM event WHERE event_id = $1",
    [ST_EVENTS_AFTER] = "SELECT seq, " EVENT_SELECT " FROM event WHERE site = $1 AND seq > $2 "
                        "ORDER BY seq LIMIT $3",
    [ST_CHANGE_NEXT] = "UPDATE roster_change SET value = value + 1 RETURNING value",
    [ST_CHANGE_NOW] = "SELECT value FROM roster_change",
    [ST_DEVICE_SEEN] = "UPDATE device SET last_seen_us = $2 WHERE id = $1",
    [ST_VOLUNTEERS_SINCE] = "SELECT external_id, given_name, family_name, active, "
                            "coalesce(confidentiality_signed, ''), "
                            "coalesce(police_valid_until, ''), "
                            "confidentiality_undated, police_undated FROM volunteer "
                            "WHERE changed > $1 ORDER BY external_id COLLATE \"C\"",
    [ST_CARDS_SINCE] = "SELECT card_hash, coalesce(volunteer, ''), revoked FROM card "
                       "WHERE changed > $1 ORDER BY card_hash COLLATE \"C\"",
    [ST_ACTIVITIES_SINCE] = "SELECT id, site, date, start, \"end\", title, place FROM activity "
                            "WHERE site = $2 AND changed > $1 "
                            "ORDER BY date COLLATE \"C\", start COLLATE \"C\", id COLLATE \"C\"",
    [ST_STATUS_PUT] = "INSERT INTO device_status (device, received_us, "
                      "software_version, events_waiting, last_upload_us, last_error, "
                      "reader_state, clock_synced, recovery_at_us, recovery_backup_us, "
                      "recovery_skipped, recovery_fetch, recovery_fetched) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                      "ON CONFLICT (device) DO UPDATE SET received_us = excluded.received_us, "
                      "software_version = excluded.software_version, "
                      "events_waiting = excluded.events_waiting, "
                      "last_upload_us = excluded.last_upload_us, "
                      "last_error = excluded.last_error, reader_state = excluded.reader_state, "
                      "clock_synced = excluded.clock_synced, "
                      "recovery_at_us = excluded.recovery_at_us, "
                      "recovery_backup_us = excluded.recovery_backup_us, "
                      "recovery_skipped = excluded.recovery_skipped, "
                      "recovery_fetch = excluded.recovery_fetch, "
                      "recovery_fetched = excluded.recovery_fetched",
    [ST_TOTAL_SITE] = "SELECT s.id, s.name, s.kind, coalesce(sum(t.seconds), 0), "
                      "coalesce(sum(t.visits), 0) FROM site s LEFT JOIN visit_total t "
                      "ON t.site = s.id AND t.day BETWEEN $1 AND $2 GROUP BY s.id "
                      "ORDER BY s.id COLLATE \"C\"",
    [ST_TOTAL_ACTIVITY] = "SELECT t.activity, coalesce(a.title, ''), coalesce(a.date, ''), "
                          "coalesce(s.name, ''), sum(t.seconds), sum(t.visits) "
                          "FROM visit_total t LEFT JOIN activity a ON a.id = t.activity "
                          "LEFT JOIN site s ON s.id = a.site WHERE t.day BETWEEN $1 AND $2 "
                          "GROUP BY t.activity, a.title, a.date, s.name "
                          "HAVING sum(t.visits) > 0 "
                          "ORDER BY sum(t.seconds) DESC, t.activity COLLATE \"C\"",
    [ST_TOTAL_MONTH] = "SELECT substr(day, 1, 7), sum(seconds), sum(visits) FROM visit_total "
                       "WHERE day BETWEEN $1 AND $2 GROUP BY 1 HAVING sum(visits) > 0 "
                       "ORDER BY 1",
    [ST_TOTAL_VOLUNTEER] = "SELECT v.volunteer, coalesce(p.given_name || ' ' || p.family_name, "
                           "''), sum(" ROUNDED("v") "), count(*) "
                           "FROM visit v CROSS JOIN setting r "
                           "LEFT JOIN volunteer p ON p.external_id = v.volunteer "
                           "WHERE v.start_day BETWEEN $1 AND $2 AND v.end_us IS NOT NULL "
                           "GROUP BY v.volunteer, p.given_name, p.family_name "
                           "ORDER BY 3 DESC, v.volunteer COLLATE \"C\"",
    [ST_REVIEWS] = "SELECT v.site, coalesce(s.name, v.site), v.volunteer, "
                   "coalesce(p.given_name || ' ' || p.family_name, ''), v.start_us, v.end_us "
                   "FROM visit v LEFT JOIN site s ON s.id = v.site "
                   "LEFT JOIN volunteer p ON p.external_id = v.volunteer "
                   "WHERE v.review = 1 AND v.end_us IS NOT NULL ORDER BY v.start_us DESC LIMIT $1",
    [ST_SITE_ADD] = "INSERT INTO site (id, name, kind, created_us) VALUES ($1, $2, $3, $4)",
    [ST_SITES] = "SELECT id, name, kind FROM site ORDER BY id COLLATE \"C\"",
    [ST_SITE_GET] = "SELECT id, name, kind FROM site WHERE id = $1",
    [ST_DEVICE_ADD] = "INSERT INTO device (site, name, token_lookup, token_hash, created_us) "
                      "VALUES ($1, $2, $3, decode($4, 'hex'), $5) RETURNING id",
    [ST_DEVICE_REVOKE] = "UPDATE device SET revoked_us = $2 WHERE id = $1 AND revoked_us IS NULL",
    [ST_DEVICES] = "SELECT d.id, d.site, d.name, d.created_us, coalesce(d.revoked_us, 0), "
                   "coalesce(d.last_seen_us, 0), coalesce(st.received_us, 0), "
                   "coalesce(st.software_version, ''), coalesce(st.events_waiting, 0), "
                   "coalesce(st.last_upload_us, 0), coalesce(st.last_error, ''), "
                   "coalesce(st.reader_state, ''), coalesce(st.clock_synced, 0), "
                   "(st.recovery_at_us IS NOT NULL)::int, coalesce(st.recovery_at_us, 0), "
                   "coalesce(st.recovery_backup_us, 0), "
                   "coalesce(st.recovery_skipped, 0), coalesce(st.recovery_fetch, ''), "
                   "coalesce(st.recovery_fetched, 0) "
                   "FROM device d LEFT JOIN device_status st ON st.device = d.id "
                   "ORDER BY d.site COLLATE \"C\", d.name COLLATE \"C\"",
    [ST_ADMIN_ADD] = "INSERT INTO admin (name, token_lookup, token_hash, created_us) "
                     "VALUES ($1, $2, decode($3, 'hex'), $4)",
    [ST_ADMIN_REVOKE] = "UPDATE admin SET revoked_us = $2 WHERE name = $1 AND revoked_us IS NULL",
    [ST_ADMIN_AUTH] = "SELECT encode(token_hash, 'hex') FROM admin "
                      "WHERE token_lookup = $1 AND revoked_us IS NULL",
    [ST_ACTIVITY_ADD] = "INSERT INTO activity (id, site, date, start, \"end\", title, place, "
                        "changed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    /* The WHERE keeps the change counter of unchanged rows, so a daily
     * re-import of the same file sends nothing to the kiosks. */
    [ST_ROSTER_UPSERT] =
        "INSERT INTO volunteer (external_id, given_name, family_name, active, "
        "confidentiality_signed, police_valid_until, confidentiality_undated, "
        "police_undated, changed) VALUES "
        "($1, $2, $3, $4, $5, $6, $8, $9, $7) ON CONFLICT (external_id) DO UPDATE SET "
        "given_name = excluded.given_name, family_name = excluded.family_name, "
        "active = excluded.active, "
        "confidentiality_signed = excluded.confidentiality_signed, "
        "police_valid_until = excluded.police_valid_until, "
        "confidentiality_undated = excluded.confidentiality_undated, "
        "police_undated = excluded.police_undated, "
        "changed = excluded.changed WHERE "
        "volunteer.given_name IS DISTINCT FROM excluded.given_name OR "
        "volunteer.family_name IS DISTINCT FROM excluded.family_name OR "
        "volunteer.active IS DISTINCT FROM excluded.active OR "
        "volunteer.confidentiality_signed IS DISTINCT FROM excluded.confidentiality_signed OR "
        "volunteer.police_valid_until IS DISTINCT FROM excluded.police_valid_until OR "
        "volunteer.confidentiality_undated IS DISTINCT FROM excluded.confidentiality_undated OR "
        "volunteer.police_undated IS DISTINCT FROM excluded.police_undated",
    [ST_ROSTER_SEEN] = "INSERT INTO roster_seen VALUES ($1) ON CONFLICT DO NOTHING",
    [ST_ROSTER_RETIRE] = "UPDATE volunteer SET active = 0, changed = $1 WHERE active = 1 "
                         "AND external_id NOT IN (SELECT id FROM roster_seen)",
    [ST_VOLUNTEER_KNOWN] = "SELECT (EXISTS (SELECT 1 FROM volunteer WHERE external_id = $1) "
                           "OR EXISTS (SELECT 1 FROM card WHERE volunteer = $1) "
                           "OR EXISTS (SELECT 1 FROM event WHERE volunteer = $1))::int",
    [ST_VOLUNTEER_GET] = "SELECT external_id, given_name, family_name, active, "
                         "coalesce(confidentiality_signed, ''), coalesce(police_valid_until, ''), "
                         "confidentiality_undated, police_undated FROM volunteer "
                         "WHERE external_id = $1",
    [ST_VOLUNTEER_CARDS] = "SELECT card_hash, coalesce(volunteer, ''), revoked FROM card "
                           "WHERE volunteer = $1 ORDER BY card_hash COLLATE \"C\"",
    [ST_VOLUNTEER_EVENTS] = "SELECT " EVENT_SELECT " FROM event WHERE volunteer = $1 "
                            "ORDER BY at_us, seq",
    [ST_VOLUNTEER_HOURS] = "SELECT coalesce(sum(" ROUNDED("v") "), 0), count(*) "
                           "FROM visit v CROSS JOIN setting r "
                           "WHERE v.volunteer = $1 AND v.end_us IS NOT NULL",
    /* No trigger takes a deleted visit out of the totals (visits are never
     * deleted but here): the volunteer's closed visits leave them first,
     * rounded as the trigger added them. */
    [ST_FORGET_TOTALS] =
        "UPDATE visit_total SET seconds = visit_total.seconds - gone.seconds, "
        "visits = visit_total.visits - gone.visits FROM (SELECT v.start_day AS day, "
        "v.site AS site, coalesce(v.activity, '') AS activity, sum(" ROUNDED("v") ") AS seconds, "
        "count(*) AS visits FROM visit v CROSS JOIN setting r "
        "WHERE v.volunteer = $1 AND v.end_us IS NOT NULL GROUP BY 1, 2, 3) AS gone "
        "WHERE visit_total.day = gone.day AND visit_total.site = gone.site "
        "AND visit_total.activity = gone.activity",
    [ST_FORGET_VISITS] = "DELETE FROM visit WHERE volunteer = $1",
    [ST_FORGET_EVENTS] = "DELETE FROM event WHERE volunteer = $1",
    [ST_FORGET_CARDS] = "DELETE FROM card WHERE volunteer = $1",
    [ST_FORGET_VOLUNTEER] = "DELETE FROM volunteer WHERE external_id = $1",
    /* The statements of firmware/visits.c, in PostgreSQL's words. */
    [ST_VISIT_FIND_OPEN] = "SELECT id FROM visit WHERE site = $1 AND volunteer = $2 "
                           "AND end_us IS NULL ORDER BY start_us DESC LIMIT 1",
    [ST_VISIT_INSERT] = "INSERT INTO visit (site, volunteer, activity, start_event, start_us, "
                        "start_day, review) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    [ST_VISIT_CLOSE] = "UPDATE visit SET end_event = $2, end_us = greatest($3::bigint, start_us), "
                       "end_kind = $4, review = $5 WHERE id = $1",
    [ST_VISIT_CORRECT_START] =
        "UPDATE visit SET start_us = $2, start_day = $3, "
        "end_us = CASE WHEN end_us IS NULL THEN NULL ELSE greatest(end_us, $2::bigint) END "
        "WHERE start_event = $1",
    [ST_VISIT_CORRECT_END] = "UPDATE visit SET end_us = greatest($2::bigint, start_us), "
                             "review = 0 WHERE end_event = $1",
};

struct pg_store {
    struct central_store base;
    PGconn *conn;
    char *location;
    int prepared;
};

/* Parameters in text form; NULL for SQL NULL. */
struct params {
    const char *value[PARAMS_MAX];
    char number[PARAMS_MAX][NUMBER_MAX];
    int count;
};

static void text(struct params *p, const char *value) { p->value[p->count++] = value; }

/* An empty text is NULL, as the SQLite backend binds it. */
static void optional(struct params *p, const char *value)
{
    p->value[p->count++] = value && value[0] ? value : NULL;
}

static void number(struct params *p, int64_t value)
{
    snprintf(p->number[p->count], NUMBER_MAX, "%lld", (long long)value);
    p->value[p->count] = p->number[p->count];
    p->count++;
}

static void null(struct params *p) { p->value[p->count++] = NULL; }

static struct pg_store *cast(struct central_store *store) { return (struct pg_store *)store; }

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int64_t column_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void copy_column(const PGresult *res, int row, int col, char *out, size_t cap)
{
    snprintf(out, cap, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

/* A failed statement as a negative errno, with the server's message. */
static int fail_result(struct pg_store *s, const PGresult *res, const char *what, char *err,
                       size_t errlen)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *message = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
                                                              : PQerrorMessage(s->conn);
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
        strncmp(state, "57", 2) == 0 || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "53300") == 0)
        return -EBUSY;
    if (strcmp(state, "25006") == 0)
        return -EROFS;
    return -EIO;
}

/* Runs a prepared statement. *out gets the result when the caller wants
 * rows (PQclear it); 0, or a negative errno with err set. */
static int query(struct pg_store *s, int which, const struct params *p, PGresult **out,
                 const char *what, char *err, size_t errlen)
{
    char name[16];
    snprintf(name, sizeof name, "s%d", which);
    PGresult *res = PQexecPrepared(s->conn, name, p ? p->count : 0, p ? p->value : NULL, NULL,
                                   NULL, 0);
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

/* Like query, and *changed gets the number of rows the statement changed. */
static int query_changes(struct pg_store *s, int which, const struct params *p, int64_t *changed,
                         const char *what, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = query(s, which, p, &res, what, err, errlen);
    if (!rc) {
        *changed = strtoll(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return rc;
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
        *version = (int)column_int(res, 0, 0);
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
        PGresult *res = PQprepare(s->conn, name, statement_sql[i], 0, NULL);
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

static int ready(struct pg_store *s, char *err, size_t errlen)
{
    int rc = connect_store(s, err, errlen);
    if (!rc && !s->prepared)
        rc = prepare(s, err, errlen);
    return rc;
}

static int begin(struct pg_store *s, const char *how, char *err, size_t errlen)
{
    int rc = ready(s, err, errlen);
    return rc ? rc : exec_plain(s, how, "begin", err, errlen);
}

static int begin_write(struct pg_store *s, char *err, size_t errlen)
{
    return begin(s, "BEGIN", err, errlen);
}

/* One snapshot for all the reads of an operation. */
static int begin_read(struct pg_store *s, char *err, size_t errlen)
{
    return begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen);
}

static int commit(struct pg_store *s, char *err, size_t errlen)
{
    return exec_plain(s, "COMMIT", "commit", err, errlen);
}

static void rollback(struct pg_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        exec_plain(s, "ROLLBACK", "rollback", (char[64]){0}, 64);
}

static void pg_close(struct central_store *store)
{
    struct pg_store *s = cast(store);
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

int central_pg_schema_version(void) { return PG_SCHEMA_VERSION; }

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
    struct pg_store *s = cast(store);
    struct params p = {0};
    number(&p, token_lookup(hash));
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_DEVICE_AUTH, &p, &res, "device token", err, errlen)))
        return rc;
    rc = -ENOENT;
    for (int row = 0; row < PQntuples(res); row++) {
        if (!hash_matches(PQgetvalue(res, row, 3), hash))
            continue;
        memset(device, 0, sizeof *device);
        device->id = column_int(res, row, 0);
        copy_column(res, row, 1, device->site, sizeof device->site);
        copy_column(res, row, 2, device->name, sizeof device->name);
        device->created_us = column_int(res, row, 4);
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
    struct pg_store *s = cast(store);
    struct params p = {0};
    number(&p, token_lookup(hash));
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_ADMIN_AUTH, &p, &res, "admin token", err, errlen)))
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

static void hash_hex(const unsigned char *hash, char out[CENTRAL_TOKEN_HASH_BYTES * 2 + 1])
{
    sodium_bin2hex(out, CENTRAL_TOKEN_HASH_BYTES * 2 + 1, hash, CENTRAL_TOKEN_HASH_BYTES);
}

static int pg_device_add(struct central_store *store, const char *site, const char *name,
                         const unsigned char *hash, int64_t *id, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    char hex[CENTRAL_TOKEN_HASH_BYTES * 2 + 1];
    hash_hex(hash, hex);
    struct params p = {0};
    text(&p, site);
    text(&p, name);
    number(&p, token_lookup(hash));
    text(&p, hex);
    number(&p, now_us());
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (!rc)
        rc = query(s, ST_DEVICE_ADD, &p, &res, "device add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "device \"%s\": site \"%s\" already has a device of that name", name,
                 site);
    else if (rc == -ENOENT)
        snprintf(err, errlen, "device \"%s\": there is no site \"%s\" (see site list)", name, site);
    if (!rc) {
        *id = column_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

static int pg_device_revoke(struct central_store *store, int64_t id, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    struct params p = {0};
    number(&p, id);
    number(&p, now_us());
    int64_t changed = 0;
    int rc = ready(s, err, errlen);
    if (!rc)
        rc = query_changes(s, ST_DEVICE_REVOKE, &p, &changed, "device revoke", err, errlen);
    if (!rc && changed == 0) {
        snprintf(err, errlen, "device %lld: no such active device", (long long)id);
        return -ENOENT;
    }
    return rc;
}

static int pg_devices(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                      size_t errlen)
{
    struct pg_store *s = cast(store);
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_DEVICES, NULL, &res, "device list", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_device d;
        memset(&d, 0, sizeof d);
        d.id = column_int(res, row, 0);
        copy_column(res, row, 1, d.site, sizeof d.site);
        copy_column(res, row, 2, d.name, sizeof d.name);
        d.created_us = column_int(res, row, 3);
        d.revoked_us = column_int(res, row, 4);
        d.last_seen_us = column_int(res, row, 5);
        d.status.received_us = column_int(res, row, 6);
        copy_column(res, row, 7, d.status.software_version, sizeof d.status.software_version);
        d.status.events_waiting = column_int(res, row, 8);
        d.status.last_upload_us = column_int(res, row, 9);
        copy_column(res, row, 10, d.status.last_error, sizeof d.status.last_error);
        copy_column(res, row, 11, d.status.reader_state, sizeof d.status.reader_state);
        d.status.clock_synced = (int)column_int(res, row, 12);
        struct central_recovery *r = &d.status.recovery;
        r->reported = (int)column_int(res, row, 13);
        r->at_us = column_int(res, row, 14);
        r->backup_us = column_int(res, row, 15);
        r->skipped_backups = column_int(res, row, 16);
        copy_column(res, row, 17, r->fetch, sizeof r->fetch);
        r->fetched_events = column_int(res, row, 18);
        rc = cb(ctx, &d);
    }
    PQclear(res);
    return rc;
}

static int pg_admin_add(struct central_store *store, const char *name, const unsigned char *hash,
                        char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    char hex[CENTRAL_TOKEN_HASH_BYTES * 2 + 1];
    hash_hex(hash, hex);
    struct params p = {0};
    text(&p, name);
    number(&p, token_lookup(hash));
    text(&p, hex);
    number(&p, now_us());
    int rc = ready(s, err, errlen);
    if (!rc)
        rc = query(s, ST_ADMIN_ADD, &p, NULL, "admin add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "admin \"%s\" already exists (revoke it first)", name);
    return rc;
}

static int pg_admin_revoke(struct central_store *store, const char *name, char *err,
                           size_t errlen)
{
    struct pg_store *s = cast(store);
    struct params p = {0};
    text(&p, name);
    number(&p, now_us());
    int64_t changed = 0;
    int rc = ready(s, err, errlen);
    if (!rc)
        rc = query_changes(s, ST_ADMIN_REVOKE, &p, &changed, "admin revoke", err, errlen);
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
    struct pg_store *s = cast(store);
    struct params p = {0};
    text(&p, site->id);
    text(&p, site->name);
    text(&p, site->kind);
    number(&p, now_us());
    int rc = ready(s, err, errlen);
    if (!rc)
        rc = query(s, ST_SITE_ADD, &p, NULL, "site add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen,
                 "site \"%s\": already exists, or kind \"%s\" is not one of "
                 "sykehjem, helsehus, aktivitetshus, hjemmetjeneste, other",
                 site->id, site->kind);
    return rc;
}

static void read_site(const PGresult *res, int row, struct central_site *site)
{
    copy_column(res, row, 0, site->id, sizeof site->id);
    copy_column(res, row, 1, site->name, sizeof site->name);
    copy_column(res, row, 2, site->kind, sizeof site->kind);
}

static int pg_sites(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                    size_t errlen)
{
    struct pg_store *s = cast(store);
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_SITES, NULL, &res, "site list", err, errlen)))
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
    struct pg_store *s = cast(store);
    struct params p = {0};
    text(&p, id);
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_SITE_GET, &p, &res, "site get", err, errlen)))
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
static int next_change(struct pg_store *s, int64_t *value, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = query(s, ST_CHANGE_NEXT, NULL, &res, "roster change counter", err, errlen);
    if (!rc) {
        *value = column_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

static int pg_activity_add(struct central_store *store, const struct central_activity *activity,
                           char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    int64_t change = 0;
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = next_change(s, &change, err, errlen)))
        goto out;
    struct params p = {0};
    text(&p, activity->id);
    text(&p, activity->site);
    text(&p, activity->date);
    text(&p, activity->start);
    text(&p, activity->end);
    text(&p, activity->title);
    text(&p, activity->place);
    number(&p, change);
    if ((rc = query(s, ST_ACTIVITY_ADD, &p, NULL, "activity add", err, errlen))) {
        if (rc == -ENOENT)
            snprintf(err, errlen, "activity \"%s\": there is no site \"%s\" (see site list)",
                     activity->title, activity->site);
        goto out;
    }
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

/* ---- the visit table, for firmware/visits.c's rules ---- */

static int visit_find_open(void *ctx, const char *site, const char *volunteer, int64_t *id,
                           char *err, size_t errlen)
{
    struct params p = {0};
    text(&p, site);
    text(&p, volunteer);
    PGresult *res = NULL;
    int rc = query(ctx, ST_VISIT_FIND_OPEN, &p, &res, "visits", err, errlen);
    if (rc)
        return rc;
    int found = PQntuples(res) == 1;
    if (found)
        *id = column_int(res, 0, 0);
    PQclear(res);
    return found;
}

static int visit_insert(void *ctx, const struct event *ev, const char *day, char *err,
                        size_t errlen)
{
    struct params p = {0};
    text(&p, ev->site);
    text(&p, ev->volunteer);
    optional(&p, ev->activity);
    text(&p, ev->event_id);
    number(&p, ev->at_us);
    text(&p, day);
    number(&p, ev->review ? 1 : 0);
    return query(ctx, ST_VISIT_INSERT, &p, NULL, "visits", err, errlen);
}

static int visit_close(void *ctx, int64_t id, const struct event *ev, int review, char *err,
                       size_t errlen)
{
    struct params p = {0};
    number(&p, id);
    text(&p, ev->event_id);
    number(&p, ev->at_us);
    number(&p, (int)ev->kind);
    number(&p, review);
    return query(ctx, ST_VISIT_CLOSE, &p, NULL, "visits", err, errlen);
}

static int visit_correct_start(void *ctx, const char *corrects, int64_t at_us, const char *day,
                               int *changed, char *err, size_t errlen)
{
    struct params p = {0};
    text(&p, corrects);
    number(&p, at_us);
    text(&p, day);
    int64_t rows = 0;
    int rc = query_changes(ctx, ST_VISIT_CORRECT_START, &p, &rows, "visits", err, errlen);
    *changed = (int)rows;
    return rc;
}

static int visit_correct_end(void *ctx, const char *corrects, int64_t at_us, int *changed,
                             char *err, size_t errlen)
{
    struct params p = {0};
    text(&p, corrects);
    number(&p, at_us);
    int64_t rows = 0;
    int rc = query_changes(ctx, ST_VISIT_CORRECT_END, &p, &rows, "visits", err, errlen);
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
    if (!*change && (rc = next_change(s, change, err, errlen)))
        return rc;
    struct params p = {0};
    text(&p, ev->card_hash);
    optional(&p, ev->volunteer);
    number(&p, ev->kind == EVENT_CARD_REVOKED);
    number(&p, ev->at_us);
    number(&p, *change);
    return query(s, ST_CARD_SET, &p, NULL, "card", err, errlen);
}

/* 1 when a correction names an event of another site (see the SQLite
 * backend): stored, but it changes nothing. */
static int corrects_other_site(struct pg_store *s, const struct event *ev, char *err,
                               size_t errlen)
{
    struct params p = {0};
    text(&p, ev->corrects);
    PGresult *res = NULL;
    int rc = query(s, ST_EVENT_SITE, &p, &res, "correction", err, errlen);
    if (rc)
        return rc;
    int other = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), ev->site) != 0;
    PQclear(res);
    return other;
}

static void event_params(struct params *p, const struct event *ev)
{
    optional(p, ev->event_id);
    text(p, event_kind_name(ev->kind));
    text(p, ev->site);
    optional(p, ev->volunteer);
    number(p, ev->at_us);
    number(p, ev->recorded_us);
    number(p, ev->mono_us);
    text(p, ev->boot_id);
    number(p, ev->clock_synced ? 1 : 0);
    text(p, event_source_name(ev->source));
    optional(p, ev->activity);
    optional(p, ev->corrects);
    optional(p, ev->card_hash);
    number(p, ev->review ? 1 : 0);
}

static int pg_ingest(struct central_store *store, const struct central_device *device,
                     const struct event *events, size_t count, enum central_ingest_result *results,
                     char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    int64_t received = now_us(), change = 0;
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    struct params lock = {0};
    text(&lock, device->site);
    if ((rc = query(s, ST_SITE_LOCK, &lock, NULL, "site lock", err, errlen)))
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
        number(&p, device->id);
        number(&p, received);
        char what[80];
        snprintf(what, sizeof what, "storing event %s", ev->event_id);
        PGresult *res = NULL;
        if ((rc = query(s, ST_EVENT_INSERT, &p, &res, what, err, errlen)))
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
    number(&seen, device->id);
    number(&seen, received);
    if ((rc = query(s, ST_DEVICE_SEEN, &seen, NULL, "device last seen", err, errlen)))
        goto out;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

static int pg_status_put(struct central_store *store, int64_t device_id,
                         const struct central_status *status, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    int64_t now = now_us();
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    struct params p = {0};
    number(&p, device_id);
    number(&p, now);
    text(&p, status->software_version);
    number(&p, status->events_waiting);
    if (status->last_upload_us)
        number(&p, status->last_upload_us);
    else
        null(&p);
    optional(&p, status->last_error);
    text(&p, status->reader_state);
    number(&p, status->clock_synced ? 1 : 0);
    const struct central_recovery *r = &status->recovery;
    if (r->reported) {
        number(&p, r->at_us);
        number(&p, r->backup_us);
        number(&p, r->skipped_backups);
        text(&p, r->fetch);
        number(&p, r->fetched_events);
    } else {
        for (int i = 0; i < 5; i++)
            null(&p);
    }
    if ((rc = query(s, ST_STATUS_PUT, &p, NULL, "status", err, errlen)))
        goto out;
    struct params seen = {0};
    number(&seen, device_id);
    number(&seen, now);
    if ((rc = query(s, ST_DEVICE_SEEN, &seen, NULL, "device last seen", err, errlen)))
        goto out;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

/* ---- reading events back ---- */

static int read_event(const PGresult *res, int row, int col, const char *what, struct event *ev,
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
        {col, ev->event_id, sizeof ev->event_id},   {col + 2, ev->site, sizeof ev->site},
        {col + 3, ev->volunteer, sizeof ev->volunteer}, {col + 7, ev->boot_id, sizeof ev->boot_id},
        {col + 10, ev->activity, sizeof ev->activity},  {col + 11, ev->corrects, sizeof ev->corrects},
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
    ev->at_us = column_int(res, row, col + 4);
    ev->recorded_us = column_int(res, row, col + 5);
    ev->mono_us = column_int(res, row, col + 6);
    ev->clock_synced = (int)column_int(res, row, col + 8);
    ev->review = (int)column_int(res, row, col + 13);
    return 0;
}

static int pg_events_after(struct central_store *store, const char *site, int64_t after,
                           size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                           int *more, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    struct params p = {0};
    text(&p, site);
    number(&p, after);
    /* One more than asked for tells whether another page follows. */
    number(&p, (int64_t)limit + 1);
    *cursor = after;
    *more = 0;
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_EVENTS_AFTER, &p, &res, "events", err, errlen)))
        return rc;
    int rows = PQntuples(res);
    for (int row = 0; !rc && row < rows; row++) {
        if ((size_t)row == limit) {
            *more = 1;
            break;
        }
        struct event ev;
        if ((rc = read_event(res, row, 1, "events", &ev, err, errlen)))
            break;
        *cursor = column_int(res, row, 0);
        rc = cb(ctx, &ev);
    }
    PQclear(res);
    return rc;
}

/* ---- roster ---- */

static void read_volunteer(const PGresult *res, int row, struct central_volunteer *v)
{
    copy_column(res, row, 0, v->external_id, sizeof v->external_id);
    copy_column(res, row, 1, v->given_name, sizeof v->given_name);
    copy_column(res, row, 2, v->family_name, sizeof v->family_name);
    v->active = (int)column_int(res, row, 3);
    copy_column(res, row, 4, v->confidentiality_signed, sizeof v->confidentiality_signed);
    copy_column(res, row, 5, v->police_valid_until, sizeof v->police_valid_until);
    v->confidentiality_undated = (int)column_int(res, row, 6);
    v->police_undated = (int)column_int(res, row, 7);
}

static void read_card(const PGresult *res, int row, struct central_card *c)
{
    copy_column(res, row, 0, c->card_hash, sizeof c->card_hash);
    copy_column(res, row, 1, c->volunteer, sizeof c->volunteer);
    c->revoked = (int)column_int(res, row, 2);
}

static int roster_rows(struct pg_store *s, int64_t since, const char *site,
                       const struct central_roster_sink *sink, char *err, size_t errlen)
{
    struct params p = {0};
    number(&p, since);
    PGresult *res = NULL;
    int rc = query(s, ST_VOLUNTEERS_SINCE, &p, &res, "roster volunteers", err, errlen);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_volunteer v;
        read_volunteer(res, row, &v);
        rc = sink->volunteer(sink->ctx, &v);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = query(s, ST_CARDS_SINCE, &p, &res, "roster cards", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_card c;
        read_card(res, row, &c);
        rc = sink->card(sink->ctx, &c);
    }
    PQclear(res);
    res = NULL;
    text(&p, site);
    if (rc || (rc = query(s, ST_ACTIVITIES_SINCE, &p, &res, "roster activities", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_activity a;
        copy_column(res, row, 0, a.id, sizeof a.id);
        copy_column(res, row, 1, a.site, sizeof a.site);
        copy_column(res, row, 2, a.date, sizeof a.date);
        copy_column(res, row, 3, a.start, sizeof a.start);
        copy_column(res, row, 4, a.end, sizeof a.end);
        copy_column(res, row, 5, a.title, sizeof a.title);
        copy_column(res, row, 6, a.place, sizeof a.place);
        rc = sink->activity(sink->ctx, &a);
    }
    PQclear(res);
    return rc;
}

static int pg_roster_since(struct central_store *store, const char *site, int64_t since,
                           const struct central_roster_sink *sink, int64_t *cursor, int *full,
                           char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    /* One snapshot: the cursor and the rows together. A writer holds the
     * counter's row until it commits, so no change with a smaller value
     * can commit after this snapshot. */
    int rc = begin_read(s, err, errlen);
    if (rc)
        return rc;
    PGresult *res = NULL;
    if ((rc = query(s, ST_CHANGE_NOW, NULL, &res, "roster cursor", err, errlen)))
        goto out;
    *cursor = column_int(res, 0, 0);
    PQclear(res);
    /* A cursor from the future comes from another database: start over. */
    if (since < 0 || since > *cursor)
        since = 0;
    *full = since == 0;
    rc = roster_rows(s, since, site, sink, err, errlen);
out:
    if (rc)
        rollback(s);
    else
        rc = commit(s, err, errlen);
    return rc;
}

static int pg_roster_replace(struct central_store *store,
                             const struct central_volunteer *volunteers, size_t count,
                             size_t *changed, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    int64_t change = 0;
    *changed = 0;
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = next_change(s, &change, err, errlen)))
        goto out;
    for (size_t i = 0; i < count; i++) {
        const struct central_volunteer *v = &volunteers[i];
        struct params p = {0};
        text(&p, v->external_id);
        text(&p, v->given_name);
        text(&p, v->family_name);
        number(&p, v->active ? 1 : 0);
        optional(&p, v->confidentiality_signed);
        optional(&p, v->police_valid_until);
        number(&p, change);
        number(&p, v->confidentiality_undated ? 1 : 0);
        number(&p, v->police_undated ? 1 : 0);
        char what[100];
        snprintf(what, sizeof what, "roster import, volunteer \"%s\"", v->external_id);
        int64_t rows = 0;
        if ((rc = query_changes(s, ST_ROSTER_UPSERT, &p, &rows, what, err, errlen)))
            goto out;
        *changed += (size_t)rows;
        struct params id = {0};
        text(&id, v->external_id);
        if ((rc = query(s, ST_ROSTER_SEEN, &id, NULL, what, err, errlen)))
            goto out;
    }
    struct params retire = {0};
    number(&retire, change);
    int64_t retired = 0;
    if ((rc = query_changes(s, ST_ROSTER_RETIRE, &retire, &retired,
                            "roster import, retiring volunteers", err, errlen)))
        goto out;
    *changed += (size_t)retired;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

/* ---- reports ---- */

static int pg_totals(struct central_store *store, const char *from, const char *to,
                     enum central_group group, central_total_cb cb, void *ctx, char *err,
                     size_t errlen)
{
    struct pg_store *s = cast(store);
    static const int which[] = {
        [CENTRAL_GROUP_SITE] = ST_TOTAL_SITE,
        [CENTRAL_GROUP_ACTIVITY] = ST_TOTAL_ACTIVITY,
        [CENTRAL_GROUP_MONTH] = ST_TOTAL_MONTH,
        [CENTRAL_GROUP_VOLUNTEER] = ST_TOTAL_VOLUNTEER,
    };
    if ((unsigned)group >= sizeof which / sizeof which[0]) {
        snprintf(err, errlen, "report: unknown grouping %d", (int)group);
        return -EINVAL;
    }
    struct params p = {0};
    text(&p, from);
    text(&p, to);
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, which[group], &p, &res, "report", err, errlen)))
        return rc;
    int n = PQnfields(res);
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_total t;
        memset(&t, 0, sizeof t);
        copy_column(res, row, 0, t.key, sizeof t.key);
        t.seconds = column_int(res, row, n - 2);
        t.visits = column_int(res, row, n - 1);
        switch (group) {
        case CENTRAL_GROUP_SITE:
            copy_column(res, row, 1, t.label, sizeof t.label);
            copy_column(res, row, 2, t.site_kind, sizeof t.site_kind);
            break;
        case CENTRAL_GROUP_ACTIVITY: {
            copy_column(res, row, 1, t.label, sizeof t.label);
            char date[16], site[CENTRAL_NAME_MAX];
            copy_column(res, row, 2, date, sizeof date);
            copy_column(res, row, 3, site, sizeof site);
            if (date[0])
                snprintf(t.detail, sizeof t.detail, "%s, %.100s", date, site);
            break;
        }
        case CENTRAL_GROUP_VOLUNTEER:
            copy_column(res, row, 1, t.label, sizeof t.label);
            break;
        case CENTRAL_GROUP_MONTH:
            break;
        }
        rc = cb(ctx, &t);
    }
    PQclear(res);
    return rc;
}

static int pg_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                      char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    struct params p = {0};
    number(&p, limit);
    PGresult *res = NULL;
    int rc = ready(s, err, errlen);
    if (rc || (rc = query(s, ST_REVIEWS, &p, &res, "reviews", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_review r;
        copy_column(res, row, 0, r.site, sizeof r.site);
        copy_column(res, row, 1, r.site_name, sizeof r.site_name);
        copy_column(res, row, 2, r.volunteer, sizeof r.volunteer);
        copy_column(res, row, 3, r.volunteer_name, sizeof r.volunteer_name);
        r.start_us = column_int(res, row, 4);
        r.end_us = column_int(res, row, 5);
        rc = cb(ctx, &r);
    }
    PQclear(res);
    return rc;
}

/* ---- a volunteer's data, on request ---- */

static int volunteer_known(struct pg_store *s, const char *external_id, char *err, size_t errlen)
{
    struct params p = {0};
    text(&p, external_id);
    PGresult *res = NULL;
    int rc = query(s, ST_VOLUNTEER_KNOWN, &p, &res, "looking up a volunteer", err, errlen);
    if (rc)
        return rc;
    rc = column_int(res, 0, 0) ? 0 : -ENOENT;
    PQclear(res);
    if (rc == -ENOENT)
        snprintf(err, errlen,
                 "volunteer \"%s\": the central has no roster row, card or event of them",
                 external_id);
    return rc;
}

static int export_rows(struct pg_store *s, const char *external_id,
                       const struct central_volunteer_sink *sink, int64_t *seconds,
                       int64_t *visits, char *err, size_t errlen)
{
    struct params p = {0};
    text(&p, external_id);
    PGresult *res = NULL;
    int rc = query(s, ST_VOLUNTEER_GET, &p, &res, "export, roster row", err, errlen);
    if (!rc && PQntuples(res) == 1) {
        struct central_volunteer v;
        read_volunteer(res, 0, &v);
        rc = sink->volunteer(sink->ctx, &v);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = query(s, ST_VOLUNTEER_CARDS, &p, &res, "export, cards", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_card c;
        read_card(res, row, &c);
        rc = sink->card(sink->ctx, &c);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = query(s, ST_VOLUNTEER_EVENTS, &p, &res, "export, events", err, errlen)))
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct event ev;
        if (!(rc = read_event(res, row, 0, "export", &ev, err, errlen)))
            rc = sink->event(sink->ctx, &ev);
    }
    PQclear(res);
    res = NULL;
    if (rc || (rc = query(s, ST_VOLUNTEER_HOURS, &p, &res, "export, hours", err, errlen)))
        return rc;
    *seconds = column_int(res, 0, 0);
    *visits = column_int(res, 0, 1);
    PQclear(res);
    return 0;
}

static int pg_volunteer_export(struct central_store *store, const char *external_id,
                               const struct central_volunteer_sink *sink, int64_t *seconds,
                               int64_t *visits, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    *seconds = *visits = 0;
    /* One snapshot: an upload meanwhile cannot make events and hours
     * disagree. */
    int rc = begin_read(s, err, errlen);
    if (rc)
        return rc;
    rc = volunteer_known(s, external_id, err, errlen);
    if (!rc)
        rc = export_rows(s, external_id, sink, seconds, visits, err, errlen);
    if (rc)
        rollback(s);
    else
        rc = commit(s, err, errlen);
    return rc;
}

static int pg_volunteer_forget(struct central_store *store, const char *external_id,
                               struct central_erasure *erased, char *err, size_t errlen)
{
    struct pg_store *s = cast(store);
    /* The totals first: they are computed from the visits still there. */
    static const struct {
        int which;
        const char *what;
    } steps[] = {
        {ST_FORGET_TOTALS, "erasing a volunteer, daily totals"},
        {ST_FORGET_VISITS, "erasing a volunteer, visits"},
        {ST_FORGET_EVENTS, "erasing a volunteer, events"},
        {ST_FORGET_CARDS, "erasing a volunteer, cards"},
        {ST_FORGET_VOLUNTEER, "erasing a volunteer, roster row"},
    };
    memset(erased, 0, sizeof *erased);
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = volunteer_known(s, external_id, err, errlen)))
        goto out;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct params p = {0};
        text(&p, external_id);
        int64_t changes = 0;
        if ((rc = query_changes(s, steps[i].which, &p, &changes, steps[i].what, err, errlen)))
            goto out;
        switch (steps[i].which) {
        case ST_FORGET_VISITS:
            erased->visits = changes;
            break;
        case ST_FORGET_EVENTS:
            erased->events = changes;
            break;
        case ST_FORGET_CARDS:
            erased->cards = changes;
            break;
        case ST_FORGET_VOLUNTEER:
            erased->roster = changes > 0;
            break;
        }
    }
    rc = commit(s, err, errlen);
out:
    if (rc) {
        rollback(s);
        memset(erased, 0, sizeof *erased);
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
    .volunteer_export = pg_volunteer_export,
    .volunteer_forget = pg_volunteer_forget,
};
