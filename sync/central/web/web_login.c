/* Signing in and out, and the one-time set-up link where a person chooses
 * their password. Wrong passwords slow down per account name and per
 * address (the counts are in the database, shared by every process); the
 * messages never say whether an account exists. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "token.h"
#include "web.h"

#define FREE_FAILURES 5   /* wrong passwords in a row before the waits begin */
#define MAX_WAIT_S    900 /* the wait doubles per failure up to this */
#define PASSWORD_MIN  10  /* characters (bytes) a chosen password needs at least */
#define PASSWORD_MAX  256

static const char refused[] = N_("Feil brukernavn eller passord, eller for mange forsøk. Vent "
                                 "litt og prøv igjen.");

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void login_form(struct web *web, const char *name, const char *error)
{
    web_begin(web, _("Logg inn"));
    if (error)
        central_buf_htmlf(web->out, "<p class=\"error\" role=\"alert\">%s</p>", error);
    central_buf_htmlf(web->out,
                      "<form method=\"post\" action=\"/login\" class=\"stack\">"
                      "<label for=\"name\">%s</label>"
                      "<input id=\"name\" name=\"name\" autocomplete=\"username\" required "
                      "value=\"%s\">"
                      "<label for=\"password\">%s</label>"
                      "<input id=\"password\" name=\"password\" type=\"password\" "
                      "autocomplete=\"current-password\" required>"
                      "<button type=\"submit\">%s</button></form>",
                      _("Brukernavn"), name ? name : "", _("Passord"), _("Logg inn"));
    web_end(web);
}

void web_login_page(struct web *web)
{
    if (web->user.id > 0) {
        web_redirect(web, "/home");
        return;
    }
    login_form(web, NULL, NULL);
}

/* Seconds still to wait under key, after its failures. */
static int64_t wait_s(struct central_store *store, const char *key)
{
    int64_t failures = 0, last_us = 0;
    char err[256];
    if (central_store_login_failures(store, key, &failures, &last_us, err, sizeof err))
        return MAX_WAIT_S; /* cannot tell: do not let a guesser through */
    if (failures < FREE_FAILURES)
        return 0;
    int64_t wait =
        failures - FREE_FAILURES >= 10 ? MAX_WAIT_S : (int64_t)1 << (failures - FREE_FAILURES);
    if (wait > MAX_WAIT_S)
        wait = MAX_WAIT_S;
    int64_t left = wait - (now_us() - last_us) / 1000000;
    return left > 0 ? left : 0;
}

/* A hash to verify against when the account does not exist, so that the
 * answer takes as long as for one that does. */
static const char *dummy_hash(void)
{
    static char hash[crypto_pwhash_STRBYTES];
    static int made;
    if (!made) {
        if (crypto_pwhash_str(hash, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
            made = 1;
    }
    return hash;
}

void web_login_post(struct web *web)
{
    struct central_store *store = web->request->store;
    const char *name = web_field(web, "name");
    const char *password = web_field(web, "password");
    if (!name || !password || !name[0] || strlen(name) >= CENTRAL_NAME_MAX ||
        strlen(password) > PASSWORD_MAX) {
        web->response->status = MHD_HTTP_BAD_REQUEST;
        login_form(web, name, _(refused));
        return;
    }
    char user_key[CENTRAL_NAME_MAX + 8], addr_key[80], err[256];
    snprintf(user_key, sizeof user_key, "user:%s", name);
    snprintf(addr_key, sizeof addr_key, "addr:%s", web->request->peer);
    if (wait_s(store, user_key) > 0 || wait_s(store, addr_key) > 0) {
        web->response->status = MHD_HTTP_TOO_MANY_REQUESTS;
        login_form(web, name, _(refused));
        return;
    }
    struct central_user user;
    int found = central_store_user_get(store, name, &user, err, sizeof err) == 0 &&
                !user.revoked_us && user.password_hash[0];
    int good = crypto_pwhash_str_verify(found ? user.password_hash : dummy_hash(), password,
                                        strlen(password)) == 0 &&
               found;
    if (!good) {
        central_store_login_failure(store, user_key, 0, err, sizeof err);
        central_store_login_failure(store, addr_key, 0, err, sizeof err);
        /* 403, not 401: a 401 page would make the browser ask for HTTP
         * basic credentials. */
        web->response->status = MHD_HTTP_FORBIDDEN;
        login_form(web, name, _(refused));
        return;
    }
    central_store_login_failure(store, user_key, 1, err, sizeof err);
    central_store_login_failure(store, addr_key, 1, err, sizeof err);
    if (web_session_begin(web, &user)) {
        web_message(web, MHD_HTTP_SERVICE_UNAVAILABLE, _("Prøv igjen"),
                    _("Innloggingen kunne ikke lagres. Prøv igjen om litt."));
        return;
    }
    web_redirect(web, "/home");
}

void web_logout_post(struct web *web)
{
    web_session_end(web);
    web_redirect(web, "/login");
}

/* The account of the set-up link in the form, or 0 with the page that
 * says the link does not work. */
static int setup_user(struct web *web, unsigned char hash[CENTRAL_TOKEN_HASH_BYTES],
                      struct central_user *user)
{
    const char *token = web_field(web, "token");
    char err[256];
    if (token && central_token_hash(token, strlen(token), hash) == 0 &&
        central_store_user_setup_find(web->request->store, hash, user, err, sizeof err) == 0)
        return 1;
    web_message(web, MHD_HTTP_NOT_FOUND, _("Lenken virker ikke"),
                _("Lenken er brukt, utløpt eller feil. Be koordinatoren om en ny."));
    return 0;
}

static void setup_form(struct web *web, const struct central_user *user, const char *error)
{
    web_begin(web, _("Velg passord"));
    central_buf_str(web->out, "<p>");
    central_buf_htmlf(web->out, _("Brukernavnet ditt er %s (%s)."), user->name,
                      web_role_words(web, user->role));
    central_buf_str(web->out, "</p>");
    if (error)
        central_buf_htmlf(web->out, "<p class=\"error\" role=\"alert\">%s</p>", error);
    char label[128];
    snprintf(label, sizeof label, _("Nytt passord (minst %d tegn)"), PASSWORD_MIN);
    central_buf_htmlf(web->out,
                      "<form method=\"post\" action=\"/setup\" class=\"stack\">"
                      "<input type=\"hidden\" name=\"token\" value=\"%s\">"
                      "<input type=\"hidden\" name=\"name\" autocomplete=\"username\" "
                      "value=\"%s\">"
                      "<label for=\"password\">%s</label>"
                      "<input id=\"password\" name=\"password\" type=\"password\" "
                      "autocomplete=\"new-password\" required minlength=\"%d\">"
                      "<label for=\"again\">%s</label>"
                      "<input id=\"again\" name=\"again\" type=\"password\" "
                      "autocomplete=\"new-password\" required>"
                      "<button type=\"submit\">%s</button></form>",
                      web_field(web, "token"), user->name, label, PASSWORD_MIN,
                      _("Det samme passordet igjen"), _("Lagre og logg inn"));
    web_end(web);
}

void web_setup_page(struct web *web)
{
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    struct central_user user;
    if (!setup_user(web, hash, &user))
        return;
    setup_form(web, &user, NULL);
}

void web_setup_post(struct web *web)
{
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    struct central_user user;
    if (!setup_user(web, hash, &user))
        return;
    const char *password = web_field(web, "password"), *again = web_field(web, "again");
    if (!password || strlen(password) < PASSWORD_MIN || strlen(password) > PASSWORD_MAX) {
        web->response->status = MHD_HTTP_BAD_REQUEST;
        setup_form(web, &user, _("Passordet må ha minst 10 og høyst 256 tegn."));
        return;
    }
    if (!again || strcmp(password, again) != 0) {
        web->response->status = MHD_HTTP_BAD_REQUEST;
        setup_form(web, &user, _("De to passordene er ikke like."));
        return;
    }
    char pwhash[crypto_pwhash_STRBYTES], err[256];
    if (crypto_pwhash_str(pwhash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 ||
        central_store_user_setup_use(web->request->store, hash, pwhash, &user, err, sizeof err) !=
            0) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Lenken virker ikke"),
                    _("Passordet ble ikke lagret: lenken er brukt eller utløpt. Be om en ny."));
        return;
    }
    if (web_session_begin(web, &user) == 0)
        web_audit(web, "password set", user.name, "");
    web_redirect(web, "/home");
}
