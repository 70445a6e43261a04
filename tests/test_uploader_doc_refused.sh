#!/usr/bin/env bash
# Refusals and failures against a receiver written from sync/PROTOCOL.md
# alone (tests/doc_receiver.py), with the real tilstedectl: a batch the
# receiver answers 400 invalid_request because of one event is halved until
# that event is found; it is set aside with the receiver's reason and every
# other event arrives exactly once. Refused events are counted until staff
# acknowledge them, listed with their reasons, and reported in the status.
# When the receiver was at fault, `sync --retry-refused` puts them back and
# the next sync delivers them, every event of the kiosk stored exactly once.
# Usage: test_uploader_doc_refused.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=refused
source "$src/doc_kiosk.sh"

# faults ARGS...: (re)starts doc_receiver.py with the faults in ARGS.
faults() {
    start_receiver "[rules]
repeat_window_seconds = 0" --roster "$work/roster.json" "$@"
}
# requests_py PYTHON: runs PYTHON with `log`, the list of logged requests.
requests_py() {
    python3 -c "import json,sys
log = [json.loads(line) for line in open(sys.argv[1])]
$1" "$work/requests.log"
}
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

printf 'Frivillig-ID;Fornavn;Etternavn;Aktiv\r\nF1;Kari;Nordmann;ja\r\nF2;Ola;Hansen;ja\r\nF3;Per;Berg;ja\r\nF4;Liv;Dahl;ja\r\nF5;Siri;Lund;ja\r\nF6;Nils;Moen;ja\r\n' > "$work/roster.csv"
# The receiver's roster holds the same people: its full answer is the
# kiosk's whole roster (PROTOCOL.md, section 7).
python3 - "$work/roster.csv" "$work/roster.json" <<'PY'
import json, sys
rows = [line.split(";") for line in open(sys.argv[1], newline="").read().split("\r\n")[1:] if line]
json.dump({"volunteers": [{"external_id": r[0], "given_name": r[1], "family_name": r[2],
                           "active": True, "confidentiality_signed": None,
                           "confidentiality_signed_undated": False, "police_valid_until": None,
                           "police_certificate_undated": False} for r in rows]},
          open(sys.argv[2], "w"))
PY

# --- 1. 400 invalid_request for one event among good ones ---------------
faults --bad-volunteer F4
$ctl import-roster "$work/roster.csv" > /dev/null
for v in F1 F2 F3 F4 F5 F6; do $ctl checkin $v > /dev/null; done
for v in F1 F2 F3 F5 F6; do $ctl checkin $v > /dev/null; done # check-outs
bad_id=$(sqlite3 "$work/kiosk.db" "SELECT event_id FROM event WHERE volunteer = 'F4'")
rc=0
$ctl sync > "$work/sync1.out" 2>&1 || rc=$?
check "the sync with a 400 among the batches succeeds" test $rc = 0
cat "$work/sync1.out"
good_stored_once() {
    requests_py "
from collections import Counter
stored = Counter(e['event_id'] for r in log if r['path'] == '/v1/events' and r['status'] == 200
                 for e in r['body']['events'])
bad = '$bad_id'
good = [i for i in stored if i != bad]
print(len(good), max(stored.values()), stored[bad])" 
}
check "all 10 good events arrived, each exactly once, the bad one never ($(good_stored_once))" \
    test "$(good_stored_once)" = "10 1 0"
check "no event waits" test "$($ctl --json sync --status | json_field events_waiting)" = 0
check "the last successful upload is set" \
    test "$($ctl --json sync --status | json_field last_upload)" != None
$ctl --json sync --refused > "$work/refused1.json"
check "the bad event is listed as refused with the receiver's reason" python3 -c "
import json,sys
d = json.load(open(sys.argv[1]))
r = d['refused']
assert len(r) == 1 and r[0]['event_id'] == '$bad_id', r
assert r[0]['status'] == 400 and r[0]['code'] == 'invalid_request', r
assert 'not taken by this receiver' in r[0]['reason'], r
assert r[0]['volunteer'] == 'F4' and r[0]['kind'] == 'checkin' and not r[0]['seen'], r
assert d['unseen'] == 1, d" "$work/refused1.json"
# Requests whose batch held the bad event; POSTs of events.
sent_bad() { requests_py "print(sum(1 for r in log if r['path'] == '/v1/events'
          for e in r['body']['events'] if e['event_id'] == '$bad_id'))"; }
posts() { requests_py "print(sum(r['path'] == '/v1/events' for r in log))"; }
bad_before=$(sent_bad)
posts_before=$(posts)
$ctl checkin F1 > /dev/null
$ctl sync > "$work/sync2.out" 2>&1 || true
check "the refused event is not sent again" test "$(sent_bad)" = "$bad_before"
check "the next sync sends the new event in one batch" test "$(posts)" = $((posts_before + 1))

# Counted until staff have seen them, in status and sync --status alike.
check "tilstedectl status counts the refused event as not yet seen" \
    bash -c "$ctl status | grep -q 'Refused by the central: 1 event, 1 not yet seen by staff'"
check "sync --status counts it too" \
    bash -c "$ctl sync --status | grep -q 'Refused by the central: 1 event, 1 not yet seen'"
check "the status report counts it" python3 -c "
import json,sys
s = [json.loads(l)['body'] for l in open(sys.argv[1]) if json.loads(l)['path'] == '/v1/status']
assert s and s[-1]['events_refused'] == 1, s" "$work/requests.log"
check "sync --refused --ack: staff have seen it" \
    bash -c "$ctl sync --refused --ack | grep -q '1 refused event marked as seen'"
check "then no longer counted as unseen" \
    test "$($ctl --json status | json_field events_refused_unseen)" = 0
check "but still listed, with its reason" \
    bash -c "$ctl sync --refused | grep -q 'not taken by this receiver'"

# --- 2. a failed upload still reports the status -------------------------
faults --events-status 500
$ctl checkin F2 > /dev/null
$ctl sync > "$work/sync3.out" 2>&1 || true
# The status bodies the receiver got, in order, as JSON lines.
statuses() { requests_py "
for r in log:
    if r['path'] == '/v1/status': print(json.dumps(r['body']))"; }
check "after a 500 on the upload the status is posted" test "$(statuses | wc -l)" = 1
check "and it carries the upload's error" python3 -c "
import json,sys
s = json.loads(sys.argv[1])
assert '500' in s['last_error'] and 'uploading events' in s['last_error'], s
assert s['events_waiting'] == 1, s" "$(statuses | tail -1)"
faults
$ctl sync > "$work/sync4.out" 2>&1 || true
check "after recovery the status says last_error null" python3 -c "
import json,sys
s = json.loads(sys.argv[1])
assert s['last_error'] is None and s['events_waiting'] == 0, s" "$(statuses | tail -1)"

# --- 3. an event refused in a 200 answer ---------------------------------
faults --reject-volunteer F6
$ctl checkin F6 > /dev/null
$ctl checkin F3 > /dev/null
$ctl sync > "$work/sync5.out" 2>&1 || true
check "a 200 with a refusal counts as a successful upload" \
    test "$($ctl --json sync --status | json_field events_waiting)" = 0
check "and the refused event is listed with the receiver's code and reason" python3 -c "
import json,sys
r = [x for x in json.load(sys.stdin)['refused'] if x['volunteer'] == 'F6']
assert len(r) == 1 and r[0]['status'] == 200 and r[0]['code'] == 'invalid_event', r
assert 'not on this receiver' in r[0]['reason'] and not r[0]['seen'], r" \
    < <($ctl --json sync --refused)
check "one new refusal not yet seen (the first was acknowledged)" \
    test "$($ctl --json sync --status | json_field events_refused_unseen)" = 1

# --- 4. 401: its own line until the token changes, then told --------------
faults --token bmV3LXRva2VuLW9mLXRoZS1raW9zaw
$ctl checkin F5 > /dev/null
$ctl sync > "$work/sync6.out" 2>&1 || true
check "tilstedectl status shows the refused token on its own line" \
    bash -c "$ctl status | grep -q 'Token refused: .* at .* (401)'"
check "sync --status too" bash -c "$ctl sync --status | grep -q '^Token refused: .* (401)'"
refused_at=$($ctl --json sync --status | json_field token_refused_at)
requests=$(wc -l < "$work/requests.log")
$ctl sync > "$work/sync7.out" 2>&1 || true
check "the same token is not sent again" test "$(wc -l < "$work/requests.log")" = "$requests"
printf 'bmV3LXRva2VuLW9mLXRoZS1raW9zaw\n' > "$work/device.token"
$ctl sync > "$work/sync8.out" 2>&1 || true
check "with the new token the event goes" \
    test "$($ctl --json sync --status | json_field events_waiting)" = 0
check "the token line is gone" bash -c "! $ctl status | grep -q 'Token refused'"
check "the status report that gets through tells when the token was refused ($refused_at)" \
    python3 -c "
import json,sys
s = json.loads(sys.argv[1])
assert s['token_refused_at'] == sys.argv[2] and s['last_error'] is None, s" \
    "$(statuses | tail -1)" "$refused_at"

# --- 5. the receiver was at fault: put the refused events back -----------
# So far F4's event (400) and F6's (rejected in a 200) are set aside; now a
# receiver refusing F1 (400) and F2 (rejected) too, as a faulty proxy or a
# receiver bug would.
faults --bad-volunteer F1 --reject-volunteer F2
for v in F1 F2 F3 F1 F2 F3; do $ctl checkin $v > /dev/null; done
$ctl sync > "$work/sync9.out" 2>&1 || true
refused_ids() { sqlite3 "$work/kiosk.db" "SELECT event_id FROM event WHERE uploaded = 2 ORDER BY seq"; }
check "the faulty receiver left 6 events refused" test "$(refused_ids | wc -l)" = 6
refused_before=$($ctl --json sync --refused)
one_refused=$(refused_ids | tail -1)
unknown=00000000-0000-4000-8000-000000000000
rc=0
$ctl sync --retry-refused "$one_refused" "$unknown" > "$work/retry1.out" 2> "$work/retry1.err" || rc=$?
check "an unknown id is an error (exit 3)" test $rc = 3
check "naming the id" grep -q "'$unknown' is not a refused event" "$work/retry1.err"
check "and nothing changed, not even the good id before it" \
    test "$($ctl --json sync --refused)" = "$refused_before"
uploaded_id=$(sqlite3 "$work/kiosk.db" "SELECT event_id FROM event WHERE uploaded = 1 LIMIT 1")
rc=0
$ctl sync --retry-refused "$uploaded_id" > /dev/null 2> "$work/retry2.err" || rc=$?
check "an event that was not refused is an error too (exit 3)" test $rc = 3
check "and it stays uploaded" test "$(sqlite3 "$work/kiosk.db" \
    "SELECT uploaded FROM event WHERE event_id = '$uploaded_id'")" = 1
check "one named id is put back" \
    bash -c "$ctl sync --retry-refused $one_refused | grep -q '^1 refused event put back'"
check "it waits again, the others stay refused" \
    test "$($ctl --json sync --status | json_field events_waiting) $(refused_ids | wc -l)" = "1 5"
check "all the rest are put back (--json)" \
    test "$($ctl --json sync --retry-refused | json_field put_back)" = 5
check "their refusals are gone" test "$(sqlite3 "$work/kiosk.db" "SELECT count(*) FROM refused_event")" = 0
check "nothing left to put back" \
    bash -c "$ctl sync --retry-refused | grep -q 'none put back'"
faults # fixed
$ctl sync > "$work/sync10.out" 2>&1 || true
cat "$work/sync10.out"
cat "$work/requests.log" >> "$work/all_requests.log"
stored_counts() { python3 -c "
import json, sqlite3, sys
from collections import Counter
stored = Counter(i for line in open(sys.argv[1]) for i in json.loads(line).get('stored', []))
ids = [r[0] for r in sqlite3.connect(sys.argv[2]).execute('SELECT event_id FROM event')]
print(len(ids), sorted(set(stored[i] for i in ids)), len(set(stored) - set(ids)))" \
    "$work/all_requests.log" "$work/kiosk.db"; }
check "every event of the kiosk was stored exactly once over the whole run ($(stored_counts))" \
    test "$(stored_counts)" = "22 [1] 0"
check "sync --refused is empty" \
    bash -c "$ctl sync --refused | grep -q '^The central has refused no events.'"
check "nothing waits, nothing is refused, nothing unseen" python3 -c "
import json,sys
s = json.loads(sys.argv[1])
assert (s['events_waiting'], s['events_refused'], s['events_refused_unseen']) == (0, 0, 0), s
assert s['error'] is None, s" "$($ctl --json sync --status)"
check "the status report says none refused" python3 -c "
import json,sys
s = json.loads(sys.argv[1])
assert s['events_refused'] == 0 and s['events_waiting'] == 0, s" "$(statuses | tail -1)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
