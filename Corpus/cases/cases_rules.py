from cases_values import *

# ---------------------------------------------------------------- dates
BIRTHS = [("2000-01-02", "01022000"), ("2000-01-02T10:30:00", "01022000"), ("2000-01-02 10:30", "01022000"),
          ("1/2/2000", "01022000"), ("01/02/2000", "01022000"), ("20000102", "01022000"), ("01022000", "01022000"),
          ("12311999", "12311999"), ("19000229", None), ("2000-1-5", None), ("1/2/00", None),
          ("2000-01-02X10", None), ("1899-12-31", None), ("1900-01-01", "01011900"), ("2026-01-16", None),
          ("2026-01-15", "01152026"), ("2023-02-29", None), ("2024-02-29", "02292024"), ("13/01/2000", None),
          ("00-01-02", None), ("20001301", None), ("18991231", None), ("2/29/2024", "02292024"),
          ("2000-01-2", None), ("02-01-2000", None), ("1/2/02000", None)]
DH = PH + ",death_date,effective_date"
drows, dout, drej = [], [], []
for i, (b, o) in enumerate(BIRTHS):
    rid = "B%d" % (i + 1)
    drows.append(prow(rid, birth=b, extra=["", ""]))
    if o:
        dout.append(P(rid, "ANN", birth=o))
    else:
        drej.append(R(PF, i + 2, rid, "birth_date", "E_DATE"))
n0 = len(BIRTHS) + 2
drows.append(prow("B0", birth="", extra=["", ""]))
drej.append(R(PF, n0, "B0", "birth_date", "E_REQUIRED"))
more = [  # (rid, birth, death, effective, disclosed_date, expected-or-None, problems)
    ("D1", "2000-01-02", "1999-12-31", "", "2020-01-01", P("D1", "ANN"), [("death_date", "W_DATE")]),
    ("D2", "2000-01-02", "2000-01-02", "", "2020-01-01", P("D2", "ANN", death_date="01022000"), []),
    ("D3", "2000-01-02", "2026-02-01", "", "2020-01-01", P("D3", "ANN"), [("death_date", "W_DATE")]),
    ("D4", "2000-01-02", "garbage", "", "2020-01-01", P("D4", "ANN"), [("death_date", "W_DATE")]),
    ("E1", "2000-01-02", "", "2021-13-01", "2020-01-01", None, [("effective_date", "E_DATE")]),
    ("E2", "2000-01-02", "", "", "3/4/2020", P("E2", "ANN", disclosed_date="03042020"), []),
    ("E3", "2000-01-02", "", "2019-05-05", "2020-01-01", P("E3", "ANN", effective_date="05052019"), []),
    ("E4", "2000-01-02", "", "2020-01-01", "2026-01-16", None, [("disclosed_date", "E_DATE")]),
    ("E5", "2000-01-02", "", "2020-01-01", "", None, [("disclosed_date", "E_REQUIRED")]),
    ("E6", "2000-01-02", "", "2026-01-16", "2020-01-01", None, [("effective_date", "E_DATE")]),
]
dwarn = []
for j, (rid, b, d, eff, dd, o, probs) in enumerate(more):
    line = n0 + 1 + j
    drows.append(prow(rid, birth=b, dd=dd, extra=[d, eff]))
    if o:
        dout.append(o)
    for (f, c) in probs:
        (dwarn if c.startswith("W") else drej).append(R(PF, line, rid, f, c))
case("dates-patient", """
Pins §3 date class "accepts `YYYY-MM-DD` (a time part after it is ignored), `M/D/YYYY` with or without leading
zeros, and 8 digits read as `YYYYMMDD` when the first four are 1800–2199 and the rest is a valid month/day, else
as `MMDDYYYY`. Written `MMDDYYYY`. Must be a real calendar date with year ≥ 1900. Birth, death, ... disclosed and
effective dates after the run's `--as-of` date ... are invalid. Invalid required date: `E_DATE`; invalid optional
date: blank + `W_DATE`. A death date before the birth date: blank + `W_DATE`." and §3a "`YYYY-MM-DD` needs
two-digit month and day, a time part starts with `T` or a blank; two-digit years are invalid", "The effective date
defaults to the normalized disclosed date; a present but invalid effective date is `E_DATE` (no fallback)".
Birth dates (B*), one per record: """ + "; ".join("`%s` -> %s" % (b, o or "E_DATE") for b, o in BIRTHS) + """.
`19000229`: YYYYMMDD 1900-02-29 is not a real date (and MMDDYYYY month 19 is not either) -> E_DATE. `18991231`:
read as YYYYMMDD (1899-12-31), year < 1900 -> E_DATE. B0 blank birth -> E_REQUIRED.
D1 death before birth -> blank + W_DATE; D2 death on the birth date is fine; D3 death after as-of -> W_DATE; D4
unparsable death -> W_DATE. E1 invalid effective -> E_DATE (no fallback to the disclosed date). E2 effective
blank -> the normalized disclosed date 03042020. E3 effective given. E4 disclosed after as-of -> E_DATE. E5
disclosed blank -> E_REQUIRED. E6 effective after as-of -> E_DATE.
""", {PF: lines(DH, *drows)}, out={"patient": dout}, rejects=drej, warnings=dwarn,
     inputs={"patient": len(drows)})

# ---------------------------------------------------------------- codes (patient)
CH = PH + ",patient_status,sex,ethnicity,mother_hbsag_status,contact_allowed,rp_relationship,state,county,race_white,race_asian,sharing_status"


def crow(rid, *vals):
    return prow(rid, extra=list(vals))


case("codes-patient", """
Pins §3 code class "the code from the spec's code set, case-insensitive, or its description from that table
(case-insensitive, whitespace collapsed)", yes/no fields "take Y/YES/TRUE/1 as `Y` and N/NO/FALSE/0 as `N`; a race
flag is written `Y` or blank. Contact takes 01, 02, 1, 2. Patient status defaults to A, contact to 02, sharing
status to Y", "Invalid optional code: blank + `W_CODE`; invalid required code: `E_CODE`", and §3a "Descriptions
are accepted for every code set ... compared after ASCII folding, upper-casing and collapsing blanks. Race flags
take only the yes/no words", "An invalid value is not replaced by the default".
- L2 descriptions: `active` A, `female` F, `hispanic  or  latino` H, `Positive` 3, contact `1` 01, `Father` FTH,
  `California` CA, `Contra Costa` CA013, race_white `yes` Y, race_asian `0` blank, sharing `no` N.
- L3 `Inactive-Permanently (deceased)` P, `m` M, `nh` NH, `not screened` 2, `2` 02, `care giver` CGV, `ca` CA,
  `ca013` CA013, `TRUE` Y, `N` blank, sharing `1` Y.
- L4 every optional code invalid -> blank + W_CODE each (sex X, ethnicity Latino, HBsAg 9, contact 3 (blank, not
  02), relationship Dad, state ZZ, county `Ventura County`, race_white `White`, race_asian `x`); status and
  sharing blank -> defaults A and Y.
- L5 patient_status `Z` -> E_CODE. L6 sharing_status `maybe` -> E_CODE.
- L7 contact `Contact Allowed – Notices will be sent.` (en dash folded) -> 02; `district of columbia` DC; `VENTURA`
  CA111; `fth` FTH; `inactive-other` I; `Unknown` U; `NEGATIVE` 1; race `1` Y; `FALSE` blank; sharing `False` N.
- L8 contact `No Contact Allowed - Notices are not to be sent.` -> 01; status `inactive-mogE` M; sex `F`.
""", {PF: lines(CH,
                 crow("R1", "active", "female", "hispanic  or  latino", "Positive", "1", "Father", "California", "Contra Costa", "yes", "0", "no"),
                 crow("R2", "Inactive-Permanently (deceased)", "m", "nh", "not screened", "2", "care giver", "ca", "ca013", "TRUE", "N", "1"),
                 crow("R3", "", "X", "Latino", "9", "3", "Dad", "ZZ", "Ventura County", "White", "x", ""),
                 crow("R4", "Z", "", "", "", "", "", "", "", "", "", ""),
                 crow("R5", "", "", "", "", "", "", "", "", "", "", "maybe"),
                 crow("R6", "inactive-other", "Unknown", "", "NEGATIVE", "Contact Allowed – Notices will be sent.", "fth", "district of columbia", "VENTURA", "1", "FALSE", "False"),
                 crow("R7", "inactive-mogE", "F", "", "", "No Contact Allowed - Notices are not to be sent.", "", "", "", "", "", ""))},
     out={"patient": [
         P("R1", "ANN", sex="F", ethnicity="H", mother_hbsag_status="3", contact_allowed="01", rp_relationship="FTH",
           state="CA", county="CA013", race_white="Y", sharing_status="N"),
         P("R2", "ANN", patient_status="P", sex="M", ethnicity="NH", mother_hbsag_status="2", contact_allowed="02",
           rp_relationship="CGV", state="CA", county="CA013", race_white="Y"),
         P("R3", "ANN", contact_allowed=""),
         P("R6", "ANN", patient_status="I", sex="U", mother_hbsag_status="1", contact_allowed="02", rp_relationship="FTH",
           state="DC", county="CA111", race_white="Y", sharing_status="N"),
         P("R7", "ANN", patient_status="M", sex="F", contact_allowed="01")]},
     warnings=[R(PF, 4, "R3", f, "W_CODE") for f in ["sex", "ethnicity", "mother_hbsag_status", "contact_allowed",
                                                     "rp_relationship", "state", "county", "race_white", "race_asian"]],
     rejects=[R(PF, 5, "R4", "patient_status", "E_CODE"), R(PF, 6, "R5", "sharing_status", "E_CODE")],
     inputs={"patient": 7})

# ---------------------------------------------------------------- phone / zip / ssn
PHONES = [("805-355-7663", "8053557663"), ("(805) 355 7663", "8053557663"), ("1-805-355-7663", "8053557663"),
          ("+1 805 355 7663", "8053557663"), ("805-355-7663 x123", "8053557663123"),
          ("805.355.7663 ext. 45", "805355766345"), ("805-355-7663 extension 1234567", "80535576631234567"),
          ("805-355-7663 ext 99", "805355766399"), ("805-355-7663x12345678", None), ("105-355-7663", None),
          ("355-7663", None), ("2-805-355-7663", None), ("005-355-7663", None), ("1-105-355-7663", None),
          ("805-355-76631", None)]
ZIPS = [("93081", "93081"), ("93081-1234", "930811234"), ("93081 1234", "930811234"), ("9308", None),
        ("930811", None), ("9308A", None), ("93-081", "93081")]
ph_rows, ph_out, ph_warn = [], [], []
HH = PH + ",phone,zip,ssn"
ln = 2
for i, (v, o) in enumerate(PHONES):
    rid = "P%d" % (i + 1)
    ph_rows.append(prow(rid, extra=[v, "", ""]))
    ph_out.append(P(rid, "ANN", phone=o or ""))
    if not o:
        ph_warn.append(R(PF, ln, rid, "phone", "W_PHONE"))
    ln += 1
for i, (v, o) in enumerate(ZIPS):
    rid = "Z%d" % (i + 1)
    ph_rows.append(prow(rid, extra=["", v, ""]))
    ph_out.append(P(rid, "ANN", zip=o or ""))
    if not o:
        ph_warn.append(R(PF, ln, rid, "zip", "W_ZIP"))
    ln += 1
ph_rows.append(prow("S1", extra=["", "", "123-45-6789"]))
ph_out.append(P("S1", "ANN"))
ph_warn.append(R(PF, ln, "S1", "ssn", "W_SSN_DROPPED"))
ln += 1
ph_rows.append(prow("S2", extra=["", "", "garbage"]))
ph_out.append(P("S2", "ANN"))
ph_warn.append(R(PF, ln, "S2", "ssn", "W_SSN_DROPPED"))
case("phone-zip-ssn", """
Pins §3 phone "digits of the part before an `x`/`ext`; 11 digits starting with 1 drop the 1; must be 10 digits,
first digit 2–9; up to 7 extension digits are appended. Otherwise blank + `W_PHONE`", §3a "the extension starts
at the first `x` (`x`, `ext`, `ext.`, `extension`); other characters of the main part are ignored; an extension of
more than 7 digits blanks the whole phone (`W_PHONE`)"; zip "blanks and `-` removed; 5 or 9 digits, else blank +
`W_ZIP`"; SSN "never written. A non-empty `ssn` input value is dropped and counted (`W_SSN_DROPPED`)" (even when
it is not a valid SSN). Phones: """ + "; ".join("`%s` -> %s" % (v, o or "W_PHONE") for v, o in PHONES) +
     ". Zips: " + "; ".join("`%s` -> %s" % (v, o or "W_ZIP") for v, o in ZIPS) + ".",
     {PF: lines(HH, *ph_rows)}, out={"patient": ph_out}, warnings=ph_warn, inputs={"patient": len(ph_rows)})

# ---------------------------------------------------------------- disclosure
XH = PH + ",phone,ssn,hp_member_id"
case("disclosure", """
Pins §3 "a patient whose `disclosed` is not `Y` is excluded (`X_NOT_DISCLOSED`)" and §3a "A record whose
`disclosed` is not `Y` (blank or any other value) gets only `X_NOT_DISCLOSED` (field `disclosed`) and is not
examined further"; yes/no words (§3) Y/YES/TRUE/1 -> Y.
- L2 `yes`, L3 `TRUE`, L4 `1`, L5 `y` -> written with Y.
- L6 `N`, L7 blank, L8 `maybe`, L9 `0`, L10 `No` -> X_NOT_DISCLOSED.
- L11 `N` with a bad first name, a bad birth date, a bad phone, an SSN and a bad hp_member_id -> only
  X_NOT_DISCLOSED (no E_*, no W_* rows).
- L12 record_id `R 12` (invalid) with disclosed `no` -> only X_NOT_DISCLOSED.
""", {PF: lines(XH, prow("R1", disc="yes", extra=["", "", ""]), prow("R2", disc="TRUE", extra=["", "", ""]),
                 prow("R3", disc="1", extra=["", "", ""]), prow("R4", disc="y", extra=["", "", ""]),
                 prow("R5", disc="N", extra=["", "", ""]), prow("R6", disc="", extra=["", "", ""]),
                 prow("R7", disc="maybe", extra=["", "", ""]), prow("R8", disc="0", extra=["", "", ""]),
                 prow("R9", disc="No", extra=["", "", ""]),
                 prow("R10", "Ann2", birth="2000-13-45", disc="N", extra=["123", "123-45-6789", "A B"]),
                 prow("R 12", disc="no", extra=["", "", ""]))},
     out={"patient": [P("R1", "ANN"), P("R2", "ANN"), P("R3", "ANN"), P("R4", "ANN")]},
     rejects=[R(PF, l, "", "disclosed", "X_NOT_DISCLOSED") for l in range(6, 13)], inputs={"patient": 11})

# ---------------------------------------------------------------- duplicates
case("duplicates", """
Pins §3 "A `record_id` seen again in the patient input: `E_DUPLICATE_ID` (first occurrence in input order wins)"
and §3a "once a valid `record_id` has been seen on any record past the structural checks (written, rejected or
excluded), every later record with it is `E_DUPLICATE_ID`. Identifiers compare case-sensitively", field
`record_id` for E_DUPLICATE_ID, §4 "every problem of a record is listed".
- L2 R1 written; L3 R1 -> E_DUPLICATE_ID.
- L4 R2 rejected (E_DATE); L5 R2 valid -> E_DUPLICATE_ID.
- L6 R3 excluded; L7 R3 valid -> E_DUPLICATE_ID.
- L8 R1 with disclosed N -> only X_NOT_DISCLOSED (not examined further).
- L9 `r1` -> a different id, written.
- L10 R1 with an invalid birth date -> E_DUPLICATE_ID and E_DATE.
- L11 ` R4` written as R4; L12 `R4 ` -> trimmed R4 -> E_DUPLICATE_ID.
- L13 `R 5` -> E_ID; L14 `R 5` -> E_ID only (an invalid id is never \"seen\").
- L15 R6 with a wrong field count (structural) -> E_FIELD_COUNT; L16 R6 -> written.
""", {PF: lines(PH, prow("R1"), prow("R1"), prow("R2", birth="2000-02-30"), prow("R2"), prow("R3", disc="N"),
                 prow("R3"), prow("R1", disc="N"), prow("r1"), prow("R1", birth="bad"), prow(" R4"), prow("R4 "),
                 prow("R 5"), prow("R 5"), "R6,Ann,Smith", prow("R6"))},
     out={"patient": [P("R1", "ANN"), P("r1", "ANN"), P("R4", "ANN"), P("R6", "ANN")]},
     rejects=[R(PF, 3, "R1", "record_id", "E_DUPLICATE_ID"), R(PF, 4, "R2", "birth_date", "E_DATE"),
              R(PF, 5, "R2", "record_id", "E_DUPLICATE_ID"), R(PF, 6, "R3", "disclosed", "X_NOT_DISCLOSED"),
              R(PF, 7, "R3", "record_id", "E_DUPLICATE_ID"), R(PF, 8, "R1", "disclosed", "X_NOT_DISCLOSED"),
              R(PF, 10, "R1", "record_id", "E_DUPLICATE_ID"), R(PF, 10, "R1", "birth_date", "E_DATE"),
              R(PF, 12, "R4", "record_id", "E_DUPLICATE_ID"), R(PF, 13, "", "record_id", "E_ID"),
              R(PF, 14, "", "record_id", "E_ID"), R(PF, 15, "", "", "E_FIELD_COUNT")],
     inputs={"patient": 15})
