/* A volunteer's visits in a period, the reports' last level (a volunteer
 * opens their visits): collected for the downloads, written as CSV for a
 * Norwegian Excel here and as a workbook by xlsx.c. The web page lists the
 * same visits, chosen by the same rule (central_visit_list_takes). */
#ifndef TILSTEDE_CENTRAL_VISIT_LIST_H
#define TILSTEDE_CENTRAL_VISIT_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store_web.h"

/* Visits in one list: a spreadsheet's worth and then some (a visit a day
 * for 130 years). Over it is an error naming the volunteer. */
#define CENTRAL_VISIT_LIST_MAX 50000

struct central_visit_list {
    char volunteer[EVENT_KEY_MAX];   /* the external id, "F-1" */
    char name[2 * CENTRAL_NAME_MAX]; /* "Kari Nordmann" */
    char from[CENTRAL_DATE_LEN + 1]; /* the period, days as the reports count them */
    char to[CENTRAL_DATE_LEN + 1];
    char where[CENTRAL_NAME_MAX]; /* a site's or a service area's name, or "" */
    const char *const *sites;     /* the sites it covers: NULL every site */
    size_t site_count;
    struct central_visit *visits; /* newest first, as the store gives them */
    size_t count, cap;
    int64_t seconds; /* the closed visits' sum, as the reports count it */
    int64_t closed;  /* closed visits (an open one counts no hours yet) */
};

/* 1 when the list's period and sites hold the visit (by the day it started,
 * as the reports count it). */
int central_visit_list_takes(const struct central_visit_list *list,
                             const struct central_visit *visit);
/* A central_visit_cb: adds the visit when the list takes it. -E2BIG past
 * CENTRAL_VISIT_LIST_MAX, -ENOMEM. */
int central_visit_list_add(void *list, const struct central_visit *visit);
void central_visit_list_free(struct central_visit_list *list);

/* "kl. 10.00" as the page writes it is for people; a file gets the day and
 * time a spreadsheet reads as a date ("23.11.2026 10:00", local time). */
void central_visit_list_when(int64_t us, char *out, size_t cap);
/* "Besøk: Kari Nordmann (F-1), 2026-01-01 til 2026-12-31, Lilleby sykehjem" */
int central_visit_list_title(const struct central_visit_list *list, struct central_buf *out);
/* The column headings, shared by the CSV and the workbook: the page's. */
extern const char *const central_visit_list_headings[5];

/* UTF-8 with BOM, ';' separated, decimal comma, CRLF, as the other
 * reports' CSV: a heading line, a line per visit, the sum. */
int central_visit_list_csv(const struct central_visit_list *list, struct central_buf *out);

#endif
