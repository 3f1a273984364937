#!/usr/bin/env python3
"""same_verdicts.py BASE OTHER [LABEL]: two native reports of the same submissions and seed, graded
two ways (another compiler, another sandbox mode), give every check the same status. A check
that OTHER could not run on its machine (skipped, "not counted", max 0) is left out, and so is
one whose status BASE itself did not decide (error). Prints the differences and a count line."""
import json
import sys


def checks(path):
    r = json.load(open(path))
    return {(p["name"], c["id"]): c for p in r["programs"] for c in p["checks"]}, r


base, rb = checks(sys.argv[1])
other, ro = checks(sys.argv[2])
label = sys.argv[3] if len(sys.argv) > 3 else "verdicts"
bad = compared = not_counted = 0
assert set(base) == set(other), sorted(set(base) ^ set(other))[:10]
for key, b in sorted(base.items()):
    o = other[key]
    if o["status"] == "skipped" and o["max_score"] == 0 and (o.get("actual") or "").startswith("not counted"):
        not_counted += 1
        continue
    if b["status"] == "error":
        continue
    compared += 1
    if o["status"] != b["status"]:
        bad += 1
        print(f"{key[0]}/{key[1]}: {o['status']}, {b['status']} in the base run: {(o.get('actual') or '')[:200]}")
print(f"{label}: {compared} checks compared, {not_counted} not counted, {bad} differ "
      f"(seed {rb['seed']}, sandbox {rb['sandbox']} / {ro['sandbox']})")
assert rb["seed"] == ro["seed"], (rb["seed"], ro["seed"])
sys.exit(1 if bad or not compared else 0)
