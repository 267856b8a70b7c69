#!/usr/bin/env bash
# Server CPU per event and throughput at saturation, measured with the C load
# client (build/bin/liveview-load) against the examples server's /counter:
# 1, 50 and 100 connections, each with 1 and with 16 events in flight per
# connection. Builds nothing; `make bench` builds first and runs it.
#
# For each row the server is already running (one server for the whole
# table, started here on a free loopback port); liveview-load joins the views,
# clicks for BENCH_WARMUP seconds unmeasured, then BENCH_SECONDS measured, and
# reads the server's utime+stime from /proc/PID/stat at the start and the end
# of the measured part (--server-pid), so page loads and joins are not billed
# to the events. Prints a table, and the JSON objects of every run to
# BENCH_JSON (default build/bench-load.json).
#
# Knobs (environment): BENCH_SECONDS (3), BENCH_WARMUP (0.5),
# BENCH_CONNECTIONS ("1 50 100"), BENCH_PIPELINES ("1 16"), BENCH_PROCESSES
# (1: client processes), BENCH_PIN=1 (server on CPU 0, client on CPU 1),
# LV_WORKERS (passed to the server: its event loops, 1 by default),
# LV_SERVER_BIN, LV_LOAD_BIN, BENCH_JSON.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
server_bin="${LV_SERVER_BIN:-$root/build/bin/liveview-examples}"
load_bin="${LV_LOAD_BIN:-$root/build/bin/liveview-load}"
for b in "$server_bin" "$load_bin"; do
    if [ ! -x "$b" ]; then
        echo "bench/load.sh: $b not found; build it first: make build" >&2
        exit 1
    fi
done
seconds="${BENCH_SECONDS:-3}"
warmup="${BENCH_WARMUP:-0.5}"
connections="${BENCH_CONNECTIONS:-1 50 100}"
pipelines="${BENCH_PIPELINES:-1 16}"
processes="${BENCH_PROCESSES:-1}"
workers="${LV_WORKERS:-1}"
json_out="${BENCH_JSON:-$root/build/bench-load.json}"

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

server_pin=()
client_pin=()
if [ "${BENCH_PIN:-}" = 1 ]; then
    server_pin=(taskset -c 0)
    client_pin=(taskset -c 1)
fi

log="$(mktemp)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -f "$log"
}
trap cleanup EXIT

LV_HOST=127.0.0.1 LV_PORT=0 LV_ASSETS_DIR="" LV_MAX_CONNECTIONS=0 LV_MAX_CONNECTIONS_PER_ADDRESS=0 LV_WORKERS="$workers" \
LV_SECRET_KEY_BASE="bench-secret-key-base-that-is-long-enough-0123456789" \
    "${server_pin[@]}" "$server_bin" > "$log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 300); do
    port="$(grep -o 'listening on http://[^ ]*' "$log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "bench/load.sh: the server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "bench/load.sh: the server did not start:" >&2; cat "$log" >&2; exit 1; }
url="http://127.0.0.1:$port"

placement="unpinned"
[ "${BENCH_PIN:-}" = 1 ] && placement="server pinned to CPU 0, client to CPU 1"
echo "bench/load.sh: $(nproc) CPUs, server $server_bin (LV_WORKERS=$workers, pid $server_pid)," \
     "${seconds} s measured after ${warmup} s warm-up, $processes client process(es), $placement"
printf '%-11s %-8s %12s %16s %16s %10s %10s %7s\n' connections pipeline "events/s" "server us/event" \
       "client us/event" "p50 us" "p99 us" errors
: > "$json_out"
status=0
for c in $connections; do
    for k in $pipelines; do
        if ! out="$("${client_pin[@]}" "$load_bin" --url "$url" --path /counter --event inc --connections "$c" \
                    --pipeline "$k" --seconds "$seconds" --warmup "$warmup" --processes "$processes" \
                    --server-pid "$server_pid" --json)"; then
            echo "bench/load.sh: liveview-load failed at $c connections, pipeline $k" >&2
            status=1
            continue
        fi
        echo "$out" >> "$json_out"
        node -e '
            const r = JSON.parse(process.argv[1]);
            const f = (v, d = 0) => v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
            console.log([String(r.connections).padEnd(11), String(r.pipeline).padEnd(8), f(r.events_per_s).padStart(12),
                         f(r.server_us_per_event, 2).padStart(16), f(r.client_us_per_event, 2).padStart(16),
                         f(r.p50_us).padStart(10), f(r.p99_us).padStart(10),
                         String(r.errors).padStart(7)].join(" "));' "$out"
        if [ "$(node -e 'console.log(JSON.parse(process.argv[1]).errors)' "$out")" != 0 ]; then status=1; fi
    done
done
echo "bench/load.sh: JSON of every run in $json_out"
kill -TERM "$server_pid"
if ! wait "$server_pid"; then
    echo "bench/load.sh: the server did not exit cleanly:" >&2
    cat "$log" >&2
    status=1
fi
server_pid=""
exit $status
