#!/usr/bin/env bash
# The deployment, checked as a municipality's IT would meet it:
#   units SRC WORK            systemd-analyze verify (and security) on the units,
#                             the udev rules, the modprobe file, the scripts' syntax
#   backup-script SRC WORK CTL  deploy/scripts/tilstede-backup: names, check, keep 7
#   packages SRC WORK         a Release tree for /usr, then cpack: both .deb
#   lintian SRC WORK          lintian on the .deb: no errors
#   debootstrap SRC WORK      install the .deb into a clean Debian 12 root and run
#                             tilstedectl, the backup, the kiosk's demo, then
#                             upgrade (config kept), remove (data kept), purge
#   vm SRC WORK VM_READER     boot a clean Debian 12 with the kiosk's .deb under
#                             QEMU: systemd as PID 1 runs it on tty1 as its own
#                             user through the kernel's DRM display, udev gives it
#                             a PN532 on an emulated USB-serial adapter, a card
#                             tapped on the host is recorded and survives a
#                             power cut, the watchdog restarts a frozen kiosk;
#                             screenshots of the screen
# Each prints "test_deploy MODE: PASS" last, or "FAIL: why" and exits 1.
set -euo pipefail

mode=${1:?mode}
src=${2:?source dir}
work=${3:?work dir}
mkdir -p "$work"
packages="$work/pkg-build/packages"

fail_kept="" # what a failed test leaves for a look, named in its FAIL line
fail() {
    echo "test_deploy $mode: FAIL: $*${fail_kept:+ (kept: $fail_kept)}" >&2
    exit 1
}
pass() { echo "test_deploy $mode: PASS${1:+ ($1)}"; }

# --- units ----------------------------------------------------------------
test_units() {
    local root="$work/units-root"
    rm -rf "$root"
    mkdir -p "$root/lib/systemd/system" "$root/usr/bin" "$root/usr/lib/tilstede"
    # systemd's own units (the targets ours name), then ours.
    cp -a /lib/systemd/system/. "$root/lib/systemd/system/"
    cp "$src"/deploy/systemd/*.service "$src"/deploy/systemd/*.timer "$root/lib/systemd/system/"
    # verify insists that ExecStart= names an executable: stand-ins at
    # the installed paths (the packages test checks the real files).
    local exe
    for exe in /usr/bin/tilstede /usr/bin/tilstede-central /usr/lib/tilstede/tilstede-backup; do
        printf '#!/bin/sh\nexit 0\n' >"$root$exe"
        chmod 0755 "$root$exe"
    done
    local units=() unit out
    for unit in "$src"/deploy/systemd/*.service "$src"/deploy/systemd/*.timer; do
        units+=("/lib/systemd/system/$(basename "$unit")")
    done
    # Unknown keys and bad values are only warnings to systemd: any output fails.
    out=$(systemd-analyze verify --root="$root" "${units[@]}" 2>&1) ||
        fail "systemd-analyze verify: $out"
    [ -z "$out" ] || fail "systemd-analyze verify printed: $out"
    echo "systemd-analyze verify: ${units[*]##*/}: ok"

    # Exposure (0 safest .. 10): the central is reachable from the network
    # through the proxy and holds every site's data.
    local -A limit=([tilstede-central.service]=20 [tilstede-backup.service]=30 [tilstede.service]=45)
    for unit in "${!limit[@]}"; do
        out=$(systemd-analyze security --offline=true --root="$root" \
            --threshold="${limit[$unit]}" "/lib/systemd/system/$unit" 2>&1) ||
            fail "systemd-analyze security $unit above ${limit[$unit]}: $(echo "$out" | tail -1)"
        echo "$(echo "$out" | tail -1)"
    done

    # The pcscd drop-in is a plain [Unit] condition.
    grep -q '^ConditionPathExists=/etc/tilstede/allow-pcscd$' "$src/deploy/systemd/pcscd-tilstede.conf" ||
        fail "pcscd drop-in lost its condition"

    # udev: every rule line is KEY==/KEY= "value" pairs with known keys, and
    # gives the reader to the tilstede group.
    local rules="$src/deploy/udev/60-tilstede-reader.rules" n=0 line
    while IFS= read -r line; do
        case $line in '' | '#'*) continue ;; esac
        n=$((n + 1))
        local rest=$line
        rest=$(echo "$rest" | sed -E 's/(SUBSYSTEM|KERNEL|DRIVERS|ATTR\{[a-zA-Z_]+\}|ATTRS\{[a-zA-Z_]+\}|ENV\{[A-Z_]+\})==?"[^"]*"//g; s/(GROUP|MODE)="[^"]*"//g; s/SYMLINK\+="[^"]*"//g; s/[ ,]//g')
        [ -z "$rest" ] || fail "$rules: cannot read '$rest' in: $line"
        echo "$line" | grep -q 'GROUP="tilstede"' || fail "$rules: a rule without GROUP=\"tilstede\": $line"
    done <"$rules"
    for id in 'idVendor}=="072f", ATTR{idProduct}=="2200"' '"10c4"' '"1a86"' '"0403"'; do
        grep -qF "$id" "$rules" || fail "$rules: no rule for $id"
    done
    echo "udev rules: $n rules, all for the tilstede group"

    # modprobe: the three modules blacklisted, each reason written beside them.
    local conf="$src/deploy/modprobe.d/tilstede.conf" module
    for module in pn533_usb pn533 nfc; do
        grep -qx "blacklist $module" "$conf" || fail "$conf: $module not blacklisted"
    done
    grep -q 'libnfc' "$conf" || fail "$conf: the reason is missing"
    if grep -vE '^(#.*|blacklist [a-z0-9_]+|)$' "$conf"; then fail "$conf: lines above are not blacklist lines"; fi

    # Scripts: POSIX sh syntax.
    local script
    for script in "$src"/deploy/debian/*/postinst "$src"/deploy/debian/*/prerm \
        "$src"/deploy/debian/*/postrm "$src"/deploy/scripts/tilstede-backup; do
        sh -n "$script" || fail "$script: syntax"
        [ -x "$script" ] || fail "$script: not executable"
    done
    pass "${#units[@]} units, udev, modprobe, scripts"
}

# --- backup script ------------------------------------------------------------
test_backup_script() {
    local ctl=${4:?tilstedectl}
    local dir="$work/backup-script"
    rm -rf "$dir"
    mkdir -p "$dir/bin" "$dir/backup"
    # A demo database to back up, and a config naming it.
    printf '[store]\ndatabase = %s/tilstede.db\ncard_key = %s/card.key\n' "$dir" "$dir" >"$dir/tilstede.conf"
    "$ctl" --config "$dir/tilstede.conf" demo >/dev/null || fail "tilstedectl demo"
    # A clock the script reads through date(1): one night later each run.
    cat >"$dir/bin/date" <<EOF
#!/bin/sh
n=\$(cat "$dir/night" 2>/dev/null || echo 10)
echo \$((n + 1)) >"$dir/night"
printf '202611%02dT031500Z\n' "\$n"
EOF
    chmod 0755 "$dir/bin/date"
    cat >"$dir/bin/tilstedectl" <<EOF
#!/bin/sh
exec "$ctl" --config "$dir/tilstede.conf" "\$@"
EOF
    chmod 0755 "$dir/bin/tilstedectl"
    local night out
    for night in 1 2 3 4 5 6 7 8 9; do
        out=$(PATH="$dir/bin:$PATH" TILSTEDE_BACKUP_DIR="$dir/backup" "$src/deploy/scripts/tilstede-backup" 2>&1) ||
            fail "run $night: $out"
    done
    echo "$out"
    local kept
    kept=$(ls "$dir/backup")
    [ "$(echo "$kept" | wc -l)" = 7 ] || fail "kept: $kept"
    [ "$(echo "$kept" | head -1)" = tilstede-20261112T031500Z.db ] || fail "oldest kept: $(echo "$kept" | head -1)"
    [ "$(echo "$kept" | tail -1)" = tilstede-20261118T031500Z.db ] || fail "newest kept: $(echo "$kept" | tail -1)"
    [ "$(stat -c %a "$dir/backup/tilstede-20261118T031500Z.db")" = 600 ] || fail "a backup is not 0600"
    "$ctl" --config "$dir/tilstede.conf" --db "$dir/backup/tilstede-20261118T031500Z.db" check >/dev/null ||
        fail "the newest backup does not check"

    # A database that went bad: the backup fails and the seven stay.
    printf 'this is not a database at all, not even a header....................................' \
        | dd of="$dir/tilstede.db" conv=notrunc status=none
    rm -f "$dir/tilstede.db-wal" "$dir/tilstede.db-shm"
    if out=$(PATH="$dir/bin:$PATH" TILSTEDE_BACKUP_DIR="$dir/backup" "$src/deploy/scripts/tilstede-backup" 2>&1); then
        fail "a damaged database was backed up: $out"
    fi
    echo "$out" | grep -q 'older backups are kept' || fail "no clear message: $out"
    [ "$(ls "$dir/backup" | wc -l)" = 7 ] || fail "after a failed backup: $(ls "$dir/backup")"
    pass "9 nights, 7 kept, a damaged database rotates nothing out"
}

# --- packages -------------------------------------------------------------------
test_packages() {
    local build="$work/pkg-build"
    grep -q 'include(deploy/packaging.cmake)' "$src/CMakeLists.txt" ||
        fail "the top-level CMakeLists.txt does not include(deploy/packaging.cmake)"
    # Release, for /usr, with Debian's hardening flags; no tests. Extra
    # arguments (a developer's) in TILSTEDE_PKG_CMAKE_ARGS.
    # shellcheck disable=SC2086
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
        -DTILSTEDE_TESTS=OFF -DTILSTEDE_SANITIZE=OFF \
        "-DCMAKE_C_FLAGS=-D_FORTIFY_SOURCE=2 -fstack-protector-strong ${TILSTEDE_PKG_CMAKE_CFLAGS:-}" \
        "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-z,relro -Wl,-z,now" ${TILSTEDE_PKG_CMAKE_ARGS:-} \
        >"$work/pkg-configure.log" 2>&1 || { tail -30 "$work/pkg-configure.log"; fail "configure"; }
    cmake --build "$build" -j2 >"$work/pkg-build.log" 2>&1 || { tail -30 "$work/pkg-build.log"; fail "build"; }
    rm -rf "$packages"
    (cd "$build" && cpack) >"$work/cpack.log" 2>&1 || { tail -30 "$work/cpack.log"; fail "cpack"; }
    local deb kiosk central
    kiosk=$(ls "$packages"/tilstede_*.deb 2>/dev/null) || fail "no tilstede .deb"
    central=$(ls "$packages"/tilstede-central_*.deb 2>/dev/null) || fail "no tilstede-central .deb"
    for deb in "$kiosk" "$central"; do
        echo "== $(basename "$deb")"
        dpkg-deb -f "$deb" Package Version Depends
    done
    local listing
    listing=$(dpkg-deb -c "$kiosk")
    for path in ./usr/bin/tilstedectl ./etc/tilstede/tilstede.conf ./lib/systemd/system/tilstede.service \
        ./lib/systemd/system/tilstede-backup.timer ./lib/udev/rules.d/60-tilstede-reader.rules \
        ./lib/modprobe.d/tilstede.conf ./usr/lib/tilstede/tilstede-backup ./usr/share/doc/tilstede/copyright; do
        echo "$listing" | grep -q " $path\( \|$\)" || fail "$(basename "$kiosk") lacks $path"
    done
    if [ -x "$build/bin/tilstede" ]; then
        for path in ./usr/bin/tilstede ./usr/share/tilstede/sounds/in.wav ./usr/share/locale/nb/LC_MESSAGES/tilstede.mo; do
            echo "$listing" | grep -q " $path\( \|$\)" || fail "$(basename "$kiosk") lacks $path"
        done
    fi
    dpkg-deb --ctrl-tarfile "$kiosk" | tar -xOf - ./conffiles | grep -qx /etc/tilstede/tilstede.conf ||
        fail "/etc/tilstede/tilstede.conf is not a conffile"
    dpkg-deb --ctrl-tarfile "$central" | tar -xOf - ./conffiles |
        grep -qx /etc/tilstede-central/central.conf ||
        fail "/etc/tilstede-central/central.conf is not a conffile"
    listing=$(dpkg-deb -c "$central")
    for path in ./usr/bin/tilstede-central ./lib/systemd/system/tilstede-central.service \
        ./etc/tilstede-central/central.conf \
        ./usr/share/doc/tilstede-central/examples/nginx/tilstede-central.conf; do
        echo "$listing" | grep -q " $path\( \|$\)" || fail "$(basename "$central") lacks $path"
    done
    pass "$(basename "$kiosk") $(basename "$central")"
}

# --- lintian ---------------------------------------------------------------------
test_lintian() {
    ls "$packages"/*.deb >/dev/null 2>&1 || fail "no packages in $packages (test_deploy_packages first)"
    local out rc=0
    # Warnings are allowed (deploy/README.md lists the ones that remain and why).
    out=$(lintian --fail-on error "$packages"/*.deb 2>&1) || rc=$?
    echo "$out"
    [ $rc = 0 ] || fail "lintian found errors (exit $rc)"
    local warnings
    warnings=$(echo "$out" | grep -c '^W:' || true)
    pass "no errors, $warnings warnings"
}

# --- debootstrap -----------------------------------------------------------------
root=""
cleanup_root() {
    [ -n "$root" ] || return 0
    local m
    for m in dev/pts dev proc sys; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
    done
}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
as_kiosk() { in_root runuser -u tilstede -- sh -c "umask 077; $1"; }

# fresh_root NAME DIR [PACKAGES]: a clean Debian 12 root in DIR (global
# root), with proc, dev and the host's resolver, unmounted on exit. It is
# made by debootstrap (minbase, plus PACKAGES) once and cached as a tarball
# under the build directory; every run starts from a fresh copy of it.
fresh_root() {
    local name=$1 dir=$2 include=${3:-}
    local mirror=${TILSTEDE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    local cache="$work/../deploy-cache/bookworm-$name.tar.gz"
    mkdir -p "$(dirname "$cache")"
    if [ ! -s "$cache" ]; then
        local boot="$work/debootstrap-$name-new" log="$work/debootstrap-$name.log"
        rm -rf "$boot"
        echo "making a Debian 12 root ($name) with debootstrap from $mirror (once; a few minutes)"
        if ! debootstrap --variant=minbase ${include:+--include=$include} bookworm "$boot" "$mirror" \
            >"$log" 2>&1; then
            tail -20 "$log"
            fail "debootstrap bookworm from $mirror failed (log: $log)"
        fi
        tar -C "$boot" -czf "$cache.partial" . && mv "$cache.partial" "$cache"
        rm -rf "$boot"
    fi
    root=$dir
    rm -rf "$root"
    mkdir -p "$root"
    tar -C "$root" -xzf "$cache"
    trap cleanup_root EXIT
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
}

test_debootstrap() {
    local kiosk central
    kiosk=$(ls "$packages"/tilstede_*.deb 2>/dev/null) || fail "no tilstede .deb (test_deploy_packages first)"
    central=$(ls "$packages"/tilstede-central_*.deb 2>/dev/null) || fail "no tilstede-central .deb"
    fresh_root minbase "$work/debian12-root"
    cp "$kiosk" "$central" "$root/tmp/"
    local kdeb cdeb
    kdeb="/tmp/$(basename "$kiosk")"
    cdeb="/tmp/$(basename "$central")"

    in_root apt-get update -qq >"$work/apt.log" 2>&1 || { tail "$work/apt.log"; fail "apt-get update in the root"; }
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$kdeb" \
        >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "installing $(basename "$kiosk")"; }
    echo "installed $(basename "$kiosk") and its dependencies from Debian"

    local version
    version=$(in_root tilstedectl --version) || fail "tilstedectl --version"
    echo "tilstedectl --version: $version"
    in_root getent passwd tilstede >/dev/null || fail "no user tilstede"
    [ "$(in_root stat -c '%U:%G %a' /var/lib/tilstede)" = "tilstede:tilstede 750" ] ||
        fail "/var/lib/tilstede is $(in_root stat -c '%U:%G %a' /var/lib/tilstede)"
    [ -L "$root/etc/systemd/system/multi-user.target.wants/tilstede.service" ] ||
        fail "tilstede.service is not enabled"
    [ -L "$root/etc/systemd/system/timers.target.wants/tilstede-backup.timer" ] ||
        fail "tilstede-backup.timer is not enabled"

    # The kiosk user alone reads its database; the nightly backup works.
    as_kiosk "tilstedectl demo >/dev/null" || fail "tilstedectl demo as tilstede"
    [ "$(in_root stat -c '%U %a' /var/lib/tilstede/tilstede.db)" = "tilstede 600" ] ||
        fail "the database is $(in_root stat -c '%U %a' /var/lib/tilstede/tilstede.db)"
    [ "$(in_root stat -c '%U %a' /var/lib/tilstede/card.key)" = "tilstede 600" ] || fail "card.key mode"
    as_kiosk "TILSTEDE_BACKUP_DIR=/var/lib/tilstede/backup /usr/lib/tilstede/tilstede-backup" ||
        fail "the backup script in the root"
    ls "$root/var/lib/tilstede/backup/" | grep -qE '^tilstede-[0-9]{8}T[0-9]{6}Z\.db$' || fail "no backup made"

    # The kiosk's demo, headless, as the kiosk user.
    if [ -x "$root/usr/bin/tilstede" ]; then
        local rc=0 out
        out=$(in_root runuser -u tilstede -- env SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy \
            SDL_RENDER_DRIVER=software timeout 5 tilstede --demo --windowed 800x480 2>&1) || rc=$?
        echo "$out" | tail -5
        # 124: still running when timeout stopped it, which is the point.
        [ $rc = 124 ] || [ $rc = 0 ] || fail "tilstede --demo exited $rc"
        echo "tilstede --demo ran headless for 5 s"
    else
        echo "no /usr/bin/tilstede in the package (ui/ not built): demo not run"
    fi

    # Upgrade (the same package again): the local configuration stays.
    echo "# changed by the municipality" >>"$root/etc/tilstede/tilstede.conf"
    in_root env DEBIAN_FRONTEND=noninteractive dpkg -i "$kdeb" >>"$work/apt.log" 2>&1 || fail "reinstall"
    grep -q 'changed by the municipality' "$root/etc/tilstede/tilstede.conf" || fail "the configuration was replaced"

    # Remove: the data and the configuration stay. Purge: they go.
    in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq tilstede >>"$work/apt.log" 2>&1 || fail "remove"
    [ ! -e "$root/usr/bin/tilstedectl" ] || fail "tilstedectl left after remove"
    [ -f "$root/var/lib/tilstede/tilstede.db" ] || fail "remove deleted the database"
    [ -f "$root/etc/tilstede/tilstede.conf" ] || fail "remove deleted the configuration"
    in_root env DEBIAN_FRONTEND=noninteractive dpkg --purge tilstede >>"$work/apt.log" 2>&1 || fail "purge"
    [ ! -e "$root/var/lib/tilstede" ] || fail "purge left /var/lib/tilstede"
    [ ! -e "$root/etc/tilstede" ] || fail "purge left /etc/tilstede"
    [ ! -e "$root/lib/udev/rules.d/60-tilstede-reader.rules" ] || fail "purge left the udev rules"

    # The central.
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$cdeb" \
        >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; fail "installing $(basename "$central")"; }
    echo "tilstede-central --version: $(in_root tilstede-central --version)"
    [ "$(in_root stat -c '%U:%G %a' /var/lib/tilstede-central)" = "tilstede-central:tilstede-central 750" ] ||
        fail "/var/lib/tilstede-central is $(in_root stat -c '%U:%G %a' /var/lib/tilstede-central)"
    [ "$(in_root stat -c '%U:%G %a' /etc/tilstede-central/central.conf)" = "root:tilstede-central 640" ] ||
        fail "/etc/tilstede-central/central.conf is $(in_root stat -c '%U:%G %a' /etc/tilstede-central/central.conf)"
    in_root env DEBIAN_FRONTEND=noninteractive dpkg --purge tilstede-central >>"$work/apt.log" 2>&1 ||
        fail "purge tilstede-central"
    [ ! -e "$root/var/lib/tilstede-central" ] || fail "purge left /var/lib/tilstede-central"

    cleanup_root
    trap - EXIT
    rm -rf "$root"
    pass "installed in a clean Debian 12 root: $version"
}

# --- vm ------------------------------------------------------------------------
# The guest reports on its first serial port (a file on the host) between
# "VMCHECK key=value" lines; the host answers through the emulated reader.
vm_check_script() {
    cat <<'GUEST'
#!/bin/sh
# test_deploy vm: runs in the guest after each boot, reports on /dev/ttyS0.
# First boot: the checks, a card tap, then the host pulls the plug. Second
# boot: what survived the power cut, then the watchdog.
say() { echo "VMCHECK $*"; }
unit() { systemctl show tilstede -p "$1" --value; }
journal() { journalctl -b -u tilstede --no-pager -o cat; }
present_count() {
    runuser -u tilstede -- tilstedectl --json present 2>/dev/null |
        sed -n 's/.*"count": *\([0-9]*\).*/\1/p'
}
if grep -q 'tilstede_vmcheck=0' /proc/cmdline; then
    # arm64's boot 0: the package is installed on the board itself (no
    # arm64 dpkg can run on the host), from the clean root whose only
    # packages besides the boot's are its Depends; nothing is started.
    # The root was unpacked on the host (tests/arm64_vm_root.sh), which
    # cannot run two postinst steps that need the board's own programs:
    # libc-bin's ldconfig, and libpam-runtime's PAM stack (through debconf).
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    if ldconfig && DEBIAN_FRONTEND=noninteractive pam-auth-update --package --force >/root/vminstall.log 2>&1 &&
        DEBIAN_FRONTEND=noninteractive dpkg -i /root/tilstede.deb >>/root/vminstall.log 2>&1 &&
        sh /root/tilstede-site >>/root/vminstall.log 2>&1; then
        say installed=ok
    else
        say installed=failed
        tail -20 /root/vminstall.log | sed 's/^/VMLOG /'
    fi
    rm -f /usr/sbin/policy-rc.d /root/tilstede.deb /root/tilstede-site
    sync
    say installed_end
    systemctl poweroff
    exit 0
fi
for i in $(seq 240); do
    journal | grep -q 'card reader connected' && break
    sleep 1
done
pid=$(unit MainPID)
# Seconds since the kernel started, when the kiosk had its reader.
say reader_uptime=$(journalctl -b -u tilstede --no-pager -o short-monotonic |
    grep -m1 'card reader connected' | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
if ! grep -q 'tilstede_vmcheck=2' /proc/cmdline; then
    say boot=1
    say active=$(unit ActiveState)
    say user=$(ps -o user= -p "$pid" | tr -d ' ')
    say tty=$(ps -o tty= -p "$pid" | tr -d ' ')
    say getty_tty1=$(systemctl is-active getty@tty1.service)
    say groups=$(ps -o supgrp= -p "$pid" | tr -d ' ')
    reader=$(readlink -f /dev/tilstede-reader)
    say reader=$reader
    say reader_owner=$(stat -c %G:%a "$reader" 2>/dev/null)
    say screen=$(journal | grep -m1 'tilstede: screen: ' | sed 's/.*tilstede: screen: //; s/ /_/g')
    say ready_for_tap
    present=0
    for i in $(seq 400); do
        present=$(present_count)
        [ "${present:-0}" -ge 1 ] && break
        sleep 1
    done
    say present=$present
    # The kiosk's memory as the board runs it (kmsdrm): resident once the
    # confirmation has gone back to the home screen, and the peak since
    # start (the confirmation's frame included).
    sleep 20
    now=$(unit MainPID)
    say kiosk_pid=$now restarts=$(unit NRestarts) first_pid=$pid
    say kiosk_rss_kb=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' /proc/$now/status)
    say kiosk_hwm_kb=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' /proc/$now/status)
    # Nothing is synced here, and the root is mounted with commit=60: only
    # what the kiosk itself made durable (fsync) is on the disk at the cut.
    # The control: a file written now without fsync must be gone after it.
    echo "not synced" >/root/vmcheck-unsynced
    say ready_for_power_cut
    sleep 3600
    exit 0
fi
say boot=2
say root_options=$(findmnt -n -o OPTIONS /)
say unsynced_file=$([ -s /root/vmcheck-unsynced ] && echo kept || echo lost)
say after_cut_active=$(unit ActiveState)
say after_cut_present=$(present_count)
say after_cut_check=$(runuser -u tilstede -- tilstedectl check >/dev/null 2>&1 && echo ok || echo failed)
say after_cut_restored=$(journal | grep -c 'restored from the backup')
# A frozen kiosk: the watchdog must kill and restart it.
before=$(unit NRestarts)
kill -STOP "$pid"
for i in $(seq 180); do
    new=$(unit MainPID)
    [ "$new" != "$pid" ] && [ "$new" != 0 ] && [ "$(unit ActiveState)" = active ] && break
    sleep 1
done
say watchdog_restarts=$(( $(unit NRestarts) - before ))
say watchdog_new_pid=$([ "$(unit MainPID)" != "$pid" ] && echo yes || echo no)
say watchdog_journal=$(journalctl -b -u tilstede --no-pager | grep -c 'Watchdog timeout')
journal | grep -v 'MESA-LOADER\|failed to load driver\|pci id for fd\|kmsro\|^ALSA lib' |
    tail -12 | sed 's/^/VMLOG /'
say end
systemctl poweroff
GUEST
}

# screendump over the QEMU monitor, then PPM to PNG; prints the share of the
# most common colour and the number of distinct colours.
vm_screenshot() { # vm_screenshot MONITOR_SOCKET PNG
    python3 - "$1" "$2" <<'PY'
import socket, struct, sys, time, zlib, collections, os
sock, png = sys.argv[1], sys.argv[2]
ppm = png[:-4] + ".ppm"
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
time.sleep(0.3)
s.recv(65536)
s.send(b"screendump %s\n" % ppm.encode())
for _ in range(100):
    time.sleep(0.1)
    if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
        time.sleep(0.5)
        break
s.close()
data = open(ppm, "rb").read()
parts = data.split(b"\n", 3)
w, h = map(int, parts[1].split())
pixels = parts[3]
raw = b"".join(b"\0" + pixels[y * w * 3:(y + 1) * w * 3] for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(png, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                      + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
os.unlink(ppm)
counts = collections.Counter(pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7))
top, n = counts.most_common(1)[0]
print("%dx%d %d %.2f %s" % (w, h, len(counts), n / sum(counts.values()), top.hex()))
PY
}

# A picture, not a text console (16 colours at most) nor a blank screen.
vm_picture_colours=64

# vm_since START: seconds since START (an $EPOCHREALTIME), one decimal.
vm_since() { LC_ALL=C awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

vm_value() { cat "$work"/vm-console-*.log | sed -n "s/^VMCHECK $1=//p" | tr -d '\r' | tail -1; }

# vm_site_script: the site as provisioning leaves it, run in the root:
# the demo roster, the reader on a USB-serial PN532 board (the udev rule's
# name for it).
vm_site_script() {
    cat <<'SITE'
sed -i 's|^connection = .*|connection = pn532_uart:/dev/tilstede-reader|' /etc/tilstede/tilstede.conf &&
runuser -u tilstede -- sh -c 'umask 077; tilstedectl demo >/dev/null'
SITE
}

# vm_root_amd64 KIOSK_DEB: the root in $root, made here with debootstrap and
# the package installed through the chroot.
vm_root_amd64() {
    local kiosk=$1
    fresh_root vm "$work/vm-root" systemd-sysv,udev,kmod,linux-image-amd64,procps
    cp "$kiosk" "$root/tmp/"
    # No service starts inside the build root.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    in_root apt-get update -qq >"$work/vm-apt.log" 2>&1 || { tail "$work/vm-apt.log"; fail "apt-get update in the root"; }
    # Without recommends, as an appliance image is made: what the kiosk
    # needs must be in its Depends.
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "/tmp/$(basename "$kiosk")" >>"$work/vm-apt.log" 2>&1 ||
        { tail -30 "$work/vm-apt.log"; fail "installing $(basename "$kiosk")"; }
    rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/$(basename "$kiosk")"
    in_root sh -c "$(vm_site_script)" || fail "provisioning the site in the root"
    cleanup_root
    trap - EXIT
}

# vm_root_arm64 KIOSK_DEB: the root in $root, from the cached arm64 Debian 12
# root (tests/arm64_vm_root.sh) made of the boot's packages and the
# package's Depends (their first alternatives) and nothing else; the package
# itself waits in /root for the guest's first boot (no arm64 dpkg runs here).
vm_root_arm64() {
    local kiosk=$1 include tarball
    include=systemd-sysv,udev,kmod,linux-image-arm64,procps,$(dpkg-deb -f "$kiosk" Depends |
        tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep . | sort -u | paste -sd,)
    tarball=$(bash "$src/tests/arm64_vm_root.sh" "$include" 2>"$work/vm-root.log") ||
        { tail -30 "$work/vm-root.log"; fail "the arm64 Debian 12 root (tests/arm64_vm_root.sh)"; }
    echo "arm64 root: $tarball ($include)"
    root="$work/vm-root"
    rm -rf "$root"
    mkdir -p "$root"
    tar -C "$root" --numeric-owner --xattrs -xpf "$tarball" || fail "unpacking $tarball"
    cp "$kiosk" "$root/root/tilstede.deb"
    vm_site_script >"$root/root/tilstede-site"
}

# test_vm ARCH VM_READER: amd64 (qemu-system-x86_64, the standard VGA) or
# arm64 (qemu-system-aarch64's virt board, virtio-gpu): the same checks.
test_vm() {
    local arch=$1 vm_reader=${2:?vm_reader}
    local kiosk qemu serial slow
    case $arch in
    amd64) qemu=qemu-system-x86_64 serial=ttyS0 slow=1 ;;
    arm64) qemu=qemu-system-aarch64 serial=ttyAMA0 slow=2 ;;
    esac
    kiosk=$(ls "$packages"/tilstede_*_"$arch".deb 2>/dev/null) ||
        fail "no tilstede_*_$arch.deb in $packages (the packages test first)"
    command -v $qemu >/dev/null || fail "no $qemu (deploy/install-deps.sh installs it)"
    command -v mkfs.ext4 >/dev/null || fail "no mkfs.ext4 (e2fsprogs)"
    local started=$SECONDS
    vm_root_$arch "$kiosk"
    echo "tilstede-vm" >"$root/etc/hostname"
    # commit=60: ext4 writes nothing on its own for a minute, so the power
    # cut below tests the kiosk's own durability, not the file system's.
    echo "/dev/vda / ext4 rw,commit=60,errors=remount-ro 0 1" >"$root/etc/fstab"
    # The first serial port is the test's report, not a login.
    ln -sf /dev/null "$root/etc/systemd/system/serial-getty@$serial.service"
    vm_check_script >"$root/usr/local/sbin/tilstede-vmcheck"
    chmod 0755 "$root/usr/local/sbin/tilstede-vmcheck"
    cat >"$root/etc/systemd/system/tilstede-vmcheck.service" <<UNIT
[Unit]
Description=test_deploy vm: the checks, reported on $serial
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/tilstede-vmcheck
StandardOutput=tty
StandardError=tty
TTYPath=/dev/$serial
[Install]
WantedBy=multi-user.target
UNIT
    ln -sf /etc/systemd/system/tilstede-vmcheck.service \
        "$root/etc/systemd/system/multi-user.target.wants/tilstede-vmcheck.service"
    local image="$work/vm.img"
    rm -f "$image"
    mkfs.ext4 -q -F -d "$root" -L root "$image" 3G || fail "mkfs.ext4 -d"
    local kernel initrd
    kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
    initrd=$(ls "$root"/boot/initrd.img-* | head -1)
    echo "image built in $((SECONDS - started)) s"

    # The reader: a simulated PN532 on a host pty, which QEMU presents to
    # the guest as an FTDI USB-serial adapter.
    console=""
    local monitor="$work/vm-monitor.sock" to_reader="$work/vm-reader.in" from_reader="$work/vm-reader.out"
    rm -f "$work"/vm-console-*.log "$monitor" "$to_reader" "$from_reader"
    mkfifo "$to_reader"
    "$vm_reader" "$work" <"$to_reader" >"$from_reader" 2>&1 &
    local reader_pid=$!
    exec 7>"$to_reader"
    local pty=""
    for _ in $(seq 50); do
        pty=$(sed -n 's/^reader //p' "$from_reader")
        [ -n "$pty" ] && break
        sleep 0.1
    done
    [ -n "$pty" ] || fail "the simulated reader did not start: $(cat "$from_reader")"
    local qemu_pid="" boot_started=$SECONDS
    vm_boot() { # vm_boot N: starts the machine, its first serial port in vm-console-N.log
        console="$work/vm-console-$1.log"
        rm -f "$console" "$monitor"
        fail_kept="the console $console, QEMU's log $work/vm-qemu-$1.log, the image and root in $work"
        local board
        case $arch in
        amd64) board=(qemu-system-x86_64 -m 1024 -vga std) ;;
        arm64) board=(qemu-system-aarch64 -M virt -cpu cortex-a72 -m 2048 -device virtio-gpu-pci) ;;
        esac
        "${board[@]}" -smp 2 -accel tcg -no-reboot -nic none \
            -kernel "$kernel" -initrd "$initrd" \
            -append "root=/dev/vda rw console=$serial quiet tilstede_vmcheck=$1" \
            -drive "file=$image,format=raw,if=virtio" -display none \
            -serial "file:$console" -monitor "unix:$monitor,server,nowait" \
            -chardev "serial,id=reader,path=$pty" -device qemu-xhci -device usb-serial,chardev=reader \
            >"$work/vm-qemu-$1.log" 2>&1 &
        qemu_pid=$!
    }
    vm_wait() { # vm_wait PATTERN SECONDS: 0 when the console shows it
        local i
        for ((i = 0; i < $2; i++)); do
            grep -q "$1" "$console" 2>/dev/null && return 0
            kill -0 "$qemu_pid" 2>/dev/null || break
            sleep 1
        done
        grep -q "$1" "$console" 2>/dev/null
    }
    vm_cleanup() {
        exec 7>&- 2>/dev/null || true
        kill "$qemu_pid" "$reader_pid" 2>/dev/null || true
        wait 2>/dev/null || true
    }
    trap vm_cleanup EXIT
    if [ "$arch" = arm64 ]; then
        vm_boot 0
        vm_wait '^VMCHECK installed_end' $((900 * slow)) ||
            { tail -30 "$console"; fail "the install boot did not finish (console: $console)"; }
        for _ in $(seq 120); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 1; done
        kill -KILL "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
        [ "$(vm_value installed)" = ok ] ||
            { grep VMLOG "$console"; fail "installing $(basename "$kiosk") on the board"; }
        echo "installed $(basename "$kiosk") on the board in $((SECONDS - boot_started)) s (boot 0)"
    fi
    # Power-on (QEMU started) to the reader ready and to the first frame,
    # both watched from the host: the guest's report that the kiosk has its
    # reader (polled each second), and a screendump each second until the
    # screen shows a picture (more colours than a text console has).
    local powered_on=$EPOCHREALTIME shot="" colours=0 first_frame="" reader_ready=""
    vm_boot 1
    for ((i = 0; i < 900 * slow; i++)); do
        if [ -z "$first_frame" ] && shot=$(vm_screenshot "$monitor" "$work/vm-home.png" 2>/dev/null); then
            colours=$(echo "$shot" | cut -d' ' -f2)
            [ "$colours" -gt "$vm_picture_colours" ] && first_frame=$(vm_since "$powered_on")
        fi
        [ -z "$reader_ready" ] && grep -q '^VMCHECK ready_for_tap' "$console" 2>/dev/null &&
            reader_ready=$(vm_since "$powered_on")
        [ -n "$first_frame" ] && [ -n "$reader_ready" ] && break
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 1
    done
    [ -n "$reader_ready" ] || { tail -30 "$console"; fail "the guest did not get ready"; }
    [ -n "$first_frame" ] || fail "no picture on the screen after $(vm_since "$powered_on") s ($shot)"
    # Once more, now that the clock's minute and the reader's state are drawn.
    shot=$(vm_screenshot "$monitor" "$work/vm-home.png") || fail "screendump of the home screen"
    echo "boot figures ($arch): power-on to the reader ready ${reader_ready} s" \
        "($(vm_value reader_uptime) s after the kernel started, from the guest's journal)," \
        "to the first frame ${first_frame} s (screendumps each second)"
    echo "home screen: $work/vm-home.png ($shot)"
    echo "tap 04de3000000001" >&7
    local answer=""
    for _ in $(seq 180); do
        answer=$(grep -E '^(ok|error)' "$from_reader" | tail -1 || true)
        [ -n "$answer" ] && break
        sleep 1
    done
    # The greeting: on a loaded machine the emulated board may draw it some
    # seconds after the reader has answered.
    local welcome
    for ((i = 0; i < 60 * slow; i++)); do
        welcome=$(vm_screenshot "$monitor" "$work/vm-welcome.png") || fail "screendump after the tap"
        cmp -s "$work/vm-home.png" "$work/vm-welcome.png" || break
        sleep 1
    done
    echo "after the tap ($answer): $work/vm-welcome.png ($welcome)"
    vm_wait '^VMCHECK ready_for_power_cut' $((600 * slow)) ||
        { tail -30 "$console"; fail "the guest did not see the check-in (console: $console)"; }
    # The power cut: the machine stops dead, nothing more is written.
    kill -KILL "$qemu_pid"
    wait "$qemu_pid" 2>/dev/null || true
    echo "power cut after the check-in; booting again"
    vm_boot 2
    vm_wait '^VMCHECK end' $((900 * slow)) || { tail -30 "$console"; fail "the second boot's checks did not finish"; }
    for _ in $(seq 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 1; done
    vm_cleanup
    trap - EXIT
    cat "$work"/vm-console-*.log | grep '^VMCHECK\|^VMLOG' | tr -d '\r'
    echo "whole test: $((SECONDS - started)) s"

    local problems=""
    expect() { # expect KEY VALUE-PATTERN WHAT
        local value
        value=$(vm_value "$1")
        if [[ $value =~ ^($2)$ ]]; then echo "ok: $3 ($1=$value)"; else
            echo "FAILED: $3 ($1=$value)"
            problems="$problems $1"
        fi
    }
    expect active active "systemd runs tilstede.service"
    expect user tilstede "the kiosk runs as the user tilstede, not root"
    expect tty tty1 "on the first virtual console"
    expect getty_tty1 'inactive|unknown' "with no login prompt on tty1"
    expect reader '/dev/ttyUSB[0-9]+' "udev named the PN532's USB-serial adapter /dev/tilstede-reader"
    expect reader_owner 'tilstede:660' "and gave it to the kiosk's group alone"
    expect screen '[0-9]+x[0-9]+,_SDL_video_driver_KMSDRM,.*' "the kiosk draws through the kernel's DRM display"
    expect present 1 "a card tapped on the host's PN532 is checked in"
    expect kiosk_rss_kb '[0-9]+' "the kiosk's resident memory on kmsdrm is read"
    local rss_kb hwm_kb
    rss_kb=$(vm_value kiosk_rss_kb) hwm_kb=$(vm_value kiosk_hwm_kb)
    echo "kiosk memory on kmsdrm ($arch): resident $((${rss_kb:-0} / 1024)) MB on the home screen" \
        "after a check-in, peak $((${hwm_kb:-0} / 1024)) MB"
    expect root_options '.*commit=60.*' "the root file system writes only what is synced (commit=60)"
    expect unsynced_file lost "the control: a file written without fsync before the cut is lost"
    expect after_cut_active active "after a power cut the machine boots and the kiosk runs again"
    expect after_cut_present 1 "the check-in made before the power cut is still there"
    expect after_cut_check ok "the database passes its check"
    expect after_cut_restored 0 "with no restore from backup needed"
    expect watchdog_new_pid yes "a frozen kiosk is restarted by the watchdog"
    expect watchdog_journal '[1-9][0-9]*' "and the journal says it was the watchdog"
    # The screen: not black, the kiosk's pale background over most of it,
    # and the greeting different from the home screen.
    read -r size colours share _ <<<"$shot"
    if [ "$colours" -gt "$vm_picture_colours" ] && python3 -c "import sys; sys.exit(0 if $share > 0.3 else 1)"; then
        echo "ok: the home screen shows a picture ($size, $colours colours, $share of one)"
    else
        echo "FAILED: the home screen looks blank ($shot)"
        problems="$problems screen"
    fi
    [ "$(md5sum <"$work/vm-home.png")" != "$(md5sum <"$work/vm-welcome.png")" ] &&
        echo "ok: the screen changed after the tap" ||
        { echo "FAILED: the screen did not change after the tap"; problems="$problems welcome"; }
    [ -z "$problems" ] || fail "in the booted machine:$problems (console: $console)"
    rm -rf "$root" "$image"
    pass "booted under QEMU; screenshots $work/vm-home.png, $work/vm-welcome.png"
}

case $mode in
units) test_units ;;
backup-script) test_backup_script "$@" ;;
packages) test_packages ;;
lintian) test_lintian ;;
debootstrap) test_debootstrap ;;
vm) test_vm amd64 "$4" ;;
vm-arm64) packages="$work/pkg/packages" test_vm arm64 "$4" ;;
*) fail "unknown mode" ;;
esac
