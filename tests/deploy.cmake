# Deployment: recovery of the database at start and the nightly backups
# (C, cmocka), and the packaging as a municipality's IT meets it (shell,
# tests/test_deploy.sh): the units, the backup script, both .deb, lintian,
# and an install into a clean Debian 12 root. The tools come from
# deploy/install-deps.sh (systemd, lintian, debootstrap, dpkg-dev, fakeroot).
tilstede_test(test_deploy_recovery SOURCES test_deploy_recovery.c)

set(deploy_script ${CMAKE_CURRENT_SOURCE_DIR}/test_deploy.sh)
set(deploy_work ${CMAKE_BINARY_DIR}/deploy-test)

add_test(NAME test_deploy_units
         COMMAND bash ${deploy_script} units ${PROJECT_SOURCE_DIR} ${deploy_work})
set_tests_properties(test_deploy_units PROPERTIES TIMEOUT 120)

add_test(NAME test_deploy_backup_script
         COMMAND bash ${deploy_script} backup-script ${PROJECT_SOURCE_DIR} ${deploy_work}
                 $<TARGET_FILE:tilstedectl>)
set_tests_properties(test_deploy_backup_script PROPERTIES TIMEOUT 120
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=${TILSTEDE_ASAN_LEAKS};UBSAN_OPTIONS=print_stacktrace=1")

# A separate Release tree for /usr (not this one, which may carry the
# sanitizers), then cpack. The two tests after it use its packages.
add_test(NAME test_deploy_packages
         COMMAND bash ${deploy_script} packages ${PROJECT_SOURCE_DIR} ${deploy_work})
set_tests_properties(test_deploy_packages PROPERTIES TIMEOUT 1800 FIXTURES_SETUP deploy_debs)

add_test(NAME test_deploy_lintian
         COMMAND bash ${deploy_script} lintian ${PROJECT_SOURCE_DIR} ${deploy_work})
set_tests_properties(test_deploy_lintian PROPERTIES TIMEOUT 600 FIXTURES_REQUIRED deploy_debs)

# Needs root (chroot, mounts) and Debian's mirror; the clean root is made
# once and cached as build/deploy-cache/bookworm-minbase.tar.gz.
add_test(NAME test_deploy_debootstrap
         COMMAND bash ${deploy_script} debootstrap ${PROJECT_SOURCE_DIR} ${deploy_work})
set_tests_properties(test_deploy_debootstrap PROPERTIES TIMEOUT 3600 FIXTURES_REQUIRED deploy_debs
  RUN_SERIAL TRUE)

# A clean Debian 12 booted under QEMU (systemd as PID 1, udev, the kernel's
# DRM display, a PN532 on an emulated USB-serial adapter): needs root, the
# mirror, qemu-system-x86 and about 5 minutes under emulation.
add_executable(vm_reader ${CMAKE_CURRENT_SOURCE_DIR}/vm_reader.c)
target_link_libraries(vm_reader PRIVATE pn532_sim)
add_test(NAME test_deploy_vm
         COMMAND bash ${deploy_script} vm ${PROJECT_SOURCE_DIR} ${deploy_work}
                 $<TARGET_FILE:vm_reader>)
set_tests_properties(test_deploy_vm PROPERTIES TIMEOUT 3600 FIXTURES_REQUIRED deploy_debs
  RUN_SERIAL TRUE)

# The same boot on the kiosk's arm64 board (issue 18): qemu-system-aarch64's
# virt machine, virtio-gpu, the same PN532 and checks, with the arm64 .deb
# of test_arm64_packages (arm64.cmake) in a clean arm64 Debian 12 root that
# tests/arm64_vm_root.sh makes on this host and caches in
# /var/cache/tilstede: about 5 minutes cached, 3 more to make the root.
if(NOT CMAKE_CROSSCOMPILING)
  add_test(NAME test_arm64_vm
           COMMAND bash ${deploy_script} vm-arm64 ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/arm64-test
                   $<TARGET_FILE:vm_reader>)
  set_tests_properties(test_arm64_vm PROPERTIES TIMEOUT 2700 FIXTURES_REQUIRED arm64_debs
    RUN_SERIAL TRUE)
endif()

# The shell tests share deploy_work: never two at once (ctest -j).
set_tests_properties(test_deploy_units test_deploy_backup_script test_deploy_packages
  test_deploy_lintian test_deploy_debootstrap test_deploy_vm PROPERTIES RESOURCE_LOCK deploy_work)
