# The central's web app (sync/central/web/): its door (sessions, CSRF,
# roles, single sign-on) over real HTTP on loopback.
if(TARGET tilstede_central)
  tilstede_test(test_central_web SOURCES test_central_web.c web_client.c central_fixture.c
    pg_server.c LIBS tilstede_central PkgConfig::CURL)
  # The reports, the annual report and a volunteer's statement.
  tilstede_test(test_central_web_reports SOURCES test_central_web_reports.c web_client.c
    central_fixture.c pg_server.c LIBS tilstede_central PkgConfig::CURL)
  target_compile_definitions(test_central_web_reports PRIVATE
    XLSX_READBACK="${CMAKE_CURRENT_SOURCE_DIR}/xlsx_readback.py")
  target_compile_definitions(test_central_web PRIVATE ICAL_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
  # Sessions shared by two programs on one database.
  target_compile_definitions(test_central_web PRIVATE CENTRAL_BIN="${TILSTEDE_RUN_DIR}/tilstede-central")
  add_dependencies(test_central_web tilstede-central)
endif()
# The pages in headless Chromium (Selenium), axe-core on each (issue 13).
if(TARGET tilstede-central)
  add_test(NAME test_web_browser COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/test_web_browser.py
    ${TILSTEDE_RUN_DIR} ${CMAKE_CURRENT_BINARY_DIR}/web_browser)
  set_tests_properties(test_web_browser PROPERTIES TIMEOUT 360)
endif()
# The reports, the annual report and a statement in headless Chromium, as
# the coordinator and as a contact; the downloads read back (openpyxl).
if(TARGET tilstede-central)
  add_test(NAME test_web_reports_browser COMMAND /usr/bin/python3
    ${CMAKE_CURRENT_SOURCE_DIR}/test_web_reports_browser.py ${TILSTEDE_RUN_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/web_reports_browser)
  set_tests_properties(test_web_reports_browser PROPERTIES TIMEOUT 240)
endif()
# The web app's gettext catalogues: all translated (msgfmt --statistics).
add_test(NAME test_central_po COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_central_po.sh
  ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/central_po)
