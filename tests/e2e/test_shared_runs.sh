#!/bin/sh
# End-to-end test of shared runs (docs/design.md, "Checks that run alike share one run"): the
# checks of a spec that give the program the same run (ascii_ip's "_no_crash" and "_rejected"
# pairs: the same argument, different expectations) are judged on one run of the program,
# which the trace shows once; each check of a pair still has its own verdict, and a program
# that fails one of a pair keeps the other. Prints TAP (tests/e2e/lib.sh), closing with
# "# shared-runs: N passed, N failed".
#
# usage: tests/e2e/test_shared_runs.sh [build/sockgrade]   (SEED=N fixes the seed; KEEP=1
#        keeps the temporary folder)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init shared-runs
bin=$(e2e_bin "${1:-}")
seed=$(e2e_seed)
tap_tmpdir /tmp/sockgrade-shared.XXXXXX
note "shared-runs: seed $seed"

# grade NAME FILE: the native report in $tmp/NAME.json and the trace in $tmp/NAME.trace.
grade() {
    SOCKGRADE_TRACE=$tmp/$1.trace "$bin" check --no-cache --seed "$seed" --format json \
        -o "$tmp/$1.json" "$2" >/dev/null 2>"$tmp/$1.err"
}
# pairs NAME: per pair "word octet two_parts", whether its two checks ran once (one trace
# line between them), kept their own verdicts, and shared the run's duration.
pairs() { py '
import json, sys
trace = [l.split() for l in open(sys.argv[1] + ".trace")]
ran = [row[5] for row in trace if row[3] != "build"]
checks = {c["id"]: c for c in json.load(open(sys.argv[1] + ".json"))["programs"][0]["checks"]}
for arg in ("word", "octet", "two_parts"):
    a, b = checks["invalid_%s_no_crash" % arg], checks["invalid_%s_rejected" % arg]
    runs = sum(i in ran for i in (a["id"], b["id"]))
    print("%s runs=%d %s/%s same_duration=%s" % (arg, runs, a["status"], b["status"],
                                                 a["duration_ms"] == b["duration_ms"]))
print("runs", len(ran), "of", len(checks), "checks")' "$tmp/$1"; }

# has TEXT LINE: TEXT has LINE, whole.
has() { printf '%s\n' "$1" | grep -qxF "$2"; }

grade ref "$root/reference/ascii_ip.c"
got=$(pairs ref)
tap_diag "$got"
for arg in word octet two_parts; do
    expect "reference: the $arg pair is one run, and both of its checks pass on it" \
        has "$got" "$arg runs=1 passed/passed same_duration=True"
done
expect "reference: 11 checks, 8 runs (3 pairs share)" has "$got" "runs 8 of 11 checks"

# aton_ntoa_accepts_short_form prints 10.0.0.1 for 10.1: it does not crash, but does not reject.
grade short "$root/fixtures/submissions/ascii_ip/aton_ntoa_accepts_short_form/ascii_ip.c"
got=$(pairs short)
tap_diag "$got"
expect "a program that accepts 10.1: one run, no_crash passes and rejected fails on it" \
    has "$got" "two_parts runs=1 passed/failed same_duration=True"
tap_done
