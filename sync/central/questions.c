/* The coordinator's questions (see questions.h). Each is a walk over the
 * per-volunteer-and-site visit sums the store gives
 * (central_store_volunteer_sites) and, for lost and papers, the roster;
 * rows are kept in growing arrays, never in fixed buffers that could cut a
 * name. */
#include "questions.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numfmt.h"
#include "report.h"

/* More rows than this is a runaway, not a list anyone calls through. */
#define QUESTIONS_MAX_ROWS 1000000u

static const int milestones[CENTRAL_MILESTONE_COUNT] = CENTRAL_MILESTONES;

void central_date_add(const char *date, int days, char out[CENTRAL_DATE_LEN + 1])
{
    struct tm tm = {0};
    tm.tm_year = atoi(date) - 1900;
    tm.tm_mon = atoi(date + 5) - 1;
    tm.tm_mday = atoi(date + 8) + days;
    tm.tm_hour = 12; /* noon: a summer-time change never moves the date */
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

/* A growing array of rows of `size` bytes. */
static void *grow(void *rows, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return rows;
    if (*cap >= QUESTIONS_MAX_ROWS)
        return NULL;
    size_t next = *cap ? *cap * 2 : 64;
    void *bigger = realloc(rows, next * size);
    if (bigger)
        *cap = next;
    return bigger;
}

/* ---- per volunteer, summed over sites ---- */

struct person {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2];
    int64_t seconds, visits, last_us;
    char best_site[EVENT_KEY_MAX], best_site_name[CENTRAL_NAME_MAX];
    int64_t best_seconds;
    char last_site[EVENT_KEY_MAX], last_site_name[CENTRAL_NAME_MAX];
    char *sites; /* site names, ", "-separated */
    size_t sites_len;
};

struct people {
    struct person *rows;
    size_t count, cap;
    int want_sites;
};

static int append_site(struct person *p, const char *name)
{
    size_t len = strlen(name);
    char *sites = realloc(p->sites, p->sites_len + len + 3);
    if (!sites)
        return -ENOMEM;
    if (p->sites_len) {
        memcpy(sites + p->sites_len, ", ", 2);
        p->sites_len += 2;
    }
    memcpy(sites + p->sites_len, name, len + 1);
    p->sites_len += len;
    p->sites = sites;
    return 0;
}

/* Rows come ordered by volunteer, so one person's sites are consecutive. */
static int collect_person(void *ctx, const struct central_volunteer_site *row)
{
    struct people *people = ctx;
    struct person *p = people->count ? &people->rows[people->count - 1] : NULL;
    if (!p || strcmp(p->volunteer, row->volunteer) != 0) {
        struct person *rows = grow(people->rows, people->count, &people->cap, sizeof *rows);
        if (!rows)
            return -ENOMEM;
        people->rows = rows;
        p = &rows[people->count++];
        memset(p, 0, sizeof *p);
        snprintf(p->volunteer, sizeof p->volunteer, "%s", row->volunteer);
        snprintf(p->name, sizeof p->name, "%s", row->name);
    }
    p->seconds += row->seconds;
    p->visits += row->visits;
    if (row->seconds > p->best_seconds || !p->best_site[0]) {
        p->best_seconds = row->seconds;
        snprintf(p->best_site, sizeof p->best_site, "%s", row->site);
        snprintf(p->best_site_name, sizeof p->best_site_name, "%s", row->site_name);
    }
    if (row->last_us > p->last_us) {
        p->last_us = row->last_us;
        snprintf(p->last_site, sizeof p->last_site, "%s", row->site);
        snprintf(p->last_site_name, sizeof p->last_site_name, "%s", row->site_name);
    }
    return people->want_sites ? append_site(p, row->site_name) : 0;
}

static void people_free(struct people *people)
{
    for (size_t i = 0; i < people->count; i++)
        free(people->rows[i].sites);
    free(people->rows);
    memset(people, 0, sizeof *people);
}

static int load_people(struct central_store *store, const char *from, const char *to,
                       int want_sites, struct people *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->want_sites = want_sites;
    int rc = central_store_volunteer_sites(store, from, to, collect_person, out, err, errlen);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory (or more than %u volunteers)", QUESTIONS_MAX_ROWS);
    if (rc)
        people_free(out);
    return rc;
}

static const struct person *find(const struct people *people, const char *volunteer)
{
    size_t lo = 0, hi = people->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = strcmp(people->rows[mid].volunteer, volunteer);
        if (cmp == 0)
            return &people->rows[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int valid_period(const char *from, const char *to, char *err, size_t errlen)
{
    if (central_report_date_valid(from) && central_report_date_valid(to) && strcmp(from, to) <= 0)
        return 0;
    snprintf(err, errlen, "the period \"%s\" to \"%s\" is not two dates YYYY-MM-DD in order",
             from ? from : "", to ? to : "");
    return -EINVAL;
}

/* ---- whom to thank ---- */

static int by_hours_desc(const void *a, const void *b)
{
    const struct central_thanks_row *x = a, *y = b;
    if (x->seconds != y->seconds)
        return x->seconds > y->seconds ? -1 : 1;
    return strcmp(x->volunteer, y->volunteer);
}

int central_questions_thanks(struct central_store *store, const char *from, const char *to,
                             double above_hours, struct central_questions *out, char *err,
                             size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = valid_period(from, to, err, errlen);
    if (rc)
        return rc;
    out->which = CENTRAL_Q_THANKS;
    snprintf(out->from, sizeof out->from, "%s", from);
    snprintf(out->to, sizeof out->to, "%s", to);
    char before_end[CENTRAL_DATE_LEN + 1];
    central_date_add(from, -1, before_end);
    struct people period = {0}, before = {0};
    rc = load_people(store, from, to, 0, &period, err, errlen);
    if (!rc)
        rc = load_people(store, "0001-01-01", before_end, 0, &before, err, errlen);
    size_t cap = 0;
    for (size_t i = 0; !rc && i < period.count; i++) {
        const struct person *p = &period.rows[i];
        const struct person *b = find(&before, p->volunteer);
        int64_t earlier = b ? b->seconds : 0;
        int passed = 0;
        for (int m = 0; m < CENTRAL_MILESTONE_COUNT; m++) {
            int64_t at = (int64_t)milestones[m] * 3600;
            if (earlier < at && earlier + p->seconds >= at)
                passed = milestones[m];
        }
        int above = above_hours > 0 && (double)p->seconds >= above_hours * 3600.0;
        if (!passed && !above)
            continue;
        struct central_thanks_row *rows = grow(out->thanks, out->thanks_count, &cap, sizeof *rows);
        if (!rows) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
        }
        out->thanks = rows;
        struct central_thanks_row *row = &rows[out->thanks_count++];
        memset(row, 0, sizeof *row);
        snprintf(row->volunteer, sizeof row->volunteer, "%s", p->volunteer);
        snprintf(row->name, sizeof row->name, "%s", p->name);
        row->seconds = p->seconds;
        row->seconds_before = earlier;
        row->milestone = passed;
        row->above = above;
        snprintf(row->site, sizeof row->site, "%s", p->best_site);
        snprintf(row->site_name, sizeof row->site_name, "%s", p->best_site_name);
    }
    people_free(&period);
    people_free(&before);
    if (rc) {
        central_questions_free(out);
        return rc;
    }
    if (out->thanks_count)
        qsort(out->thanks, out->thanks_count, sizeof *out->thanks, by_hours_desc);
    return 0;
}

/* ---- whom we have lost ---- */

struct roster_walk {
    struct central_volunteer *rows;
    size_t count, cap;
};

static int collect_volunteer(void *ctx, const struct central_volunteer *volunteer)
{
    struct roster_walk *walk = ctx;
    struct central_volunteer *rows = grow(walk->rows, walk->count, &walk->cap, sizeof *rows);
    if (!rows)
        return -ENOMEM;
    walk->rows = rows;
    rows[walk->count++] = *volunteer;
    return 0;
}

static int skip_card(void *ctx, const struct central_card *card)
{
    (void)ctx;
    (void)card;
    return 0;
}

static int skip_activity(void *ctx, const struct central_activity *activity)
{
    (void)ctx;
    (void)activity;
    return 0;
}

static int load_roster(struct central_store *store, struct roster_walk *walk, char *err,
                       size_t errlen)
{
    memset(walk, 0, sizeof *walk);
    struct central_roster_sink sink = {collect_volunteer, skip_card, skip_activity, walk};
    int64_t cursor = 0;
    int full = 0;
    int rc = central_store_roster_since(store, "", 0, &sink, &cursor, &full, err, errlen);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory reading the roster");
    if (rc) {
        free(walk->rows);
        walk->rows = NULL;
    }
    return rc;
}

static int active_on_roster(const struct roster_walk *walk, const char *volunteer)
{
    for (size_t i = 0; i < walk->count; i++)
        if (strcmp(walk->rows[i].external_id, volunteer) == 0)
            return walk->rows[i].active;
    return 1; /* not on the roster (a card enrolled at a kiosk only): still someone to call */
}

static int by_last_visit(const void *a, const void *b)
{
    const struct central_lost_row *x = a, *y = b;
    if (x->last_us != y->last_us)
        return x->last_us < y->last_us ? -1 : 1;
    return strcmp(x->volunteer, y->volunteer);
}

int central_questions_lost(struct central_store *store, const char *on, int weeks, int min_visits,
                           struct central_questions *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!central_report_date_valid(on) || weeks < 1 || weeks > 520 || min_visits < 1) {
        snprintf(err, errlen,
                 "lost: \"%s\", %d weeks, %d visits: expected a date YYYY-MM-DD, 1 to 520 weeks "
                 "and at least 1 visit",
                 on ? on : "", weeks, min_visits);
        return -EINVAL;
    }
    out->which = CENTRAL_Q_LOST;
    snprintf(out->on, sizeof out->on, "%s", on);
    char quiet_from[CENTRAL_DATE_LEN + 1], regular_from[CENTRAL_DATE_LEN + 1],
        regular_to[CENTRAL_DATE_LEN + 1];
    central_date_add(on, 1 - 7 * weeks, quiet_from);
    central_date_add(quiet_from, -1, regular_to);
    central_date_add(quiet_from, -CENTRAL_LOST_REGULAR_DAYS, regular_from);
    snprintf(out->from, sizeof out->from, "%s", regular_from);
    snprintf(out->to, sizeof out->to, "%s", regular_to);
    struct people regular = {0}, quiet = {0};
    struct roster_walk roster = {0};
    int rc = load_people(store, regular_from, regular_to, 0, &regular, err, errlen);
    if (!rc)
        rc = load_people(store, quiet_from, on, 0, &quiet, err, errlen);
    if (!rc)
        rc = load_roster(store, &roster, err, errlen);
    size_t cap = 0;
    for (size_t i = 0; !rc && i < regular.count; i++) {
        const struct person *p = &regular.rows[i];
        if (p->visits < min_visits || find(&quiet, p->volunteer) ||
            !active_on_roster(&roster, p->volunteer))
            continue;
        struct central_lost_row *rows = grow(out->lost, out->lost_count, &cap, sizeof *rows);
        if (!rows) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
        }
        out->lost = rows;
        struct central_lost_row *row = &rows[out->lost_count++];
        memset(row, 0, sizeof *row);
        snprintf(row->volunteer, sizeof row->volunteer, "%s", p->volunteer);
        snprintf(row->name, sizeof row->name, "%s", p->name);
        row->visits = p->visits;
        row->last_us = p->last_us;
        snprintf(row->site, sizeof row->site, "%s", p->last_site);
        snprintf(row->site_name, sizeof row->site_name, "%s", p->last_site_name);
    }
    people_free(&regular);
    people_free(&quiet);
    free(roster.rows);
    if (rc) {
        central_questions_free(out);
        return rc;
    }
    if (out->lost_count)
        qsort(out->lost, out->lost_count, sizeof *out->lost, by_last_visit);
    return 0;
}

/* ---- whose papers need attention ---- */

static int by_name(const void *a, const void *b)
{
    const struct central_papers_row *x = a, *y = b;
    int cmp = strcmp(x->name, y->name);
    return cmp ? cmp : strcmp(x->volunteer, y->volunteer);
}

int central_questions_papers(struct central_store *store, const char *on,
                             struct central_questions *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!central_report_date_valid(on)) {
        snprintf(err, errlen, "papers: \"%s\" is not a date YYYY-MM-DD", on ? on : "");
        return -EINVAL;
    }
    out->which = CENTRAL_Q_PAPERS;
    snprintf(out->on, sizeof out->on, "%s", on);
    char soon[CENTRAL_DATE_LEN + 1], year_ago[CENTRAL_DATE_LEN + 1];
    central_date_add(on, CENTRAL_PAPERS_SOON_DAYS, soon);
    central_date_add(on, 1 - CENTRAL_ACTIVE_DAYS, year_ago);
    struct roster_walk roster = {0};
    struct people active = {0};
    int rc = load_roster(store, &roster, err, errlen);
    if (!rc)
        rc = load_people(store, year_ago, on, 1, &active, err, errlen);
    size_t cap = 0;
    for (size_t i = 0; !rc && i < roster.count; i++) {
        const struct central_volunteer *v = &roster.rows[i];
        if (!v->active)
            continue;
        int problems = 0;
        if (!v->confidentiality_signed[0] && !v->confidentiality_undated)
            problems |= CENTRAL_PAPER_NO_CONFIDENTIALITY;
        if (v->police_valid_until[0]) {
            if (strcmp(v->police_valid_until, on) < 0)
                problems |= CENTRAL_PAPER_POLICE_EXPIRED;
            else if (strcmp(v->police_valid_until, soon) <= 0)
                problems |= CENTRAL_PAPER_POLICE_SOON;
        } else if (!v->police_undated) {
            problems |= CENTRAL_PAPER_NO_POLICE;
        }
        if (!problems)
            continue;
        struct central_papers_row *rows = grow(out->papers, out->papers_count, &cap, sizeof *rows);
        if (!rows) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
            break;
        }
        out->papers = rows;
        struct central_papers_row *row = &rows[out->papers_count++];
        memset(row, 0, sizeof *row);
        snprintf(row->volunteer, sizeof row->volunteer, "%s", v->external_id);
        snprintf(row->name, sizeof row->name, "%s %s", v->given_name, v->family_name);
        row->problems = problems;
        snprintf(row->police_valid_until, sizeof row->police_valid_until, "%s",
                 v->police_valid_until);
        const struct person *p = find(&active, v->external_id);
        if (p && p->sites && !(row->sites = strdup(p->sites))) {
            snprintf(err, errlen, "out of memory");
            rc = -ENOMEM;
        }
    }
    free(roster.rows);
    people_free(&active);
    if (rc) {
        central_questions_free(out);
        return rc;
    }
    if (out->papers_count)
        qsort(out->papers, out->papers_count, sizeof *out->papers, by_name);
    return 0;
}

void central_questions_free(struct central_questions *q)
{
    for (size_t i = 0; i < q->papers_count; i++)
        free(q->papers[i].sites);
    free(q->thanks);
    free(q->lost);
    free(q->papers);
    q->thanks = NULL;
    q->lost = NULL;
    q->papers = NULL;
    q->thanks_count = q->lost_count = q->papers_count = 0;
}

/* ---- output ---- */

static void hours_text(int64_t seconds, const char *group, char *out, size_t outlen)
{
    numfmt_decimal((double)seconds / 3600.0, 1, group, out, outlen);
}

static void local_date(int64_t us, char out[CENTRAL_DATE_LEN + 1])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

static const char *display_name(const char *name, const char *volunteer)
{
    return name[0] ? name : volunteer;
}

/* The problems in words, "; "-separated. */
static void problems_text(const struct central_papers_row *row, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = '\0';
    if (row->problems & CENTRAL_PAPER_NO_CONFIDENTIALITY)
        len += (size_t)snprintf(out + len, outlen - len, "ingen taushetserklæring");
    if (row->problems & (CENTRAL_PAPER_POLICE_EXPIRED | CENTRAL_PAPER_POLICE_SOON))
        len += (size_t)snprintf(out + len, outlen - len, "%spolitiattest %s %s", len ? "; " : "",
                                row->problems & CENTRAL_PAPER_POLICE_EXPIRED ? "gikk ut" : "går ut",
                                row->police_valid_until);
    if (row->problems & CENTRAL_PAPER_NO_POLICE)
        snprintf(out + len, outlen - len, "%singen politiattest", len ? "; " : "");
}

int central_questions_text(const struct central_questions *q, struct central_buf *out)
{
    char hours[48], earlier[48], day[CENTRAL_DATE_LEN + 1], words[256];
    if (q->which == CENTRAL_Q_THANKS) {
        central_buf_printf(out, "Å takke for %s til %s: %zu frivillige\n", q->from, q->to,
                           q->thanks_count);
        for (size_t i = 0; i < q->thanks_count; i++) {
            const struct central_thanks_row *r = &q->thanks[i];
            hours_text(r->seconds, " ", hours, sizeof hours);
            hours_text(r->seconds + r->seconds_before, " ", earlier, sizeof earlier);
            central_buf_printf(out, "%s (%s): %s timer i perioden, %s i alt",
                               display_name(r->name, r->volunteer), r->volunteer, hours, earlier);
            if (r->milestone)
                central_buf_printf(out, ", passerte %d timer", r->milestone);
            central_buf_printf(out, "; mest ved %s\n", r->site_name);
        }
    }
    if (q->which == CENTRAL_Q_LOST) {
        central_buf_printf(out, "Ikke sett siden før %s (kom jevnlig %s til %s): %zu frivillige\n",
                           q->on, q->from, q->to, q->lost_count);
        for (size_t i = 0; i < q->lost_count; i++) {
            const struct central_lost_row *r = &q->lost[i];
            local_date(r->last_us, day);
            central_buf_printf(out, "%s (%s): %lld besøk, sist %s ved %s\n",
                               display_name(r->name, r->volunteer), r->volunteer,
                               (long long)r->visits, day, r->site_name);
        }
    }
    if (q->which == CENTRAL_Q_PAPERS) {
        central_buf_printf(out, "Papirer som trenger oppfølging %s: %zu frivillige\n", q->on,
                           q->papers_count);
        for (size_t i = 0; i < q->papers_count; i++) {
            const struct central_papers_row *r = &q->papers[i];
            problems_text(r, words, sizeof words);
            central_buf_printf(out, "%s (%s): %s; %s\n", r->name, r->volunteer, words,
                               r->sites ? r->sites : "ikke innom siste år");
        }
    }
    return out->failed ? -E2BIG : 0;
}

int central_questions_csv(const struct central_questions *q, struct central_buf *out)
{
    char hours[48], total[48], day[CENTRAL_DATE_LEN + 1], words[256], number[24];
    central_buf_str(out, "\xEF\xBB\xBF");
    if (q->which == CENTRAL_Q_THANKS) {
        central_buf_str(out, "Frivillig;Navn;Timer i perioden;Timer i alt;Passerte timer;"
                             "Mest ved\r\n");
        for (size_t i = 0; i < q->thanks_count; i++) {
            const struct central_thanks_row *r = &q->thanks[i];
            numfmt_decimal((double)r->seconds / 3600.0, 2, "", hours, sizeof hours);
            numfmt_decimal((double)(r->seconds + r->seconds_before) / 3600.0, 2, "", total,
                           sizeof total);
            snprintf(number, sizeof number, "%d", r->milestone);
            const char *fields[] = {r->volunteer, r->name, hours, total, r->milestone ? number : "",
                                    r->site_name};
            central_csv_line(out, fields, 6);
        }
    }
    if (q->which == CENTRAL_Q_LOST) {
        central_buf_str(out, "Frivillig;Navn;Besøk;Sist;Sted\r\n");
        for (size_t i = 0; i < q->lost_count; i++) {
            const struct central_lost_row *r = &q->lost[i];
            local_date(r->last_us, day);
            snprintf(number, sizeof number, "%lld", (long long)r->visits);
            const char *fields[] = {r->volunteer, r->name, number, day, r->site_name};
            central_csv_line(out, fields, 5);
        }
    }
    if (q->which == CENTRAL_Q_PAPERS) {
        central_buf_str(out, "Frivillig;Navn;Hva mangler;Politiattest gyldig til;Steder\r\n");
        for (size_t i = 0; i < q->papers_count; i++) {
            const struct central_papers_row *r = &q->papers[i];
            problems_text(r, words, sizeof words);
            const char *fields[] = {r->volunteer, r->name, words, r->police_valid_until,
                                    r->sites ? r->sites : ""};
            central_csv_line(out, fields, 5);
        }
    }
    return out->failed ? -E2BIG : 0;
}

int central_questions_json(const struct central_questions *q, struct central_buf *out)
{
    json_t *doc = json_object();
    int rc = -ENOMEM;
    if (!doc)
        goto out;
    if (q->which == CENTRAL_Q_THANKS) {
        json_t *list = json_array();
        json_object_set_new(doc, "thanks", list);
        json_object_set_new(doc, "from", json_string(q->from));
        json_object_set_new(doc, "to", json_string(q->to));
        for (size_t i = 0; i < q->thanks_count; i++) {
            const struct central_thanks_row *r = &q->thanks[i];
            json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:i, s:b, s:s, s:s}",
                                                  "volunteer", r->volunteer, "name", r->name,
                                                  "seconds", (json_int_t)r->seconds,
                                                  "seconds_before", (json_int_t)r->seconds_before,
                                                  "milestone", r->milestone, "above", r->above,
                                                  "site", r->site, "site_name", r->site_name));
        }
    }
    if (q->which == CENTRAL_Q_LOST) {
        json_t *list = json_array();
        json_object_set_new(doc, "lost", list);
        json_object_set_new(doc, "on", json_string(q->on));
        for (size_t i = 0; i < q->lost_count; i++) {
            const struct central_lost_row *r = &q->lost[i];
            char day[CENTRAL_DATE_LEN + 1];
            local_date(r->last_us, day);
            json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "volunteer",
                                                  r->volunteer, "name", r->name, "visits",
                                                  (json_int_t)r->visits, "last_visit", day, "site",
                                                  r->site, "site_name", r->site_name));
        }
    }
    if (q->which == CENTRAL_Q_PAPERS) {
        json_t *list = json_array();
        json_object_set_new(doc, "papers", list);
        json_object_set_new(doc, "on", json_string(q->on));
        for (size_t i = 0; i < q->papers_count; i++) {
            const struct central_papers_row *r = &q->papers[i];
            json_array_append_new(
                list,
                json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:s, s:s}", "volunteer", r->volunteer,
                          "name", r->name, "no_confidentiality",
                          !!(r->problems & CENTRAL_PAPER_NO_CONFIDENTIALITY), "police_expired",
                          !!(r->problems & CENTRAL_PAPER_POLICE_EXPIRED), "police_soon",
                          !!(r->problems & CENTRAL_PAPER_POLICE_SOON), "no_police",
                          !!(r->problems & CENTRAL_PAPER_NO_POLICE), "police_valid_until",
                          r->police_valid_until, "sites", r->sites ? r->sites : ""));
        }
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (!text)
        goto out;
    rc = central_buf_str(out, text);
    central_buf_str(out, "\n");
    free(text);
out:
    json_decref(doc);
    return rc ? rc : (out->failed ? -E2BIG : 0);
}
