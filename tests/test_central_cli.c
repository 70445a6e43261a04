/* The tilstede-central program as an administrator runs it: its commands,
 * their exit codes, the token printed once, the report from one command,
 * and `serve` stopping cleanly on SIGTERM. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#ifndef CENTRAL_BIN
#error "CENTRAL_BIN must name the tilstede-central binary"
#endif

#define OUTPUT_MAX 65536

static char dir[256];
static char db[320];

/* Runs the program with args; returns its exit status, output in out. */
static int run(char *out, size_t cap, const char *args)
{
    char command[2048];
    snprintf(command, sizeof command, "TILSTEDE_CENTRAL_DB='%s' '%s' %s 2>&1", db, CENTRAL_BIN,
             args);
    return test_shell(command, out, cap);
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "cli");
    snprintf(db, sizeof db, "%s/central.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

static void test_help_and_version_exit_0_and_wrong_usage_exits_2(void **state)
{
    (void)state;
    static char out[OUTPUT_MAX];
    assert_int_equal(run(out, sizeof out, "--help"), 0);
    assert_non_null(strstr(out, "Exit status"));
    assert_int_equal(run(out, sizeof out, "--version"), 0);
    assert_non_null(strstr(out, "tilstede-central "));
    assert_int_equal(run(out, sizeof out, "frobnicate"), 2);
    assert_int_equal(run(out, sizeof out, "site add x --name X --kind castle"), 2);
    assert_non_null(strstr(out, "castle"));
    assert_int_equal(run(out, sizeof out, "report --from 2026-01-01 --to 2026-12-31 --by day"), 2);
    assert_int_equal(run(out, sizeof out, "serve --listen 0.0.0.0:0"), 2);
    assert_non_null(strstr(out, "loopback"));
}

static void test_report_writes_a_workbook_with_a_sheet_per_grouping(void **state)
{
    (void)state;
    static char out[OUTPUT_MAX];
    char args[1024];
    assert_int_equal(run(out, sizeof out, "site add lilleby --name Lilleby --kind sykehjem"), 0);
    snprintf(args, sizeof args,
             "report --from 2026-01-01 --to 2026-12-31 --by kind,site,month --xlsx '%s/t.xlsx'",
             dir);
    assert_int_equal(run(out, sizeof out, args), 0);
    assert_non_null(strstr(out, "3 sheets"));
    snprintf(args, sizeof args, "%s/t.xlsx", dir);
    FILE *book = fopen(args, "rb");
    assert_non_null(book);
    char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, book), 4);
    assert_memory_equal(magic, "PK\x03\x04", 4);
    fclose(book);
    snprintf(args, sizeof args,
             "report --from 2026-01-01 --to 2026-12-31 --by kind,days --xlsx '%s/u.xlsx'", dir);
    assert_int_equal(run(out, sizeof out, args), 2);
    assert_non_null(strstr(out, "kind,days"));
    snprintf(args, sizeof args,
             "report --from 2026-01-01 --to 2026-12-31 --by kind --csv --xlsx '%s/u.xlsx'", dir);
    assert_int_equal(run(out, sizeof out, args), 2);
}

static void test_admin_commands_and_their_exit_codes(void **state)
{
    (void)state;
    static char out[OUTPUT_MAX];
    assert_int_equal(
        run(out, sizeof out, "site add lilleby --name 'Lilleby sykehjem' --kind sykehjem"), 0);
    assert_int_equal(run(out, sizeof out, "site add lilleby --name 'Igjen' --kind sykehjem"), 4);
    assert_int_equal(run(out, sizeof out, "site list"), 0);
    assert_non_null(strstr(out, "lilleby\tsykehjem\tLilleby sykehjem"));
    assert_int_equal(run(out, sizeof out, "device add nowhere --name X"), 3);
    assert_non_null(strstr(out, "no site"));
    assert_int_equal(run(out, sizeof out, "device revoke 99"), 3);
    assert_int_equal(run(out, sizeof out,
                         "activity add lilleby --date 2026-11-23 --start 10:00 "
                         "--end 12:00 --title Sangstund --place Peisestua"),
                     0);
    assert_int_equal(run(out, sizeof out,
                         "activity add lilleby --date 2026-02-30 --start 10:00 "
                         "--end 12:00 --title X"),
                     2);
}

static void test_device_token_is_printed_once_and_works(void **state)
{
    (void)state;
    static char out[OUTPUT_MAX];
    assert_int_equal(run(out, sizeof out, "site add lilleby --name Lilleby --kind sykehjem"), 0);
    char command[1024];
    snprintf(command, sizeof command,
             "TILSTEDE_CENTRAL_DB='%s' '%s' device add lilleby --name A1 2>/dev/null", db,
             CENTRAL_BIN);
    FILE *pipe = popen(command, "r");
    char token[128] = "";
    assert_non_null(fgets(token, sizeof token, pipe));
    assert_int_equal(pclose(pipe), 0);
    token[strcspn(token, "\n")] = '\0';
    assert_int_equal(strlen(token), 43);
    /* Only its hash is kept: the text is nowhere in the database. */
    snprintf(command, sizeof command, "grep -c '%s' '%s' >/dev/null", token, db);
    assert_int_not_equal(system(command), 0);
    assert_int_equal(run(out, sizeof out, "device list"), 0);
    assert_null(strstr(out, token));
    assert_non_null(strstr(out, "active"));
    assert_int_equal(run(out, sizeof out, "device revoke 1"), 0);
    assert_int_equal(run(out, sizeof out, "device revoke 1"), 3);
}

static void test_serve_answers_and_stops_cleanly_on_sigterm(void **state)
{
    (void)state;
    static char out[OUTPUT_MAX];
    assert_int_equal(run(out, sizeof out, "site list"), 0); /* creates the database */
    int err_pipe[2];
    assert_int_equal(pipe(err_pipe), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(err_pipe[1], STDERR_FILENO);
        close(err_pipe[0]);
        execl(CENTRAL_BIN, CENTRAL_BIN, "serve", "--listen", "127.0.0.1:0", "--db", db,
              (char *)NULL);
        _exit(127);
    }
    close(err_pipe[1]);
    FILE *err = fdopen(err_pipe[0], "r");
    char line[256] = "";
    assert_non_null(fgets(line, sizeof line, err));
    const char *port = strstr(line, "(port ");
    assert_non_null(port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/health", atoi(port + 6));
    CURL *curl = curl_easy_init();
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    curl_easy_cleanup(curl);
    fclose(sink);

    assert_int_equal(kill(pid, SIGTERM), 0);
    int wstatus = 0;
    for (int i = 0; i < 100 && waitpid(pid, &wstatus, WNOHANG) == 0; i++)
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
    fclose(err);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_and_version_exit_0_and_wrong_usage_exits_2, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report_writes_a_workbook_with_a_sheet_per_grouping,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_commands_and_their_exit_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_token_is_printed_once_and_works, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_serve_answers_and_stops_cleanly_on_sigterm, setup,
                                        teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
