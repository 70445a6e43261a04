#!/bin/sh
# Unpacks the arm64 -dev packages the kiosk is built against into a sysroot
# for cmake/aarch64-linux-gnu.cmake, and prints its directory.
#
# Why not multiarch (dpkg --add-architecture arm64): libnfc-dev:arm64 pulls
# libusb-dev, which is not Multi-Arch: same, so it cannot sit beside the
# amd64 libnfc-dev the host build needs. Here apt runs with its own state
# (no dpkg status, arm64 only) and only downloads; dpkg-deb -x unpacks. The
# host's packages are never touched, and nothing runs under emulation.
#
# The sysroot is kept outside the clone (CI starts from a fresh clone each
# time), under TILSTEDE_CACHE (default /var/cache/tilstede), keyed by a hash
# of what it is made from: this script, the package list and the host's
# Debian sources (release and snapshot).
set -eu

cache=${TILSTEDE_CACHE:-/var/cache/tilstede}
packages="
    libc6-dev libsdl2-dev libsdl2-ttf-dev libsqlite3-dev libcurl4-openssl-dev
    libnfc-dev libjansson-dev libsodium-dev libinih-dev libmicrohttpd-dev
    libcmocka-dev libpng-dev libsystemd-dev libpq-dev libxlsxwriter-dev
    libargon2-dev libegl-dev libgles-dev libegl1-mesa libgles2 libgl1-mesa-dri
    libasan8 libubsan1 libical-dev
"
sources=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
key=$( { cat "$0"; echo "$packages"; echo "$sources"; } | sha256sum | cut -c1-16)
root="$cache/arm64-sysroot-$key"
if [ -f "$root/.complete" ]; then
    echo "$root"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/arm64-sysroot-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/state/lists/partial" "$work/apt/cache/archives/partial" \
    "$work/apt/parts" "$work/root"
: >"$work/apt/state/status"
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed 's/^Types: deb$/Types: deb\nArchitectures: arm64/' "$f" \
        >"$work/apt/parts/$(basename "$f")"
done
if [ -f /etc/apt/sources.list ]; then
    sed 's/^deb \([^[]\)/deb [arch=arm64] \1/' /etc/apt/sources.list >"$work/apt/parts/main.list"
fi
cat >"$work/apt/apt.conf" <<CONF
Dir::State "$work/apt/state";
Dir::State::status "$work/apt/state/status";
Dir::Cache "$work/apt/cache";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$work/apt/parts";
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
CONF
export APT_CONFIG="$work/apt/apt.conf"
apt-get -q update >&2
# shellcheck disable=SC2086
apt-get -q install --download-only --no-install-recommends -y $packages >&2
# A dpkg database of the sysroot's own (dpkg-shlibdeps asks dpkg-query, with
# DPKG_ADMINDIR, which package holds a library and reads its symbols): the
# file lists name the paths inside the sysroot as they will be after the move.
admin="$work/root/var/lib/tilstede-dpkg"
mkdir -p "$admin/info" "$admin/updates"
: >"$admin/status"
echo 1 >"$admin/info/format" # multiarch names: info/libfoo1:arm64.list
printf 'amd64\narm64\n' >"$admin/arch"
for deb in "$work"/apt/cache/archives/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
    package=$(dpkg-deb -f "$deb" Package)
    arch=$(dpkg-deb -f "$deb" Architecture)
    name=$package
    [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && name="$package:$arch"
    dpkg-deb -f "$deb" Package Version Architecture Multi-Arch Maintainer Depends Source \
        Description >>"$admin/status"
    printf 'Status: install ok installed\n\n' >>"$admin/status"
    dpkg-deb -c "$deb" | awk '{print $6}' | sed "s|^\./|$root/|; s|/\$||; s|^\.\$|/|" \
        >"$admin/info/$name.list"
    control=$(mktemp -d "$work/control.XXXXXX")
    dpkg-deb -e "$deb" "$control"
    for kind in shlibs symbols; do
        [ -f "$control/$kind" ] && cp "$control/$kind" "$admin/info/$name.$kind"
    done
    rm -rf "$control"
done
# Debian 12 is merged-/usr; the packages alone do not make the links.
ln -sfn usr/lib "$work/root/lib"
# Absolute links (libz.so -> /lib/...) would point into the host: make them relative.
find "$work/root" -type l -lname '/*' | while read -r link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$work/root$target")" "$link"
done
touch "$work/root/.complete"
rm -rf "$root"
mv "$work/root" "$root"
echo "$root"
