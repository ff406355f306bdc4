#!/usr/bin/env python3
"""Run two implementations of `cair2 convert` on the same inputs and diff them
(adapted from /work/shared/conformance/check).

    compare.py --a "CMD" --b "CMD" [--patients F] [--immunizations F]
               [--comments F] [--query F] [-- extra convert args]
    compare.py --a "CMD" --case DIR        # a conformance case: A vs expected/
    compare.py --a "CMD" --b "CMD" --case DIR

Compares the exit status, each fixed-width file byte for byte (first differing
line, column and field name), rejects.csv / warnings.csv as sets of
(file name, line, field, code), and the per-kind counts of summary.json.
Prints the differences (no field values: only positions, field names, codes)
and exits 1 if there are any.
"""
import argparse
import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import LAYOUTS  # noqa: E402

FIXED = ("patient.txt", "immunization.txt", "comment.txt", "query.txt")
COUNTS = ("input_records", "written", "rejected", "excluded")
INPUTS = (("patients.csv", "--patients"), ("immunizations.csv", "--immunizations"),
          ("comments.csv", "--comments"), ("query.csv", "--query"))


def report_rows(path):
    with open(path, newline="") as fh:
        return {(os.path.basename(r.get("file", "")), int(r.get("line") or 0), r.get("field", ""), r.get("code", ""))
                for r in csv.DictReader(fh)}


def field_at(kind, col):
    for name, start, length in LAYOUTS.get(kind, []):
        if start <= col < start + length:
            return name or "filler"
    return "end of line"


def first_difference(name, a, b):
    kind = name.split(".")[0]
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            col = next((j for j, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            return "line %d, column %d (%s)" % (i + 1, col + 1, field_at(kind, col + 1))
    return "line count %d vs %d" % (len(la), len(lb))


def differing_lines(a, b):
    la, lb = a.split(b"\n"), b.split(b"\n")
    return sum(1 for x, y in zip(la, lb) if x != y) + abs(len(la) - len(lb))


def summary_counts(path):
    with open(path) as fh:
        doc = json.load(fh)
    out = {}
    for f in doc.get("files", []):
        out[f.get("kind")] = {k: f.get(k) for k in COUNTS} | {"warnings": f.get("warnings", {})}
    return out


def run(cmd, inputs, extra, workdir, out):
    argv = shlex.split(cmd) if cmd.split()[-1].endswith(".py") else shlex.split(cmd) + ["convert"]
    for flag, path in inputs:
        argv += [flag, path]
    argv += extra + ["--out-dir", out]
    p = subprocess.run(argv, cwd=workdir, capture_output=True)
    return p.returncode, p.stderr.decode(errors="replace")


def diff_dirs(ra, da, rb, db, names=("A", "B"), limit=8):
    problems = []
    if ra != rb:
        problems.append("exit status %s %d vs %s %d" % (names[0], ra, names[1], rb))
    for name in FIXED:
        a, b = os.path.join(da, name), os.path.join(db, name)
        ea, eb = os.path.exists(a), os.path.exists(b)
        if ea != eb:
            problems.append("%s: exists in %s only" % (name, names[0] if ea else names[1]))
            continue
        if not ea:
            continue
        ba, bb = open(a, "rb").read(), open(b, "rb").read()
        if ba != bb:
            problems.append("%s differs: %s; %d differing lines" % (name, first_difference(name, ba, bb),
                                                                    differing_lines(ba, bb)))
    for name in ("rejects.csv", "warnings.csv"):
        a, b = os.path.join(da, name), os.path.join(db, name)
        if not (os.path.exists(a) and os.path.exists(b)):
            if os.path.exists(a) != os.path.exists(b):
                problems.append("%s: missing on one side" % name)
            continue
        ga, gb = report_rows(a), report_rows(b)
        for row in sorted(ga - gb)[:limit]:
            problems.append("%s: %s only %s" % (name, names[0], row))
        for row in sorted(gb - ga)[:limit]:
            problems.append("%s: %s only %s" % (name, names[1], row))
        if len(ga - gb) > limit or len(gb - ga) > limit:
            problems.append("%s: %d rows %s only, %d rows %s only" % (name, len(ga - gb), names[0],
                                                                     len(gb - ga), names[1]))
    a, b = os.path.join(da, "summary.json"), os.path.join(db, "summary.json")
    if os.path.exists(a) and os.path.exists(b):
        sa, sb = summary_counts(a), summary_counts(b)
        for kind in sorted(set(sa) | set(sb)):
            if sa.get(kind) != sb.get(kind):
                problems.append("summary %s: %s %s vs %s %s" % (kind, names[0], sa.get(kind), names[1], sb.get(kind)))
    return problems


def compare(cmd_a, cmd_b, inputs, extra, keep=None):
    """inputs: [(flag, absolute path)].  Returns the list of differences."""
    work = tempfile.mkdtemp(prefix="cair2-cmp-")
    try:
        oa, ob = os.path.join(work, "a"), os.path.join(work, "b")
        ra, ea = run(cmd_a, inputs, extra, work, oa)
        rb, eb = run(cmd_b, inputs, extra, work, ob)
        probs = diff_dirs(ra, oa, rb, ob)
        if ra != rb:
            probs.append("stderr A: %s | B: %s" % (ea.strip()[-200:], eb.strip()[-200:]))
        return probs
    finally:
        if keep:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(work, keep)
        shutil.rmtree(work, ignore_errors=True)


def case_inputs(case):
    return [(flag, fname) for fname, flag in INPUTS if os.path.exists(os.path.join(case, fname))]


def run_case(cmd_a, cmd_b, case):
    work = tempfile.mkdtemp(prefix="cair2-case-")
    try:
        for name in os.listdir(case):
            if os.path.isfile(os.path.join(case, name)):
                shutil.copy(os.path.join(case, name), work)
        extra = shlex.split(open(os.path.join(case, "args")).read())
        inputs = case_inputs(case)
        ra, _ = run(cmd_a, inputs, extra, work, os.path.join(work, "a"))
        if cmd_b:
            rb, _ = run(cmd_b, inputs, extra, work, os.path.join(work, "b"))
            return diff_dirs(ra, os.path.join(work, "a"), rb, os.path.join(work, "b"))
        return diff_dirs(ra, os.path.join(work, "a"), 0, os.path.join(case, "expected"), ("got", "expected"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b")
    ap.add_argument("--case", action="append")
    ap.add_argument("--keep")
    for _, flag in INPUTS:
        ap.add_argument(flag)
    a, extra = ap.parse_known_args()
    if extra and extra[0] == "--":
        extra = extra[1:]
    if a.case:
        bad = 0
        for c in a.case:
            probs = run_case(a.a, a.b, c)
            print(("FAIL " if probs else "PASS ") + os.path.basename(c.rstrip("/")))
            for p in probs[:30]:
                print("  " + p)
            bad += bool(probs)
        return 1 if bad else 0
    inputs = [(flag, os.path.abspath(getattr(a, flag[2:]))) for _, flag in INPUTS if getattr(a, flag[2:])]
    probs = compare(a.a, a.b, inputs, extra, a.keep)
    for p in probs:
        print(p)
    print("SAME" if not probs else "%d differences" % len(probs))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
