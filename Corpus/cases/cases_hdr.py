from cases_csv import *

case("hdr-match", """
Pins §2 "Header names match the canonical column names case-insensitively, after trimming and turning spaces and
hyphens into underscores. Unknown columns are ignored" and §3a "Unknown column names ... are listed on stderr, not
in the reports". Header: `Record ID`, ` FIRST-NAME `, `\"Last Name\"` (quoted), `BIRTH DATE`, `Disclosed`,
`disclosed-date`, `Favorite Color` (unknown, ignored; no report row).
""", {PF: lines('Record ID, FIRST-NAME ,"Last Name",BIRTH DATE,Disclosed,disclosed-date,Favorite Color',
                 prow("R1", extra=["blue"]))},
     out={"patient": [P("R1", "ANN")]}, inputs={"patient": 1})

case("hdr-double-space-unknown", """
Pins §3a "without collapsing (`last  name` becomes `last__name`, an unknown column)": last_name is then missing,
required, no default -> §2 "usage error before any work (exit 2)". Nothing written.
""", {PF: lines(PH.replace("last_name", "last  name"), prow("R1"))}, exit=2)

case("hdr-two-columns-one-name", """
Pins §3a "two columns that resolve to one canonical name, is exit 2": `first_name` and `First-Name`.
""", {PF: lines(PH + ",First-Name", prow("R1", extra=["Ann"]))}, exit=2)

case("hdr-missing-required", """
Pins §2 "A required column that is missing and has no default is a usage error before any work (exit 2)":
no birth_date column.
""", {PF: lines("record_id,first_name,last_name,disclosed,disclosed_date", "R1,Ann,Smith,Y,2020-01-01")}, exit=2)

case("hdr-missing-disclosed", """
Pins §2 exit 2 for a missing required column: `disclosed` is required (§3 list) and has no default.
""", {PF: lines("record_id,first_name,last_name,birth_date,disclosed_date", "R1,Ann,Smith,2000-01-02,2020-01-01")},
     exit=2)

case("hdr-no-org", """
Pins §2: sending_org, disclosed_by and updated_by are required; without `--org`, a mapping default or the columns
they are missing with no default -> exit 2.
""", {PF: lines(PH, prow("R1"))}, args="--as-of 2026-01-15", exit=2)

case("org-invalid-blank", """
Pins §4 exit 2 "invalid `--org`": an org code is an identifier (§3: printable ASCII with no blank, at most the
width, 12).
""", {PF: lines(PH, prow("R1"))}, args="--org 'ACME HP' --as-of 2026-01-15", exit=2)

case("org-invalid-too-long", """
Pins §4 exit 2 "invalid `--org`": 13 characters is longer than sending_org's 12.
""", {PF: lines(PH, prow("R1"))}, args="--org ACMEHEALTH123 --as-of 2026-01-15", exit=2)

case("org-from-columns", """
Pins §2: with no `--org`, the columns sending_org, disclosed_by and updated_by supply the identifiers; nothing
missing -> runs. L2 writes them as given.
""", {PF: lines(PH + ",sending_org,disclosed_by,updated_by", prow("R1", extra=["ORG1", "DISC1", "UPD1"]))},
     args="--as-of 2026-01-15",
     out={"patient": [P("R1", "ANN", sending_org="ORG1", disclosed_by="DISC1", updated_by="UPD1")]},
     inputs={"patient": 1})

MAP1 = json.dumps({"columns": {"Member-No": "record_id", "GIVEN NAME": "first_name", "surname": "last_name"},
                   "defaults": {"sending_org": "MAPORG", "patient_status": "I", "sex": "Female"}})
case("map-rename-precedence", """
Pins §2 mapping file (renames, constants) and §3a "Mapping-file keys are normalized the same way" and "Defaults
fill absent columns and blank cells. Precedence: the cell, then the mapping file's default, then `--org`, then
the built-in default. Defaults are validated like input."
- Map key `Member-No` and header `member no` both normalize to `member_no` -> record_id; `GIVEN NAME`/`Given Name`
  -> first_name; `surname`/`SURNAME` -> last_name.
- L2: sending_org cell CELLORG wins over the map's MAPORG; patient_status cell A wins over the map's I;
  updated_by blank cell -> `--org` ACMEHP; sex column absent -> map default `Female`, validated -> F;
  disclosed_by absent -> `--org`.
- L3: sending_org blank -> map MAPORG (over `--org`); patient_status blank -> map I (over built-in A); updated_by
  cell UPD1.
""", {PF: lines("member no,Given Name,SURNAME,birth_date,disclosed,disclosed_date,sending_org,patient_status,updated_by",
                 "R1,Ann,Smith,2000-01-02,Y,2020-01-01,CELLORG,A,", "R2,Bob,Smith,2000-01-02,Y,2020-01-01,,,UPD1")},
     extra_files={"map.json": MAP1}, args="--org ACMEHP --as-of 2026-01-15 --map map.json",
     out={"patient": [P("R1", "ANN", sending_org="CELLORG", sex="F"),
                      P("R2", "BOB", sending_org="MAPORG", patient_status="I", sex="F", updated_by="UPD1")]},
     inputs={"patient": 2})

MAP2 = json.dumps({"defaults": {"contact_allowed": "1", "sharing_status": "no"}})
case("map-defaults-validated", """
Pins §3a "Defaults are validated like input. An invalid value is not replaced by the default: an optional one is
written blank with `W_CODE`." and precedence map default > built-in (a default the rules would refuse is exit 2
since §3c: see map-default-invalid-exit).
- contact_allowed column present: L2 blank -> map default `1` -> 01 (over built-in 02); L3 `2` -> 02; L4 `7` is
  invalid -> blank + W_CODE (NOT the default 01 nor 02).
- sharing_status absent -> map default `no` -> N (over built-in Y).
""", {PF: lines(PH + ",contact_allowed", prow("R1", extra=[""]), prow("R2", extra=["2"]), prow("R3", extra=["7"]))},
     extra_files={"map.json": MAP2}, args="--org ACMEHP --as-of 2026-01-15 --map map.json",
     out={"patient": [P("R1", "ANN", contact_allowed="01", sharing_status="N"),
                      P("R2", "ANN", contact_allowed="02", sharing_status="N"),
                      P("R3", "ANN", contact_allowed="", sharing_status="N")]},
     warnings=[R(PF, 4, "R3", "contact_allowed", "W_CODE")],
     inputs={"patient": 3})

case("map-default-invalid-exit", """
Pins §3c "Defaults (`--map` defaults and `--org`) and `values` targets are checked before any work: one that the
field's rules would reject (an `E_` code) or blank (a `W_` code) is exit 2 naming the field and the mapping key."
The map's default for mother_hbsag_status is `9`, not a code of the set (it would be blanked with W_CODE).
""", {PF: lines(PH, prow("R1"))},
     extra_files={"map.json": json.dumps({"defaults": {"mother_hbsag_status": "9"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)

case("map-org-default", """
Pins §2 "`--org CODE` is the default for `sending_org`, `disclosed_by` and `updated_by`" and precedence map > --org:
the map gives only disclosed_by; the other two come from --org.
""", {PF: lines(PH, prow("R1"))}, extra_files={"map.json": json.dumps({"defaults": {"disclosed_by": "DISCORG"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json",
     out={"patient": [P("R1", "ANN", disclosed_by="DISCORG")]}, inputs={"patient": 1})

case("map-target-not-canonical", """
Pins §3a "A mapping target that is not a canonical name ... is exit 2".
""", {PF: lines(PH.replace("first_name", "Given"), prow("R1"))},
     extra_files={"map.json": json.dumps({"columns": {"Given": "given_name"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)

case("map-two-to-one", """
Pins §3a "two columns that resolve to one canonical name, is exit 2": the header has first_name and Given, the
map sends Given to first_name.
""", {PF: lines(PH + ",Given", prow("R1", extra=["Ann"]))},
     extra_files={"map.json": json.dumps({"columns": {"Given": "first_name"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)

case("map-not-json", """
Pins §4 exit 2 "bad mapping file".
""", {PF: lines(PH, prow("R1"))}, extra_files={"map.json": "{columns: nope"},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json", exit=2)

case("map-default-fills-required-column", """
Pins §2 "A required column that is missing and has no default": a mapping default makes the missing required
column `disclosed` fine (exit 0), and `Y` from the map is validated -> written.
""", {PF: lines("record_id,first_name,last_name,birth_date,disclosed_date", "R1,Ann,Smith,2000-01-02,2020-01-01")},
     extra_files={"map.json": json.dumps({"defaults": {"disclosed": "yes"}})},
     args="--org ACMEHP --as-of 2026-01-15 --map map.json",
     out={"patient": [P("R1", "ANN")]}, inputs={"patient": 1})

# ---------------------------------------------------------------- exit 2: incompatible inputs
case("exit-imm-without-patients", """
Pins §3a "Immunizations or comments without `--patients` ... are exit 2".
""", {"immunizations.csv": lines("record_id,cvx_code,vaccination_date,manufacturer", "R1,150,2020-01-01,PMC")}, exit=2)

case("exit-comments-without-patients", """
Pins §3a "Immunizations or comments without `--patients` ... are exit 2".
""", {"comments.csv": lines("record_id,comment_code,begin_date,end_date", "R1,27,,")}, exit=2)

case("exit-query-with-patients", """
Pins §3a "`--query` together with any other input ... exit 2".
""", {PF: lines(PH, prow("R1")),
      "query.csv": lines("patient_type,hp_member_id,first_name,last_name,birth_date", "C,H1,Ann,Smith,2000-01-02")},
     exit=2)

case("exit-imm-no-vaccine-column", """
Pins §3a "An immunization file with no vaccine-code column at all is exit 2" (none of ndc_code, trade_name,
cpt_code, cvx_code, vaccine_group).
""", {PF: lines(PH, prow("R1")),
      "immunizations.csv": lines("record_id,vaccination_date,manufacturer", "R1,2020-01-01,PMC")}, exit=2)

case("exit-imm-no-manufacturer-column", """
Pins §2 exit 2 for a missing required column without default: manufacturer (§3 "vaccination_date, manufacturer
... and sending_org are required").
""", {PF: lines(PH, prow("R1")),
      "immunizations.csv": lines("record_id,cvx_code,vaccination_date", "R1,150,2020-01-01")}, exit=2)
