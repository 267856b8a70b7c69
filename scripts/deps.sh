#!/usr/bin/env bash
# Checks what liveview-c needs on Debian 12 and installs what is missing:
# Debian packages when run as root (otherwise prints the exact apt-get line
# and stops), then the pinned npm packages of assets/ with `npm ci`.
#
#   scripts/deps.sh run    what building and serving the examples needs
#   scripts/deps.sh test   that, plus what the tests need (Criterion, clang
#                          for the fuzzers, Chromium for the browser tests,
#                          redis-server for the cluster tests, CivetWeb
#                          for the CivetWeb adapter's example and tests)
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkgconf libuv1-dev node-llhttp libjansson-dev libssl-dev libhiredis-dev gzip)
if [ "$mode" = test ]; then
  packages+=(libcriterion-dev clang libclang-rt-14-dev chromium valgrind redis-server libcivetweb-dev)
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "deps: missing Debian packages. Install them with:"
    echo "  sudo apt-get update && sudo $line"
    exit 1
  fi
fi

# The client bundles and test tools, exactly as pinned in package-lock.json.
stamp=assets/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ assets/package-lock.json -nt "$stamp" ]; then
  echo "deps: npm ci (assets/)"
  (cd assets && npm ci --no-audit --no-fund --loglevel=error)
fi
