/* The test's own PostgreSQL server (pg_server.c): it starts as an
 * unprivileged user, answers only on its socket, survives a halt and a
 * resume, and leaves nothing behind when stopped. */
#include <libpq-fe.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pg_server.h"

static PGconn *connect_to(const char *uri)
{
    return PQconnectdb(uri);
}

static void test_server_runs_postgresql_15_on_its_own_socket(void **state)
{
    (void)state;
    char uri[512], err[512];
    assert_int_equal(pg_server_database(uri, sizeof uri, err, sizeof err), 0);
    PGconn *conn = connect_to(uri);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    PGresult *res = PQexec(conn, "SELECT current_setting('server_version_num')::int / 10000, "
                                 "current_setting('listen_addresses')");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "15");
    assert_string_equal(PQgetvalue(res, 0, 1), ""); /* no TCP */
    PQclear(res);
    PQfinish(conn);
}

static void test_server_runs_as_an_unprivileged_user(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(pg_server_start(err, sizeof err), 0);
    char pidfile[400];
    snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", pg_server_dir());
    struct stat st;
    assert_int_equal(stat(pidfile, &st), 0);
    assert_int_not_equal(st.st_uid, 0);
    if (geteuid() != 0)
        assert_int_equal(st.st_uid, geteuid());
}

static void test_each_database_is_new_and_empty(void **state)
{
    (void)state;
    char first[512], second[512], err[512];
    assert_int_equal(pg_server_database(first, sizeof first, err, sizeof err), 0);
    assert_int_equal(pg_server_database(second, sizeof second, err, sizeof err), 0);
    assert_string_not_equal(first, second);
    PGconn *conn = connect_to(first);
    PGresult *res = PQexec(conn, "CREATE TABLE kept (x int)");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(conn);
    conn = connect_to(second);
    res = PQexec(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'");
    assert_string_equal(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
    PQfinish(conn);
}

static void test_halted_server_refuses_and_resumes_with_the_data(void **state)
{
    (void)state;
    char uri[512], err[512];
    assert_int_equal(pg_server_database(uri, sizeof uri, err, sizeof err), 0);
    PGconn *conn = connect_to(uri);
    PQclear(PQexec(conn, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)"));
    assert_int_equal(pg_server_halt(err, sizeof err), 0);
    PQclear(PQexec(conn, "SELECT 1"));
    assert_int_not_equal(PQstatus(conn), CONNECTION_OK);
    PQfinish(conn);
    conn = connect_to(uri);
    assert_int_not_equal(PQstatus(conn), CONNECTION_OK);
    PQfinish(conn);
    assert_int_equal(pg_server_resume(err, sizeof err), 0);
    conn = connect_to(uri);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    PGresult *res = PQexec(conn, "SELECT x FROM kept");
    assert_string_equal(PQgetvalue(res, 0, 0), "7");
    PQclear(res);
    PQfinish(conn);
}

static void test_stopped_server_leaves_no_directory(void **state)
{
    (void)state;
    char err[512], dir[300];
    assert_int_equal(pg_server_start(err, sizeof err), 0);
    snprintf(dir, sizeof dir, "%s", pg_server_dir());
    pg_server_stop();
    struct stat st;
    assert_int_not_equal(stat(dir, &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_runs_postgresql_15_on_its_own_socket),
        cmocka_unit_test(test_server_runs_as_an_unprivileged_user),
        cmocka_unit_test(test_each_database_is_new_and_empty),
        cmocka_unit_test(test_halted_server_refuses_and_resumes_with_the_data),
        cmocka_unit_test(test_stopped_server_leaves_no_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
