#!/usr/bin/env python3
"""Byte-level cases (CSV structure, encodings, delimiters, headers, command
line) run through both implementations with compare.py.

    csvedge.py CAIR2 [CASE-PREFIX ...]

Each case is a handful of made-up rows; prints SAME or the differences.
"""
import os
import json
import shlex
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
from mutate import BASE_PATIENT, BASE_IMM, BASE_COMMENT, BASE_QUERY  # noqa: E402
from oracle import CANON  # noqa: E402

PCOLS = CANON["patient"]


def prow(rid, d=b",", **over):
    rec = dict(BASE_PATIENT, record_id=rid, **over)
    return d.join(rec[c].encode() for c in PCOLS)


def pcells(rid, **over):
    rec = dict(BASE_PATIENT, record_id=rid, **over)
    return [rec[c].encode() for c in PCOLS]


HEAD = b",".join(c.encode() for c in PCOLS)
IHEAD = b",".join(c.encode() for c in CANON["immunization"])
CHEAD = b",".join(c.encode() for c in CANON["comment"])
QHEAD = b",".join(c.encode() for c in CANON["query"])


def irow(rid, **over):
    rec = dict(BASE_IMM, record_id=rid, **over)
    return b",".join(rec[c].encode() for c in CANON["immunization"])


def row_with(rid, col, raw):
    """A patient row whose `col` cell is the raw bytes given."""
    cells = pcells(rid)
    cells[PCOLS.index(col)] = raw
    return b",".join(cells)


def lines(*rows, end=b"\n"):
    return b"".join(r + end for r in rows)


CASES = {}


def case(name, patients=None, imms=None, comments=None, query=None, args="--org ACMEHP --as-of 2026-01-15", map=None):
    CASES[name] = dict(patients=patients, immunizations=imms, comments=comments, query=query, args=args, map=map)


# --- quoting
case("q-closing-then-bytes", lines(HEAD, row_with("A1", "first_name", b'"Ma"ria'), prow("A2")))
case("q-quote-inside-unquoted", lines(HEAD, row_with("A1", "first_name", b'Ma"ria'), prow("A2")))
case("q-blank-before-quote", lines(HEAD, row_with("A1", "first_name", b' "Maria"'), prow("A2")))
case("q-blank-before-quote-comma", lines(HEAD, row_with("A1", "street_address", b' "1 Main, Apt 2"'), prow("A2")))
case("q-embedded-lf", lines(HEAD, row_with("A1", "street_address", b'"1 Main\nApt 2"'), prow("A2", first_name="Ann2")))
case("q-embedded-crlf", lines(HEAD, row_with("A1", "street_address", b'"1 Main\r\nApt 2"'), prow("A2", first_name="Ann2"), end=b"\r\n"))
case("q-embedded-empty-lines", lines(HEAD, row_with("A1", "street_address", b'"1 Main\n\n\r\nApt 2"'), prow("A2", first_name="Ann2")))
case("q-double-quote-line", lines(HEAD, b'""', prow("A2", first_name="Ann2")))
case("q-blanks-line", lines(HEAD, b"   ", prow("A2", first_name="Ann2")))
case("q-bare-delims-line", lines(HEAD, b"," * (len(PCOLS) - 1), b",,,", prow("A2", first_name="Ann2")))
case("q-lone-cr", lines(HEAD, row_with("A1", "first_name", b"Mary\rJane"), prow("A2", first_name="Ann2")))
case("q-lone-cr-end-of-row", lines(HEAD, prow("A1") + b"\r", prow("A2", first_name="Ann2")))
case("q-cr-cr-lf", lines(HEAD, prow("A1") + b"\r", prow("A2", first_name="Ann2"), end=b"\r\n"))
case("q-mixed-eol", HEAD + b"\r\n" + prow("A1") + b"\n" + prow("A2", first_name="Ann2") + b"\r\n" + prow("A3", birth_date="x"))
case("q-bom", b"\xef\xbb\xbf" + lines(HEAD, prow("A1"), prow("A2", first_name="Ann2")))
case("q-bom-twice", b"\xef\xbb\xbf\xef\xbb\xbf" + lines(HEAD, prow("A1")))
case("q-empty-lines", lines(HEAD, b"", prow("A1"), b"", b"\r", prow("A2", first_name="Ann2"), b"") + b"\r\n\r\n")
case("q-empty-line-before-header", lines(b"", HEAD, prow("A1"), prow("A2", first_name="Ann2")))
case("q-unterminated", lines(HEAD, prow("A1"), row_with("A2", "first_name", b'"Ann'), prow("A3"), prow("A4")))
case("q-unterminated-last-field", HEAD + b"\n" + prow("A1") + b"\n" + prow("A2")[:-6] + b'"ACME')
case("q-field-count", lines(HEAD, prow("A1") + b",extra", b",".join(pcells("A2")[:-1]), prow("A3", first_name="Ann2")))
case("q-no-final-newline", HEAD + b"\n" + prow("A1") + b"\n" + prow("A2", first_name="Ann2"))
case("q-trailing-delim-eof", HEAD + b"\n" + prow("A1") + b",")
case("q-garbage-after-close", lines(HEAD, row_with("A1", "first_name", b'"a"b"c"'), row_with("A2", "first_name", b'"Ann" ')))
case("q-quoted-empty", lines(HEAD, row_with("A1", "middle_name", b'""'), row_with("A2", "first_name", b'""')))
case("q-quote-then-cr", lines(HEAD, row_with("A1", "first_name", b'"Ann"\rX'), prow("A2")))
case("q-only-header", lines(HEAD))
case("q-header-crlf-only", HEAD + b"\r\n")
case("q-doubled-quote-in-quoted", lines(HEAD, row_with("A1", "street_address", b'"1 ""Main"" St"'), row_with("A2", "first_name", b'"O""Brien"')))
case("q-tab-in-id", lines(HEAD, row_with("A1\tX", "last_name", b"Brown"), row_with("A2", "record_id", b'"A2\n"')))

# --- encodings
case("e-bad-utf8-name", lines(HEAD, row_with("A1", "first_name", b"Ann\xff"), prow("A2")))
case("e-bad-utf8-two-fields", lines(HEAD, row_with("A1", "first_name", b"Ann\xff").replace(b"Brown", b"Br\xc3own", 1), prow("A2")))
case("e-bad-utf8-unknown-col", lines(HEAD + b",extra", prow("A1") + b",\xfe", prow("A2") + b",ok"))
case("e-bad-utf8-field-count", lines(HEAD, row_with("A1", "first_name", b"Ann\xff") + b",x", prow("A2")))
case("e-bad-utf8-not-disclosed", lines(HEAD, row_with("A1", "first_name", b"Ann\xff").replace(b",Y,2020", b",N,2020"), prow("A2")))
case("e-bad-utf8-then-dup", lines(HEAD, row_with("A1", "first_name", b"Ann\xff"), prow("A1")))
case("e-bad-utf8-in-id-then-dup", lines(HEAD, row_with("A1", "record_id", b"A1\xff"), prow("A1")))
case("e-surrogate-overlong", lines(HEAD, row_with("A1", "first_name", b"Ann\xed\xa0\x80"), row_with("A2", "first_name", b"Ann\xc0\xaf"), row_with("A3", "first_name", b"Ann\xf4\x90\x80\x80")))
case("e-truncated-utf8-at-eof", HEAD + b"\n" + prow("A1") + b"\n" + prow("A2") + b"\xc3")
case("e-bad-utf8-header", lines(HEAD + b",ext\xffra", prow("A1") + b",x"))
case("e-bad-utf8-imm", lines(HEAD, prow("A1")), imms=lines(IHEAD, irow("A1", provider="Cl\xffinic") if False else irow("A1").replace(b"Clinic", b"Cl\xffinic"), irow("A1")))
cp = lines(HEAD, row_with("A1", "first_name", b"O\x92Brien"), row_with("A2", "first_name", b"Ann\x81"),
           row_with("A3", "first_name", b"Mary\x96Jane"), row_with("A4", "first_name", b"Mary\xa0Jane"),
           row_with("A5", "first_name", b"Ann\x80"), row_with("A6", "first_name", b"Jos\xe9"),
           row_with("A7", "first_name", b"Ann\x8d"), row_with("A8", "first_name", b"Ann\x8f\x90\x9d"),
           row_with("A9", "first_name", b"Ann\x85"), row_with("A10", "first_name", b"\x9ftefan"),
           row_with("A11", "street_address", b"1 Main\x99"), row_with("A12", "first_name", b"Ann\xad"))
case("e-cp1252", cp, args="--org ACMEHP --as-of 2026-01-15 --encoding cp1252")
case("e-latin1", cp, args="--org ACMEHP --as-of 2026-01-15 --encoding latin1")
case("e-cp1252-bom", b"\xef\xbb\xbf" + cp, args="--org ACMEHP --as-of 2026-01-15 --encoding cp1252")
case("e-latin1-bom", b"\xef\xbb\xbf" + cp, args="--org ACMEHP --as-of 2026-01-15 --encoding latin1")
case("e-utf8-c1", lines(HEAD, row_with("A1", "first_name", "Ann\u0085Marie".encode()), row_with("A2", "first_name", "Ann\u0092".encode())))

# --- delimiters
case("d-pipe", lines(HEAD.replace(b",", b"|"), prow("A1", d=b"|"), prow("A2", d=b"|", street_address="1 Main, Apt 2"),
                     prow("A3", d=b"|", first_name='"Ann"')), args="--org ACMEHP --as-of 2026-01-15 --delimiter |")
case("d-tab", lines(HEAD.replace(b",", b"\t"), prow("A1", d=b"\t"), prow("A2", d=b"\t", first_name='"Ann\tMarie"')),
     args="--org ACMEHP --as-of 2026-01-15 --delimiter '\t'")
case("d-semicolon", lines(HEAD.replace(b",", b";"), prow("A1", d=b";", street_address="1 Main, Apt 2")),
     args="--org ACMEHP --as-of 2026-01-15 --delimiter ';'")
case("d-space", lines(HEAD.replace(b",", b" "), prow("A1", d=b" ", street_address="1Main", first_name="Ann", middle_name="", other_address="", po_box="", city="X")),
     args="--org ACMEHP --as-of 2026-01-15 --delimiter ' '")

# --- headers
case("h-variants", lines(HEAD.replace(b"first_name", b" First Name ").replace(b"last_name", b"LAST-NAME").replace(b"birth_date", b"Birth_Date"), prow("A1")))
case("h-double-space", lines(HEAD.replace(b"last_name", b"last  name"), prow("A1")))
case("h-duplicate", lines(HEAD + b",First_Name", prow("A1") + b",Ann"))
case("h-unknown", lines(HEAD + b",favorite_color", prow("A1") + b",blue"))
case("h-missing-optional", lines(HEAD.replace(b",sex", b""), b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] != "sex")))
case("h-missing-required", lines(HEAD.replace(b",birth_date", b""), b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] != "birth_date")))
case("h-missing-org-cols", lines(b",".join(c.encode() for c in PCOLS if c not in ("sending_org", "disclosed_by", "updated_by")),
                                 b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] not in ("sending_org", "disclosed_by", "updated_by"))))
case("h-missing-org-cols-no-org", lines(b",".join(c.encode() for c in PCOLS if c not in ("sending_org", "disclosed_by", "updated_by")),
                                        b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] not in ("sending_org", "disclosed_by", "updated_by"))),
     args="--as-of 2026-01-15")
case("h-missing-defaulted", lines(b",".join(c.encode() for c in PCOLS if c not in ("patient_status", "contact_allowed", "sharing_status", "effective_date")),
                                  b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] not in ("patient_status", "contact_allowed", "sharing_status", "effective_date"))))
case("h-missing-disclosed", lines(HEAD.replace(b",disclosed,", b","), b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] != "disclosed")))
case("h-imm-no-vaccine-cols", lines(HEAD, prow("A1")), imms=lines(b"record_id,vaccination_date,manufacturer,sending_org", b"A1,2003-10-13,PMC,ACMEHP"))
case("h-imm-one-vaccine-col", lines(HEAD, prow("A1")), imms=lines(b"record_id,cvx_code,vaccination_date,manufacturer", b"A1,48,2003-10-13,PMC", b"A1,,2003-10-13,PMC"))
case("h-imm-no-info-source-col", lines(HEAD, prow("A1")), imms=lines(b"record_id,cpt_code,vaccination_date,manufacturer,sending_org", b"A1,90648,2003-10-13,PMC,ACMEHP"))
case("h-comment-min", lines(HEAD, prow("A1")), comments=lines(b"record_id,comment_code", b"A1,33A", b"A1,DPERM10"))
case("h-query-missing-type", None, query=lines(b"hp_member_id,first_name,last_name,birth_date", b"M1,Ann,Lee,2000-01-02"), args="--as-of 2026-01-15")
case("h-blank-header-cell", lines(HEAD + b",", prow("A1") + b","))

# --- command line
case("c-imm-without-patients", None, imms=lines(IHEAD, irow("A1")))
case("c-query-with-patients", lines(HEAD, prow("A1")), query=lines(QHEAD, b"C,M1,Ann,,Lee,2000-01-02"))
case("c-org-invalid", lines(HEAD, prow("A1")), args="--org 'A B' --as-of 2026-01-15")
case("c-org-too-long", lines(HEAD, prow("A1")), args="--org ABCDEFGHIJKLM --as-of 2026-01-15")
case("c-org-non-ascii", lines(HEAD, prow("A1")), args="--org \u00c4CME --as-of 2026-01-15")
case("c-no-org", lines(HEAD, prow("A1"), prow("A2", sending_org="", disclosed_by="", updated_by="")), args="--as-of 2026-01-15")
case("c-org-lower", lines(HEAD, prow("A2", sending_org="", disclosed_by="", updated_by="")), args="--org acme --as-of 2026-01-15")

# --- cross-file
case("x-orphans", lines(HEAD, prow("A1"), prow("A2", disclosed="N"), prow("A3", first_name="Ann2"), prow("A4"), prow("A4"),
                        prow("A5 X"), prow("A6", birth_date="2003-10-13")),
     imms=lines(IHEAD, irow("A1"), irow("A2"), irow("A3"), irow("A4"), irow("a1"), irow(" A1 "), irow("A5 X"), irow("A9"),
                irow("A1", vaccination_date="1994-09-09"), irow("A1", vaccination_date="1994-09-10"), irow("A6"),
                irow("A6", vaccination_date="2003-10-12"), irow("A1", vaccination_date="x"), irow(""),
                irow("A9", vaccination_date="1994-09-09")),
     comments=lines(CHEAD, b"A1,33A,,", b"A2,33A,,", b"A3,33A,,", b"A9,33A,,", b"A9,XX,,", b",33A,,", b"A1 X,33A,,"))

# --- mapping file and padding
RENAMED = HEAD.replace(b"first_name", b"GIVEN").replace(b"last_name", b"Family Name").replace(b"birth_date", b"DOB")
case("m-rename", lines(RENAMED, prow("A1"), prow("A2", first_name="Ann2")),
     map={"columns": {"GIVEN": "first_name", "family name": "last_name", "Dob": "birth_date"}})
case("m-rename-target-case", lines(RENAMED, prow("A1")),
     map={"columns": {"GIVEN": "First_Name", "family-name": "last name", "DOB": "birth_date"}})
case("m-bad-target", lines(RENAMED, prow("A1")), map={"columns": {"GIVEN": "given_name"}})
case("m-two-to-one", lines(HEAD + b",GIVEN", prow("A1") + b",Ann"), map={"columns": {"GIVEN": "first_name"}})
case("m-defaults", lines(HEAD, prow("A1", sending_org="", disclosed="", sharing_status="", contact_allowed="", patient_status=""),
                         prow("A2", sending_org="X1", disclosed="N"), prow("A3", sex=""), prow("A4", state="")),
     map={"defaults": {"sending_org": "MAPORG", "disclosed": "yes", "sharing_status": "N", "contact_allowed": "1",
                       "patient_status": "Inactive-Other", "sex": "female", "state": "Nowhere"}})
case("m-default-absent-col", lines(b",".join(c.encode() for c in PCOLS if c not in ("disclosed", "disclosed_date")),
                                   b",".join(c for i, c in enumerate(pcells("A1")) if PCOLS[i] not in ("disclosed", "disclosed_date"))),
     map={"defaults": {"disclosed": "Y", "disclosed_date": "2020-01-01"}})
case("m-default-invalid-required", lines(HEAD, prow("A1", patient_status=""), prow("A2", updated_by="")),
     map={"defaults": {"patient_status": "Q", "updated_by": "A B"}})
case("m-default-over-org", lines(HEAD, prow("A1", sending_org="", disclosed_by="", updated_by="")),
     map={"defaults": {"disclosed_by": "MAPORG"}})
case("m-default-bad-key", lines(HEAD, prow("A1")), map={"defaults": {"favorite": "x"}})
case("m-default-key-normalized", lines(HEAD, prow("A1", sex="")), map={"defaults": {"SEX": "M", " Patient-Status ": "I"}})
case("m-bad-json", lines(HEAD, prow("A1")), map="{not json")
case("m-imm-vaccine-default", lines(HEAD, prow("A1")), imms=lines(b"record_id,vaccination_date,manufacturer", b"A1,2003-10-13,PMC"),
     map={"defaults": {"cvx_code": "48"}})
case("m-key-double-space", lines(HEAD.replace(b"first_name", b"first  name"), prow("A1")), map={"columns": {"first  name": "first_name"}})
case("p-pad", lines(HEAD, prow("A1")), imms=lines(IHEAD, irow("A1")), comments=lines(CHEAD, b"A1,33A,,"),
     args="--org ACMEHP --as-of 2026-01-15 --pad-to-stated-total")
case("p-pad-query", None, query=lines(QHEAD, b"C,M1,Ann,,Lee,2000-01-02"), args="--as-of 2026-01-15 --pad-to-stated-total")

# --- misc interactions
case("z-query-dup-ids", None, query=lines(QHEAD, b"C,M1,Ann,,Lee,2000-01-02", b"M,M1,Ann,,Lee,2000-01-02", b"m,m1,Bo,,Lee,1/2/2000"),
     args="--as-of 2026-01-15")
case("z-excluded-then-dup-then-imm", lines(HEAD, prow("A1", disclosed="no"), prow("A1"), prow("A2", first_name=""), prow("A2")),
     imms=lines(IHEAD, irow("A1"), irow("A2")), comments=lines(CHEAD, b"A1,33A,,", b"A2,33A,,"))
case("z-excluded-bad-id", lines(HEAD, row_with("A B", "disclosed", b"N"), row_with("A B", "first_name", b"Ann"), prow("A1", disclosed="maybe")))
case("z-quoted-header", lines(b",".join(b'"' + c.encode() + b'"' for c in PCOLS), prow("A1")))
case("z-bom-quoted-header", b"\xef\xbb\xbf" + lines(b",".join(b'"' + c.encode() + b'"' for c in PCOLS), prow("A1")))
case("z-header-cr-lf-mix", HEAD + b"\r\n" + prow("A1") + b"\n")
case("z-imm-before-birth-edge", lines(HEAD, prow("A1", birth_date="02/29/2000")),
     imms=lines(IHEAD, irow("A1", vaccination_date="20000228"), irow("A1", vaccination_date="2000-02-29T23:59"),
                irow("A1", vaccination_date="3/1/2000")))
case("z-death-equal-birth-invalid-birth", lines(HEAD, prow("A1", birth_date="2000-01-02", death_date="1/1/2000"),
                                               prow("A2", birth_date="bad", death_date="1/1/2000")))

# --- the minimal repros of FINDINGS.md
case("r-ctrl-space", lines(HEAD, row_with("A1", "first_name", b"Mary\x1fJane"), row_with("A2", "hp_member_id", b"ABC\x1f")))
case("r-dash-dates", lines(HEAD, prow("A1", birth_date="2000\u201001\u201002"), prow("A2", zip="94801\u20131234")))
case("r-ndc-dashes", lines(HEAD, prow("A1")), imms=lines(b"record_id,ndc_code,vaccination_date,manufacturer", b"A1,-,2003-10-13,PMC"))


def main():
    cair2 = os.path.abspath(sys.argv[1])
    wanted = sys.argv[2:]
    oracle = "python3 " + os.path.join(HERE, "oracle.py")
    nsame = ndiff = 0
    for name, c in CASES.items():
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        d = tempfile.mkdtemp(prefix="cair2-edge-")
        inputs = []
        for key, flag in (("patients", "--patients"), ("immunizations", "--immunizations"),
                          ("comments", "--comments"), ("query", "--query")):
            if c[key] is not None:
                p = os.path.join(d, key + ".csv")
                open(p, "wb").write(c[key])
                inputs.append((flag, p))
        extra = shlex.split(c["args"])
        if c.get("map") is not None:
            mp = os.path.join(d, "map.json")
            open(mp, "w").write(c["map"] if isinstance(c["map"], str) else json.dumps(c["map"]))
            extra += ["--map", mp]
        probs = compare.compare(cair2, oracle, inputs, extra)
        if probs:
            ndiff += 1
            print("DIFF %s" % name)
            for p in probs:
                print("   " + p[:400])
        else:
            nsame += 1
            print("SAME %s" % name)
    print("%d same, %d differ" % (nsame, ndiff))


if __name__ == "__main__":
    main()
