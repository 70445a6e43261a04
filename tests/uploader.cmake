# The kiosk's uploader: outbox bookkeeping, the client against a real
# tilstede-central on loopback (plain and TLS), faults injected by a proxy.
if(NOT TARGET tilstede_uploader AND TARGET tilstede_sync)
  # Until sync/CMakeLists.txt includes it itself.
  include(${PROJECT_SOURCE_DIR}/sync/uploader.cmake)
endif()
if(TARGET tilstede_uploader AND TARGET tilstede_central)
  foreach(name outbox faults thread clock recovery stuck corrections milestone)
    tilstede_test(test_uploader_${name} SOURCES test_uploader_${name}.c uploader_harness.c
      central_fixture.c pg_server.c LIBS tilstede_uploader tilstede_central PkgConfig::CURL)
  endforeach()
  # A central correction decides the kiosk's milestone, on both backends
  # (central_fixture.c reads TILSTEDE_CENTRAL_BACKEND, as pg.cmake's variants).
  add_test(NAME test_uploader_milestone_pg COMMAND test_uploader_milestone)
  get_test_property(test_uploader_milestone ENVIRONMENT milestone_environment)
  set_tests_properties(test_uploader_milestone_pg PROPERTIES
    ENVIRONMENT "${milestone_environment};TILSTEDE_CENTRAL_BACKEND=postgresql" TIMEOUT 300)
  tilstede_bench(bench_uploader SOURCES bench_uploader.c uploader_harness.c central_fixture.c pg_server.c
    LIBS tilstede_uploader tilstede_central PkgConfig::CURL)
endif()
# The real tilstedectl against a receiver written from PROTOCOL.md alone.
if(TARGET tilstedectl)
  add_test(NAME test_uploader_doc COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_uploader_doc.sh
    ${TILSTEDE_RUN_DIR} ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/doc)
  set_tests_properties(test_uploader_doc PROPERTIES TIMEOUT 120)
  add_test(NAME test_uploader_doc_refused COMMAND bash
    ${CMAKE_CURRENT_SOURCE_DIR}/test_uploader_doc_refused.sh ${TILSTEDE_RUN_DIR}
    ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/doc)
  set_tests_properties(test_uploader_doc_refused PROPERTIES TIMEOUT 120)
endif()
# Roster answers from that receiver: undated papers, full answers that leave rows out.
if(TARGET tilstedectl)
  foreach(name undated full wake reader_state)
    add_test(NAME test_uploader_doc_${name} COMMAND bash
      ${CMAKE_CURRENT_SOURCE_DIR}/test_uploader_doc_${name}.sh
      ${TILSTEDE_RUN_DIR} ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/doc-${name})
    set_tests_properties(test_uploader_doc_${name} PROPERTIES TIMEOUT 120)
  endforeach()
endif()
