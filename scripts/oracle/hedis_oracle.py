#!/usr/bin/env python3
"""A second, independent implementation of `cair2 hedis` (PRODUCT.md section 7),
written from the contract's text, not from the Swift sources.  It reuses only
this folder's convert oracle (oracle.py) for CSV reading and the section 3 value
classes.  Python 3 standard library only.

    hedis_oracle.py --measure cis|ima --year YYYY --members F --patient-return F
                    --immunization-return F [--immunizations F] [--comments F]
                    [--value-sets F] [--comment-codes F] [--mening-from 10|11]
                    --out-dir DIR [--delimiter C] [--encoding E] [--map F]

Writes hedis-members.csv, hedis-summary.json and rejects.csv (exit 0), or
nothing (exit 2 when the run cannot start).  Used to check the expectations of
Corpus/hedis cases by a second route (Corpus/hedis/README.md).
"""
import argparse
import csv
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle as O  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "Sources", "CAIR2Measures", "Data")

CIS = ["dtap", "ipv", "mmr", "hib", "hepb", "vzv", "pcv", "hepa", "rv", "flu"]
IMA = ["men", "tdap", "hpv"]
VS_ANTIGENS = {"CIS": ["DTaP", "IPV", "MMR", "HiB", "HepB", "VZV", "PCV", "HepA", "RV2", "RV3", "Flu", "FluLAIV"],
               "IMA": ["Men", "Tdap", "HPV"]}
CC_ANTIGENS = {"CIS": ["DTaP", "IPV", "MMR", "HiB", "HepB", "VZV", "PCV", "HepA", "RV", "Flu"],
               "IMA": ["Men", "Tdap", "HPV"]}
EVIDENCE = {"anaphylaxis", "encephalopathy", "immunity", "immunity-measles", "immunity-mumps", "immunity-rubella"}
MEMBER_CANON = ["patient_type", "hp_member_id", "first_name", "middle_name", "last_name", "birth_date"]


class Usage(Exception):
    pass


def cvx_key(s):
    s = s.strip()
    if s.isdigit():
        return str(int(s))
    return s.upper()


def load_value_sets(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip().lower() for h in rows[0]][:4] != ["measure", "antigen", "system", "code"]:
        raise Usage("value sets: header must be measure,antigen,system,code")
    vs = {}   # (measure, system, key) -> set(antigen lower)
    for r in rows[1:]:
        if not any(c.strip() for c in r):
            continue
        if len(r) < 4:
            raise Usage("value sets: short row")
        m, a, s, c = (x.strip() for x in r[:4])
        m = m.upper()
        if m not in VS_ANTIGENS:
            raise Usage("value sets: measure %s" % m)
        names = {x.lower(): x for x in VS_ANTIGENS[m]}
        if a.lower() not in names:
            raise Usage("value sets: antigen %s" % a)
        s = s.upper()
        if s not in ("CPT", "CVX", "GROUP") or not c:
            raise Usage("value sets: system %s" % s)
        key = cvx_key(c) if s == "CVX" else c.upper()
        vs.setdefault((m, s, key), set()).add(names[a.lower()].lower())
    return vs


def load_comment_codes(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [h.strip().lower() for h in rows[0]][:4] != ["measure", "antigen", "comment_code", "evidence"]:
        raise Usage("comment codes: header")
    cc = {}   # (measure, code) -> list of (antigen lower, evidence)
    for r in rows[1:]:
        if not any(c.strip() for c in r):
            continue
        m, a, c, e = (x.strip() for x in r[:4])
        m = m.upper()
        if m not in CC_ANTIGENS:
            raise Usage("comment codes: measure")
        names = {x.lower(): x for x in CC_ANTIGENS[m]}
        if a.lower() not in names or e.lower() not in EVIDENCE or not c:
            raise Usage("comment codes: row")
        cc.setdefault((m, c.upper()), []).append((a.lower(), e.lower()))
    return cc


def birthday(birth, n):
    y = birth.year + n
    try:
        return datetime.date(y, birth.month, birth.day)
    except ValueError:
        return datetime.date(y, 2, 28)


def read_csv(path, canon, required, delim, enc, mapping, defaults, rejects, counts):
    """Yields (line, {canonical: str}) for structurally sound rows; structural rejects recorded."""
    if not os.path.isfile(path):
        raise Usage("%s: cannot read" % path)
    data = open(path, "rb").read()
    rows = O.read_rows(data, delim)
    header = next(rows, None)
    if header is None or header.fields is None:
        raise Usage("%s: no header" % path)
    cols, seen = [], set()
    for b in header.fields:
        s = O.decode(b, enc)
        nm = O.header_key(s) if s is not None else None
        nm = mapping.get(nm, nm)
        if nm in canon:
            if nm in seen:
                raise Usage("two columns resolve to %s" % nm)
            seen.add(nm)
            cols.append(nm)
        else:
            cols.append(None)
    for c in required:
        if c not in seen and c not in defaults:
            raise Usage("%s: required column %s missing" % (path, c))

    def gen():
        for row in rows:
            counts["input_records"] += 1
            if row.problem:
                rejects.append((path, row.line, "", "", row.problem))
                counts["rejected"] += 1
                continue
            if len(row.fields) != len(cols):
                rejects.append((path, row.line, "", "", "E_FIELD_COUNT"))
                counts["rejected"] += 1
                continue
            rec, bad = {}, []
            for col, b in zip(cols, row.fields):
                s = O.decode(b, enc)
                if s is None:
                    bad.append(col or "")
                elif col:
                    rec[col] = s
            if bad:
                for col in bad:
                    rejects.append((path, row.line, "", col, "E_ENCODING"))
                counts["rejected"] += 1
                continue
            for k, v in defaults.items():
                if k in canon and not O.present(rec.get(k, "")):
                    rec[k] = v
            yield row.line, rec
    return gen()


def fw_lines(path, width):
    """(line, text or None when malformed) per line of a fixed-width file, like decode."""
    if not os.path.isfile(path):
        raise Usage("%s: cannot read" % path)
    data = open(path, "rb").read()
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    out = []
    pending = []
    for i, p in enumerate(parts, 1):
        if p.endswith(b"\r"):
            p = p[:-1]
        if p == b"":
            pending.append(i)
            continue
        for e in pending:
            out.append((e, None))
        pending = []
        ok = all(0x20 <= c <= 0x7E for c in p) and (len(p) == width or (len(p) == width + 1 and p[-1:] == b" "))
        out.append((i, p[:width].decode("ascii") if ok else None))
    return out


def run(a):
    measure = a.measure.upper()
    n_last = 2 if measure == "CIS" else 13
    vs_text = open(a.value_sets, encoding="utf-8").read() if a.value_sets else \
        open(os.path.join(DATA, "value_sets.csv"), encoding="utf-8").read()
    cc_text = open(a.comment_codes, encoding="utf-8").read() if a.comment_codes else \
        open(os.path.join(DATA, "comment_codes.csv"), encoding="utf-8").read()
    vs = load_value_sets(vs_text)
    cc = load_comment_codes(cc_text)
    delim = a.delimiter.encode("latin-1")
    if delim == b"\\t":
        delim = b"\t"
    enc = {"utf-8": "utf-8", "utf8": "utf-8", "cp1252": "cp1252", "latin1": "latin-1"}[a.encoding.lower()]
    mapping, defaults = O.load_map(a.map)
    for p in (a.members, a.patient_return, a.immunization_return, a.immunizations, a.comments):
        if p and not os.path.isfile(p):
            raise Usage("%s: cannot read" % p)
    rejects = []
    inputs = {}

    # members
    mc = {"input_records": 0, "rejected": 0, "out_of_range": 0, "eligible": 0}
    members, seen = [], set()
    for line, rec in read_csv(a.members, set(MEMBER_CANON), ["hp_member_id", "birth_date"], delim[0], enc,
                              mapping, defaults, rejects, mc):
        probs = []
        rid = O.v_identifier(rec.get("hp_member_id", ""), 32)
        if rid is None:
            probs.append(("hp_member_id", "E_ID"))
        elif rid == "":
            probs.append(("hp_member_id", "E_REQUIRED"))
        elif rid in seen:
            probs.append(("hp_member_id", "E_DUPLICATE_ID"))
        raw = rec.get("birth_date", "")
        bd = None
        if not O.present(raw):
            probs.append(("birth_date", "E_REQUIRED"))
        else:
            bd = O.parse_date(raw)
            if bd is None:
                probs.append(("birth_date", "E_DATE"))
        if rid:
            seen.add(rid)
        if probs:
            mc["rejected"] += 1
            for f, c in probs:
                rejects.append((a.members, line, rid or "", f, c))
            continue
        if birthday(bd, n_last).year != a.year:
            mc["out_of_range"] += 1
            continue
        names = {}
        for f in ("first_name", "last_name"):
            if f in rec:
                v, st = O.v_name(rec[f], 1000)
                if st == "ok":
                    names[f] = v
        members.append({"id": rid, "birth": bd, "names": names})
    mc["eligible"] = len(members)
    inputs["members"] = mc
    by_id = {m["id"]: m for m in members}

    # patient return
    pr = {"lines": 0, "malformed": 0}
    rows_of = {}
    for line, text in fw_lines(a.patient_return, 190):
        pr["lines"] += 1
        if text is None:
            pr["malformed"] += 1
            rejects.append((a.patient_return, line, "", "", "E_MALFORMED_LINE"))
            continue
        rid = text[0:32].strip()
        rows_of.setdefault(rid, []).append({
            "first": O.v_name(text[32:82], 1000)[0], "last": O.v_name(text[132:182], 1000)[0],
            "birth": O.parse_date(text[182:190])})
    inputs["patient_return"] = pr

    # immunization return
    ir = {"lines": 0, "malformed": 0, "invalid_date": 0}
    reg_doses = {}
    for line, text in fw_lines(a.immunization_return, 61):
        ir["lines"] += 1
        if text is None:
            ir["malformed"] += 1
            rejects.append((a.immunization_return, line, "", "", "E_MALFORMED_LINE"))
            continue
        rid = text[0:32].strip()
        d = O.parse_date(text[53:61])
        if d is None:
            ir["invalid_date"] += 1
            rejects.append((a.immunization_return, line, rid, "vaccination_date", "E_DATE"))
            continue
        reg_doses.setdefault(rid, []).append((d, text[32:37].strip(), text[37:53].strip()))
    inputs["immunization_return"] = ir

    # plan doses
    plan_doses = {}
    if a.immunizations:
        pc = {"input_records": 0, "rejected": 0}
        canon = set(O.CANON["immunization"])
        for line, rec in read_csv(a.immunizations, canon, ["record_id", "vaccination_date"], delim[0], enc,
                                  mapping, defaults, rejects, pc):
            probs = []
            rid = O.v_identifier(rec.get("record_id", ""), 32)
            if rid is None:
                probs.append(("record_id", "E_ID"))
            elif rid == "":
                probs.append(("record_id", "E_REQUIRED"))
            raw = rec.get("vaccination_date", "")
            d = None
            if not O.present(raw):
                probs.append(("vaccination_date", "E_REQUIRED"))
            else:
                d = O.parse_date(raw)
                if d is None:
                    probs.append(("vaccination_date", "E_DATE"))
            if probs:
                pc["rejected"] += 1
                for f, c in probs:
                    rejects.append((a.immunizations, line, rid or "", f, c))
                continue
            cpt = O.blanks(rec.get("cpt_code", "")).strip().upper()
            cvx = O.blanks(rec.get("cvx_code", "")).strip()
            plan_doses.setdefault(rid, []).append((d, cpt, cvx))
        inputs["plan_immunizations"] = pc

    # comments
    comments = {}
    if a.comments:
        cm = {"input_records": 0, "rejected": 0}
        canon = set(O.CANON["comment"])
        for line, rec in read_csv(a.comments, canon, ["record_id", "comment_code"], delim[0], enc,
                                  mapping, defaults, rejects, cm):
            probs = []
            rid = O.v_identifier(rec.get("record_id", ""), 32)
            if rid is None:
                probs.append(("record_id", "E_ID"))
            elif rid == "":
                probs.append(("record_id", "E_REQUIRED"))
            raw = rec.get("comment_code", "")
            code = None
            if not O.present(raw):
                probs.append(("comment_code", "E_REQUIRED"))
            else:
                code = O.v_code("comment_code", raw)
                if code is None or len(code) > 6:
                    probs.append(("comment_code", "E_CODE"))
            if probs:
                cm["rejected"] += 1
                for f, c in probs:
                    rejects.append((a.comments, line, rid or "", f, c))
                continue
            begin = O.parse_date(rec.get("begin_date", "")) if O.present(rec.get("begin_date", "")) else None
            comments.setdefault(rid, []).append((code.upper(), begin))
        inputs["comments"] = cm

    antigens = CIS if measure == "CIS" else IMA
    combos = {"combo3": CIS[:7], "combo7": CIS[:9], "combo10": CIS} if measure == "CIS" else \
        {"combo1": IMA[:2], "combo2": IMA}
    largest = "combo10" if measure == "CIS" else "combo2"
    men_from = a.mening_from

    def antigens_of(cpt, cvx, group, plan):
        out = set()
        if cpt:
            out |= vs.get((measure, "CPT", cpt.upper()), set())
        if plan:
            if cvx:
                out |= vs.get((measure, "CVX", cvx_key(cvx)), set())
        elif not cpt:
            g = group.strip().upper()
            if g:
                out |= vs.get((measure, "GROUP", g), set())
        return out

    def evaluate(m, doses, evid):
        """doses: list of (date, set of value-set antigens); evid: list of (antigen, evidence)."""
        b = m["birth"]
        last = birthday(b, n_last)
        dates = {}
        for d, ants in doses:
            if d < b or d > last:
                continue
            for x in ants:
                dates.setdefault(x, set()).add(d)
        age = lambda d: (d - b).days  # noqa: E731
        res = {}
        if measure == "CIS":
            b1 = birthday(b, 1)
            for ant, key, need in (("dtap", "dtap", 4), ("ipv", "ipv", 3), ("hib", "hib", 3), ("pcv", "pcv", 4)):
                ds = {d for d in dates.get(key, ()) if age(d) >= 42}
                res[ant] = (len(ds), len(ds) >= need)
            ds = dates.get("hepb", set())
            res["hepb"] = (len(ds), len(ds) >= 3)
            for ant in ("mmr", "vzv", "hepa"):
                ds = {d for d in dates.get(ant, ()) if b1 <= d}
                res[ant] = (len(ds), len(ds) >= 1)
            # One RV dose per date; a date with both products is the three-dose one (the stricter reading).
            r3 = {d for d in dates.get("rv3", ()) if age(d) >= 42}
            r2 = {d for d in dates.get("rv2", ()) if age(d) >= 42} - r3
            n2, n3 = len(r2), len(r3)
            res["rv"] = (len(r2 | r3), n2 >= 2 or n3 >= 3 or (n2 >= 1 and n3 >= 2))
            fl = {d for d in dates.get("flu", ()) if age(d) >= 180}
            fl |= {d for d in dates.get("flulaiv", ()) if d == last and age(d) >= 180}
            res["flu"] = (len(fl), len(fl) >= 2)
        else:
            ds = {d for d in dates.get("men", ()) if birthday(b, men_from) <= d}
            res["men"] = (len(ds), len(ds) >= 1)
            ds = {d for d in dates.get("tdap", ()) if birthday(b, 10) <= d}
            res["tdap"] = (len(ds), len(ds) >= 1)
            ds = sorted(d for d in dates.get("hpv", ()) if birthday(b, 9) <= d)
            res["hpv"] = (len(ds), len(ds) >= 3 or (len(ds) >= 2 and (ds[-1] - ds[0]).days >= 146))
        # comment evidence
        mmr = set()
        for ant, ev in evid:
            if ev.startswith("immunity-"):
                mmr.add(ev)
            elif ant in res:
                res[ant] = (res[ant][0], True)
        if measure == "CIS" and mmr >= {"immunity-measles", "immunity-mumps", "immunity-rubella"}:
            res["mmr"] = (res["mmr"][0], True)
        for c, parts in combos.items():
            res[c] = (None, all(res[p][1] for p in parts))
        return res

    out_rows = []
    status_counts = {s: 0 for s in ("matched", "not_found", "birth_date_differs", "name_differs", "several_rows")}
    keys = antigens + list(combos)
    nums = {src: {k: 0 for k in keys} for src in ("plan", "registry", "both")}
    uncounted = {}
    for m in members:
        rows = rows_of.get(m["id"], [])
        if not rows:
            st = "not_found"
        elif len(rows) > 1:
            st = "several_rows"
        elif rows[0]["birth"] != m["birth"]:
            st = "birth_date_differs"
        elif any(rows[0][k[:-5] if k == "first_name" else "last"] != v for k, v in m["names"].items()):
            st = "name_differs"
        else:
            st = "matched"
        status_counts[st] += 1
        reg_ok = bool(rows) and all(r["birth"] == m["birth"] for r in rows)
        pdoses = [(d, antigens_of(cpt, cvx, "", True)) for d, cpt, cvx in plan_doses.get(m["id"], [])]
        rdoses = []
        if reg_ok:
            for d, cpt, group in reg_doses.get(m["id"], []):
                ants = antigens_of(cpt, "", group, False)
                if not ants:
                    uncounted[group.upper()] = uncounted.get(group.upper(), 0) + 1
                rdoses.append((d, ants))
        last = birthday(m["birth"], n_last)
        evid = []
        for code, begin in comments.get(m["id"], []):
            if begin is None or begin > last:
                continue
            evid += cc.get((measure, code), [])
        rp = evaluate(m, pdoses, evid)
        rr = evaluate(m, rdoses, [])
        rb = evaluate(m, pdoses + rdoses, evid)
        for src, r in (("plan", rp), ("registry", rr), ("both", rb)):
            for k in keys:
                if r[k][1]:
                    nums[src][k] += 1
        row = [m["id"], st]
        for k in antigens:
            row += [str(rb[k][0]), "Y" if rb[k][1] else "N"]
        row += ["Y" if rb[c][1] else "N" for c in combos]
        row.append(" ".join(k for k in combos[largest] if not rb[k][1]))
        row.append("Y" if rb[largest][1] and not rp[largest][1] else "N")
        out_rows.append(row)

    header = ["hp_member_id", "match_status"]
    for k in antigens:
        header += [k + "_doses", k + "_met"]
    header += list(combos) + ["missing", "closed_by_registry"]
    elig = len(members)
    rates = {src: {k: {"numerator": v, "rate": round(v / elig, 6) if elig else 0.0} for k, v in d.items()}
             for src, d in nums.items()}
    summary = {"tool": "hedis_oracle", "measure": measure, "year": a.year,
               "value_sets": {"source": a.value_sets or "bundled"},
               "comment_codes": {"source": a.comment_codes or "bundled"},
               "eligible": elig, "match_status": status_counts, "rates": rates,
               "uncounted_registry_doses": {"by_vaccine_group": dict(sorted(uncounted.items())),
                                            "total": sum(uncounted.values())},
               "inputs": inputs}
    return header, out_rows, summary, rejects


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", required=True, choices=["cis", "ima"])
    ap.add_argument("--year", required=True, type=int)
    ap.add_argument("--members", required=True)
    ap.add_argument("--patient-return", required=True)
    ap.add_argument("--immunization-return", required=True)
    ap.add_argument("--immunizations")
    ap.add_argument("--comments")
    ap.add_argument("--value-sets")
    ap.add_argument("--comment-codes")
    ap.add_argument("--mening-from", type=int, default=11, choices=[10, 11])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--delimiter", default=",")
    ap.add_argument("--encoding", default="utf-8")
    ap.add_argument("--map")
    ap.add_argument("-q", action="store_true")
    ap.add_argument("--json", action="store_true")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["hedis"]:
        argv = argv[1:]   # called like the tool: `hedis_oracle.py hedis ARGS`
    a = ap.parse_args(argv)
    try:
        header, rows, summary, rejects = run(a)
    except (Usage, O.UsageError) as e:
        print("hedis_oracle: %s" % e, file=sys.stderr)
        return 2
    os.makedirs(a.out_dir, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    O.write_file(os.path.join(a.out_dir, "hedis-members.csv"), buf.getvalue().encode())
    O.write_file(os.path.join(a.out_dir, "hedis-summary.json"),
                 (json.dumps(summary, indent=2, sort_keys=True) + "\n").encode())
    O.write_report(os.path.join(a.out_dir, "rejects.csv"), rejects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
