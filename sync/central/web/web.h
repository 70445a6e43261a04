/* The people's web app: server-rendered HTML pages, as cgit does it. One
 * table of pages (web.c: path, method, the roles admitted, handler), one
 * page per file (web_*.c), and one door for text: central_buf_htmlf, which
 * escapes every string it is given. The session, the role and the CSRF
 * token are checked in web.c before any handler runs, so a page cannot
 * forget them. No JavaScript framework and nothing from a CDN: the CSS is
 * compiled into the program (web.css). */
#ifndef TILSTEDE_CENTRAL_WEB_H
#define TILSTEDE_CENTRAL_WEB_H

#include "http_internal.h"
#include "store_web.h"

#define WEB_FIELDS_MAX   64
#define WEB_SETUP_LINK_S (72 * 3600) /* a set-up link works this long */

struct web_field {
    const char *name;
    const char *value;
    size_t length; /* the value's bytes: a file's may hold a NUL */
};

/* One request as a page sees it. */
struct web {
    struct central_request *request;
    struct central_response *response;
    struct central_buf *out;
    struct central_user user; /* the signed-in account (id 0: nobody) */
    int by_token;             /* an admin token (scripts), not a person's session */
    char csrf[CENTRAL_CSRF_MAX];
    const char *arg; /* what follows a page's path prefix ("" none) */
    struct web_field fields[WEB_FIELDS_MAX];
    size_t field_count;
    char *form; /* the decoded form body the fields point into */
    /* The session's id hash (has_session 0: none, as for an admin token). */
    unsigned char session_hash[CENTRAL_TOKEN_HASH_BYTES];
    int has_session;
};

struct web_page {
    const char *method;
    const char *path; /* ending in '/': a prefix, the rest is web.arg */
    unsigned roles;   /* enum central_role bits; 0: anyone, signed in or not */
    void (*handler)(struct web *web);
};

/* Translations: gettext catalogues of the text domain "tilstede-central"
 * (sync/central/po/nn.po, en.po; web_i18n.c). The msgids are the bokmål
 * text, the default language, so a string without a translation still
 * reads right for most users. Mark every piece of page text with _() in a
 * function that has `struct web *web` in scope, also a printf format:
 *     central_buf_htmlf(web->out, _("%d frivillige"), n);
 * (format_arg lets the compiler check the msgid against the arguments).
 * N_() marks text in a table, translated where it is used: _(table[i]).
 * A plural: web_ntext(web, "%d frivillig", "%d frivillige", n). After
 * adding text, give it its nn and en translations in the .po files
 * (tests/test_central_po.sh: msgfmt --statistics, and a count of the
 * pages' msgids the catalogues lack). */
const char *web_text(const struct web *web, const char *msgid) __attribute__((format_arg(2)));
const char *web_ntext(const struct web *web, const char *singular, const char *plural, long n)
    __attribute__((format_arg(2))) __attribute__((format_arg(3)));
#define _(msgid)  web_text(web, (msgid))
/* The page's language: the account's (nb, nn, en), else the browser's. */
const char *web_lang(const struct web *web);
int web_lang_valid(const char *lang);
/* The first of nb, nn, en in an Accept-Language header; nb when none. */
void web_lang_from_browser(const char *accept, char out[4]);
#define N_(msgid) (msgid)

/* A form field (POST) or query argument (GET), or NULL. */
const char *web_field(const struct web *web, const char *name);
/* A form field's value and its length in bytes (a file in a multipart
 * form), or NULL. */
const char *web_field_bytes(const struct web *web, const char *name, size_t *length);
/* Parses a multipart/form-data body into web's fields (web_multipart.c). */
int web_multipart_parse(struct web *web, const char *type);
/* The layout around a page: head, header with the menu for the role. */
void web_begin(struct web *web, const char *title);
void web_end(struct web *web);
/* A form's hidden CSRF field. */
void web_csrf_field(struct web *web);
/* 303 See Other to a path of ours. */
void web_redirect(struct web *web, const char *path);
/* A page with a message and a status (403, 404, 400, ...). */
void web_message(struct web *web, unsigned status, const char *title, const char *text);
/* 1 when the signed-in person may see and change site. */
int web_may_site(const struct web *web, const char *site);
/* Writes an audit row for the signed-in person. */
void web_audit(struct web *web, const char *action, const char *subject, const char *detail);
/* Dates, times and numbers in the page's language. A time, local:
 * "23.11.2026 kl. 14.30" in bokmål and nynorsk, "23 November 2026, 14:30"
 * in English. */
void web_when(const struct web *web, int64_t us, char *out, size_t cap);
/* The same with the month's name: "3. desember 2026 kl. 14.05". */
void web_when_long(const struct web *web, int64_t us, char *out, size_t cap);
/* "23.11.2026" ("23 November 2026") of "2026-11-23" (anything else as it
 * is). */
void web_date(const struct web *web, const char *iso, char *out, size_t cap);
/* A number rounded to `decimals` places: "11 905,5" (a no-break space, a
 * decimal comma), in English "11,905.5". */
void web_number(const struct web *web, double value, int decimals, char *out, size_t cap);
/* Today's local date, plus days, as "YYYY-MM-DD". */
void web_day(int days_from_today, char out[CENTRAL_DATE_LEN + 1]);
/* text percent-encoded for a URL's path or query (all but A-Z a-z 0-9 - .
 * _ ~) into out, which needs 3 * strlen(text) + 1 bytes: 0, or -E2BIG and
 * "" when it is smaller. */
#define WEB_URL_PART_MAX(bytes) (3 * (bytes) + 1)
int web_url_part(const char *text, char *out, size_t cap);
/* "kl. 14.30" ("14:30"), the time of day alone. */
void web_time(const struct web *web, int64_t us, char *out, size_t cap);
/* 1 when both times fall on the same local date. */
int web_same_day(int64_t a_us, int64_t b_us);
/* "kl. 14.30" ("14:30") for today, else as web_when. */
void web_clock(const struct web *web, int64_t us, char *out, size_t cap);
/* Weekdays, ISO numbered (1 Monday .. 7 Sunday; "" outside), in the
 * page's language: "tirsdag", and short "tir". */
const char *web_weekday(const struct web *web, int iso);
const char *web_weekday_short(const struct web *web, int iso);
/* A form's seven weekday checkboxes (name "day", values mon..sun), those
 * in `checked` (CENTRAL_PLAN_MONDAY << (iso - 1) bits) ticked. */
void web_weekday_boxes(struct web *web, int checked);
/* The weekdays ticked in a form's "day" boxes, as those bits (0: none). */
int web_weekdays(const struct web *web);
/* Signs the user in: a new session and its cookie. 0 or the store's error. */
int web_session_begin(struct web *web, const struct central_user *user);
/* Signs out: the session is deleted and the cookie cleared. */
void web_session_end(struct web *web);
/* Role names as people read them. */
const char *web_role_words(const struct web *web, enum central_role role);
/* Makes a set-up link into out: public_url + "/setup?token=...", and the
 * token's hash. */
void web_setup_link(const char *public_url, char *out, size_t cap,
                    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES]);

/* A report's period (web_period.c): a year, a quarter, a month or two
 * dates, from the query's period, year, quarter, month, from and to (none:
 * this year). */
struct web_period {
    char kind[8]; /* year, quarter, month, range */
    int year, quarter, month;
    char from[CENTRAL_DATE_LEN + 1], to[CENTRAL_DATE_LEN + 1];
    char words[96];  /* "2026", "4. kvartal 2026", "november 2026", "01.03.2026–15.04.2026" */
    char query[128]; /* "period=year&year=2026": names it again in a link */
};
/* 0, or -1 with why set to a sentence naming the field at fault. */
int web_period_parse(const struct web *web, struct web_period *period, char *why, size_t cap);
/* "januar" for 1. */
const char *web_month_name(const struct web *web, int month);
/* The volunteer with this id, if the signed-in person may see them (a
 * contact: only those who have been at their sites): 0, -ENOENT (none, or
 * not theirs: the same answer), or the store's error (web_volunteers.c). */
int web_volunteer_find(const struct web *web, const char *external_id,
                       struct central_volunteer *volunteer);
/* The same, or 1 after answering with the page that says why (404 for
 * none or not theirs, 503 when the store is busy). */
int web_volunteer_or_answer(struct web *web, const char *external_id,
                            struct central_volunteer *volunteer);

/* The pages (one file each). */
void web_dashboard_page(struct web *web);
void web_dashboard_report(struct web *web);
void web_login_page(struct web *web);
void web_login_post(struct web *web);
void web_logout_post(struct web *web);
void web_setup_page(struct web *web);
void web_setup_post(struct web *web);
void web_home_page(struct web *web);
void web_me_page(struct web *web);
void web_me_post(struct web *web);
void web_me_name_post(struct web *web);
void web_mail_page(struct web *web);
void web_mail_post(struct web *web);
void web_present_page(struct web *web);
void web_kiosks_page(struct web *web);
void web_kiosks_add(struct web *web);
void web_kiosks_revoke(struct web *web);
void web_kiosks_hours(struct web *web);
void web_users_page(struct web *web);
void web_users_add(struct web *web);
void web_users_revoke(struct web *web);
void web_users_name(struct web *web);
/* A 400 page: the full name given is over CENTRAL_NAME_MAX or not text. */
void web_bad_full_name(struct web *web);
void web_audit_page(struct web *web);
void web_volunteers_page(struct web *web);
void web_roster_page(struct web *web);
void web_roster_preview(struct web *web);
void web_roster_apply(struct web *web);
void web_volunteers_post(struct web *web);
void web_activities_page(struct web *web);
void web_activities_post(struct web *web);
void web_reports_page(struct web *web);
void web_reports_csv(struct web *web);
void web_reports_xlsx(struct web *web);
void web_year_page(struct web *web);
void web_year_xlsx(struct web *web);
void web_statement_page(struct web *web);
void web_review_page(struct web *web);
void web_review_post(struct web *web);
void web_css(struct web *web);

#endif
