#!/bin/sh
# End-to-end test: graders that run at once never disturb each other's runs, also when one
# of them is in a pid namespace of its own (a container) and so shares the cgroup v1
# hierarchies with the host while seeing other pids. One grader once took the other's fresh,
# still empty run group for a dead runner's, removed it, and the run's init was killed
# ("killed by signal 9" at random; 9 runs of 12 here before the fix, 0 of 20 after).
# Every reference must pass every check in each run, in the namespace sandbox (--no-cache:
# every run grades, none reuses another's results).
# Prints TAP (tests/e2e/lib.sh), one test per run, closing with "# concurrent: N passed,
# N failed". Skips without root or unshare.
#
# usage: tests/e2e/test_concurrent.sh [build/sockgrade]   (RUNS=N runs per side, default 4)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init concurrent
bin=$(e2e_bin "${1:-}")
runs=${RUNS:-4}
if [ "$(id -u)" -ne 0 ] || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
    skip_all "needs root and unshare --pid"
fi
tap_tmpdir /tmp/sockgrade-conc.XXXXXX
cd "$root"
( for i in $(seq "$runs"); do "$bin" check --no-cache --seed "$i" --format json -o "$tmp/host$i.json" reference/ 2>/dev/null; done ) &
( for i in $(seq "$runs"); do unshare --pid --fork --mount-proc "$bin" check --no-cache --seed "$i" --format json \
      -o "$tmp/ns$i.json" reference/ 2>/dev/null; done ) &
wait
for side in host ns; do
    for i in $(seq "$runs"); do
        name="$side run $i"
        [ "$side" = ns ] && name="$name (in a pid namespace)"
        expect "$name: every reference passed every check" py '
import json, sys
r = json.load(open(sys.argv[1]))
bad = [(p["name"], c["id"], c["actual"]) for p in r["programs"] for c in p["checks"]
       if c["status"] != "passed"]
bad += [(p["name"], "build", p["build"]["status"]) for p in r["programs"]
        if p["build"]["status"] != "ok"]
if r["sandbox"] != "namespaces":
    bad.append(("sandbox", r["sandbox"], "fell back"))
if bad:
    sys.exit(f"{len(bad)} not passed, e.g. {bad[0]}")
' "$tmp/$side$i.json"
    done
done
tap_done
