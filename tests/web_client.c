/* A browser's side of the web app for the central's tests: one request
 * with a session cookie, its answer, its cookie and redirect; an account
 * with a password; signing in. Shared by the tests of the web pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after the headers it needs */
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web.h"
#include "web_client.h"

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
    header_value(data, len, "Content-Type: ", page->content_type, sizeof page->content_type);
    header_value(data, len, "Content-Disposition: ", page->disposition, sizeof page->disposition);
    return len;
}

/* A handle for one request of path, its answer into page. */
CURL *page_curl(const struct fixture *f, const char *path, struct page *page)
{
    memset(page, 0, sizeof *page);
    CURL *curl = curl_easy_init();
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    /* A test's own certificate (the single sign-on test off loopback):
     * the transport only, certificates are test_central_tls's. */
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, page);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, page);
    return curl;
}

/* One request: cookie is "tilstede_session=..." or NULL; form a body
 * (POST) or NULL (GET); extra a header or NULL. */
long web_request(const struct fixture *f, const char *path, const char *cookie, const char *form,
                 const char *extra, const char *extra2, struct page *page)
{
    CURL *curl = page_curl(f, path, page);
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
void session_of(const struct page *page, char *out, size_t cap)
{
    const char *semi = strchr(page->cookie, ';');
    snprintf(out, cap, "%.*s", semi ? (int)(semi - page->cookie) : (int)strlen(page->cookie),
             page->cookie);
}

/* The first form's CSRF token on a page. */
void csrf_of(const struct page *page, char *out, size_t cap)
{
    const char *at = strstr(page->body, "name=\"csrf\" value=\"");
    assert_non_null(at);
    at += strlen("name=\"csrf\" value=\"");
    const char *end = strchr(at, '"');
    snprintf(out, cap, "%.*s", (int)(end - at), at);
}

/* An account with a password, made as a set-up link would. */
void make_user(const struct fixture *f, const char *name, enum central_role role, const char *site,
               const char *password)
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
void sign_in(const struct fixture *f, const char *name, const char *password, char *cookie,
             size_t cap)
{
    struct page page;
    char form[256];
    snprintf(form, sizeof form, "name=%s&password=%s", name, password);
    assert_int_equal(web_request(f, "/login", NULL, form, NULL, NULL, &page), 303);
    session_of(&page, cookie, cap);
    assert_non_null(strstr(cookie, "tilstede_session="));
}
