/* The central's configuration file (sync/central/conf.h): a postgres key
 * chooses PostgreSQL as --db postgresql://... does, for the commands and
 * for serve; a bad connection string is an error naming the file and the
 * line, an unreachable server one naming where the database was chosen;
 * --db and $TILSTEDE_CENTRAL_DB still come first. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pg_server.h"
#include "testutil.h"

#ifndef CENTRAL_BIN
#error "CENTRAL_BIN must name the tilstede-central binary"
#endif

#define OUTPUT_MAX 16384

static char dir[256], conf[320], uri[512];

/* Runs the program with args and no $TILSTEDE_CENTRAL_DB (unless env
 * sets it); its exit status, stdout and stderr in out. */
static int run(char *out, const char *env, const char *args)
{
    char command[2048];
    snprintf(command, sizeof command,
             "env -u TILSTEDE_CENTRAL_DB -u TILSTEDE_CENTRAL_CONFIG %s '%s' %s 2>&1", env,
             CENTRAL_BIN, args);
    return test_shell(command, out, OUTPUT_MAX);
}

static void write_conf(const char *text)
{
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    char err[512];
    if (pg_server_start(err, sizeof err) || pg_server_database(uri, sizeof uri, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    test_tmpdir(dir, sizeof dir, "pg-conf");
    snprintf(conf, sizeof conf, "%s/central.conf", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

/* The file's postgres key is the database of every command: a site added
 * through it is in PostgreSQL (read with --db URI), and back. */
static void postgres_key_chooses_postgresql(void **state)
{
    (void)state;
    char text[1024], out[OUTPUT_MAX], args[1024];
    snprintf(text, sizeof text, "# the municipality's database\n\n  postgres = %s  \n", uri);
    write_conf(text);
    snprintf(args, sizeof args, "--config '%s' site add hjem --name 'Hjemmet' --kind sykehjem",
             conf);
    assert_int_equal(run(out, "", args), 0);
    snprintf(args, sizeof args, "--db '%s' site list", uri);
    assert_int_equal(run(out, "", args), 0);
    assert_non_null(strstr(out, "hjem\tsykehjem\tHjemmet"));
    /* $TILSTEDE_CENTRAL_CONFIG names the same file. */
    char env[512];
    snprintf(env, sizeof env, "TILSTEDE_CENTRAL_CONFIG='%s'", conf);
    assert_int_equal(run(out, env, "site list"), 0);
    assert_non_null(strstr(out, "hjem\tsykehjem\tHjemmet"));
    /* --db, then $TILSTEDE_CENTRAL_DB, come before the file. */
    char db[300];
    snprintf(db, sizeof db, "%s/other.db", dir);
    snprintf(args, sizeof args, "--config '%s' --db '%s' site list", conf, db);
    assert_int_equal(run(out, "", args), 0);
    assert_null(strstr(out, "hjem"));
    snprintf(env, sizeof env, "TILSTEDE_CENTRAL_DB='%s'", db);
    snprintf(args, sizeof args, "--config '%s' site list", conf);
    assert_int_equal(run(out, env, args), 0);
    assert_null(strstr(out, "hjem"));
}

/* serve on the file's database: it starts, and a second process on the
 * same file sees the site the first one's database holds. */
static void serve_uses_the_key(void **state)
{
    (void)state;
    char text[1024], out_path[400], out[OUTPUT_MAX];
    snprintf(text, sizeof text, "postgres = %s\n", uri);
    write_conf(text);
    snprintf(out_path, sizeof out_path, "%s/serve.log", dir);
    const char *argv[] = {CENTRAL_BIN, "--config", conf, "serve", "--listen", "127.0.0.1:0", NULL};
    pid_t pid = test_spawn(argv, "/dev/null", out_path, out_path);
    assert_true(pid > 0);
    int served = 0;
    for (int i = 0; i < 300 && !served; i++) {
        test_slurp(out_path, out, sizeof out);
        served = strstr(out, "serving http://") != NULL;
        if (!served)
            usleep(20000);
    }
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    if (!served)
        fprintf(stderr, "%s\n", out);
    assert_true(served);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A server that is not there: the commands and serve fail (exit 1),
 * naming the file and line that chose the database. */
static void unreachable_names_the_line(void **state)
{
    (void)state;
    char text[1024], out[OUTPUT_MAX], args[1024], where[400];
    snprintf(text, sizeof text, "\npostgres = postgresql:///tilstede?host=%s/no-server\n", dir);
    write_conf(text);
    snprintf(where, sizeof where, "the database of %s:2 (postgres): ", conf);
    snprintf(args, sizeof args, "--config '%s' site list", conf);
    assert_int_equal(run(out, "", args), 1);
    assert_non_null(strstr(out, where));
    assert_non_null(strstr(out, "cannot be reached"));
    snprintf(args, sizeof args, "--config '%s' serve --listen 127.0.0.1:0", conf);
    assert_int_equal(run(out, "", args), 1);
    assert_non_null(strstr(out, where));
    assert_non_null(strstr(out, "cannot be reached"));
}

/* Bad lines: exit 2 and FILE:LINE: what is wrong, before anything runs. */
static void bad_lines_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *says;
    } cases[] = {
        {"postgres = postgresql:///tilstede?nosuch=1\n", 1,
         "postgres: not a valid connection URI: "},
        {"# x\npostgres = host=/var/run/postgresql dbname=tilstede\n", 2,
         "postgres: expected a URI starting postgresql://"},
        {"postgresql = postgresql:///tilstede\n", 1,
         "unknown key 'postgresql' (did you mean 'postgres'?)"},
        {"database = x\n", 1, "unknown key 'database' (the keys are postgres and sqlite)"},
        {"postgres =\n", 1, "postgres: no value"},
        {"sqlite = /var/lib/c.db\npostgres = postgresql:///t\n", 2,
         "postgres: the database is already chosen by sqlite"},
        {"[database]\n", 1, "no [sections]"},
        {"postgres postgresql:///t\n", 1, "not a 'key = value' line"},
        {"sqlite = postgresql:///t\n", 1, "sqlite: a PostgreSQL URI"},
    };
    char out[OUTPUT_MAX], args[1024], where[400];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_conf(cases[i].text);
        snprintf(args, sizeof args, "--config '%s' site list", conf);
        snprintf(where, sizeof where, "%s:%d: %s", conf, cases[i].line, cases[i].says);
        int rc = run(out, "", args);
        if (rc != 2 || !strstr(out, where))
            fprintf(stderr, "case %zu: exit %d: %s", i, rc, out);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(out, where));
    }
    /* A line past the limit names its key and is never read as two. */
    char text[3000];
    int n = snprintf(text, sizeof text, "postgres = postgresql:///t?application_name=");
    memset(text + n, 'a', 1100);
    strcpy(text + n + 1100, "\n");
    write_conf(text);
    snprintf(args, sizeof args, "--config '%s' site list", conf);
    assert_int_equal(run(out, "", args), 2);
    snprintf(where, sizeof where, "%s:1: postgres: the line is 1144 bytes, longer than the 1024",
             conf);
    assert_non_null(strstr(out, where));
    /* A named file that is missing is an error; the default one is not. */
    snprintf(args, sizeof args, "--config '%s/none.conf' site list", dir);
    assert_int_equal(run(out, "", args), 2);
    assert_non_null(strstr(out, "none.conf: cannot read the configuration"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(postgres_key_chooses_postgresql),
        cmocka_unit_test(serve_uses_the_key),
        cmocka_unit_test(unreachable_names_the_line),
        cmocka_unit_test(bad_lines_are_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
