# Sourced by the end-to-end scripts: a work directory under OUT_DIR, the
# central stopped on exit, and `check NAME COMMAND...` counting passes and
# failures. Needs bin, out and the prefix e2e_prefix set before.
set -euo pipefail
mkdir -p "$out"
work=$(mktemp -d "$out/$e2e_prefix.XXXXXX")
central_pid=
pg_pid=
cleanup() {
    [[ -n $central_pid ]] && kill "$central_pid" 2>/dev/null
    [[ -n $pg_pid ]] && { wait "$central_pid" 2>/dev/null || true; kill "$pg_pid" 2>/dev/null; }
    wait 2>/dev/null || true
}
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
# The central's database: a SQLite file, or with TILSTEDE_E2E_BACKEND=postgresql
# a database on a PostgreSQL 15 server of the test's own (tests/pg_scratch.c),
# stopped and removed on exit.
db=$work/central.db
if [[ ${TILSTEDE_E2E_BACKEND:-} == postgresql ]]; then
    "$bin/pg_scratch" > "$work/pg.uri" 2> "$work/pg.log" &
    pg_pid=$!
    for _ in $(seq 300); do
        [[ -s $work/pg.uri ]] && break
        kill -0 "$pg_pid" 2>/dev/null || break
        sleep 0.1
    done
    db=$(head -1 "$work/pg.uri")
    [[ $db == postgresql://* ]] || { echo "no PostgreSQL server: $(cat "$work/pg.log")"; exit 1; }
fi
# In the environment, not on the command line: a URI's '&' would end the
# command in the checks' `bash -c "$central ..."`.
export TILSTEDE_CENTRAL_DB=$db
central="$bin/tilstede-central"
ctl="$bin/tilstedectl --config $work/kiosk.conf"

# e2e_site: the demo site solsiden on the central, with one kiosk whose
# token is in $work/device.token.
e2e_site() {
    $central site add solsiden --name "Solsiden helsehus" --kind helsehus > /dev/null
    $central device add solsiden --name Inngang > "$work/device.token" 2> /dev/null
    chmod 600 "$work/device.token"
}

# e2e_serve: the central serving on a free loopback port ($port), logging
# to $work/central.log; stops the script when it does not answer in 5 s.
e2e_serve() {
    port=$((20000 + RANDOM % 20000))
    $central serve --listen 127.0.0.1:$port > "$work/central.log" 2>&1 &
    central_pid=$!
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$port/v1/health" > /dev/null && return 0
        sleep 0.1
    done
    echo "the central did not answer on port $port:"
    cat "$work/central.log"
    exit 1
}

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
