/* A tilstede-central running in-process on an ephemeral loopback port, with
 * two sites, three kiosks and a dashboard login, and a libcurl client to
 * talk to it. Shared by the central's tests and its benchmark. */
#ifndef TILSTEDE_TEST_CENTRAL_FIXTURE_H
#define TILSTEDE_TEST_CENTRAL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "http.h"
#include "store.h"
#include "token.h"

#define FIXTURE_SITE_A "lilleby"     /* a sykehjem, kiosks A1 and A2 */
#define FIXTURE_SITE_B "aktiviteten" /* an aktivitetshus, kiosk B1 */

/* "postgresql" here runs the central on the test process's own PostgreSQL
 * server (pg_server.h), a fresh database per fixture; otherwise SQLite in
 * a temporary directory. tests/central.cmake registers each test both ways. */
#define FIXTURE_BACKEND_ENV "TILSTEDE_CENTRAL_BACKEND"
int fixture_on_postgresql(void);

struct fixture {
    char dir[256];
    char db[320]; /* the SQLite file, or the PostgreSQL URI */
    struct central_http *http;
    char base[64]; /* "http://127.0.0.1:PORT" */
    char token_a1[CENTRAL_TOKEN_TEXT_MAX];
    char token_a2[CENTRAL_TOKEN_TEXT_MAX];
    char token_b1[CENTRAL_TOKEN_TEXT_MAX];
    char admin_token[CENTRAL_TOKEN_TEXT_MAX];
    int64_t device_a1, device_a2, device_b1;
    struct central_store *store; /* the test's own handle, for setup and checks */
};

/* Creates the database and starts the server; config may be NULL for the
 * defaults (its listen and db are filled in). Returns 0 or aborts with a
 * message: a fixture that cannot start is a broken test machine. */
struct fixture *fixture_start(const struct central_http_config *config);
void fixture_stop(struct fixture *fixture);
/* cmocka's setup and teardown for a test on a default fixture (*state). */
int fixture_setup(void **state);
int fixture_teardown(void **state);

struct reply {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char retry_after[16];
    char content_type[96];
};
void reply_free(struct reply *reply);

/* One HTTP request; token is sent as a Bearer token (NULL: none). Returns
 * the curl code (0 when a response came). */
int fixture_request(const struct fixture *fixture, const char *method, const char *path,
                    const char *token, const char *body, size_t len, struct reply *out);
/* Same, with HTTP basic auth (user, password) instead of a bearer token. */
int fixture_request_basic(const struct fixture *fixture, const char *path, const char *user,
                          const char *password, struct reply *out);

/* A valid event for site, with a fresh id. */
void fixture_event(struct event *ev, enum event_kind kind, const char *volunteer, int64_t at_us);
/* {"events":[...]} for events[0..count), malloc'd. */
char *fixture_batch(const struct event *events, size_t count);
/* POST /v1/events of events[0..count) with token, as fixture_request. */
int fixture_post_events(const struct fixture *fixture, const char *token,
                        const struct event *events, size_t count, struct reply *out);

/* GET /v1/roster (after cursor, or all when NULL) as the kiosk of token;
 * asserts a 200 and JSON. json_decref() it. */
struct json_t;
struct json_t *fixture_roster(const struct fixture *fixture, const char *token, const char *cursor);

/* SELECT count(*) over a fresh connection to the database. */
long long fixture_count(const struct fixture *fixture, const char *sql);
/* The rows of volunteer_month_total (schema 10) that differ from the
 * same totals summed from scratch over the visit table, counted both ways
 * (a row kept wrongly, a row missing): 0 when they agree. SQL both
 * backends run; an end is never before its start (visits.c), so the
 * rounding needs no max(0, ...). */
#define FIXTURE_ROUNDED_SQL                                                                        \
    "CASE WHEN r.round_minutes > 0 THEN ((v.end_us - v.start_us) / 1000000 + "                     \
    "r.round_minutes * 30) / (r.round_minutes * 60) * (r.round_minutes * 60) "                      \
    "ELSE (v.end_us - v.start_us) / 1000000 END"
#define FIXTURE_SCRATCH_SQL                                                                        \
    "SELECT substr(v.start_day, 1, 7), v.volunteer, v.site, sum(" FIXTURE_ROUNDED_SQL "), "        \
    "count(*) FROM visit v CROSS JOIN setting r WHERE v.end_us IS NOT NULL GROUP BY 1, 2, 3"
#define FIXTURE_KEPT_SQL "SELECT month, volunteer, site, seconds, visits FROM volunteer_month_total"
#define FIXTURE_VOLUNTEER_TOTALS_DRIFT_SQL                                                         \
    "SELECT (SELECT count(*) FROM (" FIXTURE_KEPT_SQL " EXCEPT " FIXTURE_SCRATCH_SQL               \
    ") AS kept_wrongly) + (SELECT count(*) FROM (" FIXTURE_SCRATCH_SQL " EXCEPT " FIXTURE_KEPT_SQL \
    ") AS missing)"

/* Runs SQL on a fresh connection (fault injection); 0 or -EIO. */
int fixture_exec(const struct fixture *fixture, const char *sql);

/* A real failure of the database when the event with this id is stored
 * (a trigger that raises), and its removal: 0 or -EIO. */
int fixture_fault_on_event(const struct fixture *fixture, const char *event_id);
int fixture_fault_clear(const struct fixture *fixture);

/* `tilstede-central serve` as a program of its own (bin), on the database
 * db (a fixture's, so its sites and kiosks), on an ephemeral loopback
 * port, its output in DIR/central-N.log: for several processes on one
 * database. Waits until it listens, or aborts with its log. */
struct fixture_process {
    pid_t pid;
    unsigned port;
    char base[64]; /* "http://127.0.0.1:PORT", as struct fixture's */
    char log[320];
};
void fixture_process_start(struct fixture_process *process, const char *bin, const char *dir,
                           const char *db, int n);
/* SIGKILL, and waits for it (nothing to do when it is not running). */
void fixture_process_kill(struct fixture_process *process);

/* Microseconds since the epoch of a UTC time "YYYY-MM-DDTHH:MM:SSZ". */
int64_t fixture_utc(const char *text);

#endif
