/* Names of event kinds and sources as they appear in the database and in
 * the sync protocol; new event ids. */
#include "event.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[] = {
    [EVENT_CHECKIN] = "checkin",         [EVENT_CHECKOUT] = "checkout",
    [EVENT_AUTOCLOSE] = "autoclose",     [EVENT_CORRECTION] = "correction",
    [EVENT_CARD_ENROLLED] = "card_enrolled", [EVENT_CARD_REVOKED] = "card_revoked",
};
static const char *const source_names[] = {
    [SOURCE_CARD] = "card", [SOURCE_NAME] = "name",
    [SOURCE_STAFF] = "staff", [SOURCE_AUTOMATIC] = "automatic",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const char *const *names, size_t count, const char *name)
{
    for (size_t i = 1; i < count; i++)
        if (names[i] && name && strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *event_kind_name(enum event_kind kind)
{
    return (size_t)kind < COUNT(kind_names) && kind_names[kind] ? kind_names[kind] : "?";
}

int event_kind_parse(const char *name) { return lookup(kind_names, COUNT(kind_names), name); }

const char *event_source_name(enum event_source source)
{
    return (size_t)source < COUNT(source_names) && source_names[source] ? source_names[source] : "?";
}

int event_source_parse(const char *name) { return lookup(source_names, COUNT(source_names), name); }

void event_new_id(char out[EVENT_ID_LEN + 1])
{
    /* UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74
     * random bits. Ids in time order land at the end of every index they
     * are in (the central's insert rate doubled); the random bits keep them
     * unique even when the board's clock is wrong. */
    unsigned char b[16];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    randombytes_buf(b, sizeof b);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (8 * (5 - i)));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x70); /* version 7 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, EVENT_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

#include <errno.h>
#include <sqlite3.h>

static int copy_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t len = text ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (len >= cap)
        return -EINVAL;
    memcpy(out, text ? (const char *)text : "", len);
    out[len] = '\0';
    return 0;
}

int event_from_row(sqlite3_stmt *st, int col, struct event *ev)
{
    memset(ev, 0, sizeof *ev);
    int kind = event_kind_parse((const char *)sqlite3_column_text(st, col + 1));
    int source = event_source_parse((const char *)sqlite3_column_text(st, col + 9));
    if (kind < 0 || source < 0)
        return -EINVAL;
    ev->kind = (enum event_kind)kind;
    ev->source = (enum event_source)source;
    ev->at_us = sqlite3_column_int64(st, col + 4);
    ev->recorded_us = sqlite3_column_int64(st, col + 5);
    ev->mono_us = sqlite3_column_int64(st, col + 6);
    ev->clock_synced = sqlite3_column_int(st, col + 8);
    ev->review = sqlite3_column_int(st, col + 13);
    if (copy_text(st, col, ev->event_id, sizeof ev->event_id) ||
        copy_text(st, col + 2, ev->site, sizeof ev->site) ||
        copy_text(st, col + 3, ev->volunteer, sizeof ev->volunteer) ||
        copy_text(st, col + 7, ev->boot_id, sizeof ev->boot_id) ||
        copy_text(st, col + 10, ev->activity, sizeof ev->activity) ||
        copy_text(st, col + 11, ev->corrects, sizeof ev->corrects) ||
        copy_text(st, col + 12, ev->card_hash, sizeof ev->card_hash))
        return -EINVAL;
    return 0;
}

static int bind_text(sqlite3_stmt *st, int param, const char *text)
{
    if (!text[0])
        return sqlite3_bind_null(st, param);
    return sqlite3_bind_text(st, param, text, -1, SQLITE_TRANSIENT);
}

int event_bind(sqlite3_stmt *st, int first, const struct event *ev)
{
    int rc = bind_text(st, first, ev->event_id);
    if (!rc) rc = sqlite3_bind_text(st, first + 1, event_kind_name(ev->kind), -1, SQLITE_STATIC);
    if (!rc) rc = sqlite3_bind_text(st, first + 2, ev->site, -1, SQLITE_TRANSIENT);
    if (!rc) rc = bind_text(st, first + 3, ev->volunteer);
    if (!rc) rc = sqlite3_bind_int64(st, first + 4, ev->at_us);
    if (!rc) rc = sqlite3_bind_int64(st, first + 5, ev->recorded_us);
    if (!rc) rc = sqlite3_bind_int64(st, first + 6, ev->mono_us);
    if (!rc) rc = sqlite3_bind_text(st, first + 7, ev->boot_id, -1, SQLITE_TRANSIENT);
    if (!rc) rc = sqlite3_bind_int(st, first + 8, ev->clock_synced ? 1 : 0);
    if (!rc) rc = sqlite3_bind_text(st, first + 9, event_source_name(ev->source), -1, SQLITE_STATIC);
    if (!rc) rc = bind_text(st, first + 10, ev->activity);
    if (!rc) rc = bind_text(st, first + 11, ev->corrects);
    if (!rc) rc = bind_text(st, first + 12, ev->card_hash);
    if (!rc) rc = sqlite3_bind_int(st, first + 13, ev->review ? 1 : 0);
    return rc == SQLITE_OK ? 0 : -EIO;
}
