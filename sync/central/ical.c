/* A calendar file read with libical into weekly plans (see ical.h).
 *
 * libical expands each event's RRULE and EXDATE (the RFC 5545 meaning,
 * summer time included); the plan is the event's shape (its weekdays, its
 * first occurrence's times, its first and last date), expanded by plan.c
 * as every plan is, and the two are compared: a plan date libical does
 * not give is a cancelled occurrence, one it gives at other times is a
 * moved one. A rule whose shape is not weekly (monthly, every other week)
 * is refused before that, so a plan never carries a pattern of
 * cancellations that stands for a different rule. */
#include "ical.h"

#include <errno.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "plan.h"
#include "utf8.h"

/* libical's time zone cache and error state are shared by the process:
 * one import at a time (imports are rare; the server's threads may each
 * take an upload). */
static pthread_mutex_t ical_lock = PTHREAD_MUTEX_INITIALIZER;

#define OCCURRENCES_MAX (CENTRAL_PLAN_DAYS_MAX + 8)

/* Where each VEVENT is in the file, for the messages: libical keeps no
 * line numbers, and its components come in the file's order. */
struct event_lines {
    int begin, rrule, recurrence_id;
};

struct override {
    size_t event; /* index into the file's events */
    char uid[CENTRAL_PLAN_UID_MAX];
    icalcomponent *component;
    int used;
};

struct span_list;

struct reader {
    const char *name;
    struct span_list *spans; /* one event's occurrences at a time */
    char today[CENTRAL_DATE_LEN + 1], last[CENTRAL_DATE_LEN + 1];
    icaltimezone *oslo, *utc;
    struct event_lines *lines;
    size_t line_count;
    struct central_ical_result *result;
    size_t report_len;
};

static void report(struct reader *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void report(struct reader *r, const char *format, ...)
{
    char *out = r->result->report;
    size_t cap = sizeof r->result->report;
    if (r->report_len + 1 >= cap)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out + r->report_len, cap - r->report_len, format, args);
    va_end(args);
    if (n < 0)
        return;
    r->report_len += (size_t)n;
    if (r->report_len >= cap - 1) {
        /* Full: end on a whole character and say that more were left out. */
        static const char more[] = "\n(more left out)\n";
        size_t keep = utf8_cut(out, strlen(out), cap - sizeof more - 1);
        memcpy(out + keep, more, sizeof more);
        r->report_len = cap;
        return;
    }
    out[r->report_len++] = '\n';
    out[r->report_len] = '\0';
}

/* Why an event is not imported: the reason people read (in the web app's
 * language) and the detail the command prints. */
struct why {
    enum central_ical_reason reason;
    char text[CENTRAL_ICAL_DETAIL_MAX];
};

static void refuse(struct why *w, enum central_ical_reason reason, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(struct why *w, enum central_ical_reason reason, const char *format, ...)
{
    w->reason = reason;
    va_list args;
    va_start(args, format);
    vsnprintf(w->text, sizeof w->text, format, args);
    va_end(args);
}

/* Notes an event not imported, in the list and in the report. */
static void refused(struct reader *r, int line, const char *uid, const char *title,
                    const struct why *w)
{
    struct central_ical_result *result = r->result;
    result->refused++;
    report(r, "line %d: event UID %s%s%s%s: not imported: %s", line, uid[0] ? uid : "(none)",
           title && title[0] ? " (\"" : "", title && title[0] ? title : "",
           title && title[0] ? "\")" : "", w->text);
    if (result->refusal_count == CENTRAL_ICAL_REFUSALS_MAX)
        return;
    struct central_ical_refusal *row = &result->refusals[result->refusal_count++];
    row->line = line;
    row->reason = w->reason;
    snprintf(row->uid, sizeof row->uid, "%s", uid);
    utf8_copy_clean(row->title, sizeof row->title, title ? title : "");
    snprintf(row->detail, sizeof row->detail, "%s", w->text);
}

static int starts(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && strncasecmp(line, word, n) == 0 &&
           (len == n || line[n] == ':' || line[n] == ';' || line[n] == '\r');
}

/* Notes each VEVENT's first line and the lines of its RRULE and
 * RECURRENCE-ID. Returns the number of VEVENTs, or -E2BIG over the limit. */
static int index_lines(struct reader *r, const char *text)
{
    int line = 1, inside = 0;
    size_t count = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (starts(p, len, "BEGIN:VEVENT")) {
            if (count == CENTRAL_ICAL_EVENTS_MAX)
                return -E2BIG;
            r->lines[count].begin = line;
            r->lines[count].rrule = r->lines[count].recurrence_id = line;
            count++;
            inside = 1;
        } else if (inside && starts(p, len, "END:VEVENT")) {
            inside = 0;
        } else if (inside && starts(p, len, "RRULE")) {
            r->lines[count - 1].rrule = line;
        } else if (inside && starts(p, len, "RECURRENCE-ID")) {
            r->lines[count - 1].recurrence_id = line;
        }
        line++;
        p = end ? end + 1 : p + len;
    }
    r->line_count = count;
    return (int)count;
}

/* A date-time as Oslo's wall clock: UTC and zoned times converted,
 * floating ones (no zone) taken as Oslo already. */
struct wall {
    char date[CENTRAL_DATE_LEN + 1];
    char clock[6];
};

static void wall_of(time_t t, const icaltimezone *zone, struct wall *out)
{
    struct icaltimetype tt = icaltime_from_timet_with_zone(t, 0, (icaltimezone *)zone);
    snprintf(out->date, sizeof out->date, "%04d-%02d-%02d", tt.year, tt.month, tt.day);
    snprintf(out->clock, sizeof out->clock, "%02d:%02d", tt.hour, tt.minute);
}

/* The zone a time's seconds since the epoch are read back in: libical
 * counts a floating time as if it were UTC. */
static const icaltimezone *read_zone(const struct reader *r, struct icaltimetype tt)
{
    return !tt.zone && !icaltime_is_utc(tt) ? r->utc : r->oslo;
}

static time_t seconds_of(const struct reader *r, struct icaltimetype tt)
{
    return icaltime_as_timet_with_zone(tt, tt.zone ? tt.zone : r->utc);
}

/* Checks that a property's TZID, if any, was found (a VTIMEZONE in the
 * file or a zone libical knows); "" or the unknown TZID. */
static const char *unknown_zone(icalproperty *prop, struct icaltimetype tt)
{
    icalparameter *tzid = prop ? icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER) : NULL;
    if (!tzid || tt.zone || icaltime_is_utc(tt))
        return "";
    return icalparameter_get_tzid(tzid);
}

struct span_list {
    time_t start[OCCURRENCES_MAX];
    size_t count;
    int overflow;
};

static void keep_span(icalcomponent *comp, struct icaltime_span *span, void *ctx)
{
    (void)comp;
    struct span_list *list = ctx;
    if (list->count == OCCURRENCES_MAX) {
        list->overflow = 1;
        return;
    }
    list->start[list->count] = span->start;
    list->count++;
}

static time_t midnight_utc(const char *date)
{
    struct tm tm = {0};
    sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* A weekly plan can hold FREQ=WEEKLY or DAILY, every week, on whole
 * weekdays; 0 when the rule fits, else 1 and why not. */
static int rule_unfit(const struct icalrecurrencetype *rule, struct why *w)
{
    static const char *const freq_words[] = {
        [ICAL_SECONDLY_RECURRENCE] = "every second", [ICAL_MINUTELY_RECURRENCE] = "every minute",
        [ICAL_HOURLY_RECURRENCE] = "hourly",         [ICAL_MONTHLY_RECURRENCE] = "monthly",
        [ICAL_YEARLY_RECURRENCE] = "yearly",
    };
    if (rule->freq != ICAL_WEEKLY_RECURRENCE && rule->freq != ICAL_DAILY_RECURRENCE) {
        const char *word =
            rule->freq >= 0 && rule->freq <= ICAL_YEARLY_RECURRENCE && freq_words[rule->freq]
                ? freq_words[rule->freq]
                : "unknown";
        refuse(w, CENTRAL_ICAL_RULE_FREQ,
               "it repeats %s; only weekly and daily repetitions are imported", word);
        return 1;
    }
    if (rule->interval > 1) {
        refuse(w, CENTRAL_ICAL_RULE_INTERVAL,
               "it repeats every %d %s (INTERVAL=%d); only every week or every day "
               "is imported",
               rule->interval, rule->freq == ICAL_WEEKLY_RECURRENCE ? "weeks" : "days",
               rule->interval);
        return 1;
    }
    if (rule->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rule->by_second[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        refuse(w, CENTRAL_ICAL_RULE_PARTS,
               "its rule names months, days of the month, weeks or hours; only "
               "weekdays are imported");
        return 1;
    }
    for (int i = 0; i < ICAL_BY_DAY_SIZE && rule->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (icalrecurrencetype_day_position(rule->by_day[i]) != 0) {
            refuse(w, CENTRAL_ICAL_RULE_PARTS,
                   "its rule names the n-th weekday of a month; only every week is "
                   "imported");
            return 1;
        }
    return 0;
}

/* Copies a text property within its limit, or says why not. */
static int take_text(const char *what, const char *value, char *out, size_t cap, struct why *w)
{
    value = value ? value : "";
    size_t len = strlen(value);
    if (len >= cap) {
        refuse(w, CENTRAL_ICAL_TEXT, "its %s is %zu bytes; the limit is %zu", what, len, cap - 1);
        return -EINVAL;
    }
    for (size_t at = 0, step; at < len; at += step)
        if (!(step = utf8_char_len(value + at, len - at))) {
            refuse(w, CENTRAL_ICAL_TEXT, "its %s is not UTF-8 text (save the file as UTF-8)", what);
            return -EINVAL;
        }
    memcpy(out, value, len + 1);
    return 0;
}

static int clock_minutes(const char *clock)
{
    return ((clock[0] - '0') * 10 + (clock[1] - '0')) * 60 + (clock[3] - '0') * 10 +
           (clock[4] - '0');
}

/* One occurrence's Oslo date and start, and its end `minutes` later by the
 * clock. */
static void occurrence_times(time_t start, int minutes, const icaltimezone *zone, struct wall *from,
                             struct wall *to)
{
    wall_of(start, zone, from);
    *to = *from;
    unsigned end = (unsigned)(clock_minutes(from->clock) + minutes) % (24 * 60);
    snprintf(to->clock, sizeof to->clock, "%02u:%02u", (end / 60) % 24, end % 60);
}

/* An event's length on the wall clock, in minutes: its DTSTART to its
 * DTEND as Oslo reads them. Each occurrence ends that long after it starts
 * by the clock, as Outlook shows it: a night watch 22.00-07.00 ends at
 * 07.00 on the night summer time begins too (RFC 5545 would keep the
 * first night's exact nine hours and end it at 08.00). 0 with why set
 * when it is not an activity's length (more than 0, less than 24 hours). */
static int wall_minutes(const struct reader *r, struct icaltimetype start, struct icaltimetype end,
                        struct why *w)
{
    struct wall from, to;
    wall_of(seconds_of(r, start), read_zone(r, start), &from);
    wall_of(seconds_of(r, end), read_zone(r, end), &to);
    int days = 0;
    if (strcmp(from.date, to.date) != 0) {
        char next[CENTRAL_DATE_LEN + 1];
        central_plan_date_add(from.date, 1, next);
        days = strcmp(next, to.date) == 0 ? 1 : 2;
    }
    int minutes = days * 24 * 60 + clock_minutes(to.clock) - clock_minutes(from.clock);
    if (days > 1 || minutes <= 0 || minutes >= 24 * 60) {
        refuse(w, CENTRAL_ICAL_LENGTH,
               "it lasts %s (%s %s to %s %s); an activity lasts more than 0 and "
               "less than 24 hours",
               minutes <= 0 ? "no time" : "a day or more", from.date, from.clock, to.date,
               to.clock);
        return 0;
    }
    return minutes;
}

struct plan_build {
    struct central_plan plan;
    struct central_activity *occurrences;
    size_t count;
    struct wall *starts, *ends; /* libical's occurrences in the window */
    size_t given;
};

static int keep_plan_date(void *ctx, const struct central_activity *occurrence)
{
    struct plan_build *b = ctx;
    if (b->count == OCCURRENCES_MAX)
        return -E2BIG;
    struct central_activity *a = &b->occurrences[b->count++];
    *a = *occurrence;
    a->cancelled = 1;
    for (size_t i = 0; i < b->given; i++)
        if (!strcmp(b->starts[i].date, a->date)) {
            a->cancelled = 0;
            memcpy(a->start, b->starts[i].clock, sizeof a->start);
            memcpy(a->end, b->ends[i].clock, sizeof a->end);
        }
    return 0;
}

/* Applies the file's changed occurrences (RECURRENCE-ID) of one event. */
static int apply_overrides(struct reader *r, struct plan_build *b, struct override *overrides,
                           size_t override_count, struct why *w, int *why_line)
{
    for (size_t i = 0; i < override_count; i++) {
        struct override *o = &overrides[i];
        if (o->used || strcmp(o->uid, b->plan.uid) != 0)
            continue;
        o->used = 1;
        *why_line = r->lines[o->event].recurrence_id;
        icalproperty *prop =
            icalcomponent_get_first_property(o->component, ICAL_RECURRENCEID_PROPERTY);
        struct icaltimetype id = icalproperty_get_datetime_with_component(prop, o->component);
        if (icalproperty_get_first_parameter(prop, ICAL_RANGE_PARAMETER)) {
            refuse(w, CENTRAL_ICAL_CHANGED,
                   "a RECURRENCE-ID with RANGE (this and the following) is not "
                   "imported");
            return -EINVAL;
        }
        if (*unknown_zone(prop, id)) {
            refuse(w, CENTRAL_ICAL_ZONE, "the time zone \"%s\" is not in the file",
                   unknown_zone(prop, id));
            return -EINVAL;
        }
        struct wall original;
        wall_of(seconds_of(r, id), read_zone(r, id), &original);
        if (strcmp(original.date, r->today) < 0 || strcmp(original.date, r->last) > 0)
            continue; /* before today, or beyond what is planned: nothing to change */
        struct central_activity *a = NULL;
        for (size_t k = 0; k < b->count; k++)
            if (!strcmp(b->occurrences[k].plan_date, original.date))
                a = &b->occurrences[k];
        if (!a) {
            refuse(w, CENTRAL_ICAL_CHANGED,
                   "the changed occurrence RECURRENCE-ID %s is not one of the "
                   "event's dates",
                   original.date);
            return -EINVAL;
        }
        if (icalcomponent_get_status(o->component) == ICAL_STATUS_CANCELLED) {
            a->cancelled = 1;
            continue;
        }
        struct icaltimetype start = icalcomponent_get_dtstart(o->component);
        struct icaltimetype end = icalcomponent_get_dtend(o->component);
        if (icaltime_is_null_time(start) || start.is_date || icaltime_is_null_time(end)) {
            refuse(w, CENTRAL_ICAL_CHANGED,
                   "the changed occurrence of %s has no start and end time", original.date);
            return -EINVAL;
        }
        int minutes = wall_minutes(r, start, end, w);
        if (!minutes)
            return -EINVAL;
        struct wall from, to;
        occurrence_times(seconds_of(r, start), minutes, read_zone(r, start), &from, &to);
        memcpy(a->date, from.date, sizeof a->date);
        memcpy(a->start, from.clock, sizeof a->start);
        memcpy(a->end, to.clock, sizeof a->end);
        a->cancelled = 0;
        const char *summary = icalcomponent_get_summary(o->component);
        if (summary && summary[0] && take_text("SUMMARY", summary, a->title, sizeof a->title, w))
            return -EINVAL;
    }
    return 0;
}

enum outcome { EVENT_PLANNED, EVENT_PAST, EVENT_CANCELLED, EVENT_REFUSED };

/* One master event (no RECURRENCE-ID) into b, or why not (*why_line the
 * line the reason is about). */
static enum outcome read_event(struct reader *r, size_t index, icalcomponent *event,
                               struct plan_build *b, struct override *overrides,
                               size_t override_count, struct why *w, int *why_line)
{
    *why_line = r->lines[index].begin;
    struct central_plan *plan = &b->plan;
    if (icalcomponent_get_status(event) == ICAL_STATUS_CANCELLED)
        return EVENT_CANCELLED;
    icalproperty *error = icalcomponent_get_first_property(event, ICAL_XLICERROR_PROPERTY);
    if (error) {
        refuse(w, CENTRAL_ICAL_UNREADABLE, "libical could not read it: %s",
               icalproperty_get_xlicerror(error));
        return EVENT_REFUSED;
    }
    if (take_text("SUMMARY", icalcomponent_get_summary(event), plan->title, sizeof plan->title,
                  w) ||
        take_text("LOCATION", icalcomponent_get_location(event), plan->place, sizeof plan->place,
                  w))
        return EVENT_REFUSED;
    if (!plan->title[0]) {
        refuse(w, CENTRAL_ICAL_NO_TIME, "it has no SUMMARY (the activity's title)");
        return EVENT_REFUSED;
    }
    icalproperty *dtstart = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
    struct icaltimetype start = icalcomponent_get_dtstart(event);
    if (!dtstart || icaltime_is_null_time(start)) {
        refuse(w, CENTRAL_ICAL_NO_TIME, "it has no DTSTART");
        return EVENT_REFUSED;
    }
    if (start.is_date) {
        refuse(w, CENTRAL_ICAL_ALL_DAY,
               "it lasts all day; an activity needs a start and an end time");
        return EVENT_REFUSED;
    }
    if (*unknown_zone(dtstart, start)) {
        refuse(w, CENTRAL_ICAL_ZONE, "the time zone \"%s\" is not in the file (no VTIMEZONE)",
               unknown_zone(dtstart, start));
        return EVENT_REFUSED;
    }
    if (icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY) ||
        icalcomponent_get_first_property(event, ICAL_EXRULE_PROPERTY)) {
        refuse(w, CENTRAL_ICAL_DATES, "it has RDATE or EXRULE dates, which are not imported");
        return EVENT_REFUSED;
    }
    icalproperty *rrule = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY);
    if (rrule) {
        *why_line = r->lines[index].rrule;
        if (icalcomponent_get_next_property(event, ICAL_RRULE_PROPERTY)) {
            refuse(w, CENTRAL_ICAL_DATES, "it has more than one RRULE");
            return EVENT_REFUSED;
        }
        struct icalrecurrencetype rule = icalproperty_get_rrule(rrule);
        if (rule_unfit(&rule, w))
            return EVENT_REFUSED;
        *why_line = r->lines[index].begin;
    }
    /* libical's occurrences, with a day's margin each side for the time
     * zones; kept when their Oslo date is from today to the last day. */
    struct span_list *spans = r->spans;
    spans->count = 0;
    spans->overflow = 0;
    time_t window_start = midnight_utc(r->today) - 2 * 86400;
    time_t window_end = midnight_utc(r->last) + 3 * 86400;
    icalcomponent_foreach_recurrence(event, icaltime_from_timet_with_zone(window_start, 0, r->utc),
                                     icaltime_from_timet_with_zone(window_end, 0, r->utc),
                                     keep_span, spans);
    if (spans->overflow) {
        refuse(w, CENTRAL_ICAL_UNREADABLE,
               "it has more than %d occurrences in the %d days planned ahead", OCCURRENCES_MAX,
               CENTRAL_PLAN_DAYS_MAX);
        return EVENT_REFUSED;
    }
    const icaltimezone *zone = read_zone(r, start);
    struct icaltimetype end = icalcomponent_get_dtend(event);
    int minutes = icaltime_is_null_time(end) ? 0 : wall_minutes(r, start, end, w);
    if (!minutes) {
        if (icaltime_is_null_time(end))
            refuse(w, CENTRAL_ICAL_NO_TIME, "it has no DTEND or DURATION");
        return EVENT_REFUSED;
    }
    b->given = 0;
    for (size_t i = 0; i < spans->count; i++) {
        struct wall from, to;
        occurrence_times(spans->start[i], minutes, zone, &from, &to);
        if (strcmp(from.date, r->today) < 0 || strcmp(from.date, r->last) > 0)
            continue;
        b->starts[b->given] = from;
        b->ends[b->given] = to;
        b->given++;
    }
    if (b->given == 0)
        return EVENT_PAST;
    plan->weekdays = 0;
    for (size_t i = 0; i < b->given; i++)
        plan->weekdays |= CENTRAL_PLAN_MONDAY << (central_plan_weekday_of(b->starts[i].date) - 1);
    memcpy(plan->start, b->starts[0].clock, sizeof plan->start);
    memcpy(plan->end, b->ends[0].clock, sizeof plan->end);
    memcpy(plan->from, b->starts[0].date, sizeof plan->from);
    memcpy(plan->until, b->starts[b->given - 1].date, sizeof plan->until);
    char check[256];
    if (central_plan_check(plan, check, sizeof check)) {
        refuse(w, CENTRAL_ICAL_UNREADABLE, "%s", check);
        return EVENT_REFUSED;
    }
    b->count = 0;
    if (central_plan_expand(plan, keep_plan_date, b)) {
        refuse(w, CENTRAL_ICAL_UNREADABLE, "it has too many occurrences");
        return EVENT_REFUSED;
    }
    if (apply_overrides(r, b, overrides, override_count, w, why_line))
        return EVENT_REFUSED;
    return EVENT_PLANNED;
}

static icalcomponent *next_event(icalcomponent *root, icalcomponent **calendar, int first)
{
    /* One VCALENDAR, or several under libical's XROOT. */
    if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        *calendar = root;
        return first ? icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT)
                     : icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT);
    }
    icalcomponent *event = NULL;
    if (first) {
        *calendar = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
        event =
            *calendar ? icalcomponent_get_first_component(*calendar, ICAL_VEVENT_COMPONENT) : NULL;
    } else if (*calendar) {
        event = icalcomponent_get_next_component(*calendar, ICAL_VEVENT_COMPONENT);
    }
    while (!event && *calendar) {
        *calendar = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT);
        event =
            *calendar ? icalcomponent_get_first_component(*calendar, ICAL_VEVENT_COMPONENT) : NULL;
    }
    return event;
}

struct file_events {
    icalcomponent **list;
    size_t count;
};

static int import_parsed(struct reader *r, struct central_store *store, const char *site,
                         struct file_events *events, char *err, size_t errlen)
{
    struct central_ical_result *result = r->result;
    size_t n = events->count;
    struct override *overrides = calloc(n ? n : 1, sizeof *overrides);
    struct central_plan *plans = calloc(n ? n : 1, sizeof *plans);
    struct central_plan_import *imports = calloc(n ? n : 1, sizeof *imports);
    const char **keep = calloc(n ? n : 1, sizeof *keep);
    struct central_activity **occurrences = calloc(n ? n : 1, sizeof *occurrences);
    struct wall *starts = calloc(OCCURRENCES_MAX, sizeof *starts);
    struct wall *ends = calloc(OCCURRENCES_MAX, sizeof *ends);
    r->spans = calloc(1, sizeof *r->spans);
    char(*uids)[CENTRAL_PLAN_UID_MAX] = calloc(n ? n : 1, sizeof *uids);
    size_t override_count = 0, import_count = 0, keep_count = 0;
    int rc = 0;
    if (!overrides || !plans || !imports || !keep || !occurrences || !starts || !ends || !uids ||
        !r->spans) {
        snprintf(err, errlen, "%s: out of memory", r->name);
        rc = -ENOMEM;
        goto out;
    }
    struct why why;
    /* First the UIDs and the changed occurrences (RECURRENCE-ID). */
    for (size_t i = 0; i < n; i++) {
        const char *uid = icalcomponent_get_uid(events->list[i]);
        if (!uid || !uid[0] || take_text("UID", uid, uids[i], sizeof uids[i], &why)) {
            if (!uid || !uid[0])
                refuse(&why, CENTRAL_ICAL_UID, "it has no UID");
            uids[i][0] = '\0';
            refused(r, r->lines[i].begin, "", icalcomponent_get_summary(events->list[i]), &why);
            continue;
        }
        if (icalcomponent_get_first_property(events->list[i], ICAL_RECURRENCEID_PROPERTY)) {
            overrides[override_count].event = i;
            memcpy(overrides[override_count].uid, uids[i], sizeof uids[i]);
            overrides[override_count].component = events->list[i];
            override_count++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!uids[i][0] ||
            icalcomponent_get_first_property(events->list[i], ICAL_RECURRENCEID_PROPERTY))
            continue;
        result->events++;
        int twice = 0;
        for (size_t k = 0; k < import_count; k++)
            twice |= !strcmp(imports[k].plan->uid, uids[i]);
        for (size_t k = 0; k < keep_count; k++)
            twice |= !strcmp(keep[k], uids[i]);
        if (twice) {
            refuse(&why, CENTRAL_ICAL_UID, "the UID is in the file twice");
            refused(r, r->lines[i].begin, uids[i], icalcomponent_get_summary(events->list[i]),
                    &why);
            continue;
        }
        struct plan_build b = {.starts = starts, .ends = ends};
        memset(&b.plan, 0, sizeof b.plan);
        event_new_id(b.plan.id);
        snprintf(b.plan.site, sizeof b.plan.site, "%s", site);
        memcpy(b.plan.uid, uids[i], sizeof b.plan.uid);
        b.occurrences = calloc(OCCURRENCES_MAX, sizeof *b.occurrences);
        if (!b.occurrences) {
            snprintf(err, errlen, "%s: out of memory", r->name);
            rc = -ENOMEM;
            goto out;
        }
        int line = r->lines[i].begin;
        enum outcome outcome =
            read_event(r, i, events->list[i], &b, overrides, override_count, &why, &line);
        if (outcome != EVENT_PLANNED)
            free(b.occurrences);
        if (outcome == EVENT_REFUSED) {
            refused(r, line, uids[i], icalcomponent_get_summary(events->list[i]), &why);
            keep[keep_count++] = uids[i];
        } else if (outcome == EVENT_PAST) {
            result->past++;
            keep[keep_count++] = uids[i];
        } else if (outcome == EVENT_CANCELLED) {
            result->cancelled++;
        } else {
            plans[import_count] = b.plan;
            occurrences[import_count] = b.occurrences;
            imports[import_count].plan = &plans[import_count];
            imports[import_count].occurrences = b.occurrences;
            imports[import_count].count = b.count;
            for (size_t k = 0; k < b.count; k++)
                memcpy(b.occurrences[k].site, site, strlen(site) + 1);
            result->occurrences += b.count;
            import_count++;
            result->imported++;
        }
    }
    for (size_t i = 0; i < override_count; i++)
        if (!overrides[i].used) {
            int refused_master = 0;
            for (size_t k = 0; k < keep_count; k++)
                refused_master |= !strcmp(keep[k], overrides[i].uid);
            if (refused_master)
                continue;
            refuse(&why, CENTRAL_ICAL_CHANGED,
                   "it changes one occurrence (RECURRENCE-ID) of an "
                   "event that is not in the file");
            refused(r, r->lines[overrides[i].event].recurrence_id, overrides[i].uid,
                    icalcomponent_get_summary(overrides[i].component), &why);
        }
    rc = central_store_plan_import(store, site, r->today, imports, import_count, keep, keep_count,
                                   &result->counts, err, errlen);
out:
    for (size_t i = 0; occurrences && i < import_count; i++)
        free(occurrences[i]);
    free(occurrences);
    free(overrides);
    free(plans);
    free(imports);
    free(keep);
    free(starts);
    free(ends);
    free(uids);
    free(r->spans);
    return rc;
}

int central_ical_import(struct central_store *store, const char *site, const char *name,
                        const char *text, size_t len, const char *today,
                        struct central_ical_result *result, char *err, size_t errlen)
{
    memset(result, 0, sizeof *result);
    struct reader r = {.name = name, .result = result};
    if (len > CENTRAL_ICAL_FILE_MAX) {
        snprintf(err, errlen, "%s is %zu bytes; a calendar file may be at most %u bytes", name, len,
                 CENTRAL_ICAL_FILE_MAX);
        return -EINVAL;
    }
    if (!today || central_plan_date_add(today, CENTRAL_PLAN_DAYS_MAX - 1, r.last)) {
        snprintf(err, errlen, "calendar import: \"%s\" is not a date YYYY-MM-DD",
                 today ? today : "");
        return -EINVAL;
    }
    memcpy(r.today, today, sizeof r.today);
    char *copy = malloc(len + 1);
    r.lines = calloc(CENTRAL_ICAL_EVENTS_MAX, sizeof *r.lines);
    struct file_events events = {calloc(CENTRAL_ICAL_EVENTS_MAX, sizeof(icalcomponent *)), 0};
    icalcomponent *root = NULL;
    int rc = 0;
    pthread_mutex_lock(&ical_lock);
    if (!copy || !r.lines || !events.list) {
        snprintf(err, errlen, "%s: out of memory", name);
        rc = -ENOMEM;
        goto out;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (strlen(copy) != len) {
        snprintf(err, errlen, "%s: not a calendar file (it holds a NUL byte)", name);
        rc = -EINVAL;
        goto out;
    }
    int count = index_lines(&r, copy);
    if (count < 0) {
        snprintf(err, errlen, "%s holds more than %d events; split the calendar", name,
                 CENTRAL_ICAL_EVENTS_MAX);
        rc = -EINVAL;
        goto out;
    }
    const char *begin = copy;
    if (!strncmp(begin, "\xef\xbb\xbf", 3)) /* Windows' byte order mark */
        begin += 3;
    if (strncasecmp(begin, "BEGIN:VCALENDAR", 15) != 0 ||
        !(root = icalparser_parse_string(begin))) {
        snprintf(err, errlen, "%s: not an iCalendar file (expected BEGIN:VCALENDAR on line 1)",
                 name);
        rc = -EINVAL;
        goto out;
    }
    r.oslo = icaltimezone_get_builtin_timezone("Europe/Oslo");
    r.utc = icaltimezone_get_utc_timezone();
    if (!r.oslo) {
        snprintf(err, errlen, "libical does not know the zone Europe/Oslo (is tzdata installed?)");
        rc = -EIO;
        goto out;
    }
    icalcomponent *calendar = NULL;
    for (icalcomponent *ev = next_event(root, &calendar, 1); ev;
         ev = next_event(root, &calendar, 0))
        if (events.count < (size_t)count)
            events.list[events.count++] = ev;
    if (events.count != (size_t)count) {
        snprintf(err, errlen,
                 "%s: %d events begin in the file but %zu could be read; is it "
                 "cut short?",
                 name, count, events.count);
        rc = -EINVAL;
        goto out;
    }
    if (events.count == 0) {
        snprintf(err, errlen, "%s holds no events (VEVENT); nothing was changed", name);
        rc = -EINVAL;
        goto out;
    }
    rc = import_parsed(&r, store, site, &events, err, errlen);
out:
    if (root)
        icalcomponent_free(root);
    pthread_mutex_unlock(&ical_lock);
    free(copy);
    free(r.lines);
    free(events.list);
    return rc;
}

void central_ical_today(char out[CENTRAL_DATE_LEN + 1])
{
    pthread_mutex_lock(&ical_lock);
    struct icaltimetype now =
        icaltime_current_time_with_zone(icaltimezone_get_builtin_timezone("Europe/Oslo"));
    pthread_mutex_unlock(&ical_lock);
    snprintf(out, CENTRAL_DATE_LEN + 1, "%04d-%02d-%02d", now.year, now.month, now.day);
}

void central_ical_summary(const struct central_ical_result *result, const char *today, FILE *out)
{
    fprintf(out,
            "%zu events: %zu imported (%zu added, %zu changed), %zu removed or cancelled, %zu "
            "in the past, %zu not imported; %zu occurrences from %s on, %zu of them new or "
            "changed\n",
            result->events, result->imported, result->counts.added, result->counts.updated,
            result->counts.removed + result->cancelled, result->past, result->refused,
            result->occurrences, today, result->counts.changed);
}
