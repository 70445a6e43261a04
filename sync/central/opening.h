/* A site's opening hours and the rule that uses them: a kiosk is silent
 * when it has not been in touch for the configured time (default 24 h)
 * counted in the site's opening hours only, so a day centre's kiosk is
 * not silent on Monday morning for a weekend it was closed. Pure: times
 * are seconds since the epoch, days are the process's local time zone
 * (the central runs in Europe/Oslo). */
#ifndef TILSTEDE_CENTRAL_OPENING_H
#define TILSTEDE_CENTRAL_OPENING_H

#include <stdint.h>

#include "store.h"

struct central_opening {
    char site[EVENT_KEY_MAX];
    int weekdays;          /* CENTRAL_PLAN_MONDAY << (ISO weekday - 1) */
    char start[6], end[6]; /* HH:MM; end < start: the next day; equal: all day */
};

/* Seconds of opening time in [from_s, to_s); hours NULL: always open. */
int64_t central_opening_seconds(const struct central_opening *hours, int64_t from_s, int64_t to_s);

/* 1 when a kiosk last in touch at last_seen_s (0: never) is silent at
 * now_s: never heard from, or more than silent_after_s of opening time
 * has passed since. */
int central_opening_silent(const struct central_opening *hours, int64_t last_seen_s, int64_t now_s,
                           int64_t silent_after_s);

#endif
