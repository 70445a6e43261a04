# Sourced by the scripts that drive the real kiosk programs against
# tests/doc_receiver.py, the receiver written from sync/PROTOCOL.md alone:
# e2e_check.sh's work directory, `check` and kiosk configuration, the
# receiver stopped on exit. Needs bin, src, out and e2e_prefix set before.
source "$src/e2e_check.sh"
printf 'dGVzdC10b2tlbi1mb3ItdGhlLWRvY3VtZW50LXJlY2VpdmVy\n' > "$work/device.token"
chmod 600 "$work/device.token"
# A card key of our own, so the receiver's roster can name a card by the
# keyed hash the kiosk computes (BLAKE2b-256 under this key).
python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes(range(32)))' "$work/card.key"
chmod 600 "$work/card.key"

# start_receiver [MORE-INI] -- RECEIVER-ARGS...: the receiver on a free
# port (a running one stopped first, its request log kept in
# all_requests.log, so requests.log holds this receiver's alone), and the
# kiosk's configuration pointing at it with MORE-INI.
start_receiver() {
    local more=$1
    shift
    [[ -n $central_pid ]] && kill "$central_pid" && wait "$central_pid" 2>/dev/null || true
    [[ -f $work/requests.log ]] && cat "$work/requests.log" >> "$work/all_requests.log"
    rm -f "$work/port" "$work/requests.log"
    # Its own log, not the test's output: a receiver left behind must not
    # hold ctest's pipe open.
    python3 "$src/doc_receiver.py" "$work/port" "$work/requests.log" "$@" \
        >>"$work/receiver.log" 2>&1 &
    central_pid=$!
    for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
    e2e_kiosk_conf "$(cat "$work/port")" "$more"
}
# card_hash UID-HEX: the keyed hash the kiosk stores for that card.
card_hash() {
    python3 -c 'import hashlib,sys
key = open(sys.argv[1], "rb").read()
print(hashlib.blake2b(bytes.fromhex(sys.argv[2]), key=key, digest_size=32).hexdigest())' \
        "$work/card.key" "$1"
}
