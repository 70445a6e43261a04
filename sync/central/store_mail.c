/* Forwards the monthly mail's store calls (store_mail.h) to the backend's
 * table; a backend without the table or the slot answers "not supported". */
#include "store_backend.h"

#include <errno.h>
#include <stdio.h>

#define NEED_MAIL(store, op, err, errlen)                                                          \
    do {                                                                                           \
        if (!(store)->ops->mail || !(store)->ops->mail->op) {                                      \
            snprintf(err, errlen, "the %s store cannot keep the monthly mail (" #op ")",           \
                     (store)->ops->name);                                                          \
            return -ENOTSUP;                                                                       \
        }                                                                                          \
    } while (0)

int central_store_user_set_mail(struct central_store *store, const char *name, const char *email,
                                int monthly, char *err, size_t errlen)
{
    NEED_MAIL(store, user_set_mail, err, errlen);
    return store->ops->mail->user_set_mail(store, name, email, monthly, err, errlen);
}

int central_store_mail_claim(struct central_store *store, const char *month, int64_t user_id,
                             const char *address, int64_t now_us, int64_t lease_us,
                             int ignore_backoff, int64_t *attempts, char *err, size_t errlen)
{
    NEED_MAIL(store, claim, err, errlen);
    return store->ops->mail->claim(store, month, user_id, address, now_us, lease_us, ignore_backoff,
                                   attempts, err, errlen);
}

int central_store_mail_result(struct central_store *store, const char *month, int64_t user_id,
                              int64_t now_us, const char *error, int64_t next_try_us, char *err,
                              size_t errlen)
{
    NEED_MAIL(store, result, err, errlen);
    return store->ops->mail->result(store, month, user_id, now_us, error, next_try_us, err, errlen);
}

int central_store_mail_failures(struct central_store *store, central_mail_state_cb cb, void *ctx,
                                char *err, size_t errlen)
{
    NEED_MAIL(store, failures, err, errlen);
    return store->ops->mail->failures(store, cb, ctx, err, errlen);
}
