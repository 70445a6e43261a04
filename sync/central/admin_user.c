/* The web app's accounts from the command line: `user add NAME --role ROLE
 * [--site SITE]... [--full-name "Kari Nordmann"]` prints a one-time set-up
 * link (the first coordinator is made this way), `user list`, `user revoke
 * NAME`, `user link NAME` for a new link when a password is forgotten, and
 * `user full-name NAME TEXT` for the name on what they sign. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "admin.h"
#include "mail.h"
#include "store_mail.h"
#include "store_web.h"
#include "utf8.h"
#include "web.h"

#define ERR_MAX 512

static const char *role_word(enum central_role role)
{
    return role == CENTRAL_ROLE_COORDINATOR ? "coordinator"
           : role == CENTRAL_ROLE_CONTACT   ? "contact"
                                            : "viewer";
}

static int print_user(void *ctx, const struct central_user *user)
{
    FILE *out = ctx;
    fprintf(out, "%s\t%s\t%s\t", user->name, role_word(user->role),
            user->revoked_us         ? "revoked"
            : user->password_hash[0] ? "active"
                                     : "waiting for set-up");
    for (size_t i = 0; i < user->site_count; i++)
        fprintf(out, "%s%s", i ? "," : "", user->sites[i]);
    fprintf(out, "\t%s\t%s\t%s\n", user->email[0] ? user->email : "-",
            user->monthly_mail ? "monthly mail" : "no monthly mail",
            user->full_name[0] ? user->full_name : "-");
    return 0;
}

static void audit(struct central_store *store, const char *action, const char *subject,
                  const char *detail)
{
    struct central_audit row = {0};
    snprintf(row.actor, sizeof row.actor, "(command line)");
    snprintf(row.action, sizeof row.action, "%s", action);
    snprintf(row.subject, sizeof row.subject, "%s", subject);
    snprintf(row.detail, sizeof row.detail, "%s", detail);
    char err[256];
    central_store_audit_add(store, &row, err, sizeof err);
}

static int64_t link_expiry_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return ((int64_t)tv.tv_sec + WEB_SETUP_LINK_S) * 1000000;
}

static int need_public_url(const struct central_admin_args *a, FILE *errout)
{
    if (a->public_url && a->public_url[0])
        return 0;
    fprintf(errout, "tilstede-central: the set-up link needs the central's public address: "
                    "give --public-url https://... or set TILSTEDE_CENTRAL_PUBLIC_URL\n");
    return -EINVAL;
}

int central_admin_user(const struct central_admin_args *a, struct central_store *store, FILE *out,
                       FILE *errout, char *err)
{
    const char *verb = a->word_count > 1 ? a->words[1] : "";
    char link[600];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    int rc;
    if (!strcmp(verb, "list") && a->word_count == 2)
        return central_store_users(store, print_user, out, err, ERR_MAX);
    if (!strcmp(verb, "revoke") && a->word_count == 3) {
        if ((rc = central_store_user_revoke(store, a->words[2], err, ERR_MAX)))
            return rc;
        audit(store, "user revoke", a->words[2], "");
        fprintf(out, "%s: revoked, signed out everywhere\n", a->words[2]);
        return 0;
    }
    if (!strcmp(verb, "email") && a->word_count == 4) {
        const char *email = a->words[3];
        if (email[0] && !central_mail_address_valid(email)) {
            fprintf(errout, "tilstede-central: user email: \"%s\" is not an e-mail address\n",
                    email);
            return -EINVAL;
        }
        if ((rc = central_store_user_set_mail(store, a->words[2], email, -1, err, ERR_MAX)))
            return rc;
        audit(store, "user email", a->words[2], email[0] ? "set" : "removed");
        fprintf(out, "%s: %s\n", a->words[2], email[0] ? email : "no address");
        return 0;
    }
    if (!strcmp(verb, "mail") && a->word_count == 4 &&
        (!strcmp(a->words[3], "on") || !strcmp(a->words[3], "off"))) {
        int on = !strcmp(a->words[3], "on");
        if ((rc = central_store_user_set_mail(store, a->words[2], NULL, on, err, ERR_MAX)))
            return rc;
        audit(store, "user mail", a->words[2], on ? "on" : "off");
        fprintf(out, "%s: monthly mail %s\n", a->words[2], on ? "on" : "off");
        return 0;
    }
    if (!strcmp(verb, "full-name") && a->word_count == 4) {
        const char *full_name = a->words[3];
        if (!central_user_full_name_valid(full_name)) {
            fprintf(errout,
                    "tilstede-central: user full-name: \"%.*s\" is not a name of at most %d "
                    "bytes of UTF-8 text\n",
                    UTF8_CLIP(full_name, 60), CENTRAL_NAME_MAX - 1);
            return -EINVAL;
        }
        if ((rc = central_store_user_set_full_name(store, a->words[2], full_name, err, ERR_MAX)))
            return rc;
        audit(store, "user full name", a->words[2], full_name);
        fprintf(out, "%s: %s\n", a->words[2], full_name[0] ? full_name : "no full name");
        return 0;
    }
    if (!strcmp(verb, "link") && a->word_count == 3) {
        if ((rc = need_public_url(a, errout)))
            return rc;
        web_setup_link(a->public_url, link, sizeof link, hash);
        if ((rc = central_store_user_relink(store, a->words[2], hash, link_expiry_us(), err,
                                            ERR_MAX)))
            return rc;
        audit(store, "user link", a->words[2], "");
        fprintf(out, "%s\n", link);
        return 0;
    }
    if (strcmp(verb, "add") != 0 || a->word_count != 3) {
        fprintf(errout, "tilstede-central: usage: user add NAME --role "
                        "coordinator|contact|viewer [--site SITE]... [--email ADDRESS] "
                        "[--full-name \"FULL NAME\"]; user list; user revoke NAME; user link "
                        "NAME; user email NAME ADDRESS; user mail NAME on|off; user full-name "
                        "NAME \"FULL NAME\"\n");
        return -EINVAL;
    }
    struct central_user user = {0};
    const char *name = a->words[2];
    if (!name[0] || strlen(name) >= sizeof user.name) {
        fprintf(errout, "tilstede-central: user add: the name must be 1 to %zu bytes\n",
                sizeof user.name - 1);
        return -EINVAL;
    }
    snprintf(user.name, sizeof user.name, "%s", name);
    snprintf(user.lang, sizeof user.lang, "nb");
    const char *role = a->role ? a->role : "";
    if (!strcmp(role, "coordinator"))
        user.role = CENTRAL_ROLE_COORDINATOR;
    else if (!strcmp(role, "contact"))
        user.role = CENTRAL_ROLE_CONTACT;
    else if (!strcmp(role, "viewer"))
        user.role = CENTRAL_ROLE_VIEWER;
    else {
        fprintf(errout,
                "tilstede-central: user add: --role \"%s\": expected coordinator, "
                "contact or viewer\n",
                role);
        return -EINVAL;
    }
    if (a->site_count > CENTRAL_USER_SITES_MAX) {
        fprintf(errout, "tilstede-central: user add: at most %d --site\n", CENTRAL_USER_SITES_MAX);
        return -EINVAL;
    }
    for (int i = 0; i < a->site_count; i++) {
        if (strlen(a->sites[i]) >= EVENT_KEY_MAX) {
            fprintf(errout, "tilstede-central: user add: --site \"%.*s\": too long\n",
                    UTF8_CLIP(a->sites[i], 40));
            return -EINVAL;
        }
        snprintf(user.sites[user.site_count++], EVENT_KEY_MAX, "%s", a->sites[i]);
    }
    if (user.role == CENTRAL_ROLE_CONTACT && !user.site_count) {
        fprintf(errout, "tilstede-central: user add: a contact needs at least one --site\n");
        return -EINVAL;
    }
    if (a->full_name) {
        if (!central_user_full_name_valid(a->full_name)) {
            fprintf(errout,
                    "tilstede-central: user add: --full-name \"%.*s\" is not a name of at most "
                    "%d bytes of UTF-8 text\n",
                    UTF8_CLIP(a->full_name, 60), CENTRAL_NAME_MAX - 1);
            return -EINVAL;
        }
        snprintf(user.full_name, sizeof user.full_name, "%s", a->full_name);
    }
    if (a->email && !central_mail_address_valid(a->email)) {
        fprintf(errout, "tilstede-central: user add: --email \"%s\" is not an e-mail address\n",
                a->email);
        return -EINVAL;
    }
    if ((rc = need_public_url(a, errout)))
        return rc;
    web_setup_link(a->public_url, link, sizeof link, hash);
    if ((rc = central_store_user_add(store, &user, hash, link_expiry_us(), err, ERR_MAX)))
        return rc;
    if (a->email &&
        (rc = central_store_user_set_mail(store, user.name, a->email, -1, err, ERR_MAX)))
        return rc;
    audit(store, "user add", user.name, role);
    fprintf(out, "%s\n", link);
    fprintf(errout, "tilstede-central: %s (%s) made; the link above works once, for %d hours\n",
            user.name, role, WEB_SETUP_LINK_S / 3600);
    return 0;
}
