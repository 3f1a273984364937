#!/bin/sh
# End-to-end test: graders that run at once never disturb each other's runs, also when one
# of them is in a pid namespace of its own (a container) and so shares the cgroup v1
# hierarchies with the host while seeing other pids. One grader once took the other's fresh,
# still empty run group for a dead runner's, removed it, and the run's init was killed
# ("killed by signal 9" at random; 9 runs of 12 here before the fix, 0 of 20 after).
# Every reference must pass every check in each run, in the namespace sandbox.
# Ends with one line: "concurrent: N passed, N failed". Skips without root or unshare.
#
# usage: tests/e2e/test_concurrent.sh [build/sockgrade]   (RUNS=N runs per side, default 4)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/sockgrade}
runs=${RUNS:-4}
if [ "$(id -u)" -ne 0 ] || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
    echo "concurrent: skipped: needs root and unshare --pid"
    exit 0
fi
tmp=$(mktemp -d /tmp/sockgrade-conc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$root"
( for i in $(seq "$runs"); do "$bin" check --seed "$i" --format json -o "$tmp/host$i.json" reference/ 2>/dev/null; done ) &
( for i in $(seq "$runs"); do unshare --pid --fork --mount-proc "$bin" check --seed "$i" --format json \
      -o "$tmp/ns$i.json" reference/ 2>/dev/null; done ) &
wait
python3 - "$tmp" "$runs" <<'PY'
import json, sys
d, runs = sys.argv[1], int(sys.argv[2])
passed = failed = 0
for side in ("host", "ns"):
    for i in range(1, runs + 1):
        name = f"{side} run {i}" + (" (in a pid namespace)" if side == "ns" else "")
        try:
            r = json.load(open(f"{d}/{side}{i}.json"))
            bad = [(p["name"], c["id"], c["actual"]) for p in r["programs"] for c in p["checks"]
                   if c["status"] != "passed"]
            bad += [(p["name"], "build", p["build"]["status"]) for p in r["programs"]
                    if p["build"]["status"] != "ok"]
            if r["sandbox"] != "namespaces":
                bad.append(("sandbox", r["sandbox"], "fell back"))
        except Exception as e:
            bad = [("report", "unreadable", str(e))]
        if bad:
            failed += 1
            print(f"FAIL {name}: {len(bad)} not passed, e.g. {bad[0]}")
        else:
            passed += 1
            print(f"ok   {name}: every reference passed every check")
print(f"concurrent: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
