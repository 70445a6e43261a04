#!/usr/bin/env bash
# End to end with the real programs, as the people using them would:
# the coordinator sets up the central, a kiosk imports the roster, volunteers
# tap in and out, the kiosk uploads over HTTP on loopback, the central's
# report equals the kiosk's, and the dashboard renders in headless Chromium.
# Usage: test_e2e.sh BIN_DIR OUT_DIR
set -euo pipefail
bin=$1
out=$2
mkdir -p "$out"
work=$(mktemp -d "$out/e2e.XXXXXX")
central_pid=
cleanup() { [[ -n $central_pid ]] && kill "$central_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok: $name"
    else
        fail=$((fail + 1))
        echo "FAILED: $name"
    fi
}
export TZ=Europe/Oslo
central="$bin/tilstede-central --db $work/central.db"
ctl="$bin/tilstedectl --config $work/kiosk.conf"

# The roster, as the coordinator exports it from Excel (Windows-1252, ';').
printf 'Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserkl\xe6ring\r\nF1;Kari;Nordmann;ja;01.02.2025\r\nF2;Bj\xf8rn;S\xe6ther;ja;01.02.2025\r\nF3;\xc5se;\xd8deg\xe5rd;ja;\r\n' > "$work/roster.csv"

# The central.
$central site add solsiden --name "Solsiden helsehus" --kind helsehus > /dev/null
$central device add solsiden --name Inngang > "$work/device.token" 2> /dev/null
chmod 600 "$work/device.token"
$central admin add koordinator > "$work/admin.token" 2> /dev/null
$central roster import "$work/roster.csv" > /dev/null
port=$((20000 + RANDOM % 20000))
$central serve --listen 127.0.0.1:$port > "$work/central.log" 2>&1 &
central_pid=$!
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/v1/health" > /dev/null && break
    sleep 0.1
done

# The kiosk.
cat > "$work/kiosk.conf" <<CONF
[site]
id = solsiden
name = Solsiden helsehus
[reader]
connection = sim
[store]
database = $work/kiosk.db
card_key = $work/card.key
[rules]
repeat_window_seconds = 0
[clock]
# Test machines run no time synchronisation; without this the kiosk would
# rightly hold its events for up to 30 minutes waiting for the clock.
trust = always
[sync]
central_url = http://127.0.0.1:$port
token_file = $work/device.token
CONF
check "kiosk imports the Windows-1252 roster" \
    bash -c "$ctl import-roster $work/roster.csv | grep -q '3 added'"
$ctl enroll F1 04a1b2c3d4e5f6 > /dev/null
$ctl enroll F2 04a1b2c3d4e5f7 > /dev/null
for round in 1 2 3; do
    $ctl tap 04a1b2c3d4e5f6 > /dev/null
    $ctl tap 04a1b2c3d4e5f7 > /dev/null
    $ctl checkin F3 > /dev/null
    sleep 1
    $ctl tap 04a1b2c3d4e5f6 > /dev/null
    $ctl tap 04a1b2c3d4e5f7 > /dev/null
    $ctl checkin F3 > /dev/null
done
waiting=$($ctl --json sync --status | python3 -c 'import json,sys; print(json.load(sys.stdin)["events_waiting"])')
check "18 taps and 2 enrolments wait for upload" test "$waiting" = 20
check "tilstedectl sync uploads over HTTP" bash -c "$ctl sync | grep -q 'Uploaded now: *20 events'"
waiting=$($ctl --json sync --status | python3 -c 'import json,sys; print(json.load(sys.stdin)["events_waiting"])')
check "nothing waits after the upload" test "$waiting" = 0
check "a second sync sends nothing again" bash -c "$ctl sync | grep -q 'Uploaded now: *0 events'"

year=$(date +%Y)
kiosk_visits=$($ctl --json hours --from $year-01-01 --to $year-12-31 | python3 -c 'import json,sys; print(json.load(sys.stdin)["visits"])')
kiosk_seconds=$($ctl --json hours --from $year-01-01 --to $year-12-31 | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["hours"]*3600))')
$central report --from $year-01-01 --to $year-12-31 --by site --json > "$work/report.json"
central_visits=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(r["visits"] for r in d["rows"]))' "$work/report.json")
central_seconds=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(sum(r["hours"] for r in d["rows"])*3600))' "$work/report.json")
check "kiosk counted 9 visits" test "$kiosk_visits" = 9
check "central report has the kiosk's visits ($central_visits = $kiosk_visits)" test "$central_visits" = "$kiosk_visits"
check "central report has the kiosk's hours ($central_seconds s = $kiosk_seconds s)" test "$central_seconds" = "$kiosk_seconds"
check "the yearly table names the kind of service" \
    bash -c "$central report --from $year-01-01 --to $year-12-31 --by kind | grep -q 'Helsehus og sykehjem'"

# The dashboard, as the coordinator sees it, in headless Chromium.
admin=$(cat "$work/admin.token")
chromium_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$work/chromium" --window-size=1280,1000 --hide-scrollbars)
url="http://koordinator:$admin@127.0.0.1:$port/"
timeout 60 chromium "${chromium_flags[@]}" --dump-dom "$url" > "$work/dashboard.html" 2> "$work/chromium.log" || true
check "the dashboard shows the site" grep -q "Solsiden helsehus" "$work/dashboard.html"
check "the dashboard shows this year's hours" grep -q "Frivillige timer $year" "$work/dashboard.html"
check "the dashboard shows the kiosk" grep -q "Inngang" "$work/dashboard.html"
timeout 60 chromium "${chromium_flags[@]}" --screenshot="$out/dashboard.png" "$url" >> "$work/chromium.log" 2>&1 || true
size=$(stat -c %s "$out/dashboard.png" 2> /dev/null || echo 0)
check "a screenshot of the dashboard was taken ($out/dashboard.png, $size bytes)" test "$size" -gt 20000
check "the dashboard refuses a wrong password" \
    bash -c "test \$(curl -s -o /dev/null -w '%{http_code}' http://koordinator:wrong@127.0.0.1:$port/) = 401"

echo "$pass passed, $fail failed"
test "$fail" = 0
