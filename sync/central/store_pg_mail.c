/* The PostgreSQL backend's operations for the monthly mail (store_mail.h),
 * the SQLite backend's (store_sqlite_mail.c) in PostgreSQL's words: an
 * account's address and choice, and mail_report (schema 7), one row per
 * month and recipient. The row is the only "sent once" there is, so every
 * central process on the database sees the same claims. */
#include "store_pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int pg_user_set_mail(struct central_store *store, const char *name, const char *email,
                            int monthly, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, name);
    if (email)
        param_text(&p, email);
    else
        param_null(&p);
    param_number(&p, monthly);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_run(s,
                    "UPDATE web_user SET email = coalesce($2, email), monthly_mail = "
                    "CASE WHEN $3::int < 0 THEN monthly_mail ELSE $3::int END WHERE name = $1",
                    &p, &res, "user mail", err, errlen);
    if (!rc && strtoll(PQcmdTuples(res), NULL, 10) == 0) {
        snprintf(err, errlen, "user mail: no such account");
        rc = -ENOENT;
    }
    PQclear(res);
    return rc;
}

static int pg_mail_claim(struct central_store *store, const char *month, int64_t user_id,
                         const char *address, int64_t now_us, int64_t lease_us, int ignore_backoff,
                         int64_t *attempts, char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, month);
    param_number(&p, user_id);
    param_text(&p, address);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_run(s,
                    "INSERT INTO mail_report (month, \"user\", address) VALUES ($1, $2, $3) "
                    "ON CONFLICT DO NOTHING",
                    &p, NULL, "mail claim", err, errlen);
    if (rc)
        return rc;
    /* The claim itself: one statement. A second process's UPDATE waits for
     * the first one's row lock, then reads the row as claimed: of two,
     * one wins. */
    struct params c = {0};
    param_text(&c, month);
    param_number(&c, user_id);
    param_number(&c, now_us);
    param_text(&c, address);
    param_number(&c, lease_us);
    param_number(&c, ignore_backoff != 0);
    rc = pg_run(s,
                "UPDATE mail_report SET claimed_us = $3, address = $4 WHERE month = $1 AND "
                "\"user\" = $2 AND sent_us = 0 AND claimed_us <= $3::bigint - $5::bigint AND "
                "($6::int = 1 OR next_try_us <= $3) RETURNING attempts",
                &c, &res, "mail claim", err, errlen);
    if (rc)
        return rc;
    int claimed = PQntuples(res) == 1;
    if (claimed)
        *attempts = pg_column_int(res, 0, 0);
    PQclear(res);
    if (claimed)
        return 0;
    struct params q = {0};
    param_text(&q, month);
    param_number(&q, user_id);
    rc = pg_run(s, "SELECT sent_us FROM mail_report WHERE month = $1 AND \"user\" = $2", &q, &res,
                "mail claim", err, errlen);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        snprintf(err, errlen, "mail claim: the month's row went away");
        rc = -EIO;
    } else {
        rc = pg_column_int(res, 0, 0) ? -EALREADY : -EAGAIN;
    }
    PQclear(res);
    return rc;
}

static int pg_mail_result(struct central_store *store, const char *month, int64_t user_id,
                          int64_t now_us, const char *error, int64_t next_try_us, char *err,
                          size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    struct params p = {0};
    param_text(&p, month);
    param_number(&p, user_id);
    if (error) {
        param_text(&p, error);
        param_number(&p, next_try_us);
    } else {
        param_number(&p, now_us);
    }
    int rc = pg_ready(s, err, errlen);
    return rc ? rc
              : pg_run(s,
                       error ? "UPDATE mail_report SET claimed_us = 0, attempts = attempts + 1, "
                               "last_error = $3, next_try_us = $4 WHERE month = $1 AND "
                               "\"user\" = $2"
                             : "UPDATE mail_report SET claimed_us = 0, sent_us = $3, "
                               "last_error = '' WHERE month = $1 AND \"user\" = $2",
                       &p, NULL, "mail result", err, errlen);
}

static int pg_mail_failures(struct central_store *store, central_mail_state_cb cb, void *ctx,
                            char *err, size_t errlen)
{
    struct pg_store *s = pg_cast(store);
    PGresult *res = NULL;
    int rc = pg_ready(s, err, errlen);
    if (!rc)
        rc = pg_run(s,
                    "SELECT m.month, m.\"user\", u.name, m.address, m.attempts, m.next_try_us, "
                    "m.last_error, m.sent_us FROM mail_report m JOIN web_user u ON u.id = "
                    "m.\"user\" WHERE m.sent_us = 0 AND m.attempts > 0 "
                    "ORDER BY m.month COLLATE \"C\" DESC, u.name COLLATE \"C\"",
                    NULL, &res, "mail failures", err, errlen);
    if (rc)
        return rc;
    for (int row = 0; !rc && row < PQntuples(res); row++) {
        struct central_mail_state state = {0};
        pg_copy_column(res, row, 0, state.month, sizeof state.month);
        state.user_id = pg_column_int(res, row, 1);
        pg_copy_column(res, row, 2, state.name, sizeof state.name);
        pg_copy_column(res, row, 3, state.address, sizeof state.address);
        state.attempts = pg_column_int(res, row, 4);
        state.next_try_us = pg_column_int(res, row, 5);
        pg_copy_column(res, row, 6, state.last_error, sizeof state.last_error);
        state.sent_us = pg_column_int(res, row, 7);
        rc = cb(ctx, &state);
    }
    PQclear(res);
    return rc;
}

const struct central_store_mail_ops central_pg_mail_ops = {
    .user_set_mail = pg_user_set_mail,
    .claim = pg_mail_claim,
    .result = pg_mail_result,
    .failures = pg_mail_failures,
};
