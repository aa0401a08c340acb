#!/bin/bash
# check-rate: the rate of `xdplab check`'s matrix against a plain C loop of bpf_prog_test_run_opts over the
# same frames, on the same queues, in the same two states, on this machine. Prints both rates and the ratio;
# the check must reach at least 80% of the C loop. A benchmark to run by hand, not a timed test.
#
# usage: run.sh [PROGRAM]            (default: Labs/programs/port_redirect.bpf.c)
# environment: XDPLAB  the xdplab binary (default: build one with `swift build -c release`)
#              QUEUES (4), PORTS (8003-8005), ROUNDS (5), EVERY_QUEUE=1 to add --sweep-every-queue
# Needs root: it loads BPF, creates a namespace xdplab-<run>-bench and AF_XDP sockets (removed on exit;
# `xdplab clean` removes them if the script is killed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
program=$(realpath "${1:-$repo/Labs/programs/port_redirect.bpf.c}")
queues=${QUEUES:-4}
ports=${PORTS:-8003-8005}
rounds=${ROUNDS:-5}
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (BPF, network namespaces, AF_XDP sockets)" >&2; exit 3; }

work=$(mktemp -d /tmp/xdplab-check-rate.XXXXXX)
run=$(printf '%06x' $(( (RANDOM << 15 | RANDOM) & 0xFFFFFF )))
ns=xdplab-$run-bench
cleanup() {
    ip netns delete "$ns" 2>/dev/null || true
    rm -f "/run/xdplab/runs/$run"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${XDPLAB:-}" ]; then
    swift build -c release --package-path "$repo" --scratch-path "$repo/.build-check-rate" --product xdplab >&2
    XDPLAB=$repo/.build-check-rate/release/xdplab
fi
loop=$("$here/build.sh" "$work/check-rate-loop")

# The C loop loads the object: the .o as given, or the source compiled as xdplab compiles it.
case "$program" in
    *.o) object=$program ;;
    *) object=$work/program.bpf.o
       clang -O2 -g -target bpf -Wall -Wno-unused-function -I"/usr/include/$(uname -m)-linux-gnu" -c "$program" -o "$object" ;;
esac
port_list=$(python3 -c '
import sys
ports = []
for item in sys.argv[1].split(","):
    low, _, high = item.strip().partition("-")
    ports += range(int(low), int(high or low) + 1)
print(",".join(map(str, sorted(set(ports)))))' "$ports")

# The C loop's namespace: veth check0/check1 with the same queue count as the check's own.
mkdir -p /run/xdplab/runs
printf 'pid %s\nlab check-rate benchmark\nnamespace %s\n' $$ "$ns" > "/run/xdplab/runs/$run"
ip netns add "$ns"
ip -n "$ns" link add check0 numtxqueues "$queues" numrxqueues "$queues" type veth \
    peer name check1 numtxqueues "$queues" numrxqueues "$queues"
ip -n "$ns" link set check0 up
ip -n "$ns" link set check1 up

# Alternate the two, so both meet the same machine load; the best and the median of each are kept.
: > "$work/check.rates"
: > "$work/loop.rates"
for round in $(seq "$rounds"); do
    status=0
    "$XDPLAB" check "$program" --ports "$ports" --queues "$queues" ${EVERY_QUEUE:+--sweep-every-queue} \
        --json "$work/check.json" --save-frames "$work/frames.bin" > "$work/check.out" || status=$?
    if [ "$status" -gt 1 ]; then cat "$work/check.out" >&2; echo "run.sh: xdplab check exited $status" >&2; exit "$status"; fi
    python3 -c '
import json, sys
check = json.load(open(sys.argv[1]))["check"]
timing = check["timing"]
redirects = sum(row["verdicts"].get("registered", {}).get("REDIRECT", 0) for row in check["classes"])
print(check["runs"], timing["testRuns"] + timing["judging"], timing["testRuns"], redirects, timing["total"])' \
        "$work/check.json" >> "$work/check.rates"
    "$loop" "$object" "$work/frames.bin" "$queues" "$port_list" "$ns" 1 \
        | sed -E 's/runs=([0-9]+) seconds=([0-9.]+) rate=([0-9]+) redirects=([0-9]+)/\1 \2 \4/' >> "$work/loop.rates"
done

python3 - "$work/check.rates" "$work/loop.rates" "$program" "$queues" <<'PY'
import statistics, sys
check = [line.split() for line in open(sys.argv[1])]
loop = [line.split() for line in open(sys.argv[2])]
runs = int(check[0][0])
if any(int(row[0]) != runs for row in check + loop):
    sys.exit("run.sh: the check and the C loop ran different numbers of runs")
if any(int(row[3]) != int(loop[0][2]) for row in check) or any(int(row[2]) != int(loop[0][2]) for row in loop):
    sys.exit("run.sh: the check and the C loop disagree on the number of REDIRECT verdicts")
matrix = [runs / float(row[1]) for row in check]
testruns = [runs / float(row[2]) for row in check]
plain = [runs / float(row[1]) for row in loop]
def line(name, rates):
    return f"  {name:<36} best {max(rates) / 1e6:5.3f} M runs/s   median {statistics.median(rates) / 1e6:5.3f} M runs/s"
print(f"check-rate: {sys.argv[3]}, {sys.argv[4]} queues, {runs:,} runs per round, {len(check)} rounds, "
      f"{loop[0][2]} REDIRECT verdicts in both")
print(line("xdplab check, matrix (runs + judging)", matrix))
print(line("xdplab check, test runs alone", testruns))
print(line("plain C loop", plain))
print(f"  xdplab check end to end (compile, namespace, corpus, matrix): best {min(float(r[4]) for r in check):.2f} s")
best = max(matrix) / max(plain)
median = statistics.median(matrix) / statistics.median(plain)
print(f"  ratio check / C loop: {best:.1%} (best against best), {median:.1%} (median against median); needs at least 80%")
sys.exit(0 if best >= 0.8 else 1)
PY
