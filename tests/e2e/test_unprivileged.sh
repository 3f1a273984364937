#!/bin/sh
# End-to-end test of grading as an ordinary user, the way a student's machine runs sockgrade,
# and as root of a rootless container (a user namespace that maps only its own uid, as podman
# and `unshare --map-root-user` make). Run as root, it copies the grader and its data where
# the user `nobody` can read them and runs there as nobody:
# - the namespace sandbox works without privilege: every reference passes every check, and
#   selftest says plainly that memory is bounded per process only (no cgroup for this user);
# - as root of a rootless user namespace the grader still builds the namespace sandbox (it
#   used to try the host-root uid map and fall back to none);
# - a compile-time memory bomb (#include "/dev/zero") is stopped by the compiler's own
#   address-space limit, since no cgroup bounds the build here.
# Prints TAP (tests/e2e/lib.sh), closing with "# unprivileged: N passed, N failed". Skips
# (exit 0) when not root or when there is no user nobody or no runuser.
#
# usage: tests/e2e/test_unprivileged.sh [build/sockgrade]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init unprivileged
bin=$(e2e_bin "${1:-}")
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1 || ! command -v runuser >/dev/null; then
    skip_all "needs root, the user nobody and runuser (as any other user the other tests already run unprivileged)"
fi
tap_tmpdir /tmp/sockgrade-unpriv.XXXXXX
# as_nobody COMMAND...: runs in the copy, with a work folder of nobody's own
# ($tmp is mktemp's path: no spaces, so the word list splits as meant)
nobody="runuser -u nobody -- env TMPDIR=$tmp/work HOME=$tmp/work"
as_nobody() { $nobody "$@"; }

# The grader finds its data next to its binary (bin/../assignments).
mkdir -p "$tmp/sg/build" "$tmp/work" "$tmp/sub"
cp "$bin" "$tmp/sg/build/sockgrade"
cp -r "$root/assignments" "$root/reference" "$tmp/sg/"
cp "$root/fixtures/hostile/include_device/dtablesize.c" "$tmp/sub/"
chmod -R a+rX "$tmp"
chown nobody "$tmp/work"
sg=$tmp/sg/build/sockgrade

as_nobody "$sg" selftest >"$tmp/self.out" 2>&1
rc=$?
expect "as nobody: selftest passes every check in the namespace sandbox" \
    sh -c "test $rc -eq 0 && grep -q 'sandbox namespaces' '$tmp/self.out' && grep -q 'every reference program passed every check' '$tmp/self.out'"
expect "as nobody: selftest says memory is bounded per process only" \
    grep -q "selftest: memory: no memory cgroup" "$tmp/self.out"

as_nobody unshare --user --map-root-user "$sg" selftest >"$tmp/rootless.out" 2>&1
rc=$?
expect "as root of a rootless user namespace: still the namespace sandbox, every check passed" \
    sh -c "test $rc -eq 0 && grep -q 'sandbox namespaces' '$tmp/rootless.out' && ! grep -q 'grading with --sandbox none' '$tmp/rootless.out'"

# The largest process the grader waited for, cc1 among them, in its peak resident memory.
python3 -c '
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[2:], stderr=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
open(sys.argv[1], "w").write(f"{rc} {time.monotonic() - t0:.0f} {peak}\n")
' "$tmp/device.rus" $nobody "$sg" check --sandbox namespaces --format json -o "$tmp/work/device.json" "$tmp/sub"
read -r rc secs peak <"$tmp/device.rus"
note "#include \"/dev/zero\": exit $rc in $secs s, largest process ${peak} MiB"
expect "as nobody: #include \"/dev/zero\" fails the build within 20 s, no process over 576 MiB" python3 -c '
import json, sys
rc, secs, peak = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = json.load(open(sys.argv[1]))
assert rc in (0, 1) and secs < 20 and peak <= 576, (rc, secs, peak)
b = r["programs"][0]["build"]
assert b["status"] == "failed", b
assert all(c["status"] == "skipped" for c in r["programs"][0]["checks"])
' "$tmp/work/device.json" "$rc" "$secs" "$peak"
tap_done
