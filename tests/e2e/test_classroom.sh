#!/bin/sh
# End-to-end test of the GitHub Classroom support (issue 18). Runs the Grade step of
# platform/github/classroom.yml as a runner would, wires its `result` output to the reporter
# step as GitHub would, totals it as the reporter does (tests/e2e/classroom_reporter.py) and
# compares with `--format json` of the same seed; then a failed build and a missing program,
# and a grader that writes nothing. Prints TAP (tests/e2e/lib.sh).
#
# usage: tests/e2e/test_classroom.sh [build/sockgrade]   (SEED=N fixes the seed)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init classroom
bin=$(e2e_bin "${1:-}")
seed=$(e2e_seed)
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-classroom.XXXXXX"
wf=$root/platform/github/classroom.yml
reporter="python3 $root/tests/e2e/classroom_reporter.py"
note "classroom: seed $seed, in $tmp"

# run_grade_step NAME SUBMISSION [PROGRAMS]: the workflow's Grade step in a runner's layout
# (submission/ and sockgrade/build/sockgrade side by side), with the workflow's env
# (SOCKGRADE_PROGRAMS replaced when PROGRAMS is given), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
run_grade_step() {
    ws=$tmp/$1
    mkdir -p "$ws/submission" "$ws/sockgrade/build"
    cp -R "$2"/. "$ws/submission/"
    ln -s "$bin" "$ws/sockgrade/build/sockgrade"
    $reporter step "$wf" sockgrade "$ws" || return 1
    # shellcheck disable=SC1091
    (. "$ws/env.sh"
     [ $# -ge 3 ] && SOCKGRADE_PROGRAMS=$3
     cd "$ws/$step_dir" &&
     GITHUB_OUTPUT=$ws/output GITHUB_STEP_SUMMARY=$ws/summary.md \
         bash --noprofile --norc -eo pipefail "$ws/step.sh") >"$ws/log" 2>&1
}

# ---- the workflow, as a course would run it ------------------------------------------------
run_grade_step wf "$root/fixtures/demo/textbook_student"
rc=$?
expect "workflow: the Grade step succeeds (a failing submission is the student's result)" test "$rc" -eq 0
expect "workflow: it writes the result output and prints every check" sh -c \
    "grep -q '^result=' '$tmp/wf/output' && grep -q '✗ tcp_echoserv: ' '$tmp/wf/log' && grep -q '^### sockgrade: ' '$tmp/wf/summary.md'"
wseed=$(sed -n 's/^sockgrade: seed \([0-9]*\), exit status .*/\1/p' "$tmp/wf/log")
(. "$tmp/wf/env.sh"; "$bin" check --seed "${wseed:-0}" --format json --programs "$SOCKGRADE_PROGRAMS" \
    -o "$tmp/wf.json" "$root/fixtures/demo/textbook_student") 2>/dev/null
expect "workflow: the reporter's total of the result equals --format json's score (seed ${wseed:-?})" \
    $reporter workflow "$wf" "$tmp/wf/output" "$tmp/wf.json" "$root/assignments"

# ---- a failed build and a missing program --------------------------------------------------
sub=$tmp/broken
mkdir -p "$sub"
cp "$root/fixtures/demo/textbook_student/tcp_echocli.c" "$sub/"
printf 'int main(void) { return missing; }\n' >"$sub/tcp_echoserv.c"
progs="tcp_echocli tcp_echoserv byte_order"
"$bin" check --seed "$seed" --format classroom --programs "$progs" -o "$tmp/broken.classroom" "$sub" 2>/dev/null
"$bin" check --seed "$seed" --format json --programs "$progs" -o "$tmp/broken.json" "$sub" 2>/dev/null
expect "format: with a failed build and a missing program, the reporter's total equals the native score" \
    $reporter file "$tmp/broken.classroom" "$tmp/broken.json" "$root/assignments"
expect "format: the failed build and the missing program are tests of their own" python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1]))["tests"]}
assert "error:" in t["tcp_echoserv: build"]["message"], t["tcp_echoserv: build"]
assert t["byte_order: missing"]["max_score"] > 0 and t["byte_order: missing"]["score"] == 0
' "$tmp/broken.classroom"

# ---- a grader that writes nothing ----------------------------------------------------------
run_grade_step none "$root/fixtures/demo/textbook_student" "no_such_program"
rc=$?
expect "workflow: when sockgrade writes nothing, the step still hands the reporter a result" test "$rc" -eq 0
expect "workflow: ... which fails the run as errored and posts no points" \
    $reporter errored "$wf" "$tmp/none/output"

tap_done
