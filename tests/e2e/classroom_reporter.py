#!/usr/bin/env python3
"""classroom_reporter.py: what GitHub Classroom's autograding reporter would make of sockgrade's
classroom result, for tests/e2e/test_classroom.sh. The reporter's logic is mirrored, not run
(it is a Node action that needs GitHub); where each piece comes from is cited below
(classroom-resources/autograding-grading-reporter, read in its src/ and dist/main.js).

  classroom_reporter.py file CLASSROOM.json NATIVE.json ASSIGNMENTS
      hands the file to the reporter as one runner named "sockgrade" would (base64 in
      SOCKGRADE_RESULTS) and compares its total with the native report's
  classroom_reporter.py step WORKFLOW ID DIR
      writes the run: script of the workflow's step ID to DIR/step.sh and the workflow's env to
      DIR/env.sh (export lines), to run the step as a runner would
  classroom_reporter.py workflow WORKFLOW GITHUB_OUTPUT NATIVE.json ASSIGNMENTS
      wires the reporter step of WORKFLOW as GitHub would (its env with ${{ steps.ID.outputs.X }}
      taken from what the steps wrote to GITHUB_OUTPUT, its runners input) and compares
  classroom_reporter.py errored WORKFLOW GITHUB_OUTPUT
      as workflow, for a grader that wrote nothing: the reporter must fail the run as errored
      and post no points

Prints what the reporter would post and exits 1 on a mismatch."""
import base64
import json
import os
import re
import shlex
import sys

import yaml


def runner_results(runners, env):
    """src/main.js: the runners input split at commas (later versions also at whitespace); each
    runner's result is JSON, base64-encoded in the environment variable <RUNNER>_RESULTS with
    the runner's id in capitals."""
    out = []
    for runner in filter(None, re.split(r"[\s,]", runners)):
        encoded = env[f"{runner.strip().upper()}_RESULTS"]
        out.append((runner, json.loads(base64.b64decode(encoded).decode("utf-8"))))
    return out


def classroom_points(results):
    """src/notify-classroom.js, NotifyClassroom: a runner whose max_score is 0 or absent is
    left out; otherwise its max_score is added to the maximum and each of its tests' score to
    the points. No notice (no points for Classroom) when the maximum is 0; else the notice is
    "Points <points>/<maximum>"."""
    points = maximum = 0
    for _, r in results:
        if not r.get("max_score"):
            continue
        maximum += r["max_score"]
        for t in r["tests"]:
            points += t["score"]
    return points, maximum


def run_verdict(results):
    """src/main.js: the run fails with "Some tests failed." when a runner's status is "fail",
    else with "Some tests errored." when one is "error"."""
    if any(r["status"] == "fail" for _, r in results):
        return "Some tests failed."
    if any(r["status"] == "error" for _, r in results):
        return "Some tests errored."
    return "passed"


def check_fields(results):
    for runner, r in results:
        assert r.get("version") == 1 and r["status"] in ("pass", "fail", "error"), (runner, r.get("status"))
        assert isinstance(r["max_score"], (int, float)), runner
        for t in r["tests"]:
            for k in ("name", "status", "score", "max_score", "message"):
                assert k in t, (runner, k, t.get("name"))
            assert t["status"] in ("pass", "fail", "error"), t
            assert 0 <= t["score"] <= t["max_score"], t


def spec_points(assignments, program):
    """What a missing program's spec offers: the sum of its checks' points (spec_max_score)."""
    spec = json.load(open(os.path.join(assignments, program, "spec.json")))
    return sum(c.get("points", 0) for c in spec["checks"])


def compare(results, native_path, assignments):
    check_fields(results)
    native = json.load(open(native_path))
    points, maximum = classroom_points(results)
    lost = sum(spec_points(assignments, p) for p in native["missing"])
    print(f"reporter: Points {points:g}/{maximum:g} ({run_verdict(results)}); native score "
          f"{native['score']:g}/{native['max_score']:g}, missing {native['missing']} worth {lost:g}")
    ok = points == native["score"] and maximum == native["max_score"] + lost
    ok = ok and (run_verdict(results) == "passed") == (native["status"] == "passed" and not native["missing"])
    return 0 if ok else 1


def reporter_wiring(workflow_path, output_path):
    """The reporter step's env and runners input as GitHub would pass them: every
    ${{ steps.ID.outputs.NAME }} replaced by what step ID wrote to $GITHUB_OUTPUT."""
    wf = yaml.safe_load(open(workflow_path))
    steps = next(iter(wf["jobs"].values()))["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    outputs = dict(line.split("=", 1) for line in open(output_path).read().splitlines() if "=" in line)
    reporter = next(s for s in steps if s.get("uses", "").startswith("classroom-resources/autograding-grading-reporter@"))
    env = {}
    for k, v in (reporter.get("env") or {}).items():
        m = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.(\w+)\s*\}\}", str(v))
        assert m and m.group(1) in ids and m.group(2) == "result", (k, v)
        env[k] = outputs[m.group(2)]
    return reporter["with"]["runners"], env


def write_step(workflow_path, step_id, out_dir):
    wf = yaml.safe_load(open(workflow_path))
    step = next(s for s in next(iter(wf["jobs"].values()))["steps"] if s.get("id") == step_id)
    assert "${{" not in step["run"], "an expression in run: needs GitHub to evaluate it"
    with open(os.path.join(out_dir, "step.sh"), "w") as f:
        f.write(step["run"])
    with open(os.path.join(out_dir, "env.sh"), "w") as f:
        for k, v in {**(wf.get("env") or {}), **(step.get("env") or {})}.items():
            f.write(f"export {k}={shlex.quote(str(v))}\n")
        f.write(f"step_dir={shlex.quote(step.get('working-directory', '.'))}\n")
    return 0


def main(argv):
    mode = argv[1]
    if mode == "file":
        encoded = base64.b64encode(open(argv[2], "rb").read()).decode()
        return compare(runner_results("sockgrade", {"SOCKGRADE_RESULTS": encoded}), argv[3], argv[4])
    if mode == "step":
        return write_step(argv[2], argv[3], argv[4])
    runners, env = reporter_wiring(argv[2], argv[3])
    # Linux refuses one environment string above 128 KiB (MAX_ARG_STRLEN): the reporter
    # would not start.
    for k, v in env.items():
        assert len(k) + 1 + len(v) + 1 <= 131072, f"{k} is {len(v)} bytes"
    results = runner_results(runners, env)
    if mode == "workflow":
        return compare(results, argv[4], argv[5])
    check_fields(results)
    points, maximum = classroom_points(results)
    print(f"reporter: {run_verdict(results)}, maximum {maximum:g}")
    return 0 if run_verdict(results) == "Some tests errored." and maximum == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
