# A month at three sites with every fault seen in the field, the real
# tilstedectl and tilstede-central over loopback HTTP, the kiosks' clocks set
# by a preloaded shim; expected hours computed by the test (tests/month.py).
if(TARGET tilstede-central)
  add_library(month_clock MODULE month_clock.c)
  target_link_libraries(month_clock PRIVATE dl)
  # Not sanitized itself: it is preloaded into the sanitized programs.
  target_compile_options(month_clock PRIVATE -fno-sanitize=all)
  target_link_options(month_clock PRIVATE -fno-sanitize=all)
  add_test(NAME test_month COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/month.py
    ${TILSTEDE_RUN_DIR} $<TARGET_FILE:month_clock> ${CMAKE_CURRENT_BINARY_DIR}/month)
  set_tests_properties(test_month PROPERTIES TIMEOUT 300
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=${TILSTEDE_ASAN_LEAKS}")
endif()
