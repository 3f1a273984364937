#!/bin/sh
# Replays every seed and regression input of each fuzz target with its ordinary (non-libFuzzer)
# build, so a crash fixed once stays fixed. usage: replay.sh BUILD TARGET...
set -u
build=$1; shift
here=$(dirname "$0")
passed=0; failed=0
for t in "$@"; do
    files=$(find "$here/corpus/$t" "$here/regress/$t" -type f 2>/dev/null | sort)
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086 # file names are ours: no spaces
    if "$build/tests/replay_$t" $files >"$build/tests/replay_$t.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        tail -n 30 "$build/tests/replay_$t.log"
    fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
