#!/bin/sh
# `make platform-test`: the recipes run where they will run, not on this machine with its
# packages. A minimal Debian root (mmdebstrap --variant=minbase, from the archive apt uses
# here; cached as a tarball under BUILD/platform) is entered as root in private mount and pid
# namespaces, as a container is, with pivot_root (a chroot cannot make the user namespaces the
# sandbox needs) and a fresh /proc. (Sandbox inits once died at random in a pid namespace: a
# grader there took other graders' fresh cgroups for stale ones; fixed in cgroup.c, and
# tests/e2e/test_concurrent.sh keeps it so.) In one fresh root the Gradescope zip is unpacked, its setup.sh runs as the image
# build would and run_autograder grades a correct and a buggy submission; then, in the same
# root, GCC 11 grades the fixtures' textbook-style submissions, and with Valgrind removed the
# grader must say so once and grade on. In a second fresh root the GitHub workflow's `run:`
# steps run in order (the `uses:` steps stubbed: checkout copies the tree). The results are
# judged here, outside the root. Prints TAP (tests/e2e/lib.sh), closing with "# platform:
# N passed, N failed".
#
# usage: tests/platform/platform_test.sh [BUILD]   (must run as root; SEED=N fixes the seed)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/tests/e2e/lib.sh"
tap_init platform
build=${1:-build}
case $build in /*) ;; *) build=$repo/$build ;; esac
[ "$(id -u)" -eq 0 ] || tap_bail "must run as root (it builds and enters a Debian root)"
seed=$(e2e_seed)
cache=$build/platform
# Not tap_tmpdir: the roots are kept when something failed, to look at (finish).
work=$(mktemp -d /tmp/sockgrade-platform.XXXXXX)
tap_log=$work/expect.log
tap_tail=25
t0=$(date +%s)
finish() {
    # The roots take about 1.5 GiB: kept only when something failed, to look at.
    if [ "$tap_failed" -eq 0 ]; then rm -rf "$work"; work="(removed: all passed)"; fi
    note "platform: seed $seed, $(( $(date +%s) - t0 )) s, logs in $work"
    tap_done
}

export DEBIAN_FRONTEND=noninteractive
for tool in mmdebstrap:mmdebstrap unshare:util-linux python3:python3; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends "${tool#*:}" >/dev/null ||
        tap_bail "cannot install ${tool#*:}"
done
python3 -c 'import yaml' 2>/dev/null || apt-get install -y -qq python3-yaml >/dev/null

# ---- the root: minbase from this machine's own apt sources, cached -------------------------
# python3 and sudo stand for what both platforms' images have (Gradescope's Ubuntu and GitHub's
# runner); everything grading needs must come from the recipes themselves.
mkdir -p "$cache/apt-archives"
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
sources=$(ls /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1)
tarball=$cache/$suite-minbase.tar
if [ ! -s "$tarball" ]; then
    note "platform: mmdebstrap --variant=minbase $suite from $sources (cached in $tarball)"
    mmdebstrap --quiet --variant=minbase --include=ca-certificates,python3,sudo \
        "$suite" "$cache/$suite-minbase.tmp.tar" "$sources" >"$work/mmdebstrap.log" 2>&1 &&
        mv "$cache/$suite-minbase.tmp.tar" "$tarball" || { bad "mmdebstrap builds the root" "$(tail -n 25 "$work/mmdebstrap.log")"; finish; }
fi
ok "a minimal $suite root ($(du -m "$tarball" | cut -f1) MiB tarball)"

# new_root DIR: a fresh copy of the root, with this machine's resolver and the apt cache
new_root() {
    rm -rf "$1" && mkdir -p "$1" && tar -xf "$tarball" -C "$1" && cp /etc/resolv.conf "$1/etc/resolv.conf" &&
        mkdir -p "$1/work"
}
# in_root DIR SCRIPT LOG: runs SCRIPT (a file inside DIR, path as seen inside) with bash as root
# after pivot_root into DIR, in private mount and pid namespaces with a fresh /proc.
in_root() {
    unshare --mount --pid --fork sh -eu -c '
        r=$1
        mount --make-rprivate /
        mount --bind "$r" "$r"
        mount -t proc proc "$r/proc"
        mount --rbind /dev "$r/dev"
        mount --rbind /sys "$r/sys"
        mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
        mount --bind "$3" "$r/var/cache/apt/archives"
        cd "$r" && mkdir -p .oldroot && pivot_root . .oldroot && umount -l /.oldroot && rmdir /.oldroot
        exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            LANG=C.UTF-8 SEED="$4" bash -eo pipefail "$2"' in_root "$1" "$2" "$cache/apt-archives" "$seed" >"$3" 2>&1
}

# The submissions: a correct one (the references) and the same with one buggy program.
subs=$work/subs
mkdir -p "$subs/correct" "$subs/buggy"
cp "$repo"/reference/*.c "$repo"/reference/*.h "$subs/correct/"
cp "$subs/correct"/* "$subs/buggy/"
cp "$repo/fixtures/submissions/port_number/uninit_addrlen/port_number.c" "$subs/buggy/"
# The textbook-style fixtures, one folder with one program each, and the buggy port_number.
mkdir -p "$subs/textbook"
for d in "$repo"/fixtures/submissions/*/textbook_correct; do cp "$d"/*.c "$subs/textbook/"; done

# ---- Gradescope ----------------------------------------------------------------------------
make -s -C "$repo" BUILD="$build" gradescope >"$work/zip.log" 2>&1 || { bad "make gradescope" "$(tail -n 25 "$work/zip.log")"; finish; }
zip=$build/gradescope-autograder.zip
expect "the zip ships no reference solutions" sh -c "! python3 -m zipfile -l '$zip' | grep -q 'sockgrade/reference/'"
gs=$work/gradescope
new_root "$gs" || { bad "unpack the root"; finish; }
mkdir -p "$gs/autograder/source" "$gs/work/subs"
python3 -m zipfile -e "$zip" "$gs/autograder/source"
cp -R "$subs"/* "$gs/work/subs/"
cp -R "$repo/fixtures" "$gs/work/fixtures"
cat >"$gs/work/gradescope.sh" <<'EOF'
# As Gradescope: the image build runs setup.sh from the unpacked zip, then every submission
# goes to /autograder/submission and run_autograder writes /autograder/results/results.json.
chmod +x /autograder/source/setup.sh /autograder/source/run_autograder
cd /autograder/source && bash ./setup.sh > /work/setup.log 2>&1
cp /autograder/source/run_autograder /autograder/run_autograder
for s in correct buggy; do
    rm -rf /autograder/submission /autograder/results && mkdir -p /autograder/submission
    cp /work/subs/$s/* /autograder/submission/
    /autograder/run_autograder > /work/$s.log 2>&1
    cp /autograder/results/results.json /work/$s.results.json
done
EOF
note "platform: Gradescope: setup.sh and run_autograder in a fresh root"
in_root "$gs" /work/gradescope.sh "$work/gradescope.log"
expect "gradescope: setup.sh installs and builds in a bare root" sh -c "[ -x '$gs/autograder/source/sockgrade/build/sockgrade' ] || { cat '$gs/work/setup.log' '$work/gradescope.log'; exit 1; }"
expect "gradescope: setup.sh installed valgrind" test -x "$gs/usr/bin/valgrind"
judge_gs() {
    python3 - "$gs/work/$1.results.json" "$repo" "$1" <<'PY'
import json, sys
res, repo, kind = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
tests = res["tests"]
assert tests, res.get("output")
top = sum(t["max_score"] for t in tests)
spec = json.load(open(f"{repo}/assignments/port_number/spec.json"))
lost_want = 0 if kind == "correct" else sum(c.get("points", 0) for c in spec["checks"] if c["id"] == "tcp_port_matches")
assert lost_want > 0 or kind == "correct"
assert "could not grade" not in res.get("output", ""), res["output"]
assert top > 0 and abs(res["score"] - (top - lost_want)) < 1e-9, (res["score"], top, lost_want)
lost = [t["name"] for t in tests if t["score"] < t["max_score"]]
want = [] if kind == "correct" else ["port_number: tcp_port_matches"]
assert [n.split(" (")[0] for n in lost] == want, lost
print(f"{kind}: {res['score']}/{top}")
PY
}
expect "gradescope: the correct submission gets full marks, no grader error" judge_gs correct
expect "gradescope: the buggy one loses exactly tcp_port_matches's points" judge_gs buggy
expect "gradescope: run_autograder saw exit status 0, then 1" sh -c \
    "grep -qx 'sockgrade exit status 0' '$gs/work/correct.log' && grep -qx 'sockgrade exit status 1' '$gs/work/buggy.log'"

# ---- GCC 11 and a machine without Valgrind, in the same root -------------------------------
cat >"$gs/work/gcc11.sh" <<'EOF'
# The textbook-style fixtures with Debian 12's gcc first, then with GCC 11 (Ubuntu 22.04's
# compiler) as the students' gcc and the grader built with it too: the same verdicts.
set +e
/autograder/source/sockgrade/build/sockgrade check --format json --seed "$SEED" /work/subs/textbook > /work/gcc12-textbook.json 2>/dev/null
set -e
apt-get install -y -qq --no-install-recommends gcc-11 >/dev/null
ln -sf gcc-11 /usr/bin/gcc
gcc --version | head -1 > /work/gcc-version
cd /autograder/source/sockgrade
make -s CC=gcc-11 BUILD=build-gcc11 build-gcc11/sockgrade > /work/gcc11-build.log 2>&1
sg=/autograder/source/sockgrade/build-gcc11/sockgrade
set +e
$sg check --format json --seed "$SEED" /work/subs/textbook > /work/gcc11-textbook.json 2> /work/gcc11-textbook.err
echo $? > /work/gcc11-textbook.rc
cp /work/fixtures/submissions/port_number/uninit_addrlen/port_number.c /tmp/
$sg check --format json --seed "$SEED" /tmp/port_number.c > /work/gcc11-uninit.json 2>/dev/null
# Valgrind missing: said once, its checks skipped and not counted, no error.
mv /usr/bin/valgrind /usr/bin/valgrind.off
$sg check --format json --seed "$SEED" /work/subs/correct > /work/novg.json 2> /work/novg.err
echo $? > /work/novg.rc
mkdir -p /tmp/class/ann /tmp/class/bob && cp /work/subs/correct/* /tmp/class/ann/ && cp /work/subs/buggy/* /tmp/class/bob/
$sg batch --seed "$SEED" --out /tmp/grades /tmp/class/ann /tmp/class/bob > /work/novg-batch.out 2> /work/novg-batch.err
echo $? > /work/novg-batch.rc
cp /tmp/grades/gradebook.csv /work/novg-gradebook.csv
mv /usr/bin/valgrind.off /usr/bin/valgrind
EOF
note "platform: GCC 11 and no Valgrind, in the Gradescope root"
in_root "$gs" /work/gcc11.sh "$work/gcc11.log"
expect "gcc 11: the students' gcc is GCC 11 and the grader builds with it" sh -c \
    "grep -q ' 11\.' '$gs/work/gcc-version' && [ -x '$gs/autograder/source/sockgrade/build-gcc11/sockgrade' ] || { cat '$work/gcc11.log' '$gs/work/gcc11-build.log'; exit 1; }"
expect "gcc 11: the textbook-style fixtures get the verdicts they get with gcc 12" \
    python3 "$here/same_verdicts.py" "$gs/work/gcc12-textbook.json" "$gs/work/gcc11-textbook.json" "gcc 11 vs 12"
expect "gcc 11: the textbook's uninitialised addrlen still fails tcp_port_matches" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
st = {c["id"]: c["status"] for c in r["programs"][0]["checks"]}
assert r["programs"][0]["build"]["status"] == "ok", r["programs"][0]["build"]
assert st["tcp_port_matches"] == "failed" and st["memcheck_clean"] == "failed", st
' "$gs/work/gcc11-uninit.json"
expect "no valgrind: check says so once, and no check is a grader error (exit status < 2)" sh -c "
    [ \$(cat '$gs/work/novg.rc') -lt 2 ] && ! grep -q '\"status\": *\"error\"' '$gs/work/novg.json' && [ \$(grep -c 'valgrind is not installed' '$gs/work/novg.err') = 1 ] || { cat '$gs/work/novg.err'; exit 1; }"
expect "no valgrind: memcheck checks are skipped, not counted; full marks" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
mc = [c for p in r["programs"] for c in p["checks"] if c["id"].startswith("memcheck")]
assert mc and all(c["status"] == "skipped" and c["max_score"] == 0 and "Valgrind" in c["actual"] for c in mc), mc[:1]
assert r["score"] == r["max_score"] > 0, (r["score"], r["max_score"])
' "$gs/work/novg.json"
expect "no valgrind: batch says so once, exits 0, no student in error" sh -c "
    [ \$(cat '$gs/work/novg-batch.rc') = 0 ] && [ \$(grep -c 'valgrind is not installed' '$gs/work/novg-batch.err') = 1 ] &&
    ! grep -q ',error' '$gs/work/novg-gradebook.csv' || { cat '$gs/work/novg-batch.err' '$gs/work/novg-gradebook.csv'; exit 1; }"

# ---- GitHub: the workflow's run: steps in order, in a fresh root ---------------------------
gh=$work/github
for kind in correct buggy; do
    new_root "$gh" || { bad "unpack the root"; finish; }
    python3 "$here/workflow_steps.py" "$repo/platform/github/sockgrade.yml" "$repo" "$gh" "$subs/$kind" >"$work/steps.log" 2>&1 ||
        { bad "github: extract the workflow's steps" "$(tail -n 25 "$work/steps.log")"; continue; }
    note "platform: GitHub workflow ($kind submission) in a fresh root"
    in_root "$gh" /github/steps.sh "$work/github-$kind.log"
    rc=$?
    expect "github ($kind): every step ran and succeeded" sh -c "[ $rc = 0 ] || { tail -40 '$work/github-$kind.log'; exit 1; }"
    expect "github ($kind): report.json scores as expected, results.xml written" python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/report.json"))
open(sys.argv[1] + "/results.xml").read()
lost = r["max_score"] - r["score"]
assert r["max_score"] > 0 and (lost == 0) == (sys.argv[2] == "correct"), (r["score"], r["max_score"])
assert not any(c["status"] == "error" for p in r["programs"] for c in p["checks"])
' "$gh/github/workspace" "$kind"
    cp "$work/github-$kind.log" "$work/github-$kind.kept.log"
done

# ---- clang builds the grader ---------------------------------------------------------------
command -v clang >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends clang >/dev/null
expect "clang: the grader builds and grades the references with full marks" sh -c "
    make -s -C '$repo' CC=clang BUILD='$build/platform/clang' '$build/platform/clang/sockgrade' &&
    SOCKGRADE_DATA='$repo' '$build/platform/clang/sockgrade' check --seed $seed '$subs/correct' >'$work/clang.txt' 2>&1 || { tail -5 '$work/clang.txt'; exit 1; }"
finish
