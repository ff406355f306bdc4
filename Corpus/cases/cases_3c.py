from cases_codes import *

# ---------------------------------------------------------------- §3c: extracts as warehouses write them
TIMES = [("06/11/2024 00:00:00", "06112024"), ("2024-06-11 00:00:00.000", "06112024"), ("20240611 0000", "06112024"),
         ("6/11/2024T10:00", "06112024"), ("06112024 12:00:00 AM", "06112024"), ("6/11/2024X", None),
         ("2024-06-11X00", None), ("06/31/2024 00:00:00", None), ("2024-06-11t10", None)]
trows, tout, trej = [], [], []
for i, (b, o) in enumerate(TIMES):
    rid = "T%d" % (i + 1)
    trows.append(prow(rid, birth=b))
    if o:
        tout.append(P(rid, "ANN", birth=o))
    else:
        trej.append(R(PF, i + 2, rid, "birth_date", "E_DATE"))
case("dates-time-parts", """
Pins §3c "Dates: every date form of section 3 may be followed by a time part that starts with `T` or a blank; it is
ignored (`06/11/2024 00:00:00`, `2024-06-11 00:00:00.000`, `20240611 0000`)". Birth dates, one per record:
""" + "; ".join("`%s` -> %s" % (b, o or "E_DATE") for b, o in TIMES) + """. `6/11/2024X` and `2024-06-11X00` have no
time part (X is neither T nor a blank); `06/31/2024` is not a real date whatever follows it; a lower-case `t` does not
start a time part. A disclosed date with a time part (L11 `1/1/2020 0:00`) also gives the effective date 01012020.
""", {PF: lines(PH, *(trows + [prow("T10", dd="1/1/2020 0:00")]))},
     out={"patient": tout + [P("T10", "ANN")]}, rejects=trej, inputs={"patient": len(TIMES) + 1})

ELIG = [("V01", "B"), ("v02", "M"), ("V03", "N"), ("V04", "A"), ("V05", "F"), ("V07", "O"), ("V06", None),
        ("CAA01", None), ("M", "M")]
case("eligibility-vfc", """
Pins §3c "`vaccine_eligibility` also takes the HL7 VFC code that the spec's table names beside each letter
(`V01`->`B`, `V02`->`M`, `V03`->`N`, `V04`->`A`, `V05`->`F`, `V07`->`O`)", case-insensitive like every code.
""" + "; ".join("L%d `%s` -> %s" % (i + 2, v, o or "blank + W_CODE") for i, (v, o) in enumerate(ELIG)) + """. `V06` is
no VFC code of the table; `CAA01` is only part of S's description (`State General Funding = CAA01`), not a code.
""", {PF: lines(PH, prow("R1")), IF: lines(IMH, *[irow(cvx="3", elig=v) for v, _ in ELIG])},
     out={"patient": [P("R1", "ANN")],
          "immunization": [I("R1", cvx_code="3", vaccine_eligibility=o or "") for _, o in ELIG]},
     warnings=[R(IF, i + 2, "R1", "vaccine_eligibility", "W_CODE") for i, (_, o) in enumerate(ELIG) if o is None],
     inputs={"patient": 1, "immunization": len(ELIG)})

MAPV = json.dumps({"values": {"patient_status": {"ACT": "A", "Termed": "I"},
                              "manufacturer": {"Merck Sharp & Dohme": "MSD", "GSK": "SKB"}},
                   "nulls": ["NULL", "N/A"]})
case("map-values-nulls", """
Pins §3c "`\\"values\\": {\\"canonical_name\\": {\\"THEIR VALUE\\": \\"value\\", ...}}` replaces a cell whose trimmed value
equals a key (case-insensitive) before the value rules run ... `\\"nulls\\": [\\"NULL\\", \\"N/A\\", ...]`: a cell whose trimmed
value equals one of them (case-insensitive) is blank. Nothing is treated as null unless listed" with §3a "Defaults fill
absent columns and blank cells".
Patients (status column): L2 `ACT` -> A; L3 ` act ` -> A (trimmed, any case); L4 `Termed` -> I; L5 `N/A` -> blank ->
built-in default A; L6 middle name `NULL` -> blank (no W_NAME_DROPPED); L7 first name `null` -> blank -> E_REQUIRED;
L8 status `ACTIVE` is a description of A (no translation needed); L9 status `XYZ` -> E_CODE (not translated);
L10 status `ACT NOW` -> E_CODE (a key must equal the whole trimmed value).
Immunizations: L2 manufacturer `Merck Sharp & Dohme` -> MSD; L3 `merck sharp & dohme` -> MSD; L4 `gsk` -> SKB;
L5 manufacturer `NULL` -> blank -> E_REQUIRED.
""", {PF: lines(PH + ",patient_status,middle_name", prow("R1", extra=["ACT", ""]), prow("R2", extra=[" act ", ""]),
                prow("R3", extra=["Termed", ""]), prow("R4", extra=["N/A", ""]), prow("R5", extra=["", "NULL"]),
                prow("R6", first="null", extra=["", ""]), prow("R7", extra=["ACTIVE", ""]),
                prow("R8", extra=["XYZ", ""]), prow("R9", extra=["ACT NOW", ""])),
      IF: lines(IMH, irow(cvx="3", manu="Merck Sharp & Dohme"), irow(cvx="3", manu="merck sharp & dohme"),
                irow(cvx="3", manu="gsk"), irow(cvx="3", manu="NULL"))},
     extra_files={"map.json": MAPV}, args="--org ACMEHP --as-of 2026-01-15 --map map.json",
     out={"patient": [P("R1", "ANN"), P("R2", "ANN"), P("R3", "ANN", patient_status="I"), P("R4", "ANN"),
                      P("R5", "ANN"), P("R7", "ANN")],
          "immunization": [I("R1", cvx_code="3", manufacturer="MSD"), I("R1", cvx_code="3", manufacturer="MSD"),
                           I("R1", cvx_code="3", manufacturer="SKB")]},
     rejects=[R(PF, 7, "R6", "first_name", "E_REQUIRED"), R(PF, 9, "R8", "patient_status", "E_CODE"),
              R(PF, 10, "R9", "patient_status", "E_CODE"), R(IF, 5, "R1", "manufacturer", "E_REQUIRED")],
     inputs={"patient": 9, "immunization": 4})

case("map-values-invalid-exit", """
Pins §3c "`values` targets are checked before any work: one that the field's rules would reject (an `E_` code) or
blank (a `W_` code) is exit 2 naming the field and the mapping key": `ACT` translates to `ACTV`, not a status code.
""", {PF: lines(PH + ",patient_status", prow("R1", extra=["ACT"]))},
     extra_files={"map.json": json.dumps({"values": {"patient_status": {"ACT": "ACTV"}}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)

case("map-default-rejected-exit", """
Pins §3c: a `--map` default that the rules would reject (a disclosed date after --as-of: E_DATE) is exit 2 before
any work, whatever the cells hold.
""", {PF: lines("record_id,first_name,last_name,birth_date,disclosed", "R1,Ann,Smith,2000-01-02,Y")},
     extra_files={"map.json": json.dumps({"defaults": {"disclosed_date": "2030-01-01"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)
