/* `tilstedectl sync`: shows the time of the last successful upload and
 * how many events wait, then uploads now until nothing waits or an error. */
#ifndef TILSTEDE_CTL_SYNC_H
#define TILSTEDE_CTL_SYNC_H

#include <stdint.h>

#include "config.h"
#include "outbox.h"

#define CTL_SYNC_OK 0
#define CTL_SYNC_FAILED 1
#define CTL_SYNC_USAGE 2
#define CTL_SYNC_NOT_FOUND 3 /* --retry-refused: an id that is not a refused event */

/* What the store says of the upload, without the network: for `sync
 * --status` and `tilstedectl status`. */
struct ctl_sync_state {
    int64_t last_upload_us; /* 0 = never */
    int64_t waiting;
    int64_t refused;          /* refused by the central, kept on the kiosk */
    int64_t refused_unseen;   /* of those, not yet acknowledged by staff */
    int64_t token_refused_us; /* the central refuses the token since then (401); 0 = not */
    char last_error[OUTBOX_STATE_MAX];
};
int ctl_sync_state_read(const struct config *cfg, struct ctl_sync_state *state, char *err,
                        size_t errlen);
/* The lines of it that say something is wrong (refused events, a refused
 * token), each after indent; nothing when all is well. */
void ctl_sync_state_print(const struct ctl_sync_state *state, const char *indent);

/* argv holds the arguments after "sync": none, --status (show only, upload
 * nothing), --now, --refused [--ack] or --retry-refused [EVENT_ID...].
 * json: one JSON object on stdout. Returns the exit code. */
int ctl_sync(const struct config *cfg, int json, int argc, char **argv);

#endif
