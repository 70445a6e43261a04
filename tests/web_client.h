/* A browser's side of the web app for the central's tests (web_client.c). */
#ifndef TILSTEDE_TEST_WEB_CLIENT_H
#define TILSTEDE_TEST_WEB_CLIENT_H

#include <stddef.h>

#include <curl/curl.h>

#include "central_fixture.h"
#include "store_web.h"

/* One answer: its status, body (NUL-terminated; a file may hold NULs, len
 * counts them) and the headers the tests look at. */
struct page {
    long status;
    char body[65536];
    size_t len;
    char cookie[256]; /* the Set-Cookie header's value */
    char location[256];
    char content_type[128];
    char disposition[256];
};

/* A handle for one request of path, its answer into page. */
CURL *page_curl(const struct fixture *f, const char *path, struct page *page);
/* One request: cookie is "tilstede_session=..." or NULL; form a body
 * (POST) or NULL (GET); extra and extra2 a header each or NULL. */
long web_request(const struct fixture *f, const char *path, const char *cookie, const char *form,
                 const char *extra, const char *extra2, struct page *page);
/* "tilstede_session=VALUE" from a Set-Cookie value. */
void session_of(const struct page *page, char *out, size_t cap);
/* The first form's CSRF token on a page. */
void csrf_of(const struct page *page, char *out, size_t cap);
/* An account with a password, made as a set-up link would; site NULL for
 * none. */
void make_user(const struct fixture *f, const char *name, enum central_role role, const char *site,
               const char *password);
/* Signs in; the session cookie into cookie. */
void sign_in(const struct fixture *f, const char *name, const char *password, char *cookie,
             size_t cap);

#endif
