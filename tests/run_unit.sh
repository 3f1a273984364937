#!/bin/sh
# Runs every Criterion unit-test binary given, then prints one closing line over all of them.
passed=0; failed=0
for t in "$@"; do
    if "$t" --jobs 2 >"$t.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        cat "$t.log"
    fi
    grep -h "Synthesis" "$t.log" | sed "s|^|$(basename "$t"): |"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
