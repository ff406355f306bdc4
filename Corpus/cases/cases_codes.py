from cases_opts import *

# ---------------------------------------------------------------- §3b: vaccine codes against the CDC tables
# Expectations written by hand from PRODUCT.md §3b and the bundled tables (data/cdc/), looked up by hand with
# grep in the CSV files: CVX 3/03 MMR Active, 998 Inactive, 500 Non-US, 226 Never Active; 600 and 0 are in no
# row; CPT 90707 -> CVX 03 only; CPT 90700 -> CVX 20 and 106; CPT 90999 is in no row; MVX PMC = "Sanofi
# Pasteur", MSD = "Merck and Co., Inc.", SKB = GlaxoSmithKline; ZZZ and ZZ9 are in no row.
case("vaccine-codes", """
Pins §3b "A code is *known* when it is in its table, whatever its status ... CVX codes compare as numbers (`3`,
`03` and `003` are the same code); the value is written as given", "`cvx_code`: well-formed (1–3 digits) but
unknown: written unchanged, `W_CODE_UNKNOWN`", "`cpt_code`: well-formed (5 digits) but not in the CPT table:
written unchanged, `W_CODE_UNKNOWN`", "`manufacturer`: an MVX code (case-insensitive), or a manufacturer name from
the MVX table compared after ASCII folding, upper-casing and collapsing blanks (`Sanofi Pasteur` -> `PMC`) ...
written as the upper-case code. Well-formed (1–4 letters or digits) but unknown: written upper-case,
`W_CODE_UNKNOWN`. Anything else: `E_CODE`", "Both `cpt_code` and `cvx_code` known, and the CPT table does not map
that CPT to that CVX: both written unchanged, `W_CODE_MISMATCH` (field `cvx_code`)", "A record that already has a
malformed code keeps its `W_CODE` and gets no code-table warning for that field", and §3a "A rejected record's
warnings are listed too". One patient R1.
- L2 cvx `3`, L3 `03`, L4 `003`: known (MMR), written as given. L5 cvx 998 (Inactive), L6 500 (Non-US), L7 226
  (Never Active): known, no warning.
- L8 cvx 600, L9 cvx 0: unknown -> W_CODE_UNKNOWN cvx_code, written unchanged.
- L10 cpt 90999: unknown -> W_CODE_UNKNOWN cpt_code, written. L11 cpt 90707 + cvx 03: agree. L12 cpt 90707 + cvx
  `3`: agree (number). L13 cpt 90707 + cvx 20: W_CODE_MISMATCH cvx_code, both written.
- L14 cpt 90700 + cvx 20 and L15 90700 + 106: a CPT mapped to two CVX, both agree. L16 90700 + 3: mismatch.
- L17 cpt 90999 (unknown) + cvx 20: only W_CODE_UNKNOWN cpt_code (no mismatch: the CPT is not known).
- L18 cpt 90707 + cvx 600: only W_CODE_UNKNOWN cvx_code.
- L19 cpt `0001A` (malformed: W_CODE) + cvx 600: W_CODE cpt_code and W_CODE_UNKNOWN cvx_code.
- L20 cvx `15a` (W_CODE, no vaccine survives) -> W_CODE + E_NO_VACCINE, no code-table warning.
- L21 manufacturer `pmc` -> PMC. L22 `Sanofi Pasteur` -> PMC. L23 `  SANOFI    pasteur ` -> PMC (blanks collapsed).
  L24 `Merck and Co., Inc.` -> MSD. L25 `Sanofí Pasteur` (accent folded) -> PMC. L26 `GlaxoSmithKline` -> SKB.
- L27 `zzz` -> ZZZ + W_CODE_UNKNOWN. L28 `ZZ9` -> W_CODE_UNKNOWN. L29 `Acme Vaccines` (not a name of the
  table, not code-shaped) -> E_CODE. L30 `Sanofi` (a part of a name) -> E_CODE.
- L31 cvx 600 and a blank vaccination date: W_CODE_UNKNOWN listed beside E_REQUIRED (rejected record).
- L32 cvx 600 and manufacturer ZZZ: two W_CODE_UNKNOWN rows.
""", {PF: lines(PH, prow("R1")),
      IF: lines(IMH, irow(cvx="3"), irow(cvx="03"), irow(cvx="003"), irow(cvx="998"), irow(cvx="500"),
                irow(cvx="226"), irow(cvx="600"), irow(cvx="0"), irow(cpt="90999"),
                irow(cpt="90707", cvx="03"), irow(cpt="90707", cvx="3"), irow(cpt="90707", cvx="20"),
                irow(cpt="90700", cvx="20"), irow(cpt="90700", cvx="106"), irow(cpt="90700", cvx="3"),
                irow(cpt="90999", cvx="20"), irow(cpt="90707", cvx="600"), irow(cpt="0001A", cvx="600"),
                irow(cvx="15a"),
                irow(cvx="3", manu="pmc"), irow(cvx="3", manu="Sanofi Pasteur"),
                irow(cvx="3", manu="  SANOFI    pasteur "), irow(cvx="3", manu='"Merck and Co., Inc."'),
                irow(cvx="3", manu="Sanofí Pasteur"), irow(cvx="3", manu="GlaxoSmithKline"),
                irow(cvx="3", manu="zzz"), irow(cvx="3", manu="ZZ9"), irow(cvx="3", manu="Acme Vaccines"),
                irow(cvx="3", manu="Sanofi"),
                irow(cvx="600", date=""), irow(cvx="600", manu="ZZZ"))},
     out={"patient": [P("R1", "ANN")],
          "immunization": [I("R1", cvx_code=c) for c in ["3", "03", "003", "998", "500", "226", "600", "0"]] +
                          [I("R1", cpt_code="90999"), I("R1", cpt_code="90707", cvx_code="03"),
                           I("R1", cpt_code="90707", cvx_code="3"), I("R1", cpt_code="90707", cvx_code="20"),
                           I("R1", cpt_code="90700", cvx_code="20"), I("R1", cpt_code="90700", cvx_code="106"),
                           I("R1", cpt_code="90700", cvx_code="3"), I("R1", cpt_code="90999", cvx_code="20"),
                           I("R1", cpt_code="90707", cvx_code="600"), I("R1", cvx_code="600")] +
                          [I("R1", cvx_code="3", manufacturer=m) for m in ["PMC", "PMC", "PMC", "MSD", "PMC", "SKB",
                                                                            "ZZZ", "ZZ9"]] +
                          [I("R1", cvx_code="600", manufacturer="ZZZ")]},
     warnings=[R(IF, 8, "R1", "cvx_code", "W_CODE_UNKNOWN"), R(IF, 9, "R1", "cvx_code", "W_CODE_UNKNOWN"),
               R(IF, 10, "R1", "cpt_code", "W_CODE_UNKNOWN"), R(IF, 13, "R1", "cvx_code", "W_CODE_MISMATCH"),
               R(IF, 16, "R1", "cvx_code", "W_CODE_MISMATCH"), R(IF, 17, "R1", "cpt_code", "W_CODE_UNKNOWN"),
               R(IF, 18, "R1", "cvx_code", "W_CODE_UNKNOWN"), R(IF, 19, "R1", "cpt_code", "W_CODE"),
               R(IF, 19, "R1", "cvx_code", "W_CODE_UNKNOWN"), R(IF, 20, "R1", "cvx_code", "W_CODE"),
               R(IF, 27, "R1", "manufacturer", "W_CODE_UNKNOWN"), R(IF, 28, "R1", "manufacturer", "W_CODE_UNKNOWN"),
               R(IF, 31, "R1", "cvx_code", "W_CODE_UNKNOWN"), R(IF, 32, "R1", "cvx_code", "W_CODE_UNKNOWN"),
               R(IF, 32, "R1", "manufacturer", "W_CODE_UNKNOWN")],
     rejects=[R(IF, 20, "R1", "", "E_NO_VACCINE"), R(IF, 29, "R1", "manufacturer", "E_CODE"),
              R(IF, 30, "R1", "manufacturer", "E_CODE"), R(IF, 31, "R1", "vaccination_date", "E_REQUIRED")],
     inputs={"patient": 1, "immunization": 31})

case("placeholder-names", """
Pins §3b "Placeholder names: a patient whose normalized `first_name` or `last_name` equals a normalized entry of the
placeholder-name list (... BABY BOY, NO FIRST NAME, UNKNOWN, ...) is written unchanged with `W_PLACEHOLDER_NAME` for
that field", "the only warnings that leave the field unchanged", with §3 name class normalization (fold, uppercase,
delete ' and ., `-` `,` `/` and whitespace to a space, collapse, trim) on both sides, §3a "A rejected record's
warnings are listed too" and "A record whose `disclosed` is not `Y` ... gets only `X_NOT_DISCLOSED`".
List entries used (data/cdc/mn_junk_names_2018.csv): `BABY BOY`, `BABY-GIRL`/`BABY GIRL`, `BG`, `UNKNOWN`,
`NO FIRST NAME`, `NEWBORN`, `BABYGIRL`, `TWIN GIRL A`, `NONE`; `BABY BOY 1` is on the list but is not a valid name
(a digit), so it can never match a written name.
- L2 first `Baby Boy` -> W_PLACEHOLDER_NAME first_name. L3 last `unknown`. L4 first `baby-girl` (-> BABY GIRL).
- L5 first `B.G.` (-> BG). L6 first `No  First Name`, last `Unknown`: both fields flagged.
- L7 first `Babygirl` (-> BABYGIRL). L8 first `Twin Girl A`. L9 first `Baby Boy 1` -> E_NAME only.
- L10 first `Newborn` with an invalid birth date: E_DATE and W_PLACEHOLDER_NAME (rejected, warning listed).
- L11 first `Baby Boy`, not disclosed -> X_NOT_DISCLOSED only.
- L12 middle `None`: middle names are not checked. L13 first `Babyboyx`: not on the list. L14 first `Bab y Boy`.
""", {PF: lines(PH + ",middle_name", prow("P1", first="Baby Boy", extra=[""]), prow("P2", last="unknown", extra=[""]),
                prow("P3", first="baby-girl", extra=[""]), prow("P4", first="B.G.", extra=[""]),
                prow("P5", first="No  First Name", last="Unknown", extra=[""]), prow("P6", first="Babygirl", extra=[""]),
                prow("P7", first="Twin Girl A", extra=[""]), prow("P8", first="Baby Boy 1", extra=[""]),
                prow("P9", first="Newborn", birth="2000-02-30", extra=[""]),
                prow("P10", first="Baby Boy", disc="N", extra=[""]), prow("P11", extra=["None"]),
                prow("P12", first="Babyboyx", extra=[""]), prow("P13", first="Bab y Boy", extra=[""]))},
     out={"patient": [P("P1", "BABY BOY"), P("P2", "ANN", last="UNKNOWN"), P("P3", "BABY GIRL"), P("P4", "BG"),
                      P("P5", "NO FIRST NAME", last="UNKNOWN"), P("P6", "BABYGIRL"), P("P7", "TWIN GIRL A"),
                      P("P11", "ANN", middle_name="NONE"), P("P12", "BABYBOYX"), P("P13", "BAB Y BOY")]},
     warnings=[R(PF, 2, "P1", "first_name", "W_PLACEHOLDER_NAME"), R(PF, 3, "P2", "last_name", "W_PLACEHOLDER_NAME"),
               R(PF, 4, "P3", "first_name", "W_PLACEHOLDER_NAME"), R(PF, 5, "P4", "first_name", "W_PLACEHOLDER_NAME"),
               R(PF, 6, "P5", "first_name", "W_PLACEHOLDER_NAME"), R(PF, 6, "P5", "last_name", "W_PLACEHOLDER_NAME"),
               R(PF, 7, "P6", "first_name", "W_PLACEHOLDER_NAME"), R(PF, 8, "P7", "first_name", "W_PLACEHOLDER_NAME"),
               R(PF, 10, "P9", "first_name", "W_PLACEHOLDER_NAME")],
     rejects=[R(PF, 9, "P8", "first_name", "E_NAME"), R(PF, 10, "P9", "birth_date", "E_DATE"),
              R(PF, 11, "P10", "disclosed", "X_NOT_DISCLOSED")],
     inputs={"patient": 13})
