/* Hour reports as an Excel workbook (.xlsx), written with libxlsxwriter:
 * one sheet per report (or a volunteer's visits), numbers stored as
 * numbers, the heading rows frozen so they stay while the coordinator
 * scrolls. */
#ifndef TILSTEDE_CENTRAL_XLSX_H
#define TILSTEDE_CENTRAL_XLSX_H

#include <stddef.h>

#include "buf.h"
#include "report.h"
#include "visit_list.h"

/* Writes the reports, one sheet each in the given order, to the file at
 * `path` (replaced whole: written beside it, then renamed). 0, or a negative
 * errno with the reason in err. */
int central_xlsx_write(const struct central_report *const *reports, size_t count, const char *path,
                       char *err, size_t errlen);

/* The same workbook appended to `out` (for an HTTP download). */
int central_xlsx_buf(const struct central_report *const *reports, size_t count,
                     struct central_buf *out, char *err, size_t errlen);

/* A volunteer's visits as a workbook of one sheet appended to `out`: the
 * times as Excel dates, the hours as numbers, the headings frozen. */
int central_xlsx_visits_buf(const struct central_visit_list *list, struct central_buf *out,
                            char *err, size_t errlen);

#endif
