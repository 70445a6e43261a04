/* `tilstedectl provision --central URL --token TOKEN`: turns a freshly
 * installed board into this site's kiosk (token, site, central, roster),
 * then lists what IT still has to do (card key, reader, display, clock,
 * staff PIN). */
#ifndef TILSTEDE_CTL_PROVISION_H
#define TILSTEDE_CTL_PROVISION_H

#include "config.h"

#define CTL_PROVISION_OK     0 /* provisioned, even with checklist items open */
#define CTL_PROVISION_FAILED 1 /* nothing usable was done, or the roster did not come */
#define CTL_PROVISION_USAGE  2

/* argv holds the arguments after "provision" (the name itself is
 * tolerated). cfg is the loaded configuration; its file (cfg->path) is
 * updated, and so is cfg. json: one JSON object on stdout. Returns the
 * exit code. */
int ctl_provision(struct config *cfg, int json, int argc, char **argv);

#endif
