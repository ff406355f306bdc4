from cases_hdr import *

# ---------------------------------------------------------------- folding
FOLD_OK = [("Strauß", "STRAUSS"), ("GROẞ", "GROSS"), ("Ærin", "AERIN"), ("Cæsar", "CAESAR"), ("Œdipe", "OEDIPE"),
           ("Bœuf", "BOEUF"), ("Øyvind", "OYVIND"), ("Bjørn", "BJORN"), ("Łukasz", "LUKASZ"), ("Michał", "MICHAL"),
           ("Đorđe", "DORDE"), ("Ðan", "DAN"), ("Guðrún", "GUDRUN"), ("Þóra", "THORA"), ("Aþel", "ATHEL"),
           ("Işıl", "ISIL"), ("Ħanna", "HANNA"), ("ħa", "HA"), ("Ŧom", "TOM"), ("ŧa", "TA"),
           ("José", "JOSE"), ("Muñoz", "MUNOZ"), ("Trường", "TRUONG"),
           ("Phắc", "PHAC"), ("Ștefan", "STEFAN"), ("Müller", "MULLER"), ("O’Brien", "OBRIEN"), ("D‘Arcy", "DARCY"),
           ("Haʻa", "HAA"), ("Kaʼu", "KAU"), ("Ka´ne", "KANE"), ("Smith—Jones", "SMITH JONES"),
           ("Jean‐Paul", "JEAN PAUL"), ("Jean‑Paul", "JEAN PAUL"), ("Ann‒Lee", "ANN LEE"), ("Ann–Lee", "ANN LEE"),
           ("Mary\u00a0Ann", "MARY ANN"), ("Ann\u2003Lee", "ANN LEE"), ("Ann\u3000Lee", "ANN LEE"),
           ("Ann\u202fLee", "ANN LEE"), ("Rene\u0301", "RENE"), ("\u0301Ann", "ANN"), ("Ǆemal", "DZEMAL")]
# Ǆ (U+01C4) has no canonical decomposition (only compatibility) -> unmappable; moved to the reject list below.
FOLD_OK = [x for x in FOLD_OK if x[0] != "Ǆemal"]
rows = [prow("R%d" % (i + 1), f) for i, (f, _) in enumerate(FOLD_OK)]
case("fold-letters", """
Pins §3 ASCII folding for names: the special letters (ß→ss, ẞ→SS, Æ/æ, Œ/œ, Ø/ø, Ł/ł, Đ/đ, Ð/ð, Þ/þ, ı, Ħ/ħ, Ŧ/ŧ),
NFD first letter (é, ñ, ư, ờ, ắ, ș, ü, ş), typographic apostrophes and accents (’ ‘ ʻ ʼ ´) -> `'` then deleted
in a name, dashes (‐ ‑ ‒ – —) -> `-` -> blank in a name, Unicode spaces (U+00A0, U+2003, U+3000, U+202F) -> blank,
lone combining marks dropped (decomposed `Rene\\u0301`, a leading U+0301). Every record is written; first names:
""" + "\n".join("- L%d `%s` -> %s" % (i + 2, f.encode("unicode_escape").decode(), o) for i, (f, o) in enumerate(FOLD_OK)),
     {PF: lines(PH, *rows)}, out={"patient": [P("R%d" % (i + 1), o) for i, (_, o) in enumerate(FOLD_OK)]},
     inputs={"patient": len(FOLD_OK)})

FOLD_BAD = ["Ann\u00ada", "Ann\u200ba", "Ann\u200da", "Ann\ufeffa", "½Ann", "Ann™", "Ａnn", "李", "Ann😀", "Ann2",
            "Ann@", "Ǆemal", "Ann!", "Ann\u2022"]
case("fold-unmappable", """
Pins §3a "Characters the folding rules do not name (soft hyphen, zero-width characters, ½, ™, full-width letters)
are unmappable" and §3 name class "Any other character left (a digit, a symbol, an unmappable character) makes the
value invalid" -> E_NAME first_name for each: soft hyphen U+00AD, ZWSP U+200B, ZWJ U+200D, U+FEFF inside a value,
½, ™, full-width Ａ, CJK 李, emoji, digit 2, @, Ǆ (U+01C4, compatibility decomposition only), !, bullet U+2022.
L(last+1): a lone combining mark as the whole first name folds to nothing -> E_REQUIRED (§3a "also a required name
that normalizes to nothing"). Then middle_name cases (optional name, §3 "blank + `W_NAME_DROPPED`"): `李` and
`Ａnn` -> W_NAME_DROPPED, written with a blank middle name.
""", {PF: lines(PH + ",middle_name", *([prow("R%d" % (i + 1), f, extra=[""]) for i, f in enumerate(FOLD_BAD)] +
                                       [prow("RC", "\u0301", extra=[""]), prow("RM1", extra=["李"]),
                                        prow("RM2", extra=["Ａnn"])]))},
     out={"patient": [P("RM1", "ANN"), P("RM2", "ANN")]},
     rejects=[R(PF, i + 2, "R%d" % (i + 1), "first_name", "E_NAME") for i in range(len(FOLD_BAD))] +
             [R(PF, len(FOLD_BAD) + 2, "RC", "first_name", "E_REQUIRED")],
     warnings=[R(PF, len(FOLD_BAD) + 3, "RM1", "middle_name", "W_NAME_DROPPED"),
               R(PF, len(FOLD_BAD) + 4, "RM2", "middle_name", "W_NAME_DROPPED")],
     inputs={"patient": len(FOLD_BAD) + 3})

# ---------------------------------------------------------------- names
NH = "record_id,first_name,middle_name,last_name,name_suffix,birth_date,mother_first_name,mother_maiden_name,rp_last_name,disclosed,disclosed_date"


def nrow(rid, first="Ann", middle="", last="Smith", suffix="", mfirst="", mmaiden="", rplast=""):
    return ",".join([rid, first, middle, last, suffix, "2000-01-02", mfirst, mmaiden, rplast, "Y", "2020-01-01"])


A55 = "A" * 55
A49B = "A" * 49 + " " + "B" * 10
case("names", """
Pins §3 name class: "fold, uppercase, delete `'` and `.`, turn `-` `,` `/` and whitespace into a space, collapse
spaces, trim. ... Invalid or empty: `E_NAME` / `E_REQUIRED` for `first_name` and `last_name`; blank +
`W_NAME_DROPPED` for the optional name fields. Longer than the field: cut to the width, trailing blank trimmed,
`W_TRUNCATED`." and §3a "A name both invalid and too long gets only the invalid code", "Empty required values are
`E_REQUIRED` (also a required name that normalizes to nothing)".
- L2 `A.J.` -> AJ; middle `O'Neil` -> ONEIL; suffix `Jr.` -> JR.
- L3 `Mary/Ann` -> MARY ANN; last `\"Smith,Jr\"` -> SMITH JR; middle `  Ann   Lee  ` -> ANN LEE.
- L4 `Ann-  -Lee` -> ANN LEE; mother's maiden `O’Brien-Smith` -> OBRIEN SMITH.
- L5 first 55 letters -> 50, W_TRUNCATED first_name.
- L6 first = 49 A, blank, 10 B -> cut at 50 leaves a trailing blank, trimmed -> 49 A; W_TRUNCATED.
- L7 first 60 A + `1` -> E_NAME only (no W_TRUNCATED).
- L8 middle 60 A + `1` -> W_NAME_DROPPED only; written.
- L9 suffix `The Third Esq` -> `THE THIRD ESQ` (13) cut to 10 `THE THIRD ` -> `THE THIRD`, W_TRUNCATED name_suffix.
- L10 first empty -> E_REQUIRED. L11 first `.` -> E_REQUIRED. L12 first `-` -> E_REQUIRED. L13 last `'` -> E_REQUIRED.
- L14 last `Ann2` -> E_NAME last_name.
- L15 mother_first_name `123` -> W_NAME_DROPPED; rp_last_name `Lee!` -> W_NAME_DROPPED.
- L16 middle `.` (present, normalizes to nothing) -> blank + W_NAME_DROPPED.
""", {PF: lines(NH, nrow("R1", "A.J.", "O'Neil", suffix="Jr."), nrow("R2", "Mary/Ann", "  Ann   Lee  ", '"Smith,Jr"'),
                 nrow("R3", "Ann-  -Lee", mmaiden="O’Brien-Smith"), nrow("R4", A55), nrow("R5", A49B),
                 nrow("R6", "A" * 60 + "1"), nrow("R7", middle="A" * 60 + "1"), nrow("R8", suffix="The Third Esq"),
                 nrow("R9", ""), nrow("R10", "."), nrow("R11", "-"), nrow("R12", last="'"), nrow("R13", last="Ann2"),
                 nrow("R14", mfirst="123", rplast="Lee!"), nrow("R15", middle="."))},
     out={"patient": [P("R1", "AJ", middle_name="ONEIL", name_suffix="JR"),
                      P("R2", "MARY ANN", "SMITH JR", middle_name="ANN LEE"),
                      P("R3", "ANN LEE", mother_maiden_name="OBRIEN SMITH"),
                      P("R4", "A" * 50), P("R5", "A" * 49), P("R7", "ANN"), P("R8", "ANN", name_suffix="THE THIRD"),
                      P("R14", "ANN"), P("R15", "ANN")]},
     warnings=[R(PF, 5, "R4", "first_name", "W_TRUNCATED"), R(PF, 6, "R5", "first_name", "W_TRUNCATED"),
               R(PF, 8, "R7", "middle_name", "W_NAME_DROPPED"), R(PF, 9, "R8", "name_suffix", "W_TRUNCATED"),
               R(PF, 15, "R14", "mother_first_name", "W_NAME_DROPPED"), R(PF, 15, "R14", "rp_last_name", "W_NAME_DROPPED"),
               R(PF, 16, "R15", "middle_name", "W_NAME_DROPPED")],
     rejects=[R(PF, 7, "R6", "first_name", "E_NAME"), R(PF, 10, "R9", "first_name", "E_REQUIRED"),
              R(PF, 11, "R10", "first_name", "E_REQUIRED"), R(PF, 12, "R11", "first_name", "E_REQUIRED"),
              R(PF, 13, "R12", "last_name", "E_REQUIRED"), R(PF, 14, "R13", "last_name", "E_NAME")],
     inputs={"patient": 15})

# ---------------------------------------------------------------- address
AH = PH + ",street_address,other_address,po_box,city"


def arow(rid, street="", other="", po="", city=""):
    return prow(rid, extra=[street, other, po, city])


case("address", """
Pins §3 address class "fold, uppercase, keep `A-Z 0-9 space # & ' ( ) , - . /`, remove the rest
(`W_CHARS_REMOVED`), collapse spaces; too long: cut, `W_TRUNCATED`" and §3a "Address and free text are trimmed as
well as collapsed. A value emptied by removal is written blank with `W_CHARS_REMOVED` only", "Whitespace inside a
field ... becomes a blank ...; it is never \"removed\"".
- L2 street `  12  Oak  St  ` -> `12 OAK ST` (no warning); other `\"Apt #5 & (rear), Bldg-A. 1/2 O'Hara\"` keeps
  every allowed character; city `San José` -> SAN JOSE.
- L3 street `Apt @ 5` -> `APT 5` W_CHARS_REMOVED; po_box `PO Box 12½` -> `PO BOX 12` W_CHARS_REMOVED; city `™` ->
  emptied, blank, W_CHARS_REMOVED only.
- L4 street `1234 ` + 55 A (60) -> cut to 55, W_TRUNCATED; other `@` + 56 B -> removal then cut: W_CHARS_REMOVED
  and W_TRUNCATED.
- L5 city `\"Los<TAB>Angeles\"` -> LOS ANGELES, no warning; street `O’Farrell St` -> `O'FARRELL ST` (’ folds to
  `'`, kept); other `Ｔokyo` (full-width T unmappable) -> `OKYO` W_CHARS_REMOVED.
""", {PF: lines(AH, arow("R1", "  12  Oak  St  ", '"Apt #5 & (rear), Bldg-A. 1/2 O\'Hara"', "", "San José"),
                 arow("R2", "Apt @ 5", "", "PO Box 12½", "™"), arow("R3", "1234 " + "A" * 55, "@" + "B" * 56),
                 arow("R4", "O’Farrell St", "Ｔokyo", "", '"Los\tAngeles"'))},
     out={"patient": [P("R1", "ANN", street_address="12 OAK ST", other_address="APT #5 & (REAR), BLDG-A. 1/2 O'HARA",
                        city="SAN JOSE"),
                      P("R2", "ANN", street_address="APT 5", po_box="PO BOX 12"),
                      P("R3", "ANN", street_address="1234 " + "A" * 50, other_address="B" * 55),
                      P("R4", "ANN", street_address="O'FARRELL ST", other_address="OKYO", city="LOS ANGELES")]},
     warnings=[R(PF, 3, "R2", "street_address", "W_CHARS_REMOVED"), R(PF, 3, "R2", "po_box", "W_CHARS_REMOVED"),
               R(PF, 3, "R2", "city", "W_CHARS_REMOVED"), R(PF, 4, "R3", "street_address", "W_TRUNCATED"),
               R(PF, 4, "R3", "other_address", "W_CHARS_REMOVED"), R(PF, 4, "R3", "other_address", "W_TRUNCATED"),
               R(PF, 5, "R4", "other_address", "W_CHARS_REMOVED")],
     inputs={"patient": 4})

# ---------------------------------------------------------------- identifiers
IH = PH + ",hp_member_id,medi_cal_id"
case("identifiers", """
Pins §3 identifier class "trimmed, printable ASCII with no blank, at most the width; a present value that breaks
this rejects the record (`E_ID`) — an identifier is never cut" and §3a "Identifiers are never folded: a non-ASCII
character in one is `E_ID`", "`hp_member_id` is optional on the patient file".
- L2 `R 1` -> E_ID. L3 `Ré1` -> E_ID (not folded to Re1). L4 33 characters -> E_ID (not cut).
- L5 ` R5 ` -> trimmed, written as R5.
- L6 hp_member_id `AB CD` -> E_ID hp_member_id. L7 medi_cal_id of 21 -> E_ID medi_cal_id. L8 hp_member_id `ÀB` -> E_ID.
- L9 quoted `R<TAB>9` -> the tab becomes a blank -> E_ID.
- L10 hp_member_id of exactly 32 and medi_cal_id of exactly 20 -> written.
- L11 `R~7!` (printable ASCII) -> written. L12 hp_member_id empty -> fine (optional).
""", {PF: lines(IH, prow("R 1", extra=["", ""]), prow("Ré1", extra=["", ""]), prow("X" * 33, extra=["", ""]),
                 prow(" R5 ", extra=["", ""]), prow("R6", extra=["AB CD", ""]), prow("R7", extra=["", "M" * 21]),
                 prow("R8", extra=["ÀB", ""]), prow('"R\t9"', extra=["", ""]), prow("R10", extra=["H" * 32, "M" * 20]),
                 prow("R~7!", extra=["", ""]), prow("R12", extra=["", ""]))},
     out={"patient": [P("R5", "ANN"), P("R10", "ANN", hp_member_id="H" * 32, medi_cal_id="M" * 20),
                      P("R~7!", "ANN"), P("R12", "ANN")]},
     rejects=[R(PF, 2, "", "record_id", "E_ID"), R(PF, 3, "", "record_id", "E_ID"), R(PF, 4, "", "record_id", "E_ID"),
              R(PF, 6, "R6", "hp_member_id", "E_ID"), R(PF, 7, "R7", "medi_cal_id", "E_ID"),
              R(PF, 8, "R8", "hp_member_id", "E_ID"), R(PF, 9, "", "record_id", "E_ID")],
     inputs={"patient": 11})
