/* The sync protocol's wire format: events <-> JSON, RFC 3339 times.
 * Validation lives here so that the kiosk and the central agree on what a
 * valid event is, and a rejection names the field that failed. */
#include "protocol.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_S  INT64_C(1000000)
#define S_PER_DAY INT64_C(86400)

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int protocol_time_format(int64_t us, char out[PROTOCOL_TIME_LEN + 1])
{
    int64_t secs = us / US_PER_S, frac = us % US_PER_S;
    if (frac < 0) {
        frac += US_PER_S;
        secs -= 1;
    }
    int64_t days = secs / S_PER_DAY, rem = secs % S_PER_DAY;
    if (rem < 0) {
        rem += S_PER_DAY;
        days -= 1;
    }
    /* The C library's UTC calendar; it needs no TZ. */
    time_t day_start = (time_t)(days * S_PER_DAY);
    struct tm tm;
    if (!gmtime_r(&day_start, &tm))
        return -ERANGE;
    int64_t y = tm.tm_year + INT64_C(1900);
    unsigned m = (unsigned)tm.tm_mon + 1, d = (unsigned)tm.tm_mday;
    if (y < 1 || y > 9999)
        return -ERANGE;
    /* Formatted with room to spare: the compiler cannot see the ranges. */
    char text[64];
    int len = snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", (int)y, m, d,
                       (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)frac);
    if (len != PROTOCOL_TIME_LEN)
        return -ERANGE;
    memcpy(out, text, PROTOCOL_TIME_LEN + 1);
    return 0;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, unsigned *out)
{
    unsigned value = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -EINVAL;
        value = value * 10 + (unsigned)((*p)[i] - '0');
    }
    *p += n;
    *out = value;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -EINVAL;
    (*p)++;
    return 0;
}

int protocol_time_parse(const char *text, int64_t *us)
{
    if (!text)
        return -EINVAL;
    const char *p = text;
    unsigned y, mo, d, h, mi, s;
    if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) || expect(&p, '-') ||
        digits(&p, 2, &d) || expect(&p, 'T') || digits(&p, 2, &h) || expect(&p, ':') ||
        digits(&p, 2, &mi) || expect(&p, ':') || digits(&p, 2, &s))
        return -EINVAL;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59) /* leap seconds are not representable in the event log */
        return -EINVAL;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 6)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0 || n > 9)
            return -EINVAL;
        for (; n < 6; n++)
            frac *= 10;
    }
    if (*p != 'Z' || p[1] != '\0')
        return -EINVAL;
    struct tm tm = {.tm_year = (int)y - 1900, .tm_mon = (int)mo - 1, .tm_mday = (int)d,
                    .tm_hour = (int)h, .tm_min = (int)mi, .tm_sec = (int)s};
    int64_t secs = (int64_t)timegm(&tm);
    *us = secs * US_PER_S + frac;
    return 0;
}

int protocol_is_uuid(const char *text)
{
    if (!text || strlen(text) != EVENT_ID_LEN)
        return 0;
    for (int i = 0; i < EVENT_ID_LEN; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return 0;
    }
    return 1;
}

static int is_lower_hex(const char *text, size_t len)
{
    if (strlen(text) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
            return 0;
    return 1;
}

static json_t *text_or_null(const char *text)
{
    return text[0] ? json_string(text) : json_null();
}

json_t *protocol_event_to_json(const struct event *ev)
{
    char at[PROTOCOL_TIME_LEN + 1], recorded[PROTOCOL_TIME_LEN + 1];
    if (protocol_time_format(ev->at_us, at) || protocol_time_format(ev->recorded_us, recorded))
        return NULL;
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:b, s:s, s:o, s:o, s:o, s:b}",
                     "event_id", ev->event_id, "kind", event_kind_name(ev->kind), "volunteer",
                     text_or_null(ev->volunteer), "at", at, "recorded_at", recorded, "monotonic_us",
                     (json_int_t)ev->mono_us, "boot_id", ev->boot_id, "clock_synced",
                     ev->clock_synced ? 1 : 0, "source", event_source_name(ev->source), "activity",
                     text_or_null(ev->activity), "corrects", text_or_null(ev->corrects),
                     "card_hash", text_or_null(ev->card_hash), "review", ev->review ? 1 : 0);
}

/* Reads an optional (null or absent) or required string field into out. */
static int get_text(const json_t *obj, const char *key, int required, char *out, size_t cap,
                    char *err, size_t errlen)
{
    const json_t *value = json_object_get(obj, key);
    out[0] = '\0';
    if (!value || json_is_null(value)) {
        if (required) {
            snprintf(err, errlen, "%s: missing (required for this kind)", key);
            return -EINVAL;
        }
        return 0;
    }
    if (!json_is_string(value)) {
        snprintf(err, errlen, "%s: must be a string or null", key);
        return -EINVAL;
    }
    size_t len = json_string_length(value);
    if (len == 0 || len >= cap || memchr(json_string_value(value), '\0', len)) {
        snprintf(err, errlen, "%s: must be 1 to %zu bytes of text", key, cap - 1);
        return -EINVAL;
    }
    memcpy(out, json_string_value(value), len + 1);
    return 0;
}

static int get_time(const json_t *obj, const char *key, int64_t *us, char *err, size_t errlen)
{
    const json_t *value = json_object_get(obj, key);
    if (!json_is_string(value) || protocol_time_parse(json_string_value(value), us)) {
        snprintf(err, errlen,
                 "%s: expected an RFC 3339 UTC time like \"2026-11-23T13:30:00.000000Z\"", key);
        return -EINVAL;
    }
    return 0;
}

static int get_bool(const json_t *obj, const char *key, int *out, char *err, size_t errlen)
{
    const json_t *value = json_object_get(obj, key);
    if (!json_is_boolean(value)) {
        snprintf(err, errlen, "%s: expected true or false", key);
        return -EINVAL;
    }
    *out = json_is_true(value);
    return 0;
}

static void lowercase(char *text)
{
    for (; *text; text++)
        *text = (char)tolower((unsigned char)*text);
}

int protocol_event_from_json(const json_t *obj, const char *site, struct event *ev, char *err,
                             size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "an event must be a JSON object");
        return -EINVAL;
    }
    /* The id first, so every later rejection can name the event. */
    const json_t *id = json_object_get(obj, "event_id");
    if (!json_is_string(id) || !protocol_is_uuid(json_string_value(id))) {
        snprintf(err, errlen, "event_id: missing or not a UUID");
        return -EINVAL;
    }
    memcpy(ev->event_id, json_string_value(id), EVENT_ID_LEN + 1);
    /* One event, one spelling: ids are compared as text for idempotency. */
    lowercase(ev->event_id);

    const json_t *site_value = json_object_get(obj, "site");
    if (site_value && !json_is_null(site_value) &&
        (!json_is_string(site_value) || strcmp(json_string_value(site_value), site) != 0)) {
        snprintf(err, errlen, "site: this device writes only for site \"%s\"", site);
        return -EPERM;
    }
    if (strlen(site) >= sizeof ev->site) {
        snprintf(err, errlen, "site: id too long");
        return -EINVAL;
    }
    strcpy(ev->site, site);

    const json_t *kind = json_object_get(obj, "kind");
    int kind_value = json_is_string(kind) ? event_kind_parse(json_string_value(kind)) : -1;
    if (kind_value < 0) {
        snprintf(err, errlen,
                 "kind: expected one of checkin, checkout, autoclose, correction, "
                 "card_enrolled, card_revoked");
        return -EINVAL;
    }
    ev->kind = (enum event_kind)kind_value;
    const json_t *source = json_object_get(obj, "source");
    int source_value = json_is_string(source) ? event_source_parse(json_string_value(source)) : -1;
    if (source_value < 0) {
        snprintf(err, errlen, "source: expected one of card, name, staff, automatic");
        return -EINVAL;
    }
    ev->source = (enum event_source)source_value;

    int needs_volunteer = ev->kind != EVENT_CORRECTION && ev->kind != EVENT_CARD_REVOKED;
    int card_event = ev->kind == EVENT_CARD_ENROLLED || ev->kind == EVENT_CARD_REVOKED;
    int rc;
    if ((rc = get_text(obj, "volunteer", needs_volunteer, ev->volunteer, sizeof ev->volunteer, err,
                       errlen)) ||
        (rc = get_time(obj, "at", &ev->at_us, err, errlen)) ||
        (rc = get_time(obj, "recorded_at", &ev->recorded_us, err, errlen)) ||
        (rc = get_text(obj, "boot_id", 1, ev->boot_id, sizeof ev->boot_id, err, errlen)) ||
        (rc = get_bool(obj, "clock_synced", &ev->clock_synced, err, errlen)) ||
        (rc = get_bool(obj, "review", &ev->review, err, errlen)) ||
        (rc = get_text(obj, "activity", 0, ev->activity, sizeof ev->activity, err, errlen)) ||
        (rc = get_text(obj, "corrects", ev->kind == EVENT_CORRECTION, ev->corrects,
                       sizeof ev->corrects, err, errlen)) ||
        (rc = get_text(obj, "card_hash", card_event, ev->card_hash, sizeof ev->card_hash, err,
                       errlen)))
        return rc;

    const json_t *mono = json_object_get(obj, "monotonic_us");
    if (!json_is_integer(mono) || json_integer_value(mono) < 0) {
        snprintf(err, errlen, "monotonic_us: expected a non-negative integer");
        return -EINVAL;
    }
    ev->mono_us = (int64_t)json_integer_value(mono);
    if (ev->activity[0] && !protocol_is_uuid(ev->activity)) {
        snprintf(err, errlen, "activity: expected a UUID or null");
        return -EINVAL;
    }
    lowercase(ev->activity);
    if (ev->corrects[0]) {
        if (ev->kind != EVENT_CORRECTION || !protocol_is_uuid(ev->corrects)) {
            snprintf(err, errlen, "corrects: only a correction names an event id (a UUID)");
            return -EINVAL;
        }
        lowercase(ev->corrects);
        if (strcmp(ev->corrects, ev->event_id) == 0) {
            snprintf(err, errlen, "corrects: an event cannot correct itself");
            return -EINVAL;
        }
    }
    if (ev->card_hash[0] && !is_lower_hex(ev->card_hash, CARD_HASH_HEX)) {
        snprintf(err, errlen, "card_hash: expected %d lowercase hex digits", CARD_HASH_HEX);
        return -EINVAL;
    }
    return 0;
}

json_t *protocol_error_json(const char *code, const char *message)
{
    return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}
