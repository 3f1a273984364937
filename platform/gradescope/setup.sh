#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu). It
# installs what grading needs (tools/deps.sh runtime: the compiler, libcjson and Valgrind)
# and builds sockgrade from the sources shipped in the zip (sockgrade/), so the image grades
# with exactly the grader the zip was made from. The zip holds no reference solutions.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "${AUTOGRADER_ROOT:-/autograder}/source/sockgrade"
apt-get update -qq
sh tools/deps.sh runtime
make build/sockgrade
# A spec the course edited is checked here, so a broken one fails the image build, not the
# students' submissions.
build/sockgrade validate
build/sockgrade list
