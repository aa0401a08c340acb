#!/bin/bash
# bring-up: xdplab building and tearing down the gate lab's topology (two namespaces, a 4-queue veth pair, aliases,
# four addresses, links up, neighbour sysctls) through rtnetlink, against the same work done by `ip -batch`
# (one ip process per namespace, plus netns add/del; without the sysctls, which favours ip). Prints both medians
# and the ratio; the goal is xdplab within 3x of ip -batch. A benchmark to run by hand, not a timed test.
#
# usage: run.sh [ROUNDS]   (default 20; rounds alternate between the two)
# environment: XDPLAB  the xdplab binary (default: .build/release/xdplab, built if missing)
# Needs root. Namespaces are xdplab-<run>-* (xdplab's) and xdplab-bench-* (the script's), removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-20}
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; exit 3; }
if [ -z "${XDPLAB:-}" ]; then
    swift build -c release --package-path "$repo" --product xdplab >&2
    XDPLAB=$repo/.build/release/xdplab
fi
lab=$repo/Labs/gate/validator-ports.yaml
a=xdplab-bench-$$-a
b=xdplab-bench-$$-b
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT

ip_batch_round() {
    local start end
    start=$(date +%s%N)
    ip netns add "$a"
    ip netns add "$b"
    ip -n "$a" -batch - <<EOB
link set lo up
link add eth0 numtxqueues 4 numrxqueues 4 type veth peer name eth0 netns $b numtxqueues 4 numrxqueues 4
link set dev eth0 alias xdplab:bench
addr add 198.18.0.1/24 dev eth0
addr add 2001:2::1/64 dev eth0 nodad
link set dev eth0 up
EOB
    ip -n "$b" -batch - <<EOB
link set lo up
link set dev eth0 alias xdplab:bench
addr add 198.18.0.2/24 dev eth0
addr add 2001:2::2/64 dev eth0 nodad
link set dev eth0 up
EOB
    ip netns del "$a"
    ip netns del "$b"
    end=$(date +%s%N)
    echo "scale=1; ($end - $start) / 1000000" | bc
}

xdplab_times=()
ip_times=()
for ((round = 1; round <= rounds; round++)); do
    xdplab_times+=("$("$XDPLAB" bring-up "$lab" --rounds 1 | sed -E 's/.*total ([0-9.]+) ms/\1/')")
    ip_times+=("$(ip_batch_round)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
x=$(median "${xdplab_times[@]}")
i=$(median "${ip_times[@]}")
echo "bring-up + tear-down of the gate topology, median of $rounds rounds each:"
echo "  xdplab (rtnetlink, in process): $x ms"
echo "  ip -batch (2 netns add, 2 batches, 2 netns del): $i ms"
echo "  ratio xdplab / ip -batch: $(echo "scale=2; $x / $i" | bc)  (goal: at most 3)"
