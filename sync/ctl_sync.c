/* `tilstedectl sync` (ctl_sync.h): the uploader's synchronous run, and
 * what the kiosk's screen shows about it, for staff and scripts. */
#include "ctl_sync.h"

#include <errno.h>
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
    fprintf(stderr,
            "usage: tilstedectl [--json] sync [--status | --now | --refused [--ack] |\n"
            "                                  --retry-refused [EVENT_ID...]]\n"
            "  uploads the events waiting to the central now and shows\n"
            "  the time of the last successful upload;\n"
            "  --status  only show it, upload nothing\n"
            "  --now     send even though the central asked to wait (Retry-After)\n"
            "  --refused list the events the central refused, with its reasons;\n"
            "            with --ack, staff have seen them: they are no longer\n"
            "            counted as new (here, in status and on the staff menu)\n"
            "  --retry-refused [EVENT_ID...]\n"
            "            when the refusal was the central's fault (a proxy, a bug\n"
            "            since fixed, a site it did not know yet): put the refused\n"
            "            events (all, or those named) back among the waiting, so\n"
            "            the next sync sends them again; an id that is not a\n"
            "            refused event changes nothing\n");
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

void ctl_sync_state_print(const struct ctl_sync_state *state, const char *indent)
{
    if (state->refused > 0)
        printf("%sRefused by the central: %" PRId64 " event%s, %" PRId64
               " not yet seen by staff (tilstedectl sync --refused)\n",
               indent, state->refused, state->refused == 1 ? "" : "s", state->refused_unseen);
    if (state->token_refused_us) {
        char when[64] = "an unknown time";
        if (state->token_refused_us > 1)
            local_time(state->token_refused_us, when, sizeof when);
        printf("%sToken refused:          by the central at %s (401); nothing is sent until "
               "[sync] token_file holds a new token\n",
               indent, when);
    }
}

int ctl_sync_state_read(const struct config *cfg, struct ctl_sync_state *state, char *err,
                        size_t errlen)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    memset(state, 0, sizeof *state);
    int rc = store_open(cfg->database, &store, err, errlen);
    if (rc)
        goto out;
    if ((rc = outbox_open(store, &outbox, err, errlen)))
        goto out;
    state->last_upload_us = outbox_state_int(outbox, OUTBOX_LAST_UPLOAD);
    state->waiting = outbox_pending(outbox);
    state->refused = outbox_rejected(outbox);
    state->refused_unseen = outbox_refused_unseen(outbox);
    char refused_token[OUTBOX_STATE_MAX];
    outbox_state_get(outbox, OUTBOX_TOKEN_REFUSED, refused_token, sizeof refused_token);
    if (refused_token[0])
        state->token_refused_us = outbox_state_int(outbox, OUTBOX_TOKEN_REFUSED_AT);
    if (refused_token[0] && state->token_refused_us <= 0)
        state->token_refused_us = 1; /* refused before the time was kept */
    outbox_state_get(outbox, OUTBOX_LAST_ERROR, state->last_error, sizeof state->last_error);
    if (state->waiting < 0 || state->refused < 0 || state->refused_unseen < 0) {
        snprintf(err, errlen, "counting the events waiting or refused: %s",
                 outbox_errmsg(outbox));
        rc = -1;
    }
out:
    outbox_close(outbox);
    store_close(store);
    return rc;
}


/* `sync --refused [--ack]`: the events the central refused, and why. */
static int refused_list(const struct config *cfg, int json, int ack)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    struct outbox_refusal *rows = NULL;
    char err[600] = "";
    int rc = store_open(cfg->database, &store, err, sizeof err), count = 0, acked = 0;
    if (rc || (rc = outbox_open(store, &outbox, err, sizeof err)))
        goto out;
    if ((count = outbox_refused_list(outbox, &rows)) < 0 ||
        (ack && (acked = outbox_refused_ack(outbox)) < 0)) {
        snprintf(err, sizeof err, "%s", outbox_errmsg(outbox));
        rc = -1;
        goto out;
    }
    int unseen = 0;
    for (int i = 0; i < count; i++)
        unseen += !rows[i].seen;
    if (json) {
        json_t *list = json_array();
        for (int i = 0; i < count; i++) {
            const struct outbox_refusal *r = &rows[i];
            char at[PROTOCOL_TIME_LEN + 1] = "", refused_at[PROTOCOL_TIME_LEN + 1] = "";
            protocol_time_format(r->at_us, at);
            if (r->refused_us > 0)
                protocol_time_format(r->refused_us, refused_at);
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s?, s:s, s:o, s:i, s:s, s:s, s:b}", "event_id",
                                r->event_id, "kind", event_kind_name(r->kind), "volunteer",
                                r->volunteer[0] ? r->volunteer : NULL, "at", at, "refused_at",
                                refused_at[0] ? json_string(refused_at) : json_null(),
                                "status", r->status, "code", r->code, "reason", r->reason,
                                "seen", r->seen || ack));
        }
        json_t *doc = json_pack("{s:o, s:i, s:i}", "refused", list, "unseen", ack ? 0 : unseen,
                                "acknowledged", acked);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(doc);
        goto out;
    }
    if (count == 0)
        printf("The central has refused no events.\n");
    else
        printf("Refused by the central: %d event%s (%d not yet seen by staff); they are kept "
               "here and never sent again:\n",
               count, count == 1 ? "" : "s", unseen);
    for (int i = 0; i < count; i++) {
        const struct outbox_refusal *r = &rows[i];
        char at[64];
        local_time(r->at_us, at, sizeof at);
        printf("  %s  %-12s %-10s %s%s\n      %d %s: %s\n", at, event_kind_name(r->kind),
               r->volunteer[0] ? r->volunteer : "-", r->event_id, r->seen ? "" : "  (new)",
               r->status, r->code[0] ? r->code : "-", r->reason);
    }
    if (ack)
        printf("%d refused event%s marked as seen by staff.\n", acked, acked == 1 ? "" : "s");
    else if (unseen)
        printf("When staff have seen them: tilstedectl sync --refused --ack\n");
out:
    if (rc)
        fprintf(stderr, "tilstedectl sync: %s\n", err);
    free(rows);
    outbox_close(outbox);
    store_close(store);
    return rc ? CTL_SYNC_FAILED : CTL_SYNC_OK;
}

/* `sync --retry-refused [EVENT_ID...]`: the refused events (all, or those
 * named) back in the outbox; one transaction, so a bad list changes nothing. */
static int refused_retry(const struct config *cfg, int json, const char *const *ids,
                         size_t count)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    char err[600] = "";
    int rc = store_open(cfg->database, &store, err, sizeof err), put_back = 0, code = CTL_SYNC_OK;
    if (rc || (rc = outbox_open(store, &outbox, err, sizeof err))) {
        code = CTL_SYNC_FAILED;
        goto out;
    }
    if ((put_back = outbox_refused_retry(outbox, ids, count)) < 0) {
        snprintf(err, sizeof err, "%s", outbox_errmsg(outbox));
        code = put_back == -ENOENT ? CTL_SYNC_NOT_FOUND : CTL_SYNC_FAILED;
        goto out;
    }
    if (json) {
        json_t *doc = json_pack("{s:i}", "put_back", put_back);
        if (doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0)
            printf("\n");
        json_decref(doc);
    } else if (put_back == 0)
        printf("The central has refused no events: none put back.\n");
    else
        printf("%d refused event%s put back among the waiting; the next sync sends %s again "
               "(tilstedectl sync).\n",
               put_back, put_back == 1 ? "" : "s", put_back == 1 ? "it" : "them");
out:
    if (code != CTL_SYNC_OK)
        fprintf(stderr, "tilstedectl sync: %s\n", err);
    outbox_close(outbox);
    store_close(store);
    return code;
}

int ctl_sync(const struct config *cfg, int json, int argc, char **argv)
{
    int upload = 1, now = 0, refused = 0, ack = 0, retry = 0;
    const char **ids = calloc(argc > 0 ? (size_t)argc : 1, sizeof *ids);
    size_t id_count = 0;
    if (!ids) {
        fprintf(stderr, "tilstedectl sync: out of memory\n");
        return CTL_SYNC_FAILED;
    }
    for (int i = 0; i < argc; i++) {
        if (i == 0 && strcmp(argv[i], "sync") == 0)
            continue; /* tolerate the command name itself */
        if (strcmp(argv[i], "--status") == 0) {
            upload = 0;
        } else if (strcmp(argv[i], "--now") == 0) {
            now = 1;
        } else if (strcmp(argv[i], "--refused") == 0) {
            refused = 1;
        } else if (strcmp(argv[i], "--ack") == 0) {
            ack = 1;
        } else if (strcmp(argv[i], "--retry-refused") == 0) {
            retry = 1;
        } else if (retry && argv[i][0] != '-') {
            ids[id_count++] = argv[i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "tilstedectl sync: unknown argument '%s'\n", argv[i]);
            goto usage;
        }
    }
    if (ack && !refused) {
        fprintf(stderr, "tilstedectl sync: --ack goes with --refused\n");
        goto usage;
    }
    if (retry && (refused || !upload || now)) {
        fprintf(stderr, "tilstedectl sync: --retry-refused goes alone (with event ids)\n");
        goto usage;
    }
    if (retry || refused) {
        int code = retry ? refused_retry(cfg, json, ids, id_count) : refused_list(cfg, json, ack);
        free(ids);
        return code;
    }
    free(ids);
    char err[1024] = "", last_error[OUTBOX_STATE_MAX] = "";
    int64_t uploaded = 0, fetched = 0, corrections = 0, next_attempt_us = 0;
    int failed = 0;
    struct ctl_sync_state state;
    if (ctl_sync_state_read(cfg, &state, err, sizeof err)) {
        failed = 1;
    } else if (upload) {
        struct uploader_result result;
        struct uploader_tuning tuning = {.ignore_retry_after = now};
        failed = uploader_sync_now(cfg, clock_from_config(cfg), &tuning, &result, err,
                                   sizeof err) != 0;
        next_attempt_us = result.next_attempt_us;
        uploaded = result.uploaded;
        fetched = result.fetched;
        corrections = result.corrections;
        snprintf(last_error, sizeof last_error, "%.*s", (int)sizeof last_error - 1, err);
        /* Read what is waiting from the database again: a run that failed
         * early never counted, and its zero must not be shown as "none". */
        char reread_err[256];
        struct ctl_sync_state reread;
        if (ctl_sync_state_read(cfg, &reread, reread_err, sizeof reread_err) == 0)
            state = reread;
    } else {
        snprintf(last_error, sizeof last_error, "%s", state.last_error);
    }
    int64_t last_us = state.last_upload_us, waiting = state.waiting;
    if (json) {
        char when[PROTOCOL_TIME_LEN + 1];
        char token_when[PROTOCOL_TIME_LEN + 1];
        json_t *doc = json_pack(
            "{s:b, s:o, s:I, s:o, s:o, s:I, s:I, s:b, s:o, s:o}", "ok", !failed, "last_upload",
            last_us > 0 && protocol_time_format(last_us, when) == 0 ? json_string(when)
                                                                   : json_null(),
            "events_waiting", (json_int_t)waiting, "uploaded",
            upload ? json_integer(uploaded) : json_null(), "error",
            failed || last_error[0] ? json_string(failed ? err : last_error) : json_null(),
            "events_refused", (json_int_t)state.refused, "events_refused_unseen",
            (json_int_t)state.refused_unseen, "token_refused", state.token_refused_us != 0,
            "token_refused_at",
            state.token_refused_us > 1 &&
                    protocol_time_format(state.token_refused_us, token_when) == 0
                ? json_string(token_when)
                : json_null(),
            "corrections_fetched", upload ? json_integer(corrections) : json_null());
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
        if (corrections > 0)
            printf("Corrected centrally:   %" PRId64 " visits (end times set on the central)\n",
                   corrections);
        printf("Last successful upload: %s\n", when);
        printf("Events waiting:         %" PRId64 "\n", waiting);
        ctl_sync_state_print(&state, "");
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
usage:
    free(ids);
    usage();
    return CTL_SYNC_USAGE;
}
