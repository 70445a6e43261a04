/* The store's operations for the people's web app (sync/central/web/):
 * accounts and their sites, sessions, wrong-password counts, the audit log,
 * and what the roster and kiosk pages read and change beyond the kiosks'
 * protocol. Each is a slot in struct central_store_web_ops
 * (store_backend.h); a backend without it answers -ENOTSUP. */
#ifndef TILSTEDE_CENTRAL_STORE_WEB_H
#define TILSTEDE_CENTRAL_STORE_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define CENTRAL_USER_SITES_MAX 16   /* sites one contact may be given */
#define CENTRAL_PWHASH_MAX     128  /* crypto_pwhash_STRBYTES, with the NUL */
#define CENTRAL_CSRF_MAX       64   /* a token's text (CENTRAL_TOKEN_TEXT_MAX) */
#define CENTRAL_AUDIT_TEXT_MAX 256  /* an audit row's subject or detail, with the NUL */
#define CENTRAL_NOTE_MAX       2000 /* a note on a volunteer, bytes with the NUL */
#define CENTRAL_EMAIL_MAX      255  /* an address (RFC 5321: 254 bytes), with the NUL */

/* Bits, so a page names every role it admits. */
enum central_role {
    CENTRAL_ROLE_VIEWER = 1,
    CENTRAL_ROLE_CONTACT = 2,
    CENTRAL_ROLE_COORDINATOR = 4,
};

struct central_user {
    int64_t id;
    char name[CENTRAL_NAME_MAX];      /* the account's name, "kari" */
    char full_name[CENTRAL_NAME_MAX]; /* "Kari Nordmann", or "" when not given */
    enum central_role role;
    char lang[4];                           /* nb, nn, en */
    char password_hash[CENTRAL_PWHASH_MAX]; /* "" until set up */
    int64_t setup_expires_us;               /* 0: no set-up link waiting */
    int64_t created_us;
    int64_t revoked_us; /* 0: active */
    size_t site_count;  /* a coordinator has none */
    char sites[CENTRAL_USER_SITES_MAX][EVENT_KEY_MAX];
    char email[CENTRAL_EMAIL_MAX]; /* "" none (store_mail.h) */
    int monthly_mail;              /* 1: wants last month's report by mail */
};

struct central_audit {
    int64_t at_us;
    char actor[CENTRAL_NAME_MAX];
    char action[32];
    char subject[CENTRAL_AUDIT_TEXT_MAX];
    char detail[CENTRAL_AUDIT_TEXT_MAX];
};

/* Someone checked in now at a site: an open visit. */
struct central_presence {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2]; /* "given family", or "" when not on the roster */
    int64_t since_us;
    char activity[CENTRAL_NAME_MAX]; /* its title, or "" */
};

struct central_visit {
    char site[EVENT_KEY_MAX];
    char site_name[CENTRAL_NAME_MAX];
    int64_t start_us;
    int64_t end_us; /* 0: still open */
    char day[CENTRAL_DATE_LEN + 1];  /* the local day it started, as the reports count it */
    int64_t seconds;                 /* what it counts for in the reports (rounded); 0 open */
    char activity[CENTRAL_NAME_MAX]; /* the activity's title, or "" */
};

struct central_note {
    int64_t at_us;
    char author[CENTRAL_NAME_MAX];
    char text[CENTRAL_NOTE_MAX];
};

/* Papers a volunteer list can pick on (see central_volunteer_filter). */
enum central_papers {
    CENTRAL_PAPERS_ANY = 0,
    /* No confidentiality agreement (neither dated nor "ja"), or no police
     * certificate valid on `today` (none, or one that has run out). An
     * undated "ja" counts as having it. */
    CENTRAL_PAPERS_MISSING,
    /* A police certificate that runs out between `today` and `until`. */
    CENTRAL_PAPERS_EXPIRING,
};

/* Which volunteers a list shows; every condition set must hold. */
struct central_volunteer_filter {
    const char *search;      /* part of a name or the external id; "" or NULL all */
    const char *external_id; /* exactly this one; "" or NULL any */
    int active;              /* 1 active, 0 inactive, -1 both */
    const char *site;        /* has an event (a visit, a card, ...) at this site; "" any */
    /* A contact's reach: only volunteers with an event at one of
     * sites[0..site_count) (none at all when site_count is 0). 0: anyone. */
    int limited;
    const char (*sites)[EVENT_KEY_MAX];
    size_t site_count;
    enum central_papers papers;
    const char *today; /* "YYYY-MM-DD", for papers */
    const char *until; /* "YYYY-MM-DD", for CENTRAL_PAPERS_EXPIRING */
    size_t limit;      /* 0: all */
};

/* A roster file uploaded and previewed in the browser (web_roster.c). */
#define CENTRAL_UPLOAD_NAME_MAX 256 /* the file's name as the browser gave it, with the NUL */
struct central_upload {
    char name[CENTRAL_UPLOAD_NAME_MAX];
    int64_t created_us;
    size_t added, changed, inactive; /* what the preview showed */
    char *data;                      /* malloc'd: free() it */
    size_t len;
};

/* A role's name in the database ("coordinator", "contact", "viewer"), and
 * back (an unknown name is the least: viewer). */
const char *central_role_name(enum central_role role);
enum central_role central_role_of(const char *name);

typedef int (*central_user_cb)(void *ctx, const struct central_user *user);
typedef int (*central_audit_cb)(void *ctx, const struct central_audit *audit);
typedef int (*central_presence_cb)(void *ctx, const struct central_presence *presence);
typedef int (*central_visit_cb)(void *ctx, const struct central_visit *visit);
typedef int (*central_note_cb)(void *ctx, const struct central_note *note);
typedef int (*central_volunteer_cb)(void *ctx, const struct central_volunteer *volunteer);
typedef int (*central_card_cb)(void *ctx, const struct central_card *card);

/* A new account (name, role, lang, sites from `user`) with a set-up link
 * that works until setup_expires_us. -EEXIST when the name is taken,
 * -ENOENT when a site does not exist. */
int central_store_user_add(struct central_store *store, const struct central_user *user,
                           const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                           int64_t setup_expires_us, char *err, size_t errlen);
/* A new set-up link for an existing, active account (the old one and the
 * password stop working once it is used). -ENOENT: no such active account. */
int central_store_user_relink(struct central_store *store, const char *name,
                              const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t setup_expires_us, char *err, size_t errlen);
/* An account by name (revoked ones too: check revoked_us). -ENOENT. */
int central_store_user_get(struct central_store *store, const char *name, struct central_user *user,
                           char *err, size_t errlen);
int central_store_users(struct central_store *store, central_user_cb cb, void *ctx, char *err,
                        size_t errlen);
/* Revokes the account and ends its sessions. -ENOENT: no such active one. */
int central_store_user_revoke(struct central_store *store, const char *name, char *err,
                              size_t errlen);
/* The active account whose unexpired set-up link hashes to setup_hash. */
int central_store_user_setup_find(struct central_store *store,
                                  const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                                  struct central_user *user, char *err, size_t errlen);
/* Uses the set-up link once: sets the password hash and forgets the link,
 * in one statement, so a link used twice at once works once. The account's
 * other sessions end. -ENOENT when the link is unknown, used or expired. */
int central_store_user_setup_use(struct central_store *store,
                                 const unsigned char setup_hash[CENTRAL_TOKEN_HASH_BYTES],
                                 const char *password_hash, struct central_user *user, char *err,
                                 size_t errlen);
int central_store_user_set_lang(struct central_store *store, int64_t user_id, const char *lang,
                                char *err, size_t errlen);
/* Sets the full name of the account called name ("" none: the account's
 * name stands for it). -ENOENT: no such account. Check it with
 * central_user_full_name_valid first. */
int central_store_user_set_full_name(struct central_store *store, const char *name,
                                     const char *full_name, char *err, size_t errlen);
/* 1 when text may be a person's full name: at most CENTRAL_NAME_MAX - 1
 * bytes of valid UTF-8 without control characters ("" too: none). */
int central_user_full_name_valid(const char *text);
/* The name to show for a person: their full name, or the account's name
 * when they have none. */
const char *central_user_display_name(const struct central_user *user);

int central_store_session_add(struct central_store *store,
                              const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t user_id, const char *csrf, char *err, size_t errlen);
/* The session's account and CSRF token, if it was used within idle_us and
 * its account is active; it counts as used now. An idle one is deleted.
 * -ENOENT otherwise. */
int central_store_session_get(struct central_store *store,
                              const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                              int64_t idle_us, struct central_user *user,
                              char csrf[CENTRAL_CSRF_MAX], char *err, size_t errlen);
int central_store_session_delete(struct central_store *store,
                                 const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                                 size_t errlen);

/* Wrong passwords in a row under key, and when the last one came (0, 0
 * when none). */
int central_store_login_failures(struct central_store *store, const char *key, int64_t *failures,
                                 int64_t *last_us, char *err, size_t errlen);
/* One more wrong password under key, or (clear) none. */
int central_store_login_failure(struct central_store *store, const char *key, int clear, char *err,
                                size_t errlen);

int central_store_audit_add(struct central_store *store, const struct central_audit *audit,
                            char *err, size_t errlen);
/* Several rows in one transaction (a roster import's). */
int central_store_audit_add_many(struct central_store *store, const struct central_audit *audits,
                                 size_t count, char *err, size_t errlen);
/* The newest `limit` rows, newest first. */
int central_store_audits(struct central_store *store, size_t limit, central_audit_cb cb, void *ctx,
                         char *err, size_t errlen);

/* The site's open visits, earliest first. */
int central_store_present(struct central_store *store, const char *site, central_presence_cb cb,
                          void *ctx, char *err, size_t errlen);
/* Volunteers as the filter picks them, by family and given name in
 * Norwegian order (æ, ø, å after z); the search folds case and accents as
 * the kiosk's name search does (namesearch_fold). */
int central_store_volunteers(struct central_store *store,
                             const struct central_volunteer_filter *filter, central_volunteer_cb cb,
                             void *ctx, char *err, size_t errlen);
/* One volunteer's roster row: -ENOENT when they are not on the roster. */
int central_store_volunteer_get(struct central_store *store, const char *external_id,
                                struct central_volunteer *volunteer, char *err, size_t errlen);
int central_store_volunteer_cards(struct central_store *store, const char *external_id,
                                  central_card_cb cb, void *ctx, char *err, size_t errlen);
/* Their visits at every site (or only `site` when not ""), newest first. */
int central_store_volunteer_visits(struct central_store *store, const char *external_id,
                                   const char *site, size_t limit, central_visit_cb cb, void *ctx,
                                   char *err, size_t errlen);
int central_store_notes(struct central_store *store, const char *external_id, central_note_cb cb,
                        void *ctx, char *err, size_t errlen);
int central_store_note_add(struct central_store *store, const char *external_id,
                           const struct central_note *note, char *err, size_t errlen);
/* Revokes a card from the central: the next roster answer tells every
 * kiosk. -ENOENT when the volunteer has no such card. */
int central_store_card_revoke(struct central_store *store, const char *external_id,
                              const char *card_hash, char *err, size_t errlen);

/* Keeps an upload for the session (its id's hash), in place of any the
 * session had, and forgets every upload older than keep_us. */
int central_store_upload_put(struct central_store *store,
                             const unsigned char session_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const struct central_upload *upload, int64_t keep_us, char *err,
                             size_t errlen);
/* The session's upload of that id, kept less than keep_us: 0 (free
 * upload->data), -ENOENT when there is none (another session's, expired,
 * replaced or applied). */
int central_store_upload_get(struct central_store *store,
                             const unsigned char session_hash[CENTRAL_TOKEN_HASH_BYTES],
                             const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], int64_t keep_us,
                             struct central_upload *upload, char *err, size_t errlen);
int central_store_upload_delete(struct central_store *store,
                                const unsigned char id_hash[CENTRAL_TOKEN_HASH_BYTES], char *err,
                                size_t errlen);

#endif
