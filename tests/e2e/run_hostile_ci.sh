#!/bin/sh
# CI's run of the hostile suite: every attack except the known escapes listed here, which
# docs/security.md describes and which stay visible in `make hostile`.
set -eu
known=""   # none: memory_hog is bounded by the run's memory cgroup (docs/security.md)
here=$(dirname "$0")
names=""
for d in "$here"/../../fixtures/hostile/*/; do
    n=$(basename "$d")
    case " $known " in *" $n "*) echo "known escape, not run in CI: $n (see docs/security.md)";; *) names="$names $n";; esac
done
exec sh "$here/test_hostile.sh" "$1" $names
