#!/bin/sh
# Installs what building and testing sockgrade needs on a Debian machine. As root it runs
# apt-get; as anyone else it prints the exact command and fails, so nothing half-works.
set -eu
pkgs="gcc make pkg-config libcjson-dev libcriterion-dev valgrind python3 python3-jsonschema python3-yaml"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm installs the tests' workflow validator (tools/validators); a Node.js from elsewhere
# (NodeSource) brings its own npm, which Debian's npm package would conflict with.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "sockgrade needs these Debian packages:$missing" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $missing >&2
