/* The web app's front door (see web.h): the table of pages, sessions in
 * the database, the CSRF and Origin checks, the single sign-on header, the
 * layout. Every page request passes here before its handler runs. */
#include "web.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "numfmt.h"
#include "plan.h"
#include "token.h"

#define SESSION_COOKIE "tilstede_session"
/* identify()'s answer to HTTP Basic: not an HTTP status of its own. */
#define WEB_BASIC_RETIRED 1

static const struct web_page pages[] = {
    {"GET", "/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_dashboard_page},
    {"GET", "/report", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_VIEWER, web_dashboard_report},
    {"GET", "/report.csv", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_VIEWER, web_dashboard_report},
    {"GET", "/report.json", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_VIEWER, web_dashboard_report},
    {"GET", "/tilstede.css", 0, web_css},
    {"GET", "/login", 0, web_login_page},
    {"POST", "/login", 0, web_login_post},
    {"POST", "/logout", 0, web_logout_post},
    {"GET", "/setup", 0, web_setup_page},
    {"POST", "/setup", 0, web_setup_post},
    {"GET", "/home", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_home_page},
    {"GET", "/here/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_present_page},
    {"GET", "/kiosks", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_kiosks_page},
    {"POST", "/kiosks/add", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_kiosks_add},
    {"POST", "/kiosks/revoke", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_kiosks_revoke},
    {"POST", "/kiosks/hours", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_kiosks_hours},
    {"GET", "/me", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_me_page},
    {"POST", "/me", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_me_post},
    {"POST", "/me/name", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_me_name_post},
    {"GET", "/mail", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_mail_page},
    {"POST", "/mail", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_mail_post},
    {"GET", "/users", CENTRAL_ROLE_COORDINATOR, web_users_page},
    {"POST", "/users/add", CENTRAL_ROLE_COORDINATOR, web_users_add},
    {"POST", "/users/revoke", CENTRAL_ROLE_COORDINATOR, web_users_revoke},
    {"POST", "/users/name", CENTRAL_ROLE_COORDINATOR, web_users_name},
    {"GET", "/audit", CENTRAL_ROLE_COORDINATOR, web_audit_page},
    {"GET", "/roster", CENTRAL_ROLE_COORDINATOR, web_roster_page},
    {"POST", "/roster/preview", CENTRAL_ROLE_COORDINATOR, web_roster_preview},
    {"POST", "/roster/apply", CENTRAL_ROLE_COORDINATOR, web_roster_apply},
    {"GET", "/volunteers/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_volunteers_page},
    {"POST", "/volunteers/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_volunteers_post},
    {"GET", "/activities/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_activities_page},
    {"POST", "/activities/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_activities_post},
    {"GET", "/reports", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_reports_page},
    {"GET", "/reports.csv", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_reports_csv},
    {"GET", "/reports.xlsx", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_reports_xlsx},
    {"GET", "/year", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_year_page},
    {"GET", "/year.xlsx", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER,
     web_year_xlsx},
    {"GET", "/statement/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_statement_page},
    {"GET", "/review/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_review_page},
    {"POST", "/review/", CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT, web_review_post},
};
#define PAGE_COUNT (sizeof pages / sizeof pages[0])

static const struct web_page *page_find(const char *method, const char *path, const char **arg)
{
    int head = strcmp(method, "HEAD") == 0;
    for (size_t i = 0; i < PAGE_COUNT; i++) {
        const struct web_page *page = &pages[i];
        if (strcmp(page->method, method) != 0 && !(head && !strcmp(page->method, "GET")))
            continue;
        size_t len = strlen(page->path);
        if (len > 1 && page->path[len - 1] == '/') { /* "/" itself is one page */
            if (strncmp(path, page->path, len) == 0 ||
                (strncmp(path, page->path, len - 1) == 0 && path[len - 1] == '\0')) {
                *arg = path[len - 1] ? path + len : "";
                return page;
            }
        } else if (strcmp(path, page->path) == 0) {
            *arg = "";
            return page;
        }
    }
    return NULL;
}

const char *central_web_serves(const char *method, const char *path)
{
    const char *arg;
    const struct web_page *page = page_find(method, path, &arg);
    return page ? page->path : NULL;
}

/* ---- small things ---- */

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* English dates name the month: "3.12" means another day to a reader used
 * to "12/3". Norwegian keeps the compact "03.12.2026" in table cells. */
static int english(const struct web *web)
{
    return !strcmp(web_lang(web), "en");
}

static void date_words(const struct web *web, int year, int month, int day, char *out, size_t cap)
{
    if (english(web))
        snprintf(out, cap, "%d %s %d", day, web_month_name(web, month), year);
    else
        snprintf(out, cap, "%02d.%02d.%04d", day, month, year);
}

void web_when(const struct web *web, int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    char date[48];
    date_words(web, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, date, sizeof date);
    /* TRANSLATORS: a date, then the hour and minute (24-hour clock). */
    snprintf(out, cap, _("%s kl. %02d.%02d"), date, tm.tm_hour, tm.tm_min);
}

void web_when_long(const struct web *web, int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    /* TRANSLATORS: the day of the month, the month's name, the year. */
    char date[64];
    snprintf(date, sizeof date, _("%d. %s %d"), tm.tm_mday, web_month_name(web, tm.tm_mon + 1),
             tm.tm_year + 1900);
    snprintf(out, cap, _("%s kl. %02d.%02d"), date, tm.tm_hour, tm.tm_min);
}

int web_same_day(int64_t a_us, int64_t b_us)
{
    time_t a = (time_t)(a_us / 1000000), b = (time_t)(b_us / 1000000);
    struct tm ta, tb;
    localtime_r(&a, &ta);
    localtime_r(&b, &tb);
    return ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday;
}

void web_time(const struct web *web, int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    /* TRANSLATORS: a time of day (24-hour clock). */
    snprintf(out, cap, _("kl. %02d.%02d"), tm.tm_hour, tm.tm_min);
}

void web_clock(const struct web *web, int64_t us, char *out, size_t cap)
{
    if (web_same_day(us, now_us()))
        web_time(web, us, out, cap);
    else
        web_when(web, us, out, cap);
}

void web_date(const struct web *web, const char *iso, char *out, size_t cap)
{
    int year, month, day;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &year, &month, &day) == 3 && month >= 1 && month <= 12)
        date_words(web, year, month, day, out, cap);
    else
        snprintf(out, cap, "%s", iso ? iso : "");
}

void web_number(const struct web *web, double value, int decimals, char *out, size_t cap)
{
    /* Norwegian: a decimal comma and a (no-break) space between thousands,
     * "11 905,5"; English: "11,905.5". */
    char norwegian[64];
    numfmt_decimal(value, decimals, english(web) ? "," : "\xc2\xa0", norwegian, sizeof norwegian);
    if (english(web)) {
        char *comma = strrchr(norwegian, ',');
        if (decimals > 0 && comma)
            *comma = '.';
    }
    snprintf(out, cap, "%s", norwegian);
}

void web_day(int days_from_today, char out[CENTRAL_DATE_LEN + 1])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    /* mktime normalises the day of the month across months and years;
     * noon keeps a change to or from summer time off the date. */
    tm.tm_mday += days_from_today;
    tm.tm_hour = 12;
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t then = mktime(&tm);
    localtime_r(&then, &tm);
    if (!strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm))
        out[0] = '\0';
}

int web_url_part(const char *text, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t used = 0;
    if (!cap)
        return -E2BIG;
    out[0] = '\0';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (used + 4 > cap) {
            out[0] = '\0';
            return -E2BIG;
        }
        if (isalnum(*p) || strchr("-._~", *p)) {
            out[used++] = (char)*p;
        } else {
            out[used++] = '%';
            out[used++] = hex[*p >> 4];
            out[used++] = hex[*p & 15];
        }
    }
    out[used] = '\0';
    return 0;
}

const char *web_role_words(const struct web *web, enum central_role role)
{
    return role == CENTRAL_ROLE_COORDINATOR ? _("koordinator")
           : role == CENTRAL_ROLE_CONTACT   ? _("frivilligkontakt")
                                            : _("leser");
}

static const char *const weekday_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const weekday_words[7] = {N_("mandag"), N_("tirsdag"), N_("onsdag"),
                                             N_("torsdag"), N_("fredag"), N_("lørdag"),
                                             N_("søndag")};
static const char *const weekday_short[7] = {N_("man"), N_("tir"), N_("ons"), N_("tor"),
                                             N_("fre"), N_("lør"), N_("søn")};

const char *web_weekday(const struct web *web, int iso)
{
    return iso >= 1 && iso <= 7 ? _(weekday_words[iso - 1]) : "";
}

const char *web_weekday_short(const struct web *web, int iso)
{
    return iso >= 1 && iso <= 7 ? _(weekday_short[iso - 1]) : "";
}

void web_weekday_boxes(struct web *web, int checked)
{
    for (int i = 0; i < 7; i++)
        central_buf_htmlf(web->out,
                          "<label class=\"check\"><input type=\"checkbox\" name=\"day\" "
                          "value=\"%s\"%s> %s</label>",
                          weekday_keys[i], checked & (CENTRAL_PLAN_MONDAY << i) ? " checked" : "",
                          web_weekday(web, i + 1));
}

int web_weekdays(const struct web *web)
{
    int weekdays = 0;
    char err[256];
    for (size_t i = 0; i < web->field_count; i++) {
        int day = 0;
        if (strcmp(web->fields[i].name, "day") == 0 &&
            central_plan_weekdays(web->fields[i].value, &day, err, sizeof err) == 0)
            weekdays |= day;
    }
    return weekdays;
}

void web_setup_link(const char *public_url, char *out, size_t cap,
                    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES])
{
    char token[CENTRAL_TOKEN_TEXT_MAX];
    central_token_new(token, hash);
    size_t len = public_url ? strlen(public_url) : 0;
    while (len && public_url[len - 1] == '/')
        len--;
    snprintf(out, cap, "%.*s/setup?token=%s", (int)len, public_url ? public_url : "", token);
    sodium_memzero(token, sizeof token);
}

static const char *header(const struct web *web, const char *name)
{
    return MHD_lookup_connection_value(web->request->connection, MHD_HEADER_KIND, name);
}

const char *web_field(const struct web *web, const char *name)
{
    for (size_t i = 0; i < web->field_count; i++)
        if (strcmp(web->fields[i].name, name) == 0)
            return web->fields[i].value;
    if (strcmp(web->request->method, "GET") == 0)
        return central_request_arg(web->request, name);
    return NULL;
}

const char *web_field_bytes(const struct web *web, const char *name, size_t *length)
{
    for (size_t i = 0; i < web->field_count; i++)
        if (strcmp(web->fields[i].name, name) == 0) {
            *length = web->fields[i].length;
            return web->fields[i].value;
        }
    return NULL;
}

static int hex_value(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Decodes application/x-www-form-urlencoded in place. */
static void url_decode(char *text)
{
    char *out = text;
    for (char *p = text; *p; p++) {
        if (*p == '+') {
            *out++ = ' ';
        } else if (*p == '%' && hex_value((unsigned char)p[1]) >= 0 &&
                   hex_value((unsigned char)p[2]) >= 0) {
            *out++ = (char)(hex_value((unsigned char)p[1]) * 16 + hex_value((unsigned char)p[2]));
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static int parse_form(struct web *web)
{
    const struct central_request *request = web->request;
    if (!request->body || !request->body_len)
        return 0;
    const char *type = header(web, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (type && strncasecmp(type, "multipart/form-data", 19) == 0)
        return web_multipart_parse(web, type) == -ENOMEM ? -ENOMEM : 0;
    if (!type || strncmp(type, "application/x-www-form-urlencoded", 33) != 0)
        return 0;
    web->form = malloc(request->body_len + 1);
    if (!web->form)
        return -ENOMEM;
    memcpy(web->form, request->body, request->body_len);
    web->form[request->body_len] = '\0';
    char *save = NULL;
    for (char *pair = strtok_r(web->form, "&", &save); pair && web->field_count < WEB_FIELDS_MAX;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        url_decode(pair);
        if (eq)
            url_decode(eq + 1);
        web->fields[web->field_count].name = pair;
        web->fields[web->field_count].value = eq ? eq + 1 : "";
        web->fields[web->field_count].length = strlen(web->fields[web->field_count].value);
        web->field_count++;
    }
    return 0;
}

/* The value of one cookie, or NULL. */
static const char *cookie(const struct web *web, const char *name)
{
    return MHD_lookup_connection_value(web->request->connection, MHD_COOKIE_KIND, name);
}

/* Over HTTPS when we do TLS ourselves, or when the loopback proxy says so. */
static int over_https(const struct web *web)
{
    if (web->request->config->tls_cert)
        return 1;
    const char *proto = header(web, "X-Forwarded-Proto");
    return web->request->from_loopback && proto && strcmp(proto, "https") == 0;
}

static void set_session_cookie(struct web *web, const char *value, int64_t max_age_s)
{
    snprintf(web->response->set_cookie, sizeof web->response->set_cookie,
             SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", value,
             (long long)max_age_s, over_https(web) ? "; Secure" : "");
}

/* A new session for the user: the cookie carries the id, the database its
 * hash. Returns 0, or the store's error. */
static int session_start(struct web *web, const struct central_user *user)
{
    char id[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES], csrf_hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(id, hash);
    central_token_new(web->csrf, csrf_hash);
    char err[256];
    int rc =
        central_store_session_add(web->request->store, hash, user->id, web->csrf, err, sizeof err);
    if (rc == 0) {
        set_session_cookie(web, id, web->request->config->session_idle_s);
        web->user = *user;
        memcpy(web->session_hash, hash, sizeof web->session_hash);
        web->has_session = 1;
    }
    sodium_memzero(id, sizeof id);
    return rc;
}

int web_session_begin(struct web *web, const struct central_user *user)
{
    return session_start(web, user);
}

void web_session_end(struct web *web)
{
    const char *id = cookie(web, SESSION_COOKIE);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    char err[256];
    if (id && central_token_hash(id, strlen(id), hash) == 0)
        central_store_session_delete(web->request->store, hash, err, sizeof err);
    set_session_cookie(web, "", 0);
    memset(&web->user, 0, sizeof web->user);
}

/* Who is asking: an admin token (Bearer, scripts), the session cookie, or
 * the single sign-on header from the loopback proxy. Returns 0, or an HTTP
 * status to answer with. */
static unsigned identify(struct web *web)
{
    struct central_store *store = web->request->store;
    char err[256];
    const char *auth = header(web, MHD_HTTP_HEADER_AUTHORIZATION);
    /* The old dashboard's HTTP Basic (an admin token as the password) is
     * retired: a browser or script still sending it is told where to go. */
    if (auth && strncasecmp(auth, "Basic ", 6) == 0)
        return WEB_BASIC_RETIRED;
    if (auth && strncmp(auth, "Bearer ", 7) == 0) {
        unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
        if (central_token_hash(auth + 7, strlen(auth + 7), hash) ||
            central_store_admin_auth(store, hash, err, sizeof err))
            return MHD_HTTP_UNAUTHORIZED;
        web->by_token = 1;
        web->user.id = -1;
        web->user.role = CENTRAL_ROLE_COORDINATOR;
        snprintf(web->user.name, sizeof web->user.name, "(admin token)");
        snprintf(web->user.lang, sizeof web->user.lang, "nb");
        return 0;
    }
    const char *id = cookie(web, SESSION_COOKIE);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    if (id && central_token_hash(id, strlen(id), hash) == 0) {
        int rc =
            central_store_session_get(store, hash, web->request->config->session_idle_s * 1000000,
                                      &web->user, web->csrf, err, sizeof err);
        if (rc && rc != -ENOENT)
            return MHD_HTTP_SERVICE_UNAVAILABLE;
        if (rc)
            memset(&web->user, 0, sizeof web->user);
        else
            memcpy(web->session_hash, hash, sizeof web->session_hash), web->has_session = 1;
    }
    const char *sso = web->request->config->sso_header;
    const char *sso_user = sso ? header(web, sso) : NULL;
    if (sso_user && sso_user[0]) {
        /* Anyone can send the header: only the proxy on loopback is believed. */
        if (!web->request->from_loopback)
            return MHD_HTTP_FORBIDDEN;
        if (web->user.id && strcmp(web->user.name, sso_user) == 0)
            return 0;
        struct central_user user;
        if (central_store_user_get(store, sso_user, &user, err, sizeof err) || user.revoked_us)
            return MHD_HTTP_FORBIDDEN;
        if (session_start(web, &user))
            return MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    return 0;
}

/* A POST from one of our own forms: the Origin (when the browser sends it,
 * as every current one does on POST) is ours, and the form carries the
 * session's CSRF token. */
static int same_origin(const struct web *web)
{
    const char *origin = header(web, "Origin");
    if (!origin)
        return 1;
    const char *host = header(web, "X-Forwarded-Host");
    if (!host || !web->request->from_loopback)
        host = header(web, MHD_HTTP_HEADER_HOST);
    if (!host)
        return 0;
    const char *rest = strstr(origin, "://");
    return rest && strcmp(rest + 3, host) == 0;
}

static int csrf_ok(const struct web *web)
{
    const char *sent = web_field(web, "csrf");
    size_t len = strlen(web->csrf);
    return sent && len && strlen(sent) == len && sodium_memcmp(sent, web->csrf, len) == 0;
}

/* ---- the layout ---- */

void web_csrf_field(struct web *web)
{
    central_buf_htmlf(web->out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", web->csrf);
}

void web_begin(struct web *web, const char *title)
{
    struct central_buf *out = web->out;
    web->response->content_type = "text/html; charset=utf-8";
    central_buf_htmlf(out,
                      "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>%s · Tilstede</title><link rel=\"stylesheet\" "
                      "href=\"/tilstede.css\"></head><body><a class=\"skip\" href=\"#main\">"
                      "%s</a><header><p class=\"brand\">Tilstede</p>",
                      web_lang(web), title, _("Hopp til innholdet"));
    if (web->user.id > 0) {
        /* The menu: (path, words, roles), in the order shown. */
        static const struct {
            const char *path, *words;
            unsigned roles;
        } menu[] = {
            {"/", N_("Oversikt"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_VIEWER},
            {"/here", N_("Hvem er her"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/volunteers", N_("Frivillige"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/kiosks", N_("Kiosker"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/activities", N_("Aktiviteter"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/review", N_("Til gjennomgang"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/mail", N_("E-post"), CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT},
            {"/reports", N_("Rapporter"),
             CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER},
            {"/year", N_("Årsrapport"),
             CENTRAL_ROLE_COORDINATOR | CENTRAL_ROLE_CONTACT | CENTRAL_ROLE_VIEWER},
            {"/roster", N_("Last opp liste"), CENTRAL_ROLE_COORDINATOR},
            {"/users", N_("Brukere"), CENTRAL_ROLE_COORDINATOR},
            {"/audit", N_("Endringslogg"), CENTRAL_ROLE_COORDINATOR},
        };
        central_buf_htmlf(out, "<nav aria-label=\"%s\"><ul>", _("Meny"));
        for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++)
            if (menu[i].roles & web->user.role)
                central_buf_htmlf(out, "<li><a href=\"%s\">%s</a></li>", menu[i].path,
                                  _(menu[i].words));
        central_buf_str(out, "</ul></nav><form class=\"signout\" method=\"post\" "
                             "action=\"/logout\">");
        web_csrf_field(web);
        central_buf_htmlf(out,
                          "<a href=\"/me\">%s (%s)</a> <button type=\"submit\">%s</button>"
                          "</form>",
                          web->user.name, web_role_words(web, web->user.role), _("Logg ut"));
    }
    central_buf_htmlf(out, "</header><main id=\"main\"><h1>%s</h1>", title);
}

void web_end(struct web *web)
{
    central_buf_str(web->out, "</main></body></html>\n");
}

void web_redirect(struct web *web, const char *path)
{
    web->response->status = MHD_HTTP_SEE_OTHER;
    snprintf(web->response->location, sizeof web->response->location, "%s", path);
}

void web_message(struct web *web, unsigned status, const char *title, const char *text)
{
    web->out->len = 0;
    web->response->status = status;
    web_begin(web, title);
    central_buf_htmlf(web->out, "<p class=\"message\">%s</p>", text);
    if (web->user.id > 0)
        central_buf_htmlf(web->out, "<p><a href=\"/home\">%s</a></p>", _("Til forsiden"));
    else
        central_buf_htmlf(web->out, "<p><a href=\"/login\">%s</a></p>", _("Logg inn"));
    web_end(web);
}

int web_may_site(const struct web *web, const char *site)
{
    if (web->user.role == CENTRAL_ROLE_COORDINATOR)
        return 1;
    for (size_t i = 0; i < web->user.site_count; i++)
        if (strcmp(web->user.sites[i], site) == 0)
            return 1;
    return 0;
}

void web_audit(struct web *web, const char *action, const char *subject, const char *detail)
{
    struct central_audit audit = {.at_us = now_us()};
    snprintf(audit.actor, sizeof audit.actor, "%s", web->user.name);
    snprintf(audit.action, sizeof audit.action, "%s", action);
    snprintf(audit.subject, sizeof audit.subject, "%s", subject);
    snprintf(audit.detail, sizeof audit.detail, "%s", detail ? detail : "");
    char err[256];
    central_store_audit_add(web->request->store, &audit, err, sizeof err);
}

/* ---- the request ---- */

void central_web_handle(struct central_request *request, struct central_response *response)
{
    struct web web_ = {.request = request, .response = response, .out = &response->body};
    struct web *web = &web_; /* the name _() expects */
    response->status = MHD_HTTP_OK;
    const struct web_page *page = page_find(request->method, request->path, &web->arg);
    if (parse_form(web)) {
        central_respond_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                              "out of memory");
        goto out;
    }
    unsigned status = identify(web);
    /* Before sign-in the pages speak the browser's language. */
    if (web->user.id == 0)
        web_lang_from_browser(header(web, "Accept-Language"), web->user.lang);
    if (status == WEB_BASIC_RETIRED) {
        web_message(web, MHD_HTTP_UNAUTHORIZED, _("Logg inn med brukeren din"),
                    _("Innlogging med tilgangsnøkkel (HTTP Basic) er tatt bort. Logg inn med "
                      "brukernavnet og passordet ditt på /login (koordinatoren lager brukere "
                      "under Brukere, eller med tilstede-central user add). Skript sender "
                      "tilgangsnøkkelen som Authorization: Bearer."));
        response->error_code = "basic_retired";
        goto out;
    }
    if (status == MHD_HTTP_UNAUTHORIZED) {
        central_respond_error(response, status, "unauthorized", "unknown or revoked admin token");
        goto out;
    }
    if (status == MHD_HTTP_FORBIDDEN) {
        web_message(web, status, _("Ingen tilgang"),
                    _("Innloggingen fra kommunens pålogging gjelder ingen aktiv bruker her."));
        goto out;
    }
    if (status) {
        response->retry_after_s = 5;
        web_message(web, status, _("Prøv igjen"), _("Tjenesten er opptatt. Prøv igjen om litt."));
        goto out;
    }
    if (!page) {
        web_message(web, MHD_HTTP_NOT_FOUND, _("Fant ikke siden"), _("Denne siden finnes ikke."));
        goto out;
    }
    if (page->roles && web->user.id == 0) {
        if (strcmp(request->method, "GET") == 0)
            web_redirect(web, "/login");
        else
            web_message(web, MHD_HTTP_FORBIDDEN, _("Logget ut"),
                        _("Du er ikke logget inn (økten kan ha gått ut). Logg inn igjen."));
        goto out;
    }
    if (page->roles && !(page->roles & web->user.role)) {
        web_message(web, MHD_HTTP_FORBIDDEN, _("Ingen tilgang"),
                    _("Brukeren din har ikke tilgang til denne siden."));
        goto out;
    }
    if (request->body_too_large) {
        char words[256];
        snprintf(words, sizeof words,
                 _("Skjemaet eller filen er større enn %u MB, og ble ikke lest. Velg en mindre "
                   "fil."),
                 CENTRAL_WEB_BODY_MAX / (1024u * 1024u));
        web_message(web, MHD_HTTP_CONTENT_TOO_LARGE, _("For stor fil"), words);
        response->error_code = "body_too_large";
        goto out;
    }
    /* Every state change: our origin and the session's token. A script
     * with a bearer token is not a browser and needs neither; sign-in and
     * set-up have no session yet and check the origin only. */
    if (strcmp(request->method, "POST") == 0 && !web->by_token) {
        int pre_session = page->handler == web_login_post || page->handler == web_setup_post;
        if (!same_origin(web) || (!pre_session && !csrf_ok(web))) {
            web_message(web, MHD_HTTP_FORBIDDEN, _("Skjemaet ble avvist"),
                        _("Skjemaet kom ikke fra denne siden, eller siden var for gammel. Gå "
                          "tilbake, last siden på nytt og prøv igjen."));
            response->error_code = "csrf";
            goto out;
        }
    }
    page->handler(web);
out:
    free(web->form);
}
