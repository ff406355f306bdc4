#!/usr/bin/env python3
"""Run cair2 and the oracle over a mutate.py directory and attribute every
disagreement to its mutation (column and made-up value).

    hunt.py CAIR2 DIR [--org ACMEHP] [--as-of DATE] [--extra "ARGS"]

Per record it compares: the set of (field, code) report rows at the record's
line, and (for written records) each fixed-width field.  Prints one line per
disagreeing mutation: kind, column, value (repr), cair2's view, oracle's view.
"""
import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle import LAYOUTS  # noqa: E402

FILES = {"patient": "patients.csv", "immunization": "immunizations.csv", "comment": "comments.csv",
         "query": "query.csv"}


def run(argv, out):
    p = subprocess.run(argv + ["--out-dir", out], capture_output=True)
    return p.returncode, p.stderr.decode(errors="replace")


def reports(out):
    rows = defaultdict(set)
    for name in ("rejects.csv", "warnings.csv"):
        path = os.path.join(out, name)
        if not os.path.exists(path):
            continue
        with open(path, newline="") as fh:
            for r in csv.DictReader(fh):
                rows[(os.path.basename(r["file"]), int(r["line"]))].add((r["field"], r["code"]))
    return rows


def fixed(out, kind):
    """{record id: [dict of fields]} from a fixed-width output."""
    path = os.path.join(out, kind + ".txt")
    recs = defaultdict(list)
    if not os.path.exists(path):
        return recs
    for line in open(path, "rb").read().split(b"\r\n"):
        if not line:
            continue
        f = {}
        for name, start, length in LAYOUTS[kind]:
            f[name or "filler"] = line[start - 1:start - 1 + length].decode("latin-1")
        f["_len"] = str(len(line))
        key = f["hp_member_id"] if kind == "query" else f["record_id"]
        recs[key.rstrip(" ")].append(f)
    return recs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cair2")
    ap.add_argument("dir")
    ap.add_argument("--org", default="ACMEHP")
    ap.add_argument("--as-of")
    ap.add_argument("--extra", default="")
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.dir, "manifest.json")))
    as_of = a.as_of or man["as_of"]
    work = tempfile.mkdtemp(prefix="cair2-hunt-")
    d = os.path.abspath(a.dir)
    results = {}
    for mode in ("batch", "query"):
        if mode == "batch":
            ins = ["--patients", d + "/patients.csv", "--immunizations", d + "/immunizations.csv",
                   "--comments", d + "/comments.csv", "--org", a.org]
        else:
            ins = ["--query", d + "/query.csv"]
        common = ins + ["--as-of", as_of] + shlex.split(a.extra)
        for who, argv in (("cair2", [a.cair2, "convert"]), ("oracle", ["python3", os.path.join(HERE, "oracle.py")])):
            out = os.path.join(work, mode + "-" + who)
            rc, err = run(argv + common, out)
            if rc != 0:
                print("%s %s exit %d: %s" % (who, mode, rc, err[-300:]))
            results[(mode, who)] = out
    disagreements = 0
    compared = 0
    cache = {}

    def get(fn, *args):
        if (fn, args) not in cache:
            cache[(fn, args)] = fn(*args)
        return cache[(fn, args)]
    for rec in man["records"]:
        kind = rec["kind"]
        mode = "query" if kind == "query" else "batch"
        oc, oo = results[(mode, "cair2")], results[(mode, "oracle")]
        key = (FILES[kind], rec["line"])
        rc, ro = get(reports, oc).get(key, set()), get(reports, oo).get(key, set())
        compared += 1
        diffs = []
        if rc != ro:
            diffs.append("reports cair2=%s oracle=%s" % (sorted(rc), sorted(ro)))
        rid = rec["id"].strip() if isinstance(rec["id"], str) else rec["id"]
        fc, fo = get(fixed, oc, kind).get(rid, []), get(fixed, oo, kind).get(rid, [])
        if len(fc) != len(fo):
            diffs.append("written cair2=%d oracle=%d" % (len(fc), len(fo)))
        else:
            for x, y in zip(fc, fo):
                for name in x:
                    if x[name] != y[name]:
                        diffs.append("field %s cair2=%r oracle=%r" % (name, x[name].rstrip(), y[name].rstrip()))
        if diffs:
            disagreements += 1
            print("%s line %d col %s value %r: %s" % (kind, rec["line"], rec["column"], rec["value"], "; ".join(diffs)))
    print("compared %d mutated records; %d disagree" % (compared, disagreements))
    import compare
    for mode in ("batch", "query"):
        probs = compare.diff_dirs(0, results[(mode, "cair2")], 0, results[(mode, "oracle")], ("cair2", "oracle"), 3)
        print("whole-run %s: %s" % (mode, "SAME" if not probs else "%d differences (see above)" % len(probs)))
        for p in probs:
            if p.startswith("summary"):
                print("  " + p)


if __name__ == "__main__":
    main()
