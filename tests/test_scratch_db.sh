#!/usr/bin/env bash
# `--db FILE` is enough to run the real programs on a scratch database: when
# no configuration names a card key, the key is kept beside the database
# (FILE's directory/card.key), never in /var/lib/tilstede (issue 12, 4).
# HOME is a scratch directory too; the system configuration is read only
# where the program would read it, and the case that relies on its absence
# says so when it is there.
# Usage: test_scratch_db.sh BIN_DIR OUT_DIR
set -u
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work/home" "$work/data" "$work/bare" "$work/named" "$work/kiosk"
export HOME=$work/home
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
system_key_dir_existed=0
[ -e /var/lib/tilstede ] && system_key_dir_existed=1

: > "$work/empty.conf"
ctl() { "$bin/tilstedectl" --config "$work/empty.conf" --db "$work/data/kiosk.db" "$@"; }

# A configuration that names no card key, and --db.
out=$(ctl demo 2>&1) || fail "demo on a scratch database: $out"
[ -f "$work/data/card.key" ] && ok "the card key is made beside the database" ||
    fail "no card key in $work/data"
[ "$(stat -c %a "$work/data/card.key" 2>/dev/null)" = 600 ] ||
    fail "the card key is not readable by its owner alone"
key=$(sha256sum < "$work/data/card.key")
out=$(ctl tap 04de3000000001 2>&1) && grep -q "Kari" <<<"$out" &&
    ok "a demo card taps in: $out" || fail "tap: $out"
out=$(ctl enroll D006 0a0b0c0d 2>&1) || fail "enroll: $out"
out=$(ctl --json tap 0a0b0c0d 2>&1) && grep -q '"checked_in"' <<<"$out" &&
    ok "a card enrolled now taps in" || fail "tap of the enrolled card: $out"
out=$(ctl checkin D003 2>&1) || fail "checkin: $out"
out=$(ctl --json present 2>&1)
grep -q '"count": 3' <<<"$out" && ok "three on the roll call" || fail "present: $out"
[ "$(sha256sum < "$work/data/card.key")" = "$key" ] || fail "the card key changed"

# --db alone: no configuration at all.
if [ -e /etc/tilstede/tilstede.conf ]; then
    echo "note: /etc/tilstede/tilstede.conf exists, so --db alone reads it; that case is not run"
else
    out=$("$bin/tilstedectl" --db "$work/bare/kiosk.db" demo 2>&1) || fail "--db alone: $out"
    out=$("$bin/tilstedectl" --db "$work/bare/kiosk.db" tap 04de3000000002 2>&1) ||
        fail "--db alone, tap: $out"
    [ -f "$work/bare/card.key" ] && ok "--db alone keeps the key beside the database" ||
        fail "--db alone: no card key in $work/bare"
fi

# A configuration that names its card key keeps it, whatever --db says.
printf '[store]\ncard_key = %s/named.key\n' "$work" > "$work/named.conf"
out=$("$bin/tilstedectl" --config "$work/named.conf" --db "$work/named/kiosk.db" demo 2>&1) ||
    fail "with a named key: $out"
[ -f "$work/named.key" ] && [ ! -e "$work/named/card.key" ] &&
    ok "a card key the configuration names is the one used" || fail "the named card key was not used"

# The kiosk itself takes --db the same way.
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy "$bin/tilstede" --config "$work/empty.conf" \
    --db "$work/kiosk/kiosk.db" --reader sim --windowed 800x480 > "$work/kiosk.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    [ -f "$work/kiosk/card.key" ] && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.2
done
if kill -0 $pid 2> /dev/null; then
    kill $pid
    wait $pid
    [ -f "$work/kiosk/card.key" ] && ok "the kiosk keeps the card key beside its --db" ||
        fail "the kiosk made no card key in $work/kiosk"
else
    wait $pid
    fail "the kiosk stopped: $(cat "$work/kiosk.log")"
fi

[ $system_key_dir_existed = 1 ] || [ ! -e /var/lib/tilstede ] || fail "/var/lib/tilstede was made"
[ $failures = 0 ] || exit 1
echo "all passed"
