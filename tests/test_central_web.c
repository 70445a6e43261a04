/* The web app's door (sync/central/web/web.c) over real HTTP on loopback:
 * set-up links, sessions and their cookie, CSRF and Origin, roles and
 * sites enforced by URL, the sign-in throttle, single sign-on trusted from
 * the loopback proxy only, admin tokens for scripts, and the one escaping
 * door for text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "central_fixture.h"
#include "store_web.h"
#include "web.h"

struct page {
    long status;
    char body[65536];
    size_t len;
    char cookie[256]; /* the Set-Cookie header's value */
    char location[256];
};

static size_t on_body(char *data, size_t size, size_t count, void *ctx)
{
    struct page *page = ctx;
    size_t len = size * count;
    size_t room = sizeof page->body - 1 - page->len;
    memcpy(page->body + page->len, data, len < room ? len : room);
    page->len += len < room ? len : room;
    page->body[page->len] = '\0';
    return len;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (len > n && strncasecmp(line, name, n) == 0) {
        size_t value = len - n;
        while (value && (line[n + value - 1] == '\r' || line[n + value - 1] == '\n'))
            value--;
        snprintf(out, cap, "%.*s", (int)value, line + n);
    }
}

static size_t on_header(char *data, size_t size, size_t count, void *ctx)
{
    struct page *page = ctx;
    size_t len = size * count;
    header_value(data, len, "Set-Cookie: ", page->cookie, sizeof page->cookie);
    header_value(data, len, "Location: ", page->location, sizeof page->location);
    return len;
}

/* One request: cookie is "tilstede_session=..." or NULL; form a body
 * (POST) or NULL (GET); extra a header or NULL. */
static long web_request(const struct fixture *f, const char *path, const char *cookie,
                        const char *form, const char *extra, const char *extra2, struct page *page)
{
    memset(page, 0, sizeof *page);
    CURL *curl = curl_easy_init();
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, page);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, page);
    struct curl_slist *headers = NULL;
    if (extra)
        headers = curl_slist_append(headers, extra);
    if (extra2)
        headers = curl_slist_append(headers, extra2);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (cookie)
        curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
    if (form)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &page->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return page->status;
}

/* "tilstede_session=VALUE" from a Set-Cookie value. */
static void session_of(const struct page *page, char *out, size_t cap)
{
    const char *semi = strchr(page->cookie, ';');
    snprintf(out, cap, "%.*s", semi ? (int)(semi - page->cookie) : (int)strlen(page->cookie),
             page->cookie);
}

/* The first form's CSRF token on a page. */
static void csrf_of(const struct page *page, char *out, size_t cap)
{
    const char *at = strstr(page->body, "name=\"csrf\" value=\"");
    assert_non_null(at);
    at += strlen("name=\"csrf\" value=\"");
    const char *end = strchr(at, '"');
    snprintf(out, cap, "%.*s", (int)(end - at), at);
}

/* An account with a password, made as a set-up link would. */
static void make_user(const struct fixture *f, const char *name, enum central_role role,
                      const char *site, const char *password)
{
    struct central_user user = {.role = role};
    snprintf(user.name, sizeof user.name, "%s", name);
    if (site) {
        snprintf(user.sites[0], EVENT_KEY_MAX, "%s", site);
        user.site_count = 1;
    }
    char link[512], err[256], pwhash[crypto_pwhash_STRBYTES];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    web_setup_link("http://x", link, sizeof link, hash);
    assert_int_equal(central_store_user_add(f->store, &user, hash, INT64_MAX / 2, err, sizeof err),
                     0);
    assert_int_equal(crypto_pwhash_str(pwhash, password, strlen(password),
                                       crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    assert_int_equal(central_store_user_setup_use(f->store, hash, pwhash, &user, err, sizeof err),
                     0);
}

/* Signs in; the session cookie into cookie. */
static void sign_in(const struct fixture *f, const char *name, const char *password, char *cookie,
                    size_t cap)
{
    struct page page;
    char form[256];
    snprintf(form, sizeof form, "name=%s&password=%s", name, password);
    assert_int_equal(web_request(f, "/login", NULL, form, NULL, NULL, &page), 303);
    session_of(&page, cookie, cap);
    assert_non_null(strstr(cookie, "tilstede_session="));
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_up_link_works_once_then_the_password_signs_in),
        cmocka_unit_test(test_session_cookie_is_httponly_strict_and_secure_behind_https),
        cmocka_unit_test(test_post_without_csrf_or_from_another_origin_is_refused),
        cmocka_unit_test(test_contact_cannot_reach_another_sites_pages_or_kiosks),
        cmocka_unit_test(test_wrong_passwords_slow_down_and_never_say_if_the_account_exists),
        cmocka_unit_test(test_an_idle_session_expires),
        cmocka_unit_test(test_sso_header_names_the_user_only_when_configured),
        cmocka_unit_test(test_admin_token_works_as_bearer_for_scripts),
        cmocka_unit_test(test_htmlf_escapes_every_string_argument),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
