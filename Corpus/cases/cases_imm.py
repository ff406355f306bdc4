from cases_rules import *

IF = "immunizations.csv"
CF = "comments.csv"
IMH = "record_id,ndc_code,trade_name,cpt_code,cvx_code,vaccine_group,vaccination_date,route,body_site,reaction,manufacturer,info_source,lot_number,provider,administered_by,sending_org,vaccine_eligibility"


def irow(rid="R1", ndc="", trade="", cpt="", cvx="", group="", date="2020-01-01", route="", site="", reaction="",
         manu="PMC", info="", lot="", provider="", admin="", org="", elig=""):
    return ",".join([rid, ndc, trade, cpt, cvx, group, date, route, site, reaction, manu, info, lot, provider, admin,
                     org, elig])


ADM = "Nurse " + "Q" * 50
case("immunization-rules", """
Pins §3 Immunization "at least one of ndc_code (digits and `-`, ≤ 13), trade_name, cpt_code (5 digits), cvx_code
(1–3 digits), vaccine_group must survive validation (a malformed one is blanked with `W_CODE`), else
`E_NO_VACCINE`; vaccination_date, manufacturer (MVX-style, 1–4 letters or digits) and sending_org are required;
info_source must be 01 (blank or `1` becomes 01, anything else `E_CODE`)", §3a "Manufacturer codes are checked for
shape (1–4 letters or digits, written upper-case); CPT codes with a letter (`0001A`) are malformed", "A value
emptied by removal is written blank with `W_CHARS_REMOVED` only (and then does not count as a surviving vaccine
code)", "A rejected record's warnings are listed too", field empty for E_NO_VACCINE; code descriptions (§3a
"Descriptions are accepted for every code set (... route, body site, reaction, eligibility ...)"); free text (§3
"as address but case is kept"). One patient R1 (born 2000-01-02).
- L2 ndc `49281-0421-50`; route `intramuscular` IM; site `left deltoid` LD; reaction `Patient Died` D; manufacturer
  `pmc` PMC; info blank 01; eligibility `Private = V01` B.
- L3 cpt 90686; `IM`; `ld`; `pertcont` PERTCONT; `SKB`; info `1` -> 01; eligibility `b` B.
- L4 cvx 150; route `Percutaneous (multiple puncture – Small Pox)` MP; `MSD`; info `01`; eligibility
  `vfc eligible medi-cal/chdp = v02` M.
- L5 cpt `0001A` only -> W_CODE cpt_code + E_NO_VACCINE. L6 no vaccine code at all -> E_NO_VACCINE.
- L7 ndc `4928A`, cpt `9068`, cvx `1500` all malformed (3 W_CODE) but vaccine_group `flu` survives -> written.
- L8 cvx `15a` -> W_CODE + E_NO_VACCINE. L9 ndc of 14 characters -> W_CODE + E_NO_VACCINE.
- L10 trade_name `®` emptied by removal -> W_CHARS_REMOVED only + E_NO_VACCINE.
- L11 route XX, site ZZ, reaction QQ, eligibility Q invalid (optional) -> 4 W_CODE, written with cvx 3.
- L12 manufacturer `MSDXX` -> E_CODE. L13 `P-MC` -> E_CODE. L14 blank -> E_REQUIRED.
- L15 info_source `02` -> E_CODE. L16 vaccination_date blank -> E_REQUIRED. L17 after as-of -> E_DATE.
- L18 trade `Fluzone® Quad` -> `Fluzone Quad` W_CHARS_REMOVED; lot `ab-12é` -> `ab-12e` (folded, case kept, no
  warning); provider `Dr. José O’Neil` -> `Dr. Jose O'Neil`; administered_by of 56 -> cut to 50, W_TRUNCATED.
- L19 sending_org OTHERORG (cell over --org). L20 sending_org `BAD ORG` -> E_ID.
- L21 vaccine_group `  Flu  Shot ` -> `Flu Shot` (trimmed, collapsed, no warning).
- L22 manufacturer `ab1` -> AB1, well-formed but not in the CDC MVX table: W_CODE_UNKNOWN (§3b).
""", {PF: lines(PH, prow("R1")),
      IF: lines(IMH,
                irow(ndc="49281-0421-50", route="intramuscular", site="left deltoid", reaction="Patient Died", manu="pmc",
                     elig="Private = V01"),
                irow(cpt="90686", route="IM", site="ld", reaction="pertcont", manu="SKB", info="1", elig="b"),
                irow(cvx="150", route="Percutaneous (multiple puncture – Small Pox)", manu="MSD", info="01",
                     elig="vfc eligible medi-cal/chdp = v02"),
                irow(cpt="0001A"), irow(),
                irow(ndc="4928A", cpt="9068", cvx="1500", group="flu"),
                irow(cvx="15a"), irow(ndc="49281-0421-501"), irow(trade="®"),
                irow(cvx="3", route="XX", site="ZZ", reaction="QQ", elig="Q"),
                irow(cvx="3", manu="MSDXX"), irow(cvx="3", manu="P-MC"), irow(cvx="3", manu=""),
                irow(cvx="3", info="02"), irow(cvx="3", date=""), irow(cvx="3", date="2026-01-16"),
                irow(trade="Fluzone® Quad", lot="ab-12é", provider="Dr. José O’Neil", admin=ADM),
                irow(cvx="3", org="OTHERORG"), irow(cvx="3", org="BAD ORG"),
                irow(group="  Flu  Shot "), irow(cvx="3", manu="ab1"))},
     out={"patient": [P("R1", "ANN")],
          "immunization": [
              I("R1", ndc_code="49281-0421-50", route="IM", body_site="LD", reaction="D", vaccine_eligibility="B"),
              I("R1", cpt_code="90686", route="IM", body_site="LD", reaction="PERTCONT", manufacturer="SKB",
                vaccine_eligibility="B"),
              I("R1", cvx_code="150", route="MP", manufacturer="MSD", vaccine_eligibility="M"),
              I("R1", vaccine_group="flu"),
              I("R1", cvx_code="3"),
              I("R1", trade_name="Fluzone Quad", lot_number="ab-12e", provider="Dr. Jose O'Neil",
                administered_by=ADM[:50]),
              I("R1", cvx_code="3", sending_org="OTHERORG"),
              I("R1", vaccine_group="Flu Shot"),
              I("R1", cvx_code="3", manufacturer="AB1")]},
     warnings=[R(IF, 5, "R1", "cpt_code", "W_CODE"), R(IF, 7, "R1", "ndc_code", "W_CODE"),
               R(IF, 7, "R1", "cpt_code", "W_CODE"), R(IF, 7, "R1", "cvx_code", "W_CODE"),
               R(IF, 8, "R1", "cvx_code", "W_CODE"), R(IF, 9, "R1", "ndc_code", "W_CODE"),
               R(IF, 10, "R1", "trade_name", "W_CHARS_REMOVED")] +
              [R(IF, 11, "R1", f, "W_CODE") for f in ["route", "body_site", "reaction", "vaccine_eligibility"]] +
              [R(IF, 18, "R1", "trade_name", "W_CHARS_REMOVED"), R(IF, 18, "R1", "administered_by", "W_TRUNCATED"),
               R(IF, 22, "R1", "manufacturer", "W_CODE_UNKNOWN")],
     rejects=[R(IF, 5, "R1", "", "E_NO_VACCINE"), R(IF, 6, "R1", "", "E_NO_VACCINE"), R(IF, 8, "R1", "", "E_NO_VACCINE"),
              R(IF, 9, "R1", "", "E_NO_VACCINE"), R(IF, 10, "R1", "", "E_NO_VACCINE"),
              R(IF, 12, "R1", "manufacturer", "E_CODE"), R(IF, 13, "R1", "manufacturer", "E_CODE"),
              R(IF, 14, "R1", "manufacturer", "E_REQUIRED"), R(IF, 15, "R1", "info_source", "E_CODE"),
              R(IF, 16, "R1", "vaccination_date", "E_REQUIRED"), R(IF, 17, "R1", "vaccination_date", "E_DATE"),
              R(IF, 20, "R1", "sending_org", "E_ID")],
     inputs={"patient": 1, "immunization": 21})

CMH = "record_id,comment_code,begin_date,end_date"
case("cross-file", """
Pins §3 "each of their `record_id`s must belong to a patient written in the same run (`E_ORPHAN`); a vaccination
dated before that patient's birth date is `E_BEFORE_BIRTH`" and §3a "Cross-file checks run only on a valid
`record_id` (an invalid one is `E_ID` only); before-birth only when both dates are valid; a vaccination on the birth
date is fine", field `record_id` for E_ORPHAN and `vaccination_date` for E_BEFORE_BIRTH, ids case-sensitive.
Patients: R1 (born 2000-01-02) written; R2 rejected (E_DATE); R3 excluded; R4 (born 2010-05-05) written.
Immunizations: L2 R1 on the birth date -> written; L3 R1 the day before -> E_BEFORE_BIRTH; L4 R2 -> E_ORPHAN
(rejected patient); L5 R3 -> E_ORPHAN (excluded patient); L6 `r1` -> E_ORPHAN; L7 `R 1` -> E_ID only; L8 R9 with a
bad date -> E_ORPHAN and E_DATE (every problem listed); L9 R1 with a bad date -> E_DATE only; L10 R4 after birth ->
written; L11 record_id blank -> E_REQUIRED only.
Comments: L2 R3 -> E_ORPHAN; L3 R4 -> written; L4 `R 4` -> E_ID only.
""", {PF: lines(PH, prow("R1"), prow("R2", birth="2000-02-30"), prow("R3", disc="N"), prow("R4", birth="2010-05-05")),
      IF: lines(IMH, irow("R1", cvx="3", date="2000-01-02"), irow("R1", cvx="3", date="2000-01-01"),
                irow("R2", cvx="3"), irow("R3", cvx="3"), irow("r1", cvx="3"), irow("R 1", cvx="3"),
                irow("R9", cvx="3", date="2020-02-30"), irow("R1", cvx="3", date="2020-02-30"),
                irow("R4", cvx="3", date="2010-05-06"), irow("", cvx="3")),
      CF: lines(CMH, "R3,27,,", "R4,27,,", "R 4,27,,")},
     out={"patient": [P("R1", "ANN"), P("R4", "ANN", birth="05052010")],
          "immunization": [I("R1", "01022000", cvx_code="3"), I("R4", "05062010", cvx_code="3")],
          "comment": [C("R4", "27")]},
     rejects=[R(PF, 3, "R2", "birth_date", "E_DATE"), R(PF, 4, "R3", "disclosed", "X_NOT_DISCLOSED"),
              R(IF, 3, "R1", "vaccination_date", "E_BEFORE_BIRTH"), R(IF, 4, "R2", "record_id", "E_ORPHAN"),
              R(IF, 5, "R3", "record_id", "E_ORPHAN"), R(IF, 6, "r1", "record_id", "E_ORPHAN"),
              R(IF, 7, "", "record_id", "E_ID"), R(IF, 8, "R9", "record_id", "E_ORPHAN"),
              R(IF, 8, "R9", "vaccination_date", "E_DATE"), R(IF, 9, "R1", "vaccination_date", "E_DATE"),
              R(IF, 11, "", "record_id", "E_REQUIRED"),
              R(CF, 2, "R3", "record_id", "E_ORPHAN"), R(CF, 4, "", "record_id", "E_ID")],
     inputs={"patient": 4, "immunization": 10, "comment": 3})

case("comments", """
Pins §3 "Comment: comment_code must be in the spec's Comments code set (`E_CODE`); an end date before the begin
date is `W_DATE` (end blanked). Comment dates are not held to `--as-of`." and §3a "Comment codes `DPERM10`–`DPERM14`
are seven characters and the field holds six: they are `E_CODE`", "comment dates still need a year of 1900 or
later", descriptions accepted (after folding: `baker’s` matches `baker's`), E_REQUIRED for an empty required code.
- L2 dates after as-of are fine. L3 end before begin -> end blank + W_DATE end_date.
- L4 begin 1899 -> begin (optional) blank + W_DATE begin_date. L5 only an end date.
- L6 end `1/2/20` (two-digit year) -> W_DATE end_date. L7 end = begin is fine.
- L8 DPERM10 and L9 DPERM14 -> E_CODE. L10 `dperm1` -> DPERM1. L11 `immunity:   MEASLES` -> 27.
- L12 `Allergy to baker’s yeast (anaphylactic)` -> 03. L13 empty code -> E_REQUIRED. L14 `ZZZ` -> E_CODE.
- L15 `10_11`. L16 `hirisk` -> HIRISK.
""", {PF: lines(PH, prow("R1")),
      CF: lines(CMH, "R1,27,2030-01-01,2030-02-01", "R1,27,2020-05-05,2020-05-04", "R1,27,1899-01-01,",
                "R1,27,,2020-01-01", "R1,27,2020-01-01,1/2/20", "R1,27,2020-01-01,2020-01-01", "R1,DPERM10,,",
                "R1,DPERM14,,", "R1,dperm1,,", "R1,immunity:   MEASLES,,", "R1,Allergy to baker’s yeast (anaphylactic),,",
                "R1,,,", "R1,ZZZ,,", "R1,10_11,,", "R1,hirisk,,")},
     out={"patient": [P("R1", "ANN")],
          "comment": [C("R1", "27", "01012030", "02012030"), C("R1", "27", "05052020"), C("R1", "27"),
                      C("R1", "27", "", "01012020"), C("R1", "27", "01012020"), C("R1", "27", "01012020", "01012020"),
                      C("R1", "DPERM1"), C("R1", "27"), C("R1", "03"), C("R1", "10_11"), C("R1", "HIRISK")]},
     warnings=[R(CF, 3, "R1", "end_date", "W_DATE"), R(CF, 4, "R1", "begin_date", "W_DATE"),
               R(CF, 6, "R1", "end_date", "W_DATE")],
     rejects=[R(CF, 8, "R1", "comment_code", "E_CODE"), R(CF, 9, "R1", "comment_code", "E_CODE"),
              R(CF, 13, "R1", "comment_code", "E_REQUIRED"), R(CF, 14, "R1", "comment_code", "E_CODE")],
     inputs={"patient": 1, "comment": 15})

QF = "query.csv"
QH = "patient_type,hp_member_id,first_name,middle_name,last_name,birth_date"
case("query", """
Pins §3 "Query: patient_type C or M (also `Commercial`, `Medicaid`, `Medi-Cal`), hp_member_id, first_name,
last_name, birth_date required", the query layout (§1: Patient Type then HP Member ID), names and dates as for
patients (middle name optional -> W_NAME_DROPPED), no duplicate rule for queries.
- L2 `C`; L3 `m` -> M; L4 `Commercial` -> C; L5 `medicaid` -> M; L6 `Medi-Cal` -> M; L7 `MEDI-CAL` -> M.
- L8 `X` -> E_CODE. L9 blank type -> E_REQUIRED. L10 blank hp_member_id -> E_REQUIRED. L11 `H 1` -> E_ID.
- L12 birth after as-of -> E_DATE. L13 middle `李` -> W_NAME_DROPPED, written. L14 same hp_member_id as L2 -> written.
- L15 blank last_name -> E_REQUIRED.
""", {QF: lines(QH, "C,H1,Ann,,Smith,2000-01-02", "m,H2,José,Li,Muñoz,1/2/2000", "Commercial,H3,Ann,,Smith,20000102",
                "medicaid,H4,Ann,,Smith,2000-01-02", "Medi-Cal,H5,Ann,,Smith,2000-01-02",
                "MEDI-CAL,H6,Ann,,Smith,2000-01-02", "X,H7,Ann,,Smith,2000-01-02", ",H8,Ann,,Smith,2000-01-02",
                "C,,Ann,,Smith,2000-01-02", "C,H 1,Ann,,Smith,2000-01-02", "C,H12,Ann,,Smith,2026-01-16",
                "C,H13,Ann,李,Smith,2000-01-02", "C,H1,Bob,,Smith,2000-01-02", "C,H15,Ann,,,2000-01-02")},
     args="--as-of 2026-01-15",
     out={"query": [Q("C", "H1", "ANN", "SMITH", "01022000"), Q("M", "H2", "JOSE", "MUNOZ", "01022000", "LI"),
                    Q("C", "H3", "ANN", "SMITH", "01022000"), Q("M", "H4", "ANN", "SMITH", "01022000"),
                    Q("M", "H5", "ANN", "SMITH", "01022000"), Q("M", "H6", "ANN", "SMITH", "01022000"),
                    Q("C", "H13", "ANN", "SMITH", "01022000"), Q("C", "H1", "BOB", "SMITH", "01022000")]},
     warnings=[R(QF, 13, "", "middle_name", "W_NAME_DROPPED")],
     rejects=[R(QF, 8, "", "patient_type", "E_CODE"), R(QF, 9, "", "patient_type", "E_REQUIRED"),
              R(QF, 10, "", "hp_member_id", "E_REQUIRED"), R(QF, 11, "", "hp_member_id", "E_ID"),
              R(QF, 12, "", "birth_date", "E_DATE"), R(QF, 15, "", "last_name", "E_REQUIRED")],
     inputs={"query": 14})
