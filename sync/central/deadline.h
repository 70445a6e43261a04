/* The deadline for reading a whole request (its headers and its body).
 * libmicrohttpd's own timeout counts idle time only, so a client that sends
 * a byte every few seconds keeps its connection, and one of the server's
 * few, for ever. A watcher thread here cuts the connection of any request
 * not read in full within the deadline. */
#ifndef TILSTEDE_CENTRAL_DEADLINE_H
#define TILSTEDE_CENTRAL_DEADLINE_H

#include <stddef.h>

struct central_deadline;       /* the watcher thread and its connections */
struct central_deadline_watch; /* one connection */

/* Starts the watcher: a request not read in full deadline_s seconds after
 * its connection opened, or after the previous answer on that connection
 * was sent, has its connection shut down (no answer: as libmicrohttpd
 * does at its idle timeout). quiet: no log line per cut. Returns 0 or a
 * negative errno with err set. */
int central_deadline_start(unsigned deadline_s, int quiet, struct central_deadline **out, char *err,
                           size_t errlen);
/* Stops the watcher; every watch must have been forgotten first. */
void central_deadline_stop(struct central_deadline *deadline);

/* Watches the connection on socket fd from now. NULL when out of memory
 * (the connection is then not watched). */
struct central_deadline_watch *central_deadline_watch(struct central_deadline *deadline, int fd);
/* The request has arrived in full: its answer is not cut, however long it
 * takes to build or to send. */
void central_deadline_read(struct central_deadline *deadline, struct central_deadline_watch *watch);
/* The answer is sent: the next request on the connection counts from now. */
void central_deadline_restart(struct central_deadline *deadline,
                              struct central_deadline_watch *watch);
/* The connection is closed (its socket is still open): frees the watch. */
void central_deadline_forget(struct central_deadline *deadline,
                             struct central_deadline_watch *watch);

#endif
