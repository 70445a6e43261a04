/* A throw-away PostgreSQL 15 server for the shell tests (tests/pg_server.c):
 * starts it, makes one empty database, prints its URI on a line, and
 * stops and removes the server on SIGTERM or SIGINT, or when the process
 * that started it dies. Usage: pg_scratch > uri-file & ... kill $! */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "pg_server.h"

int main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    char uri[512], err[512];
    if (pg_server_start(err, sizeof err) || pg_server_database(uri, sizeof uri, err, sizeof err)) {
        fprintf(stderr, "pg_scratch: %s\n", err);
        return 1;
    }
    printf("%s\n", uri);
    fflush(stdout);
    int signal_number = 0;
    sigwait(&stop, &signal_number);
    return 0; /* atexit stops the server and removes its directory */
}
