#!/bin/sh
# make memcheck: every unit-test binary under Valgrind memcheck. Criterion forks a worker per
# test and swallows Valgrind's exit code there, so each process logs to its own file and any
# non-empty log is a failure.
set -u
logs=$(mktemp -d)
status=0
for t in "$@"; do
    name=$(basename "$t")
    # Valgrind cannot follow the sandbox's clone(CLONE_NEWPID) and nested namespaces; that
    # suite runs under AddressSanitizer (make asan) instead.
    [ "$name" = test_sandbox ] && continue
    [ "$name" = test_build ] && continue  # it builds in the sandbox too
    # Valgrind (3.19) does not know the Landlock system calls (444-446): under it the suite
    # would only skip, after an "unhandled syscall" warning. It runs under AddressSanitizer.
    [ "$name" = test_landlock ] && continue
    valgrind -q --suppressions="$(dirname "$0")/memcheck.supp" --trace-children=yes --trace-children-skip='/bin/*,/usr/*,/sandbox/*' --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --log-file="$logs/$name.%p" "$t" --jobs 1 >"$logs/$name.out" 2>&1 ||
        { echo "$name: the tests failed under Valgrind"; cat "$logs/$name.out"; status=1; }
done
# A process inside a test's sandbox cannot reach the log folder; Valgrind says so in its parent's
# log. Valgrind 3.19 does not know pidfd_open (434): it warns, the call fails with ENOSYS and
# cgroup.c falls back as on a kernel without it. Those lines are not findings; anything else
# is (another unhandled system call keeps its own first line).
bad=""
for f in $(find "$logs" -type f -name '*.[0-9]*' -size +0); do
    grep -v -e "Cannot create log file" -e "unhandled amd64-linux syscall: 434$" \
        -e "You may be able to write your own handler" -e "README_MISSING_SYSCALL_OR_IOCTL" \
        -e "Nevertheless we consider this a bug" -e "valgrind.org/support/bug_reports" "$f" |
        grep -q . && bad="$bad $f"
done
if [ -n "$bad" ]; then
    for f in $(echo $bad | tr ' ' '\n' | head -n 5); do echo "== $f"; head -n 40 "$f"; done
    status=1
fi
n=$(ls "$logs" | grep -c '\.[0-9]*$')
echo "memcheck: $# suites, $n processes checked, $( [ $status -eq 0 ] && echo clean || echo ERRORS)"
rm -rf "$logs"
exit $status
