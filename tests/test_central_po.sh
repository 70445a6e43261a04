#!/bin/sh
# The central web app's catalogues (sync/central/po/): msgfmt --check and
# --statistics show every message translated, none fuzzy, in each; every
# msgid the pages use (xgettext over sync/central/web/*.c and the
# dashboard, sync/central/dashboard.c) has its nn and en
# translation; and every row error of the roster parser (firmware/roster.c,
# English msgids) has its nb and nn one (English needs none).
# Usage: test_central_po.sh SOURCE_DIR WORK_DIR
src=$1
work=$2
mkdir -p "$work"
failures=0
# "N translated messages." only: an untranslated or fuzzy one fails.
all_translated() {
    what=$1
    shift
    if ! LC_ALL=C.UTF-8 msgfmt --check --statistics -o /dev/null "$@" 2> "$work/stats"; then
        echo "FAIL: $what: msgfmt --check: $(cat "$work/stats")"
        failures=$((failures + 1))
        return
    fi
    stats=$(grep "translated message" "$work/stats")
    echo "$what: $stats"
    case $stats in
    *untranslated* | *fuzzy*)
        echo "FAIL: $what: not every message is translated"
        LC_ALL=C.UTF-8 msgattrib --untranslated --only-fuzzy --no-obsolete "$@" 2> /dev/null | grep '^msgid' | head -5
        LC_ALL=C.UTF-8 msgattrib --untranslated --no-obsolete "$@" 2> /dev/null | grep '^msgid' | head -5
        failures=$((failures + 1))
        ;;
    esac
}
for lang in nb nn en; do
    all_translated "$lang" "$src/sync/central/po/$lang.po"
done
# The msgids the code uses, merged into each catalogue: a msgid the
# catalogue lacks comes out untranslated.
LC_ALL=C.UTF-8 xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=web_ntext:2,3 \
    --no-location -o "$work/pages.pot" "$src"/sync/central/web/*.c "$src"/sync/central/dashboard.c \
    || failures=$((failures + 1))
LC_ALL=C.UTF-8 xgettext --from-code=UTF-8 -k --keyword=problem:2 --keyword=row_text:2 \
    --no-location -o "$work/roster.pot" "$src"/firmware/roster.c || failures=$((failures + 1))
grep -q '^msgid "[^"]' "$work/pages.pot" || { echo "FAIL: xgettext found no page msgids"; failures=$((failures + 1)); }
grep -q '^msgid "[^"]' "$work/roster.pot" || { echo "FAIL: xgettext found no roster msgids"; failures=$((failures + 1)); }
for check in "pages nn" "pages en" "roster nb" "roster nn"; do
    set -- $check
    LC_ALL=C.UTF-8 msgmerge --quiet --no-fuzzy-matching -o "$work/$1.$2.po" \
        "$src/sync/central/po/$2.po" "$work/$1.pot"
    # Only the messages of this .pot: the catalogue's others become
    # obsolete and are left out.
    LC_ALL=C.UTF-8 msgattrib --no-obsolete -o "$work/$1.$2.only.po" "$work/$1.$2.po"
    all_translated "$2, all the $1' msgids" "$work/$1.$2.only.po"
done
[ $failures = 0 ] || exit 1
echo "all passed"
