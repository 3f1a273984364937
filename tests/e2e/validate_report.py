#!/usr/bin/env python3
"""Validates native reports (`sockgrade check --format json`, `sockgrade batch`'s
DIR/<student>.json) against docs/report.schema.json with the jsonschema library, the way a
course's own tooling would read them.

usage: validate_report.py [--example] [--reject] FILE...
  --example  also validate the full example in docs/report-format.md
  --reject   the files must all be INVALID (proves the schema can fail a broken report)
Exit 0 when every file is as expected, else 1 with one line per problem on stderr.
"""
import json
import os
import re
import sys

import jsonschema

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def example_report():
    """The first ```json block under "A full example" in report-format.md."""
    text = open(os.path.join(DOCS, "report-format.md"), encoding="utf-8").read()
    after = text.split("### A full example", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)```", after, re.S).group(1))


def problems_of(validator, report):
    return [f"{'/'.join(map(str, e.absolute_path)) or '$'}: {e.message}"
            for e in validator.iter_errors(report)]


def main(argv):
    reject = "--reject" in argv
    files = [a for a in argv if not a.startswith("--")]
    schema = json.load(open(os.path.join(DOCS, "report.schema.json"), encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    reports = [(f, json.load(open(f, encoding="utf-8"))) for f in files]
    if "--example" in argv:
        reports.append(("report-format.md's example", example_report()))
    if not reports:
        print("validate_report: no report given", file=sys.stderr)
        return 1
    bad = 0
    for name, report in reports:
        problems = problems_of(validator, report)
        if reject and not problems:
            print(f"{name}: accepted, but it should have been refused", file=sys.stderr)
            bad += 1
        elif not reject and problems:
            for p in problems[:10]:
                print(f"{name}: {p}", file=sys.stderr)
            bad += 1
    print(f"validate_report: {len(reports) - bad} of {len(reports)} as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
