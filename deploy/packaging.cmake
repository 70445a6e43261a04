# Debian packages with CPack: `tilstede` (the kiosk: tilstede, tilstedectl,
# assets, translations, units, udev rules, the example configuration) and
# `tilstede-central` (the receiver, its unit, an nginx TLS example).
# Included at the end of the top-level CMakeLists.txt, after every target:
#   include(deploy/packaging.cmake)
# Build them from a tree configured for /usr:
#   cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DTILSTEDE_TESTS=OFF
#   cmake --build build-pkg -j2 && (cd build-pkg && cpack)   # -> build-pkg/packages/*.deb
#
# The other directories' install() rules put everything in the default
# component; the packages take only the two components defined here, so
# what goes into which package is decided in this one file.
include(GNUInstallDirs)

set(TILSTEDE_PACKAGE_MAINTAINER "Tilstede maintainers <tilstede@example.org>"
    CACHE STRING "Maintainer field of the Debian packages")
set(deploy ${PROJECT_SOURCE_DIR}/deploy)
set(pkg_gen ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${pkg_gen})

# --- the documentation every package needs: copyright and changelog ---
# Debian's machine-readable copyright: the project's licence, and the
# sounds' (the fonts are links to Debian's fonts-dejavu-core).
function(tilstede_license_paragraph out_var file)
  file(STRINGS ${file} lines)
  set(text "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "")
      string(APPEND text " .\n")
    else()
      string(APPEND text " ${line}\n")
    endif()
  endforeach()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()
tilstede_license_paragraph(eupl_text ${PROJECT_SOURCE_DIR}/LICENSE)
tilstede_license_paragraph(sounds_text ${PROJECT_SOURCE_DIR}/assets/sounds/LICENSE)
set(copyright_head "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Tilstede
Upstream-Contact: ${TILSTEDE_PACKAGE_MAINTAINER}

Files: *
Copyright: 2026 the Tilstede authors
License: EUPL-1.2
${eupl_text}")
file(WRITE ${pkg_gen}/copyright-central "${copyright_head}")
file(WRITE ${pkg_gen}/copyright-kiosk "${copyright_head}
Files: usr/share/tilstede/sounds/*
Copyright: 2026 the Tilstede authors
License: CC0-1.0
${sounds_text}")

# A native package's changelog (Debian format), compressed as Debian wants.
string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
foreach(package tilstede tilstede-central)
  file(WRITE ${pkg_gen}/changelog-${package} "${package} (${PROJECT_VERSION}) unstable; urgency=medium

  * Release ${PROJECT_VERSION}. See the project's history for the changes.

 -- ${TILSTEDE_PACKAGE_MAINTAINER}  ${changelog_date}
")
  file(MAKE_DIRECTORY ${pkg_gen}/${package})
  execute_process(COMMAND gzip -9nc ${pkg_gen}/changelog-${package}
                  OUTPUT_FILE ${pkg_gen}/${package}/changelog.gz)
endforeach()

# --- tilstede: the kiosk ---
set(kiosk_doc ${CMAKE_INSTALL_DATADIR}/doc/tilstede)
if(TARGET tilstede)
  install(TARGETS tilstede RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/sounds
          DESTINATION ${CMAKE_INSTALL_DATADIR}/tilstede COMPONENT kiosk
          PATTERN "make-sounds.py" EXCLUDE PATTERN "LICENSE" EXCLUDE)
  # The DejaVu fonts are Debian's own (fonts-dejavu-core): link to them
  # rather than carry a second copy that misses Debian's updates.
  file(GLOB kiosk_fonts RELATIVE ${PROJECT_SOURCE_DIR}/assets/fonts
       ${PROJECT_SOURCE_DIR}/assets/fonts/DejaVu*.ttf)
  file(MAKE_DIRECTORY ${pkg_gen}/fonts)
  foreach(font IN LISTS kiosk_fonts)
    # Relative, as Debian wants: /usr/share/tilstede/fonts -> /usr/share/fonts.
    file(CREATE_LINK ../../fonts/truetype/dejavu/${font} ${pkg_gen}/fonts/${font} SYMBOLIC)
    install(FILES ${pkg_gen}/fonts/${font} DESTINATION ${CMAKE_INSTALL_DATADIR}/tilstede/fonts
            COMPONENT kiosk)
  endforeach()
  # The catalogues ui/ compiles into the build tree (nb, nn, en).
  if(TILSTEDE_LOCALE_BUILD_DIR)
    install(DIRECTORY ${TILSTEDE_LOCALE_BUILD_DIR}/ DESTINATION ${CMAKE_INSTALL_LOCALEDIR}
            COMPONENT kiosk FILES_MATCHING PATTERN "tilstede.mo")
  endif()
endif()
if(TARGET tilstedectl)
  install(TARGETS tilstedectl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
endif()
install(FILES ${deploy}/tilstede.conf.example DESTINATION /etc/tilstede RENAME tilstede.conf
        COMPONENT kiosk)
install(FILES ${deploy}/systemd/tilstede.service ${deploy}/systemd/tilstede-backup.service
              ${deploy}/systemd/tilstede-backup.timer
        DESTINATION /lib/systemd/system COMPONENT kiosk)
install(FILES ${deploy}/systemd/pcscd-tilstede.conf DESTINATION /lib/systemd/system/pcscd.service.d
        RENAME tilstede.conf COMPONENT kiosk)
install(FILES ${deploy}/systemd/pcscd-tilstede.conf DESTINATION /lib/systemd/system/pcscd.socket.d
        RENAME tilstede.conf COMPONENT kiosk)
install(FILES ${deploy}/udev/60-tilstede-reader.rules DESTINATION /lib/udev/rules.d COMPONENT kiosk)
install(FILES ${deploy}/modprobe.d/tilstede.conf DESTINATION /lib/modprobe.d COMPONENT kiosk)
install(PROGRAMS ${deploy}/scripts/tilstede-backup DESTINATION lib/tilstede
        COMPONENT kiosk)
install(FILES ${deploy}/README.md DESTINATION ${kiosk_doc} COMPONENT kiosk)
install(FILES ${pkg_gen}/copyright-kiosk DESTINATION ${kiosk_doc} RENAME copyright COMPONENT kiosk)
install(FILES ${pkg_gen}/tilstede/changelog.gz DESTINATION ${kiosk_doc} COMPONENT kiosk)

# --- tilstede-central: the receiver ---
set(central_doc ${CMAKE_INSTALL_DATADIR}/doc/tilstede-central)
set(central_exists FALSE)
if(TARGET tilstede-central)
  set(central_exists TRUE)
  install(TARGETS tilstede-central RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT central)
  install(FILES ${deploy}/systemd/tilstede-central.service DESTINATION /lib/systemd/system
          COMPONENT central)
  install(FILES ${deploy}/central.conf.example DESTINATION /etc/tilstede-central
          RENAME central.conf COMPONENT central)
  install(FILES ${deploy}/nginx/tilstede-central.conf DESTINATION ${central_doc}/examples/nginx
          COMPONENT central)
  install(FILES ${deploy}/apache/tilstede-central-sso.conf
          DESTINATION ${central_doc}/examples/apache COMPONENT central)
  install(FILES ${deploy}/README.md DESTINATION ${central_doc} COMPONENT central)
  if(EXISTS ${PROJECT_SOURCE_DIR}/sync/PROTOCOL.md)
    install(FILES ${PROJECT_SOURCE_DIR}/sync/PROTOCOL.md DESTINATION ${central_doc} COMPONENT central)
  endif()
  install(FILES ${pkg_gen}/copyright-central DESTINATION ${central_doc} RENAME copyright
          COMPONENT central)
  install(FILES ${pkg_gen}/tilstede-central/changelog.gz DESTINATION ${central_doc}
          COMPONENT central)
endif()

# --- CPack ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tilstede)
set(CPACK_PACKAGE_VENDOR "Tilstede")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${TILSTEDE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES TRUE)
# /etc and /lib are where Debian 12 wants these files; CPack's DEB
# generator installs absolute destinations into the package as they are.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_COMPONENTS_ALL kiosk)
if(central_exists)
  list(APPEND CPACK_COMPONENTS_ALL central)
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TILSTEDE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(CMAKE_CROSSCOMPILING AND TILSTEDE_SYSROOT)
  # Cross-built for the board: dpkg-shlibdeps finds the arm64 libraries in the
  # sysroot and asks the sysroot's own dpkg database (deploy/arm64-sysroot.sh)
  # for their packages and symbols, so the Depends are the board's.
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
      ${TILSTEDE_SYSROOT}/usr/lib/aarch64-linux-gnu ${TILSTEDE_SYSROOT}/lib/aarch64-linux-gnu)
  # cpack runs dpkg-shlibdeps as a child: its environment is set in the
  # project config file below (CPack reads one only).
  set(cpack_cross_env
      "set(ENV{DPKG_ADMINDIR} \"${TILSTEDE_SYSROOT}/var/lib/tilstede-dpkg\")
set(ENV{DEB_HOST_ARCH} arm64)
set(ENV{DEB_HOST_MULTIARCH} aarch64-linux-gnu)
set(ENV{DEB_HOST_GNU_TYPE} aarch64-linux-gnu)
")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME tilstede)
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION misc)
# adduser for the postinst; the fonts linked above; a time daemon, because the kiosk's hours are
# only as good as its clock (deploy/README.md, "The clock"). SDL's kmsdrm driver draws through
# EGL and OpenGL ES, which SDL opens at run time (no shared-library dependency to find), and
# Mesa's DRI drivers (vc4/v3d on a Pi) are only recommended by those: an install without
# recommends had no screen at all (test_deploy_vm).
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    "adduser, fonts-dejavu-core, systemd-timesyncd | time-daemon, libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri")
set(CPACK_DEBIAN_KIOSK_DESCRIPTION "check-in kiosk for volunteers in elder care
Tilstede is a check-in appliance for volunteers in Norwegian elder care:
a touchscreen and an NFC card reader at a nursing home's entrance.
Volunteers tap a card or choose their name when they come and go; the
kiosk keeps the events in a local database, works without a network, and
uploads them to the municipality's central receiver.

This package holds the kiosk (full screen on tty1 under systemd),
tilstedectl, udev rules for the ACR122U and PN532 readers, and a nightly
backup of the database.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    ${deploy}/debian/tilstede/postinst ${deploy}/debian/tilstede/prerm
    ${deploy}/debian/tilstede/postrm ${deploy}/debian/tilstede/conffiles)

set(CPACK_DEBIAN_CENTRAL_PACKAGE_NAME tilstede-central)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_CENTRAL_PACKAGE_DEPENDS "adduser")
# PostgreSQL: the database a municipality's IT may run it on (the postgres
# key of /etc/tilstede-central/central.conf, or --db postgresql://...); SQLite, built in, stays the default for one municipality.
set(CPACK_DEBIAN_CENTRAL_PACKAGE_RECOMMENDS "postgresql")
set(CPACK_DEBIAN_CENTRAL_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_CENTRAL_DESCRIPTION "central receiver for Tilstede check-in kiosks
Tilstede is a check-in appliance for volunteers in Norwegian elder care.
The central receiver takes the events the kiosks upload, turns them into
volunteer hours per site, activity and month, and serves the volunteer
coordinator's dashboard.

It listens on the loopback interface only; an example nginx configuration
for TLS in front of it is in /usr/share/doc/tilstede-central/examples.")
set(CPACK_DEBIAN_CENTRAL_PACKAGE_CONTROL_EXTRA
    ${deploy}/debian/tilstede-central/postinst ${deploy}/debian/tilstede-central/prerm
    ${deploy}/debian/tilstede-central/postrm ${deploy}/debian/tilstede-central/conffiles)

# Checked when cpack runs: a tree configured for /usr/local has the wrong
# asset and locale paths compiled into the kiosk.
set(CPACK_PROJECT_CONFIG_FILE ${pkg_gen}/cpack-check.cmake)
file(WRITE ${pkg_gen}/cpack-check.cmake "
if(NOT \"${CMAKE_INSTALL_PREFIX}\" STREQUAL \"/usr\")
  message(FATAL_ERROR \"tilstede packages: this tree was configured with CMAKE_INSTALL_PREFIX=${CMAKE_INSTALL_PREFIX}; \"
                      \"the kiosk looks for its assets there. Configure a tree with -DCMAKE_INSTALL_PREFIX=/usr to package.\")
endif()
${cpack_cross_env}")

include(CPack)
