#!/usr/bin/env python3
"""Checks that a JUnit XML report from `sockgrade check --format junit` is well-formed and
has the structure CI readers expect: <testsuites> of <testsuite> elements whose counts match
their <testcase> children, each test case with classname, name and time and at most one
<failure>, <error> or <skipped>.

usage: validate_junit.py FILE...   ("-" reads stdin); exit 0 when every file is valid, else 1
with one line per problem on stderr.
"""
import sys
import xml.etree.ElementTree as ET

COUNTS = ("tests", "failures", "errors", "skipped")
OUTCOMES = ("failure", "error", "skipped")


def number(elem, attr, problems, where, kind=int):
    value = elem.get(attr)
    if value is None:
        problems.append(f"{where}: no {attr} attribute")
        return None
    try:
        n = kind(value)
    except ValueError:
        problems.append(f"{where}: {attr}={value!r} is not a number")
        return None
    if n < 0:
        problems.append(f"{where}: {attr}={value!r} is negative")
    return n


def check_case(case, where, problems):
    for attr in ("classname", "name"):
        if not case.get(attr):
            problems.append(f"{where}: no {attr}")
    number(case, "time", problems, where, float)
    outcomes = [child.tag for child in case if child.tag in OUTCOMES]
    if len(outcomes) > 1:
        problems.append(f"{where}: more than one outcome: {', '.join(outcomes)}")
    for child in case:
        if child.tag in ("failure", "error") and child.get("message") is None:
            problems.append(f"{where}: <{child.tag}> without a message")
    return outcomes[0] if outcomes else "passed"


def check_suite(suite, where, problems):
    if not suite.get("name"):
        problems.append(f"{where}: no name")
    declared = {attr: number(suite, attr, problems, where) for attr in COUNTS}
    number(suite, "time", problems, where, float)
    seen = dict.fromkeys(COUNTS, 0)
    for i, case in enumerate(suite.findall("testcase")):
        outcome = check_case(case, f"{where}/testcase[{i}]", problems)
        seen["tests"] += 1
        if outcome != "passed":
            seen[{"failure": "failures", "error": "errors"}.get(outcome, outcome)] += 1
    for attr in COUNTS:
        if declared[attr] is not None and declared[attr] != seen[attr]:
            problems.append(f"{where}: {attr}={declared[attr]} but {seen[attr]} found")
    return seen


def validate(path):
    problems = []
    try:
        root = ET.parse(sys.stdin if path == "-" else path).getroot()
    except (ET.ParseError, OSError) as e:
        return [f"{path}: {e}"]
    if root.tag != "testsuites":
        return [f"{path}: the root is <{root.tag}>, not <testsuites>"]
    suites = root.findall("testsuite")
    if not suites:
        problems.append(f"{path}: no <testsuite>")
    total = dict.fromkeys(COUNTS, 0)
    for i, suite in enumerate(suites):
        seen = check_suite(suite, f"{path}: testsuite[{i}]", problems)
        for attr in COUNTS:
            total[attr] += seen[attr]
    for attr in COUNTS:
        declared = number(root, attr, problems, f"{path}: testsuites")
        if declared is not None and declared != total[attr]:
            problems.append(f"{path}: testsuites {attr}={declared} but {total[attr]} found")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    problems = [p for path in argv[1:] for p in validate(path)]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
