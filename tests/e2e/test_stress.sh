#!/bin/sh
# make stress (issue 16): verdicts must not depend on load. Grades a class made of the fixture
# submissions (each fixture a student) with `batch -j 4×cores`, once on an idle machine and once
# while busy loops (3 per core, at normal priority) saturate every core, with the same seed,
# and compares the status of every check. Prints TAP (tests/e2e/lib.sh), one test per verdict
# compared, closing with "# stress: N passed, N failed". Not in CI: each run takes as long as
# grading the set twice.
#
# usage: tests/e2e/test_stress.sh [build/sockgrade]
#   STRESS_SET   shell glob of fixture folders under fixtures/submissions (default */*: all)
#   STRESS_SEED  the seed of both runs (default 16)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init stress
bin=$(e2e_bin "${1:-}")
set_glob=${STRESS_SET:-*/*}
seed=${STRESS_SEED:-16}
cores=$(nproc)
jobs=$((4 * cores))
hogs=""
tap_at_exit 'for h in $hogs; do kill "$h" 2>/dev/null; done'
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-stress.XXXXXX"
mkdir -p "$tmp/class" "$tmp/data"
cp -R "$root/assignments" "$tmp/data/" # the specs as they are now, for both runs
export SOCKGRADE_DATA="$tmp/data"
n=0
for d in "$root"/fixtures/submissions/$set_glob/; do
    [ -d "$d" ] || continue
    name=$(basename "$(dirname "$d")")__$(basename "$d")
    cp -R "$d" "$tmp/class/$name"
    n=$((n + 1))
done
[ $n -gt 0 ] || tap_bail "no fixture matches $set_glob"

run() { # run NAME: grades the class into $tmp/NAME, notes its time
    t0=$(date +%s%N)
    "$bin" batch -j "$jobs" --seed "$seed" --out "$tmp/$1" "$tmp"/class/* >"$tmp/$1.log" 2>&1
    rc=$?
    note "stress: $1 run: $n students, -j $jobs, exit $rc, $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}
statuses() { python3 - "$1" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    r = json.load(open(f))
    student = f.rsplit('/', 1)[1][:-5]
    print(f'{student} run {r["status"]}')
    for p in r['programs']:
        print(f'{student} {p["name"]} build {p["build"]["status"]}')
        for c in p['checks']:
            print(f'{student} {p["name"]} {c["id"]} {c["status"]}')
PY
}

run idle
i=0
while [ $i -lt $((3 * cores)) ]; do
    timeout 3600 sh -c 'while :; do :; done' &
    hogs="$hogs $!"
    i=$((i + 1))
done
run busy
for h in $hogs; do kill "$h" 2>/dev/null; done
hogs=""
statuses "$tmp/idle" >"$tmp/idle.st"
statuses "$tmp/busy" >"$tmp/busy.st"
[ -s "$tmp/idle.st" ] || tap_bail "no verdict to compare: the idle run wrote no report" "$(tail -n 20 "$tmp/idle.log")"
# Each verdict of the idle run (a line "student [program] what status") against the busy
# run's verdict of the same student, program and check: "KEY<tab>IDLE<tab>BUSY".
tab=$(printf '\t')
awk -v OFS="$tab" 'FNR == NR { k = $0; sub(/ [^ ]*$/, "", k); busy[k] = $NF; next }
    { k = $0; sub(/ [^ ]*$/, "", k); print k, $NF, ((k in busy) ? busy[k] : "(no verdict)") }' \
    "$tmp/busy.st" "$tmp/idle.st" >"$tmp/compare"
while IFS=$tab read -r key idle busy; do
    if [ "$idle" = "$busy" ]; then ok "$key: $idle, idle and busy"
    else bad "$key: changed under load" "idle: $idle, busy: $busy"; fi
done <"$tmp/compare"
tap_done
