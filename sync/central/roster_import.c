/* A roster file read for the central, and what applying it would change
 * (see roster_import.h). */
#include "roster_import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define REASON_MAX 512 /* a reason of the central's own, with the NUL */

/* Grows *list (of `size`-byte items) to hold one more. 0 or -ENOMEM. */
static int room(void **list, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return 0;
    size_t grown = *cap ? *cap * 2 : 64;
    void *bigger = realloc(*list, grown * size);
    if (!bigger)
        return -ENOMEM;
    *list = bigger;
    *cap = grown;
    return 0;
}

struct reading {
    struct central_roster_file *file;
    int failed; /* out of memory in a callback that cannot say so */
    const struct central_roster_language *language;
};

static const char *on_translate(void *user, const char *msgid)
{
    const struct reading *reading = user;
    return reading->language->translate(reading->language->ctx, msgid);
}

static void add_bad(struct reading *reading, int line, const char *reason)
{
    struct central_roster_file *file = reading->file;
    char *copy = strdup(reason);
    if (!copy || room((void **)&file->bad, &file->bad_cap, file->bad_count, sizeof *file->bad)) {
        free(copy);
        reading->failed = 1;
        return;
    }
    file->bad[file->bad_count++] = (struct central_roster_bad){line, copy};
}

static void on_row_error(void *user, int line, const char *reason)
{
    add_bad(user, line, reason);
}

static void on_warning(void *user, const char *message)
{
    struct reading *reading = user;
    struct central_roster_file *file = reading->file;
    char *copy = strdup(message);
    if (!copy || room((void **)&file->warnings, &file->warning_cap, file->warning_count,
                      sizeof *file->warnings)) {
        free(copy);
        reading->failed = 1;
        return;
    }
    file->warnings[file->warning_count++] = copy;
}

static int on_row(void *user, const struct roster_row *row)
{
    struct reading *reading = user;
    struct central_roster_file *file = reading->file;
    /* The central's columns are narrower than the parser's fields. */
    if (strlen(row->external_id) >= EVENT_KEY_MAX || strlen(row->given_name) >= CENTRAL_NAME_MAX ||
        strlen(row->family_name) >= CENTRAL_NAME_MAX) {
        char reason[REASON_MAX], id[41];
        utf8_format(id, sizeof id, "%s", row->external_id); /* cut between characters */
        snprintf(reason, sizeof reason,
                 "the id (\"%s\") must be under %d bytes and each name under %d", id, EVENT_KEY_MAX,
                 CENTRAL_NAME_MAX);
        add_bad(reading, row->line, reason);
        return reading->failed ? -ENOMEM : 0;
    }
    if (room((void **)&file->list, &file->cap, file->count, sizeof *file->list))
        return -ENOMEM;
    struct central_volunteer *v = &file->list[file->count++];
    memset(v, 0, sizeof *v);
    snprintf(v->external_id, sizeof v->external_id, "%s", row->external_id);
    snprintf(v->given_name, sizeof v->given_name, "%s", row->given_name);
    snprintf(v->family_name, sizeof v->family_name, "%s", row->family_name);
    v->active = row->active; /* unspecified: decided in complete() */
    v->confidentiality_undated = row->confidentiality_signed_undated;
    v->police_undated = row->police_certificate_undated;
    snprintf(v->confidentiality_signed, sizeof v->confidentiality_signed, "%s",
             row->confidentiality_signed);
    snprintf(v->police_valid_until, sizeof v->police_valid_until, "%s", row->police_valid_until);
    return 0;
}

static int keep_stored(void *ctx, const struct central_volunteer *volunteer)
{
    struct central_roster_file *file = ctx;
    if (room((void **)&file->stored, &file->stored_cap, file->stored_count, sizeof *file->stored))
        return -ENOMEM;
    file->stored[file->stored_count++] = *volunteer;
    return 0;
}

static int ignore_card(void *ctx, const struct central_card *card)
{
    (void)ctx, (void)card;
    return 0;
}

static int ignore_activity(void *ctx, const struct central_activity *activity)
{
    (void)ctx, (void)activity;
    return 0;
}

static int by_external_id(const void *a, const void *b)
{
    return strcmp(((const struct central_volunteer *)a)->external_id,
                  ((const struct central_volunteer *)b)->external_id);
}

/* roster.h: a field whose column the file lacks is empty in every row, and
 * the importer keeps what it has. So does an unspecified "active": a
 * volunteer already on the roster keeps their state, a new one is active. */
static void complete(struct central_roster_file *file)
{
    unsigned columns = file->summary.columns;
    for (size_t i = 0; i < file->count; i++) {
        struct central_volunteer *v = &file->list[i];
        const struct central_volunteer *old =
            file->stored_count
                ? bsearch(v, file->stored, file->stored_count, sizeof *file->stored, by_external_id)
                : NULL;
        if (v->active == ROSTER_ACTIVE_UNSPECIFIED)
            v->active = old ? old->active : 1;
        if (old && !(columns & ROSTER_COLUMN_CONFIDENTIALITY)) {
            memcpy(v->confidentiality_signed, old->confidentiality_signed,
                   sizeof v->confidentiality_signed);
            v->confidentiality_undated = old->confidentiality_undated;
        }
        if (old && !(columns & ROSTER_COLUMN_POLICE_CERTIFICATE)) {
            memcpy(v->police_valid_until, old->police_valid_until, sizeof v->police_valid_until);
            v->police_undated = old->police_undated;
        }
    }
}

int central_roster_read(struct central_store *store, const char *data, size_t len,
                        const struct central_roster_language *language,
                        struct central_roster_file *file, char *err, size_t errlen)
{
    struct reading reading = {file, 0, language};
    struct roster_callbacks cb = {on_row, on_row_error, on_warning, &reading,
                                  language && language->translate ? on_translate : NULL};
    int rc = roster_parse(data, len, &cb, &file->summary, err, errlen);
    if (!rc && reading.failed)
        rc = -ENOMEM;
    if (rc == -ENOMEM || rc == -ECANCELED) {
        snprintf(err, errlen, "out of memory reading the roster");
        return -ENOMEM;
    }
    if (rc)
        return rc;
    struct central_roster_sink sink = {keep_stored, ignore_card, ignore_activity, file};
    int64_t cursor;
    int full;
    if ((rc = central_store_roster_since(store, "", 0, &sink, &cursor, &full, err, errlen)))
        return rc;
    if (file->stored_count)
        qsort(file->stored, file->stored_count, sizeof *file->stored, by_external_id);
    complete(file);
    if (file->count)
        qsort(file->list, file->count, sizeof *file->list, by_external_id);
    return 0;
}

void central_roster_file_free(struct central_roster_file *file)
{
    for (size_t i = 0; i < file->bad_count; i++)
        free(file->bad[i].reason);
    for (size_t i = 0; i < file->warning_count; i++)
        free(file->warnings[i]);
    free(file->list);
    free(file->bad);
    free(file->warnings);
    free(file->stored);
    memset(file, 0, sizeof *file);
}

/* The same test as the store's upsert (store_sqlite.c, roster_replace):
 * a row it would leave untouched is no change here either. */
static int differs(const struct central_volunteer *a, const struct central_volunteer *b)
{
    return strcmp(a->given_name, b->given_name) || strcmp(a->family_name, b->family_name) ||
           !a->active != !b->active ||
           strcmp(a->confidentiality_signed, b->confidentiality_signed) ||
           strcmp(a->police_valid_until, b->police_valid_until) ||
           !a->confidentiality_undated != !b->confidentiality_undated ||
           !a->police_undated != !b->police_undated;
}

static void report(central_roster_change_cb cb, void *ctx, struct central_roster_counts *counts,
                   enum central_roster_change change, const struct central_volunteer *volunteer)
{
    size_t *count = change == CENTRAL_ROSTER_ADDED     ? &counts->added
                    : change == CENTRAL_ROSTER_CHANGED ? &counts->changed
                                                       : &counts->inactive;
    ++*count;
    if (cb)
        cb(ctx, change, volunteer);
}

void central_roster_compare(const struct central_roster_file *file, central_roster_change_cb cb,
                            void *ctx, struct central_roster_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    /* Both lists are sorted by external id: one walk side by side. */
    size_t i = 0, j = 0;
    while (i < file->count || j < file->stored_count) {
        const struct central_volunteer *new = i < file->count ? &file->list[i] : NULL;
        const struct central_volunteer *old = j < file->stored_count ? &file->stored[j] : NULL;
        int order = !new ? 1 : !old ? -1 : strcmp(new->external_id, old->external_id);
        if (order < 0) {
            report(cb, ctx, counts, CENTRAL_ROSTER_ADDED, new);
            i++;
        } else if (order > 0) {
            if (old->active)
                report(cb, ctx, counts, CENTRAL_ROSTER_INACTIVE, old);
            j++;
        } else {
            if (old->active && !new->active)
                report(cb, ctx, counts, CENTRAL_ROSTER_INACTIVE, new);
            else if (differs(new, old))
                report(cb, ctx, counts, CENTRAL_ROSTER_CHANGED, new);
            i++, j++;
        }
    }
}
