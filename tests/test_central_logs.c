/* The central's log (stdout and stderr of `tilstede-central serve`, which
 * systemd sends to the journal) holds no names, volunteer ids, card hashes,
 * tokens or passwords (issue 6). The real program serves on loopback; every
 * request that carries personal data, well formed or not, goes to it over
 * HTTP; the log is then searched for each of them in every spelling, and for
 * the lines an operator needs, so that a silent central fails too.
 *
 * The tests share one server and run in order: the batches of the first are
 * the data the later ones pull, export and erase; the last stops it. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http_internal.h"
#include "testutil.h"

#ifndef CENTRAL_BIN
#error "CENTRAL_BIN must name the tilstede-central binary"
#endif

#define SITE           "loggtest"
#define MAX_BATCH      5     /* --max-batch: a sixth event is one too many */
#define MAX_BODY_BYTES 65536 /* --max-body */
#define LOG_MAX_BYTES  (1u << 20)
#define OUTPUT_MAX     65536
#define START_WAIT_MS  30000 /* the server under ASan on a busy machine */
#define STOP_WAIT_MS   10000
#define TOKEN_WINDOW   12 /* no 12 characters of a token or password in a row */
#define HASH_WINDOW    16 /* no 16 hex digits of a card hash in a row */
#define FRAGMENT_MIN   4  /* the shortest run of ASCII letters of a name searched */

/* The volunteers. Every part of a name keeps a run of ASCII letters, so that
 * searching those runs finds the name however its other letters are spelt
 * (UTF-8, \u00e5, Latin-1, %C3%A5, &aring;). */
#define ID_A           "VOL-Q7X9Z4-ASKB"
#define GIVEN_A        "Åsmund"
#define FAMILY_A       "Kristoffersen-Bjørndalen"
#define ID_B           "VOL-R2T6W8-TVOE"
#define GIVEN_B        "Torbjørg"
#define FAMILY_B       "Vågsnes-Ødelien"
#define FAMILY_B_LATER "Hjelmeland-Øverås" /* after her marriage: the second roster */
#define CARD_HASH      "9c1e5a7b3d2f4e6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a"
#define CARD_UID       "04a1b2c3d4e5f6"
#define CARD_UID_COLON "04:a1:b2:c3:d4:e5:f6"
#define ADMIN_NAME     "solveig.berntsen"
#define WRONG_TOKEN    "Zq8hT3vLw0pXk2NfR7yB5cJm9sDg1aEu4oQi6WtYxHV"
#define WRONG_PASSWORD "feil-Passord-7Hq2Lm9Xv-Kb4Rt"

#define EVENT_ID(n) "5b0c8e1a-4f2d-4c3b-9a7e-00000000000" #n

struct central {
    char dir[256];
    char db[300];
    char log[300];
    char token[64]; /* the kiosk's device token */
    char admin[64]; /* the dashboard password */
    char cursor[32];
    pid_t pid;
    unsigned port;
};

/* ---- files and the program ---- */

static void write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

/* Runs `tilstede-central --db DB WORDS...` to the end, with input (or
 * nothing) as its stdin; returns its exit status, with its stdout in out and
 * its stderr in err. No shell: the names travel as they are. */
static int cli(const struct central *c, const char *input, char *out, char *err,
               const char *const *words)
{
    const char *argv[16] = {CENTRAL_BIN, "--db", c->db};
    size_t argc = 3;
    for (; *words; words++) {
        assert_true(argc + 1 < sizeof argv / sizeof argv[0]);
        argv[argc++] = *words;
    }
    argv[argc] = NULL;
    char in_path[320], out_path[320], err_path[320];
    snprintf(in_path, sizeof in_path, "%s/cli.in", c->dir);
    snprintf(out_path, sizeof out_path, "%s/cli.out", c->dir);
    snprintf(err_path, sizeof err_path, "%s/cli.err", c->dir);
    write_text(in_path, input ? input : "");
    pid_t pid = test_spawn(argv, in_path, out_path, err_path);
    assert_true(pid > 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    test_slurp(out_path, out, OUTPUT_MAX);
    test_slurp(err_path, err, OUTPUT_MAX);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_ok(const struct central *c, char *out, const char *const *words)
{
    static char err[OUTPUT_MAX];
    int status = cli(c, NULL, out, err, words);
    if (status != 0)
        fail_msg("tilstede-central %s %s: exit %d: %s", words[0], words[1], status, err);
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* ---- the log ---- */

static const char *read_log(const struct central *c)
{
    static char text[LOG_MAX_BYTES];
    size_t len = test_slurp(c->log, text, sizeof text);
    assert_true(len < sizeof text - 1);
    return text;
}

/* The whole log (cmocka's print_message cuts long text short). */
static void show_log(const char *log)
{
    printf("the central's log:\n%s", log);
    fflush(stdout);
}

/* Passes when one line of the log holds all the parts. */
static void assert_log_line(const char *log, const char *const *parts)
{
    for (const char *line = log; *line;) {
        size_t len = strcspn(line, "\n");
        int all = 1;
        for (const char *const *part = parts; *part && all; part++) {
            const char *found = strstr(line, *part);
            all = found && found + strlen(*part) <= line + len;
        }
        if (all)
            return;
        line += len + (line[len] == '\n');
    }
    show_log(log);
    fail_msg("no line of the log holds all of \"%s\", \"%s\", ...", parts[0],
             parts[1] ? parts[1] : "");
}

static void assert_absent(const char *log, const char *what, const char *text)
{
    if (strcasestr(log, text)) {
        show_log(log);
        fail_msg("the central's log holds %s: \"%s\"", what, text);
    }
}

/* A name or an id: as it is, JSON-escaped (\u00c5, in either case of hex
 * digit), and each of its runs of ASCII letters and digits, in any case. */
static void assert_absent_every_spelling(const char *log, const char *what, const char *text)
{
    assert_absent(log, what, text);
    json_t *string = json_string(text);
    char *escaped = json_dumps(string, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
    assert_non_null(escaped);
    escaped[strlen(escaped) - 1] = '\0'; /* the quotes off */
    assert_absent(log, what, escaped + 1);
    free(escaped);
    json_decref(string);
    for (const char *run = text; *run;) {
        size_t len = 0;
        while (run[len] && (unsigned char)run[len] < 0x80 && isalnum((unsigned char)run[len]))
            len++;
        if (len >= FRAGMENT_MIN) {
            char fragment[128];
            snprintf(fragment, sizeof fragment, "%.*s", (int)len, run);
            assert_absent(log, what, fragment);
        }
        run += len ? len : 1;
    }
}

/* A secret: not whole, and no `window` characters of it in a row, so a
 * token cut short or a prefix "for identification" fails too. */
static void assert_absent_any_window(const char *log, const char *what, const char *secret,
                                     size_t window)
{
    size_t len = strlen(secret);
    assert_true(len >= window);
    for (size_t i = 0; i + window <= len; i++) {
        char part[128];
        snprintf(part, sizeof part, "%.*s", (int)window, secret + i);
        assert_absent(log, what, part);
    }
}

/* Everything personal or secret the tests send; none of it may be logged. */
static void assert_log_clean(const struct central *c, const char *log)
{
    static const char *const names[] = {GIVEN_A,        FAMILY_A,   GIVEN_B, FAMILY_B,
                                        FAMILY_B_LATER, ADMIN_NAME, NULL};
    for (const char *const *name = names; *name; name++)
        assert_absent_every_spelling(log, "a name", *name);
    assert_absent_every_spelling(log, "a volunteer's id", ID_A);
    assert_absent_every_spelling(log, "a volunteer's id", ID_B);
    assert_absent_any_window(log, "a card hash", CARD_HASH, HASH_WINDOW);
    assert_absent(log, "a card's UID", CARD_UID);
    assert_absent(log, "a card's UID", CARD_UID_COLON);
    assert_absent_any_window(log, "the device token", c->token, TOKEN_WINDOW);
    assert_absent_any_window(log, "the dashboard password", c->admin, TOKEN_WINDOW);
    assert_absent_any_window(log, "a wrong token", WRONG_TOKEN, TOKEN_WINDOW);
    assert_absent_any_window(log, "a wrong password", WRONG_PASSWORD, TOKEN_WINDOW);
}

/* ---- HTTP ---- */

struct request {
    const char *method; /* GET when NULL */
    const char *path;
    const char *bearer; /* "Authorization: Bearer ..." */
    const char *user;   /* HTTP basic authentication, with password */
    const char *password;
    const char *content_type; /* application/json when there is a body */
    const char *body;
    size_t body_len; /* strlen(body) when 0 */
};

struct reply {
    long status;
    char body[256 * 1024];
    size_t len;
};

static size_t collect(char *data, size_t size, size_t count, void *user)
{
    struct reply *reply = user;
    size_t len = size * count;
    if (len > sizeof reply->body - 1 - reply->len)
        return 0;
    memcpy(reply->body + reply->len, data, len);
    reply->len += len;
    reply->body[reply->len] = '\0';
    return len;
}

static long send_request(const struct central *c, const struct request *request,
                         struct reply *reply)
{
    char url[512], header[512], type[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", c->port, request->path);
    reply->status = 0;
    reply->len = 0;
    reply->body[0] = '\0';
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    struct curl_slist *headers = NULL;
    if (request->bearer) {
        snprintf(header, sizeof header, "Authorization: Bearer %s", request->bearer);
        headers = curl_slist_append(headers, header);
    }
    if (request->body) {
        snprintf(type, sizeof type, "Content-Type: %s",
                 request->content_type ? request->content_type : "application/json");
        headers = curl_slist_append(headers, type);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body);
        curl_easy_setopt(
            curl, CURLOPT_POSTFIELDSIZE_LARGE,
            (curl_off_t)(request->body_len ? request->body_len : strlen(request->body)));
    }
    if (request->method)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request->method);
    if (request->user) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, request->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, request->password);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    /* A server that answers 413 before the body is sent may close while curl
     * still sends it; the answer counts, the cut does not. */
    if (rc != CURLE_OK && reply->status == 0)
        fail_msg("%s %s: %s", request->method ? request->method : "GET", request->path,
                 curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return reply->status;
}

static void expect(const struct central *c, const struct request *request, long status)
{
    static struct reply reply;
    long got = send_request(c, request, &reply);
    if (got != status)
        fail_msg("%s %s: %ld, expected %ld: %s", request->method ? request->method : "GET",
                 request->path, got, status, reply.body);
}

/* Bytes MHD itself must refuse (no HTTP client sends them); the status of
 * its answer. */
static long send_raw(const struct central *c, const char *bytes)
{
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval timeout = {10, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    assert_int_equal(connect(sock, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(write(sock, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
    char answer[4096];
    ssize_t len = read(sock, answer, sizeof answer - 1);
    close(sock);
    assert_true(len > 0);
    answer[len] = '\0';
    long status = 0;
    assert_int_equal(sscanf(answer, "HTTP/1.%*d %ld", &status), 1);
    return status;
}

/* ---- the protocol's events (PROTOCOL.md section 5) ---- */

/* One event; `volunteer` and `card_hash` are JSON values, `extra` more
 * fields ("" or ending in a comma). */
static void event_json(char *out, size_t cap, const char *id, const char *kind,
                       const char *volunteer, const char *at, const char *card_hash,
                       const char *extra)
{
    int len = snprintf(out, cap,
                       "{%s\"event_id\": \"%s\", \"kind\": \"%s\", \"volunteer\": %s, "
                       "\"at\": \"%s\", \"recorded_at\": \"%s\", \"monotonic_us\": 86400123456, "
                       "\"boot_id\": \"9b2d0c8e-1f35-4f0a-8a57-3f0e6a1c2b44\", "
                       "\"clock_synced\": true, \"source\": \"card\", \"activity\": null, "
                       "\"corrects\": null, \"card_hash\": %s, \"review\": false}",
                       extra, id, kind, volunteer, at, at, card_hash);
    assert_true(len > 0 && (size_t)len < cap);
}

/* ---- the server ---- */

static int start(void **state)
{
    struct central *c = calloc(1, sizeof *c);
    static char out[OUTPUT_MAX];
    assert_non_null(c);
    test_tmpdir(c->dir, sizeof c->dir, "central-logs");
    snprintf(c->db, sizeof c->db, "%s/central.db", c->dir);
    snprintf(c->log, sizeof c->log, "%s/central.log", c->dir);

    cli_ok(c, out,
           (const char *[]){"site", "add", SITE, "--name", "Loggtest sykehjem", "--kind",
                            "sykehjem", NULL});
    cli_ok(c, out, (const char *[]){"device", "add", SITE, "--name", "Inngang", NULL});
    snprintf(c->token, sizeof c->token, "%.*s", (int)strcspn(out, "\n"), out);
    assert_int_equal(strlen(c->token), 43);
    cli_ok(c, out, (const char *[]){"admin", "add", ADMIN_NAME, NULL});
    snprintf(c->admin, sizeof c->admin, "%.*s", (int)strcspn(out, "\n"), out);
    assert_int_equal(strlen(c->admin), 43);
    char roster[320];
    snprintf(roster, sizeof roster, "%s/roster.csv", c->dir);
    write_text(roster, "Frivillig-ID;Fornavn;Etternavn;Aktiv\n" ID_A ";" GIVEN_A ";" FAMILY_A
                       ";ja\n" ID_B ";" GIVEN_B ";" FAMILY_B ";ja\n");
    cli_ok(c, out, (const char *[]){"roster", "import", roster, NULL});

    char max_batch[16], max_body[16];
    snprintf(max_batch, sizeof max_batch, "%d", MAX_BATCH);
    snprintf(max_body, sizeof max_body, "%d", MAX_BODY_BYTES);
    const char *argv[] = {CENTRAL_BIN,   "serve",   "--listen",   "127.0.0.1:0", "--db", c->db,
                          "--max-batch", max_batch, "--max-body", max_body,      NULL};
    c->pid = test_spawn(argv, NULL, c->log, c->log);
    assert_true(c->pid > 0);
    for (int waited = 0; !c->port && waited < START_WAIT_MS; waited += 50) {
        const char *port = strstr(read_log(c), "(port ");
        if (port)
            c->port = (unsigned)atoi(port + 6);
        else
            sleep_ms(50);
    }
    if (!c->port)
        fail_msg("tilstede-central serve did not start: %s", read_log(c));
    *state = c;
    return 0;
}

static int stop(void **state)
{
    struct central *c = *state;
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
    }
    free(c);
    return 0;
}

/* ---- the tests ---- */

static void test_event_batches_log_site_and_counts_but_no_volunteer(void **state)
{
    struct central *c = *state;
    char events[5][1024], body[8192];
    event_json(events[0], sizeof events[0], EVENT_ID(1), "checkin", "\"" ID_A "\"",
               "2026-03-02T09:00:00.000000Z", "null", "");
    event_json(events[1], sizeof events[1], EVENT_ID(2), "checkout", "\"" ID_A "\"",
               "2026-03-02T11:00:00.000000Z", "null", "");
    /* A card of hers, with its UID where a buggy kiosk might put it. */
    event_json(events[2], sizeof events[2], EVENT_ID(3), "card_enrolled", "\"" ID_B "\"",
               "2026-03-02T09:05:00.000000Z", "\"" CARD_HASH "\"",
               "\"card_uid\": \"" CARD_UID "\",");
    /* A person where an id goes: the wrong type, rejected on its own. */
    event_json(events[3], sizeof events[3], EVENT_ID(4), "checkin",
               "{\"given_name\": \"" GIVEN_A
               "\", \"family_name\": \"Kristoffersen-Bj\\u00f8rndalen\"}",
               "2026-03-02T09:10:00.000000Z", "null", "");
    event_json(events[4], sizeof events[4], EVENT_ID(5), "checkin", "\"" ID_B "\"",
               "2026-03-02T09:15:00.000000Z", "null", "\"site\": \"et-annet-sted\",");
    snprintf(body, sizeof body, "{\"events\": [%s, %s, %s, %s, %s]}", events[0], events[1],
             events[2], events[3], events[4]);

    struct reply *reply = malloc(sizeof *reply);
    assert_non_null(reply);
    struct request upload = {
        .method = "POST", .path = "/v1/events", .bearer = c->token, .body = body};
    assert_int_equal(send_request(c, &upload, reply), 200);
    json_t *answer = json_loads(reply->body, 0, NULL);
    assert_non_null(answer);
    assert_int_equal(json_array_size(json_object_get(answer, "stored")), 3);
    assert_int_equal(json_array_size(json_object_get(answer, "rejected")), 2);
    json_decref(answer);
    /* The same batch again: every valid event a duplicate. */
    assert_int_equal(send_request(c, &upload, reply), 200);
    assert_non_null(strstr(reply->body, "\"duplicate\":[\"" EVENT_ID(1)));
    free(reply);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1", ": 200",
                                          "3 stored", "0 duplicate", "2 rejected",
                                          "index 3: invalid_event (volunteer)", NULL});
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, ": 200", "0 stored",
                                          "3 duplicate", "2 rejected", NULL});
    assert_log_clean(c, log);
}

static void test_refused_batches_log_site_and_reason_but_not_the_body(void **state)
{
    struct central *c = *state;
    /* Not JSON, broken just before her name, so the parser's message
     * (which the kiosk gets) quotes it: jansson quotes up to 20 bytes. */
    static struct reply reply;
    const char *broken = "{\"events\": [{\"volunteer\": \"" ID_A "\" \"Kristoffersen\", "
                         "\"given_name\": \"" GIVEN_A "\", \"card_hash\": \"" CARD_HASH "\"}]}";
    assert_int_equal(send_request(c,
                                  &(struct request){.method = "POST",
                                                    .path = "/v1/events",
                                                    .bearer = c->token,
                                                    .body = broken},
                                  &reply),
                     400);
    assert_non_null(strstr(reply.body, "Kristoffersen")); /* the risk is real */
    /* JSON, but "events" an object instead of a list. */
    expect(c,
           &(struct request){.method = "POST",
                             .path = "/v1/events",
                             .bearer = c->token,
                             .body = "{\"events\": {\"volunteer\": \"" ID_A "\", "
                                     "\"given_name\": \"" GIVEN_A "\"}}"},
           400);
    /* One event more than --max-batch, each naming her. */
    char event[1024], body[16384];
    event_json(event, sizeof event, EVENT_ID(6), "checkin", "\"" ID_A "\"",
               "2026-03-03T09:00:00.000000Z", "null", "\"name\": \"" GIVEN_A " " FAMILY_A "\",");
    size_t len = (size_t)snprintf(body, sizeof body, "{\"events\": [");
    for (int i = 0; i <= MAX_BATCH; i++)
        len += (size_t)snprintf(body + len, sizeof body - len, "%s%s", i ? ", " : "", event);
    snprintf(body + len, sizeof body - len, "]}");
    expect(
        c,
        &(struct request){.method = "POST", .path = "/v1/events", .bearer = c->token, .body = body},
        413);
    /* A body over --max-body: refused from its Content-Length. */
    size_t big_len = MAX_BODY_BYTES + 4096;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    for (size_t at = 0; at < big_len; at += strlen(event))
        snprintf(big + at, big_len + 1 - at, "%s", event);
    expect(c,
           &(struct request){.method = "POST",
                             .path = "/v1/events",
                             .bearer = c->token,
                             .body = big,
                             .body_len = big_len},
           413);
    free(big);
    /* The roster as a spreadsheet, sent to the wrong place. */
    expect(c,
           &(struct request){.method = "POST",
                             .path = "/v1/events",
                             .bearer = c->token,
                             .content_type = "text/csv",
                             .body = ID_A ";" GIVEN_A ";" FAMILY_A "\n"},
           415);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1",
                                          ": 400 malformed_json", "line 1", NULL});
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1",
                                          ": 400 invalid_request", NULL});
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1",
                                          ": 413 batch_too_large", "6 events", NULL});
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1",
                                          ": 413 body_too_large", NULL});
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, "device 1",
                                          ": 415 unsupported_media_type", NULL});
    assert_log_clean(c, log);
}

static void test_wrong_tokens_are_refused_and_never_logged(void **state)
{
    struct central *c = *state;
    const char *batch = "{\"events\": []}";
    expect(c,
           &(struct request){
               .method = "POST", .path = "/v1/events", .bearer = WRONG_TOKEN, .body = batch},
           401);
    /* A name where the token goes. */
    expect(
        c,
        &(struct request){
            .method = "POST", .path = "/v1/events", .bearer = GIVEN_A " " FAMILY_A, .body = batch},
        401);
    expect(c, &(struct request){.path = "/v1/roster", .bearer = WRONG_TOKEN}, 401);
    /* A device token does not open the dashboard, and is not logged there. */
    expect(c, &(struct request){.path = "/", .user = "kiosk", .password = c->token}, 401);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"POST /v1/events: 401 unauthorized", NULL});
    assert_log_line(log, (const char *[]){"GET /v1/roster: 401 unauthorized", NULL});
    assert_log_clean(c, log);
}

static void test_roster_pulls_log_counts_not_names(void **state)
{
    struct central *c = *state;
    struct reply *reply = malloc(sizeof *reply);
    assert_non_null(reply);
    /* The whole roster: her name and her card go through the server. */
    assert_int_equal(
        send_request(c, &(struct request){.path = "/v1/roster", .bearer = c->token}, reply), 200);
    assert_non_null(strstr(reply->body, FAMILY_A));
    assert_non_null(strstr(reply->body, CARD_HASH));
    json_t *answer = json_loads(reply->body, 0, NULL);
    assert_non_null(answer);
    snprintf(c->cursor, sizeof c->cursor, "%s",
             json_string_value(json_object_get(answer, "cursor")));
    json_decref(answer);
    assert_true(c->cursor[0]);

    /* A new roster pushed while serving: one family name changed. */
    static char out[OUTPUT_MAX];
    char roster[320], path[400];
    snprintf(roster, sizeof roster, "%s/roster-2.csv", c->dir);
    write_text(roster, "Frivillig-ID;Fornavn;Etternavn;Aktiv\n" ID_A ";" GIVEN_A ";" FAMILY_A
                       ";ja\n" ID_B ";" GIVEN_B ";" FAMILY_B_LATER ";ja\n");
    cli_ok(c, out, (const char *[]){"roster", "import", roster, NULL});
    snprintf(path, sizeof path, "/v1/roster?since=%s", c->cursor);
    assert_int_equal(send_request(c, &(struct request){.path = path, .bearer = c->token}, reply),
                     200);
    assert_non_null(strstr(reply->body, FAMILY_B_LATER));
    /* Nothing new: an idle poll. */
    answer = json_loads(reply->body, 0, NULL);
    assert_non_null(answer);
    snprintf(path, sizeof path, "/v1/roster?since=%s",
             json_string_value(json_object_get(answer, "cursor")));
    json_decref(answer);
    expect(c, &(struct request){.path = path, .bearer = c->token}, 200);
    /* A name where the cursor goes. */
    expect(c,
           &(struct request){.path = "/v1/roster?since=%C3%85smund%20Kristoffersen",
                             .bearer = c->token},
           400);
    free(reply);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"GET /v1/roster", "site " SITE, "device 1", ": 200",
                                          "full: volunteers 2, cards 1, activities 0", NULL});
    assert_log_line(log, (const char *[]){"GET /v1/roster", "site " SITE, ": 200",
                                          "changes: volunteers 1, cards 0, activities 0", NULL});
    assert_log_line(log,
                    (const char *[]){"GET /v1/roster", "site " SITE, ": 400 invalid_cursor", NULL});
    assert_log_clean(c, log);
}

static void test_status_and_stray_requests_log_no_personal_data(void **state)
{
    struct central *c = *state;
    /* The protocol forbids personal data in last_error; a kiosk that sends
     * some anyway gets it shown to the coordinator, never logged. */
    expect(c,
           &(struct request){.method = "POST",
                             .path = "/v1/status",
                             .bearer = c->token,
                             .body = "{\"software_version\": \"0.1.0\", \"events_waiting\": 0, "
                                     "\"last_upload\": null, \"last_error\": \"card " CARD_UID
                                     " of " GIVEN_A " " FAMILY_A "\", \"reader_state\": \"ok\", "
                                     "\"clock_synced\": true}"},
           204);
    expect(c,
           &(struct request){.method = "POST",
                             .path = "/v1/status",
                             .bearer = c->token,
                             .body = "{\"software_version\": {\"" GIVEN_A "\": \"" ID_A "\"}, "
                                     "\"events_waiting\": 0, \"reader_state\": \"ok\", "
                                     "\"clock_synced\": true}"},
           400);
    expect(c, &(struct request){.path = "/v1/site", .bearer = c->token}, 200);
    /* Names in a path, and a method the path does not take. */
    expect(c,
           &(struct request){.path = "/v1/volunteers/" ID_A "/%C3%85smund%20Kristoffersen-Bj"
                                     "%C3%B8rndalen",
                             .bearer = c->token},
           404);
    expect(c,
           &(struct request){
               .method = "DELETE", .path = "/v1/events?volunteer=" ID_A, .bearer = c->token},
           405);
    /* A header line without a colon, which MHD itself refuses and logs. */
    char raw[1024];
    snprintf(raw, sizeof raw,
             "GET /v1/roster?since=" ID_A " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Authorization: Bearer %s\r\n" GIVEN_A " " FAMILY_A "\r\n\r\n",
             c->token);
    assert_int_equal(send_raw(c, raw), 400);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"POST /v1/status", "site " SITE, "device 1",
                                          ": 400 invalid_request (software_version)", NULL});
    assert_log_line(log, (const char *[]){": 404 not_found", NULL});
    assert_log_line(log, (const char *[]){"DELETE /v1/events: 405 method_not_allowed", NULL});
    assert_log_clean(c, log);
}

static void test_dashboard_passwords_are_never_logged(void **state)
{
    struct central *c = *state;
    /* A person's name as the user name, which the dashboard ignores. */
    expect(c,
           &(struct request){.path = "/", .user = GIVEN_A " " FAMILY_A, .password = WRONG_PASSWORD},
           401);
    /* (HTTP Basic is retired: 401 for any password, named in the log.) */
    expect(c, &(struct request){.path = "/"}, 303);
    expect(c, &(struct request){.path = "/", .user = ADMIN_NAME, .password = c->admin}, 401);
    expect(c, &(struct request){.path = "/", .bearer = c->admin}, 200);
    struct reply *reply = malloc(sizeof *reply);
    assert_non_null(reply);
    assert_int_equal(
        send_request(c,
                     &(struct request){.path = "/report.json?from=2026-01-01&to=2026-12-31&by="
                                               "volunteer",
                                       .bearer = c->admin},
                     reply),
        200);
    assert_non_null(strstr(reply->body, ID_A)); /* her hours went through the server */
    free(reply);
    expect(c,
           &(struct request){.path = "/report.csv?from=" ID_A "&to=%C3%85smund",
                             .bearer = c->admin},
           400);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"GET /: 401 basic_retired", NULL});
    assert_log_line(log, (const char *[]){"GET /report.csv: 400 invalid_request", NULL});
    assert_log_clean(c, log);
}

static void test_gdpr_export_and_forget_log_nothing_personal(void **state)
{
    struct central *c = *state;
    static char out[OUTPUT_MAX], err[OUTPUT_MAX];
    /* The export is the personal data (stdout, to the coordinator); what
     * the command says besides (stderr) and the server's log are not. The
     * id comes on stdin ("-"), off the command line that sudo logs. */
    assert_int_equal(
        cli(c, ID_A "\n", out, err, (const char *[]){"volunteer", "export", "-", NULL}), 0);
    assert_non_null(strstr(out, "Kristoffersen"));
    assert_non_null(strstr(out, EVENT_ID(1)));
    assert_log_clean(c, err);
    assert_int_equal(
        cli(c, ID_A "\n", out, err, (const char *[]){"volunteer", "forget", "-", "--yes", NULL}),
        0);
    assert_non_null(strstr(out, "erased"));
    assert_log_clean(c, err);
    assert_int_equal(cli(c, NULL, out, err, (const char *[]){"volunteer", "export", ID_A, NULL}),
                     3);
    /* Her later batch, after the erasure: still logged by counts only. */
    char event[1024], body[2048];
    event_json(event, sizeof event, EVENT_ID(7), "checkin", "\"" ID_A "\"",
               "2026-03-04T09:00:00.000000Z", "null", "");
    snprintf(body, sizeof body, "{\"events\": [%s]}", event);
    expect(
        c,
        &(struct request){.method = "POST", .path = "/v1/events", .bearer = c->token, .body = body},
        200);

    const char *log = read_log(c);
    assert_log_line(log, (const char *[]){"POST /v1/events", "site " SITE, ": 200", "1 stored",
                                          "0 rejected", NULL});
    assert_log_clean(c, log);
}

static void test_the_log_through_sigterm_holds_nothing_personal(void **state)
{
    struct central *c = *state;
    assert_int_equal(kill(c->pid, SIGTERM), 0);
    int status = 0;
    pid_t done = 0;
    for (int waited = 0; done == 0 && waited < STOP_WAIT_MS; waited += 50) {
        done = waitpid(c->pid, &status, WNOHANG);
        if (done == 0)
            sleep_ms(50);
    }
    assert_int_equal(done, c->pid);
    c->pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    const char *log = read_log(c);
    show_log(log);
    assert_log_line(log, (const char *[]){"serving http://127.0.0.1:0", "(port ", NULL});
    assert_log_line(log, (const char *[]){"SIGTERM", NULL});
    assert_log_clean(c, log);
}

/* ---- MHD's own messages ---- */

static void log_mhd(FILE *out, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    central_http_log_mhd(out, format, args);
    va_end(args);
}

/* MHD names the URL of a response it could not send. The path is the
 * client's text and may hold a name, so it stays out; MHD's other messages
 * pass whole. (Not driven through the server: a send that fails is a race.) */
static void test_mhd_messages_leave_the_request_url_out(void **state)
{
    (void)state;
    FILE *out = tmpfile();
    assert_non_null(out);
    log_mhd(out, "Failed to send the response headers for the request for `%s'. Error: %s\n",
            "/v1/volunteers/" GIVEN_A " " FAMILY_A, "Broken pipe");
    log_mhd(out, "Failed to send data in request for %s.\n", "/" ID_A);
    log_mhd(out, "Error accepting connection: %s\n", "Too many open files");
    static char text[OUTPUT_MAX];
    rewind(out);
    text[fread(text, 1, sizeof text - 1, out)] = '\0';
    fclose(out);
    assert_absent_every_spelling(text, "a name", FAMILY_A);
    assert_absent_every_spelling(text, "a volunteer's id", ID_A);
    const char *sent = strstr(text, "could not be sent");
    assert_non_null(sent);
    assert_non_null(strstr(sent + 1, "could not be sent"));
    assert_non_null(strstr(text, "tilstede-central: http: Error accepting connection: Too many "
                                 "open files\n"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_batches_log_site_and_counts_but_no_volunteer),
        cmocka_unit_test(test_refused_batches_log_site_and_reason_but_not_the_body),
        cmocka_unit_test(test_wrong_tokens_are_refused_and_never_logged),
        cmocka_unit_test(test_roster_pulls_log_counts_not_names),
        cmocka_unit_test(test_status_and_stray_requests_log_no_personal_data),
        cmocka_unit_test(test_dashboard_passwords_are_never_logged),
        cmocka_unit_test(test_gdpr_export_and_forget_log_nothing_personal),
        cmocka_unit_test(test_the_log_through_sigterm_holds_nothing_personal),
    };
    const struct CMUnitTest units[] = {
        cmocka_unit_test(test_mhd_messages_leave_the_request_url_out),
    };
    int failed = cmocka_run_group_tests(units, NULL, NULL);
    failed += cmocka_run_group_tests(tests, start, stop);
    curl_global_cleanup();
    return failed;
}
