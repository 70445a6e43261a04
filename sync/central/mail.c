/* Last month's report by mail (see mail.h): the numbers for one person's
 * sites, the message around them (MIME, the workbook attached), and the run
 * over a month's recipients with its once-only record. */
#include "mail.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "numfmt.h"
#include "questions.h"
#include "report.h"
#include "store_mail.h"
#include "xlsx.h"

#define BASE64_LINE_BYTES 57 /* 76 characters a line, as MIME wants */
#define WORKBOOK_SHEETS   3

static const char *const month_names[] = {"januar",    "februar", "mars",     "april",
                                          "mai",       "juni",    "juli",     "august",
                                          "september", "oktober", "november", "desember"};

int central_mail_address_valid(const char *text)
{
    if (!text || strlen(text) >= CENTRAL_EMAIL_MAX)
        return 0;
    const char *at = strchr(text, '@');
    if (!at || at == text || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>' || *c == '"' || *c == ',' ||
            *c == ';' || *c == '\\')
            return 0;
    return 1;
}

int central_mail_month_valid(const char *text)
{
    if (!text || strlen(text) != CENTRAL_MAIL_MONTH_LEN || text[4] != '-')
        return 0;
    for (int i = 0; i < CENTRAL_MAIL_MONTH_LEN; i++)
        if (i != 4 && !isdigit((unsigned char)text[i]))
            return 0;
    int month = atoi(text + 5);
    return atoi(text) >= 1 && month >= 1 && month <= 12;
}

int64_t central_mail_retry_delay_us(int64_t attempts)
{
    int64_t delay_s = CENTRAL_MAIL_RETRY_FIRST_S;
    for (int64_t i = 1; i < attempts && delay_s < CENTRAL_MAIL_RETRY_MAX_S; i++)
        delay_s *= 2;
    if (delay_s > CENTRAL_MAIL_RETRY_MAX_S)
        delay_s = CENTRAL_MAIL_RETRY_MAX_S;
    return delay_s * 1000000;
}

/* The first and last day of a month, `years_back` years before. */
static void month_days(const char *month, int years_back, char from[CENTRAL_DATE_LEN + 1],
                       char to[CENTRAL_DATE_LEN + 1])
{
    int year = atoi(month) - years_back, m = atoi(month + 5);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = days[m - 1];
    if (m == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        last = 29;
    char text[32]; /* room for any int, so the compiler sees no cut */
    snprintf(text, sizeof text, "%04d-%02d-01", year, m);
    snprintf(from, CENTRAL_DATE_LEN + 1, "%.10s", text);
    snprintf(text, sizeof text, "%04d-%02d-%02d", year, m, last);
    snprintf(to, CENTRAL_DATE_LEN + 1, "%.10s", text);
}

/* 1 when the mail's reader sees site: a coordinator (or no user: --to)
 * every site, a contact their own. */
static int sees_site(const struct central_user *user, const char *site)
{
    if (!user || user->role == CENTRAL_ROLE_COORDINATOR)
        return 1;
    for (size_t i = 0; i < user->site_count; i++)
        if (strcmp(user->sites[i], site) == 0)
            return 1;
    return 0;
}

/* "alle enhetene", or the names of a contact's sites ("A, B og C"). */
static int scope_text(struct central_store *store, const struct central_user *user,
                      struct central_buf *out, char *err, size_t errlen)
{
    if (!user || user->role == CENTRAL_ROLE_COORDINATOR)
        return central_buf_str(out, "alle enhetene");
    for (size_t i = 0; i < user->site_count; i++) {
        struct central_site site;
        int rc = central_store_site_get(store, user->sites[i], &site, err, errlen);
        if (rc)
            return rc;
        central_buf_printf(out, "%s%s",
                           i == 0                      ? ""
                           : i + 1 == user->site_count ? " og "
                                                       : ", ",
                           site.name);
    }
    return 0;
}

/* The numbers of the body; the reports of the workbook into books. */
static int gather(struct central_store *store, const struct central_mail_config *config,
                  const char *month, const struct central_user *user,
                  struct central_mail_summary *summary, struct central_report **books,
                  size_t *book_count, char *err, size_t errlen)
{
    char from[CENTRAL_DATE_LEN + 1], to[CENTRAL_DATE_LEN + 1];
    char year_from[CENTRAL_DATE_LEN + 1], year_to[CENTRAL_DATE_LEN + 1];
    month_days(month, 0, from, to);
    month_days(month, 1, year_from, year_to);
    double per = config->hours_per_arsverk > 0 ? config->hours_per_arsverk
                                               : CENTRAL_HOURS_PER_ARSVERK_DEFAULT;
    memset(summary, 0, sizeof *summary);
    *book_count = 0;
    struct central_report *by_site = NULL, *last_year = NULL, *by_kind = NULL;
    struct central_questions q = {0};
    /* A contact's figures are of their sites: the store sums those only,
     * as for the web app's reports. */
    const char *ids[CENTRAL_USER_SITES_MAX];
    const char *const *sites = NULL;
    size_t site_count = 0;
    if (user && user->role != CENTRAL_ROLE_COORDINATOR) {
        for (size_t i = 0; i < user->site_count; i++)
            ids[i] = user->sites[i];
        sites = ids;
        site_count = user->site_count;
    }
    int rc = central_report_run_at(store, from, to, CENTRAL_BY_SITE, per, sites, site_count,
                                   &by_site, err, errlen);
    if (!rc)
        rc = central_report_run_at(store, year_from, year_to, CENTRAL_BY_SITE, per, sites,
                                   site_count, &last_year, err, errlen);
    if (rc)
        goto out;
    summary->seconds = by_site->total.seconds;
    summary->visits = by_site->total.visits;
    summary->arsverk = central_report_arsverk(by_site, by_site->total.seconds);
    summary->seconds_last_year = last_year->total.seconds;

    if ((rc = central_questions_thanks(store, from, to, 0, &q, err, errlen)))
        goto out;
    for (size_t i = 0; i < q.thanks_count; i++)
        summary->thanks += q.thanks[i].milestone > 0 && sees_site(user, q.thanks[i].site);
    central_questions_free(&q);
    if ((rc = central_questions_lost(store, to, CENTRAL_LOST_WEEKS, CENTRAL_LOST_MIN_VISITS, &q,
                                     err, errlen)))
        goto out;
    for (size_t i = 0; i < q.lost_count; i++)
        summary->lost += sees_site(user, q.lost[i].site);
    central_questions_free(&q);

    /* The workbook: by kind of service, site and activity, of the sites
     * the reader sees (a contact's figures are summed over their sites
     * only, as above). A contact whose month's hours all count under one
     * service area gets no sheet by kind: its one row would repeat the sum. */
    if ((rc = central_report_run_at(store, from, to, CENTRAL_BY_KIND, per, sites, site_count,
                                    &by_kind, err, errlen)))
        goto out;
    if (!sites || by_kind->count > 1) {
        books[(*book_count)++] = by_kind;
        by_kind = NULL;
    }
    books[(*book_count)++] = by_site;
    by_site = NULL;
    rc = central_report_run_at(store, from, to, CENTRAL_BY_ACTIVITY, per, sites, site_count,
                               &books[*book_count], err, errlen);
    if (!rc)
        (*book_count)++;
out:
    central_report_free(by_site);
    central_report_free(last_year);
    central_report_free(by_kind);
    return rc;
}

static void hours_text(int64_t seconds, char *out, size_t cap)
{
    numfmt_decimal(central_report_hours(seconds), 1, " ", out, cap);
}

/* The body, for people: bokmål, numbers the Norwegian way. */
static void body_text(const struct central_mail_config *config, const char *month,
                      const struct central_user *user, const char *scope,
                      const struct central_mail_summary *s, const char *attachment,
                      struct central_buf *body)
{
    int m = atoi(month + 5), year = atoi(month);
    char hours[48], arsverk[48], visits[48], last[48], per[48];
    hours_text(s->seconds, hours, sizeof hours);
    numfmt_decimal(s->arsverk, 2, " ", arsverk, sizeof arsverk);
    numfmt_decimal((double)s->visits, 0, " ", visits, sizeof visits);
    hours_text(s->seconds_last_year, last, sizeof last);
    numfmt_decimal(config->hours_per_arsverk > 0 ? config->hours_per_arsverk
                                                 : CENTRAL_HOURS_PER_ARSVERK_DEFAULT,
                   0, " ", per, sizeof per);
    central_buf_printf(body, "Hei%s%s,\r\n\r\n", user ? " " : "",
                       user ? central_user_display_name(user) : "");
    central_buf_printf(body, "her er de frivilliges timer for %s %d, for %s.\r\n\r\n",
                       month_names[m - 1], year, scope);
    central_buf_printf(body, "Timer: %s\r\n", hours);
    central_buf_printf(body, "Årsverk: %s (1 årsverk = %s timer)\r\n", arsverk, per);
    central_buf_printf(body, "Besøk: %s\r\n", visits);
    if (s->seconds_last_year > 0) {
        char change[48];
        double percent =
            100.0 * (double)(s->seconds - s->seconds_last_year) / (double)s->seconds_last_year;
        numfmt_decimal(percent, 1, " ", change, sizeof change);
        central_buf_printf(body, "%s %d: %s timer, endring %s%s %%\r\n", month_names[m - 1],
                           year - 1, last, percent > 0 ? "+" : "", change);
    } else {
        central_buf_printf(body, "%s %d: ingen timer registrert\r\n", month_names[m - 1], year - 1);
    }
    central_buf_printf(body, "Å takke: %zu frivillige passerte 10, 50, 100 eller 250 timer\r\n",
                       s->thanks);
    central_buf_printf(body,
                       "Å følge opp: %zu frivillige som kom jevnlig, er ikke sett på %d uker\r\n",
                       s->lost, CENTRAL_LOST_WEEKS);
    central_buf_printf(body, "\r\nTallene står i regnearket som er vedlagt (%s).\r\n", attachment);
    central_buf_str(body, "\r\nDu får denne e-posten en gang i måneden fra Tilstede.");
    if (config->public_url && config->public_url[0])
        central_buf_printf(body, " Du slår den av på %s/mail.", config->public_url);
    central_buf_str(body, "\r\n");
}

/* Appends data as base64 in lines of 76 characters. */
static void base64_lines(struct central_buf *out, const unsigned char *data, size_t len)
{
    char line[sodium_base64_ENCODED_LEN(BASE64_LINE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    for (size_t at = 0; at < len; at += BASE64_LINE_BYTES) {
        size_t n = len - at < BASE64_LINE_BYTES ? len - at : BASE64_LINE_BYTES;
        sodium_bin2base64(line, sizeof line, data + at, n, sodium_base64_VARIANT_ORIGINAL);
        central_buf_printf(out, "%s\r\n", line);
    }
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char raw[16];
    if (bytes > sizeof raw)
        bytes = sizeof raw;
    randombytes_buf(raw, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
}

int central_mail_compose(struct central_store *store, const struct central_mail_config *config,
                         const char *month, const struct central_user *user, const char *to,
                         int64_t now_us, struct central_buf *message, struct central_buf *body,
                         struct central_mail_summary *summary, char *err, size_t errlen)
{
    if (!central_mail_month_valid(month)) {
        snprintf(err, errlen, "mail: the month \"%s\" is not YYYY-MM", month ? month : "");
        return -EINVAL;
    }
    struct central_mail_summary numbers;
    struct central_report *books[WORKBOOK_SHEETS] = {0};
    size_t book_count = 0;
    struct central_buf workbook;
    central_buf_init(&workbook, CENTRAL_MAIL_MESSAGE_MAX);
    struct central_buf scope;
    central_buf_init(&scope, 4096);
    int rc = gather(store, config, month, user, &numbers, books, &book_count, err, errlen);
    if (!rc)
        rc = scope_text(store, user, &scope, err, errlen);
    if (!rc)
        rc = central_xlsx_buf((const struct central_report *const *)books, book_count, &workbook,
                              err, errlen);
    if (rc)
        goto out;
    if (summary)
        *summary = numbers;
    char attachment[64];
    snprintf(attachment, sizeof attachment, "frivillige-timer-%s.xlsx", month);
    body_text(config, month, user, scope.len ? scope.data : "", &numbers, attachment, body);

    char subject[96], subject64[160], boundary[48], id[40], date[64];
    snprintf(subject, sizeof subject, "Frivillige timer %s %.4s", month_names[atoi(month + 5) - 1],
             month);
    sodium_bin2base64(subject64, sizeof subject64, (const unsigned char *)subject, strlen(subject),
                      sodium_base64_VARIANT_ORIGINAL);
    strcpy(boundary, "tilstede-");
    random_hex(boundary + strlen(boundary), 12);
    random_hex(id, 16);
    time_t at = (time_t)(now_us / 1000000);
    struct tm tm;
    localtime_r(&at, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
    const char *domain = config->from ? strchr(config->from, '@') : NULL;
    central_buf_printf(message,
                       "From: Tilstede <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\n"
                       "Date: %s\r\nMessage-ID: <%s%s>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
                       config->from ? config->from : "", to, subject64, date, id,
                       domain ? domain : "@tilstede.invalid", boundary);
    central_buf_printf(message,
                       "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n",
                       boundary);
    base64_lines(message, (const unsigned char *)body->data, body->len);
    central_buf_printf(message,
                       "--%s\r\nContent-Type: application/"
                       "vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"%s\"\r\n"
                       "Content-Disposition: attachment; filename=\"%s\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n",
                       boundary, attachment, attachment);
    base64_lines(message, (const unsigned char *)workbook.data, workbook.len);
    central_buf_printf(message, "--%s--\r\n", boundary);
    if (message->failed || body->failed) {
        snprintf(err, errlen, "mail: the message is larger than %u bytes",
                 CENTRAL_MAIL_MESSAGE_MAX);
        rc = -E2BIG;
    }
out:
    for (size_t i = 0; i < book_count; i++)
        central_report_free(books[i]);
    central_buf_free(&workbook);
    central_buf_free(&scope);
    return rc;
}

/* ---- the run over a month's recipients ---- */

struct recipients {
    struct central_user *users;
    size_t count, cap;
};

static int collect_recipient(void *ctx, const struct central_user *user)
{
    struct recipients *r = ctx;
    if (user->revoked_us || !user->email[0] || !user->monthly_mail ||
        !(user->role == CENTRAL_ROLE_COORDINATOR || user->role == CENTRAL_ROLE_CONTACT))
        return 0;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct central_user *users = realloc(r->users, cap * sizeof *users);
        if (!users)
            return -ENOMEM;
        r->users = users;
        r->cap = cap;
    }
    r->users[r->count++] = *user;
    return 0;
}

/* A dry run's view of one message: who, the body, the attachment's size. */
static void show(FILE *out, const char *to, const struct central_buf *body,
                 const struct central_buf *message, const char *month)
{
    fprintf(out, "To: %s\nMonth: %s\n\n", to, month);
    for (size_t i = 0; i < body->len; i++)
        if (body->data[i] != '\r')
            fputc(body->data[i], out);
    fprintf(out, "\n[the message is %zu bytes, the workbook attached]\n\n", message->len);
}

/* Composes and sends (or shows) one mail. */
static int one_mail(struct central_store *store, const struct central_mail_config *config,
                    struct central_mail_run *run, const struct central_user *user, const char *to,
                    char *err, size_t errlen)
{
    struct central_buf message, body;
    central_buf_init(&message, CENTRAL_MAIL_MESSAGE_MAX);
    central_buf_init(&body, CENTRAL_MAIL_MESSAGE_MAX);
    int rc = central_mail_compose(store, config, run->month, user, to, run->now_us, &message, &body,
                                  NULL, err, errlen);
    if (!rc && run->dry_run && run->out)
        show(run->out, to, &body, &message, run->month);
    else if (!rc && !run->dry_run)
        rc = central_mail_send(config, to, message.data, message.len, err, errlen);
    central_buf_free(&message);
    central_buf_free(&body);
    return rc;
}

int central_mail_month(struct central_store *store, const struct central_mail_config *config,
                       struct central_mail_run *run, char *err, size_t errlen)
{
    if (!central_mail_month_valid(run->month)) {
        snprintf(err, errlen, "mail: the month \"%s\" is not YYYY-MM",
                 run->month ? run->month : "");
        return -EINVAL;
    }
    if (!run->dry_run) {
        int checked = central_mail_config_check(config, err, errlen);
        if (checked)
            return checked;
    }
    if (run->only_to) {
        int rc = one_mail(store, config, run, NULL, run->only_to, err, errlen);
        if (!rc && !run->dry_run) {
            run->sent++;
            if (run->out)
                fprintf(run->out, "%s: sent\n", run->only_to);
        }
        return rc;
    }
    struct recipients recipients = {0};
    int rc = central_store_users(store, collect_recipient, &recipients, err, errlen);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "mail: out of memory");
    int result = rc;
    for (size_t i = 0; !rc && i < recipients.count; i++) {
        const struct central_user *user = &recipients.users[i];
        if (run->dry_run) {
            result = rc = one_mail(store, config, run, user, user->email, err, errlen);
            continue;
        }
        int64_t attempts = 0;
        int claim = central_store_mail_claim(store, run->month, user->id, user->email, run->now_us,
                                             (int64_t)CENTRAL_MAIL_LEASE_S * 1000000,
                                             run->ignore_backoff, &attempts, err, errlen);
        if (claim == -EALREADY || claim == -EAGAIN) {
            if (claim == -EALREADY)
                run->already++;
            else
                run->waiting++;
            if (run->out)
                fprintf(run->out, "%s <%s>: %s\n", user->name, user->email,
                        claim == -EALREADY ? "already sent"
                                           : "waiting for its retry, or being sent by another "
                                             "process");
            continue;
        }
        if (claim) {
            result = rc = claim;
            break;
        }
        char why[CENTRAL_MAIL_ERROR_MAX];
        int sent = one_mail(store, config, run, user, user->email, why, sizeof why);
        if (sent == 0) {
            run->sent++;
        } else {
            run->failed++;
            if (result == 0) {
                snprintf(err, errlen, "%s <%s>: %s", user->name, user->email, why);
                result = -EIO;
            }
        }
        /* The record: a send that went is never repeated; one that failed
         * waits for its retry. Unreachable database here means the mail
         * may go again later: better twice than never. */
        char store_err[256];
        int recorded = central_store_mail_result(
            store, run->month, user->id, run->now_us, sent ? why : NULL,
            run->now_us + central_mail_retry_delay_us(attempts + 1), store_err, sizeof store_err);
        if (run->out)
            fprintf(run->out, "%s <%s>: %s%s%s\n", user->name, user->email,
                    sent ? "failed: " : "sent", sent ? why : "",
                    recorded ? " (and it could not be recorded)" : "");
        if (recorded && !result) {
            snprintf(err, errlen, "%s", store_err);
            result = recorded;
        }
    }
    free(recipients.users);
    return result;
}
