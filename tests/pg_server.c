/* The test process's own PostgreSQL server (pg_server.h). */
#include "pg_server.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG_USER           "tilstede"
#define PG_START_WAIT_S   "60"
#define PG_UNPRIVILEGED   "nobody"
#define PG_SOCKET_PATH_MAX 100 /* sun_path is 108 with ".s.PGSQL.5432" inside */

static char server_dir[256];
static char data_dir[300];
static char bindir[200];
static int started;
static int database_counter;

const char *pg_server_dir(void) { return data_dir; }

/* Runs a server binary to completion (as `nobody` when we are root), its
 * output appended to the directory's log: its exit status, or -1. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char log[340];
        snprintf(log, sizeof log, "%s/commands.log", server_dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (geteuid() == 0) {
            struct passwd *pw = getpwnam(PG_UNPRIVILEGED);
            if (!pw || setgid(pw->pw_gid) || setuid(pw->pw_uid))
                _exit(126);
        }
        char path[400];
        snprintf(path, sizeof path, "%s/%s", bindir, argv[0]);
        execv(path, argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir[0])
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int pg_ctl_start(void)
{
    char options[1200], log[340];
    /* No TCP at all: the socket in our own directory is the only way in.
     * fsync off for the tests (a crash of the machine is not what they
     * test), on when TILSTEDE_PG_DURABLE is set (the benchmark, so the
     * figures compare with SQLite's synchronous=FULL). */
    const char *durable = getenv("TILSTEDE_PG_DURABLE");
    /* TILSTEDE_PG_OPTIONS adds to them, e.g. for the benchmark's profile
     * (bench_central: pg_stat_statements). */
    const char *extra = getenv("TILSTEDE_PG_OPTIONS");
    snprintf(options, sizeof options,
             "-k %s -c listen_addresses= -c max_connections=200 -c shared_buffers=128MB "
             "-c fsync=%s -c synchronous_commit=%s -c full_page_writes=%s %s",
             data_dir, durable ? "on" : "off", durable ? "on" : "off", durable ? "on" : "off",
             extra ? extra : "");
    snprintf(log, sizeof log, "%s/server.log", server_dir);
    char *argv[] = {"pg_ctl", "-D", data_dir, "-l", log, "-w", "-t", PG_START_WAIT_S, "-s",
                    "-o", options, "start", NULL};
    return run(argv) == 0 ? 0 : -1;
}

static int pg_ctl_stop(const char *mode)
{
    char *argv[] = {"pg_ctl", "-D", data_dir, "-w", "-s", "-m", (char *)mode, "stop", NULL};
    return run(argv) == 0 ? 0 : -1;
}

void pg_server_stop(void)
{
    if (!started)
        return;
    started = 0;
    pg_ctl_stop("fast");
    remove_tree(server_dir);
    server_dir[0] = data_dir[0] = '\0';
}

/* A process that outlives us only to stop the server when we die without
 * running atexit (abort, a failed assertion, kill): it waits for the end
 * of a pipe only we hold open. */
static void start_reaper(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[1]);
        char byte;
        while (read(fds[0], &byte, 1) < 0 && errno == EINTR)
            ;
        struct stat st;
        if (stat(data_dir, &st) == 0) {
            pg_ctl_stop("immediate");
            remove_tree(server_dir);
        }
        _exit(0);
    }
    close(fds[0]);
    /* fds[1] stays open for the life of the process, closed on exec. */
}

int pg_server_start(char *err, size_t errlen)
{
    if (started)
        return 0;
    const char *env_bin = getenv("TILSTEDE_PG_BINDIR");
    snprintf(bindir, sizeof bindir, "%s", env_bin && env_bin[0] ? env_bin : PG_SERVER_BINDIR);
    char initdb[260];
    snprintf(initdb, sizeof initdb, "%s/initdb", bindir);
    if (access(initdb, X_OK)) {
        snprintf(err, errlen, "%s: not found; run deploy/install-deps.sh (postgresql-15)", initdb);
        return -1;
    }
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    if (!tmp || !tmp[0] || strlen(tmp) > PG_SOCKET_PATH_MAX - 40)
        tmp = "/tmp";
    snprintf(server_dir, sizeof server_dir, "%s/pg-XXXXXX", tmp);
    if (!mkdtemp(server_dir)) {
        snprintf(err, errlen, "%s: %s", server_dir, strerror(errno));
        server_dir[0] = '\0';
        return -1;
    }
    snprintf(data_dir, sizeof data_dir, "%s/data", server_dir);
    /* The server's user owns the directory; we, as root, can still read
     * and remove it. */
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam(PG_UNPRIVILEGED);
        if (!pw || chown(server_dir, pw->pw_uid, pw->pw_gid)) {
            snprintf(err, errlen, "%s: cannot hand it to user %s", server_dir, PG_UNPRIVILEGED);
            goto fail;
        }
    }
    chmod(server_dir, 0755);
    char *init_argv[] = {"initdb", "-D", data_dir, "-U", PG_USER, "-A", "trust", "-E", "UTF8",
                         "--locale=C", "--no-sync", "--no-instructions", NULL};
    if (run(init_argv) != 0) {
        snprintf(err, errlen, "initdb in %s failed (see %s/commands.log)", data_dir, server_dir);
        goto fail;
    }
    if (pg_ctl_start()) {
        snprintf(err, errlen, "pg_ctl start in %s failed (see %s/server.log)", data_dir,
                 server_dir);
        goto fail;
    }
    started = 1;
    start_reaper();
    atexit(pg_server_stop);
    return 0;
fail:
    remove_tree(server_dir);
    server_dir[0] = data_dir[0] = '\0';
    return -1;
}

int pg_server_database(char *uri, size_t cap, char *err, size_t errlen)
{
    if (pg_server_start(err, errlen))
        return -1;
    char conninfo[400], name[64], sql[100];
    snprintf(conninfo, sizeof conninfo, "host=%s dbname=postgres user=" PG_USER, data_dir);
    snprintf(name, sizeof name, "t%ld_%d", (long)getpid(), ++database_counter);
    PGconn *conn = PQconnectdb(conninfo);
    int rc = -1;
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errlen, "connecting to the test server: %s", PQerrorMessage(conn));
        goto out;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        snprintf(err, errlen, "%s: %s", sql, PQerrorMessage(conn));
    else
        rc = 0;
    PQclear(res);
    snprintf(uri, cap, "postgresql:///%s?host=%s&user=" PG_USER, name, data_dir);
out:
    PQfinish(conn);
    return rc;
}

int pg_server_halt(char *err, size_t errlen)
{
    if (!started || pg_ctl_stop("fast")) {
        snprintf(err, errlen, "pg_ctl stop failed (see %s/commands.log)", server_dir);
        return -1;
    }
    return 0;
}

int pg_server_resume(char *err, size_t errlen)
{
    if (!started || pg_ctl_start()) {
        snprintf(err, errlen, "pg_ctl start failed (see %s/server.log)", server_dir);
        return -1;
    }
    return 0;
}
