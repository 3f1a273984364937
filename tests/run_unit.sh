#!/bin/sh
# Runs every Criterion unit-test binary given, then prints one closing line over all of them.
# UNIT_JOBS: Criterion workers at once. make asan uses 1: libcriterion's parallel runner
# itself leaks 96 bytes now and then (seen in test_sandbox, only with --jobs 2), and an LSan
# suppression of libcriterion would hide every leak in a test, since tests run under it.
passed=0; failed=0
jobs=${UNIT_JOBS:-2}
for t in "$@"; do
    if "$t" --jobs "$jobs" >"$t.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        cat "$t.log"
    fi
    grep -h "Synthesis" "$t.log" | sed "s|^|$(basename "$t"): |"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
