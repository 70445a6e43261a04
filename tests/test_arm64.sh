#!/usr/bin/env bash
# The kiosk for its arm64 board, cross-built on this amd64 machine against the
# sysroot deploy/arm64-sysroot.sh keeps in /var/cache/tilstede (made once,
# named by a hash of what it is made from; see deploy/README.md):
#   suite SRC WORK      a sanitized arm64 tree with its tests (-Werror, as
#                       the README's build); its test suite run under
#                       qemu-aarch64-static, leak detection off there only
#   packages SRC WORK   a Release arm64 tree for /usr, cpack: both arm64 .deb,
#                       aarch64 programs inside, and every shared library
#                       the programs need named in Depends by its package
# Each prints "test_arm64 MODE: PASS" last, or "FAIL: why" and exits 1.
set -euo pipefail

mode=${1:?mode}
src=${2:?source dir}
work=${3:?work dir}
mkdir -p "$work"

fail() {
    echo "test_arm64 $mode: FAIL: $*" >&2
    exit 1
}

sysroot=$("$src/deploy/arm64-sysroot.sh" 2>"$work/sysroot.log") ||
    { tail -20 "$work/sysroot.log"; fail "deploy/arm64-sysroot.sh"; }
echo "sysroot: $sysroot"
cross=(-DCMAKE_TOOLCHAIN_FILE="$src/cmake/aarch64-linux-gnu.cmake" -DTILSTEDE_SYSROOT="$sysroot")

# Left to the amd64 run, each for its reason:
#   test_deploy_*     packages, lintian, a debootstrapped root and the QEMU
#                     boot: amd64 tools around amd64 packages
#   test_web_browser  Chromium and its driver are the host's
#   test_month        a simulated month takes over 25 minutes under qemu-user;
#                     its rules are the same C as the arm64 suite's test_kiosk,
#                     test_rules and test_uploader_clock, which do run
amd64_only='^(test_deploy_(units|backup_script|packages|lintian|debootstrap|vm)|test_web_browser|test_month)$'

test_suite() {
    local build="$work/suite"
    cmake -S "$src" -B "$build" "${cross[@]}" -DTILSTEDE_SANITIZE=ON \
        >"$work/suite-configure.log" 2>&1 || { tail -30 "$work/suite-configure.log"; fail "configure"; }
    local start=$SECONDS
    cmake --build "$build" -j2 >"$work/suite-build.log" 2>&1 ||
        { grep -E 'error|warning' "$work/suite-build.log" | head -30; fail "the arm64 build (-Werror)"; }
    echo "arm64 build: $((SECONDS - start)) s"
    echo "left to the amd64 run:"
    ctest --test-dir "$build" -N -R "$amd64_only" | grep 'Test *#' || true
    start=$SECONDS
    ctest --test-dir "$build" -j2 -E "$amd64_only" --output-on-failure ||
        fail "the arm64 suite under qemu-user"
    local ran
    ran=$(ctest --test-dir "$build" -N -E "$amd64_only" | sed -n 's/^Total Tests: //p')
    echo "test_arm64 suite: PASS ($ran tests under qemu-aarch64-static in $((SECONDS - start)) s)"
}

test_packages() {
    local build="$work/pkg"
    cmake -S "$src" -B "$build" "${cross[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX=/usr -DTILSTEDE_TESTS=OFF -DTILSTEDE_SANITIZE=OFF \
        "-DCMAKE_C_FLAGS=-D_FORTIFY_SOURCE=2 -fstack-protector-strong" \
        "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-z,relro -Wl,-z,now" \
        >"$work/pkg-configure.log" 2>&1 || { tail -30 "$work/pkg-configure.log"; fail "configure"; }
    cmake --build "$build" -j2 >"$work/pkg-build.log" 2>&1 ||
        { grep -E 'error|warning' "$work/pkg-build.log" | head -30; fail "build"; }
    rm -rf "$build/packages"
    (cd "$build" && cpack) >"$work/cpack.log" 2>&1 || { tail -30 "$work/cpack.log"; fail "cpack"; }
    local admin="$sysroot/var/lib/tilstede-dpkg/info"
    local deb program
    for deb in tilstede tilstede-central; do
        local file
        file=$(ls "$build/packages/${deb}"_*_arm64.deb 2>/dev/null) || fail "no ${deb}_*_arm64.deb"
        local depends
        depends=$(dpkg-deb -f "$file" Depends)
        echo "== $(basename "$file")"
        echo "Depends: $depends"
        [ "$(dpkg-deb -f "$file" Architecture)" = arm64 ] || fail "$deb: Architecture is not arm64"
        local root="$work/unpacked-$deb"
        rm -rf "$root"
        dpkg-deb -x "$file" "$root"
        for program in "$root"/usr/bin/*; do
            readelf -h "$program" | grep -q 'Machine:.*AArch64' ||
                fail "$deb: $(basename "$program") is not an aarch64 program"
            # Every library the program loads comes from a package it depends on.
            local lib
            for lib in $(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
                local owner
                owner=$(grep -l "/$lib\$" "$admin"/*.list | head -1)
                [ -n "$owner" ] || fail "$deb: no package in the sysroot holds $lib"
                owner=$(basename "$owner" .list)
                owner=${owner%:arm64}
                echo "$depends" | tr ',' '\n' | grep -q "^ *$owner\( \|\$\)" ||
                    fail "$deb: $(basename "$program") needs $lib ($owner), not in Depends"
            done
        done
    done
    # What SDL opens at run time (no NEEDED entry): the display on the board.
    for program in libegl1 libgles2 libgl1-mesa-dri; do
        dpkg-deb -f "$build/packages/"tilstede_*_arm64.deb Depends | grep -q "$program" ||
            fail "tilstede: $program (kmsdrm's EGL/GLES) not in Depends"
    done
    echo "test_arm64 packages: PASS"
}

case $mode in
suite) test_suite ;;
packages) test_packages ;;
*) fail "unknown mode" ;;
esac
