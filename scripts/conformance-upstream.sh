#!/usr/bin/env bash
# Runs Phoenix LiveView's own browser specs, unchanged, against
# build/bin/liveview-conformance (docs/conformance.md).
#
#   scripts/conformance-upstream.sh <phoenix_live_view checkout> [spec ...]
#
# spec names a file of test/e2e/tests without ".spec.js" ("streams"); by
# default the ten files liveview-conformance serves. The specs and utils.js
# are copied into build/conformance-upstream/ next to conformance/upstream's
# runner files (a Playwright config for Debian's Chromium, the fixtures
# without coverage); @playwright/test comes from its lockfile (npm ci, needs
# the npm registry once). Playwright starts the server on port 4004 (set
# LV_CONFORMANCE_PORT for another, or LV_CONFORMANCE_URL to use a server
# already running). Extra Playwright arguments go after `--`. Prints the
# per-file table; exits with Playwright's status.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
checkout=${1:?usage: scripts/conformance-upstream.sh <phoenix_live_view checkout> [spec ...] [-- playwright args]}
shift
e2e="$checkout/test/e2e"
[[ -d $e2e/tests ]] || { echo "conformance: $e2e/tests not found: give the root of a phoenix_live_view checkout" >&2; exit 2; }

specs=()
extra=()
while (($#)); do
  if [[ $1 == -- ]]; then shift; extra=("$@"); break; fi
  specs+=("$1"); shift
done
((${#specs[@]})) || specs=(streams forms navigation uploads js components select keyed-comprehension errors form-unsaved)

bin=${LV_CONFORMANCE_BIN:-$here/build/bin/liveview-conformance}
[[ -n ${LV_CONFORMANCE_URL:-} || -x $bin ]] || { echo "conformance: $bin not built: run make build" >&2; exit 2; }
scratch=${LV_CONFORMANCE_SCRATCH:-$here/build/conformance-upstream}
mkdir -p "$scratch/tests"
cp "$here"/conformance/upstream/{package.json,package-lock.json,playwright.config.js,test-fixtures.js} "$scratch/"
cp "$e2e/utils.js" "$scratch/"
files=()
for s in "${specs[@]}"; do
  cp "$e2e/tests/$s.spec.js" "$scratch/tests/"
  files+=("tests/$s.spec.js")
done
cd "$scratch"
if ! cmp -s package-lock.json node_modules/.liveview-c-lock 2>/dev/null; then
  npm ci --ignore-scripts --no-audit --no-fund >/dev/null && cp package-lock.json node_modules/.liveview-c-lock
fi
rm -f results.json
status=0
LV_CONFORMANCE_BIN=$bin npx playwright test "${files[@]}" "${extra[@]}" || status=$?
[[ -f results.json ]] && node "$here/conformance/upstream/table.mjs" results.json
exit $status
