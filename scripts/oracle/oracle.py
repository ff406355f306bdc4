#!/usr/bin/env python3
"""An independent implementation of `cair2 convert`, written from
/work/shared/docs/PRODUCT.md (§2, §3, §3a, §4) and the registry specs in
/work/shared/seeds (layout tables and code sets are parsed from the seed text),
not from the Swift sources. Python 3 standard library only.

    oracle.py --patients F [--immunizations F] [--comments F] | --query F
              --out-dir D [--org X] [--as-of YYYY-MM-DD]
              [--delimiter C] [--encoding utf-8|cp1252|latin1]

Writes patient.txt / immunization.txt / comment.txt / query.txt (only for the
given inputs), rejects.csv, warnings.csv and summary.json with the per-kind
counts.  Exit 0 on a finished run, 2 when the run cannot start.
"""
import argparse
import csv
import datetime
import hashlib
import io
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.environ.get("CAIR2_SEEDS", "/work/shared/seeds")

# ---------------------------------------------------------------------------
# Canonical column names (PRODUCT.md §2), in layout order.
CANON = {
    "patient": """record_id, patient_status, first_name, middle_name, last_name,
  name_suffix, birth_date, death_date, mother_first_name, mother_maiden_name,
  mother_hbsag_status, sex, race_american_indian, race_asian,
  race_pacific_islander, race_black, race_white, race_other, ethnicity, ssn,
  contact_allowed, hp_member_id, medi_cal_id, rp_first_name, rp_middle_name,
  rp_last_name, rp_relationship, street_address, other_address, po_box, city,
  state, zip, county, phone, sending_org, disclosed, disclosed_date,
  disclosed_by, sharing_status, effective_date, updated_by""",
    "immunization": """record_id, ndc_code, trade_name, cpt_code, cvx_code,
  vaccine_group, vaccination_date, route, body_site, reaction, manufacturer,
  info_source, lot_number, provider, administered_by, sending_org,
  vaccine_eligibility""",
    "comment": "record_id, comment_code, begin_date, end_date",
    "query": """patient_type, hp_member_id, first_name, middle_name, last_name,
  birth_date""",
}
CANON = {k: [c.strip() for c in v.replace("\n", " ").split(",")] for k, v in CANON.items()}
WIDTH = {"patient": 876, "immunization": 264, "comment": 54, "query": 191}


# ---------------------------------------------------------------------------
# Seeds: layout tables and code sets.

def _seed(prefix):
    for name in sorted(os.listdir(SEEDS)):
        if name.startswith(prefix):
            return open(os.path.join(SEEDS, name), encoding="utf-8").read()
    raise SystemExit("seed %s not found in %s" % (prefix, SEEDS))


def load_layouts():
    """The layout tables of seed 002 in order: patient, immunization, comment,
    query (then the two return files).  A table starts at a 'Column<TAB>Data'
    header and ends at its 'Total' row; rows are (column, length, start)."""
    tables, rows, inside = [], None, False
    for line in _seed("002_").splitlines():
        cells = line.split("\t")
        if cells[0] == "Column" and len(cells) > 2:
            if not inside:
                rows, inside = [], True
            continue
        if not inside or len(cells) < 3:
            continue
        if cells[0] == "Total":
            tables.append(rows)
            inside = False
            continue
        rows.append((cells[0], int(cells[1]), int(cells[2]) if cells[2].strip() else None))
    layouts = {}
    for kind, rows in zip(("patient", "immunization", "comment", "query"), tables):
        fields, pos = [], 1
        names = list(CANON[kind])
        for col, length, start in rows:
            if start is not None and start != pos:
                raise SystemExit("layout %s: %s starts at %d, lengths say %d" % (kind, col, start, pos))
            if col.startswith("Filler"):
                fields.append((None, pos, length))
            else:
                fields.append((names.pop(0), pos, length))
            pos += length
        if names or pos - 1 != WIDTH[kind]:
            raise SystemExit("layout %s: width %d, leftover %s" % (kind, pos - 1, names))
        layouts[kind] = fields
    return layouts


def load_codesets():
    """The 'CAIR2 Code Sets' section of seed 002: {table item: [(code, desc)]}."""
    text = _seed("002_")
    start = text.index("\nCAIR2 Code Sets\n")
    end = text.index("\nChange History")
    sets, current = {}, None
    for line in text[start:end].splitlines():
        cells = line.split("\t")
        if len(cells) < 2 or cells[0] == "Table Item":
            continue
        a = cells[0].strip()
        b = cells[1].strip()
        c = cells[2].strip() if len(cells) > 2 else ""
        if a and b and not c and len(cells) > 2:
            # A row whose leading tab got lost in the PDF conversion (10_17 ...).
            sets[current].append((a, b))
        elif a:
            current = a
            sets[current] = []
            if b and not b.startswith("See "):
                sets[current].append((b, c))
        elif b:
            sets[current].append((b, c))
    return sets


LAYOUTS = load_layouts()
CODESETS = load_codesets()

# ---------------------------------------------------------------------------
# ASCII folding (§3).

APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u00b4`"
DASHES = "\u2010\u2011\u2012\u2013\u2014"
SPECIAL = {"ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
           "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th",
           "ı": "i", "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t"}
UNMAPPABLE = "\ufffd"   # stands for a character the folding rules cannot map

# Readings where the contract is open (see FINDINGS.md).  By default the oracle
# takes the reading FINDINGS.md judges better supported: "fold-dates" (dates and
# zips are folded like all text; only identifiers are never folded) and
# "ndc-digit" (an NDC needs a digit).  ORACLE_COMPAT=none gives the literal
# readings; ORACLE_COMPAT=all also adds "ctrl-space" (U+001C-U+001F as
# whitespace, cair2's reading, which FINDINGS.md judges wrong) so a hunt can look
# past every known disagreement.
COMPAT = set(os.environ.get("ORACLE_COMPAT", "fold-dates,ndc-digit").split(","))
if "all" in COMPAT:
    COMPAT |= {"ctrl-space", "fold-dates", "ndc-digit"}


def is_space(ch):
    """Whitespace that becomes a blank before any value rule (§3a)."""
    if "ctrl-space" in COMPAT and ch in "\x1c\x1d\x1e\x1f":
        return True
    return ch in "\t\n\r\x0b\x0c\x85\u2028\u2029" or unicodedata.category(ch) == "Zs"


def blanks(raw):
    return "".join(" " if is_space(ch) else ch for ch in raw)


def fold(s):
    out = []
    for ch in s:
        if ord(ch) < 128:
            out.append("'" if ch == "`" else ch)
        elif ch in APOSTROPHES:
            out.append("'")
        elif ch in DASHES:
            out.append("-")
        elif is_space(ch):
            out.append(" ")
        elif ch in SPECIAL:
            out.append(SPECIAL[ch])
        elif unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Mc"):
            continue  # a lone combining mark is dropped
        else:
            d = unicodedata.normalize("NFD", ch)
            if d and ord(d[0]) < 128 and d[0].isalpha():
                out.append(d[0])
            else:
                out.append(UNMAPPABLE)
    return "".join(out)


def upper_ascii(s):
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)


def collapse(s):
    return re.sub(" +", " ", s).strip(" ")


# ---------------------------------------------------------------------------
# Value classes.  Each returns (value, [codes]) where value is the string to
# write ('' = blank) or None when the value is invalid (the caller decides
# between E_ and W_).

def v_name(raw, width):
    """Returns (value, status): status in 'ok', 'empty', 'invalid', 'truncated'."""
    s = upper_ascii(fold(blanks(raw)))
    s = s.replace("'", "").replace(".", "")
    s = re.sub(r"[-,/ ]", " ", s)
    s = collapse(s)
    if any(not ("A" <= c <= "Z" or c == " ") for c in s):
        return None, "invalid"
    if not s:
        return "", "empty"
    if len(s) > width:
        return s[:width].rstrip(" "), "truncated"
    return s, "ok"


ADDRESS_KEEP = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 #&'(),-./")
FREE_KEEP = ADDRESS_KEEP | set("abcdefghijklmnopqrstuvwxyz")


def _text(raw, width, keep, upper):
    s = fold(blanks(raw))
    if upper:
        s = upper_ascii(s)
    kept = "".join(c for c in s if c in keep)
    codes = []
    if kept != s:
        codes.append("W_CHARS_REMOVED")
    kept = collapse(kept)
    if len(kept) > width:
        kept = kept[:width].rstrip(" ")
        codes.append("W_TRUNCATED")
    return kept, codes


def v_address(raw, width):
    return _text(raw, width, ADDRESS_KEEP, True)


def v_free_text(raw, width):
    return _text(raw, width, FREE_KEEP, False)


def v_identifier(raw, width):
    """None when a present value breaks the rules (E_ID); '' when empty."""
    s = blanks(raw).strip(" ")
    if not s:
        return ""
    if len(s) > width or any(not (0x21 <= ord(c) <= 0x7E) for c in s):
        return None
    return s


def parse_date(raw, as_of=None):
    """A datetime.date, or None when invalid (incl. after as_of)."""
    s = blanks(raw).strip(" ")
    if "fold-dates" in COMPAT:
        s = fold(s)
    # section 3c: every form may be followed by a time part starting with T or a blank; it is ignored
    s = re.split(r"[T ]", s, maxsplit=1)[0]
    y = m = d = None
    mt = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", s, re.S)
    if mt:
        y, m, d = int(mt.group(1)), int(mt.group(2)), int(mt.group(3))
    else:
        mt = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", s)
        if mt:
            m, d, y = int(mt.group(1)), int(mt.group(2)), int(mt.group(3))
        elif re.fullmatch(r"[0-9]{8}", s):
            yy, mm, dd = int(s[:4]), int(s[4:6]), int(s[6:])
            if 1800 <= yy <= 2199 and _real(yy, mm, dd):
                y, m, d = yy, mm, dd
            else:
                m, d, y = int(s[:2]), int(s[2:4]), int(s[4:])
        else:
            return None
    if y < 1900 or not _real(y, m, d):
        return None
    date = datetime.date(y, m, d)
    if as_of is not None and date > as_of:
        return None
    return date


def _real(y, m, d):
    try:
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


def fmt_date(date):
    return "" if date is None else date.strftime("%m%d%Y")


def code_key(raw):
    return collapse(upper_ascii(fold(blanks(raw))))


# ---- section 3b: the CDC tables, read with Python's csv module from data/cdc/ (or ORACLE_CODE_TABLES)
CDC_DIR = os.environ.get("ORACLE_CODE_TABLES") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data", "cdc")


def _cdc_rows(name):
    with open(os.path.join(CDC_DIR, name), newline="", encoding="utf-8-sig") as fh:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


CDC_CVX = {int(r["CVXCode"]) for r in _cdc_rows("cvx.csv")}
CDC_CPT = {}
for _r in _cdc_rows("cpt_to_cvx.csv"):
    if re.fullmatch(r"[0-9]{5}", _r["CPT Code"]):
        CDC_CPT.setdefault(_r["CPT Code"], set())
        if _r["CVX Code"]:
            CDC_CPT[_r["CPT Code"]].add(int(_r["CVX Code"]))
CDC_MVX = {r["MVX_CODE"].upper() for r in _cdc_rows("mvx.csv")}
CDC_MVX_NAMES = {}
for _r in _cdc_rows("mvx.csv"):
    CDC_MVX_NAMES.setdefault(code_key(_r["Manufacturer Name"]), _r["MVX_CODE"].upper())


YES = {"Y", "YES", "TRUE", "1"}
NO = {"N", "NO", "FALSE", "0"}


def v_yes_no(raw):
    k = code_key(raw)
    return "Y" if k in YES else "N" if k in NO else None


CODESET_OF = {
    "patient_status": "Patient Status", "mother_hbsag_status": "Mother's HBsAg",
    "sex": "Sex (Gender)", "ethnicity": "Ethnicity", "contact_allowed": "Contact",
    "rp_relationship": "Relationship", "state": "State Codes", "county": "County",
    "route": "Admin Route", "body_site": "Body Site", "reaction": "Reaction Codes",
    "info_source": "Immunization Information Source",
    "vaccine_eligibility": "Vaccine Eligibility", "comment_code": "Comments",
}
EXTRA_WORDS = {
    "contact_allowed": {"1": "01", "2": "02"},
    "info_source": {"1": "01"},
    "patient_type": {"C": "C", "M": "M", "COMMERCIAL": "C", "MEDICAID": "M", "MEDI-CAL": "M"},
    # section 3c: the HL7 VFC codes the spec's table names beside each letter
    "vaccine_eligibility": {"V01": "B", "V02": "M", "V03": "N", "V04": "A", "V05": "F", "V07": "O"},
}


def _code_index(field):
    idx = {}
    for code, desc in CODESETS.get(CODESET_OF.get(field, ""), []):
        idx.setdefault(code_key(code), code)
    for code, desc in CODESETS.get(CODESET_OF.get(field, ""), []):
        if desc:
            idx.setdefault(code_key(desc), code)
    idx.update(EXTRA_WORDS.get(field, {}))
    return idx


CODE_INDEX = {f: _code_index(f) for f in list(CODESET_OF) + ["patient_type"]}


def v_code(field, raw):
    return CODE_INDEX[field].get(code_key(raw))


def v_phone(raw):
    """The phone digits, or None (W_PHONE)."""
    s = blanks(raw)
    cut = re.search("[xX]", s)
    main, ext = (s[:cut.start()], s[cut.start() + 1:]) if cut else (s, "")
    digits = "".join(c for c in main if "0" <= c <= "9")
    extd = "".join(c for c in ext if "0" <= c <= "9")
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or len(extd) > 7:
        return None
    return digits + extd


def v_zip(raw):
    s = blanks(raw)
    if "fold-dates" in COMPAT:
        s = fold(s)
    s = s.replace(" ", "").replace("-", "")
    if re.fullmatch(r"[0-9]{5}|[0-9]{9}", s):
        return s
    return None


# ---------------------------------------------------------------------------
# CSV reading (§2, §3a).

class Row:
    __slots__ = ("line", "fields", "problem")

    def __init__(self, line, fields, problem=None):
        self.line, self.fields, self.problem = line, fields, problem


def read_rows(data, delim):
    """Yields Row(line, [bytes fields], problem) for every record, header first."""
    d = delim
    Q, LF, CR = 0x22, 0x0A, 0x0D
    n = len(data)
    i = 0
    line = 1
    if data.startswith(b"\xef\xbb\xbf"):
        i = 3
    while i < n:
        # Only an empty line is skipped.
        if data[i] == LF:
            i += 1
            line += 1
            continue
        if data[i] == CR and i + 1 < n and data[i + 1] == LF:
            i += 2
            line += 1
            continue
        start_line = line
        fields = []
        cur = bytearray()
        while True:
            if i < n and data[i] == Q:
                # quoted field
                i += 1
                closed = False
                while i < n:
                    c = data[i]
                    if c == Q:
                        if i + 1 < n and data[i + 1] == Q:
                            cur.append(Q)
                            i += 2
                            continue
                        i += 1
                        closed = True
                        break
                    if c == LF:
                        line += 1
                    cur.append(c)
                    i += 1
                if not closed:
                    yield Row(start_line, None, "E_UNTERMINATED_QUOTE")
                    return
            # unquoted part (or the bytes after a closing quote)
            ended_row = False
            while i < n:
                c = data[i]
                if c == d:
                    i += 1
                    break
                if c == LF:
                    i += 1
                    line += 1
                    ended_row = True
                    break
                if c == CR and i + 1 < n and data[i + 1] == LF:
                    i += 2
                    line += 1
                    ended_row = True
                    break
                cur.append(c)
                i += 1
            else:
                ended_row = True
            fields.append(bytes(cur))
            cur = bytearray()
            if ended_row:
                break
            if i >= n:
                # the row ended with a delimiter at end of file: one more empty field
                fields.append(b"")
                break
        yield Row(start_line, fields)


def decode(b, enc):
    try:
        return b.decode(enc)
    except UnicodeDecodeError:
        return None


def header_key(name):
    return name.strip().lower().replace(" ", "_").replace("-", "_")


# ---------------------------------------------------------------------------
# Records.

class Ctx:
    def __init__(self, org, as_of, map_defaults=None):
        self.map_defaults = map_defaults or {}
        self.org = org
        self.as_of = as_of
        self.seen_ids = set()
        self.patients = {}          # written record_id -> birth date


class Result:
    def __init__(self):
        self.problems = []          # (field, code)
        self.out = {}
        self.rid = ""

    def add(self, field, code):
        self.problems.append((field, code))

    @property
    def status(self):
        codes = [c for _, c in self.problems]
        if any(c.startswith("E_") for c in codes):
            return "rejected"
        if any(c.startswith("X_") for c in codes):
            return "excluded"
        return "written"


ORG_FIELDS = ("sending_org", "disclosed_by", "updated_by")
BUILTIN_DEFAULT = {"patient_status": "A", "contact_allowed": "02", "sharing_status": "Y", "info_source": "01"}


def cell(rec, name, ctx):
    """The cell, else the mapping file's default, else --org for the org
    fields, else the built-in default (§3a precedence)."""
    raw = rec.get(name)
    if raw is not None and blanks(raw).strip(" "):
        # section 3c: the mapping's nulls blank a cell; its values translate one (trimmed, case-insensitive)
        key = upper_ascii(fold(blanks(raw).strip(" ")))
        if key in getattr(ctx, "nulls", set()):
            raw = None
        elif key in getattr(ctx, "values", {}).get(name, {}):
            return ctx.values[name][key]
        else:
            return raw
    if name in ctx.map_defaults:
        return ctx.map_defaults[name]
    if name in ORG_FIELDS and ctx.org:
        return ctx.org
    return BUILTIN_DEFAULT.get(name, "")


def present(raw):
    return bool(blanks(raw).strip(" "))


def width_of(kind, name):
    for f, _, length in LAYOUTS[kind]:
        if f == name:
            return length
    raise KeyError(name)


def do_identifier(r, kind, name, raw, required):
    v = v_identifier(raw, width_of(kind, name))
    if v is None:
        r.add(name, "E_ID")
        return None
    if not v and required:
        r.add(name, "E_REQUIRED")
    r.out[name] = v
    return v or None


def do_name(r, kind, name, raw, required):
    v, st = v_name(raw, width_of(kind, name))
    if st == "invalid":
        r.add(name, "E_NAME" if required else "W_NAME_DROPPED")
        v = ""
    elif st == "empty":
        if required:
            r.add(name, "E_REQUIRED")
        elif present(raw):
            r.add(name, "W_NAME_DROPPED")
    elif st == "truncated":
        r.add(name, "W_TRUNCATED")
    r.out[name] = v


def do_text(r, kind, name, raw, address):
    v, codes = (v_address if address else v_free_text)(raw, width_of(kind, name))
    for c in codes:
        r.add(name, c)
    r.out[name] = v
    return v


def do_date(r, name, raw, required, as_of):
    if not present(raw):
        if required:
            r.add(name, "E_REQUIRED")
        r.out[name] = ""
        return None
    d = parse_date(raw, as_of)
    if d is None:
        r.add(name, "E_DATE" if required else "W_DATE")
    r.out[name] = fmt_date(d)
    return d


def do_blank_or_warn(r, name, raw, value, warning):
    """A field that is written as `value(raw)` gives, or blank with `warning` when that is None (zip, phone)."""
    r.out[name] = ""
    if present(raw):
        v = value(raw)
        if v is None:
            r.add(name, warning)
        else:
            r.out[name] = v


def do_code(r, name, raw, required):
    if not present(raw):
        if required:
            r.add(name, "E_REQUIRED")
        r.out[name] = ""
        return None
    v = v_code(name, raw)
    if v is None:
        r.add(name, "E_CODE" if required else "W_CODE")
        v = ""
    r.out[name] = v
    return v or None


def record_patient(rec, ctx):
    r = Result()
    rid = v_identifier(rec.get("record_id") or "", 32)
    r.rid = rid or ""
    # Disclosure first: a not-disclosed record gets only X_NOT_DISCLOSED.
    if v_yes_no(cell(rec, "disclosed", ctx)) != "Y":
        r.add("disclosed", "X_NOT_DISCLOSED")
        if rid:
            ctx.seen_ids.add(rid)
        return r
    K = "patient"
    rid = do_identifier(r, K, "record_id", rec.get("record_id") or "", True)
    if rid:
        if rid in ctx.seen_ids:
            r.add("record_id", "E_DUPLICATE_ID")
        else:
            ctx.seen_ids.add(rid)
    do_code(r, "patient_status", cell(rec, "patient_status", ctx), True)
    for name, req in (("first_name", True), ("middle_name", False), ("last_name", True),
                      ("name_suffix", False)):
        do_name(r, K, name, cell(rec, name, ctx), req)
        if name in ("first_name", "last_name") and r.out[name] and r.out[name] in placeholder_names() \
                and not any(p[0] == name for p in r.problems):
            r.add(name, "W_PLACEHOLDER_NAME")
    birth = do_date(r, "birth_date", cell(rec, "birth_date", ctx), True, ctx.as_of)
    death = do_date(r, "death_date", cell(rec, "death_date", ctx), False, ctx.as_of)
    if birth and death and death < birth:
        r.add("death_date", "W_DATE")
        r.out["death_date"] = ""
    for name in ("mother_first_name", "mother_maiden_name"):
        do_name(r, K, name, cell(rec, name, ctx), False)
    for name in ("mother_hbsag_status", "sex"):
        do_code(r, name, cell(rec, name, ctx), False)
    for name in ("race_american_indian", "race_asian", "race_pacific_islander", "race_black",
                 "race_white", "race_other"):
        raw = cell(rec, name, ctx)
        r.out[name] = ""
        if present(raw):
            v = v_yes_no(raw)
            if v is None:
                r.add(name, "W_CODE")
            elif v == "Y":
                r.out[name] = "Y"
    do_code(r, "ethnicity", cell(rec, "ethnicity", ctx), False)
    if present(cell(rec, "ssn", ctx)):
        r.add("ssn", "W_SSN_DROPPED")
    r.out["ssn"] = ""
    do_code(r, "contact_allowed", cell(rec, "contact_allowed", ctx), False)
    do_identifier(r, K, "hp_member_id", cell(rec, "hp_member_id", ctx), False)
    do_identifier(r, K, "medi_cal_id", cell(rec, "medi_cal_id", ctx), False)
    for name in ("rp_first_name", "rp_middle_name", "rp_last_name"):
        do_name(r, K, name, cell(rec, name, ctx), False)
    do_code(r, "rp_relationship", cell(rec, "rp_relationship", ctx), False)
    for name in ("street_address", "other_address", "po_box", "city"):
        do_text(r, K, name, cell(rec, name, ctx), True)
    do_code(r, "state", cell(rec, "state", ctx), False)
    do_blank_or_warn(r, "zip", cell(rec, "zip", ctx), v_zip, "W_ZIP")
    do_code(r, "county", cell(rec, "county", ctx), False)
    do_blank_or_warn(r, "phone", cell(rec, "phone", ctx), v_phone, "W_PHONE")
    do_identifier(r, K, "sending_org", cell(rec, "sending_org", ctx), True)
    r.out["disclosed"] = "Y"
    disclosed = do_date(r, "disclosed_date", cell(rec, "disclosed_date", ctx), True, ctx.as_of)
    do_identifier(r, K, "disclosed_by", cell(rec, "disclosed_by", ctx), True)
    raw = cell(rec, "sharing_status", ctx)
    v = v_yes_no(raw)
    if v is None:
        r.add("sharing_status", "E_CODE")
    r.out["sharing_status"] = v or ""
    raw = cell(rec, "effective_date", ctx)
    if present(raw):
        do_date(r, "effective_date", raw, True, ctx.as_of)
    elif disclosed:
        r.out["effective_date"] = fmt_date(disclosed)
    else:
        r.add("effective_date", "E_REQUIRED")
        r.out["effective_date"] = ""
    do_identifier(r, K, "updated_by", cell(rec, "updated_by", ctx), True)
    if r.status == "written":
        ctx.patients[rid] = birth
    return r


_PLACEHOLDERS = None


def placeholder_names():
    """The placeholder list, each entry normalized by the name class (entries that are not valid names drop out)."""
    global _PLACEHOLDERS
    if _PLACEHOLDERS is None:
        _PLACEHOLDERS = set()
        for row in _cdc_rows("mn_junk_names_2018.csv"):
            v, st = v_name(row["junk_name"], 50)
            if st not in ("invalid", "empty", "truncated") and v:
                _PLACEHOLDERS.add(v)
    return _PLACEHOLDERS


VACCINE_FIELDS = ("ndc_code", "trade_name", "cpt_code", "cvx_code", "vaccine_group")


def record_immunization(rec, ctx):
    r = Result()
    K = "immunization"
    rid = do_identifier(r, K, "record_id", rec.get("record_id") or "", True)
    r.rid = rid or ""
    survivors = 0
    ndc = r"(?=.*[0-9])[0-9-]{1,13}" if "ndc-digit" in COMPAT else r"[0-9-]{1,13}"
    known = {}
    for name, pattern in (("ndc_code", ndc), ("cpt_code", r"[0-9]{5}"), ("cvx_code", r"[0-9]{1,3}")):
        raw = cell(rec, name, ctx)
        r.out[name] = ""
        if present(raw):
            s = blanks(raw).strip(" ")
            if re.fullmatch(pattern, s):
                r.out[name] = s
                survivors += 1
                if name == "cpt_code":
                    if s in CDC_CPT:
                        known["cpt"] = s
                    else:
                        r.add(name, "W_CODE_UNKNOWN")
                elif name == "cvx_code":
                    if int(s) in CDC_CVX:
                        known["cvx"] = int(s)
                    else:
                        r.add(name, "W_CODE_UNKNOWN")
            else:
                r.add(name, "W_CODE")
    if "cpt" in known and "cvx" in known and known["cvx"] not in CDC_CPT[known["cpt"]]:
        r.add("cvx_code", "W_CODE_MISMATCH")
    for name in ("trade_name", "vaccine_group"):
        if do_text(r, K, name, cell(rec, name, ctx), False):
            survivors += 1
    if not survivors:
        r.add("", "E_NO_VACCINE")
    vdate = do_date(r, "vaccination_date", cell(rec, "vaccination_date", ctx), True, ctx.as_of)
    for name in ("route", "body_site", "reaction"):
        do_code(r, name, cell(rec, name, ctx), False)
    raw = cell(rec, "manufacturer", ctx)
    if not present(raw):
        r.add("manufacturer", "E_REQUIRED")
        r.out["manufacturer"] = ""
    else:
        m = code_key(raw)
        if m in CDC_MVX:
            r.out["manufacturer"] = m
        elif m in CDC_MVX_NAMES:
            r.out["manufacturer"] = CDC_MVX_NAMES[m]
        elif re.fullmatch(r"[A-Z0-9]{1,4}", m):
            r.out["manufacturer"] = m
            r.add("manufacturer", "W_CODE_UNKNOWN")
        else:
            r.add("manufacturer", "E_CODE")
            r.out["manufacturer"] = ""
    do_code(r, "info_source", cell(rec, "info_source", ctx), True)
    for name in ("lot_number", "provider", "administered_by"):
        do_text(r, K, name, cell(rec, name, ctx), False)
    do_identifier(r, K, "sending_org", cell(rec, "sending_org", ctx), True)
    do_code(r, "vaccine_eligibility", cell(rec, "vaccine_eligibility", ctx), False)
    if rid:
        if rid not in ctx.patients:
            r.add("record_id", "E_ORPHAN")
        else:
            birth = ctx.patients[rid]
            if vdate and birth and vdate < birth:
                r.add("vaccination_date", "E_BEFORE_BIRTH")
    return r


def record_comment(rec, ctx):
    r = Result()
    K = "comment"
    rid = do_identifier(r, K, "record_id", rec.get("record_id") or "", True)
    r.rid = rid or ""
    raw = cell(rec, "comment_code", ctx)
    code = do_code(r, "comment_code", raw, True)
    if code and len(code) > width_of(K, "comment_code"):
        r.add("comment_code", "E_CODE")      # DPERM10-14: 7 characters in a 6-wide field
        r.out["comment_code"] = ""
    begin = do_date(r, "begin_date", cell(rec, "begin_date", ctx), False, None)
    end = do_date(r, "end_date", cell(rec, "end_date", ctx), False, None)
    if begin and end and end < begin:
        r.add("end_date", "W_DATE")
        r.out["end_date"] = ""
    if rid and rid not in ctx.patients:
        r.add("record_id", "E_ORPHAN")
    return r


def record_query(rec, ctx):
    r = Result()
    K = "query"
    do_code(r, "patient_type", cell(rec, "patient_type", ctx), True)
    rid = do_identifier(r, K, "hp_member_id", cell(rec, "hp_member_id", ctx), True)
    r.rid = rid or ""
    for name, req in (("first_name", True), ("middle_name", False), ("last_name", True)):
        do_name(r, K, name, cell(rec, name, ctx), req)
    do_date(r, "birth_date", cell(rec, "birth_date", ctx), True, ctx.as_of)
    return r


RECORD = {"patient": record_patient, "immunization": record_immunization,
          "comment": record_comment, "query": record_query}


STATED_TOTAL = {"patient": 877, "query": 192}
PAD = False


def render(kind, out):
    parts = []
    for name, _, length in LAYOUTS[kind]:
        v = "" if name is None else out.get(name, "")
        if len(v) > length:
            raise AssertionError("%s %s too long" % (kind, name))
        parts.append(v.ljust(length))
    line = "".join(parts)
    assert len(line) == WIDTH[kind]
    if PAD:
        line = line.ljust(STATED_TOTAL.get(kind, WIDTH[kind]))
    return line.encode("ascii") + b"\r\n"


# ---------------------------------------------------------------------------
# A run.

REQUIRED_COLUMNS = {
    "patient": ("record_id", "first_name", "last_name", "birth_date", "disclosed", "disclosed_date",
                "sending_org", "disclosed_by", "updated_by"),
    "immunization": ("record_id", "vaccination_date", "manufacturer", "sending_org"),
    "comment": ("record_id", "comment_code"),
    "query": ("patient_type", "hp_member_id", "first_name", "last_name", "birth_date"),
}


class UsageError(Exception):
    pass


def open_input(path, kind, delim, enc, org, mapping=None, map_defaults=None):
    data = open(path, "rb").read()
    rows = read_rows(data, delim)
    header = next(rows, None)
    if header is None or header.fields is None:
        raise UsageError("%s: no header" % path)
    names = []
    for b in header.fields:
        s = decode(b, enc)
        names.append(header_key(s) if s is not None else None)
    canon = set(CANON[kind])
    cols, seen, unknown = [], set(), []
    mapping = mapping or {}
    for nm in names:
        nm = mapping.get(nm, nm)
        if nm in canon:
            if nm in seen:
                raise UsageError("%s: two columns resolve to %s" % (path, nm))
            seen.add(nm)
            cols.append(nm)
        else:
            unknown.append(nm)
            cols.append(None)
    for c in REQUIRED_COLUMNS[kind]:
        if c not in seen and not (c in ORG_FIELDS and org) and c not in (map_defaults or {}):
            raise UsageError("%s: required column %s missing" % (path, c))
    if kind == "immunization" and not ((seen | set(map_defaults or {})) & set(VACCINE_FIELDS)):
        raise UsageError("%s: no vaccine-code column" % path)
    if unknown:
        print("%s: unknown columns ignored: %s" % (path, ", ".join(str(u) for u in unknown)), file=sys.stderr)
    return cols, rows


def convert_file(kind, path, ctx, delim, enc, report):
    cols, rows = open_input(path, kind, delim, enc, ctx.org, ctx.mapping, ctx.map_defaults)
    lines, counts, warn = [], {"input_records": 0, "written": 0, "rejected": 0, "excluded": 0}, {}
    for row in rows:
        counts["input_records"] += 1
        r = Result()
        if row.problem:
            r.add("", row.problem)
        elif len(row.fields) != len(cols):
            r.add("", "E_FIELD_COUNT")
        else:
            rec = {}
            for col, b in zip(cols, row.fields):
                s = decode(b, enc)
                if s is None:
                    r.add(col or "", "E_ENCODING")
                elif col:
                    rec[col] = s
            if not r.problems:
                r = RECORD[kind](rec, ctx)
        st = r.status
        counts[st] += 1
        for field, code in r.problems:
            report.append((path, row.line, r.rid, field, code))
            if code.startswith("W_"):
                warn[code] = warn.get(code, 0) + 1
        if st == "written":
            lines.append(render(kind, r.out))
    return b"".join(lines), counts, warn


MESSAGES = {}


def write_report(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "line", "record_id", "field", "code", "message"])
    for f, line, rid, field, code in sorted(rows, key=lambda x: (x[0], x[1])):
        w.writerow([f, line, rid, field, code, code])
    write_file(path, buf.getvalue().encode())


def write_file(path, data):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_map(path):
    """--map FILE: {"columns": {theirs: canonical}, "defaults": {canonical: value}};
    keys normalized like header names; a target that is not canonical is exit 2."""
    if not path:
        return {}, {}
    try:
        doc = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError("bad mapping file: %s" % e)
    if not isinstance(doc, dict):
        raise UsageError("bad mapping file")
    allcanon = set(c for cols in CANON.values() for c in cols)
    cols = {}
    for k, v in (doc.get("columns") or {}).items():
        t = header_key(str(v))
        if t not in allcanon:
            raise UsageError("mapping target %r is not a canonical name" % v)
        cols[header_key(k)] = t
    defs = {}
    for k, v in (doc.get("defaults") or {}).items():
        t = header_key(k)
        if t not in allcanon:
            raise UsageError("mapping default %r is not a canonical name" % k)
        defs[t] = str(v)
    return cols, defs


def load_map_values(path):
    """section 3c: {"values": {canonical: {theirs: value}}, "nulls": [...]}, keys as cell() compares them."""
    if not path:
        return {}, set()
    doc = json.load(open(path, encoding="utf-8"))
    values = {}
    for k, table in (doc.get("values") or {}).items():
        values.setdefault(header_key(k), {}).update({upper_ascii(fold(str(t).strip(" "))): str(v) for t, v in table.items()})
    return values, {upper_ascii(fold(str(n).strip(" "))) for n in (doc.get("nulls") or [])}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients")
    ap.add_argument("--immunizations")
    ap.add_argument("--comments")
    ap.add_argument("--query")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--org")
    ap.add_argument("--as-of")
    ap.add_argument("--delimiter", default=",")
    ap.add_argument("--encoding", default="utf-8")
    ap.add_argument("--map")
    ap.add_argument("--pad-to-stated-total", action="store_true")
    a = ap.parse_args(argv)
    try:
        if (a.immunizations or a.comments) and not a.patients:
            raise UsageError("immunizations or comments need --patients")
        if a.query and (a.patients or a.immunizations or a.comments):
            raise UsageError("--query goes alone")
        if not (a.patients or a.query):
            raise UsageError("no input")
        if a.org is not None and v_identifier(a.org, 12) in (None, ""):
            raise UsageError("invalid --org")
        delim = a.delimiter.encode("latin-1")
        if delim == b"\\t":
            delim = b"\t"
        if len(delim) != 1:
            raise UsageError("delimiter must be one byte")
        enc = {"utf-8": "utf-8", "utf8": "utf-8", "cp1252": "cp1252", "latin1": "latin-1",
               "latin-1": "latin-1", "iso-8859-1": "latin-1"}.get(a.encoding.lower())
        if enc is None:
            raise UsageError("unknown encoding")
        as_of = datetime.date.fromisoformat(a.as_of) if a.as_of else datetime.date.today()
        mapping, map_defaults = load_map(a.map)
        ctx = Ctx(a.org, as_of, map_defaults)
        ctx.mapping = mapping
        ctx.values, ctx.nulls = load_map_values(a.map)
        global PAD
        PAD = a.pad_to_stated_total
        jobs = [(k, p) for k, p in (("patient", a.patients), ("immunization", a.immunizations),
                                    ("comment", a.comments), ("query", a.query)) if p]
        for _, p in jobs:
            if not os.path.isfile(p):
                raise UsageError("%s: cannot read" % p)
        report, files, outputs = [], [], {}
        for kind, path in jobs:
            data, counts, warn = convert_file(kind, path, ctx, delim[0], enc, report)
            outputs[kind + ".txt"] = data
            files.append(dict(kind=kind, input=path, **counts, warnings=warn, output=kind + ".txt",
                              output_bytes=len(data), output_sha256=hashlib.sha256(data).hexdigest()))
    except UsageError as e:
        print("oracle: %s" % e, file=sys.stderr)
        return 2
    os.makedirs(a.out_dir, exist_ok=True)
    for name, data in outputs.items():
        write_file(os.path.join(a.out_dir, name), data)
    write_report(os.path.join(a.out_dir, "rejects.csv"), [r for r in report if not r[4].startswith("W_")])
    write_report(os.path.join(a.out_dir, "warnings.csv"), [r for r in report if r[4].startswith("W_")])
    summary = {"tool": "cair2-oracle", "version": "0", "as_of": as_of.isoformat(), "files": files,
               "parts": [], "elapsed_seconds": 0.0}
    write_file(os.path.join(a.out_dir, "summary.json"), (json.dumps(summary, indent=2) + "\n").encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
