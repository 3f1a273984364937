#!/bin/sh
# The layer check (tools/check_layers.py) passes on grader/ and fails on a copy of it with one
# include planted against the direction, so it can fail.
set -u
dir=$(dirname "$0")/..
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
python3 "$dir/tools/check_layers.py" "$dir/grader" || exit 1
cp -R "$dir/grader" "$tmp/grader"
echo '#include "check/check.h"' >>"$tmp/grader/util/rng.c"
if python3 "$dir/tools/check_layers.py" "$tmp/grader" >"$tmp/out"; then
    echo "layers: an upward include (util -> check) was not refused"; exit 1
fi
grep -q 'util (level 0) may not depend on check' "$tmp/out" || { cat "$tmp/out"; exit 1; }
echo "layers: an upward include is refused"
