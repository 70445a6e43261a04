#!/usr/bin/env bash
# `tilstede-central roster import` cuts a long message between characters,
# never inside one (issue 12, 4): a header without an id and with many
# Norwegian column names, shifted by 0 to 3 bytes so that the cut lands on
# every byte of a two-byte character; stderr must be valid UTF-8.
# Usage: test_central_roster_messages.sh BIN_DIR OUT_DIR
set -u
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
failures=0
for shift in 0 1 2 3; do
    python3 - "$work/bad$shift.csv" "$shift" <<'PY'
import sys
columns = ";".join("Kolonne %d " % i + "æøå" * 10 for i in range(14))
open(sys.argv[1], "w", encoding="utf-8").write(
    "x" * int(sys.argv[2]) + "Fornavn;Etternavn;" + columns + "\nKari;Nordmann\n")
PY
    "$bin/tilstede-central" --db "$work/central.db" roster import "$work/bad$shift.csv" \
        > /dev/null 2> "$work/err$shift"
    rc=$?
    [ $rc -ne 0 ] || { echo "FAIL: shift $shift: the import did not fail"; failures=$((failures + 1)); }
    grep -q "found columns" "$work/err$shift" ||
        { echo "FAIL: shift $shift: $(cat "$work/err$shift")"; failures=$((failures + 1)); }
    if python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$work/err$shift" \
        2> /dev/null; then
        echo "ok: shift $shift: the message is UTF-8 ($(wc -c < "$work/err$shift") bytes)"
    else
        echo "FAIL: shift $shift: the message is not UTF-8: $(cat "$work/err$shift")"
        failures=$((failures + 1))
    fi
done
[ $failures = 0 ] || exit 1
echo "all passed"
