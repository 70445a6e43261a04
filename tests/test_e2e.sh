#!/usr/bin/env bash
# End to end with the real programs, as the people using them would:
# the coordinator sets up the central, a kiosk imports the roster, volunteers
# tap in and out, the kiosk uploads over HTTP on loopback, the central's
# report equals the kiosk's, and the dashboard renders in headless Chromium.
# Usage: test_e2e.sh BIN_DIR OUT_DIR
bin=$1
out=$2
e2e_prefix=e2e
source "$(dirname "$0")/e2e_check.sh"

# The roster, as the coordinator exports it from Excel (Windows-1252, ';').
printf 'Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserkl\xe6ring\r\nF1;Kari;Nordmann;ja;01.02.2025\r\nF2;Bj\xf8rn;S\xe6ther;ja;01.02.2025\r\nF3;\xc5se;\xd8deg\xe5rd;ja;\r\n' > "$work/roster.csv"

# The central.
e2e_site
$central admin add koordinator > "$work/admin.token" 2> /dev/null
$central roster import "$work/roster.csv" > /dev/null
e2e_serve

# The kiosk.
e2e_kiosk_conf "$port" "[rules]
repeat_window_seconds = 0"
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

# The dashboard, as a script fetches it (an admin token as a bearer token:
# people sign in on /login, tests/test_web_browser.py), then rendered in
# headless Chromium from that HTML (its style sheet is inline).
admin=$(cat "$work/admin.token")
chromium_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$work/chromium" --window-size=1280,1000 --hide-scrollbars)
curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/" > "$work/dashboard.html"
check "the dashboard shows the site" grep -q "Solsiden helsehus" "$work/dashboard.html"
check "the dashboard shows this year's hours" grep -q "Frivillige timer $year" "$work/dashboard.html"
check "the dashboard shows the kiosk" grep -q "Inngang" "$work/dashboard.html"
timeout 60 chromium "${chromium_flags[@]}" --screenshot="$out/dashboard.png" "file://$work/dashboard.html" >> "$work/chromium.log" 2>&1 || true
size=$(stat -c %s "$out/dashboard.png" 2> /dev/null || echo 0)
check "a screenshot of the dashboard was taken ($out/dashboard.png, $size bytes)" test "$size" -gt 20000
check "the dashboard refuses a wrong token" \
    bash -c "test \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' http://127.0.0.1:$port/) = 401"
check "the dashboard's old HTTP Basic sign-in is retired, even with a good token" \
    bash -c "test \$(curl -s -o /dev/null -w '%{http_code}' http://koordinator:$admin@127.0.0.1:$port/) = 401"
check "a browser without a session is sent to sign in" \
    bash -c "test \$(curl -s -o /dev/null -w '%{redirect_url}' http://127.0.0.1:$port/) = http://127.0.0.1:$port/login"

# The kiosk loses its database (a worn SD card), as IT would meet it. The
# nightly backup is taken while one check-in waits for upload; then three
# more events reach the central and one more is recorded but never sent.
# The real kiosk starts on the damaged file: it must restore the backup,
# fetch the three back from the central, and lose only the unsent one
# (in neither the backup nor the central: the one loss the design allows).
if [[ -x $bin/tilstede ]]; then
    year_hours() { # year_hours kiosk|central -> "VISITS SECONDS"
        if [[ $1 = kiosk ]]; then
            $ctl --json hours --from $year-01-01 --to $year-12-31 |
                python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["visits"], round(d["hours"]*3600))'
        else
            $central report --from $year-01-01 --to $year-12-31 --by site --json |
                python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(r["visits"] for r in d["rows"]), round(sum(r["hours"] for r in d["rows"])*3600))'
        fi
    }
    status_field() { # status_field PYTHON-EXPRESSION-ON-d
        $ctl --json status | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
    }
    $ctl tap 04a1b2c3d4e5f6 > /dev/null                      # Kari in: waits for upload
    # The script runs tilstedectl with the installed configuration; here a
    # wrapper points it at this kiosk's.
    printf '#!/bin/sh\nexec %s "$@"\n' "$ctl" > "$work/tilstedectl"
    chmod 755 "$work/tilstedectl"
    TILSTEDECTL="$work/tilstedectl" TILSTEDE_BACKUP_DIR="$work/backup" \
        sh "$(dirname "$0")/../deploy/scripts/tilstede-backup" > "$work/backup.log" 2>&1
    check "the nightly backup script wrote one backup" \
        test "$(ls "$work/backup" | grep -c '^tilstede-.*\.db$')" = 1
    sleep 1
    $ctl tap 04a1b2c3d4e5f6 > /dev/null                      # Kari out
    $ctl tap 04a1b2c3d4e5f7 > /dev/null                      # Bjørn in
    sleep 1
    $ctl tap 04a1b2c3d4e5f7 > /dev/null                      # Bjørn out
    check "the four events after the first upload reach the central" \
        bash -c "$ctl sync | grep -q 'Uploaded now: *4 events'"
    $ctl checkin F3 > /dev/null                              # Åse in: never sent
    present_count() { $ctl --json present | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }
    check "Åse is on site before the damage" test "$(present_count)" = 1
    before=$(year_hours central)
    check "before the damage the central counts 11 visits" test "${before% *}" = 11

    python3 - "$work/kiosk.db" <<'PY'
import sys
# Pages 3 onwards overwritten: the header still reads, the tables do not.
with open(sys.argv[1], "r+b") as f:
    f.seek(0, 2); size = f.tell(); f.seek(2 * 4096)
    f.write(b"\x5a" * (size - 2 * 4096))
PY
    check "the damaged database fails its check" bash -c "! $ctl check > /dev/null 2>&1"
    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy \
        "$bin/tilstede" --config "$work/kiosk.conf" --windowed 800x480 > "$work/kiosk.log" 2>&1 &
    kiosk_pid=$!
    fetch=
    for _ in $(seq 150); do
        fetch=$(status_field '(d["restored"] or {}).get("fetch", "")' 2> /dev/null || true)
        [[ $fetch = done ]] && break
        sleep 0.2
    done
    # The status report follows the fetch in the same run; give it a moment.
    for _ in $(seq 50); do
        curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/" | grep -q 'hentet tilbake' && break
        sleep 0.2
    done
    kill -TERM "$kiosk_pid"
    kiosk_rc=0
    wait "$kiosk_pid" || kiosk_rc=$?
    check "the kiosk stops cleanly after the restore (exit $kiosk_rc)" test "$kiosk_rc" = 0
    check "the kiosk said in its log that it restored the backup" grep -qi 'restored' "$work/kiosk.log"
    check "the damaged file is kept aside" bash -c "ls $work/kiosk.db.damaged-* > /dev/null"
    check "the fetch from the central is done ($fetch)" test "$fetch" = done
    fetched=$(status_field 'd["restored"]["fetched_events"]')
    check "the three events only the central had came back ($fetched)" test "$fetched" = 3
    check "tilstedectl status tells IT of the restore" \
        bash -c "$ctl status | grep -q 'fetched back:    3 events from the central'"
    waiting=$(status_field 'd["events_waiting"]')
    check "nothing waits: the backup's unsent check-in is known to the central ($waiting)" \
        test "$waiting" = 0
    after=$(year_hours kiosk)
    check "the kiosk counts what the central counts ($after = $before)" test "$after" = "$before"
    check "Åse's unsent check-in is the one thing lost" test "$(present_count)" = 0
    curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/" > "$work/dashboard-restored.html"
    check "the dashboard tells the coordinator of the restore" \
        grep -q 'Gjenopprettet fra sikkerhetskopi.*3 hendelser hentet tilbake' "$work/dashboard-restored.html"
    # Life goes on: a new visit is counted once, on both sides.
    $ctl tap 04a1b2c3d4e5f6 > /dev/null
    sleep 1
    $ctl tap 04a1b2c3d4e5f6 > /dev/null
    check "the new visit uploads (2 events)" bash -c "$ctl sync | grep -q 'Uploaded now: *2 events'"
    after=$(year_hours central)
    check "the central counts 12 visits, nothing twice ($after)" test "${after% *}" = 12
    check "and the kiosk agrees with it" test "$(year_hours kiosk)" = "$after"
else
    echo "skipped: the kiosk's restore (no $bin/tilstede: built without the UI)"
fi

echo "$pass passed, $fail failed"
test "$fail" = 0
