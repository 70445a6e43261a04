/* The PostgreSQL backend's schema (sync/central/schema_pg/): an empty
 * database gets the current version, every earlier version is brought up
 * to it with its rows kept, a newer one is refused, and centrals starting
 * together migrate once. On the test's own server (pg_server.h). */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_server.h"
#include "store_backend.h"

static void new_database(char *uri, size_t cap)
{
    char err[512];
    if (pg_server_database(uri, cap, err, sizeof err))
        fail_msg("%s", err);
}

static void run_sql(const char *uri, const char *sql)
{
    PGconn *conn = PQconnectdb(uri);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
}

static long long value(const char *uri, const char *sql)
{
    PGconn *conn = PQconnectdb(uri);
    PGresult *res = PQexec(conn, sql);
    long long result = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                           ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                           : -1;
    PQclear(res);
    PQfinish(conn);
    return result;
}

static void test_empty_database_gets_the_current_schema(void **state)
{
    (void)state;
    char uri[512], err[512];
    new_database(uri, sizeof uri);
    struct central_store *store = NULL;
    assert_int_equal(central_store_open(uri, &store, err, sizeof err), 0);
    assert_string_equal(central_store_backend(store), "postgresql");
    central_store_close(store);
    assert_true(central_pg_schema_version() >= 2);
    assert_int_equal(value(uri, "SELECT version FROM schema_version"),
                     central_pg_schema_version());
}

static int keep_event(void *ctx, const struct event *ev)
{
    *(struct event *)ctx = *ev;
    return 0;
}

/* Rows written in the shape of schema version 1, which every later
 * version must keep readable. */
static const char version_1_rows[] =
    "INSERT INTO site VALUES ('lilleby', 'Lilleby', 'sykehjem', 0);"
    "INSERT INTO device (id, site, name, token_lookup, token_hash, created_us) "
    "VALUES (7, 'lilleby', 'A1', 1, '\\x00', 0);"
    "INSERT INTO device_status VALUES (7, 5, '0.1.0', 0, NULL, NULL, 'ok', 1);"
    "INSERT INTO event (event_id, kind, site, volunteer, at_us, recorded_us, "
    "mono_us, boot_id, clock_synced, source, review, device, received_us) "
    "VALUES ('3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b21', 'checkin', 'lilleby', "
    "'F-1', 1780000000000000, 1780000000000000, 1, 'b', 1, 'card', 0, 7, 0);";

static void test_every_earlier_version_upgrades_keeping_its_rows(void **state)
{
    (void)state;
    for (int version = 1; version < central_pg_schema_version(); version++) {
        char uri[512], err[512];
        new_database(uri, sizeof uri);
        assert_int_equal(central_pg_migrate_to(uri, version, err, sizeof err), 0);
        assert_int_equal(value(uri, "SELECT version FROM schema_version"), version);
        run_sql(uri, version_1_rows);

        struct central_store *store = NULL;
        assert_int_equal(central_store_open(uri, &store, err, sizeof err), 0);
        assert_int_equal(value(uri, "SELECT version FROM schema_version"),
                         central_pg_schema_version());
        struct event ev = {0};
        int64_t cursor = 0;
        int more = 1;
        assert_int_equal(central_store_events_after(store, "lilleby", 0, 10, keep_event, &ev,
                                                    &cursor, &more, err, sizeof err),
                         0);
        assert_string_equal(ev.event_id, "3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b21");
        assert_string_equal(ev.volunteer, "F-1");
        assert_int_equal(more, 0);
        /* The status row of the old version reads as "no restore told". */
        assert_int_equal(value(uri, "SELECT count(*) FROM device_status "
                                    "WHERE device = 7 AND recovery_at_us IS NULL"),
                         1);
        central_store_close(store);
    }
}

static void test_schema_newer_than_the_program_is_refused(void **state)
{
    (void)state;
    char uri[512], err[512], sql[100];
    new_database(uri, sizeof uri);
    struct central_store *store = NULL;
    assert_int_equal(central_store_open(uri, &store, err, sizeof err), 0);
    central_store_close(store);
    snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d",
             central_pg_schema_version() + 1);
    run_sql(uri, sql);
    assert_int_equal(central_store_open(uri, &store, err, sizeof err), -EPROTO);
    assert_null(store);
    assert_non_null(strstr(err, "newer than this program's"));
}

struct opener {
    const char *uri;
    int rc;
    char err[512];
};

static void *open_one(void *arg)
{
    struct opener *o = arg;
    struct central_store *store = NULL;
    o->rc = central_store_open(o->uri, &store, o->err, sizeof o->err);
    central_store_close(store);
    return NULL;
}

static void test_centrals_starting_together_migrate_once(void **state)
{
    (void)state;
    char uri[512];
    new_database(uri, sizeof uri);
    struct opener openers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        openers[i] = (struct opener){.uri = uri};
        assert_int_equal(pthread_create(&threads[i], NULL, open_one, &openers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        if (openers[i].rc)
            fail_msg("opener %d: %s", i, openers[i].err);
    }
    assert_int_equal(value(uri, "SELECT version FROM schema_version"),
                     central_pg_schema_version());
    assert_int_equal(value(uri, "SELECT count(*) FROM roster_change"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_database_gets_the_current_schema),
        cmocka_unit_test(test_every_earlier_version_upgrades_keeping_its_rows),
        cmocka_unit_test(test_schema_newer_than_the_program_is_refused),
        cmocka_unit_test(test_centrals_starting_together_migrate_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
