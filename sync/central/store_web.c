/* Forwards the web app's store calls (store_web.h) to the backend's table;
 * a backend without the table or the slot answers "not supported". */
#include "store_backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

const char *central_role_name(enum central_role role)
{
    return role == CENTRAL_ROLE_COORDINATOR ? "coordinator"
           : role == CENTRAL_ROLE_CONTACT   ? "contact"
                                            : "viewer";
}

enum central_role central_role_of(const char *name)
{
    return !strcmp(name, "coordinator") ? CENTRAL_ROLE_COORDINATOR
           : !strcmp(name, "contact")   ? CENTRAL_ROLE_CONTACT
                                        : CENTRAL_ROLE_VIEWER;
}

#define NEED_WEB(store, op, err, errlen)                                                           \
    do {                                                                                           \
        if (!(store)->ops->web || !(store)->ops->web->op) {                                        \
            snprintf(err, errlen, "the %s store cannot " #op, (store)->ops->name);                 \
            return -ENOTSUP;                                                                       \
        }                                                                                          \
    } while (0)

int central_store_user_add(struct central_store *store, const struct central_user *user,
                           const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                           int64_t setup_expires_us, char *err, size_t errlen)
{
    NEED_WEB(store, user_add, err, errlen);
    return store->ops->web->user_add(store, user, setup_hash, setup_expires_us, err, errlen);
}

int central_store_user_relink(struct central_store *store, const char *name,
                              const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t setup_expires_us, char *err, size_t errlen)
{
    NEED_WEB(store, user_relink, err, errlen);
    return store->ops->web->user_relink(store, name, setup_hash, setup_expires_us, err, errlen);
}

int central_store_user_get(struct central_store *store, const char *name, struct central_user *user,
                           char *err, size_t errlen)
{
    NEED_WEB(store, user_get, err, errlen);
    return store->ops->web->user_get(store, name, user, err, errlen);
}

int central_store_users(struct central_store *store, central_user_cb cb, void *ctx, char *err,
                        size_t errlen)
{
    NEED_WEB(store, users, err, errlen);
    return store->ops->web->users(store, cb, ctx, err, errlen);
}

int central_store_user_revoke(struct central_store *store, const char *name, char *err,
                              size_t errlen)
{
    NEED_WEB(store, user_revoke, err, errlen);
    return store->ops->web->user_revoke(store, name, err, errlen);
}

int central_store_user_setup_find(struct central_store *store,
                                  const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                                  struct central_user *user, char *err, size_t errlen)
{
    NEED_WEB(store, user_setup_find, err, errlen);
    return store->ops->web->user_setup_find(store, setup_hash, user, err, errlen);
}

int central_store_user_setup_use(struct central_store *store,
                                 const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                                 const char *password_hash, struct central_user *user, char *err,
                                 size_t errlen)
{
    NEED_WEB(store, user_setup_use, err, errlen);
    return store->ops->web->user_setup_use(store, setup_hash, password_hash, user, err, errlen);
}

int central_store_user_set_lang(struct central_store *store, int64_t user_id, const char *lang,
                                char *err, size_t errlen)
{
    NEED_WEB(store, user_set_lang, err, errlen);
    return store->ops->web->user_set_lang(store, user_id, lang, err, errlen);
}

int central_store_user_set_full_name(struct central_store *store, const char *name,
                                     const char *full_name, char *err, size_t errlen)
{
    NEED_WEB(store, user_set_full_name, err, errlen);
    return store->ops->web->user_set_full_name(store, name, full_name, err, errlen);
}

int central_user_full_name_valid(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    if (!text || len >= CENTRAL_NAME_MAX)
        return 0;
    for (size_t at = 0; at < len;) {
        size_t n = utf8_char_len(text + at, len - at);
        if (!n || (n == 1 && ((unsigned char)text[at] < 0x20 || text[at] == 0x7f)))
            return 0;
        at += n;
    }
    return 1;
}

const char *central_user_display_name(const struct central_user *user)
{
    return user->full_name[0] ? user->full_name : user->name;
}

int central_store_session_add(struct central_store *store,
                              const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t user_id, const char *csrf, char *err, size_t errlen)
{
    NEED_WEB(store, session_add, err, errlen);
    return store->ops->web->session_add(store, id_hash, user_id, csrf, err, errlen);
}

int central_store_session_get(struct central_store *store,
                              const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t idle_us, struct central_user *user,
                              char csrf[CENTRAL_CSRF_MAX], char *err, size_t errlen)
{
    NEED_WEB(store, session_get, err, errlen);
    return store->ops->web->session_get(store, id_hash, idle_us, user, csrf, err, errlen);
}

int central_store_session_delete(struct central_store *store,
                                 const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                                 size_t errlen)
{
    NEED_WEB(store, session_delete, err, errlen);
    return store->ops->web->session_delete(store, id_hash, err, errlen);
}

int central_store_login_failures(struct central_store *store, const char *key, int64_t *failures,
                                 int64_t *last_us, char *err, size_t errlen)
{
    NEED_WEB(store, login_failures, err, errlen);
    return store->ops->web->login_failures(store, key, failures, last_us, err, errlen);
}

int central_store_login_failure(struct central_store *store, const char *key, int clear, char *err,
                                size_t errlen)
{
    NEED_WEB(store, login_failure, err, errlen);
    return store->ops->web->login_failure(store, key, clear, err, errlen);
}

int central_store_audit_add(struct central_store *store, const struct central_audit *audit,
                            char *err, size_t errlen)
{
    NEED_WEB(store, audit_add, err, errlen);
    return store->ops->web->audit_add(store, audit, err, errlen);
}

int central_store_audits(struct central_store *store, size_t limit, central_audit_cb cb, void *ctx,
                         char *err, size_t errlen)
{
    NEED_WEB(store, audits, err, errlen);
    return store->ops->web->audits(store, limit, cb, ctx, err, errlen);
}

int central_store_present(struct central_store *store, const char *site, central_presence_cb cb,
                          void *ctx, char *err, size_t errlen)
{
    NEED_WEB(store, present, err, errlen);
    return store->ops->web->present(store, site, cb, ctx, err, errlen);
}

int central_store_volunteers(struct central_store *store,
                             const struct central_volunteer_filter *filter, central_volunteer_cb cb,
                             void *ctx, char *err, size_t errlen)
{
    NEED_WEB(store, volunteers, err, errlen);
    return store->ops->web->volunteers(store, filter, cb, ctx, err, errlen);
}

int central_store_volunteer_get(struct central_store *store, const char *external_id,
                                struct central_volunteer *volunteer, char *err, size_t errlen)
{
    NEED_WEB(store, volunteer_get, err, errlen);
    return store->ops->web->volunteer_get(store, external_id, volunteer, err, errlen);
}

int central_store_volunteer_cards(struct central_store *store, const char *external_id,
                                  central_card_cb cb, void *ctx, char *err, size_t errlen)
{
    NEED_WEB(store, volunteer_cards, err, errlen);
    return store->ops->web->volunteer_cards(store, external_id, cb, ctx, err, errlen);
}

int central_store_volunteer_visits(struct central_store *store, const char *external_id,
                                   const char *site, size_t limit, central_visit_cb cb, void *ctx,
                                   char *err, size_t errlen)
{
    NEED_WEB(store, volunteer_visits, err, errlen);
    return store->ops->web->volunteer_visits(store, external_id, site, limit, cb, ctx, err, errlen);
}

int central_store_notes(struct central_store *store, const char *external_id, central_note_cb cb,
                        void *ctx, char *err, size_t errlen)
{
    NEED_WEB(store, notes, err, errlen);
    return store->ops->web->notes(store, external_id, cb, ctx, err, errlen);
}

int central_store_note_add(struct central_store *store, const char *external_id,
                           const struct central_note *note, char *err, size_t errlen)
{
    NEED_WEB(store, note_add, err, errlen);
    return store->ops->web->note_add(store, external_id, note, err, errlen);
}

int central_store_card_revoke(struct central_store *store, const char *external_id,
                              const char *card_hash, char *err, size_t errlen)
{
    NEED_WEB(store, card_revoke, err, errlen);
    return store->ops->web->card_revoke(store, external_id, card_hash, err, errlen);
}

int central_store_audit_add_many(struct central_store *store, const struct central_audit *audits,
                                 size_t count, char *err, size_t errlen)
{
    NEED_WEB(store, audit_add_many, err, errlen);
    return store->ops->web->audit_add_many(store, audits, count, err, errlen);
}

int central_store_upload_put(struct central_store *store,
                             const unsigned char session_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const struct central_upload *upload, int64_t keep_us, char *err,
                             size_t errlen)
{
    NEED_WEB(store, upload_put, err, errlen);
    return store->ops->web->upload_put(store, session_hash, id_hash, upload, keep_us, err, errlen);
}

int central_store_upload_get(struct central_store *store,
                             const unsigned char session_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], int64_t keep_us,
                             struct central_upload *upload, char *err, size_t errlen)
{
    NEED_WEB(store, upload_get, err, errlen);
    return store->ops->web->upload_get(store, session_hash, id_hash, keep_us, upload, err, errlen);
}

int central_store_upload_delete(struct central_store *store,
                                const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                                size_t errlen)
{
    NEED_WEB(store, upload_delete, err, errlen);
    return store->ops->web->upload_delete(store, id_hash, err, errlen);
}
