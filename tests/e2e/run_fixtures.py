#!/usr/bin/env python3
"""Grades fixtures/submissions/<program>/<variant>/ and compares with expected.json beside it.

expected.json: {"build": "ok"|"failed", "failed": [check ids that must fail],
"skipped": [check ids that must be skipped]}; every other check of that program must pass.
An error-path check is skipped when the program does none of its normal job (requires_any).
Optional "hints": {check id: "text" or ["text", ...]}: that check's hint must contain each
text, so a fixture proves the words a student reads, not only the verdict (keep the texts
free of seeded values such as {udp_port}). Other keys ("bug") are notes for people.
The seed is random per run (SEED overrides) and printed on
any failure so the run can be replayed with --seed. Prints TAP (tests/e2e/tap.py), one test per
fixture, closing with "# e2e: N passed, N failed".
"""
import json
import os
import random
import subprocess
import sys
import tempfile

from tap import Tap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def grade(binary, path, seed, cache):
    # A cache of this run's own (cold): every fixture is really graded, never a kept result.
    proc = subprocess.run([binary, "check", "--format", "json", "--seed", str(seed), path],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, XDG_CACHE_HOME=cache))
    return proc.returncode, json.loads(proc.stdout)


def judge(report, program, expected):
    problems = []
    progs = [p for p in report["programs"] if p["name"] == program]
    if not progs:
        return [f"{program} was not found"]
    prog = progs[0]
    want_build = expected.get("build", "ok")
    if prog["build"]["status"] != want_build:
        problems.append(f"build {prog['build']['status']}, expected {want_build}")
    must_fail = set(expected.get("failed", []))
    must_skip = set(expected.get("skipped", []))
    ids = {c["id"] for c in prog["checks"]}
    for unknown in (must_fail | must_skip) - ids:
        problems.append(f"expected.json names unknown check {unknown}")
    for c in prog["checks"]:
        if want_build != "ok":
            if c["status"] != "skipped":
                problems.append(f"{c['id']}: {c['status']}, expected skipped")
            continue
        want = "failed" if c["id"] in must_fail else "skipped" if c["id"] in must_skip else "passed"
        if c["status"] != want:
            problems.append(f"{c['id']}: {c['status']}, expected {want} "
                            f"(actual: {c.get('actual')})")
    return problems + judge_hints(prog, expected.get("hints", {}))


def judge_hints(prog, hints):
    problems = []
    checks = {c["id"]: c for c in prog["checks"]}
    for cid, texts in sorted(hints.items()):
        if cid not in checks:
            problems.append(f"expected.json names unknown check {cid} in hints")
            continue
        hint = checks[cid].get("hint") or ""
        for text in [texts] if isinstance(texts, str) else texts:
            if text not in hint:
                problems.append(f"{cid}: hint {hint!r} lacks {text!r}")
    return problems


def main():
    binary = sys.argv[1]
    seed = int(os.environ.get("SEED", random.randrange(1, 10**9)))
    base = os.path.join(ROOT, "fixtures", "submissions")
    tap = Tap("e2e")
    if not os.path.isdir(base):
        return tap.bail(f"no fixtures under {base}")
    tap.note(f"e2e: seed {seed}")
    cache = tempfile.TemporaryDirectory(prefix="sockgrade-fixtures-cache.")
    for program in sorted(os.listdir(base)):
        for variant in sorted(os.listdir(os.path.join(base, program))):
            d = os.path.join(base, program, variant)
            exp_path = os.path.join(d, "expected.json")
            if not os.path.isfile(exp_path):
                continue
            with open(exp_path) as f:
                expected = json.load(f)
            code, report = grade(binary, d, seed, cache.name)
            problems = judge(report, program, expected)
            clean = not expected.get("failed") and not expected.get("skipped")
            want_code = 0 if clean and expected.get("build", "ok") == "ok" else 1
            if code != want_code:
                problems.append(f"exit status {code}, expected {want_code}")
            if problems:
                problems.append(f"(seed {seed})")
            tap.result(f"{program}/{variant}", problems)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
