#!/bin/sh
# End-to-end test of what students and instructors read around grading (issue 13):
# - `check /nonexistent` is one line on stderr and exit status 2; `check main.c` says the file
#   must be named after its program; selftest without reference/ says that is what is missing;
# - a class where nobody handed in one program: the gradebook's max still counts it, status
#   tells full marks from lost points, failed robustness checks are counted as advisories;
# - merge refuses a folder batch did not write; a batch with another --seed than its folder's
#   is refused (exit 2) unless --force;
# - --programs (check, batch, merge, run_autograder's programs file) grades and lists only those
#   programs; a name without a spec is a usage error;
# - a broken spec stops check and batch before anything is graded; validate names the problem;
# - two files for one program, or one below the search depth, are refused with the paths; a
#   report's source is the path below the submission;
# - a hidden check keeps expected, actual and hint out of JUnit and the text report, and
#   Gradescope gets it with visibility hidden.
# Prints TAP (tests/e2e/lib.sh), closing with "# instructor: N passed, N failed".
#
# usage: tests/e2e/test_instructor.sh [build/sockgrade]   (SEED=N fixes the seed)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init instructor
bin=$(e2e_bin "${1:-}")
seed=$(e2e_seed)
tap_tmpdir /tmp/sockgrade-instructor.XXXXXX
chmod 755 "$tmp"
note "instructor: seed $seed"

# ---- messages ------------------------------------------------------------------------------
"$bin" check /nonexistent >"$tmp/ne.out" 2>"$tmp/ne.err"
expect "check /nonexistent: exit status 2" test $? -eq 2
expect "check /nonexistent: one line on stderr, no report" sh -c \
    "[ \$(wc -l <'$tmp/ne.err') -eq 1 ] && [ ! -s '$tmp/ne.out' ] && grep -q '/nonexistent: No such file' '$tmp/ne.err'"
mkdir "$tmp/one"
cp "$root/reference/tcp_echocli.c" "$tmp/one/main.c"
"$bin" check --seed "$seed" "$tmp/one/main.c" >"$tmp/main.out" 2>&1
expect "check main.c: says a file must be named after its program, not 'in this folder'" sh -c \
    "grep -q 'not a lecture program: a file must be named after its program' '$tmp/main.out' &&
     ! grep -q 'in this folder' '$tmp/main.out'"
mkdir "$tmp/data"
ln -s "$root/assignments" "$tmp/data/assignments"
SOCKGRADE_DATA=$tmp/data "$bin" selftest >"$tmp/self.out" 2>"$tmp/self.err"
expect "selftest without reference/: exit 2, saying the references are missing" sh -c \
    "[ $? -eq 2 ] && grep -q 'has none' '$tmp/self.err' && ! grep -q 'lost a check' '$tmp/self.err'"

# ---- a class: nobody hands in udp_echoserv -------------------------------------------------
class=$tmp/class
for s in ann bob cid; do mkdir -p "$class/$s"; cp "$root"/reference/*.c "$root"/reference/*.h "$class/$s/"; rm "$class/$s/udp_echoserv.c"; done
cp "$root/fixtures/submissions/tcp_echocli/textbook_correct/tcp_echocli.c" "$class/bob/"  # robustness advice
rm "$class/cid/tcp_echocli.c"                                                              # lost points
"$bin" batch -j 3 --seed "$seed" --out "$tmp/grades" "$class"/* 2>"$tmp/batch.err"
expect "batch exits 0" test $? -eq 0
expect "gradebook: max is the assignment's points, status and advisories as the reports say" py '
import csv, glob, json, os, sys
data, grades = sys.argv[1], sys.argv[2]
points = {os.path.basename(os.path.dirname(f)): sum(c.get("points", 0) for c in json.load(open(f))["checks"])
          for f in glob.glob(data + "/assignments/*/spec.json")}
rows = list(csv.reader(open(grades + "/gradebook.csv", newline="")))
head, body = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
assert head[-4:] == ["total", "max", "status", "advisories"], head
assert "udp_echoserv" in head, head
for s, row in body.items():
    assert float(row["max"]) == sum(points.values()), (row["max"], sum(points.values()))
    r = json.load(open(f"{grades}/{s}.json"))
    adv = sum(1 for p in r["programs"] for c in p["checks"] if c["level"] == "robustness" and c["status"] == "failed")
    assert int(row["advisories"]) == adv, (s, row["advisories"], adv)
    full = abs(float(row["total"]) - float(row["max"])) < 1e-9
    assert row["status"] == ("full_marks" if full else "lost_points"), (s, row)
assert body["ann"]["status"] == "lost_points" and body["cid"]["status"] == "lost_points", body
assert int(body["bob"]["advisories"]) >= 1, body["bob"]
assert float(body["cid"]["total"]) < float(body["ann"]["total"]), body
' "$root" "$tmp/grades"

"$bin" batch --seed $((seed + 1)) --out "$tmp/grades" "$class/ann" >/dev/null 2>"$tmp/reseed.err"
expect "batch with another --seed into the folder: refused, exit 2, naming both seeds" sh -c \
    "[ $? -eq 2 ] && grep -q 'was graded with seed $seed: --seed $((seed + 1))' '$tmp/reseed.err'"
mkdir "$tmp/notes" && echo hello >"$tmp/notes/readme.txt"
"$bin" merge --out "$tmp/merged" "$tmp/grades" "$tmp/notes" >/dev/null 2>"$tmp/merge.err"
expect "merge of a folder batch did not write: exit 2, naming it" sh -c \
    "[ $? -eq 2 ] && grep -q 'notes is not a folder written by' '$tmp/merge.err'"

# ---- --programs ----------------------------------------------------------------------------
"$bin" check --seed "$seed" --programs "tcp_echocli, port_number" --format json "$root/reference" >"$tmp/progs.json" 2>/dev/null
expect "check --programs: only those programs graded, none other missing" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted(p["name"] for p in r["programs"]) == ["port_number", "tcp_echocli"], r["programs"]
assert r["missing"] == [] and r["score"] == r["max_score"] > 0, (r["missing"], r["score"])
' "$tmp/progs.json"
"$bin" check --programs tcp_echocli,nosuch "$root/reference" >/dev/null 2>"$tmp/nosuch.err"
expect "check --programs with an unknown name: exit 2, naming it" sh -c "[ $? -eq 2 ] && grep -q \"'nosuch'\" '$tmp/nosuch.err'"
"$bin" batch --seed "$seed" --programs tcp_echocli --out "$tmp/pgrades" "$class/ann" "$class/cid" 2>/dev/null
expect "batch --programs: the gradebook has that program's column only" sh -c \
    "head -1 '$tmp/pgrades/gradebook.csv' | grep -qx 'student,tcp_echocli,total,max,status,advisories.'"
"$bin" merge --programs port_number --out "$tmp/pmerged" "$tmp/grades" 2>/dev/null
expect "merge --programs: only that column, totals of it" py '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["student", "port_number", "total", "max", "status", "advisories"], rows[0]
assert all(r[1] == r[2] for r in rows[1:]), rows
' "$tmp/pmerged/gradebook.csv"
ag=$tmp/ag
mkdir -p "$ag/source/sockgrade/build" "$ag/submission"
ln -s "$bin" "$ag/source/sockgrade/build/sockgrade"
echo "tcp_echocli" >"$ag/source/sockgrade/programs"
cp "$root"/reference/*.c "$root"/reference/*.h "$ag/submission/"
AUTOGRADER_ROOT=$ag bash "$root/platform/gradescope/run_autograder" >/dev/null 2>&1
expect "run_autograder with the zip's programs file grades that program only" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tests"] and all(t["name"].startswith("tcp_echocli: ") for t in r["tests"]), [t["name"] for t in r["tests"]][:3]
assert "not found" not in r["output"], r["output"]
' "$ag/results/results.json"

# ---- broken specs stop everything; validate names the problem ------------------------------
mkdir -p "$tmp/bad"
cp -R "$root/assignments" "$tmp/bad/assignments"
sed -i 's/"timeout_ms"/"timout_ms"/' "$tmp/bad/assignments/tcp_echocli/spec.json"
"$bin" validate "$tmp/bad/assignments" >"$tmp/val.out" 2>"$tmp/val.err"
expect "validate DIR: exit 1, the file and the JSON path of the problem" sh -c \
    "[ $? -eq 1 ] && grep -q 'tcp_echocli/spec.json: \\$\.timout_ms: unknown key' '$tmp/val.err'"
expect "validate: the bundled specs are valid" "$bin" validate
SOCKGRADE_DATA=$tmp/bad "$bin" check "$root/reference" >"$tmp/badcheck.out" 2>"$tmp/badcheck.err"
expect "check with a broken spec: exit 2 before grading anything, with the error" sh -c \
    "[ $? -eq 2 ] && [ ! -s '$tmp/badcheck.out' ] && grep -q 'timout_ms' '$tmp/badcheck.err'"
SOCKGRADE_DATA=$tmp/bad "$bin" batch --out "$tmp/badgrades" "$class/ann" >/dev/null 2>"$tmp/badbatch.err"
expect "batch with a broken spec: exit 2, no report written" sh -c \
    "[ $? -eq 2 ] && [ ! -e '$tmp/badgrades/ann.json' ] && grep -q 'timout_ms' '$tmp/badbatch.err'"

# ---- submissions that would need a guess ---------------------------------------------------
mkdir -p "$tmp/dup/a" "$tmp/dup/old" "$tmp/deep/1/2/3/4/5" "$tmp/sub/hw"
cp "$root/reference/tcp_echocli.c" "$root/reference/sockio.h" "$tmp/dup/a/"
cp "$root/reference/tcp_echocli.c" "$tmp/dup/old/"
cp "$root/reference/tcp_echocli.c" "$root/reference/sockio.h" "$tmp/deep/1/2/3/4/5/"
cp "$root/reference/tcp_echocli.c" "$root/reference/sockio.h" "$tmp/sub/hw/"
"$bin" check --seed "$seed" "$tmp/dup" >"$tmp/dup.out" 2>&1
expect "two files for one program: refused (exit 2), both paths named" sh -c \
    "[ $? -eq 2 ] && grep -q 'two files for tcp_echocli: .*/a/tcp_echocli.c and .*/old/tcp_echocli.c' '$tmp/dup.out'"
"$bin" check --seed "$seed" "$tmp/deep" >"$tmp/deep.out" 2>&1
expect "a program's file below the search depth: refused (exit 2), the path named" sh -c \
    "[ $? -eq 2 ] && grep -q '1/2/3/4/5/tcp_echocli.c is more than 4 folders deep' '$tmp/deep.out'"
"$bin" check --seed "$seed" --programs tcp_echocli --format json "$tmp/sub" >"$tmp/sub.json" 2>/dev/null
expect "the report's source is the path below the submission" py '
import json, sys
assert json.load(open(sys.argv[1]))["programs"][0]["source"] == "hw/tcp_echocli.c"
' "$tmp/sub.json"

# ---- a hidden check ------------------------------------------------------------------------
mkdir -p "$tmp/hdata/assignments"
cp -R "$root/assignments/." "$tmp/hdata/assignments/"
py '
import json, sys
p = sys.argv[1] + "/assignments/tcp_echocli/spec.json"
s = json.load(open(p))
for c in s["checks"]:
    if c["id"] == "sends_line_exactly":
        c["visibility"] = "hidden"
json.dump(s, open(p, "w"), indent=2)
' "$tmp/hdata"
fx=$root/fixtures/submissions/tcp_echocli/no_htons
for f in junit text gradescope json; do
    SOCKGRADE_DATA=$tmp/hdata "$bin" check --seed "$seed" --format $f -o "$tmp/hidden.$f" "$fx" 2>/dev/null
done
expect "hidden check: the native JSON (the instructor's) has its details" py '
import json, sys
c = [c for p in json.load(open(sys.argv[1]))["programs"] for c in p["checks"] if c["id"] == "sends_line_exactly"][0]
assert c["status"] == "failed" and c["visibility"] == "hidden" and c["actual"], c
' "$tmp/hidden.json"
expect "hidden check: JUnit keeps expected, actual and hint out" py '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1])
case = [c for c in t.iter("testcase") if c.get("name") == "sends_line_exactly"][0]
body = "".join(case.itertext())
assert "expected:" not in body and "actual:" not in body and "hint:" not in body, body
assert "(hidden check)" in body, body
' "$tmp/hidden.junit"
expect "hidden check: the text report keeps them out too" py '
import sys
lines = open(sys.argv[1]).read().splitlines()
i = [k for k, l in enumerate(lines) if " sends_line_exactly " in l][0]
assert "(hidden check)" in lines[i] and not lines[i + 1].lstrip().startswith("expected:"), lines[i:i + 2]
' "$tmp/hidden.text"
expect "hidden check: Gradescope gets it with visibility hidden" py '
import json, sys
t = [t for t in json.load(open(sys.argv[1]))["tests"] if "sends_line_exactly" in t["name"]][0]
assert t["visibility"] == "hidden", t
' "$tmp/hidden.gradescope"

tap_done
