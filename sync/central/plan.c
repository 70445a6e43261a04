/* A weekly activity plan and its expansion into dated occurrences (see
 * plan.h). Dates are calendar arithmetic on noon UTC, so no time zone or
 * summer-time change can move a day. */
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report.h"

static const char *const weekday_words[7][3] = {
    {"mon", "man", "monday"},    {"tue", "tir", "tuesday"},  {"wed", "ons", "wednesday"},
    {"thu", "tor", "thursday"},  {"fri", "fre", "friday"},   {"sat", "lør", "saturday"},
    {"sun", "søn", "sunday"},
};
static const char *const weekday_long_nb[7] = {"mandag", "tirsdag", "onsdag", "torsdag",
                                               "fredag", "lørdag",  "søndag"};

const char *central_plan_weekday_nb(int iso)
{
    return iso >= 1 && iso <= 7 ? weekday_long_nb[iso - 1] : "";
}

static int weekday_index(const char *word, size_t len)
{
    for (int day = 0; day < 7; day++) {
        for (int form = 0; form < 3; form++)
            if (strlen(weekday_words[day][form]) == len &&
                strncasecmp(word, weekday_words[day][form], len) == 0)
                return day;
        if (strlen(weekday_long_nb[day]) == len && strncasecmp(word, weekday_long_nb[day], len) == 0)
            return day;
    }
    return -1;
}

int central_plan_weekdays(const char *text, int *weekdays, char *err, size_t errlen)
{
    *weekdays = 0;
    const char *word = text;
    while (word && *word) {
        const char *comma = strchr(word, ',');
        size_t len = comma ? (size_t)(comma - word) : strlen(word);
        int day = weekday_index(word, len);
        if (day < 0) {
            snprintf(err, errlen, "weekdays \"%s\": \"%.*s\" is not a weekday (mon,tue,... or "
                     "man,tir,...)", text, (int)(len > 40 ? 40 : len), word);
            return -EINVAL;
        }
        *weekdays |= CENTRAL_PLAN_MONDAY << day;
        word = comma ? comma + 1 : NULL;
    }
    if (*weekdays == 0) {
        snprintf(err, errlen, "weekdays \"%s\": name at least one weekday (mon,tue,...)", text);
        return -EINVAL;
    }
    return 0;
}

void central_plan_weekdays_text(int weekdays, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int day = 0; day < 7; day++)
        if (weekdays & (CENTRAL_PLAN_MONDAY << day))
            len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "",
                                    weekday_words[day][0]);
}

static int date_time(const char *date, time_t *out)
{
    if (!central_report_date_valid(date))
        return -EINVAL;
    struct tm tm = {0};
    tm.tm_year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
                 (date[3] - '0') - 1900;
    tm.tm_mon = (date[5] - '0') * 10 + (date[6] - '0') - 1;
    tm.tm_mday = (date[8] - '0') * 10 + (date[9] - '0');
    tm.tm_hour = 12;
    *out = timegm(&tm);
    return 0;
}

int central_plan_weekday_of(const char *date)
{
    time_t t;
    if (date_time(date, &t))
        return 0;
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

int central_plan_date_add(const char *date, int days, char out[CENTRAL_DATE_LEN + 1])
{
    time_t t;
    if (date_time(date, &t))
        return -EINVAL;
    t += (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm);
    return 0;
}

int central_plan_clock_valid(const char *text)
{
    return strlen(text) == 5 && isdigit((unsigned char)text[0]) &&
           isdigit((unsigned char)text[1]) && text[2] == ':' && isdigit((unsigned char)text[3]) &&
           isdigit((unsigned char)text[4]) && (text[0] - '0') * 10 + (text[1] - '0') < 24 &&
           text[3] < '6';
}

int central_plan_check(const struct central_plan *plan, char *err, size_t errlen)
{
    time_t from, until;
    if (date_time(plan->from, &from) || date_time(plan->until, &until)) {
        snprintf(err, errlen, "activity \"%s\": from \"%s\" until \"%s\": expected dates "
                 "YYYY-MM-DD", plan->title, plan->from, plan->until);
        return -EINVAL;
    }
    long days = (long)((until - from) / 86400) + 1;
    if (days < 1 || days > CENTRAL_PLAN_DAYS_MAX) {
        snprintf(err, errlen, "activity \"%s\": from %s until %s is %ld days; a plan covers 1 "
                 "to %d days", plan->title, plan->from, plan->until, days, CENTRAL_PLAN_DAYS_MAX);
        return -EINVAL;
    }
    if (!central_plan_clock_valid(plan->start) || !central_plan_clock_valid(plan->end) || !strcmp(plan->start, plan->end)) {
        snprintf(err, errlen, "activity \"%s\": start \"%s\" end \"%s\": expected two different "
                 "times HH:MM (an end before the start is the next day)", plan->title,
                 plan->start, plan->end);
        return -EINVAL;
    }
    if (plan->weekdays < 1 || plan->weekdays > CENTRAL_PLAN_ALL_DAYS) {
        snprintf(err, errlen, "activity \"%s\": no weekday", plan->title);
        return -EINVAL;
    }
    if (!plan->title[0]) {
        snprintf(err, errlen, "activity: the title is empty");
        return -EINVAL;
    }
    return 0;
}

int central_plan_expand(const struct central_plan *plan,
                        int (*cb)(void *ctx, const struct central_activity *occurrence),
                        void *ctx)
{
    time_t day, until;
    if (date_time(plan->from, &day) || date_time(plan->until, &until))
        return -EINVAL;
    for (; day <= until; day += 86400) {
        struct tm tm;
        gmtime_r(&day, &tm);
        int iso = tm.tm_wday == 0 ? 7 : tm.tm_wday;
        if (!(plan->weekdays & (CENTRAL_PLAN_MONDAY << (iso - 1))))
            continue;
        struct central_activity a;
        memset(&a, 0, sizeof a);
        event_new_id(a.id);
        snprintf(a.site, sizeof a.site, "%s", plan->site);
        strftime(a.date, sizeof a.date, "%Y-%m-%d", &tm);
        memcpy(a.plan_date, a.date, sizeof a.plan_date);
        memcpy(a.start, plan->start, sizeof a.start);
        memcpy(a.end, plan->end, sizeof a.end);
        memcpy(a.title, plan->title, sizeof a.title);
        memcpy(a.place, plan->place, sizeof a.place);
        memcpy(a.plan, plan->id, sizeof a.plan);
        int rc = cb(ctx, &a);
        if (rc)
            return rc;
    }
    return 0;
}

int central_plan_import_gives(const struct central_plan_import *plan, const char *plan_date)
{
    size_t low = 0, high = plan->count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        int cmp = strcmp(plan->occurrences[mid].plan_date, plan_date);
        if (cmp == 0)
            return 1;
        if (cmp < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return 0;
}

int central_plan_import_names(const char *uid, const struct central_plan_import *plans,
                              size_t count, const char *const *keep, size_t keep_count)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(plans[i].plan->uid, uid) == 0)
            return 1;
    for (size_t i = 0; i < keep_count; i++)
        if (strcmp(keep[i], uid) == 0)
            return 1;
    return 0;
}
