/* tilstede: the check-in kiosk program. Reads the config, checks the
 * database (recovering it from a backup when damaged), opens the core
 * (store, rules), the card reader, the screen and the uploader, in that
 * order, runs the screen until asked to stop (SIGTERM, SIGINT, closing the
 * window) and closes them in reverse. `tilstede --demo` runs on a throwaway
 * demo site. Under systemd it says READY=1 once the screen shows and feeds
 * the watchdog from the screen's loop, so a wedged screen is restarted. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "demo.h"
#include "kiosk.h"
#include "reader.h"
#include "recovery.h"
#include "ui.h"
#include "uploader.h"

#define DEMO_SITE_NAME "Solsiden helsehus (demo)"
#define DEMO_PIN       "1234"

struct app {
    struct config config;
    struct kiosk *kiosk;
    struct reader *reader;
    struct ui *ui;
    struct uploader *uploader; /* NULL without a central */
    uint64_t watchdog_usec;    /* systemd's WatchdogSec, 0 = none */
    int64_t watchdog_fed_us;
    char demo_dir[64]; /* the demo's temporary directory, "" when not a demo */
    /* The reader's thread calls in while the ui may not exist yet (or no
     * longer): the lock makes "is there a ui" and "post to it" one step. */
    pthread_mutex_t lock;
    struct ui *live_ui;
    enum reader_state early_state;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tilstede [--config FILE] [--db FILE] [--reader CONNSTRING] [--windowed WxH]\n"
            "       tilstede --demo [--windowed WxH]\n"
            "\n"
            "  --config FILE       the configuration (default " CONFIG_DEFAULT_PATH ")\n"
            "  --db FILE           the database, instead of the config's [store] database;\n"
            "                      the card key is FILE's directory/card.key unless the\n"
            "                      config names [store] card_key\n"
            "  --reader CONNSTRING the card reader, instead of the config's: a libnfc\n"
            "                      connection string (pn532_uart:/dev/ttyS0) or \"sim\"\n"
            "  --windowed WxH      run in a window of that size (development)\n"
            "  --demo              a demo site in a fresh temporary database, with a\n"
            "                      simulated reader: F1..F4 tap four volunteers' cards,\n"
            "                      F5 an unknown card; the staff PIN is " DEMO_PIN "\n"
            "  --version, --help\n");
}

static void on_tap(void *user, const uint8_t *uid, size_t uid_len)
{
    struct app *app = user;
    pthread_mutex_lock(&app->lock);
    if (app->live_ui)
        ui_post_tap(app->live_ui, uid, uid_len);
    pthread_mutex_unlock(&app->lock);
}

static void on_state(void *user, enum reader_state state, const char *detail)
{
    struct app *app = user;
    /* detail is for logs: never card data (see reader.h). */
    fprintf(stderr, "tilstede: card reader %s%s%s\n", reader_state_name(state),
            detail && *detail ? ": " : "", detail ? detail : "");
    pthread_mutex_lock(&app->lock);
    if (app->live_ui)
        ui_post_reader_state(app->live_ui, state);
    else
        app->early_state = state;
    if (app->uploader)
        uploader_set_reader_state(app->uploader, state);
    pthread_mutex_unlock(&app->lock);
}

/* The uploader's thread: post to the screen's status line. */
static void on_upload_status(void *user, const struct uploader_status *status)
{
    struct app *app = user;
    struct ui_upload_status shown = {
        .configured = 1,
        .online = status->state == UPLOADER_ONLINE,
        .last_success_us = status->last_success_us,
        .waiting = status->events_waiting < 0 ? 0 : (int)status->events_waiting,
    };
    pthread_mutex_lock(&app->lock);
    if (app->live_ui)
        ui_post_upload_status(app->live_ui, &shown);
    pthread_mutex_unlock(&app->lock);
}

/* The screen's thread, after a check-in or any other event: send soon. */
static void on_recorded(void *user)
{
    struct app *app = user;
    if (app->uploader)
        uploader_kick(app->uploader);
}

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The screen's loop wakes at least every few tens of milliseconds; feeding
 * the watchdog from there means a wedged screen stops feeding it. */
static void on_tick(void *user)
{
    struct app *app = user;
    if (!app->watchdog_usec)
        return;
    int64_t now = monotonic_us();
    if (now - app->watchdog_fed_us >= (int64_t)(app->watchdog_usec / 4)) {
        sd_notify(0, "WATCHDOG=1");
        app->watchdog_fed_us = now;
    }
}

static void demo_key(void *user, int index)
{
    struct app *app = user;
    if (index >= 0 && index < DEMO_CARD_COUNT && app->reader)
        reader_inject(app->reader, demo_card_uid[index], DEMO_UID_LEN);
}

static int demo_config(struct app *app, char *err, size_t errlen)
{
    snprintf(app->demo_dir, sizeof app->demo_dir, "/tmp/tilstede-demo-XXXXXX");
    if (!mkdtemp(app->demo_dir)) {
        snprintf(err, errlen, "cannot make a demo directory: %s", strerror(errno));
        app->demo_dir[0] = '\0';
        return -1;
    }
    struct config *cfg = &app->config;
    snprintf(cfg->site_name, sizeof cfg->site_name, "%s", DEMO_SITE_NAME);
    snprintf(cfg->site_id, sizeof cfg->site_id, "demo");
    snprintf(cfg->reader, sizeof cfg->reader, "sim");
    snprintf(cfg->database, sizeof cfg->database, "%s/tilstede.db", app->demo_dir);
    snprintf(cfg->card_key, sizeof cfg->card_key, "%s/card.key", app->demo_dir);
    if (sodium_init() < 0 ||
        kiosk_hash_pin(DEMO_PIN, cfg->staff_pin_hash, sizeof cfg->staff_pin_hash) != 0) {
        snprintf(err, errlen, "cannot make the demo PIN");
        return -1;
    }
    return 0;
}

static void demo_cleanup(struct app *app)
{
    if (!app->demo_dir[0])
        return;
    /* The database, its journal files and the card key: nothing else lives here. */
    static const char *const files[] = {"tilstede.db", "tilstede.db-wal", "tilstede.db-shm",
                                        "tilstede.db-journal", "card.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", app->demo_dir, files[i]);
        unlink(path);
    }
    if (rmdir(app->demo_dir) < 0)
        fprintf(stderr, "tilstede: %s left behind: %s\n", app->demo_dir, strerror(errno));
}

static int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
        {"reader", required_argument, NULL, 'r'}, {"windowed", required_argument, NULL, 'w'},
        {"demo", no_argument, NULL, 'D'},         {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *db = NULL, *reader_conn = NULL;
    int demo = 0, width = 0, height = 0, rc = 1;
    char err[512] = "";
    for (int opt; (opt = getopt_long(argc, argv, "", options, NULL)) != -1;) {
        switch (opt) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'r':
            reader_conn = optarg;
            break;
        case 'D':
            demo = 1;
            break;
        case 'w':
            if (sscanf(optarg, "%dx%d", &width, &height) != 2 || width < 200 || height < 200 ||
                width > 8192 || height > 8192) {
                fprintf(stderr, "tilstede: --windowed %s: give a size like 1280x800\n", optarg);
                return 2;
            }
            break;
        case 'V':
            printf("tilstede %s\n", TILSTEDE_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tilstede: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    /* libcurl's global state, before any thread exists (the uploader's). */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "tilstede: libcurl could not start\n");
        return 1;
    }
    struct app app;
    memset(&app, 0, sizeof app);
    pthread_mutex_init(&app.lock, NULL);
    app.early_state = READER_STARTING;

    /* 1. config */
    config_defaults(&app.config);
    if (config_path || !demo) {
        const char *path = config_path ? config_path : CONFIG_DEFAULT_PATH;
        if (config_load(&app.config, path, err, sizeof err) < 0) {
            fprintf(stderr, "tilstede: %s\n%s", err,
                    config_path ? "" : "(try `tilstede --demo` to see it without a config)\n");
            goto out;
        }
    }
    if (demo && demo_config(&app, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: %s\n", err);
        goto out;
    }
    if (db && config_use_database(&app.config, db, err, sizeof err)) {
        fprintf(stderr, "tilstede: --db: %s\n", err);
        goto out;
    }
    if (reader_conn)
        snprintf(app.config.reader, sizeof app.config.reader, "%s", reader_conn);

    /* 2. the database: checked, and restored from the newest good backup
     * when damaged (the damaged file is kept aside). */
    struct recovery_report recovery = {.action = RECOVERY_NONE};
    if (!demo) {
        if (recovery_prepare(&app.config, NULL, &recovery, err, sizeof err) < 0) {
            fprintf(stderr, "tilstede: %s\n", err);
            rc = 5;
            goto out;
        }
        if (recovery.action == RECOVERY_RESTORED)
            fprintf(stderr, "tilstede: %s\n", recovery.message);
    }

    /* 3. kiosk */
    const struct clock_source *clock = clock_from_config(&app.config);
    if (kiosk_open(&app.config, clock, &app.kiosk, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: %s\n", err);
        goto out;
    }
    /* Told on screen and to the central until staff and the fetch are done. */
    if (recovery.action == RECOVERY_RESTORED &&
        kiosk_recovery_record(app.kiosk, recovery.backup_us, recovery.skipped_backups) < 0)
        fprintf(stderr, "tilstede: recording the restore: %s\n", kiosk_errmsg(app.kiosk));
    if (demo && demo_populate(app.kiosk, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: demo: %s\n", err);
        goto out;
    }

    /* 4. ui */
    struct ui_options ui_options = {
        .width = width,
        .height = height,
        .assets_dir = getenv("TILSTEDE_ASSETS")                  ? getenv("TILSTEDE_ASSETS")
                      : dir_exists(TILSTEDE_ASSETS_DIR "/fonts") ? TILSTEDE_ASSETS_DIR
                                                                 : TILSTEDE_BUILD_ASSETS_DIR,
        .locale_dir =
            dir_exists(TILSTEDE_BUILD_LOCALE_DIR) ? TILSTEDE_BUILD_LOCALE_DIR : TILSTEDE_LOCALE_DIR,
        .demo_key = demo ? demo_key : NULL,
        .demo_user = &app,
        .recorded = on_recorded,
        .tick = on_tick,
        .hook_user = &app,
    };
    if (ui_open(app.kiosk, clock, &ui_options, &app.ui, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: screen: %s\n", err);
        goto out;
    }
    pthread_mutex_lock(&app.lock);
    app.live_ui = app.ui;
    pthread_mutex_unlock(&app.lock);

    /* 5. reader, after the screen: a tap needs a screen to go to (one
     * opened earlier could be lost during start). A missing reader is not
     * fatal: the screen says so and names still work. */
    struct reader_callbacks callbacks = {on_tap, on_state, &app};
    if (reader_open(app.config.reader, &callbacks, &app.reader, err, sizeof err) < 0) {
        fprintf(stderr, "tilstede: card reader: %s\n", err);
        app.reader = NULL;
        app.early_state = READER_DISCONNECTED;
    }

    pthread_mutex_lock(&app.lock);
    ui_post_reader_state(app.ui, app.reader ? reader_state(app.reader) : app.early_state);
    pthread_mutex_unlock(&app.lock);

    /* 6. uploader: only with a central; offline is a normal state, so a
     * failure to start is told and the kiosk goes on counting. */
    if (!demo && app.config.central_url[0]) {
        struct uploader_callbacks upload_callbacks = {on_upload_status, &app};
        struct uploader *uploader = NULL;
        if (uploader_start(&app.config, clock, &upload_callbacks, &uploader, err, sizeof err) < 0)
            fprintf(stderr, "tilstede: upload: %s\n", err);
        pthread_mutex_lock(&app.lock);
        app.uploader = uploader;
        /* The reader spoke before the uploader existed. */
        if (uploader)
            uploader_set_reader_state(uploader,
                                      app.reader ? reader_state(app.reader) : app.early_state);
        pthread_mutex_unlock(&app.lock);
    }

    if (sd_watchdog_enabled(0, &app.watchdog_usec) <= 0)
        app.watchdog_usec = 0;
    sd_notify(0, "READY=1");
    if (demo)
        fprintf(stderr,
                "tilstede: demo site in %s: F1..F4 tap a volunteer's card, F5 an unknown card; "
                "staff PIN %s\n",
                app.demo_dir, DEMO_PIN);

    /* SDL turns SIGTERM and SIGINT into SDL_QUIT (its handlers are set in
     * ui_open); the loop sees it within one input poll. */
    rc = ui_run(app.ui) < 0 ? 1 : 0;

out:
    /* Unwind in reverse: the uploader, the reader, then the ui, which
     * stops taking posts before it goes. */
    sd_notify(0, "STOPPING=1");
    if (app.uploader) {
        struct uploader *uploader = app.uploader;
        pthread_mutex_lock(&app.lock);
        app.uploader = NULL;
        pthread_mutex_unlock(&app.lock);
        uploader_stop(uploader);
    }
    if (app.reader)
        reader_close(app.reader);
    pthread_mutex_lock(&app.lock);
    app.live_ui = NULL;
    pthread_mutex_unlock(&app.lock);
    ui_close(app.ui);
    if (app.kiosk)
        kiosk_close(app.kiosk);
    demo_cleanup(&app);
    sodium_memzero(app.config.staff_pin_hash, sizeof app.config.staff_pin_hash);
    pthread_mutex_destroy(&app.lock);
    curl_global_cleanup();
    return rc;
}
