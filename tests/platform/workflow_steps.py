#!/usr/bin/env python3
"""workflow_steps.py WORKFLOW REPO ROOT SUBMISSION: lays out ROOT/github for running the GitHub
workflow's steps in a fresh root, in order, as a runner would: ROOT/github/steps.sh runs each
`run:` step with the runner's shell (bash -eo pipefail), in its working-directory, with the
workflow's env and GITHUB_WORKSPACE / GITHUB_STEP_SUMMARY; it stops at the first failure.

Only GitHub provides the `uses:` steps, so they are stubbed: actions/checkout copies the
submission (no repository input) or this repository's sources as they are now (the
grader under test; the workflow's pinned SOCKGRADE_REF is the course's choice), other actions
only print what they would publish. An expression (${{ }}) in a `run:` line is refused: it
would need GitHub to evaluate it."""
import os
import shlex
import shutil
import subprocess
import sys

import yaml


def copy_tracked(repo, dest):
    """The files a checkout of this commit has, as they are now (new sources not yet committed
    included, build folders not)."""
    files = subprocess.run(["git", "-C", repo, "ls-files", "-co", "--exclude-standard", "-z", "--",
                            "Makefile", "README.md", "grader", "assignments", "reference", "tools",
                            "platform", "docs"], capture_output=True, check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(repo, f)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, f)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, f))


def main():
    wf_path, repo, root, submission = sys.argv[1:5]
    wf = yaml.safe_load(open(wf_path))
    job = next(iter(wf["jobs"].values()))
    gh = os.path.join(root, "github")
    ws = os.path.join(gh, "workspace")
    os.makedirs(ws)
    env = {k: str(v) for k, v in (wf.get("env") or {}).items()}
    env.update({"GITHUB_WORKSPACE": "/github/workspace", "GITHUB_STEP_SUMMARY": "/github/summary.md",
                "CI": "true", "GITHUB_ACTIONS": "true"})
    lines = ["set -e", "cd /github/workspace", ": > /github/summary.md"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
    for i, step in enumerate(job["steps"]):
        name = step.get("name", f"step {i}")
        lines.append(f"echo {shlex.quote('::group::' + name)}")
        if "uses" in step:
            action = step["uses"].split("@")[0]
            with_ = step.get("with") or {}
            if action == "actions/checkout":
                dest = os.path.join(ws, with_.get("path", "."))
                if "repository" in with_:
                    copy_tracked(repo, dest)
                else:
                    shutil.copytree(submission, dest, dirs_exist_ok=True)
                lines.append(f"echo {shlex.quote('stub: ' + action + ' (copied before the run)')}")
            else:
                lines.append(f"echo {shlex.quote('stub: ' + action + ' (a GitHub service)')}")
            continue
        run = step["run"]
        if "${{" in run:
            sys.exit(f"step {name!r}: an expression in run: needs GitHub to evaluate it")
        script = os.path.join(gh, f"step-{i}.sh")
        with open(script, "w") as f:
            f.write(run)
        wd = os.path.join("/github/workspace", step.get("working-directory", "."))
        step_env = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in (step.get("env") or {}).items())
        lines.append(f"(cd {shlex.quote(wd)} && env {step_env} bash --noprofile --norc -eo pipefail /github/step-{i}.sh)"
                     f" || {{ echo {shlex.quote('step failed: ' + name)}; exit 1; }}")
    lines.append("echo '--- step summary'; cat /github/summary.md")
    with open(os.path.join(gh, "steps.sh"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
