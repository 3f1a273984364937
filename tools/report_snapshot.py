#!/usr/bin/env python3
"""Writes every fixture's reports for one seed into OUTDIR, so two grader builds can be compared.

    tools/report_snapshot.py SOCKGRADE OUTDIR [SEED]

For each fixtures/submissions/<program>/<variant>/ it writes <program>.<variant>.json and
.txt (two runs with the same seed) with the exit status on the first line. Wall-clock durations are the only fields that differ between two runs of the same build and
seed; they are replaced by 0 (JSON) or removed (text) so `diff -r` shows only real changes.
Used to show that a refactoring leaves every report byte-identical (docs/design.md).

    tools/report_snapshot.py --compare BASE BASE_AGAIN NEW

compares: a file of NEW that differs from BASE is a change unless the same file also differs
between two snapshots of the old build (BASE, BASE_AGAIN): some fixtures print what the kernel
chose (an ephemeral port), the clock, or race with the grader's clients by design.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def zero_durations(node):
    if isinstance(node, dict):
        return {k: (0 if k == "duration_ms" else zero_durations(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [zero_durations(v) for v in node]
    return node


def snapshot(binary, outdir, seed, program, variant):
    path = os.path.join("fixtures", "submissions", program, variant)
    stem = os.path.join(outdir, f"{program}.{variant}")
    for fmt in ("json", "text"):
        # A fresh cache for each run, so the text run grades rather than reusing the JSON
        # run's results (and marking them reused); an older build ignores the variable.
        with tempfile.TemporaryDirectory(prefix="sockgrade-snapshot-cache.") as cache:
            proc = subprocess.run([binary, "check", "--format", fmt, "--seed", str(seed), path],
                                  capture_output=True, text=True, cwd=ROOT, timeout=300,
                                  env=dict(os.environ, XDG_CACHE_HOME=cache))
        body = proc.stdout
        if fmt == "json":
            body = json.dumps(zero_durations(json.loads(body)), indent=1, ensure_ascii=False)
        else:
            body = re.sub(r" in \d+(\.\d+)? ?m?s\b", "", body)
        body = re.sub(r"/tmp/cc[A-Za-z0-9]{6}\.o", "/tmp/ccXXXXXX.o", body)
        with open(f"{stem}.{'json' if fmt == 'json' else 'txt'}", "w") as f:
            f.write(f"exit {proc.returncode}\n{body}")


def differing(a, b):
    names = sorted(set(os.listdir(a)) | set(os.listdir(b)))
    out = []
    for n in names:
        pa, pb = os.path.join(a, n), os.path.join(b, n)
        if not (os.path.exists(pa) and os.path.exists(pb)) or open(pa, "rb").read() != open(pb, "rb").read():
            out.append(n)
    return out


def compare(base, again, new):
    noisy = set(differing(base, again))
    changed = differing(base, new)
    real = [n for n in changed if n not in noisy]
    print(f"{len(os.listdir(new))} reports; {len(changed)} differ from {base}, "
          f"{len(changed) - len(real)} of them also differ between two runs of the old build")
    for n in real:
        print(f"changed: {n}")
    return 1 if real else 0


def main():
    if sys.argv[1] == "--compare":
        return compare(*sys.argv[2:5])
    binary, outdir = os.path.abspath(sys.argv[1]), sys.argv[2]
    seed = sys.argv[3] if len(sys.argv) > 3 else "4242"
    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(ROOT, "fixtures", "submissions")
    jobs = [(p, v) for p in sorted(os.listdir(base)) for v in sorted(os.listdir(os.path.join(base, p)))
            if os.path.isdir(os.path.join(base, p, v))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda j: snapshot(binary, outdir, seed, *j), jobs))
    print(f"{len(jobs)} fixtures written to {outdir} (seed {seed})")


if __name__ == "__main__":
    sys.exit(main())
