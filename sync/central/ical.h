/* A service's calendar (iCalendar, RFC 5545, as Outlook exports it) read
 * with libical into the central's weekly plans (plan.h): one plan per
 * event UID, its occurrences from today on, an EXDATE or a cancelled
 * RECURRENCE-ID a cancelled occurrence, a changed RECURRENCE-ID a moved
 * one. Times are Europe/Oslo wall-clock times: a TZID with its VTIMEZONE
 * and UTC times are converted, floating times are taken as Oslo time.
 * What a weekly plan cannot hold (a monthly rule, every other week, an
 * all-day event) is refused, naming the event's line and UID; the other
 * events are imported. README.md says what an import does to a second file
 * and to events removed from it. */
#ifndef TILSTEDE_CENTRAL_ICAL_H
#define TILSTEDE_CENTRAL_ICAL_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"
#include "store.h"

/* The largest calendar file read, by the command and by the upload: a
 * year of a nursing home's Outlook calendar is some 100 kB. */
#define CENTRAL_ICAL_FILE_MAX (2u * 1024u * 1024u)
/* The most events (VEVENT blocks) one file may hold. */
#define CENTRAL_ICAL_EVENTS_MAX 2000
/* What an import says about refused events and notes, one line each. */
#define CENTRAL_ICAL_REPORT_MAX 8192

/* The most refused events listed one by one (the count goes on). */
#define CENTRAL_ICAL_REFUSALS_MAX 64
#define CENTRAL_ICAL_DETAIL_MAX   256

/* Why an event was not imported, for a person to read. */
enum central_ical_reason {
    CENTRAL_ICAL_RULE_FREQ,     /* monthly, yearly, hourly ... */
    CENTRAL_ICAL_RULE_INTERVAL, /* every other week or day, or rarer */
    CENTRAL_ICAL_RULE_PARTS,    /* months, days of the month, the n-th weekday */
    CENTRAL_ICAL_ALL_DAY,
    CENTRAL_ICAL_LENGTH,  /* not more than 0 and less than 24 hours */
    CENTRAL_ICAL_NO_TIME, /* no title, start or end */
    CENTRAL_ICAL_ZONE,    /* a TZID neither in the file nor known */
    CENTRAL_ICAL_DATES,   /* RDATE, EXRULE, several RRULEs */
    CENTRAL_ICAL_CHANGED, /* a RECURRENCE-ID that fits no occurrence */
    CENTRAL_ICAL_UID,     /* none, too long, or twice */
    CENTRAL_ICAL_TEXT,    /* a title or place too long, or not UTF-8 */
    CENTRAL_ICAL_UNREADABLE,
};

struct central_ical_refusal {
    int line; /* the event's line in the file (its RRULE's for a rule) */
    enum central_ical_reason reason;
    char uid[CENTRAL_PLAN_UID_MAX];
    char title[CENTRAL_NAME_MAX];
    char detail[CENTRAL_ICAL_DETAIL_MAX]; /* in English, as the command prints it */
};

struct central_ical_result {
    size_t events;    /* events (UIDs) in the file */
    size_t imported;  /* of them, put into plans */
    size_t past;      /* of them, with no occurrence from today on */
    size_t refused;   /* of them, not imported (see report) */
    size_t cancelled; /* of them, cancelled in the file (STATUS:CANCELLED) */
    struct central_import_counts counts;
    size_t occurrences; /* occurrences from today on, in the file's plans */
    struct central_ical_refusal refusals[CENTRAL_ICAL_REFUSALS_MAX];
    size_t refusal_count; /* listed in refusals[], at most ..._MAX */
    /* "line 42: event UID x: ..." per refused event, for the command. */
    char report[CENTRAL_ICAL_REPORT_MAX];
};

/* Imports a calendar's text into site's plans, in one store transaction
 * (central_store_plan_import): events are matched to earlier imports by
 * UID, so a second import of the same file changes nothing; an event
 * missing from the file (or cancelled in it) has its occurrences from
 * `today` (YYYY-MM-DD, Oslo) on cancelled. `name` names the input in
 * messages. Returns 0 when the import ran (result->refused may still be
 * non-zero); -EINVAL (err says why) when the text is not a calendar, is
 * too large or holds no event, and nothing changed; or the store's error. */
int central_ical_import(struct central_store *store, const char *site, const char *name,
                        const char *text, size_t len, const char *today,
                        struct central_ical_result *result, char *err, size_t errlen);

/* Today's date in Oslo (YYYY-MM-DD). */
void central_ical_today(char out[CENTRAL_DATE_LEN + 1]);
/* One line: what an import did ("3 events: 2 imported ..."). */
void central_ical_summary(const struct central_ical_result *result, const char *today, FILE *out);

#endif
