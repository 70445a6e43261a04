#!/bin/sh
# The central web app's catalogues (sync/central/po/): msgfmt --check and
# --statistics show every message translated, none fuzzy, for nn and en;
# and how many msgids of the pages' sources have no translation yet.
# Usage: test_central_po.sh SOURCE_DIR WORK_DIR
src=$1
work=$2
mkdir -p "$work"
failures=0
for lang in nn en; do
    po="$src/sync/central/po/$lang.po"
    if ! LC_ALL=C.UTF-8 msgfmt --check --statistics -o /dev/null "$po" 2> "$work/$lang.stats"; then
        echo "FAIL: $lang: msgfmt --check: $(cat "$work/$lang.stats")"
        failures=$((failures + 1))
        continue
    fi
    stats=$(grep "translated messages" "$work/$lang.stats")
    echo "$lang: $stats"
    case $stats in
    *untranslated* | *fuzzy*)
        echo "FAIL: $lang: not every message is translated"
        failures=$((failures + 1))
        ;;
    esac
done
# The msgids of the pages, and those the catalogues lack (a figure: pages
# not yet translated keep their bokmål until they are).
LC_ALL=C.UTF-8 xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=web_ntext:2,3 \
    --no-location -o "$work/pages.pot" "$src"/sync/central/web/*.c 2> /dev/null
for lang in nn en; do
    LC_ALL=C.UTF-8 msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.merged.po" \
        "$src/sync/central/po/$lang.po" "$work/pages.pot"
    LC_ALL=C.UTF-8 msgfmt --statistics -o /dev/null "$work/$lang.merged.po" 2>&1 |
        sed "s/^/$lang, all the pages' msgids: /"
done
[ $failures = 0 ] || exit 1
echo "all passed"
