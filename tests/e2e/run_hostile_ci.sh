#!/bin/sh
# CI's run of the hostile suite: every attack except the known escapes listed here, which
# docs/security.md describes and which stay visible in `make hostile`. Prints TAP
# (tests/e2e/hostile.py).
set -eu
known=""   # none: memory_hog is bounded by the run's memory cgroup (docs/security.md)
here=$(dirname "$0")
names=""
for d in "$here"/../../fixtures/hostile/*/; do
    n=$(basename "$d")
    case " $known " in *" $n "*) ;; *) names="$names $n";; esac
done
# The suite reports each known escape as a skipped test: its TAP stream must begin with its
# own version line, so nothing is printed here.
export HOSTILE_KNOWN="$known"
exec sh "$here/test_hostile.sh" "$1" $names
