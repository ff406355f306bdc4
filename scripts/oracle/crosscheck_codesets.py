#!/usr/bin/env python3
"""Cross-check the code sets the oracle parses from seed 002 against the
transcription in Sources/CAIR2Core/CodeSetData.swift (read as text only)."""
import os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import CODESETS

SWIFT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../Sources/CAIR2Core/CodeSetData.swift")
text = open(SWIFT, encoding="utf-8").read()
names = dict(re.findall(r'case (\w+) = "([^"]+)"', text))
bad = 0
for case, body in re.findall(r'case \.(\w+): return \[(.*?)\]\n', text, re.S):
    entries = [(a, b.replace('\\"', '"')) for a, b in re.findall(r'\("((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"\)', body)]
    seed = CODESETS.get(names.get(case, ""))
    if seed is None:
        print("%s (%s): not a seed table" % (case, names.get(case)))
        continue
    if entries != seed:
        bad += 1
        print("%s: %d swift vs %d seed" % (case, len(entries), len(seed)))
        for e in entries:
            if e not in seed:
                print("   swift only:", e)
        for e in seed:
            if e not in entries:
                print("   seed only: ", e)
print("differing sets:", bad)
