#!/bin/sh
# The grader's own files under stress (issue 16): two batches on one --out folder (the second
# refuses at once, exit 2); a batch killed with SIGKILL (the next run removes what it left and
# says so; no half-written file); the output folder's disk full (a small tmpfs in a private
# mount namespace: the file is named, exit 2, every report written before intact); and specs
# and reports that are truncated, not UTF-8, nested 100000 deep or 100 MB (an error naming the
# file and where in it, in seconds, never a crash). Prints TAP (tests/e2e/lib.sh), closing
# with "# robust-io: N passed, N failed".
#
# usage: tests/e2e/test_robust_io.sh [build/sockgrade]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init robust-io
bin=$(e2e_bin "${1:-}")
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-robust.XXXXXX"
export TMPDIR="$tmp"
# A small class: four fixtures of tcp_echocli, one correct.
mkdir -p "$tmp/class"
for s in careful_correct no_htons prints_own_input reads_until_close; do
    cp -R "$root/fixtures/submissions/tcp_echocli/$s" "$tmp/class/$s"
done
batch() { "$bin" batch -j 2 --seed 11 "$@" "$tmp"/class/*; }
valid_reports() { # every report in $1 parses, and no temporary file is left
    for f in "$1"/*.json; do python3 -m json.tool "$f" >/dev/null || { echo "$f: not JSON"; return 1; }; done
    ! ls -a "$1" | grep -q '\.tmp\.' || { echo "temporary file left: $(ls -a "$1")"; return 1; }
}

# ---- the lock --------------------------------------------------------------------------------
"$bin" batch -j 2 --seed 11 --out "$tmp/out" "$tmp"/class/* >"$tmp/a.log" 2>&1 &
a=$!
i=0
while ! grep -q '^pid' "$tmp/out/.lock" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
t0=$(date +%s%N)
batch --out "$tmp/out" >"$tmp/b.log" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $rc -eq 2 ] && grep -q "in use by another batch (pid $a" "$tmp/b.log" && [ $ms -lt 2000 ]; then
    ok "a second batch on the same --out refuses at once (exit 2 in $ms ms)"
else
    bad "a second batch on the same --out refuses at once" "exit $rc after $ms ms: $(cat "$tmp/b.log")"
fi
wait $a
expect "the first batch finishes (exit $?)" test $? -eq 0
expect "its reports are complete" valid_reports "$tmp/out"

# ---- killed with SIGKILL: the next run cleans up and says so ---------------------------------
rm -rf "$tmp/out"
"$bin" batch -j 2 --seed 11 --out "$tmp/out" "$tmp"/class/* >"$tmp/k.log" 2>&1 &
k=$!
sleep 1
kill -9 $k
wait $k 2>/dev/null
work=$(sed -n 's/^tmp //p' "$tmp/out/.lock")
expect "the killed batch left its work folder ($work)" test -d "$work"
batch --out "$tmp/out" >"$tmp/r.log" 2>&1
rc=$?
expect "the next run finishes (exit $rc)" test $rc -eq 0
expect "and says it removed the work folder" grep -q "removed $work, the work folder of an interrupted batch" "$tmp/r.log"
expect "which is gone" test ! -e "$work"
expect "reports complete after the re-run" valid_reports "$tmp/out"

# ---- the output folder's disk fills up -------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    mkdir -p "$tmp/full"
    unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs -o size=32k tmpfs "$1" &&
        "$2" batch -j 2 --seed 11 --out "$1/out" "$3"/class/* >"$3/full.log" 2>&1; echo $? >"$3/full.rc";
        cp -a "$1/out" "$3/full-out"' sh "$tmp/full" "$bin" "$tmp"
    rc=$(cat "$tmp/full.rc")
    expect "a full disk ends the batch with exit 2 (got $rc)" test "$rc" -eq 2
    expect "naming the file it could not write" grep -Eq "$tmp/full/out/[^ ]*: No space left on device" "$tmp/full.log"
    expect "and saying the disk is full" grep -q "the disk is full" "$tmp/full.log"
    expect "every report written before is intact" valid_reports "$tmp/full-out"
else
    skip "the output folder's disk fills up" "needs root and unshare -m"
fi

# ---- damaged specs and reports ---------------------------------------------------------------
mkdir -p "$tmp/bad" "$tmp/data"
cp -R "$root/assignments" "$tmp/data/"
python3 - "$root/assignments/dtablesize/spec.json" "$tmp/out/careful_correct.json" "$tmp/bad" <<'PY'
import sys
spec, report, out = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read(), sys.argv[3]
for kind, doc, key in (('spec', spec, b'"title": "'), ('report', report, b'"submission":\t"')):
    open(f'{out}/{kind}-truncated.json', 'wb').write(doc[:len(doc) // 2])
    assert key in doc, key
    open(f'{out}/{kind}-not-utf8.json', 'wb').write(doc.replace(key, key + b'\xc3\x28', 1))
    open(f'{out}/{kind}-nested.json', 'wb').write(b'[' * 100000 + b']' * 100000)
    with open(f'{out}/{kind}-100mb.json', 'wb') as f:
        f.write(b'[' + b'0,' * (50 * 1024 * 1024 - 1) + b'0]')
PY
spec=$tmp/data/assignments/dtablesize/spec.json
for case in truncated:'line [0-9]*, column [0-9]*: invalid JSON' not-utf8:'\$\.title: not valid UTF-8' \
            nested:'line 1, column 1001: invalid JSON' 100mb:'[0-9]* bytes: too large'; do
    name=${case%%:*}; want=${case#*:}
    cp "$tmp/bad/spec-$name.json" "$spec"
    SOCKGRADE_DATA=$tmp/data timeout 60 "$bin" check "$root/fixtures/submissions/dtablesize/textbook_correct" \
        >/dev/null 2>"$tmp/spec.err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q "$spec: $want" "$tmp/spec.err"; then
        ok "spec $name: exit 2, $(head -n 1 "$tmp/spec.err" | sed "s|$tmp|TMP|")"
    else
        bad "spec $name" "exit $rc: $(cat "$tmp/spec.err")"
    fi
done
mkdir -p "$tmp/reports"
cp "$tmp/out/no_htons.json" "$tmp/reports/"
for name in truncated not-utf8 nested 100mb; do cp "$tmp/bad/report-$name.json" "$tmp/reports/$name.json"; done
timeout 60 "$bin" merge --out "$tmp/merged" "$tmp/reports" >/dev/null 2>"$tmp/merge.err"
rc=$?
expect "merge of damaged reports ends (exit $rc, not a crash or a hang)" test $rc -lt 128
for case in truncated:'not valid JSON (at byte' not-utf8:'\$\.submission: not valid UTF-8' \
            nested:'not valid JSON (at byte 1000)' 100mb:'[0-9]* bytes: too large'; do
    name=${case%%:*}; want=${case#*:}
    expect "report $name: named with where it is wrong" grep -q "$tmp/reports/$name.json: $want" "$tmp/merge.err"
done
expect "the intact report is merged" grep -q '^no_htons,' "$tmp/merged/gradebook.csv"

tap_done
