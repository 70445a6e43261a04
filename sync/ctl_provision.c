/* `tilstedectl provision` (ctl_provision.h): checks the device token with
 * the central (GET /v1/site), stores it, writes the site and the central
 * into the configuration, fetches the roster once, then checks the board:
 * card key, reader, display, clock, staff PIN. */
#include "ctl_provision.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cardhash.h"
#include "clock.h"
#include "outbox.h"
#include "reader.h"
#include "store.h"
#include "uploader.h"

#define READER_WAIT_MS    3000
#define READER_POLL_MS    50
#define TOKEN_LEN         43 /* PROTOCOL.md section 2: 32 random bytes in base64url */
#define CHECK_TEXT_MAX    600
#define FINGERPRINT_BYTES 8

struct check {
    const char *item;  /* "card_key", ... for --json */
    const char *label; /* for people */
    int ok;
    char text[CHECK_TEXT_MAX]; /* "ok ..." or what to do */
};

enum { CHECK_CARD_KEY, CHECK_READER, CHECK_DISPLAY, CHECK_CLOCK, CHECK_PIN, CHECK_COUNT };

struct provision {
    const char *central;
    const char *token;
    const char *ca_file;
    int force;
    struct config work;                 /* cfg with the new values, written only on success */
    char token_staged[CONFIG_PATH_MAX]; /* must fit in [sync] token_file */
    struct uploader_site site;
    struct uploader_result roster;
    int provisioned;   /* the token, site and central are written */
    int roster_failed; /* ... but the roster did not come */
    char error[1024];
    struct check checks[CHECK_COUNT];
};

static void usage(void)
{
    fprintf(stderr,
            "usage: tilstedectl --config FILE [--json] provision --central URL --token TOKEN\n"
            "                   [--ca-file FILE] [--force]\n"
            "  checks the device token with the central, stores it in [sync] token_file,\n"
            "  writes [site] id and name and [sync] central_url into FILE, fetches the\n"
            "  roster and activities, then lists what is still missing on this board.\n"
            "  --central URL   the municipality's central, https://... (http only to 127.0.0.1)\n"
            "  --token TOKEN   printed by 'tilstede-central device add SITE --name NAME'\n"
            "  --ca-file FILE  the CA that signed the central's certificate, when not a\n"
            "                  public one (written to [sync] ca_file)\n"
            "  --force         replace another token already in the token file\n"
            "Exit codes: 0 provisioned (open checklist items are printed); 1 failed;\n"
            "2 bad arguments.\n");
}

static int usage_error(const char *what, const char *detail)
{
    fprintf(stderr, "tilstedectl provision: %s%s\n", what, detail);
    usage();
    return CTL_PROVISION_USAGE;
}

static int parse_args(struct provision *p, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (i == 0 && strcmp(arg, "provision") == 0)
            continue; /* tolerate the command name itself */
        if (strcmp(arg, "--force") == 0) {
            p->force = 1;
        } else if (strcmp(arg, "--central") == 0 || strcmp(arg, "--token") == 0 ||
                   strcmp(arg, "--ca-file") == 0) {
            if (i + 1 >= argc)
                return usage_error(arg, " needs a value");
            const char **slot = arg[2] == 'c' && arg[3] == 'e' ? &p->central
                                : arg[2] == 't'                ? &p->token
                                                               : &p->ca_file;
            *slot = argv[++i];
        } else {
            return usage_error("unknown argument ", arg);
        }
    }
    if (!p->central)
        return usage_error("", "--central URL is missing (e.g. https://tilstede.kommune.no)");
    if (!p->token)
        return usage_error("", "--token TOKEN is missing (printed by 'tilstede-central "
                               "device add SITE --name NAME' on the central)");
    size_t len = strlen(p->token);
    if (len != TOKEN_LEN || strspn(p->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789-_") != len)
        return usage_error("", "--token: expected the 43 letters, digits, '-' and '_' printed "
                               "by 'tilstede-central device add' (copy it again, all of it)");
    return 0;
}

/* A bad configuration or value: say what to fix, without the whole usage. */
static int refuse(const char *what, const char *detail)
{
    fprintf(stderr, "tilstedectl provision: %s%s\n", what, detail);
    return CTL_PROVISION_USAGE;
}

/* ---------------------------------------------------------------- files */

/* Provisioning runs as root (it edits /etc), but the kiosk runs as the
 * owner of its data directory and must be able to read what we leave
 * there. A file we create in that directory is given to its owner. */
static void give_to_directory_owner(const char *path)
{
    if (geteuid() != 0)
        return;
    char dir[CONFIG_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    struct stat st;
    if (stat(dir, &st) == 0 && st.st_uid != 0 && chown(path, st.st_uid, st.st_gid) < 0 &&
        errno != ENOENT)
        fprintf(stderr, "tilstedectl provision: cannot give %s to user %u: %s\n", path,
                (unsigned)st.st_uid, strerror(errno));
}

/* Refuses to replace a different token unless forced: that kiosk was
 * provisioned already, maybe for another site. */
static int token_check_existing(struct provision *p)
{
    const char *path = p->work.token_file;
    char old[1100];
    if (access(path, F_OK) != 0 || p->force)
        return 0;
    char err[600];
    int rc = uploader_token_read(path, old, sizeof old, err, sizeof err);
    if (rc)
        snprintf(p->error, sizeof p->error, "%.*s; or give --force to replace the file",
                 UTF8_CLIP(err, 600));
    else if (strcmp(old, p->token) != 0)
        snprintf(p->error, sizeof p->error,
                 "the token file %.*s already holds another token: this kiosk was provisioned "
                 "before. Give --force to replace it, and revoke the old token on the central "
                 "('tilstede-central device list', then 'device revoke ID')",
                 UTF8_CLIP(path, 300));
    sodium_memzero(old, sizeof old);
    return p->error[0] ? -1 : 0;
}

/* Writes the token to a new file beside the token file (mode 0600); it
 * takes the token file's place only once the central has accepted it. */
static int token_stage(struct provision *p)
{
    const char *path = p->work.token_file;
    int rc = -1;
    if (strlen(path) + sizeof ".XXXXXX" > sizeof p->token_staged) {
        snprintf(p->error, sizeof p->error, "[sync] token_file is too long a path");
        return -1;
    }
    /* Length checked above; the precision tells the compiler so. */
    snprintf(p->token_staged, sizeof p->token_staged, "%.*s.XXXXXX",
             (int)(sizeof p->token_staged - sizeof ".XXXXXX"), path);
    int fd = mkstemp(p->token_staged);
    if (fd < 0) {
        snprintf(p->error, sizeof p->error,
                 "cannot write the token beside %.*s: %s (the directory must exist and be "
                 "writable; the package makes /var/lib/tilstede, and provision runs as root)",
                 UTF8_CLIP(path, 300), strerror(errno));
        p->token_staged[0] = '\0';
        return -1;
    }
    size_t len = strlen(p->token);
    if (fchmod(fd, 0600) < 0 || write(fd, p->token, len) != (ssize_t)len ||
        write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
        snprintf(p->error, sizeof p->error, "cannot write the token file %.*s: %s",
                 UTF8_CLIP(p->token_staged, 300), strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    if (rc == 0)
        give_to_directory_owner(p->token_staged);
    return rc;
}

static int token_commit(struct provision *p)
{
    const char *path = p->work.token_file;
    if (rename(p->token_staged, path) < 0) {
        snprintf(p->error, sizeof p->error, "cannot move the token into %.*s: %s",
                 UTF8_CLIP(path, 300), strerror(errno));
        return -1;
    }
    p->token_staged[0] = '\0';
    /* The rename is durable only once the directory is. */
    char dir[CONFIG_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    return 0;
}

static int write_config(struct provision *p, struct config *cfg)
{
    struct {
        const char *section, *key, *value;
    } keys[] = {
        {"site", "id", p->site.site_id},
        {"site", "name", p->site.site_name},
        {"sync", "central_url", p->central},
        {"sync", "ca_file", p->ca_file},
    };
    char err[600];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!keys[i].value)
            continue;
        if (config_update_file(cfg->path, keys[i].section, keys[i].key, keys[i].value, err,
                               sizeof err)) {
            snprintf(p->error, sizeof p->error, "writing [%s] %s: %.*s", keys[i].section,
                     keys[i].key, UTF8_CLIP(err, 600));
            return -1;
        }
        config_set(cfg, keys[i].section, keys[i].key, keys[i].value, err, sizeof err);
    }
    return 0;
}

/* A new site's roster must come whole: forget the cursor of any earlier
 * provisioning, so the central sends everything and the counts are the
 * site's. */
static int forget_roster_cursor(struct provision *p)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    char err[600];
    int rc = store_open(p->work.database, &store, err, sizeof err);
    if (rc == 0 && (rc = outbox_open(store, &outbox, err, sizeof err)) == 0 &&
        outbox_state_set(outbox, OUTBOX_ROSTER_CURSOR, "") < 0) {
        utf8_copy_clean(err, sizeof err, outbox_errmsg(outbox));
        rc = -1;
    }
    if (rc)
        snprintf(p->error, sizeof p->error, "the kiosk's database %.*s: %.*s",
                 UTF8_CLIP(p->work.database, 300), UTF8_CLIP(err, 600));
    outbox_close(outbox);
    store_close(store);
    return rc;
}

/* ------------------------------------------------------------ the checks */

static void check_card_key(const struct config *cfg, struct check *check)
{
    unsigned char key[CARDHASH_KEY_BYTES], print[FINGERPRINT_BYTES];
    char err[600], hex[2 * FINGERPRINT_BYTES + 1];
    if (access(cfg->card_key, F_OK) != 0) {
        snprintf(check->text, sizeof check->text,
                 "missing: copy %.*s from another kiosk of this municipality (owner tilstede, "
                 "mode 0600) before the kiosk starts; the kiosks must share it, or cards "
                 "enrolled elsewhere are unknown here. Only the municipality's first kiosk "
                 "makes its own key (at its first start); keep a copy of it somewhere safe",
                 UTF8_CLIP(cfg->card_key, 200));
        return;
    }
    if (cardhash_load_key(cfg->card_key, 0, key, err, sizeof err)) {
        snprintf(check->text, sizeof check->text,
                 "cannot be used: %.*s; copy it again from another kiosk of this municipality",
                 UTF8_CLIP(err, 300));
        return;
    }
    /* A fingerprint, so IT can see that two kiosks hold the same key
     * without showing the key. */
    crypto_generichash(print, sizeof print, key, sizeof key, NULL, 0);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, print, sizeof print);
    check->ok = 1;
    snprintf(check->text, sizeof check->text,
             "ok (%.*s, fingerprint %s: it must be the same on every kiosk of the "
             "municipality)",
             UTF8_CLIP(cfg->card_key, 200), hex);
}

struct reader_watch {
    pthread_mutex_t lock;
    char detail[256];
};

static void on_reader_state(void *user, enum reader_state state, const char *detail)
{
    struct reader_watch *watch = user;
    if (state == READER_STOPPED)
        return; /* our own reader_close: keep why it did not connect */
    pthread_mutex_lock(&watch->lock);
    snprintf(watch->detail, sizeof watch->detail, "%s", detail ? detail : "");
    pthread_mutex_unlock(&watch->lock);
}

static void check_reader(const struct config *cfg, struct check *check)
{
    struct reader_watch watch = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct reader_callbacks callbacks = {.tap = NULL, .state = on_reader_state, .user = &watch};
    struct reader *reader = NULL;
    char err[300];
    const char *hint = "check the cable and [reader] connection; if the kiosk is running it "
                       "holds the reader: stop it first (systemctl stop tilstede); see "
                       "deploy/README.md, 'The card reader'";
    if (reader_open(cfg->reader, &callbacks, &reader, err, sizeof err)) {
        snprintf(check->text, sizeof check->text, "cannot be opened: %.*s; %s", UTF8_CLIP(err, 250),
                 hint);
        return;
    }
    enum reader_state state = READER_STARTING;
    for (int waited = 0; waited < READER_WAIT_MS; waited += READER_POLL_MS) {
        if ((state = reader_state(reader)) == READER_CONNECTED)
            break;
        struct timespec pause = {0, READER_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    reader_close(reader);
    if (state == READER_CONNECTED) {
        check->ok = 1;
        snprintf(check->text, sizeof check->text, "ok (%.*s)", UTF8_CLIP(cfg->reader, 200));
        return;
    }
    pthread_mutex_lock(&watch.lock);
    if (watch.detail[0])
        snprintf(check->text, sizeof check->text,
                 "not connected: %.*s ([reader] connection "
                 "= %.*s); %s",
                 UTF8_CLIP(watch.detail, 200), UTF8_CLIP(cfg->reader, 150), hint);
    else
        snprintf(check->text, sizeof check->text,
                 "not connected within %d s ([reader] "
                 "connection = %.*s); %s",
                 READER_WAIT_MS / 1000, UTF8_CLIP(cfg->reader, 150), hint);
    pthread_mutex_unlock(&watch.lock);
}

static void check_display(struct check *check)
{
    glob_t found;
    if (glob("/dev/dri/card*", 0, NULL, &found) == 0) {
        check->ok = 1;
        snprintf(check->text, sizeof check->text, "ok (%.*s)", UTF8_CLIP(found.gl_pathv[0], 200));
        globfree(&found);
        return;
    }
    globfree(&found);
    if (getenv("WAYLAND_DISPLAY") || getenv("DISPLAY")) {
        check->ok = 1;
        snprintf(check->text, sizeof check->text,
                 "ok (a desktop session: run the kiosk "
                 "windowed, tilstede --windowed WxH)");
        return;
    }
    snprintf(check->text, sizeof check->text,
             "no display found (no /dev/dri/card*): connect the screen; on a Raspberry Pi "
             "check that dtoverlay=vc4-kms-v3d is in /boot/firmware/config.txt, then reboot");
}

static void check_clock(const struct config *cfg, struct check *check)
{
    if (clock_synced(clock_from_config(cfg))) {
        check->ok = 1;
        snprintf(check->text, sizeof check->text, "ok (synchronised)");
        return;
    }
    snprintf(check->text, sizeof check->text,
             "not synchronised: run 'timedatectl set-ntp true' and let the board reach a time "
             "server (timedatectl shows 'System clock synchronized: yes'); at a site without "
             "network, fit a battery clock module, set it, and set [clock] trust = always. "
             "Until then check-in times are held back and may reach the central flagged for "
             "review");
}

static void check_pin(const struct config *cfg, struct check *check)
{
    if (cfg->staff_pin_hash[0]) {
        check->ok = 1;
        snprintf(check->text, sizeof check->text, "ok (set)");
        return;
    }
    snprintf(check->text, sizeof check->text,
             "not set: staff cannot open staff mode; run 'sudo tilstedectl --config %.*s "
             "set-pin'",
             UTF8_CLIP(cfg->path, 300));
}

static void run_checks(struct provision *p)
{
    static const char *const items[CHECK_COUNT][2] = {
        {"card_key", "card key"}, {"reader", "reader"},       {"display", "display"},
        {"clock", "clock"},       {"staff_pin", "staff PIN"},
    };
    for (int i = 0; i < CHECK_COUNT; i++) {
        p->checks[i].item = items[i][0];
        p->checks[i].label = items[i][1];
    }
    check_card_key(&p->work, &p->checks[CHECK_CARD_KEY]);
    check_reader(&p->work, &p->checks[CHECK_READER]);
    check_display(&p->checks[CHECK_DISPLAY]);
    check_clock(&p->work, &p->checks[CHECK_CLOCK]);
    check_pin(&p->work, &p->checks[CHECK_PIN]);
}

/* --------------------------------------------------------------- output */

static void print_json(const struct provision *p)
{
    json_t *doc = json_pack("{s:b, s:o}", "ok", p->provisioned && !p->roster_failed, "error",
                            p->error[0] ? json_string(p->error) : json_null());
    if (doc && p->provisioned) {
        json_t *checks = json_array();
        for (int i = 0; i < CHECK_COUNT; i++)
            json_array_append_new(checks,
                                  json_pack("{s:s, s:b, s:s}", "item", p->checks[i].item, "ok",
                                            p->checks[i].ok, "text", p->checks[i].text));
        json_object_set_new(doc, "site",
                            json_pack("{s:s, s:s, s:s}", "id", p->site.site_id, "name",
                                      p->site.site_name, "kind", p->site.site_kind));
        json_object_set_new(doc, "device",
                            json_pack("{s:I, s:s}", "id", (json_int_t)p->site.device_id, "name",
                                      p->site.device_name));
        json_object_set_new(doc, "config", json_string(p->work.path));
        json_object_set_new(doc, "token_file", json_string(p->work.token_file));
        json_object_set_new(doc, "roster",
                            p->roster_failed
                                ? json_null()
                                : json_pack("{s:I, s:I, s:I}", "volunteers",
                                            (json_int_t)p->roster.roster_volunteers, "cards",
                                            (json_int_t)p->roster.roster_cards, "activities",
                                            (json_int_t)p->roster.roster_activities));
        json_object_set_new(doc, "checklist", checks);
    }
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(doc);
}

static void print_text(const struct provision *p)
{
    if (!p->provisioned) {
        fprintf(stderr, "tilstedectl provision: %s\n", p->error);
        return;
    }
    printf("Provisioned: device \"%s\" (number %lld on the central) at %s (%s)\n",
           p->site.device_name, (long long)p->site.device_id, p->site.site_name, p->site.site_id);
    printf("  configuration: %s ([site] id, name; [sync] central_url%s)\n", p->work.path,
           p->ca_file ? ", ca_file" : "");
    printf("  device token:  %s\n", p->work.token_file);
    if (p->roster_failed)
        fprintf(stderr, "tilstedectl provision: %s\n", p->error);
    else
        printf("  roster:        %lld volunteers, %lld cards, %lld activities\n",
               (long long)p->roster.roster_volunteers, (long long)p->roster.roster_cards,
               (long long)p->roster.roster_activities);
    printf("\nChecklist:\n");
    int open = 0;
    for (int i = 0; i < CHECK_COUNT; i++) {
        printf("  %-10s %s\n", p->checks[i].label, p->checks[i].text);
        open += !p->checks[i].ok;
    }
    if (open)
        printf("\n%d item%s to do above. ", open, open == 1 ? "" : "s");
    else
        printf("\n");
    printf("Then restart the kiosk: sudo systemctl restart tilstede\n");
}

/* ----------------------------------------------------------------- main */

int ctl_provision(struct config *cfg, int json, int argc, char **argv)
{
    struct provision *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "tilstedectl provision: out of memory\n");
        return CTL_PROVISION_FAILED;
    }
    int code = parse_args(p, argc, argv);
    if (code)
        goto out;
    char err[600];
    code = CTL_PROVISION_USAGE;
    if (!cfg->path[0]) {
        refuse("", "provision writes the site into the configuration file: give "
                   "--config FILE (before 'provision', e.g. tilstedectl --config "
                   "/etc/tilstede/tilstede.conf provision ...)");
        goto out;
    }
    if (uploader_check_url(p->central, err, sizeof err)) {
        refuse("--central: ", err);
        goto out;
    }
    p->work = *cfg;
    if (config_set(&p->work, "sync", "central_url", p->central, err, sizeof err) ||
        (p->ca_file && config_set(&p->work, "sync", "ca_file", p->ca_file, err, sizeof err))) {
        refuse("", err);
        goto out;
    }
    if (p->ca_file && access(p->ca_file, R_OK) != 0) {
        snprintf(err, sizeof err, "--ca-file %.*s: %s", UTF8_CLIP(p->ca_file, 300),
                 strerror(errno));
        refuse("", err);
        goto out;
    }
    if (!p->work.token_file[0]) {
        refuse("", "[sync] token_file is empty: set it to where the kiosk keeps its "
                   "token, e.g. /var/lib/tilstede/device.token");
        goto out;
    }

    /* Nothing is written until the central has accepted the token: a
     * wrong token leaves the kiosk as it was. */
    code = CTL_PROVISION_FAILED;
    if (token_check_existing(p) || token_stage(p))
        goto report;
    char token_file[sizeof p->work.token_file];
    snprintf(token_file, sizeof token_file, "%s", p->work.token_file);
    snprintf(p->work.token_file, sizeof p->work.token_file, "%s", p->token_staged);
    int rc = uploader_fetch_site(&p->work, NULL, &p->site, err, sizeof err);
    snprintf(p->work.token_file, sizeof p->work.token_file, "%s", token_file);
    if (rc == -EACCES) {
        snprintf(p->error, sizeof p->error,
                 "the central at %.*s refused the token (wrong or revoked): copy it again "
                 "from the output of 'tilstede-central device add SITE --name NAME', or make a "
                 "new one there. Nothing was changed on this kiosk",
                 UTF8_CLIP(p->central, 200));
        goto report;
    } else if (rc) {
        snprintf(p->error, sizeof p->error, "%.*s. Nothing was changed on this kiosk",
                 UTF8_CLIP(err, 700));
        goto report;
    }
    struct config check = p->work;
    if (config_set(&check, "site", "id", p->site.site_id, err, sizeof err) ||
        config_set(&check, "site", "name", p->site.site_name, err, sizeof err)) {
        snprintf(p->error, sizeof p->error,
                 "the central's site does not fit this kiosk's configuration: %.*s",
                 UTF8_CLIP(err, 600));
        goto report;
    }
    if (token_commit(p) || write_config(p, &p->work))
        goto report;
    *cfg = p->work;
    p->provisioned = 1;

    if (forget_roster_cursor(p) == 0 && uploader_sync_now(&p->work, clock_from_config(&p->work),
                                                          NULL, &p->roster, err, sizeof err) != 0)
        utf8_copy_clean(p->error, sizeof p->error, err);
    if (p->error[0]) {
        char reason[sizeof p->error];
        snprintf(reason, sizeof reason, "%s", p->error);
        snprintf(p->error, sizeof p->error,
                 "provisioned, but the roster did not come: %.*s; fix that and run "
                 "'tilstedectl sync'",
                 UTF8_CLIP(reason, 850));
        p->roster_failed = 1;
    }
    /* The database and its journal may have been made now, by root. */
    char path[CONFIG_PATH_MAX + 8];
    give_to_directory_owner(p->work.database);
    snprintf(path, sizeof path, "%s-wal", p->work.database);
    give_to_directory_owner(path);
    snprintf(path, sizeof path, "%s-shm", p->work.database);
    give_to_directory_owner(path);
    run_checks(p);
    code = p->roster_failed ? CTL_PROVISION_FAILED : CTL_PROVISION_OK;
report:
    if (json)
        print_json(p);
    else
        print_text(p);
out:
    if (p->token_staged[0])
        unlink(p->token_staged);
    free(p);
    return code;
}
