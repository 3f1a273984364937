#!/bin/sh
# Installs clang and its libFuzzer runtime for `make fuzz-build` on a Debian machine (as root;
# as anyone else it prints the command and fails). Kept apart from tools/deps.sh: only the
# fuzz targets need clang, not building or testing the grader.
set -eu
cc=${FUZZ_CC:-clang}
if command -v "$cc" >/dev/null 2>&1 &&
    echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    "$cc" -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    exit 0
fi
pkgs="clang libclang-rt-dev"
# Debian 12's clang is 14; its fuzzer runtime is packaged per version.
v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
[ -n "$v" ] && pkgs="clang libclang-rt-$v-dev"
if [ "$(id -u)" -ne 0 ]; then
    echo "the fuzz targets need: $pkgs" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y $pkgs" >&2
    exit 1
fi
echo "installing: $pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $pkgs >&2
