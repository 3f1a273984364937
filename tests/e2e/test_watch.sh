#!/bin/sh
# End-to-end test of `sockgrade check --watch` (README, "Watch mode"), driven as an editor
# would: a save by rename (write a temporary file, rename it over the program's file), a save
# in place, and a save of a file that does not compile. After each save only that program is
# graded again, its build verdict printed first, then its checks, the memcheck check last; the
# compiler's message shows at once; SIGINT ends the watch in order. Every wait polls the
# output for the line it needs, with a deadline; nothing waits a fixed time.
# Prints TAP (tests/e2e/lib.sh), closing with "# watch: N passed, N failed".
#
# usage: tests/e2e/test_watch.sh [build/sockgrade]   (KEEP=1 keeps the temporary folder)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init watch
bin=$(e2e_bin "${1:-}")
tap_tmpdir /tmp/sockgrade-watch.XXXXXX
command -v python3 >/dev/null || skip_all "needs python3"
sub=$tmp/sub
out=$tmp/watch.out
mkdir "$sub"
for f in tcp_echoserv.c dtablesize.c byte_order.c sockio.h; do cp "$root/reference/$f" "$sub/"; done

# wait_for PATTERN SECONDS: polls the watch's output until a line matches the extended regular
# expression (true), or the deadline passes or the watch ended (false).
wait_for() {
    py '
import re, sys, time
path, pattern, deadline = sys.argv[1], re.compile(sys.argv[2]), time.monotonic() + float(sys.argv[3])
while time.monotonic() < deadline:
    with open(path, encoding="utf-8", errors="replace") as f:
        if any(pattern.search(line) for line in f):
            sys.exit(0)
    time.sleep(0.02)
sys.exit(1)' "$out" "$1" "$2"
}
# block: the lines of the output after the last "saved: checking" line.
block() { awk '/saved: checking/ { n = NR } { line[NR] = $0 } END { for (i = n; i <= NR; i++) print line[i] }' "$out"; }

"$bin" check --watch "$sub" >"$out" 2>"$tmp/watch.err" &
pid=$!
tap_at_exit 'kill -TERM $pid 2>/dev/null'
if ! wait_for '^watching ' 120; then
    tap_bail "the first grading did not end in 120 s" "$(tail -5 "$out"; tail -5 "$tmp/watch.err")"
fi
expect "the first grading prints the whole report, every check passed" \
    grep -Eq '^checks: [0-9]+ passed, 0 failed$' "$out"

# A save by rename, as vim (backupcopy=no), emacs and many editors do it.
{ cat "$sub/tcp_echoserv.c"; printf '\n/* saved by rename */\n'; } >"$sub/.tcp_echoserv.c.swp"
mv "$sub/.tcp_echoserv.c.swp" "$sub/tcp_echoserv.c"
if wait_for '^tcp_echoserv  .* after the save' 60; then
    ok "a save by rename grades tcp_echoserv again"
    block >"$tmp/rename.txt"
    expect "only tcp_echoserv is graded (no other program's lines)" sh -c \
        "! grep -Eq '^(dtablesize|byte_order)' '$tmp/rename.txt'"
    expect "its build verdict comes first, then its 13 checks, the memcheck check last" py '
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
build = [i for i, l in enumerate(lines) if l.startswith("tcp_echoserv (tcp_echoserv.c)  build ok")]
checks = [i for i, l in enumerate(lines) if l.startswith("  \u2713 ") or l.startswith("  \u2717 ")]
assert len(build) == 1 and len(checks) == 13, (build, len(checks), lines)
assert build[0] < checks[0], "a check before the build"
assert "memcheck_clean" in lines[checks[-1]], lines[checks[-1]]
' "$tmp/rename.txt"
    expect "all 13 checks passed" grep -q '5/5 — 13 passed, 0 failed' "$tmp/rename.txt"
    note "watch: $(grep 'after the save' "$tmp/rename.txt")"
else
    bad "a save by rename grades tcp_echoserv again" "$(tail -20 "$out")"
fi

# A save in place: the file opened, written and closed.
printf '\n/* saved in place */\n' >>"$sub/dtablesize.c"
if wait_for '^dtablesize  .* after the save' 60; then
    ok "a save in place grades dtablesize again"
    expect "dtablesize passed" sh -c "block_out=\$(awk '/saved: checking dtablesize/ {p=1} p' '$out'); \
        printf '%s' \"\$block_out\" | grep -q '^dtablesize  1/1 — 2 passed'"
else
    bad "a save in place grades dtablesize again" "$(tail -20 "$out")"
fi

# A save that does not compile: the compiler's words at once, the checks skipped.
printf 'int main(void) { return sockgrade_undeclared; }\n' >"$sub/byte_order.c"
if wait_for '^byte_order  .* after the save' 60; then
    block >"$tmp/broken.txt"
    expect "a file that does not compile: 'build failed' and the compiler's message" sh -c \
        "grep -q '^byte_order (byte_order.c)  build failed' '$tmp/broken.txt' && \
         grep -q 'error: .sockgrade_undeclared. undeclared' '$tmp/broken.txt'"
    expect "its checks are skipped, none run" grep -q '^byte_order  0/[0-9]* — 0 passed, 0 failed, [0-9]* skipped' "$tmp/broken.txt"
else
    bad "a file that does not compile is reported" "$(tail -20 "$out")"
fi

# Saving a file that is no lecture program grades nothing.
n=$(grep -c 'saved: checking' "$out")
printf 'notes\n' >"$sub/notes.txt"
cp "$root/reference/byte_order.c" "$sub/byte_order.c"
wait_for '^byte_order  .* — 4 passed' 60
expect "a file that is not a program's is ignored; the fixed program passes again" \
    test "$(grep -c 'saved: checking' "$out")" -eq $((n + 1))

kill -INT "$pid"
py '
import os, sys, time
pid, deadline = int(sys.argv[1]), time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z": # ended, not yet waited for
                sys.exit(0)
    except FileNotFoundError:
        sys.exit(0)
    time.sleep(0.02)
sys.exit(1)' "$pid"
ended=$?
wait "$pid"
rc=$?
expect "SIGINT ends the watch within 10 s, exit status 0 (was $rc)" sh -c "[ $ended -eq 0 ] && [ $rc -eq 0 ]"
expect "it says the watch ended" grep -q '^watch ended' "$out"
expect "nothing on stderr but warnings" sh -c "! grep -v 'warning' '$tmp/watch.err'"
tap_done
