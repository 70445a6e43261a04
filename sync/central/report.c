/* Hour reports (see report.h). The store sums seconds per group; this file
 * turns seconds into hours and årsverk and writes them the way a Norwegian
 * coordinator and a Norwegian Excel expect. */
#include "report.h"

#include "numfmt.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More groups than this is not a report anyone reads; it is a runaway. */
#define REPORT_MAX_ROWS 1000000u

static const char *const by_names[] = {
    [CENTRAL_BY_SITE] = "site",           [CENTRAL_BY_KIND] = "kind",
    [CENTRAL_BY_ACTIVITY] = "activity",   [CENTRAL_BY_MONTH] = "month",
    [CENTRAL_BY_VOLUNTEER] = "volunteer",
};

int central_report_by_parse(const char *name)
{
    for (size_t i = 0; i < sizeof by_names / sizeof by_names[0]; i++)
        if (name && strcmp(name, by_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *central_report_by_name(enum central_report_by by)
{
    return (unsigned)by < sizeof by_names / sizeof by_names[0] ? by_names[by] : "?";
}

int central_report_date_valid(const char *text)
{
    if (!text || strlen(text) != CENTRAL_DATE_LEN || text[4] != '-' || text[7] != '-')
        return 0;
    for (int i = 0; i < CENTRAL_DATE_LEN; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
            return 0;
    int year = atoi(text), month = atoi(text + 5), day = atoi(text + 8);
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days[month - 1])
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(month == 2 && day == 29 && !leap);
}

/* The report's groups of kinds, in the order of Tønsberg's table. */
static const struct {
    const char *key;
    const char *label;
    const char *kinds[3];
} kind_groups[] = {
    {"helsehus_sykehjem", "Helsehus og sykehjem", {"sykehjem", "helsehus", NULL}},
    {"aktivitetshus", "Aktivitetshusene", {"aktivitetshus", NULL, NULL}},
    {"hjemmetjeneste", "Hjemmetjenestene", {"hjemmetjeneste", NULL, NULL}},
    {"other", "Andre", {"other", NULL, NULL}},
};
#define KIND_GROUPS (sizeof kind_groups / sizeof kind_groups[0])

const char *central_report_kind_label(const char *kind)
{
    static const char *const labels[][2] = {
        {"sykehjem", "Sykehjem"},
        {"helsehus", "Helsehus"},
        {"aktivitetshus", "Aktivitetshus"},
        {"hjemmetjeneste", "Hjemmetjeneste"},
        {"other", "Annet"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(kind, labels[i][0]) == 0)
            return labels[i][1];
    return kind;
}

static size_t kind_group(const char *kind)
{
    for (size_t g = 0; g < KIND_GROUPS; g++)
        for (int k = 0; k < 3 && kind_groups[g].kinds[k]; k++)
            if (strcmp(kind, kind_groups[g].kinds[k]) == 0)
                return g;
    return KIND_GROUPS - 1;
}

const char *central_report_area(const char *kind)
{
    return kind_groups[kind_group(kind)].key;
}

const char *central_report_area_label(const char *area)
{
    for (size_t g = 0; g < KIND_GROUPS; g++)
        if (area && strcmp(area, kind_groups[g].key) == 0)
            return kind_groups[g].label;
    return NULL;
}

struct collect {
    struct central_report *report;
    int kind_used[KIND_GROUPS];
    size_t cap;
};

static const char *const month_names[] = {"januar",    "februar", "mars",     "april",
                                          "mai",       "juni",    "juli",     "august",
                                          "september", "oktober", "november", "desember"};

static int collect_total(void *ctx, const struct central_total *total)
{
    struct collect *c = ctx;
    struct central_report *r = c->report;
    r->total.seconds += total->seconds;
    r->total.visits += total->visits;
    if (r->by == CENTRAL_BY_KIND) {
        size_t g = kind_group(total->site_kind);
        c->kind_used[g] = 1;
        r->rows[g].seconds += total->seconds;
        r->rows[g].visits += total->visits;
        return 0;
    }
    if (r->count == c->cap) {
        if (c->cap >= REPORT_MAX_ROWS)
            return -E2BIG;
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct central_report_row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows)
            return -ENOMEM;
        r->rows = rows;
        c->cap = cap;
    }
    struct central_report_row *row = &r->rows[r->count++];
    memset(row, 0, sizeof *row);
    snprintf(row->key, sizeof row->key, "%s", total->key);
    snprintf(row->label, sizeof row->label, "%s", total->label);
    row->seconds = total->seconds;
    row->visits = total->visits;
    switch (r->by) {
    case CENTRAL_BY_SITE:
        snprintf(row->detail, sizeof row->detail, "%s",
                 central_report_kind_label(total->site_kind));
        break;
    case CENTRAL_BY_ACTIVITY:
        if (!total->key[0])
            snprintf(row->label, sizeof row->label, "Uten aktivitet");
        else if (!row->label[0])
            snprintf(row->label, sizeof row->label, "Ukjent aktivitet");
        snprintf(row->detail, sizeof row->detail, "%s", total->detail);
        break;
    case CENTRAL_BY_MONTH: {
        int month = atoi(total->key + 5);
        if (month >= 1 && month <= 12)
            snprintf(row->label, sizeof row->label, "%s %.4s", month_names[month - 1], total->key);
        break;
    }
    case CENTRAL_BY_VOLUNTEER:
        snprintf(row->detail, sizeof row->detail, "%s", total->label);
        snprintf(row->label, sizeof row->label, "%s", total->key);
        break;
    case CENTRAL_BY_KIND:
        break;
    }
    return 0;
}

int central_report_run(struct central_store *store, const char *from, const char *to,
                       enum central_report_by by, double hours_per_arsverk,
                       struct central_report **out, char *err, size_t errlen)
{
    return central_report_run_at(store, from, to, by, hours_per_arsverk, NULL, 0, out, err, errlen);
}

int central_report_run_at(struct central_store *store, const char *from, const char *to,
                          enum central_report_by by, double hours_per_arsverk,
                          const char *const *sites, size_t site_count, struct central_report **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    if (!central_report_date_valid(from) || !central_report_date_valid(to) ||
        strcmp(from, to) > 0) {
        snprintf(err, errlen,
                 "report: the period \"%s\" to \"%s\" is not two dates YYYY-MM-DD "
                 "in order",
                 from ? from : "", to ? to : "");
        return -EINVAL;
    }
    if (!(hours_per_arsverk > 0) || hours_per_arsverk > 8784) {
        snprintf(err, errlen, "report: hours per årsverk must be between 0 and 8784, not %g",
                 hours_per_arsverk);
        return -EINVAL;
    }
    struct central_report *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(r->from, sizeof r->from, "%s", from);
    snprintf(r->to, sizeof r->to, "%s", to);
    r->by = by;
    r->hours_per_arsverk = hours_per_arsverk;
    snprintf(r->total.label, sizeof r->total.label, "Sum");
    struct collect c = {.report = r};
    enum central_group group = CENTRAL_GROUP_SITE;
    switch (by) {
    case CENTRAL_BY_SITE:
    case CENTRAL_BY_KIND:
        group = CENTRAL_GROUP_SITE;
        break;
    case CENTRAL_BY_ACTIVITY:
        group = CENTRAL_GROUP_ACTIVITY;
        break;
    case CENTRAL_BY_MONTH:
        group = CENTRAL_GROUP_MONTH;
        break;
    case CENTRAL_BY_VOLUNTEER:
        group = CENTRAL_GROUP_VOLUNTEER;
        break;
    }
    if (by == CENTRAL_BY_KIND) {
        r->rows = calloc(KIND_GROUPS, sizeof *r->rows);
        if (!r->rows) {
            central_report_free(r);
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        for (size_t g = 0; g < KIND_GROUPS; g++) {
            snprintf(r->rows[g].key, sizeof r->rows[g].key, "%s", kind_groups[g].key);
            snprintf(r->rows[g].label, sizeof r->rows[g].label, "%s", kind_groups[g].label);
        }
    }
    int rc = central_store_totals_at(store, from, to, group, sites, site_count, collect_total, &c,
                                     err, errlen);
    if (rc == -E2BIG || rc == -ENOMEM)
        snprintf(err, errlen, "report: %s",
                 rc == -E2BIG ? "more than a million groups" : "out of memory");
    if (rc) {
        central_report_free(r);
        return rc;
    }
    if (by == CENTRAL_BY_KIND) {
        /* Only the kinds the municipality has sites of, in table order. */
        for (size_t g = 0; g < KIND_GROUPS; g++)
            if (c.kind_used[g])
                r->rows[r->count++] = r->rows[g];
    }
    *out = r;
    return 0;
}

void central_report_free(struct central_report *report)
{
    if (!report)
        return;
    free(report->rows);
    free(report);
}

double central_report_hours(int64_t seconds)
{
    return (double)seconds / 3600.0;
}

double central_report_arsverk(const struct central_report *report, int64_t seconds)
{
    return central_report_hours(seconds) / report->hours_per_arsverk;
}


static const char *by_heading(enum central_report_by by)
{
    switch (by) {
    case CENTRAL_BY_SITE:
        return "enhet";
    case CENTRAL_BY_KIND:
        return "tjenesteområde";
    case CENTRAL_BY_ACTIVITY:
        return "aktivitet";
    case CENTRAL_BY_MONTH:
        return "måned";
    case CENTRAL_BY_VOLUNTEER:
        return "frivillig";
    }
    return "?";
}

static int text_row(const struct central_report *r, const struct central_report_row *row,
                    struct central_buf *out)
{
    char hours[48], arsverk[48];
    numfmt_decimal(central_report_hours(row->seconds), 0, " ", hours, sizeof hours);
    numfmt_decimal(central_report_arsverk(r, row->seconds), 1, " ", arsverk, sizeof arsverk);
    return central_buf_printf(out, "%s%s%s%s: %s timer, %s årsverk\n", row->label,
                              row->detail[0] ? " (" : "", row->detail, row->detail[0] ? ")" : "",
                              hours, arsverk);
}

int central_report_title(const struct central_report *r, struct central_buf *out)
{
    char per[48];
    numfmt_decimal(r->hours_per_arsverk, 0, " ", per, sizeof per);
    return central_buf_printf(out, "Frivillige timer %s til %s, etter %s (1 årsverk = %s timer)",
                              r->from, r->to, by_heading(r->by), per);
}

int central_report_text(const struct central_report *r, struct central_buf *out)
{
    central_report_title(r, out);
    central_buf_str(out, "\n");
    for (size_t i = 0; i < r->count; i++)
        text_row(r, &r->rows[i], out);
    text_row(r, &r->total, out);
    return out->failed ? -E2BIG : 0;
}

/* One CSV field: quoted when it holds the separator, a quote or a line
 * break; a leading =, +, - or @ is defused with a ' so a name from a roster
 * spreadsheet never runs as a formula when the coordinator opens the file. */
static void csv_field(struct central_buf *out, const char *text)
{
    int quote = strpbrk(text, ";\"\r\n") != NULL;
    if (quote)
        central_buf_str(out, "\"");
    if (strchr("=+-@", text[0]) && text[0])
        central_buf_str(out, "'");
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            central_buf_str(out, "\"");
        central_buf_add(out, p, 1);
    }
    if (quote)
        central_buf_str(out, "\"");
}

void central_csv_line(struct central_buf *out, const char *const *fields, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            central_buf_str(out, ";");
        csv_field(out, fields[i]);
    }
    central_buf_str(out, "\r\n");
}

static void csv_row(const struct central_report *r, const struct central_report_row *row,
                    int with_detail, struct central_buf *out)
{
    char hours[48], arsverk[48];
    numfmt_decimal(central_report_hours(row->seconds), 2, "", hours, sizeof hours);
    numfmt_decimal(central_report_arsverk(r, row->seconds), 2, "", arsverk, sizeof arsverk);
    csv_field(out, row->label);
    if (with_detail) {
        central_buf_str(out, ";");
        csv_field(out, row->detail);
    }
    central_buf_printf(out, ";%s;%s;%lld\r\n", hours, arsverk, (long long)row->visits);
}

void central_report_headings(enum central_report_by by, const char **group, const char **detail)
{
    static const char *const headings[][2] = {
        [CENTRAL_BY_SITE] = {"Enhet", "Type"},
        [CENTRAL_BY_KIND] = {"Tjenesteområde", NULL},
        [CENTRAL_BY_ACTIVITY] = {"Aktivitet", "Dato og sted"},
        [CENTRAL_BY_MONTH] = {"Måned", NULL},
        [CENTRAL_BY_VOLUNTEER] = {"Frivillig", "Navn"},
    };
    unsigned index = (unsigned)by < sizeof headings / sizeof headings[0] ? (unsigned)by : 0;
    *group = headings[index][0];
    *detail = headings[index][1];
}

int central_report_csv(const struct central_report *r, struct central_buf *out)
{
    const char *group, *detail;
    central_report_headings(r->by, &group, &detail);
    int with_detail = detail != NULL;
    /* The BOM is what makes Excel read the file as UTF-8 (æ, ø, å). */
    central_buf_str(out, "\xEF\xBB\xBF");
    central_buf_str(out, group);
    if (with_detail)
        central_buf_printf(out, ";%s", detail);
    central_buf_str(out, ";Timer;Årsverk;Besøk\r\n");
    for (size_t i = 0; i < r->count; i++)
        csv_row(r, &r->rows[i], with_detail, out);
    csv_row(r, &r->total, with_detail, out);
    return out->failed ? -E2BIG : 0;
}

static json_t *json_row(const struct central_report *r, const struct central_report_row *row)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:f, s:f, s:I}", "key", row->key, "label", row->label,
                     "detail", row->detail, "seconds", (json_int_t)row->seconds, "hours",
                     central_report_hours(row->seconds), "arsverk",
                     central_report_arsverk(r, row->seconds), "visits", (json_int_t)row->visits);
}

int central_report_json(const struct central_report *r, struct central_buf *out)
{
    json_t *rows = json_array();
    json_t *doc = NULL;
    int rc = -ENOMEM;
    if (!rows)
        goto out;
    for (size_t i = 0; i < r->count; i++)
        if (json_array_append_new(rows, json_row(r, &r->rows[i])))
            goto out;
    json_t *total = json_row(r, &r->total);
    doc = json_pack("{s:s, s:s, s:s, s:f, s:O, s:o}", "from", r->from, "to", r->to, "by",
                    central_report_by_name(r->by), "hours_per_arsverk", r->hours_per_arsverk,
                    "rows", rows, "total", total);
    if (!doc)
        goto out;
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (!text)
        goto out;
    rc = central_buf_str(out, text);
    central_buf_str(out, "\n");
    free(text);
out:
    json_decref(rows);
    json_decref(doc);
    return rc ? rc : (out->failed ? -E2BIG : 0);
}
