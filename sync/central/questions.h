/* The coordinator's questions beyond the totals: whom to thank (hours
 * milestones passed in a period, and everyone above a number of hours),
 * whom we have lost (came regularly, not seen for weeks), and whose papers
 * need attention (no confidentiality agreement, a police certificate
 * expired or running out). Answered from the visits and the roster. */
#ifndef TILSTEDE_CENTRAL_QUESTIONS_H
#define TILSTEDE_CENTRAL_QUESTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/* The milestones a volunteer is thanked for passing, in hours. */
#define CENTRAL_MILESTONES                                                                         \
    {                                                                                              \
        10, 50, 100, 250                                                                           \
    }
#define CENTRAL_MILESTONE_COUNT   4
#define CENTRAL_LOST_WEEKS        6   /* not seen for this many weeks... */
#define CENTRAL_LOST_MIN_VISITS   4   /* ...after at least this many visits... */
#define CENTRAL_LOST_REGULAR_DAYS 91  /* ...in about 3 months before that */
#define CENTRAL_PAPERS_SOON_DAYS  30  /* a police certificate running out this soon */
#define CENTRAL_ACTIVE_DAYS       365 /* "active at a site": a visit in the last year */

/* Who passed a milestone, or is above the chosen hours, in the period. */
struct central_thanks_row {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2];
    int64_t seconds;          /* in the period */
    int64_t seconds_before;   /* all visits before the period */
    int milestone;            /* the highest milestone passed in the period (hours), 0: none */
    int above;                /* 1: the period's hours reach the chosen number */
    char site[EVENT_KEY_MAX]; /* where they gave most in the period */
    char site_name[CENTRAL_NAME_MAX];
};

struct central_lost_row {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2];
    int64_t visits;  /* in the regular months */
    int64_t last_us; /* their last visit's start */
    char site[EVENT_KEY_MAX];
    char site_name[CENTRAL_NAME_MAX];
};

enum central_paper_problem {
    CENTRAL_PAPER_NO_CONFIDENTIALITY = 1, /* no signed agreement on file */
    CENTRAL_PAPER_POLICE_EXPIRED = 2,
    CENTRAL_PAPER_POLICE_SOON = 4, /* runs out within CENTRAL_PAPERS_SOON_DAYS */
    CENTRAL_PAPER_NO_POLICE = 8,   /* no certificate on file */
};

struct central_papers_row {
    char volunteer[EVENT_KEY_MAX];
    char name[CENTRAL_NAME_MAX * 2];
    int problems; /* enum central_paper_problem bits */
    char police_valid_until[CENTRAL_DATE_LEN + 1];
    char *sites; /* names of the sites they came to in the last year, ", "-separated; NULL none */
};

enum central_question { CENTRAL_Q_THANKS = 1, CENTRAL_Q_LOST, CENTRAL_Q_PAPERS };

struct central_questions {
    enum central_question which;                               /* the question answered */
    char from[CENTRAL_DATE_LEN + 1], to[CENTRAL_DATE_LEN + 1]; /* thanks: the period */
    char on[CENTRAL_DATE_LEN + 1];                             /* lost, papers: the day */
    struct central_thanks_row *thanks;
    size_t thanks_count;
    struct central_lost_row *lost;
    size_t lost_count;
    struct central_papers_row *papers;
    size_t papers_count;
};

/* Whom to thank for [from, to]: everyone who passed a milestone in it, and
 * (above_hours > 0) everyone with at least that many hours in it; most
 * hours first. */
int central_questions_thanks(struct central_store *store, const char *from, const char *to,
                             double above_hours, struct central_questions *out, char *err,
                             size_t errlen);
/* Whom we have lost as of `on`: active on the roster, at least min_visits
 * visits in the CENTRAL_LOST_REGULAR_DAYS before the quiet weeks, none in
 * the `weeks` weeks up to and including `on`; longest gone first. */
int central_questions_lost(struct central_store *store, const char *on, int weeks, int min_visits,
                           struct central_questions *out, char *err, size_t errlen);
/* Whose papers need attention on `on`: active volunteers with a problem. */
int central_questions_papers(struct central_store *store, const char *on,
                             struct central_questions *out, char *err, size_t errlen);
void central_questions_free(struct central_questions *questions);

/* As text for people, CSV for Excel (as the reports), or JSON. */
int central_questions_text(const struct central_questions *q, struct central_buf *out);
int central_questions_csv(const struct central_questions *q, struct central_buf *out);
int central_questions_json(const struct central_questions *q, struct central_buf *out);

/* The local date `days` after (or before, negative) a date YYYY-MM-DD. */
void central_date_add(const char *date, int days, char out[CENTRAL_DATE_LEN + 1]);

#endif
