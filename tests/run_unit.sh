#!/bin/sh
# Runs every Criterion unit-test binary given, one TAP test each (tests/e2e/lib.sh): a binary
# passes when all its tests do, its Synthesis line in the description; a failing one shows its
# whole log. Closes with "# unit: N passed, N failed".
# UNIT_JOBS: Criterion workers at once. make asan uses 1: libcriterion's parallel runner
# itself leaks 96 bytes now and then (seen in test_sandbox, only with --jobs 2), and an LSan
# suppression of libcriterion would hide every leak in a test, since tests run under it.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init unit
jobs=${UNIT_JOBS:-2}
for t in "$@"; do
    if "$t" --jobs "$jobs" >"$t.log" 2>&1; then rc=0; else rc=$?; fi
    synthesis=$(grep -h "Synthesis" "$t.log")
    what="$(basename "$t")${synthesis:+: $synthesis}"
    if [ $rc -eq 0 ]; then ok "$what"; else bad "$what" "exit status $rc
$(cat "$t.log")"; fi
done
tap_done
