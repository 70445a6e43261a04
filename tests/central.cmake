# tilstede-central (sync/central): the receiver's API, fetching events back,
# roster, reports, TLS, a volunteer's data on request (GDPR), its log, and its
# benchmark. Real HTTP on loopback through libcurl.
if(TARGET tilstede_central)
  tilstede_test(test_central_protocol SOURCES test_central_protocol.c LIBS tilstede_sync)
  # A weekly activity plan expanded into dated occurrences (issue 13, 3).
  tilstede_test(test_central_plan SOURCES test_central_plan.c LIBS tilstede_central)
  # A service's Outlook calendar imported into those plans (issue 13, 3).
  tilstede_test(test_central_ical SOURCES test_central_ical.c LIBS tilstede_central)
  target_compile_definitions(test_central_ical PRIVATE ICAL_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
  # A kiosk is silent for time its site was open only (issue 13, 4).
  tilstede_test(test_central_opening SOURCES test_central_opening.c LIBS tilstede_central)
  foreach(name api batch fetch roster report tls gdpr questions edges totals)
    tilstede_test(test_central_${name} SOURCES test_central_${name}.c central_fixture.c pg_server.c
      LIBS tilstede_central PkgConfig::CURL)
  endforeach()
  # The workbook read back with openpyxl, cell by cell (issue 14).
  tilstede_test(test_central_xlsx SOURCES test_central_xlsx.c central_fixture.c pg_server.c
    LIBS tilstede_central PkgConfig::CURL)
  target_compile_definitions(test_central_xlsx PRIVATE
    XLSX_READBACK="${CMAKE_CURRENT_SOURCE_DIR}/xlsx_readback.py")
  tilstede_test(test_central_cli SOURCES test_central_cli.c LIBS PkgConfig::CURL)
  target_compile_definitions(test_central_cli PRIVATE CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central")
  add_dependencies(test_central_cli tilstede-central)
  # Its log holds no names, volunteer ids, card hashes, tokens or passwords
  # (issue 6): the real program, driven over HTTP.
  tilstede_test(test_central_logs SOURCES test_central_logs.c
    LIBS tilstede_central PkgConfig::CURL PkgConfig::JANSSON)
  target_compile_definitions(test_central_logs PRIVATE CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central")
  add_dependencies(test_central_logs tilstede-central)
  tilstede_bench(bench_central SOURCES bench_central.c central_fixture.c pg_server.c
    LIBS tilstede_central PkgConfig::CURL PkgConfig::LIBPQ)
  target_compile_definitions(bench_central PRIVATE CENTRAL_BIN="$<TARGET_FILE:tilstede-central>")
  add_dependencies(bench_central tilstede-central)
endif()
