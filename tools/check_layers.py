#!/usr/bin/env python3
"""Fails on an include that breaks the grader's module boundaries (docs/design.md, "The house").

Each folder of grader/ is one module. A module may include its own headers (by bare name),
and the public headers of the modules below it (by "module/header.h"); never a module at its
own level or above, never another module's private header, and no include circle between
files. Run by `make test`; exits 1 and names every offending line.
"""
import os
import re
import sys

# Top to bottom. A module includes only modules with a smaller rank; peer and sandbox share a
# rank, so neither may include the other.
MODULES = {
    "cli":     (8, set()),
    "batch":   (7, {"batch.h"}),
    "report":  (6, {"report.h", "html.h"}),
    "grade":   (5, {"grade.h", "discover.h", "build.h", "cache.h"}),
    "check":   (4, {"check.h", "env.h"}),
    "peer":    (3, {"peer.h", "driver.h", "netstate.h", "observe.h"}),
    "sandbox": (3, {"sandbox.h"}),
    "result":  (2, {"result.h", "result_json.h"}),
    "spec":    (1, {"spec.h", "values.h"}),
    "util":    (0, {"util.h", "rng.h", "json_utf8.h", "sha256.h", "pool.h", "workdir.h"}),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def edges(root):
    """Yields (file, line number, included path as written, resolved file or None)."""
    for mod in sorted(os.listdir(root)):
        folder = os.path.join(root, mod)
        if not os.path.isdir(folder):
            yield os.path.join(root, mod), 0, None, None
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                for no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m:
                        inc = m.group(1)
                        local = os.path.join(folder, inc)
                        target = local if os.path.exists(local) else os.path.join(root, inc)
                        yield path, no, inc, target if os.path.exists(target) else None


def judge(root):
    problems, graph = [], {}
    for path, no, inc, target in edges(root):
        if inc is None:
            problems.append(f"{path}: not inside a module folder")
            continue
        mod = os.path.basename(os.path.dirname(path))
        where = f"{path}:{no}: #include \"{inc}\""
        if mod not in MODULES:
            problems.append(f"{where}: {mod}/ is not a module listed in tools/check_layers.py")
            continue
        if target is None:
            problems.append(f"{where}: no such header under grader/")
            continue
        graph.setdefault(path, set()).add(target)
        other = os.path.basename(os.path.dirname(target))
        if other == mod:
            if "/" in inc:
                problems.append(f"{where}: a module names its own headers without the folder")
            continue
        if "/" not in inc:
            problems.append(f"{where}: another module's header is named as \"{other}/...\"")
        if other not in MODULES or MODULES[other][0] >= MODULES[mod][0]:
            problems.append(f"{where}: {mod} (level {MODULES[mod][0]}) may not depend on "
                            f"{other} (level {MODULES.get(other, ('?',))[0]}): includes go down")
        elif os.path.basename(target) not in MODULES[other][1]:
            problems.append(f"{where}: {os.path.basename(target)} is private to {other}/ "
                            f"(public: {', '.join(sorted(MODULES[other][1]))})")
    problems += circles(graph)
    return problems


def circles(graph):
    found, state = [], {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append("include circle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "grader"
    problems = judge(root)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} include(s) against the module direction")
        return 1
    print(f"layers: every include of {root}/ goes down ({len(MODULES)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
