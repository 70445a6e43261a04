# Cross-compiling for the kiosk's arm64 board (Raspberry Pi 4/5 class) with
# Debian's aarch64-linux-gnu gcc, against the sysroot deploy/arm64-sysroot.sh
# unpacks (-DTILSTEDE_SYSROOT=DIR; it prints DIR).
set(CMAKE_SYSTEM_NAME Linux)
# try_compile projects are made afresh: hand them the sysroot too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES TILSTEDE_SYSROOT)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
if(NOT TILSTEDE_SYSROOT)
  message(FATAL_ERROR "aarch64 toolchain: give -DTILSTEDE_SYSROOT=DIR (deploy/arm64-sysroot.sh prints it)")
endif()
set(CMAKE_SYSROOT "${TILSTEDE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${TILSTEDE_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config reads the board's .pc files, never the host's.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${TILSTEDE_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${TILSTEDE_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${TILSTEDE_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# Tests run on this machine through qemu-user, with the sysroot's libraries.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L "${TILSTEDE_SYSROOT}")
