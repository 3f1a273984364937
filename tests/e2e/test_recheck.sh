#!/bin/sh
# End-to-end test of re-checks (README, "Re-checks"): a folder checked twice reuses every
# program's kept result and is fast; after one file is edited only that program is graded
# again; a damaged or foreign cache entry is ignored and graded over; --no-cache grades
# everything and clears the folder's results; the folder keeps its seed until --seed or
# --new-seed replaces it, and every report shows the seed.
# Prints TAP (tests/e2e/lib.sh), closing with "# recheck: N passed, N failed".
#
# usage: tests/e2e/test_recheck.sh [build/sockgrade]   (KEEP=1 keeps the temporary folder)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
tap_init recheck
bin=$(e2e_bin "${1:-}")
tap_tmpdir /tmp/sockgrade-recheck.XXXXXX
XDG_CACHE_HOME=$tmp/xdg
export XDG_CACHE_HOME
sub=$tmp/sub
mkdir "$sub" && cp "$root"/reference/*.c "$root"/reference/*.h "$sub/"

# check NAME ARGS...: the native report of `check ARGS... $sub` in $tmp/NAME.json, its exit
# status in $tmp/NAME.rc and its wall time in milliseconds in $tmp/NAME.ms.
check() {
    n=$1
    shift
    t0=$(date +%s%N)
    "$bin" check --format json -o "$tmp/$n.json" "$@" "$sub" 2>"$tmp/$n.err"
    echo $? >"$tmp/$n.rc"
    echo $((($(date +%s%N) - t0) / 1000000)) >"$tmp/$n.ms"
}
# summary NAME: "seed=S graded=a,b reused=N passed=BOOL" of a report (graded by name: reports list
# programs in the lecture's order).
summary() { py '
import json, sys
r = json.load(open(sys.argv[1]))
graded = sorted(p["name"] for p in r["programs"] if not p.get("reused"))
ok = all(c["status"] == "passed" for p in r["programs"] for c in p["checks"])
print("seed=%s graded=%s reused=%d passed=%s"
      % (r["seed"], ",".join(graded) or "-", len(r["programs"]) - len(graded), ok))' "$tmp/$1.json"; }
# is NAME WHAT PATTERN: passes when NAME's summary matches the extended regular expression.
is() {
    s=$(summary "$1" 2>&1)
    if printf '%s\n' "$s" | grep -Eq "$3"; then ok "$2"; else bad "$2" "summary: $s
exit status $(cat "$tmp/$1.rc"); stderr: $(tail -3 "$tmp/$1.err")"; fi
}
seed_of() { summary "$1" | sed 's/^seed=\([0-9]*\) .*/\1/'; }
entry() { ls "$XDG_CACHE_HOME"/sockgrade/*/"$1.entry"; }

check first
is first "first check: all 13 graded, every check passed" 'graded=ascii_ip,.*udp_echoserv reused=0 passed=True'
py 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))["programs"]) != 13)' "$tmp/first.json" ||
    tap_bail "the reference folder did not give 13 programs"
seed=$(seed_of first)
note "recheck: the folder's seed is $seed"

check second
is second "second check, nothing changed: all 13 reused, same seed" "seed=$seed graded=- reused=13 passed=True"
ms=$(cat "$tmp/second.ms")
note "recheck: the second check took $ms ms (the first $(cat "$tmp/first.ms") ms)"
expect "second check is fast (under 1 s; it grades nothing)" test "$ms" -lt 1000
expect "second check's exit status is 0" test "$(cat "$tmp/second.rc")" -eq 0
"$bin" check "$sub" >"$tmp/second.txt" 2>&1
expect "the text report marks each reused program and shows the folder's seed" sh -c \
    "[ \$(grep -c '(reused) build ok' '$tmp/second.txt') -eq 13 ] && grep -q 'seed $seed,' '$tmp/second.txt'"
expect "reports with reused programs are valid against the schema" \
    python3 "$root/tests/e2e/validate_report.py" "$tmp/second.json"

printf '\n/* edited by test_recheck */\n' >>"$sub/tcp_echoserv.c"
check edited
is edited "one file edited: only tcp_echoserv graded, 12 reused" "seed=$seed graded=tcp_echoserv reused=12 passed=True"
note "recheck: the check after one edit took $(cat "$tmp/edited.ms") ms"
check edited_again
is edited_again "checked again: the edited program's new result is reused too" "graded=- reused=13"

# Damaged and foreign entries: each is ignored, graded over, and kept anew.
head -c 300 "$(entry tcp_echocli)" >"$tmp/cut" && cat "$tmp/cut" >"$(entry tcp_echocli)"
e=$(entry udp_echocli)
sed '1s/ [0-9a-f]*$/ 0000000000000000000000000000000000000000000000000000000000000000/' "$e" >"$tmp/foreign"
cat "$tmp/foreign" >"$e"
e=$(entry dtablesize)
sed 's/"grader_version":[[:space:]]*"[^"]*"/"grader_version": "0.0.1-other"/' "$e" >"$tmp/other"
cat "$tmp/other" >"$e"
printf 'not a cache entry' >"$(entry byte_order)"
check damaged
is damaged "a cut, a foreign-key, another grader's and a garbage entry: those four graded again" \
    "graded=byte_order,dtablesize,tcp_echocli,udp_echocli reused=9 passed=True"
check repaired
is repaired "their new results are kept and reused" "graded=- reused=13"

check nocache --no-cache --programs dtablesize,byte_order
is nocache "--no-cache grades every program asked for, reusing none" "seed=$seed graded=byte_order,dtablesize reused=0"
expect "--no-cache removes the folder's kept results" sh -c \
    "! ls '$XDG_CACHE_HOME'/sockgrade/*/*.entry >/dev/null 2>&1"
check after_nocache --programs dtablesize
is after_nocache "after --no-cache, the next check grades again, with the same seed" "seed=$seed graded=dtablesize reused=0"

check newseed --new-seed --programs dtablesize
new=$(seed_of newseed)
is newseed "--new-seed: a new seed, so nothing reused" "graded=dtablesize reused=0"
expect "--new-seed gives another seed than the folder's" test "$new" != "$seed"
check kept --programs dtablesize
is kept "the new seed is kept for the next check, and results under it are reused" "seed=$new graded=- reused=1"
check given --seed 777 --programs dtablesize
is given "--seed 777 is used" "seed=777 graded=dtablesize"
check given_kept --programs dtablesize
is given_kept "--seed 777 is kept for the next check" "seed=777 graded=- reused=1"

"$bin" check --seed 5 --new-seed "$sub" >/dev/null 2>"$tmp/both.err"
expect "--seed with --new-seed: usage error, exit 2" sh -c "[ $? -eq 2 ] && grep -q 'new-seed' '$tmp/both.err'"

"$bin" check --watch -o "$tmp/w.txt" "$sub" >/dev/null 2>"$tmp/watcho.err"
expect "--watch with -o: usage error, exit 2" sh -c "[ $? -eq 2 ] && grep -q 'watch' '$tmp/watcho.err'"
"$bin" batch --no-cache --out "$tmp/b" "$sub" >/dev/null 2>"$tmp/batchnc.err"
expect "--no-cache is check's alone: batch refuses it, exit 2" sh -c "[ $? -eq 2 ] && grep -q 'no-cache' '$tmp/batchnc.err'"

"$bin" check --format json "$sub/dtablesize.c" "$sub/byte_order.c" >"$tmp/two.json" 2>/dev/null
expect "two PATHs are not one folder: nothing reused" py '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(any(p.get("reused") for p in r["programs"]) or len(r["programs"]) != 2)' "$tmp/two.json"
XDG_CACHE_HOME=$tmp/elsewhere "$bin" check --format json "$sub/dtablesize.c" >"$tmp/file.json" 2>/dev/null
XDG_CACHE_HOME=$tmp/elsewhere "$bin" check --format json "$sub" --programs dtablesize >"$tmp/folder.json" 2>/dev/null
expect "a file of the folder shares the folder's cache: its result is reused for the folder" py '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(not r["programs"][0].get("reused"))' "$tmp/folder.json"
expect "nothing is written inside the student's folder" sh -c \
    "[ \$(ls -A '$sub' | grep -cv '\\.[ch]\$') -eq 0 ]"
tap_done
