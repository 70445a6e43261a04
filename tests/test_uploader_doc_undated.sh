#!/usr/bin/env bash
# The roster answer's confidentiality_signed_undated (PROTOCOL.md, section
# 7) reaches the kiosk's rules: a volunteer whose agreement is signed but
# undated checks in under [rules] compliance = refuse with no notice, as
# after the kiosk's own CSV import of "ja"; one with no agreement at all is
# still refused. The real tilstedectl against tests/doc_receiver.py.
# Usage: test_uploader_doc_undated.sh BIN_DIR SOURCE_DIR OUT_DIR
bin=$1
src=$2
out=$3
e2e_prefix=undated
source "$src/doc_kiosk.sh"

cat > "$work/roster.json" <<'JSON'
{"volunteers": [
  {"external_id": "F-1", "given_name": "Kari", "family_name": "Nordmann", "active": true,
   "confidentiality_signed": null, "confidentiality_signed_undated": true,
   "police_valid_until": null, "police_certificate_undated": true},
  {"external_id": "F-2", "given_name": "Bjørn", "family_name": "Sæther", "active": true,
   "confidentiality_signed": null, "confidentiality_signed_undated": false,
   "police_valid_until": null, "police_certificate_undated": false}],
 "cards": [], "activities": []}
JSON
start_receiver "[rules]
compliance = refuse" --roster "$work/roster.json"
check "tilstedectl sync fetches the roster" bash -c "$ctl sync > $work/sync.out 2>&1"
check "both volunteers arrived" bash -c "$ctl --json export F-1 > /dev/null && $ctl --json export F-2 > /dev/null"

rc=0
$ctl checkin F-1 > "$work/undated.out" 2>&1 || rc=$?
check "signed but undated: checked in under compliance = refuse (exit $rc)" \
    bash -c "test $rc = 0 && grep -q '^checked in: Kari Nordmann' $work/undated.out"
check "signed but undated: no notice of a missing agreement" bash -c "! grep -q notice $work/undated.out"
rc=0
$ctl checkin F-2 > "$work/unsigned.out" 2>&1 || rc=$?
check "no agreement at all: still refused (exit $rc)" \
    bash -c "test $rc = 4 && grep -q 'refused: .*no signed confidentiality agreement' $work/unsigned.out"

# The flag taken away on the central: the kiosk follows.
sed -i 's/"confidentiality_signed_undated": true/"confidentiality_signed_undated": false/' "$work/roster.json"
$ctl checkin F-1 > /dev/null 2>&1 || true   # Kari leaves
$ctl sync > /dev/null 2>&1 || true
rc=0
$ctl checkin F-1 > "$work/withdrawn.out" 2>&1 || rc=$?
check "the agreement no longer on the roster: refused again (exit $rc)" test "$rc" = 4

echo "undated papers: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
