#!/bin/sh
# End-to-end test of the command line (issue 14: one option table, one validator per kind):
# - a bad value (--seed -5, a seed past 2^64-1, -j 3x, -j 0, an unknown --format or --sandbox,
#   a bad --shard, an empty --programs or -o), an unknown option, an option of another verb, a
#   missing value, a value given to a flag: each is exit status 2, nothing on stdout, nothing
#   graded, and one message on stderr naming the option and the problem;
# - the valid forms still work: every spelling (--jobs=2, -j2, --output, -o), the largest seed,
#   every verb's --help;
# - a fault in grading (no work folder under $TMPDIR, a fork that fails) is a report with
#   status "error" saying what happened, not a missing report.
# Prints TAP (tests/e2e/lib.sh).
#
# usage: tests/e2e/test_cli.sh [build/sockgrade]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init cli
bin=$(e2e_bin "${1:-}")
tap_tmpdir /tmp/sockgrade-cli.XXXXXX
chmod 755 "$tmp"
sub=$root/fixtures/submissions/tcp_echocli/textbook_correct
mkdir -p "$tmp/class/ann"
cp "$sub"/*.c "$tmp/class/ann/"

# refuse "what" "text the message must hold" ARGS...: exit 2, empty stdout, that message on
# stderr (fixed-string match), and no output folder made.
refuse() {
    what=$1 want=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$want" "$tmp/err" && [ ! -e "$tmp/made" ]; then
        ok "$what"
    else
        bad "$what" "exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $(cat "$tmp/err")"
    fi
    rm -rf "$tmp/made"
}

# ---- bad values: one validator per kind ------------------------------------------------------
refuse "check --seed -5: refused" "--seed takes a whole number from 0 to 18446744073709551615, not '-5'" \
    check --seed -5 "$sub"
refuse "check --seed 2^64: refused" "--seed takes a whole number from 0 to 18446744073709551615, not '18446744073709551616'" \
    check --seed 18446744073709551616 "$sub"
refuse "batch --seed +5: refused like check's" "--seed takes a whole number from 0 to 18446744073709551615, not '+5'" \
    batch --seed +5 --out "$tmp/made" "$tmp/class/ann"
refuse "check -j 3x: refused" "-j takes a whole number from 1 to 2147483647, not '3x'" check -j 3x "$sub"
refuse "check -j 0: refused" "-j takes a whole number from 1 to 2147483647, not '0'" check -j 0 "$sub"
refuse "check --jobs=-1: refused" "-j takes a whole number from 1 to 2147483647, not '-1'" check --jobs=-1 "$sub"
refuse "batch -j 0: refused, no output folder" "-j takes a whole number from 1 to 2147483647, not '0'" \
    batch -j 0 --out "$tmp/made" "$tmp/class/ann"
refuse "selftest -j 99999999999: refused" "-j takes a whole number from 1 to 2147483647, not '99999999999'" \
    selftest -j 99999999999
refuse "check --format yaml: refused with the choices" "--format takes text, json, gradescope, junit, classroom or html, not 'yaml'" \
    check --format yaml "$sub"
refuse "batch --sandbox maybe: refused with the choices" "--sandbox takes auto, namespaces or none, not 'maybe'" \
    batch --sandbox maybe --out "$tmp/made" "$tmp/class/ann"
refuse "batch --shard 3/2: refused" "--shard takes K/N with 1 <= K <= N, not '3/2'" \
    batch --shard 3/2 --seed 1 --out "$tmp/made" "$tmp/class/ann"
refuse "check --programs ',': refused (it would mean every program)" "--programs takes lecture program names" \
    check --programs , "$sub"
refuse "check -o '': refused" "-o takes a path, not an empty string" check -o "" "$sub"

# ---- options that are not there, or lack their value ------------------------------------------
refuse "check --bogus: unknown option" "sockgrade check: unknown option '--bogus'" check --bogus "$sub"
refuse "check -x: unknown option" "sockgrade check: unknown option '-x'" check -x "$sub"
refuse "check --s: ambiguous" "ambiguous option '--s'" check --s 1 "$sub"
refuse "list --seed 5: an option of another verb" "sockgrade list: unknown option '--seed'" list --seed 5
refuse "check --force: an option of batch only" "sockgrade check: unknown option '--force'" check --force "$sub"
refuse "check PATH --seed: missing value" "sockgrade check: --seed needs a value" check "$sub" --seed
refuse "check PATH -j: missing value" "sockgrade check: -j needs a value" check "$sub" -j
refuse "merge --out: missing value" "sockgrade merge: --out needs a value" merge --out
refuse "batch --force=yes: a flag takes no value" "--force takes no value" \
    batch --force=yes --out "$tmp/made" "$tmp/class/ann"

# ---- the valid forms still work ---------------------------------------------------------------
"$bin" check --seed 18446744073709551615 --format json -j 1 --programs tcp_echocli "$sub" >"$tmp/max.json" 2>"$tmp/max.err"
rc=$?
if [ "$rc" -le 1 ] && python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["seed"] == "18446744073709551615", r["seed"]' "$tmp/max.json"; then
    ok "check --seed 2^64-1 --format json -j 1: graded with that seed"
else
    bad "check --seed 2^64-1 --format json -j 1: graded with that seed" "exit $rc: $(cat "$tmp/max.err")"
fi
"$bin" check --seed=0 --jobs=2 --format=junit --output="$tmp/r.xml" --programs=tcp_echocli "$sub" 2>"$tmp/long.err"
rc=$?
if [ "$rc" -le 1 ] && grep -q '<testsuites' "$tmp/r.xml"; then
    ok "check --opt=value spellings: the JUnit report written to --output"
else
    bad "check --opt=value spellings: the JUnit report written to --output" "exit $rc: $(cat "$tmp/long.err")"
fi
"$bin" check -j2 -o "$tmp/r.txt" --sandbox auto --seed 3 "$sub" 2>"$tmp/short.err"
rc=$?
if [ "$rc" -le 1 ] && grep -q 'tcp_echocli' "$tmp/r.txt"; then
    ok "check -j2 -o FILE: the text report written to FILE"
else
    bad "check -j2 -o FILE: the text report written to FILE" "exit $rc: $(cat "$tmp/short.err")"
fi
"$bin" batch -j 1 --seed 5 --programs tcp_echocli --out "$tmp/grades" "$tmp/class/ann" 2>"$tmp/batch.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$tmp/grades/ann.json" ] && grep -q '^ann,' "$tmp/grades/gradebook.csv"; then
    ok "batch -j 1 --seed --programs --out: the student graded"
else
    bad "batch -j 1 --seed --programs --out: the student graded" "exit $rc: $(cat "$tmp/batch.err")"
fi
for verb in check list selftest batch merge validate; do
    "$bin" $verb --help >"$tmp/help" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && head -1 "$tmp/help" | grep -q "^usage: sockgrade $verb"; then
        ok "$verb --help: its usage, exit 0"
    else
        bad "$verb --help: its usage, exit 0" "exit $rc: $(head -3 "$tmp/help")"
    fi
done

# ---- a fault in grading is a report -------------------------------------------------------------
TMPDIR=$tmp/nonexistent "$bin" check --sandbox none --format json --seed 1 "$sub" >"$tmp/fault.json" 2>"$tmp/fault.err"
rc=$?
if [ "$rc" -eq 2 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "error", r["status"]
assert "cannot create a work folder in " + sys.argv[2] in r["error"], r["error"]
assert r["seed"] == "1" and r["sandbox"] == "none" and r["submission"], r' "$tmp/fault.json" "$tmp/nonexistent"; then
    ok "check with no work folder: a report with status error saying so, exit 2"
else
    bad "check with no work folder: a report with status error saying so, exit 2" "exit $rc: $(cat "$tmp/fault.err")"
fi

# fork() fails in the grader's own process (not in the programs it runs): every runner and
# every batch worker fails to start, and each still ends as a report that says so.
cat >"$tmp/nofork.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
static pid_t first;
__attribute__((constructor)) static void mark(void) { first = getpid(); }
pid_t fork(void)
{
    if (getpid() == first) {
        errno = EAGAIN;
        return -1;
    }
    return ((pid_t (*)(void))dlsym(RTLD_NEXT, "fork"))();
}
EOF
if ! gcc -shared -fPIC -o "$tmp/nofork.so" "$tmp/nofork.c" -ldl 2>"$tmp/nofork.err"; then
    bad "the fork-failing shim builds" "$(cat "$tmp/nofork.err")"
else
    LD_PRELOAD=$tmp/nofork.so "$bin" check --sandbox none --format json --seed 1 --programs tcp_echocli "$sub" \
        >"$tmp/nofork.json" 2>"$tmp/nofork.err"
    rc=$?
    if [ "$rc" -eq 2 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
b = r["programs"][0]["build"]
assert b["status"] == "error", b["status"]
assert "could not start a runner: fork: " in b["diagnostics"], b["diagnostics"]' "$tmp/nofork.json"; then
        ok "check when fork fails: a report whose build is in status error naming fork, exit 2"
    else
        bad "check when fork fails: a report whose build is in status error naming fork, exit 2" "exit $rc: $(cat "$tmp/nofork.err")"
    fi
    LD_PRELOAD=$tmp/nofork.so "$bin" batch --sandbox none --seed 1 --programs tcp_echocli --out "$tmp/nofork" \
        "$tmp/class/ann" >/dev/null 2>"$tmp/nofork.err"
    rc=$?
    if [ "$rc" -eq 2 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "error" and "cannot start a worker: fork: " in r["error"], r' "$tmp/nofork/ann.json"; then
        ok "batch when fork fails: the student's report says so, exit 2"
    else
        bad "batch when fork fails: the student's report says so, exit 2" "exit $rc: $(cat "$tmp/nofork.err")"
    fi
fi

tap_done
