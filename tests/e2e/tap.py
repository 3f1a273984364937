"""TAP version 13 for the Python runners (run_fixtures.py, hostile.py), written as
tests/e2e/lib.sh writes it for the shell scripts, so that tests/e2e/tap_check.py reads every
end-to-end test alike: `ok N - what` / `not ok N - what` with a failure's details as `# `
lines under it, `# SKIP`, the plan `1..N` at the end and a closing comment
`# NAME: N passed, N failed`. Every line is flushed at once: the runs are long, and a person
(or make) watches them as they go.
"""
import sys


def desc(text):
    """One line, `\\` and `#` escaped so that no part of it is read as a directive."""
    return " ".join(str(text).splitlines()).replace("\\", "\\\\").replace("#", "\\#")


class Tap:
    def __init__(self, name):
        self.name = name
        self.n = self.passed = self.failed = self.skipped = 0
        self._out("TAP version 13")

    @staticmethod
    def _out(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def note(self, text):
        for line in str(text).splitlines() or [""]:
            self._out("# " + line)

    def result(self, description, problems=()):
        """A passed test when PROBLEMS is empty, else a failed one with them as details."""
        self.n += 1
        if problems:
            self.failed += 1
            self._out(f"not ok {self.n} - {desc(description)}")
            for p in problems:
                for line in str(p).splitlines() or [""]:
                    self._out("#     " + line)
        else:
            self.passed += 1
            self._out(f"ok {self.n} - {desc(description)}")

    def skip(self, description, reason):
        self.n += 1
        self.skipped += 1
        self._out(f"ok {self.n} - {desc(description)} # SKIP {desc(reason)}")

    def skip_all(self, reason):
        """Nothing can run here (before any test); returns the exit status, 0."""
        self._out(f"1..0 # SKIP {desc(reason)}")
        return 0

    def bail(self, reason):
        """The run cannot go on; returns the exit status, 1."""
        self._out(f"Bail out! {desc(reason)}")
        return 1

    def done(self, detail=""):
        """The plan and the summary (DETAIL in parentheses after it); returns the exit status."""
        self._out(f"1..{self.n}")
        summary = f"{self.name}: {self.passed} passed, {self.failed} failed"
        if self.skipped:
            summary += f", {self.skipped} skipped"
        self._out("# " + summary + (f" ({detail})" if detail else ""))
        return 1 if self.failed else 0
