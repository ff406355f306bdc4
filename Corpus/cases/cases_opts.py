from cases_imm import *

case("pad-to-stated-total", """
Pins §1 "`--pad-to-stated-total` pads each line with blanks to the printed total (877, 192)": patient lines are
877 characters + CR LF; immunization (264) and comment (54) totals equal their data widths, unchanged.
""", {PF: lines(PH, prow("R1")), IF: lines(IMH, irow("R1", cvx="3")), CF: lines(CMH, "R1,27,,")},
     args="--org ACMEHP --as-of 2026-01-15 --pad-to-stated-total", pad=True,
     out={"patient": [P("R1", "ANN")], "immunization": [I("R1", cvx_code="3")], "comment": [C("R1", "27")]},
     inputs={"patient": 1, "immunization": 1, "comment": 1})

case("pad-to-stated-total-query", """
Pins §1 `--pad-to-stated-total` for the query layout: 191 data characters padded to 192.
""", {QF: lines(QH, "C,H1,Ann,,Smith,2000-01-02")}, args="--as-of 2026-01-15 --pad-to-stated-total", pad=True,
     out={"query": [Q("C", "H1", "ANN", "SMITH", "01022000")]}, inputs={"query": 1})

case("parts-split", """
Pins §4 "`--max-records-per-file N` ... when more records would be written, the batch is written as parts
`part-001/`, `part-002/`, ... in input order, each holding up to N patients (or queries) plus the immunization and
comment records of exactly those patients ... `rejects.csv`, `warnings.csv` and `summary.json` stay at the top".
N = 2; patients R1, R2 (written), RX (rejected), R3 -> part-001: R1, R2; part-002: R3. Immunizations (input order
R3, R1, R2, R1) -> part-001: R1, R2, R1 (their input order); part-002: R3. Comments: R2 -> part-001; part-002 has
no comment record. The golden runner only compares top-level files (so it checks that no top-level patient.txt,
immunization.txt or comment.txt exists); Tests/CAIR2KitTests/PartsTests.swift compares expected/part-*/ files.
part-002/comment.txt: §3a says an input with no accepted record gives an empty file; whether a part with no
comment gets an empty comment.txt is not settled, so PartsTests only compares the files present in expected/.
""", {PF: lines(PH, prow("R1"), prow("R2", "Bob"), prow("RX", birth="bad"), prow("R3", "Cy")),
      IF: lines(IMH, irow("R3", cvx="3"), irow("R1", cvx="10"), irow("R2", cvx="20"), irow("R1", cvx="30")),
      CF: lines(CMH, "R2,27,,")},
     args="--org ACMEHP --as-of 2026-01-15 --max-records-per-file 2",
     parts={"patient": [[P("R1", "ANN"), P("R2", "BOB")], [P("R3", "CY")]],
            "immunization": [[I("R1", cvx_code="10"), I("R2", cvx_code="20"), I("R1", cvx_code="30")],
                             [I("R3", cvx_code="3")]],
            "comment": [[C("R2", "27")]]},
     rejects=[R(PF, 4, "RX", "birth_date", "E_DATE")],
     inputs={"patient": 4, "immunization": 4, "comment": 1})

case("parts-not-needed", """
Pins §4 "With N or fewer records the files sit directly in `--out-dir`": N = 3, three patients written (a fourth
is rejected: only written records count).
""", {PF: lines(PH, prow("R1"), prow("R2"), prow("RX", birth="bad"), prow("R3"))},
     args="--org ACMEHP --as-of 2026-01-15 --max-records-per-file 3",
     out={"patient": [P("R1", "ANN"), P("R2", "ANN"), P("R3", "ANN")]},
     rejects=[R(PF, 4, "RX", "birth_date", "E_DATE")], inputs={"patient": 4})

RR_P = lines(PH, prow("R1"), prow("R2", birth="bad"), prow("R3", disc="N"), prow("R4"))
RR_I = lines(IMH, irow("R1", cvx="3"), irow("R1"), irow("R4", cvx="3"), irow("R4", cvx="3"))
RR_REJ = [R(PF, 3, "R2", "birth_date", "E_DATE"), R(PF, 4, "R3", "disclosed", "X_NOT_DISCLOSED"),
          R(IF, 3, "R1", "", "E_NO_VACCINE")]
RR_OUT = {"patient": [P("R1", "ANN"), P("R4", "ANN")],
          "immunization": [I("R1", cvx_code="3"), I("R4", cvx_code="3"), I("R4", cvx_code="3")]}
case("reject-rate-under", """
Pins §4 exit 4 "the reject rate exceeded `--max-reject-rate` (E_ records of all inputs / input records of all
inputs; exclusions do not count)". 8 input records, 2 E_ records (one per file), 1 exclusion: 2/8 = 0.25 <= 0.3
-> exit 0. (Counting the exclusion would give 3/8 = 0.375 > 0.3; a per-file rate would give 1/4 = 0.25 too.)
""", {PF: RR_P, IF: RR_I}, args="--org ACMEHP --as-of 2026-01-15 --max-reject-rate 0.3", out=RR_OUT,
     rejects=RR_REJ, inputs={"patient": 4, "immunization": 4})

case("reject-rate-over", """
Pins §4 exit 4 with outputs published: the same inputs as reject-rate-under, 2/8 = 0.25 > 0.2 -> exit 4, and every
output is written as usual.
""", {PF: RR_P, IF: RR_I}, args="--org ACMEHP --as-of 2026-01-15 --max-reject-rate 0.2", out=RR_OUT,
     rejects=RR_REJ, inputs={"patient": 4, "immunization": 4}, exit=4)

case("reject-rate-equal", """
Pins §4 "exceeded": a rate equal to the limit does not exceed it. 2/8 = 0.25 with `--max-reject-rate 0.25` -> 0.
""", {PF: RR_P, IF: RR_I}, args="--org ACMEHP --as-of 2026-01-15 --max-reject-rate 0.25", out=RR_OUT,
     rejects=RR_REJ, inputs={"patient": 4, "immunization": 4})

case("quarantine", """
Pins §4 "`--quarantine` (opt-in) also writes `quarantine/<input file name>`: the input's header line and the raw
bytes of every rejected (E_) record, in input order, mode 0600" and §3c "Quarantine files end each record with one
more column, `cair2_problems`, listing its reject codes and fields (`E_DATE:birth_date E_NAME:first_name`)". Rejected: L3 (E_DATE) and L5-6 (a quoted
newline, E_NAME); L4 is excluded (X_, not quarantined); immunization L3 E_NO_VACCINE. The golden runner does not
look at quarantine/; Tests/CAIR2KitTests/PartsTests.swift checks expected/quarantine/*.
""", {PF: PH + "\r\n" + prow("R1") + "\r\n" + prow("R2", birth="bad") + "\r\n" + prow("R3", disc="N") + "\r\n"
      + prow("R4", '"Ann\n2"') + "\r\n" + prow("R5") + "\r\n",
      IF: lines(IMH, irow("R1", cvx="3"), irow("R1"))},
     args="--org ACMEHP --as-of 2026-01-15 --quarantine",
     out={"patient": [P("R1", "ANN"), P("R5", "ANN")], "immunization": [I("R1", cvx_code="3")]},
     rejects=[R(PF, 3, "R2", "birth_date", "E_DATE"), R(PF, 4, "R3", "disclosed", "X_NOT_DISCLOSED"),
              R(PF, 5, "R4", "first_name", "E_NAME"), R(IF, 3, "R1", "", "E_NO_VACCINE")],
     inputs={"patient": 5, "immunization": 2})
qd = os.path.join(CASES, "quarantine", "expected", "quarantine")
os.makedirs(qd, exist_ok=True)
# §3c: each record ends with one more column, cair2_problems, naming its reject codes and fields; the header names it.
write(os.path.join(qd, "patients.csv"), PH + ",cair2_problems\r\n" + prow("R2", birth="bad") + ",E_DATE:birth_date\r\n"
      + prow("R4", '"Ann\n2"') + ",E_NAME:first_name\r\n")
write(os.path.join(qd, "immunizations.csv"), lines(IMH + ",cair2_problems", irow("R1") + ",E_NO_VACCINE"))

case("fold-backtick", """
Pins §3 "Typographic apostrophes and accents (’ ‘ ʼ ʻ ´ `) become `'`". The grave accent U+0060 is ASCII, but the
contract names it explicitly in that list, which would be pointless if "ASCII stays" covered it: it becomes `'`.
- L2 first name `Ka`ne` -> `Ka'ne` -> `'` deleted in a name -> KANE, written.
- L3 street `O`Farrell St` -> `O'FARRELL ST` (`'` is kept in an address; nothing removed, no W_CHARS_REMOVED).
- L4 lot_number (free text) on an immunization: `ab`1` -> `ab'1`, no warning.
The tool keeps ` as an ASCII symbol: E_NAME on L2 and W_CHARS_REMOVED on L3 (see DISAGREEMENTS.md).
""", {PF: lines(PH + ",street_address", prow("R1", "Ka`ne", extra=[""]), prow("R2", extra=["O`Farrell St"])),
      IF: lines(IMH, irow("R1", cvx="3", lot="ab`1"))},
     out={"patient": [P("R1", "KANE"), P("R2", "ANN", street_address="O'FARRELL ST")],
          "immunization": [I("R1", cvx_code="3", lot_number="ab'1")]},
     inputs={"patient": 2, "immunization": 1})

case("dates-disclosed-invalid-no-effective", """
UNSURE (matches the tool; see DISAGREEMENTS.md). §3a "The effective date defaults to the normalized disclosed
date"; when the disclosed date itself is invalid and the effective date is blank, there is no normalized
disclosed date to default to. The tool reports E_DATE disclosed_date and E_REQUIRED effective_date (§4 "every
problem of a record is listed"). An implementation could equally report only E_DATE disclosed_date. The record
is rejected either way; only the second report row is in question.
""", {PF: lines(PH + ",effective_date", prow("R1", dd="2020-02-30", extra=[""]))},
     rejects=[R(PF, 2, "R1", "disclosed_date", "E_DATE"), R(PF, 2, "R1", "effective_date", "E_REQUIRED")],
     out={"patient": []}, inputs={"patient": 1})
