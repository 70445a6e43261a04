/* `tilstedectl sync` (ctl_sync.h): the uploader's synchronous run, and
 * what the kiosk's screen shows about it, for staff and scripts. */
#include "ctl_sync.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "outbox.h"
#include "protocol.h"
#include "store.h"
#include "uploader.h"

#define US_PER_S INT64_C(1000000)

static void usage(void)
{
    fprintf(stderr, "usage: tilstedectl [--json] sync [--status | --now]\n"
                    "  uploads the events waiting to the central now and shows\n"
                    "  the time of the last successful upload;\n"
                    "  --status  only show it, upload nothing\n"
                    "  --now     send even though the central asked to wait (Retry-After)\n");
}

/* What is on record in the store, without the network. */
static int read_state(const struct config *cfg, int64_t *last_us, int64_t *waiting,
                      char *last_error, size_t cap, char *err, size_t errlen)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    int rc = store_open(cfg->database, &store, err, errlen);
    if (rc)
        goto out;
    if ((rc = outbox_open(store, &outbox, err, errlen)))
        goto out;
    *last_us = outbox_state_int(outbox, OUTBOX_LAST_UPLOAD);
    *waiting = outbox_pending(outbox);
    outbox_state_get(outbox, OUTBOX_LAST_ERROR, last_error, cap);
    if (*waiting < 0) {
        snprintf(err, errlen, "counting the events waiting: %s", outbox_errmsg(outbox));
        rc = -1;
    }
out:
    outbox_close(outbox);
    store_close(store);
    return rc;
}

static void local_time(int64_t us, char *out, size_t cap)
{
    if (us <= 0) {
        snprintf(out, cap, "never");
        return;
    }
    time_t t = (time_t)(us / US_PER_S);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

int ctl_sync(const struct config *cfg, int json, int argc, char **argv)
{
    int upload = 1, now = 0;
    for (int i = 0; i < argc; i++) {
        if (i == 0 && strcmp(argv[i], "sync") == 0)
            continue; /* tolerate the command name itself */
        if (strcmp(argv[i], "--status") == 0) {
            upload = 0;
        } else if (strcmp(argv[i], "--now") == 0) {
            now = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "tilstedectl sync: unknown argument '%s'\n", argv[i]);
            usage();
            return CTL_SYNC_USAGE;
        }
    }
    char err[1024] = "", last_error[OUTBOX_STATE_MAX] = "";
    int64_t last_us = 0, waiting = 0, uploaded = 0, fetched = 0, next_attempt_us = 0;
    int failed = 0;
    if (read_state(cfg, &last_us, &waiting, last_error, sizeof last_error, err, sizeof err)) {
        failed = 1;
    } else if (upload) {
        struct uploader_result result;
        struct uploader_tuning tuning = {.ignore_retry_after = now};
        failed = uploader_sync_now(cfg, clock_from_config(cfg), &tuning, &result, err,
                                   sizeof err) != 0;
        next_attempt_us = result.next_attempt_us;
        uploaded = result.uploaded;
        fetched = result.fetched;
        snprintf(last_error, sizeof last_error, "%.*s", (int)sizeof last_error - 1, err);
        /* Read what is waiting from the database again: a run that failed
         * early never counted, and its zero must not be shown as "none". */
        char reread_err[256], reread_last[OUTBOX_STATE_MAX];
        int64_t reread_last_us = 0, reread_waiting = 0;
        if (read_state(cfg, &reread_last_us, &reread_waiting, reread_last, sizeof reread_last,
                       reread_err, sizeof reread_err) == 0) {
            last_us = reread_last_us;
            waiting = reread_waiting;
        }
    }
    if (json) {
        char when[PROTOCOL_TIME_LEN + 1];
        json_t *doc = json_pack(
            "{s:b, s:o, s:I, s:o, s:o}", "ok", !failed, "last_upload",
            last_us > 0 && protocol_time_format(last_us, when) == 0 ? json_string(when)
                                                                   : json_null(),
            "events_waiting", (json_int_t)waiting, "uploaded",
            upload ? json_integer(uploaded) : json_null(), "error",
            failed || last_error[0] ? json_string(failed ? err : last_error) : json_null());
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(doc);
    } else {
        char when[64];
        local_time(last_us, when, sizeof when);
        if (fetched > 0)
            printf("Fetched back:           %" PRId64 " events (after the restore from backup)\n",
                   fetched);
        if (upload && !failed)
            printf("Uploaded now:          %" PRId64 " events\n", uploaded);
        printf("Last successful upload: %s\n", when);
        printf("Events waiting:         %" PRId64 "\n", waiting);
        if (!failed && waiting > 0 && !clock_synced(clock_from_config(cfg)))
            printf("Waiting for the clock:  this kiosk's clock is not known to be right "
                   "(no time synchronisation), so events recorded now are held up to %d "
                   "minutes to have their times corrected, then go flagged for review. If "
                   "the clock is right (a battery clock set by IT), set [clock] trust = always.\n",
                   (int)(OUTBOX_UNSYNCED_HOLD_US / 60000000));
        if (next_attempt_us > 0 && next_attempt_us > clock_wall(clock_from_config(cfg))) {
            char next[64];
            local_time(next_attempt_us, next, sizeof next);
            printf("Next attempt:           %s (the central asked to wait)\n", next);
        }
        if (failed)
            fprintf(stderr, "tilstedectl sync: %s\n", err);
        else if (last_error[0])
            printf("Last error:             %s\n", last_error);
    }
    return failed ? CTL_SYNC_FAILED : CTL_SYNC_OK;
}
