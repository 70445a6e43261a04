/* A site's opening hours and the rule that uses them: a kiosk is silent
 * when it has not been in touch for the configured time (default 24 h)
 * counted in the site's opening hours only, so a day centre's kiosk is
 * not silent on Monday morning for a weekend it was closed. The rule is
 * pure: times are seconds since the epoch, days are the process's local
 * time zone (the central runs in Europe/Oslo). Every page that marks a
 * kiosk silent (the dashboard, the kiosks page) asks
 * central_openings_silent, so they can never disagree. */
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

/* Hours from the words people give (the CLI's --weekly/--start/--end, the
 * kiosks page's form): weekdays as central_plan_weekdays reads them, start
 * and end HH:MM. 0, or -EINVAL with err naming the bad input. */
int central_opening_parse(const char *site, const char *weekly, const char *start,
                          const char *end, struct central_opening *hours, char *err,
                          size_t errlen);

/* Every site's opening hours, read once for a page. */
struct central_openings {
    struct central_opening *hours;
    size_t count;
};

/* Reads them from the store: 0 or its error (the list is then empty and
 * every site counts as open day and night). */
int central_openings_load(struct central_store *store, struct central_openings *list, char *err,
                          size_t errlen);
void central_openings_free(struct central_openings *list);
/* A site's hours, or NULL: open day and night. */
const struct central_opening *central_openings_site(const struct central_openings *list,
                                                    const char *site);
/* The silent rule for a kiosk of site last in touch at last_seen_us (0:
 * never), at now_s. */
int central_openings_silent(const struct central_openings *list, const char *site,
                            int64_t last_seen_us, int64_t now_s, int64_t silent_after_s);

#endif
