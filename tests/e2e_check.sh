# Sourced by the end-to-end scripts: a work directory under OUT_DIR, the
# central stopped on exit, and `check NAME COMMAND...` counting passes and
# failures. Needs bin, out and the prefix e2e_prefix set before.
set -euo pipefail
mkdir -p "$out"
work=$(mktemp -d "$out/$e2e_prefix.XXXXXX")
central_pid=
cleanup() { [[ -n $central_pid ]] && kill "$central_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
pass=0
fail=0
check() { # check NAME CONDITION...
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok: $name"
    else
        fail=$((fail + 1))
        echo "FAILED: $name"
    fi
}
export TZ=Europe/Oslo
central="$bin/tilstede-central --db $work/central.db"
ctl="$bin/tilstedectl --config $work/kiosk.conf"

# e2e_kiosk_conf PORT [MORE-INI]: the kiosk's configuration for the demo
# site solsiden on a scratch database, sending to the central on PORT, with
# MORE-INI (whole sections) added. Test machines run no time
# synchronisation: without [clock] trust = always the kiosk would rightly
# hold its events for up to 30 minutes waiting for the clock.
e2e_kiosk_conf() {
    cat > "$work/kiosk.conf" <<CONF
[site]
id = solsiden
name = Solsiden helsehus
[reader]
connection = sim
[store]
database = $work/kiosk.db
card_key = $work/card.key
${2:-}
[clock]
trust = always
[sync]
central_url = http://127.0.0.1:$1
token_file = $work/device.token
CONF
}
