/* A report's period as the pages take it (see web.h): a year, a quarter,
 * a month, or two dates, from the query; its dates, its words and the
 * query that names it again in a link. One reading for every page that
 * takes a period (the reports, the annual report, a statement). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "web.h"

#define YEAR_MIN 2000
#define YEAR_MAX 2099

/* The words of this file, in one place (bokmål). */
static const struct {
    const char *bad_year, *bad_quarter, *bad_month, *bad_from, *bad_to, *bad_order, *bad_kind,
        *quarter;
    const char *months[12];
} text = {
    .bad_year = N_("Året må være et tall fra 2000 til 2099, ikke"),
    .bad_quarter = N_("Kvartalet må være 1, 2, 3 eller 4, ikke"),
    .bad_month = N_("Måneden må være et tall fra 1 til 12, ikke"),
    .bad_from = N_("Fra-datoen må være en dato (ÅÅÅÅ-MM-DD), ikke"),
    .bad_to = N_("Til-datoen må være en dato (ÅÅÅÅ-MM-DD), ikke"),
    .bad_order = N_("Fra-datoen må komme før til-datoen."),
    .bad_kind = N_("Perioden må være år, kvartal, måned eller fra–til, ikke"),
    .quarter = N_("kvartal"),
    .months = {N_("januar"), N_("februar"), N_("mars"), N_("april"), N_("mai"), N_("juni"),
               N_("juli"), N_("august"), N_("september"), N_("oktober"), N_("november"),
               N_("desember")},
};

const char *web_month_name(const struct web *web, int month)
{
    return month >= 1 && month <= 12 ? _(text.months[month - 1]) : "?";
}

/* A whole number between min and max from a field; the default when the
 * field is missing or empty, -1 when it is anything else. */
static int number_field(const struct web *web, const char *name, int fallback, int min, int max)
{
    const char *value = web_field(web, name);
    if (!value || !value[0])
        return fallback;
    char *end;
    long number = strtol(value, &end, 10);
    return *end || number < min || number > max ? -1 : (int)number;
}

static void bad(char *why, size_t cap, const char *words, const char *value)
{
    char shown[48];
    /* Enough of what was sent to recognise it, never cut inside a letter. */
    size_t len = strlen(value ? value : "");
    if (len > 40) {
        len = 40;
        while (len && ((unsigned char)value[len] & 0xC0) == 0x80)
            len--;
    }
    snprintf(shown, sizeof shown, "%.*s%s", (int)len, value ? value : "",
             strlen(value ? value : "") > len ? "…" : "");
    snprintf(why, cap, "%s «%s».", words, shown);
}

static int days_in(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

int web_period_parse(const struct web *web, struct web_period *period, char *why, size_t cap)
{
    memset(period, 0, sizeof *period);
    time_t now = time(NULL);
    struct tm today;
    localtime_r(&now, &today);
    const char *kind = web_field(web, "period");
    const char *from = web_field(web, "from"), *to = web_field(web, "to");
    if (!kind || !kind[0])
        kind = from && from[0] ? "range" : "year";
    period->year = number_field(web, "year", today.tm_year + 1900, YEAR_MIN, YEAR_MAX);
    period->quarter = number_field(web, "quarter", today.tm_mon / 3 + 1, 1, 4);
    period->month = number_field(web, "month", today.tm_mon + 1, 1, 12);
    if (!strcmp(kind, "range")) {
        if (!central_report_date_valid(from)) {
            bad(why, cap, _(text.bad_from), from);
            return -1;
        }
        if (!central_report_date_valid(to)) {
            bad(why, cap, _(text.bad_to), to);
            return -1;
        }
        if (strcmp(from, to) > 0) {
            snprintf(why, cap, "%s", _(text.bad_order));
            return -1;
        }
        snprintf(period->kind, sizeof period->kind, "range");
        snprintf(period->from, sizeof period->from, "%s", from);
        snprintf(period->to, sizeof period->to, "%s", to);
        char a[40], b[40];
        web_date(web, from, a, sizeof a);
        web_date(web, to, b, sizeof b);
        snprintf(period->words, sizeof period->words, "%s–%s", a, b);
        snprintf(period->query, sizeof period->query, "period=range&from=%s&to=%s", from, to);
        /* The other fields show the year the range starts in. */
        period->year = atoi(from);
        period->quarter = period->quarter < 0 ? 1 : period->quarter;
        period->month = period->month < 0 ? 1 : period->month;
        return 0;
    }
    if (period->year < 0) {
        bad(why, cap, _(text.bad_year), web_field(web, "year"));
        return -1;
    }
    int first = 1, last = 12;
    if (!strcmp(kind, "quarter")) {
        if (period->quarter < 0) {
            bad(why, cap, _(text.bad_quarter), web_field(web, "quarter"));
            return -1;
        }
        first = period->quarter * 3 - 2;
        last = first + 2;
        snprintf(period->words, sizeof period->words, "%d. %s %d", period->quarter, _(text.quarter),
                 period->year);
        snprintf(period->query, sizeof period->query, "period=quarter&year=%d&quarter=%d",
                 period->year, period->quarter);
    } else if (!strcmp(kind, "month")) {
        if (period->month < 0) {
            bad(why, cap, _(text.bad_month), web_field(web, "month"));
            return -1;
        }
        first = last = period->month;
        snprintf(period->words, sizeof period->words, "%s %d", web_month_name(web, period->month),
                 period->year);
        snprintf(period->query, sizeof period->query, "period=month&year=%d&month=%d", period->year,
                 period->month);
    } else if (!strcmp(kind, "year")) {
        snprintf(period->words, sizeof period->words, "%d", period->year);
        snprintf(period->query, sizeof period->query, "period=year&year=%d", period->year);
    } else {
        bad(why, cap, _(text.bad_kind), kind);
        return -1;
    }
    snprintf(period->kind, sizeof period->kind, "%s", kind);
    /* The fields not used keep a value the form can show. */
    if (period->quarter < 0)
        period->quarter = 1;
    if (period->month < 0)
        period->month = 1;
    /* year is within YEAR_MIN..YEAR_MAX (four digits) and first..last
     * within 1..12, as read above; the unsigned casts let the compiler
     * see that the dates fit their CENTRAL_DATE_LEN. */
    unsigned y = (unsigned)period->year % 10000u, f = (unsigned)first % 100u,
             l = (unsigned)last % 100u, d = (unsigned)days_in(period->year, last) % 100u;
    snprintf(period->from, sizeof period->from, "%04u-%02u-01", y, f);
    snprintf(period->to, sizeof period->to, "%04u-%02u-%02u", y, l, d);
    return 0;
}
