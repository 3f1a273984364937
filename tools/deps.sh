#!/bin/sh
# Installs what sockgrade needs on a Debian or Ubuntu machine. As root it runs apt-get; as
# anyone else it prints the exact command and fails, so nothing half-works.
#
#   tools/deps.sh runtime   building and grading: the compiler the students are built with,
#                           libcjson, and Valgrind for the memcheck checks (`make`, the
#                           Gradescope setup.sh, the GitHub workflow)
#   tools/deps.sh test      the above and the test tooling (`make test`): Criterion, Python's
#                           jsonschema and yaml, npm for the workflow validator, and headless
#                           Chromium with its driver, Selenium and html5lib for the HTML pages
set -eu
kind=${1:-runtime}
pkgs="gcc make pkg-config libc6-dev libcjson-dev valgrind"
case $kind in
runtime) ;;
test) pkgs="$pkgs libcriterion-dev python3 python3-jsonschema python3-yaml"
      pkgs="$pkgs chromium chromium-driver python3-selenium python3-html5lib" ;;
*) echo "usage: tools/deps.sh runtime|test" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm installs the tests' workflow validator (tools/validators); a Node.js from elsewhere
# (NodeSource) brings its own npm, which Debian's npm package would conflict with.
[ "$kind" = test ] && ! command -v npm >/dev/null 2>&1 && missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "sockgrade ($kind) needs these Debian packages:$missing" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $missing >&2
