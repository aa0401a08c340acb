#!/bin/bash
# load: xdplab's load-phase sender against a plain C sendmmsg loop, into the same veth of the same lab.
# xdplab runs Benchmarks/load/inject.yaml (other-udp4 as fast as it can for 3 s, counted by the tc ingress tally
# and the sockets) with --keep; the C loop then sends the same frame (the first other-udp4 frame of the lab's own
# pcap) for 3 s from the peer's namespace into the same link, the same XDP program and the same kernel. Rounds
# alternate, so both meet the same machine load. Prints both rates and the ratio; the goal is at least 80%.
# A benchmark to run by hand, not a timed test.
#
# usage: run.sh [ROUNDS]   (default 3)
# environment: XDPLAB  the xdplab binary (default: build one with `swift build -c release`)
# Needs root. Each round's lab is destroyed (xdplab destroy) before the next; `xdplab clean` removes what a
# killed run left.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-3}
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (namespaces, XDP, AF_XDP sockets)" >&2; exit 3; }

work=$(mktemp -d /tmp/xdplab-load.XXXXXX)
kept=""
cleanup() {
    if [ -n "$kept" ]; then "$XDPLAB" destroy "$kept" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${XDPLAB:-}" ]; then
    swift build -c release --package-path "$repo" --scratch-path "$repo/.build-load" --product xdplab >&2
    XDPLAB=$repo/.build-load/release/xdplab
fi
cc -O2 -Wall -Wextra -o "$work/sendmmsg_loop" "$here/sendmmsg_loop.c"

: > "$work/xdplab.rates"
: > "$work/loop.rates"
for round in $(seq "$rounds"); do
    status=0
    "$XDPLAB" run "$here/inject.yaml" --keep --quiet --captures "$work/captures" --json "$work/report.json" \
        > "$work/run.out" 2>&1 || status=$?
    folder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["labs"][0]["captureDirectory"] or "")' "$work/report.json")
    kept=${folder##*-}
    if [ "$status" -gt 1 ] || [ -z "$kept" ]; then cat "$work/run.out" >&2; echo "run.sh: xdplab run exited $status" >&2; exit 1; fi
    python3 - "$work/report.json" "$folder/validator-eth0.pcap" "$work/frame.hex" >> "$work/xdplab.rates" <<'PY'
import json, struct, sys
load = json.load(open(sys.argv[1]))["labs"][0]["load"]
offered = sum(t["offered"] for t in load["templates"])
refused = sum(t["backlogDrops"] for t in load["templates"])
print(offered, refused, load["seconds"])
# The first tagged IPv4 UDP frame of the paced part, as the stack's interface received it.
data = open(sys.argv[2], "rb").read()
offset = 24
while offset + 16 <= len(data):
    length = struct.unpack_from("<I", data, offset + 8)[0]
    frame = data[offset + 16: offset + 16 + length]
    offset += 16 + length
    if frame[12:14] == b"\x08\x00" and frame[23] == 17 and b"XDPLAB\x07\x01" in frame:
        open(sys.argv[3], "w").write(frame.hex())
        break
else:
    sys.exit("run.sh: no tagged UDP frame in the pcap")
PY
    ip netns exec "xdplab-$kept-peer" "$work/sendmmsg_loop" eth0 "$work/frame.hex" 3 \
        | sed -E 's/sent=([0-9]+) refused=([0-9]+) seconds=([0-9.]+) rate=.*/\1 \2 \3/' >> "$work/loop.rates"
    "$XDPLAB" destroy "$kept" > /dev/null
    kept=""
done

python3 - "$work/xdplab.rates" "$work/loop.rates" "$rounds" <<'PY'
import statistics, sys
def rates(path):
    rows = [line.split() for line in open(path)]
    return [int(sent) / float(seconds) for sent, refused, seconds in rows], sum(int(r[1]) for r in rows)
xdplab, xdplab_refused = rates(sys.argv[1])
loop, loop_refused = rates(sys.argv[2])
def line(name, values, refused):
    return (f"  {name:<30} best {max(values):>10,.0f} packets/s   median {statistics.median(values):>10,.0f} packets/s"
            f"   (refused by the veth: {refused:,})")
print(f"load: injection into the gate's 4-queue veth (XDP then the kernel), {sys.argv[3]} rounds of 3 s each")
print(line("xdplab load sender", xdplab, xdplab_refused))
print(line("plain C sendmmsg loop", loop, loop_refused))
best = max(xdplab) / max(loop)
median = statistics.median(xdplab) / statistics.median(loop)
print(f"  ratio xdplab / C loop: {best:.1%} (best against best), {median:.1%} (median against median); needs at least 80%")
sys.exit(0 if best >= 0.8 else 1)
PY
