#!/usr/bin/env bash
# Events recorded by another program while the kiosk runs (tilstedectl
# checkin, tap, correct) reach the central within seconds, not at the
# uploader's next period (3 minutes): the running headless kiosk `tilstede`
# against tests/doc_receiver.py, the receiver written from PROTOCOL.md.
# Also prints the kiosk's CPU time while idle, which must stay near zero.
# Usage: test_uploader_doc_wake.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=wake
source "$src/doc_kiosk.sh"
if [[ ! -x $bin/tilstede ]]; then
    echo "skipped: no $bin/tilstede (built without the UI)"
    exit 0
fi

kari=04a1b2c3d4e5f6
cat > "$work/roster.json" <<JSON
{"volunteers": [
  {"external_id": "F-1", "given_name": "Kari", "family_name": "Nordmann", "active": true,
   "confidentiality_signed": "2026-01-10", "confidentiality_signed_undated": false,
   "police_valid_until": null, "police_certificate_undated": false}],
 "cards": [{"card_hash": "$(card_hash $kari)", "volunteer": "F-1", "revoked": false}],
 "activities": []}
JSON
start_receiver "[rules]
repeat_window_seconds = 0" --roster "$work/roster.json"
SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy \
    "$bin/tilstede" --config "$work/kiosk.conf" --windowed 800x480 > "$work/kiosk.log" 2>&1 &
kiosk_pid=$!
stop_kiosk() { [[ -n ${kiosk_pid:-} ]] && kill "$kiosk_pid" 2>/dev/null; wait "$kiosk_pid" 2>/dev/null || true; kiosk_pid=; }
trap 'stop_kiosk; cleanup' EXIT
posted() { # posted PATH: how many POSTs to PATH the receiver has logged
    python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"] == sys.argv[2] and json.loads(l)["method"] == "POST"))' \
        "$work/requests.log" "$1" 2>/dev/null || echo 0
}
arrived() { # arrived EVENT_ID: 0 when the receiver got that event
    python3 -c 'import json,sys
sys.exit(0 if any(e.get("event_id") == sys.argv[2] for l in open(sys.argv[1])
                  for e in ((json.loads(l)["body"] or {}).get("events") or [])) else 1)' \
        "$work/requests.log" "$1"
}
# The kiosk's first run: the roster fetched and the status posted.
for _ in $(seq 150); do [[ $(posted /v1/status) -ge 1 ]] && break; sleep 0.2; done
check "the running kiosk made its first run (status posted)" test "$(posted /v1/status)" -ge 1
sleep 2 # past the first run's end

# wait_for EVENT_ID: seconds until it reached the receiver (99: not in 15 s).
wait_for() {
    local started=$SECONDS
    while ((SECONDS - started < 15)); do
        arrived "$1" && { echo $((SECONDS - started)); return; }
        sleep 0.1
    done
    echo 99
}
event_of() { $ctl --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["event_id"])'; }

id=$(event_of checkin F-1)
took=$(wait_for "$id")
check "a check-in by tilstedectl reached the receiver in $took s (at most 10)" test "$took" -le 10
id=$(event_of tap $kari)
took=$(wait_for "$id")
check "a tap by tilstedectl (the check-out) reached it in $took s (at most 10)" test "$took" -le 10

# Idle: nothing recorded for 10 s; the kiosk's CPU time over them.
ticks() { awk '{print $14 + $15}' "/proc/$kiosk_pid/stat"; }
hz=$(getconf CLK_TCK)
sleep 1
before=$(ticks)
sleep 10
after=$(ticks)
echo "idle kiosk: $(( (after - before) * 1000 / hz )) ms of CPU in 10 s"
check "the kiosk is still running" kill -0 "$kiosk_pid"
events_posts=$(posted /v1/events)
check "and sent no empty batches while idle ($events_posts POSTs of events for 2 events)" \
    test "$events_posts" -le 2
stop_kiosk

echo "kiosk wakes: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
