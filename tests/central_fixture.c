/* The in-process central and its HTTP client for tests (central_fixture.h). */
#include "central_fixture.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_server.h"
#include "protocol.h"
#include "testutil.h"

#define REPLY_MAX_BYTES (64u * 1024u * 1024u)
#define PROCESS_START_MS 10000
#define PROCESS_POLL_MS  50

static void die(const char *what, const char *err)
{
    fprintf(stderr, "central fixture: %s: %s\n", what, err);
    abort();
}

int fixture_on_postgresql(void)
{
    const char *backend = getenv(FIXTURE_BACKEND_ENV);
    return backend && strcmp(backend, "postgresql") == 0;
}

struct fixture *fixture_start(const struct central_http_config *config)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        die("calloc", "out of memory");
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(f->dir, sizeof f->dir, "%s/central-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        die(f->dir, strerror(errno));
    char err[512];
    if (!fixture_on_postgresql())
        snprintf(f->db, sizeof f->db, "%s/central.db", f->dir);
    else if (pg_server_database(f->db, sizeof f->db, err, sizeof err))
        die("PostgreSQL test database", err);

    if (central_store_open(f->db, &f->store, err, sizeof err))
        die("open store", err);
    struct central_site a = {FIXTURE_SITE_A, "Lilleby sykehjem", "sykehjem"};
    struct central_site b = {FIXTURE_SITE_B, "Aktivitetshuset", "aktivitetshus"};
    if (central_store_site_add(f->store, &a, err, sizeof err) ||
        central_store_site_add(f->store, &b, err, sizeof err))
        die("site add", err);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(f->token_a1, hash);
    if (central_store_device_add(f->store, FIXTURE_SITE_A, "A1", hash, &f->device_a1, err,
                                 sizeof err))
        die("device add", err);
    central_token_new(f->token_a2, hash);
    if (central_store_device_add(f->store, FIXTURE_SITE_A, "A2", hash, &f->device_a2, err,
                                 sizeof err))
        die("device add", err);
    central_token_new(f->token_b1, hash);
    if (central_store_device_add(f->store, FIXTURE_SITE_B, "B1", hash, &f->device_b1, err,
                                 sizeof err))
        die("device add", err);
    central_token_new(f->admin_token, hash);
    if (central_store_admin_add(f->store, "koordinator", hash, err, sizeof err))
        die("admin add", err);

    struct central_http_config c = {0};
    if (config)
        c = *config;
    if (!c.listen)
        c.listen = "127.0.0.1:0";
    c.db = f->db;
    c.quiet = 1;
    if (central_http_start(&c, &f->http, err, sizeof err))
        die("http start", err);
    snprintf(f->base, sizeof f->base, "%s://127.0.0.1:%u", c.tls_cert ? "https" : "http",
             central_http_port(f->http));
    return f;
}

void fixture_stop(struct fixture *f)
{
    if (!f)
        return;
    central_http_stop(f->http);
    central_store_close(f->store);
    char path[400];
    static const char *const files[] = {"central.db", "central.db-wal", "central.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
}

int fixture_setup(void **state)
{
    *state = fixture_start(NULL);
    return 0;
}

int fixture_teardown(void **state)
{
    fixture_stop(*state);
    return 0;
}

void reply_free(struct reply *reply)
{
    free(reply->body);
    memset(reply, 0, sizeof *reply);
}

static size_t on_data(char *data, size_t size, size_t count, void *user)
{
    struct reply *reply = user;
    size_t len = size * count;
    if (reply->len + len > REPLY_MAX_BYTES)
        return 0;
    char *body = realloc(reply->body, reply->len + len + 1);
    if (!body)
        return 0;
    memcpy(body + reply->len, data, len);
    reply->body = body;
    reply->len += len;
    body[reply->len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t count, void *user)
{
    struct reply *reply = user;
    size_t len = size * count;
    if (len > 13 && strncasecmp(data, "Retry-After: ", 13) == 0)
        snprintf(reply->retry_after, sizeof reply->retry_after, "%.*s",
                 (int)strcspn(data + 13, "\r\n"), data + 13);
    if (len > 14 && strncasecmp(data, "Content-Type: ", 14) == 0)
        snprintf(reply->content_type, sizeof reply->content_type, "%.*s",
                 (int)strcspn(data + 14, "\r\n"), data + 14);
    return len;
}

static int perform(const struct fixture *f, CURL *curl, const char *path,
                   struct curl_slist *headers, struct reply *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    memset(out, 0, sizeof *out);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    int rc = (int)curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    if (!out->body)
        out->body = calloc(1, 1);
    return rc;
}

int fixture_request(const struct fixture *f, const char *method, const char *path,
                    const char *token, const char *body, size_t len, struct reply *out)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char auth[160];
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers = curl_slist_append(headers, auth);
    }
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    int rc = perform(f, curl, path, headers, out);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc;
}

json_t *fixture_roster(const struct fixture *f, const char *token, const char *cursor)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/roster%s%s", cursor ? "?since=" : "", cursor ? cursor : "");
    struct reply reply;
    if (fixture_request(f, "GET", path, token, NULL, 0, &reply) || reply.status != 200)
        die("GET /v1/roster", "no 200 answer");
    json_t *doc = json_loads(reply.body, 0, NULL);
    reply_free(&reply);
    if (!doc)
        die("GET /v1/roster", "not JSON");
    return doc;
}

int fixture_request_basic(const struct fixture *f, const char *path, const char *user,
                          const char *password, struct reply *out)
{
    CURL *curl = curl_easy_init();
    if (user) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
    }
    int rc = perform(f, curl, path, NULL, out);
    curl_easy_cleanup(curl);
    return rc;
}

void fixture_event(struct event *ev, enum event_kind kind, const char *volunteer, int64_t at_us)
{
    memset(ev, 0, sizeof *ev);
    event_new_id(ev->event_id);
    ev->kind = kind;
    snprintf(ev->volunteer, sizeof ev->volunteer, "%s", volunteer ? volunteer : "");
    ev->at_us = at_us;
    ev->recorded_us = at_us;
    ev->mono_us = 1000;
    snprintf(ev->boot_id, sizeof ev->boot_id, "0b0b0b0b-0000-4000-8000-000000000001");
    ev->clock_synced = 1;
    ev->source = kind == EVENT_AUTOCLOSE    ? SOURCE_AUTOMATIC
                 : kind == EVENT_CORRECTION ? SOURCE_STAFF
                                            : SOURCE_CARD;
}

char *fixture_batch(const struct event *events, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, protocol_event_to_json(&events[i]));
    json_t *doc = json_pack("{s:o}", "events", list);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

int fixture_post_events(const struct fixture *f, const char *token, const struct event *events,
                        size_t count, struct reply *out)
{
    char *body = fixture_batch(events, count);
    int rc = fixture_request(f, "POST", "/v1/events", token, body, strlen(body), out);
    free(body);
    return rc;
}

/* The database's own connection for fixture_count and fixture_exec on
 * PostgreSQL: a fresh one each time, as on SQLite. */
static PGresult *pg_run(const struct fixture *f, const char *sql, PGconn **conn)
{
    *conn = PQconnectdb(f->db);
    PGresult *res = PQexec(*conn, sql);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        fprintf(stderr, "fixture: %s: %s\n", sql, PQerrorMessage(*conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

long long fixture_count(const struct fixture *f, const char *sql)
{
    if (fixture_on_postgresql()) {
        PGconn *conn = NULL;
        PGresult *res = pg_run(f, sql, &conn);
        long long count = res && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                                                     : -1;
        PQclear(res);
        PQfinish(conn);
        return count;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long count = -1;
    if (sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return count;
}

int fixture_exec(const struct fixture *f, const char *sql)
{
    if (fixture_on_postgresql()) {
        PGconn *conn = NULL;
        PGresult *res = pg_run(f, sql, &conn);
        int rc = res ? 0 : -EIO;
        PQclear(res);
        PQfinish(conn);
        return rc;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open(f->db, &db) == SQLITE_OK &&
                     sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : -EIO;
    if (rc)
        fprintf(stderr, "fixture_exec: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}

int fixture_fault_on_event(const struct fixture *f, const char *event_id)
{
    char sql[700];
    if (fixture_on_postgresql())
        snprintf(sql, sizeof sql,
                 "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "RAISE EXCEPTION 'injected fault'; END $$; "
                 "CREATE TRIGGER fault BEFORE INSERT ON event FOR EACH ROW "
                 "WHEN (NEW.event_id = '%s') EXECUTE FUNCTION fault()",
                 event_id);
    else
        snprintf(sql, sizeof sql,
                 "CREATE TRIGGER fault BEFORE INSERT ON event WHEN NEW.event_id = '%s' "
                 "BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
                 event_id);
    return fixture_exec(f, sql);
}

int fixture_fault_clear(const struct fixture *f)
{
    return fixture_exec(f, fixture_on_postgresql()
                               ? "DROP TRIGGER fault ON event; DROP FUNCTION fault()"
                               : "DROP TRIGGER fault");
}

int64_t fixture_utc(const char *text)
{
    char full[40];
    snprintf(full, sizeof full, "%.19s.000000Z", text);
    int64_t us = 0;
    if (protocol_time_parse(full, &us))
        die("fixture_utc", text);
    return us;
}

void fixture_process_start(struct fixture_process *c, const char *bin, const char *dir,
                           const char *db, int n)
{
    snprintf(c->log, sizeof c->log, "%s/central-%d.log", dir, n);
    const char *argv[] = {bin, "serve", "--listen", "127.0.0.1:0", "--db", db, NULL};
    c->pid = test_spawn(argv, NULL, c->log, c->log);
    if (c->pid <= 0)
        die(bin, strerror(errno));
    c->port = 0;
    static char text[65536];
    const struct timespec poll = {0, PROCESS_POLL_MS * 1000000L};
    for (int waited = 0; !c->port && waited < PROCESS_START_MS; waited += PROCESS_POLL_MS) {
        test_slurp(c->log, text, sizeof text);
        const char *port = strstr(text, "(port ");
        if (port)
            c->port = (unsigned)atoi(port + 6);
        else
            nanosleep(&poll, NULL);
    }
    if (!c->port)
        die("tilstede-central serve did not start", text);
    snprintf(c->base, sizeof c->base, "http://127.0.0.1:%u", c->port);
}

void fixture_process_kill(struct fixture_process *c)
{
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = 0;
    }
}
