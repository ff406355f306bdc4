#!/usr/bin/env python3
"""Writes the golden cases of Corpus/hedis/: small hand-made inputs, one case per group of
PRODUCT.md section 7 rules, with `args`, `notes`, `expect_exit` and `expected/` computed by
hedis_oracle.py (the second route; the Swift tool is then checked against them with
`check-hedis --cases Corpus/hedis`).  Each member's expected row is also stated in `notes`
by hand where the rule is an edge, so a reader can check it without running anything.

    scripts/oracle/hedis_cases.py [OUT_DIR]      (default Corpus/hedis)
"""
import datetime as dt
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def D(s):
    return dt.date.fromisoformat(s)


def add(d, n):
    return d + dt.timedelta(days=n)


def bday(b, n):
    try:
        return b.replace(year=b.year + n)
    except ValueError:
        return dt.date(b.year + n, 2, 28)


def mdy(d):
    return d.strftime("%m%d%Y")


def pr_line(rid, first, last, birth):
    s = rid.ljust(32) + first.ljust(50) + "".ljust(50) + last.ljust(50) + birth
    assert len(s) == 190, len(s)
    return s


def ir_line(rid, cpt, group, date):
    s = rid.ljust(32) + cpt.ljust(5) + group.ljust(16) + date
    assert len(s) == 61, len(s)
    return s


class Case:
    def __init__(self, name, measure, year, notes, extra_args=""):
        self.name, self.measure, self.year, self.notes, self.extra = name, measure, year, notes, extra_args
        self.members = [("hp_member_id", "first_name", "last_name", "birth_date")]
        self.pr, self.ir = [], []
        self.imms = [("record_id", "cpt_code", "cvx_code", "vaccination_date")]
        self.comments = None
        self.files = {}
        self.expect_exit = 0
        self.raw_members = None

    def member(self, rid, birth, first="ANA", last="LOPEZ", pr=True, pr_birth=None):
        self.members.append((rid, first, last, birth.isoformat() if isinstance(birth, dt.date) else birth))
        if pr:
            self.pr.append(pr_line(rid, first.upper(), last.upper(), mdy(pr_birth or birth)))

    def reg(self, rid, date, cpt="", group=""):
        self.ir.append(ir_line(rid, cpt, group, mdy(date) if isinstance(date, dt.date) else date))

    def plan(self, rid, date, cpt="", cvx=""):
        self.imms.append((rid, cpt, cvx, date.isoformat() if isinstance(date, dt.date) else date))

    def comment(self, rid, code, begin):
        if self.comments is None:
            self.comments = [("record_id", "comment_code", "begin_date", "end_date")]
        self.comments.append((rid, code, begin.isoformat() if isinstance(begin, dt.date) else begin, ""))

    def write(self, out):
        d = os.path.join(out, self.name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

        def w(name, text):
            with open(os.path.join(d, name), "w", newline="", encoding="utf-8") as fh:
                fh.write(text)
        w("members.csv", self.raw_members if self.raw_members is not None else
          "".join(",".join(r) + "\n" for r in self.members))
        w("patient-return.txt", "".join(line + "\r\n" for line in self.pr))
        w("immunization-return.txt", "".join(line + "\r\n" for line in self.ir))
        args = "--measure %s --year %d --members members.csv --patient-return patient-return.txt " \
               "--immunization-return immunization-return.txt" % (self.measure, self.year)
        if len(self.imms) > 1:
            w("immunizations.csv", "".join(",".join(r) + "\n" for r in self.imms))
            args += " --immunizations immunizations.csv"
        if self.comments:
            w("comments.csv", "".join(",".join(r) + "\n" for r in self.comments))
            args += " --comments comments.csv"
        for name, text in self.files.items():
            w(name, text)
        if self.extra:
            args += " " + self.extra
        w("args", args + "\n")
        w("expect_exit", "%d\n" % self.expect_exit)
        w("notes", self.notes.strip() + "\nExpected outputs: scripts/oracle/hedis_oracle.py (see ../README.md).\n")
        # the second route
        exp = os.path.join(d, "expected")
        os.makedirs(exp)
        p = subprocess.run([sys.executable, os.path.join(HERE, "hedis_oracle.py")] + args.split() +
                           ["--out-dir", os.path.join(d, ".oracle-out")], cwd=d, capture_output=True, text=True)
        if p.returncode != self.expect_exit:
            raise SystemExit("%s: oracle exit %d, expected %d: %s" % (self.name, p.returncode, self.expect_exit, p.stderr))
        if p.returncode == 0:
            for n in ("hedis-members.csv", "hedis-summary.json", "rejects.csv"):
                shutil.move(os.path.join(d, ".oracle-out", n), os.path.join(exp, n))
        shutil.rmtree(os.path.join(d, ".oracle-out"), ignore_errors=True)


def cases():
    out = []

    # --- CIS windows to the day --------------------------------------------------------------
    c = Case("cis-windows", "cis", 2025, """
CIS windows to the day (year 2025, births in 2023). W01: DTaP/IPV/HiB/PCV with the first dose on day 41
(not counted) or 42 (counted); W02: HepB newborn dose on the birth date counts, a dose the day before birth
never does; W03: MMR/VZV/HepA the day before the 1st birthday (no), on it (yes); W04: on the 2nd birthday
(yes) and the day after (no); W05: same-date doses (plan and registry) count once; W06: a 2nd birthday
in 2026 is out of range (not eligible).""")
    b = D("2023-04-10")
    c.member("W01", b)
    for k, day in enumerate([41, 100, 160, 220]):
        c.plan("W01", add(b, day), cpt="90700")     # DTaP: 3 counted
    for k, day in enumerate([42, 100, 160, 220]):
        c.plan("W01", add(b, day), cvx="133")       # PCV: 4 counted
    c.reg("W01", add(b, 41), cpt="90713", group="POLIO")
    c.reg("W01", add(b, 42), cpt="90713", group="POLIO")
    c.reg("W01", add(b, 43), cpt="90713", group="POLIO")
    c.reg("W01", add(b, 44), cpt="90713", group="POLIO")   # IPV: 3 counted
    c.reg("W01", add(b, 41), group="HIB")
    c.reg("W01", add(b, 90), group="HIB")
    c.reg("W01", add(b, 150), group="HIB")                 # HiB: 2 counted
    c.member("W02", b)
    c.plan("W02", b, cvx="08")
    c.plan("W02", add(b, -1), cvx="8")
    c.plan("W02", add(b, 60), cpt="90744")
    c.plan("W02", add(b, 180), cpt="90744")                # HepB 3 (birth, 60, 180)
    c.member("W03", b)
    c.plan("W03", add(bday(b, 1), -1), cpt="90707")
    c.plan("W03", add(bday(b, 1), -1), cvx="21")
    c.plan("W03", bday(b, 1), cvx="83")
    c.member("W04", b)
    c.plan("W04", bday(b, 2), cpt="90710")                # MMRV on the 2nd birthday: MMR and VZV
    c.plan("W04", add(bday(b, 2), 1), cpt="90633")        # HepA the day after: no
    c.member("W05", b)
    for day in (60, 120, 180):
        c.plan("W05", add(b, day), cpt="90698")            # DTaP-IPV-Hib
        c.reg("W05", add(b, day), cpt="90698", group="DTAP")
    c.plan("W05", add(b, 240), cpt="90700")
    c.member("W06", D("2024-01-01"))
    c.plan("W06", D("2024-03-01"), cpt="90700")
    out.append(c)

    # --- RV combinations ---------------------------------------------------------------------
    c = Case("cis-rotavirus", "cis", 2025, """
RV: R01 two RV2; R02 three RV3; R03 one RV2 and two RV3 (met); R04 one RV2 and one RV3 (not met); R05 two
registry doses known only by the group ROTAVIRUS (RV3) and one RV3 by CVX (met); R06 a first RV2 on day 41
(not counted) and one on day 42; R07 RV2 and RV3 on one date (one dose, the three-dose product) plus one
RV2 (not met).""")
    b = D("2023-09-01")
    c.member("R01", b); c.plan("R01", add(b, 60), cpt="90681"); c.plan("R01", add(b, 120), cvx="119")
    c.member("R02", b)
    for day in (60, 120, 180):
        c.plan("R02", add(b, day), cpt="90680")
    c.member("R03", b); c.plan("R03", add(b, 60), cpt="90681"); c.reg("R03", add(b, 120), cpt="90680", group="ROTAVIRUS")
    c.reg("R03", add(b, 180), group="ROTAVIRUS")
    c.member("R04", b); c.plan("R04", add(b, 60), cpt="90681"); c.plan("R04", add(b, 120), cvx="116")
    c.member("R05", b); c.reg("R05", add(b, 60), group="ROTAVIRUS"); c.reg("R05", add(b, 120), group="ROTAVIRUS")
    c.plan("R05", add(b, 180), cvx="122")
    c.member("R06", b); c.plan("R06", add(b, 41), cpt="90681"); c.plan("R06", add(b, 42), cpt="90681")
    c.member("R07", b); c.plan("R07", add(b, 60), cpt="90681"); c.reg("R07", add(b, 60), group="ROTAVIRUS")
    c.plan("R07", add(b, 120), cpt="90681")
    out.append(c)

    # --- Flu and LAIV ------------------------------------------------------------------------
    c = Case("cis-flu-laiv", "cis", 2025, """
Flu: F01 first dose on day 179 (not counted) and one on day 180; F02 one flu dose and a LAIV dose on the 2nd
birthday (met: 2 doses); F03 LAIV the day before the 2nd birthday (not counted); F04 two LAIV doses before
the 2nd birthday (none counts); F05 a registry flu dose known only by the group INFLUENZA and one by CPT 90655.""")
    b = D("2023-05-20")
    c.member("F01", b); c.plan("F01", add(b, 179), cpt="90686"); c.plan("F01", add(b, 180), cpt="90686")
    c.member("F02", b); c.plan("F02", add(b, 200), cvx="150"); c.plan("F02", bday(b, 2), cpt="90672")
    c.member("F03", b); c.plan("F03", add(b, 200), cvx="150"); c.plan("F03", add(bday(b, 2), -1), cvx="111")
    c.member("F04", b); c.plan("F04", add(b, 200), cvx="111"); c.plan("F04", add(b, 400), cvx="149")
    c.member("F05", b); c.reg("F05", add(b, 200), group="INFLUENZA"); c.reg("F05", add(b, 300), cpt="90655", group="INFLUENZA")
    out.append(c)

    # --- February 29 ---------------------------------------------------------------------------
    c = Case("cis-feb29", "cis", 2026, """
A member born 2024-02-29 has the 1st birthday 2025-02-28 and the 2nd 2026-02-28 (eligible in 2026).
L01: MMR on 2025-02-28 counts (on the 1st birthday), LAIV on 2026-02-28 counts (on the 2nd birthday),
a DTaP on 2026-03-01 does not (after the last birthday). L02: MMR on 2025-02-27 does not count.
L03 born 2024-03-01 is eligible in 2026 too; L04 born 2023-02-28 is not (2nd birthday in 2025).""")
    b = D("2024-02-29")
    c.member("L01", b)
    c.plan("L01", D("2025-02-28"), cpt="90707"); c.plan("L01", D("2024-10-01"), cpt="90686")
    c.plan("L01", D("2026-02-28"), cpt="90660"); c.plan("L01", D("2026-03-01"), cpt="90700")
    c.member("L02", b); c.plan("L02", D("2025-02-27"), cpt="90707")
    c.member("L03", D("2024-03-01")); c.plan("L03", D("2025-03-01"), cpt="90707")
    c.member("L04", D("2023-02-28"))
    out.append(c)

    # --- IMA ---------------------------------------------------------------------------------
    c = Case("ima-rules", "ima", 2025, """
IMA (13th birthday in 2025, births in 2012). I01: HPV two doses 145 days apart (not met); I02: 146 days
apart (met); I03: three HPV doses within weeks (met); I04: HPV before the 9th birthday does not count;
I05: Men the day before the 11th birthday (no) and Tdap on the 10th birthday (yes); I06: Men on the 11th
birthday (yes) and on the 13th (Combo 1 met); I07: a MENINGO dose with no CPT and a TD/TDAP dose with no
CPT count for nothing (uncounted labels), MenB (CPT 90620) does not count; I08: a dose after the 13th
birthday does not count.""")
    b = D("2012-07-01")
    s = D("2022-01-10")
    c.member("I01", b); c.plan("I01", s, cpt="90651"); c.plan("I01", add(s, 145), cpt="90651")
    c.member("I02", b); c.plan("I02", s, cpt="90651"); c.reg("I02", add(s, 146), cpt="90651", group="HPV")
    c.member("I03", b)
    for k in range(3):
        c.plan("I03", add(s, 20 * k), cvx="165")
    c.member("I04", b); c.plan("I04", D("2021-06-30"), cpt="90651"); c.plan("I04", D("2022-06-30"), cpt="90651")
    c.member("I05", b); c.plan("I05", D("2023-06-30"), cpt="90734"); c.plan("I05", bday(b, 10), cpt="90715")
    c.member("I06", b); c.plan("I06", bday(b, 11), cvx="114"); c.reg("I06", bday(b, 13), cpt="90715", group="TD/TDAP")
    c.member("I07", b); c.reg("I07", D("2024-01-01"), group="MENINGO"); c.reg("I07", D("2024-01-01"), group="TD/TDAP")
    c.reg("I07", D("2024-02-01"), cpt="90620", group="MENINGO")
    c.member("I08", b); c.plan("I08", D("2025-07-02"), cpt="90715")
    out.append(c)

    c = Case("ima-mening-from-10", "ima", 2025, """
--mening-from 10: M01 Men on the 10th birthday counts; M02 the day before does not.""", "--mening-from 10")
    b = D("2012-03-15")
    c.member("M01", b); c.plan("M01", bday(b, 10), cpt="90734")
    c.member("M02", b); c.plan("M02", add(bday(b, 10), -1), cpt="90734")
    out.append(c)

    # --- Match statuses and the identity rule -------------------------------------------------
    c = Case("match-statuses", "cis", 2025, """
Every match status and the identity rule. S01 matched (accented member name folds to the registry's);
S02 not_found (registry doses under its id do not count: no return row); S03 birth_date_differs (its
registry doses do not count, only the plan's); S04 name_differs (registry doses count); S05 several_rows
that agree (doses pooled); S06 several_rows that disagree (registry doses do not count); S07 no names in
the members row (not compared: matched); return rows for people not in the members file are ignored.""")
    b = D("2023-06-01")
    hepb = lambda rid: [c.reg(rid, add(b, d), cpt="90744", group="HEPB") for d in (0, 60, 180)]  # noqa: E731
    c.member("S01", b, first="José", last="Núñez", pr=False); hepb("S01")
    c.pr.append(pr_line("S01", "JOSE", "NUNEZ", mdy(b)))
    c.member("S02", b, pr=False); hepb("S02")
    c.member("S03", b, pr_birth=D("2023-06-02")); hepb("S03"); c.plan("S03", add(b, 60), cpt="90744")
    c.member("S04", b, first="ANNA", last="LOPEZ"); c.pr[-1] = pr_line("S04", "ANA", "LOPEZ", mdy(b)); hepb("S04")
    c.member("S05", b); c.pr.append(pr_line("S05", "ANA", "LOPEZ-DIAZ", mdy(b)))
    c.reg("S05", b, cpt="90744", group="HEPB"); c.reg("S05", add(b, 60), cpt="90744", group="HEPB")
    c.plan("S05", add(b, 180), cpt="90744")
    c.member("S06", b); c.pr.append(pr_line("S06", "ANA", "LOPEZ", mdy(D("2019-01-01")))); hepb("S06")
    c.member("S07", b, first="", last=""); c.pr[-1] = pr_line("S07", "SOMEONE", "ELSE", mdy(b)); hepb("S07")
    c.pr.append(pr_line("X99", "OTHER", "PERSON", mdy(b))); c.reg("X99", b, group="HEPB")
    out.append(c)

    # --- Comment evidence --------------------------------------------------------------------
    c = Case("comments-evidence", "cis", 2025, """
Comment evidence (begin date on or before the 2nd birthday). C01 DTaP met by encephalopathy (15); C02
HepB by immunity (26) and VZV by immunity (33A, lower case in the file); C03 MMR by measles and mumps
immunity only (not met); C04 MMR by all three immunities (27, 28, 31); C05 an anaphylaxis comment begun the
day after the 2nd birthday (not counted) and one with a blank begin date (not counted); C06 RV and Flu by
anaphylaxis (10_23, 10_9); invalid rows: an unknown code (E_CODE), an empty code (E_REQUIRED), an empty
record_id (E_REQUIRED), a DPERM10 code (seven characters: E_CODE).""")
    b = D("2023-08-15")
    last = bday(b, 2)
    c.member("C01", b); c.comment("C01", "15", last)
    c.member("C02", b); c.comment("C02", "26", D("2024-01-01")); c.comment("C02", "33a", D("2023-01-01"))
    c.member("C03", b); c.comment("C03", "27", D("2024-01-01")); c.comment("C03", "28", D("2024-01-01"))
    c.member("C04", b)
    for code in ("27", "28", "31"):
        c.comment("C04", code, D("2024-02-02"))
    c.member("C05", b); c.comment("C05", "10_7", add(last, 1)); c.comment("C05", "10_20", "")
    c.member("C06", b); c.comment("C06", "10_23", D("2024-01-01")); c.comment("C06", "10_9", "9/1/2024")
    c.comment("C06", "ZZZ", D("2024-01-01")); c.comment("C06", "", D("2024-01-01")); c.comment("", "15", D("2024-01-01"))
    c.comment("C06", "DPERM10", D("2024-01-01"))
    out.append(c)

    # --- Table overrides ----------------------------------------------------------------------
    c = Case("overrides", "cis", 2025, """
--value-sets and --comment-codes replace the bundled tables. The value-set file counts CPT 99999 as DTaP
(and nothing else exists: bundled codes such as 90700 count for nothing); the comment-code file makes 99
(not a CAIR2 comment code: rejected E_CODE) nothing and 26 evidence for DTaP. O01 four 99999 doses:
DTaP met; O02 four 90700 doses: not met; O03 comment 26: DTaP met. Registry doses counted for no antigen
are listed by label.""", "--value-sets my-value-sets.csv --comment-codes my-comment-codes.csv")
    c.files["my-value-sets.csv"] = "measure,antigen,system,code\nCIS,DTaP,CPT,99999\nIMA,HPV,CPT,90651\n"
    c.files["my-comment-codes.csv"] = "measure,antigen,comment_code,evidence\nCIS,DTaP,26,anaphylaxis\n"
    b = D("2023-02-02")
    c.member("O01", b)
    for day in (60, 120, 180, 400):
        c.plan("O01", add(b, day), cpt="99999")
    c.member("O02", b)
    for day in (60, 120, 180, 400):
        c.reg("O02", add(b, day), cpt="90700", group="DTAP")
    c.member("O03", b); c.comment("O03", "26", D("2024-01-01")); c.comment("O03", "99", D("2024-01-01"))
    out.append(c)

    # --- Rejects and malformed return lines ----------------------------------------------------
    c = Case("rejects", "cis", 2025, """
Member rows rejected and counted: an empty id (E_REQUIRED), an id with a blank (E_ID), a duplicate
(E_DUPLICATE_ID, first kept), an impossible date (E_DATE), an empty birth date (E_REQUIRED), a date before
1900 (E_DATE), a row with a missing field (E_FIELD_COUNT). Return files: a short line and a non-ASCII line
(E_MALFORMED_LINE, no field), an immunization-return line with an invalid date (E_DATE, vaccination_date).
Plan doses: an invalid date (E_DATE) and an empty record_id (E_REQUIRED).""")
    b = D("2023-01-05")
    c.member("G01", b)
    c.members.append(("", "ANA", "LOPEZ", "2023-01-05"))
    c.members.append(("G 02", "ANA", "LOPEZ", "2023-01-05"))
    c.members.append(("G01", "ANA", "LOPEZ", "2023-01-06"))
    c.members.append(("G03", "ANA", "LOPEZ", "2023-02-30"))
    c.members.append(("G04", "ANA", "LOPEZ", ""))
    c.members.append(("G05", "ANA", "LOPEZ", "1899-12-31"))
    c.members.append(("G06", "ANA", "2023-01-05"))
    c.member("G07", "1/5/2023", pr=False)
    c.pr.append(pr_line("G07", "ANA", "LOPEZ", "01052023"))
    c.pr.append("G01 too short")
    c.pr.append(pr_line("G08", "ANA", "LOPEZ", mdy(b)).replace("ANA", "ANÄ"))
    c.reg("G01", b, cpt="90744", group="HEPB")
    c.reg("G01", "13452023", cpt="90744", group="HEPB")
    c.ir.append("G01 short line")
    c.reg("G07", add(b, 1), cpt="90744", group="HEPB")
    c.plan("G01", "2023-13-01", cpt="90744")
    c.plan("", "2023-03-01", cpt="90744")
    c.plan("G01", "3/1/2023", cpt="90744")
    out.append(c)

    c = Case("exit2-missing-column", "cis", 2025, """
The members file has no birth_date column: exit 2, nothing written.""")
    c.raw_members = "hp_member_id,first_name,last_name,dob\nA1,ANA,LOPEZ,2023-01-01\n"
    c.expect_exit = 2
    out.append(c)

    c = Case("exit2-bad-value-sets", "cis", 2025, """
A value-set file naming an antigen the measure does not have (RV, where the table needs RV2 or RV3):
exit 2, nothing written.""", "--value-sets bad.csv")
    c.member("B01", D("2023-01-01"))
    c.files["bad.csv"] = "measure,antigen,system,code\nCIS,RV,CPT,90681\n"
    c.expect_exit = 2
    out.append(c)
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Corpus", "hedis")
    os.makedirs(out, exist_ok=True)
    for c in cases():
        c.write(out)
        print("wrote", c.name)


if __name__ == "__main__":
    main()
