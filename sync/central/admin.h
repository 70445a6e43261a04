/* The administration commands of tilstede-central (everything but
 * `serve`): sites, devices, dashboard logins, roster, activities, reports,
 * and a volunteer's data exported or erased on request.
 * In the library so the tests run them as the program does. */
#ifndef TILSTEDE_CENTRAL_ADMIN_H
#define TILSTEDE_CENTRAL_ADMIN_H

#include <stdio.h>

enum central_exit {
    CENTRAL_EXIT_OK = 0,
    CENTRAL_EXIT_FAILURE = 1,
    CENTRAL_EXIT_USAGE = 2,
    CENTRAL_EXIT_NOT_FOUND = 3,
    CENTRAL_EXIT_EXISTS = 4,
};

enum central_format { CENTRAL_FORMAT_TEXT, CENTRAL_FORMAT_CSV, CENTRAL_FORMAT_JSON };

struct central_store;
struct central_mail_config;

struct central_admin_args {
    char **words; /* the command and its positional arguments */
    int word_count;
    const char *db;
    const char *db_origin; /* "central.conf:3 (postgres)" when the file chose db, else NULL */
    const char *name, *kind;
    const char *date, *start, *end, *title, *place;
    const char *weekly; /* activity add --weekly mon,tue: a weekly plan (plan.h) */
    const char *from, *to, *by;
    enum central_format format;
    const char *xlsx; /* report --xlsx FILE: the workbook, a sheet per --by grouping */
    double hours_per_arsverk;
    const char *on;        /* lost, papers: the day asked about (default today) */
    double above_hours;    /* thanks --above H: also everyone with H hours or more */
    int weeks, min_visits; /* lost --weeks N --min-visits N (0: the defaults) */
    int yes;  /* --yes: confirms what cannot be undone (volunteer forget) */
    FILE *in; /* where "volunteer export|forget -" reads the id; NULL: none */
    const char *role;       /* user add --role */
    const char **sites;     /* user add --site, each */
    int site_count;
    const char *public_url; /* the central's address, for set-up links */
    const char *email;      /* user add --email */
    const char *full_name;  /* user add --full-name */
    const char *month;      /* mail-report --month YYYY-MM */
    int dry_run;            /* mail-report --dry-run */
    const struct central_mail_config *mail; /* how mail is sent (mail.h) */
};

/* The coordinator's questions (admin_questions.c): "thanks", "lost" and
 * "papers", run as the other commands are, with errors into err (512
 * bytes). */
int central_admin_question(const struct central_admin_args *args, struct central_store *store,
                           FILE *out, FILE *errout, char *err);
struct central_store;
/* `user add|list|revoke|link` (admin_user.c); err gets the failure. */
int central_admin_user(const struct central_admin_args *args, struct central_store *store,
                       FILE *out, FILE *errout, char *err);

/* Reads a whole file of at most max bytes into *data (free() it,
 * NUL-terminated) for a command; over it is an error naming the file. */
int central_admin_read_file(const char *path, size_t max, char **data, size_t *len, char *err);
/* `activity import SITE FILE` (admin_ical.c). */
int central_admin_activity_import(const struct central_admin_args *args,
                                  struct central_store *store, FILE *out, FILE *errout, char *err);

/* `mail-report --month YYYY-MM [--to ADDRESS] [--dry-run]` (admin_mail.c). */
int central_admin_mail(const struct central_admin_args *args, struct central_store *store,
                       FILE *out, FILE *errout, char *err);

/* Runs one command; returns its exit status. Results go to out, messages
 * to errout. */
int central_admin_run(const struct central_admin_args *args, FILE *out, FILE *errout);

#endif
