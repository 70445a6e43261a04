#!/bin/sh
# A clean arm64 Debian 12 root for the emulated board (test_deploy.sh
# vm-arm64), made entirely on this amd64 host: debootstrap minbase with the
# packages named in $1 (a comma list: the boot's own and the kiosk
# package's Depends), made once and kept as a tarball in TILSTEDE_CACHE
# (default /var/cache/tilstede), named by a hash of what it is made from:
# this script, the package list and the mirror. Prints the tarball's path.
#
# This machine cannot run arm64 programs by itself (no binfmt_misc in the
# container), so debootstrap's second stage (every package's maintainer
# scripts, run in a chroot) cannot run here; run on the emulated board it
# took over two hours (update-initramfs alone 40 minutes, twice). Instead
# debootstrap only resolves and downloads, the packages are unpacked with
# dpkg-deb, and what their maintainer scripts would leave is written here,
# most of it by the host's own systemd tools, which take --root (the same
# commands Debian's scripts run with DPKG_ROOT): the users and groups, the
# machine id, the enabled units, the modules' index, the
# alternatives, and a dpkg database that lists every unpacked package as
# installed, so that `dpkg -i` of the kiosk's package on the board runs its
# real postinst against it. The board boots with a small initramfs of our
# own (busybox-static, the virtio and ext4 modules, switch_root), so
# initramfs-tools is unpacked like any package but never runs.
set -eu

include=${1:?packages, comma separated}
cache=${TILSTEDE_CACHE:-/var/cache/tilstede}
mirror=${TILSTEDE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
key=$( { cat "$0"; echo "$include"; echo "$mirror"; } | sha256sum | cut -c1-16)
tarball="$cache/arm64-vmroot-$key.tar"
if [ -s "$tarball" ]; then
    echo "$tarball"
    exit 0
fi
for tool in debootstrap dpkg-deb systemctl systemd-sysusers systemd-tmpfiles systemd-machine-id-setup depmod cpio readelf; do
    command -v "$tool" >/dev/null || { echo "arm64_vm_root: no $tool (deploy/install-deps.sh)" >&2; exit 1; }
done
say() { echo "arm64_vm_root: $*" >&2; }

mkdir -p "$cache"
work=$(mktemp -d "$cache/arm64-vmroot-work.XXXXXX")
# Kept when anything fails, for a look (debootstrap.log, the half-made root).
trap 'rc=$?; if [ $rc = 0 ]; then rm -rf "$work"; else say "failed, kept $work"; fi' EXIT
started=$(date +%s)

# 1. Resolve and download: debootstrap's own choice of the base system
# (Priority: required, and apt) plus $include and their dependencies.
say "downloading the arm64 packages from $mirror (once; a few minutes)"
if ! debootstrap --download-only --arch=arm64 --variant=minbase --include="$include,busybox-static" \
    bookworm "$work/dl" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -20 "$work/debootstrap.log" >&2
    exit 1
fi
archives="$work/dl/var/cache/apt/archives"

# 2. Unpack. Debian 12 is merged-/usr: the links first, and tar keeps them
# (what debootstrap does); owners by number, the root's ids are not ours.
root="$work/root"
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib"
for dir in bin sbin lib; do ln -s "usr/$dir" "$root/$dir"; done
admin="$root/var/lib/dpkg"
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers" "$admin/alternatives"
: >"$admin/status"
for deb in "$archives"/*.deb; do
    package=$(dpkg-deb -f "$deb" Package)
    # busybox-static is the initramfs's, not the root's.
    [ "$package" = busybox-static ] && continue
    dpkg-deb --fsys-tarfile "$deb" | tar -C "$root" --keep-directory-symlink --numeric-owner -xpf -
    control="$work/control/$package"
    mkdir -p "$control"
    dpkg-deb -e "$deb" "$control"
    # The dpkg database: the package installed, its files, its conffiles
    # with the sums dpkg compares on an upgrade.
    name=$package
    [ "$(dpkg-deb -f "$deb" Multi-Arch)" = same ] && name="$package:arm64"
    dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./$|/.|; t; s|^\./|/|; s|/$||' >"$admin/info/$name.list"
    {
        echo "Package: $package"
        echo "Status: install ok installed"
        dpkg-deb -f "$deb" | sed '/^Package:/d'
        if [ -s "$control/conffiles" ]; then
            echo "Conffiles:"
            while read -r conffile; do
                [ -f "$root$conffile" ] && echo " $conffile $(md5sum <"$root$conffile" | cut -d' ' -f1)"
            done <"$control/conffiles"
        fi
        echo
    } >>"$admin/status"
    for kind in md5sums shlibs symbols triggers; do
        [ -f "$control/$kind" ] && cp "$control/$kind" "$admin/info/$name.$kind"
    done
done
: >"$admin/available"
: >"$admin/diversions"
: >"$admin/statoverride"
say "unpacked $(grep -c '^Package:' "$admin/status") packages"

# 3. What the maintainer scripts would have left.
# base-passwd: the static users and groups; shadow: their shadow files.
cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
sed 's/^\([^:]*\):.*/\1:*:19000:0:99999:7:::/' "$root/etc/passwd" >"$root/etc/shadow"
sed 's/^\([^:]*\):.*/\1:*::/' "$root/etc/group" >"$root/etc/gshadow"
chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
chgrp 42 "$root/etc/shadow" "$root/etc/gshadow" # shadow, in group.master
# systemd, udev, timesyncd: their system users and groups (sysusers.d),
# the tmpfiles, the machine id (not empty: an empty one is a "first boot"
# to systemd, which would then enable every unit by its presets). udev's
# hwdb is compiled by the board itself on its first boot (the host has no
# systemd-hwdb; systemd-hwdb-update.service runs while /etc/.updated is
# missing), in the install boot before the measured ones.
systemd-sysusers --root="$root" >&2
# udev's postinst adds these with addgroup (its rules name them).
printf 'g input -\ng sgx -\ng kvm -\ng render -\n' | systemd-sysusers --root="$root" - >&2
systemd-tmpfiles --root="$root" --create >/dev/null 2>&1 || true
systemd-machine-id-setup --root="$root" >&2
mkdir -p "$root/var/log/journal"
# The units the packages' postinst scripts enable (deb-systemd-helper, and
# systemd's own getty@tty1, remote-fs, pstore).
units=$(cat "$work"/control/*/postinst 2>/dev/null |
    sed -n "s/.*deb-systemd-helper enable '\([^']*\)'.*/\1/p; s/.*systemctl \${DPKG_ROOT:+--root=\"\$DPKG_ROOT\"} enable \([^ ]*\).*/\1/p" |
    sort -u)
# shellcheck disable=SC2086
systemctl --root="$root" enable $units >&2
# update-alternatives --install LINK NAME PATH PRIORITY with literal paths
# (awk, which, pager, ...): the highest priority wins, as in a real install.
cat "$work"/control/*/postinst |
    sed -n 's/.*update-alternatives --install \(\/[^ $"]*\) \([^ $"]*\) \(\/[^ $"]*\) \([0-9][0-9]*\).*/\4 \1 \2 \3/p' |
    sort -rn | while read -r priority link alt path; do
        [ -L "$root/etc/alternatives/$alt" ] && continue
        mkdir -p "$root/etc/alternatives"
        ln -s "$path" "$root/etc/alternatives/$alt"
        ln -sfn "/etc/alternatives/$alt" "$root$link"
        printf 'auto\n%s\n\n%s\n%s\n\n' "$link" "$path" "$priority" >"$admin/alternatives/$alt"
    done
# debianutils: /etc/shells from the shells the packages name (its own
# script, which takes --root). login: its empty files. tzdata: UTC, its
# answer when nobody is asked.
sh "$root/usr/sbin/update-shells" --root "$root"
for f in var/log/faillog etc/subuid etc/subgid; do install -m 0644 /dev/null "$root/$f"; done
ln -sfn /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
echo Etc/UTC >"$root/etc/timezone"
# base-files: the directories and files its first configure makes.
for dir in mnt srv opt etc/opt var/opt media usr/local/bin usr/local/sbin usr/local/lib \
    usr/local/share/man usr/local/include usr/local/src usr/local/etc; do
    mkdir -p "$root/$dir"
done
ln -sfn share/man "$root/usr/local/man"
install -d -m 2775 -g 8 "$root/var/mail" # mail
[ -e "$root/var/spool/mail" ] || ln -s ../mail "$root/var/spool/mail"
for log in wtmp btmp lastlog; do install -m 0664 -g 43 /dev/null "$root/var/log/$log"; done # utmp
chmod 0660 "$root/var/log/btmp"
[ -e "$root/etc/dpkg/origins/default" ] || ln -s debian "$root/etc/dpkg/origins/default"
cp -p "$root/usr/share/base-files/dot.profile" "$root/root/.profile"
cp -p "$root/usr/share/base-files/dot.bashrc" "$root/root/.bashrc"
for f in profile motd; do [ -f "$root/etc/$f" ] || cp -p "$root/usr/share/base-files/$f" "$root/etc/$f"; done

# 4. The kernel: the modules' index, and the initramfs that mounts the root.
version=$(ls "$root/lib/modules")
depmod -b "$root" "$version"
modules="$root/lib/modules/$version"
dpkg-deb -x "$(ls "$archives"/busybox-static_*_arm64.deb | head -1)" "$work/busybox"
initrd="$work/initrd"
mkdir -p "$initrd/bin" "$initrd/proc" "$initrd/sys" "$initrd/dev" "$initrd/mnt" "$initrd/modules"
cp "$work/busybox/bin/busybox" "$initrd/bin/busybox"
: >"$work/order"
add_module() { # add_module NAME: its dependencies first (from its .modinfo), then itself
    # (sh has no local variables: the path is looked up again after the
    # recursion, which overwrites it)
    grep -qx "$1" "$work/order" && return 0
    [ -n "$(find "$modules" -name "$1.ko")" ] || { say "no module $1 in $version"; exit 1; }
    for dep in $(readelf -p .modinfo "$(find "$modules" -name "$1.ko" | head -1)" |
        sed -n 's/.*depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    cp "$(find "$modules" -name "$1.ko" | head -1)" "$initrd/modules/$1.ko"
    echo "$1" >>"$work/order"
}
# crc32c first: ext4's metadata checksums ask the crypto API for it, and
# there is no modprobe to load it on demand.
for m in crc32c_generic virtio_pci virtio_blk ext4; do add_module "$m"; done
{
    echo '#!/bin/busybox sh'
    echo '# The root on the first virtio disk, as the kernel command line says (rw or ro), then systemd.'
    echo '/bin/busybox --install -s /bin'
    echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev'
    sed 's|.*|insmod /modules/&.ko|' "$work/order"
    cat <<'INIT'
mode=ro
for arg in $(cat /proc/cmdline); do
    case $arg in rw) mode=rw ;; ro) mode=ro ;; esac
done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; sleep 1; done
mount -t ext4 -o "$mode" /dev/vda /mnt || { echo "initramfs: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys
mount --move /dev /mnt/dev
exec switch_root /mnt /sbin/init
INIT
} >"$initrd/init"
chmod 0755 "$initrd/init"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$root/boot/initrd.img-$version"

rm -f "$root/etc/hostname" "$root/etc/resolv.conf"
tar -C "$root" --numeric-owner --xattrs -cpf "$work/root.tar" .
mv "$work/root.tar" "$tarball"
say "made $tarball in $(($(date +%s) - started)) s"
echo "$tarball"
