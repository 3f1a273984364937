#!/bin/sh
# End-to-end test: grading does not depend on the caller's file permissions. The grader
# copies what it grades into its own work folder (grader/grade/stage.c), so a submission folder
# made by mktemp -d (0700), files of mode 0600 and a umask of 077 grade exactly as the same
# files in an ordinary folder, as root and as an ordinary user. A symbolic link is never
# copied: a link to a file only root can read is not quoted by the build.
# Prints TAP (tests/e2e/lib.sh), closing with "# permissions: N passed, N failed".
#
# usage: tests/e2e/test_permissions.sh [build/sockgrade]   (SEED=N fixes the seed; KEEP=1
#        keeps the temporary folder)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init permissions
bin=$(e2e_bin "${1:-}")
seed=$(e2e_seed)
tap_tmpdir /tmp/sockgrade-perm.XXXXXX
note "permissions: seed $seed"
fixture=$root/fixtures/submissions/tcp_echocli/textbook_correct
# statuses FILE: one "id status" line per check, to compare two reports of the same seed
statuses() { python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["programs"]:
    print(p["build"]["status"])
    for c in p["checks"]:
        print(c["id"], c["status"])' "$1"; }

"$bin" check --seed "$seed" --format json -o "$tmp/plain.json" "$fixture" >/dev/null 2>&1
statuses "$tmp/plain.json" >"$tmp/plain.txt"

# As root: a 0700 folder, a 0600 file, umask 077.
(umask 077; mkdir "$tmp/closed" && cp "$fixture/tcp_echocli.c" "$tmp/closed/")
chmod 700 "$tmp/closed"; chmod 600 "$tmp/closed/tcp_echocli.c"
(umask 077; "$bin" check --seed "$seed" --format json -o "$tmp/closed.json" "$tmp/closed" >/dev/null 2>&1)
statuses "$tmp/closed.json" >"$tmp/closed.txt"
expect "as $(id -un): a 0700 folder with a 0600 file builds (build ok)" grep -qx ok "$tmp/closed.txt"
expect "as $(id -un): it grades exactly as the same file in an ordinary folder" cmp "$tmp/plain.txt" "$tmp/closed.txt"

# A link named like a program, to a file only its owner may read, named on the command line.
if [ "$(id -u)" -eq 0 ]; then
    echo "sockgrade-secret-$seed" >"$tmp/secret" && chmod 600 "$tmp/secret"
    mkdir "$tmp/link" && ln -s "$tmp/secret" "$tmp/link/tcp_echocli.c"
    "$bin" check --seed "$seed" --format json -o "$tmp/link.json" "$tmp/link/tcp_echocli.c" >/dev/null 2>&1
    expect "a symbolic link is not copied: the root-only file it names is never quoted" \
        sh -c "test -s '$tmp/link.json' && ! grep -q 'sockgrade-secret' '$tmp/link.json'"
else
    skip "a symbolic link is not copied" "needs root, to make a file only root can read"
fi

# As an ordinary user (nobody), in a copy of the grader that nobody can read.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
    mkdir -p "$tmp/sg/build" "$tmp/work" "$tmp/mine"
    cp "$bin" "$tmp/sg/build/sockgrade"
    cp -r "$root/assignments" "$tmp/sg/"
    chmod -R a+rX "$tmp/sg"; chmod 711 "$tmp"
    cp "$fixture/tcp_echocli.c" "$tmp/mine/"
    chown -R nobody "$tmp/work" "$tmp/mine"
    chmod 700 "$tmp/mine"; chmod 600 "$tmp/mine/tcp_echocli.c"
    runuser -u nobody -- sh -c "umask 077; TMPDIR='$tmp/work' HOME='$tmp/work' '$tmp/sg/build/sockgrade' \
        check --seed $seed --format json -o '$tmp/work/mine.json' '$tmp/mine'" >/dev/null 2>&1
    statuses "$tmp/work/mine.json" >"$tmp/mine.txt" 2>&1
    expect "as nobody: a 0700 folder with a 0600 file grades exactly as in an ordinary folder" \
        cmp "$tmp/plain.txt" "$tmp/mine.txt"
else
    skip "as nobody: a 0700 folder grades as an ordinary one" "needs root, the user nobody and runuser"
fi
tap_done
