/* The kiosk's uploader (uploader.h): a session (one store connection, one
 * curl handle) that drains the outbox to the central (after a restore from
 * backup, first fetching back what the central holds), and a thread that
 * runs sessions soon after new events, periodically, and backs off after
 * failures. Everything the thread shares with the UI is under one lock. */
#include "uploader.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outbox.h"
#include "protocol.h"
#include "store.h"
#include "utf8.h"

#define US_PER_S INT64_C(1000000)
#define MS_PER_S INT64_C(1000)

#define PERIOD_MS_DEFAULT (3 * 60 * MS_PER_S)
#define KICK_DELAY_MS_DEFAULT (2 * MS_PER_S)
#define BACKOFF_MIN_MS_DEFAULT (5 * MS_PER_S)
#define BACKOFF_MAX_MS_DEFAULT (10 * 60 * MS_PER_S)
#define CONNECT_TIMEOUT_MS_DEFAULT (10 * MS_PER_S)
#define REQUEST_TIMEOUT_MS_DEFAULT (60 * MS_PER_S)
/* A Retry-After beyond this is treated as this: a misconfigured proxy must
 * not silence a kiosk for days. */
#define RETRY_AFTER_MAX_MS (60 * 60 * MS_PER_S)
/* How long curl may sit in poll before we look at the stop flag again;
 * curl_multi_wakeup() cuts it short anyway. */
#define POLL_SLICE_MS 100
#define RESPONSE_MAX_BYTES (4u * 1024u * 1024u)
#define TOKEN_MAX_BYTES 1024
#define READER_STATE_MAX 32

/* ---------------------------------------------------------------- session */

enum outcome {
    OUTCOME_OK = 0,
    OUTCOME_RETRY,   /* transport failure, 5xx, bad answer: back off */
    OUTCOME_REFUSED, /* 4xx: configuration or token; back off to the cap */
    OUTCOME_STOPPED,
    OUTCOME_TOO_LARGE, /* 413: the batch or its body is over the central's limit */
    OUTCOME_BAD_BATCH, /* 400 malformed_json or invalid_request: some event the central cannot take */
};

struct response {
    char *data;
    size_t len;
    int too_big;
    int64_t retry_after_ms;
};

struct session {
    const struct config *cfg;
    const struct clock_source *clock;
    struct uploader_tuning tuning;
    struct store *store;
    struct outbox *outbox;
    CURL *easy;
    CURLM *multi;
    atomic_int *stop; /* may be NULL */
    struct event *events;
    size_t batch_size;
    char auth[TOKEN_MAX_BYTES + 32];
    struct response response;
    int64_t retry_after_ms;
    int64_t uploaded;
    int64_t refused; /* events set aside in this run (413 alone) */
    char token_hash[33]; /* of the token in use (hex), never the token */
    int64_t fetched; /* events fetched back after a restore, in this run */
    int64_t corrections; /* corrections made on the central, fetched in this run */
    int central_answered; /* the last request of the fetch got an HTTP answer */
    long answered; /* the HTTP status of the last request, 0 when none came */
    int64_t roster_volunteers, roster_cards, roster_activities; /* in this run's answer */
    char reader_state[READER_STATE_MAX];
    char error[UPLOADER_ERROR_MAX];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / 1000000;
}

static void tuning_fill(struct uploader_tuning *t, const struct uploader_tuning *given)
{
    memset(t, 0, sizeof *t);
    if (given)
        *t = *given;
    if (t->period_ms <= 0)
        t->period_ms = PERIOD_MS_DEFAULT;
    if (t->kick_delay_ms <= 0)
        t->kick_delay_ms = KICK_DELAY_MS_DEFAULT;
    if (t->backoff_min_ms <= 0)
        t->backoff_min_ms = BACKOFF_MIN_MS_DEFAULT;
    if (t->backoff_max_ms <= 0)
        t->backoff_max_ms = BACKOFF_MAX_MS_DEFAULT;
    if (t->connect_timeout_ms <= 0)
        t->connect_timeout_ms = CONNECT_TIMEOUT_MS_DEFAULT;
    if (t->request_timeout_ms <= 0)
        t->request_timeout_ms = REQUEST_TIMEOUT_MS_DEFAULT;
}

/* Plain http only to this machine (tests, a local proxy); anything that
 * leaves it goes over TLS with verification. */
int uploader_check_url(const char *url, char *err, size_t errlen)
{
    if (!url || !url[0]) {
        snprintf(err, errlen,
                 "no central configured: set [sync] central_url in the configuration "
                 "(e.g. https://tilstede.kommune.no)");
        return -EINVAL;
    }
    int rc = 0;
    char *scheme = NULL, *host = NULL;
    CURLU *u = curl_url();
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        snprintf(err, errlen, "[sync] central_url '%.200s' is not a URL (expected https://host[:port])",
                 url);
        rc = -EINVAL;
        goto out;
    }
    if (strcmp(scheme, "https") != 0) {
        int loopback = strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
                       strcmp(host, "localhost") == 0;
        if (strcmp(scheme, "http") != 0 || !loopback) {
            snprintf(err, errlen,
                     "[sync] central_url '%.200s' must use https (plain http only to 127.0.0.1)", url);
            rc = -EINVAL;
        }
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* Reads the bearer token, refusing a file other users can read: the token
 * lets anyone write hours for this site. */
int uploader_token_read(const char *path, char *token, size_t cap, char *err, size_t errlen)
{
    int rc = 0;
    token[0] = '\0';
    if (!path[0]) {
        snprintf(err, errlen,
                 "no device token: set [sync] token_file to the file holding the token "
                 "printed by 'tilstede-central device add'");
        return -EINVAL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot open the token file %.300s: %s", path, strerror(errno));
        return rc;
    }
    struct stat st;
    char text[TOKEN_MAX_BYTES + 1];
    ssize_t len = 0;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errlen, "cannot stat the token file %.300s: %s", path, strerror(errno));
        rc = -EIO;
        goto out;
    }
    if (st.st_mode & S_IROTH) {
        snprintf(err, errlen,
                 "the token file %.150s is readable by every user (mode %04o): refusing to use it; "
                 "run 'chmod 600 %.150s' (and consider issuing a new token)",
                 path, (unsigned)(st.st_mode & 07777), path);
        rc = -EPERM;
        goto out;
    }
    len = read(fd, text, TOKEN_MAX_BYTES);
    if (len < 0) {
        snprintf(err, errlen, "cannot read the token file %.300s: %s", path, strerror(errno));
        rc = -EIO;
        goto out;
    }
    text[len] = '\0';
    size_t start = 0, end = (size_t)len;
    while (start < end && isspace((unsigned char)text[start]))
        start++;
    while (end > start && isspace((unsigned char)text[end - 1]))
        end--;
    text[end] = '\0';
    if (start == end || strpbrk(text + start, " \t\r\n") || end - start >= cap) {
        snprintf(err, errlen, "the token file %.300s must hold exactly one token on one line",
                 path);
        rc = -EINVAL;
        goto out;
    }
    memcpy(token, text + start, end - start + 1);
out:
    sodium_memzero(text, sizeof text);
    close(fd);
    return rc;
}

static int read_token(struct session *s)
{
    char token[TOKEN_MAX_BYTES + 1];
    int rc = uploader_token_read(s->cfg->token_file, token, sizeof token, s->error,
                                 sizeof s->error);
    if (rc == 0) {
        snprintf(s->auth, sizeof s->auth, "Authorization: Bearer %s", token);
        /* A hash, not the token: what is kept in the store to recognise a
         * token the central refused. */
        unsigned char hash[16];
        crypto_generichash(hash, sizeof hash, (const unsigned char *)token, strlen(token), NULL,
                           0);
        sodium_bin2hex(s->token_hash, sizeof s->token_hash, hash, sizeof hash);
        char refused[OUTBOX_STATE_MAX];
        if (s->outbox &&
            outbox_state_get(s->outbox, OUTBOX_TOKEN_REFUSED, refused, sizeof refused) == 0 &&
            strcmp(refused, s->token_hash) == 0) {
            /* PROTOCOL.md: 401 means stop until there is a new token;
             * retrying the same one only fills the central's log. */
            snprintf(s->error, sizeof s->error,
                     "the central refused this kiosk's token (401): nothing is sent until the "
                     "file named by [sync] token_file holds a new token (tilstedectl provision, "
                     "or ask the coordinator)");
            rc = -EACCES;
        }
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    struct response *r = user;
    size_t len = size * count;
    if (r->len + len > RESPONSE_MAX_BYTES) {
        r->too_big = 1;
        return 0;
    }
    char *grown = realloc(r->data, r->len + len + 1);
    if (!grown)
        return 0;
    memcpy(grown + r->len, data, len);
    r->data = grown;
    r->len += len;
    r->data[r->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t count, void *user)
{
    struct response *r = user;
    size_t len = size * count;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        char value[64];
        snprintf(value, sizeof value, "%.*s", (int)(len - (sizeof name - 1)),
                 data + sizeof name - 1);
        char *text = value;
        while (isspace((unsigned char)*text))
            text++;
        text[strcspn(text, "\r\n")] = '\0';
        char *end;
        long long seconds = strtoll(text, &end, 10);
        if (end != text && *end == '\0' && seconds >= 0) {
            r->retry_after_ms = seconds * MS_PER_S;
        } else {
            time_t when = curl_getdate(text, NULL); /* the HTTP-date form */
            if (when > 0)
                r->retry_after_ms = ((int64_t)when - (int64_t)time(NULL)) * MS_PER_S;
        }
        if (r->retry_after_ms < 0)
            r->retry_after_ms = 0;
        if (r->retry_after_ms > RETRY_AFTER_MAX_MS)
            r->retry_after_ms = RETRY_AFTER_MAX_MS;
    }
    return len;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    atomic_int *stop = user;
    return stop && atomic_load(stop) ? 1 : 0;
}

static int stopping(const struct session *s) { return s->stop && atomic_load(s->stop); }

/* One request. Returns OUTCOME_OK with *status set when an answer came. */
static enum outcome request(struct session *s, const char *method, const char *path,
                            const char *body, size_t len, long *status)
{
    enum outcome result = OUTCOME_RETRY;
    char url[CONFIG_TEXT_MAX + 128];
    const char *base = s->cfg->central_url;
    size_t base_len = strlen(base);
    while (base_len && base[base_len - 1] == '/')
        base_len--;
    snprintf(url, sizeof url, "%.*s%s", (int)base_len, base, path);

    free(s->response.data);
    memset(&s->response, 0, sizeof s->response);
    s->answered = 0;
    struct curl_slist *headers = curl_slist_append(NULL, s->auth);
    headers = curl_slist_append(headers, "Accept: application/json");
    /* No "Expect: 100-continue" round trip before a large batch. */
    headers = curl_slist_append(headers, "Expect:");
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");

    CURL *c = s->easy;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tilstede-kiosk/" TILSTEDE_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)s->tuning.connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->tuning.request_timeout_ms);
    /* Verification is never switched off; a CA file narrows trust to the
     * municipality's own CA when it runs one. */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (s->cfg->ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, s->cfg->ca_file);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->response);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s->response);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s->stop);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode code = CURLE_OK;
    if (curl_multi_add_handle(s->multi, c) != CURLM_OK) {
        snprintf(s->error, sizeof s->error, "%s %s: cannot start the request", method, path);
        goto out;
    }
    int running = 1;
    while (running) {
        if (stopping(s)) {
            result = OUTCOME_STOPPED;
            curl_multi_remove_handle(s->multi, c);
            goto out;
        }
        CURLMcode mc = curl_multi_perform(s->multi, &running);
        if (mc == CURLM_OK && running)
            mc = curl_multi_poll(s->multi, NULL, 0, POLL_SLICE_MS, NULL);
        if (mc != CURLM_OK) {
            snprintf(s->error, sizeof s->error, "%s %s: %s", method, path,
                     curl_multi_strerror(mc));
            curl_multi_remove_handle(s->multi, c);
            goto out;
        }
    }
    int left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(s->multi, &left)))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == c)
            code = msg->data.result;
    curl_multi_remove_handle(s->multi, c);
    if (stopping(s) || code == CURLE_ABORTED_BY_CALLBACK) {
        result = OUTCOME_STOPPED;
        goto out;
    }
    if (code != CURLE_OK) {
        const char *hint = "";
        if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
            code == CURLE_SSL_CONNECT_ERROR)
            hint = " (check [sync] ca_file and the central's certificate)";
        else if (code == CURLE_OPERATION_TIMEDOUT)
            hint = " (the central did not answer in time)";
        else if (s->response.too_big)
            hint = " (the answer was larger than 4 MiB)";
        /* The request's own URL, not the base: "POST https://host/v1/events"
         * says which of the kiosk's requests the central left hanging. */
        snprintf(s->error, sizeof s->error, "%s %.300s: %s%s", method, url,
                 curl_easy_strerror(code), hint);
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    s->answered = *status;
    result = OUTCOME_OK;
out:
    curl_slist_free_all(headers);
    return result;
}

/* The central's error code and message, from {"error": {"code": ...,
 * "message": ...}}: "" for what the answer lacks. Cut between characters,
 * and a stray byte from a proxy's page shown as '?'. */
static void answer_error(const struct session *s, char *code, size_t code_cap, char *message,
                         size_t message_cap)
{
    json_t *doc = s->response.data ? json_loadb(s->response.data, s->response.len, 0, NULL)
                                   : NULL;
    const json_t *error = json_object_get(doc, "error");
    const char *c = json_string_value(json_object_get(error, "code"));
    const char *m = json_string_value(json_object_get(error, "message"));
    utf8_copy_clean(code, code_cap, c ? c : "");
    utf8_copy_clean(message, message_cap, m ? m : "");
    json_decref(doc);
}

/* What failed, with the central's message, in s->error. */
static void describe_failure(struct session *s, const char *what, long status)
{
    char code[OUTBOX_CODE_MAX], message[256];
    answer_error(s, code, sizeof code, message, sizeof message);
    const char *hint = "";
    if (status == 401 || status == 403)
        hint = "; the central refused this device's token: check [sync] token_file, or ask "
               "for a new token";
    else if (status == 429 || status == 503)
        hint = "; the central is busy, retrying later";
    snprintf(s->error, sizeof s->error, "%s: the central answered %ld%s%s%s", what, status,
             message[0] ? ": " : "", message, hint);
}

/* The central's error code ({"error": {"code": ...}}) is `code`. */
static int answer_code_is(const struct session *s, const char *code)
{
    char text[OUTBOX_CODE_MAX], message[8];
    answer_error(s, text, sizeof text, message, sizeof message);
    return strcmp(text, code) == 0;
}

static enum outcome answer_outcome(struct session *s, long status)
{
    if (status == 401 && s->token_hash[0] && s->outbox) {
        /* When it was refused, for staff and the next status report that
         * gets through (the first 401 of this token counts). */
        char refused[OUTBOX_STATE_MAX], when[24];
        outbox_state_get(s->outbox, OUTBOX_TOKEN_REFUSED, refused, sizeof refused);
        if (strcmp(refused, s->token_hash) != 0) {
            snprintf(when, sizeof when, "%" PRId64, clock_wall(s->clock));
            outbox_state_set(s->outbox, OUTBOX_TOKEN_REFUSED_AT, when);
        }
        outbox_state_set(s->outbox, OUTBOX_TOKEN_REFUSED, s->token_hash);
    }

    if (status == 429 || status == 503) {
        s->retry_after_ms = s->response.retry_after_ms;
        return OUTCOME_RETRY;
    }
    return status >= 400 && status < 500 ? OUTCOME_REFUSED : OUTCOME_RETRY;
}

/* Collects the ids of an answer list that were in the batch we sent. */
static int answer_ids(struct session *s, const json_t *list, size_t count, const char **ids,
                      size_t *n, int objects)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const json_t *id = objects ? json_object_get(item, "event_id") : item;
        if (!json_is_string(id))
            continue; /* a rejection without an id cannot be matched */
        for (size_t k = 0; k < count; k++) {
            if (strcmp(s->events[k].event_id, json_string_value(id)) == 0) {
                if (*n < count)
                    ids[(*n)++] = s->events[k].event_id;
                break;
            }
        }
    }
    return 0;
}

/* Sets the events of a 200 answer's `rejected` aside, each with the
 * central's code and reason; ids: those of them that were in the batch. */
static int refuse_rejected(struct session *s, const json_t *rejected, const char **ids, size_t n)
{
    struct outbox_refusal *refusals = calloc(n ? n : 1, sizeof *refusals);
    if (!refusals)
        return -ENOMEM;
    for (size_t k = 0; k < n; k++) {
        struct outbox_refusal *r = &refusals[k];
        snprintf(r->event_id, sizeof r->event_id, "%s", ids[k]);
        r->status = 200;
        size_t i;
        json_t *item;
        json_array_foreach(rejected, i, item) {
            const char *id = json_string_value(json_object_get(item, "event_id"));
            if (!id || strcmp(id, ids[k]) != 0)
                continue;
            const char *code = json_string_value(json_object_get(item, "code"));
            const char *why = json_string_value(json_object_get(item, "error"));
            utf8_copy_clean(r->code, sizeof r->code, code ? code : "");
            utf8_copy_clean(r->reason, sizeof r->reason, why ? why : "no reason given");
            break;
        }
    }
    int rc = outbox_refuse(s->outbox, refusals, n, clock_wall(s->clock));
    if (rc > 0)
        s->refused += rc;
    free(refusals);
    return rc;
}

/* Sends one batch; marks what the central confirmed. */
static enum outcome send_batch(struct session *s, size_t count)
{
    enum outcome result = OUTCOME_RETRY;
    char *body = NULL;
    const char **ids = calloc(count, sizeof *ids);
    json_t *doc = NULL, *answer = NULL;
    json_t *list = json_array();
    if (!ids || !list) {
        snprintf(s->error, sizeof s->error, "uploading: out of memory");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *ev = protocol_event_to_json(&s->events[i]);
        if (!ev || json_array_append_new(list, ev)) {
            snprintf(s->error, sizeof s->error,
                     "uploading: event %s cannot be written as JSON (time out of range?)",
                     s->events[i].event_id);
            goto out;
        }
    }
    doc = json_pack("{s:O}", "events", list);
    body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!body) {
        snprintf(s->error, sizeof s->error, "uploading: out of memory");
        goto out;
    }
    long status = 0;
    result = request(s, "POST", "/v1/events", body, strlen(body), &status);
    if (result != OUTCOME_OK)
        goto out;
    if (status != 200) {
        describe_failure(s, "uploading events", status);
        /* PROTOCOL.md: "fix the client; do not retry as is". Some event of
         * the batch is one the central cannot take: found by halving. */
        int bad = status == 400 &&
                  (answer_code_is(s, "malformed_json") || answer_code_is(s, "invalid_request"));
        result = status == 413 ? OUTCOME_TOO_LARGE
                 : bad         ? OUTCOME_BAD_BATCH
                               : answer_outcome(s, status);
        goto out;
    }
    result = OUTCOME_RETRY;
    answer = json_loadb(s->response.data ? s->response.data : "", s->response.len, 0, NULL);
    const json_t *stored = json_object_get(answer, "stored");
    const json_t *duplicate = json_object_get(answer, "duplicate");
    const json_t *rejected = json_object_get(answer, "rejected");
    if (!json_is_array(stored) || !json_is_array(duplicate) ||
        (rejected && !json_is_array(rejected))) {
        snprintf(s->error, sizeof s->error,
                 "uploading events: the central's answer is not {\"stored\": [...], "
                 "\"duplicate\": [...], \"rejected\": [...]}; nothing marked, will send again");
        goto out;
    }
    /* Only what the central says it holds is marked: an event missing from
     * the answer stays pending and goes again. */
    size_t n = 0;
    answer_ids(s, stored, count, ids, &n, 0);
    answer_ids(s, duplicate, count, ids, &n, 0);
    int marked = outbox_mark(s->outbox, ids, n, OUTBOX_UPLOADED);
    if (marked < 0) {
        snprintf(s->error, sizeof s->error, "marking events uploaded: %s",
                 outbox_errmsg(s->outbox));
        goto out;
    }
    s->uploaded += marked;
    size_t accepted = n;
    if (rejected && json_array_size(rejected)) {
        n = 0;
        answer_ids(s, rejected, count, ids, &n, 1);
        if (refuse_rejected(s, rejected, ids, n) < 0) {
            snprintf(s->error, sizeof s->error, "marking rejected events: %s",
                     outbox_errmsg(s->outbox));
            goto out;
        }
        const json_t *first = json_array_get(rejected, 0);
        const char *why = json_string_value(json_object_get(first, "error"));
        snprintf(s->error, sizeof s->error,
                 "the central rejected %zu event(s) as invalid (first: %.200s); they are kept "
                 "on the kiosk for review",
                 json_array_size(rejected), why ? why : "no reason given");
        accepted += n;
    }
    if (accepted == 0) {
        /* Nothing of the batch confirmed: going on would loop forever. */
        snprintf(s->error, sizeof s->error,
                 "uploading events: the central confirmed none of the %zu events sent", count);
        goto out;
    }
    result = OUTCOME_OK;
out:
    json_decref(answer);
    json_decref(doc);
    json_decref(list);
    free(body);
    free(ids);
    return result;
}

static int parse_minutes(const char *text, int *out)
{
    unsigned h, m;
    char extra;
    if (!text || sscanf(text, "%2u:%2u%c", &h, &m, &extra) != 2 || h > 24 || m > 59 ||
        (h == 24 && m != 0))
        return -EINVAL;
    *out = (int)(h * 60 + m);
    return 0;
}

/* A text field of the roster answer, whole: one longer than the kiosk keeps
 * (the limits of fieldlimits.h, the same as the central's) is a bad answer
 * naming the row and the field, never a silent cut (two ids cut to the same
 * prefix would be one person). */
static int copy_text(struct session *s, char *out, size_t cap, const json_t *item,
                     const char *key, const char *kind, size_t index)
{
    const json_t *value = json_object_get(item, key);
    const char *text = json_is_string(value) ? json_string_value(value) : "";
    size_t len = strlen(text);
    if (len >= cap) {
        snprintf(s->error, sizeof s->error,
                 "fetching the roster: %s %zu: %s is %zu bytes, more than the %zu this kiosk "
                 "keeps; nothing applied",
                 kind, index + 1, key, len, cap - 1);
        return -1;
    }
    memcpy(out, text, len + 1);
    return 0;
}

/* GET /v1/roster?since=cursor, applied in one transaction with the cursor. */
static enum outcome fetch_roster(struct session *s)
{
    enum outcome result;
    char cursor[STORE_CURSOR_MAX], path[STORE_CURSOR_MAX * 3 + 32];
    struct volunteer *volunteers = NULL;
    struct outbox_card *cards = NULL;
    struct activity *activities = NULL;
    json_t *doc = NULL;
    if (outbox_state_get(s->outbox, OUTBOX_ROSTER_CURSOR, cursor, sizeof cursor) < 0) {
        snprintf(s->error, sizeof s->error, "reading the roster cursor: %s",
                 outbox_errmsg(s->outbox));
        return OUTCOME_RETRY;
    }
    char *escaped = curl_easy_escape(s->easy, cursor, 0);
    snprintf(path, sizeof path, "/v1/roster?since=%s", escaped ? escaped : "");
    curl_free(escaped);
    long status = 0;
    if ((result = request(s, "GET", path, NULL, 0, &status)) != OUTCOME_OK)
        return result;
    if (status == 400 && cursor[0] && answer_code_is(s, "invalid_cursor")) {
        /* PROTOCOL.md: the cursor is not one the central knows (another
         * database, a cut one): fetch everything again, without `since`. */
        if (outbox_state_set(s->outbox, OUTBOX_ROSTER_CURSOR, "")) {
            snprintf(s->error, sizeof s->error, "forgetting the roster cursor: %s",
                     outbox_errmsg(s->outbox));
            return OUTCOME_RETRY;
        }
        return fetch_roster(s);
    }
    if (status != 200) {
        describe_failure(s, "fetching the roster", status);
        return answer_outcome(s, status);
    }
    result = OUTCOME_RETRY;
    doc = json_loadb(s->response.data ? s->response.data : "", s->response.len, 0, NULL);
    if (json_is_string(json_object_get(doc, "cursor")) &&
        json_string_length(json_object_get(doc, "cursor")) > PROTOCOL_CURSOR_MAX) {
        snprintf(s->error, sizeof s->error,
                 "fetching the roster: the answer's cursor is %zu bytes, more than the %u "
                 "PROTOCOL.md allows; nothing applied",
                 json_string_length(json_object_get(doc, "cursor")), PROTOCOL_CURSOR_MAX);
        goto out;
    }
    const json_t *jv = json_object_get(doc, "volunteers"), *jc = json_object_get(doc, "cards"),
                 *ja = json_object_get(doc, "activities"), *jcur = json_object_get(doc, "cursor");
    if (!json_is_array(jv) || !json_is_array(jc) || !json_is_array(ja) || !json_is_string(jcur)) {
        snprintf(s->error, sizeof s->error,
                 "fetching the roster: the answer lacks volunteers, cards, activities or cursor");
        goto out;
    }
    struct outbox_roster roster = {
        .volunteer_count = json_array_size(jv),
        .card_count = json_array_size(jc),
        .activity_count = json_array_size(ja),
        .cursor = json_string_value(jcur),
        .full = json_is_true(json_object_get(doc, "full")),
    };
    volunteers = calloc(roster.volunteer_count + 1, sizeof *volunteers);
    cards = calloc(roster.card_count + 1, sizeof *cards);
    activities = calloc(roster.activity_count + 1, sizeof *activities);
    if (!volunteers || !cards || !activities) {
        snprintf(s->error, sizeof s->error, "fetching the roster: out of memory");
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(jv, i, item) {
        struct volunteer *v = &volunteers[i];
        if (copy_text(s, v->external_id, sizeof v->external_id, item, "external_id", "volunteer",
                      i) ||
            copy_text(s, v->given_name, sizeof v->given_name, item, "given_name", "volunteer", i) ||
            copy_text(s, v->family_name, sizeof v->family_name, item, "family_name", "volunteer",
                      i) ||
            copy_text(s, v->confidentiality_signed, sizeof v->confidentiality_signed, item,
                      "confidentiality_signed", "volunteer", i) ||
            copy_text(s, v->police_valid_until, sizeof v->police_valid_until, item,
                      "police_valid_until", "volunteer", i))
            goto out;
        /* Signed with no date: as the kiosk's own roster import keeps it. A
         * certificate with no known expiry (police_certificate_undated)
         * never expires here, which a blank police_valid_until already says. */
        if (!v->confidentiality_signed[0] &&
            json_is_true(json_object_get(item, "confidentiality_signed_undated")))
            snprintf(v->confidentiality_signed, sizeof v->confidentiality_signed, "%s",
                     KIOSK_SIGNED_UNDATED);
        v->active = json_is_true(json_object_get(item, "active"));
        if (!v->external_id[0]) {
            snprintf(s->error, sizeof s->error, "fetching the roster: volunteer %zu has no "
                     "external_id", i + 1);
            goto out;
        }
    }
    json_array_foreach(jc, i, item) {
        if (copy_text(s, cards[i].card_hash, sizeof cards[i].card_hash, item, "card_hash", "card",
                      i) ||
            copy_text(s, cards[i].volunteer, sizeof cards[i].volunteer, item, "volunteer", "card",
                      i))
            goto out;
        cards[i].revoked = json_is_true(json_object_get(item, "revoked"));
    }
    json_array_foreach(ja, i, item) {
        struct activity *a = &activities[i];
        if (copy_text(s, a->uuid, sizeof a->uuid, item, "id", "activity", i) ||
            copy_text(s, a->day, sizeof a->day, item, "date", "activity", i) ||
            copy_text(s, a->title, sizeof a->title, item, "title", "activity", i) ||
            copy_text(s, a->place, sizeof a->place, item, "place", "activity", i))
            goto out;
        a->cancelled = json_is_true(json_object_get(item, "cancelled"));
        if (parse_minutes(json_string_value(json_object_get(item, "start")), &a->start_min) ||
            parse_minutes(json_string_value(json_object_get(item, "end")), &a->end_min) ||
            !protocol_is_uuid(a->uuid)) {
            snprintf(s->error, sizeof s->error,
                     "fetching the roster: activity %zu has no valid id, start or end", i + 1);
            goto out;
        }
    }
    roster.volunteers = volunteers;
    roster.cards = cards;
    roster.activities = activities;
    size_t changed = 0;
    if (outbox_apply_roster(s->outbox, &roster, clock_wall(s->clock), &changed)) {
        snprintf(s->error, sizeof s->error, "saving the roster: %s", outbox_errmsg(s->outbox));
        goto out;
    }
    s->roster_volunteers = (int64_t)roster.volunteer_count;
    s->roster_cards = (int64_t)roster.card_count;
    s->roster_activities = (int64_t)roster.activity_count;
    result = OUTCOME_OK;
out:
    free(volunteers);
    free(cards);
    free(activities);
    json_decref(doc);
    return result;
}

/* Reads a page's events into s->events; refuses the page (s->error says
 * why) when one is invalid or of another site. */
static int page_events(struct session *s, const json_t *list, const char *cursor,
                       const char *what)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char why[256];
        const char *site = json_string_value(json_object_get(item, "site"));
        if (site && strcmp(site, s->cfg->site_id) != 0) {
            /* The central knows this token's kiosk under another site: the
             * events would land where this kiosk never looks. */
            snprintf(s->error, sizeof s->error,
                     "%s: the central sends events of site \"%.64s\", but this kiosk is "
                     "configured as [site] id = \"%.64s\"; correct the configuration "
                     "('tilstedectl provision' writes it from the central)",
                     what, site, s->cfg->site_id);
            return -EINVAL;
        }
        if (protocol_event_from_json(item, s->cfg->site_id, &s->events[i], why, sizeof why)) {
            snprintf(s->error, sizeof s->error,
                     "%s: event %zu of the page after cursor \"%.32s\": %.256s; nothing "
                     "stored, will ask again",
                     what, i + 1, cursor, why);
            return -EINVAL;
        }
    }
    return 0;
}

/* Stores a page of events with the cursor it came with, in one
 * transaction (outbox_fetch_apply, outbox_corrections_apply). */
typedef int (*page_apply_fn)(struct outbox *outbox, const struct event *events, size_t count,
                             const char *cursor, int last, size_t *added);

/* Stores the page answered to GET /v1/events or /v1/corrections after
 * *cursor with the central's next cursor, which then replaces *cursor.
 * *more: another page follows. *added: events the kiosk did not hold. */
static enum outcome page_store(struct session *s, char cursor[STORE_CURSOR_MAX], int *more,
                               const char *what, page_apply_fn apply, size_t *added)
{
    enum outcome result = OUTCOME_RETRY;
    json_t *doc = json_loadb(s->response.data ? s->response.data : "", s->response.len, 0, NULL);
    const json_t *list = json_object_get(doc, "events"), *next = json_object_get(doc, "cursor");
    const json_t *more_value = json_object_get(doc, "more");
    if (!json_is_array(list) || json_array_size(list) > s->batch_size || !json_is_string(next) ||
        json_string_length(next) >= STORE_CURSOR_MAX || !json_is_boolean(more_value)) {
        snprintf(s->error, sizeof s->error,
                 "%s: the answer is not {\"events\": [at most %zu], \"cursor\": \"...\", "
                 "\"more\": true or false}; nothing stored, will ask again",
                 what, s->batch_size);
        goto out;
    }
    *more = json_is_true(more_value);
    if (*more && strcmp(json_string_value(next), cursor) == 0) {
        snprintf(s->error, sizeof s->error,
                 "%s: the central says more events follow but its cursor did not move (%.32s)",
                 what, cursor);
        goto out;
    }
    if (page_events(s, list, cursor, what))
        goto out;
    if (apply(s->outbox, s->events, json_array_size(list), json_string_value(next), !*more,
              added)) {
        snprintf(s->error, sizeof s->error, "%s: %s", what, outbox_errmsg(s->outbox));
        goto out;
    }
    snprintf(cursor, STORE_CURSOR_MAX, "%s", json_string_value(next));
    result = OUTCOME_OK;
out:
    json_decref(doc);
    return result;
}

/* One page of GET /v1/events after *cursor, stored (see page_store). */
static enum outcome fetch_page(struct session *s, char cursor[STORE_CURSOR_MAX], int *more)
{
    static const char what[] = "fetching back the central's events after the restore";
    char path[STORE_CURSOR_MAX * 3 + 64];
    char *escaped = curl_easy_escape(s->easy, cursor, 0);
    snprintf(path, sizeof path, "/v1/events?after=%s&limit=%zu", escaped ? escaped : "",
             s->batch_size);
    curl_free(escaped);
    long status = 0;
    s->central_answered = 0;
    enum outcome result = request(s, "GET", path, NULL, 0, &status);
    if (result != OUTCOME_OK)
        return result;
    s->central_answered = 1;
    if (status == 200) {
        size_t added = 0;
        result = page_store(s, cursor, more, what, outbox_fetch_apply, &added);
        s->fetched += (int64_t)added;
        return result;
    }
    describe_failure(s, what, status);
    if (status == 404 || status == 405) {
        size_t used = strlen(s->error);
        snprintf(s->error + used, sizeof s->error - used,
                 " (tilstede-central is older than this kiosk: update it; until then "
                 "nothing is uploaded, so nothing is lost)");
    }
    return answer_outcome(s, status);
}

/* After a restore from backup: every page of what the central holds of this
 * site, before anything is sent, so the central never gets events recorded
 * after the restore before the kiosk knows what the central already has.
 * Resumes at the cursor of the last page stored. */
static enum outcome fetch_back(struct session *s)
{
    struct kiosk_recovery recovery;
    char cursor[STORE_CURSOR_MAX];
    s->central_answered = 0;
    int found = store_recovery_latest(s->store, &recovery, cursor);
    if (found < 0) {
        snprintf(s->error, sizeof s->error, "reading the restore from backup: %s",
                 store_errmsg(s->store));
        return OUTCOME_RETRY;
    }
    if (found || recovery.fetch_state != KIOSK_FETCH_PENDING)
        return OUTCOME_OK;
    for (int more = 1; more;) {
        enum outcome result = fetch_page(s, cursor, &more);
        if (result != OUTCOME_OK)
            return result;
        if (more && stopping(s))
            return OUTCOME_STOPPED;
    }
    return OUTCOME_OK;
}

/* Every page of the corrections made on the central for this site
 * (PROTOCOL.md, section 6a), from the cursor kept in the store. A central
 * older than the endpoint answers 404: nothing to fetch, no error. */
static enum outcome fetch_corrections(struct session *s)
{
    static const char what[] = "fetching the corrections made on the central";
    char cursor[STORE_CURSOR_MAX];
    if (outbox_state_get(s->outbox, OUTBOX_CORRECTIONS_CURSOR, cursor, sizeof cursor) < 0) {
        snprintf(s->error, sizeof s->error, "%s: %s", what, outbox_errmsg(s->outbox));
        return OUTCOME_RETRY;
    }
    for (int more = 1; more;) {
        char path[STORE_CURSOR_MAX * 3 + 64];
        char *escaped = curl_easy_escape(s->easy, cursor, 0);
        snprintf(path, sizeof path, "/v1/corrections?after=%s&limit=%zu", escaped ? escaped : "",
                 s->batch_size);
        curl_free(escaped);
        long status = 0;
        enum outcome result = request(s, "GET", path, NULL, 0, &status);
        if (result != OUTCOME_OK)
            return result;
        if (status == 404)
            return OUTCOME_OK;
        if (status != 200) {
            describe_failure(s, what, status);
            return answer_outcome(s, status);
        }
        size_t added = 0;
        if ((result = page_store(s, cursor, &more, what, outbox_corrections_apply, &added)) !=
            OUTCOME_OK)
            return result;
        s->corrections += (int64_t)added;
        if (more && stopping(s))
            return OUTCOME_STOPPED;
    }
    return OUTCOME_OK;
}

/* The restore from backup for the status report; NULL when there is none
 * to tell of (staff have seen it and the fetch is over), or it cannot be
 * read: the report goes without it rather than not at all. */
static json_t *recovery_json(struct session *s)
{
    struct kiosk_recovery r;
    char at[PROTOCOL_TIME_LEN + 1], backup[PROTOCOL_TIME_LEN + 1];
    if (store_recovery_latest(s->store, &r, NULL) != 0 || r.fetch_state < 0 ||
        r.fetch_state > KIOSK_FETCH_DONE)
        return NULL;
    if (r.acknowledged && r.fetch_state != KIOSK_FETCH_PENDING)
        return NULL;
    if (protocol_time_format(r.at_us, at) || protocol_time_format(r.backup_us, backup))
        return NULL;
    return json_pack("{s:s, s:s, s:i, s:s, s:i}", "at", at, "backup_at", backup,
                     "skipped_backups", r.skipped_backups, "fetch", kiosk_fetch_state_name(r.fetch_state),
                     "fetched_events", r.fetched_events);
}

static enum outcome post_status(struct session *s, const char *last_error)
{
    int64_t waiting = outbox_pending(s->outbox);
    int64_t refused = outbox_rejected(s->outbox);
    int64_t last = outbox_state_int(s->outbox, OUTBOX_LAST_UPLOAD);
    int64_t token_refused = outbox_state_int(s->outbox, OUTBOX_TOKEN_REFUSED_AT);
    char when[PROTOCOL_TIME_LEN + 1], token_when[PROTOCOL_TIME_LEN + 1];
    json_t *doc = json_pack(
        "{s:s, s:I, s:o, s:s, s:b, s:o}", "software_version", TILSTEDE_VERSION,
        "events_waiting", (json_int_t)(waiting < 0 ? 0 : waiting), "last_upload",
        last > 0 && protocol_time_format(last, when) == 0 ? json_string(when) : json_null(),
        "reader_state", s->reader_state[0] ? s->reader_state : READER_STATE_UNKNOWN_NAME, "clock_synced",
        clock_synced(s->clock) ? 1 : 0, "last_error",
        last_error && last_error[0] ? json_stringn(last_error, strnlen(last_error, PROTOCOL_STATUS_TEXT_MAX - 1))
                                    : json_null());
    if (doc)
        json_object_set_new(doc, "events_refused", json_integer(refused < 0 ? 0 : refused));
    /* A lockout told for a while after: the report that follows a new
     * token is the first the central can take from this kiosk. */
    if (doc && token_refused > 0 &&
        clock_wall(s->clock) - token_refused < PROTOCOL_TOKEN_REFUSED_TOLD_US &&
        protocol_time_format(token_refused, token_when) == 0)
        json_object_set_new(doc, "token_refused_at", json_string(token_when));
    json_t *recovery = recovery_json(s);
    if (doc && recovery)
        json_object_set_new(doc, "recovery", recovery);
    else
        json_decref(recovery);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!body) {
        snprintf(s->error, sizeof s->error, "status report: out of memory");
        return OUTCOME_RETRY;
    }
    long status = 0;
    enum outcome result = request(s, "POST", "/v1/status", body, strlen(body), &status);
    free(body);
    if (result == OUTCOME_OK && status != 204 && status != 200) {
        describe_failure(s, "reporting the status", status);
        result = answer_outcome(s, status);
    }
    return result;
}

static void session_close(struct session *s)
{
    outbox_close(s->outbox);
    store_close(s->store);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    if (s->easy)
        curl_easy_cleanup(s->easy);
    free(s->events);
    free(s->response.data);
    sodium_memzero(s->auth, sizeof s->auth);
    memset(s, 0, sizeof *s);
}

/* multi may be given (the thread's, so uploader_stop can wake it). */
static int session_open(struct session *s, const struct config *cfg,
                        const struct clock_source *clock, const struct uploader_tuning *tuning,
                        CURLM *multi, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->clock = clock;
    tuning_fill(&s->tuning, tuning);
    s->batch_size = cfg->batch_size > 0 ? (size_t)cfg->batch_size : PROTOCOL_MAX_BATCH_EVENTS;
    if (s->batch_size > PROTOCOL_MAX_BATCH_EVENTS)
        s->batch_size = PROTOCOL_MAX_BATCH_EVENTS;
    int rc = uploader_check_url(cfg->central_url, err, errlen);
    if (rc)
        return rc;
    char store_err[512];
    if ((rc = store_open(cfg->database, &s->store, store_err, sizeof store_err))) {
        snprintf(err, errlen, "uploader: opening the store %.200s: %.250s", cfg->database, store_err);
        goto fail;
    }
    if ((rc = outbox_open(s->store, &s->outbox, err, errlen)))
        goto fail;
    s->events = calloc(s->batch_size, sizeof *s->events);
    s->easy = curl_easy_init();
    s->multi = multi ? multi : curl_multi_init();
    if (!s->events || !s->easy || !s->multi) {
        snprintf(err, errlen, "uploader: out of memory");
        rc = -ENOMEM;
        goto fail;
    }
    return 0;
fail:
    if (multi)
        s->multi = NULL; /* the caller's */
    session_close(s);
    return rc;
}

/* One run: mend times, send everything waiting, then roster and status. */
/* The batch size to send: the configured one, or smaller where the
 * central answered 413 to larger batches before (kept in the store, so
 * every run and `tilstedectl sync` starts from the size that fits). */
static size_t batch_limit(struct session *s)
{
    char text[OUTBOX_STATE_MAX];
    if (outbox_state_get(s->outbox, OUTBOX_BATCH_LIMIT, text, sizeof text) != 0)
        return s->batch_size;
    char *end;
    unsigned long value = strtoul(text, &end, 10);
    return *end || value == 0 || value > s->batch_size ? s->batch_size : (size_t)value;
}

/* After a 413 or a 400 (why) to `count` events: a smaller limit, or (one
 * event) that event set aside as refused with the central's reason. A 413
 * is about size, so the smaller limit is kept for later runs; a 400 is
 * about one event, so once it is set aside the batches are whole again. */
static enum outcome smaller_batch(struct session *s, size_t count, size_t *limit,
                                  enum outcome why)
{
    if (count > 1) {
        *limit = count / 2;
        if (why != OUTCOME_TOO_LARGE)
            return OUTCOME_OK;
        char text[24];
        snprintf(text, sizeof text, "%zu", *limit);
        if (outbox_state_set(s->outbox, OUTBOX_BATCH_LIMIT, text)) {
            snprintf(s->error, sizeof s->error, "saving the batch size: %s",
                     outbox_errmsg(s->outbox));
            return OUTCOME_RETRY;
        }
        return OUTCOME_OK;
    }
    struct outbox_refusal refusal = {.status = why == OUTCOME_TOO_LARGE ? 413 : 400};
    const char *id = s->events[0].event_id;
    snprintf(refusal.event_id, sizeof refusal.event_id, "%s", id);
    answer_error(s, refusal.code, sizeof refusal.code, refusal.reason, sizeof refusal.reason);
    if (!refusal.reason[0])
        snprintf(refusal.reason, sizeof refusal.reason, "the central answered %d",
                 refusal.status);
    if (outbox_refuse(s->outbox, &refusal, 1, clock_wall(s->clock)) < 0) {
        snprintf(s->error, sizeof s->error, "setting aside event %s: %s", id,
                 outbox_errmsg(s->outbox));
        return OUTCOME_RETRY;
    }
    s->refused++;
    if (why == OUTCOME_TOO_LARGE) {
        snprintf(s->error, sizeof s->error,
                 "event %s alone is larger than the central takes (413); it is kept on the kiosk "
                 "for review and the others are sent",
                 id);
    } else {
        snprintf(s->error, sizeof s->error,
                 "the central cannot take event %s (400 %.31s: %.200s); it is kept on the kiosk "
                 "for review and the others are sent",
                 id, refusal.code, refusal.reason);
        *limit = batch_limit(s);
    }
    return OUTCOME_OK;
}

/* A failed run still tells the central how the kiosk is, when the central
 * answered at all: it then learns why nothing arrives. Not after a 401
 * (the same token would be refused again) or a 429/503 (the central asked
 * to wait). s->error stays the run's. */
static void report_failure(struct session *s)
{
    long status = s->answered;
    if (!status || status == 401 || status == 403 || status == 429 || status == 503)
        return;
    char kept[UPLOADER_ERROR_MAX];
    snprintf(kept, sizeof kept, "%s", s->error);
    post_status(s, kept);
    snprintf(s->error, sizeof s->error, "%s", kept);
}

static enum outcome session_run(struct session *s, int roster_and_status)
{
    enum outcome result = OUTCOME_RETRY;
    s->error[0] = '\0';
    s->retry_after_ms = 0;
    if (read_token(s))
        return OUTCOME_REFUSED;
    if (outbox_correct_clock(s->outbox, s->clock) < 0) {
        snprintf(s->error, sizeof s->error, "correcting event times: %s",
                 outbox_errmsg(s->outbox));
        return OUTCOME_RETRY;
    }
    if ((result = fetch_back(s)) != OUTCOME_OK) {
        /* Stuck on the fetch while the central answers (a wrong site, an
         * old central): the status report tells the coordinator why
         * nothing comes. */
        if (result != OUTCOME_STOPPED && roster_and_status && s->central_answered)
            report_failure(s);
        return result;
    }
    size_t limit = batch_limit(s);
    for (;;) {
        int count = outbox_next_batch(s->outbox, s->clock, s->events, limit);
        if (count < 0) {
            snprintf(s->error, sizeof s->error, "reading events to upload: %s",
                     outbox_errmsg(s->outbox));
            return OUTCOME_RETRY;
        }
        if (count == 0)
            break;
        result = send_batch(s, (size_t)count);
        if (result == OUTCOME_TOO_LARGE || result == OUTCOME_BAD_BATCH) {
            /* PROTOCOL.md: halve the batch and send again, down to one
             * event; one that alone is too large, or that the central
             * cannot take (400), is set aside, so it never holds back the
             * events behind it. */
            if ((result = smaller_batch(s, (size_t)count, &limit, result)) != OUTCOME_OK)
                return result;
            continue;
        }
        if (result != OUTCOME_OK) {
            if (result != OUTCOME_STOPPED)
                report_failure(s);
            return result;
        }
        char when[24];
        snprintf(when, sizeof when, "%" PRId64, clock_wall(s->clock));
        outbox_state_set(s->outbox, OUTBOX_LAST_UPLOAD, when);
        if (stopping(s))
            return OUTCOME_STOPPED;
    }
    if (!s->error[0])
        outbox_state_set(s->outbox, OUTBOX_LAST_ERROR, "");
    if (roster_and_status) {
        char kept[UPLOADER_ERROR_MAX];
        snprintf(kept, sizeof kept, "%s", s->error);
        if ((result = fetch_roster(s)) != OUTCOME_OK)
            return result;
        if ((result = fetch_corrections(s)) != OUTCOME_OK)
            return result;
        if ((result = post_status(s, kept)) != OUTCOME_OK)
            return result;
        snprintf(s->error, sizeof s->error, "%s", kept);
    }
    return OUTCOME_OK;
}

/* Keeps the central's Retry-After in the store (or clears it after a run
 * it let through), for the kiosk's thread and `tilstedectl sync` alike. */
static void keep_retry_after(struct session *s, enum outcome outcome)
{
    char text[24];
    if (s->retry_after_ms > 0) {
        snprintf(text, sizeof text, "%" PRId64, clock_wall(s->clock) + s->retry_after_ms * 1000);
        outbox_state_set(s->outbox, OUTBOX_NEXT_ATTEMPT, text);
    } else if (outcome == OUTCOME_OK) {
        outbox_state_set(s->outbox, OUTBOX_NEXT_ATTEMPT, "0");
    }
    if (outcome == OUTCOME_OK)
        outbox_state_set(s->outbox, OUTBOX_TOKEN_REFUSED, "");
}

int uploader_sync_now(const struct config *cfg, const struct clock_source *clock,
                      const struct uploader_tuning *tuning, struct uploader_result *result,
                      char *err, size_t errlen)
{
    struct session s;
    memset(result, 0, sizeof *result);
    int rc = session_open(&s, cfg, clock, tuning, NULL, err, errlen);
    if (rc)
        return rc;
    int64_t wait_until_us = outbox_state_int(s.outbox, OUTBOX_NEXT_ATTEMPT);
    int64_t now_us = clock_wall(clock);
    if (wait_until_us > now_us && !(tuning && tuning->ignore_retry_after)) {
        /* PROTOCOL.md: a 429 or 503 with Retry-After holds every client,
         * also the next `tilstedectl sync` a few seconds later. */
        result->next_attempt_us = wait_until_us;
        result->retry_after_ms = (wait_until_us - now_us + 999) / 1000;
        result->events_waiting = outbox_pending(s.outbox);
        result->last_success_us = outbox_state_int(s.outbox, OUTBOX_LAST_UPLOAD);
        snprintf(err, errlen,
                 "the central asked to wait %" PRId64 " s more (Retry-After); nothing sent "
                 "(sync --now sends anyway)",
                 result->retry_after_ms / 1000);
        session_close(&s);
        return -EAGAIN;
    }
    enum outcome outcome = session_run(&s, 1);
    keep_retry_after(&s, outcome);
    result->next_attempt_us = outbox_state_int(s.outbox, OUTBOX_NEXT_ATTEMPT);
    result->uploaded = s.uploaded;
    result->refused = s.refused;
    result->fetched = s.fetched;
    result->corrections = s.corrections;
    result->events_waiting = outbox_pending(s.outbox);
    result->last_success_us = outbox_state_int(s.outbox, OUTBOX_LAST_UPLOAD);
    result->retry_after_ms = s.retry_after_ms;
    result->roster_volunteers = s.roster_volunteers;
    result->roster_cards = s.roster_cards;
    result->roster_activities = s.roster_activities;
    if (outcome != OUTCOME_OK) {
        snprintf(err, errlen, "%s", s.error[0] ? s.error : "stopped");
        outbox_state_set(s.outbox, OUTBOX_LAST_ERROR, err);
        rc = -EIO;
    } else if (s.error[0]) {
        snprintf(err, errlen, "%s", s.error);
        outbox_state_set(s.outbox, OUTBOX_LAST_ERROR, err);
    }
    session_close(&s);
    return rc;
}

/* A text of the site answer: a string that fits and has no control
 * characters (it goes into the configuration file, one line per key). */
static int site_text(const json_t *value, char *out, size_t cap)
{
    if (!json_is_string(value) || json_string_length(value) == 0 ||
        json_string_length(value) >= cap)
        return -1;
    const char *text = json_string_value(value);
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return -1;
    memcpy(out, text, json_string_length(value) + 1);
    return 0;
}

int uploader_fetch_site(const struct config *cfg, const struct uploader_tuning *tuning,
                        struct uploader_site *out, char *err, size_t errlen)
{
    struct session s;
    json_t *doc = NULL;
    long status = 0;
    int rc = -EIO;
    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    tuning_fill(&s.tuning, tuning);
    if ((rc = uploader_check_url(cfg->central_url, err, errlen)))
        return rc;
    rc = -EIO;
    s.easy = curl_easy_init();
    s.multi = curl_multi_init();
    if (!s.easy || !s.multi) {
        snprintf(s.error, sizeof s.error, "out of memory");
        goto out;
    }
    if (read_token(&s)) {
        rc = -EINVAL;
        goto out;
    }
    if (request(&s, "GET", "/v1/site", NULL, 0, &status) != OUTCOME_OK)
        goto out;
    if (status != 200) {
        describe_failure(&s, "asking the central for this device's site", status);
        rc = status == 401 || status == 403 ? -EACCES : -EIO;
        goto out;
    }
    doc = json_loadb(s.response.data ? s.response.data : "", s.response.len, 0, NULL);
    const json_t *site = json_object_get(doc, "site"), *device = json_object_get(doc, "device");
    const json_t *device_id = json_object_get(device, "id");
    if (site_text(json_object_get(site, "id"), out->site_id, sizeof out->site_id) ||
        site_text(json_object_get(site, "name"), out->site_name, sizeof out->site_name) ||
        site_text(json_object_get(device, "name"), out->device_name, sizeof out->device_name) ||
        !json_is_integer(device_id)) {
        snprintf(s.error, sizeof s.error,
                 "GET %.200s/v1/site: the answer lacks site.id, site.name, device.id or "
                 "device.name (is this a Tilstede central of protocol version 1?)",
                 cfg->central_url);
        goto out;
    }
    /* The kind is for people; an unknown or missing one is not an error. */
    if (site_text(json_object_get(site, "kind"), out->site_kind, sizeof out->site_kind))
        out->site_kind[0] = '\0';
    out->device_id = (int64_t)json_integer_value(device_id);
    rc = 0;
out:
    if (rc)
        snprintf(err, errlen, "%s", s.error[0] ? s.error : "the request failed");
    json_decref(doc);
    session_close(&s);
    return rc;
}

/* ----------------------------------------------------------------- thread */

struct uploader {
    const struct config *cfg;
    const struct clock_source *clock;
    struct uploader_callbacks callbacks;
    struct uploader_tuning tuning;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int stop;
    int kicked;
    CURLM *multi;
    struct uploader_status status;
    char reader_state[READER_STATE_MAX];
};

static void publish(struct uploader *up, const struct uploader_status *next)
{
    pthread_mutex_lock(&up->lock);
    int changed = memcmp(&up->status, next, sizeof *next) != 0;
    up->status = *next;
    pthread_mutex_unlock(&up->lock);
    if (changed && up->callbacks.status_changed)
        up->callbacks.status_changed(up->callbacks.user, next);
}

/* Exponential, with "equal jitter" (half fixed, half random) so kiosks
 * that lost the network together do not come back together. */
static int64_t backoff_ms(const struct uploader_tuning *t, int failures)
{
    int64_t delay = t->backoff_min_ms;
    for (int i = 1; i < failures && delay < t->backoff_max_ms; i++)
        delay *= 2;
    if (delay > t->backoff_max_ms)
        delay = t->backoff_max_ms;
    uint32_t half = (uint32_t)(delay / 2 > UINT32_MAX - 1 ? UINT32_MAX - 1 : delay / 2);
    return delay - half + (int64_t)randombytes_uniform(half + 1);
}

/* Waits until the deadline (CLOCK_MONOTONIC ms), a kick or stop. */
static void wait_until(struct uploader *up, int64_t deadline_ms, int honour_kick)
{
    pthread_mutex_lock(&up->lock);
    while (!atomic_load(&up->stop) && !(honour_kick && up->kicked)) {
        int64_t left = deadline_ms - now_ms();
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = ts.tv_nsec + (left % MS_PER_S) * 1000000;
        ts.tv_sec += (time_t)(left / MS_PER_S + ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&up->wake, &up->lock, &ts);
    }
    pthread_mutex_unlock(&up->lock);
}

/* How often the waiting thread looks for events that another program
 * (tilstedectl tap, checkin, correct) recorded in the kiosk's database:
 * they cannot kick this thread, and must not wait for the next period. */
#define WATCH_PERIOD_MS 1000

/* wait_until with a kick also when another connection records an event. */
static void wait_watching(struct uploader *up, int64_t deadline_ms, struct outbox *outbox)
{
    for (;;) {
        int64_t slice = now_ms() + WATCH_PERIOD_MS;
        wait_until(up, slice < deadline_ms ? slice : deadline_ms, 1);
        pthread_mutex_lock(&up->lock);
        int done = atomic_load(&up->stop) || up->kicked || now_ms() >= deadline_ms;
        pthread_mutex_unlock(&up->lock);
        if (done)
            return;
        if (outbox_recorded_since(outbox) == 1) {
            uploader_kick(up);
            return;
        }
    }
}

static void *uploader_main(void *arg)
{
    struct uploader *up = arg;
    struct session s;
    struct uploader_status status;
    memset(&status, 0, sizeof status);
    status.events_waiting = -1;
    char err[UPLOADER_ERROR_MAX];
    if (session_open(&s, up->cfg, up->clock, &up->tuning, up->multi, err, sizeof err)) {
        /* The store cannot be opened: say so and stay idle until stopped. */
        status.state = UPLOADER_OFFLINE;
        snprintf(status.last_error, sizeof status.last_error, "%s", err);
        publish(up, &status);
        wait_until(up, INT64_MAX, 0);
        return NULL;
    }
    status.last_success_us = outbox_state_int(s.outbox, OUTBOX_LAST_UPLOAD);
    status.events_waiting = outbox_pending(s.outbox);
    status.events_rejected = outbox_rejected(s.outbox);
    status.clock_synced = clock_synced(up->clock);
    outbox_state_get(s.outbox, OUTBOX_LAST_ERROR, status.last_error, sizeof status.last_error);
    publish(up, &status);

    s.stop = &up->stop;
    int failures = 0;
    int64_t next_due = now_ms(), last_full = INT64_MIN / 2;
    int64_t kept_us = outbox_state_int(s.outbox, OUTBOX_NEXT_ATTEMPT) - clock_wall(up->clock);
    if (kept_us > 0) /* a Retry-After from before a restart, or from tilstedectl sync */
        next_due += (kept_us + 999) / 1000;
    while (!atomic_load(&up->stop)) {
        /* While backing off a kick does not shorten the wait: a central that
         * is down must not be hammered at every check-in. */
        if (failures == 0)
            wait_watching(up, next_due, s.outbox);
        else
            wait_until(up, next_due, 0);
        if (atomic_load(&up->stop))
            break;
        pthread_mutex_lock(&up->lock);
        int kicked = up->kicked;
        up->kicked = 0;
        snprintf(s.reader_state, sizeof s.reader_state, "%s", up->reader_state);
        pthread_mutex_unlock(&up->lock);
        if (kicked && now_ms() < next_due) {
            /* Gather the events of the next moments into the same batch. */
            wait_until(up, now_ms() + up->tuning.kick_delay_ms, 0);
            if (atomic_load(&up->stop))
                break;
        }
        int64_t started = now_ms();
        int full = started - last_full >= up->tuning.period_ms || failures > 0;
        s.uploaded = 0;
        s.fetched = 0;
        s.corrections = 0;
        outbox_recorded_since(s.outbox); /* this run sends what is there now */
        enum outcome outcome = session_run(&s, full);
        if (outcome == OUTCOME_STOPPED)
            break;
        keep_retry_after(&s, outcome);
        status.events_waiting = outbox_pending(s.outbox);
        status.events_rejected = outbox_rejected(s.outbox);
        status.clock_synced = clock_synced(up->clock);
        status.last_success_us = outbox_state_int(s.outbox, OUTBOX_LAST_UPLOAD);
        snprintf(status.last_error, sizeof status.last_error, "%s", s.error);
        if (outcome == OUTCOME_OK) {
            failures = 0;
            if (full)
                last_full = started;
            status.state = UPLOADER_ONLINE;
            status.failed_attempts = 0;
            status.retry_in_ms = 0;
            next_due = now_ms() + up->tuning.period_ms;
        } else {
            failures++;
            status.state = UPLOADER_OFFLINE;
            int64_t delay = outcome == OUTCOME_REFUSED && failures < 64
                                ? backoff_ms(&up->tuning, failures + 3)
                                : backoff_ms(&up->tuning, failures);
            if (s.retry_after_ms > delay)
                delay = s.retry_after_ms;
            status.failed_attempts = failures;
            status.retry_in_ms = delay;
            next_due = now_ms() + delay;
            outbox_state_set(s.outbox, OUTBOX_LAST_ERROR, s.error);
        }
        publish(up, &status);
    }
    s.multi = NULL; /* up->multi, cleaned by uploader_stop */
    session_close(&s);
    return NULL;
}

int uploader_start_tuned(const struct config *cfg, const struct clock_source *clock,
                         const struct uploader_callbacks *callbacks,
                         const struct uploader_tuning *tuning, struct uploader **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    int rc = uploader_check_url(cfg->central_url, err, errlen);
    if (rc)
        return rc;
    struct uploader *up = calloc(1, sizeof *up);
    if (!up) {
        snprintf(err, errlen, "uploader: out of memory");
        return -ENOMEM;
    }
    up->cfg = cfg;
    up->clock = clock;
    if (callbacks)
        up->callbacks = *callbacks;
    tuning_fill(&up->tuning, tuning);
    atomic_init(&up->stop, 0);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&up->lock, NULL);
    pthread_cond_init(&up->wake, &attr);
    pthread_condattr_destroy(&attr);
    up->multi = curl_multi_init();
    if (!up->multi) {
        snprintf(err, errlen, "uploader: cannot initialise libcurl");
        rc = -ENOMEM;
        goto fail;
    }
    if ((rc = -pthread_create(&up->thread, NULL, uploader_main, up))) {
        snprintf(err, errlen, "uploader: cannot start its thread: %s", strerror(-rc));
        goto fail;
    }
    *out = up;
    return 0;
fail:
    if (up->multi)
        curl_multi_cleanup(up->multi);
    pthread_cond_destroy(&up->wake);
    pthread_mutex_destroy(&up->lock);
    free(up);
    return rc;
}

int uploader_start(const struct config *cfg, const struct clock_source *clock,
                   const struct uploader_callbacks *callbacks, struct uploader **out, char *err,
                   size_t errlen)
{
    return uploader_start_tuned(cfg, clock, callbacks, NULL, out, err, errlen);
}

void uploader_stop(struct uploader *up)
{
    if (!up)
        return;
    pthread_mutex_lock(&up->lock);
    atomic_store(&up->stop, 1);
    pthread_cond_broadcast(&up->wake);
    pthread_mutex_unlock(&up->lock);
    curl_multi_wakeup(up->multi); /* out of curl_multi_poll at once */
    pthread_join(up->thread, NULL);
    curl_multi_cleanup(up->multi);
    pthread_cond_destroy(&up->wake);
    pthread_mutex_destroy(&up->lock);
    free(up);
}

void uploader_kick(struct uploader *up)
{
    pthread_mutex_lock(&up->lock);
    up->kicked = 1;
    pthread_cond_broadcast(&up->wake);
    pthread_mutex_unlock(&up->lock);
}

void uploader_status(struct uploader *up, struct uploader_status *out)
{
    pthread_mutex_lock(&up->lock);
    *out = up->status;
    pthread_mutex_unlock(&up->lock);
}

void uploader_set_reader_state(struct uploader *up, enum reader_state state)
{
    pthread_mutex_lock(&up->lock);
    snprintf(up->reader_state, sizeof up->reader_state, "%s", reader_state_name(state));
    pthread_mutex_unlock(&up->lock);
}
