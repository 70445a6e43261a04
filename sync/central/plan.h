/* An activity planned once with a weekly repetition ("Sangstund every
 * Tuesday 11.00-12.00 from 1 December until 30 June"), and its expansion
 * into the one-date occurrences the kiosks receive. Pure: no store, no
 * clock. A night activity ends the next day (end < start, 22:00-07:00). */
#ifndef TILSTEDE_CENTRAL_PLAN_H
#define TILSTEDE_CENTRAL_PLAN_H

#include <stddef.h>

#include "store.h"

/* The longest span a plan may cover, in days: its occurrences are stored
 * and sent to the kiosks as soon as it is planned, so a plan without an
 * end would never finish expanding. */
#define CENTRAL_PLAN_DAYS_MAX 400
/* Weekdays as bits, Monday first (ISO 8601). */
#define CENTRAL_PLAN_MONDAY 1
#define CENTRAL_PLAN_ALL_DAYS 127
/* An iCalendar UID with the NUL: Outlook's are 112 hex digits or more. */
#define CENTRAL_PLAN_UID_MAX 256

struct central_plan {
    char id[EVENT_ID_LEN + 1];
    char site[EVENT_KEY_MAX];
    char title[CENTRAL_NAME_MAX];
    char place[CENTRAL_NAME_MAX];
    char start[6], end[6]; /* HH:MM local; end < start: the next day */
    int weekdays;          /* CENTRAL_PLAN_MONDAY << (ISO weekday - 1) */
    char from[CENTRAL_DATE_LEN + 1], until[CENTRAL_DATE_LEN + 1]; /* both included */
    char uid[CENTRAL_PLAN_UID_MAX]; /* an iCalendar UID, "" when planned here */
};

/* "mon,tue" or "man,tir" (also full names, any case) into weekday bits;
 * -EINVAL with the word in err when one is not a weekday. */
int central_plan_weekdays(const char *text, int *weekdays, char *err, size_t errlen);
/* The weekdays as "mon,tue" (cap >= 28). */
void central_plan_weekdays_text(int weekdays, char *out, size_t cap);

/* "tirsdag" of ISO weekday 2 ("" outside 1..7). */
const char *central_plan_weekday_nb(int iso);
/* The ISO weekday (1 Monday .. 7 Sunday) of a valid YYYY-MM-DD, or 0. */
int central_plan_weekday_of(const char *date);
/* date + days into out (YYYY-MM-DD); -EINVAL for a bad date. */
int central_plan_date_add(const char *date, int days, char out[CENTRAL_DATE_LEN + 1]);

/* Checks a plan (dates, times, weekdays, span); -EINVAL with a message
 * naming the field. */
int central_plan_check(const struct central_plan *plan, char *err, size_t errlen);

/* Each occurrence of a checked plan, in date order, as an activity row of
 * its site with a new id and plan_date = date. A callback returning
 * non-zero stops and is returned. */
int central_plan_expand(const struct central_plan *plan,
                        int (*cb)(void *ctx, const struct central_activity *occurrence),
                        void *ctx);

/* 1 for a valid clock time HH:MM. */
int central_plan_clock_valid(const char *text);

/* Checks, expands and stores a plan with its occurrences (plan_save.c,
 * the one part of plan.h that touches the store); *count the occurrences.
 * -EINVAL (err names the field) for a bad plan or one with no day in its
 * span, else the store's error. */
int central_plan_save(struct central_store *store, const struct central_plan *plan, size_t *count,
                      char *err, size_t errlen);

/* For the backends' calendar imports (store.h, central_store_plan_import):
 * 1 when the import gives `plan` an occurrence on plan_date (its
 * occurrences are in plan_date order), and 1 when uid is one of the
 * import's plans or of keep[]. */
int central_plan_import_gives(const struct central_plan_import *plan, const char *plan_date);
int central_plan_import_names(const char *uid, const struct central_plan_import *plans,
                              size_t count, const char *const *keep, size_t keep_count);

#endif
