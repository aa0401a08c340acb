#!/bin/bash
# receivers: the built-in AF_XDP receiver's highest loss-free rate against a plain C libxdp receiver
# (xsk_rx.c), on the same lab link with the same sender.
#
# Both sides run Labs/gate/sequence-afxdp.yaml at the same paced rate (xdplab's sequence sender, UDP port 8003
# steered to queue 1 of a 2-queue veth, the reference port_redirect program). The built-in side is that lab as
# it is: its report's sent and lost. For the C side the same lab runs with the lab's sockets on queue 0 only
# (a queue takes one socket) and the sequence to port 9000, which the lab does not claim (receiver udp-socket:
# xdplab's UDP socket then gets nothing); xsk_rx, started in the lab's validator namespace, binds queue 1,
# waits for the program to be attached, writes its socket into xsks_map slot 1 and marks port 9000 in
# validator_ports, as the built-in stack registers its own; it counts the sequence numbers it got. Its loss is the numbers missing between the first it received and the last one sent (its first few
# milliseconds went to the built-in socket before the takeover; a packet in flight at the switch reaches one
# of the two, never neither). Same sizes on both sides: 4096 UMEM frames of 2048 bytes, rings of 2048,
# batches of 64, copy mode.
#
# A rate counts as loss-free only if every trial lost nothing. For each side: the highest loss-free rate of
# the sweep. Prints each trial, both rates and the ratio (goal: built-in ≥ 0.8 × C).
# A benchmark to run by hand (as root) on a quiet machine, not a timed test.
#
# usage: receivers.sh
# environment: XDPLAB   the xdplab binary (default: build one with `swift build -c release`)
#              RATES    sweep, packets/s (default "100000 125000 150000 175000 200000 250000 300000 400000")
#              TRIALS   runs per rate and side (default 3); DURATION each run's length (default 2s)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rates=${RATES:-"100000 125000 150000 175000 200000 250000 300000 400000"}
trials=${TRIALS:-3}
duration=${DURATION:-2s}
[ "$(id -u)" = 0 ] || { echo "receivers.sh: needs root (namespaces, XDP, AF_XDP sockets)" >&2; exit 3; }

work=$(mktemp -d /tmp/xdplab-receivers.XXXXXX)
receiver_pid=""
cleanup() {
    if [ -n "$receiver_pid" ]; then kill "$receiver_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${XDPLAB:-}" ]; then
    swift build -c release --package-path "$repo" --scratch-path "$repo/.build-load" --product xdplab >&2
    XDPLAB=$repo/.build-load/release/xdplab
fi
cc -O2 -Wall -Wextra -o "$work/xsk_rx" "$here/xsk_rx.c" -lxdp -lbpf

# lab NAME RATE [plain]: writes the lab file and prints its path; plain: the C receiver's variant
lab() {
    local file="$work/$1.yaml"
    local variant=()
    if [ "${3:-}" = plain ]; then
        variant=(-e "s|^  queues: .*|  queues: [0]|" -e "s|^    port: .*|    port: 9000|" -e "s|^    receiver: .*|    receiver: udp-socket|")
    fi
    sed -e "s|program: ../programs/|program: $repo/Labs/programs/|" \
        -e "s|^lab: .*|lab: $1|" \
        -e "s|^    rate: .*|    rate: $2/s|" \
        -e "s|^    duration: .*|    duration: $duration|" \
        "${variant[@]}" "$repo/Labs/gate/sequence-afxdp.yaml" > "$file"
    echo "$file"
}

# field OUTPUT: "sent lost achieved" from xdplab's summary
fields() {
    local sent lost achieved
    sent=$(sed -n 's/^  sequence: \([0-9]*\) packets.*/\1/p' <<<"$1")
    lost=$(sed -n 's/^  received [0-9]*: \([0-9]*\) lost.*/\1/p' <<<"$1")
    achieved=$(sed -n 's/.* \([0-9]*\) packets\/s$/\1/p' <<<"$1")
    echo "${sent:-0} ${lost:-0} ${achieved:-0}"
}

# builtin RATE TRIAL: prints "sent lost achieved"
builtin() {
    local output
    output=$("$XDPLAB" run "$(lab "rxbench-builtin-$1-$2" "$1")" --captures "$work/captures" 2>/dev/null || true)
    rm -rf "$work/captures"
    fields "$output"
}

# plain RATE TRIAL: prints "sent lost achieved" with lost counted by xsk_rx
plain() {
    local name="rxbench-c-$1-$2" output namespace="" sent lost achieved
    "$XDPLAB" run "$(lab "$name" "$1" plain)" --captures "$work/captures" > "$work/run.out" 2>/dev/null &
    local run_pid=$!
    for _ in $(seq 200); do
        namespace=$("$XDPLAB" list 2>/dev/null | awk -v lab="$name" '$2 == lab { n = split($6, a, ","); for (i = 1; i <= n; i++) if (a[i] ~ /-validator$/) print a[i] }')
        [ -n "$namespace" ] && break
        sleep 0.02
    done
    if [ -z "$namespace" ]; then
        wait "$run_pid" || true
        echo "receivers.sh: the lab's namespace never appeared" >&2; echo "0 0 0"; return
    fi
    ip netns exec "$namespace" "$work/xsk_rx" eth0 1 9000 20 300 > "$work/rx.out" 2> "$work/rx.err" &
    receiver_pid=$!
    wait "$run_pid" || true
    wait "$receiver_pid" || true
    receiver_pid=""
    rm -rf "$work/captures"
    read -r sent lost achieved < <(fields "$(cat "$work/run.out")")
    local last missing
    last=$(sed -n 's/.* last=\(-\{0,1\}[0-9]*\) .*/\1/p' "$work/rx.out")
    missing=$(sed -n 's/.* missing=\([0-9]*\) .*/\1/p' "$work/rx.out")
    if [ -z "$last" ] || [ "$last" -lt 0 ] || [ "$sent" -eq 0 ]; then
        echo "receivers.sh: xsk_rx received nothing: $(cat "$work/rx.out" "$work/rx.err" "$work/run.out")" >&2; echo "0 0 0"; return
    fi
    echo "$sent $((missing + sent - 1 - last)) $achieved $(cat "$work/rx.out")"
}

# sweep SIDE: prints each trial to stderr and the highest loss-free rate to stdout
sweep() {
    local good=0 sent lost achieved rest
    for r in $rates; do
        local clean=1
        for t in $(seq "$trials"); do
            read -r sent lost achieved rest < <("$1" "$r" "$t")
            printf '%-8s %7s/s  trial %d  sent %8d  achieved %7d/s  lost %7d  %s\n' "$1" "$r" "$t" "$sent" "$achieved" \
                "$lost" "${rest:-}" >&2
            [ "$sent" -gt 0 ] && [ "$lost" -eq 0 ] || clean=0
        done
        [ "$clean" = 1 ] || break
        good=$r
    done
    echo "$good"
}

best_builtin=$(sweep builtin)
best_plain=$(sweep plain)
echo
echo "receivers: highest loss-free paced rate on the gate's sequence lab (queue 1, $trials trials of $duration per rate)"
echo "  built-in AF_XDP receiver (xdplab)   $best_builtin packets/s"
echo "  plain C libxdp receiver (xsk_rx)    $best_plain packets/s"
awk -v b="$best_builtin" -v c="$best_plain" 'BEGIN {
    if (c == 0) { print "  ratio: undefined (the C receiver lost packets at every rate)"; exit 1 }
    printf "  ratio built-in / C: %.1f%%; needs at least 80%%\n", 100 * b / c; exit (b >= 0.8 * c ? 0 : 1) }'
