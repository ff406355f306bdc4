#!/usr/bin/env python3
"""Mutation fuzzer: clean synthetic rows with one cell replaced by an edge value
drawn from the rules of PRODUCT.md §2/§3/§3a.  All values are made up.

    mutate.py OUTDIR [--as-of 2026-01-15] [--random N --seed S]

Writes OUTDIR/patients.csv, immunizations.csv, comments.csv, query.csv and
manifest.json: for every mutated record, its kind, physical line, record id,
mutated column and value.  Every mutated record has its own record_id (its own
clean patient for immunization and comment mutations) so that fixed-width lines
can be matched by id.  hunt.py runs both implementations and attributes each
disagreement to its mutation.
"""
import csv
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import CANON, CODESETS  # noqa: E402

BASE_PATIENT = dict(
    record_id="", patient_status="A", first_name="Courtney", middle_name="Lee", last_name="Brown",
    name_suffix="JR", birth_date="1994-09-10", death_date="", mother_first_name="Anne",
    mother_maiden_name="Green", mother_hbsag_status="3", sex="F", race_american_indian="",
    race_asian="", race_pacific_islander="", race_black="", race_white="Y", race_other="",
    ethnicity="NH", ssn="", contact_allowed="02", hp_member_id="ACME33321", medi_cal_id="MEDID11011",
    rp_first_name="Tim", rp_middle_name="Daniel", rp_last_name="Brown", rp_relationship="FTH",
    street_address="1234 Test Street", other_address="Apt 491", po_box="PO Box 740", city="Richmond",
    state="CA", zip="94801", county="CA013", phone="5105555555", sending_org="ACMEHP", disclosed="Y",
    disclosed_date="2020-09-10", disclosed_by="ACMEHP", sharing_status="Y", effective_date="2020-09-10",
    updated_by="ACMEHP")
BASE_IMM = dict(
    record_id="", ndc_code="", trade_name="ActHib", cpt_code="90648", cvx_code="48", vaccine_group="Hib",
    vaccination_date="2003-10-13", route="IM", body_site="LVL", reaction="", manufacturer="PMC",
    info_source="01", lot_number="A654321", provider="Clinic One", administered_by="Pat Nurse",
    sending_org="ACMEHP", vaccine_eligibility="")
BASE_COMMENT = dict(record_id="", comment_code="33A", begin_date="1999-10-01", end_date="")
BASE_QUERY = dict(patient_type="C", hp_member_id="", first_name="Courtney", middle_name="Lee",
                  last_name="Brown", birth_date="1994-09-10")


def dates(as_of):
    nxt = (as_of + datetime.timedelta(days=1))
    return [
        "2000-01-02", "2000-1-2", "2000-01-2", "2000-01-02T10:00", "2000-01-02 10:00", "2000-01-02T",
        "2000-01-02Tfoo", "2000-01-02 garbage", "2000-01-02\t10:00", "2000-01-02x", "2000-01-0210:00",
        " 2000-01-02 ", "2000-01-02T10:00:00Z", "1/2/2000", "01/02/2000", "1/2/00", "01/02/00",
        "1/2/2000 10:00", "001/02/2000", "1/002/2000", "20000102", "01022000", "12312000", "13012000",
        "18991231", "19000101", "1/1/1900", "12/31/1899", "1899-12-31", "1900-01-01", "2000-02-29",
        "1900-02-29", "2001-02-29", "02/29/2001", "2/29/2000", "20000229", "02292000", "02292001",
        "2000-13-01", "2000-00-10", "2000-01-32", "00000000", "99999999", "21991231", "22000101",
        "18000101", "0102200", "010220000", "2000/01/02", "01-02-2000", "2000.01.02", "Jan 2 2000",
        "\uff12\uff10\uff10\uff10-01-02", "2000\u201001\u201002", "2000-01-02\u00a010:00", "0",
        as_of.isoformat(), nxt.isoformat(), nxt.strftime("%m%d%Y"), nxt.strftime("%Y%m%d"),
        "2099-01-01", "1950-06-15", "1994-09-09", "1994-09-10", "1994-09-11", "   ", "'2000-01-02",
        "2000-01-02\n", "2000-01-02\r10:00", "2000\u201301\u201302", "2000\u201401\u201402", "2000\u221201\u221202",
        "2000-01-02\u2003T10", "2000-01-02\x1f10:00", "\u00a02000-01-02", "1\u20442\u20442000", "\u0661/2/2000",
    ]


NAMES = [
    "Baby Boy", "BABYGIRL", "B.G.", "baby-girl", "No First Name", "Unknown", "Baby Boy 1", "Newborn",
    "O\u2019Brien", "O\u2018Brien", "O\u02bcBrien", "O\u02bbBrien", "O\u00b4Brien", "O`Brien", "O'Brien",
    "Mary\u2010Jane", "Mary\u2011Jane", "Mary\u2012Jane", "Mary\u2013Jane", "Mary\u2014Jane", "Mary\u2015Jane",
    "Mary\u2212Jane", "Mary\u00a0Jane", "Mary\u2003Jane", "Mary\u3000Jane", "Mary\u202fJane", "Mary\u2028Jane",
    "Mary\u0085Jane", "Mary\tJane", "Mary\nJane", "Mary\r\nJane", "Mary\rJane", "Mary\x0bJane", "Mary\x1fJane", "Mary\x1cJane", "Mary\x0cJane", "Mary\x00Jane", "Mary\x7fJane",
    "Mary\u1680Jane", "Mary\u180eJane", "Mary\u200aJane", "Mary\u205fJane",
    "Strau\u00df", "\u1e9eTRASSE", "\u00c6sa", "\u00e6sa", "\u0152uvre", "\u0153uvre", "\u00d8re", "\u00f8re",
    "\u0141ukasz", "\u0142ukasz", "\u0110or\u0111e", "\u00d0or", "\u00f0or", "\u00de\u00f3r", "\u00fe\u00f3r",
    "Y\u0131ld\u0131z", "\u0126al", "\u0127al", "\u0166om", "\u0167om", "Jos\u00e9", "Nu\u00f1ez", "Tr\u01b0\u01a1ng",
    "T\u1eafc", "\u0218tefan", "\u0219tefan", "e\u0301lise", "\u0301Anna", "Anna\u0301", "Ann\u00adette",
    "Ann\u200bette", "Ann\u200dette", "Ann\ufeffette", "Ann\u00bd", "Ann\u2122", "\uff21\uff2e\uff2e", "Ann\U0001F600",
    "Ann2", "\u674e", "\u0418\u0432\u0430\u043d", "M\u00fcller", "\u00dcnal", "\u01c4uro", "\u212bngstrom",
    "\u212aelvin", "\ufb01ona", "\u0130stanbul", "\u017fam", "\u0133sselmeer", "\u1e01nna", "\u1f08nna",
    "J.R.", "Smith, Jr", "a/b", "  ann  marie  ", "'", ".", "-", "' . -", "A" * 50, "A" * 51, "A" * 60,
    "A " * 30, "A" * 49 + " B", "A" * 60 + "1", "A" * 60 + "\u00bd", "\u00e9" * 55, "Ann\u00ad", "\u00df" * 30,
    "Ann-", "-Ann", "Ann\\", "Ann@", "Ann_", "Ann\"Marie", "Ann;Marie", "ann marie", "\u00e5sa", "\u00c5sa",
    "De La Cruz", "St. John", "N\u0303", "\u00d1", "Ann&", "Ann(", "Ann#",
]

ADDRESSES = [
    "123 Main St.", "Apt #4 & 5", "O\u2019Farrell St", "O`Farrell St", "Calle Pe\u00f1asco", "Stra\u00dfe 5",
    "1/2 Main", "123 \u00bd Main", "Main St\u2122", "Suite 100 \u2014 B", "Main\u00a0St", "P.O. Box 12",
    "a@b", "100 (rear)", "x" * 56, "\u00e9" * 56, "$%^", "\U0001F600", "  lots   of  spaces ", "Main;St",
    "Main_St", "Main\"St", "Main\\St", "\u00dcnter", "\u674e", "Main\tSt", "Main\nSt", "Main St\u200b",
    "Main\u00adSt", "A" * 54 + " B", "A" * 54 + "\u00bd", "#&'(),-./", "*", "Main * St", "a" * 53 + "\u00df",
    "Ste 5, Bldg 2", "lower case st", "\uff2d\uff41\uff49\uff4e", "Main\u2013St", "Main\u2212St", "10\u00bd",
]

IDS = [
    "ABC 123", " ABC123 ", "ABC123\t", "\tABC123", "\u00c4BC", "A" * 12, "A" * 13, "A" * 20, "A" * 21, "A" * 32,
    "A" * 33, "abc~!", "A\"B", "A,B", "A\u00a0B", "\u00a0ABC\u00a0", "\uff21\uff22\uff23", "abc", "a-b_c.d",
    "A\x7fB", "A\x01B", "ABC\n", "AB\u2010C", "A\x1fB", "ABC\x1f", "\x1cABC", "{}[]|\\", "ACMEHP", "acmehp",
]

PHONES = [
    "510-555-5555", "(510) 555-5555", "5105555555", "15105555555", "1-510-555-5555", "+1 510 555 5555",
    "05105555555", "1105555555", "0105555555", "510555555", "510-555-5555 x123", "510-555-5555 ext 123",
    "510-555-5555 ext. 123", "510-555-5555 extension 1234567", "510-555-5555x12345678", "510-555-5555 X12",
    "510-555-5555 EXT 12", "510-555-5555 Ext.", "510-555-5555 x", "510.555.5555", "510 555 5555 ext 12a3",
    "x123", "abc", "5105555555 #123", "25105555555", "1 (510) 555-5555 x 1", "510-555-5555x1x2",
    "\uff15\uff11\uff10-555-5555", "510-555-5555 ext 1234567", "510-555-5555 ext 0000000", "1", "phone",
    "510-555-5555 e123", "510-555-5555 ex 12", "11105555555", "115105555555", "2105555555x", "5105555555 x 12 34",
    "510-555-5555/123", "555-5555",
]

ZIPS = ["94801", "94801-1234", "948011234", "94801 1234", " 94801 ", "9480", "948012", "ABCDE", "94801-",
        "9-4-8-0-1", "94801\t", "\uff19\uff14\uff18\uff10\uff11", "94801-12", "9480112345", "00000", "94801\u00a01234",
        "94801\u20101234", "94801.1234", "-", "94801\u20131234", "94801\u00ad1234", "94801\x1f1234",
        "\u00a094801"]

YESNO = ["Y", "y", "yes", "YES", "Yes", "True", "true", "TRUE", "1", "N", "n", "no", "FALSE", "false", "0", "T", "F",
         " Yes ", "ye", "2", "Asian", "White", "x", "-", "01", "Y\u00a0", "\uff39", "Y.", "'Y'", "yes please", "on"]


def code_values(table, extra=()):
    out = list(extra)
    for code, desc in CODESETS.get(table, []):
        out += [code, code.lower(), " %s " % code.lower()]
        if desc:
            out += [desc, desc.upper(), desc.lower(), "  " + "   ".join(desc.split()) + " ",
                    desc.replace(" ", "")]
    out += ["", "??", "X" * 9, "\u00e9"]
    seen, res = set(), []
    for v in out:
        if v not in seen:
            seen.add(v)
            res.append(v)
    return res


PATIENT_COLUMNS = {
    "record_id": IDS, "hp_member_id": IDS, "medi_cal_id": IDS, "sending_org": IDS + [""], "disclosed_by": IDS + [""],
    "updated_by": IDS + [""],
    "patient_status": code_values("Patient Status"),
    "mother_hbsag_status": code_values("Mother's HBsAg"),
    "sex": code_values("Sex (Gender)"), "ethnicity": code_values("Ethnicity", ["Not Hispanic", "Hispanic"]),
    "contact_allowed": code_values("Contact", ["1", "2", "001", "3", "Yes", "No", "Y", "0", "1.0", "\uff11"]),
    "rp_relationship": code_values("Relationship"),
    "state": code_values("State Codes", ["Calif", "C A", "ca.", "Puerto  Rico"]),
    "county": code_values("County", ["Contra  Costa County", "CA13", "ca 013"]),
    "ssn": ["123-45-6789", "x", " ", "\u00a0", "0"],
    "phone": PHONES, "zip": ZIPS,
    "disclosed": YESNO + [""], "sharing_status": YESNO + [""],
}
for _n in ("first_name", "middle_name", "last_name", "name_suffix", "mother_first_name", "mother_maiden_name",
           "rp_first_name", "rp_middle_name", "rp_last_name"):
    PATIENT_COLUMNS[_n] = NAMES + [""]
for _n in ("street_address", "other_address", "po_box", "city"):
    PATIENT_COLUMNS[_n] = ADDRESSES
for _n in ("race_american_indian", "race_asian", "race_pacific_islander", "race_black", "race_white", "race_other"):
    PATIENT_COLUMNS[_n] = YESNO

FREE = ADDRESSES + ["ActHib", "lower Case", "\u00bd", "\U0001F600", "\u00e9", "a" * 31, "a" * 51]

IMM_COLUMNS = {
    "record_id": ["NOPATIENT", "X-EXCLUDED", "X-REJECTED", "i-lower", " ", "A B", "\u00c4"],
    "ndc_code": ["49281-0400-10", "49281040010", "4928104001012345", "49281-0400-1a", "1234567890123",
                 "12345678901234", "-", "---", " 49281 0400 10 ", "\uff14\uff19"],
    "cpt_code": ["90648", "9064", "0001A", "906488", " 90648 ", "90 648", "\uff19\uff10\uff16\uff14\uff18",
                 "90999", "90707", "90700", "99213"],
    "cvx_code": ["48", "048", "0048", "4a", "0", "000", " 48 ", "-1", "600", "998", "500", "226", "03", "49"],
    "trade_name": FREE, "vaccine_group": FREE, "lot_number": FREE, "provider": FREE, "administered_by": FREE,
    "route": code_values("Admin Route", ["Percutaneous (multiple puncture - Small Pox)"]),
    "body_site": code_values("Body Site"),
    "reaction": code_values("Reaction Codes", ["Persistent crying lasting \u2265 3 hours within 48 hours of"]),
    "vaccine_eligibility": code_values("Vaccine Eligibility", ["V03", "VFC Eligible Uninsured", "V01", "v07", "V06",
                                                               "CAA01", " v02 "]),
    "manufacturer": ["PMC", "pmc", "MSD1", "MSDXX", "M-S", "\u00c9", "M\u00c9", " pmc ", "", "P M", "\uff30MC",
                     "Sanofi Pasteur", "12", "_", "MSD\u00ad", "sanofi  PASTEUR", "Merck and Co., Inc.", "ZZZ", "zz9",
                     "GSK", "Sanofi", "Sanof\u00ed Pasteur", "GlaxoSmithKline"],
    "info_source": ["", "1", "01", "001", "02", "0", "'Source Unspecified' (Only code allowed for HP data)",
                    "source unspecified", "Source Unspecified", " 01 ", "1.0", "\uff11"],
    "sending_org": IDS + [""],
}

COMMENT_CODES = ["DPERM10", "DPERM11", "DPERM12", "DPERM13", "DPERM14", "dperm1", "DPERM1", "33a", "10_129",
                 "Immunity: measles", "immunity:  measles", "Permanent-Deferral of Influenza",
                 "Permanent-Deferral of DT/DTaP", "PRIOR doses OF MMR caused anaphylactic reaction",
                 "PRIOR doses OF PNEUMOCONJUGATE caused anaphylactic", "XYZ", "", " 33A ", "10 129",
                 "Allergy to baker\u2019s yeast (anaphylactic)", "Allergy to baker's yeast (anaphylactic)",
                 "Allergy to baker`s yeast (anaphylactic)", "HIRISK", "hirisk", "LTX_A", "P10", "Immunity:measles",
                 "Percutaneous", "10_11", "10_1", "1"]

QUERY_COLUMNS = {
    "patient_type": ["C", "M", "c", "m", "Commercial", "medicaid", "Medi-Cal", "medi cal", "MEDI\u2010CAL",
                     "MediCal", "X", "", " m ", "Medi - Cal", "MEDI-CAL", "Medi\u2013Cal", "Medi-cal ", "CM"],
    "hp_member_id": IDS + [""],
}
for _n in ("first_name", "middle_name", "last_name"):
    QUERY_COLUMNS[_n] = NAMES + [""]


class Writer:
    def __init__(self, columns):
        self.columns = columns
        self.buf = io.StringIO()
        self.w = csv.writer(self.buf, lineterminator="\r\n")
        self.w.writerow(columns)
        self.line = 2

    def row(self, rec):
        start = self.line
        before = self.buf.tell()
        self.w.writerow([rec.get(c, "") for c in self.columns])
        self.line += self.buf.getvalue()[before:].count("\n")
        return start

    def save(self, path):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(self.buf.getvalue())


def build(outdir, as_of, rand_n=0, seed=1):
    os.makedirs(outdir, exist_ok=True)
    P, I, C, Q = (Writer(CANON[k]) for k in ("patient", "immunization", "comment", "query"))
    manifest = []
    n = 0

    def note(kind, line, rid, col, val):
        manifest.append(dict(kind=kind, line=line, id=rid, column=col, value=val))

    # Patients for the orphan cases: one excluded, one rejected.
    P.row(dict(BASE_PATIENT, record_id="X-EXCLUDED", disclosed="N"))
    P.row(dict(BASE_PATIENT, record_id="X-REJECTED", first_name="Ann2"))
    date_cols = dict(birth_date=True, death_date=True, disclosed_date=True, effective_date=True)
    cols = dict(PATIENT_COLUMNS)
    for c in date_cols:
        cols[c] = dates(as_of) + [""]
    for col in CANON["patient"]:
        for val in cols.get(col, []):
            n += 1
            rid = "P%05d" % n
            rec = dict(BASE_PATIENT, record_id=rid)
            rec[col] = val
            if col == "record_id":
                rid = val
            if col == "death_date":
                rec["birth_date"] = "1950-06-15"
            note("patient", P.row(rec), rid, col, val)
    # duplicates
    for a, b in (("DUP1", "DUP1"), ("DUP2", "dup2"), ("DUP3", " DUP3 ")):
        note("patient", P.row(dict(BASE_PATIENT, record_id=a)), a, "record_id(dup first)", a)
        note("patient", P.row(dict(BASE_PATIENT, record_id=b)), b, "record_id(dup second)", b)
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP4", disclosed="N")), "DUP4", "dup: excluded first", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP4")), "DUP4", "dup: after excluded", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP5", birth_date="x")), "DUP5", "dup: rejected first", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP5")), "DUP5", "dup: after rejected", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP6")), "DUP6", "dup: written first", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP6", disclosed="N")), "DUP6", "dup: excluded second", "")
    note("patient", P.row(dict(BASE_PATIENT, record_id="DUP6", first_name="")), "DUP6", "dup: bad second", "")
    # effective date vs disclosed date combos
    for dd, ed in (("", ""), ("x", ""), ("x", "2020-01-01"), ("2020-01-01", "x"), ("2099-01-01", ""),
                   ("", "2020-01-01")):
        n += 1
        rid = "P%05d" % n
        note("patient", P.row(dict(BASE_PATIENT, record_id=rid, disclosed_date=dd, effective_date=ed)), rid,
             "disclosed_date+effective_date", "%r/%r" % (dd, ed))
    # death vs birth
    for bd, dd in (("1994-09-10", "1994-09-09"), ("1994-09-10", "1994-09-10"), ("x", "1994-09-09"),
                   ("1994-09-10", "x")):
        n += 1
        rid = "P%05d" % n
        note("patient", P.row(dict(BASE_PATIENT, record_id=rid, birth_date=bd, death_date=dd)), rid,
             "birth_date+death_date", "%r/%r" % (bd, dd))

    # Immunizations: each mutation gets its own clean patient.
    icols = dict(IMM_COLUMNS)
    icols["vaccination_date"] = dates(as_of) + [""]
    for col in CANON["immunization"]:
        for val in icols.get(col, []):
            n += 1
            rid = "I%05d" % n
            P.row(dict(BASE_PATIENT, record_id=rid, birth_date="1994-09-10"))
            rec = dict(BASE_IMM, record_id=rid)
            rec[col] = val
            if col == "record_id":
                rid = val
            elif col in ("ndc_code", "trade_name", "cpt_code", "cvx_code", "vaccine_group"):
                for other in ("ndc_code", "trade_name", "cpt_code", "cvx_code", "vaccine_group"):
                    if other != col:
                        rec[other] = ""
            note("immunization", I.row(rec), rid, col, val)
    # vaccine-code combinations
    combos = dict(ndc_code=["", "49281-0400-10", "bad!"], trade_name=["", "ActHib", "\u00bd"],
                  cpt_code=["", "90648", "0001A"], cvx_code=["", "48", "4a"], vaccine_group=["", "Hib", "\U0001F600"])
    import itertools
    for vals in itertools.product(*combos.values()):
        n += 1
        rid = "V%05d" % n
        P.row(dict(BASE_PATIENT, record_id=rid))
        rec = dict(BASE_IMM, record_id=rid, **dict(zip(combos, vals)))
        note("immunization", I.row(rec), rid, "vaccine codes", "|".join(vals))

    # Comments
    ccols = dict(comment_code=COMMENT_CODES, begin_date=dates(as_of) + [""], end_date=dates(as_of) + [""],
                 record_id=["NOPATIENT", "X-EXCLUDED", "X-REJECTED", "A B"])
    for col in CANON["comment"]:
        for val in ccols.get(col, []):
            n += 1
            rid = "C%05d" % n
            P.row(dict(BASE_PATIENT, record_id=rid))
            rec = dict(BASE_COMMENT, record_id=rid)
            rec[col] = val
            if col == "record_id":
                rid = val
            if col == "begin_date":
                rec["end_date"] = ""
            note("comment", C.row(rec), rid, col, val)
    for b, e in (("1999-10-01", "1999-09-30"), ("1999-10-01", "1999-10-01"), ("x", "1999-09-30"),
                 ("1999-10-01", "2099-01-01"), ("2099-01-01", "2099-01-02"), ("1899-01-01", "1999-01-01")):
        n += 1
        rid = "C%05d" % n
        P.row(dict(BASE_PATIENT, record_id=rid))
        note("comment", C.row(dict(BASE_COMMENT, record_id=rid, begin_date=b, end_date=e)), rid,
             "begin_date+end_date", "%r/%r" % (b, e))

    # Query
    qcols = dict(QUERY_COLUMNS)
    qcols["birth_date"] = dates(as_of) + [""]
    for col in CANON["query"]:
        for val in qcols.get(col, []):
            n += 1
            rid = "Q%05d" % n
            rec = dict(BASE_QUERY, hp_member_id=rid)
            rec[col] = val
            if col == "hp_member_id":
                rid = val
            note("query", Q.row(rec), rid, col, val)

    # Random multi-cell mutations (several defects in one record).
    if rand_n:
        import random
        rng = random.Random(seed)
        pool = {"patient": cols, "immunization": icols, "comment": ccols, "query": qcols}
        base = {"patient": BASE_PATIENT, "immunization": BASE_IMM, "comment": BASE_COMMENT, "query": BASE_QUERY}
        writer = {"patient": P, "immunization": I, "comment": C, "query": Q}
        for kind in ("patient", "immunization", "comment", "query"):
            for _ in range(rand_n):
                n += 1
                rid = "R%s%05d" % (kind[0].upper(), n)
                if kind in ("immunization", "comment"):
                    prec = dict(BASE_PATIENT, record_id=rid)
                    for col in rng.sample(["birth_date", "first_name", "disclosed", "record_id"], 1):
                        if rng.random() < 0.3:
                            prec[col] = rng.choice(pool["patient"][col])
                    P.row(prec)
                idcol = "hp_member_id" if kind == "query" else "record_id"
                rec = dict(base[kind], **{idcol: rid})
                cand = [c for c in pool[kind] if c != idcol]
                chosen = rng.sample(cand, min(len(cand), rng.randint(2, 5)))
                for col in chosen:
                    rec[col] = rng.choice(pool[kind][col])
                note(kind, writer[kind].row(rec), rid, "+".join(chosen), "|".join(repr(rec[c]) for c in chosen))

    P.save(os.path.join(outdir, "patients.csv"))
    I.save(os.path.join(outdir, "immunizations.csv"))
    C.save(os.path.join(outdir, "comments.csv"))
    Q.save(os.path.join(outdir, "query.csv"))
    with open(os.path.join(outdir, "manifest.json"), "w") as fh:
        json.dump(dict(as_of=as_of.isoformat(), records=manifest), fh, indent=0)
    return manifest


if __name__ == "__main__":
    out = sys.argv[1]
    as_of = datetime.date.fromisoformat(sys.argv[sys.argv.index("--as-of") + 1]) if "--as-of" in sys.argv \
        else datetime.date(2026, 1, 15)
    rand_n = int(sys.argv[sys.argv.index("--random") + 1]) if "--random" in sys.argv else 0
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    m = build(out, as_of, rand_n, seed)
    print("%d mutated records in %s" % (len(m), out))
