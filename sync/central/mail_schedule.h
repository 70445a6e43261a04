/* The monthly mail's own run inside `tilstede-central serve`: on the first
 * working day of each month, from a configured hour (default 07:00 local,
 * Europe/Oslo), last month's report goes out (mail.h), and failed sends are
 * tried again as their backoff allows, for CENTRAL_MAIL_CATCH_UP_DAYS days;
 * a central that was down that morning sends when it is back. The record
 * in the database makes a restart, or a second process, send nothing
 * twice. */
#ifndef TILSTEDE_CENTRAL_MAIL_SCHEDULE_H
#define TILSTEDE_CENTRAL_MAIL_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mail.h"

#define CENTRAL_MAIL_HOUR_DEFAULT   7
#define CENTRAL_MAIL_MINUTE_DEFAULT 0
#define CENTRAL_MAIL_CATCH_UP_DAYS  7     /* days from the first working day it keeps trying */
#define CENTRAL_MAIL_CHECK_MS       60000 /* how often it looks at the clock */

struct central_mail_schedule;

/* The clock: now in microseconds since the epoch. The tests give a fake. */
typedef int64_t (*central_mail_clock)(void *ctx);

struct central_mail_schedule_config {
    const char *db; /* its own store handle on this database */
    struct central_mail_config mail;
    int hour, minute;         /* local time of the run */
    central_mail_clock clock; /* NULL: the real time */
    void *clock_ctx;
    unsigned check_ms; /* 0: CENTRAL_MAIL_CHECK_MS */
    int quiet;         /* no log lines */
};

/* The day of the month (1..) that is the month's first working day: not a
 * Saturday or Sunday, and not a Norwegian public holiday (1 January, the
 * Easter days, 1 and 17 May, Ascension, Whit Monday, Christmas). */
int central_mail_first_working_day(int year, int month);
/* Whether the automatic run is due at local time `local`: 1 with the month
 * to report on (the one before) in month, 0 when not. */
int central_mail_due(const struct tm *local, int hour, int minute,
                     char month[CENTRAL_MAIL_MONTH_LEN + 1]);

/* Starts the run's thread (config is copied; its strings must outlive it).
 * 0 or a negative errno with err set. */
int central_mail_schedule_start(const struct central_mail_schedule_config *config,
                                struct central_mail_schedule **out, char *err, size_t errlen);
/* Stops it, waiting for a send in progress. */
void central_mail_schedule_stop(struct central_mail_schedule *schedule);

#endif
