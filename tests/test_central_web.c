/* The web app's door (sync/central/web/web.c) over real HTTP on loopback:
 * set-up links, sessions and their cookie, CSRF and Origin, roles and
 * sites enforced by URL, the sign-in throttle, single sign-on trusted from
 * the loopback proxy only, admin tokens for scripts, and the one escaping
 * door for text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "buf.h"
#include "ical.h"
#include "plan.h"
#include "central_fixture.h"
#include "http_internal.h"
#include "store_mail.h"
#include "store_web.h"
#include "web.h"
#include "web_client.h"

static struct fixture *start(int64_t idle_s, const char *sso_header)
{
    struct central_http_config config = {.threads = 2,
                                         .quiet = 1,
                                         .session_idle_s = idle_s,
                                         .sso_header = sso_header,
                                         .public_url = "https://tilstede.example"};
    return fixture_start(&config);
}

static void test_set_up_link_works_once_then_the_password_signs_in(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    struct central_user user = {.role = CENTRAL_ROLE_COORDINATOR};
    snprintf(user.name, sizeof user.name, "kari");
    char link[512], err[256], path[512];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    web_setup_link(NULL, link, sizeof link, hash);
    assert_int_equal(central_store_user_add(f->store, &user, hash, INT64_MAX / 2, err, sizeof err),
                     0);
    struct page page;
    assert_int_equal(web_request(f, link, NULL, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "kari"));
    snprintf(path, sizeof path, "%s&password=langtpassord1&again=langtpassord1",
             strchr(link, '?') + 1);
    assert_int_equal(web_request(f, "/setup", NULL, path, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/home");
    /* Once only. */
    assert_int_equal(web_request(f, "/setup", NULL, path, NULL, NULL, &page), 404);
    assert_int_equal(web_request(f, link, NULL, NULL, NULL, NULL, &page), 404);
    char cookie[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 200);
    fixture_stop(f);
}

static void test_session_cookie_is_httponly_strict_and_secure_behind_https(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    struct page page;
    assert_int_equal(
        web_request(f, "/login", NULL, "name=kari&password=langtpassord1", NULL, NULL, &page), 303);
    assert_non_null(strstr(page.cookie, "HttpOnly"));
    assert_non_null(strstr(page.cookie, "SameSite=Strict"));
    assert_non_null(strstr(page.cookie, "Path=/"));
    assert_null(strstr(page.cookie, "Secure"));
    assert_int_equal(web_request(f, "/login", NULL, "name=kari&password=langtpassord1",
                                 "X-Forwarded-Proto: https", NULL, &page),
                     303);
    assert_non_null(strstr(page.cookie, "; Secure"));
    /* The database keeps a hash of the id, never the id. */
    char cookie[256], sql[512];
    session_of(&page, cookie, sizeof cookie);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM web_session WHERE id_hash = '%s' OR "
             "CAST(id_hash AS TEXT) = '%s'",
             strchr(cookie, '=') + 1, strchr(cookie, '=') + 1);
    assert_int_equal(fixture_count(f, sql), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_session"), 2);
    /* Sign-out ends it. */
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    char csrf[80], form[160];
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    assert_int_equal(web_request(f, "/logout", cookie, form, NULL, NULL, &page), 303);
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/login");
    fixture_stop(f);
}

static void test_post_without_csrf_or_from_another_origin_is_refused(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    char cookie[256], csrf[80], form[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, csrf, sizeof csrf);
    long before = (long)fixture_count(f, "SELECT count(*) FROM device");
    /* No token. */
    assert_int_equal(
        web_request(f, "/kiosks/add", cookie, "site=lilleby&name=ny", NULL, NULL, &page), 403);
    /* A wrong token. */
    assert_int_equal(
        web_request(f, "/kiosks/add", cookie, "site=lilleby&name=ny&csrf=AAAA", NULL, NULL, &page),
        403);
    /* The right token, from another origin. */
    snprintf(form, sizeof form, "site=lilleby&name=ny&csrf=%s", csrf);
    assert_int_equal(
        web_request(f, "/kiosks/add", cookie, form, "Origin: https://evil.example", NULL, &page),
        403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device"), before);
    /* Our own form. */
    char origin[128];
    snprintf(origin, sizeof origin, "Origin: %s", f->base);
    assert_int_equal(web_request(f, "/kiosks/add", cookie, form, origin, NULL, &page), 200);
    assert_non_null(strstr(page.body, "tilstedectl --config /etc/tilstede/tilstede.conf provision "
                                      "--central https://tilstede.example --token "));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device"), before + 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'kiosk add' "
                                      "AND actor = 'kari'"),
                     1);
    fixture_stop(f);
}

static void test_contact_cannot_reach_another_sites_pages_or_kiosks(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    char cookie[256], csrf[80], form[256];
    sign_in(f, "ola", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/here/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page), 200);
    assert_int_equal(web_request(f, "/here/" FIXTURE_SITE_B, cookie, NULL, NULL, NULL, &page), 403);
    /* A site that does not exist answers the same: the URL tells nothing. */
    struct page missing;
    assert_int_equal(web_request(f, "/here/nowhere", cookie, NULL, NULL, NULL, &missing), 403);
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 403);
    assert_int_equal(web_request(f, "/audit", cookie, NULL, NULL, NULL, &page), 403);
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_null(strstr(page.body, FIXTURE_SITE_B));
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "id=%lld&csrf=%s", (long long)f->device_b1, csrf);
    assert_int_equal(web_request(f, "/kiosks/revoke", cookie, form, NULL, NULL, &page), 403);
    snprintf(form, sizeof form, "site=" FIXTURE_SITE_B "&name=x&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/kiosks/add", cookie, form, NULL, NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device WHERE revoked_us IS NULL"), 3);
    /* Their own kiosk they may revoke. */
    snprintf(form, sizeof form, "id=%lld&csrf=%s", (long long)f->device_a2, csrf);
    assert_int_equal(web_request(f, "/kiosks/revoke", cookie, form, NULL, NULL, &page), 303);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM device WHERE revoked_us IS NULL"), 2);
    fixture_stop(f);
}

static void test_wrong_passwords_slow_down_and_never_say_if_the_account_exists(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    struct page wrong, unknown;
    assert_int_equal(web_request(f, "/login", NULL, "name=kari&password=feil", NULL, NULL, &wrong),
                     403);
    assert_int_equal(
        web_request(f, "/login", NULL, "name=ingen&password=feil", NULL, NULL, &unknown), 403);
    const char *a = strstr(wrong.body, "role=\"alert\">"),
               *b = strstr(unknown.body, "role=\"alert\">");
    assert_non_null(a);
    assert_non_null(b);
    assert_memory_equal(a, b, strchr(a, '<') - a);
    for (int i = 0; i < 4; i++)
        web_request(f, "/login", NULL, "name=kari&password=feil", NULL, NULL, &wrong);
    /* Six wrong in a row: now even the right password waits. */
    struct page page;
    assert_int_equal(
        web_request(f, "/login", NULL, "name=kari&password=langtpassord1", NULL, NULL, &page), 429);
    assert_null(strstr(page.cookie, "tilstede_session="));
    /* Counted per account and per address (the address reached five first:
     * the unknown name counts for it too). */
    assert_true(fixture_count(f, "SELECT failures FROM web_login_failure WHERE key = "
                                 "'user:kari'") >= 4);
    assert_true(fixture_count(f, "SELECT failures FROM web_login_failure WHERE key = "
                                 "'addr:127.0.0.1'") >= 5);
    fixture_stop(f);
}

static void test_an_idle_session_expires(void **state)
{
    (void)state;
    struct fixture *f = start(1, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    char cookie[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 200);
    sleep(2);
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/login");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_session"), 0);
    fixture_stop(f);
}

static void test_sso_header_names_the_user_only_when_configured(void **state)
{
    (void)state;
    struct fixture *f = start(0, "X-Remote-User");
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    struct page page;
    /* From the loopback proxy: signed in as the central's own account,
     * with its role and sites. */
    assert_int_equal(
        web_request(f, "/here/" FIXTURE_SITE_A, NULL, NULL, "X-Remote-User: ola", NULL, &page),
        200);
    assert_non_null(strstr(page.cookie, "tilstede_session="));
    assert_int_equal(
        web_request(f, "/here/" FIXTURE_SITE_B, NULL, NULL, "X-Remote-User: ola", NULL, &page),
        403);
    /* A name the central does not know gets nothing. */
    assert_int_equal(web_request(f, "/users", NULL, NULL, "X-Remote-User: kari", NULL, &page), 403);
    fixture_stop(f);
    /* Without --sso-header the header means nothing. */
    f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    assert_int_equal(
        web_request(f, "/here/" FIXTURE_SITE_A, NULL, NULL, "X-Remote-User: ola", NULL, &page),
        303);
    fixture_stop(f);
}

/* One of this machine's own addresses that is not loopback (an up
 * interface's IPv4 address), or 0 when it has none. */
static int outside_address(char *out, size_t cap)
{
    struct ifaddrs *list = NULL, *i;
    int found = 0;
    if (getifaddrs(&list))
        return 0;
    for (i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP))
            continue;
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)i->ifa_addr;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)cap);
        found = !central_http_is_loopback(out);
    }
    freeifaddrs(list);
    return found;
}

/* The single sign-on header from a peer that is not the loopback proxy:
 * a real connection from this machine's own outside address to the
 * central listening on every address (over TLS, as it must there). The
 * same header from loopback signs in; from outside it is refused with 403
 * and no session, and the same request without it is an ordinary visitor. */
static void test_sso_header_from_a_peer_off_loopback_is_refused(void **state)
{
    (void)state;
    char address[INET_ADDRSTRLEN];
    if (!outside_address(address, sizeof address)) {
        fprintf(stderr, "no address off loopback on this machine: cannot connect from one\n");
        skip();
    }
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    char dir[256], command[1024], cert[320], key[320];
    snprintf(dir, sizeof dir, "%s/sso-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(cert, sizeof cert, "%s/server.pem", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(command, sizeof command,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout '%s' -out '%s' -days 2 -subj '/CN=tilstede' 2>/dev/null",
             key, cert);
    assert_int_equal(system(command), 0);
    struct central_http_config config = {.threads = 2,
                                         .quiet = 1,
                                         .listen = "0.0.0.0:0",
                                         .tls_cert = cert,
                                         .tls_key = key,
                                         .sso_header = "X-Remote-User",
                                         .public_url = "https://tilstede.example"};
    struct fixture *f = fixture_start(&config);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    struct fixture outside = *f;
    snprintf(outside.base, sizeof outside.base, "https://%s:%u", address,
             central_http_port(f->http));
    struct page page;
    /* From loopback: signed in. */
    assert_int_equal(
        web_request(f, "/here/" FIXTURE_SITE_A, NULL, NULL, "X-Remote-User: ola", NULL, &page),
        200);
    assert_non_null(strstr(page.cookie, "tilstede_session="));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_session"), 1);
    /* From outside: refused, no session made, also for a page anyone may
     * open. */
    assert_int_equal(web_request(&outside, "/here/" FIXTURE_SITE_A, NULL, NULL,
                                 "X-Remote-User: ola", NULL, &page),
                     403);
    assert_null(strstr(page.cookie, "tilstede_session="));
    assert_non_null(strstr(page.body, "Ingen tilgang"));
    assert_int_equal(
        web_request(&outside, "/login", NULL, NULL, "X-Remote-User: ola", NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_session"), 1);
    /* The same peer without the header: an ordinary visitor, sent to sign in. */
    assert_int_equal(web_request(&outside, "/here/" FIXTURE_SITE_A, NULL, NULL, NULL, NULL, &page),
                     303);
    assert_string_equal(page.location, "/login");
    fixture_stop(f);
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

/* ---- languages (issue 13, section 6) ---- */

/* Words that are bokmål only: none may be left on a page in nynorsk. */
static const char *const bokmal_only[] = {
    "ikke",        "Hvem er her", "Brukere",  "Kiosker",   "Åpningstid", "Enhet",
    "hele døgnet", "Oversikt",    "innholdet", "Rapporter", "Aktiviteter", "tirsdag",
    "lørdag",      "søndag",      " fra ",    "Brukernavn", "Velg ",      "Tilbake",
    NULL};
/* And on a page in English, not those nor the words bokmål shares with
 * nynorsk. */
static const char *const norwegian[] = {"Logg ", "Frivillige", "Dager", "Lagre", "Språk",
                                        "aldri",  "Ingen",      "Passord", "Legg til", "Stille",
                                        "mandag", "Klokke",     "Enheter", NULL};

/* The page's visible text (between tags), so that paths, class names and
 * the attribute values of the markup are not read as words. */
static void visible_text(const char *html, char *out, size_t cap)
{
    size_t used = 0;
    int in_tag = 0;
    for (const char *p = html; *p && used + 1 < cap; p++) {
        if (*p == '<')
            in_tag = 1;
        else if (*p == '>')
            in_tag = 0, out[used++] = ' ';
        else if (!in_tag)
            out[used++] = *p;
    }
    out[used] = '\0';
}

static void assert_no_words(const char *what, const char *lang, const char *html,
                            const char *const *words)
{
    static char text[65536];
    visible_text(html, text, sizeof text);
    for (size_t i = 0; words[i]; i++)
        if (strstr(text, words[i])) {
            fprintf(stderr, "%s in %s still says \"%s\":\n%s\n", what, lang, words[i], text);
            fail();
        }
}

/* A person chooses their language on their own page; every page they see
 * is then in it, with no bokmål left: the layout and menu, the kiosks page
 * with its opening hours, their own page, a message page. Before sign-in
 * the browser's Accept-Language chooses; bokmål without one. */
static void test_pages_speak_the_language_the_person_chose(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "nils", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord7");
    make_user(f, "emma", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord8");
    assert_int_equal(fixture_exec(f, "UPDATE device SET last_seen_us = 1"), 0);
    struct page page;
    /* Before sign-in: the browser's language. */
    assert_int_equal(web_request(f, "/login", NULL, NULL, "Accept-Language: nn-NO,nn;q=0.9",
                                 NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "<html lang=\"nn\">"));
    assert_non_null(strstr(page.body, "Brukarnamn"));
    assert_no_words("/login", "nn", page.body, bokmal_only);
    assert_int_equal(web_request(f, "/login", NULL, NULL, "Accept-Language: en-GB,en;q=0.8",
                                 NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "User name"));
    assert_no_words("/login", "en", page.body, norwegian);
    assert_int_equal(web_request(f, "/login", NULL, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<html lang=\"nb\">"));
    assert_non_null(strstr(page.body, "Brukernavn"));
    const struct {
        const char *name, *password, *lang;
        const char *const *words;
        const char *expect;
    } people[] = {{"nils", "langtpassord7", "nn", bokmal_only, "Opningstider"},
                  {"emma", "langtpassord8", "en", norwegian, "Opening hours"}};
    for (size_t i = 0; i < 2; i++) {
        char cookie[256], csrf[80], form[256];
        sign_in(f, people[i].name, people[i].password, cookie, sizeof cookie);
        assert_int_equal(web_request(f, "/me", cookie, NULL, NULL, NULL, &page), 200);
        assert_non_null(strstr(page.body, "name=\"lang\" value=\"nb\" checked"));
        csrf_of(&page, csrf, sizeof csrf);
        snprintf(form, sizeof form, "csrf=%s&lang=%s", csrf, people[i].lang);
        assert_int_equal(web_request(f, "/me", cookie, form, NULL, NULL, &page), 303);
        /* Stored with the account: a new session has it too. */
        sign_in(f, people[i].name, people[i].password, cookie, sizeof cookie);
        /* Their page, the kiosks, and a message page (a form without its
         * token, refused). */
        const char *paths[] = {"/me", "/kiosks", "/kiosks/add"};
        for (size_t j = 0; j < 3; j++) {
            web_request(f, paths[j], cookie, j == 2 ? "name=x" : NULL, NULL, NULL, &page);
            assert_int_equal(page.status, j == 2 ? 403 : 200);
            char lang_attr[32];
            snprintf(lang_attr, sizeof lang_attr, "<html lang=\"%s\">", people[i].lang);
            assert_non_null(strstr(page.body, lang_attr));
            assert_no_words(paths[j], people[i].lang, page.body, people[i].words);
            if (j == 1)
                assert_non_null(strstr(page.body, people[i].expect));
        }
        assert_int_equal(web_request(f, "/me", cookie, NULL, NULL, NULL, &page), 200);
        char checked[64];
        snprintf(checked, sizeof checked, "value=\"%s\" checked", people[i].lang);
        assert_non_null(strstr(page.body, checked));
        /* Not a language of ours: refused, nothing changes. */
        csrf_of(&page, csrf, sizeof csrf);
        snprintf(form, sizeof form, "csrf=%s&lang=de", csrf);
        assert_int_equal(web_request(f, "/me", cookie, form, NULL, NULL, &page), 400);
    }
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_user WHERE lang = 'nn' AND "
                                      "name = 'nils'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'user lang'"), 2);
    fixture_stop(f);
}

/* The browser's Accept-Language, read as browsers write it. */
static void test_accept_language_picks_the_first_of_ours(void **state)
{
    (void)state;
    char lang[4];
    const char *cases[][2] = {{NULL, "nb"},
                              {"", "nb"},
                              {"de-DE,de;q=0.9", "nb"},
                              {"nn-NO,nn;q=0.9,nb;q=0.8", "nn"},
                              {"da, en-GB;q=0.8, en;q=0.7", "en"},
                              {"no", "nb"},
                              {"nn;q=0, en", "en"},
                              {"EN-us", "en"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        web_lang_from_browser(cases[i][0], lang);
        assert_string_equal(lang, cases[i][1]);
    }
}

static void test_admin_token_works_as_bearer_for_scripts(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    struct page page;
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->admin_token);
    assert_int_equal(web_request(f, "/users", NULL, NULL, auth, NULL, &page), 200);
    assert_int_equal(
        web_request(f, "/kiosks/add", NULL, "site=lilleby&name=skript", auth, NULL, &page), 200);
    assert_null(strstr(page.cookie, "tilstede_session="));
    /* Not as a cookie. */
    char cookie[128];
    snprintf(cookie, sizeof cookie, "tilstede_session=%s", f->admin_token);
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 303);
    assert_int_equal(
        web_request(f, "/users", NULL, NULL, "Authorization: Bearer nonsense", NULL, &page), 401);
    fixture_stop(f);
}

/* ---- the volunteers (issue 13, section 2) ---- */

static void roster_put(struct fixture *f, const struct central_volunteer *list, size_t n)
{
    size_t changed;
    char err[256];
    assert_int_equal(central_store_roster_replace(f->store, list, n, &changed, err, sizeof err), 0);
}

static struct central_volunteer volunteer(const char *id, const char *given, const char *family,
                                          int active, const char *signed_on,
                                          const char *police_until)
{
    struct central_volunteer v;
    memset(&v, 0, sizeof v);
    snprintf(v.external_id, sizeof v.external_id, "%s", id);
    snprintf(v.given_name, sizeof v.given_name, "%s", given);
    snprintf(v.family_name, sizeof v.family_name, "%s", family);
    v.active = active;
    snprintf(v.confidentiality_signed, sizeof v.confidentiality_signed, "%s", signed_on);
    snprintf(v.police_valid_until, sizeof v.police_valid_until, "%s", police_until);
    return v;
}

/* A date days from today, "YYYY-MM-DD". */
static void day_from_today(int days, char out[CENTRAL_DATE_LEN + 1])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

/* A check-in and check-out of the volunteer, uploaded by the kiosk. */
static void visit_at(struct fixture *f, const char *token, const char *volunteer_id)
{
    struct event events[2];
    int64_t start = fixture_utc("2026-11-23T10:00:00Z");
    fixture_event(&events[0], EVENT_CHECKIN, volunteer_id, start);
    fixture_event(&events[1], EVENT_CHECKOUT, volunteer_id, start + 7200ll * 1000000);
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
}

/* Kari (site A), Øystein (sites A and B), Per (inactive, site B), Lise
 * (site B only, papers missing), Siv (police certificate running out). */
static void volunteers_setup(struct fixture *f)
{
    char soon[CENTRAL_DATE_LEN + 1], later[CENTRAL_DATE_LEN + 1], past[CENTRAL_DATE_LEN + 1];
    day_from_today(10, soon);
    day_from_today(400, later);
    day_from_today(-3, past);
    struct central_volunteer list[] = {
        volunteer("F-1", "Kari", "Nordmann", 1, "2026-01-05", later),
        volunteer("F-2", "Øystein", "Åsheim", 1, "2026-01-05", later),
        volunteer("F-3", "Per", "Olsen", 0, "2025-03-01", later),
        volunteer("F-4", "Lise", "Berg", 1, "", past),
        volunteer("F-5", "Siv", "Dahl", 1, "2026-02-01", soon),
    };
    roster_put(f, list, 5);
    visit_at(f, f->token_a1, "F-1");
    visit_at(f, f->token_a1, "F-2");
    visit_at(f, f->token_b1, "F-2");
    visit_at(f, f->token_b1, "F-3");
    visit_at(f, f->token_b1, "F-4");
    visit_at(f, f->token_a2, "F-5");
}

static void test_volunteer_list_searches_names_and_ids_and_filters(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    volunteers_setup(f);
    char cookie[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    /* Active ones by default, in Norwegian order: Å after the rest. */
    assert_int_equal(web_request(f, "/volunteers", cookie, NULL, NULL, NULL, &page), 200);
    const char *berg = strstr(page.body, "Lise Berg"), *dahl = strstr(page.body, "Siv Dahl"),
               *nordmann = strstr(page.body, "Kari Nordmann"),
               *asheim = strstr(page.body, "Øystein Åsheim");
    assert_true(berg && dahl && nordmann && asheim);
    assert_true(berg < dahl && dahl < nordmann && nordmann < asheim);
    assert_null(strstr(page.body, "Per Olsen"));
    assert_non_null(strstr(page.body, "4 frivillige"));
    /* Missing papers are marked (markup, never an escaped attribute). */
    assert_non_null(strstr(page.body, " class=\"warn\">"));
    assert_null(strstr(page.body, "class=&quot;"));
    /* Search folds case and Norwegian letters: "øy" finds Øystein, "ÅSH"
     * too; an id part finds its owner. */
    assert_int_equal(web_request(f, "/volunteers?q=%C3%B8y", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Øystein Åsheim"));
    assert_null(strstr(page.body, "Kari Nordmann"));
    assert_int_equal(web_request(f, "/volunteers?q=%C3%85SH", cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Øystein Åsheim"));
    assert_int_equal(web_request(f, "/volunteers?q=f-1", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Kari Nordmann"));
    assert_non_null(strstr(page.body, "1 frivillig<"));
    /* Inactive, and both. */
    assert_int_equal(web_request(f, "/volunteers?active=0", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Per Olsen"));
    assert_null(strstr(page.body, "Kari Nordmann"));
    assert_int_equal(web_request(f, "/volunteers?active=all", cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "5 frivillige"));
    /* Where they have been. */
    assert_int_equal(
        web_request(f, "/volunteers?site=" FIXTURE_SITE_B, cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Øystein Åsheim"));
    assert_non_null(strstr(page.body, "Lise Berg"));
    assert_null(strstr(page.body, "Kari Nordmann"));
    /* Papers: Lise has no agreement and an expired certificate; Siv's
     * runs out in 10 days, within 30 but not within 5. */
    assert_int_equal(web_request(f, "/volunteers?papers=missing", cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Lise Berg"));
    assert_non_null(strstr(page.body, "1 frivillig<"));
    assert_int_equal(
        web_request(f, "/volunteers?papers=expiring&days=30", cookie, NULL, NULL, NULL, &page),
        200);
    assert_non_null(strstr(page.body, "Siv Dahl"));
    assert_non_null(strstr(page.body, "1 frivillig<"));
    assert_int_equal(
        web_request(f, "/volunteers?papers=expiring&days=5", cookie, NULL, NULL, NULL, &page), 200);
    assert_null(strstr(page.body, "Siv Dahl"));
    fixture_stop(f);
}

static void test_volunteer_page_shows_papers_cards_visits_and_notes(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    volunteers_setup(f);
    struct central_volunteer undated = volunteer("F-6", "Ola", "Undal", 1, "", "");
    undated.confidentiality_undated = 1;
    undated.police_undated = 1;
    char cookie[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/volunteers/F-2", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<h1>Øystein Åsheim</h1>"));
    assert_non_null(strstr(page.body, "signert 05.01.2026"));
    assert_non_null(strstr(page.body, "gyldig til "));
    /* Both sites' visits, in Norwegian dates, two hours each. */
    assert_non_null(strstr(page.body, "23.11.2026 kl. 11.00"));
    assert_non_null(strstr(page.body, "2 t 0 min"));
    const char *visits = strstr(page.body, "<h2>Besøk</h2>");
    assert_non_null(visits);
    assert_non_null(strstr(visits, "Lilleby sykehjem"));
    assert_non_null(strstr(visits, "Aktivitetshuset"));
    assert_non_null(strstr(page.body, "Ingen kort registrert."));
    /* Undated papers say so. */
    struct central_volunteer with_undated[] = {
        volunteer("F-1", "Kari", "Nordmann", 1, "2026-01-05", "2030-01-01"), undated};
    roster_put(f, with_undated, 2);
    assert_int_equal(web_request(f, "/volunteers/F-6", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "signert (uten dato)"));
    assert_non_null(strstr(page.body, "levert (uten utløpsdato)"));
    /* A note, kept with its author. */
    char csrf[80], form[256];
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "action=note&text=Vil+helst+ha+tirsdager&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/volunteers/F-6", cookie, form, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/volunteers/F-6?done=note");
    assert_int_equal(web_request(f, "/volunteers/F-6", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Vil helst ha tirsdager"));
    assert_non_null(strstr(page.body, " · kari"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'note add' AND "
                                      "subject = 'F-6'"),
                     1);
    /* Someone not on the roster has no page. */
    assert_int_equal(web_request(f, "/volunteers/F-99", cookie, NULL, NULL, NULL, &page), 404);
    fixture_stop(f);
}

static void test_contact_reaches_only_volunteers_of_their_sites_even_by_url(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    volunteers_setup(f);
    char cookie[256], csrf[80], form[256];
    sign_in(f, "ola", "langtpassord1", cookie, sizeof cookie);
    struct page page, missing;
    assert_int_equal(web_request(f, "/volunteers?active=all", cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Kari Nordmann"));
    assert_non_null(strstr(page.body, "Øystein Åsheim"));
    assert_null(strstr(page.body, "Lise Berg"));
    assert_null(strstr(page.body, "Per Olsen"));
    /* Asking for the other site's list gives nothing, not that site. */
    assert_int_equal(web_request(f, "/volunteers?active=all&site=" FIXTURE_SITE_B, cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_null(strstr(page.body, "Lise Berg"));
    assert_null(strstr(page.body, "Øystein"));
    /* Lise (site B only) by URL: the same 404 as someone who does not
     * exist, and nothing of her. */
    assert_int_equal(web_request(f, "/volunteers/F-4", cookie, NULL, NULL, NULL, &page), 404);
    assert_int_equal(web_request(f, "/volunteers/F-404", cookie, NULL, NULL, NULL, &missing), 404);
    assert_string_equal(page.body, missing.body);
    assert_null(strstr(page.body, "Lise"));
    assert_null(strstr(page.body, "Berg"));
    /* Øystein, seen at both sites: only this site's visits. */
    assert_int_equal(web_request(f, "/volunteers/F-2", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(strstr(page.body, "<h2>Besøk</h2>"), "Lilleby sykehjem"));
    assert_null(strstr(page.body, "Aktivitetshuset"));
    /* Nor can they change Lise: a note is refused, nothing stored. */
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "action=note&text=hei&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/volunteers/F-4", cookie, form, NULL, NULL, &page), 404);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer_note"), 0);
    /* A viewer reads reports, not volunteers. */
    make_user(f, "vera", CENTRAL_ROLE_VIEWER, NULL, "langtpassord1");
    sign_in(f, "vera", "langtpassord1", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/volunteers", cookie, NULL, NULL, NULL, &page), 403);
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, NULL, NULL, NULL, &page), 403);
    fixture_stop(f);
}

static json_t *card_in(json_t *doc, const char *hash)
{
    size_t i;
    json_t *card;
    json_array_foreach(json_object_get(doc, "cards"), i, card)
    {
        if (!strcmp(json_string_value(json_object_get(card, "card_hash")), hash))
            return card;
    }
    return NULL;
}

static void test_card_revoked_in_the_browser_reaches_every_kiosk_through_the_roster(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    volunteers_setup(f);
    char hash[CARD_HASH_HEX + 1];
    memset(hash, 'a', CARD_HASH_HEX);
    memcpy(hash + CARD_HASH_HEX - 6, "b0c1d2", 6);
    hash[CARD_HASH_HEX] = '\0';
    struct event enrolled;
    fixture_event(&enrolled, EVENT_CARD_ENROLLED, "F-1", fixture_utc("2026-11-23T09:00:00Z"));
    enrolled.source = SOURCE_STAFF;
    strcpy(enrolled.card_hash, hash);
    struct reply reply;
    assert_int_equal(fixture_post_events(f, f->token_a1, &enrolled, 1, &reply), 0);
    reply_free(&reply);
    /* The other site's kiosk has the card, and a cursor. */
    json_t *before = fixture_roster(f, f->token_b1, NULL);
    assert_true(json_is_false(json_object_get(card_in(before, hash), "revoked")));
    char cursor[128];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(before, "cursor")));

    char cookie[256], csrf[80], form[256], path[160];
    sign_in(f, "ola", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Kort …b0c1d2"));
    /* First a confirmation, which changes nothing. */
    snprintf(path, sizeof path, "/volunteers/F-1?card=%s", hash);
    assert_non_null(strstr(page.body, path));
    assert_int_equal(web_request(f, path, cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Ja, sperr kortet"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM card WHERE revoked = 1"), 0);
    csrf_of(&page, csrf, sizeof csrf);
    /* Without the CSRF token: refused. */
    snprintf(form, sizeof form, "action=revoke&card=%s", hash);
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, form, NULL, NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM card WHERE revoked = 1"), 0);
    /* Another volunteer's page cannot revoke F-1's card. */
    snprintf(form, sizeof form, "action=revoke&card=%s&csrf=%s", hash, csrf);
    assert_int_equal(web_request(f, "/volunteers/F-2", cookie, form, NULL, NULL, &page), 404);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM card WHERE revoked = 1"), 0);
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, form, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/volunteers/F-1?done=card");
    assert_int_equal(web_request(f, "/volunteers/F-1?done=card", cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Kortet er sperret"));
    assert_non_null(strstr(page.body, "sperret</td>"));

    /* The next roster answer after the cursor carries it, to a kiosk of
     * another site too. */
    json_t *after = fixture_roster(f, f->token_b1, cursor);
    json_t *card = card_in(after, hash);
    assert_non_null(card);
    assert_true(json_is_true(json_object_get(card, "revoked")));
    assert_string_not_equal(json_string_value(json_object_get(after, "cursor")), cursor);
    /* Once: a second time is refused, the roster unchanged. */
    assert_int_equal(web_request(f, "/volunteers/F-1", cookie, form, NULL, NULL, &page), 404);
    /* Audited by volunteer, with no card data. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'card revoke' "
                                      "AND subject = 'F-1' AND actor = 'ola'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE subject LIKE '%b0c1d2%' "
                                      "OR detail LIKE '%b0c1d2%'"),
                     0);
    json_decref(before);
    json_decref(after);
    fixture_stop(f);
}

/* ---- the roster upload ---- */

/* POSTs csv as a multipart/form-data file upload to /roster/preview. */
static long upload_roster(const struct fixture *f, const char *cookie, const char *csrf,
                          const char *csv, size_t len, struct page *page)
{
    CURL *curl = page_curl(f, "/roster/preview", page);
    curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
    curl_mime *mime = curl_mime_init(curl);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "csrf");
    curl_mime_data(part, csrf, CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    curl_mime_filename(part, "frivillige.csv");
    curl_mime_type(part, "text/csv");
    curl_mime_data(part, csv, len);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &page->status);
    curl_mime_free(mime);
    curl_easy_cleanup(curl);
    return page->status;
}

/* The apply form's upload id on a preview, or "" when it offers none. */
static void upload_id_of(const struct page *page, char *out, size_t cap)
{
    const char *at = strstr(page->body, "name=\"upload\" value=\"");
    out[0] = '\0';
    if (at) {
        at += strlen("name=\"upload\" value=\"");
        snprintf(out, cap, "%.*s", (int)(strchr(at, '"') - at), at);
    }
}

/* Excel's "CSV (semikolonseparert)": Windows-1252, ';', CRLF. Line 4 has a
 * date that names no day. */
static const char roster_bad[] =
    "Frivillig-ID;Fornavn;Etternavn;Taushetserkl\xe6ring;Politiattest gyldig til\r\n"
    "F-1;Kari Anne;Nordmann;05.01.2026;01.01.2030\r\n"
    "F-3;Bj\xf8rg;\xc5sheim;;\r\n"
    "F-4;Ola;Dahl;31.02.2026;\r\n";
static const char roster_good[] =
    "Frivillig-ID;Fornavn;Etternavn;Taushetserkl\xe6ring;Politiattest gyldig til\r\n"
    "F-1;Kari Anne;Nordmann;05.01.2026;01.01.2030\r\n"
    "F-3;Bj\xf8rg;\xc5sheim;;\r\n";
/* The same in "CSV UTF-8" with English headers and commas. */
static const char roster_good_english[] =
    "\xef\xbb\xbfVolunteer ID,First name,Last name,Confidentiality agreement,Police certificate\n"
    "F-1,Kari Anne,Nordmann,2026-01-05,2030-01-01\n"
    "F-3,Bj\xc3\xb8rg,\xc3\x85sheim,,\n";

static void roster_upload_setup(struct fixture *f)
{
    struct central_volunteer list[] = {
        volunteer("F-1", "Kari", "Nordmann", 1, "2026-01-05", "2030-01-01"),
        volunteer("F-2", "Per", "Olsen", 1, "", ""),
    };
    roster_put(f, list, 2);
}

static void
test_roster_upload_previews_then_applies_and_a_second_upload_changes_nothing(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    roster_upload_setup(f);
    char cookie[256], csrf[80], id[80], form[256];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/roster", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "enctype=\"multipart/form-data\""));
    csrf_of(&page, csrf, sizeof csrf);
    long long change = fixture_count(f, "SELECT value FROM roster_change");

    /* A bad row: shown with its line and reason; nothing can be applied. */
    assert_int_equal(upload_roster(f, cookie, csrf, roster_bad, strlen(roster_bad), &page), 200);
    assert_non_null(strstr(page.body, "Linje 4"));
    assert_non_null(strstr(page.body, "31.02.2026"));
    /* The parser's reason in the page's bokmål, not its English. */
    assert_non_null(strstr(page.body, "er ikke en dato"));
    assert_null(strstr(page.body, "is not a date"));
    assert_non_null(strstr(page.body, "Windows-1252"));
    upload_id_of(&page, id, sizeof id);
    assert_string_equal(id, "");
    /* Without the CSRF token, refused before it is read. */
    assert_int_equal(upload_roster(f, cookie, "feil", roster_good, strlen(roster_good), &page),
                     403);

    /* The good file: one added, one changed, one made inactive; nothing
     * stored yet. */
    assert_int_equal(upload_roster(f, cookie, csrf, roster_good, strlen(roster_good), &page), 200);
    assert_non_null(strstr(page.body, "<strong>1</strong> blir lagt til"));
    assert_non_null(strstr(page.body, "<strong>1</strong> blir endret"));
    assert_non_null(strstr(page.body, "<strong>1</strong> blir satt som inaktive"));
    assert_non_null(strstr(page.body, "Bjørg Åsheim (F-3)"));
    assert_non_null(strstr(page.body, "Per Olsen (F-2)"));
    upload_id_of(&page, id, sizeof id);
    assert_true(strlen(id) > 20);
    assert_int_equal(fixture_count(f, "SELECT value FROM roster_change"), change);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer"), 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE active = 1"), 2);
    /* The file waits in the database for "apply", bound to the session. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 1);

    /* Apply: without the token refused, then done. */
    snprintf(form, sizeof form, "upload=%s", id);
    assert_int_equal(web_request(f, "/roster/apply", cookie, form, NULL, NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer"), 2);
    snprintf(form, sizeof form, "upload=%s&csrf=%s", id, csrf);
    assert_int_equal(web_request(f, "/roster/apply", cookie, form, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Frivilliglisten er oppdatert"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE external_id = 'F-3' "
                                      "AND given_name = 'Bjørg' AND active = 1"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE external_id = 'F-1' "
                                      "AND given_name = 'Kari Anne'"),
                     1);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM volunteer WHERE external_id = 'F-2' AND active = 0"),
        1);
    assert_true(fixture_count(f, "SELECT value FROM roster_change") > change);
    /* Every change in the audit log, and the import as a whole. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE actor = 'kari' AND "
                                      "((action = 'volunteer add' AND subject = 'F-3') OR "
                                      "(action = 'volunteer change' AND subject = 'F-1') OR "
                                      "(action = 'volunteer inactive' AND subject = 'F-2'))"),
                     3);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'roster import' "
                                      "AND detail = '1 lagt til, 1 endret, 1 satt inaktive'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 0);
    /* The same apply again finds nothing to apply. */
    assert_int_equal(web_request(f, "/roster/apply", cookie, form, NULL, NULL, &page), 404);

    /* The same file again, and the same roster in UTF-8 with English
     * headers and commas: no change shown, none offered, none made. */
    change = fixture_count(f, "SELECT value FROM roster_change");
    assert_int_equal(upload_roster(f, cookie, csrf, roster_good, strlen(roster_good), &page), 200);
    assert_non_null(strstr(page.body, "Ingen endringer"));
    upload_id_of(&page, id, sizeof id);
    assert_string_equal(id, "");
    assert_int_equal(
        upload_roster(f, cookie, csrf, roster_good_english, strlen(roster_good_english), &page),
        200);
    assert_non_null(strstr(page.body, "Ingen endringer"));
    assert_non_null(strstr(page.body, "UTF-8"));
    assert_int_equal(fixture_count(f, "SELECT value FROM roster_change"), change);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 0);
    fixture_stop(f);
}

static void test_roster_apply_is_bound_to_the_session_and_checks_the_roster_again(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    make_user(f, "nina", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    roster_upload_setup(f);
    char kari[256], nina[256], csrf[80], nina_csrf[80], id[80], form[256];
    sign_in(f, "kari", "langtpassord1", kari, sizeof kari);
    sign_in(f, "nina", "langtpassord1", nina, sizeof nina);
    struct page page;
    assert_int_equal(web_request(f, "/roster", kari, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, csrf, sizeof csrf);
    assert_int_equal(web_request(f, "/roster", nina, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, nina_csrf, sizeof nina_csrf);
    assert_int_equal(upload_roster(f, kari, csrf, roster_good, strlen(roster_good), &page), 200);
    upload_id_of(&page, id, sizeof id);
    /* Another session cannot apply kari's upload. */
    snprintf(form, sizeof form, "upload=%s&csrf=%s", id, nina_csrf);
    assert_int_equal(web_request(f, "/roster/apply", nina, form, NULL, NULL, &page), 404);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer"), 2);
    /* The roster changes in between: apply shows the new preview instead. */
    struct central_volunteer list[] = {
        volunteer("F-1", "Kari", "Nordmann", 1, "2026-01-05", "2030-01-01"),
    };
    roster_put(f, list, 1);
    snprintf(form, sizeof form, "upload=%s&csrf=%s", id, csrf);
    assert_int_equal(web_request(f, "/roster/apply", kari, form, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "endret siden forhåndsvisningen"));
    assert_non_null(strstr(page.body, "<strong>0</strong> blir satt som inaktive"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE external_id = 'F-3'"),
                     0);
    /* Signing out forgets the upload. */
    upload_id_of(&page, id, sizeof id);
    assert_true(strlen(id) > 20);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 1);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    assert_int_equal(web_request(f, "/logout", kari, form, NULL, NULL, &page), 303);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 0);
    fixture_stop(f);
}

static void test_only_a_coordinator_uploads_the_roster(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    roster_upload_setup(f);
    char cookie[256], csrf[80];
    sign_in(f, "ola", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/roster", cookie, NULL, NULL, NULL, &page), 403);
    assert_null(strstr(page.body, "/roster\""));
    assert_int_equal(web_request(f, "/volunteers", cookie, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, csrf, sizeof csrf);
    assert_int_equal(upload_roster(f, cookie, csrf, roster_good, strlen(roster_good), &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM volunteer WHERE active = 1"), 2);
    fixture_stop(f);
}

static void test_a_roster_over_the_upload_limit_gets_a_page_that_says_so(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    char cookie[256], csrf[80];
    sign_in(f, "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/roster", cookie, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, csrf, sizeof csrf);
    size_t len = CENTRAL_WEB_BODY_MAX + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    assert_int_equal(upload_roster(f, cookie, csrf, big, len, &page), 413);
    assert_non_null(strstr(page.body, "For stor fil"));
    assert_non_null(strstr(page.body, "større enn 8 MB"));
    free(big);
    /* Not a roster at all: the parser's reason, nothing kept. */
    assert_int_equal(upload_roster(f, cookie, csrf, "PK\x03\x04", 4, &page), 400);
    assert_non_null(strstr(page.body, "Filen kunne ikke leses"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_upload"), 0);
    fixture_stop(f);
}

static void test_htmlf_escapes_every_string_argument(void **state)
{
    (void)state;
    struct central_buf buf;
    central_buf_init(&buf, 4096);
    assert_int_equal(central_buf_htmlf(&buf, "<td title=\"%s\">%s %d %lld %zu%%</td>",
                                       "\"><script>", "Ås & <b>", -3, 1234567890123LL, (size_t)7),
                     0);
    assert_string_equal(buf.data, "<td title=\"&quot;&gt;&lt;script&gt;\">Ås &amp; &lt;b&gt; -3 "
                                  "1234567890123 7%</td>");
    central_buf_free(&buf);
}


/* ---- activities (issue 13, 3) ---- */

/* A multipart upload of one file (field "file") with the form's CSRF
 * token ("" none). */
static long web_upload(const struct fixture *f, const char *path, const char *cookie,
                       const char *csrf, const char *data, size_t len, struct page *page)
{
    CURL *curl = page_curl(f, path, page);
    curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
    curl_mime *mime = curl_mime_init(curl);
    if (csrf[0]) {
        curl_mimepart *part = curl_mime_addpart(mime);
        curl_mime_name(part, "csrf");
        curl_mime_data(part, csrf, CURL_ZERO_TERMINATED);
    }
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    curl_mime_filename(part, "aktiviteter.ics");
    curl_mime_type(part, "text/calendar");
    curl_mime_data(part, data, len);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &page->status);
    curl_mime_free(mime);
    curl_easy_cleanup(curl);
    return page->status;
}

struct plan_ids {
    char id[4][EVENT_ID_LEN + 1];
    size_t count;
};

static int keep_plan_id(void *ctx, const struct central_plan *plan)
{
    struct plan_ids *ids = ctx;
    if (ids->count < 4)
        snprintf(ids->id[ids->count++], EVENT_ID_LEN + 1, "%s", plan->id);
    return 0;
}

static void plans_of(const struct fixture *f, const char *site, struct plan_ids *ids)
{
    char err[256];
    ids->count = 0;
    assert_int_equal(central_store_plans(f->store, site, keep_plan_id, ids, err, sizeof err), 0);
}

static void test_contact_plans_a_night_activity_cancels_and_moves_one_in_the_week(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord2");
    char cookie[256], csrf[80], form[512];
    sign_in(f, "kari", "langtpassord2", cookie, sizeof cookie);
    struct page page;
    /* A contact with one site goes straight to it. */
    assert_int_equal(web_request(f, "/activities", cookie, NULL, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/activities/" FIXTURE_SITE_A);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "?week=2026-12-09", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Uke 50: 7.–13. desember 2026"));
    assert_non_null(strstr(page.body, "mandag 7. desember"));
    assert_non_null(strstr(page.body, "søndag 13. desember"));
    csrf_of(&page, csrf, sizeof csrf);
    /* Every Tuesday in December, 22.00 to 07.00 the next morning. */
    snprintf(form, sizeof form,
             "title=Nattevakt&place=Avd.+2&day=tue&start=22%%3A00&end=07%%3A00&from=2026-12-01&"
             "until=2026-12-31&csrf=%s",
             csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/plan", cookie, form, NULL,
                                 NULL, &page),
                     303);
    assert_non_null(strstr(page.location, "planned=5"));
    struct plan_ids ids;
    plans_of(f, FIXTURE_SITE_A, &ids);
    assert_int_equal(ids.count, 1);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "?week=2026-12-08", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "<h2>tirsdag 8. desember</h2><ul class=\"week\"><li>"
                                      "<span class=\"t\">22.00–07.00 (til neste dag)</span> "
                                      "<strong>Nattevakt</strong> · Avd. 2"));
    /* Cancel the 8th, move the 15th to Wednesday 16th 13.00-14.00. */
    snprintf(form, sizeof form, "plan=%s&date=2026-12-08&week=2026-12-07&csrf=%s", ids.id[0],
             csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/cancel", cookie, form, NULL,
                                 NULL, &page),
                     303);
    snprintf(form, sizeof form,
             "plan=%s&date=2026-12-15&new_date=2026-12-16&start=13%%3A00&end=14%%3A00&csrf=%s",
             ids.id[0], csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/move", cookie, form, NULL,
                                 NULL, &page),
                     303);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "?week=2026-12-08", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "<li class=\"cancelled\"><span class=\"t\">22.00–07.00 (til "
                                      "neste dag)</span> <strong>Nattevakt</strong> · Avd. 2 "
                                      "<span class=\"tag\">Avlyst</span>"));
    assert_non_null(strstr(page.body, ">Gjenopprett</button>"));
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "?week=2026-12-14", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    const char *wednesday = strstr(page.body, "<h2>onsdag 16. desember</h2>");
    assert_non_null(wednesday);
    assert_non_null(strstr(wednesday, "13.00–14.00</span> <strong>Nattevakt</strong> · Avd. 2 "
                                      "<span class=\"moved\">(flyttet fra tirsdag 15. desember)"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity WHERE cancelled = 1"), 1);
    /* A plan with no weekday is refused and stores nothing. */
    snprintf(form, sizeof form,
             "title=Trim&start=10%%3A00&end=11%%3A00&from=2026-12-01&until=2026-12-31&csrf=%s",
             csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/plan", cookie, form, NULL,
                                 NULL, &page),
                     400);
    assert_non_null(strstr(page.body, "Velg minst én ukedag."));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity_plan"), 1);
    fixture_stop(f);
}

static void test_contact_cannot_see_or_change_another_sites_activities_by_url(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "per", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord3");
    make_user(f, "liv", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord4");
    make_user(f, "leser", CENTRAL_ROLE_VIEWER, NULL, "langtpassord5");
    /* Site B's plan, made on the command line's path. */
    struct central_plan plan;
    memset(&plan, 0, sizeof plan);
    event_new_id(plan.id);
    snprintf(plan.site, sizeof plan.site, FIXTURE_SITE_B);
    snprintf(plan.title, sizeof plan.title, "Bingo");
    snprintf(plan.start, sizeof plan.start, "11:00");
    snprintf(plan.end, sizeof plan.end, "12:00");
    snprintf(plan.from, sizeof plan.from, "2026-12-01");
    snprintf(plan.until, sizeof plan.until, "2026-12-31");
    plan.weekdays = 2;
    size_t count;
    char err[256];
    assert_int_equal(central_plan_save(f->store, &plan, &count, err, sizeof err), 0);
    char cookie[256], csrf[80], form[512];
    sign_in(f, "per", "langtpassord3", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page),
                     200);
    csrf_of(&page, csrf, sizeof csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_B "?week=2026-12-08", cookie, NULL,
                                 NULL, NULL, &page),
                     403);
    assert_null(strstr(page.body, "Bingo"));
    assert_int_equal(web_request(f, "/activities/nowhere", cookie, NULL, NULL, NULL, &page), 403);
    snprintf(form, sizeof form,
             "title=Inntrenger&day=mon&start=10%%3A00&end=11%%3A00&from=2026-12-01&"
             "until=2026-12-31&csrf=%s",
             csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_B "/plan", cookie, form, NULL,
                                 NULL, &page),
                     403);
    snprintf(form, sizeof form, "plan=%s&date=2026-12-08&csrf=%s", plan.id, csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_B "/cancel", cookie, form, NULL,
                                 NULL, &page),
                     403);
    /* Site B's plan named through their own site's URL: not found there. */
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/cancel", cookie, form, NULL,
                                 NULL, &page),
                     404);
    snprintf(form, sizeof form,
             "plan=%s&date=2026-12-08&new_date=2026-12-09&start=10%%3A00&end=11%%3A00&csrf=%s",
             plan.id, csrf);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/move", cookie, form, NULL,
                                 NULL, &page),
                     404);
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_B "/import", cookie, csrf,
                                "BEGIN:VCALENDAR", 15, &page),
                     403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity WHERE cancelled = 1 OR "
                                      "date <> plan_date"),
                     0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity_plan"), 1);
    /* The coordinator sees every site; a viewer none of this. */
    sign_in(f, "liv", "langtpassord4", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_B "?week=2026-12-08", cookie, NULL,
                                 NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "Bingo"));
    sign_in(f, "leser", "langtpassord5", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_B, cookie, NULL, NULL, NULL, &page),
                     403);
    fixture_stop(f);
}

static char *read_data_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    char *text = malloc(1 << 20);
    *len = fread(text, 1, (1 << 20) - 1, file);
    text[*len] = '\0';
    fclose(file);
    return text;
}

static void test_calendar_upload_imports_as_the_command_does(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "liv", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord4");
    char cookie[256], csrf[80];
    sign_in(f, "liv", "langtpassord4", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, "enctype=\"multipart/form-data\""));
    csrf_of(&page, csrf, sizeof csrf);
    size_t len;
    char *text = read_data_file(ICAL_DATA_DIR "/aktiviteter-outlook.ics", &len);
    /* Without the form's token: refused, nothing imported. */
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, "", text, len,
                                &page),
                     403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity_plan"), 0);
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, csrf, text,
                                len, &page),
                     200);
    /* The monthly event is refused by line, in Norwegian, whatever today is. */
    assert_non_null(strstr(page.body, "Hendelser i filen: 5. Nye: 3."));
    assert_non_null(strstr(page.body, "Linje 128: «Bursdagsfeiring» ble ikke importert: den "
                                      "gjentas månedlig eller årlig"));
    long long plans = fixture_count(f, "SELECT count(*) FROM activity_plan");
    long long rows = fixture_count(f, "SELECT count(*) FROM activity");
    /* Again: by UID, nothing new, nothing changed. */
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, csrf, text,
                                len, &page),
                     200);
    assert_non_null(strstr(page.body, "Nye: 0. Endret: 0."));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity_plan"), plans);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM activity"), rows);
    free(text);
    /* A weekly event from today, floating time: on this week's page. */
    char today[CENTRAL_DATE_LEN + 1], ics[1024];
    central_ical_today(today);
    snprintf(ics, sizeof ics,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//NB\r\nBEGIN:VEVENT\r\n"
             "UID:kaffe@lilleby.example\r\nDTSTAMP:20261125T093000Z\r\n"
             "DTSTART:%.4s%.2s%.2sT100000\r\nDTEND:%.4s%.2s%.2sT111500\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Kaffekos\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
             today, today + 5, today + 8, today, today + 5, today + 8);
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, csrf, ics,
                                strlen(ics), &page),
                     200);
    assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page),
                     200);
    const char *day = strstr(page.body, "(i dag)</h2>");
    assert_non_null(day);
    assert_non_null(strstr(day, "10.00–11.15</span> <strong>Kaffekos</strong>"));
    /* Over the size limit: refused with 413. */
    size_t big = CENTRAL_ICAL_FILE_MAX + 1;
    char *huge = malloc(big);
    memset(huge, 'x', big);
    memcpy(huge, ics, strlen(ics));
    assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, csrf, huge,
                                big, &page),
                     413);
    free(huge);
    fixture_stop(f);
}

/* Issue 14, 4: a person switches the monthly mail off (and on) themselves. */
static void test_a_contact_switches_the_monthly_mail_off_and_on_themselves(void **state)
{
    (void)state;
    struct fixture *f = start(3600, NULL);
    make_user(f, "per", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "passord-per-1");
    char err[256];
    assert_int_equal(
        central_store_user_set_mail(f->store, "per", "per@kommune.example", 1, err, sizeof err), 0);
    char cookie[256], csrf[CENTRAL_CSRF_MAX], form[256], origin[128];
    sign_in(f, "per", "passord-per-1", cookie, sizeof cookie);
    snprintf(origin, sizeof origin, "Origin: %s", f->base);
    static struct page page;
    assert_int_equal(web_request(f, "/mail", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "per@kommune.example"));
    assert_non_null(strstr(page.body, "Nå: <strong>på</strong>"));
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "monthly=off&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/mail", cookie, form, origin, NULL, &page), 303);
    assert_int_equal(fixture_count(f, "SELECT monthly_mail FROM web_user WHERE name = 'per'"), 0);
    assert_int_equal(web_request(f, "/mail", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Nå: <strong>av</strong>"));
    snprintf(form, sizeof form, "monthly=on&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/mail", cookie, form, origin, NULL, &page), 303);
    assert_int_equal(fixture_count(f, "SELECT monthly_mail FROM web_user WHERE name = 'per'"), 1);
    /* Without the form's token nothing changes. */
    assert_int_equal(web_request(f, "/mail", cookie, "monthly=off", origin, NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT monthly_mail FROM web_user WHERE name = 'per'"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'user mail' "
                                      "AND actor = 'per'"),
                     2);
    fixture_stop(f);
}

static void assert_full_name(const struct fixture *f, const char *name, const char *full_name)
{
    struct central_user user;
    char err[256];
    assert_int_equal(central_store_user_get(f->store, name, &user, err, sizeof err), 0);
    assert_string_equal(user.full_name, full_name);
}

/* A full name (issue 14, 3): given when the account is made, changed by a
 * coordinator on the users page or by the person on /me, over the limit
 * refused with the limit named, and set from the command line. */
static void test_a_full_name_is_set_on_the_users_page_on_me_and_by_command(void **state)
{
    (void)state;
    struct fixture *f = start(3600, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "passord-kari-1");
    make_user(f, "per", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "passord-per-1");
    assert_full_name(f, "per", "");
    char cookie[256], csrf[CENTRAL_CSRF_MAX], form[1024], origin[128], long_name[CENTRAL_NAME_MAX + 1];
    snprintf(origin, sizeof origin, "Origin: %s", f->base);
    sign_in(f, "kari", "passord-kari-1", cookie, sizeof cookie);
    static struct page page;
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<label for=\"ufull\">Fullt navn (valgfritt)</label>"));
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form,
             "name=ola&full_name=Ola+%%C3%%98stby&role=contact&site=" FIXTURE_SITE_A "&csrf=%s",
             csrf);
    assert_int_equal(web_request(f, "/users/add", cookie, form, origin, NULL, &page), 200);
    assert_full_name(f, "ola", "Ola Østby");
    snprintf(form, sizeof form, "name=per&full_name=Per+Hansen&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 303);
    assert_full_name(f, "per", "Per Hansen");
    assert_int_equal(web_request(f, "/users", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "name=\"full_name\" value=\"Per Hansen\""));
    /* 128 bytes is one too many: refused, the limit named, nothing changed. */
    memset(long_name, 'a', CENTRAL_NAME_MAX);
    long_name[CENTRAL_NAME_MAX] = '\0';
    snprintf(form, sizeof form, "name=per&full_name=%s&csrf=%s", long_name, csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 400);
    assert_non_null(strstr(page.body, "høyst 127 byte"));
    assert_full_name(f, "per", "Per Hansen");
    long_name[CENTRAL_NAME_MAX - 1] = '\0'; /* 127: the most there is room for */
    snprintf(form, sizeof form, "name=per&full_name=%s&csrf=%s", long_name, csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 303);
    assert_full_name(f, "per", long_name);
    snprintf(form, sizeof form, "name=per&full_name=Per%%0AHansen&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 400);
    snprintf(form, sizeof form, "name=nobody&full_name=Noen&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 404);
    /* The person on their own page; a contact cannot name anybody else. */
    sign_in(f, "per", "passord-per-1", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/me", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<form method=\"post\" action=\"/me/name\""));
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "full_name=Per+K.+Hansen&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/me/name", cookie, form, origin, NULL, &page), 303);
    assert_full_name(f, "per", "Per K. Hansen");
    assert_int_equal(web_request(f, "/me", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "value=\"Per K. Hansen\""));
    snprintf(form, sizeof form, "name=kari&full_name=Per&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/users/name", cookie, form, origin, NULL, &page), 403);
    assert_full_name(f, "kari", "");
    /* Empty: none again, the account's name stands for it. */
    snprintf(form, sizeof form, "full_name=&csrf=%s", csrf);
    assert_int_equal(web_request(f, "/me/name", cookie, form, origin, NULL, &page), 303);
    assert_full_name(f, "per", "");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'user full name'"),
                     4);
    /* The command line: `user full-name NAME TEXT`. */
    char *words[] = {"user", "full-name", "kari", "Kari Lund"};
    struct central_admin_args args = {.words = words, .word_count = 4, .db = f->db};
    FILE *out = tmpfile();
    assert_int_equal(central_admin_run(&args, out, out), CENTRAL_EXIT_OK);
    fclose(out);
    assert_full_name(f, "kari", "Kari Lund");
    words[3] = long_name;
    long_name[CENTRAL_NAME_MAX - 1] = 'a';
    out = tmpfile();
    assert_int_equal(central_admin_run(&args, out, out), CENTRAL_EXIT_USAGE);
    fclose(out);
    assert_full_name(f, "kari", "Kari Lund");
    fixture_stop(f);
}

/* An account made before full names (schema 10 on SQLite, 12 on
 * PostgreSQL) keeps its row and gets none when the database upgrades. */
static void test_an_account_from_before_full_names_upgrades_with_none(void **state)
{
    (void)state;
    struct fixture *f = start(3600, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "passord-kari-1");
    assert_int_equal(fixture_exec(f, fixture_on_postgresql()
                                         ? "ALTER TABLE web_user DROP COLUMN full_name; "
                                           "UPDATE schema_version SET version = 12"
                                         : "ALTER TABLE web_user DROP COLUMN full_name; "
                                           "PRAGMA user_version = 10"),
                     0);
    struct central_store *store = NULL;
    char err[256];
    assert_int_equal(central_store_open(f->db, &store, err, sizeof err), 0);
    struct central_user user;
    assert_int_equal(central_store_user_get(store, "kari", &user, err, sizeof err), 0);
    assert_string_equal(user.full_name, "");
    assert_int_equal(user.role, CENTRAL_ROLE_COORDINATOR);
    assert_true(user.password_hash[0] != '\0');
    assert_int_equal(central_store_user_set_full_name(store, "kari", "Kari Lund", err, sizeof err),
                     0);
    assert_int_equal(central_store_user_get(store, "kari", &user, err, sizeof err), 0);
    assert_string_equal(user.full_name, "Kari Lund");
    assert_int_equal(central_store_user_set_full_name(store, "nobody", "X", err, sizeof err),
                     -ENOENT);
    central_store_close(store);
    fixture_stop(f);
}

/* Section 4: silence counts the site's opening hours only. Every kiosk
 * was last heard from 30 hours ago; site A is open day and night, site B
 * (set with `site hours`) one minute a day: only A's kiosks are silent. */
static void test_kiosk_silent_only_for_time_its_site_was_open(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "liv", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord4");
    struct timeval now;
    gettimeofday(&now, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE device SET last_seen_us = %lld",
             ((long long)now.tv_sec - 30 * 3600) * 1000000LL);
    assert_int_equal(fixture_exec(f, sql), 0);
    char *words[] = {"site", "hours", FIXTURE_SITE_B};
    struct central_admin_args args = {.words = words, .word_count = 3, .db = f->db,
                                      .weekly = "mon,tue,wed,thu,fri,sat,sun", .start = "12:00",
                                      .end = "12:01"};
    FILE *out = tmpfile();
    assert_int_equal(central_admin_run(&args, out, out), CENTRAL_EXIT_OK);
    fclose(out);
    char cookie[256];
    sign_in(f, "liv", "langtpassord4", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "2 kiosker er ikke hørt fra på 24 timer i enhetens "
                                      "åpningstid"));
    assert_non_null(strstr(page.body, "<tr class=\"silent\"><td>" FIXTURE_SITE_A "</td>"));
    assert_null(strstr(page.body, "<tr class=\"silent\"><td>" FIXTURE_SITE_B "</td>"));
    assert_non_null(strstr(page.body, "<tr><td>" FIXTURE_SITE_B "</td>"));
    /* Open day and night again: B's kiosk is silent too. */
    args.weekly = NULL;
    out = tmpfile();
    assert_int_equal(central_admin_run(&args, out, out), CENTRAL_EXIT_OK);
    fclose(out);
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<tr class=\"silent\"><td>" FIXTURE_SITE_B "</td>"));
    fixture_stop(f);
}

/* The hours set on the kiosks page, by the site's own contact: shown
 * there, audited, and the same rule marks kiosks silent on the kiosks page
 * and on the dashboard. Another site's hours stay out of a contact's reach. */
static void test_opening_hours_are_set_in_the_browser_and_count_on_every_page(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "berit", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_B, "langtpassord5");
    struct timeval now;
    gettimeofday(&now, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE device SET last_seen_us = %lld",
             ((long long)now.tv_sec - 30 * 3600) * 1000000LL);
    assert_int_equal(fixture_exec(f, sql), 0);
    char cookie[256], csrf[80], form[512];
    sign_in(f, "berit", "langtpassord5", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "hele døgnet, alle dager"));
    assert_non_null(strstr(page.body, "action=\"/kiosks/hours\""));
    assert_non_null(strstr(page.body, "1 kiosk er ikke hørt fra på 24 timer"));
    csrf_of(&page, csrf, sizeof csrf);
    char origin[96];
    snprintf(origin, sizeof origin, "Origin: %s", f->base);
    /* Every day, one minute at noon: 30 hours ago is two open minutes ago. */
    snprintf(form, sizeof form,
             "csrf=%s&site=%s&day=mon&day=tue&day=wed&day=thu&day=fri&day=sat&"
             "day=sun&start=12%%3A00&end=12%%3A01",
             csrf, FIXTURE_SITE_B);
    assert_int_equal(web_request(f, "/kiosks/hours", cookie, form, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/kiosks#hours");
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "man, tir, ons, tor, fre, lør, søn 12.00–12.01"));
    assert_null(strstr(page.body, "<tr class=\"silent\">"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'site hours' "
                                      "AND actor = 'berit'"),
                     1);
    /* The dashboard's rule is the same one: only site A's kiosks. */
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "2 kiosker er ikke hørt fra på 24 timer i enhetens "
                                       "åpningstid"));
    reply_free(&reply);
    /* No day ticked, a bad time, another site: refused, nothing changes. */
    snprintf(form, sizeof form, "csrf=%s&site=%s&start=08%%3A00&end=16%%3A00", csrf,
             FIXTURE_SITE_B);
    assert_int_equal(web_request(f, "/kiosks/hours", cookie, form, origin, NULL, &page), 400);
    assert_non_null(strstr(page.body, "minst én dag"));
    snprintf(form, sizeof form, "csrf=%s&site=%s&day=mon&start=8&end=25%%3A00", csrf,
             FIXTURE_SITE_B);
    assert_int_equal(web_request(f, "/kiosks/hours", cookie, form, origin, NULL, &page), 400);
    snprintf(form, sizeof form, "csrf=%s&site=%s&always=1", csrf, FIXTURE_SITE_A);
    assert_int_equal(web_request(f, "/kiosks/hours", cookie, form, origin, NULL, &page), 403);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE action = 'site hours'"),
                     1);
    /* Open day and night again: B's kiosk is silent everywhere. */
    snprintf(form, sizeof form, "csrf=%s&site=%s&always=1", csrf, FIXTURE_SITE_B);
    assert_int_equal(web_request(f, "/kiosks/hours", cookie, form, origin, NULL, &page), 303);
    assert_int_equal(web_request(f, "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "<tr class=\"silent\"><td>" FIXTURE_SITE_B "</td>"));
    assert_int_equal(fixture_request(f, "GET", "/", f->admin_token, NULL, 0, &reply), 0);
    assert_non_null(strstr(reply.body, "3 kiosker er ikke hørt fra"));
    reply_free(&reply);
    fixture_stop(f);
}

/* Two `tilstede-central serve` programs on one database, as behind a
 * reverse proxy that spreads the browsers: what one process knows of the
 * people (a session, its end, wrong passwords) the other knows too. */
static void test_sessions_and_wrong_passwords_are_shared_by_every_process(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kari", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    make_user(f, "ola", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord2");
    struct fixture_process process[2];
    struct fixture on[2] = {*f, *f};
    for (int i = 0; i < 2; i++) {
        fixture_process_start(&process[i], CENTRAL_BIN, f->dir, f->db, i);
        snprintf(on[i].base, sizeof on[i].base, "%s", process[i].base);
    }
    /* Signed in on process A, the session works on process B. */
    char cookie[256], csrf[80], form[160];
    sign_in(&on[0], "kari", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(&on[1], "/kiosks", cookie, NULL, NULL, NULL, &page), 200);
    /* Signed out on B, it is over on A. */
    csrf_of(&page, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    assert_int_equal(web_request(&on[1], "/logout", cookie, form, NULL, NULL, &page), 303);
    assert_int_equal(web_request(&on[0], "/kiosks", cookie, NULL, NULL, NULL, &page), 303);
    assert_string_equal(page.location, "/login");
    /* Wrong passwords sent to both add up: six in a row, three on each
     * (each process alone would not slow down), and the right one waits
     * on either. */
    for (int i = 0; i < 6; i++) {
        long status = web_request(&on[i % 2], "/login", NULL, "name=ola&password=feil", NULL,
                                  NULL, &page);
        assert_true(status == 403 || status == 429);
    }
    assert_int_equal(web_request(&on[1], "/login", NULL, "name=ola&password=langtpassord2", NULL,
                                 NULL, &page),
                     429);
    assert_int_equal(web_request(&on[0], "/login", NULL, "name=ola&password=langtpassord2", NULL,
                                 NULL, &page),
                     429);
    for (int i = 0; i < 2; i++)
        fixture_process_kill(&process[i]);
    fixture_stop(f);
}

/* ---- what needs review: visits closed automatically ---- */

/* A check-in and the auto-close that ended it at start + hours, uploaded
 * by the kiosk of token; the auto-close's id into autoclose. */
static void autoclosed_at(struct fixture *f, const char *token, const char *volunteer_id,
                          const char *start_utc, int hours, char autoclose[EVENT_ID_LEN + 1])
{
    struct event events[2];
    int64_t start = fixture_utc(start_utc);
    fixture_event(&events[0], EVENT_CHECKIN, volunteer_id, start);
    fixture_event(&events[1], EVENT_AUTOCLOSE, volunteer_id, start + hours * 3600ll * 1000000);
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    snprintf(autoclose, EVENT_ID_LEN + 1, "%s", events[1].event_id);
}

struct review_setup {
    char kari[EVENT_ID_LEN + 1];    /* site A, 23 November, 12 hours credited */
    char oystein[EVENT_ID_LEN + 1]; /* site A, 2 November: the oldest */
    char lise[EVENT_ID_LEN + 1];    /* site B */
};

static void review_setup(struct fixture *f, struct review_setup *r)
{
    struct central_volunteer list[] = {
        volunteer("F-1", "Kari", "Nordmann", 1, "2026-01-05", ""),
        volunteer("F-2", "Øystein", "Åsheim", 1, "2026-01-05", ""),
        volunteer("F-4", "Lise", "Berg", 1, "2026-01-05", ""),
    };
    roster_put(f, list, 3);
    autoclosed_at(f, f->token_a1, "F-1", "2026-11-23T10:00:00Z", 12, r->kari);
    autoclosed_at(f, f->token_a2, "F-2", "2026-11-02T09:00:00Z", 10, r->oystein);
    autoclosed_at(f, f->token_b1, "F-4", "2026-11-20T11:00:00Z", 10, r->lise);
}

/* "YYYY-MM-DD" "HH:MM" local, as the page reads them. */
static int64_t local_us(const char *date, const char *clock)
{
    struct tm tm = {.tm_isdst = -1};
    assert_int_equal(sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    assert_int_equal(sscanf(clock, "%d:%d", &tm.tm_hour, &tm.tm_min), 2);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)mktime(&tm) * 1000000;
}

static long correct_end(const struct fixture *f, const char *cookie, const char *csrf,
                        const char *event_id, const char *date, const char *clock,
                        struct page *page)
{
    char form[512];
    snprintf(form, sizeof form, "event=%s&date=%s&time=%s&csrf=%s", event_id, date, clock, csrf);
    return web_request(f, "/review", cookie, form, NULL, NULL, page);
}

static json_t *corrections_of(const struct fixture *f, const char *token, const char *after)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/corrections%s%s", after ? "?after=" : "", after ? after : "");
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", path, token, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 200);
    json_t *doc = json_loads(reply.body, 0, NULL);
    reply_free(&reply);
    assert_non_null(doc);
    return doc;
}

static void test_coordinator_corrects_an_autoclosed_visit_counted_at_once_and_sent_down(
    void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kora", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    struct review_setup r;
    review_setup(f, &r);
    char cookie[256], csrf[80];
    sign_in(f, "kora", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    /* Per site, oldest first: Øystein's 2 November before Kari's 23rd. */
    assert_int_equal(web_request(f, "/review", cookie, NULL, NULL, NULL, &page), 200);
    const char *site_a = strstr(page.body, "Lilleby sykehjem</h2>");
    assert_non_null(site_a);
    const char *oystein = strstr(site_a, r.oystein), *kari = strstr(site_a, r.kari);
    assert_non_null(oystein);
    assert_non_null(kari);
    assert_true(oystein < kari);
    assert_non_null(strstr(page.body, r.lise));
    csrf_of(&page, csrf, sizeof csrf);

    long long before = fixture_count(f, "SELECT sum(seconds) FROM visit_total WHERE site = "
                                        "'" FIXTURE_SITE_A "'");
    assert_int_equal(before, (12 + 10) * 3600);
    /* Bad input changes nothing: an end before the start, in the future,
     * a time that is not one, an event that is no auto-close. */
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2026-11-22", "23:00", &page), 400);
    assert_non_null(strstr(page.body, "før den frivillige kom"));
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2099-01-01", "10:00", &page), 400);
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2026-11-23", "25:00", &page), 400);
    assert_int_equal(correct_end(f, cookie, csrf, "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f",
                                 "2026-11-23", "13:00", &page),
                     404);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_correction"), 0);

    /* Kari left at 13:30 local: the total counts that at once. */
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2026-11-23", "13:30", &page), 303);
    assert_string_equal(page.location, "/review?done=1");
    int64_t end = local_us("2026-11-23", "13:30");
    long long expected = 10 * 3600 + (end - fixture_utc("2026-11-23T10:00:00Z")) / 1000000;
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total WHERE site = "
                                      "'" FIXTURE_SITE_A "'"),
                     expected);
    /* It is a correction event like a kiosk's, and no longer listed. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM event WHERE kind = 'correction' AND corrects = '%s' "
             "AND at_us = %lld AND source = 'staff' AND device = %lld",
             r.kari, (long long)end, (long long)f->device_a1);
    assert_int_equal(fixture_count(f, sql), 1);
    assert_int_equal(web_request(f, "/review?done=1", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "Sluttiden er lagret"));
    assert_null(strstr(page.body, r.kari));
    assert_non_null(strstr(page.body, r.oystein));
    /* The audit log says who corrected what. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM audit WHERE actor = 'kora' AND "
                                      "action = 'visit end correct' AND subject = 'F-1'"),
                     1);
    assert_int_equal(web_request(f, "/audit", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, "visit end correct"));
    /* Once: the same form again finds nothing to correct. */
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2026-11-23", "14:00", &page), 404);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_correction"), 1);

    /* Down to the site's kiosks: A's get it (either kiosk), B's not. */
    json_t *doc = corrections_of(f, f->token_a2, NULL);
    json_t *list = json_object_get(doc, "events");
    assert_int_equal(json_array_size(list), 1);
    json_t *ev = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "kind")), "correction");
    assert_string_equal(json_string_value(json_object_get(ev, "corrects")), r.kari);
    assert_string_equal(json_string_value(json_object_get(ev, "site")), FIXTURE_SITE_A);
    assert_string_equal(json_string_value(json_object_get(ev, "volunteer")), "F-1");
    assert_false(json_is_true(json_object_get(doc, "more")));
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(doc, "cursor")));
    json_decref(doc);
    doc = corrections_of(f, f->token_a1, cursor);
    assert_int_equal(json_array_size(json_object_get(doc, "events")), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "cursor")), cursor);
    json_decref(doc);
    doc = corrections_of(f, f->token_b1, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "events")), 0);
    json_decref(doc);
    struct reply reply;
    assert_int_equal(fixture_request(f, "GET", "/v1/corrections?after=x", f->token_a1, NULL, 0,
                                     &reply),
                     0);
    assert_int_equal(reply.status, 400);
    reply_free(&reply);
    fixture_stop(f);
}

static void test_contact_reviews_and_corrects_only_their_sites_even_by_url(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "ola", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, "langtpassord1");
    struct review_setup r;
    review_setup(f, &r);
    char cookie[256], csrf[80];
    sign_in(f, "ola", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/review", cookie, NULL, NULL, NULL, &page), 200);
    assert_non_null(strstr(page.body, r.kari));
    assert_non_null(strstr(page.body, "Kari Nordmann"));
    assert_null(strstr(page.body, r.lise));
    assert_null(strstr(page.body, "Lise"));
    assert_null(strstr(page.body, "Aktivitetshuset"));
    csrf_of(&page, csrf, sizeof csrf);
    assert_int_equal(web_request(f, "/review/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page),
                     200);
    assert_non_null(strstr(page.body, r.kari));
    /* The other site by URL, and its visit by an edited form: refused,
     * nothing changed. */
    assert_int_equal(web_request(f, "/review/" FIXTURE_SITE_B, cookie, NULL, NULL, NULL, &page),
                     403);
    assert_null(strstr(page.body, "Lise"));
    assert_int_equal(correct_end(f, cookie, csrf, r.lise, "2026-11-20", "15:00", &page), 403);
    assert_null(strstr(page.body, "Lise"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM web_correction"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit WHERE review = 1"), 3);
    /* Their own site's visit they correct. */
    assert_int_equal(correct_end(f, cookie, csrf, r.oystein, "2026-11-02", "12:00", &page), 303);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM visit WHERE review = 1"), 2);
    /* A viewer does not review. */
    make_user(f, "vera", CENTRAL_ROLE_VIEWER, NULL, "langtpassord1");
    sign_in(f, "vera", "langtpassord1", cookie, sizeof cookie);
    assert_int_equal(web_request(f, "/review", cookie, NULL, NULL, NULL, &page), 403);
    fixture_stop(f);
}

/* A correction on the kiosk and one on the central for the same visit:
 * the one recorded later wins, whichever reaches the central last. */
static void test_the_latest_recorded_correction_wins_whatever_the_order(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "kora", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord1");
    struct review_setup r;
    review_setup(f, &r);
    char cookie[256], csrf[80];
    sign_in(f, "kora", "langtpassord1", cookie, sizeof cookie);
    struct page page;
    assert_int_equal(web_request(f, "/review", cookie, NULL, NULL, NULL, &page), 200);
    csrf_of(&page, csrf, sizeof csrf);
    int64_t start_kari = fixture_utc("2026-11-23T10:00:00Z");
    int64_t central_end = local_us("2026-11-23", "13:30");
    assert_int_equal(correct_end(f, cookie, csrf, r.kari, "2026-11-23", "13:30", &page), 303);
    /* The kiosk's staff corrected it too, before the coordinator did, and
     * upload only now: the central's (recorded later) stays. */
    struct event staff;
    fixture_event(&staff, EVENT_CORRECTION, "F-1", start_kari + 5 * 3600ll * 1000000);
    snprintf(staff.corrects, sizeof staff.corrects, "%s", r.kari);
    staff.recorded_us = central_end; /* long before now */
    struct reply reply;
    assert_int_equal(fixture_post_events(f, f->token_a1, &staff, 1, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT end_us FROM visit WHERE end_event = '%s'", r.kari);
    assert_int_equal(fixture_count(f, sql), central_end);
    /* A staff correction recorded after the central's wins. */
    fixture_event(&staff, EVENT_CORRECTION, "F-1", start_kari + 6 * 3600ll * 1000000);
    snprintf(staff.corrects, sizeof staff.corrects, "%s", r.kari);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    staff.recorded_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec + 1000000;
    assert_int_equal(fixture_post_events(f, f->token_a1, &staff, 1, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    assert_int_equal(fixture_count(f, sql), start_kari + 6 * 3600ll * 1000000);
    assert_int_equal(fixture_count(f, "SELECT sum(seconds) FROM visit_total WHERE site = "
                                      "'" FIXTURE_SITE_A "'"),
                     (10 + 6) * 3600);
    fixture_stop(f);
}

/* ---- every page in nynorsk and English (issue 13, section 6) ---- */

/* Telltales beyond the sign-in pages' lists: bokmål words that nynorsk
 * writes otherwise, and for English every Norwegian word the pages use
 * ("kl." marks a Norwegian time). Data (names of sites and volunteers)
 * holds none of them. */
static const char *const bokmal_only_more[] = {
    "ikke",     "Hvem",      "Hva ",      "Notater",   "Taushetserklæring", "mangler",
    "Uke ",     "uken",      "Brukere",   "innsjekket", "Hendelse",         "Sted ",
    "Ukedager", "Første",    "Forrige",   "Navn",      "Papirer",           "sperret",
    "utløpt",   "Varighet",  "Enhet",     "De siste",  "Gjelder",           "Filen",
    "listen",   "Listen",    "Slutter",   "begynner",  "Dager",             "dager",
    "Måned",    "måned",     "Velg ",     "lastet",    "Lastet",            "Tilbake",
    "Hvor",     "Aktiviteter", "Oversikt", "hendelser", "Søndag",
    NULL};
static const char *const norwegian_more[] = {
    " på ",     " ikke ",  " er ",    "Søk",      "Navn",     "Kort",   "Besøk",
    "Uke ",   "Timer",    " kl. ",   "frivillig", "Frivillig", "Ingen",  "Enhet",  "Lagre",
    "Brukere", "Hvem",    "Avlys",   "Flytt",   "Planlegg", "Importer", "Tittel", "Linje",
    "Filen",  "desember", "november", "mandag", "Oversikt", "Endringslogg", "Rolle", "Detalj",
    " fra ",  "Last opp", "dato",    "Status:", "timer",    "årsverk",  "Sum",    NULL};

static void assert_no_telltales(const char *path, const char *lang, const struct page *page)
{
    int english = !strcmp(lang, "en");
    assert_no_words(path, lang, page->body, english ? norwegian : bokmal_only);
    assert_no_words(path, lang, page->body, english ? norwegian_more : bokmal_only_more);
    char lang_attr[32];
    snprintf(lang_attr, sizeof lang_attr, "<html lang=\"%s\">", lang);
    if (!strstr(page->body, lang_attr)) {
        fprintf(stderr, "%s in %s lacks %s\n", path, lang, lang_attr);
        fail();
    }
}

/* A coordinator in nynorsk and one in English see every page with no
 * bokmål left: who is here, the volunteers (list, filters, a volunteer),
 * the roster (upload, a preview with a bad row), the activities (the
 * list of sites, a week with a planned activity, a calendar's import),
 * the users, the audit log, the mail page, the kiosks, the overview and
 * its report page. Dates follow
 * the language: "23.11.2026 kl. 11.00", "23 November 2026, 11:00". */
static void test_every_page_speaks_nynorsk_and_english(void **state)
{
    (void)state;
    struct fixture *f = start(0, NULL);
    make_user(f, "nils", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord7");
    make_user(f, "olga", CENTRAL_ROLE_COORDINATOR, NULL, "langtpassord9");
    assert_int_equal(fixture_exec(f, "UPDATE web_user SET lang = 'nn' WHERE name = 'nils'"), 0);
    assert_int_equal(fixture_exec(f, "UPDATE web_user SET lang = 'en' WHERE name = 'olga'"), 0);
    assert_int_equal(fixture_exec(f, "UPDATE web_user SET email = 'nils@example.invalid'"), 0);
    volunteers_setup(f);
    size_t ics_len = 0;
    char *ics = read_data_file(ICAL_DATA_DIR "/aktiviteter-outlook.ics", &ics_len);
    const struct {
        const char *name, *password, *lang, *when, *week;
    } people[] = {{"nils", "langtpassord7", "nn", "23.11.2026 kl. 11.00", "Veke "},
                  {"olga", "langtpassord9", "en", "23 November 2026, 11:00", "Week "}};
    const char *paths[] = {"/",
                           "/kiosks",
                           "/report?by=site",
                           "/here",
                           "/here/" FIXTURE_SITE_A,
                           "/volunteers",
                           "/volunteers?papers=missing&active=all",
                           "/volunteers/F-2",
                           "/volunteers/F-404",
                           "/roster",
                           "/activities",
                           "/users",
                           "/audit",
                           "/mail",
                           "/reports",
                           "/year"};
    for (size_t i = 0; i < 2; i++) {
        char cookie[256], csrf[80], form[512], today[CENTRAL_DATE_LEN + 1];
        sign_in(f, people[i].name, people[i].password, cookie, sizeof cookie);
        struct page page;
        for (size_t j = 0; j < sizeof paths / sizeof *paths; j++) {
            web_request(f, paths[j], cookie, NULL, NULL, NULL, &page);
            assert_true(page.status == 200 || page.status == 404);
            assert_no_telltales(paths[j], people[i].lang, &page);
        }
        assert_int_equal(web_request(f, "/volunteers/F-2", cookie, NULL, NULL, NULL, &page), 200);
        assert_non_null(strstr(page.body, people[i].when));
        /* A week with an activity planned every day from today. */
        assert_int_equal(
            web_request(f, "/activities/" FIXTURE_SITE_A, cookie, NULL, NULL, NULL, &page), 200);
        csrf_of(&page, csrf, sizeof csrf);
        day_from_today(0, today);
        snprintf(form, sizeof form,
                 "title=Sangstund&place=Stova&day=mon&day=tue&day=wed&day=thu&day=fri&day=sat&"
                 "day=sun&start=22%%3A00&end=07%%3A00&from=%s&until=%s&csrf=%s",
                 today, today, csrf);
        assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/plan", cookie, form, NULL,
                                     NULL, &page),
                         303);
        char week[256];
        snprintf(week, sizeof week, "%s", page.location);
        assert_int_equal(web_request(f, week, cookie, NULL, NULL, NULL, &page), 200);
        assert_no_telltales(week, people[i].lang, &page);
        assert_non_null(strstr(page.body, people[i].week));
        assert_non_null(strstr(page.body, "Sangstund"));
        /* A form that says nothing: the page that says what to fix. */
        snprintf(form, sizeof form, "title=&csrf=%s", csrf);
        assert_int_equal(web_request(f, "/activities/" FIXTURE_SITE_A "/plan", cookie, form, NULL,
                                     NULL, &page),
                         400);
        assert_no_telltales("/activities/SITE/plan", people[i].lang, &page);
        /* A calendar's import. */
        assert_int_equal(web_upload(f, "/activities/" FIXTURE_SITE_A "/import", cookie, csrf, ics,
                                    ics_len, &page),
                         200);
        assert_no_telltales("/activities/SITE/import", people[i].lang, &page);
        /* The roster's preview, a bad row's reason included. */
        assert_int_equal(web_request(f, "/roster", cookie, NULL, NULL, NULL, &page), 200);
        csrf_of(&page, csrf, sizeof csrf);
        assert_int_equal(upload_roster(f, cookie, csrf, roster_bad, strlen(roster_bad), &page), 200);
        /* The row's reason quotes the file's own header (bokmål
         * "Taushetserklæring"), so nynorsk is held to the first list only. */
        if (!strcmp(people[i].lang, "en")) {
            assert_no_telltales("/roster/preview", "en", &page);
            assert_non_null(strstr(page.body, "is not a date"));
        } else {
            assert_no_words("/roster/preview", "nn", page.body, bokmal_only);
            assert_non_null(strstr(page.body, "er ikkje ein dato"));
            assert_null(strstr(page.body, "is not a date"));
        }
        assert_non_null(strstr(page.body, "31.02.2026"));
    }
    free(ics);
    fixture_stop(f);
}

/* Dates and numbers in each language, whatever the machine's locale:
 * bokmål and nynorsk with a decimal comma and a space between
 * thousands, English with the month's name and a decimal point. */
static void test_dates_and_numbers_follow_the_language(void **state)
{
    (void)state;
    struct tm tm = {.tm_year = 126, .tm_mon = 11, .tm_mday = 3, .tm_hour = 14, .tm_min = 5,
                    .tm_isdst = -1};
    int64_t at = (int64_t)mktime(&tm) * 1000000;
    const struct {
        const char *lang, *when, *when_long, *date, *number, *whole;
    } cases[] = {
        {"nb", "03.12.2026 kl. 14.05", "3. desember 2026 kl. 14.05", "23.11.2026",
         "11\xc2\xa0" "905,5", "1\xc2\xa0" "083"},
        {"nn", "03.12.2026 kl. 14.05", "3. desember 2026 kl. 14.05", "23.11.2026",
         "11\xc2\xa0" "905,5", "1\xc2\xa0" "083"},
        {"en", "3 December 2026, 14:05", "3 December 2026, 14:05", "23 November 2026",
         "11,905.5", "1,083"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct web web;
        memset(&web, 0, sizeof web);
        snprintf(web.user.lang, sizeof web.user.lang, "%s", cases[i].lang);
        char out[96];
        web_when(&web, at, out, sizeof out);
        assert_string_equal(out, cases[i].when);
        web_when_long(&web, at, out, sizeof out);
        assert_string_equal(out, cases[i].when_long);
        web_date(&web, "2026-11-23", out, sizeof out);
        assert_string_equal(out, cases[i].date);
        web_number(&web, 11905.46, 1, out, sizeof out);
        assert_string_equal(out, cases[i].number);
        web_number(&web, 1083.2, 0, out, sizeof out);
        assert_string_equal(out, cases[i].whole);
    }
}

int main(void)
{
    /* The pages' dates and clocks are Norway's. */
    setenv("TZ", "Europe/Oslo", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_up_link_works_once_then_the_password_signs_in),
        cmocka_unit_test(test_a_contact_switches_the_monthly_mail_off_and_on_themselves),
        cmocka_unit_test(test_a_full_name_is_set_on_the_users_page_on_me_and_by_command),
        cmocka_unit_test(test_an_account_from_before_full_names_upgrades_with_none),
        cmocka_unit_test(test_session_cookie_is_httponly_strict_and_secure_behind_https),
        cmocka_unit_test(test_post_without_csrf_or_from_another_origin_is_refused),
        cmocka_unit_test(test_contact_cannot_reach_another_sites_pages_or_kiosks),
        cmocka_unit_test(test_wrong_passwords_slow_down_and_never_say_if_the_account_exists),
        cmocka_unit_test(test_an_idle_session_expires),
        cmocka_unit_test(test_sessions_and_wrong_passwords_are_shared_by_every_process),
        cmocka_unit_test(test_sso_header_names_the_user_only_when_configured),
        cmocka_unit_test(test_sso_header_from_a_peer_off_loopback_is_refused),
        cmocka_unit_test(test_pages_speak_the_language_the_person_chose),
        cmocka_unit_test(test_accept_language_picks_the_first_of_ours),
        cmocka_unit_test(test_every_page_speaks_nynorsk_and_english),
        cmocka_unit_test(test_dates_and_numbers_follow_the_language),
        cmocka_unit_test(test_admin_token_works_as_bearer_for_scripts),
        cmocka_unit_test(test_volunteer_list_searches_names_and_ids_and_filters),
        cmocka_unit_test(test_volunteer_page_shows_papers_cards_visits_and_notes),
        cmocka_unit_test(test_contact_reaches_only_volunteers_of_their_sites_even_by_url),
        cmocka_unit_test(test_card_revoked_in_the_browser_reaches_every_kiosk_through_the_roster),
        cmocka_unit_test(
            test_roster_upload_previews_then_applies_and_a_second_upload_changes_nothing),
        cmocka_unit_test(test_roster_apply_is_bound_to_the_session_and_checks_the_roster_again),
        cmocka_unit_test(test_only_a_coordinator_uploads_the_roster),
        cmocka_unit_test(test_a_roster_over_the_upload_limit_gets_a_page_that_says_so),
        cmocka_unit_test(test_htmlf_escapes_every_string_argument),
        cmocka_unit_test(test_contact_plans_a_night_activity_cancels_and_moves_one_in_the_week),
        cmocka_unit_test(test_contact_cannot_see_or_change_another_sites_activities_by_url),
        cmocka_unit_test(test_calendar_upload_imports_as_the_command_does),
        cmocka_unit_test(test_kiosk_silent_only_for_time_its_site_was_open),
        cmocka_unit_test(test_opening_hours_are_set_in_the_browser_and_count_on_every_page),
        cmocka_unit_test(test_coordinator_corrects_an_autoclosed_visit_counted_at_once_and_sent_down),
        cmocka_unit_test(test_contact_reviews_and_corrects_only_their_sites_even_by_url),
        cmocka_unit_test(test_the_latest_recorded_correction_wins_whatever_the_order),
    };
    /* TILSTEDE_TEST_FILTER="test_dates*": one test while working on it. */
    if (getenv("TILSTEDE_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TILSTEDE_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
