#!/usr/bin/env bash
# What one event costs the server on its hot path, beyond CPU time: heap
# allocations, replies and system calls per event, measured on the examples
# server's /counter under liveview-load (docs/performance.md, "Hot path").
#
#   bench/hotpath.sh [CONNECTIONS (100)] [PIPELINE (16)]
#
# It starts the server under bench/shim/alloc_shim.c (LD_PRELOAD; built here into
# build/alloc_shim.so), clicks for 6 s, and over the middle 3 s samples the
# shim (allocations, and replies counted in what the server writes) and runs
# `strace -c -f` on the server. Prints allocations per event, syscalls per
# event (all, and by name for the frequent ones) and writes per event. The
# shim and strace slow the server down: the CPU figures are bench/load.sh's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
server_bin="${LV_SERVER_BIN:-$root/build/bin/liveview-examples}"
load_bin="${LV_LOAD_BIN:-$root/build/bin/liveview-load}"
connections="${1:-100}"
pipeline="${2:-16}"
shim="$root/build/alloc_shim.so"
cc -O2 -shared -fPIC -o "$shim" "$here/shim/alloc_shim.c" -ldl

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

LD_PRELOAD="$shim" ALLOC_SHIM_OUT="$work/samples" \
LV_HOST=127.0.0.1 LV_PORT=0 LV_ASSETS_DIR="" LV_MAX_CONNECTIONS=0 LV_MAX_CONNECTIONS_PER_ADDRESS=0 LV_LOG_LEVEL=error \
LV_SECRET_KEY_BASE="bench-secret-key-base-that-is-long-enough-0123456789" \
    "$server_bin" > "$work/log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 300); do
    port="$(grep -o 'listening on http://[^ ]*' "$work/log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "bench/hotpath.sh: the server did not start" >&2; cat "$work/log" >&2; exit 1; }

"$load_bin" --url "http://127.0.0.1:$port" --path /counter --event inc --connections "$connections" \
    --pipeline "$pipeline" --warmup 3 --seconds 4 --json > "$work/load.json" &
load_pid=$!
sleep 3 # joins, then clicking
kill -USR2 "$server_pid"
timeout -s INT 3 strace -c -f -p "$server_pid" -o "$work/strace" 2>/dev/null || true
kill -USR2 "$server_pid"
wait "$load_pid"

python3 - "$work/samples" "$work/strace" "$work/load.json" <<'EOF'
import json, re, sys
samples = [dict(kv.split("=") for kv in l.split()) for l in open(sys.argv[1]) if l.strip()]
a, b = samples[0], samples[-1]
replies = int(b["replies"]) - int(a["replies"])
allocs = int(b["allocs"]) - int(a["allocs"])
writes = int(b["writes"]) - int(a["writes"])
load = json.load(open(sys.argv[3]))
print(f"connections {load['connections']} pipeline {load['pipeline']}: errors {load['errors']}")
print(f"totals at the end: {b['allocs']} allocations, {b['replies']} replies")
print(f"window: {replies} replies, {allocs} allocations, {writes} write/writev calls")
if replies:
    print(f"allocations per event: {allocs / replies:.3f}")
    print(f"write calls per event: {writes / replies:.3f}")
total = 0
rows = []
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
        calls = int(parts[3])
        rows.append((calls, parts[-1]))
        total += calls
if replies:
    print(f"syscalls per event: {total / replies:.3f}  (" +
          ", ".join(f"{n} {c / replies:.3f}" for c, n in sorted(rows, reverse=True)[:8]) + ")")
EOF
