from mkcase import *

PH = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date"
PF = "patients.csv"


def prow(rid, first="Ann", last="Smith", birth="2000-01-02", disc="Y", dd="2020-01-01", extra=()):
    return ",".join([rid, first, last, birth, disc, dd] + list(extra))


def R(fn, line, rid, field, code, msg=""):
    return (fn, line, rid, field, code, msg or code.lower())


def lines(*rows, eol="\n"):
    return "".join(r + eol for r in rows)


# ---------------------------------------------------------------- CSV dialect
case("csv-quotes", """
Pins §3a "Quotes: a field is quoted only when its first byte is `\"`. After the closing quote, bytes up to the
delimiter are kept (`\"Ma\"ria` reads `Maria`); a quote inside an unquoted field is an ordinary character; a blank
before an opening quote makes the field unquoted." and "Blank lines: only an empty line (LF or CR LF alone) is
skipped. A line of blanks or of bare delimiters is a record (usually `E_FIELD_COUNT`), and so is a line holding `\"\"`."

- L2 `\"Ma\"ria` -> MARIA, written.
- L3 `Jo\"hn` (unquoted) keeps the quote -> a name with a symbol left -> E_NAME first_name.
- L4 ` \"Ann\"` (blank first) is unquoted, value ` \"Ann\"` -> E_NAME.
- L5 `\"Lee, Ann\"` -> comma is a name separator -> LEE ANN.
- L6 `\"Ann \"\"Nan\"\" Lee\"` -> value `Ann \"Nan\" Lee` -> E_NAME.
- L7 `\"\"` alone: one field -> E_FIELD_COUNT (field empty).
- L8 three blanks: one field -> E_FIELD_COUNT.
- L9 `,,,` four fields -> E_FIELD_COUNT.
- L10 `,,,,,` six empty fields = header count: a record; disclosed blank -> only X_NOT_DISCLOSED (§3a).
- L11 empty line: skipped (not a record).
- L12 every field quoted -> written BO.
- L13 `\"Ab\"c\"d\"`: after the closing quote the bytes `c\"d\"` up to the delimiter are kept -> `Abc\"d\"` -> E_NAME.
""", {PF: lines(PH, prow("R1", '"Ma"ria'), prow("R2", 'Jo"hn'), prow("R3", ' "Ann"'), prow("R4", '"Lee, Ann"'),
                 prow("R5", '"Ann ""Nan"" Lee"'), '""', "   ", ",,,", ",,,,,", "",
                 '"R6","Bo","Smith","2000-01-02","Y","2020-01-01"', prow("R7", '"Ab"c"d"'))},
     out={"patient": [P("R1", "MARIA"), P("R4", "LEE ANN"), P("R6", "BO")]},
     rejects=[R(PF, 3, "R2", "first_name", "E_NAME"), R(PF, 4, "R3", "first_name", "E_NAME"),
              R(PF, 6, "R5", "first_name", "E_NAME"), R(PF, 7, "", "", "E_FIELD_COUNT"),
              R(PF, 8, "", "", "E_FIELD_COUNT"), R(PF, 9, "", "", "E_FIELD_COUNT"),
              R(PF, 10, "", "disclosed", "X_NOT_DISCLOSED"), R(PF, 13, "R7", "first_name", "E_NAME")],
     inputs={"patient": 11})

case("csv-line-ends", """
Pins §2 "inside quotes `\"\"` is a quote and the delimiter, CR and LF are data. Rows end with LF or CR LF (mixed is
fine)", §3a "A lone CR outside quotes is data (a blank), not a row end", "Empty lines inside quotes are data",
"Whitespace inside a field (tab, CR, LF from a quoted field ...) becomes a blank before the value rules run",
and §2 "Line numbers ... are the physical line (1-based, header = line 1) where the record starts".
Header ends CR LF. L2-3: quoted LF -> ANNE MARIE. L4-6: quoted CR LF CR LF -> BOB BY (blanks collapsed).
L7 (CR LF alone) and L8 (LF alone) are skipped. L9: lone CR outside quotes -> CAR LA, the row does not end there
(physical lines are counted by LF). L10-12: empty line inside quotes -> ED ED, row ends CR LF. L13: last row with
no terminator -> written.
""", {PF: PH + "\r\n" + prow("R1", '"Anne\nMarie"') + "\n" + prow("R2", '"Bob\r\n\r\nBy"') + "\r\n" + "\r\n" + "\n"
      + prow("R3", "Car\rla") + "\n" + prow("R4", '"Ed\n\nEd"') + "\r\n" + prow("R5", "Flo")},
     out={"patient": [P("R1", "ANNE MARIE"), P("R2", "BOB BY"), P("R3", "CAR LA"), P("R4", "ED ED"), P("R5", "FLO")]},
     inputs={"patient": 5})

case("csv-unterminated-quote", """
Pins §2 "a quote left open at end of file rejects that last record (`E_UNTERMINATED_QUOTE`)" and §3a "An
unterminated quote swallows the rest of the file into one record, reported at the line where it starts"; field
column empty (§3a). L2 written; L3 opens a quote never closed: one record (L3-L5), E_UNTERMINATED_QUOTE at line 3.
input_records 2.
""", {PF: lines(PH, prow("R1"), prow("R2", '"Open'), prow("R3", "Bob"), prow("R4", "Cy"))},
     out={"patient": [P("R1", "ANN")]},
     rejects=[R(PF, 3, "", "", "E_UNTERMINATED_QUOTE")], inputs={"patient": 2})

case("csv-field-count", """
Pins §2 "A row whose field count differs from the header's is rejected (`E_FIELD_COUNT`) ... Neither stops the
run", §3a field column empty for E_FIELD_COUNT, and §3a duplicates "once a valid `record_id` has been seen on any
record past the structural checks": a field-count row is not past them, so R1 on L4 is not a duplicate.
L2 five fields, L3 seven, L5 five with disclosed N (still only E_FIELD_COUNT: the structure is checked first),
L6 trailing delimiter = seven fields.
""", {PF: lines(PH, "R1,Ann,Smith,2000-01-02,Y", prow("R1", extra=["extra"]), prow("R1"), "R2,Bob,Smith,2000-01-02,N",
                 prow("R3", "Cy") + ",")},
     out={"patient": [P("R1", "ANN")]},
     rejects=[R(PF, 2, "", "", "E_FIELD_COUNT"), R(PF, 3, "", "", "E_FIELD_COUNT"), R(PF, 5, "", "", "E_FIELD_COUNT"),
              R(PF, 6, "", "", "E_FIELD_COUNT")], inputs={"patient": 5})

case("csv-bom", """
Pins §2 "A UTF-8 byte-order mark is skipped": the header's first column must still match `record_id`.
""", {PF: "\ufeff" + lines(PH, prow("R1"))}, out={"patient": [P("R1", "ANN")]}, inputs={"patient": 1})

case("csv-bom-cp1252", """
Pins §3a "A UTF-8 BOM at the very start is skipped in any encoding" with `--encoding cp1252`; 0xE9 is é -> E.
""", {PF: b"\xef\xbb\xbf" + lines(PH, prow("R1", "Ren\xe9")).encode("latin-1")},
     args="--org ACMEHP --as-of 2026-01-15 --encoding cp1252",
     out={"patient": [P("R1", "RENE")]}, inputs={"patient": 1})

case("csv-delimiter-pipe", """
Pins §2 "`--delimiter` takes any single byte (`|`, ...)". L2: a comma is data -> LEE ANN. L3: a quoted field
holding the delimiter stays one field; `|` left in a name is a symbol -> E_NAME.
""", {PF: lines(PH.replace(",", "|"), "R1|Lee, Ann|Smith|2000-01-02|Y|2020-01-01",
                 'R2|"Ann|Lee"|Smith|2000-01-02|Y|2020-01-01')},
     args="--org ACMEHP --as-of 2026-01-15 --delimiter '|'",
     out={"patient": [P("R1", "LEE ANN")]},
     rejects=[R(PF, 3, "R2", "first_name", "E_NAME")], inputs={"patient": 2})

case("csv-delimiter-tab", """
Pins §2 `--delimiter` with a tab byte (the args file holds a literal tab inside quotes). L2: comma is data ->
LEE ANN. L3: a quoted tab is whitespace -> a blank (§3a) -> ANN LEE.
""", {PF: lines(PH.replace(",", "\t"), "R1\tLee, Ann\tSmith\t2000-01-02\tY\t2020-01-01",
                 'R2\t"Ann\tLee"\tSmith\t2000-01-02\tY\t2020-01-01')},
     args="--org ACMEHP --as-of 2026-01-15 --delimiter '\t'",
     out={"patient": [P("R1", "LEE ANN"), P("R2", "ANN LEE")]}, inputs={"patient": 2})

case("csv-empty-inputs", """
Pins §3a "Only the fixed-width files for the given inputs are written; an input with no accepted record gives an
empty file; `rejects.csv` and `warnings.csv` are always written (header only when empty)". Patients: one record,
rejected (E_DATE). Immunizations: header only (0 records) -> empty immunization.txt. No comments input -> no
comment.txt (the runner checks it is absent). warnings.csv header only.
""", {PF: lines(PH, prow("R1", birth="2000-02-30")),
      "immunizations.csv": lines("record_id,cvx_code,vaccination_date,manufacturer")},
     out={"patient": [], "immunization": []},
     rejects=[R(PF, 2, "R1", "birth_date", "E_DATE")], inputs={"patient": 1, "immunization": 0})

# ---------------------------------------------------------------- encodings
case("enc-utf8-invalid", """
Pins §2 "A record with invalid UTF-8 is rejected (`E_ENCODING`)" and §3a "`E_ENCODING` is one row per field
holding undecodable bytes, and the record is not examined further" and "field ... empty for ... `E_ENCODING` in
an ignored column". `notes` is an unknown (ignored) column.
- L2 0xFF in first_name -> E_ENCODING first_name.
- L3 overlong C0 80 in first_name and a surrogate ED A0 80 in last_name, plus an impossible birth date -> two
  E_ENCODING rows only (not examined further: no E_DATE).
- L4 a lone 0xE9 in the ignored column -> E_ENCODING with an empty field.
- L5 clean -> written.
- L6 a truncated sequence (C3 then the closing quote) in a quoted first_name -> E_ENCODING first_name.
""", {PF: b"record_id,first_name,last_name,birth_date,disclosed,disclosed_date,notes\n"
      b"R1,Ann\xff,Smith,2000-01-02,Y,2020-01-01,ok\n"
      b"R2,Ann\xc0\x80,Smi\xed\xa0\x80th,1999-99-99,Y,2020-01-01,ok\n"
      b"R3,Ann,Smith,2000-01-02,Y,2020-01-01,n\xe9\n"
      b"R4,Ann,Smith,2000-01-02,Y,2020-01-01,ok\n"
      b"R5,\"Jos\xc3\",Smith,2000-01-02,Y,2020-01-01,ok\n"},
     out={"patient": [P("R4", "ANN")]},
     rejects=[R(PF, 2, "R1", "first_name", "E_ENCODING"), R(PF, 3, "R2", "first_name", "E_ENCODING"),
              R(PF, 3, "R2", "last_name", "E_ENCODING"), R(PF, 4, "R3", "", "E_ENCODING"),
              R(PF, 6, "R5", "first_name", "E_ENCODING")], inputs={"patient": 5})

CPH = PH + ",street_address"
case("enc-cp1252", """
Pins §2 `--encoding cp1252`, §3a "cp1252: the five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are
`E_ENCODING`", and §3 folding of the decoded characters:
- L2 0xE9 é -> E; 0x92 ’ -> ' then deleted in a name (OBRIEN); street 0xDF ß -> SS (STRASSE 5).
- L3 0x96 – -> `-` -> blank in a name (SMITH JONES); street 0x80 € is unmappable -> removed, W_CHARS_REMOVED,
  trimmed -> `5 MAIN`.
- L4 0x81 in first_name -> E_ENCODING first_name.
- L5 0x8D in last_name -> E_ENCODING last_name.
- L6 0x8F in street -> E_ENCODING street_address.
- L7 0x90 in first_name and 0x9D in last_name -> two E_ENCODING rows.
- L8 0x8C Œ -> OE (OEIL); 0x9F Ÿ -> Y by NFD (YVES).
- L9 0xA0 no-break space -> blank (ANN LEE); 0xDE 0xF3 Þó -> THO (THORA).
- L10 0xD7 × is a symbol -> E_NAME.
""", {PF: (CPH + "\n").encode() + b"".join(x + b"\n" for x in [
    b"R1,Ren\xe9,O\x92Brien,2000-01-02,Y,2020-01-01,Stra\xdfe 5",
    b"R2,Ann,Smith\x96Jones,2000-01-02,Y,2020-01-01,\x80 5 Main",
    b"R3,Ann\x81,Smith,2000-01-02,Y,2020-01-01,",
    b"R4,Ann,Smith\x8d,2000-01-02,Y,2020-01-01,",
    b"R5,Ann,Smith,2000-01-02,Y,2020-01-01,1\x8f Main",
    b"R6,\x90Ann,Smith\x9d,2000-01-02,Y,2020-01-01,",
    b"R7,\x8cil,\x9fves,2000-01-02,Y,2020-01-01,",
    b"R8,Ann\xa0Lee,\xde\xf3ra,2000-01-02,Y,2020-01-01,",
    b"R9,Ann\xd7,Smith,2000-01-02,Y,2020-01-01,"])},
     args="--org ACMEHP --as-of 2026-01-15 --encoding cp1252",
     out={"patient": [P("R1", "RENE", "OBRIEN", street_address="STRASSE 5"),
                      P("R2", "ANN", "SMITH JONES", street_address="5 MAIN"),
                      P("R7", "OEIL", "YVES"), P("R8", "ANN LEE", "THORA")]},
     warnings=[R(PF, 3, "R2", "street_address", "W_CHARS_REMOVED")],
     rejects=[R(PF, 4, "R3", "first_name", "E_ENCODING"), R(PF, 5, "R4", "last_name", "E_ENCODING"),
              R(PF, 6, "R5", "street_address", "E_ENCODING"), R(PF, 7, "R6", "first_name", "E_ENCODING"),
              R(PF, 7, "R6", "last_name", "E_ENCODING"), R(PF, 10, "R9", "first_name", "E_NAME")],
     inputs={"patient": 9})

case("enc-latin1", """
Pins §2 `--encoding latin1`: every byte is a character (no E_ENCODING). 0xE9 é -> E. In latin1 0x92 and 0x81 are
C1 control characters (not cp1252's ’): not ASCII, NFD does not start with a letter -> unmappable -> E_NAME in a
name (§3 "Any other character left ... makes the value invalid"). In an address an unmappable U+0080 is removed
(W_CHARS_REMOVED).
""", {PF: (CPH + "\n").encode() + b"".join(x + b"\n" for x in [
    b"R1,Ren\xe9,Smith,2000-01-02,Y,2020-01-01,",
    b"R2,Ann,O\x92Brien,2000-01-02,Y,2020-01-01,",
    b"R3,Ann\x81,Smith,2000-01-02,Y,2020-01-01,",
    b"R4,Ann,Smith,2000-01-02,Y,2020-01-01,12 Main\x80"])},
     args="--org ACMEHP --as-of 2026-01-15 --encoding latin1",
     out={"patient": [P("R1", "RENE"), P("R4", "ANN", street_address="12 MAIN")]},
     warnings=[R(PF, 5, "R4", "street_address", "W_CHARS_REMOVED")],
     rejects=[R(PF, 3, "R2", "last_name", "E_NAME"), R(PF, 4, "R3", "first_name", "E_NAME")],
     inputs={"patient": 4})
