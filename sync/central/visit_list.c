/* A volunteer's visits in a period (see visit_list.h): which visits a list
 * takes, and the list as CSV for Excel in Norway. */
#include "visit_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numfmt.h"
#include "report.h"

const char *const central_visit_list_headings[5] = {"Kom", "Enhet", "Gikk", "Aktivitet", "Timer"};

int central_visit_list_takes(const struct central_visit_list *list,
                             const struct central_visit *visit)
{
    if (strcmp(visit->day, list->from) < 0 || strcmp(visit->day, list->to) > 0)
        return 0;
    if (!list->sites)
        return 1;
    for (size_t i = 0; i < list->site_count; i++)
        if (!strcmp(list->sites[i], visit->site))
            return 1;
    return 0;
}

int central_visit_list_add(void *ctx, const struct central_visit *visit)
{
    struct central_visit_list *list = ctx;
    if (!central_visit_list_takes(list, visit))
        return 0;
    if (list->count == CENTRAL_VISIT_LIST_MAX)
        return -E2BIG;
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        if (cap > CENTRAL_VISIT_LIST_MAX)
            cap = CENTRAL_VISIT_LIST_MAX;
        struct central_visit *visits = realloc(list->visits, cap * sizeof *visits);
        if (!visits)
            return -ENOMEM;
        list->visits = visits;
        list->cap = cap;
    }
    list->visits[list->count++] = *visit;
    if (visit->end_us) {
        list->seconds += visit->seconds;
        list->closed++;
    }
    return 0;
}

void central_visit_list_free(struct central_visit_list *list)
{
    free(list->visits);
    list->visits = NULL;
    list->count = list->cap = 0;
}

void central_visit_list_when(int64_t us, char *out, size_t cap)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    /* Room for any int first, so the Release build sees no cut; a real
     * time is 16 characters. */
    char text[80];
    snprintf(text, sizeof text, "%02d.%02d.%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
    snprintf(out, cap, "%.16s", text);
}

int central_visit_list_title(const struct central_visit_list *list, struct central_buf *out)
{
    return central_buf_printf(out, "Besøk: %s (%s), %s til %s%s%s", list->name, list->volunteer,
                              list->from, list->to, list->where[0] ? ", " : "", list->where);
}

int central_visit_list_csv(const struct central_visit_list *list, struct central_buf *out)
{
    /* The BOM is what makes Excel read the file as UTF-8 (æ, ø, å). */
    central_buf_str(out, "\xEF\xBB\xBF");
    central_csv_line(out, central_visit_list_headings, 5);
    for (size_t i = 0; i < list->count; i++) {
        const struct central_visit *visit = &list->visits[i];
        char came[32], left[32] = "", hours[48] = "";
        central_visit_list_when(visit->start_us, came, sizeof came);
        /* An open visit has no end and counts no hours yet: empty cells. */
        if (visit->end_us) {
            central_visit_list_when(visit->end_us, left, sizeof left);
            numfmt_decimal(central_report_hours(visit->seconds), 2, "", hours, sizeof hours);
        }
        const char *fields[5] = {came, visit->site_name, left, visit->activity, hours};
        central_csv_line(out, fields, 5);
    }
    char hours[48];
    numfmt_decimal(central_report_hours(list->seconds), 2, "", hours, sizeof hours);
    const char *sum[5] = {"Sum", "", "", "", hours};
    central_csv_line(out, sum, 5);
    return out->failed ? -E2BIG : 0;
}
