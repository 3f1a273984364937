#!/usr/bin/env python3
"""tap_check.py COMMAND [ARG...]: runs a test script, passes its output through as it comes,
and checks that its stdout is the TAP version 13 that tests/e2e/lib.sh and tests/e2e/tap.py
write, and that its exit status agrees with it. make runs every end-to-end script this way, so
a malformed stream fails the build instead of being half-read by a person or a harness.

Strict on purpose (the TAP specification leaves a harness free to ignore what it cannot read,
which would hide a broken script): the first line is `TAP version 13`; then only test lines
`ok N - ...` / `not ok N - ...` numbered 1, 2, 3..., comments `# ...`, one plan `1..N` (before
the first test or after the last; `1..0 # SKIP reason` when nothing ran) and `Bail out!`, after
which nothing is read. A `#` in a description must be escaped (`\\#`) unless it starts a SKIP
or TODO directive. The plan must count the tests. The exit status must be non-zero after a
failure (a `not ok` without TODO) or a bail-out, and zero otherwise.

Exit status: 0 every test passed or was skipped; 1 the TAP is valid and a test failed or the
script bailed out; 2 usage; 3 the TAP is malformed or the exit status disagrees with it.
"""
import re
import subprocess
import sys

TEST = re.compile(r"(not )?ok (\d+)(?: - (.*))?\Z")
PLAN = re.compile(r"1\.\.(\d+)(?:\s+#\s*(.*))?\Z")
DIRECTIVE = re.compile(r"(SKIP|TODO)\b", re.IGNORECASE)


def unescaped_hash(text):
    """The index of the first `#` not escaped by a backslash, or -1."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "#":
            return i
        i += 1
    return -1


class Checker:
    def __init__(self):
        self.lineno = 0
        self.problems = []
        self.tests = 0
        self.failed = 0
        self.plan = None          # (count, line number)
        self.plan_after_tests = False
        self.bailed = False
        self.seen_version = False

    def problem(self, text):
        self.problems.append(f"line {self.lineno}: {text}")

    def line(self, text):
        self.lineno += 1
        if self.bailed:
            return
        if not self.seen_version:
            self.seen_version = True
            if text != "TAP version 13":
                self.problem(f"the first line is not 'TAP version 13': {text!r}")
            return
        if text.startswith("#"):
            return
        if text.startswith("Bail out!"):
            self.bailed = True
            return
        m = PLAN.match(text)
        if m:
            return self.on_plan(int(m.group(1)), m.group(2))
        m = TEST.match(text)
        if m:
            return self.on_test(m.group(1) is not None, int(m.group(2)), m.group(3) or "")
        self.problem(f"not TAP: {text!r}")

    def on_plan(self, count, directive):
        if self.plan is not None:
            return self.problem(f"a second plan (the first on line {self.plan[1]})")
        self.plan = (count, self.lineno)
        self.plan_after_tests = self.tests > 0
        if directive is not None and not (count == 0 and DIRECTIVE.match(directive)
                                          and directive[:4].upper() == "SKIP"):
            self.problem(f"a plan may only carry '# SKIP' and only as 1..0: {directive!r}")

    def on_test(self, failed, number, rest):
        if self.plan is not None and self.plan_after_tests:
            self.problem("a test after the closing plan")
        self.tests += 1
        if number != self.tests:
            self.problem(f"test numbered {number}, expected {self.tests}")
        cut = unescaped_hash(rest)
        todo = False
        if cut >= 0:
            directive = rest[cut + 1:].strip()
            m = DIRECTIVE.match(directive)
            if not m:
                self.problem(f"an unescaped '#' in the description: {rest!r}")
            elif m.group(1).upper() == "SKIP" and failed:
                self.problem("'not ok' with a SKIP directive")
            todo = bool(m) and m.group(1).upper() == "TODO"
        if failed and not todo:
            self.failed += 1

    def finish(self, status):
        if not self.seen_version:
            self.problems.append("no output")
        elif not self.bailed:
            if self.plan is None:
                self.problems.append(f"no plan ({self.tests} tests)")
            elif self.plan[0] != self.tests:
                self.problems.append(f"the plan says {self.plan[0]} tests, {self.tests} ran")
        if status < 0:
            self.problems.append(f"killed by signal {-status}")
        elif (self.failed or self.bailed) and status == 0:
            why = "a bail-out" if self.bailed else f"{self.failed} failed tests"
            self.problems.append(f"exit status 0 after {why}")
        elif not (self.failed or self.bailed) and status != 0:
            self.problems.append(f"exit status {status}, though no test failed")
        if self.problems:
            return 3
        return 1 if self.failed or self.bailed else 0


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    checker = Checker()
    proc = subprocess.Popen(argv[1:], stdout=subprocess.PIPE)
    out = sys.stdout.buffer
    try:
        for raw in proc.stdout:
            out.write(raw)
            out.flush()
            checker.line(raw.decode("utf-8", "replace").rstrip("\n"))
    except KeyboardInterrupt:   # Ctrl-C reached the script too: let it clean up and end
        proc.wait()
        return 130
    result = checker.finish(proc.wait())
    name = " ".join(argv[1:])
    for p in checker.problems:
        sys.stderr.write(f"tap_check: {name}: {p}\n")
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv))
