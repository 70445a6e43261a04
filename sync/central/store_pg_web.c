/* The PostgreSQL backend's operations for the web app (store_web.h), the
 * SQLite backend's (store_sqlite_web.c) in PostgreSQL's words, with the
 * same results. Sessions and wrong-password counts are rows, so every
 * central process on the database knows them. These run a few times per
 * page a person opens, so each statement is parsed when it runs (pg_run)
 * rather than kept. Keys are ordered as SQLite orders them (the "C"
 * collation); volunteers are searched and ordered by namesearch, as the
 * SQLite backend's functions do. */
#include "store_pg.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "namesearch.h"

#define USER_COLUMNS                                                                               \
    "id, name, role, lang, password_hash, setup_expires_us, created_us, revoked_us, email, "       \
    "monthly_mail, full_name"

static int read_sites(struct pg_store *s, struct central_user *user, char *err, size_t errlen)
{
    struct params p = {0};
    param_number(&p, user->id);
    PGresult *res = NULL;
    int rc = pg_run(s,
                    "SELECT site FROM web_user_site WHERE \"user\" = $1 ORDER BY site COLLATE \"C\"",
                    &p, &res, "user sites", err, errlen);
    if (rc)
        return rc;
    user->site_count = 0;
    for (int row = 0; row < PQntuples(res) && user->site_count < CENTRAL_USER_SITES_MAX; row++)
        pg_copy_column(res, row, 0, user->sites[user->site_count++], EVENT_KEY_MAX);
    PQclear(res);
    return 0;
}

static void read_user(const PGresult *res, int row, struct central_user *user)
{
    memset(user, 0, sizeof *user);
    user->id = pg_column_int(res, row, 0);
    pg_copy_column(res, row, 1, user->name, sizeof user->name);
    user->role = central_role_of(PQgetvalue(res, row, 2));
    pg_copy_column(res, row, 3, user->lang, sizeof user->lang);
    pg_copy_column(res, row, 4, user->password_hash, sizeof user->password_hash);
    user->setup_expires_us = pg_column_int(res, row, 5);
    user->created_us = pg_column_int(res, row, 6);
    user->revoked_us = pg_column_int(res, row, 7);
    pg_copy_column(res, row, 8, user->email, sizeof user->email);
    user->monthly_mail = (int)pg_column_int(res, row, 9);
    pg_copy_column(res, row, 10, user->full_name, sizeof user->full_name);
}

/* One account from a statement whose first columns are USER_COLUMNS. */
static int one_user(struct pg_store *s, const char *sql, const struct params *p, const char *what,
                    struct central_user *user, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_run(s, sql, p, &res, what, err, errlen);
    if (rc)
        return rc;
    if (PQntuples(res) == 1) {
        read_user(res, 0, user);
    } else {
        snprintf(err, errlen, "%s: no such account", what);
        rc = -ENOENT;
    }
    PQclear(res);
    return rc ? rc : read_sites(s, user, err, errlen);
}

/* A statement that must change a row: -ENOENT with `missing` when none. */
static int change_one(struct pg_store *s, const char *sql, const struct params *p,
                      const char *what, const char *missing, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_run(s, sql, p, &res, what, err, errlen);
    if (rc)
        return rc;
    if (strtoll(PQcmdTuples(res), NULL, 10) == 0) {
        snprintf(err, errlen, "%s", missing);
        rc = -ENOENT;
    }
    PQclear(res);
    return rc;
}

static int pg_user_add(struct central_store *store, const struct central_user *user,
                       const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                       size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(setup_hash, hex);
    struct params p = {0};
    param_text(&p, user->name);
    param_text(&p, central_role_name(user->role));
    param_text(&p, user->lang[0] ? user->lang : "nb");
    param_text(&p, hex);
    param_number(&p, setup_expires_us);
    param_number(&p, pg_now_us());
    param_text(&p, user->full_name);
    PGresult *res = NULL;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if ((rc = pg_run(s,
                     "INSERT INTO web_user (name, role, lang, setup_hash, setup_expires_us, "
                     "created_us, full_name) VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6, $7) "
                     "RETURNING id",
                     &p, &res, "user add", err, errlen))) {
        if (rc == -EEXIST)
            snprintf(err, errlen, "an account named \"%s\" exists already", user->name);
        return pg_finish(s, rc, err, errlen);
    }
    int64_t id = pg_column_int(res, 0, 0);
    PQclear(res);
    for (size_t i = 0; i < user->site_count && !rc; i++) {
        struct params site = {0};
        param_number(&site, id);
        param_text(&site, user->sites[i]);
        rc = pg_run(s,
                    "INSERT INTO web_user_site (\"user\", site) VALUES ($1, $2) "
                    "ON CONFLICT DO NOTHING",
                    &site, NULL, "user site", err, errlen);
        if (rc == -ENOENT)
            snprintf(err, errlen, "no site \"%s\" (see site list)", user->sites[i]);
    }
    return pg_finish(s, rc, err, errlen);
}

static int pg_user_relink(struct central_store *store, const char *name,
                          const unsigned char *setup_hash, int64_t setup_expires_us, char *err,
                          size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX], missing[CENTRAL_NAME_MAX + 48];
    pg_hash_hex(setup_hash, hex);
    snprintf(missing, sizeof missing, "no active account named \"%s\"", name);
    struct params p = {0};
    param_text(&p, name);
    param_text(&p, hex);
    param_number(&p, setup_expires_us);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : change_one(s,
                           "UPDATE web_user SET setup_hash = decode($2, 'hex'), "
                           "setup_expires_us = $3 WHERE name = $1 AND revoked_us IS NULL",
                           &p, "user link", missing, err, errlen);
}

static int pg_user_get(struct central_store *store, const char *name, struct central_user *user,
                       char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, name);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : one_user(s, "SELECT " USER_COLUMNS " FROM web_user WHERE name = $1", &p,
                         "user get", user, err, errlen);
}

static int pg_users(struct central_store *store, central_user_cb cb, void *ctx, char *err,
                    size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s, "SELECT " USER_COLUMNS " FROM web_user ORDER BY name COLLATE \"C\"",
                           NULL, &res, "users", err, errlen)))
        return rc;
    struct central_user user;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        read_user(res, row, &user);
        if (!(rc = read_sites(s, &user, err, errlen)))
            rc = cb(ctx, &user);
    }
    PQclear(res);
    return rc;
}

static int pg_user_revoke(struct central_store *store, const char *name, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char missing[CENTRAL_NAME_MAX + 48];
    snprintf(missing, sizeof missing, "no active account named \"%s\"", name);
    struct params p = {0};
    param_text(&p, name);
    param_number(&p, pg_now_us());
    struct params by_name = {0};
    param_text(&by_name, name);
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    if (!(rc = change_one(s,
                          "UPDATE web_user SET revoked_us = $2, setup_hash = NULL "
                          "WHERE name = $1 AND revoked_us IS NULL",
                          &p, "user revoke", missing, err, errlen)))
        rc = pg_run(s,
                    "DELETE FROM web_session WHERE \"user\" = "
                    "(SELECT id FROM web_user WHERE name = $1)",
                    &by_name, NULL, "user revoke", err, errlen);
    return pg_finish(s, rc, err, errlen);
}

static int pg_user_setup_find(struct central_store *store, const unsigned char *setup_hash,
                              struct central_user *user, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(setup_hash, hex);
    struct params p = {0};
    param_text(&p, hex);
    param_number(&p, pg_now_us());
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : one_user(s,
                         "SELECT " USER_COLUMNS " FROM web_user WHERE setup_hash = "
                         "decode($1, 'hex') AND setup_expires_us > $2 AND revoked_us IS NULL",
                         &p, "set-up link", user, err, errlen);
}

static int pg_user_setup_use(struct central_store *store, const unsigned char *setup_hash,
                             const char *password_hash, struct central_user *user, char *err,
                             size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(setup_hash, hex);
    struct params p = {0};
    param_text(&p, hex);
    param_number(&p, pg_now_us());
    param_text(&p, password_hash);
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    /* Two uses at once: the second waits for the first's row lock, then
     * finds the link gone. */
    if (!(rc = one_user(s,
                        "UPDATE web_user SET password_hash = $3, setup_hash = NULL, "
                        "setup_expires_us = NULL WHERE setup_hash = decode($1, 'hex') "
                        "AND setup_expires_us > $2 AND revoked_us IS NULL RETURNING " USER_COLUMNS,
                        &p, "set-up link", user, err, errlen))) {
        struct params by_id = {0};
        param_number(&by_id, user->id);
        rc = pg_run(s, "DELETE FROM web_session WHERE \"user\" = $1", &by_id, NULL, "set-up link",
                    err, errlen);
    }
    return pg_finish(s, rc, err, errlen);
}

static int pg_user_set_lang(struct central_store *store, int64_t user_id, const char *lang,
                            char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_number(&p, user_id);
    param_text(&p, lang);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : pg_run(s, "UPDATE web_user SET lang = $2 WHERE id = $1", &p, NULL, "language", err,
                       errlen);
}

static int pg_user_set_full_name(struct central_store *store, const char *name,
                                 const char *full_name, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, name);
    param_text(&p, full_name);
    char missing[CENTRAL_NAME_MAX + 32];
    snprintf(missing, sizeof missing, "no account named \"%s\"", name);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : change_one(s, "UPDATE web_user SET full_name = $2 WHERE name = $1", &p, "full name",
                           missing, err, errlen);
}

/* ---- sessions and sign-in throttles, shared by every process ---- */

static int pg_session_add(struct central_store *store, const unsigned char *id_hash,
                          int64_t user_id, const char *csrf, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(id_hash, hex);
    struct params p = {0};
    param_text(&p, hex);
    param_number(&p, user_id);
    param_text(&p, csrf);
    param_number(&p, pg_now_us());
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : pg_run(s,
                       "INSERT INTO web_session (id_hash, \"user\", csrf, created_us, last_us) "
                       "VALUES (decode($1, 'hex'), $2, $3, $4, $4)",
                       &p, NULL, "session", err, errlen);
}

/* A row keyed by a hash (a session, a waiting upload) deleted. */
static int delete_by_hash(struct central_store *store, const char *sql,
                          const unsigned char *id_hash, const char *what, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(id_hash, hex);
    struct params p = {0};
    param_text(&p, hex);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc : pg_run(s, sql, &p, NULL, what, err, errlen);
}

static int pg_session_delete(struct central_store *store, const unsigned char *id_hash, char *err,
                             size_t errlen)
{
    return delete_by_hash(store, "DELETE FROM web_session WHERE id_hash = decode($1, 'hex')",
                          id_hash, "sign-out", err, errlen);
}

static int pg_session_get(struct central_store *store, const unsigned char *id_hash,
                          int64_t idle_us, struct central_user *user, char *csrf, char *err,
                          size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char hex[PG_HASH_HEX_MAX];
    pg_hash_hex(id_hash, hex);
    int64_t now = pg_now_us();
    struct params p = {0};
    param_text(&p, hex);
    param_number(&p, now - idle_us);
    param_number(&p, now);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc)
        return rc;
    /* An idle session is not touched: it stays dead and is deleted below. */
    if ((rc = pg_run(s,
                     "UPDATE web_session SET last_us = $3 WHERE id_hash = decode($1, 'hex') "
                     "AND last_us >= $2 RETURNING \"user\", csrf",
                     &p, &res, "session", err, errlen)))
        return rc;
    if (PQntuples(res) >= 1) {
        struct params by_id = {0};
        char user_id[NUMBER_MAX];
        pg_copy_column(res, 0, 0, user_id, sizeof user_id);
        pg_copy_column(res, 0, 1, csrf, CENTRAL_CSRF_MAX);
        param_text(&by_id, user_id);
        rc = one_user(s, "SELECT " USER_COLUMNS " FROM web_user WHERE id = $1 AND "
                      "revoked_us IS NULL",
                      &by_id, "session", user, err, errlen);
    } else {
        rc = -ENOENT;
    }
    PQclear(res);
    if (rc == -ENOENT) {
        snprintf(err, errlen, "no such session, or it has expired");
        char ignored[128];
        pg_session_delete(store, id_hash, ignored, sizeof ignored);
    }
    return rc;
}

static int pg_login_failures(struct central_store *store, const char *key, int64_t *failures,
                             int64_t *last_us, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, key);
    PGresult *res = NULL;
    *failures = *last_us = 0;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s, "SELECT failures, last_us FROM web_login_failure WHERE key = $1",
                           &p, &res, "sign-in attempts", err, errlen)))
        return rc;
    if (PQntuples(res) == 1) {
        *failures = pg_column_int(res, 0, 0);
        *last_us = pg_column_int(res, 0, 1);
    }
    PQclear(res);
    return 0;
}

static int pg_login_failure(struct central_store *store, const char *key, int clear, char *err,
                            size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, key);
    if (!clear)
        param_number(&p, pg_now_us());
    int rc = pg_ready(s, err, errlen);
    /* One statement: processes counting the same key at once add up. */
    return rc ? rc
              : pg_run(s,
                       clear ? "DELETE FROM web_login_failure WHERE key = $1"
                             : "INSERT INTO web_login_failure (key, failures, last_us) "
                               "VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET "
                               "failures = web_login_failure.failures + 1, "
                               "last_us = excluded.last_us",
                       &p, NULL, "sign-in attempts", err, errlen);
}

/* ---- the audit log ---- */

static int pg_audit_add_many(struct central_store *store, const struct central_audit *audits,
                             size_t count, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int rc = pg_begin_write(s, err, errlen);
    for (size_t i = 0; i < count && !rc; i++) {
        const struct central_audit *audit = &audits[i];
        struct params p = {0};
        param_number(&p, audit->at_us ? audit->at_us : pg_now_us());
        param_text(&p, audit->actor);
        param_text(&p, audit->action);
        param_text(&p, audit->subject);
        param_text(&p, audit->detail);
        rc = pg_run(s,
                    "INSERT INTO audit (at_us, actor, action, subject, detail) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    &p, NULL, "audit", err, errlen);
    }
    return pg_finish(s, rc, err, errlen);
}

static int pg_audit_add(struct central_store *store, const struct central_audit *audit, char *err,
                        size_t errlen)
{
    return pg_audit_add_many(store, audit, 1, err, errlen);
}

/* ---- uploads: a roster file between its preview and its apply ---- */

static int pg_upload_put(struct central_store *store, const unsigned char *session_hash,
                         const unsigned char *id_hash, const struct central_upload *upload,
                         int64_t keep_us, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char session[PG_HASH_HEX_MAX], id[PG_HASH_HEX_MAX];
    pg_hash_hex(session_hash, session);
    pg_hash_hex(id_hash, id);
    int64_t now = pg_now_us();
    /* The file as hex text for decode(): any bytes go through. */
    char *data = malloc(2 * upload->len + 1);
    if (!data) {
        snprintf(err, errlen, "upload: out of memory");
        return -ENOMEM;
    }
    sodium_bin2hex(data, 2 * upload->len + 1, (const unsigned char *)upload->data, upload->len);
    struct params old = {0};
    param_text(&old, session);
    param_number(&old, now - keep_us);
    struct params p = {0};
    param_text(&p, id);
    param_text(&p, session);
    param_number(&p, now);
    param_text(&p, upload->name);
    param_text(&p, data);
    param_number(&p, (int64_t)upload->added);
    param_number(&p, (int64_t)upload->changed);
    param_number(&p, (int64_t)upload->inactive);
    int rc = pg_begin_write(s, err, errlen);
    if (!rc) {
        rc = pg_run(s,
                    "DELETE FROM web_upload WHERE session = decode($1, 'hex') OR created_us < $2",
                    &old, NULL, "upload", err, errlen);
        if (!rc)
            rc = pg_run(s,
                        "INSERT INTO web_upload (id_hash, session, created_us, name, data, added, "
                        "changed, inactive) VALUES (decode($1, 'hex'), decode($2, 'hex'), $3, $4, "
                        "decode($5, 'hex'), $6, $7, $8)",
                        &p, NULL, "upload", err, errlen);
        rc = pg_finish(s, rc, err, errlen);
    }
    free(data);
    return rc;
}

static int pg_upload_get(struct central_store *store, const unsigned char *session_hash,
                         const unsigned char *id_hash, int64_t keep_us,
                         struct central_upload *upload, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    char session[PG_HASH_HEX_MAX], id[PG_HASH_HEX_MAX];
    pg_hash_hex(session_hash, session);
    pg_hash_hex(id_hash, id);
    memset(upload, 0, sizeof *upload);
    struct params p = {0};
    param_text(&p, id);
    param_text(&p, session);
    param_number(&p, pg_now_us() - keep_us);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s,
                           "SELECT created_us, name, encode(data, 'hex'), added, changed, inactive "
                           "FROM web_upload WHERE id_hash = decode($1, 'hex') AND "
                           "session = decode($2, 'hex') AND created_us >= $3",
                           &p, &res, "upload", err, errlen)))
        return rc;
    if (PQntuples(res) != 1) {
        snprintf(err, errlen, "no such upload for this session");
        rc = -ENOENT;
        goto out;
    }
    upload->created_us = pg_column_int(res, 0, 0);
    pg_copy_column(res, 0, 1, upload->name, sizeof upload->name);
    const char *hex = PQgetvalue(res, 0, 2);
    size_t hex_len = strlen(hex);
    upload->added = (size_t)pg_column_int(res, 0, 3);
    upload->changed = (size_t)pg_column_int(res, 0, 4);
    upload->inactive = (size_t)pg_column_int(res, 0, 5);
    if (!(upload->data = malloc(hex_len / 2 + 1))) {
        snprintf(err, errlen, "upload: out of memory");
        rc = -ENOMEM;
        goto out;
    }
    if (sodium_hex2bin((unsigned char *)upload->data, hex_len / 2 + 1, hex, hex_len, NULL,
                       &upload->len, NULL)) {
        snprintf(err, errlen, "upload: the stored file cannot be read back");
        free(upload->data);
        upload->data = NULL;
        rc = -EIO;
    }
out:
    PQclear(res);
    return rc;
}

static int pg_upload_delete(struct central_store *store, const unsigned char *id_hash, char *err,
                            size_t errlen)
{
    return delete_by_hash(store, "DELETE FROM web_upload WHERE id_hash = decode($1, 'hex')",
                          id_hash, "upload", err, errlen);
}

/* Runs a read and hands each row to row(), which fills a struct and calls
 * the page's callback. */
typedef int (*row_fn)(const PGresult *res, int row, void *cb, void *ctx);

static int walk(struct pg_store *s, const char *sql, const struct params *p, const char *what,
                row_fn row, void *cb, void *ctx, char *err, size_t errlen)
{
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s, sql, p, &res, what, err, errlen)))
        return rc;
    for (int i = 0; !rc && i < PQntuples(res); i++)
        rc = row(res, i, cb, ctx);
    PQclear(res);
    return rc;
}

/* LIMIT NULL is no limit in PostgreSQL (SQLite's LIMIT -1). */
static void param_limit(struct params *p, size_t limit)
{
    if (limit)
        param_number(p, (int64_t)limit);
    else
        param_null(p);
}

static int audit_row(const PGresult *res, int row, void *cb, void *ctx)
{
    struct central_audit audit;
    audit.at_us = pg_column_int(res, row, 0);
    pg_copy_column(res, row, 1, audit.actor, sizeof audit.actor);
    pg_copy_column(res, row, 2, audit.action, sizeof audit.action);
    pg_copy_column(res, row, 3, audit.subject, sizeof audit.subject);
    pg_copy_column(res, row, 4, audit.detail, sizeof audit.detail);
    return ((central_audit_cb)cb)(ctx, &audit);
}

static int pg_audits(struct central_store *store, size_t limit, central_audit_cb cb, void *ctx,
                     char *err, size_t errlen)
{
    struct params p = {0};
    param_number(&p, (int64_t)limit);
    return walk(pg_cast(store),
                "SELECT at_us, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT $1",
                &p, "audit", audit_row, (void *)cb, ctx, err, errlen);
}

/* ---- what the roster and kiosk pages read and change ---- */

static int presence_row(const PGresult *res, int row, void *cb, void *ctx)
{
    struct central_presence p;
    pg_copy_column(res, row, 0, p.volunteer, sizeof p.volunteer);
    pg_copy_column(res, row, 1, p.name, sizeof p.name);
    p.since_us = pg_column_int(res, row, 2);
    pg_copy_column(res, row, 3, p.activity, sizeof p.activity);
    return ((central_presence_cb)cb)(ctx, &p);
}

static int pg_present(struct central_store *store, const char *site, central_presence_cb cb,
                      void *ctx, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, site);
    return walk(pg_cast(store),
                "SELECT v.volunteer, coalesce(r.given_name || ' ' || r.family_name, ''), "
                "v.start_us, coalesce(a.title, '') FROM visit v "
                "LEFT JOIN volunteer r ON r.external_id = v.volunteer "
                "LEFT JOIN activity a ON a.id = v.activity "
                "WHERE v.site = $1 AND v.end_us IS NULL ORDER BY v.start_us",
                &p, "who is here", presence_row, (void *)cb, ctx, err, errlen);
}

#define VOLUNTEER_COLUMNS                                                                          \
    "external_id, given_name, family_name, active, coalesce(confidentiality_signed, ''), "         \
    "coalesce(police_valid_until, ''), confidentiality_undated, police_undated"

/* A volunteer of a list with their names folded (namesearch_fold), for
 * the search and the Norwegian order that SQLite's tilstede_fold and
 * tilstede_nb give: the same code, so the same rows in the same order. */
struct listed {
    struct central_volunteer volunteer;
    char family[NAMESEARCH_FOLD_GROWTH * CENTRAL_NAME_MAX];
    char given[NAMESEARCH_FOLD_GROWTH * CENTRAL_NAME_MAX];
};

/* tilstede_nb: folded order, then the text itself. */
static int order_nb(const char *folded_a, const char *a, const char *folded_b, const char *b)
{
    int order = namesearch_collate(folded_a, folded_b);
    return order ? order : strcmp(a, b);
}

static int by_name(const void *x, const void *y)
{
    const struct listed *a = x, *b = y;
    int order = order_nb(a->family, a->volunteer.family_name, b->family, b->volunteer.family_name);
    if (!order)
        order = order_nb(a->given, a->volunteer.given_name, b->given, b->volunteer.given_name);
    return order ? order : strcmp(a->volunteer.external_id, b->volunteer.external_id);
}

/* The folded text contains the folded query. */
static int folded_contains(const char *text, const char *query)
{
    char folded[NAMESEARCH_FOLD_GROWTH * 2 * CENTRAL_NAME_MAX];
    namesearch_fold(text, folded, sizeof folded);
    return strstr(folded, query) != NULL;
}

static int pg_volunteers(struct central_store *store, const struct central_volunteer_filter *filter,
                         central_volunteer_cb cb, void *ctx, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    const char *search = filter->search ? filter->search : "";
    size_t cap = NAMESEARCH_FOLD_GROWTH * strlen(search) + 1;
    char *query = malloc(cap);
    struct listed *list = NULL;
    struct pg_array sites;
    pg_array_init(&sites, filter->limited ? filter->site_count : 0);
    for (size_t i = 0; filter->limited && i < filter->site_count; i++)
        pg_array_text(&sites, filter->sites[i]);
    struct params p = {0};
    param_number(&p, filter->active);
    param_text(&p, filter->site ? filter->site : "");
    if (filter->limited)
        param_text(&p, pg_array_end(&sites));
    else
        param_null(&p);
    param_text(&p, filter->external_id ? filter->external_id : "");
    param_number(&p, (int)filter->papers);
    param_text(&p, filter->today ? filter->today : "");
    param_text(&p, filter->until ? filter->until : "");
    PGresult *res = NULL;
    int rc = 0;
    if (!query || (filter->limited && !p.value[2])) {
        snprintf(err, errlen, "volunteers: out of memory");
        rc = -ENOMEM;
        goto out;
    }
    namesearch_fold(search, query, cap);
    /* The database picks by the other conditions ("has been at": any
     * event there, read once per statement over the site's events); the
     * search and the order are namesearch's, here. */
    if ((rc = pg_ready(s, err, errlen)) ||
        (rc = pg_run(
             s,
             "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE ($1::int < 0 OR active = $1::int) "
             "AND ($2::text = '' OR external_id IN (SELECT volunteer FROM event WHERE site = $2)) "
             "AND ($3::text[] IS NULL OR external_id IN (SELECT volunteer FROM event "
             " WHERE site = ANY($3::text[]))) AND ($4::text = '' OR external_id = $4) AND "
             "($5::int = 0 OR ($5::int = 1 AND ((confidentiality_signed IS NULL AND "
             " confidentiality_undated = 0) OR (police_valid_until IS NULL AND police_undated = 0) "
             " OR police_valid_until COLLATE \"C\" < $6::text)) OR ($5::int = 2 AND "
             " police_valid_until COLLATE \"C\" BETWEEN $6::text AND $7::text))",
             &p, &res, "volunteers", err, errlen)))
        goto out;
    int rows = PQntuples(res);
    if (!(list = calloc(rows ? (size_t)rows : 1, sizeof *list))) {
        snprintf(err, errlen, "volunteers: out of memory");
        rc = -ENOMEM;
        goto out;
    }
    size_t count = 0;
    for (int row = 0; row < rows; row++) {
        struct listed *l = &list[count];
        pg_read_volunteer(res, row, &l->volunteer);
        if (query[0]) {
            char name[2 * CENTRAL_NAME_MAX + 1];
            snprintf(name, sizeof name, "%s %s", l->volunteer.given_name,
                     l->volunteer.family_name);
            if (!folded_contains(name, query) && !folded_contains(l->volunteer.external_id, query))
                continue;
        }
        namesearch_fold(l->volunteer.family_name, l->family, sizeof l->family);
        namesearch_fold(l->volunteer.given_name, l->given, sizeof l->given);
        count++;
    }
    qsort(list, count, sizeof *list, by_name);
    if (filter->limit && count > filter->limit)
        count = filter->limit;
    for (size_t i = 0; !rc && i < count; i++)
        rc = cb(ctx, &list[i].volunteer);
out:
    PQclear(res);
    free(list);
    free(query);
    pg_array_free(&sites);
    return rc;
}

static int pg_volunteer_get(struct central_store *store, const char *external_id,
                            struct central_volunteer *volunteer, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, external_id);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (rc || (rc = pg_run(s, "SELECT " VOLUNTEER_COLUMNS " FROM volunteer WHERE external_id = $1",
                           &p, &res, "volunteer", err, errlen)))
        return rc;
    if (PQntuples(res) == 1) {
        pg_read_volunteer(res, 0, volunteer);
    } else {
        snprintf(err, errlen, "no volunteer with that id on the roster");
        rc = -ENOENT;
    }
    PQclear(res);
    return rc;
}

static int card_row(const PGresult *res, int row, void *cb, void *ctx)
{
    struct central_card card;
    pg_read_card(res, row, &card);
    return ((central_card_cb)cb)(ctx, &card);
}

static int pg_volunteer_cards(struct central_store *store, const char *external_id,
                              central_card_cb cb, void *ctx, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, external_id);
    return walk(pg_cast(store),
                "SELECT card_hash, volunteer, revoked FROM card WHERE volunteer = $1 "
                "ORDER BY revoked, at_us DESC",
                &p, "cards", card_row, (void *)cb, ctx, err, errlen);
}

static int visit_row(const PGresult *res, int row, void *cb, void *ctx)
{
    struct central_visit visit;
    pg_copy_column(res, row, 0, visit.site, sizeof visit.site);
    pg_copy_column(res, row, 1, visit.site_name, sizeof visit.site_name);
    visit.start_us = pg_column_int(res, row, 2);
    visit.end_us = pg_column_int(res, row, 3);
    pg_copy_column(res, row, 4, visit.day, sizeof visit.day);
    visit.seconds = pg_column_int(res, row, 5);
    pg_copy_column(res, row, 6, visit.activity, sizeof visit.activity);
    return ((central_visit_cb)cb)(ctx, &visit);
}

static int pg_volunteer_visits(struct central_store *store, const char *external_id,
                               const char *site, size_t limit, central_visit_cb cb, void *ctx,
                               char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, external_id);
    param_text(&p, site ? site : "");
    param_limit(&p, limit);
    return walk(pg_cast(store),
                "SELECT v.site, coalesce(s.name, v.site), v.start_us, coalesce(v.end_us, 0), "
                "v.start_day, CASE WHEN v.end_us IS NULL THEN 0 ELSE " ROUNDED("v") " END, "
                "coalesce(a.title, '') FROM visit v CROSS JOIN setting r "
                "LEFT JOIN site s ON s.id = v.site LEFT JOIN activity a ON a.id = v.activity "
                "WHERE v.volunteer = $1 AND ($2::text = '' OR v.site = $2) "
                "ORDER BY v.start_us DESC LIMIT $3",
                &p, "visits", visit_row, (void *)cb, ctx, err, errlen);
}

static int note_row(const PGresult *res, int row, void *cb, void *ctx)
{
    struct central_note note;
    note.at_us = pg_column_int(res, row, 0);
    pg_copy_column(res, row, 1, note.author, sizeof note.author);
    pg_copy_column(res, row, 2, note.text, sizeof note.text);
    return ((central_note_cb)cb)(ctx, &note);
}

static int pg_notes(struct central_store *store, const char *external_id, central_note_cb cb,
                    void *ctx, char *err, size_t errlen)
{
    struct params p = {0};
    param_text(&p, external_id);
    return walk(pg_cast(store),
                "SELECT at_us, author, text FROM volunteer_note WHERE volunteer = $1 "
                "ORDER BY at_us DESC",
                &p, "notes", note_row, (void *)cb, ctx, err, errlen);
}

static int pg_note_add(struct central_store *store, const char *external_id,
                       const struct central_note *note, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, external_id);
    param_number(&p, note->at_us ? note->at_us : pg_now_us());
    param_text(&p, note->author);
    param_text(&p, note->text);
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : pg_run(s,
                       "INSERT INTO volunteer_note (volunteer, at_us, author, text) "
                       "VALUES ($1, $2, $3, $4)",
                       &p, NULL, "note", err, errlen);
}

static int pg_card_revoke(struct central_store *store, const char *external_id,
                          const char *card_hash, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    int64_t change = 0;
    int rc = pg_begin_write(s, err, errlen);
    if (rc)
        return rc;
    /* The change counter first, so its row lock orders this change among
     * the others (the roster cursor); a new value, so every kiosk's next
     * roster poll carries the revoked card. */
    if (!(rc = pg_next_change(s, &change, err, errlen))) {
        struct params p = {0};
        param_text(&p, external_id);
        param_text(&p, card_hash);
        param_number(&p, pg_now_us());
        param_number(&p, change);
        rc = change_one(s,
                        "UPDATE card SET revoked = 1, at_us = greatest(at_us, $3), changed = $4 "
                        "WHERE card_hash = $2 AND volunteer = $1 AND revoked = 0",
                        &p, "card revoke", "the volunteer has no such card in use", err, errlen);
    }
    return pg_finish(s, rc, err, errlen);
}

const struct central_store_web_ops central_pg_web_ops = {
    .user_add = pg_user_add,
    .user_relink = pg_user_relink,
    .user_get = pg_user_get,
    .users = pg_users,
    .user_revoke = pg_user_revoke,
    .user_setup_find = pg_user_setup_find,
    .user_setup_use = pg_user_setup_use,
    .user_set_lang = pg_user_set_lang,
    .user_set_full_name = pg_user_set_full_name,
    .session_add = pg_session_add,
    .session_get = pg_session_get,
    .session_delete = pg_session_delete,
    .login_failures = pg_login_failures,
    .login_failure = pg_login_failure,
    .audit_add = pg_audit_add,
    .audit_add_many = pg_audit_add_many,
    .upload_put = pg_upload_put,
    .upload_get = pg_upload_get,
    .upload_delete = pg_upload_delete,
    .audits = pg_audits,
    .present = pg_present,
    .volunteers = pg_volunteers,
    .volunteer_get = pg_volunteer_get,
    .volunteer_cards = pg_volunteer_cards,
    .volunteer_visits = pg_volunteer_visits,
    .notes = pg_notes,
    .note_add = pg_note_add,
    .card_revoke = pg_card_revoke,
};
