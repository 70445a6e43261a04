#!/usr/bin/env bash
# A weekly activity planned once on the central reaches a real kiosk through
# `tilstedectl sync` (the roster answer over HTTP on loopback) and is listed
# on the right days only: a cancelled occurrence is gone, a moved one is at
# its new time, a night watch keeps its end on the next day (issue 13, 3).
# Usage: test_activities_e2e.sh BIN_DIR OUT_DIR
bin=$1
out=$2
e2e_prefix=act
source "$(dirname "$0")/e2e_check.sh"

e2e_site
$central site add lilleby --name "Lilleby sykehjem" --kind sykehjem > /dev/null
# Sangstund every Tuesday in December 2026 (1, 8, 15, 22, 29); Easter-like:
# the 15th cancelled, the 22nd moved to 13.00-14.00 on Wednesday the 23rd.
plan=$($central activity add solsiden --weekly tir --from 2026-12-01 --to 2026-12-31 \
    --start 11:00 --end 12:00 --title Sangstund --place Peisestua | head -1)
night=$($central activity add solsiden --weekly fre --from 2026-12-01 --to 2026-12-31 \
    --start 22:00 --end 07:00 --title Nattevakt | head -1)
$central activity add lilleby --weekly tir --from 2026-12-01 --to 2026-12-31 \
    --start 11:00 --end 12:00 --title Trim > /dev/null
$central activity cancel "$plan" 2026-12-15 > /dev/null
$central activity move "$plan" 2026-12-22 --date 2026-12-23 --start 13:00 --end 14:00 > /dev/null
check "activity list shows both plans of the site" \
    bash -c "$central activity list solsiden | grep -c . | grep -qx 2"
check "a cancel of a day the plan has not is refused (exit 3)" \
    bash -c "$central activity cancel $plan 2026-12-16 > /dev/null 2>&1; test \$? -eq 3"

e2e_serve
e2e_kiosk_conf "$port"
on_day() { $ctl activities "$1" 2>&1; }
# Before the cancel and the move reach it, the kiosk holds the whole plan:
# take a first sync with a fresh central state, then check the outcome.
check "tilstedectl sync fetches the roster" bash -c "$ctl sync > $work/sync1.txt 2>&1"
for day in 2026-12-01 2026-12-08 2026-12-29; do
    check "Sangstund on Tuesday $day at 11.00" bash -c "$ctl activities $day | grep Sangstund | grep -q '11:00'"
done
for day in 2026-12-02 2026-12-07 2026-12-09 2026-12-14; do
    check "no Sangstund on $day (not a Tuesday)" bash -c "! $ctl activities $day | grep -q Sangstund"
done
check "the cancelled Tuesday 2026-12-15 has no Sangstund" \
    bash -c "! $ctl activities 2026-12-15 | grep -q Sangstund"
check "the moved one is not on 2026-12-22" bash -c "! $ctl activities 2026-12-22 | grep -q Sangstund"
check "the moved one is on 2026-12-23 at 13:00-14:00" \
    bash -c "$ctl activities 2026-12-23 | grep Sangstund | grep -q '13:00.*14:00'"
check "no other site's activity reaches this kiosk" bash -c "! $ctl activities 2026-12-01 | grep -q Trim"
check "the night watch on Friday 2026-12-04 ends at 07:00 (the next day)" \
    bash -c "$ctl activities 2026-12-04 | grep Nattevakt | grep -q '22:00.*07:00'"

# Cancelled after the kiosk already has it: the next sync takes it away.
$central activity cancel "$plan" 2026-12-29 > /dev/null
check "a second sync" bash -c "$ctl sync > $work/sync2.txt 2>&1"
check "the occurrence cancelled after the first sync is gone from the kiosk" \
    bash -c "! $ctl activities 2026-12-29 | grep -q Sangstund"
check "the others stay" bash -c "$ctl activities 2026-12-08 | grep -q Sangstund"
on_day 2026-12-04 > "$work/friday.txt"

# The service's Outlook calendar imported on the central (activity import):
# the next sync brings its occurrences, the moved and the cancelled ones.
check "activity import exits 1 for the refused monthly event, imports the rest" \
    bash -c "$central activity import solsiden $(dirname "$0")/data/aktiviteter-outlook.ics \
        --on 2026-12-02 > $work/import.txt 2> $work/import.err; test \$? -eq 1"
check "the refused event is named by its line" grep -q "line 128: event UID" "$work/import.err"
check "a sync after the import" bash -c "$ctl sync > $work/sync3.txt 2>&1"
check "the imported single event: Julekonsert 2026-12-17 at 18:00-19:30" \
    bash -c "$ctl activities 2026-12-17 | grep Julekonsert | grep -q '18:00.*19:30'"
check "the imported weekly Sterk og stødig on Monday 2026-12-28 at 10:00" \
    bash -c "$ctl activities 2026-12-28 | grep -q 'Sterk og stødig'"
check "the imported occurrence moved (RECURRENCE-ID) from 2027-01-05 is not there" \
    bash -c "! $ctl activities 2027-01-05 | grep -q Sangstund"
check "the moved occurrence is on Wednesday 2027-01-06 at 13:00-14:00" \
    bash -c "$ctl activities 2027-01-06 | grep Sangstund | grep -q '13:00.*14:00'"
check "the EXDATE 2027-03-30 has no Sangstund" bash -c "! $ctl activities 2027-03-30 | grep -q Sangstund"
check "in summer time Sangstund is still at 11:00 (2027-04-06)" \
    bash -c "$ctl activities 2027-04-06 | grep Sangstund | grep -q '11:00.*12:00'"
check "the refused monthly event reaches no kiosk" \
    bash -c "! $ctl activities 2026-12-03 | grep -q Bursdagsfeiring"
echo "activities e2e: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
