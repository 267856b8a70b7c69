#!/usr/bin/env bash
# Checks that the folders of src/ depend on each other one way only: every
# "folder/file.h" include of a file in src/<folder>/ must name a folder that
# folder may use. liveview.h (the public header) and system headers are
# allowed everywhere, liveview_test.h in testing/ only. Prints every
# forbidden include and exits 1 if any.
#
#   scripts/check-layers.sh [src-dir]
set -euo pipefail
src=${1:-"$(dirname "$0")/../src"}

# Who may include whom. A folder not listed here is an error too, so a new
# folder has to be placed in the layering before it can be used. testing/
# (liveview_test.h's implementation) is a top like endpoint/: it drives the
# app through the endpoint, and nothing includes it.
declare -A allowed=(
  [util]="util"
  [render]="render util"
  [security]="security util"
  [live]="live render security util"
  [channel]="channel live render security util"
  [net]="net util"
  [endpoint]="endpoint net channel live render security util"
  [testing]="testing endpoint net channel live render security util"
)

status=0
while IFS= read -r file; do
  rel=${file#"$src"/}
  from=${rel%%/*}
  if [[ -z ${allowed[$from]+set} ]]; then
    echo "$rel: folder src/$from/ has no place in the layering (scripts/check-layers.sh)"
    status=1
    continue
  fi
  while IFS= read -r line; do
    lineno=${line%%:*}
    target=$(sed -E 's/^[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/' <<<"$line")
    if [[ $target != */* ]]; then
      [[ $target == liveview.h ]] && continue
      [[ $target == liveview_test.h && $from == testing ]] && continue
      echo "$rel:$lineno: includes \"$target\" without its folder"
      status=1
      continue
    fi
    to=${target%%/*}
    if [[ " ${allowed[$from]} " != *" $to "* ]]; then
      echo "$rel:$lineno: $from/ must not include $target ($from/ may include: ${allowed[$from]})"
      status=1
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
done < <(find "$src" -mindepth 2 -type f \( -name '*.c' -o -name '*.h' \) | sort)

if [ "$status" -eq 0 ]; then
  echo "layers: ok"
fi
exit "$status"
