#!/bin/sh
# make demo: grades the bundled example submissions and shows the reports a student sees.
set -u
bin=${1:-build/sockgrade}
cd "$(dirname "$0")/.."
for sub in fixtures/demo/*/; do
    echo "==> sockgrade check $sub"
    "$bin" check "$sub"
    echo "(exit status $?)"
    echo
done
