#!/bin/sh
# A clean arm64 Debian 12 root for the emulated board (test_deploy.sh
# vm-arm64): debootstrap minbase with the packages named in $1 (a comma
# list: the boot's own and the kiosk package's Depends), made once and kept
# as a tarball in TILSTEDE_CACHE (default /var/cache/tilstede), named by a
# hash of what it is made from: this script, the package list and the
# mirror. Prints the tarball's path.
#
# This machine cannot run arm64 programs by itself (no binfmt_misc in the
# container), so debootstrap's second stage cannot run in a chroot here:
# `debootstrap --foreign` unpacks the base system on the host, then the
# root is booted once under qemu-system-aarch64 with a small initramfs of
# our own (busybox-static and the kernel modules for the virtio disk and
# ext4, from the root's own packages), which runs the second stage in a
# chroot on the guest, where arm64 is native, and writes the finished
# root as a tar stream onto a second virtio disk.
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
for tool in debootstrap qemu-system-aarch64 mkfs.ext4 cpio readelf; do
    command -v "$tool" >/dev/null || { echo "arm64_vm_root: no $tool (deploy/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "$cache"
work=$(mktemp -d "$cache/arm64-vmroot-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "arm64_vm_root: debootstrap --foreign arm64 from $mirror (once; about 15 minutes with the boot)" >&2
if ! debootstrap --foreign --arch=arm64 --variant=minbase --include="$include,busybox-static" \
    bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -20 "$work/debootstrap.log" >&2
    exit 1
fi

# The second stage's initramfs: busybox and the modules, in load order.
archives="$work/root/var/cache/apt/archives"
dpkg-deb -x "$(ls "$archives"/linux-image-[0-9]*_arm64.deb | head -1)" "$work/kernel"
dpkg-deb -x "$(ls "$archives"/busybox-static_*_arm64.deb | head -1)" "$work/busybox"
version=$(ls "$work/kernel/lib/modules")
modules="$work/kernel/lib/modules/$version"
initrd="$work/initrd"
mkdir -p "$initrd/bin" "$initrd/proc" "$initrd/sys" "$initrd/dev" "$initrd/mnt" "$initrd/modules"
cp "$work/busybox/bin/busybox" "$initrd/bin/busybox"
: >"$work/order"
add_module() { # add_module NAME: its dependencies first (from its .modinfo), then itself
    # (sh has no local variables: the path is looked up again after the
    # recursion, which overwrites it)
    grep -qx "$1" "$work/order" && return 0
    [ -n "$(find "$modules" -name "$1.ko")" ] || { echo "arm64_vm_root: no module $1 in $version" >&2; exit 1; }
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
    echo '/bin/busybox --install -s /bin'
    echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev'
    sed 's|.*|insmod /modules/&.ko|' "$work/order"
    cat <<'INIT'
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vdb ] && break; sleep 1; done
mount -t ext4 /dev/vda /mnt || { echo "STAGE2 FAIL mount"; poweroff -f; }
mount --bind /dev /mnt/dev; mount -t proc proc /mnt/proc; mount -t sysfs sysfs /mnt/sys
if chroot /mnt /debootstrap/debootstrap --second-stage; then
    chroot /mnt dpkg --purge busybox-static
    chroot /mnt apt-get clean
    rm -f /mnt/etc/hostname /mnt/etc/resolv.conf
    chroot /mnt tar -C / --one-file-system --numeric-owner --xattrs -cpf /dev/vdb . &&
        sync && echo "STAGE2 OK"
else
    echo "STAGE2 FAIL second stage"
    tail -30 /mnt/debootstrap/debootstrap.log
fi
umount /mnt/sys /mnt/proc /mnt/dev
umount /mnt
poweroff -f
INIT
} >"$initrd/init"
chmod 0755 "$initrd/init"
(cd "$initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

mkfs.ext4 -q -F -d "$work/root" "$work/root.img" 4G >&2
truncate -s 4G "$work/out.tar"
started=$(date +%s)
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 2048 -accel tcg -no-reboot -nic none \
    -display none -serial "file:$work/console.log" -monitor none \
    -kernel "$work/kernel/boot/vmlinuz-$version" -initrd "$work/initrd.gz" \
    -append "console=ttyAMA0 rdinit=/init" \
    -drive "file=$work/root.img,format=raw,if=virtio" \
    -drive "file=$work/out.tar,format=raw,if=virtio" >"$work/qemu.log" 2>&1 || true
if ! grep -q '^STAGE2 OK' "$work/console.log"; then
    tail -40 "$work/console.log" >&2
    echo "arm64_vm_root: the second stage in the guest failed" >&2
    exit 1
fi
echo "arm64_vm_root: second stage in the guest: $(($(date +%s) - started)) s" >&2
# The tar stream ends with its end-of-archive blocks; the disk's rest is zeros.
size=$(tar -tvf "$work/out.tar" --totals 2>&1 >/dev/null | sed -n 's/^Total bytes read: \([0-9]*\).*/\1/p')
[ -n "$size" ] || { echo "arm64_vm_root: the guest's tar stream does not read" >&2; exit 1; }
truncate -s "$size" "$work/out.tar"
mv "$work/out.tar" "$tarball"
echo "$tarball"
