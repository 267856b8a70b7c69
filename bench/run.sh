#!/usr/bin/env bash
# Runs the node benchmarks against an already built server
# (build/bin/liveview-examples; build it with `cmake --build build`).
# Builds nothing. Usage, from anywhere:  bench/run.sh
# Knobs (environment): BENCH_VIEWS, BENCH_CONNS, BENCH_SECONDS,
# BENCH_MAX_CLICKS, BENCH_JOIN_CONCURRENCY, BENCH_PIN, LV_SERVER_BIN; see
# foundation.mjs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${LV_SERVER_BIN:-$root/build/bin/liveview-examples}"
if [ ! -x "$bin" ]; then
    echo "bench/run.sh: $bin not found; build it first: cmake --build $root/build" >&2
    exit 1
fi

# One socket per view on both sides: node cannot raise its own limit, so raise
# it here (to the hard limit when 65536 is not allowed). The server is started
# by the script under the same ulimit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "bench/run.sh: open-file limit $(ulimit -n)"

# BENCH_PIN=1: the server runs on CPU 0 (foundation.mjs starts it under
# taskset) and node on CPU 1, so the two do not steal each other's core.
pin=()
if [ "${BENCH_PIN:-}" = 1 ]; then pin=(taskset -c 1); fi

status=0
for b in "$here"/*.mjs; do
    echo "== $b"
    LV_SOURCE_DIR="$root" "${pin[@]}" node "$b" || { echo "bench/run.sh: $(basename "$b") failed" >&2; status=1; }
done
exit $status
