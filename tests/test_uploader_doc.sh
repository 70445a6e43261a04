#!/usr/bin/env bash
# The real tilstedectl sync against a receiver written from sync/PROTOCOL.md
# alone (tests/doc_receiver.py): the roster cursor is kept whole up to the
# document's 256 bytes, and a since the receiver no longer takes
# (400 invalid_cursor) is followed by a fetch without since.
# Usage: test_uploader_doc.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=doc
source "$src/doc_kiosk.sh"
# The since values the kiosk sent on GET /v1/roster, one a line.
sent_since() {
    python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] == "/v1/roster": print(r["query"].get("since", [""])[0])' "$work/requests.log"
}

start_receiver "" --cursor-length 200
$ctl sync > "$work/sync1.out" 2>&1 || true
$ctl sync > "$work/sync2.out" 2>&1 || true
check "the first roster fetch has no since" test "$(sent_since | sed -n 1p)" = ""
check "a 200-byte cursor is sent back whole" test "$(sent_since | sed -n 2p | wc -c)" = 201
check "the second sync got its roster (no invalid_cursor left)" \
    bash -c "! grep -qi 'invalid\|answered 400' '$work/sync2.out'"

# The receiver's cursors change (as after a restore of its database): the
# kiosk's stored cursor is refused, and it asks again without since.
curl -sf -X POST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$(cat "$work/port")/v1/control" > /dev/null
$ctl sync > "$work/sync3.out" 2>&1 || true
check "after invalid_cursor the roster is asked again without since" \
    test "$(sent_since | sed -n 4p)" = "" -a "$(sent_since | wc -l)" = 4
$ctl sync > "$work/sync4.out" 2>&1 || true
check "the new generation's cursor went back" test "$(sent_since | sed -n 5p | cut -c1-3)" = "g1-"

# A cursor over the document's 256 bytes is a bad answer: not stored cut.
start_receiver "" --cursor-length 300
$ctl sync > "$work/sync5.out" 2>&1 || true
check "a 300-byte cursor is refused, naming the limit" grep -q "300 bytes, .* 256" "$work/sync5.out"
$ctl sync > "$work/sync6.out" 2>&1 || true
check "and no cut cursor is stored: the next sync asks without since" \
    test "$(sent_since | sed -n 3p)" = "" -a "$(sent_since | wc -l)" = 3

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
