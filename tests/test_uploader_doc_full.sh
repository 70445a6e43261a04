#!/usr/bin/env bash
# A full roster answer ("full": true, PROTOCOL.md section 7) is the whole
# roster: what it leaves out is gone from the kiosk after tilstedectl sync:
# the volunteer inactive, the card revoked (refused at a tap), the activity
# off the day's list; nothing recorded is lost, and the volunteer made
# inactive while checked in still checks out. The real tilstedectl against
# tests/doc_receiver.py.
# Usage: test_uploader_doc_full.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=full
source "$src/doc_kiosk.sh"

today=$(date +%F)
kari=04a1b2c3d4e5f6
bjorn=04a1b2c3d4e5f7
# roster FULL VOLUNTEERS CARDS ACTIVITIES: the receiver's roster from the
# rows named (F-1 F-2 F-3, kari bjorn, A1 A2), "full" as given.
roster() {
    python3 - "$work/roster.json" "$1" "$2" "$3" "$4" "$today" \
        "$(card_hash $kari)" "$(card_hash $bjorn)" <<'PY'
import json, sys
path, full, volunteers, cards, activities, today, kari, bjorn = sys.argv[1:]
people = {"F-1": ("Kari", "Nordmann"), "F-2": ("Bjørn", "Sæther"), "F-3": ("Åse", "Ødegård")}
owners = {"kari": (kari, "F-1"), "bjorn": (bjorn, "F-2")}
plans = {"A1": ("7d4e8f10-2b3c-4d5e-8f60-718293a4b5c6", "10:00", "12:00", "Sangstund"),
         "A2": ("0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f", "13:00", "14:00", "Trim")}
json.dump({"full": full == "full",
           "volunteers": [{"external_id": v, "given_name": people[v][0], "family_name": people[v][1],
                           "active": True, "confidentiality_signed": "2026-01-10",
                           "confidentiality_signed_undated": False, "police_valid_until": None,
                           "police_certificate_undated": False} for v in volunteers.split()],
           "cards": [{"card_hash": owners[c][0], "volunteer": owners[c][1], "revoked": False}
                     for c in cards.split()],
           "activities": [{"id": plans[a][0], "date": today, "start": plans[a][1],
                           "end": plans[a][2], "title": plans[a][3], "place": "Peisestua"}
                          for a in activities.split()]}, open(path, "w"))
PY
}
events() { python3 -c 'import sqlite3,sys
print(sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True).execute("SELECT count(*) FROM event").fetchone()[0])' "$work/kiosk.db"; }
active() { $ctl --json export "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("volunteer", d).get("active"))'; }

roster incremental "F-1 F-2 F-3" "kari bjorn" "A1 A2"
start_receiver "[rules]
repeat_window_seconds = 0" --roster "$work/roster.json"
check "the first sync takes the whole roster" bash -c "$ctl sync > $work/sync1.out 2>&1"
check "both activities are on today's list" \
    bash -c "$ctl activities | grep -q Sangstund && $ctl activities | grep -q Trim"
check "Bjørn checks in with his card" bash -c "$ctl tap $bjorn | grep -q '^checked in: Bjørn'"
check "Kari checks in with hers" bash -c "$ctl tap $kari | grep -q '^checked in: Kari'"
before=$(events)

# The central's answer is full again (its cursors were lost), and Bjørn, his
# card and Trim are no longer in it.
roster full "F-1 F-3" "kari" "A1"
check "the second sync applies the full answer" bash -c "$ctl sync > $work/sync2.out 2>&1"
check "the sync sent since (the full answer came anyway)" \
    bash -c "grep '\"/v1/roster\"' $work/requests.log | tail -1 | grep -q '\"since\": \\[\"g0-'"
check "Trim, left out, is gone from today's list" bash -c "! $ctl activities | grep -q Trim"
check "Sangstund, in the answer, stays" bash -c "$ctl activities | grep -q Sangstund"
check "Bjørn, left out, is inactive ($(active F-2))" test "$(active F-2)" = False
check "Kari, in the answer, stays active" test "$(active F-1)" = True
rc=0
$ctl tap $bjorn > "$work/tap-bjorn.out" 2>&1 || rc=$?
check "Bjørn's card, left out, is refused as revoked (exit $rc)" \
    bash -c "test $rc = 4 && grep -q 'refused: .*revoked' $work/tap-bjorn.out"
check "Kari's card still works: she checks out" bash -c "$ctl tap $kari | grep -q '^checked out: Kari'"
check "nothing recorded was lost ($before events before, $(events) after)" \
    test "$(events)" -ge "$before"
check "Bjørn, inactive but still here, is on the fire roll call" \
    bash -c "$ctl present | grep -q Bjørn"
check "and checks out by name" bash -c "$ctl checkin F-2 | grep -q '^checked out: Bjørn'"
check "his visit is counted" bash -c "$ctl --json hours --from $today --to $today --by volunteer | grep -q F-2"
rc=0
$ctl checkin F-2 > "$work/again.out" 2>&1 || rc=$?
check "but cannot check in again (exit $rc)" bash -c "test $rc = 4 && grep -q 'no longer active' $work/again.out"

# Back in a later answer: active again, the activity on the list again.
roster incremental "F-1 F-2 F-3" "kari bjorn" "A1 A2"
check "a third sync" bash -c "$ctl sync > $work/sync3.out 2>&1"
check "Trim, sent again, is back on today's list" bash -c "$ctl activities | grep -q Trim"
check "Bjørn, sent again as active, checks in" bash -c "$ctl tap $bjorn | grep -q '^checked in: Bjørn'"

# A kiosk set up from a CSV before its first sync, against a receiver with
# no roster yet: the full answer leaves out people the receiver never sent,
# and they are the kiosk's own (PROTOCOL.md section 7): they stay.
printf 'Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserklæring\nL-1;Liv;Lokal;ja;01.02.2025\n' \
    > "$work/local.csv"
check "a volunteer imported at the kiosk" bash -c "$ctl import-roster $work/local.csv > $work/import.out 2>&1"
roster full "F-1 F-2 F-3" "kari bjorn" "A1 A2"
check "a fourth sync, a full answer without her" bash -c "$ctl sync > $work/sync4.out 2>&1"
check "the kiosk's own volunteer stays active ($(active L-1))" test "$(active L-1)" = True
check "and checks in by name" bash -c "$ctl checkin L-1 | grep -q '^checked in: Liv'"
# A field longer than the kiosk keeps (an id of 64 bytes) is a bad answer
# naming the row and the field: nothing applied, never an id cut to one
# another volunteer shares.
python3 - "$work/roster.json" <<'PY'
import json, sys
json.dump({"full": False, "cursor": "g0-long", "cards": [], "activities": [],
           "volunteers": [{"external_id": "L" * 64, "given_name": "Lang", "family_name": "Id",
                           "active": True}]}, open(sys.argv[1], "w"))
PY
rc=0
$ctl sync > "$work/sync5.out" 2>&1 || rc=$?
check "a 64-byte id is refused, naming the row and the field (exit $rc)" \
    bash -c "test $rc != 0 && grep -q 'volunteer 1: external_id is 64 bytes, more than the 63' $work/sync5.out"
check "and nothing of that answer is applied" bash -c "! $ctl --json export $(printf 'L%.0s' {1..63}) > /dev/null 2>&1"
echo "full answers: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
