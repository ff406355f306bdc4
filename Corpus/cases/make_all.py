#!/usr/bin/env python3
"""Regenerates every audit case folder: `python3 Corpus/cases/make_all.py`."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases_3c  # noqa: F401  (imports every cases_*.py in order)
print("ok")
