/* Last month's report by mail (issue 14, 4), against a real SMTP server on
 * loopback (tests/smtp_sink.py: aiosmtpd, STARTTLS and a login required):
 * the real `tilstede-central mail-report` sends to each coordinator and
 * contact with an address, with their numbers in the body and the workbook
 * attached (read back with Python's email parser and openpyxl), once per
 * month across runs; a failed send waits for its retry and shows on the
 * overview page. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "central_fixture.h"
#include "mail.h"
#include "mail_schedule.h"
#include "report.h"
#include "store_mail.h"
#include "store_web.h"
#include "testutil.h"

#ifndef TEST_PYTHON
#define TEST_PYTHON "/usr/bin/python3"
#endif
#if !defined(SMTP_SINK) || !defined(MAIL_READBACK) || !defined(XLSX_READBACK) ||                   \
    !defined(CENTRAL_BIN)
#error "SMTP_SINK, MAIL_READBACK, XLSX_READBACK and CENTRAL_BIN must be defined"
#endif

#define SMTP_USER     "tilstede-mailer"
#define SMTP_PASSWORD "s3cret-passord"
#define MAIL_FROM     "tilstede@kommune.example"
#define SINK_START_MS 15000
#define OUTPUT_MAX    65536
#define MINUTE_US     (INT64_C(60) * 1000000)

struct mail_test {
    struct fixture *f;
    char dir[300];  /* certificates, the password file, the sink's folder */
    char sink[320]; /* where the sink keeps messages */
    char url[64];   /* smtp://127.0.0.1:PORT */
    pid_t sink_pid;
};

static int sh(const char *command)
{
    int status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs tilstede-central with the test's database and SMTP settings. */
static int central(const struct mail_test *t, const char *args, char *out, size_t cap)
{
    char command[2048];
    snprintf(command, sizeof command,
             "TILSTEDE_CENTRAL_DB='%s' '%s' --smtp-url '%s' --smtp-user " SMTP_USER
             " --smtp-password-file '%s/password' --smtp-ca-file '%s/ca.pem' --mail-from " MAIL_FROM
             " --public-url https://tilstede.example %s 2>&1",
             t->f->db, CENTRAL_BIN, t->url, t->dir, t->dir, args);
    return test_shell(command, out, cap);
}

static void start_sink(struct mail_test *t)
{
    char port_file[512];
    snprintf(port_file, sizeof port_file, "%s/port", t->sink);
    unlink(port_file);
    char cert[512], key[512];
    snprintf(cert, sizeof cert, "%s/server.pem", t->dir);
    snprintf(key, sizeof key, "%s/server.key", t->dir);
    t->sink_pid = fork();
    assert_true(t->sink_pid >= 0);
    if (t->sink_pid == 0) {
        execl(TEST_PYTHON, TEST_PYTHON, SMTP_SINK, t->sink, cert, key, SMTP_USER, SMTP_PASSWORD,
              (char *)NULL);
        _exit(127);
    }
    for (int waited = 0; waited < SINK_START_MS; waited += 50) {
        FILE *file = fopen(port_file, "r");
        unsigned port = 0;
        if (file && fscanf(file, "%u", &port) == 1) {
            fclose(file);
            snprintf(t->url, sizeof t->url, "smtp://127.0.0.1:%u", port);
            return;
        }
        if (file)
            fclose(file);
        usleep(50000);
    }
    fail_msg("the SMTP server (%s) did not start", SMTP_SINK);
}

/* An account with up to two sites (NULL: none). */
static void add_user(struct fixture *f, const char *name, enum central_role role, const char *site,
                     const char *site2, const char *email, int monthly)
{
    struct central_user user = {.role = role};
    snprintf(user.name, sizeof user.name, "%s", name);
    snprintf(user.lang, sizeof user.lang, "nb");
    if (site)
        snprintf(user.sites[user.site_count++], EVENT_KEY_MAX, "%s", site);
    if (site2)
        snprintf(user.sites[user.site_count++], EVENT_KEY_MAX, "%s", site2);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    char token[CENTRAL_TOKEN_TEXT_MAX], err[256];
    central_token_new(token, hash);
    assert_int_equal(central_store_user_add(f->store, &user, hash, 0, err, sizeof err), 0);
    assert_int_equal(central_store_user_set_mail(f->store, name, email, monthly, err, sizeof err),
                     0);
}

static void visit(struct fixture *f, const char *token, const char *volunteer, const char *start,
                  const char *end)
{
    struct event events[2];
    fixture_event(&events[0], EVENT_CHECKIN, volunteer, fixture_utc(start));
    fixture_event(&events[1], EVENT_CHECKOUT, volunteer, fixture_utc(end));
    struct reply reply;
    assert_int_equal(fixture_post_events(f, token, events, 2, &reply), 0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
}

/* November 2026: at Lilleby (site A) F-1 3 hours and F-3 11 (past the
 * 10-hour milestone), at Aktivitetshuset (site B) F-2 2 hours; November
 * 2025: F-1 2 hours at Lilleby; F-4 came every week of September 2026 to
 * Lilleby and not since (lost by the end of November). */
static void add_month(struct fixture *f)
{
    static const char *const ids[] = {"F-1", "F-2", "F-3", "F-4"};
    struct central_volunteer volunteers[4];
    memset(volunteers, 0, sizeof volunteers);
    for (int i = 0; i < 4; i++) {
        snprintf(volunteers[i].external_id, sizeof volunteers[i].external_id, "%s", ids[i]);
        snprintf(volunteers[i].given_name, sizeof volunteers[i].given_name, "Frivillig");
        snprintf(volunteers[i].family_name, sizeof volunteers[i].family_name, "%d", i + 1);
        volunteers[i].active = 1;
    }
    size_t changed;
    char err[256];
    assert_int_equal(
        central_store_roster_replace(f->store, volunteers, 4, &changed, err, sizeof err), 0);
    visit(f, f->token_a1, "F-1", "2026-11-10T08:00:00Z", "2026-11-10T11:00:00Z");
    visit(f, f->token_a1, "F-3", "2026-11-11T07:00:00Z", "2026-11-11T18:00:00Z");
    visit(f, f->token_b1, "F-2", "2026-11-12T10:00:00Z", "2026-11-12T12:00:00Z");
    visit(f, f->token_a1, "F-1", "2025-11-10T08:00:00Z", "2025-11-10T10:00:00Z");
    static const char *const september[] = {"01", "08", "15", "22"};
    for (int i = 0; i < 4; i++) {
        char start[32], end[32];
        snprintf(start, sizeof start, "2026-09-%sT09:00:00Z", september[i]);
        snprintf(end, sizeof end, "2026-09-%sT10:00:00Z", september[i]);
        visit(f, f->token_a1, "F-4", start, end);
    }
}

static int setup(void **state)
{
    struct mail_test *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->f = fixture_start(NULL);
    snprintf(t->dir, sizeof t->dir, "%s/mail", t->f->dir);
    snprintf(t->sink, sizeof t->sink, "%s/sink", t->dir);
    char command[2048];
    snprintf(command, sizeof command,
             "mkdir -p '%s' && cd '%s' && printf '%%s\\n' '" SMTP_PASSWORD "' > password && "
             "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
             "extendedKeyUsage=serverAuth\\n' > server.ext && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Tilstede test CA' 2>/dev/null && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out server.pem -days 2 -extfile server.ext 2>/dev/null",
             t->sink, t->dir);
    assert_int_equal(sh(command), 0);
    start_sink(t);
    add_user(t->f, "Kari Koordinator", CENTRAL_ROLE_COORDINATOR, NULL, NULL, "kari@kommune.example",
             1);
    add_user(t->f, "Per Kontakt", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, NULL, "per@kommune.example",
             1);
    add_user(t->f, "Siri Kontakt", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_B, NULL,
             "siri@kommune.example", 1);
    /* Not recipients: switched off, no address, a viewer. */
    add_user(t->f, "Ola Av", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, NULL, "ola@kommune.example", 0);
    add_user(t->f, "Uten Adresse", CENTRAL_ROLE_COORDINATOR, NULL, NULL, "", 1);
    add_user(t->f, "Vera Viser", CENTRAL_ROLE_VIEWER, FIXTURE_SITE_A, NULL, "vera@kommune.example",
             1);
    add_month(t->f);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct mail_test *t = *state;
    if (t->sink_pid > 0) {
        kill(t->sink_pid, SIGTERM);
        waitpid(t->sink_pid, NULL, 0);
    }
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", t->dir);
    sh(command);
    fixture_stop(t->f);
    free(t);
    return 0;
}

/* The sink's messages read back: one line per message into out (see
 * mail_readback.py); returns how many. */
static int read_back(const struct mail_test *t, char *out, size_t cap)
{
    char command[800];
    snprintf(command, sizeof command, "'%s' '%s' '%s'", TEST_PYTHON, MAIL_READBACK, t->sink);
    assert_int_equal(test_shell(command, out, cap), 0);
    int lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    return lines;
}

/* The text of the message sent to address (its .txt from mail_readback),
 * into out; the message's base name into name. */
static void message_to(const struct mail_test *t, const char *listing, const char *address,
                       char *out, size_t cap, char name[32])
{
    char needle[128];
    snprintf(needle, sizeof needle, "\t%s\t", address);
    const char *line = strstr(listing, needle);
    if (!line)
        fail_msg("no message to %s in:\n%s", address, listing);
    while (line > listing && line[-1] != '\n')
        line--;
    size_t len = strcspn(line, "\t");
    assert_true(len < 32);
    memcpy(name, line, len);
    name[len] = '\0';
    char path[512];
    snprintf(path, sizeof path, "%s/%s.txt", t->sink, name);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t got = fread(out, 1, cap - 1, file);
    out[got] = '\0';
    fclose(file);
}

static void assert_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" is not in:\n%s", part, text);
}

/* A workbook attached to message `name` equals the reports of November
 * over the sites (NULL: every site), one sheet per grouping in `by`, cell
 * by cell (tests/xlsx_readback.py): the reports as `report --json` prints
 * them, computed here for the sites. */
static void assert_workbook_is_the_report(const struct mail_test *t, const char *name,
                                          const char *const *sites, size_t site_count,
                                          const enum central_report_by *by, size_t sheets)
{
    char command[4096];
    int len = snprintf(command, sizeof command, "'%s' '%s' '%s/%s.xlsx'", TEST_PYTHON,
                       XLSX_READBACK, t->sink, name);
    for (size_t i = 0; i < sheets; i++) {
        struct central_report *report = NULL;
        char err[256], path[512];
        assert_int_equal(central_report_run_at(t->f->store, "2026-11-01", "2026-11-30", by[i],
                                               CENTRAL_HOURS_PER_ARSVERK_DEFAULT, sites, site_count,
                                               &report, err, sizeof err),
                         0);
        struct central_buf json;
        central_buf_init(&json, 1 << 20);
        assert_int_equal(central_report_json(report, &json), 0);
        snprintf(path, sizeof path, "%s/%s-%zu.json", t->dir, name, i);
        FILE *file = fopen(path, "w");
        assert_non_null(file);
        fwrite(json.data, 1, json.len, file);
        fclose(file);
        central_buf_free(&json);
        central_report_free(report);
        len += snprintf(command + len, sizeof command - (size_t)len, " '%s'", path);
    }
    assert_int_equal(sh(command), 0);
}

/* The coordinator's workbook is also the CLI's `report --json`, to the
 * byte of every figure. */
static void assert_workbook_is_the_clis_report(const struct mail_test *t, const char *name)
{
    static const char *const by[] = {"kind", "site", "activity"};
    char command[4096], out[OUTPUT_MAX];
    int len = snprintf(command, sizeof command, "'%s' '%s' '%s/%s.xlsx'", TEST_PYTHON,
                       XLSX_READBACK, t->sink, name);
    for (int i = 0; i < 3; i++) {
        char args[128], path[512];
        snprintf(args, sizeof args, "report --from 2026-11-01 --to 2026-11-30 --by %s --json",
                 by[i]);
        assert_int_equal(central(t, args, out, sizeof out), 0);
        snprintf(path, sizeof path, "%s/%s.json", t->dir, by[i]);
        FILE *file = fopen(path, "w");
        assert_non_null(file);
        fputs(out, file);
        fclose(file);
        len += snprintf(command + len, sizeof command - (size_t)len, " '%s'", path);
    }
    assert_int_equal(sh(command), 0);
}

static void test_the_month_goes_to_each_coordinator_and_contact_with_their_numbers(void **state)
{
    struct mail_test *t = *state;
    char out[OUTPUT_MAX], listing[OUTPUT_MAX], text[OUTPUT_MAX], name[32];
    /* Per's full name greets him; the others have none: their account's. */
    char err[256];
    assert_int_equal(
        central_store_user_set_full_name(t->f->store, "Per Kontakt", "Per Hansen", err, sizeof err),
        0);
    int rc = central(t, "mail-report --month 2026-11", out, sizeof out);
    if (rc)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    assert_int_equal(read_back(t, listing, sizeof listing), 3);
    fprintf(stderr, "%s", listing);

    message_to(t, listing, "kari@kommune.example", text, sizeof text, name);
    assert_has(text, "Subject: Frivillige timer november 2026");
    assert_has(text, "Hei Kari Koordinator,");
    assert_has(text, "for alle enhetene");
    assert_has(text, "Timer: 16,0\n");
    assert_has(text, "Årsverk: 0,01 (1 årsverk = 1 700 timer)\n");
    assert_has(text, "Besøk: 3\n");
    assert_has(text, "november 2025: 2,0 timer, endring +700,0 %\n");
    assert_has(text, "Å takke: 1 frivillige");
    assert_has(text, "Å følge opp: 1 frivillige");
    assert_has(text, "Du slår den av på https://tilstede.example/mail.");
    assert_has(listing, "\tkari@kommune.example\tfrivillige-timer-2026-11.xlsx\t");
    assert_workbook_is_the_clis_report(t, name);

    message_to(t, listing, "per@kommune.example", text, sizeof text, name);
    assert_has(text, "Hei Per Hansen,");
    assert_has(text, "for Lilleby sykehjem.");
    assert_has(text, "Timer: 14,0\n");
    assert_has(text, "Besøk: 2\n");
    assert_has(text, "november 2025: 2,0 timer, endring +600,0 %\n");
    assert_has(text, "Å takke: 1 frivillige");
    assert_has(text, "Å følge opp: 1 frivillige");
    /* Lilleby alone: by site and by activity; one service area needs no
     * sheet of its own. */
    assert_has(listing, "\tper@kommune.example\tfrivillige-timer-2026-11.xlsx\t"
                        "Enhet:Lilleby sykehjem,Sum;Aktivitet:Uten aktivitet,Sum\n");

    message_to(t, listing, "siri@kommune.example", text, sizeof text, name);
    assert_has(text, "for Aktivitetshuset.");
    assert_has(text, "Timer: 2,0\n");
    assert_has(text, "Besøk: 1\n");
    assert_has(text, "november 2025: ingen timer registrert\n");
    assert_has(text, "Å takke: 0 frivillige");
    assert_has(text, "Å følge opp: 0 frivillige");
    assert_null(strstr(listing, "ola@"));
    assert_null(strstr(listing, "vera@"));
}

/* A contact's workbook is their sites' report by site and by activity,
 * and by service area too when their sites are in more than one. */
static void test_a_contacts_workbook_has_a_sheet_per_grouping_of_their_sites(void **state)
{
    struct mail_test *t = *state;
    /* Mona has Lilleby and an activity house: two service areas. */
    add_user(t->f, "Mona Kontakt", CENTRAL_ROLE_CONTACT, FIXTURE_SITE_A, FIXTURE_SITE_B,
             "mona@kommune.example", 1);
    char out[OUTPUT_MAX], listing[OUTPUT_MAX], text[OUTPUT_MAX], name[32];
    int rc = central(t, "mail-report --month 2026-11", out, sizeof out);
    if (rc)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    assert_int_equal(read_back(t, listing, sizeof listing), 4);

    static const enum central_report_by two[] = {CENTRAL_BY_SITE, CENTRAL_BY_ACTIVITY};
    static const enum central_report_by three[] = {CENTRAL_BY_KIND, CENTRAL_BY_SITE,
                                                   CENTRAL_BY_ACTIVITY};
    const char *const site_a[] = {FIXTURE_SITE_A}, *const site_b[] = {FIXTURE_SITE_B},
                      *const both[] = {FIXTURE_SITE_A, FIXTURE_SITE_B};
    message_to(t, listing, "per@kommune.example", text, sizeof text, name);
    assert_workbook_is_the_report(t, name, site_a, 1, two, 2);
    message_to(t, listing, "siri@kommune.example", text, sizeof text, name);
    assert_workbook_is_the_report(t, name, site_b, 1, two, 2);
    assert_has(listing, "\tsiri@kommune.example\tfrivillige-timer-2026-11.xlsx\t"
                        "Enhet:Aktivitetshuset,Sum;Aktivitet:Uten aktivitet,Sum\n");
    message_to(t, listing, "mona@kommune.example", text, sizeof text, name);
    assert_has(text, "Timer: 16,0\n");
    assert_workbook_is_the_report(t, name, both, 2, three, 3);
    assert_has(listing, "\tmona@kommune.example\tfrivillige-timer-2026-11.xlsx\t"
                        "Tjenesteområde:Helsehus og sykehjem,Aktivitetshusene,Sum;");
    /* The coordinator's, the same three sheets over every site. */
    message_to(t, listing, "kari@kommune.example", text, sizeof text, name);
    assert_workbook_is_the_report(t, name, NULL, 0, three, 3);
}

static void test_a_month_is_sent_once_across_runs(void **state)
{
    struct mail_test *t = *state;
    char out[OUTPUT_MAX], listing[OUTPUT_MAX];
    assert_int_equal(central(t, "mail-report --month 2026-11", out, sizeof out), 0);
    assert_int_equal(central(t, "mail-report --month 2026-11", out, sizeof out), 0);
    assert_has(out, "Kari Koordinator <kari@kommune.example>: already sent");
    assert_has(out, "0 sent, 3 sent before");
    assert_int_equal(read_back(t, listing, sizeof listing), 3);
    assert_int_equal(fixture_count(t->f, "SELECT count(*) FROM mail_report WHERE sent_us > 0"), 3);
}

static void test_a_dry_run_shows_the_messages_and_sends_nothing(void **state)
{
    struct mail_test *t = *state;
    char out[OUTPUT_MAX], listing[OUTPUT_MAX];
    assert_int_equal(central(t, "mail-report --month 2026-11 --dry-run", out, sizeof out), 0);
    assert_has(out, "To: per@kommune.example\n");
    assert_has(out, "Timer: 14,0\n");
    assert_int_equal(read_back(t, listing, sizeof listing), 0);
    assert_int_equal(fixture_count(t->f, "SELECT count(*) FROM mail_report"), 0);
    /* --to: one address, every site, and nothing recorded. */
    assert_int_equal(
        central(t, "mail-report --month 2026-11 --to test@kommune.example", out, sizeof out), 0);
    assert_int_equal(read_back(t, listing, sizeof listing), 1);
    assert_has(listing, "\ttest@kommune.example\t");
    assert_int_equal(fixture_count(t->f, "SELECT count(*) FROM mail_report"), 0);
}

static void test_a_failed_send_waits_for_its_retry_and_shows_on_the_overview(void **state)
{
    struct mail_test *t = *state;
    char out[OUTPUT_MAX], listing[OUTPUT_MAX], path[400];
    snprintf(path, sizeof path, "%s/refuse", t->sink);
    FILE *flag = fopen(path, "w");
    assert_non_null(flag);
    fclose(flag);
    assert_int_equal(central(t, "mail-report --month 2026-11", out, sizeof out), 1);
    assert_has(out, "451");
    assert_int_equal(read_back(t, listing, sizeof listing), 0);
    assert_int_equal(fixture_count(t->f, "SELECT count(*) FROM mail_report WHERE attempts = 1 "
                                         "AND sent_us = 0 AND last_error LIKE '%451%'"),
                     3);

    /* The overview names each failed mail. */
    struct reply page;
    assert_int_equal(fixture_request(t->f, "GET", "/", t->f->admin_token, NULL, 0, &page), 0);
    assert_int_equal(page.status, 200);
    assert_has(page.body, "per@kommune.example");
    assert_has(page.body, "451");
    reply_free(&page);

    /* The automatic run keeps to the backoff: nothing goes before it. */
    unlink(path);
    char err[512];
    struct central_mail_config config = {.smtp_url = t->url,
                                         .smtp_user = SMTP_USER,
                                         .smtp_password = SMTP_PASSWORD,
                                         .from = MAIL_FROM};
    char ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", t->dir);
    config.ca_file = ca;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_us = (int64_t)now.tv_sec * 1000000;
    struct central_mail_run run = {.month = "2026-11", .now_us = now_us + MINUTE_US};
    assert_int_equal(central_mail_month(t->f->store, &config, &run, err, sizeof err), 0);
    assert_int_equal(run.waiting, 3);
    assert_int_equal(run.sent, 0);
    assert_int_equal(read_back(t, listing, sizeof listing), 0);
    /* After it, the retry goes, once. */
    struct central_mail_run later = {
        .month = "2026-11",
        .now_us = now_us + CENTRAL_MAIL_RETRY_FIRST_S * INT64_C(1000000) + MINUTE_US};
    assert_int_equal(central_mail_month(t->f->store, &config, &later, err, sizeof err), 0);
    assert_int_equal(later.sent, 3);
    assert_int_equal(read_back(t, listing, sizeof listing), 3);
    assert_int_equal(fixture_request(t->f, "GET", "/", t->f->admin_token, NULL, 0, &page), 0);
    assert_null(strstr(page.body, "per@kommune.example"));
    reply_free(&page);
}

static void test_the_first_working_day_skips_weekends_and_norwegian_holidays(void **state)
{
    (void)state;
    static const int cases[][3] = {
        {2026, 12, 1}, /* a Tuesday */
        {2026, 8, 3},  /* Saturday and Sunday first */
        {2027, 1, 4},  /* New Year's Day a Friday, then the weekend */
        {2026, 5, 4},  /* 1 May a Friday */
        {2024, 4, 2},  /* Easter Monday on 1 April */
        {2021, 4, 6},  /* Maundy Thursday 1 April, Good Friday, Easter, Easter Monday 5 April */
        {2027, 4, 1},  /* Easter was in March */
        {2025, 6, 2},  /* Sunday 1 June */
        {2028, 6, 1},  /* Whit Monday is 5 June: 1 June a Thursday */
        {2030, 6, 3},  /* 1 June a Saturday */
        {2025, 5, 2},  /* 1 May a Thursday */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int day = central_mail_first_working_day(cases[i][0], cases[i][1]);
        if (day != cases[i][2])
            fail_msg("%d-%02d: the first working day should be the %d., not the %d.", cases[i][0],
                     cases[i][1], cases[i][2], day);
    }
}

static struct tm local_time(int year, int month, int day, int hour, int minute)
{
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = minute,
                    .tm_isdst = -1};
    time_t t = mktime(&tm);
    localtime_r(&t, &tm);
    return tm;
}

static void test_the_run_is_due_from_the_hour_of_the_first_working_day_for_a_week(void **state)
{
    (void)state;
    char month[CENTRAL_MAIL_MONTH_LEN + 1];
    struct tm at = local_time(2026, 12, 1, 6, 59);
    assert_int_equal(central_mail_due(&at, 7, 0, month), 0);
    at = local_time(2026, 12, 1, 7, 0);
    assert_int_equal(central_mail_due(&at, 7, 0, month), 1);
    assert_string_equal(month, "2026-11");
    at = local_time(2026, 12, 7, 23, 59); /* the last day it catches up */
    assert_int_equal(central_mail_due(&at, 7, 0, month), 1);
    at = local_time(2026, 12, 8, 7, 0);
    assert_int_equal(central_mail_due(&at, 7, 0, month), 0);
    at = local_time(2027, 1, 1, 9, 0); /* a holiday */
    assert_int_equal(central_mail_due(&at, 7, 0, month), 0);
    at = local_time(2027, 1, 4, 8, 30);
    assert_int_equal(central_mail_due(&at, 8, 15, month), 1);
    assert_string_equal(month, "2026-12");
}

/* The fake clock the running central's mail thread reads. */
static int64_t fake_now_us;

static int64_t fake_clock(void *ctx)
{
    (void)ctx;
    return __atomic_load_n(&fake_now_us, __ATOMIC_SEQ_CST);
}

static void set_clock(int year, int month, int day, int hour, int minute)
{
    struct tm tm = local_time(year, month, day, hour, minute);
    __atomic_store_n(&fake_now_us, (int64_t)mktime(&tm) * 1000000, __ATOMIC_SEQ_CST);
}

static struct central_mail_schedule *start_schedule(const struct mail_test *t)
{
    static char ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", t->dir);
    struct central_mail_schedule_config config = {
        .db = t->f->db,
        .mail = {.smtp_url = t->url,
                 .smtp_user = SMTP_USER,
                 .smtp_password = SMTP_PASSWORD,
                 .ca_file = ca,
                 .from = MAIL_FROM},
        .hour = CENTRAL_MAIL_HOUR_DEFAULT,
        .minute = CENTRAL_MAIL_MINUTE_DEFAULT,
        .clock = fake_clock,
        .check_ms = 50,
        .quiet = 1,
    };
    struct central_mail_schedule *schedule = NULL;
    char err[512];
    if (central_mail_schedule_start(&config, &schedule, err, sizeof err))
        fail_msg("%s", err);
    return schedule;
}

/* Waits until the sink holds `count` messages (or 20 s); returns how many. */
static int wait_for_messages(const struct mail_test *t, int count, char *listing, size_t cap)
{
    int got = 0;
    for (int waited = 0; waited < 20000 && (got = read_back(t, listing, cap)) < count;
         waited += 200)
        usleep(200000);
    return got;
}

static void
test_the_running_central_mails_on_the_first_working_day_once_across_a_restart(void **state)
{
    struct mail_test *t = *state;
    char listing[OUTPUT_MAX];
    set_clock(2026, 12, 1, 6, 59);
    struct central_mail_schedule *schedule = start_schedule(t);
    usleep(500000);
    assert_int_equal(read_back(t, listing, sizeof listing), 0);
    set_clock(2026, 12, 1, 7, 0);
    assert_int_equal(wait_for_messages(t, 3, listing, sizeof listing), 3);
    assert_has(listing, "\tper@kommune.example\t");
    central_mail_schedule_stop(schedule);

    /* A restart that morning, and two processes at once the next month:
     * nobody gets a month twice. */
    set_clock(2026, 12, 1, 7, 30);
    schedule = start_schedule(t);
    usleep(500000);
    central_mail_schedule_stop(schedule);
    assert_int_equal(read_back(t, listing, sizeof listing), 3);
    set_clock(2027, 1, 4, 7, 0);
    struct central_mail_schedule *first = start_schedule(t), *second = start_schedule(t);
    assert_int_equal(wait_for_messages(t, 6, listing, sizeof listing), 6);
    usleep(500000);
    central_mail_schedule_stop(first);
    central_mail_schedule_stop(second);
    assert_int_equal(read_back(t, listing, sizeof listing), 6);
    assert_int_equal(
        fixture_count(t->f, "SELECT count(*) FROM mail_report WHERE month = '2026-12'"), 3);
}

int main(void)
{
    /* The municipality's time, as tilstede-central sets it. */
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_the_month_goes_to_each_coordinator_and_contact_with_their_numbers, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_contacts_workbook_has_a_sheet_per_grouping_of_their_sites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_month_is_sent_once_across_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_dry_run_shows_the_messages_and_sends_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_failed_send_waits_for_its_retry_and_shows_on_the_overview, setup, teardown),
        cmocka_unit_test(test_the_first_working_day_skips_weekends_and_norwegian_holidays),
        cmocka_unit_test(test_the_run_is_due_from_the_hour_of_the_first_working_day_for_a_week),
        cmocka_unit_test_setup_teardown(
            test_the_running_central_mails_on_the_first_working_day_once_across_a_restart, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
