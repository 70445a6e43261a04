/* The store's operations for last month's report by mail (mail.h): who
 * gets it, and a record per month and recipient that makes each mail go
 * once and lets a failed one wait for its retry. Slots of struct
 * central_store_mail_ops (store_backend.h): store_sqlite_mail.c and
 * store_pg_mail.c; a backend without them answers -ENOTSUP. */
#ifndef TILSTEDE_CENTRAL_STORE_MAIL_H
#define TILSTEDE_CENTRAL_STORE_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "store_web.h"

#define CENTRAL_MAIL_ERROR_MAX 256 /* a failed send's reason, with the NUL */

/* One month's mail to one person, as recorded. */
struct central_mail_state {
    char month[8]; /* YYYY-MM */
    int64_t user_id;
    char name[CENTRAL_NAME_MAX];
    char address[CENTRAL_EMAIL_MAX];
    int64_t attempts; /* failed sends */
    int64_t next_try_us;
    char last_error[CENTRAL_MAIL_ERROR_MAX];
    int64_t sent_us; /* 0: not yet */
};

typedef int (*central_mail_state_cb)(void *ctx, const struct central_mail_state *state);

/* Sets an account's address (email NULL: kept; "" none) and whether it
 * wants the monthly mail (monthly -1: kept). -ENOENT: no such account. */
int central_store_user_set_mail(struct central_store *store, const char *name, const char *email,
                                int monthly, char *err, size_t errlen);
/* Takes the month's mail to user for sending now: 0 when this caller may
 * send it (*attempts: the failed sends before); -EALREADY when it has been sent; -EAGAIN when
 * another process holds it (claimed less than lease_us ago) or its retry is not due
 * (ignore_backoff: a person asked for it now). One statement, so two
 * processes never both get 0. */
int central_store_mail_claim(struct central_store *store, const char *month, int64_t user_id,
                             const char *address, int64_t now_us, int64_t lease_us,
                             int ignore_backoff, int64_t *attempts, char *err, size_t errlen);
/* The claimed send's outcome: error NULL for sent, else the reason, and
 * when to try again. */
int central_store_mail_result(struct central_store *store, const char *month, int64_t user_id,
                              int64_t now_us, const char *error, int64_t next_try_us, char *err,
                              size_t errlen);
/* The mails not sent after a failure, the newest month first. */
int central_store_mail_failures(struct central_store *store, central_mail_state_cb cb, void *ctx,
                                char *err, size_t errlen);

#endif
