/* The embedded SQLite backend of the central's store (store_backend.h).
 * WAL so reports and the dashboard read while kiosks write; synchronous=FULL
 * because an answered upload must survive a power cut (the kiosk forgets
 * nothing, but it will not send again what we said we stored). Visits are
 * derived with firmware/visits.c, the same code the kiosk runs. */
#include "store_backend.h"

#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "period.h"
#include "plan.h"
#include "store_sqlite.h"
#include "visits.h"

extern const char embed_central_001[];
extern const char embed_central_002[];
extern const char embed_central_003[];
extern const char embed_central_004[];
extern const char embed_central_005[];
extern const char embed_central_006[];
extern const char embed_central_007[];
extern const char embed_central_008[];
extern const char embed_central_009[];
extern const char embed_central_010[];
extern const char embed_central_011[];

#define BUSY_TIMEOUT_MS 5000
#define CACHE_KIB       32768
/* A batch of 500 events with random ids touches about a thousand index
 * pages; checkpointing after every such commit (SQLite's default is 1000
 * pages) writes each page twice per batch and fsyncs twice as often. */
#define WAL_CHECKPOINT_PAGES 8192
/* Reads through a memory map instead of a read() per page: a report that
 * walks a million visits otherwise spends most of its time in syscalls.
 * Address space only; the central runs on a 64-bit server. */
#define MMAP_BYTES (1024LL * 1024 * 1024)

/* Each entry takes the database from user_version i to i + 1. */
static const char *const *migration_sql(int version)
{
    static const char *const v1[] = {embed_central_001, NULL};
    static const char *const v2[] = {embed_central_002, NULL};
    static const char *const v3[] = {embed_central_003, NULL};
    static const char *const v4[] = {embed_central_004, NULL};
    static const char *const v5[] = {embed_central_005, NULL};
    static const char *const v6[] = {embed_central_006, NULL};
    static const char *const v7[] = {embed_central_007, NULL};
    static const char *const v8[] = {embed_central_008, NULL};
    static const char *const v9[] = {embed_central_009, NULL};
    static const char *const v10[] = {embed_central_010, NULL};
    static const char *const v11[] = {embed_central_011, NULL};
    if (version == 0)
        return v1;
    if (version == 1)
        return v2;
    if (version == 2)
        return v3;
    if (version == 3)
        return v4;
    if (version == 4)
        return v5;
    if (version == 5)
        return v6;
    if (version == 6)
        return v7;
    if (version == 7)
        return v8;
    if (version == 8)
        return v9;
    if (version == 9)
        return v10;
    if (version == 10)
        return v11;
    return NULL;
}
#define SCHEMA_VERSION 11

enum {
    ST_DEVICE_AUTH,
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
    ST_VOLUNTEER_SITES,
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
    ST_PLAN_ADD,
    ST_OCCURRENCE_CHANGE,
    ST_PLANS,
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
    ST_BEGIN_WRITE,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_COUNT
};


/* A report's site filter: ?3 is NULL (every site) or a JSON array of ids.
 * With NULL the test is decided before any row is read, so the covering
 * indexes stay covering. */
#define SITE_IN(column) "(?3 IS NULL OR " column " IN (SELECT value FROM json_each(?3)))"

static const char *const statement_sql[ST_COUNT] = {
    [ST_DEVICE_AUTH] = "SELECT id, site, name, token_hash, created_us FROM device "
                       "WHERE token_lookup = ?1 AND revoked_us IS NULL",
    [ST_EVENT_INSERT] = "INSERT INTO event (" EVENT_COLUMNS ", device, received_us) VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
                        "ON CONFLICT (event_id) DO NOTHING",
    [ST_CARD_SET] = "INSERT INTO card (card_hash, volunteer, revoked, at_us, changed) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (card_hash) DO UPDATE SET "
                    "volunteer = coalesce(excluded.volunteer, card.volunteer), "
                    "revoked = excluded.revoked, at_us = excluded.at_us, "
                    "changed = excluded.changed WHERE excluded.at_us >= card.at_us",
    [ST_EVENT_SITE] = "SELECT site FROM event WHERE event_id = ?1",
    [ST_EVENTS_AFTER] = "SELECT seq, " EVENT_COLUMNS " FROM event WHERE site = ?1 AND seq > ?2 "
                        "ORDER BY seq LIMIT ?3",
    [ST_CHANGE_NEXT] = "UPDATE roster_change SET value = value + 1 RETURNING value",
    [ST_CHANGE_NOW] = "SELECT value FROM roster_change",
    [ST_DEVICE_SEEN] = "UPDATE device SET last_seen_us = ?2 WHERE id = ?1",
    [ST_VOLUNTEERS_SINCE] = "SELECT external_id, given_name, family_name, active, "
                            "confidentiality_signed, police_valid_until, "
                            "confidentiality_undated, police_undated FROM volunteer "
                            "WHERE changed > ?1 ORDER BY external_id",
    [ST_CARDS_SINCE] = "SELECT card_hash, volunteer, revoked FROM card WHERE changed > ?1 "
                       "ORDER BY card_hash",
    [ST_ACTIVITIES_SINCE] = "SELECT " CENTRAL_SQLITE_ACTIVITY_COLUMNS " FROM activity "
                            "WHERE site = ?2 AND changed > ?1 ORDER BY date, start, id",
    [ST_STATUS_PUT] = "INSERT OR REPLACE INTO device_status (device, received_us, "
                      "software_version, events_waiting, last_upload_us, last_error, "
                      "reader_state, clock_synced, recovery_at_us, recovery_backup_us, "
                      "recovery_skipped, recovery_fetch, recovery_fetched, events_refused, "
                      "token_refused_us) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [ST_TOTAL_SITE] = "SELECT s.id, s.name, s.kind, coalesce(sum(t.seconds), 0), "
                      "coalesce(sum(t.visits), 0) FROM site s LEFT JOIN visit_total t "
                      "ON t.site = s.id AND t.day BETWEEN ?1 AND ?2 WHERE " SITE_IN("s.id")
                      " GROUP BY s.id ORDER BY s.id",
    [ST_TOTAL_ACTIVITY] = "SELECT t.activity, coalesce(a.title, ''), coalesce(a.date, ''), "
                          "coalesce(s.name, ''), sum(t.seconds), sum(t.visits) "
                          "FROM visit_total t LEFT JOIN activity a ON a.id = t.activity "
                          "LEFT JOIN site s ON s.id = a.site WHERE t.day BETWEEN ?1 AND ?2 "
                          "AND " SITE_IN("t.site") " GROUP BY t.activity HAVING sum(t.visits) > 0 "
                          "ORDER BY sum(t.seconds) DESC, t.activity",
    [ST_TOTAL_MONTH] = "SELECT substr(day, 1, 7), sum(seconds), sum(visits) FROM visit_total "
                       "WHERE day BETWEEN ?1 AND ?2 AND " SITE_IN("site")
                       " GROUP BY 1 HAVING sum(visits) > 0 ORDER BY 1",
    /* The months the period covers whole from their totals, the days at
     * its ends (period.h: ?4-?5 months, ?6-?7 and ?8-?9 days) from the
     * visits; then the names, once per volunteer. */
    [ST_TOTAL_VOLUNTEER] =
        "SELECT t.volunteer, coalesce(p.given_name || ' ' || p.family_name, ''), t.seconds, "
        "t.visits FROM (SELECT volunteer, sum(seconds) AS seconds, sum(visits) AS visits "
        "FROM (SELECT volunteer, seconds, visits FROM volunteer_month_total "
        "WHERE month BETWEEN ?4 AND ?5 AND " SITE_IN("site") " UNION ALL "
        "SELECT v.volunteer, " ROUNDED("v") ", 1 FROM visit v INDEXED BY visit_day JOIN setting r "
        "WHERE v.start_day BETWEEN ?6 AND ?7 AND v.end_us IS NOT NULL AND " SITE_IN("v.site")
        " UNION ALL "
        "SELECT v.volunteer, " ROUNDED("v") ", 1 FROM visit v INDEXED BY visit_day JOIN setting r "
        "WHERE v.start_day BETWEEN ?8 AND ?9 AND v.end_us IS NOT NULL AND " SITE_IN("v.site")
        ") GROUP BY volunteer HAVING sum(visits) > 0) AS t "
        "LEFT JOIN volunteer p ON p.external_id = t.volunteer ORDER BY 3 DESC, t.volunteer",
    [ST_REVIEWS] = "SELECT v.site, coalesce(s.name, v.site), v.volunteer, "
                   "coalesce(p.given_name || ' ' || p.family_name, ''), v.start_us, v.end_us "
                   "FROM visit v LEFT JOIN site s ON s.id = v.site "
                   "LEFT JOIN volunteer p ON p.external_id = v.volunteer "
                   "WHERE v.review = 1 AND v.end_us IS NOT NULL ORDER BY v.start_us DESC LIMIT ?1",
    [ST_VOLUNTEER_SITES] =
        "SELECT v.volunteer, coalesce(p.given_name || ' ' || p.family_name, ''), v.site, "
        "coalesce(s.name, v.site), sum(" ROUNDED("v") "), count(*), min(v.start_us), "
        "max(v.start_us) FROM visit v INDEXED BY visit_by_volunteer JOIN setting r "
        "LEFT JOIN volunteer p ON p.external_id = v.volunteer LEFT JOIN site s ON s.id = v.site "
        "WHERE v.start_day BETWEEN ?1 AND ?2 AND v.end_us IS NOT NULL "
        "GROUP BY v.volunteer, v.site ORDER BY v.volunteer, v.site",
    [ST_SITE_ADD] = "INSERT INTO site (id, name, kind, created_us) VALUES (?1, ?2, ?3, ?4)",
    [ST_SITES] = "SELECT id, name, kind FROM site ORDER BY id",
    [ST_SITE_GET] = "SELECT id, name, kind FROM site WHERE id = ?1",
    [ST_DEVICE_ADD] = "INSERT INTO device (site, name, token_lookup, token_hash, created_us) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_DEVICE_REVOKE] = "UPDATE device SET revoked_us = ?2 WHERE id = ?1 AND revoked_us IS NULL",
    [ST_DEVICES] = "SELECT d.id, d.site, d.name, d.created_us, coalesce(d.revoked_us, 0), "
                   "coalesce(d.last_seen_us, 0), coalesce(st.received_us, 0), "
                   "coalesce(st.software_version, ''), coalesce(st.events_waiting, 0), "
                   "coalesce(st.last_upload_us, 0), coalesce(st.last_error, ''), "
                   "coalesce(st.reader_state, ''), coalesce(st.clock_synced, 0), "
                   "st.recovery_at_us IS NOT NULL, coalesce(st.recovery_at_us, 0), "
                   "coalesce(st.recovery_backup_us, 0), "
                   "coalesce(st.recovery_skipped, 0), coalesce(st.recovery_fetch, ''), "
                   "coalesce(st.recovery_fetched, 0), coalesce(st.events_refused, -1), "
                   "coalesce(st.token_refused_us, 0) "
                   "FROM device d LEFT JOIN device_status st ON st.device = d.id "
                   "ORDER BY d.site, d.name",
    [ST_ADMIN_ADD] = "INSERT INTO admin (name, token_lookup, token_hash, created_us) "
                     "VALUES (?1, ?2, ?3, ?4)",
    [ST_ADMIN_REVOKE] = "UPDATE admin SET revoked_us = ?2 WHERE name = ?1 AND revoked_us IS NULL",
    [ST_ADMIN_AUTH] = "SELECT token_hash FROM admin WHERE token_lookup = ?1 AND revoked_us IS NULL",
    [ST_ACTIVITY_ADD] = "INSERT INTO activity (id, site, date, start, end, title, place, changed, "
                        "plan, plan_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''), "
                        "nullif(?10, ''))",
    [ST_PLAN_ADD] = "INSERT INTO activity_plan (id, site, title, place, start, end, weekdays, "
                    "from_date, until_date, uid) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, ''))",
    [ST_OCCURRENCE_CHANGE] = "UPDATE activity SET cancelled = ?3, date = coalesce(nullif(?4, ''), date), "
                             "start = coalesce(nullif(?5, ''), start), "
                             "end = coalesce(nullif(?6, ''), end), "
                             "changed = ?7 WHERE plan = ?1 AND plan_date = ?2",
    [ST_PLANS] = "SELECT id, site, title, place, start, end, weekdays, from_date, until_date, "
                 "coalesce(uid, '') FROM activity_plan WHERE ?1 = '' OR site = ?1 "
                 "ORDER BY from_date, start, id",
    /* A volunteer is known by a roster row, a card or an event: events can
     * arrive before the roster names them, and those are theirs too. The
     * event table has no index on volunteer; these run on request, rarely,
     * and a scan is cheaper than an index every upload pays for. */
    [ST_VOLUNTEER_KNOWN] = "SELECT EXISTS (SELECT 1 FROM volunteer WHERE external_id = ?1) "
                           "OR EXISTS (SELECT 1 FROM card WHERE volunteer = ?1) "
                           "OR EXISTS (SELECT 1 FROM event WHERE volunteer = ?1)",
    [ST_VOLUNTEER_GET] = "SELECT external_id, given_name, family_name, active, "
                         "confidentiality_signed, police_valid_until, "
                         "confidentiality_undated, police_undated FROM volunteer "
                         "WHERE external_id = ?1",
    [ST_VOLUNTEER_CARDS] = "SELECT card_hash, volunteer, revoked FROM card WHERE volunteer = ?1 "
                           "ORDER BY card_hash",
    [ST_VOLUNTEER_EVENTS] = "SELECT " EVENT_COLUMNS " FROM event WHERE volunteer = ?1 "
                            "ORDER BY at_us, seq",
    [ST_VOLUNTEER_HOURS] =
        "SELECT coalesce(sum(" ROUNDED("v") "), 0), count(*) "
                                            "FROM visit v JOIN setting r "
                                            "WHERE v.volunteer = ?1 AND v.end_us IS NOT NULL",
    /* visit_total has triggers for insert and update but none for delete
     * (visits were never deleted before): take the volunteer's closed
     * visits out of it, rounded as the insert trigger added them, before
     * the visits go. */
    [ST_FORGET_TOTALS] =
        "UPDATE visit_total SET seconds = visit_total.seconds - gone.seconds, "
        "visits = visit_total.visits - gone.visits FROM (SELECT v.start_day AS day, "
        "v.site AS site, coalesce(v.activity, '') AS activity, sum(" ROUNDED(
            "v") ") AS seconds, count(*) AS visits FROM visit v JOIN setting r "
                 "WHERE v.volunteer = ?1 AND v.end_us IS NOT NULL GROUP BY 1, 2, 3) AS gone "
                 "WHERE visit_total.day = gone.day AND visit_total.site = gone.site "
                 "AND visit_total.activity = gone.activity",
    [ST_FORGET_VISITS] = "DELETE FROM visit WHERE volunteer = ?1",
    [ST_FORGET_EVENTS] = "DELETE FROM event WHERE volunteer = ?1",
    [ST_FORGET_CARDS] = "DELETE FROM card WHERE volunteer = ?1",
    [ST_FORGET_VOLUNTEER] = "DELETE FROM volunteer WHERE external_id = ?1",
    /* IMMEDIATE: take the write lock before reading, so two writers never
     * deadlock on a read lock each wants to upgrade. */
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};

struct sqlite_store {
    struct central_store base;
    sqlite3 *db;
    struct visits *visits;
    sqlite3_stmt *st[ST_COUNT];
};

static struct sqlite_store *cast(struct central_store *store)
{
    return (struct sqlite_store *)store;
}

sqlite3 *central_sqlite_db(struct central_store *store)
{
    return cast(store)->db;
}

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A failed step as a negative errno, with the database's message. */
static int fail(struct sqlite_store *s, const char *what, char *err, size_t errlen)
{
    int extended = sqlite3_extended_errcode(s->db);
    int code = extended & 0xff;
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
    if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
        return -ENOENT; /* names a site or device that does not exist */
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return -EBUSY;
    if (code == SQLITE_CONSTRAINT)
        return -EEXIST;
    if (code == SQLITE_READONLY)
        return -EROFS;
    return -EIO;
}

static sqlite3_stmt *stmt(struct sqlite_store *s, int which)
{
    sqlite3_stmt *st = s->st[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Runs a statement that returns no rows (or ignores them). */
static int run(struct sqlite_store *s, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    int result = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(s, what, err, errlen);
    sqlite3_reset(st);
    return result;
}

static int begin_write(struct sqlite_store *s, char *err, size_t errlen)
{
    return run(s, stmt(s, ST_BEGIN_WRITE), "begin", err, errlen);
}

static int commit(struct sqlite_store *s, char *err, size_t errlen)
{
    return run(s, stmt(s, ST_COMMIT), "commit", err, errlen);
}

static void rollback(struct sqlite_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) {
        char ignored[64];
        run(s, stmt(s, ST_ROLLBACK), "rollback", ignored, sizeof ignored);
    }
}

static void copy_column(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    snprintf(out, cap, "%s", text ? (const char *)text : "");
}

/* An event from columns col.. of a row: 0, or -EIO with err naming it. */
static int read_event(sqlite3_stmt *st, int col, const char *what, struct event *ev, char *err,
                      size_t errlen)
{
    if (event_from_row(st, col, ev) == 0)
        return 0;
    snprintf(err, errlen, "%s: event %s cannot be read back (kind or source unknown)", what,
             (const char *)sqlite3_column_text(st, col));
    return -EIO;
}

static int64_t token_lookup(const unsigned char *hash)
{
    int64_t lookup = 0;
    memcpy(&lookup, hash, sizeof lookup);
    return lookup;
}

/* ---- lifecycle ---- */

static void sqlite_close(struct central_store *store)
{
    struct sqlite_store *s = cast(store);
    if (!s)
        return;
    visits_close(s->visits);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

static int exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", what, message ? message : sqlite3_errmsg(db));
        sqlite3_free(message);
        return -EIO;
    }
    return 0;
}

static int user_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    else
        rc = SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -EIO;
}

/* Brings the schema to SCHEMA_VERSION, one version per transaction; several
 * handles may open at once, so the version is read again under the lock. */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    for (;;) {
        int version = 0, rc;
        if ((rc = exec(db, "BEGIN IMMEDIATE", path, err, errlen)))
            return rc;
        if (user_version(db, &version)) {
            snprintf(err, errlen, "%s: cannot read the schema version: %s", path,
                     sqlite3_errmsg(db));
            rc = -EIO;
            goto fail;
        }
        if (version > SCHEMA_VERSION) {
            snprintf(err, errlen,
                     "%s: schema version %d is newer than this program's %d; update "
                     "tilstede-central",
                     path, version, SCHEMA_VERSION);
            rc = -EPROTO;
            goto fail;
        }
        if (version == SCHEMA_VERSION)
            return exec(db, "COMMIT", path, err, errlen);
        const char *const *steps = migration_sql(version);
        /* Version 1 starts with the visit table shared with the kiosk. */
        if (version == 0 && (rc = exec(db, visits_schema(), "visits schema", err, errlen)))
            goto fail;
        for (int i = 0; steps[i]; i++)
            if ((rc = exec(db, steps[i], "migration", err, errlen)))
                goto fail;
        char pragma[40];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
        if ((rc = exec(db, pragma, path, err, errlen)) ||
            (rc = exec(db, "COMMIT", path, err, errlen)))
            goto fail;
        continue;
    fail:
        exec(db, "ROLLBACK", path, (char[64]){0}, 64);
        return rc;
    }
}

static const struct central_store_ops sqlite_ops;

int central_sqlite_open(const char *path, struct central_store **out, char *err, size_t errlen)
{
    int rc = -EIO;
    struct sqlite_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->base.ops = &sqlite_ops;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* temp_store = MEMORY: a statement that fires triggers keeps a
     * statement journal; on disk (the default once it passes 64 KiB) every
     * later statement of a batch pays a dozen write() calls, which made a
     * large batch three times slower. */
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
             "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -%d; "
             "PRAGMA wal_autocheckpoint = %d; PRAGMA mmap_size = %lld;",
             CACHE_KIB, WAL_CHECKPOINT_PAGES, MMAP_BYTES);
    if ((rc = exec(s->db, pragmas, path, err, errlen)) ||
        (rc = migrate(s->db, path, err, errlen)) ||
        (rc = central_sqlite_web_open(s->db, err, errlen)) ||
        (rc = visits_open(s->db, &s->visits, err, errlen)))
        goto fail;
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s: preparing statement %d: %s", path, i, sqlite3_errmsg(s->db));
            rc = -EIO;
            goto fail;
        }
    }
    *out = &s->base;
    return 0;
fail:
    sqlite_close(&s->base);
    return rc < 0 ? rc : -EIO;
}

/* ---- devices and admins ---- */

static int sqlite_device_auth(struct central_store *store, const unsigned char *hash,
                              struct central_device *device, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_DEVICE_AUTH);
    sqlite3_bind_int64(st, 1, token_lookup(hash));
    int rc, found = -ENOENT;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *stored = sqlite3_column_blob(st, 3);
        if (sqlite3_column_bytes(st, 3) != CENTRAL_TOKEN_HASH_BYTES ||
            sodium_memcmp(stored, hash, CENTRAL_TOKEN_HASH_BYTES) != 0)
            continue;
        memset(device, 0, sizeof *device);
        device->id = sqlite3_column_int64(st, 0);
        copy_column(st, 1, device->site, sizeof device->site);
        copy_column(st, 2, device->name, sizeof device->name);
        device->created_us = sqlite3_column_int64(st, 4);
        found = 0;
    }
    if (rc != SQLITE_DONE)
        found = fail(s, "device token", err, errlen);
    else if (found)
        snprintf(err, errlen, "unknown or revoked device token");
    sqlite3_reset(st);
    return found;
}

static int sqlite_admin_auth(struct central_store *store, const unsigned char *hash, char *err,
                             size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_ADMIN_AUTH);
    sqlite3_bind_int64(st, 1, token_lookup(hash));
    int rc, found = -ENOENT;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (sqlite3_column_bytes(st, 0) == CENTRAL_TOKEN_HASH_BYTES &&
            sodium_memcmp(sqlite3_column_blob(st, 0), hash, CENTRAL_TOKEN_HASH_BYTES) == 0)
            found = 0;
    if (rc != SQLITE_DONE)
        found = fail(s, "admin token", err, errlen);
    else if (found)
        snprintf(err, errlen, "unknown or revoked admin token");
    sqlite3_reset(st);
    return found;
}

static int sqlite_device_add(struct central_store *store, const char *site, const char *name,
                             const unsigned char *hash, int64_t *id, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_DEVICE_ADD);
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, token_lookup(hash));
    sqlite3_bind_blob(st, 4, hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now_us());
    int rc = run(s, st, "device add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "device \"%s\": site \"%s\" already has a device of that name", name,
                 site);
    else if (rc == -ENOENT)
        snprintf(err, errlen, "device \"%s\": there is no site \"%s\" (see site list)", name, site);
    if (!rc)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int sqlite_device_revoke(struct central_store *store, int64_t id, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_DEVICE_REVOKE);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_us());
    int rc = run(s, st, "device revoke", err, errlen);
    if (!rc && sqlite3_changes(s->db) == 0) {
        snprintf(err, errlen, "device %lld: no such active device", (long long)id);
        return -ENOENT;
    }
    return rc;
}

static int sqlite_devices(struct central_store *store, central_device_cb cb, void *ctx, char *err,
                          size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_DEVICES);
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_device d;
        memset(&d, 0, sizeof d);
        d.id = sqlite3_column_int64(st, 0);
        copy_column(st, 1, d.site, sizeof d.site);
        copy_column(st, 2, d.name, sizeof d.name);
        d.created_us = sqlite3_column_int64(st, 3);
        d.revoked_us = sqlite3_column_int64(st, 4);
        d.last_seen_us = sqlite3_column_int64(st, 5);
        d.status.received_us = sqlite3_column_int64(st, 6);
        copy_column(st, 7, d.status.software_version, sizeof d.status.software_version);
        d.status.events_waiting = sqlite3_column_int64(st, 8);
        d.status.last_upload_us = sqlite3_column_int64(st, 9);
        copy_column(st, 10, d.status.last_error, sizeof d.status.last_error);
        copy_column(st, 11, d.status.reader_state, sizeof d.status.reader_state);
        d.status.clock_synced = sqlite3_column_int(st, 12);
        struct central_recovery *r = &d.status.recovery;
        r->reported = sqlite3_column_int(st, 13);
        r->at_us = sqlite3_column_int64(st, 14);
        r->backup_us = sqlite3_column_int64(st, 15);
        r->skipped_backups = sqlite3_column_int64(st, 16);
        copy_column(st, 17, r->fetch, sizeof r->fetch);
        r->fetched_events = sqlite3_column_int64(st, 18);
        d.status.events_refused = sqlite3_column_int64(st, 19);
        d.status.token_refused_us = sqlite3_column_int64(st, 20);
        if ((result = cb(ctx, &d)))
            break;
    }
    if (!result && rc != SQLITE_DONE)
        result = fail(s, "device list", err, errlen);
    sqlite3_reset(st);
    return result;
}

static int sqlite_admin_add(struct central_store *store, const char *name,
                            const unsigned char *hash, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_ADMIN_ADD);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, token_lookup(hash));
    sqlite3_bind_blob(st, 3, hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_us());
    int rc = run(s, st, "admin add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen, "admin \"%s\" already exists (revoke it first)", name);
    return rc;
}

static int sqlite_admin_revoke(struct central_store *store, const char *name, char *err,
                               size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_ADMIN_REVOKE);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_us());
    int rc = run(s, st, "admin revoke", err, errlen);
    if (!rc && sqlite3_changes(s->db) == 0) {
        snprintf(err, errlen, "admin \"%s\": no such active admin", name);
        return -ENOENT;
    }
    return rc;
}

/* ---- sites and activities ---- */

static int sqlite_site_add(struct central_store *store, const struct central_site *site, char *err,
                           size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_SITE_ADD);
    sqlite3_bind_text(st, 1, site->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, site->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, site->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now_us());
    int rc = run(s, st, "site add", err, errlen);
    if (rc == -EEXIST)
        snprintf(err, errlen,
                 "site \"%s\": already exists, or kind \"%s\" is not one of "
                 "sykehjem, helsehus, aktivitetshus, hjemmetjeneste, other",
                 site->id, site->kind);
    return rc;
}

static int sqlite_sites(struct central_store *store, central_site_cb cb, void *ctx, char *err,
                        size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_SITES);
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_site site;
        copy_column(st, 0, site.id, sizeof site.id);
        copy_column(st, 1, site.name, sizeof site.name);
        copy_column(st, 2, site.kind, sizeof site.kind);
        if ((result = cb(ctx, &site)))
            break;
    }
    if (!result && rc != SQLITE_DONE)
        result = fail(s, "site list", err, errlen);
    sqlite3_reset(st);
    return result;
}

static int sqlite_site_get(struct central_store *store, const char *id, struct central_site *site,
                           char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_SITE_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 0;
    if (rc == SQLITE_ROW) {
        copy_column(st, 0, site->id, sizeof site->id);
        copy_column(st, 1, site->name, sizeof site->name);
        copy_column(st, 2, site->kind, sizeof site->kind);
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "site \"%s\": no such site", id);
        result = -ENOENT;
    } else {
        result = fail(s, "site get", err, errlen);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

/* The next value of the roster change counter, inside the caller's write
 * transaction. */
static int next_change(struct sqlite_store *s, int64_t *value, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_CHANGE_NEXT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    int result = rc == SQLITE_ROW ? 0 : fail(s, "roster change counter", err, errlen);
    sqlite3_reset(st);
    return result;
}

static int insert_activity(struct sqlite_store *s, const struct central_activity *activity,
                           int64_t change, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_ACTIVITY_ADD);
    central_sqlite_activity_bind(st, activity, activity->plan, change);
    int rc = run(s, st, "activity add", err, errlen);
    if (rc == -ENOENT)
        snprintf(err, errlen, "activity \"%s\": there is no site \"%s\" (see site list)",
                 activity->title, activity->site);
    return rc;
}

static int sqlite_activity_add(struct central_store *store, const struct central_activity *activity,
                               char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    int64_t change = 0;
    int rc = begin_write(s, err, errlen);
    if (rc || (rc = next_change(s, &change, err, errlen)) ||
        (rc = insert_activity(s, activity, change, err, errlen)))
        goto out;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

static int sqlite_plan_add(struct central_store *store, const struct central_plan *plan,
                           const struct central_activity *occurrences, size_t count, char *err,
                           size_t errlen)
{
    struct sqlite_store *s = cast(store);
    int64_t change = 0;
    int rc = begin_write(s, err, errlen);
    if (rc || (rc = next_change(s, &change, err, errlen)))
        goto out;
    sqlite3_stmt *st = stmt(s, ST_PLAN_ADD);
    sqlite3_bind_text(st, 1, plan->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, plan->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, plan->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, plan->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, plan->start, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, plan->end, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, plan->weekdays);
    sqlite3_bind_text(st, 8, plan->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, plan->until, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, plan->uid, -1, SQLITE_STATIC);
    if ((rc = run(s, st, "activity plan add", err, errlen))) {
        if (rc == -ENOENT)
            snprintf(err, errlen, "activity \"%s\": there is no site \"%s\" (see site list)",
                     plan->title, plan->site);
        goto out;
    }
    for (size_t i = 0; i < count && !rc; i++)
        rc = insert_activity(s, &occurrences[i], change, err, errlen);
    if (!rc)
        rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

static int sqlite_occurrence_change(struct central_store *store, const char *plan,
                                    const char *plan_date, const struct central_activity *change,
                                    char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    int64_t counter = 0;
    int rc = begin_write(s, err, errlen);
    if (rc || (rc = next_change(s, &counter, err, errlen)))
        goto out;
    sqlite3_stmt *st = stmt(s, ST_OCCURRENCE_CHANGE);
    sqlite3_bind_text(st, 1, plan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, plan_date, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, change->cancelled ? 1 : 0);
    sqlite3_bind_text(st, 4, change->date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, change->start, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, change->end, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, counter);
    if ((rc = run(s, st, "activity change", err, errlen)))
        goto out;
    if (sqlite3_changes(s->db) == 0) {
        snprintf(err, errlen, "activity plan %s has no occurrence on %s (see activity list)", plan,
                 plan_date);
        rc = -ENOENT;
        goto out;
    }
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

static int sqlite_plans(struct central_store *store, const char *site, central_plan_cb cb,
                        void *ctx, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_PLANS);
    sqlite3_bind_text(st, 1, site ? site : "", -1, SQLITE_STATIC);
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_plan p;
        memset(&p, 0, sizeof p);
        copy_column(st, 0, p.id, sizeof p.id);
        copy_column(st, 1, p.site, sizeof p.site);
        copy_column(st, 2, p.title, sizeof p.title);
        copy_column(st, 3, p.place, sizeof p.place);
        copy_column(st, 4, p.start, sizeof p.start);
        copy_column(st, 5, p.end, sizeof p.end);
        p.weekdays = sqlite3_column_int(st, 6);
        copy_column(st, 7, p.from, sizeof p.from);
        copy_column(st, 8, p.until, sizeof p.until);
        copy_column(st, 9, p.uid, sizeof p.uid);
        rc = cb(ctx, &p);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "activity plans", err, errlen);
    sqlite3_reset(st);
    return rc;
}

/* ---- ingest ---- */

static int set_card(struct sqlite_store *s, const struct event *ev, int64_t *change, char *err,
                    size_t errlen)
{
    int rc;
    if (!*change && (rc = next_change(s, change, err, errlen)))
        return rc;
    sqlite3_stmt *st = stmt(s, ST_CARD_SET);
    sqlite3_bind_text(st, 1, ev->card_hash, -1, SQLITE_STATIC);
    if (ev->volunteer[0])
        sqlite3_bind_text(st, 2, ev->volunteer, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, ev->kind == EVENT_CARD_REVOKED);
    sqlite3_bind_int64(st, 4, ev->at_us);
    sqlite3_bind_int64(st, 5, *change);
    return run(s, st, "card", err, errlen);
}

/* 1 when a correction names an event of another site: visits.c matches the
 * corrected event by id alone, and a device must never move another
 * site's hours. Such a correction is stored but changes nothing, as on the
 * kiosk, which does not know the other site's events either. */
static int corrects_other_site(struct sqlite_store *s, const struct event *ev, char *err,
                               size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_EVENT_SITE);
    sqlite3_bind_text(st, 1, ev->corrects, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int other = 0;
    if (rc == SQLITE_ROW)
        other = strcmp((const char *)sqlite3_column_text(st, 0), ev->site) != 0;
    else if (rc != SQLITE_DONE)
        other = fail(s, "correction", err, errlen);
    sqlite3_reset(st);
    return other;
}

static int sqlite_ingest(struct central_store *store, const struct central_device *device,
                         const struct event *events, size_t count,
                         enum central_ingest_result *results, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    int64_t received = now_us(), change = 0;
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < count; i++) {
        const struct event *ev = &events[i];
        /* The HTTP layer already did this; the store is the last line. */
        if (strcmp(ev->site, device->site) != 0) {
            snprintf(err, errlen, "event %s: site \"%s\" is not the device's site \"%s\"",
                     ev->event_id, ev->site, device->site);
            rc = -EPERM;
            goto out;
        }
        sqlite3_stmt *st = stmt(s, ST_EVENT_INSERT);
        if (event_bind(st, 1, ev) || sqlite3_bind_int64(st, 15, device->id) ||
            sqlite3_bind_int64(st, 16, received)) {
            rc = fail(s, "binding an event", err, errlen);
            goto out;
        }
        char what[80];
        snprintf(what, sizeof what, "storing event %s", ev->event_id);
        if ((rc = run(s, st, what, err, errlen)))
            goto out;
        if (sqlite3_changes(s->db) == 0) {
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
        /* Only a newly stored event moves the hours: a duplicate applied
         * again would close or correct a visit twice. */
        rc = visits_apply(s->visits, ev, err, errlen);
        if (rc < 0) {
            rc = rc == -EIO ? fail(s, what, err, errlen) : rc;
            goto out;
        }
        if ((ev->kind == EVENT_CARD_ENROLLED || ev->kind == EVENT_CARD_REVOKED) &&
            (rc = set_card(s, ev, &change, err, errlen)))
            goto out;
    }
    sqlite3_stmt *seen = stmt(s, ST_DEVICE_SEEN);
    sqlite3_bind_int64(seen, 1, device->id);
    sqlite3_bind_int64(seen, 2, received);
    if ((rc = run(s, seen, "device last seen", err, errlen)))
        goto out;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

static int sqlite_status_put(struct central_store *store, int64_t device_id,
                             const struct central_status *status, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    int64_t now = now_us();
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    sqlite3_stmt *st = stmt(s, ST_STATUS_PUT);
    sqlite3_bind_int64(st, 1, device_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, status->software_version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, status->events_waiting);
    if (status->last_upload_us)
        sqlite3_bind_int64(st, 5, status->last_upload_us);
    if (status->last_error[0])
        sqlite3_bind_text(st, 6, status->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, status->reader_state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, status->clock_synced ? 1 : 0);
    const struct central_recovery *r = &status->recovery;
    if (r->reported) {
        sqlite3_bind_int64(st, 9, r->at_us);
        sqlite3_bind_int64(st, 10, r->backup_us);
        sqlite3_bind_int64(st, 11, r->skipped_backups);
        sqlite3_bind_text(st, 12, r->fetch, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 13, r->fetched_events);
    }
    if (status->events_refused >= 0)
        sqlite3_bind_int64(st, 14, status->events_refused);
    if (status->token_refused_us)
        sqlite3_bind_int64(st, 15, status->token_refused_us);
    if ((rc = run(s, st, "status", err, errlen)))
        goto out;
    sqlite3_stmt *seen = stmt(s, ST_DEVICE_SEEN);
    sqlite3_bind_int64(seen, 1, device_id);
    sqlite3_bind_int64(seen, 2, now);
    if ((rc = run(s, seen, "device last seen", err, errlen)))
        goto out;
    rc = commit(s, err, errlen);
out:
    if (rc)
        rollback(s);
    return rc;
}

/* ---- fetching events back ---- */

int central_sqlite_events_page(sqlite3 *db, sqlite3_stmt *st, const char *site, int64_t after,
                               size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                               int *more, char *err, size_t errlen)
{
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    /* One more than asked for tells whether another page follows. */
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit + 1);
    *cursor = after;
    *more = 0;
    size_t count = 0;
    int rc = 0, step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == limit) {
            *more = 1;
            break;
        }
        struct event ev;
        if ((rc = read_event(st, 1, "events", &ev, err, errlen)))
            break;
        *cursor = sqlite3_column_int64(st, 0);
        count++;
        rc = cb(ctx, &ev);
    }
    if (!rc && !*more && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "events", err, errlen);
    sqlite3_reset(st);
    return rc;
}

static int sqlite_events_after(struct central_store *store, const char *site, int64_t after,
                               size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                               int *more, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    return central_sqlite_events_page(s->db, stmt(s, ST_EVENTS_AFTER), site, after, limit, cb, ctx,
                                      cursor, more, err, errlen);
}

/* ---- roster ---- */

static int sqlite_roster_since(struct central_store *store, const char *site, int64_t since,
                               const struct central_roster_sink *sink, int64_t *cursor, int *full,
                               char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    /* One read transaction: the cursor and the rows come from the same
     * snapshot, so a change committed meanwhile is sent next time. */
    int rc = run(s, stmt(s, ST_BEGIN_READ), "begin", err, errlen);
    if (rc)
        return rc;
    sqlite3_stmt *st = stmt(s, ST_CHANGE_NOW);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        rc = fail(s, "roster cursor", err, errlen);
        goto out;
    }
    *cursor = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    /* A cursor from the future comes from another database (a restore):
     * start again from nothing. */
    if (since < 0 || since > *cursor)
        since = 0;
    *full = since == 0;

    st = stmt(s, ST_VOLUNTEERS_SINCE);
    sqlite3_bind_int64(st, 1, since);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_volunteer v;
        copy_column(st, 0, v.external_id, sizeof v.external_id);
        copy_column(st, 1, v.given_name, sizeof v.given_name);
        copy_column(st, 2, v.family_name, sizeof v.family_name);
        v.active = sqlite3_column_int(st, 3);
        copy_column(st, 4, v.confidentiality_signed, sizeof v.confidentiality_signed);
        copy_column(st, 5, v.police_valid_until, sizeof v.police_valid_until);
        v.confidentiality_undated = sqlite3_column_int(st, 6);
        v.police_undated = sqlite3_column_int(st, 7);
        rc = sink->volunteer(sink->ctx, &v);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "roster volunteers", err, errlen);
    sqlite3_reset(st);
    if (rc)
        goto out;

    st = stmt(s, ST_CARDS_SINCE);
    sqlite3_bind_int64(st, 1, since);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_card c;
        copy_column(st, 0, c.card_hash, sizeof c.card_hash);
        copy_column(st, 1, c.volunteer, sizeof c.volunteer);
        c.revoked = sqlite3_column_int(st, 2);
        rc = sink->card(sink->ctx, &c);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "roster cards", err, errlen);
    sqlite3_reset(st);
    if (rc)
        goto out;

    st = stmt(s, ST_ACTIVITIES_SINCE);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_activity a;
        central_sqlite_activity_row(st, &a);
        rc = sink->activity(sink->ctx, &a);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "roster activities", err, errlen);
    sqlite3_reset(st);
out:
    if (rc)
        rollback(s);
    else
        rc = commit(s, err, errlen);
    return rc;
}

static int bind_optional(sqlite3_stmt *st, int param, const char *text)
{
    return text[0] ? sqlite3_bind_text(st, param, text, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(st, param);
}

static int sqlite_roster_replace(struct central_store *store,
                                 const struct central_volunteer *volunteers, size_t count,
                                 size_t *changed, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *upsert = NULL, *seen = NULL, *retire = NULL;
    int64_t change = 0;
    *changed = 0;
    int rc = begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = next_change(s, &change, err, errlen)) ||
        (rc = exec(s->db,
                   "CREATE TEMP TABLE IF NOT EXISTS roster_seen (id TEXT PRIMARY KEY);"
                   "DELETE FROM roster_seen;",
                   "roster import", err, errlen)))
        goto out;
    /* The WHERE of the upsert keeps the change counter of unchanged rows,
     * so a daily re-import of the same file sends nothing to the kiosks. */
    if (sqlite3_prepare_v2(
            s->db,
            "INSERT INTO volunteer (external_id, given_name, family_name, active, "
            "confidentiality_signed, police_valid_until, confidentiality_undated, "
            "police_undated, changed) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?7) ON CONFLICT (external_id) DO UPDATE SET "
            "given_name = excluded.given_name, family_name = excluded.family_name, "
            "active = excluded.active, "
            "confidentiality_signed = excluded.confidentiality_signed, "
            "police_valid_until = excluded.police_valid_until, "
            "confidentiality_undated = excluded.confidentiality_undated, "
            "police_undated = excluded.police_undated, "
            "changed = excluded.changed WHERE "
            "given_name IS NOT excluded.given_name OR "
            "family_name IS NOT excluded.family_name OR "
            "active IS NOT excluded.active OR "
            "confidentiality_signed IS NOT excluded.confidentiality_signed OR "
            "police_valid_until IS NOT excluded.police_valid_until OR "
            "confidentiality_undated IS NOT excluded.confidentiality_undated OR "
            "police_undated IS NOT excluded.police_undated",
            -1, &upsert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO roster_seen VALUES (?1)", -1, &seen,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "UPDATE volunteer SET active = 0, changed = ?1 WHERE active = 1 "
                           "AND external_id NOT IN (SELECT id FROM roster_seen)",
                           -1, &retire, NULL) != SQLITE_OK) {
        rc = fail(s, "roster import", err, errlen);
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        const struct central_volunteer *v = &volunteers[i];
        sqlite3_reset(upsert);
        sqlite3_bind_text(upsert, 1, v->external_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(upsert, 2, v->given_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(upsert, 3, v->family_name, -1, SQLITE_STATIC);
        sqlite3_bind_int(upsert, 4, v->active ? 1 : 0);
        bind_optional(upsert, 5, v->confidentiality_signed);
        bind_optional(upsert, 6, v->police_valid_until);
        sqlite3_bind_int64(upsert, 7, change);
        sqlite3_bind_int(upsert, 8, v->confidentiality_undated ? 1 : 0);
        sqlite3_bind_int(upsert, 9, v->police_undated ? 1 : 0);
        char what[100];
        snprintf(what, sizeof what, "roster import, volunteer \"%s\"", v->external_id);
        if ((rc = run(s, upsert, what, err, errlen)))
            goto out;
        *changed += (size_t)sqlite3_changes(s->db);
        sqlite3_reset(seen);
        sqlite3_bind_text(seen, 1, v->external_id, -1, SQLITE_STATIC);
        if ((rc = run(s, seen, what, err, errlen)))
            goto out;
    }
    sqlite3_bind_int64(retire, 1, change);
    if ((rc = run(s, retire, "roster import, retiring volunteers", err, errlen)))
        goto out;
    *changed += (size_t)sqlite3_changes(s->db);
    rc = commit(s, err, errlen);
out:
    sqlite3_finalize(upsert);
    sqlite3_finalize(seen);
    sqlite3_finalize(retire);
    if (rc)
        rollback(s);
    return rc;
}

/* ---- reports ---- */

static int sqlite_totals(struct central_store *store, const char *from, const char *to,
                         enum central_group group, const char *sites_json, central_total_cb cb,
                         void *ctx, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
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
    sqlite3_stmt *st = stmt(s, which[group]);
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    if (sites_json)
        sqlite3_bind_text(st, 3, sites_json, -1, SQLITE_STATIC);
    struct central_period_split split;
    if (group == CENTRAL_GROUP_VOLUNTEER) {
        central_period_split(from, to, &split);
        const char *bounds[] = {split.months_from, split.months_to, split.head_from,
                                split.head_to,     split.tail_from, split.tail_to};
        for (int i = 0; i < 6; i++)
            sqlite3_bind_text(st, 4 + i, bounds[i], -1, SQLITE_STATIC);
    }
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_total t;
        memset(&t, 0, sizeof t);
        copy_column(st, 0, t.key, sizeof t.key);
        int n = sqlite3_column_count(st);
        t.seconds = sqlite3_column_int64(st, n - 2);
        t.visits = sqlite3_column_int64(st, n - 1);
        switch (group) {
        case CENTRAL_GROUP_SITE:
            copy_column(st, 1, t.label, sizeof t.label);
            copy_column(st, 2, t.site_kind, sizeof t.site_kind);
            break;
        case CENTRAL_GROUP_ACTIVITY: {
            copy_column(st, 1, t.label, sizeof t.label);
            char date[16], site[CENTRAL_NAME_MAX];
            copy_column(st, 2, date, sizeof date);
            copy_column(st, 3, site, sizeof site);
            if (date[0])
                snprintf(t.detail, sizeof t.detail, "%s, %.100s", date, site);
            break;
        }
        case CENTRAL_GROUP_VOLUNTEER:
            copy_column(st, 1, t.label, sizeof t.label);
            break;
        case CENTRAL_GROUP_MONTH:
            break;
        }
        if ((result = cb(ctx, &t)))
            break;
    }
    if (!result && rc != SQLITE_DONE)
        result = fail(s, "report", err, errlen);
    sqlite3_reset(st);
    return result;
}

static int sqlite_reviews(struct central_store *store, int limit, central_review_cb cb, void *ctx,
                          char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_REVIEWS);
    sqlite3_bind_int(st, 1, limit);
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_review r;
        copy_column(st, 0, r.site, sizeof r.site);
        copy_column(st, 1, r.site_name, sizeof r.site_name);
        copy_column(st, 2, r.volunteer, sizeof r.volunteer);
        copy_column(st, 3, r.volunteer_name, sizeof r.volunteer_name);
        r.start_us = sqlite3_column_int64(st, 4);
        r.end_us = sqlite3_column_int64(st, 5);
        if ((result = cb(ctx, &r)))
            break;
    }
    if (!result && rc != SQLITE_DONE)
        result = fail(s, "reviews", err, errlen);
    sqlite3_reset(st);
    return result;
}

static int sqlite_volunteer_sites(struct central_store *store, const char *from, const char *to,
                                  central_volunteer_site_cb cb, void *ctx, char *err,
                                  size_t errlen)
{
    struct sqlite_store *s = cast(store);
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_SITES);
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_volunteer_site row;
        memset(&row, 0, sizeof row);
        copy_column(st, 0, row.volunteer, sizeof row.volunteer);
        copy_column(st, 1, row.name, sizeof row.name);
        copy_column(st, 2, row.site, sizeof row.site);
        copy_column(st, 3, row.site_name, sizeof row.site_name);
        row.seconds = sqlite3_column_int64(st, 4);
        row.visits = sqlite3_column_int64(st, 5);
        row.first_us = sqlite3_column_int64(st, 6);
        row.last_us = sqlite3_column_int64(st, 7);
        if ((result = cb(ctx, &row)))
            break;
    }
    if (!result && rc != SQLITE_DONE)
        result = fail(s, "volunteer visits", err, errlen);
    sqlite3_reset(st);
    return result;
}

/* ---- a volunteer's data, on request ---- */

/* 0 when the central keeps anything of the volunteer, -ENOENT when not. */
static int volunteer_known(struct sqlite_store *s, const char *external_id, char *err,
                           size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_KNOWN);
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int result = rc != SQLITE_ROW                 ? fail(s, "looking up a volunteer", err, errlen)
                 : sqlite3_column_int(st, 0) != 0 ? 0
                                                  : -ENOENT;
    sqlite3_reset(st);
    if (result == -ENOENT)
        snprintf(err, errlen,
                 "volunteer \"%s\": the central has no roster row, card or event of them",
                 external_id);
    return result;
}

static int export_roster_row(struct sqlite_store *s, const char *external_id,
                             const struct central_volunteer_sink *sink, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_GET);
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        struct central_volunteer v;
        copy_column(st, 0, v.external_id, sizeof v.external_id);
        copy_column(st, 1, v.given_name, sizeof v.given_name);
        copy_column(st, 2, v.family_name, sizeof v.family_name);
        v.active = sqlite3_column_int(st, 3);
        copy_column(st, 4, v.confidentiality_signed, sizeof v.confidentiality_signed);
        copy_column(st, 5, v.police_valid_until, sizeof v.police_valid_until);
        v.confidentiality_undated = sqlite3_column_int(st, 6);
        v.police_undated = sqlite3_column_int(st, 7);
        rc = sink->volunteer(sink->ctx, &v);
    } else if (step != SQLITE_DONE) {
        rc = fail(s, "export, roster row", err, errlen);
    }
    sqlite3_reset(st);
    return rc;
}

static int export_cards(struct sqlite_store *s, const char *external_id,
                        const struct central_volunteer_sink *sink, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_CARDS);
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_card c;
        copy_column(st, 0, c.card_hash, sizeof c.card_hash);
        copy_column(st, 1, c.volunteer, sizeof c.volunteer);
        c.revoked = sqlite3_column_int(st, 2);
        rc = sink->card(sink->ctx, &c);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "export, cards", err, errlen);
    sqlite3_reset(st);
    return rc;
}

static int export_events(struct sqlite_store *s, const char *external_id,
                         const struct central_volunteer_sink *sink, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_EVENTS);
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct event ev;
        if ((rc = read_event(st, 0, "export", &ev, err, errlen)))
            break;
        rc = sink->event(sink->ctx, &ev);
    }
    if (!rc && step != SQLITE_DONE)
        rc = fail(s, "export, events", err, errlen);
    sqlite3_reset(st);
    return rc;
}

static int volunteer_hours(struct sqlite_store *s, const char *external_id, int64_t *seconds,
                           int64_t *visits, char *err, size_t errlen)
{
    sqlite3_stmt *st = stmt(s, ST_VOLUNTEER_HOURS);
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *seconds = sqlite3_column_int64(st, 0);
        *visits = sqlite3_column_int64(st, 1);
    } else {
        rc = fail(s, "export, hours", err, errlen);
    }
    sqlite3_reset(st);
    return rc;
}

static int sqlite_volunteer_export(struct central_store *store, const char *external_id,
                                   const struct central_volunteer_sink *sink, int64_t *seconds,
                                   int64_t *visits, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
    *seconds = *visits = 0;
    /* One read transaction: an upload meanwhile cannot make the events and
     * the hours disagree. */
    int rc = run(s, stmt(s, ST_BEGIN_READ), "begin", err, errlen);
    if (rc)
        return rc;
    rc = volunteer_known(s, external_id, err, errlen);
    if (!rc)
        rc = export_roster_row(s, external_id, sink, err, errlen);
    if (!rc)
        rc = export_cards(s, external_id, sink, err, errlen);
    if (!rc)
        rc = export_events(s, external_id, sink, err, errlen);
    if (!rc)
        rc = volunteer_hours(s, external_id, seconds, visits, err, errlen);
    if (rc)
        rollback(s);
    else
        rc = commit(s, err, errlen);
    return rc;
}

static int sqlite_volunteer_forget(struct central_store *store, const char *external_id,
                                   struct central_erasure *erased, char *err, size_t errlen)
{
    struct sqlite_store *s = cast(store);
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
        sqlite3_stmt *st = stmt(s, steps[i].which);
        sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
        if ((rc = run(s, st, steps[i].what, err, errlen)))
            goto out;
        int64_t changes = sqlite3_changes64(s->db);
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

static const struct central_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .device_auth = sqlite_device_auth,
    .ingest = sqlite_ingest,
    .roster_since = sqlite_roster_since,
    .events_after = sqlite_events_after,
    .status_put = sqlite_status_put,
    .totals = sqlite_totals,
    .reviews = sqlite_reviews,
    .volunteer_sites = sqlite_volunteer_sites,
    .site_add = sqlite_site_add,
    .sites = sqlite_sites,
    .site_get = sqlite_site_get,
    .device_add = sqlite_device_add,
    .device_revoke = sqlite_device_revoke,
    .devices = sqlite_devices,
    .admin_add = sqlite_admin_add,
    .admin_revoke = sqlite_admin_revoke,
    .admin_auth = sqlite_admin_auth,
    .roster_replace = sqlite_roster_replace,
    .activity_add = sqlite_activity_add,
    .plan_add = sqlite_plan_add,
    .occurrence_change = sqlite_occurrence_change,
    .plans = sqlite_plans,
    .plan_import = central_sqlite_plan_import,
    .activities = central_sqlite_activities,
    .opening_set = central_sqlite_opening_set,
    .openings = central_sqlite_openings,
    .volunteer_export = sqlite_volunteer_export,
    .volunteer_forget = sqlite_volunteer_forget,
    .web = &central_sqlite_web_ops,
    .mail = &central_sqlite_mail_ops,
    .review = &central_sqlite_review_ops,
};
