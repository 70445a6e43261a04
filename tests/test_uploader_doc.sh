#!/usr/bin/env bash
# The real tilstedectl sync against a receiver written from sync/PROTOCOL.md
# alone (tests/doc_receiver.py): the roster cursor is kept whole up to the
# document's 256 bytes, and a since the receiver no longer takes
# (400 invalid_cursor) is followed by a fetch without since.
# Usage: test_uploader_doc.sh BIN_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
bin=$1
src=$2
out=$3
mkdir -p "$out"
work=$(mktemp -d "$out/doc.XXXXXX")
receiver_pid=
cleanup() { [[ -n $receiver_pid ]] && kill "$receiver_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1)); echo "ok: $name"
    else
        fail=$((fail + 1)); echo "FAILED: $name"
    fi
}
ctl="$bin/tilstedectl --config $work/kiosk.conf"
start_receiver() { # start_receiver ARGS...
    [[ -n $receiver_pid ]] && kill "$receiver_pid" && wait "$receiver_pid" 2>/dev/null || true
    rm -f "$work/port" "$work/requests.log"
    python3 "$src/doc_receiver.py" "$work/port" "$work/requests.log" "$@" \
        >>"$work/receiver.log" 2>&1 &
    receiver_pid=$!
    for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
    port=$(cat "$work/port")
    cat > "$work/kiosk.conf" <<CONF
[site]
id = solsiden
name = Solsiden helsehus
[reader]
connection = sim
[store]
database = $work/kiosk.db
card_key = $work/card.key
[clock]
trust = always
[sync]
central_url = http://127.0.0.1:$port
token_file = $work/device.token
CONF
}
# The since values the kiosk sent on GET /v1/roster, one a line.
sent_since() {
    python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] == "/v1/roster": print(r["query"].get("since", [""])[0])' "$work/requests.log"
}
printf 'dGVzdC10b2tlbi1mb3ItdGhlLWRvY3VtZW50LXJlY2VpdmVy\n' > "$work/device.token"
chmod 600 "$work/device.token"

start_receiver --cursor-length 200
$ctl sync > "$work/sync1.out" 2>&1 || true
$ctl sync > "$work/sync2.out" 2>&1 || true
check "the first roster fetch has no since" test "$(sent_since | sed -n 1p)" = ""
check "a 200-byte cursor is sent back whole" test "$(sent_since | sed -n 2p | wc -c)" = 201
check "the second sync got its roster (no invalid_cursor left)" \
    bash -c "! grep -qi 'invalid\|answered 400' '$work/sync2.out'"

# The receiver's cursors change (as after a restore of its database): the
# kiosk's stored cursor is refused, and it asks again without since.
curl -sf -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/v1/control" > /dev/null
$ctl sync > "$work/sync3.out" 2>&1 || true
check "after invalid_cursor the roster is asked again without since" \
    test "$(sent_since | sed -n 4p)" = "" -a "$(sent_since | wc -l)" = 4
$ctl sync > "$work/sync4.out" 2>&1 || true
check "the new generation's cursor went back" test "$(sent_since | sed -n 5p | cut -c1-3)" = "g1-"

# A cursor over the document's 256 bytes is a bad answer: not stored cut.
start_receiver --cursor-length 300
$ctl sync > "$work/sync5.out" 2>&1 || true
check "a 300-byte cursor is refused, naming the limit" grep -q "300 bytes, .* 256" "$work/sync5.out"
$ctl sync > "$work/sync6.out" 2>&1 || true
check "and no cut cursor is stored: the next sync asks without since" \
    test "$(sent_since | sed -n 3p)" = "" -a "$(sent_since | wc -l)" = 3

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
