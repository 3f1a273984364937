#!/bin/sh
# make fuzz: runs each libFuzzer target for SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name>; the committed corpus stays small), nicely, one at a time, and
# prints the executions and coverage each reached. A crash stops the run with the input's
# path: fix it and keep the input in tests/fuzz/regress/<name>/.
# usage: run.sh FUZZ_DIR SECONDS TARGET...
set -eu
dir=$1; secs=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
failed=0; passed=0
for t in "$@"; do
    work="$dir/work/$t"
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/crashes"
    cp "$here/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
    dict=""
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    if nice -n 19 "$dir/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$work/crashes/" $dict \
        "$work/corpus" >"$work/log" 2>&1; then
        passed=$((passed + 1)); verdict=ok
    else
        failed=$((failed + 1)); verdict=CRASH
        grep -E "^(==|SUMMARY|artifact_prefix|Test unit written)" "$work/log" | head -n 20 >&2 || true
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    cov=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p')
    echo "fuzz_$t: $verdict, ${secs}s, ${execs:-?} executions, ${cov:-cov ?}, corpus $(ls "$work/corpus" | wc -l) (log $work/log)"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
