/* Hour reports for the volunteer coordinator: hours and årsverk per site,
 * kind of service, activity, month or volunteer over a period, as text,
 * CSV for a Norwegian Excel, JSON, or rows for the dashboard. */
#ifndef TILSTEDE_CENTRAL_REPORT_H
#define TILSTEDE_CENTRAL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/* Tønsberg's 2024 table implies about 1,700 hours per årsverk. */
#define CENTRAL_HOURS_PER_ARSVERK_DEFAULT 1700.0

enum central_report_by {
    CENTRAL_BY_SITE,
    CENTRAL_BY_KIND,
    CENTRAL_BY_ACTIVITY,
    CENTRAL_BY_MONTH,
    CENTRAL_BY_VOLUNTEER,
};

struct central_report_row {
    char key[EVENT_KEY_MAX];
    char label[CENTRAL_NAME_MAX * 2];
    char detail[CENTRAL_NAME_MAX * 2]; /* site: kind of service; activity: date and site */
    int64_t seconds;
    int64_t visits;
};

struct central_report {
    char from[CENTRAL_DATE_LEN + 1];
    char to[CENTRAL_DATE_LEN + 1];
    enum central_report_by by;
    double hours_per_arsverk;
    struct central_report_row *rows;
    size_t count;
    struct central_report_row total;
};

/* -1 for an unknown name. */
int central_report_by_parse(const char *name);
const char *central_report_by_name(enum central_report_by by);
/* 1 when text is a real calendar date "YYYY-MM-DD". */
int central_report_date_valid(const char *text);

int central_report_run(struct central_store *store, const char *from, const char *to,
                       enum central_report_by by, double hours_per_arsverk,
                       struct central_report **out, char *err, size_t errlen);
/* The same, of the listed sites only (a contact's; a drill-down's): sites
 * NULL is every site, site_count 0 with sites not NULL none. A grouping
 * by kind then sums only those sites, as do activities, months and
 * volunteers. */
int central_report_run_at(struct central_store *store, const char *from, const char *to,
                          enum central_report_by by, double hours_per_arsverk,
                          const char *const *sites, size_t site_count, struct central_report **out,
                          char *err, size_t errlen);
void central_report_free(struct central_report *report);

/* The service area (a row's key of the grouping by kind, such as
 * "helsehus_sykehjem") a kind of site counts under, and an area's label
 * ("Helsehus og sykehjem"), NULL for an unknown area. */
const char *central_report_area(const char *kind);
const char *central_report_area_label(const char *area);

double central_report_hours(int64_t seconds);
double central_report_arsverk(const struct central_report *report, int64_t seconds);


/* "Helsehus og sykehjem: 11 905 timer, 7,0 årsverk" per row and a sum. */
int central_report_text(const struct central_report *report, struct central_buf *out);
/* UTF-8 with BOM, ';' separated, decimal comma, CRLF line ends. */
int central_report_csv(const struct central_report *report, struct central_buf *out);
int central_report_json(const struct central_report *report, struct central_buf *out);

/* The report's column headings: the group's ("Enhet") and the detail
 * column's ("Type"), NULL when the grouping has no detail column. The CSV
 * and the workbook share them. */
void central_report_headings(enum central_report_by by, const char **group, const char **detail);
/* "Frivillige timer 2026-01-01 til 2026-12-31, etter enhet (1 årsverk = 1 700 timer)" */
int central_report_title(const struct central_report *report, struct central_buf *out);

/* One CSV line for Excel in Norway: fields ';'-separated, quoted where
 * needed, a leading = + - @ defused, CRLF. */
void central_csv_line(struct central_buf *out, const char *const *fields, size_t count);

/* Norwegian name of a kind of service ("Sykehjem"); the kind itself if unknown. */
const char *central_report_kind_label(const char *kind);

#endif
