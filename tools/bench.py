#!/usr/bin/env python3
"""make bench: measures, in one run on this machine,
  (a) compiling the 13 reference programs one by one with gcc (the floor),
  (b) `sockgrade check reference/` (build + every check),
  (c) `sockgrade batch` over a synthetic class (each student a seeded mix of the fixture
      variants: correct and buggy programs),
and prints medians over RUNS runs and the ratios b/a and c per student, with the CPU time
each used (on 2 cores a wall time below half the CPU time is impossible)."""
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNS = int(os.environ.get("RUNS", "5"))
CLASS = int(os.environ.get("CLASS", "100"))
# The flags of the grader's graded build (grader/grade/build.c); its Valgrind copy is extra work.
FLAGS = ["-std=gnu11", "-O0", "-Wall", "-Wextra", "-ftrivial-auto-var-init=zero"]


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd, **kw):
    """Wall time, exit code and the CPU time of cmd and all its descendants."""
    c0, t0 = children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.monotonic() - t0, proc.returncode, children_cpu() - c0


def compile_floor(tmp):
    refs = sorted(f for f in os.listdir(os.path.join(ROOT, "reference")) if f.endswith(".c"))
    t0 = time.monotonic()
    for f in refs:
        subprocess.run(["gcc", *FLAGS, "-I", os.path.join(ROOT, "reference"), "-o",
                        os.path.join(tmp, f[:-2]), os.path.join(ROOT, "reference", f)], check=True)
    return time.monotonic() - t0


def make_class(dest, n, seed=1):
    rng = random.Random(seed)
    subs = os.path.join(ROOT, "fixtures", "submissions")
    programs = sorted(os.listdir(subs))
    for i in range(n):
        student = os.path.join(dest, f"student{i:03d}")
        os.makedirs(student)
        for prog in programs:
            variants = sorted(os.listdir(os.path.join(subs, prog)))
            v = rng.choice(variants)
            for f in os.listdir(os.path.join(subs, prog, v)):
                if f.endswith(".c") or f.endswith(".h"):
                    shutil.copy(os.path.join(subs, prog, v, f), student)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sockgrade")
    tmp = tempfile.mkdtemp(prefix="sockgrade-bench.")
    try:
        a = [compile_floor(tmp) for _ in range(RUNS)]
        b = [timed([binary, "check", "--seed", "1", os.path.join(ROOT, "reference")])
             for _ in range(RUNS)]
        ma, mb = statistics.median(a), statistics.median(t for t, _, _ in b)
        cpu_b = statistics.median(cpu for _, _, cpu in b)
        print(f"(a) compile 13 references one by one: median {ma:.3f} s over {RUNS} runs")
        print(f"(b) sockgrade check reference/:       median {mb:.3f} s over {RUNS} runs "
              f"({cpu_b:.2f} s of CPU)")
        print(f"    b/a = {mb / ma:.2f}  (target <= 1.0)")
        has_batch = subprocess.run([binary, "batch", "--help"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL).returncode == 0
        if not has_batch:
            print("(c) skipped: this sockgrade has no batch verb")
            return 0
        klass = os.path.join(tmp, "class")
        make_class(klass, CLASS)
        students = [os.path.join(klass, s) for s in sorted(os.listdir(klass))]
        c, cpu_c = [], []
        for r in range(max(1, RUNS // 2)):
            out = os.path.join(tmp, f"out{r}")
            t, code, cpu = timed([binary, "batch", "--seed", "1", "--out", out, *students])
            c.append(t)
            cpu_c.append(cpu)
        mc = statistics.median(c)
        print(f"(c) batch of {CLASS} synthetic students:  median {mc:.1f} s over {len(c)} runs, "
              f"{mc / CLASS:.2f} s per student ({statistics.median(cpu_c) / CLASS:.2f} s of CPU); "
              f"a class of 300 would take ~{mc / CLASS * 300 / 60:.1f} min")
        t2, _, _ = timed([binary, "batch", "--seed", "1", "--out", os.path.join(tmp, "out0"), *students])
        print(f"    re-run with nothing changed: {t2:.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
