/* A roster file read for the central: the kiosk's parser and rules
 * (firmware/roster.h) plus the central's own (its field limits; a column
 * the file lacks keeps what is stored), and what applying it would change.
 * Shared by `tilstede-central roster import` and the upload in the browser,
 * so both read a file the same way. */
#ifndef TILSTEDE_CENTRAL_ROSTER_IMPORT_H
#define TILSTEDE_CENTRAL_ROSTER_IMPORT_H

#include <stddef.h>

#include "roster.h"
#include "store.h"

/* A row the file cannot give: its line and why (English, from the parser). */
struct central_roster_bad {
    int line;
    char *reason;
};

struct central_roster_file {
    struct central_volunteer *list; /* the good rows, completed from the stored roster */
    size_t count, cap;
    struct central_roster_bad *bad;
    size_t bad_count, bad_cap;
    char **warnings;
    size_t warning_count, warning_cap;
    struct roster_summary summary;
    struct central_volunteer *stored; /* the roster as stored, by external id */
    size_t stored_count, stored_cap;
};

enum central_roster_change {
    CENTRAL_ROSTER_ADDED,
    CENTRAL_ROSTER_CHANGED,
    CENTRAL_ROSTER_INACTIVE, /* made inactive: by the file, or missing from it */
};

/* What applying the file would do. */
struct central_roster_counts {
    size_t added, changed, inactive;
};

/* Parses data (len bytes) into file, which must be zeroed first; free it
 * with central_roster_file_free whatever the result. Bad rows are kept in
 * file->bad (the file can then not be applied: a row left out would make
 * that volunteer inactive). 0; -EINVAL or -EFBIG when it is no roster or
 * too large, with err the parser's message; -ENOMEM; the store's error. */
/* The bad rows' reasons in a language of the caller's: given the parser's
 * English template, the template to use (roster.h's translate); NULL: the
 * parser's English (the CLI). */
struct central_roster_language {
    const char *(*translate)(void *ctx, const char *msgid);
    void *ctx;
};
int central_roster_read(struct central_store *store, const char *data, size_t len,
                        const struct central_roster_language *language,
                        struct central_roster_file *file, char *err, size_t errlen);
void central_roster_file_free(struct central_roster_file *file);

/* Compares the file with the stored roster: counts, and cb (may be NULL)
 * once per change with the volunteer as they would be (for INACTIVE
 * missing from the file: as stored). */
typedef void (*central_roster_change_cb)(void *ctx, enum central_roster_change change,
                                         const struct central_volunteer *volunteer);
void central_roster_compare(const struct central_roster_file *file, central_roster_change_cb cb,
                            void *ctx, struct central_roster_counts *counts);

#endif
