#!/bin/sh
# The HTML pages (issue 17) in headless Chromium driven by Selenium: tests/e2e/test_html.py
# grades a small class with a hostile submission and checks index.html and the students' pages
# (safety, numbers, sorting, links, HTML5 well-formedness, accessibility basics, phone and
# print). Screenshots and PDFs go to SHOTS. Prints TAP (tests/e2e/tap.py).
#
# usage: tests/e2e/test_html.sh [build/sockgrade] [SHOTS]   (SEED=N fixes the seed)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build/sockgrade}
shots=${2:-$root/build/html-test}
# Debian's python3-selenium and python3-html5lib (tools/deps.sh test) belong to the system's
# Python; a python3 found first on PATH (pyenv, a virtualenv) may not have them.
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import selenium, html5lib' 2>/dev/null; then
        exec "$py" "$root/tests/e2e/test_html.py" "$bin" --shots "$shots"
    fi
done
. "$root/tests/e2e/lib.sh"
tap_bail "no python3 with selenium and html5lib: run tools/deps.sh test as root (chromium chromium-driver python3-selenium python3-html5lib)"
