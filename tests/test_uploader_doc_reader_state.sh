#!/usr/bin/env bash
# The status report's reader_state is one of the values sync/PROTOCOL.md
# lists (section 8), read from the document itself: as sent by the real
# tilstedectl sync and by the running headless kiosk, against
# tests/doc_receiver.py, the receiver written from the document alone.
# Usage: test_uploader_doc_reader_state.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=reader-state
source "$src/doc_kiosk.sh"

# The values in backquotes on the reader_state row of section 8's table.
documented=$(python3 -c 'import re,sys
text = open(sys.argv[1]).read()
section = text[text.index("## 8."):text.index("## 9.")]
row = next(l for l in section.splitlines() if l.startswith("| `reader_state`"))
print(" ".join(re.findall(r"`([a-z_]+)`", row.split("|")[3])))' "$src/../sync/PROTOCOL.md")
echo "documented reader_state values: $documented"
check "PROTOCOL.md lists reader_state values" test -n "$documented"
# sent_states: the reader_state of every status body the receiver got.
sent_states() {
    python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] == "/v1/status" and r["body"]: print(r["body"].get("reader_state"))' "$work/requests.log"
}
is_documented() { # is_documented VALUE...: each is one of $documented
    local value
    for value in "$@"; do [[ " $documented " == *" $value "* ]] || return 1; done
}

start_receiver ""
$ctl sync > "$work/sync.out" 2>&1 || true
states=$(sent_states | sort -u | tr '\n' ' ')
check "tilstedectl sync posted a status" test -n "$states"
check "tilstedectl sync's reader_state ($states) is documented" is_documented $states

if [[ -x $bin/tilstede ]]; then
    : > "$work/requests.log"
    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy \
        "$bin/tilstede" --config "$work/kiosk.conf" --windowed 800x480 > "$work/kiosk.log" 2>&1 &
    kiosk_pid=$!
    for _ in $(seq 150); do [[ -n $(sent_states) ]] && break; sleep 0.2; done
    kill "$kiosk_pid"
    wait "$kiosk_pid" || true
    states=$(sent_states | sort -u | tr '\n' ' ')
    check "the running kiosk posted a status" test -n "$states"
    check "the kiosk's reader_state ($states) is documented" is_documented $states
else
    echo "skipped: the running kiosk (no $bin/tilstede: built without the UI)"
fi

echo "reader_state: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
