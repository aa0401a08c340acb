#!/bin/bash
# parallel-labs: a folder of labs run one by one (`--jobs 1`) against the same labs run at once (the default,
# 4 per core, timing-sensitive phases holding the machine). Prints each side's wall time, the longest single
# lab (what a parallel run cannot beat), the timing-sensitive phases that still run one at a time, and the
# ratio; both sides must reach the same verdicts, or the script says so and exits 1. Run by hand, not a test.
#
# usage: run.sh [LAB-OR-FOLDER …]   (default: every lab under Labs/)
# environment: XDPLAB  the xdplab binary (default: .build/release/xdplab, built if missing)
#              JOBS    --jobs for the parallel side (default: xdplab's own default)
# Needs root. Everything the labs create is xdplab's own and removed by each lab.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; exit 3; }
if [ -z "${XDPLAB:-}" ]; then
    swift build -c release --package-path "$repo" --product xdplab >&2
    XDPLAB=$repo/.build/release/xdplab
fi
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=("$repo/Labs")
work=$(mktemp -d /tmp/xdplab-parallel-bench.XXXXXX)

# Runs one side; prints its wall seconds. Its JSON report lands in $work/$1.json.
side() {
    local name=$1; shift
    local start end
    start=$(date +%s%N)
    "$XDPLAB" run "${labs[@]}" --quiet --captures "$work/captures-$name" --json "$work/$name.json" "$@" \
        >"$work/$name.txt" 2>&1 || true
    end=$(date +%s%N)
    echo "scale=2; ($end - $start) / 1000000000" | bc
}

echo "labs: ${labs[*]}"
serial=$(side serial --jobs 1)
echo "one by one (--jobs 1):  ${serial} s"
parallel=$(side parallel ${JOBS:+--jobs "$JOBS"})
echo "at once (${JOBS:-default} jobs):   ${parallel} s"

set +e
python3 - "$work/serial.json" "$work/parallel.json" "$serial" "$parallel" <<'PY'
import json, sys
serial, parallel = (json.load(open(path))["labs"] for path in sys.argv[1:3])
verdict = lambda labs: [(lab["lab"], lab["passed"]) for lab in labs]
longest = max(serial, key=lambda lab: lab["durationSeconds"])
print(f"labs: {len(serial)}, passed one by one: {sum(l['passed'] for l in serial)}, at once: {sum(l['passed'] for l in parallel)}")
print(f"longest lab one by one: {longest['lab']} {longest['durationSeconds']:.1f} s (a parallel run cannot end sooner)")
print(f"ratio (one by one / at once): {float(sys.argv[3]) / float(sys.argv[4]):.2f}x")
if verdict(serial) != verdict(parallel):
    changed = [a[0] for a, b in zip(verdict(serial), verdict(parallel)) if a != b]
    print(f"verdicts differ between the two sides: {', '.join(changed)}")
    sys.exit(1)
PY
status=$?
if [ $status -eq 0 ]; then rm -rf "$work"; else echo "reports and progress kept in $work"; fi
exit $status
