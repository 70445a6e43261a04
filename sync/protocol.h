/* The sync protocol's wire format (see PROTOCOL.md): events to and from
 * JSON, times as RFC 3339 UTC text, and the limits both sides agree on.
 * Shared by the kiosk's uploader and tilstede-central, so both read and
 * write exactly the same thing. */
#ifndef TILSTEDE_PROTOCOL_H
#define TILSTEDE_PROTOCOL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#include "store.h"

#define PROTOCOL_PATH_PREFIX "/v1/"
/* Defaults; a receiver may be configured lower or higher and says so with
 * 413. A client should never send more than these. */
#define PROTOCOL_MAX_BODY_BYTES   (4u * 1024u * 1024u)
#define PROTOCOL_MAX_BATCH_EVENTS 500u
/* The most events one page of GET /v1/events holds (and its default). */
#define PROTOCOL_MAX_FETCH_EVENTS 500u
/* A cursor (roster or events) is opaque text of at most this many bytes;
 * the kiosk keeps it whole (STORE_CURSOR_MAX includes the NUL). */
#define PROTOCOL_CURSOR_MAX (STORE_CURSOR_MAX - 1)
/* "2026-11-23T13:30:00.000000Z" */
#define PROTOCOL_TIME_LEN 27
/* Longest text field a client may send in a status report. */
#define PROTOCOL_STATUS_TEXT_MAX 512
/* A status report tells of a refused token (token_refused_at) this long
 * after the refusal. */
#define PROTOCOL_TOKEN_REFUSED_TOLD_US (INT64_C(7) * 24 * 3600 * 1000000)

/* Formats microseconds since the epoch as RFC 3339 UTC with exactly six
 * fraction digits. Returns 0, or -ERANGE for a year outside 0001..9999. */
int protocol_time_format(int64_t us, char out[PROTOCOL_TIME_LEN + 1]);

/* Parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z" (UTC only; digits beyond the
 * microsecond are dropped). Returns 0 or -EINVAL. */
int protocol_time_parse(const char *text, int64_t *us);

/* 1 when text is a UUID in its 36-character form (any case). */
int protocol_is_uuid(const char *text);

/* The event as the protocol's JSON object (no "site": the receiver knows
 * the site from the device token). NULL when out of memory. */
json_t *protocol_event_to_json(const struct event *ev);

/* Reads one event of a batch. `site` is the sending device's site: it is
 * copied into ev->site, and an event that names another site is refused.
 * Returns 0; -EINVAL for an invalid field; -EPERM for another site; with
 * `err` saying which field and why. ev->event_id is filled whenever the
 * object carries a usable one, so a rejection can name the event. */
int protocol_event_from_json(const json_t *obj, const char *site, struct event *ev, char *err,
                             size_t errlen);

/* {"error": {"code": code, "message": message}}; NULL when out of memory. */
json_t *protocol_error_json(const char *code, const char *message);

#endif
