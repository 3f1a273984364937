#!/usr/bin/env python3
"""Hostile submissions: grades every attack in fixtures/hostile/ and proves containment from
outside the sandbox (see docs/security.md).

For each attack: the grader ends within its bound with exit 0 or 1 and a valid report; no check
passes (each attack passes its check only if its escape worked); the reports hold none of the
canaries planted for this run (a file in the host's /tmp, one in $HOME, a variable in the
grader's environment), no shadow entry, no "SGHX-LEAK"/"SGHX-ESCAPE" line, not the grader's
command line; the text report holds no terminal control bytes; no process of the attack
survives; no file appears on the host (markers, forged reports, the submission folder, the
repository, the grader's work folder); the listener the test runs on the host's loopback sees
nothing; the grader's processes stay under a memory bound; the memory the attack's runs hold,
measured from outside (programs' anonymous memory plus the growth of the machine's shared
memory), stays under a bound per run.

usage: hostile.py SOCKGRADE [ATTACK...]
environment: SEED (default 7), HOSTILE_TIMEOUT (seconds per grader run, default 60),
HOSTILE_RSS_MB (bound on one grader process, default 512), HOSTILE_RUN_MB (bound on what one
run's programs hold, default 576: the sandbox's 512 MiB per run and room for shared memory
that other processes on the machine take meanwhile), HOSTILE_CONTROL=1 (also run the
attacks marked "control" with --sandbox none, where each must be seen escaping: proves the
attacks and this test can see an escape; only the attacks that stay harmless unconfined are
marked, yet run it only on a throw-away machine), HOSTILE_KNOWN="ATTACK..." (known escapes
that are not run: each is reported as a skipped test; tests/e2e/run_hostile_ci.sh sets it).
Prints TAP (tests/e2e/tap.py), one test per attack, closing with "# hostile: N passed,
N failed".
"""
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from tap import Tap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures", "hostile")
PORT = 47613                      # HOSTILE_PORT in the attacks
ABSTRACT = b"\0sockgrade-hostile-listener"
SOCKET_PATH = "/tmp/sockgrade-hostile-listener.sock"
MARKER_PREFIX = "sockgrade-hostile-marker-"
CANARY_TMP = "/tmp/sockgrade-hostile-canary"
SHADOW = re.compile(rb"[a-z_][a-z0-9_.-]{0,31}:(?:[*!x]|\$[0-9a-z]+\$)[^:\n]*:\d{3,5}:\d*:\d*:\d*:")
CONTROL_C0 = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
C1 = re.compile("[\u0080-\u009f]")


class Listener:
    """The host's side: TCP and UDP on 127.0.0.1 and ::1, an abstract and a path Unix socket.
    Counts every connection and datagram; nothing of the sandbox may ever arrive."""

    def __init__(self):
        self.hits = []
        self.socks = []
        self.stop = False
        specs = [(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", PORT)),
                 (socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", PORT)),
                 (socket.AF_INET6, socket.SOCK_STREAM, ("::1", PORT)),
                 (socket.AF_INET6, socket.SOCK_DGRAM, ("::1", PORT)),
                 (socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT),
                 (socket.AF_UNIX, socket.SOCK_DGRAM, ABSTRACT + b"-dgram"),
                 (socket.AF_UNIX, socket.SOCK_STREAM, SOCKET_PATH)]
        if os.path.exists(SOCKET_PATH):
            os.unlink(SOCKET_PATH)
        for fam, typ, addr in specs:
            s = socket.socket(fam, typ)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(addr)
            except OSError as e:
                if fam == socket.AF_INET6:   # a host without IPv6 loopback: skip those two
                    s.close()
                    continue
                raise SystemExit("hostile: the test's listener cannot bind %r: %s" % (addr, e))
            if typ == socket.SOCK_STREAM:
                s.listen(16)
            s.settimeout(0.2)
            self.socks.append((s, typ, addr))
        for s, typ, addr in self.socks:
            threading.Thread(target=self.serve, args=(s, typ, addr), daemon=True).start()

    def serve(self, s, typ, addr):
        while not self.stop:
            try:
                if typ == socket.SOCK_STREAM:
                    c, peer = s.accept()
                    c.close()
                else:
                    _, peer = s.recvfrom(65536)
                self.hits.append((time.time(), repr(addr), repr(peer)))
            except (socket.timeout, OSError):
                continue

    def close(self):
        self.stop = True
        for s, _, _ in self.socks:
            s.close()
        if os.path.exists(SOCKET_PATH):
            os.unlink(SOCKET_PATH)


class RssWatch(threading.Thread):
    """Samples the grader's own processes (named sockgrade: the grader, its runners, each
    sandbox's init) while it runs, and keeps the largest resident size seen."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max_kib, self.done = pid, 0, False

    def run(self):
        while not self.done:
            kids, names = {}, {}
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                try:
                    with open("/proc/%s/stat" % d) as f:
                        st = f.read()
                    comm = st[st.index("(") + 1:st.rindex(")")]
                    ppid = int(st[st.rindex(")") + 2:].split()[1])
                except (OSError, ValueError):
                    continue
                kids.setdefault(ppid, []).append(int(d))
                names[int(d)] = comm
            todo, seen = [self.pid], set()
            while todo:
                p = todo.pop()
                if p in seen:
                    continue
                seen.add(p)
                todo.extend(kids.get(p, []))
                if names.get(p) != "sockgrade":
                    continue
                try:
                    with open("/proc/%d/status" % p) as f:
                        for line in f:
                            if line.startswith("VmRSS:"):
                                self.max_kib = max(self.max_kib, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.05)


def shmem_kib():
    """The machine's shared memory (tmpfs, memfd, System V): memory a process can hold without
    it showing in any process's resident size."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Shmem:"):
                return int(line.split()[1])
    return 0


class RunMemWatch(threading.Thread):
    """Samples, from outside, the memory the attack's runs hold: the anonymous memory of every
    process this test started that is not the grader (the programs, the compiler) plus the
    growth of the machine's shared memory since the start (memfd files and System V segments
    belong to no process). Each run (build or check) has a runner of its own, a child of a
    grader named sockgrade; a sample may hold run_mb for each runner alive within the last
    second (a run's memory is freed a moment after its runner ends). Resident sizes count the
    pages forked processes share once in each, so a sample over its bound is measured again
    with proportional sizes (Pss_Anon). Keeps the largest sample and the worst one over its
    bound."""

    def __init__(self, run_mb):
        super().__init__(daemon=True)
        self.run_mb, self.done, self.base = run_mb, False, shmem_kib()
        self.max_kib, self.max_runs, self.over = 0, 0, None

    def sample(self):
        kids, names = {}, {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open("/proc/%s/stat" % d) as f:
                        st = f.read()
                except OSError:
                    continue
                names[int(d)] = st[st.index("(") + 1:st.rindex(")")]
                kids.setdefault(int(st[st.rindex(")") + 2:].split()[1]), []).append(int(d))
        graders = kids.get(os.getpid(), [])
        runners = sum(1 for g in graders for k in kids.get(g, []) if names.get(k) == "sockgrade")
        programs, todo = [], list(graders)
        while todo:
            p = todo.pop()
            todo.extend(kids.get(p, []))
            if names.get(p) != "sockgrade":
                programs.append(p)
        return programs, max(0, shmem_kib() - self.base), runners

    def run(self):
        recent = []
        while not self.done:
            programs, shm, runners = self.sample()
            now = time.time()
            recent = [(t, r) for t, r in recent if t > now - 1.0] + [(now, runners)]
            runs = max(1, max(r for _, r in recent))
            held = shm + sum(status_kib(p, "RssAnon:") for p in programs)
            if held > runs * self.run_mb * 1024:
                held = shm + sum(pss_anon_kib(p) for p in programs)
            self.max_kib, self.max_runs = max(self.max_kib, held), max(self.max_runs, runners)
            if held > runs * self.run_mb * 1024 and (not self.over or held > self.over[0]):
                self.over = (held, runs)
            time.sleep(0.05)


def pss_anon_kib(pid):
    """The process's share of its anonymous memory (pages shared with forks count in part)."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss_Anon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return status_kib(pid, "RssAnon:")


def status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def snapshot_tree(top):
    """Every entry under top (links not followed): name -> (kind, size, mtime, link)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            link = os.readlink(p) if os.path.islink(p) else None
            out[os.path.relpath(p, top)] = (st.st_mode, st.st_size, st.st_mtime_ns, link)
    return out


def repo_files():
    out = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith("build")]
        out.update(os.path.join(dirpath, f) for f in filenames)
    return out


def holds_token(path):
    try:
        with open(path, "rb") as f:
            return b"SGHX" in f.read(1 << 16)
    except OSError:
        return False


def comm_pids(comm):
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/comm" % d) as f:
                    if f.read().strip() == comm:
                        pids.append(int(d))
            except OSError:
                pass
    return pids


class Suite:
    def __init__(self, grader, seed, timeout, rss_mb, run_mb):
        self.grader, self.seed, self.timeout, self.rss_mb = grader, seed, timeout, rss_mb
        self.run_mb = run_mb
        self.listener = Listener()   # first: it may refuse to start, and nothing is planted yet
        self.token = secrets.token_hex(8)
        self.env_canary = "SGHX-ENV-" + self.token
        self.work = tempfile.mkdtemp(prefix="sockgrade-hostile-run.")
        self.tmpdir = os.path.join(self.work, "tmp")
        os.mkdir(self.tmpdir)
        os.chmod(self.work, 0o755)
        self.planted = []
        self.plant(CANARY_TMP, "SGHX-CANARY-%s host /tmp\n" % self.token)
        self.plant(CANARY_TMP + ".h", "SGHX-CANARY-%s host /tmp header\n" % self.token)
        home = os.path.expanduser("~")
        if os.path.isdir(home) and os.access(home, os.W_OK):
            self.plant(os.path.join(home, ".sockgrade-hostile-canary"), "SGHX-CANARY-%s home\n" % self.token)
            self.plant(os.path.join(home, ".sockgrade-hostile-canary-" + self.token), "x\n")

    def plant(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        self.planted.append(path)

    def close(self):
        self.listener.close()
        for p in self.planted:
            try:
                os.unlink(p)
            except OSError:
                pass
        shutil.rmtree(self.work, ignore_errors=True)

    def run_grader(self, path, fmt, mode="namespaces"):
        env = dict(os.environ, TMPDIR=self.tmpdir, SOCKGRADE_HOSTILE_CANARY=self.env_canary,
                   NO_COLOR="1")
        cmd = [self.grader, "check", "--sandbox", mode, "--seed", str(self.seed)]
        if fmt != "text":
            cmd += ["--format", fmt]
        cmd.append(path)
        t0 = time.time()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             start_new_session=True)
        watch = RssWatch(p.pid)
        watch.start()
        try:
            out, err = p.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            p.returncode = None
        watch.done = True
        watch.join()
        return p.returncode, out, err, time.time() - t0, watch.max_kib

    def leaks(self, data):
        """What of the host a report shows: canaries, shadow entries, the grader's argv,
        the attacks' own escape lines."""
        found = []
        for needle, what in ((self.token.encode(), "a canary planted on the host"),
                             (b"SGHX-ENV", "the grader's environment"),
                             (b"SGHX-LEAK", "an attack's SGHX-LEAK line"),
                             (b"SGHX-ESCAPE", "an attack's SGHX-ESCAPE line"),
                             (b"--format", "the grader's command line"),
                             (os.path.realpath(self.grader).encode(), "the grader's command line")):
            if needle in data:
                at = data.index(needle)
                found.append("%s (%r)" % (what, data[max(0, at - 40):at + 60].decode("utf-8", "replace")))
        m = SHADOW.search(data)
        if m:
            found.append("a shadow entry (not shown)")
        return found

    def attack(self, name, mode="namespaces"):
        """Runs one attack; returns (problems, summary)."""
        adir = os.path.join(FIXTURES, name)
        with open(os.path.join(adir, "attack.json")) as f:
            meta = json.load(f)
        problems = []
        for m in os.listdir("/tmp"):
            if m.startswith(MARKER_PREFIX):
                os.unlink(os.path.join("/tmp", m))
        before_tree = snapshot_tree(adir)
        before_tmp = set(os.listdir("/tmp"))
        before_repo = repo_files()
        hits0 = len(self.listener.hits)

        # The JSON and the text report come from two runs of the grader at once.
        runs = {}
        held = RunMemWatch(self.run_mb)
        held.start()
        threads = [threading.Thread(target=lambda f=f: runs.__setitem__(f, self.run_grader(adir, f, mode)))
                   for f in ("json", "text")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        held.done = True
        held.join()
        code, out, err, secs, rss = runs["json"]
        tcode, text, terr, tsecs, trss = runs["text"]
        secs, rss = max(secs, tsecs), max(rss, trss)
        for fmt, c, e in (("JSON", code, err), ("text", tcode, terr)):
            if c is None:
                problems.append("the grader (%s run) did not finish within %d s" % (fmt, self.timeout))
            elif c not in (0, 1):
                problems.append("the grader (%s run) exited %d: %s"
                                % (fmt, c, e.decode("utf-8", "replace").strip()[:300]))
        try:
            report = json.loads(out)
            problems += self.judge_report(report, meta, mode)
        except ValueError as e:
            problems.append("the JSON report is not valid JSON: %s" % e)
        problems += ["the JSON report shows " + w for w in self.leaks(out)]
        problems += ["the text report shows " + w for w in self.leaks(text)]
        problems += self.terminal_bytes(text)
        if sum(1 for line in text.split(b"\n") if line.startswith(b"score ")) != 1:
            problems.append("the text report has no score line of its own, or a forged one")
        if rss > self.rss_mb * 1024:
            problems.append("a grader process grew to %d MiB (bound %d MiB)" % (rss // 1024, self.rss_mb))
        if held.over:
            problems.append("the runs held %d MiB together while at most %d ran (bound %d MiB "
                            "a run)" % (held.over[0] // 1024, held.over[1], self.run_mb))

        problems += self.survivors(meta["comm"])
        problems += self.new_files(adir, before_tree, before_tmp, before_repo)
        if len(self.listener.hits) > hits0:
            problems.append("the host's listener was reached: %s" % self.listener.hits[hits0:])
        return problems, "%.1f s, grader %d MiB, runs held %d MiB, %d at once" % (
            secs, rss // 1024, held.max_kib // 1024, held.max_runs)

    @staticmethod
    def judge_report(report, meta, mode):
        """The attack was really graded, and none of its checks passed. A Valgrind check judges
        memory errors only, so an attack may pass it fairly; every other pass is an escape (each
        attack passes its check only when its escape worked) or a false pass."""
        problems, passed = [], []
        if report.get("sandbox") != mode:
            problems.append("the report says sandbox %r, not %r" % (report.get("sandbox"), mode))
        if report.get("error"):
            problems.append("the grader reported an internal error: %s" % report["error"])
        progs = {p.get("name"): p for p in report.get("programs", [])}
        if meta["program"] != "(all)":
            prog = progs.get(meta["program"])
            if not prog:
                problems.append("the report does not grade %s at all" % meta["program"])
            elif (prog.get("build") or {}).get("status") != meta["build"]:
                build = prog.get("build") or {}
                problems.append("the build was %r, not %r as the attack expects: %r"
                                % (build.get("status"), meta["build"], (build.get("diagnostics") or "")[:200]))
            elif meta["build"] == "ok" and not any(c.get("status") in ("passed", "failed")
                                                   for c in prog.get("checks", [])):
                problems.append("no check of %s ran to a verdict" % meta["program"])
        for prog in progs.values():
            for c in prog.get("checks", []):
                if c.get("status") == "error":
                    problems.append("check %s/%s errs (the grader's fault): %s"
                                    % (prog["name"], c["id"], c.get("actual")))
                memcheck = "memcheck" in c.get("id", "") or str(c.get("expected")).startswith("Valgrind")
                if c.get("status") == "passed" and not memcheck:
                    passed.append("%s/%s (%s)" % (prog["name"], c["id"], c.get("actual")))
        if passed:
            problems.append("checks passed: " + "; ".join(passed[:4]) +
                            (" ... (%d in all)" % len(passed) if len(passed) > 4 else ""))
            m = re.search(r"SGHX-ESCAPE (\d+)|values printed: (\d+)", " ".join(passed))
            bits = meta.get("escape_bits") or {}
            mask = int(m.group(1) or m.group(2)) if m else 0
            names = [what for bit, what in sorted(bits.items(), key=lambda kv: int(kv[0]))
                     if mask & int(bit)]
            if names:
                problems.append("the attack saw: " + "; ".join(names))
        return problems

    @staticmethod
    def terminal_bytes(text):
        found = []
        if b"\x1b" in text:
            found.append("the text report holds a raw ESC byte")
        m = CONTROL_C0.search(text)
        if m and m.group(0) != b"\x1b":
            found.append("the text report holds the raw control byte %r" % m.group(0))
        try:
            s = text.decode("utf-8")
        except UnicodeDecodeError as e:
            found.append("the text report is not valid UTF-8 (%s)" % e)
            s = text.decode("utf-8", "replace")
        if C1.search(s):
            found.append("the text report holds a C1 control character")
        if BIDI.search(s):
            found.append("the text report holds a bidi override or isolate")
        return found

    @staticmethod
    def survivors(comm):
        found = []
        for wait in (0, 1.0):
            time.sleep(wait)
            pids = comm_pids(comm)
            if pids:
                found.append("process %s survived (pids %s)" % (comm, pids))
                for pid in pids:  # ours: started by this test's grader run
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                break
        return found

    def new_files(self, adir, before_tree, before_tmp, before_repo):
        found = []
        after_tree = snapshot_tree(adir)
        if after_tree != before_tree:
            changed = sorted(k for k in set(after_tree) | set(before_tree)
                             if after_tree.get(k) != before_tree.get(k))
            found.append("the submission folder changed: %s" % changed[:5])
        for m in sorted(set(os.listdir("/tmp")) - before_tmp):
            p = os.path.join("/tmp", m)
            if (m.startswith(MARKER_PREFIX) or "sghx" in m.lower() or m in ("results.json", "report.json",
                                                                           "junit.xml", "results")
                    or (os.path.isfile(p) and holds_token(p))):
                found.append("a file appeared in the host's /tmp: %s" % p)
        for m in os.listdir("/tmp"):
            if m.startswith(MARKER_PREFIX):
                found.append("the marker %s exists" % os.path.join("/tmp", m))
        for p in sorted(repo_files() - before_repo):
            if "sghx" in p.lower() or os.path.basename(p) in ("results.json", "report.json", "junit.xml") \
                    or holds_token(p):
                found.append("a file appeared in the repository: %s" % p)
        left = os.listdir(self.tmpdir)
        if left:
            found.append("the grader left its work folder behind: %s" % left)
            for m in left:
                shutil.rmtree(os.path.join(self.tmpdir, m), ignore_errors=True)
        return found

    def control(self, name):
        """--sandbox none: the attack must be seen escaping (a passed check, an SGHX line in
        the report, or the listener reached). Run on a copy, so nothing lands in the repo."""
        copy = os.path.join(self.work, "control-" + name)
        shutil.copytree(os.path.join(FIXTURES, name), copy, symlinks=True)
        hits0 = len(self.listener.hits)
        code, out, err, secs, _ = self.run_grader(copy, "json", "none")
        seen = []
        try:
            for prog in json.loads(out).get("programs", []):
                seen += [c["id"] for c in prog.get("checks", []) if c.get("status") == "passed"]
        except ValueError:
            pass
        seen += [w.split(" (")[0] for w in self.leaks(out)]  # what, never the text
        if len(self.listener.hits) > hits0:
            seen.append("the listener was reached")
        shutil.rmtree(copy, ignore_errors=True)
        return seen, secs


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    grader = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or sorted(d for d in os.listdir(FIXTURES)
                                   if os.path.isfile(os.path.join(FIXTURES, d, "attack.json")))
    seed = int(os.environ.get("SEED", "7"))
    lock = os.open(FIXTURES, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)   # one suite at a time: the port and paths are shared
    suite = Suite(grader, seed, int(os.environ.get("HOSTILE_TIMEOUT", "60")),
                  int(os.environ.get("HOSTILE_RSS_MB", "512")),
                  int(os.environ.get("HOSTILE_RUN_MB", "576")))
    t0 = time.time()
    tap = Tap("hostile")
    try:
        # The sandbox works if the reference passes a check in it (a Valgrind check may be
        # missing its tool: that is not the sandbox's fault).
        code, out, err, _, _ = suite.run_grader(os.path.join(ROOT, "reference", "dtablesize.c"), "json")
        try:
            ref = json.loads(out)
            checks = [c for p in ref.get("programs", []) for c in p.get("checks", [])]
            ok = ref.get("sandbox") == "namespaces" and any(c.get("status") == "passed" for c in checks)
        except ValueError:
            ok = False
        if not ok:
            why = ("the namespace sandbox does not work here (the grader said: %s)"
                   % err.decode("utf-8", "replace").strip()[:300])
            return tap.bail(why) if os.environ.get("HOSTILE_REQUIRE") else tap.skip_all(why)
        for name in os.environ.get("HOSTILE_KNOWN", "").split():
            tap.skip(name, "known escape, not run in CI (see docs/security.md)")
        for name in names:
            problems, summary = suite.attack(name)
            tap.result("%s (%s)" % (name, summary), problems)
        if os.environ.get("HOSTILE_CONTROL") == "1":
            for name in names:
                with open(os.path.join(FIXTURES, name, "attack.json")) as f:
                    if not json.load(f).get("control"):
                        continue
                seen, secs = suite.control(name)
                tap.note("control %-17s %s (%.1f s)" % (name, "escapes unconfined: " + ", ".join(seen)
                                                        if seen else "NOT SEEN ESCAPING", secs))
    finally:
        suite.close()
    return tap.done("seed %d, %.0f s" % (seed, time.time() - t0))


if __name__ == "__main__":
    sys.exit(main())
