/* A real PostgreSQL 15 server of the test process's own: initdb and pg_ctl
 * in a temporary directory, listening only on a Unix socket in that
 * directory (no TCP port to collide with anything), run as `nobody` when
 * the test runs as root (PostgreSQL refuses root). Started once per test
 * process and shared by its tests, each of which takes a fresh database;
 * stopped and removed at exit. */
#ifndef TILSTEDE_TEST_PG_SERVER_H
#define TILSTEDE_TEST_PG_SERVER_H

#include <stddef.h>

/* Where the server binaries are; TILSTEDE_PG_BINDIR overrides it. */
#define PG_SERVER_BINDIR "/usr/lib/postgresql/15/bin"

/* Starts the shared server unless it runs: 0, or -1 with err set. */
int pg_server_start(char *err, size_t errlen);
/* Stops the server and removes its directory (also run at exit). */
void pg_server_stop(void);
/* A new, empty database on the shared server; its libpq URI in uri
 * ("postgresql:///NAME?host=DIR&user=tilstede"). 0, or -1 with err set. */
int pg_server_database(char *uri, size_t cap, char *err, size_t errlen);
/* Stops the server (fast shutdown) and starts it again on the same
 * directory, for the tests of a database that goes away: 0 or -1. */
int pg_server_halt(char *err, size_t errlen);
int pg_server_resume(char *err, size_t errlen);
/* The server's data directory ("" before it started). */
const char *pg_server_dir(void);

#endif
