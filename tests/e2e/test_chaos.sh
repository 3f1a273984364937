#!/bin/sh
# Chaos (issue 16): a batch of a small class is killed with SIGKILL at seeded random moments
# (CHAOS_KILLS, default 20), then run to completion; its gradebook and reports must equal an
# uninterrupted run's with the same seed (durations aside). After every kill: no process of
# the grader is left (every process the batch started carries a token in its environment; the
# sandboxed programs die with their pid namespace's init, which carries it too); every file in
# the output folder is complete (each report parses, the gradebook has whole rows); no mount
# was added; and what the kill left (the batch's work folder, cgroups of dead runners) is
# removed by the next run, which says so. Mount and network namespaces belong to processes
# and die with them, so "no process left" covers them. Each iteration after the first is run
# with --force so that every kill lands while students are graded, not on a finished folder.
# Reports are compared member by member (durations aside; a differing `actual` or evidence is shown, not
# failed: see below). Prints TAP (tests/e2e/lib.sh), closing with "# chaos: N passed, N failed".
#
# usage: tests/e2e/test_chaos.sh [build/sockgrade]  (CHAOS_SEED, CHAOS_KILLS, CHAOS_MAX_MS)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init chaos
bin=$(e2e_bin "${1:-}")
seed=${CHAOS_SEED:-1}
kills=${CHAOS_KILLS:-20}
tap_tmpdir "${TMPDIR:-/tmp}/sockgrade-chaos.XXXXXX"
export TMPDIR="$tmp/tmp"
mkdir -p "$TMPDIR" "$tmp/class" "$tmp/data"
# The specs as they are now: a checkout edited while the test runs must not change the verdicts.
cp -R "$root/assignments" "$tmp/data/"
export SOCKGRADE_DATA="$tmp/data"
token=sockgrade-chaos-$$-$seed
for s in careful_correct no_htons prints_own_input reads_until_close; do
    cp -R "$root/fixtures/submissions/tcp_echocli/$s" "$tmp/class/$s"
done
batch() { env CHAOS_TOKEN=$token "$bin" batch -j 2 --seed 7 "$@" "$tmp"/class/*; }
# the processes carrying the token, by pid and name
leftovers() { grep -lsa "CHAOS_TOKEN=$token" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 |
              while read -r p; do echo "$p $(cat /proc/$p/comm 2>/dev/null)"; done; }
# run-PID-N cgroups of the grader whose PID is dead
stale_cgroups() { find /sys/fs/cgroup -maxdepth 6 -type d -path '*sockgrade/run-*' 2>/dev/null |
                  while read -r d; do p=$(basename "$d" | cut -d- -f2); kill -0 "$p" 2>/dev/null || echo "$d"; done; }
# the grader's mounts are made in private mount namespaces under its work folders: one seen
# here (under this test's folder, or named for sockgrade) is a leak; others are not ours
mounts() { grep -c -e "$tmp" -e sockgrade /proc/self/mountinfo; }
complete() { python3 - "$1" <<'PY'
import csv, glob, json, os, sys
d = sys.argv[1]
for f in sorted(glob.glob(d + '/*.json')) + sorted(glob.glob(d + '/*.tmp.*')):
    try:
        json.load(open(f)) if '.json' in f and 'gradebook' not in f else None
    except Exception as e:
        sys.exit(f'{f}: incomplete: {e}')
g = d + '/gradebook.csv'
if os.path.exists(g):
    rows = list(csv.reader(open(g, newline='')))
    if any(len(r) != len(rows[0]) for r in rows):
        sys.exit(f'{g}: a row is cut short')
for f in glob.glob(d + '/.*.fingerprint'):
    t = open(f).read()
    if len(t) != 17 or not t.endswith('\n'):
        sys.exit(f'{f}: incomplete: {t!r}')
PY
}
# the reports and gradebook without what differs between runs (durations)
digest() { python3 - "$1" <<'PY'
import glob, json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != 'duration_ms'}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
d = sys.argv[1]
for f in sorted(glob.glob(d + '/*.json')):
    print(f.rsplit('/', 1)[1], json.dumps(strip(json.load(open(f))), sort_keys=True))
print(open(d + '/gradebook.csv').read())
PY
}

fields() { python3 - "$1" "$2" <<'PY'
import glob, json, os, sys
def walk(a, b, path):  # the members that differ, durations aside
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k != 'duration_ms':
                yield from walk(a.get(k), b.get(k), f'{path}.{k}')
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from walk(x, y, f'{path}[{i}]')
    elif a != b:
        yield f'{path}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}'
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    g = os.path.join(sys.argv[2], os.path.basename(f))
    other = json.load(open(g)) if os.path.exists(g) else None
    for line in walk(json.load(open(f)), other, os.path.basename(f) + ' $'):
        print(line)
PY
}
t0=$(date +%s%N)
batch --out "$tmp/ref" >"$tmp/ref.log" 2>&1 || tap_bail "the uninterrupted run failed" "$(cat "$tmp/ref.log")"
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
max_ms=${CHAOS_MAX_MS:-$ref_ms}
digest "$tmp/ref" >"$tmp/ref.digest"
note "chaos: seed $seed, $kills kills within ${max_ms} ms (an uninterrupted run took $ref_ms ms)"
m0=$(mounts)
i=1
while [ $i -le $kills ]; do
    delay=$(awk -v s="$seed" -v i="$i" -v m="$max_ms" 'BEGIN { srand(s * 1000 + i); printf "%d", 20 + rand() * m }')
    force=--force; [ $i -eq 1 ] && force=
    # not the function: $! must be the grader itself, not a subshell around it
    env CHAOS_TOKEN=$token "$bin" batch -j 2 --seed 7 $force --out "$tmp/out" "$tmp"/class/* \
        >"$tmp/run$i.log" 2>&1 &
    pid=$!
    sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    k=0
    while [ -n "$(leftovers)" ] && [ $k -lt 40 ]; do sleep 0.05; k=$((k + 1)); done
    left=$(leftovers)
    if [ -z "$left" ]; then ok "kill $i at $delay ms: no process left"; else bad "kill $i at $delay ms: processes left" "$left"; fi
    if msg=$(complete "$tmp/out" 2>&1); then ok "kill $i: every file complete"; else bad "kill $i: a half-written file" "$msg"; fi
    if [ "$(mounts)" -eq "$m0" ]; then ok "kill $i: no mount left"; else bad "kill $i: mounts changed" "$(tail -n 3 /proc/self/mountinfo)"; fi
    work=$(sed -n 's/^tmp //p' "$tmp/out/.lock" 2>/dev/null)
    cgs=$(stale_cgroups)
    # the next iteration (or the final run) must clean these and say so
    echo "$work" >"$tmp/work$i"
    mkdir -p "$tmp/snap$i" && cp "$tmp/out"/*.json "$tmp/snap$i/" 2>/dev/null
    echo "$cgs" >"$tmp/cgroups$i"
    if [ $i -gt 1 ]; then
        prev=$(cat "$tmp/work$((i - 1))")
        if [ -n "$prev" ] && [ "$prev" != "$work" ]; then
            if [ ! -e "$prev" ] && grep -q "removed $prev" "$tmp/run$i.log"; then ok "run $i removed $prev and said so"
            elif [ -e "$prev" ]; then bad "run $i left $prev of the killed run before it"
            else ok "run $i: $prev gone"; fi
        fi
    fi
    i=$((i + 1))
done
batch --out "$tmp/out" >"$tmp/final.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "the final run completes"; else bad "the final run exits $rc" "$(cat "$tmp/final.log")"; fi
prev=$(cat "$tmp/work$kills")
if [ -n "$prev" ] && [ -e "$prev" ]; then bad "the final run left $prev"; fi
for c in $(cat "$tmp"/cgroups*); do
    [ -e "$c" ] && bad "cgroup $c of a killed run is still there"
    grep -qs "removed $c" "$tmp"/run*.log "$tmp/final.log" || [ -e "$c" ] || ok "cgroup $c removed"
done
if [ -n "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 2>/dev/null)" ]; then
    bad "temporary folders left in TMPDIR" "$(ls -la "$TMPDIR")"
else
    ok "no temporary folder left"
fi
digest "$tmp/out" >"$tmp/out.digest"
# What a check observed of a buggy program can differ with timing even between two
# uninterrupted runs (a reset seen as ECONNRESET or as EOF): an `actual` that differs is
# shown, and so is the check's evidence (how the program ended, what it printed: the same
# observation); every other member (statuses, scores, builds, expected, hints) and the
# gradebook must be equal.
observed='\.actual: |\.evidence\.(output|ended|valgrind): '
fields "$tmp/ref" "$tmp/out" | grep -E "$observed" | sed 's/^/# note: /'
if cmp -s "$tmp/ref.digest" "$tmp/out.digest" ||
    { [ -z "$(fields "$tmp/ref" "$tmp/out" | grep -Ev "$observed")" ] &&
      cmp -s "$tmp/ref/gradebook.csv" "$tmp/out/gradebook.csv"; }; then
    ok "gradebook and reports equal the uninterrupted run's"
else
    bad "gradebook or reports differ from the uninterrupted run's" "$(fields "$tmp/ref" "$tmp/out")"
    for f in "$tmp/out"/*.json; do # which run wrote each report that differs
        cmp -s "$f" "$tmp/ref/$(basename "$f")" && continue
        k=1; while [ $k -le $kills ] && ! cmp -s "$f" "$tmp/snap$k/$(basename "$f")"; do k=$((k + 1)); done
        [ $k -le $kills ] && tap_diag "$(basename "$f") as it is now was written by run $k: $(tail -n 3 "$tmp/run$k.log")" ||
            tap_diag "$(basename "$f") as it is now was written by the final run"
    done
fi
tap_done
