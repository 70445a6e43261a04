/* tilstedectl: the command-line tool for staff, the coordinator and IT on
 * the board. It works on the kiosk's database, also while the kiosk runs
 * (WAL; each command is its own short transaction). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl_provision.h"
#include "ctl_sync.h"
#include "demo.h"
#include "kiosk.h"
#include "numfmt.h"
#include "reader.h"
#include "roster.h"
#include "store.h"
#include "visits.h"

/* Exit codes, documented in --help and README.md. */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,     /* the database or a file could not be used */
    EXIT_USAGE = 2,      /* bad arguments or a bad configuration */
    EXIT_NOT_FOUND = 3,  /* no such volunteer, card or activity */
    EXIT_REFUSED = 4,    /* a tap refused or unknown; roster rows rejected */
    EXIT_DAMAGED = 5,    /* the database failed its integrity check */
};

#define US_PER_S INT64_C(1000000)
#define ROSTER_READ_MAX (ROSTER_FILE_MAX + 1)
#define NEXT_CARD_TIMEOUT_S 60
#define NEXT_CARD_POLL_MS 200

struct ctl {
    struct config cfg;
    int json;
    struct kiosk *kiosk;
};

static const char usage_text[] =
    "Usage: tilstedectl [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Works on the kiosk's database, also while the kiosk runs.\n"
    "\n"
    "Commands:\n"
    "  import-roster FILE.csv      import or update volunteers (by external id)\n"
    "  enroll VOLUNTEER UIDHEX     give a card to a volunteer\n"
    "  enroll VOLUNTEER --next-card [--timeout S]\n"
    "                              the next unknown card tapped at the kiosk\n"
    "                              (or on --reader, when given)\n"
    "  revoke-card UIDHEX          a lost card stops working\n"
    "  tap UIDHEX                  the same as a card on the reader\n"
    "  checkin VOLUNTEER [--activity ID]\n"
    "                              the same as choosing the name on screen\n"
    "  present                     who is on site now (fire roll call)\n"
    "  hours --from DATE --to DATE [--by volunteer|activity|month] [--csv]\n"
    "                              hours and årsverk over a period\n"
    "  review                      visits closed automatically, to check\n"
    "  correct EVENT_ID HH:MM|DATETIME   set the real end of such a visit\n"
    "  activities [DATE]           the activities of a day (default today)\n"
    "  sweep                       close visits left open past the end of day\n"
    "  status                      version, schema, counts, events to upload\n"
    "  sync [--status]             upload now (or only show the last upload and\n"
    "                              how many events wait)\n"
    "  sync --refused [--ack]      the events the central refused, with its reasons\n"
    "                              (--ack: staff have seen them)\n"
    "  sync --retry-refused [EVENT_ID...]\n"
    "                              put them (all, or those named) back among the\n"
    "                              waiting when the central was at fault\n"
    "  provision --central URL --token TOKEN [--ca-file FILE] [--force]\n"
    "                              make this board the token's kiosk: site, central,\n"
    "                              roster; then what is still missing (with --config)\n"
    "  set-pin                     set the staff PIN (read from the terminal or stdin)\n"
    "  check                       integrity check of the database\n"
    "  prune [--months N]          delete uploaded events older than N months\n"
    "                              (default: [store] retention_months)\n"
    "  export VOLUNTEER            everything stored about a person, as JSON\n"
    "  forget VOLUNTEER --yes      erase a person's data on request (GDPR)\n"
    "  backup FILE                 online backup of the database\n"
    "  demo                        fill an empty database with the demo site\n"
    "\n"
    "VOLUNTEER is the roster's external id, or a name that matches one person.\n"
    "DATE is 2026-11-23 or 23.11.2026.\n"
    "\n"
    "Options:\n"
    "  --config FILE     configuration (default " CONFIG_DEFAULT_PATH ")\n"
    "  --db FILE         database, instead of the configuration's; when no\n"
    "                    configuration names [store] card_key, the card key is\n"
    "                    FILE's directory/card.key (made when missing)\n"
    "  --reader CONN     card reader, instead of the configuration's\n"
    "  --json            output for scripts\n"
    "  --version, --help\n"
    "\n"
    "Exit codes: 0 done; 1 failed (database, file); 2 bad arguments or\n"
    "configuration; 3 not found; 4 refused (tap refused or unknown card,\n"
    "roster rows rejected); 5 database damaged.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tilstedectl: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'tilstedectl --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* Prints value and frees it. NULL (json_pack refuses text that is not
 * UTF-8) or a failed dump is an error on stderr and EXIT_FAILED, never an
 * empty answer with exit 0. */
static int print_json(json_t *value)
{
    char *text = value ? json_dumps(value, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0) : NULL;
    json_decref(value);
    if (!text) {
        fprintf(stderr, "tilstedectl: cannot write the answer as JSON (a stored text that is "
                        "not UTF-8, or out of memory)\n");
        return EXIT_FAILED;
    }
    puts(text);
    free(text);
    return EXIT_OK;
}

static void format_time(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / US_PER_S);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M", &tm);
}

static void iso_time(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / US_PER_S);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

static int open_kiosk(struct ctl *ctl)
{
    char err[600];
    if (kiosk_open(&ctl->cfg, clock_from_config(&ctl->cfg), &ctl->kiosk, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return strstr(err, "damaged") ? EXIT_DAMAGED : EXIT_FAILED;
    }
    return EXIT_OK;
}

/* A volunteer by external id, or by a name that matches exactly one. */
static int find_volunteer(struct ctl *ctl, const char *key, struct volunteer *out)
{
    int rc = kiosk_volunteer_by_external_id(ctl->kiosk, key, out);
    if (rc < 0) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_FAILED;
    }
    if (rc == 0)
        return EXIT_OK;
    int64_t ids[6];
    int total = kiosk_search(ctl->kiosk, key, ids, 6);
    if (total == 1)
        return kiosk_volunteer(ctl->kiosk, ids[0], out) == 0 ? EXIT_OK : EXIT_FAILED;
    if (total <= 0) {
        fprintf(stderr, "tilstedectl: no active volunteer has the id or name '%s'\n", key);
        return EXIT_NOT_FOUND;
    }
    fprintf(stderr, "tilstedectl: '%s' matches %d volunteers; use the external id:\n", key, total);
    for (int i = 0; i < total && i < 6; i++) {
        struct volunteer v;
        if (kiosk_volunteer(ctl->kiosk, ids[i], &v) == 0)
            fprintf(stderr, "  %-12s %s %s\n", v.external_id, v.given_name, v.family_name);
    }
    return EXIT_NOT_FOUND;
}

static const char *outcome_name(enum tap_outcome outcome)
{
    switch (outcome) {
    case TAP_CHECKED_IN: return "checked_in";
    case TAP_CHECKED_OUT: return "checked_out";
    case TAP_ALREADY_IN: return "already_in";
    case TAP_ALREADY_OUT: return "already_out";
    case TAP_UNKNOWN_CARD: return "unknown_card";
    case TAP_REFUSED: return "refused";
    case TAP_FAILED: return "failed";
    }
    return "?";
}

static const char *reason_text(enum refuse_reason reason)
{
    switch (reason) {
    case REFUSE_NONE: return "";
    case REFUSE_CARD_REVOKED: return "the card has been revoked";
    case REFUSE_INACTIVE: return "the volunteer is no longer active";
    case REFUSE_NO_CONFIDENTIALITY: return "no signed confidentiality agreement";
    case REFUSE_POLICE_CERT_EXPIRED: return "the police certificate has expired";
    }
    return "";
}

static int report_tap(struct ctl *ctl, int rc, const struct tap_result *r)
{
    char when[32], start[32];
    format_time(r->at_us, when, sizeof when);
    format_time(r->visit_start_us, start, sizeof start);
    if (ctl->json) {
        json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:f, s:i, s:b, s:b, s:b}",
                              "outcome", outcome_name(r->outcome), "reason", reason_text(r->reason),
                              "volunteer_id", (json_int_t)r->volunteer_id, "given_name",
                              r->given_name, "family_name", r->family_name, "event_id",
                              r->event_id, "today_seconds", (json_int_t)r->today_s,
                              "hours_this_year", r->hours_this_year, "milestone", r->milestone,
                              "notice_no_confidentiality", (r->notices & NOTICE_NO_CONFIDENTIALITY) != 0,
                              "notice_police_certificate_expired", (r->notices & NOTICE_POLICE_CERT_EXPIRED) != 0,
                              "notice_last_visit_closed_automatically", (r->notices & NOTICE_LAST_AUTOCLOSED) != 0);
        if (r->outcome == TAP_FAILED)
            json_object_set_new(o, "error", json_string(r->message));
        print_json(o);
    } else {
        switch (r->outcome) {
        case TAP_CHECKED_IN:
            printf("checked in: %s %s at %s\n", r->given_name, r->family_name, when);
            break;
        case TAP_CHECKED_OUT:
            printf("checked out: %s %s at %s, %lld min today\n", r->given_name, r->family_name,
                   when, (long long)(r->today_s / 60));
            break;
        case TAP_ALREADY_IN:
            printf("already checked in: %s %s since %s (same tap again)\n", r->given_name,
                   r->family_name, start);
            break;
        case TAP_ALREADY_OUT:
            printf("already checked out: %s %s (same tap again)\n", r->given_name, r->family_name);
            break;
        case TAP_UNKNOWN_CARD:
            printf("unknown card: remembered for %d minutes so staff can enroll it\n",
                   ctl->cfg.unknown_card_memory_s / 60);
            break;
        case TAP_REFUSED:
            printf("refused: %s %s: %s\n", r->given_name, r->family_name, reason_text(r->reason));
            break;
        case TAP_FAILED:
            fprintf(stderr, "tilstedectl: NOT recorded: %s\n", r->message);
            break;
        }
        if (r->notices & NOTICE_NO_CONFIDENTIALITY)
            printf("notice: no signed confidentiality agreement on file\n");
        if (r->notices & NOTICE_POLICE_CERT_EXPIRED)
            printf("notice: the police certificate has expired\n");
        if (r->notices & NOTICE_LAST_AUTOCLOSED)
            printf("notice: the last visit was closed automatically\n");
        if (r->milestone == 1)
            printf("milestone: first visit\n");
        else if (r->milestone)
            printf("milestone: %d hours this year\n", r->milestone);
    }
    if (rc || r->outcome == TAP_FAILED)
        return EXIT_FAILED;
    if (r->outcome == TAP_REFUSED || r->outcome == TAP_UNKNOWN_CARD)
        return EXIT_REFUSED;
    return EXIT_OK;
}

static int cmd_tap(struct ctl *ctl, int argc, char **argv)
{
    uint8_t uid[READER_UID_MAX];
    if (argc != 1)
        return usage_error("%s", "tap takes one card UID in hex, e.g. 04A1B2C3D4E5F6");
    int len = reader_uid_parse(argv[0], uid, sizeof uid);
    if (len <= 0)
        return usage_error("'%s' is not a card UID (4, 7 or 10 bytes in hex)", argv[0]);
    struct tap_result r;
    int rc = kiosk_tap(ctl->kiosk, uid, (size_t)len, &r);
    return report_tap(ctl, rc, &r);
}

static int cmd_checkin(struct ctl *ctl, int argc, char **argv)
{
    int64_t activity = 0;
    const char *who = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--activity") && i + 1 < argc)
            activity = strtoll(argv[++i], NULL, 10);
        else if (!who)
            who = argv[i];
        else
            return usage_error("checkin: unexpected '%s'", argv[i]);
    }
    if (!who)
        return usage_error("%s", "checkin takes a volunteer");
    struct volunteer v;
    int rc = find_volunteer(ctl, who, &v);
    if (rc)
        return rc;
    struct tap_result r;
    rc = kiosk_toggle(ctl->kiosk, v.id, activity, SOURCE_NAME, &r);
    return report_tap(ctl, rc, &r);
}

/* --- enroll --- */

struct next_tap {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint8_t uid[READER_UID_MAX];
    size_t len;
};

static void on_next_tap(void *user, const uint8_t *uid, size_t len)
{
    struct next_tap *n = user;
    pthread_mutex_lock(&n->lock);
    if (!n->len && len <= sizeof n->uid) {
        memcpy(n->uid, uid, len);
        n->len = len;
        pthread_cond_signal(&n->cond);
    }
    pthread_mutex_unlock(&n->lock);
}

static int wait_own_reader(struct ctl *ctl, int timeout_s, uint8_t *uid, size_t *len)
{
    struct next_tap n = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    struct reader_callbacks cb = {.tap = on_next_tap, .user = &n};
    struct reader *reader;
    char err[256];
    if (reader_open(ctl->cfg.reader, &cb, &reader, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    fprintf(stderr, "Hold the new card on the reader (%d s)...\n", timeout_s);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_s;
    pthread_mutex_lock(&n.lock);
    while (!n.len && pthread_cond_timedwait(&n.cond, &n.lock, &until) != ETIMEDOUT)
        ;
    *len = n.len;
    memcpy(uid, n.uid, n.len);
    pthread_mutex_unlock(&n.lock);
    reader_close(reader);
    return *len ? EXIT_OK : EXIT_NOT_FOUND;
}

static int cmd_enroll(struct ctl *ctl, int argc, char **argv, int reader_given)
{
    const char *who = NULL, *hex = NULL;
    int next = 0, timeout_s = NEXT_CARD_TIMEOUT_S;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--next-card"))
            next = 1;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout_s = atoi(argv[++i]);
        else if (!who)
            who = argv[i];
        else if (!hex)
            hex = argv[i];
        else
            return usage_error("enroll: unexpected '%s'", argv[i]);
    }
    if (!who || (!hex && !next) || (hex && next) || timeout_s <= 0)
        return usage_error("%s", "enroll takes a volunteer and a card UID, or --next-card");
    struct volunteer v;
    int rc = find_volunteer(ctl, who, &v);
    if (rc)
        return rc;
    uint8_t uid[READER_UID_MAX];
    size_t len = 0;
    if (hex) {
        int n = reader_uid_parse(hex, uid, sizeof uid);
        if (n <= 0)
            return usage_error("'%s' is not a card UID (4, 7 or 10 bytes in hex)", hex);
        len = (size_t)n;
    } else if (reader_given) {
        if ((rc = wait_own_reader(ctl, timeout_s, uid, &len))) {
            if (rc == EXIT_NOT_FOUND)
                fprintf(stderr, "tilstedectl: no card was tapped in %d s\n", timeout_s);
            return rc;
        }
    } else {
        /* The kiosk owns the reader: wait for it to record an unknown card. */
        int64_t since = clock_wall(clock_from_config(&ctl->cfg));
        fprintf(stderr, "Tap the new card at the kiosk (%d s)...\n", timeout_s);
        int64_t tapped;
        for (int waited = 0; waited < timeout_s * 1000; waited += NEXT_CARD_POLL_MS) {
            rc = kiosk_last_unknown_card(ctl->kiosk, &tapped);
            if (rc < 0) {
                fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
                return EXIT_FAILED;
            }
            if (rc == 1 && tapped >= since)
                break;
            rc = 0;
            usleep(NEXT_CARD_POLL_MS * 1000);
        }
        if (rc != 1) {
            fprintf(stderr, "tilstedectl: no unknown card was tapped in %d s\n", timeout_s);
            return EXIT_NOT_FOUND;
        }
        if (kiosk_enroll_last_unknown(ctl->kiosk, v.id)) {
            fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
            return EXIT_FAILED;
        }
        printf("enrolled the tapped card to %s %s\n", v.given_name, v.family_name);
        return EXIT_OK;
    }
    if (kiosk_enroll_uid(ctl->kiosk, v.id, uid, len)) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return strstr(kiosk_errmsg(ctl->kiosk), "already") ? EXIT_REFUSED : EXIT_FAILED;
    }
    printf("enrolled the card to %s %s\n", v.given_name, v.family_name);
    return EXIT_OK;
}

static int cmd_revoke(struct ctl *ctl, int argc, char **argv)
{
    uint8_t uid[READER_UID_MAX];
    if (argc != 1)
        return usage_error("%s", "revoke-card takes one card UID in hex");
    int len = reader_uid_parse(argv[0], uid, sizeof uid);
    if (len <= 0)
        return usage_error("'%s' is not a card UID (4, 7 or 10 bytes in hex)", argv[0]);
    if (kiosk_revoke_uid(ctl->kiosk, uid, (size_t)len)) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return strstr(kiosk_errmsg(ctl->kiosk), "not enrolled") ? EXIT_NOT_FOUND : EXIT_FAILED;
    }
    printf("revoked\n");
    return EXIT_OK;
}

/* --- present --- */

static void print_present(void *user, const struct presence *p)
{
    json_t *list = user;
    char since[32];
    if (list) {
        iso_time(p->since_us, since, sizeof since);
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s}", "volunteer_id",
                                              (json_int_t)p->volunteer_id, "given_name",
                                              p->given_name, "family_name", p->family_name,
                                              "since", since, "activity", p->activity_title));
        return;
    }
    format_time(p->since_us, since, sizeof since);
    printf("  since %s  %s, %s%s%s%s\n", since, p->family_name, p->given_name,
           p->activity_title[0] ? " (" : "", p->activity_title, p->activity_title[0] ? ")" : "");
}

static int cmd_present(struct ctl *ctl)
{
    json_t *list = ctl->json ? json_array() : NULL;
    if (!ctl->json)
        printf("On site now at %s:\n", ctl->cfg.site_name);
    int count = kiosk_present(ctl->kiosk, print_present, list);
    if (count < 0) {
        json_decref(list);
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_FAILED;
    }
    if (list)
        print_json(json_pack("{s:s, s:i, s:o}", "site", ctl->cfg.site_id, "count", count,
                             "present", list));
    else
        printf("%d %s\n", count, count == 1 ? "person" : "people");
    return EXIT_OK;
}

/* --- hours --- */

static int parse_day(const char *text, char out[11])
{
    char parsed[ROSTER_DATE_SIZE];
    if (roster_parse_date(text, parsed))
        return -1;
    snprintf(out, 11, "%s", parsed);
    return 0;
}

struct hours_out {
    struct ctl *ctl;
    int csv;
    json_t *rows;
    int64_t seconds;
    int64_t visits;
};

static int hours_row(void *user, const struct report_row *row)
{
    struct hours_out *h = user;
    double hours = (double)row->seconds / 3600.0;
    double arsverk = hours / h->ctl->cfg.hours_per_arsverk;
    char hours_text[48], arsverk_text[48];
    h->seconds += row->seconds;
    h->visits += row->visits;
    const char *label = row->label[0] ? row->label : "(ingen aktivitet)";
    if (h->rows) {
        json_array_append_new(h->rows, json_pack("{s:s, s:s, s:f, s:f, s:I}", "key", row->key,
                                                 "label", label, "hours", hours, "arsverk",
                                                 arsverk, "visits", (json_int_t)row->visits));
    } else if (h->csv) {
        numfmt_decimal(hours, 2, "", hours_text, sizeof hours_text);
        numfmt_decimal(arsverk, 3, "", arsverk_text, sizeof arsverk_text);
        /* Quotes doubled: a name may hold a ';' or a '"'. */
        printf("\"");
        for (const char *c = label; *c; c++)
            printf(*c == '"' ? "\"\"" : "%c", *c);
        printf("\";%s;%s;%lld\r\n", hours_text, arsverk_text, (long long)row->visits);
    } else {
        numfmt_decimal(hours, 1, " ", hours_text, sizeof hours_text);
        numfmt_decimal(arsverk, 2, " ", arsverk_text, sizeof arsverk_text);
        printf("  %-40s %12s timer %8s årsverk %7lld besøk\n", label, hours_text, arsverk_text,
               (long long)row->visits);
    }
    return 0;
}

static int cmd_hours(struct ctl *ctl, int argc, char **argv)
{
    char from[11] = "", to[11] = "";
    enum store_report_by by = REPORT_TOTAL;
    int csv = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            if (parse_day(argv[++i], from))
                return usage_error("--from: '%s' is not a date", argv[i]);
        } else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            if (parse_day(argv[++i], to))
                return usage_error("--to: '%s' is not a date", argv[i]);
        } else if (!strcmp(argv[i], "--by") && i + 1 < argc) {
            const char *b = argv[++i];
            if (!strcmp(b, "volunteer"))
                by = REPORT_BY_VOLUNTEER;
            else if (!strcmp(b, "activity"))
                by = REPORT_BY_ACTIVITY;
            else if (!strcmp(b, "month"))
                by = REPORT_BY_MONTH;
            else
                return usage_error("--by takes volunteer, activity or month, not '%s'", b);
        } else if (!strcmp(argv[i], "--csv")) {
            csv = 1;
        } else {
            return usage_error("hours: unexpected '%s'", argv[i]);
        }
    }
    if (!from[0] || !to[0])
        return usage_error("%s", "hours needs --from DATE and --to DATE");
    if (strcmp(from, to) > 0)
        return usage_error("--from %s is after --to", from);
    struct hours_out h = {.ctl = ctl, .csv = csv && !ctl->json};
    if (ctl->json)
        h.rows = json_array();
    else if (h.csv)
        printf("\xEF\xBB\xBF%s;Timer;Årsverk;Besøk\r\n",
               by == REPORT_BY_VOLUNTEER ? "Frivillig" : by == REPORT_BY_ACTIVITY ? "Aktivitet"
                                         : by == REPORT_BY_MONTH ? "Måned" : "Sted");
    else
        printf("Hours at %s, %s to %s (%g hours per årsverk%s):\n", ctl->cfg.site_name, from,
               to, ctl->cfg.hours_per_arsverk,
               ctl->cfg.report_rounding_min ? ", each visit rounded" : "");
    struct store *store;
    char err[600];
    if (store_open(ctl->cfg.database, &store, err, sizeof err)) {
        json_decref(h.rows);
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    if (by == REPORT_TOTAL && !ctl->json && !h.csv)
        by = REPORT_BY_MONTH;
    int rc = store_report(store, from, to, by, ctl->cfg.report_rounding_min, hours_row, &h);
    if (rc < 0) {
        fprintf(stderr, "tilstedectl: %s\n", store_errmsg(store));
        store_close(store);
        json_decref(h.rows);
        return EXIT_FAILED;
    }
    store_close(store);
    double hours = (double)h.seconds / 3600.0;
    if (h.rows) {
        print_json(json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:I, s:i, s:o}", "site",
                             ctl->cfg.site_id, "from", from, "to", to, "hours", hours, "arsverk",
                             hours / ctl->cfg.hours_per_arsverk, "hours_per_arsverk",
                             ctl->cfg.hours_per_arsverk, "visits", (json_int_t)h.visits,
                             "rounding_minutes", ctl->cfg.report_rounding_min, "rows", h.rows));
    } else if (!h.csv) {
        char hours_text[48], arsverk_text[48];
        numfmt_decimal(hours, 1, " ", hours_text, sizeof hours_text);
        numfmt_decimal(hours / ctl->cfg.hours_per_arsverk, 2, " ", arsverk_text,
                       sizeof arsverk_text);
        printf("  %-40s %12s timer %8s årsverk %7lld besøk\n", "I alt", hours_text,
               arsverk_text, (long long)h.visits);
    }
    return EXIT_OK;
}

/* --- review and corrections --- */

static void print_review(void *user, const struct review_item *r)
{
    json_t *list = user;
    char start[32], end[32];
    if (list) {
        iso_time(r->start_us, start, sizeof start);
        iso_time(r->credited_end_us, end, sizeof end);
        json_array_append_new(list, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "event_id",
                                              r->autoclose_event, "volunteer_id",
                                              (json_int_t)r->volunteer_id, "given_name",
                                              r->given_name, "family_name", r->family_name,
                                              "start", start, "credited_end", end, "activity",
                                              r->activity_title));
        return;
    }
    format_time(r->start_us, start, sizeof start);
    format_time(r->credited_end_us, end, sizeof end);
    printf("  %s  %s %s: in %s, credited to %s\n", r->autoclose_event, r->given_name,
           r->family_name, start, end + 11);
}

static int cmd_review(struct ctl *ctl)
{
    json_t *list = ctl->json ? json_array() : NULL;
    int count = kiosk_review_list(ctl->kiosk, print_review, list);
    if (count < 0) {
        json_decref(list);
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_FAILED;
    }
    if (list)
        print_json(json_pack("{s:o}", "review", list));
    else
        printf("%d %s closed automatically await review\n", count, count == 1 ? "visit" : "visits");
    return EXIT_OK;
}

/* "14:30" on the day of the visit, or "2026-11-23 14:30". */
static int parse_end(const char *text, int64_t start_us, int64_t *out)
{
    struct tm tm;
    time_t start = (time_t)(start_us / US_PER_S);
    localtime_r(&start, &tm);
    int hh, mm, y, mo, d;
    char extra;
    if (sscanf(text, "%d-%d-%d %d:%d%c", &y, &mo, &d, &hh, &mm, &extra) == 5 ||
        sscanf(text, "%d-%d-%dT%d:%d%c", &y, &mo, &d, &hh, &mm, &extra) == 5) {
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
    } else if (sscanf(text, "%d:%d%c", &hh, &mm, &extra) != 2 &&
               sscanf(text, "%d.%d%c", &hh, &mm, &extra) != 2) {
        return -1;
    }
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
        return -1;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    *out = (int64_t)mktime(&tm) * US_PER_S;
    return 0;
}

struct find_start {
    const char *event_id;
    int64_t start_us;
};

static void match_start(void *user, const struct review_item *r)
{
    struct find_start *f = user;
    if (!strcmp(r->autoclose_event, f->event_id))
        f->start_us = r->start_us;
}

static int cmd_correct(struct ctl *ctl, int argc, char **argv)
{
    if (argc != 2)
        return usage_error("%s", "correct takes an event id (from 'review') and the real end time");
    struct find_start f = {argv[0], 0};
    if (kiosk_review_list(ctl->kiosk, match_start, &f) < 0 || !f.start_us) {
        fprintf(stderr, "tilstedectl: no visit awaiting review has event id '%s'\n", argv[0]);
        return EXIT_NOT_FOUND;
    }
    int64_t end;
    if (parse_end(argv[1], f.start_us, &end))
        return usage_error("'%s' is not a time (HH:MM or YYYY-MM-DD HH:MM)", argv[1]);
    if (kiosk_correct_end(ctl->kiosk, argv[0], end)) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_USAGE;
    }
    printf("corrected\n");
    return EXIT_OK;
}

static int cmd_activities(struct ctl *ctl, int argc, char **argv)
{
    char day[11];
    int64_t at = clock_wall(clock_from_config(&ctl->cfg));
    if (argc > 1)
        return usage_error("%s", "activities takes at most a date");
    if (argc == 1) {
        if (parse_day(argv[0], day))
            return usage_error("'%s' is not a date", argv[0]);
        struct tm tm = {0};
        sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        tm.tm_hour = 12;
        tm.tm_isdst = -1;
        at = (int64_t)mktime(&tm) * US_PER_S;
    }
    struct activity list[64];
    int count = kiosk_activities(ctl->kiosk, at, list, 64);
    if (count < 0) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_FAILED;
    }
    json_t *rows = ctl->json ? json_array() : NULL;
    for (int i = 0; i < count; i++) {
        char start[16], end[16];
        snprintf(start, sizeof start, "%02d:%02d", list[i].start_min / 60, list[i].start_min % 60);
        snprintf(end, sizeof end, "%02d:%02d", list[i].end_min / 60 % 24, list[i].end_min % 60);
        if (rows)
            json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                                                  (json_int_t)list[i].id, "uuid", list[i].uuid,
                                                  "date", list[i].day, "start", start, "end", end,
                                                  "title", list[i].title, "place", list[i].place));
        else
            printf("  %3lld  %s-%s  %s (%s)\n", (long long)list[i].id, start, end, list[i].title,
                   list[i].place);
    }
    if (rows)
        print_json(json_pack("{s:o}", "activities", rows));
    return EXIT_OK;
}

static int cmd_sweep(struct ctl *ctl)
{
    if (kiosk_sweep(ctl->kiosk) < 0) {
        fprintf(stderr, "tilstedectl: %s\n", kiosk_errmsg(ctl->kiosk));
        return EXIT_FAILED;
    }
    /* Opening the database swept already; those count as this command's. */
    int closed = kiosk_swept(ctl->kiosk);
    printf("%d %s closed automatically\n", closed, closed == 1 ? "visit" : "visits");
    return EXIT_OK;
}

static int cmd_status(struct ctl *ctl)
{
    struct store *store;
    char err[600];
    if (store_open(ctl->cfg.database, &store, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return strstr(err, "damaged") ? EXIT_DAMAGED : EXIT_FAILED;
    }
    int version = store_version(store);
    int volunteers = store_volunteer_count(store);
    int pending = store_pending_count(store);
    struct kiosk_recovery recovery;
    int restored = store_recovery_latest(store, &recovery, NULL) == 0;
    store_close(store);
    int present = kiosk_present_count(ctl->kiosk);
    int synced = clock_synced(clock_from_config(&ctl->cfg));
    /* What the central refused, and whether it refuses the token. */
    struct ctl_sync_state upload;
    if (ctl_sync_state_read(&ctl->cfg, &upload, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    char restored_at[40] = "", backup_at[40] = "";
    if (restored) {
        iso_time(recovery.at_us, restored_at, sizeof restored_at);
        iso_time(recovery.backup_us, backup_at, sizeof backup_at);
    }
    if (ctl->json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:b}", "version",
                              TILSTEDE_VERSION, "site", ctl->cfg.site_id, "database",
                              ctl->cfg.database, "schema_version", version, "volunteers",
                              volunteers, "present", present, "events_waiting", pending,
                              "clock_synchronised", synced);
        json_object_set_new(
            o, "restored",
            restored ? json_pack("{s:s, s:s, s:i, s:s, s:i, s:b}", "at", restored_at,
                                 "backup_taken", backup_at, "skipped_backups",
                                 recovery.skipped_backups, "fetch",
                                 kiosk_fetch_state_name(recovery.fetch_state), "fetched_events",
                                 recovery.fetched_events, "seen_by_staff", recovery.acknowledged)
                     : json_null());
        json_object_set_new(o, "events_refused", json_integer(upload.refused));
        json_object_set_new(o, "events_refused_unseen", json_integer(upload.refused_unseen));
        json_object_set_new(o, "token_refused", json_boolean(upload.token_refused_us != 0));
        print_json(o);
    } else {
        printf("Tilstede %s at %s (%s)\n", TILSTEDE_VERSION, ctl->cfg.site_name, ctl->cfg.site_id);
        printf("  database:        %s (schema %d)\n", ctl->cfg.database, version);
        printf("  volunteers:      %d\n", volunteers);
        printf("  on site now:     %d\n", present);
        printf("  events to upload: %d\n", pending);
        printf("  clock:           %s\n", synced ? "synchronised" : "NOT synchronised");
        ctl_sync_state_print(&upload, "  ");
        if (restored) {
            format_time(recovery.at_us, restored_at, sizeof restored_at);
            format_time(recovery.backup_us, backup_at, sizeof backup_at);
            printf("  restored:        %s, from the backup of %s%s\n", restored_at, backup_at,
                   recovery.acknowledged ? " (seen by staff)" : "");
            if (recovery.fetch_state == KIOSK_FETCH_DONE)
                printf("  fetched back:    %d events from the central\n", recovery.fetched_events);
            else if (recovery.fetch_state == KIOSK_FETCH_PENDING)
                printf("  fetched back:    not yet; the kiosk fetches from the central before it "
                       "uploads\n");
            else
                printf("  fetched back:    no central configured; events after the backup may "
                       "be missing\n");
        }
    }
    return EXIT_OK;
}

/* Reads a line without echo when stdin is a terminal. */
static int read_secret(const char *prompt, char *out, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = fgets(out, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (!line)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int cmd_set_pin(struct ctl *ctl)
{
    char pin[64], again[64], hash[crypto_pwhash_STRBYTES], err[600];
    if (!ctl->cfg.path[0])
        return usage_error("%s", "set-pin writes the PIN's hash into the configuration: give --config FILE");
    if (read_secret("New staff PIN (4 to 12 digits): ", pin, sizeof pin) ||
        read_secret("Once more: ", again, sizeof again))
        return usage_error("%s", "no PIN given");
    size_t len = strlen(pin);
    if (len < 4 || len > 12 || strspn(pin, "0123456789") != len)
        return usage_error("%s", "the PIN must be 4 to 12 digits (the kiosk has a digit pad)");
    if (strcmp(pin, again))
        return usage_error("%s", "the two PINs differ");
    /* Argon2id at the kiosk's cost (kiosk.h says why 16 MiB). */
    if (kiosk_hash_pin(pin, hash, sizeof hash)) {
        fprintf(stderr, "tilstedectl: out of memory hashing the PIN\n");
        return EXIT_FAILED;
    }
    sodium_memzero(pin, sizeof pin);
    sodium_memzero(again, sizeof again);
    if (config_update_file(ctl->cfg.path, "staff", "pin_hash", hash, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    printf("staff PIN set in %s; restart the kiosk to use it\n", ctl->cfg.path);
    return EXIT_OK;
}

static int cmd_check(struct ctl *ctl)
{
    struct store *store;
    char err[600], report[2048];
    if (store_open(ctl->cfg.database, &store, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return strstr(err, "damaged") ? EXIT_DAMAGED : EXIT_FAILED;
    }
    int rc = store_check(store, report, sizeof report);
    store_close(store);
    if (rc < 0) {
        fprintf(stderr, "tilstedectl: the check could not run\n");
        return EXIT_FAILED;
    }
    if (ctl->json)
        print_json(json_pack("{s:b, s:s}", "ok", rc == 0, "report", report));
    else
        printf("%s: %s\n", ctl->cfg.database, rc == 0 ? "ok" : report);
    return rc == 0 ? EXIT_OK : EXIT_DAMAGED;
}

static int cmd_backup(struct ctl *ctl, int argc, char **argv)
{
    struct store *store;
    char err[600];
    if (argc != 1)
        return usage_error("%s", "backup takes the file to write");
    if (store_open(ctl->cfg.database, &store, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return strstr(err, "damaged") ? EXIT_DAMAGED : EXIT_FAILED;
    }
    int rc = store_backup(store, argv[0], err, sizeof err);
    store_close(store);
    if (rc) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    printf("backed up to %s\n", argv[0]);
    return EXIT_OK;
}

static int cmd_demo(struct ctl *ctl)
{
    char err[600];
    struct store *store;
    if (store_open(ctl->cfg.database, &store, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    int volunteers = store_volunteer_count(store);
    store_close(store);
    if (volunteers != 0) {
        fprintf(stderr, "tilstedectl: demo fills only an empty database; %s has %d volunteers\n",
                ctl->cfg.database, volunteers);
        return EXIT_USAGE;
    }
    if (demo_populate(ctl->kiosk, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    printf("demo site ready in %s; demo cards:", ctl->cfg.database);
    for (int i = 0; i < DEMO_CARD_COUNT; i++) {
        char hex[2 * DEMO_UID_LEN + 1];
        reader_uid_hex(demo_card_uid[i], DEMO_UID_LEN, hex);
        printf(" %s%s", hex, i == DEMO_CARD_COUNT - 1 ? " (not enrolled)" : "");
    }
    printf("\n");
    return EXIT_OK;
}

/* --- retention and a person's data --- */

static int with_store(struct ctl *ctl, struct store **store)
{
    char err[600];
    if (store_open(ctl->cfg.database, store, err, sizeof err)) {
        fprintf(stderr, "tilstedectl: %s\n", err);
        return strstr(err, "damaged") ? EXIT_DAMAGED : EXIT_FAILED;
    }
    return EXIT_OK;
}

static int cmd_prune(struct ctl *ctl, int argc, char **argv)
{
    int months = ctl->cfg.retention_months;
    if (argc == 2 && !strcmp(argv[0], "--months"))
        months = atoi(argv[1]);
    else if (argc)
        return usage_error("%s", "prune takes only --months N");
    if (months <= 0) {
        printf("retention is off (retention_months = 0): nothing deleted\n");
        return EXIT_OK;
    }
    struct tm tm;
    time_t now = (time_t)(clock_wall(clock_from_config(&ctl->cfg)) / US_PER_S);
    localtime_r(&now, &tm);
    tm.tm_mon -= months;
    tm.tm_isdst = -1;
    int64_t cutoff = (int64_t)mktime(&tm) * US_PER_S;
    struct store *store;
    int rc = with_store(ctl, &store);
    if (rc)
        return rc;
    int64_t deleted = 0;
    if (store_prune(store, cutoff, &deleted)) {
        fprintf(stderr, "tilstedectl: %s\n", store_errmsg(store));
        store_close(store);
        return EXIT_FAILED;
    }
    store_close(store);
    char when[32];
    format_time(cutoff, when, sizeof when);
    printf("deleted %lld uploaded events from before %s\n", (long long)deleted, when);
    return EXIT_OK;
}

static int export_event(void *user, const struct event *ev)
{
    char at[40], recorded[40];
    iso_time(ev->at_us, at, sizeof at);
    iso_time(ev->recorded_us, recorded, sizeof recorded);
    json_array_append_new(user, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "event_id",
                                          ev->event_id, "kind", event_kind_name(ev->kind), "at", at,
                                          "recorded_at", recorded, "source",
                                          event_source_name(ev->source), "activity", ev->activity,
                                          "corrects", ev->corrects, "clock_synchronised",
                                          ev->clock_synced));
    return 0;
}

static int cmd_export(struct ctl *ctl, int argc, char **argv)
{
    if (argc != 1)
        return usage_error("%s", "export takes one volunteer");
    struct volunteer v;
    int rc = find_volunteer(ctl, argv[0], &v);
    if (rc)
        return rc;
    struct store *store;
    if ((rc = with_store(ctl, &store)))
        return rc;
    json_t *events = json_array();
    if (store_events_of(store, v.external_id, export_event, events) < 0) {
        fprintf(stderr, "tilstedectl: %s\n", store_errmsg(store));
        json_decref(events);
        store_close(store);
        return EXIT_FAILED;
    }
    int64_t seconds = 0, visits = 0;
    store_volunteer_seconds(store, v.external_id, "0000-01-01", "9999-12-31", 0, &seconds, &visits);
    store_close(store);
    /* Card UIDs are not stored, so there are none to export: only that
     * cards exist, counted by their events. */
    json_t *answer = json_pack(
        "{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:f, s:I, s:o}", "site", ctl->cfg.site_id,
        "external_id", v.external_id, "given_name", v.given_name, "family_name", v.family_name,
        "active", v.active, "confidentiality_signed", v.confidentiality_signed,
        "police_certificate_valid_until", v.police_valid_until, "notes", v.notes, "hours",
        (double)seconds / 3600.0, "visits", (json_int_t)visits, "events", events);
    /* A GDPR export that silently returns nothing would be worse than none. */
    if (!answer)
        fprintf(stderr,
                "tilstedectl: export %s: what is stored of this person is not valid "
                "UTF-8 text; nothing exported\n",
                v.external_id);
    return answer ? print_json(answer) : EXIT_FAILED;
}

static int cmd_forget(struct ctl *ctl, int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--yes"))
        return usage_error("%s", "forget takes the volunteer's external id and --yes "
                                 "(it cannot be undone)");
    struct store *store;
    int rc = with_store(ctl, &store);
    if (rc)
        return rc;
    int64_t events = 0;
    rc = store_forget(store, argv[0], &events);
    if (rc < 0)
        fprintf(stderr, "tilstedectl: %s\n", store_errmsg(store));
    else if (rc == 1)
        fprintf(stderr, "tilstedectl: no volunteer has the external id '%s'\n", argv[0]);
    store_close(store);
    if (rc)
        return rc < 0 ? EXIT_FAILED : EXIT_NOT_FOUND;
    printf("erased %s: the roster entry, cards, visits and %lld events. Erase the person at "
           "the central and in the coordinator's roster file too.\n",
           argv[0], (long long)events);
    return EXIT_OK;
}

/* --- import-roster --- */

struct import {
    struct store *store;
    const char *file;
    int64_t now_us;
    int added, updated, unchanged, rejected;
    int failed;
    json_t *errors;
};

static int import_row(void *user, const struct roster_row *row)
{
    struct import *im = user;
    struct volunteer v = {0}, old;
    snprintf(v.external_id, sizeof v.external_id, "%s", row->external_id);
    snprintf(v.given_name, sizeof v.given_name, "%s", row->given_name);
    snprintf(v.family_name, sizeof v.family_name, "%s", row->family_name);
    snprintf(v.notes, sizeof v.notes, "%s", row->notes ? row->notes : "");
    /* A file without an "active" column keeps what the kiosk knew. */
    int known = store_volunteer_by_external_id(im->store, row->external_id, &old);
    if (known < 0) {
        im->failed = 1;
        return 1;
    }
    v.active = row->active != ROSTER_ACTIVE_UNSPECIFIED ? row->active : known == 0 ? old.active : 1;
    /* "ja" without a date: signed, date unknown. */
    snprintf(v.confidentiality_signed, sizeof v.confidentiality_signed, "%s",
             row->confidentiality_signed[0] ? row->confidentiality_signed
             : row->confidentiality_signed_undated ? KIOSK_SIGNED_UNDATED : "");
    snprintf(v.police_valid_until, sizeof v.police_valid_until, "%s", row->police_valid_until);
    int change;
    if (store_volunteer_upsert(im->store, &v, im->now_us, &change)) {
        im->failed = 1;
        return 1;
    }
    if (change == 1)
        im->added++;
    else if (change == 2)
        im->updated++;
    else
        im->unchanged++;
    return 0;
}

static void import_error(void *user, int line, const char *reason)
{
    struct import *im = user;
    im->rejected++;
    if (im->errors)
        json_array_append_new(im->errors, json_pack("{s:i, s:s}", "line", line, "reason", reason));
    else
        fprintf(stderr, "%s:%d: %s\n", im->file, line, reason);
}

static void import_warning(void *user, const char *message)
{
    struct import *im = user;
    fprintf(stderr, "%s: %s\n", im->file, message);
}

static int cmd_import(struct ctl *ctl, int argc, char **argv)
{
    if (argc != 1)
        return usage_error("%s", "import-roster takes one CSV file");
    const char *file = argv[0];
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "tilstedectl: %s: %s\n", file, strerror(errno));
        return EXIT_FAILED;
    }
    char *data = malloc(ROSTER_READ_MAX);
    size_t len = data ? fread(data, 1, ROSTER_READ_MAX, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!data || read_error) {
        free(data);
        fprintf(stderr, "tilstedectl: %s: cannot read the file\n", file);
        return EXIT_FAILED;
    }
    struct import im = {.file = file, .now_us = clock_wall(clock_from_config(&ctl->cfg))};
    char err[600];
    if (store_open(ctl->cfg.database, &im.store, err, sizeof err)) {
        free(data);
        fprintf(stderr, "tilstedectl: %s\n", err);
        return EXIT_FAILED;
    }
    if (ctl->json)
        im.errors = json_array();
    struct roster_callbacks cb = {import_row, import_error, import_warning, &im, NULL};
    struct roster_summary summary;
    /* One transaction: either every good row is in, or (when the database
     * fails) none is, never half a roster. */
    int rc = store_begin(im.store);
    if (!rc)
        rc = roster_parse(data, len, &cb, &summary, err, sizeof err);
    free(data);
    int exit_code = EXIT_OK;
    if (rc || im.failed) {
        store_rollback(im.store);
        if (im.failed)
            fprintf(stderr, "tilstedectl: %s: nothing imported: %s\n", file, store_errmsg(im.store));
        else
            fprintf(stderr, "tilstedectl: %s: nothing imported: %s\n", file,
                    rc == -EIO || !err[0] ? store_errmsg(im.store) : err);
        exit_code = im.failed || rc == -EIO || rc == -EBUSY ? EXIT_FAILED : EXIT_USAGE;
    } else if (store_commit(im.store)) {
        fprintf(stderr, "tilstedectl: %s: nothing imported: %s\n", file, store_errmsg(im.store));
        exit_code = EXIT_FAILED;
    }
    store_close(im.store);
    if (exit_code) {
        json_decref(im.errors);
        return exit_code;
    }
    if (im.errors)
        print_json(json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "file", file, "encoding",
                             roster_encoding_name(summary.encoding), "added", im.added, "updated",
                             im.updated, "unchanged", im.unchanged, "rejected", im.rejected,
                             "errors", im.errors));
    else
        printf("%s (%s, '%c'): %d added, %d updated, %d unchanged, %d rejected\n", file,
               roster_encoding_name(summary.encoding), summary.delimiter == '\t' ? 't' : summary.delimiter,
               im.added, im.updated, im.unchanged, im.rejected);
    return im.rejected ? EXIT_REFUSED : EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"reader", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"version", no_argument, NULL, 'V'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ctl ctl = {0};
    const char *config_path = NULL, *db = NULL, *reader = NULL;
    int opt;
    /* '+': options after the command belong to the command. */
    while ((opt = getopt_long(argc, argv, "+c:d:r:jVh", options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 'd': db = optarg; break;
        case 'r': reader = optarg; break;
        case 'j': ctl.json = 1; break;
        case 'V': printf("tilstedectl %s\n", TILSTEDE_VERSION); return EXIT_OK;
        case 'h': fputs(usage_text, stdout); return EXIT_OK;
        default: fputs(usage_text, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[optind];
    int cmd_argc = argc - optind - 1;
    char **cmd_argv = argv + optind + 1;
    /* Options may also come after the command ("hours --json ..."). */
    for (int i = 0; i < cmd_argc; i++)
        if (!strcmp(cmd_argv[i], "--json")) {
            ctl.json = 1;
            memmove(&cmd_argv[i], &cmd_argv[i + 1], (size_t)(cmd_argc - i - 1) * sizeof *cmd_argv);
            cmd_argc--;
            i--;
        }

    char err[600];
    config_defaults(&ctl.cfg);
    if (config_path || access(CONFIG_DEFAULT_PATH, F_OK) == 0) {
        if (config_load(&ctl.cfg, config_path ? config_path : CONFIG_DEFAULT_PATH, err, sizeof err)) {
            fprintf(stderr, "tilstedectl: %s\n", err);
            return EXIT_USAGE;
        }
    }
    if (db && config_use_database(&ctl.cfg, db, err, sizeof err))
        return usage_error("--db: %s", err);
    if (reader && config_set(&ctl.cfg, "reader", "connection", reader, err, sizeof err))
        return usage_error("--reader: %s", err);

    static const char *const known[] = {
        "import-roster", "enroll", "revoke-card", "tap", "checkin", "present", "hours", "review",
        "correct", "activities", "sweep", "status", "set-pin", "check", "backup", "demo",
        "prune", "export", "forget", "sync", "provision", NULL};
    int valid = 0;
    for (int i = 0; known[i]; i++)
        valid |= !strcmp(command, known[i]);
    if (!valid)
        return usage_error("unknown command '%s'", command);

    /* These work on the file itself, also when it is damaged. */
    if (!strcmp(command, "check"))
        return cmd_check(&ctl);
    if (!strcmp(command, "set-pin"))
        return cmd_set_pin(&ctl);
    if (!strcmp(command, "sync"))
        return ctl_sync(&ctl.cfg, ctl.json, cmd_argc, cmd_argv);
    if (!strcmp(command, "provision"))
        return ctl_provision(&ctl.cfg, ctl.json, cmd_argc, cmd_argv);

    int rc = open_kiosk(&ctl);
    if (rc)
        return rc;
    if (!strcmp(command, "import-roster"))
        rc = cmd_import(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "enroll"))
        rc = cmd_enroll(&ctl, cmd_argc, cmd_argv, reader != NULL);
    else if (!strcmp(command, "revoke-card"))
        rc = cmd_revoke(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "tap"))
        rc = cmd_tap(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "checkin"))
        rc = cmd_checkin(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "present"))
        rc = cmd_present(&ctl);
    else if (!strcmp(command, "hours"))
        rc = cmd_hours(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "review"))
        rc = cmd_review(&ctl);
    else if (!strcmp(command, "correct"))
        rc = cmd_correct(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "activities"))
        rc = cmd_activities(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "sweep"))
        rc = cmd_sweep(&ctl);
    else if (!strcmp(command, "status"))
        rc = cmd_status(&ctl);
    else if (!strcmp(command, "backup"))
        rc = cmd_backup(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "demo"))
        rc = cmd_demo(&ctl);
    else if (!strcmp(command, "prune"))
        rc = cmd_prune(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "export"))
        rc = cmd_export(&ctl, cmd_argc, cmd_argv);
    else if (!strcmp(command, "forget"))
        rc = cmd_forget(&ctl, cmd_argc, cmd_argv);
    kiosk_close(ctl.kiosk);
    return rc;
}
