/* The SQLite backend's operations for the monthly mail (store_mail.h): an
 * account's address and choice, and the table mail_report (schema 6), one
 * row per month and recipient. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"

static int sqlite_user_set_mail(struct central_store *store, const char *name, const char *email,
                                int monthly, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(db,
                                    "UPDATE web_user SET email = coalesce(?2, email), "
                                    "monthly_mail = CASE WHEN ?3 < 0 THEN monthly_mail ELSE ?3 "
                                    "END WHERE name = ?1",
                                    "user mail", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (email)
        sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, monthly);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : central_sqlite_fail(db, "user mail", err, errlen);
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "user mail: no such account");
        rc = -ENOENT;
    }
    return rc;
}

/* Runs st (bound by the caller) to its end and finalizes it. */
static int run(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : central_sqlite_fail(db, what, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_mail_claim(struct central_store *store, const char *month, int64_t user_id,
                             const char *address, int64_t now_us, int64_t lease_us,
                             int ignore_backoff, int64_t *attempts, char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(
        db, "INSERT OR IGNORE INTO mail_report (month, user, address) VALUES (?1, ?2, ?3)",
        "mail claim", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, month, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
    if ((rc = run(db, st, "mail claim", err, errlen)))
        return rc;
    /* The claim itself: one statement, so of two processes one wins. */
    rc = central_sqlite_prepare(db,
                                "UPDATE mail_report SET claimed_us = ?3, address = ?4 "
                                "WHERE month = ?1 AND user = ?2 AND sent_us = 0 "
                                "AND claimed_us <= ?3 - ?5 AND (?6 OR next_try_us <= ?3) "
                                "RETURNING attempts",
                                "mail claim", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, month, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now_us);
    sqlite3_bind_text(st, 4, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, lease_us);
    sqlite3_bind_int(st, 6, ignore_backoff != 0);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *attempts = sqlite3_column_int64(st, 0);
    rc = step == SQLITE_ROW || step == SQLITE_DONE
             ? 0
             : central_sqlite_fail(db, "mail claim", err, errlen);
    sqlite3_finalize(st);
    if (rc || step == SQLITE_ROW)
        return rc;
    rc =
        central_sqlite_prepare(db, "SELECT sent_us FROM mail_report WHERE month = ?1 AND user = ?2",
                               "mail claim", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, month, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = sqlite3_column_int64(st, 0) ? -EALREADY : -EAGAIN;
    else
        rc = central_sqlite_fail(db, "mail claim", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_mail_result(struct central_store *store, const char *month, int64_t user_id,
                              int64_t now_us, const char *error, int64_t next_try_us, char *err,
                              size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(
        db,
        error ? "UPDATE mail_report SET claimed_us = 0, attempts = attempts + 1, "
                "last_error = ?4, next_try_us = ?5 WHERE month = ?1 AND user = ?2"
              : "UPDATE mail_report SET claimed_us = 0, sent_us = ?3, last_error = '' "
                "WHERE month = ?1 AND user = ?2",
        "mail result", &st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, month, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    if (error) {
        sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, next_try_us);
    } else {
        sqlite3_bind_int64(st, 3, now_us);
    }
    return run(db, st, "mail result", err, errlen);
}

static int sqlite_mail_failures(struct central_store *store, central_mail_state_cb cb, void *ctx,
                                char *err, size_t errlen)
{
    sqlite3 *db = central_sqlite_db(store);
    sqlite3_stmt *st;
    int rc = central_sqlite_prepare(
        db,
        "SELECT m.month, m.user, u.name, m.address, m.attempts, m.next_try_us, m.last_error, "
        "m.sent_us FROM mail_report m JOIN web_user u ON u.id = m.user "
        "WHERE m.sent_us = 0 AND m.attempts > 0 ORDER BY m.month DESC, u.name",
        "mail failures", &st, err, errlen);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct central_mail_state state = {0};
        central_sqlite_text(st, 0, state.month, sizeof state.month);
        state.user_id = sqlite3_column_int64(st, 1);
        central_sqlite_text(st, 2, state.name, sizeof state.name);
        central_sqlite_text(st, 3, state.address, sizeof state.address);
        state.attempts = sqlite3_column_int64(st, 4);
        state.next_try_us = sqlite3_column_int64(st, 5);
        central_sqlite_text(st, 6, state.last_error, sizeof state.last_error);
        state.sent_us = sqlite3_column_int64(st, 7);
        if ((rc = cb(ctx, &state)))
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = central_sqlite_fail(db, "mail failures", err, errlen);
    sqlite3_finalize(st);
    return rc;
}

const struct central_store_mail_ops central_sqlite_mail_ops = {
    .user_set_mail = sqlite_user_set_mail,
    .claim = sqlite_mail_claim,
    .result = sqlite_mail_result,
    .failures = sqlite_mail_failures,
};
