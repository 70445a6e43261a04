# The tests' own PostgreSQL 15 server (tests/pg_server.c), which the
# central's tests on the PostgreSQL backend share, one per test process.
tilstede_test(test_pg_server SOURCES test_pg_server.c pg_server.c LIBS PkgConfig::LIBPQ)
