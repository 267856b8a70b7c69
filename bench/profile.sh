#!/usr/bin/env bash
# A perf profile of the examples server while liveview-load clicks /counter
# (docs/performance.md, "Hot path"):
#
#   bench/profile.sh [CONNECTIONS (100)] [PIPELINE (16)] [OUT (build/perf-hotpath.txt)]
#
# Records 3 s of the server (perf record -g, after the joins and 2 s of
# clicking) and writes the top of `perf report --no-children` (self time by
# symbol) to OUT, printing its first lines.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
server_bin="${LV_SERVER_BIN:-$root/build/bin/liveview-examples}"
load_bin="${LV_LOAD_BIN:-$root/build/bin/liveview-load}"
connections="${1:-100}"
pipeline="${2:-16}"
out="${3:-$root/build/perf-hotpath.txt}"
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
[ -n "$port" ] || { echo "bench/profile.sh: the server did not start" >&2; exit 1; }
"$load_bin" --url "http://127.0.0.1:$port" --path /counter --event inc --connections "$connections" \
    --pipeline "$pipeline" --warmup 2 --seconds 4 --json > "$work/load.json" &
load_pid=$!
sleep 2.5
perf record -q -g -p "$server_pid" -o "$work/perf.data" -- sleep 3 > /dev/null 2>&1
wait "$load_pid"
perf report -i "$work/perf.data" --stdio --no-children --percent-limit 0.7 -g none 2>/dev/null \
    | grep -v '^$' | grep -v '^# *$' | grep -v 'Tip:\|perf.data header' > "$out"
echo "# by shared object" >> "$out"
perf report -i "$work/perf.data" --stdio --no-children --sort dso -g none 2>/dev/null \
    | grep '%' >> "$out"
cat "$out"
