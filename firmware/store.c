/* The local SQLite store (see store.h). Statements are prepared once, on
 * first use, and kept for the life of the connection. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "visits.h"

#define BUSY_TIMEOUT_MS 5000

extern const char embed_v001_init[];
extern const char embed_v002_visits[];
extern const char embed_v003_sync[];
extern const char embed_v004_report_indexes[];
extern const char embed_v005_roster_version[];
extern const char embed_v006_recovery[];
extern const char embed_v007_refused[];
extern const char embed_v008_roster_source[];
extern const char embed_v009_corrections[];
extern const char embed_v010_milestones[];

/* Migration N takes a database from version N-1 to N. */
static const char *const migrations[] = {NULL,
                                         embed_v001_init,
                                         embed_v002_visits,
                                         embed_v003_sync,
                                         embed_v004_report_indexes,
                                         embed_v005_roster_version,
                                         embed_v006_recovery,
                                         embed_v007_refused,
                                         embed_v008_roster_source,
                                         embed_v009_corrections,
                                         embed_v010_milestones};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]) - 1)
_Static_assert(MIGRATION_COUNT == STORE_VERSION, "a migration for every schema version");

#define EVENTS_IN_ORDER "SELECT " EVENT_COLUMNS " FROM event ORDER BY seq"

enum {
    Q_APPEND,
    Q_APPEND_UPLOADED,
    Q_VOLUNTEER,
    Q_VOLUNTEER_EXT,
    Q_VOLUNTEER_INSERT,
    Q_VOLUNTEER_UPDATE,
    Q_VOLUNTEERS_ALL,
    Q_VOLUNTEERS_ACTIVE,
    Q_VOLUNTEER_COUNT,
    Q_ROSTER_VERSION,
    Q_CARD_FIND,
    Q_CARD_INSERT,
    Q_CARD_REVOKE,
    Q_UNKNOWN_INSERT,
    Q_UNKNOWN_FORGET,
    Q_UNKNOWN_LATEST,
    Q_OPEN_VISIT,
    Q_LAST_CLOSED,
    Q_OPEN_VISITS,
    Q_LAST_TOGGLE,
    Q_EVENT_BY_ID,
    Q_VOLUNTEER_SECONDS,
    Q_VISIT_COUNT,
    Q_MILESTONE_SEEN,
    Q_MILESTONE_SET,
    Q_PRESENT,
    Q_REVIEW,
    Q_VISITORS_ON_DAY,
    Q_ACTIVITIES_DAY,
    Q_ACTIVITY_UUID,
    Q_ACTIVITY_INSERT,
    Q_ACTIVITY_UPDATE,
    Q_ACTIVITY_REMOVE,
    Q_REPORT_TOTAL,
    Q_REPORT_VOLUNTEER,
    Q_REPORT_ACTIVITY,
    Q_REPORT_MONTH,
    Q_PENDING,
    Q_EVENTS_OF,
    Q_RECOVERY_INSERT,
    Q_RECOVERY_LATEST,
    Q_RECOVERY_ACKNOWLEDGE,
    Q_RECOVERY_PROGRESS,
    Q_COUNT
};

#define VOLUNTEER_COLUMNS                                                                   \
    "id, external_id, given_name, family_name, active, ifnull(confidentiality_signed, ''), " \
    "ifnull(police_valid_until, ''), notes"
#define VISIT_COLUMNS                                                                     \
    "start_event, ifnull(end_event, ''), volunteer, ifnull(activity, ''), start_us, "     \
    "ifnull(end_us, 0), ifnull(end_kind, 0), review"
/* A visit's counted seconds: ?1 half a rounding step, ?2 the step (1 when
 * reports do not round); see visits_rounded_seconds. */
#define ROUNDED_SECONDS "((max(v.end_us - v.start_us, 0) / 1000000 + ?1) / ?2 * ?2)"
#define REPORT_WHERE "v.end_us IS NOT NULL AND v.start_day BETWEEN ?3 AND ?4"
/* Group first, then join the labels: a join per visit costs more than the
 * whole scan. */

static const char *const query_sql[Q_COUNT] = {
    [Q_APPEND] = "INSERT INTO event (" EVENT_COLUMNS ") VALUES "
                 "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [Q_APPEND_UPLOADED] = "INSERT INTO event (" EVENT_COLUMNS ", uploaded) VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1) "
                          "ON CONFLICT (event_id) DO NOTHING",
    [Q_VOLUNTEER] = "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE id = ?1",
    [Q_VOLUNTEER_EXT] = "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE external_id = ?1",
    [Q_VOLUNTEER_INSERT] = "INSERT INTO volunteer (external_id, given_name, family_name, active, "
                           "confidentiality_signed, police_valid_until, notes, updated_us) "
                           "VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), nullif(?6, ''), ?7, ?8)",
    [Q_VOLUNTEER_UPDATE] =
        "UPDATE volunteer SET given_name = ?2, family_name = ?3, active = ?4, "
        "confidentiality_signed = nullif(?5, ''), police_valid_until = nullif(?6, ''), "
        "notes = ?7, updated_us = ?8 WHERE external_id = ?1",
    [Q_VOLUNTEERS_ALL] = "SELECT " VOLUNTEER_COLUMNS " FROM volunteer ORDER BY id",
    [Q_VOLUNTEERS_ACTIVE] =
        "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE active = 1 ORDER BY id",
    [Q_VOLUNTEER_COUNT] = "SELECT count(*) FROM volunteer",
    [Q_ROSTER_VERSION] = "SELECT version FROM roster_version",
    [Q_CARD_FIND] = "SELECT volunteer_id, revoked_us IS NOT NULL FROM card WHERE uid_hash = ?1",
    /* A revoked card may be given out again: the old row is replaced. */
    [Q_CARD_INSERT] = "INSERT INTO card (uid_hash, volunteer_id, enrolled_us) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (uid_hash) DO UPDATE SET volunteer_id = ?2, enrolled_us = ?3, "
                      "revoked_us = NULL WHERE revoked_us IS NOT NULL",
    [Q_CARD_REVOKE] = "UPDATE card SET revoked_us = ?2 WHERE uid_hash = ?1 AND revoked_us IS NULL",
    [Q_UNKNOWN_INSERT] = "INSERT INTO unknown_tap (uid_hash, tapped_us) VALUES (?1, ?2)",
    [Q_UNKNOWN_FORGET] = "DELETE FROM unknown_tap WHERE tapped_us < ?1",
    /* A card enrolled since it was tapped is not unknown any more. */
    [Q_UNKNOWN_LATEST] = "SELECT uid_hash, tapped_us FROM unknown_tap WHERE tapped_us >= ?1 "
                         "AND uid_hash NOT IN (SELECT uid_hash FROM card) "
                         "ORDER BY tapped_us DESC, id DESC LIMIT 1",
    [Q_OPEN_VISIT] = "SELECT " VISIT_COLUMNS " FROM visit WHERE site = ?1 AND volunteer = ?2 "
                     "AND end_us IS NULL ORDER BY start_us DESC LIMIT 1",
    [Q_LAST_CLOSED] = "SELECT " VISIT_COLUMNS " FROM visit WHERE site = ?1 AND volunteer = ?2 "
                      "AND end_us IS NOT NULL ORDER BY start_us DESC, id DESC LIMIT 1",
    [Q_OPEN_VISITS] = "SELECT " VISIT_COLUMNS " FROM visit WHERE site = ?1 AND end_us IS NULL",
    [Q_EVENT_BY_ID] = "SELECT " EVENT_COLUMNS " FROM event WHERE event_id = ?1",
    [Q_LAST_TOGGLE] = "SELECT " EVENT_COLUMNS " FROM event WHERE volunteer = ?2 AND site = ?1 "
                      "AND kind IN ('checkin', 'checkout') ORDER BY seq DESC LIMIT 1",
    [Q_VOLUNTEER_SECONDS] = "SELECT ifnull(sum(" ROUNDED_SECONDS "), 0), count(*) FROM visit v "
                            "WHERE v.volunteer = ?5 AND " REPORT_WHERE,
    [Q_VISIT_COUNT] = "SELECT count(*) FROM visit WHERE volunteer = ?1",
    [Q_MILESTONE_SEEN] = "SELECT mark FROM milestone_seen WHERE volunteer = ?1 AND year = ?2",
    /* Never lowered within a year: a correction that takes hours away must
     * not make the same milestone due a second time. */
    [Q_MILESTONE_SET] = "INSERT INTO milestone_seen (volunteer, year, mark) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (volunteer, year) DO UPDATE SET mark = max(mark, ?3)",
    [Q_PRESENT] =
        "SELECT p.id, p.given_name, p.family_name, v.start_us, ifnull(a.id, 0), "
        "ifnull(a.title, '') FROM visit v JOIN volunteer p ON p.external_id = v.volunteer "
        "LEFT JOIN activity a ON a.uuid = v.activity "
        "WHERE v.site = ?1 AND v.end_us IS NULL "
        "ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE",
    [Q_REVIEW] = "SELECT v.end_event, p.id, p.given_name, p.family_name, v.start_us, v.end_us, "
                 "ifnull(a.title, '') FROM visit v JOIN volunteer p ON p.external_id = v.volunteer "
                 "LEFT JOIN activity a ON a.uuid = v.activity "
                 "WHERE v.site = ?1 AND v.review = 1 AND v.end_kind = 3 ORDER BY v.start_us",
    [Q_VISITORS_ON_DAY] = "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE external_id IN "
                          "(SELECT volunteer FROM visit WHERE site = ?1 AND start_day = ?2) "
                          "ORDER BY family_name, given_name",
    [Q_ACTIVITIES_DAY] = "SELECT id, uuid, day, start_min, end_min, title, place FROM activity "
                         "WHERE day = ?1 AND removed = 0 ORDER BY start_min, title",
    [Q_ACTIVITY_UUID] = "SELECT id, uuid, day, start_min, end_min, title, place FROM activity "
                        "WHERE uuid = ?1",
    [Q_ACTIVITY_INSERT] = "INSERT INTO activity (uuid, day, start_min, end_min, title, place) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* Saved is there again: an occurrence cancelled or left out of a full
     * roster answer that the central sends again is back on the screen. */
    [Q_ACTIVITY_UPDATE] = "UPDATE activity SET day = ?2, start_min = ?3, end_min = ?4, "
                          "title = ?5, place = ?6, removed = 0 WHERE id = ?1",
    [Q_ACTIVITY_REMOVE] = "UPDATE activity SET removed = 1 WHERE id = ?1",
    [Q_REPORT_TOTAL] = "SELECT '', '', ifnull(sum(" ROUNDED_SECONDS "), 0), count(*) "
                       "FROM visit v INDEXED BY visit_by_month WHERE " REPORT_WHERE,
    [Q_REPORT_VOLUNTEER] =
        "SELECT g.volunteer, ifnull(p.given_name || ' ' || p.family_name, g.volunteer), g.s, g.n "
        "FROM (SELECT v.volunteer, sum(" ROUNDED_SECONDS ") AS s, count(*) AS n "
        "FROM visit v INDEXED BY visit_by_volunteer WHERE " REPORT_WHERE " GROUP BY v.volunteer) g "
        "LEFT JOIN volunteer p ON p.external_id = g.volunteer ORDER BY 2",
    [Q_REPORT_ACTIVITY] =
        "SELECT ifnull(g.activity, ''), ifnull(a.title, ''), g.s, g.n "
        "FROM (SELECT v.activity, sum(" ROUNDED_SECONDS ") AS s, count(*) AS n "
        "FROM visit v INDEXED BY visit_by_activity WHERE " REPORT_WHERE " GROUP BY v.activity) g "
        "LEFT JOIN activity a ON a.uuid = g.activity ORDER BY 2",
    [Q_REPORT_MONTH] = "SELECT substr(v.start_day, 1, 7), substr(v.start_day, 1, 7), "
                       "sum(" ROUNDED_SECONDS "), count(*) FROM visit v INDEXED BY visit_by_month "
                       "WHERE " REPORT_WHERE " GROUP BY substr(v.start_day, 1, 7) ORDER BY 1",
    [Q_PENDING] = "SELECT count(*) FROM event WHERE uploaded = 0",
    [Q_EVENTS_OF] = "SELECT " EVENT_COLUMNS " FROM event WHERE volunteer = ?1 ORDER BY seq",
    [Q_RECOVERY_INSERT] = "INSERT INTO recovery (at_us, backup_us, skipped_backups, fetch_state) "
                          "VALUES (?1, ?2, ?3, ?4)",
    [Q_RECOVERY_LATEST] = "SELECT at_us, backup_us, skipped_backups, fetch_state, fetched_events, "
                          "acknowledged, fetch_cursor FROM recovery ORDER BY id DESC LIMIT 1",
    [Q_RECOVERY_ACKNOWLEDGE] =
        "UPDATE recovery SET acknowledged = 1 WHERE id = (SELECT max(id) FROM recovery)",
    [Q_RECOVERY_PROGRESS] = "UPDATE recovery SET fetch_cursor = ?1, "
                            "fetched_events = fetched_events + ?2, "
                            "fetch_state = coalesce(?3, fetch_state) "
                            "WHERE id = (SELECT max(id) FROM recovery)",
};

struct store {
    sqlite3 *db;
    struct visits *visits;
    sqlite3_stmt *q[Q_COUNT];
    char path[512];
    char message[512];
    int64_t statements; /* counted while store_count_statements is on */
};

static int fail(struct store *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct store *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->message, sizeof s->message, fmt, ap);
    va_end(ap);
    return rc;
}

/* A database error as a negative errno: disk full and damage are told
 * apart, because the kiosk says different things for them. */
static int db_fail(struct store *s, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    int rc = -EIO;
    if ((code & 0xff) == SQLITE_FULL)
        rc = -ENOSPC;
    else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        rc = -EBUSY;
    else if ((code & 0xff) == SQLITE_CONSTRAINT)
        rc = -EINVAL;
    else if ((code & 0xff) == SQLITE_READONLY)
        rc = -EROFS;
    fail(s, rc, "%s: %s", what, sqlite3_errmsg(s->db));
    return rc;
}

const char *store_errmsg(const struct store *store) { return store->message; }
struct sqlite3 *store_db(struct store *store) { return store->db; }

static sqlite3_stmt *q(struct store *s, int which)
{
    if (!s->q[which] && sqlite3_prepare_v3(s->db, query_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                           &s->q[which], NULL) != SQLITE_OK) {
        db_fail(s, "preparing a query");
        return NULL;
    }
    return s->q[which];
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows. */
static int run(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, what);
}

/* Runs a statement that must change a row; one that changes none fails
 * with `none` and the message. */
static int run_changing(struct store *s, sqlite3_stmt *st, const char *what, int none,
                        const char *message)
{
    int rc = run(s, st, what);
    return !rc && sqlite3_changes(s->db) == 0 ? fail(s, none, "%s", message) : rc;
}

static int exec(struct store *s, const char *sql, const char *what)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(s, what);
}

static int user_version(struct store *s, int *version)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, "reading the schema version");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_fail(s, "reading the schema version");
}

int store_version(struct store *store)
{
    int version = -1;
    return user_version(store, &version) ? -1 : version;
}

/* Reads the first page and the schema before anything writes: a file that
 * is not a database, or whose schema is damaged, must be left exactly as it
 * was so it can still be rescued. */
static int verify_readable(struct store *s)
{
    int rc = sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    int code = sqlite3_errcode(s->db);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
        return fail(s, -EILSEQ,
                    "%s is damaged or not a Tilstede database (%s). It has not been changed. "
                    "Restore the newest backup or move the file aside to start empty; "
                    "'tilstedectl check' tells more.",
                    s->path, sqlite3_errmsg(s->db));
    return db_fail(s, "opening the database");
}

static int migrate(struct store *s, int target)
{
    int version;
    int rc = user_version(s, &version);
    if (rc)
        return rc;
    if (version > STORE_VERSION)
        return fail(s, -EPROTO,
                    "%s has schema version %d, made by a newer Tilstede than this one "
                    "(which knows %d). It has not been changed; update the software.",
                    s->path, version, STORE_VERSION);
    while (version < target) {
        int next = version + 1;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", next);
        if ((rc = exec(s, "BEGIN IMMEDIATE", "starting a migration")))
            return rc;
        rc = exec(s, migrations[next], "migrating the schema");
        /* Versions 2 and 4 change the shared visit schema (IF NOT EXISTS,
         * so running it again is safe); 2 also derives the first visits. */
        if (!rc && (next == 2 || next == 4))
            rc = exec(s, visits_schema(), "creating the visit table");
        if (!rc && next == 2 &&
            visits_rebuild(s->db, EVENTS_IN_ORDER, s->message, sizeof s->message))
            rc = -EIO;
        if (!rc)
            rc = exec(s, pragma, "setting the schema version");
        if (!rc)
            rc = exec(s, "COMMIT", "committing a migration");
        if (rc) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        version = next;
    }
    return 0;
}

int store_open_version(const char *path, int version, struct store **out, char *err,
                       size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    int rc = -ENOMEM;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return rc;
    }
    snprintf(s->path, sizeof s->path, "%s", path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = fail(s, -EIO, "%s: cannot open the database: %s", path,
                  s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if ((rc = verify_readable(s)))
        goto out;
    if ((rc = exec(s, "PRAGMA journal_mode = WAL", "switching to WAL")) ||
        (rc = exec(s, "PRAGMA synchronous = FULL", "setting synchronous")) ||
        (rc = exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys")))
        goto out;
    if ((rc = migrate(s, version)))
        goto out;
    if (version >= 2 && visits_open(s->db, &s->visits, s->message, sizeof s->message)) {
        rc = -EIO;
        goto out;
    }
    *out = s;
    return 0;
out:
    snprintf(err, errlen, "%s", s->message);
    store_close(s);
    return rc;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    return store_open_version(path, STORE_VERSION, out, err, errlen);
}

void store_close(struct store *store)
{
    if (!store)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(store->q[i]);
    visits_close(store->visits);
    sqlite3_close(store->db);
    free(store);
}

static int count_statement(unsigned type, void *user, void *p, void *x)
{
    (void)type;
    (void)p;
    (void)x;
    ((struct store *)user)->statements++;
    return 0;
}

int64_t store_count_statements(struct store *store, int on)
{
    int64_t counted = store->statements;
    store->statements = 0;
    sqlite3_trace_v2(store->db, on ? SQLITE_TRACE_STMT : 0, on ? count_statement : NULL, store);
    return counted;
}

int store_begin(struct store *store) { return exec(store, "BEGIN IMMEDIATE", "starting a transaction"); }

int store_commit(struct store *store)
{
    int rc = exec(store, "COMMIT", "committing");
    if (rc)
        store_rollback(store);
    return rc;
}

void store_rollback(struct store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_append(struct store *store, const struct event *ev)
{
    sqlite3_stmt *st = q(store, Q_APPEND);
    if (!st)
        return -EIO;
    if (event_bind(st, 1, ev)) {
        done(st);
        return db_fail(store, "recording an event");
    }
    int rc = run(store, st, "recording an event");
    if (rc)
        return rc;
    if (visits_apply(store->visits, ev, store->message, sizeof store->message) < 0)
        return db_fail(store, "updating visits");
    return 0;
}

int store_append_uploaded(struct store *store, const struct event *ev)
{
    sqlite3_stmt *st = q(store, Q_APPEND_UPLOADED);
    if (!st)
        return -EIO;
    if (event_bind(st, 1, ev)) {
        done(st);
        return db_fail(store, "recording an event from the central");
    }
    int rc = run(store, st, "recording an event from the central");
    if (rc)
        return rc;
    if (sqlite3_changes(store->db) == 0)
        return 1; /* held already: applied when it was first stored */
    if (visits_apply(store->visits, ev, store->message, sizeof store->message) < 0)
        return db_fail(store, "updating visits");
    return 0;
}

/* A column into a buffer sized by its field's limit (fieldlimits.h), which
 * every writer keeps; text stored longer (by an older version) is cut
 * between characters, never inside one. */
static void text_copy(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    size_t len = text ? utf8_cut(text, (size_t)sqlite3_column_bytes(st, col), cap - 1) : 0;
    if (len)
        memcpy(out, text, len);
    out[len] = '\0';
}

static void read_volunteer(sqlite3_stmt *st, struct volunteer *v)
{
    memset(v, 0, sizeof *v);
    v->id = sqlite3_column_int64(st, 0);
    text_copy(st, 1, v->external_id, sizeof v->external_id);
    text_copy(st, 2, v->given_name, sizeof v->given_name);
    text_copy(st, 3, v->family_name, sizeof v->family_name);
    v->active = sqlite3_column_int(st, 4);
    text_copy(st, 5, v->confidentiality_signed, sizeof v->confidentiality_signed);
    text_copy(st, 6, v->police_valid_until, sizeof v->police_valid_until);
    text_copy(st, 7, v->notes, sizeof v->notes);
}

/* Steps a one-row query: 0 with the row read by `read`, 1 none, < 0 error. */
static int one_row(struct store *s, sqlite3_stmt *st, const char *what,
                   void (*read)(sqlite3_stmt *st, void *out), void *out)
{
    int rc = sqlite3_step(st);
    int result = 1;
    if (rc == SQLITE_ROW) {
        read(st, out);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = db_fail(s, what);
    }
    done(st);
    return result;
}

static void read_volunteer_row(sqlite3_stmt *st, void *out) { read_volunteer(st, out); }

int store_volunteer(struct store *store, int64_t id, struct volunteer *out)
{
    sqlite3_stmt *st = q(store, Q_VOLUNTEER);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, id);
    return one_row(store, st, "reading a volunteer", read_volunteer_row, out);
}

int store_volunteer_by_external_id(struct store *store, const char *external_id,
                                   struct volunteer *out)
{
    sqlite3_stmt *st = q(store, Q_VOLUNTEER_EXT);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    return one_row(store, st, "reading a volunteer", read_volunteer_row, out);
}

static int same_volunteer(const struct volunteer *a, const struct volunteer *b)
{
    return !strcmp(a->given_name, b->given_name) && !strcmp(a->family_name, b->family_name) &&
           a->active == b->active &&
           !strcmp(a->confidentiality_signed, b->confidentiality_signed) &&
           !strcmp(a->police_valid_until, b->police_valid_until) && !strcmp(a->notes, b->notes);
}

int store_volunteer_upsert(struct store *store, const struct volunteer *v, int64_t now_us,
                           int *change)
{
    struct volunteer old;
    int found = store_volunteer_by_external_id(store, v->external_id, &old);
    if (found < 0)
        return found;
    if (found == 0 && same_volunteer(&old, v)) {
        *change = 0;
        return 0;
    }
    sqlite3_stmt *st = q(store, found == 0 ? Q_VOLUNTEER_UPDATE : Q_VOLUNTEER_INSERT);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, v->external_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v->given_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v->family_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, v->active ? 1 : 0);
    sqlite3_bind_text(st, 5, v->confidentiality_signed, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, v->police_valid_until, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, v->notes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, now_us);
    int rc = run(store, st, "saving a volunteer");
    if (!rc)
        *change = found == 0 ? 2 : 1;
    return rc;
}

int store_volunteers_each(struct store *store, int active_only,
                          int (*fn)(void *user, const struct volunteer *v), void *user)
{
    sqlite3_stmt *st = q(store, active_only ? Q_VOLUNTEERS_ACTIVE : Q_VOLUNTEERS_ALL);
    if (!st)
        return -EIO;
    int rc, result = 0;
    struct volunteer v;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_volunteer(st, &v);
        if ((result = fn(user, &v)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = db_fail(store, "reading the roster");
    done(st);
    return result;
}

static int count_query(struct store *s, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return -EIO;
    int rc = sqlite3_step(st);
    int count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : db_fail(s, what);
    done(st);
    return count;
}

int store_volunteer_count(struct store *store)
{
    return count_query(store, q(store, Q_VOLUNTEER_COUNT), "counting volunteers");
}

int64_t store_roster_version(struct store *store)
{
    sqlite3_stmt *st = q(store, Q_ROSTER_VERSION);
    if (!st)
        return -EIO;
    int64_t version =
        sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : db_fail(store, "reading the roster's version");
    done(st);
    return version;
}

int store_card_find(struct store *store, const char *hash, int64_t *volunteer_id, int *revoked)
{
    sqlite3_stmt *st = q(store, Q_CARD_FIND);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 1;
    if (rc == SQLITE_ROW) {
        *volunteer_id = sqlite3_column_int64(st, 0);
        *revoked = sqlite3_column_int(st, 1);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = db_fail(store, "looking up a card");
    }
    done(st);
    return result;
}

int store_card_add(struct store *store, const char *hash, int64_t volunteer_id, int64_t now_us)
{
    sqlite3_stmt *st = q(store, Q_CARD_INSERT);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, volunteer_id);
    sqlite3_bind_int64(st, 3, now_us);
    return run_changing(store, st, "enrolling a card", -EEXIST,
                        "the card already belongs to a volunteer; revoke it first");
}

int store_card_revoke(struct store *store, const char *hash, int64_t now_us)
{
    sqlite3_stmt *st = q(store, Q_CARD_REVOKE);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us);
    int rc = run(store, st, "revoking a card");
    return rc ? rc : sqlite3_changes(store->db) ? 0 : 1;
}

int store_unknown_remember(struct store *store, const char *hash, int64_t now_us,
                           int64_t forget_before_us)
{
    sqlite3_stmt *st = q(store, Q_UNKNOWN_FORGET);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, forget_before_us);
    int rc = run(store, st, "forgetting old unknown cards");
    if (rc || !(st = q(store, Q_UNKNOWN_INSERT)))
        return rc ? rc : -EIO;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us);
    return run(store, st, "remembering an unknown card");
}

int store_unknown_latest(struct store *store, int64_t since_us, char hash[CARD_HASH_HEX + 1],
                         int64_t *tapped_us)
{
    sqlite3_stmt *st = q(store, Q_UNKNOWN_LATEST);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, since_us);
    int rc = sqlite3_step(st), result = 1;
    if (rc == SQLITE_ROW) {
        text_copy(st, 0, hash, CARD_HASH_HEX + 1);
        *tapped_us = sqlite3_column_int64(st, 1);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = db_fail(store, "reading unknown cards");
    }
    done(st);
    return result;
}

static void read_visit(sqlite3_stmt *st, void *out)
{
    struct store_visit *v = out;
    memset(v, 0, sizeof *v);
    text_copy(st, 0, v->start_event, sizeof v->start_event);
    text_copy(st, 1, v->end_event, sizeof v->end_event);
    text_copy(st, 2, v->volunteer, sizeof v->volunteer);
    text_copy(st, 3, v->activity, sizeof v->activity);
    v->start_us = sqlite3_column_int64(st, 4);
    v->end_us = sqlite3_column_int64(st, 5);
    v->end_kind = sqlite3_column_int(st, 6);
    v->review = sqlite3_column_int(st, 7);
}

static int visit_query(struct store *s, int which, const char *site, const char *volunteer,
                       struct store_visit *out)
{
    sqlite3_stmt *st = q(s, which);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, volunteer, -1, SQLITE_STATIC);
    return one_row(s, st, "reading visits", read_visit, out);
}

int store_open_visit(struct store *store, const char *site, const char *volunteer,
                     struct store_visit *out)
{
    return visit_query(store, Q_OPEN_VISIT, site, volunteer, out);
}

int store_last_closed_visit(struct store *store, const char *site, const char *volunteer,
                            struct store_visit *out)
{
    return visit_query(store, Q_LAST_CLOSED, site, volunteer, out);
}

int store_open_visits_each(struct store *store, const char *site,
                           int (*fn)(void *user, const struct store_visit *v), void *user)
{
    sqlite3_stmt *st = q(store, Q_OPEN_VISITS);
    if (!st)
        return -EIO;
    /* Collect first: fn may write (auto-close), which must not happen while
     * this statement still reads the same table. */
    struct store_visit *list = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            struct store_visit *bigger = realloc(list, cap * sizeof *list);
            if (!bigger) {
                result = fail(store, -ENOMEM, "out of memory");
                break;
            }
            list = bigger;
        }
        read_visit(st, &list[count++]);
    }
    if (!result && rc != SQLITE_DONE)
        result = db_fail(store, "reading open visits");
    done(st);
    for (size_t i = 0; !result && i < count; i++)
        result = fn(user, &list[i]);
    free(list);
    return result;
}

static void read_event_row(sqlite3_stmt *st, void *out)
{
    if (event_from_row(st, 0, out))
        memset(out, 0, sizeof(struct event));
}

int store_last_toggle(struct store *store, const char *site, const char *volunteer,
                      struct event *out)
{
    sqlite3_stmt *st = q(store, Q_LAST_TOGGLE);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, volunteer, -1, SQLITE_STATIC);
    return one_row(store, st, "reading the last event", read_event_row, out);
}

int store_event_by_id(struct store *store, const char *event_id, struct event *out)
{
    sqlite3_stmt *st = q(store, Q_EVENT_BY_ID);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
    return one_row(store, st, "reading an event", read_event_row, out);
}

static void bind_rounding(sqlite3_stmt *st, int round_min, const char *from_day,
                          const char *to_day)
{
    int step = round_min > 0 ? round_min * 60 : 1;
    sqlite3_bind_int(st, 1, round_min > 0 ? step / 2 : 0);
    sqlite3_bind_int(st, 2, step);
    sqlite3_bind_text(st, 3, from_day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, to_day, -1, SQLITE_STATIC);
}

int store_volunteer_seconds(struct store *store, const char *volunteer, const char *from_day,
                            const char *to_day, int round_min, int64_t *seconds,
                            int64_t *visits)
{
    sqlite3_stmt *st = q(store, Q_VOLUNTEER_SECONDS);
    if (!st)
        return -EIO;
    bind_rounding(st, round_min, from_day, to_day);
    sqlite3_bind_text(st, 5, volunteer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 0;
    if (rc == SQLITE_ROW) {
        *seconds = sqlite3_column_int64(st, 0);
        if (visits)
            *visits = sqlite3_column_int64(st, 1);
    } else {
        result = db_fail(store, "summing hours");
    }
    done(st);
    return result;
}

int store_visit_count(struct store *store, const char *volunteer)
{
    sqlite3_stmt *st = q(store, Q_VISIT_COUNT);
    if (st)
        sqlite3_bind_text(st, 1, volunteer, -1, SQLITE_STATIC);
    return count_query(store, st, "counting visits");
}

int store_milestone_seen(struct store *store, const char *volunteer, const char *year, int *mark)
{
    sqlite3_stmt *st = q(store, Q_MILESTONE_SEEN);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, volunteer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 1;
    if (rc == SQLITE_ROW) {
        *mark = sqlite3_column_int(st, 0);
        result = 0;
    } else if (rc != SQLITE_DONE) {
        result = db_fail(store, "reading a volunteer's milestone");
    }
    done(st);
    return result;
}

int store_milestone_set(struct store *store, const char *volunteer, const char *year, int mark)
{
    sqlite3_stmt *st = q(store, Q_MILESTONE_SET);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, volunteer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, mark);
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? 0 : db_fail(store, "recording a volunteer's milestone");
}

int store_present_each(struct store *store, const char *site,
                       void (*fn)(void *user, const struct presence *p), void *user)
{
    sqlite3_stmt *st = q(store, Q_PRESENT);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    int rc, count = 0;
    struct presence p;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&p, 0, sizeof p);
        p.volunteer_id = sqlite3_column_int64(st, 0);
        text_copy(st, 1, p.given_name, sizeof p.given_name);
        text_copy(st, 2, p.family_name, sizeof p.family_name);
        p.since_us = sqlite3_column_int64(st, 3);
        p.activity_id = sqlite3_column_int64(st, 4);
        text_copy(st, 5, p.activity_title, sizeof p.activity_title);
        if (fn)
            fn(user, &p);
        count++;
    }
    int result = rc == SQLITE_DONE ? count : db_fail(store, "reading who is present");
    done(st);
    return result;
}

int store_review_each(struct store *store, const char *site,
                      void (*fn)(void *user, const struct review_item *r), void *user)
{
    sqlite3_stmt *st = q(store, Q_REVIEW);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    int rc, count = 0;
    struct review_item r;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        text_copy(st, 0, r.autoclose_event, sizeof r.autoclose_event);
        r.volunteer_id = sqlite3_column_int64(st, 1);
        text_copy(st, 2, r.given_name, sizeof r.given_name);
        text_copy(st, 3, r.family_name, sizeof r.family_name);
        r.start_us = sqlite3_column_int64(st, 4);
        r.credited_end_us = sqlite3_column_int64(st, 5);
        text_copy(st, 6, r.activity_title, sizeof r.activity_title);
        if (fn)
            fn(user, &r);
        count++;
    }
    int result = rc == SQLITE_DONE ? count : db_fail(store, "reading visits to review");
    done(st);
    return result;
}

int store_visitors_on_day(struct store *store, const char *site, const char *day,
                          int (*fn)(void *user, const struct volunteer *v), void *user)
{
    sqlite3_stmt *st = q(store, Q_VISITORS_ON_DAY);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    int rc, result = 0;
    struct volunteer v;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_volunteer(st, &v);
        if ((result = fn(user, &v)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = db_fail(store, "reading today's visitors");
    done(st);
    return result;
}

static void read_activity(sqlite3_stmt *st, void *out)
{
    struct activity *a = out;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    text_copy(st, 1, a->uuid, sizeof a->uuid);
    text_copy(st, 2, a->day, sizeof a->day);
    a->start_min = sqlite3_column_int(st, 3);
    a->end_min = sqlite3_column_int(st, 4);
    text_copy(st, 5, a->title, sizeof a->title);
    text_copy(st, 6, a->place, sizeof a->place);
}

int store_activities_on_day(struct store *store, const char *day, struct activity *out,
                            size_t max)
{
    sqlite3_stmt *st = q(store, Q_ACTIVITIES_DAY);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    int rc;
    size_t count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && count < max)
        read_activity(st, &out[count++]);
    int result = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? (int)count
                                                         : db_fail(store, "reading activities");
    done(st);
    return result;
}

int store_activity_by_uuid(struct store *store, const char *uuid, struct activity *out)
{
    sqlite3_stmt *st = q(store, Q_ACTIVITY_UUID);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    return one_row(store, st, "reading an activity", read_activity, out);
}

int store_activity_save(struct store *store, struct activity *a)
{
    if (a->start_min < 0 || a->start_min > 1439 || a->end_min < 0 || a->end_min > 1440 ||
        !a->title[0] || strlen(a->day) != 10)
        return fail(store, -EINVAL, "an activity needs a date, a title, and times 00:00-24:00");
    sqlite3_stmt *st = q(store, a->id ? Q_ACTIVITY_UPDATE : Q_ACTIVITY_INSERT);
    if (!st)
        return -EIO;
    if (a->id) {
        sqlite3_bind_int64(st, 1, a->id);
    } else {
        if (!a->uuid[0])
            event_new_id(a->uuid);
        sqlite3_bind_text(st, 1, a->uuid, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 2, a->day, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, a->start_min);
    sqlite3_bind_int(st, 4, a->end_min);
    sqlite3_bind_text(st, 5, a->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->place, -1, SQLITE_STATIC);
    int rc = run(store, st, "saving an activity");
    if (!rc && !a->id)
        a->id = sqlite3_last_insert_rowid(store->db);
    return rc;
}

int store_activity_remove(struct store *store, int64_t id)
{
    sqlite3_stmt *st = q(store, Q_ACTIVITY_REMOVE);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = run(store, st, "removing an activity");
    return rc ? rc : sqlite3_changes(store->db) ? 0 : 1;
}

int store_report(struct store *store, const char *from_day, const char *to_day,
                 enum store_report_by by, int round_min,
                 int (*fn)(void *user, const struct report_row *row), void *user)
{
    static const int which[] = {[REPORT_TOTAL] = Q_REPORT_TOTAL,
                                [REPORT_BY_VOLUNTEER] = Q_REPORT_VOLUNTEER,
                                [REPORT_BY_ACTIVITY] = Q_REPORT_ACTIVITY,
                                [REPORT_BY_MONTH] = Q_REPORT_MONTH};
    sqlite3_stmt *st = q(store, which[by]);
    if (!st)
        return -EIO;
    bind_rounding(st, round_min, from_day, to_day);
    int rc, result = 0;
    struct report_row row;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&row, 0, sizeof row);
        text_copy(st, 0, row.key, sizeof row.key);
        text_copy(st, 1, row.label, sizeof row.label);
        row.seconds = sqlite3_column_int64(st, 2);
        row.visits = sqlite3_column_int64(st, 3);
        if ((result = fn(user, &row)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = db_fail(store, "computing the report");
    done(st);
    return result;
}

int store_pending_count(struct store *store)
{
    return count_query(store, q(store, Q_PENDING), "counting events to upload");
}

/* Runs a script of statements that take ?1, as one step of a transaction
 * the caller holds. */
static int run_script(struct store *s, const char *const *script, size_t count, int64_t param,
                      const char *text, const char *what)
{
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, script[i], -1, &st, NULL) != SQLITE_OK)
            return db_fail(s, what);
        if (sqlite3_bind_parameter_count(st) >= 1) {
            if (text)
                sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
            else
                sqlite3_bind_int64(st, 1, param);
        }
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return db_fail(s, what);
    }
    return 0;
}

int store_prune(struct store *store, int64_t cutoff_us, int64_t *deleted)
{
    /* A visit goes only with every event that made it: its check-in, its
     * end and any correction of either, all of them uploaded. */
    static const char *const script[] = {
        "CREATE TEMP TABLE IF NOT EXISTS prune_event (event_id TEXT PRIMARY KEY)",
        "DELETE FROM prune_event",
        "CREATE TEMP TABLE IF NOT EXISTS prune_visit (id INTEGER PRIMARY KEY)",
        "DELETE FROM prune_visit",
        "INSERT INTO prune_visit SELECT v.id FROM visit v WHERE v.end_us IS NOT NULL "
        "AND v.end_us < ?1 AND NOT EXISTS (SELECT 1 FROM event e WHERE e.uploaded = 0 AND "
        "(e.event_id IN (v.start_event, v.end_event) OR e.corrects IN (v.start_event, v.end_event)))",
        "INSERT OR IGNORE INTO prune_event SELECT start_event FROM visit WHERE id IN prune_visit "
        "UNION SELECT end_event FROM visit WHERE id IN prune_visit",
        "INSERT OR IGNORE INTO prune_event SELECT event_id FROM event WHERE corrects IN prune_event",
        "INSERT OR IGNORE INTO prune_event SELECT event_id FROM event WHERE uploaded = 1 "
        "AND kind IN ('card_enrolled', 'card_revoked') AND recorded_us < ?1",
        "DELETE FROM visit WHERE id IN prune_visit",
        "DELETE FROM event WHERE event_id IN prune_event",
    };
    int rc = store_begin(store);
    if (rc)
        return rc;
    if ((rc = run_script(store, script, sizeof script / sizeof script[0], cutoff_us, NULL,
                         "pruning old events"))) {
        store_rollback(store);
        return rc;
    }
    *deleted = sqlite3_changes(store->db);
    return store_commit(store);
}

int store_events_of(struct store *store, const char *volunteer,
                    int (*fn)(void *user, const struct event *ev), void *user)
{
    sqlite3_stmt *st = q(store, Q_EVENTS_OF);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, volunteer, -1, SQLITE_STATIC);
    int rc, result = 0;
    struct event ev;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (event_from_row(st, 0, &ev) == 0 && (result = fn(user, &ev)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = db_fail(store, "reading a volunteer's events");
    done(st);
    return result;
}

int store_forget(struct store *store, const char *external_id, int64_t *events)
{
    static const char *const script[] = {
        /* uploaded = 1 first: the log keeps what is not yet uploaded, but
         * an erasure on request outranks that (the central erases too). */
        "DELETE FROM refused_event WHERE event_id IN "
        "(SELECT event_id FROM event WHERE volunteer = ?1)",
        "UPDATE event SET uploaded = 1 WHERE volunteer = ?1",
        "DELETE FROM event WHERE volunteer = ?1",
        "DELETE FROM visit WHERE volunteer = ?1",
        "DELETE FROM milestone_seen WHERE volunteer = ?1",
        "DELETE FROM roster_from_receiver WHERE kind = 0 AND key = ?1",
        "DELETE FROM roster_from_receiver WHERE kind = 1 AND key IN (SELECT uid_hash FROM card "
        "WHERE volunteer_id IN (SELECT id FROM volunteer WHERE external_id = ?1))",
        "DELETE FROM card WHERE volunteer_id IN (SELECT id FROM volunteer WHERE external_id = ?1)",
        "DELETE FROM volunteer WHERE external_id = ?1",
    };
    struct volunteer v;
    int rc = store_volunteer_by_external_id(store, external_id, &v);
    if (rc)
        return rc;
    if ((rc = store_begin(store)))
        return rc;
    if ((rc = run_script(store, script, 3, 0, external_id, "erasing a volunteer"))) {
        store_rollback(store);
        return rc;
    }
    *events = sqlite3_changes(store->db);
    if ((rc = run_script(store, script + 3, 6, 0, external_id, "erasing a volunteer"))) {
        store_rollback(store);
        return rc;
    }
    return store_commit(store);
}

int store_check(struct store *store, char *report, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, "PRAGMA integrity_check(20)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(store, "checking the database");
    size_t used = 0;
    int rc, healthy = 1;
    report[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok"))
            healthy = 0;
        if (used < cap)
            used += (size_t)snprintf(report + used, cap - used, "%s%s", used ? "\n" : "",
                                     line ? line : "");
    }
    int code = sqlite3_errcode(store->db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
            snprintf(report, cap, "%s", sqlite3_errstr(code));
            return 1;
        }
        return db_fail(store, "checking the database");
    }
    return healthy ? 0 : 1;
}

int store_backup(struct store *store, const char *path, char *err, size_t errlen)
{
    char tmp[600];
    sqlite3 *dest = NULL;
    int rc = -EIO;
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    unlink(tmp);
    if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", tmp, dest ? sqlite3_errmsg(dest) : "cannot open");
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", store->db, "main");
    if (!b) {
        snprintf(err, errlen, "backup to %s: %s", path, sqlite3_errmsg(dest));
        goto out;
    }
    /* In steps, so the kiosk's writes wait at most one step's time. */
    int step;
    do {
        step = sqlite3_backup_step(b, 256);
        if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "backup to %s: %s", path, sqlite3_errstr(step));
        goto out;
    }
    if (sqlite3_close(dest) != SQLITE_OK) {
        snprintf(err, errlen, "backup to %s: cannot close", path);
        goto out;
    }
    dest = NULL;
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(err, errlen, "backup to %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    close(fd);
    if (rename(tmp, path)) {
        snprintf(err, errlen, "backup to %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (dest)
        sqlite3_close(dest);
    if (rc)
        unlink(tmp);
    return rc;
}

int store_replay_visits(struct store *store)
{
    if (visits_rebuild(store->db, EVENTS_IN_ORDER, store->message, sizeof store->message))
        return -EIO;
    return 0;
}

int store_rebuild_visits(struct store *store)
{
    int rc = store_begin(store);
    if (rc)
        return rc;
    if ((rc = store_replay_visits(store))) {
        store_rollback(store);
        return rc;
    }
    return store_commit(store);
}

int store_recovery_record(struct store *store, const struct kiosk_recovery *recovery)
{
    sqlite3_stmt *st = q(store, Q_RECOVERY_INSERT);
    if (!st)
        return -EIO;
    sqlite3_bind_int64(st, 1, recovery->at_us);
    sqlite3_bind_int64(st, 2, recovery->backup_us);
    sqlite3_bind_int(st, 3, recovery->skipped_backups);
    sqlite3_bind_int(st, 4, recovery->fetch_state);
    return run(store, st, "recording the restore from backup");
}

struct recovery_row {
    struct kiosk_recovery *recovery;
    char *cursor;
};

static void read_recovery(sqlite3_stmt *st, void *out)
{
    struct recovery_row *row = out;
    struct kiosk_recovery *r = row->recovery;
    memset(r, 0, sizeof *r);
    r->at_us = sqlite3_column_int64(st, 0);
    r->backup_us = sqlite3_column_int64(st, 1);
    r->skipped_backups = sqlite3_column_int(st, 2);
    r->fetch_state = sqlite3_column_int(st, 3);
    r->fetched_events = sqlite3_column_int(st, 4);
    r->acknowledged = sqlite3_column_int(st, 5);
    if (row->cursor)
        text_copy(st, 6, row->cursor, STORE_CURSOR_MAX);
}

int store_recovery_latest(struct store *store, struct kiosk_recovery *out,
                          char cursor[STORE_CURSOR_MAX])
{
    sqlite3_stmt *st = q(store, Q_RECOVERY_LATEST);
    if (!st)
        return -EIO;
    struct recovery_row row = {out, cursor};
    if (cursor)
        cursor[0] = '\0';
    return one_row(store, st, "reading the restore from backup", read_recovery, &row);
}

int store_recovery_acknowledge(struct store *store)
{
    sqlite3_stmt *st = q(store, Q_RECOVERY_ACKNOWLEDGE);
    if (!st)
        return -EIO;
    int rc = run(store, st, "acknowledging the restore from backup");
    return rc ? rc : sqlite3_changes(store->db) ? 0 : 1;
}

int store_recovery_progress(struct store *store, const char *cursor, int64_t fetched, int done)
{
    sqlite3_stmt *st = q(store, Q_RECOVERY_PROGRESS);
    if (!st)
        return -EIO;
    sqlite3_bind_text(st, 1, cursor, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, fetched);
    if (done)
        sqlite3_bind_int(st, 3, KIOSK_FETCH_DONE);
    return run_changing(store, st, "saving the progress of the fetch from the central", -ENOENT,
                        "saving the progress of the fetch: no restore on record");
}
