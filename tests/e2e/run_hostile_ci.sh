#!/bin/sh
# CI's run of the hostile suite: every attack except the known escapes listed here, which
# docs/security.md describes and which stay visible in `make hostile`.
set -eu
known="memory_hog"   # memfd/SysV memory across processes: needs a memory cgroup per run
here=$(dirname "$0")
names=""
for d in "$here"/../../fixtures/hostile/*/; do
    n=$(basename "$d")
    case " $known " in *" $n "*) echo "known escape, not run in CI: $n (see docs/security.md)";; *) names="$names $n";; esac
done
exec sh "$here/test_hostile.sh" "$1" $names
