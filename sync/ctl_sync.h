/* `tilstedectl sync`: shows the time of the last successful upload and
 * how many events wait, then uploads now until nothing waits or an error. */
#ifndef TILSTEDE_CTL_SYNC_H
#define TILSTEDE_CTL_SYNC_H

#include "config.h"

#define CTL_SYNC_OK 0
#define CTL_SYNC_FAILED 1
#define CTL_SYNC_USAGE 2

/* argv holds the arguments after "sync": none, or --status (show only,
 * upload nothing). json: one JSON object on stdout. Returns the exit code. */
int ctl_sync(const struct config *cfg, int json, int argc, char **argv);

#endif
