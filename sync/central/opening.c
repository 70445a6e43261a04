/* Opening hours and the silent-kiosk rule (see opening.h). */
#include "opening.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan.h"

/* Beyond this many days of silence a kiosk is silent whatever the hours
 * (and the walk over the days stays short). */
#define OPENING_DAYS_MAX 400

static int minutes_of(const char *clock)
{
    return atoi(clock) * 60 + atoi(clock + 3);
}

/* The local time of day `minutes` on the day of tm (mktime normalises). */
static int64_t at_minutes(struct tm day, int minutes)
{
    day.tm_hour = 0;
    day.tm_min = minutes;
    day.tm_sec = 0;
    day.tm_isdst = -1;
    return (int64_t)mktime(&day);
}

int64_t central_opening_seconds(const struct central_opening *hours, int64_t from_s, int64_t to_s)
{
    if (to_s <= from_s)
        return 0;
    if (!hours)
        return to_s - from_s;
    int start = minutes_of(hours->start), end = minutes_of(hours->end);
    if (end <= start)
        end += 24 * 60; /* the next day, or the whole day when equal */
    /* From the day before `from` (a night opening reaches into it). */
    time_t first = (time_t)from_s - 86400;
    struct tm day;
    localtime_r(&first, &day);
    int64_t open = 0;
    for (int i = 0; i < OPENING_DAYS_MAX + 2; i++) {
        struct tm this_day = day;
        this_day.tm_mday += i;
        this_day.tm_hour = 12;
        this_day.tm_isdst = -1;
        time_t noon = mktime(&this_day);
        struct tm resolved;
        localtime_r(&noon, &resolved);
        int64_t open_from = at_minutes(resolved, start), open_to = at_minutes(resolved, end);
        if (open_from >= to_s)
            break;
        int iso = resolved.tm_wday == 0 ? 7 : resolved.tm_wday;
        if (!(hours->weekdays & (CENTRAL_PLAN_MONDAY << (iso - 1))))
            continue;
        int64_t a = open_from > from_s ? open_from : from_s;
        int64_t b = open_to < to_s ? open_to : to_s;
        if (b > a)
            open += b - a;
    }
    return open;
}

int central_opening_silent(const struct central_opening *hours, int64_t last_seen_s, int64_t now_s,
                           int64_t silent_after_s)
{
    if (last_seen_s <= 0)
        return 1;
    if (now_s - last_seen_s > (int64_t)OPENING_DAYS_MAX * 86400)
        return 1;
    return central_opening_seconds(hours, last_seen_s, now_s) > silent_after_s;
}

int central_opening_parse(const char *site, const char *weekly, const char *start,
                          const char *end, struct central_opening *hours, char *err,
                          size_t errlen)
{
    memset(hours, 0, sizeof *hours);
    if (!site || strlen(site) >= sizeof hours->site) {
        snprintf(err, errlen, "site \"%s\": not a site id", site ? site : "");
        return -EINVAL;
    }
    int rc = central_plan_weekdays(weekly ? weekly : "", &hours->weekdays, err, errlen);
    if (rc)
        return rc;
    if (!hours->weekdays) {
        snprintf(err, errlen, "weekdays \"%s\": name at least one day (mon,tue,...)",
                 weekly ? weekly : "");
        return -EINVAL;
    }
    if (!start || !end || !central_plan_clock_valid(start) || !central_plan_clock_valid(end)) {
        snprintf(err, errlen,
                 "start \"%s\" end \"%s\": expected times HH:MM (an end before the start is "
                 "the next day, equal ones the whole day)",
                 start ? start : "", end ? end : "");
        return -EINVAL;
    }
    snprintf(hours->site, sizeof hours->site, "%s", site);
    memcpy(hours->start, start, sizeof hours->start);
    memcpy(hours->end, end, sizeof hours->end);
    return 0;
}

static int keep_opening(void *ctx, const struct central_opening *hours)
{
    struct central_openings *list = ctx;
    /* Grows as needed: a municipality's sites are never cut off. */
    if ((list->count & (list->count - 1)) == 0) {
        size_t cap = list->count ? list->count * 2 : 16;
        struct central_opening *grown = realloc(list->hours, cap * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        list->hours = grown;
    }
    list->hours[list->count++] = *hours;
    return 0;
}

int central_openings_load(struct central_store *store, struct central_openings *list, char *err,
                          size_t errlen)
{
    list->hours = NULL;
    list->count = 0;
    int rc = central_store_openings(store, keep_opening, list, err, errlen);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "opening hours: out of memory");
    if (rc)
        central_openings_free(list);
    return rc;
}

void central_openings_free(struct central_openings *list)
{
    free(list->hours);
    list->hours = NULL;
    list->count = 0;
}

const struct central_opening *central_openings_site(const struct central_openings *list,
                                                    const char *site)
{
    for (size_t i = 0; list && i < list->count; i++)
        if (strcmp(list->hours[i].site, site) == 0)
            return &list->hours[i];
    return NULL;
}

int central_openings_silent(const struct central_openings *list, const char *site,
                            int64_t last_seen_us, int64_t now_s, int64_t silent_after_s)
{
    return central_opening_silent(central_openings_site(list, site), last_seen_us / 1000000, now_s,
                                  silent_after_s);
}
