#!/usr/bin/env python3
"""Writes the input-layer regression cases (PRODUCT.md §3c compressed input, UTF-16 and delimiter checks; §4a
header row and record length) from hand-derived expectations, like Corpus/cases/make_all.py.

Fixed-width lines come from mkcase.render (the layout tables parsed from Layout.swift), report rows and counts are
written by hand below; nothing is recorded from the tool. Compressed inputs are made here with Python's gzip and
(for zstd) the `zstd` program, so the bytes the tool reads are not the tool's own.

Usage: python3 Corpus/regressions/make_input_cases.py
"""
import gzip, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cases"))
import mkcase  # noqa: E402
from mkcase import P, write  # noqa: E402

mkcase.CASES = HERE
PH = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date"
PF = "patients.csv"
MIB = 1 << 20


def prow(rid, first="Ann", last="Smith", birth="2000-01-02", disc="Y", dd="2020-01-01"):
    return ",".join([rid, first, last, birth, disc, dd])


def R(line, rid, field, code):
    return (PF, line, rid, field, code, code.lower())


def compressed(name, data_name, data, args_extra=""):
    """Replaces a case's patients.csv by `data_name` holding `data`, named on the command line; the report rows'
    file column follows (it is the input path as given)."""
    d = os.path.join(HERE, name)
    os.remove(os.path.join(d, PF))
    write(os.path.join(d, data_name), data)
    write(os.path.join(d, "args"), "--patients %s --org ACMEHP --as-of 2026-01-15%s\n" % (data_name, args_extra))
    for rep in ("rejects.csv", "warnings.csv"):
        p = os.path.join(d, "expected", rep)
        if os.path.exists(p):
            text = open(p).read().replace("\n" + PF + ",", "\n" + data_name + ",")
            write(p, text)


def gzip_members(data, cuts):
    """`data` as concatenated gzip members, cut at the given offsets (mid-record on purpose)."""
    out, prev = b"", 0
    for c in list(cuts) + [len(data)]:
        out += gzip.compress(data[prev:c], mtime=0)
        prev = c
    return out


# ------------------------------------------------------------------ compressed input (§3c)
BODY = "".join(r + "\n" for r in [
    PH,
    prow("G1"),
    prow("G2", '"Mary\nJane"'),          # a quoted line break: one record on lines 3-4
    prow("G3", "Bob", birth="2000-13-01"),  # E_DATE birth_date
    prow("G4", "Cy", disc="N"),           # X_NOT_DISCLOSED only
    prow("G5", "Di"),
])
NOTES_GZ = """
Pins §3c "Compressed input: a `.gz` file (or any input starting with gzip's magic bytes) is decompressed as a
stream, like `.zst`", with the members concatenated: `patients.csv.gz` is three gzip members (Python's gzip), cut in
the middle of a record and in the middle of a quoted line break, so the stream must read every member and join
them byte for byte.

Expected, by the rules of §2/§3/§3a as for a plain file:
- L2 G1 written (ANN SMITH).
- L3 G2 `"Mary<LF>Jane"`: one record on lines 3-4; the line break is whitespace, a blank (§3a) -> MARY JANE.
- L5 G3 birth date 2000-13-01 is not a real date -> E_DATE birth_date.
- L6 G4 disclosed N -> X_NOT_DISCLOSED only.
- L7 G5 written (DI SMITH).
The report rows name the input as given, `patients.csv.gz`.
"""
EXPECT = dict(out={"patient": [P("G1", "ANN"), P("G2", "MARY JANE"), P("G5", "DI")]},
              rejects=[R(5, "G3", "birth_date", "E_DATE"), R(6, "G4", "disclosed", "X_NOT_DISCLOSED")],
              inputs={"patient": 5})

mkcase.case("input-gzip-members", NOTES_GZ, {PF: BODY}, **EXPECT)
raw = BODY.encode()
cut1 = raw.index(b"Mary") + 5          # inside the quoted line break's record
cut2 = raw.index(b"G4") + 1            # inside a record id
compressed("input-gzip-members", "patients.csv.gz", gzip_members(raw, [cut1, cut2]))

mkcase.case("input-zstd-unnamed", """
Pins §3c "(and a zstd stream without the `.zst` name likewise)": `patients.dat` holds the bytes of
`input-gzip-members`' CSV compressed by the `zstd` program; no `.zst` in its name, so only its magic bytes
(28 B5 2F FD) say what it is. The expected outputs are those of `input-gzip-members`, for the same reasons; the
report rows name `patients.dat`.
""", {PF: BODY}, **EXPECT)
zst = subprocess.run(["zstd", "-q", "-c", "-19"], input=raw, stdout=subprocess.PIPE, check=True).stdout
compressed("input-zstd-unnamed", "patients.dat", zst)

# ------------------------------------------------------------------ header row (§3c, §4a): exit 2, nothing written
SECRET = prow("H1", "Quenneville", "Zzyzx")
mkcase.case("header-open-quote", """
Pins §4a "a header that ends inside an open quote ... is exit 2 ("the header row is malformed: ..."), nothing
written, and no header text is printed". The header's last column is `"notes` (a quote never closed): before the
rule, the whole file became the header, every record was printed on stderr as an unknown column, and the run wrote
an empty patient.txt with exit 0. `Tests/CAIR2KitTests/InputLayerTests.swift` checks the stderr holds none of the
member's values.
""", {PF: PH + ',"notes\n' + SECRET + ",x\n" + prow("H2") + ",y\n"}, exit=2)

mkcase.case("header-cr-only", """
Pins §4a "a header that ... holds a lone CR (a file with CR-only line ends) ... is exit 2": every line ends with
CR alone (old Mac style), so there is no row end at all; a lone CR is data (§3a), which made the whole file one
header row before the rule.
""", {PF: PH + "\r" + SECRET + "\r" + prow("H2") + "\r"}, exit=2)

mkcase.case("header-too-long", """
Pins §4a "a header that ... is longer than 1 MiB is exit 2", on a streamed input: `patients.csv.gz` decompresses to
a header row of 1 MiB + 1 bytes (the canonical names, then one unknown column of `x`), then one record. The
streamed header read stops at the limit (a zstd or gzip bomb of one endless line no longer grows the buffer).
""", {PF: "x"}, exit=2)
long_header = PH + ",c" + "x" * (MIB + 1 - len(PH) - 2)
assert len(long_header) == MIB + 1
compressed("header-too-long", "patients.csv.gz",
           gzip.compress((long_header + "\n" + prow("H1") + ",x\n").encode(), mtime=0))

mkcase.case("header-exactly-1mib", """
The other side of `header-too-long`: a header row of exactly 1 MiB (1,048,576 bytes before its CR LF) is read.
Its last column `cx...x` is unknown and ignored (§2); the console lists it cut to 64 characters (checked by
`InputLayerTests`). L2 H1 has the matching 7 fields -> written. Streamed (gzip) as well.
""", {PF: "x"}, out={"patient": [P("H1", "ANN")]}, inputs={"patient": 1})
exact_header = PH + ",c" + "x" * (MIB - len(PH) - 2)
assert len(exact_header) == MIB
compressed("header-exactly-1mib", "patients.csv.gz",
           gzip.compress((exact_header + "\r\n" + prow("H1") + ",x\r\n").encode(), mtime=0))

mkcase.case("header-utf16", """
Pins §3c "A file starting with a UTF-16 byte-order mark is exit 2 with the command that re-encodes it": the CSV
of `input-gzip-members` as UTF-16 little-endian with its BOM (FF FE), as Excel's "Unicode text" writes it.
""", {PF: b"\xff\xfe" + BODY.encode("utf-16-le")}, exit=2)

mkcase.case("header-pipe-without-delimiter", """
Pins §3c "A header row that holds no delimiter but holds `|`, a tab or `;` is exit 2 naming the delimiter to
pass": a pipe-delimited extract converted without `--delimiter '|'` (before the rule: "required column 'record_id'
is missing").
""", {PF: BODY.replace(",", "|")}, exit=2)

# ------------------------------------------------------------------ record length (§4a)
LONG_NOTES = """
Pins §4a "A record longer than 1 MiB (its bytes from the start of its first line to its row end, quoted line
breaks included) is rejected `E_RECORD_TOO_LONG` (field empty) and reading goes on after it; a quote that never
closes stays one `E_UNTERMINATED_QUOTE` record". The row end (LF or CR LF) is not counted.

- L2 T1 written.
- L3 T2: first_name is quoted and holds 3 line breaks; the record, lines 3-6, is 1,048,577 bytes -> E_RECORD_TOO_LONG,
  record_id blank (the record is not read further), field empty. Counted as rejected; not examined for duplicates.
- L7 T3 written: the reading went on, and the line count includes T2's quoted line breaks.
- L8 T4: an unquoted record of exactly 1,048,576 bytes ending in CR LF: not too long. Its first_name (letters only)
  is longer than the field's 50 -> cut, W_TRUNCATED first_name, written.
- L9 T2 again: its id was never seen (T2's record was not read), so this is no duplicate -> written.
- L10 T5: a quote opened in first_name never closes: E_UNTERMINATED_QUOTE at line 10 (the rest of the file, 1.1 MB,
  is that record), not E_RECORD_TOO_LONG.

`record-too-long` reads the file mapped; `record-too-long-streamed` reads the same bytes gzip-compressed with
`--block-size 65536`, so each long record is followed to its end across many stream blocks without being held.
"""


def long_body():
    t2_head = 'T2,"Long'
    t2_tail = '",Smith,2000-01-02,Y,2020-01-01'
    filler = MIB + 1 - len(t2_head) - len(t2_tail)
    q = filler // 4
    quoted = ("a" * (q - 1) + "\n") * 3 + "a" * (filler - 3 * q)
    t2 = t2_head + quoted + t2_tail
    assert len(t2) == MIB + 1 and t2.count("\n") == 3
    t4_rest = ",Smith,2000-01-02,Y,2020-01-01"
    t4 = "T4," + "B" * (MIB - 3 - len(t4_rest)) + t4_rest
    assert len(t4) == MIB
    t5 = 'T5,"Open,Smith,2000-01-02,Y,2020-01-01\n' + ("c" * 1000 + "\n") * 1100
    return PH + "\n" + prow("T1") + "\n" + t2 + "\n" + prow("T3", "Cy") + "\n" + t4 + "\r\n" + prow("T2", "Di") + "\n" + t5


LONG = long_body()
LONG_EXPECT = dict(out={"patient": [P("T1", "ANN"), P("T3", "CY"), P("T4", "B" * 50), P("T2", "DI")]},
                   rejects=[R(3, "", "", "E_RECORD_TOO_LONG"), R(10, "", "", "E_UNTERMINATED_QUOTE")],
                   warnings=[R(8, "T4", "first_name", "W_TRUNCATED")],
                   inputs={"patient": 6})
mkcase.case("record-too-long", LONG_NOTES, {PF: "x"}, **LONG_EXPECT)
# 3 MB of plain text: kept gzip-compressed in git and expanded by GoldenTests (gzip -dc) into patients.csv.
os.remove(os.path.join(HERE, "record-too-long", PF))
write(os.path.join(HERE, "record-too-long", PF + ".gunzip"), gzip.compress(LONG.encode(), mtime=0))
mkcase.case("record-too-long-streamed", LONG_NOTES, {PF: "x"}, **LONG_EXPECT)
compressed("record-too-long-streamed", "patients.csv.gz", gzip.compress(LONG.encode(), mtime=0), " --block-size 65536")
print("input cases written")
