/* Several tilstede-central processes against one PostgreSQL database (the
 * test's own server, pg_server.h): 16 clients uploading the same batches to
 * two processes at once store each event once, with SQLite's totals; a
 * process killed with SIGKILL in the middle of a batch leaves none of it,
 * or (after it sent the commit) all of it;
 * the database server stopped and started while a kiosk uploads gives 503
 * with Retry-After meanwhile, and nothing is lost or doubled. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "central_fixture.h"
#include "pg_server.h"
#include "testutil.h"

#define CLIENTS           16
#define BATCHES           16
#define VISITS_PER_BATCH  50
#define EVENTS_PER_BATCH  (2 * VISITS_PER_BATCH)
#define LOCK_WAIT_MS      10000
#define UPLOAD_BATCHES    24
#define UPLOAD_BATCH_SIZE 20
#define RETRY_SLEEP_MS    100

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the central as a program (fixture_process_start) ---- */

/* POST /v1/events to a port: the HTTP status (0: no answer), the number
 * the central reported stored, and whether a Retry-After came. */
struct upload {
    long status;
    size_t stored;
    int retry_after;
};

static struct upload post(unsigned port, const char *token, const char *body)
{
    struct fixture target = {0};
    snprintf(target.base, sizeof target.base, "http://127.0.0.1:%u", port);
    struct reply reply;
    struct upload result = {0};
    if (fixture_request(&target, "POST", "/v1/events", token, body, strlen(body), &reply) == 0) {
        result.status = reply.status;
        result.retry_after = reply.retry_after[0] != '\0';
        json_t *doc = json_loads(reply.body, 0, NULL);
        result.stored = json_array_size(json_object_get(doc, "stored"));
        json_decref(doc);
    }
    reply_free(&reply);
    return result;
}

/* ---- one database with a site and a kiosk ---- */

struct cluster {
    char dir[256];
    char uri[512];
    char token[CENTRAL_TOKEN_TEXT_MAX];
    struct central_device device;
    struct central_store *store;
};

static void cluster_open(struct cluster *c)
{
    char err[512];
    test_tmpdir(c->dir, sizeof c->dir, "central-pg-cluster");
    if (pg_server_database(c->uri, sizeof c->uri, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(central_store_open(c->uri, &c->store, err, sizeof err), 0);
    struct central_site site = {FIXTURE_SITE_A, "Lilleby sykehjem", "sykehjem"};
    assert_int_equal(central_store_site_add(c->store, &site, err, sizeof err), 0);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(c->token, hash);
    assert_int_equal(central_store_device_add(c->store, FIXTURE_SITE_A, "A1", hash, &c->device.id,
                                              err, sizeof err),
                     0);
    snprintf(c->device.site, sizeof c->device.site, "%s", FIXTURE_SITE_A);
}

static long long pg_value(const char *uri, const char *sql)
{
    PGconn *conn = PQconnectdb(uri);
    PGresult *res = PQexec(conn, sql);
    long long value = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                          ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                          : -1;
    PQclear(res);
    PQfinish(conn);
    return value;
}

/* Batch b: VISITS_PER_BATCH visits of two hours on day b, each check-in and
 * check-out in the same batch, so the hours do not depend on the order the
 * batches arrive in. */
static void make_batch(struct event *events, int b)
{
    int64_t day = fixture_utc("2026-02-02T08:00:00Z") + (int64_t)b * 3 * 86400 * 1000000LL;
    for (int v = 0; v < VISITS_PER_BATCH; v++) {
        char volunteer[16];
        snprintf(volunteer, sizeof volunteer, "F-%d", (b * 7 + v) % 120);
        int64_t start = day + (int64_t)v * 60 * 1000000LL;
        fixture_event(&events[2 * v], EVENT_CHECKIN, volunteer, start);
        fixture_event(&events[2 * v + 1], EVENT_CHECKOUT, volunteer,
                      start + (7200 + v * 37) * 1000000LL);
        snprintf(events[2 * v].site, sizeof events[2 * v].site, "%s", FIXTURE_SITE_A);
        snprintf(events[2 * v + 1].site, sizeof events[2 * v + 1].site, "%s", FIXTURE_SITE_A);
    }
}

/* ---- two processes, 16 clients ---- */

struct client {
    int index;
    const char *token;
    unsigned ports[2];
    char **bodies;
    size_t stored;
    int failures;
};

static void *client_run(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < BATCHES; i++) {
        int b = (c->index + i) % BATCHES;
        unsigned port = c->ports[(c->index + i) % 2];
        for (int attempt = 0;; attempt++) {
            struct upload u = post(port, c->token, c->bodies[b]);
            if (u.status == 200) {
                c->stored += u.stored;
                break;
            }
            if (u.status != 503 || attempt > 50) {
                c->failures++;
                break;
            }
            sleep_ms(RETRY_SLEEP_MS);
        }
    }
    return NULL;
}

struct report_rows {
    char text[65536];
    size_t len;
};

static int add_row(void *ctx, const struct central_total *t)
{
    struct report_rows *rows = ctx;
    int n = snprintf(rows->text + rows->len, sizeof rows->text - rows->len, "%s|%s|%lld|%lld\n",
                     t->key, t->label, (long long)t->seconds, (long long)t->visits);
    if (n > 0 && rows->len + (size_t)n < sizeof rows->text)
        rows->len += (size_t)n;
    return 0;
}

static void report(struct central_store *store, enum central_group group, struct report_rows *out)
{
    char err[512];
    memset(out, 0, sizeof *out);
    assert_int_equal(
        central_store_totals(store, "2026-01-01", "2026-12-31", group, add_row, out, err,
                             sizeof err),
        0);
}

static void test_two_processes_sixteen_clients_store_each_event_once(void **state)
{
    (void)state;
    struct cluster c = {0};
    cluster_open(&c);
    struct fixture_process centrals[2];
    fixture_process_start(&centrals[0], CENTRAL_BIN, c.dir, c.uri, 0);
    fixture_process_start(&centrals[1], CENTRAL_BIN, c.dir, c.uri, 1);

    static struct event batches[BATCHES][EVENTS_PER_BATCH];
    char *bodies[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        make_batch(batches[b], b);
        bodies[b] = fixture_batch(batches[b], EVENTS_PER_BATCH);
    }
    struct client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = (struct client){.index = i,
                                     .token = c.token,
                                     .ports = {centrals[0].port, centrals[1].port},
                                     .bodies = bodies};
        assert_int_equal(pthread_create(&threads[i], NULL, client_run, &clients[i]), 0);
    }
    size_t stored = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(clients[i].failures, 0);
        stored += clients[i].stored;
    }
    fixture_process_kill(&centrals[0]);
    fixture_process_kill(&centrals[1]);

    /* Each event stored once, and said to be stored once, of 16 sendings. */
    assert_int_equal(stored, BATCHES * EVENTS_PER_BATCH);
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM event"), BATCHES * EVENTS_PER_BATCH);
    assert_int_equal(pg_value(c.uri, "SELECT count(DISTINCT event_id) FROM event"),
                     BATCHES * EVENTS_PER_BATCH);
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM visit WHERE end_us IS NOT NULL"),
                     BATCHES * VISITS_PER_BATCH);

    /* The same batches into SQLite, once each, in order: the same reports. */
    char path[320], err[512];
    snprintf(path, sizeof path, "%s/central.db", c.dir);
    struct central_store *sqlite = NULL;
    assert_int_equal(central_store_open(path, &sqlite, err, sizeof err), 0);
    struct central_site site = {FIXTURE_SITE_A, "Lilleby sykehjem", "sykehjem"};
    assert_int_equal(central_store_site_add(sqlite, &site, err, sizeof err), 0);
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    char token[CENTRAL_TOKEN_TEXT_MAX];
    central_token_new(token, hash);
    struct central_device device = {0};
    assert_int_equal(central_store_device_add(sqlite, FIXTURE_SITE_A, "A1", hash, &device.id, err,
                                              sizeof err),
                     0);
    snprintf(device.site, sizeof device.site, "%s", FIXTURE_SITE_A);
    enum central_ingest_result results[EVENTS_PER_BATCH];
    for (int b = 0; b < BATCHES; b++)
        assert_int_equal(central_store_ingest(sqlite, &device, batches[b], EVENTS_PER_BATCH,
                                              results, err, sizeof err),
                         0);
    static const enum central_group groups[] = {CENTRAL_GROUP_SITE, CENTRAL_GROUP_ACTIVITY,
                                                CENTRAL_GROUP_MONTH, CENTRAL_GROUP_VOLUNTEER};
    static struct report_rows on_pg, on_sqlite;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        report(c.store, groups[g], &on_pg);
        report(sqlite, groups[g], &on_sqlite);
        assert_true(on_pg.len > 0);
        assert_string_equal(on_pg.text, on_sqlite.text);
    }
    central_store_close(sqlite);
    central_store_close(c.store);
    for (int b = 0; b < BATCHES; b++)
        free(bodies[b]);
}

/* ---- killed in the middle of a batch ---- */

struct sender {
    unsigned port;
    const char *token;
    const char *body;
    struct upload result;
};

static void *send_once(void *arg)
{
    struct sender *s = arg;
    s->result = post(s->port, s->token, s->body);
    return NULL;
}

/* Sends the batch to a central process while another connection holds
 * `hold` (SQL run in a transaction of its own), waits until the batch's
 * statement `waiting` (its first words, as pg_stat_activity shows them)
 * waits on that lock, kills the process with SIGKILL, then lets go. The
 * kiosk had no 200; when this returns, the dead client's backend is gone. */
static void kill_while_waiting(struct cluster *c, const char *body, const char *hold,
                               const char *waiting)
{
    struct fixture_process central;
    fixture_process_start(&central, CENTRAL_BIN, c->dir, c->uri, 0);
    PGconn *holder = PQconnectdb(c->uri);
    PQclear(PQexec(holder, "BEGIN"));
    PQclear(PQexec(holder, hold));
    struct sender sender = {.port = central.port, .token = c->token, .body = body};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, send_once, &sender), 0);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
             "AND query LIKE '%s%%'",
             waiting);
    int waits = 0;
    for (int waited = 0; !waits && waited < LOCK_WAIT_MS; waited += 20) {
        waits = pg_value(c->uri, sql) == 1;
        if (!waits)
            sleep_ms(20);
    }
    if (!waits) {
        pthread_join(thread, NULL);
        fail_msg("the batch never waited in \"%s\" (answer %ld)", waiting, sender.result.status);
    }
    fixture_process_kill(&central);
    PQclear(PQexec(holder, "ROLLBACK"));
    PQfinish(holder);
    pthread_join(thread, NULL);
    assert_int_not_equal(sender.result.status, 200);
    /* The server ends the dead client's transaction when it next reads
     * from it: wait for the backend to go. */
    for (int waited = 0; waited < LOCK_WAIT_MS; waited += 20) {
        if (pg_value(c->uri, "SELECT count(*) FROM pg_stat_activity WHERE "
                             "datname = current_database() AND pid <> pg_backend_pid() "
                             "AND backend_type = 'client backend'") <= 1)
            break;
        sleep_ms(20);
    }
}

/* The batch sent again to a new process: `stored` of its events stored
 * now, and the database holds it whole, once. */
static void send_again_holds_it_whole(struct cluster *c, const char *body, size_t stored)
{
    struct fixture_process central;
    fixture_process_start(&central, CENTRAL_BIN, c->dir, c->uri, 1);
    struct upload again = post(central.port, c->token, body);
    fixture_process_kill(&central);
    assert_int_equal(again.status, 200);
    assert_int_equal(again.stored, stored);
    assert_int_equal(pg_value(c->uri, "SELECT count(*) FROM event"), EVENTS_PER_BATCH);
    assert_int_equal(pg_value(c->uri, "SELECT count(*) FROM visit"), VISITS_PER_BATCH);
    assert_int_equal(pg_value(c->uri, "SELECT sum(visits) FROM visit_total"), VISITS_PER_BATCH);
}

/* Killed before it sent the commit: the events are written, and wait on
 * the device's last contact (the first round trip's last statement;
 * NO KEY, so the events' foreign key to the device does not wait). */
static void test_process_killed_before_commit_stores_none_of_it(void **state)
{
    (void)state;
    struct cluster c = {0};
    cluster_open(&c);
    struct event events[EVENTS_PER_BATCH];
    make_batch(events, 0);
    char *body = fixture_batch(events, EVENTS_PER_BATCH);
    char hold[160];
    snprintf(hold, sizeof hold, "SELECT id FROM device WHERE id = %lld FOR NO KEY UPDATE",
             (long long)c.device.id);
    kill_while_waiting(&c, body, hold, "UPDATE device");
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM event"), 0);
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM visit"), 0);
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM visit_total"), 0);
    send_again_holds_it_whole(&c, body, EVENTS_PER_BATCH);
    free(body);
    central_store_close(c.store);
}

/* Killed after it sent the commit with the visits (the second round
 * trip): the server commits the batch whole though no one hears of it,
 * and the kiosk, sending it again, is told its events are there; nothing
 * is counted twice. The visits' insert is held by an uncommitted visit of
 * the same start event (its unique key waits for that transaction), not
 * by a table lock, which would hold the new process's statements as it
 * prepares them. */
static void test_process_killed_after_commit_sent_stores_it_whole(void **state)
{
    (void)state;
    struct cluster c = {0};
    cluster_open(&c);
    struct event events[EVENTS_PER_BATCH];
    make_batch(events, 0);
    char *body = fixture_batch(events, EVENTS_PER_BATCH);
    char hold[300];
    snprintf(hold, sizeof hold,
             "INSERT INTO visit (site, volunteer, start_event, start_us, start_day) "
             "VALUES ('%s', '%s', '%s', 0, '2026-02-02')",
             FIXTURE_SITE_A, events[0].volunteer, events[0].event_id);
    kill_while_waiting(&c, body, hold, "INSERT INTO visit");
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM event"), EVENTS_PER_BATCH);
    assert_int_equal(pg_value(c.uri, "SELECT count(*) FROM visit"), VISITS_PER_BATCH);
    assert_int_equal(pg_value(c.uri, "SELECT sum(visits) FROM visit_total"), VISITS_PER_BATCH);
    send_again_holds_it_whole(&c, body, 0);
    free(body);
    central_store_close(c.store);
}

/* ---- the database server restarted while a kiosk uploads ---- */

struct kiosk {
    const struct fixture *fixture;
    struct event *events;
    int batches_done;
    int busy_answers;
    int busy_without_retry_after;
    int failures;
    size_t stored;
};

static void *kiosk_run(void *arg)
{
    struct kiosk *k = arg;
    for (int b = 0; b < UPLOAD_BATCHES; b++) {
        char *body = fixture_batch(k->events + b * UPLOAD_BATCH_SIZE, UPLOAD_BATCH_SIZE);
        for (;;) {
            struct reply reply;
            int rc = fixture_request(k->fixture, "POST", "/v1/events", k->fixture->token_a1, body,
                                     strlen(body), &reply);
            long status = rc == 0 ? reply.status : 0;
            if (status == 503) {
                k->busy_answers++;
                if (!reply.retry_after[0])
                    k->busy_without_retry_after++;
            } else if (status == 200) {
                json_t *doc = json_loads(reply.body, 0, NULL);
                k->stored += json_array_size(json_object_get(doc, "stored"));
                json_decref(doc);
            } else {
                k->failures++;
            }
            reply_free(&reply);
            if (status == 200 || k->failures > 3)
                break;
            sleep_ms(RETRY_SLEEP_MS);
        }
        free(body);
        __atomic_store_n(&k->batches_done, b + 1, __ATOMIC_SEQ_CST);
        sleep_ms(20);
    }
    return NULL;
}

static void test_database_restart_answers_503_and_loses_nothing(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(NULL);
    static struct event events[UPLOAD_BATCHES * UPLOAD_BATCH_SIZE];
    int64_t start = fixture_utc("2026-04-06T08:00:00Z");
    for (int i = 0; i < UPLOAD_BATCHES * UPLOAD_BATCH_SIZE; i += 2) {
        char volunteer[16];
        snprintf(volunteer, sizeof volunteer, "F-%d", i / 2);
        fixture_event(&events[i], EVENT_CHECKIN, volunteer, start + (int64_t)i * 1000000);
        fixture_event(&events[i + 1], EVENT_CHECKOUT, volunteer,
                      start + ((int64_t)i + 3600) * 1000000);
        snprintf(events[i].site, sizeof events[i].site, "%s", FIXTURE_SITE_A);
        snprintf(events[i + 1].site, sizeof events[i + 1].site, "%s", FIXTURE_SITE_A);
    }
    struct kiosk kiosk = {.fixture = f, .events = events};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, kiosk_run, &kiosk), 0);
    while (__atomic_load_n(&kiosk.batches_done, __ATOMIC_SEQ_CST) < 4)
        sleep_ms(10);
    char err[512];
    assert_int_equal(pg_server_halt(err, sizeof err), 0);
    sleep_ms(1500);
    assert_int_equal(pg_server_resume(err, sizeof err), 0);
    pthread_join(thread, NULL);

    assert_true(kiosk.busy_answers > 0);
    assert_int_equal(kiosk.busy_without_retry_after, 0);
    assert_int_equal(kiosk.failures, 0);
    assert_int_equal(kiosk.stored, UPLOAD_BATCHES * UPLOAD_BATCH_SIZE);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM event"),
                     UPLOAD_BATCHES * UPLOAD_BATCH_SIZE);
    assert_int_equal(fixture_count(f, "SELECT sum(visits) FROM visit_total"),
                     UPLOAD_BATCHES * UPLOAD_BATCH_SIZE / 2);
    fixture_stop(f);
}

int main(void)
{
    setenv(FIXTURE_BACKEND_ENV, "postgresql", 1);
    char err[512];
    if (pg_server_start(err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_processes_sixteen_clients_store_each_event_once),
        cmocka_unit_test(test_process_killed_before_commit_stores_none_of_it),
        cmocka_unit_test(test_process_killed_after_commit_sent_stores_it_whole),
        cmocka_unit_test(test_database_restart_answers_503_and_loses_nothing),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
