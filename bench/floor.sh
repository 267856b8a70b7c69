#!/usr/bin/env bash
# The machine's floor: server CPU per message of a bare epoll echo server
# (bench/floor/echo_server.c: one read and one write per readiness, no libuv,
# no library code) driven by bench/floor/echo_client.c, at the connection
# counts and pipelining of bench/load.sh, so its figures can be read beside
# the LiveView ones (docs/performance.md, "The floor"). Builds nothing;
# `make bench` builds first and runs it.
#
# One server for the whole table, on a free loopback port; for each row the
# client opens N connections, keeps K messages of 100 bytes in flight on each,
# warms up 0.3 s, then measures BENCH_SECONDS and reads the server's
# utime+stime from /proc/PID/stat at both ends (--server-pid). Prints a table,
# and the JSON objects of every run to FLOOR_JSON (default build/bench-floor.json).
#
# Knobs (environment, the same as bench/load.sh's): BENCH_SECONDS (3), BENCH_CONNECTIONS ("1 50 100"),
# BENCH_PIPELINES ("1 16"), BENCH_PIN=1 (server on CPU 0, client on CPU 1),
# FLOOR_SERVER_BIN, FLOOR_CLIENT_BIN, FLOOR_JSON.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
server_bin="${FLOOR_SERVER_BIN:-$root/build/bin/floor_echo_server}"
client_bin="${FLOOR_CLIENT_BIN:-$root/build/bin/floor_echo_client}"
for b in "$server_bin" "$client_bin"; do
    if [ ! -x "$b" ]; then
        echo "bench/floor.sh: $b not found; build it first: make build" >&2
        exit 1
    fi
done
seconds="${BENCH_SECONDS:-3}"
connections="${BENCH_CONNECTIONS:-1 50 100}"
pipelines="${BENCH_PIPELINES:-1 16}"
json_out="${FLOOR_JSON:-$root/build/bench-floor.json}"

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

"${server_pin[@]}" "$server_bin" 0 > "$log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
    port="$(grep -o 'listening on [0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "bench/floor.sh: the server exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "bench/floor.sh: the server did not start:" >&2; cat "$log" >&2; exit 1; }

placement="unpinned"
[ "${BENCH_PIN:-}" = 1 ] && placement="server pinned to CPU 0, client to CPU 1"
echo "bench/floor.sh: $(nproc) CPUs, echo server pid $server_pid, 100-byte messages," \
     "${seconds} s measured after 0.3 s warm-up, $placement"
printf '%-11s %-8s %14s %18s %18s\n' connections pipeline "messages/s" "server us/message" "client us/message"
: > "$json_out"
for n in $connections; do
    for k in $pipelines; do
        result="$("${client_pin[@]}" "$client_bin" --port "$port" --connections "$n" --pipeline "$k" \
                  --size 100 --seconds "$seconds" --server-pid "$server_pid" --json)"
        echo "{\"connections\": $n, \"pipeline\": $k, \"result\": $result}" >> "$json_out"
        rate="$(echo "$result" | grep -o '"messages_per_s": [0-9.]*' | grep -o '[0-9.]*$')"
        server_us="$(echo "$result" | grep -o '"server_us_per_message": [0-9.]*' | grep -o '[0-9.]*$')"
        client_us="$(echo "$result" | grep -o '"client_us_per_message": [0-9.]*' | grep -o '[0-9.]*$')"
        printf '%-11s %-8s %14s %18s %18s\n' "$n" "$k" "$rate" "$server_us" "$client_us"
    done
done
echo "bench/floor.sh: JSON in $json_out"
