#!/bin/sh
# The toolbox's own test: made-up scripts that source tests/e2e/lib.sh, one passing, one
# failing, one skipped whole and one that bails out, print exactly the TAP expected of them,
# and tests/e2e/tap_check.py accepts each with the exit status its tests call for; the checker
# refuses malformed streams (a wrong plan, a gap in the numbers, a stray line, an unescaped
# `#`, an exit status that hides a failure), so a script that broke its TAP would fail make e2e;
# and tap_tmpdir's folder is removed at exit, on TERM, and kept with KEEP=1. Needs no grader.
#
# usage: tests/e2e/test_tap.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init tap
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-tap.XXXXXX"
check=$root/tests/e2e/tap_check.py

# made_up NAME BODY: a script that sources lib.sh and runs BODY
made_up() {
    printf '. "%s/tests/e2e/lib.sh"\ntap_init %s\n%s\n' "$root" "$1" "$2" >"$tmp/$1.sh"
}
# run_checked NAME: the checker over the made-up script; its output in NAME.out, the
# checker's complaints in NAME.err, its exit status in $rc
run_checked() { python3 "$check" sh "$tmp/$1.sh" >"$tmp/$1.out" 2>"$tmp/$1.err"; rc=$?; }
# same FILE TEXT: FILE holds exactly TEXT (and a final newline)
same() { printf '%s\n' "$2" | diff - "$1"; }

# ---- a passing script ----------------------------------------------------------------------
made_up pass 'ok "first"
note "seed 42
and a second line"
expect "a command that succeeds (#include, a\\b)" true
skip "root only" "needs root"
ok "two
lines"
tap_done'
run_checked pass
expect "passing script: the checker accepts it (exit 0)" sh -c "[ $rc -eq 0 ] || cat '$tmp/pass.err'"
expect "passing script: exactly the TAP expected" same "$tmp/pass.out" 'TAP version 13
ok 1 - first
# seed 42
# and a second line
ok 2 - a command that succeeds (\#include, a\\b)
ok 3 - root only # SKIP needs root
ok 4 - two lines
1..4
# pass: 3 passed, 0 failed, 1 skipped'

# ---- a failing script ----------------------------------------------------------------------
made_up fail 'ok "first"
bad "second" "expected 1
got 2"
expect "a command that fails" sh -c "echo it said no; exit 3"
bad "no details"
ok "after the failures"
tap_done'
run_checked fail
expect "failing script: valid TAP, a failure (checker exit 1, no complaint)" sh -c \
    "[ $rc -eq 1 ] && [ ! -s '$tmp/fail.err' ] || { echo exit $rc; cat '$tmp/fail.err'; exit 1; }"
expect "failing script: exactly the TAP expected, details as comments" same "$tmp/fail.out" 'TAP version 13
ok 1 - first
not ok 2 - second
#     expected 1
#     got 2
not ok 3 - a command that fails
#     it said no
not ok 4 - no details
ok 5 - after the failures
1..5
# fail: 2 passed, 3 failed'
sh "$tmp/fail.sh" >/dev/null
expect "failing script: exits 1 by itself" test $? -eq 1

# ---- skipped whole, and bailing out --------------------------------------------------------
made_up skipall 'skip_all "needs root # and unshare"
ok "never reached"'
run_checked skipall
expect "skip_all: the checker accepts it (exit 0)" sh -c "[ $rc -eq 0 ] || cat '$tmp/skipall.err'"
expect "skip_all: the plan 1..0 with the reason, nothing else" same "$tmp/skipall.out" 'TAP version 13
1..0 # SKIP needs root \# and unshare'
made_up bail 'ok "first"
tap_bail "the setup failed" "mkdir: denied"
ok "never reached"'
run_checked bail
expect "bail: valid TAP, a failure (checker exit 1, no complaint)" sh -c \
    "[ $rc -eq 1 ] && [ ! -s '$tmp/bail.err' ] || { echo exit $rc; cat '$tmp/bail.err'; exit 1; }"
expect "bail: the reason after its details, nothing after it" same "$tmp/bail.out" 'TAP version 13
ok 1 - first
#     mkdir: denied
Bail out! the setup failed'

# ---- the temporary folder ------------------------------------------------------------------
made_up tmpdir "tap_tmpdir '$tmp/made.XXXXXX'
echo \"\$tmp\" >'$tmp/made.path'
ok made
tap_done"
sh "$tmp/tmpdir.sh" >/dev/null
expect "tap_tmpdir: removed at the end, the exit status kept" sh -c \
    "[ $? -eq 0 ] && [ -s '$tmp/made.path' ] && [ ! -e \"\$(cat '$tmp/made.path')\" ]"
KEEP=1 sh "$tmp/tmpdir.sh" >"$tmp/keep.out"
expect "tap_tmpdir: kept with KEEP=1, and said so" sh -c \
    "d=\$(cat '$tmp/made.path'); [ -d \"\$d\" ] && grep -qx \"# kept \$d\" '$tmp/keep.out'"
made_up term "tap_tmpdir '$tmp/term.XXXXXX'
echo \"\$tmp\" >'$tmp/term.path'
sleep 30
ok 'not reached'"
sh "$tmp/term.sh" >/dev/null &
pid=$!
i=0
while [ ! -s "$tmp/term.path" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
wait $pid
rc=$?
expect "tap_tmpdir: removed when the script is killed with TERM, which ends it (exit $rc)" sh -c \
    "[ $rc -ne 0 ] && [ -s '$tmp/term.path' ] && [ ! -e \"\$(cat '$tmp/term.path')\" ]"

# ---- the checker refuses what is not valid -------------------------------------------------
# refused DESCRIPTION STATUS TEXT WANT: a script printing TEXT and exiting STATUS is refused
# (exit 3), with a complaint that matches WANT
refused() {
    printf '%s\n' "$3" >"$tmp/stream"
    python3 "$check" sh -c "cat '$tmp/stream'; exit $2" >/dev/null 2>"$tmp/refused.err"
    rc=$?
    expect "checker refuses $1" sh -c "[ $rc -eq 3 ] && grep -q '$4' '$tmp/refused.err' || { echo exit $rc; cat '$tmp/refused.err'; exit 1; }"
}
refused "a stream without the version line" 0 'ok 1 - a
1..1' "first line is not"
refused "a plan that does not count the tests" 0 'TAP version 13
ok 1 - a
ok 2 - b
1..3' "the plan says 3 tests, 2 ran"
refused "a gap in the numbers" 0 'TAP version 13
ok 1 - a
ok 3 - b
1..2' "numbered 3, expected 2"
refused "a line that is not TAP" 0 'TAP version 13
ok 1 - a
the grader says hello
1..1' "not TAP"
refused "an unescaped # in a description" 0 'TAP version 13
ok 1 - as nobody: #include fails
1..1' "unescaped"
refused "no plan" 0 'TAP version 13
ok 1 - a' "no plan"
refused "a test after the closing plan" 0 'TAP version 13
ok 1 - a
1..1
ok 2 - b' "after the closing plan"
refused "exit status 0 after a failure" 0 'TAP version 13
not ok 1 - a
1..1' "exit status 0 after 1 failed"
refused "exit status 0 after a bail-out" 0 'TAP version 13
Bail out! broken' "exit status 0 after a bail-out"
refused "a non-zero exit status when every test passed" 1 'TAP version 13
ok 1 - a
1..1' "exit status 1, though no test failed"
made_up subshell 'ok "first"
echo x | while read -r x; do ok "counted in a subshell"; done
ok "third"
tap_done'
run_checked subshell
expect "checker refuses a count lost in a subshell (the numbers repeat)" sh -c \
    "[ $rc -eq 3 ] && grep -q 'numbered 2, expected 3' '$tmp/subshell.err' || { echo exit $rc; cat '$tmp/subshell.err'; exit 1; }"
# A TODO failure is not a failure: the TAP stays valid with exit status 0.
printf 'TAP version 13\nnot ok 1 - known # TODO not fixed yet\nok 2 - b\n1..2\n' >"$tmp/stream"
python3 "$check" sh -c "cat '$tmp/stream'" >/dev/null 2>"$tmp/todo.err"
expect "checker accepts a failing TODO test with exit status 0" sh -c "[ $? -eq 0 ] || cat '$tmp/todo.err'"
tap_done
