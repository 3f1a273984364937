#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu). It
# installs the build dependencies and builds sockgrade from the sources shipped in the zip
# (sockgrade/), so the image grades with exactly the grader the zip was made from.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends gcc make pkg-config libcjson-dev libc6-dev
cd "${AUTOGRADER_ROOT:-/autograder}/source/sockgrade"
make build/sockgrade
build/sockgrade list
