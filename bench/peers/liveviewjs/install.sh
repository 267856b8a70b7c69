#!/usr/bin/env bash
# Installs the LiveViewJS peer's npm packages (package-lock.json: liveviewjs
# and @liveviewjs/express 0.8.1) into bench/peers/liveviewjs/node_modules when
# they are missing; `make bench` runs it. Bounded (3 minutes), and never
# fatal: without node, npm or the registry it says so, and bench/suite.sh
# then skips the LiveViewJS rows.
set -uo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -d "$dir/node_modules/liveviewjs" ] && [ -d "$dir/node_modules/@liveviewjs/express" ]; then
    exit 0
fi
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    echo "bench/peers/liveviewjs: node or npm not installed: the LiveViewJS rows will be skipped"
    exit 0
fi
echo "bench/peers/liveviewjs: installing LiveViewJS 0.8.1 (npm ci, at most 180 s)"
if ! (cd "$dir" && timeout 180 npm ci --no-audit --no-fund --loglevel=error); then
    echo "bench/peers/liveviewjs: npm ci failed (is the npm registry reachable?): the LiveViewJS rows will be skipped"
    rm -rf "$dir/node_modules"
fi
exit 0
