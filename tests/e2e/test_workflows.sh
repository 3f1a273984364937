#!/bin/sh
# End-to-end tests of the instructor and CI workflows (issue 4): batch over a small class
# (a report and a gradebook row per student, re-runs skip, --force, a changed source, shards
# merged, a hanging submission, a worker that dies, an interrupted batch), every JSON report
# validated against docs/report.schema.json (jsonschema), the junit and gradescope formats read
# by real parsers, the GitHub workflow read by PyYAML and checked by action-validator, make install with its man page, and make
# gradescope with the zip built and run as Gradescope would. Prints TAP (tests/e2e/lib.sh),
# closing with "# workflows: N passed, N failed".
#
# usage: tests/e2e/test_workflows.sh [build/sockgrade]   (SEED=N fixes the seed)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init workflows
bin=$(e2e_bin "${1:-}")
seed=$(e2e_seed)
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-workflows.XXXXXX"
note "workflows: seed $seed, in $tmp"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# batch OUT ARGS...: runs a batch, keeps its exit status in $rc and its stderr in OUT.err
batch() { o=$1; shift; "$bin" batch --out "$o" "$@" 2>"$o.err"; rc=$?; }
# The parsers a course's tooling would use (jsonschema, PyYAML): tools/deps.sh installs them
# as Debian packages for /usr/bin/python3, when the python3 on PATH lacks them. (py, from
# lib.sh, runs $pyx.)
pyx=python3
python3 -c 'import jsonschema, yaml' 2>/dev/null || pyx=/usr/bin/python3
# Make without the settings of a make that may be running this script.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$root" "$@"; }

# ---- a class of five, and a submission that hangs ------------------------------------------
class=$tmp/class
mkdir -p "$class"
for s in kim park; do
    mkdir "$class/$s" && cp "$root"/fixtures/demo/textbook_student/*.c "$class/$s/"
done
for s in choi "lee, jin" 이민수; do
    mkdir "$class/$s" && cp "$root"/reference/tcp_echo*.c "$root"/reference/sockio.h "$class/$s/"
done
mkdir "$tmp/hang"
cat >"$tmp/hang/tcp_echocli.c" <<'EOF'
#include <unistd.h>
int main(void) { for (;;) pause(); }
EOF
cat >"$tmp/hang/tcp_echoserv.c" <<'EOF'
#include <stdio.h>
int main(void) { for (;;) fputs("flood flood flood flood flood\n", stdout); }
EOF

# ---- first batch ---------------------------------------------------------------------------
t0=$(now_ms)
batch "$tmp/full" -j 4 --seed "$seed" "$class"/*
t1=$(now_ms)
note "first batch: 5 students in $((t1 - t0)) ms"
expect "batch exits 0" test "$rc" -eq 0
expect "one JSON report per student" test "$(ls "$tmp/full"/*.json | wc -l)" -eq 5
expect "every report is a native report with the batch's seed" py '
import json, sys, glob
for f in glob.glob(sys.argv[1] + "/*.json"):
    r = json.load(open(f))
    assert r["schema"] == "sockgrade-report/1" and r["seed"] == sys.argv[2], f
    assert r["status"] in ("passed", "failed"), (f, r.get("error"))
' "$tmp/full" "$seed"
expect "gradebook: one row per student, a column per program, scores right" py '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
assert head[0] == "student" and head[-4:] == ["total", "max", "status", "advisories"], head
assert "tcp_echocli" in head and "tcp_echoserv" in head, head
by = {r[0]: dict(zip(head, r)) for r in body}
assert sorted(by) == sorted(["kim", "park", "choi", "lee, jin", "이민수"]), sorted(by)
for s in ("choi", "lee, jin", "이민수"):
    assert float(by[s]["tcp_echoserv"]) > 0, by[s]
for s in ("kim", "park"):
    assert float(by[s]["tcp_echoserv"]) == 0, by[s]
assert by["kim"]["total"] == by["park"]["total"], "same files, same seed, same score"
assert by["choi"]["total"] == by["lee, jin"]["total"] == by["이민수"]["total"]
' "$tmp/full/gradebook.csv"
expect "gradebook lines end in CRLF and the comma name is quoted" \
    grep -q "^\"lee, jin\",.*$(printf '\r')\$" "$tmp/full/gradebook.csv"
expect "the seed is kept for re-runs" grep -qx "$seed" "$tmp/full/.seed"
expect "stderr is quiet when not a terminal (one summary line)" test "$(wc -l <"$tmp/full.err")" -eq 1

# ---- re-runs -------------------------------------------------------------------------------
md5_before=$(cat "$tmp/full"/*.json | md5sum)
t0=$(now_ms)
batch "$tmp/full" "$class"/*
t1=$(now_ms)
note "second batch: $((t1 - t0)) ms"
expect "second run (no --seed) skips every student" grep -q "0 graded, 5 unchanged" "$tmp/full.err"
expect "second run is fast (under 2 s)" test $((t1 - t0)) -lt 2000
expect "second run leaves the reports as they were" test "$(cat "$tmp/full"/*.json | md5sum)" = "$md5_before"
echo "/* resubmitted */" >>"$class/kim/tcp_echocli.c"
batch "$tmp/full" "$class"/*
expect "a changed source regrades that student only" grep -q "1 graded, 4 unchanged" "$tmp/full.err"
batch "$tmp/full" --force "$class"/*
expect "--force regrades everyone" grep -q "5 graded, 0 unchanged" "$tmp/full.err"

# ---- shards and merge ----------------------------------------------------------------------
batch "$tmp/s1" --shard 1/2 --seed "$seed" "$class"/*
rc1=$rc
batch "$tmp/s2" --shard 2/2 --seed "$seed" "$class"/*
expect "both shards exit 0" test "$rc1" -eq 0 -a "$rc" -eq 0
expect "the shards split the class (3 + 2, no overlap)" py '
import sys, os
a = {f for f in os.listdir(sys.argv[1]) if f.endswith(".json")}
b = {f for f in os.listdir(sys.argv[2]) if f.endswith(".json")}
assert len(a) == 3 and len(b) == 2 and not a & b, (a, b)
' "$tmp/s1" "$tmp/s2"
expect "merge exits 0" "$bin" merge --out "$tmp/merged" "$tmp/s1" "$tmp/s2"
expect "the merged gradebook equals the whole class's" cmp "$tmp/merged/gradebook.csv" "$tmp/full/gradebook.csv"
batch "$tmp/merged" "$class"/*
expect "a batch in the merged folder skips everyone" grep -q "0 graded, 5 unchanged" "$tmp/merged.err"
"$bin" batch --shard 1/2 --out "$tmp/noseed" "$class"/* 2>/dev/null
expect "--shard without --seed is a usage error" test $? -eq 2
"$bin" batch --out "$tmp/dup" "$class/kim" "$tmp/hang/../class/kim" 2>/dev/null
expect "two submissions with the same name are refused" test $? -eq 2

# ---- a submission that hangs and floods ----------------------------------------------------
t0=$(now_ms)
batch "$tmp/hangout" -j 2 --seed "$seed" "$tmp/hang" "$class/choi"
t1=$(now_ms)
note "hanging submission: $((t1 - t0)) ms"
expect "a hanging submission still gets its report" py '
import json, sys
h = json.load(open(sys.argv[1] + "/hang.json"))
assert h["status"] == "failed" and h["score"] == 0, h["status"]
checks = [c for p in h["programs"] for c in p["checks"]]
# a program that does nothing right: every check fails, or is skipped as an error-path
# check of a program that did not do its normal job (requires_any)
assert checks and any(c["status"] == "failed" for c in checks)
assert all(c["status"] == "failed" or (c["status"] == "skipped" and
           c["actual"].startswith("skipped: it counts only")) for c in checks), \
    [(c["id"], c["status"]) for c in checks]
c = json.load(open(sys.argv[1] + "/choi.json"))
assert c["status"] == "passed", "the other student is unharmed"
' "$tmp/hangout"

# ---- a worker that dies, an interrupted batch ----------------------------------------------
if command -v pgrep >/dev/null; then
    # The worker's TMPDIR appears just before it is forked; waiting for it also lets the
    # sandbox probe (another child of the batch, earlier) finish first.
    mkdir "$tmp/ktmp"
    TMPDIR=$tmp/ktmp "$bin" batch -j 1 --seed "$seed" --out "$tmp/killed" "$tmp/hang" 2>"$tmp/killed.err" &
    pid=$!
    worker=""
    for _ in $(seq 100); do
        ls -d "$tmp"/ktmp/sockgrade-batch.*/hang >/dev/null 2>&1 && worker=$(pgrep -P "$pid" | head -1)
        [ -n "$worker" ] && break
        sleep 0.1
    done
    [ -n "$worker" ] && kill -9 "$worker"
    wait "$pid"
    rc=$?
    expect "a dead worker is a grader error (exit 2)" test "$rc" -eq 2
    expect "... recorded as the student's error report, without a fingerprint" py '
import json, sys, os
r = json.load(open(sys.argv[1] + "/hang.json"))
assert r["status"] == "error" and "signal 9" in r["error"], r
assert not os.path.exists(sys.argv[1] + "/.hang.fingerprint")
' "$tmp/killed"
else
    skip "a dead worker is a grader error" "pgrep missing"
fi
"$bin" batch -j 1 --seed "$seed" --out "$tmp/intr" "$class/choi" "$tmp/hang" 2>"$tmp/intr.err" &
pid=$!
for _ in $(seq 100); do
    [ -f "$tmp/intr/choi.json" ] && break
    sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
expect "an interrupted batch exits 2 and keeps the finished report" \
    test "$rc" -eq 2 -a -f "$tmp/intr/choi.json" -a ! -f "$tmp/intr/hang.json"
expect "... and its gradebook lists the student finished" grep -q "^choi," "$tmp/intr/gradebook.csv"

# ---- the CI formats ------------------------------------------------------------------------
"$bin" check --seed "$seed" --format junit -o "$tmp/results.xml" "$class/kim" 2>/dev/null
expect "junit: exit 1 for a failing submission" test $? -eq 1
expect "junit: the report parses and its counts add up" python3 "$root/tests/e2e/validate_junit.py" "$tmp/results.xml"
"$bin" check --seed "$seed" --format gradescope -o "$tmp/results.json" "$class/kim" 2>/dev/null
expect "gradescope: results.json has Gradescope's fields" py '
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("score", "execution_time", "output", "tests"):
    assert k in r, k
assert r["tests"], "one test per check"
for t in r["tests"]:
    for k in ("name", "score", "max_score", "status", "output", "visibility", "tags"):
        assert k in t, (k, t)
    assert t["status"] in ("passed", "failed") and t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
' "$tmp/results.json"
mkdir -p "$tmp/broken"
printf 'int main(void) { return missing; }\n' >"$tmp/broken/dtablesize.c"
"$bin" check --seed "$seed" --format json -o "$tmp/broken.json" "$tmp/broken" 2>/dev/null
"$bin" check --seed "$seed" --sandbox none --format json -o "$tmp/nosandbox.json" "$root/reference" 2>/dev/null
expect "json: every report of this test is valid under docs/report.schema.json, and so is the docs' example" \
    $pyx "$root/tests/e2e/validate_report.py" --example "$tmp/full"/*.json "$tmp/hangout"/*.json \
    "$tmp/broken.json" "$tmp/nosandbox.json" $(ls "$tmp"/killed/*.json 2>/dev/null)
expect "json: those reports cover passed, failed and skipped checks, a failed build, an error report" py '
import json, sys
seen = set()
for f in sys.argv[1:]:
    r = json.load(open(f))
    seen.add("report " + r["status"])
    for p in r["programs"]:
        seen.add("build " + p["build"]["status"])
        seen.update(c["status"] for c in p["checks"])
want = {"passed", "failed", "skipped", "build failed", "report error"}
assert want <= seen, want - seen
' "$tmp/full"/*.json "$tmp/hangout"/*.json "$tmp/broken.json" "$tmp/nosandbox.json" $(ls "$tmp"/killed/*.json 2>/dev/null)
py '
import json, sys
r = json.load(open(sys.argv[1]))
del r["score"]
r["programs"][0]["checks"][0]["status"] = "maybe"
json.dump(r, open(sys.argv[2], "w"))
' "$tmp/broken.json" "$tmp/forged.json"
expect "json: the schema refuses a report without a score or with an unknown status" \
    $pyx "$root/tests/e2e/validate_report.py" --reject "$tmp/forged.json"
expect "github: the workflow is valid YAML that runs check --format junit" py '
import sys
text = open(sys.argv[1]).read()
assert "check --seed \"$seed\" --format junit" in text and "action-junit-report" in text
import yaml
w = yaml.safe_load(text)
steps = w["jobs"]["grade"]["steps"]
assert any("Score threshold" == s.get("name") for s in steps)
' "$root/platform/github/sockgrade.yml"

# action-validator (npm, pinned in tools/validators; `make e2e` installs it) checks the file
# against GitHub's own workflow schema, as GitHub would before running it.
validator=${ACTION_VALIDATOR:-$root/build/validators/node_modules/.bin/action-validator}
case $validator in /*) ;; *) validator=$root/$validator ;; esac
expect "github: action-validator accepts the workflow under GitHub's workflow schema" \
    "$validator" "$root/platform/github/sockgrade.yml"
printf 'name: broken\non: push\njobs:\n  grade:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: true\n' >"$tmp/broken.yml"
expect "github: ... and refuses a workflow with a misspelt key" sh -c "! '$validator' '$tmp/broken.yml'"
expect "github: action-validator accepts the GitHub Classroom workflow" \
    "$validator" "$root/platform/github/classroom.yml"
expect "github: the Classroom workflow is shaped as the reporter requires, actions pinned by SHA" py '
import re, sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
assert w["name"] == "Autograding Tests" and list(w["jobs"]) == ["run-autograding-tests"], w["name"]
steps = w["jobs"]["run-autograding-tests"]["steps"]
rep = [s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter@")][0]
for s in steps:
    assert "uses" not in s or re.search(r"@[0-9a-f]{40}$", s["uses"]), s["uses"]
for rid in rep["with"]["runners"].split(","):
    assert any(s.get("id") == rid and "--format classroom" in s["run"] for s in steps), rid
    assert rep["env"][rid.upper() + "_RESULTS"] == "${{ steps.%s.outputs.result }}" % rid, rep["env"]
' "$root/platform/github/classroom.yml"

# ---- the text report on a real terminal ----------------------------------------------------
# script(1) gives the grader a pseudo-terminal, as a student's shell would.
stu=$tmp/student
mkdir -p "$stu" && cp "$root"/reference/byte_order.c "$stu/"
if command -v script >/dev/null; then
    script -qec "env -u NO_COLOR '$bin' check '$stu'" /dev/null >"$tmp/tty.out" 2>&1
    expect "on a terminal the text report is coloured (a green tick)" grep -q "$(printf '\033')\[32m" "$tmp/tty.out"
    script -qec "NO_COLOR=1 '$bin' check '$stu'" /dev/null >"$tmp/tty_nc.out" 2>&1
    expect "NO_COLOR on a terminal: no escape at all" sh -c "grep -q 'score' '$tmp/tty_nc.out' && ! grep -q \"$(printf '\033')\" '$tmp/tty_nc.out'"
else
    skip "on a terminal the text report is coloured, and NO_COLOR turns it off" "no script(1)"
fi
env -u NO_COLOR "$bin" check "$stu" >"$tmp/pipe.out" 2>&1
expect "piped: no escape at all" sh -c "grep -q 'score' '$tmp/pipe.out' && ! grep -q \"$(printf '\033')\" '$tmp/pipe.out'"
expect "the summary names the missing lecture programs" grep -q "tcp_echocli" "$tmp/pipe.out"

# ---- make install --------------------------------------------------------------------------
pfx=$tmp/prefix
expect "make install PREFIX=... builds and installs" submake install BUILD="$tmp/ibuild" PREFIX="$pfx"
expect "make install DESTDIR=... stages the same files" submake install BUILD="$tmp/ibuild" PREFIX="$pfx" DESTDIR="$tmp/stage"
for f in bin/sockgrade share/man/man1/sockgrade.1 share/sockgrade/assignments/tcp_echocli/spec.json \
         share/sockgrade/reference/tcp_echocli.c; do
    expect "installed $f (and staged under DESTDIR)" test -f "$pfx/$f" -a -f "$tmp/stage$pfx/$f"
done
expect "the installed binary finds its data in PREFIX/share/sockgrade" sh -c \
    "env -u SOCKGRADE_DATA '$pfx/bin/sockgrade' list | grep -q tcp_echocli"
expect "the AppArmor profile is installed for this binary" \
    grep -q "^profile sockgrade $pfx/bin/sockgrade flags=(unconfined)" "$pfx/share/sockgrade/apparmor/sockgrade"
expect "make install-apparmor places the profile (staged under DESTDIR)" sh -c \
    "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '$root' install-apparmor PREFIX='$pfx' DESTDIR='$tmp/aa' >/dev/null &&
     grep -q '^  userns,' '$tmp/aa/etc/apparmor.d/sockgrade'"
page=$tmp/stage$pfx/share/man/man1/sockgrade.1
if command -v man >/dev/null; then
    expect "man -l renders the installed page" sh -c "MANWIDTH=80 man -l '$page' 2>&1 | grep -q 'sockgrade batch'"
elif command -v groff >/dev/null; then
    expect "groff renders the installed page (man is missing)" sh -c "groff -man -Tutf8 '$page' | grep -q 'sockgrade batch'"
else
    skip "the installed man page renders" "neither man nor groff"
fi

# ---- make gradescope -----------------------------------------------------------------------
expect "make gradescope builds the zip" submake gradescope BUILD="$tmp/gsbuild"
zip=$tmp/gsbuild/gradescope-autograder.zip
expect "the zip holds setup.sh and run_autograder at its top, executable" py '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
for n in ("setup.sh", "run_autograder", "sockgrade/Makefile", "sockgrade/grader/cli/main.c",
          "sockgrade/assignments/tcp_echocli/spec.json"):
    assert n in names, n
for n in ("setup.sh", "run_autograder"):
    assert (z.getinfo(n).external_attr >> 16) & 0o111, n + " is not executable"
' "$zip"
ag=$tmp/autograder
mkdir -p "$ag/source" "$ag/submission"
python3 -m zipfile -e "$zip" "$ag/source"
chmod +x "$ag/source/run_autograder" "$ag/source/setup.sh"
cp "$class/kim"/*.c "$ag/submission/"
expect "the zip's sources build sockgrade" submake -C "$ag/source/sockgrade" build/sockgrade
AUTOGRADER_ROOT=$ag "$ag/source/run_autograder" >"$tmp/ag.log" 2>&1
expect "run_autograder writes results.json with a score and tests" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r["score"], (int, float)) and r["tests"], r.get("output")
' "$ag/results/results.json"

tap_done
