#!/bin/bash
# Builds the plain C baseline of Benchmarks/check-rate with the system compiler.
# usage: build.sh [OUTPUT]   (default: /tmp/check-rate-loop)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
output=${1:-/tmp/check-rate-loop}
cc -O2 -Wall -Wextra -pthread -o "$output" "$here/loop.c" $(pkg-config --cflags --libs libxdp libbpf)
echo "$output"
