#!/usr/bin/env bash
# After the suite: every server the tests started has removed its upload
# directory (issue #13: temp files never outlive the server). The tests ran
# with TMPDIR pointing at $1, so any liveview-uploads-* left there is a leak.
set -euo pipefail
dir=${1:?usage: check-upload-dirs.sh TMPDIR-of-the-tests}
left=$(find "$dir" -maxdepth 1 -name 'liveview-uploads-*' 2>/dev/null || true)
if [ -n "$left" ]; then
    echo "check-upload-dirs: upload directories left behind by the tests:" >&2
    find $left -ls >&2
    exit 1
fi
echo "check-upload-dirs: no upload directory left in $dir"
