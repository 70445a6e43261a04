# The kiosk for its arm64 board (issue 18), from this amd64 tree: a cross
# build against the cached sysroot (deploy/arm64-sysroot.sh) whose own test
# suite runs under qemu-user, and the arm64 packages with their real
# dependencies (tests/test_arm64.sh). Not inside a cross build itself.
if(NOT CMAKE_CROSSCOMPILING)
  set(arm64_script ${CMAKE_CURRENT_SOURCE_DIR}/test_arm64.sh)
  set(arm64_work ${CMAKE_BINARY_DIR}/arm64-test)
  add_test(NAME test_arm64_suite
           COMMAND bash ${arm64_script} suite ${PROJECT_SOURCE_DIR} ${arm64_work})
  set_tests_properties(test_arm64_suite PROPERTIES TIMEOUT 3000)
  add_test(NAME test_arm64_packages
           COMMAND bash ${arm64_script} packages ${PROJECT_SOURCE_DIR} ${arm64_work})
  # Its arm64 .deb is what test_arm64_vm (deploy.cmake) boots.
  set_tests_properties(test_arm64_packages PROPERTIES TIMEOUT 1800 FIXTURES_SETUP arm64_debs)
endif()
