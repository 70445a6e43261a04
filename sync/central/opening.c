/* Opening hours and the silent-kiosk rule (see opening.h). */
#include "opening.h"

#include <stdlib.h>
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
