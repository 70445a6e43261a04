# The tests' own PostgreSQL 15 server (tests/pg_server.c), which the
# central's tests on the PostgreSQL backend share, one per test process.
tilstede_test(test_pg_server SOURCES test_pg_server.c pg_server.c LIBS PkgConfig::LIBPQ)

# The central's tests on the in-process fixture run a second time on
# PostgreSQL (TILSTEDE_CENTRAL_BACKEND, read by tests/central_fixture.c):
# test_central_api on SQLite, test_central_api_pg on PostgreSQL. The CLI
# and log tests start the program on a file of their own and stay on SQLite.
# tests/CMakeLists.txt calls this once every part is read, so the tests of
# parts after this one (web.cmake) get their variant too.
function(tilstede_pg_variants)
  get_property(central_tests DIRECTORY PROPERTY TESTS)
  foreach(test ${central_tests})
    if(test MATCHES "^test_central_" AND NOT test MATCHES "^test_central_(protocol|cli|logs)$"
       AND NOT test MATCHES "_pg$" AND NOT test MATCHES "^test_central_pg_" AND TARGET ${test})
      add_test(NAME ${test}_pg COMMAND ${test})
      get_test_property(${test} ENVIRONMENT environment)
      set_tests_properties(${test}_pg PROPERTIES
        ENVIRONMENT "${environment};TILSTEDE_CENTRAL_BACKEND=postgresql" TIMEOUT 300)
    endif()
  endforeach()
endfunction()
if(TARGET tilstede_central)
  # The PostgreSQL schema: from empty and from every earlier version.
  tilstede_test(test_central_pg_schema SOURCES test_central_pg_schema.c pg_server.c
    LIBS tilstede_central)
  # Two central processes on one database, a process killed mid-batch, the
  # database server restarted under a kiosk's uploads.
  tilstede_test(test_central_pg_cluster SOURCES test_central_pg_cluster.c central_fixture.c
    pg_server.c LIBS tilstede_central PkgConfig::CURL)
  target_compile_definitions(test_central_pg_cluster PRIVATE
    CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central")
  add_dependencies(test_central_pg_cluster tilstede-central)
  # The configuration file's postgres key, as --db postgresql://... is.
  tilstede_test(test_central_pg_conf SOURCES test_central_pg_conf.c pg_server.c
    LIBS PkgConfig::LIBPQ)
  target_compile_definitions(test_central_pg_conf PRIVATE
    CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central")
  add_dependencies(test_central_pg_conf tilstede-central)
  # tilstede-central migrate: SQLite to PostgreSQL, the reports and every
  # table of the SQLite schema compared.
  tilstede_test(test_central_pg_migrate SOURCES test_central_pg_migrate.c central_fixture.c
    pg_server.c LIBS tilstede_central PkgConfig::CURL PkgConfig::LIBPQ PkgConfig::SQLITE3)
endif()
