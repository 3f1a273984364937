#!/bin/sh
# End-to-end: grades every fixture submission and compares with its stored verdict.
set -eu
exec python3 "$(dirname "$0")/run_fixtures.py" "$@"
