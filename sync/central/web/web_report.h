/* What the report pages share (web_reports.c, web_year.c,
 * web_statement.c): the sites a request's report covers and the report
 * over them, and the figures as the pages write them. */
#ifndef TILSTEDE_CENTRAL_WEB_REPORT_H
#define TILSTEDE_CENTRAL_WEB_REPORT_H

#include "report.h"
#include "web.h"

/* The sites a report covers: those the signed-in person may see (a
 * coordinator or a viewer every site, a contact theirs), narrowed by the
 * query's area (a service area's key) and site. */
struct web_scope {
    int all; /* every site of the municipality: the report has no filter */
    char area[CENTRAL_KIND_MAX * 2];
    const char *area_label;   /* "Helsehus og sykehjem", or NULL */
    struct central_site site; /* the query's site (id "" none) */
    struct central_site *sites;
    const char **ids; /* the sites' ids, for central_report_run_at */
    size_t count, cap;
};

/* 0, or -1 with an HTTP status and a page's title and words for the answer
 * (an unknown area, a site that does not exist or is not theirs: 404). */
int web_scope_read(const struct web *web, struct web_scope *scope, unsigned *status,
                   const char **title, const char **words);
void web_scope_free(struct web_scope *scope);
/* The report of the scope's sites in the period: 0 or the store's error. */
int web_scope_report(const struct web *web, const struct web_scope *scope,
                     const struct web_period *period, enum central_report_by by,
                     struct central_report **out);

/* One of the report's own words (report.c's headings, kinds of service
 * and their groups, in bokmål) in the page's language; anything else (a
 * site's name) as it is. */
const char *web_report_words(const struct web *web, const char *words);

/* "1 234,5" hours and "0,73" årsverk in the page's language (web_number;
 * web NULL: bokmål). */
void web_hours_words(const struct web *web, double hours, char *out, size_t cap);
void web_arsverk_words(const struct web *web, double arsverk, char *out, size_t cap);

#endif
