/* tilstede-central: the municipality's receiver for the kiosks' events.
 * `serve` runs the HTTP server; the other commands administer the same
 * database (sites, devices, dashboard logins, roster, activities) and print
 * the coordinator's hour reports. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "conf.h"
#include "http.h"
#include "mail.h"
#include "mail_schedule.h"
#include "migrate.h"
#include "report.h"

#define CENTRAL_USER_SITES_ARGS 16 /* --site given to one user add (CENTRAL_USER_SITES_MAX) */
#define SMTP_PASSWORD_MAX       256 /* bytes of the SMTP password, with the line end */

static void usage(FILE *out)
{
    fputs(
        "Usage: tilstede-central COMMAND [OPTIONS]\n"
        "\n"
        "The municipality's receiver for Tilstede kiosks, and its administration.\n"
        "\n"
        "Commands:\n"
        "  serve --listen ADDR:PORT [--tls-cert FILE --tls-key FILE] [--threads N]\n"
        "        [--max-body BYTES] [--max-batch N] [--hours-per-arsverk H]\n"
        "        [--public-url URL] [--sso-header NAME] [--session-idle MINUTES]\n"
        "        [--municipality NAME]  (\"Tønsberg kommune\": on a volunteer's statement)\n"
        "        [--silent-after HOURS] [--request-deadline SECONDS] [--mail-at HH:MM]\n"
        "                          serve the /v1/ API and the dashboard until SIGTERM;\n"
        "                          a request not in full within SECONDS (default 60)\n"
        "                          of its connection is cut; with --smtp-url, last month's\n"
        "                          report is mailed on the first working day at HH:MM\n"
        "                          (default 07:00, --timezone's local time)\n"
        "  site add ID --name NAME --kind sykehjem|helsehus|aktivitetshus|hjemmetjeneste|other\n"
        "  site list\n"
        "  device add SITE --name NAME   print a new device token (shown once)\n"
        "  device revoke DEVICE-ID\n"
        "  device list\n"
        "  admin add NAME                print an admin token for scripts (shown once)\n"
        "  admin revoke NAME\n"
        "  user add NAME --role coordinator|contact|viewer [--site SITE]...\n"
        "                          print a one-time set-up link for the web app (needs\n"
        "                          --public-url or TILSTEDE_CENTRAL_PUBLIC_URL)\n"
        "  user list | user revoke NAME | user link NAME (a new set-up link)\n"
        "  user email NAME ADDRESS | user mail NAME on|off\n"
        "                          the address for the monthly report, and whether it goes\n"
        "                          (user add takes --email ADDRESS too)\n"
        "  user full-name NAME \"FULL NAME\"\n"
        "                          the person's name on what they sign (a statement of\n"
        "                          hours); \"\" none (user add takes --full-name too)\n"
        "  mail-report --month YYYY-MM [--to ADDRESS] [--dry-run]\n"
        "                          mail the month's report now to each coordinator (every\n"
        "                          site) and contact (their sites) not sent it yet; --to:\n"
        "                          only to ADDRESS (every site); --dry-run: show, send nothing\n"
        "  roster import FILE.csv        replace the roster (volunteers not in the file\n"
        "                                become inactive)\n"
        "  activity add SITE --date YYYY-MM-DD --start HH:MM --end HH:MM --title TITLE\n"
        "  activity add SITE --weekly mon,tue --from YYYY-MM-DD --to YYYY-MM-DD\n"
        "               --start HH:MM --end HH:MM --title TITLE   planned every week\n"
        "  activity list SITE | activity cancel PLAN YYYY-MM-DD\n"
        "  activity move PLAN YYYY-MM-DD [--date YYYY-MM-DD] --start HH:MM --end HH:MM\n"
        "        [--place PLACE]\n"
        "  report --from YYYY-MM-DD --to YYYY-MM-DD --by site|kind|activity|month|volunteer\n"
        "        [--csv|--json|--xlsx FILE] [--hours-per-arsverk H]\n"
        "        with --xlsx, --by may list groupings (kind,site,month): a sheet each\n"
        "  thanks --from YYYY-MM-DD --to YYYY-MM-DD [--above HOURS] [--csv|--json]\n"
        "                          whom to thank: who passed 10, 50, 100 or 250 hours\n"
        "                          in the period (and everyone with HOURS or more)\n"
        "  lost [--on YYYY-MM-DD] [--weeks 6] [--min-visits 4] [--csv|--json]\n"
        "                          who came regularly and has not been seen for weeks\n"
        "  papers [--on YYYY-MM-DD] [--csv|--json]\n"
        "                          no confidentiality agreement, or a police certificate\n"
        "                          expired or running out within 30 days\n"
        "  migrate --from central.db --to postgresql://...\n"
        "                          move everything to an empty PostgreSQL database\n"
        "  volunteer export EXTERNAL-ID  print as JSON all the central keeps of a volunteer\n"
        "                                (roster row, cards, events at every site, hours)\n"
        "  volunteer forget EXTERNAL-ID --yes\n"
        "                                erase it all (GDPR); erase on the kiosks too with\n"
        "                                tilstedectl forget, and remove them from the roster\n"
        "                                file, or the next roster import adds them again\n"
        "        With - for EXTERNAL-ID, the id is read from the first line of stdin: it\n"
        "        then stays out of the command line, which sudo writes to the journal.\n"
        "\n"
        "Options for every command:\n"
        "  --db FILE|URI     the database: a SQLite file, or postgresql://...\n"
        "                    (default: $TILSTEDE_CENTRAL_DB, else the configuration's)\n"
        "  --config FILE     the configuration: postgres = postgresql://... or\n"
        "                    sqlite = FILE (default: $TILSTEDE_CENTRAL_CONFIG, else\n"
        "                    " CENTRAL_CONF_DEFAULT_PATH " when it exists)\n"
        "  --timezone ZONE   local time for days and months (default Europe/Oslo)\n"
        "  --smtp-url URL    the mail server: smtps://HOST:465, or smtp://HOST:587 with\n"
        "                    STARTTLS (required); $TILSTEDE_CENTRAL_SMTP_URL\n"
        "  --smtp-user NAME, --smtp-password-file FILE   its login\n"
        "                    ($TILSTEDE_CENTRAL_SMTP_USER, $TILSTEDE_CENTRAL_SMTP_PASSWORD_FILE)\n"
        "  --smtp-ca-file FILE  a CA for its certificate (default: the system's)\n"
        "  --mail-from ADDRESS  the sender ($TILSTEDE_CENTRAL_MAIL_FROM)\n"
        "  --help, --version\n"
        "\n"
        "Plain HTTP is served only on a loopback address (behind the TLS reverse\n"
        "proxy); any other address needs --tls-cert and --tls-key.\n"
        "\n"
        "Exit status: 0 done; 1 failed (database, network, file); 2 wrong usage;\n"
        "3 not found (no such site, device, admin or volunteer); 4 already exists.\n",
        out);
}

enum {
    OPT_DB = 256,
    OPT_CONFIG,
    OPT_TIMEZONE,
    OPT_LISTEN,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_MAX_BATCH,
    OPT_HOURS,
    OPT_NAME,
    OPT_KIND,
    OPT_DATE,
    OPT_WEEKLY,
    OPT_START,
    OPT_END,
    OPT_TITLE,
    OPT_PLACE,
    OPT_FROM,
    OPT_TO,
    OPT_BY,
    OPT_CSV,
    OPT_JSON,
    OPT_XLSX,
    OPT_ON,
    OPT_ABOVE,
    OPT_WEEKS,
    OPT_MIN_VISITS,
    OPT_YES,
    OPT_HELP,
    OPT_VERSION,
    OPT_ROLE,
    OPT_SITE,
    OPT_PUBLIC_URL,
    OPT_SSO_HEADER,
    OPT_MUNICIPALITY,
    OPT_SESSION_IDLE,
    OPT_SILENT_AFTER,
    OPT_REQUEST_DEADLINE,
    OPT_EMAIL,
    OPT_FULL_NAME,
    OPT_MONTH,
    OPT_DRY_RUN,
    OPT_SMTP_URL,
    OPT_SMTP_USER,
    OPT_SMTP_PASSWORD_FILE,
    OPT_SMTP_CA_FILE,
    OPT_MAIL_FROM,
    OPT_MAIL_AT,
};

static const struct option options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"timezone", required_argument, NULL, OPT_TIMEZONE},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
    {"hours-per-arsverk", required_argument, NULL, OPT_HOURS},
    {"name", required_argument, NULL, OPT_NAME},
    {"kind", required_argument, NULL, OPT_KIND},
    {"date", required_argument, NULL, OPT_DATE},
    {"weekly", required_argument, NULL, OPT_WEEKLY},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    {"title", required_argument, NULL, OPT_TITLE},
    {"place", required_argument, NULL, OPT_PLACE},
    {"from", required_argument, NULL, OPT_FROM},
    {"to", required_argument, NULL, OPT_TO},
    {"by", required_argument, NULL, OPT_BY},
    {"csv", no_argument, NULL, OPT_CSV},
    {"json", no_argument, NULL, OPT_JSON},
    {"xlsx", required_argument, NULL, OPT_XLSX},
    {"on", required_argument, NULL, OPT_ON},
    {"above", required_argument, NULL, OPT_ABOVE},
    {"weeks", required_argument, NULL, OPT_WEEKS},
    {"min-visits", required_argument, NULL, OPT_MIN_VISITS},
    {"yes", no_argument, NULL, OPT_YES},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"role", required_argument, NULL, OPT_ROLE},
    {"site", required_argument, NULL, OPT_SITE},
    {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
    {"sso-header", required_argument, NULL, OPT_SSO_HEADER},
    {"municipality", required_argument, NULL, OPT_MUNICIPALITY},
    {"session-idle", required_argument, NULL, OPT_SESSION_IDLE},
    {"silent-after", required_argument, NULL, OPT_SILENT_AFTER},
    {"request-deadline", required_argument, NULL, OPT_REQUEST_DEADLINE},
    {"email", required_argument, NULL, OPT_EMAIL},
    {"full-name", required_argument, NULL, OPT_FULL_NAME},
    {"month", required_argument, NULL, OPT_MONTH},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"smtp-url", required_argument, NULL, OPT_SMTP_URL},
    {"smtp-user", required_argument, NULL, OPT_SMTP_USER},
    {"smtp-password-file", required_argument, NULL, OPT_SMTP_PASSWORD_FILE},
    {"smtp-ca-file", required_argument, NULL, OPT_SMTP_CA_FILE},
    {"mail-from", required_argument, NULL, OPT_MAIL_FROM},
    {"mail-at", required_argument, NULL, OPT_MAIL_AT},
    {NULL, 0, NULL, 0},
};

/* The SMTP password from its file (first line), so it stays out of the
 * command line and the environment: 0, or -EINVAL with a message. */
static int read_password(const char *path, char *out, size_t cap)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "tilstede-central: --smtp-password-file %s: %s\n", path, strerror(errno));
        return -EINVAL;
    }
    int ok = fgets(out, (int)cap, file) != NULL;
    fclose(file);
    size_t len = ok ? strcspn(out, "\r\n") : 0;
    if (!ok || len == 0 || (out[len] == '\0' && len == cap - 1)) {
        fprintf(stderr,
                "tilstede-central: --smtp-password-file %s: expected the password on the "
                "first line, 1 to %zu bytes\n",
                path, cap - 2);
        return -EINVAL;
    }
    out[len] = '\0';
    return 0;
}

static int parse_count(const char *text, const char *option, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (!text[0] || *end || errno || value == 0 || value > max || text[0] == '-') {
        fprintf(stderr, "tilstede-central: %s \"%s\": expected a number from 1 to %llu\n", option,
                text, max);
        return -EINVAL;
    }
    *out = value;
    return 0;
}

/* Runs the server until SIGTERM or SIGINT. The signals are blocked before
 * any thread starts, so only sigwait() here sees them and the workers are
 * never interrupted in the middle of a transaction. */
/* "HH:MM" into hour and minute: 0, or -EINVAL with a message. */
static int parse_clock(const char *text, int *hour, int *minute)
{
    char *end;
    long h = strtol(text, &end, 10);
    if (end != text + 2 || *end != ':' || h < 0 || h > 23)
        goto bad;
    long m = strtol(end + 1, &end, 10);
    if (*end || strlen(text) != 5 || m < 0 || m > 59)
        goto bad;
    *hour = (int)h;
    *minute = (int)m;
    return 0;
bad:
    fprintf(stderr, "tilstede-central: --mail-at \"%s\": expected HH:MM, e.g. 07:00\n", text);
    return -EINVAL;
}

static int serve(const struct central_http_config *config,
                 const struct central_mail_schedule_config *mail)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    struct central_http *http = NULL;
    int rc = central_http_start(config, &http, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tilstede-central: %s\n", err);
        return rc == -EINVAL || rc == -EPERM ? CENTRAL_EXIT_USAGE : CENTRAL_EXIT_FAILURE;
    }
    fprintf(stderr, "tilstede-central: serving %s://%s (port %u)\n",
            config->tls_cert ? "https" : "http", config->listen, central_http_port(http));
    struct central_mail_schedule *schedule = NULL;
    if (!mail->mail.smtp_url) {
        fprintf(stderr, "tilstede-central: no --smtp-url: the monthly report is not mailed\n");
    } else if ((rc = central_mail_schedule_start(mail, &schedule, err, sizeof err))) {
        fprintf(stderr, "tilstede-central: %s\n", err);
        central_http_stop(http);
        return CENTRAL_EXIT_FAILURE;
    } else {
        fprintf(stderr,
                "tilstede-central: the monthly report is mailed on the first working day at "
                "%02d:%02d\n",
                mail->hour, mail->minute);
    }
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    fprintf(stderr, "tilstede-central: %s, finishing requests in flight\n",
            signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    central_mail_schedule_stop(schedule);
    central_http_stop(http);
    return CENTRAL_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct central_http_config config = {0};
    struct central_admin_args args = {0};
    const char *timezone = "Europe/Oslo";
    args.db = getenv("TILSTEDE_CENTRAL_DB");
    const char *config_path = getenv("TILSTEDE_CENTRAL_CONFIG");
    static struct central_conf conf;
    args.hours_per_arsverk = CENTRAL_HOURS_PER_ARSVERK_DEFAULT;
    args.in = stdin;
    args.public_url = getenv("TILSTEDE_CENTRAL_PUBLIC_URL");
    config.municipality = getenv("TILSTEDE_CENTRAL_MUNICIPALITY");
    const char *sites[CENTRAL_USER_SITES_ARGS];
    args.sites = sites;
    struct central_mail_config mail = {
        .smtp_url = getenv("TILSTEDE_CENTRAL_SMTP_URL"),
        .smtp_user = getenv("TILSTEDE_CENTRAL_SMTP_USER"),
        .ca_file = getenv("TILSTEDE_CENTRAL_SMTP_CA_FILE"),
        .from = getenv("TILSTEDE_CENTRAL_MAIL_FROM"),
    };
    const char *password_file = getenv("TILSTEDE_CENTRAL_SMTP_PASSWORD_FILE");
    int mail_hour = CENTRAL_MAIL_HOUR_DEFAULT, mail_minute = CENTRAL_MAIL_MINUTE_DEFAULT;
    char password[SMTP_PASSWORD_MAX];
    unsigned long long number;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_DB:
            args.db = optarg;
            break;
        case OPT_CONFIG:
            config_path = optarg;
            break;
        case OPT_TIMEZONE:
            timezone = optarg;
            break;
        case OPT_ROLE:
            args.role = optarg;
            break;
        case OPT_SITE:
            if (args.site_count == CENTRAL_USER_SITES_ARGS) {
                fprintf(stderr, "tilstede-central: at most %d --site\n", CENTRAL_USER_SITES_ARGS);
                return CENTRAL_EXIT_USAGE;
            }
            sites[args.site_count++] = optarg;
            break;
        case OPT_PUBLIC_URL:
            args.public_url = optarg;
            break;
        case OPT_SSO_HEADER:
            config.sso_header = optarg;
            break;
        case OPT_MUNICIPALITY:
            config.municipality = optarg;
            break;
        case OPT_SESSION_IDLE:
            if (parse_count(optarg, "--session-idle", 10080, &number))
                return CENTRAL_EXIT_USAGE;
            config.session_idle_s = (int64_t)number * 60;
            break;
        case OPT_SILENT_AFTER:
            if (parse_count(optarg, "--silent-after", 8760, &number))
                return CENTRAL_EXIT_USAGE;
            config.silent_after_s = (int64_t)number * 3600;
            break;
        case OPT_REQUEST_DEADLINE:
            if (parse_count(optarg, "--request-deadline", CENTRAL_REQUEST_DEADLINE_S_MAX, &number))
                return CENTRAL_EXIT_USAGE;
            config.request_deadline_s = (unsigned)number;
            break;
        case OPT_EMAIL:
            args.email = optarg;
            break;
        case OPT_FULL_NAME:
            args.full_name = optarg;
            break;
        case OPT_MONTH:
            args.month = optarg;
            break;
        case OPT_DRY_RUN:
            args.dry_run = 1;
            break;
        case OPT_SMTP_URL:
            mail.smtp_url = optarg;
            break;
        case OPT_SMTP_USER:
            mail.smtp_user = optarg;
            break;
        case OPT_SMTP_PASSWORD_FILE:
            password_file = optarg;
            break;
        case OPT_SMTP_CA_FILE:
            mail.ca_file = optarg;
            break;
        case OPT_MAIL_FROM:
            mail.from = optarg;
            break;
        case OPT_MAIL_AT:
            if (parse_clock(optarg, &mail_hour, &mail_minute))
                return CENTRAL_EXIT_USAGE;
            break;
        case OPT_LISTEN:
            config.listen = optarg;
            break;
        case OPT_TLS_CERT:
            config.tls_cert = optarg;
            break;
        case OPT_TLS_KEY:
            config.tls_key = optarg;
            break;
        case OPT_THREADS:
            if (parse_count(optarg, "--threads", 64, &number))
                return CENTRAL_EXIT_USAGE;
            config.threads = (unsigned)number;
            break;
        case OPT_MAX_BODY:
            if (parse_count(optarg, "--max-body", 256ull << 20, &number))
                return CENTRAL_EXIT_USAGE;
            config.max_body = (size_t)number;
            break;
        case OPT_MAX_BATCH:
            if (parse_count(optarg, "--max-batch", 100000, &number))
                return CENTRAL_EXIT_USAGE;
            config.max_batch = (size_t)number;
            break;
        case OPT_HOURS: {
            char *end;
            args.hours_per_arsverk = strtod(optarg, &end);
            if (*end || !(args.hours_per_arsverk > 0) || args.hours_per_arsverk > 8784) {
                fprintf(stderr,
                        "tilstede-central: --hours-per-arsverk \"%s\": expected hours "
                        "from 1 to 8784, e.g. 1700\n",
                        optarg);
                return CENTRAL_EXIT_USAGE;
            }
            break;
        }
        case OPT_NAME:
            args.name = optarg;
            break;
        case OPT_KIND:
            args.kind = optarg;
            break;
        case OPT_DATE:
            args.date = optarg;
            break;
        case OPT_WEEKLY:
            args.weekly = optarg;
            break;
        case OPT_START:
            args.start = optarg;
            break;
        case OPT_END:
            args.end = optarg;
            break;
        case OPT_TITLE:
            args.title = optarg;
            break;
        case OPT_PLACE:
            args.place = optarg;
            break;
        case OPT_FROM:
            args.from = optarg;
            break;
        case OPT_TO:
            args.to = optarg;
            break;
        case OPT_BY:
            args.by = optarg;
            break;
        case OPT_CSV:
            args.format = CENTRAL_FORMAT_CSV;
            break;
        case OPT_JSON:
            args.format = CENTRAL_FORMAT_JSON;
            break;
        case OPT_XLSX:
            args.xlsx = optarg;
            break;
        case OPT_ON:
            args.on = optarg;
            break;
        case OPT_ABOVE:
            if (parse_count(optarg, "--above", 8784, &number))
                return CENTRAL_EXIT_USAGE;
            args.above_hours = (double)number;
            break;
        case OPT_WEEKS:
            if (parse_count(optarg, "--weeks", 520, &number))
                return CENTRAL_EXIT_USAGE;
            args.weeks = (int)number;
            break;
        case OPT_MIN_VISITS:
            if (parse_count(optarg, "--min-visits", 10000, &number))
                return CENTRAL_EXIT_USAGE;
            args.min_visits = (int)number;
            break;
        case OPT_YES:
            args.yes = 1;
            break;
        case 'h':
        case OPT_HELP:
            usage(stdout);
            return CENTRAL_EXIT_OK;
        case OPT_VERSION:
            printf("tilstede-central %s\n", TILSTEDE_VERSION);
            return CENTRAL_EXIT_OK;
        default:
            usage(stderr);
            return CENTRAL_EXIT_USAGE;
        }
    }
    /* Days and months are local to the municipality, whatever the server's
     * own zone: visits.c uses localtime(). */
    setenv("TZ", timezone, 1);
    tzset();
    if (password_file) {
        if (read_password(password_file, password, sizeof password))
            return CENTRAL_EXIT_USAGE;
        mail.smtp_password = password;
    }
    /* The database: --db, else $TILSTEDE_CENTRAL_DB, else the file's. The
     * file is read (and checked) even when not needed: a bad line in it is
     * said at once, not when the next command happens to rely on it. */
    char conf_err[768];
    if (central_conf_load(&conf, config_path ? config_path : CENTRAL_CONF_DEFAULT_PATH,
                          !config_path, conf_err, sizeof conf_err)) {
        fprintf(stderr, "tilstede-central: %s\n", conf_err);
        return CENTRAL_EXIT_USAGE;
    }
    if ((!args.db || !args.db[0]) && conf.db[0]) {
        args.db = conf.db;
        args.db_origin = conf.origin;
        config.db_origin = conf.origin;
    }
    args.mail = &mail;
    args.words = argv + optind;
    args.word_count = argc - optind;
    if (args.word_count < 1) {
        usage(stderr);
        return CENTRAL_EXIT_USAGE;
    }
    if (strcmp(args.words[0], "serve") == 0) {
        if (args.word_count != 1 || !config.listen) {
            fprintf(stderr, "tilstede-central: serve needs --listen ADDR:PORT and --db FILE\n");
            return CENTRAL_EXIT_USAGE;
        }
        if (!args.db) {
            fprintf(stderr, "tilstede-central: no database: give --db FILE, set "
                            "TILSTEDE_CENTRAL_DB or a postgres or sqlite key in "
                            CENTRAL_CONF_DEFAULT_PATH "\n");
            return CENTRAL_EXIT_USAGE;
        }
        config.db = args.db;
        config.public_url = args.public_url;
        config.hours_per_arsverk = args.hours_per_arsverk;
        struct central_mail_schedule_config schedule = {
            .db = args.db,
            .mail = mail,
            .hour = mail_hour,
            .minute = mail_minute,
        };
        schedule.mail.hours_per_arsverk = args.hours_per_arsverk;
        schedule.mail.public_url = args.public_url;
        return serve(&config, &schedule);
    }
    if (strcmp(args.words[0], "migrate") == 0) {
        if (args.word_count != 1) {
            usage(stderr);
            return CENTRAL_EXIT_USAGE;
        }
        char err[512] = "";
        int rc = central_migrate(args.from, args.to, stdout, err, sizeof err);
        if (rc)
            fprintf(stderr, "tilstede-central: %s\n", err);
        return rc == 0         ? CENTRAL_EXIT_OK
               : rc == -EINVAL ? CENTRAL_EXIT_USAGE
               : rc == -EEXIST || rc == -ENOTSUP ? CENTRAL_EXIT_EXISTS
                               : CENTRAL_EXIT_FAILURE;
    }
    return central_admin_run(&args, stdout, stderr);
}
