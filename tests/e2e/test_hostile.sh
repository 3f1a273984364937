#!/bin/sh
# Hostile submissions: grades every attack in fixtures/hostile/ and proves from outside that the
# sandbox contained it (tests/e2e/hostile.py says what is checked; docs/security.md says why).
# Prints TAP (tests/e2e/tap.py), one test per attack.
# usage: sh tests/e2e/test_hostile.sh build/sockgrade [ATTACK...]
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 SOCKGRADE [ATTACK...]" >&2
    exit 2
fi
exec python3 "$(dirname "$0")/hostile.py" "$@"
