/* A report's period as whole months and the days at its ends (period.h). */
#include "period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* A range no date is in: from sorts after every date, to before. */
#define EMPTY_FROM "9999-99-99"
#define EMPTY_TO   "0000-00-00"

static void copy_text(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%.*s", (int)(size - 1), text);
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* The month `step` (+1 or -1) from the date's month, as YYYY-MM; years
 * 1..9999 keep four digits, which central_report_date_valid guarantees
 * except at the two ends of the calendar, where the months stay empty. */
static void month_step(const char *date, int step, char out[CENTRAL_PERIOD_MONTH_BYTES])
{
    int year = atoi(date), month = atoi(date + 5) + step;
    if (month == 13)
        year++, month = 1;
    if (month == 0)
        year--, month = 12;
    if (year < 1 || year > 9999) {
        copy_text(out, CENTRAL_PERIOD_MONTH_BYTES, step > 0 ? "9999-99" : "0000-00");
        return;
    }
    snprintf(out, CENTRAL_PERIOD_MONTH_BYTES, "%04u-%02u", (unsigned)year % 10000u,
             (unsigned)month % 100u);
}

void central_period_split(const char *from, const char *to, struct central_period_split *split)
{
    memset(split, 0, sizeof *split);
    copy_text(split->head_from, sizeof split->head_from, from ? from : "");
    copy_text(split->tail_from, sizeof split->tail_from, EMPTY_FROM);
    copy_text(split->tail_to, sizeof split->tail_to, EMPTY_TO);
    copy_text(split->months_from, sizeof split->months_from, "9999-99");
    copy_text(split->months_to, sizeof split->months_to, "0000-00");
    copy_text(split->head_to, sizeof split->head_to, to ? to : "");
    if (!central_report_date_valid(from) || !central_report_date_valid(to) || strcmp(from, to) > 0)
        return;
    int from_first = strcmp(from + 8, "01") == 0;
    int to_last = atoi(to + 8) == days_in_month(atoi(to), atoi(to + 5));
    if (from_first)
        copy_text(split->months_from, sizeof split->months_from, from);
    else
        month_step(from, +1, split->months_from);
    if (to_last)
        copy_text(split->months_to, sizeof split->months_to, to);
    else
        month_step(to, -1, split->months_to);
    if (strcmp(split->months_from, split->months_to) > 0) {
        /* No month inside whole: every day from the visits. */
        copy_text(split->months_from, sizeof split->months_from, "9999-99");
        copy_text(split->months_to, sizeof split->months_to, "0000-00");
        return;
    }
    /* The head: from to the end of its month, unless from opens a month. */
    if (from_first) {
        copy_text(split->head_from, sizeof split->head_from, EMPTY_FROM);
        copy_text(split->head_to, sizeof split->head_to, EMPTY_TO);
    } else {
        snprintf(split->head_to, sizeof split->head_to, "%.7s-%02u", from,
                 (unsigned)days_in_month(atoi(from), atoi(from + 5)) % 100u);
    }
    /* The tail: the first of to's month to to, unless to closes a month. */
    if (!to_last) {
        snprintf(split->tail_from, sizeof split->tail_from, "%.7s-01", to);
        copy_text(split->tail_to, sizeof split->tail_to, to);
    }
}
