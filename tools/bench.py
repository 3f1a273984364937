#!/usr/bin/env python3
"""make bench: measures, in one run on this machine,
  (a) compiling the 13 reference programs one by one with gcc,
  (f) the floor of (b) (issue 18): the 13 compiles plus one memcheck run of each program that
      exits at once, with the grader's Valgrind settings inside its sandbox, spread over all
      cores (build/tools/bench_floor; the fastest of 1, 2 and 4 pipelines per core),
  (b) `sockgrade check --no-cache reference/` (every build and check, Valgrind included), and
      where its time goes: its CPU part by part against the floor's (builds against compiles,
      Valgrind runs against the floor's runs, the ordinary checks and the grader's own process,
      which the floor has no part for), and a profile of one run from SOCKGRADE_TRACE (CPU per
      kind of task, idle cores),
  (d) a re-check after one program of a complete submission was edited: from the save to the
      last check's verdict, by `sockgrade check` and in watch mode,
  (e) watch mode: the first verdict line on screen after the build ended,
  (c) `sockgrade batch` over a synthetic class (each student a seeded mix of the fixture
      variants: correct and buggy programs; CLASS=0 leaves it out),
and prints medians over RUNS runs and the ratios, with the CPU time each used (on 2 cores a wall
time below half the CPU time is impossible)."""
import os
import random
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNS = int(os.environ.get("RUNS", "5"))
CLASS = int(os.environ.get("CLASS", "100"))
EDITED = os.environ.get("EDITED", "tcp_echoserv")  # the program (d) and (e) edit
FLOOR_PER_CORE = (1, 2, 4)  # the floor's pipelines per core at once; the fastest counts
# The flags of the grader's one build of a program (grader/grade/build.c).
FLAGS = ["-std=gnu11", "-O0", "-Wall", "-Wextra", "-g"]


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


def memcheck_floor(binary):
    """The floor's wall and CPU time: the fastest of 1, 2 and 4 pipelines per core at once (one
    per core leaves a core idle whenever a pipeline waits on the cgroup or the disk)."""
    tool = os.path.join(os.path.dirname(binary), "tools", "bench_floor")
    runs = []
    for per_core in FLOOR_PER_CORE:
        out = subprocess.run([tool, os.path.join(ROOT, "assignments"),
                              os.path.join(ROOT, "reference"), "1", str(per_core)],
                             capture_output=True, text=True, check=True).stdout
        m = re.match(r"floor ([0-9.]+) s wall ([0-9.]+) s cpu \d+ programs ([0-9.]+) s compile "
                     r"([0-9.]+) s memcheck", out)
        runs.append((float(m.group(1)), float(m.group(2)), per_core, float(m.group(3)),
                     float(m.group(4))))
    return min(runs)


def task_cpu(trace):
    """The CPU of one traced run's tasks by kind (build, check, memcheck), in seconds, and how
    many tasks of each kind ran."""
    cpu, n = {}, {}
    for r in (l.split() for l in open(trace) if l.strip()):
        cpu[r[3]] = cpu.get(r[3], 0) + int(r[2]) / 1000
        n[r[3]] = n.get(r[3], 0) + 1
    return cpu, n


def above_floor(f, b, traces):
    """Where (b)'s CPU goes against the floor's, part by part (medians over the runs): the
    builds against the floor's compiles, the Valgrind runs against its runs, and what the
    floor has no part for (the ordinary checks, the grader's own process)."""
    parts = [task_cpu(t) for t in traces]
    kind = lambda k: med(p[0].get(k, 0) for p in parts)
    own = med(cpu - sum(p[0].values()) for (_, _, cpu), p in zip(b, parts))
    fc, fm = med(x[3] for x in f), med(x[4] for x in f)
    fo = med(x[1] - x[3] - x[4] for x in f)
    nchecks = med(p[1].get("check", 0) for p in parts)
    rows = [("builds (in the sandbox)", kind("build"), "compiles (no sandbox)", fc),
            ("Valgrind runs (a scenario each)", kind("memcheck"), "runs that exit at once", fm),
            (f"ordinary checks ({nchecks:.0f} runs)", kind("check"), "-", 0.0),
            ("the grader's own process", own, "bench_floor's own", fo)]
    lines = ["    where its CPU goes, against the floor's (medians over the runs):"]
    for name, mine, fname, theirs in rows:
        lines.append(f"      {name:33s} {mine:5.2f} s   floor: {fname:23s} {theirs:5.2f} s   "
                     f"{mine - theirs:+.2f} s")
    if nchecks:
        lines.append(f"      an ordinary check's run: {kind('check') / nchecks * 1000:.1f} ms of CPU")
    return "\n".join(lines)


def profile(trace):
    """CPU and wall per kind of task of one traced run, and how busy the cores were."""
    rows = [l.split() for l in open(trace) if l.strip()]
    if not rows:
        return "(no trace)"
    t0 = min(int(r[0]) for r in rows)
    span = max(int(r[1]) for r in rows) - t0
    kinds = {}
    for r in rows:
        k = kinds.setdefault(r[3], [0, 0, 0])
        k[0] += 1
        k[1] += int(r[2])
        k[2] += int(r[1]) - int(r[0])
    cpu = sum(k[1] for k in kinds.values())
    lines = [f"      {name:9s} {n:3d} tasks {c / 1000:6.2f} s CPU {w / 1000:6.2f} s of runner time"
             for name, (n, c, w) in sorted(kinds.items())]
    last = max(rows, key=lambda r: int(r[1]))
    lines.append(f"      tasks' CPU {cpu / 1000:.2f} s over {span / 1000:.2f} s: "
                 f"{cpu / span / os.cpu_count():.0%} of {os.cpu_count()} cores busy; "
                 f"the last to end: {last[3]} {last[4]} {last[5]} "
                 f"({(int(last[1]) - int(last[0])) / 1000:.2f} s from {(int(last[0]) - t0) / 1000:.2f} s)")
    return "\n".join(lines)


def complete_submission(tmp):
    sub = os.path.join(tmp, "submission")
    os.makedirs(sub)
    for f in os.listdir(os.path.join(ROOT, "reference")):
        if f.endswith((".c", ".h")):
            shutil.copy(os.path.join(ROOT, "reference", f), sub)
    return sub


def save(path, how="rename"):
    """An edit as an editor saves it; returns the monotonic time of the save."""
    with open(path) as f:
        text = f.read()
    text += f"/* edited {time.time()} */\n"
    if how == "rename":
        tmp = os.path.join(os.path.dirname(path), ".bench.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        t = time.monotonic()
        os.rename(tmp, path)
        return t
    t = time.monotonic()
    with open(path, "w") as f:
        f.write(text)
    return t


def recheck_cli(binary, sub, env):
    """(d) by `sockgrade check`: save, then the run until its report (the last verdict)."""
    subprocess.run([binary, "check", sub], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    times = []
    for _ in range(RUNS):
        t = save(os.path.join(sub, EDITED + ".c"))
        subprocess.run([binary, "check", sub], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env)
        times.append(time.monotonic() - t)
    return times


def read_until(proc, pattern, deadline):
    """Lines of proc's stdout until one matches; (line, when it was read) or (None, None)."""
    buf = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([proc.stdout], [], [], max(0, deadline - time.monotonic()))
        if not r:
            break
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if re.search(pattern, line.decode("utf-8", "replace")):
                return line.decode("utf-8", "replace"), time.monotonic()
    return None, None


def recheck_watch(binary, sub, env, trace):
    """(d) and (e) in watch mode: save by rename; the time to the last check's verdict, and from
    the build's end (the trace) to its line on screen."""
    proc = subprocess.Popen([binary, "check", "--watch", sub], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=dict(env, SOCKGRADE_TRACE=trace))
    last, first = [], []
    try:
        if read_until(proc, r"^watching ", time.monotonic() + 120)[0] is None:
            return [], []
        for _ in range(RUNS):
            open(trace, "w").close()
            t = save(os.path.join(sub, EDITED + ".c"))
            _, t_build = read_until(proc, rf"^{EDITED} \(.*build ok", time.monotonic() + 60)
            _, t_last = read_until(proc, rf"^{EDITED}  .* after the save", time.monotonic() + 60)
            if t_last is None:
                break
            last.append(t_last - t)
            ends = [int(l.split()[1]) for l in open(trace) if l.split()[3:4] == ["build"]]
            if t_build is not None and ends:
                first.append(t_build - ends[0] / 1000)
            read_until(proc, r"^watching ", time.monotonic() + 10)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return last, first


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


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_batch(binary, tmp):
    if CLASS <= 0:
        print("(c) left out (CLASS=0)")
        return
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


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "sockgrade")
    tmp = tempfile.mkdtemp(prefix="sockgrade-bench.")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "xdg"))
    trace = os.path.join(tmp, "trace")
    try:
        a = [compile_floor(tmp) for _ in range(RUNS)]
        f, b, traces = [], [], []
        for i in range(RUNS):  # interleaved, so both meet the same load
            f.append(memcheck_floor(binary))
            traces.append(f"{trace}.{i}")
            b.append(timed([binary, "check", "--no-cache", "--seed", "1",
                            os.path.join(ROOT, "reference")],
                           env=dict(env, SOCKGRADE_TRACE=traces[-1])))
        ma, mf, mb = med(a), med(x[0] for x in f), med(t for t, _, _ in b)
        print(f"(a) compile 13 references one by one: median {ma:.3f} s over {RUNS} runs")
        print(f"(f) floor: 13 compiles + 13 memcheck runs that exit at once, over all cores: "
              f"median {mf:.3f} s ({med(x[1] for x in f):.2f} s of CPU; the fastest of "
              f"{', '.join(map(str, FLOOR_PER_CORE))} pipelines per core, each time; fastest "
              f"with {', '.join(str(x[2]) for x in f)})")
        print(f"(b) sockgrade check reference/ (--no-cache): median {mb:.3f} s over {RUNS} runs "
              f"({med(cpu for _, _, cpu in b):.2f} s of CPU)")
        print(f"    b/floor = {mb / mf:.2f}  (target <= 1.1); b/a = {mb / ma:.2f}")
        print(above_floor(f, b, traces))
        print("    profile of the last run (SOCKGRADE_TRACE):")
        print(profile(traces[-1]))
        sub = complete_submission(tmp)
        d = recheck_cli(binary, sub, env)
        print(f"(d) re-check after editing {EDITED}.c, by sockgrade check: median {med(d):.3f} s "
              f"(max {max(d):.3f} s) over {len(d)} edits  (target <= 0.5 s)")
        dw, e = recheck_watch(binary, sub, env, trace)
        print(f"(d) the same in watch mode, save to last verdict: median {med(dw):.3f} s "
              f"(max {max(dw, default=float('nan')):.3f} s) over {len(dw)} saves")
        print(f"(e) watch mode, first verdict on screen after the build ended: median "
              f"{med(e) * 1000:.1f} ms (max {max(e, default=float('nan')) * 1000:.1f} ms)  "
              f"(target <= 150 ms)")
        bench_batch(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
