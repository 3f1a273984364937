#!/bin/sh
# End-to-end: grades every fixture submission and compares with its stored verdict. Prints
# TAP (tests/e2e/tap.py), one test per fixture.
set -eu
exec python3 "$(dirname "$0")/run_fixtures.py" "$@"
