#!/bin/sh
# Installs what Tilstede needs to build, test and run on Debian 12.
# Safe to run any number of times: apt-get skips what is already installed.
# Run as root, or as a user who may use sudo.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi

# Build tools and the libraries on the design card, plus the test tools:
# cmocka (unit tests), libpng (the UI's screenshots), chromium (the central's
# dashboard, headless; with chromium-driver and python3-selenium the web
# app's browser test drives it, npm fetches axe-core for it), xvfb, and lintian, debootstrap, systemd-analyze,
# dpkg-dev (the packages and units of deploy/), qemu and e2fsprogs (the
# packages booted in a virtual machine; qemu-system-arm's
# qemu-system-aarch64 boots the arm64 package on the emulated board, with
# the arm64 Debian kernel loaded directly, so no UEFI firmware is needed;
# cpio packs the initramfs it boots with, and kmod's depmod indexes the
# root's modules, tests/arm64_vm_root.sh), libxlsxwriter (the central's Excel
# workbooks) with python3-openpyxl to read them back in the tests, and
# python3-aiosmtpd (a real SMTP server on loopback for the monthly mail).
# libical-dev reads the services' Outlook calendars (activity import).
# libpq-dev is the central's PostgreSQL backend, postgresql-15 the real
# server its tests start of their own (/usr/lib/postgresql/15/bin).
packages="
    build-essential cmake pkg-config git ca-certificates
    libsdl2-dev libsdl2-ttf-dev libsqlite3-dev sqlite3
    libcurl4-openssl-dev libnfc-dev libnfc-bin
    libjansson-dev libsodium-dev libinih-dev libmicrohttpd-dev
    gettext libcmocka-dev libpng-dev libsystemd-dev
    fonts-dejavu-core
    openssl curl python3 tzdata
    chromium xvfb xauth
    chromium-driver python3-selenium
    lintian debootstrap systemd file dpkg-dev
    qemu-system-x86 qemu-system-arm e2fsprogs cpio kmod
    libpq-dev postgresql-15
    libxlsxwriter-dev python3-openpyxl python3-aiosmtpd
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static
    libical-dev
"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    # Refresh the package lists only when something is missing, so a second
    # run on a ready machine needs no network.
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "install-deps: everything is installed"
fi

# axe-core (the accessibility checker the web app's browser test runs in the
# page) is not packaged by Debian: npm installs one pinned version into a
# fixed directory outside any clone.
AXE_DIR=/usr/local/lib/tilstede-test
AXE_VERSION=4.10.2
# npm comes with Node.js (Debian's npm package, or nodesource's nodejs).
if ! command -v npm > /dev/null; then
    apt-get install -y -qq --no-install-recommends npm
fi
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    echo "install-deps: installing axe-core $AXE_VERSION into $AXE_DIR"
    mkdir -p "$AXE_DIR"
    npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION"
fi
