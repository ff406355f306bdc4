#!/usr/bin/env python3
"""Copy a mutate.py directory with another delimiter and/or encoding, keeping
every record on the same physical line (so hunt.py's manifest still applies).
Characters the target encoding cannot hold become '?'.

    transcode.py SRC DST [--encoding cp1252|latin1] [--delimiter C]
"""
import csv, io, os, shutil, sys

src, dst = sys.argv[1], sys.argv[2]
enc = sys.argv[sys.argv.index("--encoding") + 1] if "--encoding" in sys.argv else "utf-8"
delim = sys.argv[sys.argv.index("--delimiter") + 1] if "--delimiter" in sys.argv else ","
delim = "\t" if delim == "\\t" else delim
os.makedirs(dst, exist_ok=True)
shutil.copy(os.path.join(src, "manifest.json"), dst)
for name in ("patients.csv", "immunizations.csv", "comments.csv", "query.csv"):
    rows = list(csv.reader(open(os.path.join(src, name), encoding="utf-8", newline="")))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    for r in rows:
        w.writerow(r)
    open(os.path.join(dst, name), "wb").write(buf.getvalue().encode(enc, errors="replace"))
