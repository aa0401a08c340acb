#!/bin/bash
# Highest loss-free rate of two receivers on the same lab, and the loss at twice that rate.
#
# The lab is Labs/gate/sequence-afxdp.yaml's: a 2-queue veth, the reference port_redirect program with AF_XDP
# sockets on queues 0 and 1, sequenced UDP steered to queue 1. Receiver af-xdp gets port 8003 (the program
# redirects it to the socket); receiver udp-socket gets port 9000 (the program passes it to a kernel UDP socket).
# For each receiver: a coarse sweep of paced rates, a bisection between the last loss-free and the first
# lossy rate, then runs at twice the best rate. A rate counts as loss-free only if every trial lost nothing.
#
# usage (as root): Benchmarks/sequence-rates/run.sh [XDPLAB]
#   XDPLAB     the xdplab binary (default .build/release/xdplab; build it with swift build -c release)
#   env RATES  coarse sweep, packets/s (default "25000 50000 100000 150000 200000 300000 400000 600000")
#   env TRIALS runs per rate (default 3); DURATION each run's length (default 2s); STEPS bisection steps (default 4)
# Prints one line per run and a summary; the runs' evidence goes to a temporary folder that is removed at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
xdplab=${1:-$repo/.build/release/xdplab}
rates=${RATES:-"25000 50000 100000 150000 200000 300000 400000 600000"}
trials=${TRIALS:-3}
duration=${DURATION:-2s}
steps=${STEPS:-4}
[ -x "$xdplab" ] || { echo "no xdplab at $xdplab; build it first (swift build -c release)" >&2; exit 2; }
work=$(mktemp -d /tmp/sequence-rates.XXXXXX)
trap 'rm -rf "$work"' EXIT

# lab RECEIVER PORT RATE: writes the lab file and prints its path
lab() {
    local file="$work/$1-$3.yaml"
    sed -e "s|program: ../programs/|program: $repo/Labs/programs/|" \
        -e "s|^lab: .*|lab: rates-$1|" \
        -e "s|^    rate: .*|    rate: $3/s|" \
        -e "s|^    duration: .*|    duration: $duration|" \
        -e "s|^    port: .*|    port: $2|" \
        -e "s|^    receiver: .*|    receiver: $1|" \
        "$repo/Labs/gate/sequence-afxdp.yaml" > "$file"
    echo "$file"
}

# trial RECEIVER PORT RATE: prints "sent lost achieved" of one run
trial() {
    local output
    output=$("$xdplab" run "$(lab "$1" "$2" "$3")" --captures "$work/captures" 2>/dev/null || true)
    local sent lost achieved
    sent=$(sed -n 's/^  sequence: \([0-9]*\) packets.*/\1/p' <<<"$output")
    lost=$(sed -n 's/^  received [0-9]*: \([0-9]*\) lost.*/\1/p' <<<"$output")
    achieved=$(sed -n 's/.* \([0-9]*\) packets\/s$/\1/p' <<<"$output")
    if [ -z "$sent" ] || [ -z "$lost" ]; then
        echo "run failed for $1 at $3/s:" >&2
        echo "$output" >&2
        echo "0 0 0"
    else
        echo "$sent $lost ${achieved:-0}"
    fi
    rm -rf "$work/captures"
}

# rate RECEIVER PORT RATE: runs the trials; prints each; returns 0 when none lost anything
rate() {
    local clean=0 sent lost achieved
    for t in $(seq 1 "$trials"); do
        read -r sent lost achieved < <(trial "$1" "$2" "$3")
        [ "$sent" -gt 0 ] || exit 1
        printf '%-10s %8s/s  trial %d  sent %8d  achieved %8d/s  lost %8d (%s%%)\n' "$1" "$3" "$t" "$sent" "$achieved" "$lost" \
            "$(awk -v l="$lost" -v s="$sent" 'BEGIN { printf "%.3f", s ? 100 * l / s : 0 }')" >&2
        [ "$lost" -eq 0 ] || clean=1
        total_sent=$((total_sent + sent)); total_lost=$((total_lost + lost))
    done
    return $clean
}

summary=""
for receiver in af-xdp udp-socket; do
    port=8003; [ "$receiver" = udp-socket ] && port=9000
    good=0; bad=0
    for r in $rates; do
        total_sent=0; total_lost=0
        if rate "$receiver" "$port" "$r"; then good=$r; else bad=$r; break; fi
    done
    if [ "$bad" -gt 0 ] && [ "$good" -gt 0 ]; then
        for _ in $(seq 1 "$steps"); do
            middle=$(( (good + bad) / 2 / 1000 * 1000 ))
            [ "$middle" -gt "$good" ] && [ "$middle" -lt "$bad" ] || break
            total_sent=0; total_lost=0
            if rate "$receiver" "$port" "$middle"; then good=$middle; else bad=$middle; fi
        done
    fi
    line="$receiver: highest loss-free rate $good/s"
    if [ "$good" -gt 0 ]; then
        total_sent=0; total_lost=0
        rate "$receiver" "$port" $((2 * good)) || true
        line+=", at $((2 * good))/s lost $total_lost of $total_sent ($(awk -v l="$total_lost" -v s="$total_sent" 'BEGIN { printf "%.2f", s ? 100 * l / s : 0 }')%)"
    fi
    [ "$bad" -gt 0 ] || line+=" (no sweep rate lost anything; raise RATES)"
    summary+="$line"$'\n'
done
echo
printf '%s' "$summary"
