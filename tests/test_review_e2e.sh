#!/usr/bin/env bash
# What needs review, end to end with the real programs (issue 14, 2): a
# volunteer forgets to check out, the real kiosk store closes the visit by
# its rules and uploads it over HTTP on loopback; the coordinator sets the
# real end in the central's web app; the central counts it at once, the
# kiosk gets the correction with its next `tilstedectl sync`, and the
# kiosk's hours equal the central's report.
# Usage: test_review_e2e.sh BIN_DIR OUT_DIR
bin=$1
out=$2
e2e_prefix=review
source "$(dirname "$0")/e2e_check.sh"

json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

printf 'Frivillig-ID;Fornavn;Etternavn;Aktiv\r\nF1;Kari;Nordmann;ja\r\n' > "$work/roster.csv"
e2e_site
$central admin add koordinator > "$work/admin.token" 2> /dev/null
$central roster import "$work/roster.csv" > /dev/null
e2e_serve
admin=$(cat "$work/admin.token")
web() { curl -s -H "Authorization: Bearer $admin" "$@"; }

# Kari checks in and forgets to check out. The day ends (for this test) at
# the next minute; after it the kiosk's rules close her visit.
e2e_kiosk_conf "$port"
$ctl import-roster "$work/roster.csv" > /dev/null
$ctl checkin F1 > /dev/null
day_end=$(date -d "+1 minute" +%H:%M)
e2e_kiosk_conf "$port" "[rules]
day_end = $day_end
autoclose_credit = none"
sleep $((61 - $(date +%-S)))
check "the kiosk's rules close the forgotten visit after the day's end ($day_end)" \
    bash -c "$ctl sweep | grep -q '1 visit closed automatically'"
event=$($ctl --json review | json_field 'd["review"][0]["event_id"]')
check "the kiosk lists it for review" test -n "$event"
check "tilstedectl sync uploads check-in and auto-close" \
    bash -c "$ctl sync | grep -q 'Uploaded now: *2 events'"

# The coordinator's review list has it; she sets the real end: now.
web "http://127.0.0.1:$port/review" > "$work/review.html"
check "the central's review list shows the visit" grep -q "$event" "$work/review.html"
check "with the volunteer's name" grep -q "Kari Nordmann" "$work/review.html"
year=$(date +%Y)
central_seconds() {
    $central report --from $year-01-01 --to $year-12-31 --by site --json |
        json_field 'round(sum(r["hours"] for r in d["rows"])*3600)'
}
kiosk_seconds() {
    $ctl --json hours --from $year-01-01 --to $year-12-31 | json_field 'round(d["hours"]*3600)'
}
before=$(central_seconds)
end_date=$(date +%Y-%m-%d)
end_time=$(date +%H:%M)
status=$(web -o /dev/null -w '%{http_code}' \
    --data "event=$event&date=$end_date&time=$end_time" "http://127.0.0.1:$port/review")
check "the correction is saved (303, got $status)" test "$status" = 303
after=$(central_seconds)
check "the central counts it at once ($before s before, $after s after)" test "$after" -gt "$before"
web "http://127.0.0.1:$port/review" > "$work/review-after.html"
check "the visit is off the central's review list" bash -c "! grep -q '$event' '$work/review-after.html'"
web "http://127.0.0.1:$port/audit" > "$work/audit.html"
check "the audit log says who corrected what" grep -q "visit end correct" "$work/audit.html"

# The kiosk, before and after its next sync.
kiosk_before=$(kiosk_seconds)
check "before its sync the kiosk still counts its own end ($kiosk_before s)" \
    test "$kiosk_before" != "$after"
$ctl sync > "$work/sync.txt" 2>&1
check "the sync brings the central's correction" grep -q "Corrected centrally: *1 visits" "$work/sync.txt"
kiosk_after=$(kiosk_seconds)
check "kiosk and central agree on the hours ($kiosk_after s = $after s)" test "$kiosk_after" = "$after"
check "the kiosk's review list is empty" bash -c "$ctl review | grep -q '^0 visits'"
waiting=$($ctl --json sync --status | json_field 'd["events_waiting"]')
check "the correction is not sent back up (waiting: $waiting)" test "$waiting" = 0
check "a second sync brings nothing again" \
    bash -c "$ctl sync > $work/sync2.txt 2>&1 && ! grep -q 'Corrected centrally' $work/sync2.txt"
check "and the hours stay equal" test "$(kiosk_seconds)" = "$(central_seconds)"

# Her next visit: at its check-out the kiosk tells her hours this year and
# any milestone (rules_milestone, at the check-out that crosses 10, 50, ...
# hours) from the corrected hours; the central's thank-you list, once the
# visit is up, gives her the same seconds and the same milestone.
$ctl checkin F1 > /dev/null
sleep 31 # past the 30 s in which the same name again records nothing
$ctl --json checkin F1 > "$work/checkout.json"
check "the next check-in and check-out on the kiosk" \
    test "$(json_field 'd["outcome"]' < "$work/checkout.json")" = checked_out
kiosk_year=$(json_field 'round(d["hours_this_year"]*3600)' < "$work/checkout.json")
kiosk_milestone=$(json_field 'd["milestone"]' < "$work/checkout.json")
check "tilstedectl sync uploads the visit" \
    bash -c "$ctl sync | grep -q 'Uploaded now: *2 events'"
$central report --from $year-01-01 --to $year-12-31 --by volunteer --json > "$work/volunteers.json"
central_year=$(json_field '[r["seconds"] for r in d["rows"] if r["key"] == "F1"][0]' \
    < "$work/volunteers.json")
# The thank-you list names only who passed a milestone (or the --above
# hours, at least 1): no row is no milestone.
$central thanks --from $year-01-01 --to $year-12-31 --json > "$work/thanks.json"
central_milestone=$(json_field \
    'next((r["milestone"] for r in d["thanks"] if r["volunteer"] == "F1"), 0)' < "$work/thanks.json")
check "the kiosk's hours this year at the check-out are the central's ($kiosk_year s = $central_year s)" \
    test "$kiosk_year" = "$central_year"
check "and so is the milestone ($kiosk_milestone = $central_milestone)" \
    test "$kiosk_milestone" = "$central_milestone"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
