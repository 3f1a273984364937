#!/bin/sh
# End-to-end test of the fallback where namespaces really are unavailable (issue 5). The test
# re-runs itself in a user and mount namespace of its own, sets user.max_user_namespaces to 0
# there (so every CLONE_NEWUSER the grader tries fails with ENOSPC, as root or not) and mounts a
# private /tmp (so the attacks' files can be looked for and never reach the host). Then:
# `--sandbox auto` falls back to none and says which step failed; the reference passes every
# check that can run honestly and the others are skipped with the reason; a buggy fixture
# still fails; and two hostile attacks that Landlock must stop in none mode (forged report files
# in /tmp, host files quoted by the compiler) are contained, checked from outside, after each
# attack's oracle was shown live by running it unconfined. Prints TAP (tests/e2e/lib.sh),
# closing with "# no-namespaces: N passed, N failed".
#
# usage: tests/e2e/test_no_namespaces.sh [build/sockgrade]   (SEED=N fixes the seed;
#        NONS_REQUIRE=1 fails instead of skipping where the test cannot make its namespace)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
bin=$(e2e_bin "${1:-}")

# Out here nothing is printed unless the test cannot run: the part inside prints the TAP.
if [ "${SOCKGRADE_NONS_INNER:-}" != 1 ]; then
    if ! unshare --user --map-root-user --mount true 2>/dev/null; then
        [ "${NONS_REQUIRE:-0}" = 1 ] && tap_bail "this machine cannot make the test's own user namespace (NONS_REQUIRE=1)"
        skip_all "this machine cannot make the test's own user namespace"
    fi
    # The textbook-style fixtures graded with namespaces, out here, so that the part inside can
    # compare its none-mode verdicts with them (beside the binary: the inside has its own /tmp).
    SEED=$(e2e_seed)
    export SEED
    tb=$(mktemp -d) && chmod 755 "$tb"
    for d in "$root"/fixtures/submissions/*/textbook_correct; do cp "$d"/*.c "$tb/"; done
    "$bin" check --sandbox auto --format json --seed "$SEED" "$tb" >"$bin.nons-textbook.json" 2>/dev/null
    rm -rf "$tb"
    exec unshare --user --map-root-user --mount env SOCKGRADE_NONS_INNER=1 sh "$0" "$bin"
fi

# ---- inside the test's namespace -----------------------------------------------------------
tap_init no-namespaces
seed=$(e2e_seed)
# grade OUT PATH: --sandbox auto, JSON on OUT, stderr on OUT.err, exit status in $rc
grade() { o=$1; shift; "$bin" check --sandbox auto --format json --seed "$seed" "$@" >"$o" 2>"$o.err"; rc=$?; }

echo 0 >/proc/sys/user/max_user_namespaces || tap_bail "cannot set max_user_namespaces"
# A checkout under /tmp (a clean clone in CI may be there) must stay reachable under the
# private /tmp: the host's /tmp is first bound into a small tmpfs on a spare folder.
under_tmp() { case $1 in /tmp/*) return 0 ;; esac; return 1; }
if under_tmp "$root" || under_tmp "$bin"; then
    spare=""
    for d in /mnt /media /srv /opt; do [ -d "$d" ] && { spare=$d; break; }; done
    { [ -n "$spare" ] && mount -t tmpfs -o size=1m tmpfs "$spare" && mkdir "$spare/host-tmp" &&
      mount --rbind /tmp "$spare/host-tmp"; } || tap_bail "cannot keep the host's /tmp in reach"
    under_tmp "$root" && root=$spare/host-tmp/${root#/tmp/}
    under_tmp "$bin" && bin=$spare/host-tmp/${bin#/tmp/}
fi
mount -t tmpfs -o size=512m,mode=1777 tmpfs /tmp || tap_bail "cannot mount /tmp"
[ -x "$bin" ] || tap_bail "$bin is not reachable under the private /tmp"
cd / # the working folder may have been under the host's /tmp
export TMPDIR=/tmp
# Not tap_tmpdir: the private /tmp goes with the namespace, and nothing is left to remove.
tmp=$(mktemp -d /tmp/nons.XXXXXX)
tap_log=$tmp/expect.log
t0=$(date +%s)
abi=$(py 'import ctypes; print(max(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1), 0))')
note "no-namespaces: seed $seed, Landlock ABI $abi, in a namespace with user.max_user_namespaces=0"

expect "a nested user namespace is refused here (the condition under test)" \
    sh -c '! unshare --user true 2>/dev/null'

# ---- the reference -------------------------------------------------------------------------
grade "$tmp/ref.json" "$root/reference"
expect "reference: exit status 0" test "$rc" -eq 0
expect "the fallback warning names the step that failed" \
    grep -q "sandbox: unshare namespaces: No space left on device" "$tmp/ref.json.err"
expect "the fallback warning says what isolation is left" \
    grep -q "grading with --sandbox none (weaker isolation: rlimits, process group, " "$tmp/ref.json.err"
expect "the report says sandbox none and, exactly, what confined the run" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["sandbox"] == "none", r["sandbox"]
want = ("rlimits, process group, landlock v%s " % sys.argv[2]) if sys.argv[2] != "0" else "rlimits, process group, no landlock"
assert r["isolation"].startswith(want), (r["isolation"], want)
' "$tmp/ref.json" "$abi"
# Which checks need namespaces is worked out here from the specs, independently of the grader.
expect "checks needing namespaces are skipped with the reason; every other check passes" py '
import json, os, sys
FIXTURE = ("{host", "{rev_", "{unknown_", "{echo_", "{port_lo", "{port_hi")
def needs(c):
    if any("{" not in str(p["port"]) for p in c.get("peers", [])):
        return True
    texts = [c.get("stdin")] + c.get("args", [])
    for e in c.get("expect", []):
        texts += [e.get("text")] + e.get("values", [])
    return c.get("setup", {}).get("services") == "no_echo" or \
        any(t and any(f in t for f in FIXTURE) for t in texts)
r = json.load(open(sys.argv[1]))
skipped = passed = 0
for p in r["programs"]:
    spec = json.load(open(os.path.join(sys.argv[2], p["name"], "spec.json")))
    need = {c["id"]: needs(c) for c in spec["checks"]}
    gates = {c["id"]: c.get("requires_any", []) for c in spec["checks"]}
    assert p["build"]["status"] == "ok", p["name"]
    for c in p["checks"]:
        where = "%s/%s" % (p["name"], c["id"])
        if need[c["id"]]:
            assert c["status"] == "skipped", (where, c["status"])
            assert c["actual"].startswith("not counted: needs the namespace sandbox: "), (where, c.get("actual"))
            assert c["max_score"] == 0, (where, "a check that cannot run here still counts")
            skipped += 1
        elif c["status"] == "skipped" and all(need.get(q) for q in gates[c["id"]]) and gates[c["id"]]:
            # gated on checks that all need namespaces: it cannot count either
            assert c["actual"].startswith("not counted: "), (where, c.get("actual"))
            assert c["max_score"] == 0, (where, "a check that cannot run here still counts")
            skipped += 1
        else:
            assert c["status"] == "passed", (where, c["status"], c.get("actual"))
            passed += 1
assert len(r["programs"]) == 13 and skipped > 0 and passed > 0, (len(r["programs"]), skipped, passed)
print("%d passed, %d skipped" % (passed, skipped))
' "$tmp/ref.json" "$root/assignments"

expect "reference: full marks, the skipped checks not counted in the maximum" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["score"] == r["max_score"] > 0, (r["score"], r["max_score"])
' "$tmp/ref.json"
"$bin" check --sandbox auto --seed "$seed" "$root/reference" >"$tmp/ref.txt" 2>/dev/null
# The text report wraps long lines at 80 columns (a hanging indent): read it with its line
# breaks joined.
expect "the text summary says which checks were not counted" sh -c \
    'tr -s " \n" "  " <"$1" | grep -q "skipped ([0-9]* not counted: this grading machine cannot run them)"' \
    sh "$tmp/ref.txt"

# ---- the textbook-style fixtures: a textbook tcp_echoserv (no SO_REUSEADDR) is graded after
# checks whose servers left their ports in TIME_WAIT, and the class after it, twice in a row
mkdir "$tmp/textbook"
for d in "$root"/fixtures/submissions/*/textbook_correct; do cp "$d"/*.c "$tmp/textbook/"; done
for run in 1 2; do
    grade "$tmp/textbook$run.json" "$tmp/textbook"
    expect "textbook-style fixtures, run $run: the verdicts of namespaces mode, the checks not counted aside" \
        python3 "$root/tests/platform/same_verdicts.py" "$bin.nons-textbook.json" "$tmp/textbook$run.json" textbook
done

# ---- a buggy submission still fails --------------------------------------------------------
fx=$root/fixtures/submissions/udp_echoserv/precedence
grade "$tmp/bug.json" "$fx"
expect "buggy fixture (udp_echoserv/precedence): exit status 1" test "$rc" -eq 1
expect "buggy fixture: its expected failures fail in none mode, nothing else does" py '
import json, sys
r = json.load(open(sys.argv[1]))
must = set(json.load(open(sys.argv[2]))["failed"])
checks = {c["id"]: c for p in r["programs"] for c in p["checks"]}
assert must <= set(checks), must - set(checks)
for cid, c in checks.items():
    want = "failed" if cid in must else ("passed", "skipped")
    assert c["status"] in want, (cid, c["status"])
' "$tmp/bug.json" "$fx/expected.json"

# ---- attacks Landlock must stop ------------------------------------------------------------
if [ "$abi" -eq 0 ]; then
    skip "attacks Landlock must stop (forge_report, include_leak)" \
        "no Landlock here, and without it none mode does not contain them (docs/security.md)"
else
    # forge_report writes results.json, report.json, junit.xml into /tmp outside a pid namespace.
    mkdir "$tmp/live"
    gcc -o "$tmp/live/forge" "$root/fixtures/hostile/forge_report/mydaytime.c"
    # It ends by SIGKILL: a shell of its own reports that, to /dev/null.
    sh -c 'cd "$1" && ./forge; exit 0' sh "$tmp/live" >/dev/null 2>&1
    expect "forge_report's oracle is live: unconfined, it forges /tmp/results.json" test -s /tmp/results.json
    rm -rf "$tmp/live" /tmp/results.json /tmp/report.json /tmp/junit.xml /tmp/results
    mkdir "$tmp/forge"
    cp "$root/fixtures/hostile/forge_report/mydaytime.c" "$tmp/forge/"
    grade "$tmp/forge.json" "$tmp/forge"
    expect "forge_report: the grader survives (exit 0 or 1)" test "$rc" -le 1
    expect "forge_report: no check passes" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["sandbox"] == "none"
st = [c["status"] for p in r["programs"] for c in p["checks"]]
assert st and "passed" not in st and "error" not in st, st
' "$tmp/forge.json"
    expect "forge_report: no forged file anywhere in /tmp, the work folder is gone" sh -c '
        ls -d /tmp/results.json /tmp/report.json /tmp/junit.xml /tmp/results /tmp/sockgrade.* 2>/dev/null && exit 1
        ! grep -rl SGHX-FORGED /tmp | grep -v -e "^$1/mydaytime.c\$" -e "^$2\$"' sh "$tmp/forge" "$tmp/forge.json"
    expect "forge_report: the submission folder is unchanged" test "$(ls -A "$tmp/forge")" = mydaytime.c

    # include_leak has the compiler quote /etc/shadow and /root/.bashrc in its errors.
    live=$(gcc -fsyntax-only "$root/fixtures/hostile/include_leak/dtablesize.c" 2>&1 |
           py 'import re, sys; print(1 if re.search(rb"[a-z_][a-z0-9_.-]{0,31}:(?:[*!x]|\$[0-9a-z]+\$)[^:\n]*:\d{3,5}:\d*:\d*:\d*:", sys.stdin.buffer.read()) else 0)')
    if [ "$live" = 1 ]; then
        ok "include_leak's oracle is live: unconfined, the compiler quotes /etc/shadow"
        mkdir "$tmp/leak"
        cp "$root/fixtures/hostile/include_leak/dtablesize.c" "$tmp/leak/"
        grade "$tmp/leak.json" "$tmp/leak"
        expect "include_leak: the grader survives (exit 0 or 1)" test "$rc" -le 1
        expect "include_leak: the build fails on a refused /etc/shadow, and no host file is quoted" py '
import json, re, sys
data = open(sys.argv[1], "rb").read()
r = json.loads(data)
b = r["programs"][0]["build"]
assert r["sandbox"] == "none" and b["status"] == "failed", b["status"]
assert "/etc/shadow" in b["diagnostics"] and "Permission denied" in b["diagnostics"], b["diagnostics"][:400]
assert not re.search(rb"[a-z_][a-z0-9_.-]{0,31}:(?:[*!x]|\$[0-9a-z]+\$)[^:\n]*:\d{3,5}:\d*:\d*:\d*:", data), "a shadow entry"
' "$tmp/leak.json"
    else
        skip "include_leak" "as this user the compiler cannot read /etc/shadow even unconfined"
    fi
fi

note "$(($(date +%s) - t0)) s"
tap_done
