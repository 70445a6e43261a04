/* The /v1/ API the kiosks call (PROTOCOL.md): upload events, fetch them
 * back after a restore, fetch the roster, report status, health. The
 * caller (http.c) has authenticated the device and bounded the body; this
 * file reads JSON and talks to the store. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "store_review.h"
#include "protocol.h"

/* Parses the body as a JSON object, or answers 400 and returns NULL. */
static json_t *parse_body(struct central_request *request, struct central_response *response)
{
    if (!request->body || request->body_len == 0) {
        central_respond_error(response, 400, "malformed_json", "the body is empty");
        return NULL;
    }
    json_error_t error;
    json_t *doc = json_loadb(request->body, request->body_len,
                             JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (!doc) {
        char message[256];
        snprintf(message, sizeof message, "the body is not valid JSON: line %d, column %d: %s",
                 error.line, error.column, error.text);
        central_respond_error(response, 400, "malformed_json", message);
        /* The position, not jansson's text: that quotes the body. */
        snprintf(response->log_note, sizeof response->log_note, "line %d, column %d", error.line,
                 error.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        central_respond_error(response, 400, "invalid_request", "the body must be a JSON object");
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void central_api_health(struct central_request *request, struct central_response *response)
{
    (void)request;
    central_respond_json(response, 200,
                         json_pack("{s:s, s:s}", "status", "ok", "version", TILSTEDE_VERSION));
}

void central_api_events(struct central_request *request, struct central_response *response)
{
    struct event *events = NULL;
    enum central_ingest_result *results = NULL;
    json_t *stored = NULL, *duplicate = NULL, *rejected = NULL;
    json_t *doc = parse_body(request, response);
    if (!doc)
        return;
    json_t *list = json_object_get(doc, "events");
    if (!json_is_array(list)) {
        central_respond_error(response, 400, "invalid_request",
                              "the body must be {\"events\": [ ... ]}");
        goto out;
    }
    size_t count = json_array_size(list);
    if (count > request->config->max_batch) {
        char message[128];
        snprintf(message, sizeof message, "a batch holds at most %zu events, this one has %zu",
                 request->config->max_batch, count);
        central_respond_error(response, 413, "batch_too_large", message);
        snprintf(response->log_note, sizeof response->log_note, "%zu events, at most %zu", count,
                 request->config->max_batch);
        goto out;
    }
    events = calloc(count ? count : 1, sizeof *events);
    results = calloc(count ? count : 1, sizeof *results);
    stored = json_array();
    duplicate = json_array();
    rejected = json_array();
    if (!events || !results || !stored || !duplicate || !rejected) {
        central_respond_error(response, 500, "internal", "out of memory");
        goto out;
    }
    size_t valid = 0;
    char first_rejected[96] = ""; /* for the journal: where and why, never what */
    for (size_t i = 0; i < count; i++) {
        char err[256];
        struct event *ev = &events[valid];
        int rc = protocol_event_from_json(json_array_get(list, i), request->device.site, ev, err,
                                          sizeof err);
        if (rc) {
            const char *code = rc == -EPERM ? "site_mismatch" : "invalid_event";
            json_array_append_new(
                rejected, json_pack("{s:I, s:o, s:s, s:s}", "index", (json_int_t)i, "event_id",
                                    ev->event_id[0] ? json_string(ev->event_id) : json_null(),
                                    "code", code, "error", err));
            if (!first_rejected[0]) {
                char field[32];
                central_message_field(err, field, sizeof field);
                snprintf(first_rejected, sizeof first_rejected,
                         ", the first at index %zu: %s%s%s%s", i, code, field[0] ? " (" : "", field,
                         field[0] ? ")" : "");
            }
            continue;
        }
        valid++;
    }
    if (valid) {
        char err[512];
        int rc = central_store_ingest(request->store, &request->device, events, valid, results, err,
                                      sizeof err);
        if (rc) {
            central_respond_store_error(response, rc, err);
            goto out;
        }
    }
    for (size_t i = 0; i < valid; i++)
        json_array_append_new(results[i] == CENTRAL_INGEST_STORED ? stored : duplicate,
                              json_string(events[i].event_id));
    snprintf(response->log_note, sizeof response->log_note,
             "%zu stored, %zu duplicate, %zu rejected%s", json_array_size(stored),
             json_array_size(duplicate), json_array_size(rejected), first_rejected);
    central_respond_json(response, 200,
                         json_pack("{s:O, s:O, s:O}", "stored", stored, "duplicate", duplicate,
                                   "rejected", rejected));
out:
    json_decref(stored);
    json_decref(duplicate);
    json_decref(rejected);
    json_decref(doc);
    free(events);
    free(results);
}

/* ---- fetching events back ---- */

/* A cursor of an earlier answer or a count: digits only (no sign, no
 * spaces); missing or empty gives 0. Returns 0 or -EINVAL. */
static int parse_digits(const char *text, long long *out)
{
    *out = 0;
    if (!text || !text[0])
        return 0;
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (*end || errno || value < 0 || text[0] == '+' || text[0] == '-' || text[0] == ' ')
        return -EINVAL;
    *out = value;
    return 0;
}

static int add_event(void *ctx, const struct event *ev)
{
    json_t *obj = protocol_event_to_json(ev);
    if (!obj || json_object_set_new(obj, "site", json_string(ev->site))) {
        json_decref(obj);
        return -ENOMEM;
    }
    return json_array_append_new(ctx, obj) ? -ENOMEM : 0;
}

typedef int (*events_page_fn)(struct central_store *store, const char *site, int64_t after,
                              size_t limit, central_event_cb cb, void *ctx, int64_t *cursor,
                              int *more, char *err, size_t errlen);

/* A page of the device's site's events after the cursor (PROTOCOL.md,
 * sections 6 and 6a): the same query arguments and answer for both. */
static void events_page(struct central_request *request, struct central_response *response,
                        events_page_fn page)
{
    long long after = 0;
    if (parse_digits(central_request_arg(request, "after"), &after)) {
        central_respond_error(response, 400, "invalid_cursor",
                              "after: expected the cursor of an earlier answer (digits), or "
                              "nothing to start from the first event");
        return;
    }
    const char *limit_text = central_request_arg(request, "limit");
    long long limit = PROTOCOL_MAX_FETCH_EVENTS;
    if (limit_text && (parse_digits(limit_text, &limit) || !limit_text[0] || limit < 1 ||
                       limit > (long long)PROTOCOL_MAX_FETCH_EVENTS)) {
        char message[96];
        snprintf(message, sizeof message, "limit: expected a number of events from 1 to %u",
                 PROTOCOL_MAX_FETCH_EVENTS);
        central_respond_error(response, 400, "invalid_request", message);
        return;
    }
    json_t *events = json_array();
    if (!events) {
        central_respond_error(response, 500, "internal", "out of memory");
        return;
    }
    int64_t cursor = 0;
    int more = 0;
    char err[256];
    int rc = page(request->store, request->device.site, after, (size_t)limit, add_event, events,
                  &cursor, &more, err, sizeof err);
    if (rc) {
        json_decref(events);
        if (rc == -ENOMEM)
            central_respond_error(response, 500, "internal", "out of memory");
        else if (rc == -ENOTSUP) /* as a receiver without the endpoint (PROTOCOL.md, 6a) */
            central_respond_error(response, 404, "not_found", err);
        else
            central_respond_store_error(response, rc, err);
        return;
    }
    char cursor_text[24];
    snprintf(cursor_text, sizeof cursor_text, "%lld", (long long)cursor);
    central_respond_json(response, 200,
                         json_pack("{s:o, s:s, s:b}", "events", events, "cursor", cursor_text,
                                   "more", more));
}

/* GET /v1/events?after=CURSOR&limit=N: the device's site's events, in the
 * order the central stored them, for a kiosk restored from a backup. */
void central_api_events_fetch(struct central_request *request, struct central_response *response)
{
    events_page(request, response, central_store_events_after);
}

/* GET /v1/corrections?after=CURSOR&limit=N: the corrections made in the
 * web app for the device's site, which its kiosks apply as their own. */
void central_api_corrections_fetch(struct central_request *request,
                                   struct central_response *response)
{
    events_page(request, response, central_store_corrections_after);
}

/* ---- roster ---- */

static int add_volunteer(void *ctx, const struct central_volunteer *v)
{
    json_t *list = json_object_get(ctx, "volunteers");
    return json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:b, s:b}", "external_id", v->external_id,
                        "given_name", v->given_name, "family_name", v->family_name, "active",
                        v->active, "confidentiality_signed",
                        v->confidentiality_signed[0] ? json_string(v->confidentiality_signed)
                                                     : json_null(),
                        "police_valid_until",
                        v->police_valid_until[0] ? json_string(v->police_valid_until) : json_null(),
                        "confidentiality_signed_undated", v->confidentiality_undated,
                        "police_certificate_undated", v->police_undated));
}

static int add_card(void *ctx, const struct central_card *c)
{
    json_t *list = json_object_get(ctx, "cards");
    return json_array_append_new(
        list, json_pack("{s:s, s:o, s:b}", "card_hash", c->card_hash, "volunteer",
                        c->volunteer[0] ? json_string(c->volunteer) : json_null(), "revoked",
                        c->revoked));
}

static int add_activity(void *ctx, const struct central_activity *a)
{
    json_t *list = json_object_get(ctx, "activities");
    json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", a->id, "date", a->date,
                            "start", a->start, "end", a->end, "title", a->title, "place",
                            a->place);
    /* Only a cancelled occurrence carries the field: the row is otherwise
     * the one /v1/ always had. */
    if (row && a->cancelled && json_object_set_new(row, "cancelled", json_true())) {
        json_decref(row);
        return -1;
    }
    return json_array_append_new(list, row);
}

void central_api_roster(struct central_request *request, struct central_response *response)
{
    long long since = 0;
    if (parse_digits(central_request_arg(request, "since"), &since)) {
        central_respond_error(response, 400, "invalid_cursor",
                              "since: expected a cursor returned by an earlier roster answer");
        return;
    }
    json_t *doc = json_pack("{s:[], s:[], s:[]}", "volunteers", "cards", "activities");
    if (!doc) {
        central_respond_error(response, 500, "internal", "out of memory");
        return;
    }
    struct central_roster_sink sink = {add_volunteer, add_card, add_activity, doc};
    int64_t cursor = 0;
    int full = 0;
    char err[256];
    int rc = central_store_roster_since(request->store, request->device.site, since, &sink, &cursor,
                                        &full, err, sizeof err);
    if (rc) {
        json_decref(doc);
        central_respond_store_error(response, rc, err);
        return;
    }
    /* Counts for the journal, when there is anything to count: an idle poll
     * is not logged. */
    size_t volunteers = json_array_size(json_object_get(doc, "volunteers"));
    size_t cards = json_array_size(json_object_get(doc, "cards"));
    size_t activities = json_array_size(json_object_get(doc, "activities"));
    if (full || volunteers || cards || activities)
        snprintf(response->log_note, sizeof response->log_note,
                 "%s: volunteers %zu, cards %zu, activities %zu", full ? "full" : "changes",
                 volunteers, cards, activities);
    char cursor_text[24];
    snprintf(cursor_text, sizeof cursor_text, "%lld", (long long)cursor);
    json_object_set_new(doc, "cursor", json_string(cursor_text));
    json_object_set_new(doc, "full", json_boolean(full));
    central_respond_json(response, 200, doc);
}

/* ---- status ---- */

static int status_text(const json_t *doc, const char *key, int required, char *out, size_t cap,
                       char *message, size_t messagelen)
{
    const json_t *value = json_object_get(doc, key);
    out[0] = '\0';
    if (!value || json_is_null(value)) {
        if (!required)
            return 0;
    } else if (json_is_string(value) && json_string_length(value) < cap &&
               (json_string_length(value) > 0 || !required)) {
        memcpy(out, json_string_value(value), json_string_length(value) + 1);
        return 0;
    }
    snprintf(message, messagelen, "%s: expected a string of %s%zu bytes%s", key,
             required ? "1 to " : "at most ", cap - 1, required ? "" : ", or null");
    return -EINVAL;
}

static int status_count(const json_t *obj, const char *key, int64_t *out, char *message,
                        size_t messagelen)
{
    const json_t *value = json_object_get(obj, key);
    if (!json_is_integer(value) || json_integer_value(value) < 0) {
        snprintf(message, messagelen, "recovery.%s: expected a non-negative integer", key);
        return -EINVAL;
    }
    *out = (int64_t)json_integer_value(value);
    return 0;
}

static int status_time(const json_t *obj, const char *key, int64_t *out, char *message,
                       size_t messagelen)
{
    const json_t *value = json_object_get(obj, key);
    if (!json_is_string(value) || protocol_time_parse(json_string_value(value), out)) {
        snprintf(message, messagelen,
                 "recovery.%s: expected an RFC 3339 UTC time like \"2026-11-23T13:30:00.000000Z\"",
                 key);
        return -EINVAL;
    }
    return 0;
}

/* The optional "recovery" of a status report: absent or null when the
 * kiosk has no restore to tell of. */
static int status_recovery(const json_t *doc, struct central_recovery *out, char *message,
                           size_t messagelen)
{
    const json_t *obj = json_object_get(doc, "recovery");
    memset(out, 0, sizeof *out);
    if (!obj || json_is_null(obj))
        return 0;
    if (!json_is_object(obj)) {
        snprintf(message, messagelen, "recovery: expected an object or null");
        return -EINVAL;
    }
    const char *fetch = json_string_value(json_object_get(obj, "fetch"));
    if (status_time(obj, "at", &out->at_us, message, messagelen) ||
        status_time(obj, "backup_at", &out->backup_us, message, messagelen) ||
        status_count(obj, "skipped_backups", &out->skipped_backups, message, messagelen) ||
        status_count(obj, "fetched_events", &out->fetched_events, message, messagelen))
        return -EINVAL;
    if (!fetch || (strcmp(fetch, "pending") && strcmp(fetch, "done") && strcmp(fetch, "none"))) {
        snprintf(message, messagelen, "recovery.fetch: expected pending, done or none");
        return -EINVAL;
    }
    snprintf(out->fetch, sizeof out->fetch, "%s", fetch);
    out->reported = 1;
    return 0;
}

/* The optional fields of a status report about refusals (PROTOCOL.md
 * section 8): absent or null from a kiosk older than them. */
static int status_refusals(const json_t *doc, struct central_status *status, char *message,
                           size_t messagelen)
{
    const json_t *refused = json_object_get(doc, "events_refused");
    const json_t *token = json_object_get(doc, "token_refused_at");
    status->events_refused = -1;
    if (refused && !json_is_null(refused)) {
        if (!json_is_integer(refused) || json_integer_value(refused) < 0) {
            snprintf(message, messagelen, "events_refused: expected a non-negative integer");
            return -EINVAL;
        }
        status->events_refused = (int64_t)json_integer_value(refused);
    }
    if (token && !json_is_null(token) &&
        (!json_is_string(token) ||
         protocol_time_parse(json_string_value(token), &status->token_refused_us))) {
        snprintf(message, messagelen,
                 "token_refused_at: expected an RFC 3339 UTC time like "
                 "\"2026-11-23T13:30:00.000000Z\", or null");
        return -EINVAL;
    }
    return 0;
}

void central_api_status(struct central_request *request, struct central_response *response)
{
    json_t *doc = parse_body(request, response);
    if (!doc)
        return;
    struct central_status status;
    memset(&status, 0, sizeof status);
    char message[256] = "";
    const json_t *waiting = json_object_get(doc, "events_waiting");
    const json_t *synced = json_object_get(doc, "clock_synced");
    const json_t *last_upload = json_object_get(doc, "last_upload");
    if (status_text(doc, "software_version", 1, status.software_version,
                    sizeof status.software_version, message, sizeof message) ||
        status_text(doc, "last_error", 0, status.last_error, sizeof status.last_error, message,
                    sizeof message) ||
        status_text(doc, "reader_state", 1, status.reader_state, sizeof status.reader_state,
                    message, sizeof message)) {
        /* message set */
    } else if (!json_is_integer(waiting) || json_integer_value(waiting) < 0) {
        snprintf(message, sizeof message, "events_waiting: expected a non-negative integer");
    } else if (!json_is_boolean(synced)) {
        snprintf(message, sizeof message, "clock_synced: expected true or false");
    } else if (last_upload && !json_is_null(last_upload) &&
               (!json_is_string(last_upload) ||
                protocol_time_parse(json_string_value(last_upload), &status.last_upload_us))) {
        snprintf(message, sizeof message,
                 "last_upload: expected an RFC 3339 UTC time like "
                 "\"2026-11-23T13:30:00.000000Z\", or null");
    } else if (status_refusals(doc, &status, message, sizeof message) == 0) {
        status_recovery(doc, &status.recovery, message, sizeof message);
    }
    if (message[0]) {
        central_respond_error(response, 400, "invalid_request", message);
        json_decref(doc);
        return;
    }
    status.events_waiting = (int64_t)json_integer_value(waiting);
    status.clock_synced = json_is_true(synced);
    json_decref(doc);
    char err[256];
    int rc = central_store_status_put(request->store, request->device.id, &status, err, sizeof err);
    if (rc) {
        central_respond_store_error(response, rc, err);
        return;
    }
    response->status = 204;
    response->content_type = NULL;
}

/* ---- site ---- */

/* Who the token belongs to: what `tilstedectl provision` writes into the
 * kiosk's configuration. */
void central_api_site(struct central_request *request, struct central_response *response)
{
    struct central_site site;
    char err[256];
    int rc = central_store_site_get(request->store, request->device.site, &site, err, sizeof err);
    if (rc) {
        central_respond_store_error(response, rc, err);
        return;
    }
    json_t *doc = json_pack("{s:{s:s, s:s, s:s}, s:{s:I, s:s}}", "site", "id", site.id, "name",
                            site.name, "kind", site.kind, "device", "id",
                            (json_int_t)request->device.id, "name", request->device.name);
    if (!doc) {
        central_respond_error(response, 500, "internal", "out of memory");
        return;
    }
    central_respond_json(response, 200, doc);
}
