/* Hour reports as an Excel workbook (see xlsx.h). libxlsxwriter writes the
 * file; this file lays out the sheets. Numbers are stored as numbers with
 * a format code ("#,##0.00"), never as text: Excel and LibreOffice show the
 * format in the reader's own locale, so a Norwegian coordinator sees
 * "1 234,50" and can still add the column up. */
#include "xlsx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

/* Excel's own limit for a sheet's name. */
#define SHEET_NAME_MAX 31
/* Excel's limit on rows in a sheet; a report with more rows is refused
 * rather than cut. */
#define SHEET_ROWS_MAX 1048576u

/* The rows above the report's own: the title, then the column headings. */
#define TITLE_ROW   0
#define HEADING_ROW 1
#define FIRST_ROW   2

struct formats {
    lxw_format *title;
    lxw_format *heading;
    lxw_format *hours;
    lxw_format *arsverk;
    lxw_format *visits;
    lxw_format *sum_text;
    lxw_format *sum_hours;
    lxw_format *sum_arsverk;
    lxw_format *sum_visits;
    lxw_format *when; /* a date and time of day, "23.11.2026 10:00" in Norway */
};

static lxw_format *number_format(lxw_workbook *book, const char *code, int bold)
{
    lxw_format *format = workbook_add_format(book);
    format_set_num_format(format, code);
    if (bold)
        format_set_bold(format);
    return format;
}

static void make_formats(lxw_workbook *book, struct formats *f)
{
    f->title = workbook_add_format(book);
    format_set_bold(f->title);
    format_set_font_size(f->title, 13);
    f->heading = workbook_add_format(book);
    format_set_bold(f->heading);
    format_set_bottom(f->heading, LXW_BORDER_THIN);
    f->hours = number_format(book, "#,##0.00", 0);
    f->arsverk = number_format(book, "0.00", 0);
    f->visits = number_format(book, "#,##0", 0);
    f->sum_text = workbook_add_format(book);
    format_set_bold(f->sum_text);
    format_set_top(f->sum_text, LXW_BORDER_THIN);
    f->sum_hours = number_format(book, "#,##0.00", 1);
    format_set_top(f->sum_hours, LXW_BORDER_THIN);
    f->sum_arsverk = number_format(book, "0.00", 1);
    format_set_top(f->sum_arsverk, LXW_BORDER_THIN);
    f->sum_visits = number_format(book, "#,##0", 1);
    format_set_top(f->sum_visits, LXW_BORDER_THIN);
    /* Excel shows dd.mm.yyyy as the reader's locale writes a date. */
    f->when = number_format(book, "dd.mm.yyyy hh:mm", 0);
}

/* A sheet's name: the grouping's heading, made unique with " 2", " 3"... */
static void sheet_name(const struct central_report *const *reports, size_t index, char *out,
                       size_t outlen)
{
    const char *group, *detail;
    central_report_headings(reports[index]->by, &group, &detail);
    size_t same = 0;
    for (size_t i = 0; i < index; i++)
        if (reports[i]->by == reports[index]->by)
            same++;
    if (same)
        snprintf(out, outlen, "%s %zu", group, same + 1);
    else
        snprintf(out, outlen, "%s", group);
}

static void write_row(lxw_worksheet *sheet, lxw_row_t row, const struct central_report *report,
                      const struct central_report_row *line, int with_detail,
                      const struct formats *f, int sum)
{
    lxw_col_t col = 0;
    worksheet_write_string(sheet, row, col++, line->label, sum ? f->sum_text : NULL);
    if (with_detail)
        worksheet_write_string(sheet, row, col++, line->detail, sum ? f->sum_text : NULL);
    worksheet_write_number(sheet, row, col++, central_report_hours(line->seconds),
                           sum ? f->sum_hours : f->hours);
    worksheet_write_number(sheet, row, col++, central_report_arsverk(report, line->seconds),
                           sum ? f->sum_arsverk : f->arsverk);
    worksheet_write_number(sheet, row, col, (double)line->visits, sum ? f->sum_visits : f->visits);
}

static int write_sheet(lxw_workbook *book, const struct central_report *report, const char *name,
                       const struct formats *f, char *err, size_t errlen)
{
    if (report->count + FIRST_ROW + 1 > SHEET_ROWS_MAX) {
        snprintf(err, errlen, "workbook: %zu rows do not fit in one sheet (Excel takes %u)",
                 report->count, SHEET_ROWS_MAX - FIRST_ROW - 1);
        return -E2BIG;
    }
    lxw_worksheet *sheet = workbook_add_worksheet(book, name);
    if (!sheet) {
        snprintf(err, errlen, "workbook: cannot add the sheet \"%s\"", name);
        return -ENOMEM;
    }
    const char *group, *detail;
    central_report_headings(report->by, &group, &detail);
    int with_detail = detail != NULL;

    struct central_buf title;
    central_buf_init(&title, 1024);
    central_report_title(report, &title);
    worksheet_write_string(sheet, TITLE_ROW, 0, title.len ? title.data : "", f->title);
    central_buf_free(&title);

    lxw_col_t col = 0;
    worksheet_write_string(sheet, HEADING_ROW, col++, group, f->heading);
    if (with_detail)
        worksheet_write_string(sheet, HEADING_ROW, col++, detail, f->heading);
    worksheet_write_string(sheet, HEADING_ROW, col++, "Timer", f->heading);
    worksheet_write_string(sheet, HEADING_ROW, col++, "Årsverk", f->heading);
    worksheet_write_string(sheet, HEADING_ROW, col, "Besøk", f->heading);

    for (size_t i = 0; i < report->count; i++)
        write_row(sheet, (lxw_row_t)(FIRST_ROW + i), report, &report->rows[i], with_detail, f, 0);
    write_row(sheet, (lxw_row_t)(FIRST_ROW + report->count), report, &report->total, with_detail, f,
              1);

    /* The title and headings stay in view while the coordinator scrolls. */
    worksheet_freeze_panes(sheet, FIRST_ROW, 0);
    worksheet_set_column(sheet, 0, 0, 34, NULL);
    if (with_detail)
        worksheet_set_column(sheet, 1, 1, 30, NULL);
    worksheet_set_column(sheet, with_detail ? 2 : 1, with_detail ? 4 : 3, 12, NULL);
    return 0;
}

/* What a workbook holds: a function that adds its sheets (0, or a
 * negative errno with the reason in err). */
typedef int (*book_fill)(lxw_workbook *book, const struct formats *formats, const void *ctx,
                         char *err, size_t errlen);

/* Writes a workbook to `path`, replaced whole: written beside it, then
 * renamed. Every workbook has the same properties and formats. */
static int write_book(const char *path, book_fill fill, const void *ctx, char *err, size_t errlen)
{
    char partial[4096];
    if (snprintf(partial, sizeof partial, "%s.partial", path) >= (int)sizeof partial) {
        snprintf(err, errlen, "workbook: the path is too long");
        return -ENAMETOOLONG;
    }
    lxw_workbook *book = workbook_new(partial);
    if (!book) {
        snprintf(err, errlen, "workbook: cannot create %s", partial);
        return -EIO;
    }
    lxw_doc_properties properties = {
        .title = (char *)"Frivillige timer",
        .author = (char *)"Tilstede",
        .comments = (char *)"Hours given by volunteers, from the kiosks' check-ins",
    };
    workbook_set_properties(book, &properties);
    struct formats formats;
    make_formats(book, &formats);
    int rc = fill(book, &formats, ctx, err, errlen);
    lxw_error closed = workbook_close(book);
    if (!rc && closed != LXW_NO_ERROR) {
        snprintf(err, errlen, "workbook: cannot write %s: %s", partial, lxw_strerror(closed));
        rc = -EIO;
    }
    if (!rc && rename(partial, path) != 0) {
        snprintf(err, errlen, "workbook: cannot rename %s to %s: %s", partial, path,
                 strerror(errno));
        rc = -errno;
    }
    if (rc)
        unlink(partial);
    return rc;
}

struct report_books {
    const struct central_report *const *reports;
    size_t count;
};

static int fill_reports(lxw_workbook *book, const struct formats *formats, const void *ctx,
                        char *err, size_t errlen)
{
    const struct report_books *books = ctx;
    int rc = 0;
    for (size_t i = 0; i < books->count && !rc; i++) {
        char name[SHEET_NAME_MAX + 1];
        sheet_name(books->reports, i, name, sizeof name);
        rc = write_sheet(book, books->reports[i], name, formats, err, errlen);
    }
    return rc;
}

int central_xlsx_write(const struct central_report *const *reports, size_t count, const char *path,
                       char *err, size_t errlen)
{
    if (!count) {
        snprintf(err, errlen, "workbook: no report to write");
        return -EINVAL;
    }
    struct report_books books = {reports, count};
    return write_book(path, fill_reports, &books, err, errlen);
}

/* A workbook appended to `out` (for an HTTP download or a mail). */
static int book_to_buf(book_fill fill, const void *ctx, struct central_buf *out, char *err,
                       size_t errlen)
{
    /* libxlsxwriter 1.1.4 (Debian 12) writes only to a file; a private
     * temporary directory keeps the workbook from anyone else's eyes. */
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tilstede-xlsx-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "workbook: cannot make a temporary directory: %s", strerror(errno));
        return -errno;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    int rc = write_book(path, fill, ctx, err, errlen);
    FILE *file = rc ? NULL : fopen(path, "rb");
    if (!rc && !file) {
        snprintf(err, errlen, "workbook: cannot read %s back: %s", path, strerror(errno));
        rc = -EIO;
    }
    if (file) {
        char chunk[65536];
        size_t n;
        while (!rc && (n = fread(chunk, 1, sizeof chunk, file)) > 0)
            if (central_buf_add(out, chunk, n)) {
                snprintf(err, errlen, "workbook: too large for the answer");
                rc = -E2BIG;
            }
        if (!rc && ferror(file)) {
            snprintf(err, errlen, "workbook: cannot read %s back", path);
            rc = -EIO;
        }
        fclose(file);
    }
    unlink(path);
    rmdir(dir);
    return rc;
}

int central_xlsx_buf(const struct central_report *const *reports, size_t count,
                     struct central_buf *out, char *err, size_t errlen)
{
    if (!count) {
        snprintf(err, errlen, "workbook: no report to write");
        return -EINVAL;
    }
    struct report_books books = {reports, count};
    return book_to_buf(fill_reports, &books, out, err, errlen);
}

/* ---- a volunteer's visits: one sheet, a row per visit ---- */

/* Excel's date and time of a moment, in local time (the municipality's). */
static lxw_datetime local_datetime(int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    lxw_datetime when = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour,        tm.tm_min,     (double)tm.tm_sec};
    return when;
}

static int fill_visits(lxw_workbook *book, const struct formats *f, const void *ctx, char *err,
                       size_t errlen)
{
    const struct central_visit_list *list = ctx;
    if (list->count + FIRST_ROW + 1 > SHEET_ROWS_MAX) {
        snprintf(err, errlen, "workbook: %zu visits do not fit in one sheet (Excel takes %u)",
                 list->count, SHEET_ROWS_MAX - FIRST_ROW - 1);
        return -E2BIG;
    }
    lxw_worksheet *sheet = workbook_add_worksheet(book, "Besøk");
    if (!sheet) {
        snprintf(err, errlen, "workbook: cannot add the sheet of visits");
        return -ENOMEM;
    }
    struct central_buf title;
    central_buf_init(&title, 1024);
    central_visit_list_title(list, &title);
    worksheet_write_string(sheet, TITLE_ROW, 0, title.len ? title.data : "", f->title);
    central_buf_free(&title);
    for (lxw_col_t col = 0; col < 5; col++)
        worksheet_write_string(sheet, HEADING_ROW, col, central_visit_list_headings[col],
                               f->heading);
    for (size_t i = 0; i < list->count; i++) {
        const struct central_visit *visit = &list->visits[i];
        lxw_row_t row = (lxw_row_t)(FIRST_ROW + i);
        lxw_datetime came = local_datetime(visit->start_us);
        worksheet_write_datetime(sheet, row, 0, &came, f->when);
        worksheet_write_string(sheet, row, 1, visit->site_name, NULL);
        /* An open visit has no end and counts no hours yet: empty cells. */
        if (visit->end_us) {
            lxw_datetime left = local_datetime(visit->end_us);
            worksheet_write_datetime(sheet, row, 2, &left, f->when);
            worksheet_write_number(sheet, row, 4, central_report_hours(visit->seconds), f->hours);
        }
        if (visit->activity[0])
            worksheet_write_string(sheet, row, 3, visit->activity, NULL);
    }
    lxw_row_t sum = (lxw_row_t)(FIRST_ROW + list->count);
    worksheet_write_string(sheet, sum, 0, "Sum", f->sum_text);
    for (lxw_col_t col = 1; col < 4; col++)
        worksheet_write_blank(sheet, sum, col, f->sum_text);
    worksheet_write_number(sheet, sum, 4, central_report_hours(list->seconds), f->sum_hours);
    /* The title and headings stay in view while the coordinator scrolls. */
    worksheet_freeze_panes(sheet, FIRST_ROW, 0);
    worksheet_set_column(sheet, 0, 0, 18, NULL);
    worksheet_set_column(sheet, 1, 1, 30, NULL);
    worksheet_set_column(sheet, 2, 2, 18, NULL);
    worksheet_set_column(sheet, 3, 3, 30, NULL);
    worksheet_set_column(sheet, 4, 4, 12, NULL);
    return 0;
}

int central_xlsx_visits_buf(const struct central_visit_list *list, struct central_buf *out,
                            char *err, size_t errlen)
{
    return book_to_buf(fill_visits, list, out, err, errlen);
}
