#!/usr/bin/env bash
# The benchmark suite of issue #12 (docs/performance.md, "The table"): every
# row for liveview-c (build/bin/bench_server: the examples plus a 100-row
# list) and, in the same run, for LiveViewJS 0.8.1 (bench/peers/liveviewjs),
# with the bare epoll echo floor (bench/floor.sh) at the same connections and
# pipelining. Builds nothing; `make bench` builds first, installs the peer's
# npm packages when missing, and runs it.
#
# Rows, each measured by build/bin/liveview-load against a server started
# here on 127.0.0.1 (a free port):
#   memory    --join-only N views (2 client processes): server RSS delta / views;
#             the join rate is the same run's joined / setup seconds
#   idle      1 connection clicking /counter (pipeline 1) while 10,000 idle
#             views are joined: its p50/p99
#   broadcast 1 connection clicking /rtcounter with 10,000 idle subscribers:
#             server CPU / diffs delivered (counted at the clients)
#   list      1 connection clicking "bump" on /list: bytes of each reply
#   saturation 100 connections on /counter, pipeline 1 and 16, 1 loop and
#             (liveview-c) 2 loops: events/s, server CPU per event
#   million   build/bin/bench_views --views 1000000 (liveview-c, no sockets)
# Every run's JSON goes to BENCH_DIR/raw/; bench/table.mjs then writes
# BENCH_DIR/results.json and prints the table (markdown).
#
# Knobs (environment): BENCH_DIR (build/bench), BENCH_SECONDS (3),
# BENCH_MEMORY_VIEWS (19000), BENCH_IDLE_VIEWS (10000), BENCH_MILLION
# (1000000; 0 skips), BENCH_CONNECTIONS (100), BENCH_QUICK=1 (everything
# small: a check that the suite runs, not figures), BENCH_PEER=0 (no
# LiveViewJS), BENCH_PIN=1 (servers on CPU 0, clients on CPU 1),
# LV_BENCH_SERVER_BIN, LV_LOAD_BIN, LV_BENCH_VIEWS_BIN, FLOOR_SERVER_BIN,
# FLOOR_CLIENT_BIN.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
server_bin="${LV_BENCH_SERVER_BIN:-$root/build/bin/bench_server}"
load_bin="${LV_LOAD_BIN:-$root/build/bin/liveview-load}"
views_bin="${LV_BENCH_VIEWS_BIN:-$root/build/bin/bench_views}"
peer_dir="$here/peers/liveviewjs"
out_dir="${BENCH_DIR:-$root/build/bench}"
for b in "$server_bin" "$load_bin" "$views_bin"; do
    if [ ! -x "$b" ]; then
        echo "bench/suite.sh: $b not found; build it first: make build" >&2
        exit 1
    fi
done
have_node=1
command -v node > /dev/null || have_node=0

seconds="${BENCH_SECONDS:-3}"
memory_views="${BENCH_MEMORY_VIEWS:-19000}"
idle_views="${BENCH_IDLE_VIEWS:-10000}"
million="${BENCH_MILLION:-1000000}"
connections="${BENCH_CONNECTIONS:-100}"
if [ "${BENCH_QUICK:-}" = 1 ]; then
    seconds=0.5 memory_views=400 idle_views=200 million=2000 connections=10
fi

# One socket per view, on both sides: take every descriptor allowed (20,000
# here). The servers and clients started below inherit it.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fd_limit="$(ulimit -n)"
if [ "$memory_views" -gt $((fd_limit - 500)) ]; then
    memory_views=$((fd_limit - 500))
    echo "bench/suite.sh: the open-file limit is $fd_limit: memory row at $memory_views views"
fi
if [ "$idle_views" -gt $((fd_limit - 500)) ]; then idle_views=$((fd_limit - 500)); fi

server_pin=()
client_pin=()
if [ "${BENCH_PIN:-}" = 1 ]; then
    server_pin=(taskset -c 0)
    client_pin=(taskset -c 1)
fi

rm -rf "$out_dir/raw"
mkdir -p "$out_dir/raw"
start_s=$(date +%s)

# The peer runs when node and its packages are there (make bench installs
# them; bench/peers/liveviewjs/README.md).
peer=1
peer_skip=""
if [ "${BENCH_PEER:-1}" = 0 ]; then
    peer=0 peer_skip="BENCH_PEER=0"
elif [ "$have_node" = 0 ]; then
    peer=0 peer_skip="node is not installed"
elif [ ! -d "$peer_dir/node_modules/liveviewjs" ] || [ ! -d "$peer_dir/node_modules/@liveviewjs/express" ]; then
    peer=0 peer_skip="its npm packages are not installed (cd bench/peers/liveviewjs && npm ci; needs the npm registry)"
fi
if [ "$peer" = 0 ]; then
    echo "bench/suite.sh: LiveViewJS rows SKIPPED: $peer_skip"
fi

# ---- servers ------------------------------------------------------------------

log="$(mktemp)"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() {
    stop_server
    rm -f "$log"
}
trap cleanup EXIT

# start_server c|js [loops]: sets server_pid and url.
start_server() {
    : > "$log"
    if [ "$1" = c ]; then
        LV_HOST=127.0.0.1 LV_PORT=0 LV_ASSETS_DIR="" LV_MAX_CONNECTIONS=0 LV_MAX_CONNECTIONS_PER_ADDRESS=0 LV_WORKERS="${2:-1}" \
        LV_SECRET_KEY_BASE="bench-secret-key-base-that-is-long-enough-0123456789" \
            "${server_pin[@]}" "$server_bin" > "$log" 2>&1 &
    else
        # LiveViewJS fetches a MIME table from a CDN at start (for uploads);
        # offline that fails with a logged error and nothing else.
        PORT=0 "${server_pin[@]}" node "$peer_dir/server.js" > "$log" 2>&1 &
    fi
    server_pid=$!
    local port=""
    for _ in $(seq 1 300); do
        port="$(grep -o 'listening on http://[^ ]*' "$log" | head -1 | grep -o '[0-9]*$' || true)"
        [ -n "$port" ] && break
        kill -0 "$server_pid" 2>/dev/null || { echo "bench/suite.sh: the $1 server exited:" >&2; cat "$log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench/suite.sh: the $1 server did not start:" >&2; cat "$log" >&2; exit 1; }
    url="http://127.0.0.1:$port"
}

server_rss_kb() {
    grep '^VmRSS:' "/proc/$server_pid/status" | grep -o '[0-9]*'
}

# load NAME ARGS...: one liveview-load run, its JSON saved as raw/NAME.json
# (with the server's RSS before it, for the memory row).
status=0
load() {
    local name="$1"
    shift
    local before
    before="$(server_rss_kb)"
    local out
    if ! out="$("${client_pin[@]}" "$load_bin" --url "$url" --server-pid "$server_pid" --json "$@")"; then
        echo "bench/suite.sh: $name: liveview-load failed" >&2
        status=1
        return 0
    fi
    echo "{\"name\":\"$name\",\"rss_before_kb\":$before,\"result\":$out}" > "$out_dir/raw/$name.json"
    if [ "$have_node" = 0 ]; then
        echo "  $name: $out"
        case "$out" in *'"errors":0,'*) ;; *) status=1 ;; esac
        return 0
    fi
    local errors
    errors="$(node -e 'console.log(JSON.parse(process.argv[1]).errors)' "$out")"
    if [ "$errors" != 0 ]; then
        echo "bench/suite.sh: $name: $errors errors: $(node -e 'console.log(JSON.parse(process.argv[1]).first_error || "")' "$out")" >&2
        status=1
    fi
    echo "  $name: $(node -e '
        const r = JSON.parse(process.argv[1]);
        const f = (v) => (v === undefined ? "-" : v);
        console.log(`${r.events} events, ${f(r.events_per_s)}/s, p50 ${r.p50_us} us, p99 ${r.p99_us} us,` +
            ` server ${f(r.server_us_per_event)} us/event, ${r.pushes} pushes, ${r.joined} joined in ${r.setup_seconds} s,` +
            ` RSS ${f(r.server_rss_kb)} kB, ${r.errors} errors`);' "$out")"
}

# The rows of one server; $1 is its name in the JSON (c or js).
rows() {
    local s="$1"
    # Memory and join rate first, on a fresh server: a warm-up of 20 views
    # (joined, then closed) so one-time allocations are not billed to the views.
    load "$s-warmup" --path /counter --connections 20 --join-only --seconds 0.2
    load "$s-memory" --path /counter --connections "$memory_views" --processes 2 --join-only --seconds 1 \
         --setup-timeout 60
    load "$s-idle" --path /counter --event inc --connections 1 --idle "$idle_views" --seconds "$seconds" \
         --warmup 0.5 --setup-timeout 60
    load "$s-broadcast" --path /rtcounter --event inc --connections 1 --idle "$idle_views" --seconds "$seconds" \
         --setup-timeout 60
    load "$s-list" --path /list --event bump --connections 1 --seconds "$seconds"
    for k in 1 16; do
        load "$s-loops1-p$k" --path /counter --event inc --connections "$connections" --pipeline "$k" \
             --seconds "$seconds" --warmup 0.5
    done
}

echo "bench/suite.sh: $(nproc) CPUs, $seconds s measured per row, $memory_views views for memory," \
     "$idle_views idle views, $connections connections at saturation"
echo "== liveview-c ($server_bin)"
start_server c 1
rows c
stop_server
echo "== liveview-c, 2 loops (LV_WORKERS=2)"
start_server c 2
for k in 1 16; do
    load "c-loops2-p$k" --path /counter --event inc --connections "$connections" --pipeline "$k" \
         --seconds "$seconds" --warmup 0.5
done
stop_server

if [ "$peer" = 1 ]; then
    echo "== LiveViewJS 0.8.1 (node $(node --version), $peer_dir)"
    start_server js
    rows js
    stop_server
fi

echo "== the floor (bench/floor.sh, $connections connections)"
BENCH_CONNECTIONS="$connections" BENCH_PIPELINES="1 16" BENCH_SECONDS="$seconds" \
FLOOR_JSON="$out_dir/raw/floor.jsonl" "$here/floor.sh"

if [ "$million" -gt 0 ]; then
    echo "== $million views without sockets (bench_views)"
    "$views_bin" --views "$million" --json > "$out_dir/raw/million.json" || status=1
    cat "$out_dir/raw/million.json"
fi

duration=$(($(date +%s) - start_s))
if [ "$have_node" = 0 ]; then
    echo "bench/suite.sh: ${duration} s; node is not installed, so no table: the runs are in $out_dir/raw/"
    exit $status
fi
node "$here/table.mjs" --assemble "$out_dir" --duration "$duration" --peer-skipped "$peer_skip" \
    --quick "${BENCH_QUICK:-0}"
echo "bench/suite.sh: ${duration} s; JSON in $out_dir/results.json (raw runs in $out_dir/raw/)"
exit $status
