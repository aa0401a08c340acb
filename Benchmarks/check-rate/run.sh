#!/bin/bash
# check-rate: the rate of `xdplab check`'s matrix, on every core, against a plain single-threaded C loop of
# bpf_prog_test_run_opts over the same frames, on the same queues, in the same two states, on this machine.
# Prints both rates and the ratio; the goal is 0.8 x the check's threads (1.6x on two cores). Also prints the
# same C loop split over as many threads, the ceiling for the check. A benchmark to run by hand, not a timed test.
#
# usage: run.sh [PROGRAM]            (default: Labs/programs/port_redirect.bpf.c)
# environment: XDPLAB   the xdplab binary (default: build one with `swift build -c release`)
#              QUEUES (4), PORTS (8003-8005), ROUNDS (5), THREADS (the check's default: one per core)
#              SPREAD=1 to add --spread-sweeps (each sweep value on one queue, a quarter of the runs)
#              FDS=1 to add the C loop on THREADS threads that share one descriptor, dups, reopened files and
#              programs loaded again (is one descriptor for every thread a bottleneck?)
# Needs root: it loads BPF, creates a namespace xdplab-<run>-bench and AF_XDP sockets (removed on exit;
# `xdplab clean` removes them if the script is killed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
program=$(realpath "${1:-$repo/Labs/programs/port_redirect.bpf.c}")
queues=${QUEUES:-4}
ports=${PORTS:-8003-8005}
rounds=${ROUNDS:-5}
threads=${THREADS:-$(nproc)}
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

check=("$XDPLAB" check "$program" --ports "$ports" --queues "$queues" --threads "$threads" ${SPREAD:+--spread-sweeps})
# Once before the rounds: the frames for the C loop (writing them is no part of a round), and a warm machine.
status=0
"${check[@]}" --save-frames "$work/frames.bin" > "$work/check.out" || status=$?
if [ "$status" -gt 1 ]; then cat "$work/check.out" >&2; echo "run.sh: xdplab check exited $status" >&2; exit "$status"; fi

# One xdplab check: "runs matrix-seconds test-run-seconds redirects total-seconds".
check_round() {
    local status=0
    "${check[@]}" --json "$work/check.json" > "$work/check.out" || status=$?
    if [ "$status" -gt 1 ]; then cat "$work/check.out" >&2; echo "run.sh: xdplab check exited $status" >&2; exit "$status"; fi
    python3 -c '
import json, sys
check = json.load(open(sys.argv[1]))["check"]
timing = check["timing"]
redirects = sum(row["verdicts"].get("registered", {}).get("REDIRECT", 0) for row in check["classes"])
print(check["runs"], timing["testRuns"] + timing["judging"], timing["testRuns"], redirects, timing["total"])' "$work/check.json"
}

# One C loop round on THREADS threads with descriptors of kind FDS: "runs seconds redirects".
loop_round() {
    "$loop" "$object" "$work/frames.bin" "$queues" "$port_list" "$ns" 1 "$1" "$2" \
        | sed -E 's/runs=([0-9]+) seconds=([0-9.]+) rate=([0-9]+) redirects=([0-9]+)/\1 \2 \4/'
}

# Alternate the sides, so all meet the same machine load; the best and the median of each are kept.
sides="loop-1-reopen loop-$threads-reopen"
if [ -n "${FDS:-}" ]; then sides="$sides loop-$threads-shared loop-$threads-dup loop-$threads-load"; fi
: > "$work/check.rates"
for side in $sides; do : > "$work/$side.rates"; done
for round in $(seq "$rounds"); do
    check_round >> "$work/check.rates"
    for side in $sides; do
        IFS=- read -r _ count kind <<< "$side"
        loop_round "$count" "$kind" >> "$work/$side.rates"
    done
done

python3 - "$work" "$program" "$queues" "$threads" "$sides" <<'PY'
import statistics, sys
work, program, queues, threads, sides = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split()
def rows(name):
    return [line.split() for line in open(f"{work}/{name}.rates")]
check = rows("check")
loops = {side: rows(side) for side in sides}
runs, redirects = int(check[0][0]), int(check[0][3])
everything = check + [row for side in sides for row in loops[side]]
if any(int(row[0]) != runs for row in everything):
    sys.exit("run.sh: the check and the C loop ran different numbers of runs")
if any(int(row[3]) != redirects for row in check) or any(int(row[2]) != redirects for side in sides for row in loops[side]):
    sys.exit("run.sh: the check and the C loop disagree on the number of REDIRECT verdicts")

def rates(table, column):
    return [runs / float(row[column]) for row in table]
described = {"reopen": "a file of its own each", "shared": "one descriptor for all", "dup": "dups: one file for all",
             "load": "the program loaded again for each"}
lines = [(f"xdplab check, {threads} thread{'s' if threads > 1 else ''}, matrix (runs + judging)", rates(check, 1)),
         ("xdplab check, test runs alone", rates(check, 2))]
for side in sides:
    _, count, kind = side.split("-")
    name = "plain C loop, 1 thread (the baseline)" if count == "1" else f"plain C loop, {count} threads, {described[kind]}"
    lines.append((name, rates(loops[side], 1)))
width = max(len(name) for name, _ in lines)
print(f"check-rate: {program}, {queues} queues, {runs:,} runs per round, {len(check)} rounds, "
      f"{redirects} REDIRECT verdicts in each")
for name, values in lines:
    print(f"  {name:<{width}}  best {max(values) / 1e6:5.3f} M runs/s   median {statistics.median(values) / 1e6:5.3f} M runs/s")
totals = [float(row[4]) for row in check]
print(f"  xdplab check end to end (compile, namespace, corpus, matrix, judging): best {min(totals):.2f} s, "
      f"median {statistics.median(totals):.2f} s")
matrix, baseline = lines[0][1], lines[2][1]
goal = 0.8 * threads
best = max(matrix) / max(baseline)
median = statistics.median(matrix) / statistics.median(baseline)
print(f"  ratio xdplab check / single-threaded C loop: {best:.2f}x (best against best), {median:.2f}x (median against "
      f"median); goal at least {goal:.1f}x (0.8 x {threads} thread{'s' if threads > 1 else ''})")
sys.exit(0 if best >= goal else 1)
PY
