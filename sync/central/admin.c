/* The administration commands (see admin.h). Each opens the store, does
 * one thing, and says what it did or what failed and on which input. */
#include "admin.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "conf.h"
#include "opening.h"
#include "plan.h"
#include "report.h"
#include "store.h"
#include "token.h"
#include "utf8.h"
#include "xlsx.h"
#ifdef TILSTEDE_HAVE_ROSTER
#include "roster_import.h"
#endif

#define ERR_MAX 512

static int exit_for(int rc)
{
    switch (rc) {
    case 0:
        return CENTRAL_EXIT_OK;
    case -ENOENT:
        return CENTRAL_EXIT_NOT_FOUND;
    case -EEXIST:
        return CENTRAL_EXIT_EXISTS;
    case -EINVAL:
        return CENTRAL_EXIT_USAGE;
    default:
        return CENTRAL_EXIT_FAILURE;
    }
}

static int need(const char *value, const char *option, const char *command, FILE *errout)
{
    if (value && value[0])
        return 0;
    fprintf(errout, "tilstede-central: %s needs %s\n", command, option);
    return -EINVAL;
}

/* Ids are written on labels and typed by IT: keep them to a safe alphabet. */
static int valid_id(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len >= EVENT_KEY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)id[i]) && !strchr("-_.", id[i]))
            return 0;
    return 1;
}

static int valid_clock(const char *text)
{
    return text && central_plan_clock_valid(text);
}

static int site_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                    FILE *errout, char *err);
static int device_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err);
static int admin_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                     FILE *errout, char *err);
static int roster_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err);
static int activity_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                        FILE *errout, char *err);
static int report_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err);
static int volunteer_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                         FILE *errout, char *err);

int central_admin_run(const struct central_admin_args *a, FILE *out, FILE *errout)
{
    static const struct {
        const char *word;
        int (*run)(const struct central_admin_args *, struct central_store *, FILE *, FILE *,
                   char *);
    } commands[] = {
        {"site", site_cmd},
        {"device", device_cmd},
        {"admin", admin_cmd},
        {"roster", roster_cmd},
        {"activity", activity_cmd},
        {"report", report_cmd},
        {"volunteer", volunteer_cmd},
        {"thanks", central_admin_question},
        {"lost", central_admin_question},
        {"papers", central_admin_question},
        {"user", central_admin_user},
        {"mail-report", central_admin_mail},
    };
    int (*run)(const struct central_admin_args *, struct central_store *, FILE *, FILE *, char *) =
        NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (a->word_count > 0 && strcmp(a->words[0], commands[i].word) == 0)
            run = commands[i].run;
    if (!run) {
        fprintf(errout, "tilstede-central: unknown command \"%s\" (see --help)\n",
                a->word_count > 0 ? a->words[0] : "");
        return CENTRAL_EXIT_USAGE;
    }
    if (!a->db || !a->db[0]) {
        fprintf(errout, "tilstede-central: no database: give --db FILE, set "
                        "TILSTEDE_CENTRAL_DB or a postgres or sqlite key in "
                        CENTRAL_CONF_DEFAULT_PATH "\n");
        return CENTRAL_EXIT_USAGE;
    }
    char err[ERR_MAX] = "";
    struct central_store *store = NULL;
    int rc = central_store_open(a->db, &store, err, sizeof err);
    if (rc) {
        if (a->db_origin)
            fprintf(errout, "tilstede-central: the database of %s: %s\n", a->db_origin, err);
        else
            fprintf(errout, "tilstede-central: %s\n", err);
        return CENTRAL_EXIT_FAILURE;
    }
    rc = run(a, store, out, errout, err);
    if (rc && err[0])
        fprintf(errout, "tilstede-central: %s\n", err);
    central_store_close(store);
    return exit_for(rc);
}

static int print_site(void *ctx, const struct central_site *site)
{
    fprintf(ctx, "%s\t%s\t%s\n", site->id, site->kind, site->name);
    return 0;
}

/* `site hours ID --weekly DAYS --start HH:MM --end HH:MM`: the opening
 * hours a kiosk's silence is counted in; with no --weekly, open day and
 * night again. */
static int site_hours(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      char *err)
{
    const char *site = a->words[2];
    if (!a->weekly) {
        int rc = central_store_opening_set(store, site, NULL, err, ERR_MAX);
        if (!rc)
            fprintf(out, "site %s: open day and night\n", site);
        return rc;
    }
    struct central_opening hours;
    char why[ERR_MAX - 32];
    int rc = central_opening_parse(site, a->weekly, a->start, a->end, &hours, why, sizeof why);
    if (rc) {
        snprintf(err, ERR_MAX, "site hours: %s", why);
        return rc;
    }
    rc = central_store_opening_set(store, site, &hours, err, ERR_MAX);
    if (!rc)
        fprintf(out, "site %s: open %s %s-%s\n", site, a->weekly, hours.start, hours.end);
    return rc;
}

static int site_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                    FILE *errout, char *err)
{
    const char *verb = a->word_count > 1 ? a->words[1] : "";
    if (strcmp(verb, "list") == 0 && a->word_count == 2)
        return central_store_sites(store, print_site, out, err, ERR_MAX);
    if (strcmp(verb, "hours") == 0 && a->word_count == 3)
        return site_hours(a, store, out, err);
    if (strcmp(verb, "add") != 0 || a->word_count != 3) {
        fprintf(errout,
                "tilstede-central: usage: site add ID --name NAME --kind KIND | site list\n"
                "       site hours ID [--weekly mon,tue,... --start HH:MM --end HH:MM]\n");
        return -EINVAL;
    }
    if (need(a->name, "--name NAME", "site add", errout) ||
        need(a->kind, "--kind sykehjem|helsehus|aktivitetshus|hjemmetjeneste|other", "site add",
             errout))
        return -EINVAL;
    if (!valid_id(a->words[2])) {
        snprintf(err, ERR_MAX, "site id \"%s\": use 1 to 63 letters, digits, '-', '_' or '.'",
                 a->words[2]);
        return -EINVAL;
    }
    static const char *const kinds[] = {"sykehjem", "helsehus", "aktivitetshus", "hjemmetjeneste",
                                        "other"};
    int known = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        known |= strcmp(a->kind, kinds[i]) == 0;
    if (!known) {
        snprintf(err, ERR_MAX,
                 "--kind \"%s\": expected sykehjem, helsehus, aktivitetshus, "
                 "hjemmetjeneste or other",
                 a->kind);
        return -EINVAL;
    }
    struct central_site site;
    memset(&site, 0, sizeof site);
    snprintf(site.id, sizeof site.id, "%s", a->words[2]);
    snprintf(site.name, sizeof site.name, "%s", a->name);
    snprintf(site.kind, sizeof site.kind, "%s", a->kind);
    int rc = central_store_site_add(store, &site, err, ERR_MAX);
    if (!rc)
        fprintf(out, "site %s added\n", site.id);
    return rc;
}

static int print_device(void *ctx, const struct central_device *d)
{
    char seen[32] = "never";
    if (d->last_seen_us) {
        time_t t = (time_t)(d->last_seen_us / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(seen, sizeof seen, "%Y-%m-%d %H:%M", &tm);
    }
    fprintf(ctx, "%lld\t%s\t%s\t%s\tlast seen %s\twaiting %lld\n", (long long)d->id, d->site,
            d->name, d->revoked_us ? "revoked" : "active", seen,
            (long long)d->status.events_waiting);
    return 0;
}

static int device_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err)
{
    const char *verb = a->word_count > 1 ? a->words[1] : "";
    if (strcmp(verb, "list") == 0 && a->word_count == 2)
        return central_store_devices(store, print_device, out, err, ERR_MAX);
    if (strcmp(verb, "revoke") == 0 && a->word_count == 3) {
        char *end;
        long long id = strtoll(a->words[2], &end, 10);
        if (*end || id <= 0) {
            snprintf(err, ERR_MAX, "device revoke \"%s\": expected the number from device list",
                     a->words[2]);
            return -EINVAL;
        }
        int rc = central_store_device_revoke(store, id, err, ERR_MAX);
        if (!rc)
            fprintf(out, "device %lld revoked: its token no longer works\n", id);
        return rc;
    }
    if (strcmp(verb, "add") != 0 || a->word_count != 3) {
        fprintf(errout, "tilstede-central: usage: device add SITE --name NAME | device revoke ID "
                        "| device list\n");
        return -EINVAL;
    }
    if (need(a->name, "--name NAME", "device add", errout))
        return -EINVAL;
    char token[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(token, hash);
    int64_t id = 0;
    int rc = central_store_device_add(store, a->words[2], a->name, hash, &id, err, ERR_MAX);
    if (!rc) {
        fprintf(errout,
                "device %lld added to site %s. Its token is printed once, below; put it "
                "in the kiosk's token file ([sync] token_file in tilstede.conf, default "
                "/var/lib/tilstede/device.token, mode 0600). Only a hash is kept here.\n",
                (long long)id, a->words[2]);
        fprintf(out, "%s\n", token);
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

static int admin_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                     FILE *errout, char *err)
{
    const char *verb = a->word_count > 1 ? a->words[1] : "";
    if (strcmp(verb, "revoke") == 0 && a->word_count == 3) {
        int rc = central_store_admin_revoke(store, a->words[2], err, ERR_MAX);
        if (!rc)
            fprintf(out, "admin %s revoked\n", a->words[2]);
        return rc;
    }
    if (strcmp(verb, "add") != 0 || a->word_count != 3) {
        fprintf(errout, "tilstede-central: usage: admin add NAME | admin revoke NAME\n");
        return -EINVAL;
    }
    char token[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(token, hash);
    int rc = central_store_admin_add(store, a->words[2], hash, err, ERR_MAX);
    if (!rc) {
        fprintf(errout,
                "admin %s added. Log in to the dashboard with the user name %s and "
                "this token as the password (printed once, below):\n",
                a->words[2], a->words[2]);
        fprintf(out, "%s\n", token);
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

#ifdef TILSTEDE_HAVE_ROSTER
static int roster_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err)
{
    if (a->word_count != 3 || strcmp(a->words[1], "import") != 0) {
        fprintf(errout, "tilstede-central: usage: roster import FILE.csv\n");
        return -EINVAL;
    }
    const char *path = a->words[2];
    char *data = NULL;
    struct central_roster_file roster = {0};
    int rc = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, ERR_MAX, "%s: %s", path, strerror(errno));
        return -EIO;
    }
    data = malloc(ROSTER_FILE_MAX + 1);
    size_t len = data ? fread(data, 1, ROSTER_FILE_MAX + 1, file) : 0;
    int failed = ferror(file);
    fclose(file);
    if (!data || failed || len > ROSTER_FILE_MAX) {
        snprintf(err, ERR_MAX, "%s: cannot read it, or it is over %u bytes", path, ROSTER_FILE_MAX);
        rc = -EIO;
        goto out;
    }
    char read_err[ERR_MAX];
    rc = central_roster_read(store, data, len, NULL, &roster, read_err, sizeof read_err);
    for (size_t i = 0; i < roster.warning_count; i++)
        fprintf(errout, "%s: %s\n", path, roster.warnings[i]);
    for (size_t i = 0; i < roster.bad_count; i++)
        fprintf(errout, "%s:%d: %s\n", path, roster.bad[i].line, roster.bad[i].reason);
    if (rc) {
        utf8_format(err, ERR_MAX, "%s: %s", path, read_err); /* cut between characters */
        rc = -EIO;
        goto out;
    }
    /* A bad row left out would retire that volunteer: import all or none. */
    if (roster.bad_count) {
        snprintf(err, ERR_MAX,
                 "%s: %zu rows have errors (above); nothing was imported. Fix them "
                 "and import again.",
                 path, roster.bad_count);
        rc = -EIO;
        goto out;
    }
    size_t changed = 0;
    if ((rc = central_store_roster_replace(store, roster.list, roster.count, &changed, err,
                                           ERR_MAX)))
        goto out;
    fprintf(out, "%s: %zu volunteers read (%s), %zu changes sent to the kiosks\n", path,
            roster.count, roster_encoding_name(roster.summary.encoding), changed);
out:
    free(data);
    central_roster_file_free(&roster);
    return rc;
}
#else
static int roster_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err)
{
    (void)a, (void)store, (void)out, (void)errout;
    snprintf(err, ERR_MAX, "roster import is not in this build (firmware/roster.h was missing)");
    return -ENOTSUP;
}
#endif

int central_admin_read_file(const char *path, size_t max, char **data, size_t *len, char *err)
{
    *data = NULL;
    *len = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(err, ERR_MAX, "%s: %s", path, strerror(errno));
        return -EIO;
    }
    char *text = malloc(max + 1);
    size_t got = text ? fread(text, 1, max + 1, file) : 0;
    int failed = ferror(file);
    fclose(file);
    if (!text || failed || got > max) {
        snprintf(err, ERR_MAX, "%s: cannot read it, or it is over %zu bytes", path, max);
        free(text);
        return -EIO;
    }
    text[got] = '\0';
    *data = text;
    *len = got;
    return 0;
}

static int activity_usage(FILE *errout)
{
    fprintf(errout,
            "tilstede-central: usage: activity add SITE --date YYYY-MM-DD --start HH:MM --end "
            "HH:MM --title TITLE [--place PLACE]\n"
            "       activity add SITE --weekly mon,tue --from YYYY-MM-DD --to YYYY-MM-DD --start "
            "HH:MM --end HH:MM --title TITLE [--place PLACE]\n"
            "       activity list SITE\n"
            "       activity import SITE FILE.ics [--on YYYY-MM-DD]\n"
            "       activity cancel PLAN YYYY-MM-DD\n"
            "       activity move PLAN YYYY-MM-DD [--date YYYY-MM-DD] --start HH:MM --end HH:MM\n");
    return -EINVAL;
}

static int activity_plan_add(const struct central_admin_args *a, struct central_store *store,
                             FILE *out, FILE *errout, char *err)
{
    if (need(a->from, "--from YYYY-MM-DD", "activity add --weekly", errout) ||
        need(a->to, "--to YYYY-MM-DD", "activity add --weekly", errout) ||
        need(a->start, "--start HH:MM", "activity add", errout) ||
        need(a->end, "--end HH:MM", "activity add", errout) ||
        need(a->title, "--title TITLE", "activity add", errout))
        return -EINVAL;
    struct central_plan plan;
    memset(&plan, 0, sizeof plan);
    int rc = central_plan_weekdays(a->weekly, &plan.weekdays, err, ERR_MAX);
    if (rc)
        return rc;
    if (strlen(a->title) >= sizeof plan.title ||
        (a->place && strlen(a->place) >= sizeof plan.place)) {
        snprintf(err, ERR_MAX, "activity add: --title or --place is longer than %d bytes",
                 CENTRAL_NAME_MAX - 1);
        return -EINVAL;
    }
    event_new_id(plan.id);
    snprintf(plan.site, sizeof plan.site, "%s", a->words[2]);
    snprintf(plan.title, sizeof plan.title, "%s", a->title);
    snprintf(plan.place, sizeof plan.place, "%s", a->place ? a->place : "");
    snprintf(plan.start, sizeof plan.start, "%.5s", a->start);
    snprintf(plan.end, sizeof plan.end, "%.5s", a->end);
    snprintf(plan.from, sizeof plan.from, "%.10s", a->from);
    snprintf(plan.until, sizeof plan.until, "%.10s", a->to);
    if (strlen(a->start) != 5 || strlen(a->end) != 5 || strlen(a->from) != 10 ||
        strlen(a->to) != 10) {
        snprintf(err, ERR_MAX,
                 "activity add: --from \"%s\" --to \"%s\" --start \"%s\" --end "
                 "\"%s\": expected dates YYYY-MM-DD and times HH:MM",
                 a->from, a->to, a->start, a->end);
        return -EINVAL;
    }
    size_t count = 0;
    if ((rc = central_plan_save(store, &plan, &count, err, ERR_MAX)))
        return rc;
    fprintf(out, "%s\n%zu occurrences from %s until %s\n", plan.id, count, plan.from, plan.until);
    return 0;
}

static int print_plan(void *ctx, const struct central_plan *plan)
{
    char days[32];
    central_plan_weekdays_text(plan->weekdays, days, sizeof days);
    fprintf(ctx, "%s\t%s\t%s\t%s-%s%s\t%s..%s\t%s\n", plan->id, plan->title, days, plan->start,
            plan->end, strcmp(plan->end, plan->start) < 0 ? " (next day)" : "", plan->from,
            plan->until, plan->place);
    return 0;
}

static int activity_occurrence(const struct central_admin_args *a, struct central_store *store,
                               FILE *out, FILE *errout, char *err)
{
    int cancel = strcmp(a->words[1], "cancel") == 0;
    const char *plan = a->words[2], *plan_date = a->words[3];
    struct central_activity change;
    memset(&change, 0, sizeof change);
    change.cancelled = cancel;
    if (!central_report_date_valid(plan_date)) {
        snprintf(err, ERR_MAX, "activity %s: \"%s\": expected the occurrence's date YYYY-MM-DD",
                 a->words[1], plan_date);
        return -EINVAL;
    }
    const char *date = a->date ? a->date : plan_date;
    if (!cancel && (need(a->start, "--start HH:MM", "activity move", errout) ||
                    need(a->end, "--end HH:MM", "activity move", errout)))
        return -EINVAL;
    if (!cancel && (!central_report_date_valid(date) || !valid_clock(a->start) ||
                    !valid_clock(a->end) || !strcmp(a->start, a->end))) {
        snprintf(err, ERR_MAX,
                 "activity move: --date \"%s\" --start \"%s\" --end \"%s\": expected a date "
                 "YYYY-MM-DD and two different times HH:MM",
                 date, a->start, a->end);
        return -EINVAL;
    }
    if (!cancel) {
        snprintf(change.date, sizeof change.date, "%s", date);
        snprintf(change.start, sizeof change.start, "%s", a->start);
        snprintf(change.end, sizeof change.end, "%s", a->end);
    }
    int rc = central_store_occurrence_change(store, plan, plan_date, &change, err, ERR_MAX);
    if (!rc)
        fprintf(out, cancel ? "%s on %s: cancelled\n" : "%s on %s: moved to %s %s-%s\n", plan,
                plan_date, date, a->start, a->end);
    return rc;
}

static int activity_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                        FILE *errout, char *err)
{
    const char *what = a->word_count > 1 ? a->words[1] : "";
    if (strcmp(what, "list") == 0 && a->word_count == 3)
        return central_store_plans(store, a->words[2], print_plan, out, err, ERR_MAX);
    if (strcmp(what, "import") == 0 && a->word_count == 4)
        return central_admin_activity_import(a, store, out, errout, err);
    if ((strcmp(what, "cancel") == 0 || strcmp(what, "move") == 0) && a->word_count == 4)
        return activity_occurrence(a, store, out, errout, err);
    if (strcmp(what, "add") != 0 || a->word_count != 3)
        return activity_usage(errout);
    if (a->weekly)
        return activity_plan_add(a, store, out, errout, err);
    if (need(a->date, "--date YYYY-MM-DD (or --weekly DAYS)", "activity add", errout) ||
        need(a->start, "--start HH:MM", "activity add", errout) ||
        need(a->end, "--end HH:MM", "activity add", errout) ||
        need(a->title, "--title TITLE", "activity add", errout))
        return -EINVAL;
    if (!central_report_date_valid(a->date) || !valid_clock(a->start) || !valid_clock(a->end)) {
        snprintf(err, ERR_MAX,
                 "activity add: --date \"%s\" --start \"%s\" --end \"%s\": expected "
                 "a date YYYY-MM-DD and times HH:MM",
                 a->date, a->start, a->end);
        return -EINVAL;
    }
    struct central_activity act;
    memset(&act, 0, sizeof act);
    event_new_id(act.id);
    snprintf(act.site, sizeof act.site, "%s", a->words[2]);
    snprintf(act.date, sizeof act.date, "%s", a->date);
    snprintf(act.start, sizeof act.start, "%s", a->start);
    snprintf(act.end, sizeof act.end, "%s", a->end);
    snprintf(act.title, sizeof act.title, "%s", a->title);
    snprintf(act.place, sizeof act.place, "%s", a->place ? a->place : "");
    int rc = central_store_activity_add(store, &act, err, ERR_MAX);
    if (!rc)
        fprintf(out, "%s\n", act.id);
    return rc;
}

/* The workbook: one sheet per grouping named in --by ("kind,site,month"). */
#define REPORT_SHEETS_MAX 8

static int report_xlsx(const struct central_admin_args *a, struct central_store *store, FILE *out,
                       char *err)
{
    struct central_report *reports[REPORT_SHEETS_MAX] = {0};
    size_t count = 0;
    int rc = 0;
    const char *p = a->by;
    while (!rc && *p) {
        size_t len = strcspn(p, ",");
        char name[16];
        int by = -1;
        if (len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            by = central_report_by_parse(name);
        }
        if (by < 0 || count == REPORT_SHEETS_MAX) {
            snprintf(err, ERR_MAX, "--by \"%s\": %s", a->by,
                     by < 0 ? "expected site, kind, activity, month or volunteer, or several "
                              "of them separated by commas"
                            : "at most 8 groupings");
            rc = -EINVAL;
            break;
        }
        rc = central_report_run(store, a->from, a->to, (enum central_report_by)by,
                                a->hours_per_arsverk, &reports[count], err, ERR_MAX);
        if (!rc)
            count++;
        p += len;
        if (*p == ',')
            p++;
    }
    if (!rc && !count) {
        snprintf(err, ERR_MAX, "--by \"%s\": no grouping named", a->by);
        rc = -EINVAL;
    }
    if (!rc)
        rc = central_xlsx_write((const struct central_report *const *)reports, count, a->xlsx, err,
                                ERR_MAX);
    if (!rc)
        fprintf(out, "%s: %zu sheet%s\n", a->xlsx, count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++)
        central_report_free(reports[i]);
    return rc;
}

static int report_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                      FILE *errout, char *err)
{
    if (a->word_count != 1 || need(a->from, "--from YYYY-MM-DD", "report", errout) ||
        need(a->to, "--to YYYY-MM-DD", "report", errout) ||
        need(a->by, "--by site|kind|activity|month|volunteer", "report", errout))
        return -EINVAL;
    if (a->xlsx) {
        if (a->format != CENTRAL_FORMAT_TEXT) {
            snprintf(err, ERR_MAX, "report: --xlsx writes a file; give it without --csv or --json");
            return -EINVAL;
        }
        return report_xlsx(a, store, out, err);
    }
    int by = central_report_by_parse(a->by);
    if (by < 0) {
        snprintf(err, ERR_MAX, "--by \"%s\": expected site, kind, activity, month or volunteer",
                 a->by);
        return -EINVAL;
    }
    struct central_report *report = NULL;
    int rc = central_report_run(store, a->from, a->to, (enum central_report_by)by,
                                a->hours_per_arsverk, &report, err, ERR_MAX);
    if (rc)
        return rc;
    struct central_buf buf;
    central_buf_init(&buf, 256u << 20);
    switch (a->format) {
    case CENTRAL_FORMAT_CSV:
        rc = central_report_csv(report, &buf);
        break;
    case CENTRAL_FORMAT_JSON:
        rc = central_report_json(report, &buf);
        break;
    case CENTRAL_FORMAT_TEXT:
        rc = central_report_text(report, &buf);
        break;
    }
    if (!rc && buf.len && fwrite(buf.data, 1, buf.len, out) != buf.len)
        rc = -EIO;
    if (rc)
        snprintf(err, ERR_MAX, "report: cannot write it (%s)", strerror(-rc));
    central_buf_free(&buf);
    central_report_free(report);
    return rc;
}

/* ---- a volunteer's data on request (GDPR): the kiosk's `tilstedectl
 * export` and `forget`, for what the central keeps ---- */

struct exported {
    json_t *roster; /* NULL until the roster row comes */
    json_t *cards;
    json_t *events;
};

/* Local time with its offset, as the kiosk's export writes it. */
static void iso_time(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%S%z", &tm);
}

static int append(json_t *list, json_t *item)
{
    return item && json_array_append_new(list, item) == 0 ? 0 : -ENOMEM;
}

static int export_volunteer(void *ctx, const struct central_volunteer *v)
{
    struct exported *ex = ctx;
    ex->roster = json_pack(
        "{s:s, s:s, s:s, s:b, s:s?, s:b, s:s?, s:b}", "external_id", v->external_id, "given_name",
        v->given_name, "family_name", v->family_name, "active", v->active, "confidentiality_signed",
        v->confidentiality_signed[0] ? v->confidentiality_signed : NULL, "confidentiality_undated",
        v->confidentiality_undated, "police_certificate_valid_until",
        v->police_valid_until[0] ? v->police_valid_until : NULL, "police_certificate_undated",
        v->police_undated);
    return ex->roster ? 0 : -ENOMEM;
}

static int export_card(void *ctx, const struct central_card *card)
{
    struct exported *ex = ctx;
    return append(ex->cards,
                  json_pack("{s:s, s:b}", "card_hash", card->card_hash, "revoked", card->revoked));
}

static int export_event(void *ctx, const struct event *ev)
{
    struct exported *ex = ctx;
    char at[40], recorded[40];
    iso_time(ev->at_us, at, sizeof at);
    iso_time(ev->recorded_us, recorded, sizeof recorded);
    return append(ex->events,
                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "event_id",
                            ev->event_id, "kind", event_kind_name(ev->kind), "site", ev->site, "at",
                            at, "recorded_at", recorded, "source", event_source_name(ev->source),
                            "activity", ev->activity[0] ? ev->activity : NULL, "corrects",
                            ev->corrects[0] ? ev->corrects : NULL, "clock_synced",
                            ev->clock_synced));
}

static int volunteer_export(struct central_store *store, const char *external_id, FILE *out,
                            char *err)
{
    struct exported ex = {NULL, json_array(), json_array()};
    struct central_volunteer_sink sink = {export_volunteer, export_card, export_event, &ex};
    json_t *doc = NULL;
    int64_t seconds = 0, visits = 0;
    int rc = ex.cards && ex.events ? central_store_volunteer_export(store, external_id, &sink,
                                                                    &seconds, &visits, err, ERR_MAX)
                                   : -ENOMEM;
    if (rc)
        goto out;
    /* roster is null when only events or cards are kept (the roster never
     * named them, or they were uploaded before the roster came). */
    doc = json_pack("{s:s, s:O?, s:O, s:f, s:I, s:I, s:O}", "external_id", external_id, "roster",
                    ex.roster, "cards", ex.cards, "hours", central_report_hours(seconds), "seconds",
                    (json_int_t)seconds, "visits", (json_int_t)visits, "events", ex.events);
    if (!doc)
        rc = -ENOMEM;
    else if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) || fputc('\n', out) < 0) {
        snprintf(err, ERR_MAX, "volunteer export \"%s\": cannot write the JSON", external_id);
        rc = -EIO;
    }
out:
    /* Only the JSON side runs out of memory; the store's errors say theirs. */
    if (rc == -ENOMEM)
        snprintf(err, ERR_MAX, "volunteer export \"%s\": out of memory building the JSON",
                 external_id);
    json_decref(doc);
    json_decref(ex.roster);
    json_decref(ex.cards);
    json_decref(ex.events);
    return rc;
}

static int volunteer_forget(struct central_store *store, const char *external_id, FILE *out,
                            char *err)
{
    struct central_erasure erased;
    int rc = central_store_volunteer_forget(store, external_id, &erased, err, ERR_MAX);
    if (rc)
        return rc;
    fprintf(out,
            "erased %s: %s%lld cards, %lld visits (taken out of the reports) and %lld events.\n"
            "Erase them on every kiosk too (tilstedectl forget %s --yes), and from the "
            "coordinator's roster file: the next roster import adds anyone still in it again.\n",
            external_id, erased.roster ? "the roster row, " : "", (long long)erased.cards,
            (long long)erased.visits, (long long)erased.events, external_id);
    return 0;
}

/* The id of "volunteer export|forget ID", or with "-" the first line of
 * a->in. A command line is not private: sudo writes it to the journal (and
 * ps shows it), and a volunteer's id is personal data, most of all the id
 * of one who asked to be forgotten. */
static int volunteer_id(const struct central_admin_args *a, char *id, char *err)
{
    const char *given = a->words[2];
    int from_stdin = strcmp(given, "-") == 0;
    char line[EVENT_KEY_MAX + 2]; /* room to tell a line that is too long */
    if (from_stdin) {
        if (!a->in || !fgets(line, sizeof line, a->in))
            line[0] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        given = line;
    }
    /* Refused, not cut short: a prefix could be someone else's id. */
    size_t len = strlen(given);
    if (len == 0 || len >= EVENT_KEY_MAX) {
        snprintf(err, ERR_MAX, "volunteer %s: expected the volunteer's id, 1 to %d bytes%s",
                 a->words[1], EVENT_KEY_MAX - 1, from_stdin ? ", on the first line of stdin" : "");
        return -EINVAL;
    }
    memcpy(id, given, len + 1);
    return 0;
}

static int volunteer_cmd(const struct central_admin_args *a, struct central_store *store, FILE *out,
                         FILE *errout, char *err)
{
    const char *verb = a->word_count > 1 ? a->words[1] : "";
    int export = strcmp(verb, "export") == 0, forget = strcmp(verb, "forget") == 0;
    if (a->word_count != 3 || !(export || forget)) {
        fprintf(errout, "tilstede-central: usage: volunteer export EXTERNAL-ID|- | volunteer "
                        "forget EXTERNAL-ID|- --yes\n");
        return -EINVAL;
    }
    if (forget && !a->yes) {
        fprintf(errout, "tilstede-central: volunteer forget erases the volunteer's events, visits, "
                        "cards and roster row, and cannot be undone: add --yes\n");
        return -EINVAL;
    }
    char id[EVENT_KEY_MAX];
    int rc = volunteer_id(a, id, err);
    if (rc)
        return rc;
    return export ? volunteer_export(store, id, out, err) : volunteer_forget(store, id, out, err);
}
