/* The SQLite backend's operations for the web app (store_web.h). These run
 * a few times per page a person opens, not per kiosk event, so each
 * statement is prepared when it runs rather than kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <jansson.h>

#include "namesearch.h"
#include "store_sqlite.h"

static int64_t web_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The database's last failure as a negative errno, with its message. */
static int web_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    int extended = sqlite3_extended_errcode(db);
    int code = extended & 0xff;
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
    if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
        return -ENOENT;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return -EBUSY;
    if (code == SQLITE_CONSTRAINT)
        return -EEXIST;
    return -EIO;
}

static int prepare(sqlite3 *db, const char *sql, const char *what, sqlite3_stmt **st, char *err,
                   size_t errlen)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return web_fail(db, what, err, errlen);
    return 0;
}

/* Steps a statement to its end: 0, or the failure. */
static int finish(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int result = rc == SQLITE_DONE ? 0 : web_fail(db, what, err, errlen);
    sqlite3_finalize(st);
    return result;
}

static void text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *value = sqlite3_column_text(st, col);
    snprintf(out, cap, "%s", value ? (const char *)value : "");
}

#define USER_COLUMNS                                                                               \
    "id, name, role, lang, password_hash, setup_expires_us, created_us, revoked_us, email, "       \
    "monthly_mail, full_name"

static int read_sites(sqlite3 *db, struct central_user *user, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT site FROM web_user_site WHERE user = ?1 ORDER BY site",
                     "user sites", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user->id);
    user->site_count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (user->site_count < CENTRAL_USER_SITES_MAX)
            text(st, 0, user->sites[user->site_count++], EVENT_KEY_MAX);
    int result = rc == SQLITE_DONE ? 0 : web_fail(db, "user sites", err, errlen);
    sqlite3_finalize(st);
    return result;
}

static void read_user(sqlite3_stmt *st, struct central_user *user)
{
    memset(user, 0, sizeof *user);
    user->id = sqlite3_column_int64(st, 0);
    text(st, 1, user->name, sizeof user->name);
    char role[16];
    text(st, 2, role, sizeof role);
    user->role = central_role_of(role);
    text(st, 3, user->lang, sizeof user->lang);
    text(st, 4, user->password_hash, sizeof user->password_hash);
    user->setup_expires_us = sqlite3_column_int64(st, 5);
    user->created_us = sqlite3_column_int64(st, 6);
    user->revoked_us = sqlite3_column_int64(st, 7);
    text(st, 8, user->email, sizeof user->email);
    user->monthly_mail = sqlite3_column_int(st, 9);
    text(st, 10, user->full_name, sizeof user->full_name);
}

/* One account from a statement whose first columns are USER_COLUMNS. */
static int one_user(sqlite3 *db, sqlite3_stmt *st, const char *what, struct central_user *user,
                    char *err, size_t errlen)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, user);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s: no such account", what);
        rc = -ENOENT;
    } else {
        rc = web_fail(db, what, err, errlen);
    }
    sqlite3_finalize(st);
    return rc ? rc : read_sites(db, user, err, errlen);
}

static int exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return web_fail(db, what, err, errlen);
    return 0;
}

static void rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int sqlite_user_add(struct central_store *store, const struct central_user *user,
                           const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                           size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", "user add", err, errlen);
    if (rc)
        return rc;
    if ((rc = prepare(db,
                      "INSERT INTO web_user (name, role, lang, setup_hash, setup_expires_us, "
                      "created_us, full_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      "user add", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, user->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, central_role_name(user->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, user->lang[0] ? user->lang : "nb", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, setup_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, setup_expires_us);
    sqlite3_bind_int64(st, 6, web_now_us());
    sqlite3_bind_text(st, 7, user->full_name, -1, SQLITE_STATIC);
    if ((rc = finish(db, st, "user add", err, errlen))) {
        if (rc == -EEXIST)
            snprintf(err, errlen, "an account named \"%s\" exists already", user->name);
        goto out;
    }
    int64_t id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < user->site_count; i++) {
        if ((rc = prepare(db, "INSERT OR IGNORE INTO web_user_site (user, site) VALUES (?1, ?2)",
                          "user site", &st, err, errlen)))
            goto out;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, user->sites[i], -1, SQLITE_STATIC);
        if ((rc = finish(db, st, "user site", err, errlen))) {
            if (rc == -ENOENT)
                snprintf(err, errlen, "no site \"%s\" (see site list)", user->sites[i]);
            goto out;
        }
    }
    rc = exec(db, "COMMIT", "user add", err, errlen);
out:
    if (rc)
        rollback(db);
    return rc;
}

static int sqlite_user_relink(struct central_store *store, const char *name,
                              const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "UPDATE web_user SET setup_hash = ?2, setup_expires_us = ?3 "
                     "WHERE name = ?1 AND revoked_us IS NULL",
                     "user link", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, setup_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, setup_expires_us);
    if ((rc = finish(db, st, "user link", err, errlen)))
        return rc;
    if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no active account named \"%s\"", name);
        return -ENOENT;
    }
    return 0;
}

static int sqlite_user_get(struct central_store *store, const char *name, struct central_user *user,
                           char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT " USER_COLUMNS " FROM web_user WHERE name = ?1", "user get", &st,
                     err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return one_user(db, st, "user get", user, err, errlen);
}

static int sqlite_users(struct central_store *store, central_user_cb cb, void *ctx, char *err,
                        size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT " USER_COLUMNS " FROM web_user ORDER BY name", "users", &st, err,
                     errlen);
    if (rc)
        return rc;
    struct central_user user;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_user(st, &user);
        if ((rc = read_sites(db, &user, err, errlen)) || (rc = cb(ctx, &user)))
            break;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc == SQLITE_ROW || rc > 0)
        rc = web_fail(db, "users", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_user_revoke(struct central_store *store, const char *name, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", "user revoke", err, errlen);
    if (rc)
        return rc;
    if ((rc = prepare(db,
                      "UPDATE web_user SET revoked_us = ?2, setup_hash = NULL "
                      "WHERE name = ?1 AND revoked_us IS NULL",
                      "user revoke", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, web_now_us());
    if ((rc = finish(db, st, "user revoke", err, errlen)))
        goto out;
    if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no active account named \"%s\"", name);
        rc = -ENOENT;
        goto out;
    }
    if ((rc = prepare(db,
                      "DELETE FROM web_session WHERE user = (SELECT id FROM web_user "
                      "WHERE name = ?1)",
                      "user revoke", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if ((rc = finish(db, st, "user revoke", err, errlen)))
        goto out;
    rc = exec(db, "COMMIT", "user revoke", err, errlen);
out:
    if (rc)
        rollback(db);
    return rc;
}

static int sqlite_user_setup_find(struct central_store *store, const unsigned char *setup_hash,
                                  struct central_user *user, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT " USER_COLUMNS " FROM web_user WHERE setup_hash = ?1 "
                     "AND setup_expires_us > ?2 AND revoked_us IS NULL",
                     "set-up link", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, setup_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, web_now_us());
    return one_user(db, st, "set-up link", user, err, errlen);
}

static int sqlite_user_setup_use(struct central_store *store, const unsigned char *setup_hash,
                                 const char *password_hash, struct central_user *user, char *err,
                                 size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", "set-up link", err, errlen);
    if (rc)
        return rc;
    if ((rc = prepare(db,
                      "UPDATE web_user SET password_hash = ?3, setup_hash = NULL, "
                      "setup_expires_us = NULL WHERE setup_hash = ?1 AND setup_expires_us > ?2 "
                      "AND revoked_us IS NULL RETURNING " USER_COLUMNS,
                      "set-up link", &st, err, errlen)))
        goto out;
    sqlite3_bind_blob(st, 1, setup_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, web_now_us());
    sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_STATIC);
    if ((rc = one_user(db, st, "set-up link", user, err, errlen)))
        goto out;
    if ((rc = prepare(db, "DELETE FROM web_session WHERE user = ?1", "set-up link", &st, err,
                      errlen)))
        goto out;
    sqlite3_bind_int64(st, 1, user->id);
    if ((rc = finish(db, st, "set-up link", err, errlen)))
        goto out;
    rc = exec(db, "COMMIT", "set-up link", err, errlen);
out:
    if (rc)
        rollback(db);
    return rc;
}

static int sqlite_user_set_lang(struct central_store *store, int64_t user_id, const char *lang,
                                char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc =
        prepare(db, "UPDATE web_user SET lang = ?2 WHERE id = ?1", "language", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
    return finish(db, st, "language", err, errlen);
}

static int sqlite_user_set_full_name(struct central_store *store, const char *name,
                                     const char *full_name, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "UPDATE web_user SET full_name = ?2 WHERE name = ?1", "full name", &st,
                     err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, full_name, -1, SQLITE_STATIC);
    if ((rc = finish(db, st, "full name", err, errlen)))
        return rc;
    if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no account named \"%s\"", name);
        return -ENOENT;
    }
    return 0;
}

static int sqlite_session_add(struct central_store *store, const unsigned char *id_hash,
                              int64_t user_id, const char *csrf, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "INSERT INTO web_session (id_hash, user, csrf, created_us, last_us) "
                     "VALUES (?1, ?2, ?3, ?4, ?4)",
                     "session", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, web_now_us());
    return finish(db, st, "session", err, errlen);
}

static int sqlite_session_delete(struct central_store *store, const unsigned char *id_hash,
                                 char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc =
        prepare(db, "DELETE FROM web_session WHERE id_hash = ?1", "sign-out", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    return finish(db, st, "sign-out", err, errlen);
}

static int sqlite_session_get(struct central_store *store, const unsigned char *id_hash,
                              int64_t idle_us, struct central_user *user, char *csrf, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int64_t now = web_now_us();
    /* An idle session is not touched: it stays dead and is deleted below. */
    int rc = prepare(db,
                     "UPDATE web_session SET last_us = ?3 WHERE id_hash = ?1 AND last_us >= ?2 "
                     "RETURNING user, csrf",
                     "session", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now - idle_us);
    sqlite3_bind_int64(st, 3, now);
    int64_t user_id = 0;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        user_id = sqlite3_column_int64(st, 0);
        text(st, 1, csrf, CENTRAL_CSRF_MAX);
        while (sqlite3_step(st) == SQLITE_ROW)
            ;
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : web_fail(db, "session", err, errlen);
    }
    sqlite3_finalize(st);
    if (rc == 0) {
        if ((rc = prepare(db,
                          "SELECT " USER_COLUMNS " FROM web_user WHERE id = ?1 AND "
                          "revoked_us IS NULL",
                          "session", &st, err, errlen)))
            return rc;
        sqlite3_bind_int64(st, 1, user_id);
        rc = one_user(db, st, "session", user, err, errlen);
    }
    if (rc == -ENOENT) {
        snprintf(err, errlen, "no such session, or it has expired");
        char ignored[128];
        sqlite_session_delete(store, id_hash, ignored, sizeof ignored);
    }
    return rc;
}

static int sqlite_login_failures(struct central_store *store, const char *key, int64_t *failures,
                                 int64_t *last_us, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT failures, last_us FROM web_login_failure WHERE key = ?1",
                     "sign-in attempts", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    *failures = *last_us = 0;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *failures = sqlite3_column_int64(st, 0);
        *last_us = sqlite3_column_int64(st, 1);
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : web_fail(db, "sign-in attempts", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_login_failure(struct central_store *store, const char *key, int clear, char *err,
                                size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     clear ? "DELETE FROM web_login_failure WHERE key = ?1"
                           : "INSERT INTO web_login_failure (key, failures, last_us) "
                             "VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
                             "failures = failures + 1, last_us = excluded.last_us",
                     "sign-in attempts", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (!clear)
        sqlite3_bind_int64(st, 2, web_now_us());
    return finish(db, st, "sign-in attempts", err, errlen);
}

static int sqlite_audit_add_many(struct central_store *store, const struct central_audit *audits,
                                 size_t count, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", "audit", err, errlen);
    if (rc)
        return rc;
    if ((rc = prepare(db,
                      "INSERT INTO audit (at_us, actor, action, subject, detail) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
                      "audit", &st, err, errlen)))
        goto out;
    for (size_t i = 0; i < count; i++) {
        const struct central_audit *audit = &audits[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, audit->at_us ? audit->at_us : web_now_us());
        sqlite3_bind_text(st, 2, audit->actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, audit->action, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, audit->subject, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, audit->detail, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = web_fail(db, "audit", err, errlen);
            goto out;
        }
    }
    rc = exec(db, "COMMIT", "audit", err, errlen);
out:
    sqlite3_finalize(st);
    if (rc)
        rollback(db);
    return rc;
}

static int sqlite_audit_add(struct central_store *store, const struct central_audit *audit,
                            char *err, size_t errlen)
{
    return sqlite_audit_add_many(store, audit, 1, err, errlen);
}

/* ---- uploads ---- */

static int sqlite_upload_put(struct central_store *store, const unsigned char *session_hash,
                             const unsigned char *id_hash, const struct central_upload *upload,
                             int64_t keep_us, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int64_t now = web_now_us();
    int rc = exec(db, "BEGIN IMMEDIATE", "upload", err, errlen);
    if (rc)
        return rc;
    if ((rc = prepare(db, "DELETE FROM web_upload WHERE session = ?1 OR created_us < ?2", "upload",
                      &st, err, errlen)))
        goto out;
    sqlite3_bind_blob(st, 1, session_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now - keep_us);
    if ((rc = finish(db, st, "upload", err, errlen)))
        goto out;
    if ((rc = prepare(db,
                      "INSERT INTO web_upload (id_hash, session, created_us, name, data, added, "
                      "changed, inactive) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                      "upload", &st, err, errlen)))
        goto out;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, session_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_text(st, 4, upload->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 5, upload->data, upload->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)upload->added);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)upload->changed);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)upload->inactive);
    if ((rc = finish(db, st, "upload", err, errlen)))
        goto out;
    rc = exec(db, "COMMIT", "upload", err, errlen);
out:
    if (rc)
        rollback(db);
    return rc;
}

static int sqlite_upload_get(struct central_store *store, const unsigned char *session_hash,
                             const unsigned char *id_hash, int64_t keep_us,
                             struct central_upload *upload, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    memset(upload, 0, sizeof *upload);
    int rc = prepare(db,
                     "SELECT created_us, name, data, added, changed, inactive FROM web_upload "
                     "WHERE id_hash = ?1 AND session = ?2 AND created_us >= ?3",
                     "upload", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, session_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, web_now_us() - keep_us);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        upload->created_us = sqlite3_column_int64(st, 0);
        text(st, 1, upload->name, sizeof upload->name);
        upload->len = (size_t)sqlite3_column_bytes(st, 2);
        upload->data = malloc(upload->len + 1);
        upload->added = (size_t)sqlite3_column_int64(st, 3);
        upload->changed = (size_t)sqlite3_column_int64(st, 4);
        upload->inactive = (size_t)sqlite3_column_int64(st, 5);
        if (upload->data) {
            if (upload->len)
                memcpy(upload->data, sqlite3_column_blob(st, 2), upload->len);
            rc = 0;
        } else {
            snprintf(err, errlen, "upload: out of memory");
            rc = -ENOMEM;
        }
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "no such upload for this session");
        rc = -ENOENT;
    } else {
        rc = web_fail(db, "upload", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_upload_delete(struct central_store *store, const unsigned char *id_hash,
                                char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "DELETE FROM web_upload WHERE id_hash = ?1", "upload", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_blob(st, 1, id_hash, CENTRAL_TOKEN_HASH_BYTES, SQLITE_STATIC);
    return finish(db, st, "upload", err, errlen);
}

/* Walks a prepared statement's rows through read(), which fills a row and
 * calls the page's callback. */
typedef int (*row_fn)(sqlite3_stmt *st, void *cb, void *ctx);

static int walk(sqlite3 *db, sqlite3_stmt *st, const char *what, row_fn row, void *cb, void *ctx,
                char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = row(st, cb, ctx)))
            break;
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = web_fail(db, what, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int audit_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_audit audit;
    audit.at_us = sqlite3_column_int64(st, 0);
    text(st, 1, audit.actor, sizeof audit.actor);
    text(st, 2, audit.action, sizeof audit.action);
    text(st, 3, audit.subject, sizeof audit.subject);
    text(st, 4, audit.detail, sizeof audit.detail);
    return ((central_audit_cb)cb)(ctx, &audit);
}

static int sqlite_audits(struct central_store *store, size_t limit, central_audit_cb cb, void *ctx,
                         char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT at_us, actor, action, subject, detail FROM audit "
                     "ORDER BY id DESC LIMIT ?1",
                     "audit", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    return walk(db, st, "audit", audit_row, (void *)cb, ctx, err, errlen);
}

static int presence_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_presence p;
    text(st, 0, p.volunteer, sizeof p.volunteer);
    text(st, 1, p.name, sizeof p.name);
    p.since_us = sqlite3_column_int64(st, 2);
    text(st, 3, p.activity, sizeof p.activity);
    return ((central_presence_cb)cb)(ctx, &p);
}

static int sqlite_present(struct central_store *store, const char *site, central_presence_cb cb,
                          void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT v.volunteer, coalesce(r.given_name || ' ' || r.family_name, ''), "
                     "v.start_us, coalesce(a.title, '') FROM visit v "
                     "LEFT JOIN volunteer r ON r.external_id = v.volunteer "
                     "LEFT JOIN activity a ON a.id = v.activity "
                     "WHERE v.site = ?1 AND v.end_us IS NULL ORDER BY v.start_us",
                     "who is here", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    return walk(db, st, "who is here", presence_row, (void *)cb, ctx, err, errlen);
}

#define VOLUNTEER_COLUMNS                                                                          \
    "external_id, given_name, family_name, active, coalesce(confidentiality_signed, ''), "         \
    "coalesce(police_valid_until, ''), confidentiality_undated, police_undated"

static void read_volunteer(sqlite3_stmt *st, struct central_volunteer *v)
{
    memset(v, 0, sizeof *v);
    text(st, 0, v->external_id, sizeof v->external_id);
    text(st, 1, v->given_name, sizeof v->given_name);
    text(st, 2, v->family_name, sizeof v->family_name);
    v->active = sqlite3_column_int(st, 3);
    text(st, 4, v->confidentiality_signed, sizeof v->confidentiality_signed);
    text(st, 5, v->police_valid_until, sizeof v->police_valid_until);
    v->confidentiality_undated = sqlite3_column_int(st, 6);
    v->police_undated = sqlite3_column_int(st, 7);
}

static int volunteer_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_volunteer v;
    read_volunteer(st, &v);
    return ((central_volunteer_cb)cb)(ctx, &v);
}

/* tilstede_fold(text): namesearch_fold, the kiosk's one definition of
 * "the same letter", so "øy" finds "Øystein" (SQLite's lower() folds
 * ASCII only). */
static void fold_function(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *in = (const char *)sqlite3_value_text(argv[0]);
    if (!in) {
        sqlite3_result_null(context);
        return;
    }
    size_t cap = NAMESEARCH_FOLD_GROWTH * strlen(in) + 1;
    char *out = sqlite3_malloc64(cap);
    if (!out) {
        sqlite3_result_error_nomem(context);
        return;
    }
    namesearch_fold(in, out, cap);
    sqlite3_result_text(context, out, -1, sqlite3_free);
}

/* COLLATE tilstede_nb: Norwegian order (a..z, æ, ø, å) on folded text. */
static int collate_nb(void *ctx, int len_a, const void *a, int len_b, const void *b)
{
    (void)ctx;
    char text_a[2 * CENTRAL_NAME_MAX], text_b[2 * CENTRAL_NAME_MAX];
    char fold_a[NAMESEARCH_FOLD_GROWTH * sizeof text_a], fold_b[sizeof fold_a];
    snprintf(text_a, sizeof text_a, "%.*s", len_a, (const char *)a);
    snprintf(text_b, sizeof text_b, "%.*s", len_b, (const char *)b);
    namesearch_fold(text_a, fold_a, sizeof fold_a);
    namesearch_fold(text_b, fold_b, sizeof fold_b);
    int order = namesearch_collate(fold_a, fold_b);
    return order ? order : strcmp(text_a, text_b);
}

int central_sqlite_web_open(sqlite3 *db, char *err, size_t errlen)
{
    if (sqlite3_create_function_v2(db, "tilstede_fold", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   fold_function, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_create_collation_v2(db, "tilstede_nb", SQLITE_UTF8, NULL, collate_nb, NULL) !=
            SQLITE_OK)
        return web_fail(db, "registering the name search", err, errlen);
    return 0;
}

/* The sites as a JSON array, for json_each() in a bound parameter. */
static char *site_list_json(const char (*sites)[EVENT_KEY_MAX], size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < count; i++)
        if (json_array_append_new(array, json_string(sites[i]))) {
            json_decref(array);
            return NULL;
        }
    char *text = array ? json_dumps(array, JSON_COMPACT) : NULL;
    json_decref(array);
    return text;
}

static int sqlite_volunteers(struct central_store *store,
                             const struct central_volunteer_filter *filter, central_volunteer_cb cb,
                             void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    char *sites = NULL, *search = NULL;
    /* "Has been at": any event there (a visit, a card enrolled at its
     * kiosk). The IN (subquery) runs once per statement over the site's
     * events (index event_site), not once per volunteer. */
    int rc = prepare(
        db,
        "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE "
        "(?1 = '' OR instr(tilstede_fold(given_name || ' ' || family_name), ?1) > 0 "
        " OR instr(tilstede_fold(external_id), ?1) > 0) AND (?2 < 0 OR active = ?2) AND "
        "(?3 = '' OR external_id IN (SELECT volunteer FROM event WHERE site = ?3)) AND "
        "(?5 IS NULL OR external_id IN (SELECT volunteer FROM event WHERE site IN "
        " (SELECT value FROM json_each(?5)))) AND (?6 = '' OR external_id = ?6) AND "
        "(?7 = 0 OR (?7 = 1 AND ((confidentiality_signed IS NULL AND confidentiality_undated = 0) "
        "  OR (police_valid_until IS NULL AND police_undated = 0) OR police_valid_until < ?8)) "
        " OR (?7 = 2 AND police_valid_until BETWEEN ?8 AND ?9)) "
        "ORDER BY family_name COLLATE tilstede_nb, given_name COLLATE tilstede_nb, external_id "
        "LIMIT ?4",
        "volunteers", &st, err, errlen);
    if (rc)
        return rc;
    const char *text = filter->search ? filter->search : "";
    size_t cap = NAMESEARCH_FOLD_GROWTH * strlen(text) + 1;
    if (!(search = malloc(cap)) ||
        (filter->limited && !(sites = site_list_json(filter->sites, filter->site_count)))) {
        snprintf(err, errlen, "volunteers: out of memory");
        sqlite3_finalize(st);
        rc = -ENOMEM;
        goto out;
    }
    namesearch_fold(text, search, cap);
    sqlite3_bind_text(st, 1, search, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, filter->active);
    sqlite3_bind_text(st, 3, filter->site ? filter->site : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, filter->limit ? (sqlite3_int64)filter->limit : -1);
    if (sites)
        sqlite3_bind_text(st, 5, sites, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, filter->external_id ? filter->external_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, (int)filter->papers);
    sqlite3_bind_text(st, 8, filter->today ? filter->today : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, filter->until ? filter->until : "", -1, SQLITE_STATIC);
    rc = walk(db, st, "volunteers", volunteer_row, (void *)cb, ctx, err, errlen);
out:
    free(search);
    free(sites);
    return rc;
}

static int sqlite_volunteer_get(struct central_store *store, const char *external_id,
                                struct central_volunteer *volunteer, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE external_id = ?1",
                     "volunteer", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_volunteer(st, volunteer);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "no volunteer with that id on the roster");
        rc = -ENOENT;
    } else {
        rc = web_fail(db, "volunteer", err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int card_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_card card;
    text(st, 0, card.card_hash, sizeof card.card_hash);
    text(st, 1, card.volunteer, sizeof card.volunteer);
    card.revoked = sqlite3_column_int(st, 2);
    return ((central_card_cb)cb)(ctx, &card);
}

static int sqlite_volunteer_cards(struct central_store *store, const char *external_id,
                                  central_card_cb cb, void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT card_hash, volunteer, revoked FROM card WHERE volunteer = ?1 "
                     "ORDER BY revoked, at_us DESC",
                     "cards", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    return walk(db, st, "cards", card_row, (void *)cb, ctx, err, errlen);
}

static int visit_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_visit visit;
    text(st, 0, visit.site, sizeof visit.site);
    text(st, 1, visit.site_name, sizeof visit.site_name);
    visit.start_us = sqlite3_column_int64(st, 2);
    visit.end_us = sqlite3_column_int64(st, 3);
    text(st, 4, visit.day, sizeof visit.day);
    visit.seconds = sqlite3_column_int64(st, 5);
    text(st, 6, visit.activity, sizeof visit.activity);
    return ((central_visit_cb)cb)(ctx, &visit);
}

static int sqlite_volunteer_visits(struct central_store *store, const char *external_id,
                                   const char *site, size_t limit, central_visit_cb cb, void *ctx,
                                   char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT v.site, coalesce(s.name, v.site), v.start_us, coalesce(v.end_us, 0), "
                     "v.start_day, CASE WHEN v.end_us IS NULL THEN 0 ELSE " ROUNDED("v") " END, "
                     "coalesce(a.title, '') FROM visit v JOIN setting r "
                     "LEFT JOIN site s ON s.id = v.site LEFT JOIN activity a ON a.id = v.activity "
                     "WHERE v.volunteer = ?1 AND (?2 = '' OR v.site = ?2) "
                     "ORDER BY v.start_us DESC LIMIT ?3",
                     "visits", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, site ? site : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
    return walk(db, st, "visits", visit_row, (void *)cb, ctx, err, errlen);
}

static int note_row(sqlite3_stmt *st, void *cb, void *ctx)
{
    struct central_note note;
    note.at_us = sqlite3_column_int64(st, 0);
    text(st, 1, note.author, sizeof note.author);
    text(st, 2, note.text, sizeof note.text);
    return ((central_note_cb)cb)(ctx, &note);
}

static int sqlite_notes(struct central_store *store, const char *external_id, central_note_cb cb,
                        void *ctx, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "SELECT at_us, author, text FROM volunteer_note WHERE volunteer = ?1 "
                     "ORDER BY at_us DESC",
                     "notes", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    return walk(db, st, "notes", note_row, (void *)cb, ctx, err, errlen);
}

static int sqlite_note_add(struct central_store *store, const char *external_id,
                           const struct central_note *note, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = prepare(db,
                     "INSERT INTO volunteer_note (volunteer, at_us, author, text) "
                     "VALUES (?1, ?2, ?3, ?4)",
                     "note", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, note->at_us ? note->at_us : web_now_us());
    sqlite3_bind_text(st, 3, note->author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, note->text, -1, SQLITE_STATIC);
    return finish(db, st, "note", err, errlen);
}

static int sqlite_card_revoke(struct central_store *store, const char *external_id,
                              const char *card_hash, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st = NULL;
    int rc = exec(db, "BEGIN IMMEDIATE", "card revoke", err, errlen);
    if (rc)
        return rc;
    /* A new roster change number, so every kiosk's next roster poll
     * carries the revoked card. */
    if ((rc = prepare(db,
                      "UPDATE card SET revoked = 1, at_us = max(at_us, ?3), changed = "
                      "(SELECT value + 1 FROM roster_change) WHERE card_hash = ?2 "
                      "AND volunteer = ?1 AND revoked = 0",
                      "card revoke", &st, err, errlen)))
        goto out;
    sqlite3_bind_text(st, 1, external_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, card_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, web_now_us());
    if ((rc = finish(db, st, "card revoke", err, errlen)))
        goto out;
    if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "the volunteer has no such card in use");
        rc = -ENOENT;
        goto out;
    }
    if ((rc = exec(db, "UPDATE roster_change SET value = value + 1", "card revoke", err, errlen)))
        goto out;
    rc = exec(db, "COMMIT", "card revoke", err, errlen);
out:
    if (rc)
        rollback(db);
    return rc;
}

const struct central_store_web_ops central_sqlite_web_ops = {
    .user_add = sqlite_user_add,
    .user_relink = sqlite_user_relink,
    .user_get = sqlite_user_get,
    .users = sqlite_users,
    .user_revoke = sqlite_user_revoke,
    .user_setup_find = sqlite_user_setup_find,
    .user_setup_use = sqlite_user_setup_use,
    .user_set_lang = sqlite_user_set_lang,
    .user_set_full_name = sqlite_user_set_full_name,
    .session_add = sqlite_session_add,
    .session_get = sqlite_session_get,
    .session_delete = sqlite_session_delete,
    .login_failures = sqlite_login_failures,
    .login_failure = sqlite_login_failure,
    .audit_add = sqlite_audit_add,
    .audit_add_many = sqlite_audit_add_many,
    .upload_put = sqlite_upload_put,
    .upload_get = sqlite_upload_get,
    .upload_delete = sqlite_upload_delete,
    .audits = sqlite_audits,
    .present = sqlite_present,
    .volunteers = sqlite_volunteers,
    .volunteer_get = sqlite_volunteer_get,
    .volunteer_cards = sqlite_volunteer_cards,
    .volunteer_visits = sqlite_volunteer_visits,
    .notes = sqlite_notes,
    .note_add = sqlite_note_add,
    .card_revoke = sqlite_card_revoke,
};

/* The helpers above, for the backend's other per-request files
 * (store_sqlite_plan.c). */
int central_sqlite_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    return web_fail(db, what, err, errlen);
}

int central_sqlite_prepare(sqlite3 *db, const char *sql, const char *what, sqlite3_stmt **st,
                           char *err, size_t errlen)
{
    return prepare(db, sql, what, st, err, errlen);
}

int central_sqlite_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
    return exec(db, sql, what, err, errlen);
}

void central_sqlite_rollback(sqlite3 *db)
{
    rollback(db);
}

void central_sqlite_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    text(st, col, out, cap);
}
