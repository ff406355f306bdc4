#!/usr/bin/env python3
"""Writes audit golden cases from hand-derived expectations (see Corpus/README.md).

Expected fixed-width lines are built here from field values by the start/length
tables parsed from Sources/CAIR2Core/Layout.swift (not from the tool's output);
rejects/warnings rows and counts are written by hand per case in cases.py.
"""
import hashlib, json, os, re, shutil, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, "Corpus", "cases")


def parse_layouts():
    src = open(os.path.join(ROOT, "Sources/CAIR2Core/Layout.swift")).read()
    out = {}
    for m in re.finditer(r'public static let (\w+) = Layout\(\.(\w+), statedTotal: (\d+), \[(.*?)\]\)', src, re.S):
        kind = {"patientReturn": "patient-return", "immunizationReturn": "immunization-return"}.get(m.group(2), m.group(2))
        fields = [(f.group(1), int(f.group(2)), int(f.group(3)))
                  for f in re.finditer(r'Field\("(\w+)", "[^"]*", (\d+), (\d+)', m.group(4))]
        pos = 1
        for (_, s, l) in fields:
            assert s == pos, (kind, s, pos)
            pos += l
        out[kind] = (fields, int(m.group(3)))
    return out


LAYOUTS = parse_layouts()
FILES = {"patient": "patients.csv", "immunization": "immunizations.csv", "comment": "comments.csv", "query": "query.csv"}
OUTS = {"patient": "patient.txt", "immunization": "immunization.txt", "comment": "comment.txt", "query": "query.txt"}


def render(kind, rec, pad=False):
    fields, stated = LAYOUTS[kind]
    line = ""
    known = {f[0] for f in fields}
    for k in rec:
        assert k in known, (kind, k)
    for (name, start, length) in fields:
        v = rec.get(name, "")
        assert len(v) <= length, (kind, name, v)
        assert all(32 <= ord(c) < 127 for c in v), (kind, name, v)
        line += v.ljust(length)
    if pad:
        line = line.ljust(stated)
    return line + "\r\n"


def P(rid, first, last="SMITH", birth="01022000", **kw):
    """An expected patient record with the defaults of a minimal input row (--org ACMEHP)."""
    r = dict(record_id=rid, patient_status="A", first_name=first, last_name=last, birth_date=birth,
             contact_allowed="02", sending_org="ACMEHP", disclosed="Y", disclosed_date="01012020",
             disclosed_by="ACMEHP", sharing_status="Y", updated_by="ACMEHP")
    r.update(kw)
    r.setdefault("effective_date", r["disclosed_date"])
    return {k: v for k, v in r.items() if v != ""}


def I(rid, date="01012020", **kw):
    r = dict(record_id=rid, vaccination_date=date, manufacturer="PMC", info_source="01", sending_org="ACMEHP")
    r.update(kw)
    return {k: v for k, v in r.items() if v != ""}


def C(rid, code, begin="", end=""):
    return {k: v for k, v in dict(record_id=rid, comment_code=code, begin_date=begin, end_date=end).items() if v}


def Q(ptype, hp, first, last, birth, middle=""):
    return {k: v for k, v in dict(patient_type=ptype, hp_member_id=hp, first_name=first, middle_name=middle,
                                  last_name=last, birth_date=birth).items() if v}


def write(path, data, mode=0o600):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def case(name, notes, files, args="--org ACMEHP --as-of 2026-01-15", out=None, rejects=(), warnings=(),
         inputs=None, exit=None, pad=False, extra_files=None, parts=None):
    """out: {kind: [records]} (top-level fixed-width files); inputs: {kind: input_records}."""
    d = os.path.join(CASES, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "expected"))
    for fn, data in files.items():
        write(os.path.join(d, fn), data)
    for fn, data in (extra_files or {}).items():
        write(os.path.join(d, fn), data)
    write(os.path.join(d, "args"), args + "\n")
    write(os.path.join(d, "NOTES.md"), "# " + name + "\n\n" + notes.strip() + "\n")
    e = os.path.join(d, "expected")
    if exit == 2:
        write(os.path.join(e, "exit"), "2\n")
        return
    out = out or {}
    kinds = [k for k in ["patient", "immunization", "comment", "query"] if FILES[k] in files]
    summary_files = []
    for k in kinds:
        fn = FILES[k]
        body = b""
        if parts is None or k not in parts:
            body = "".join(render(k, r, pad) for r in out.get(k, [])).encode()
            write(os.path.join(e, OUTS[k]), body)
        else:
            for i, recs in enumerate(parts[k]):
                pd = os.path.join(e, "part-%03d" % (i + 1))
                os.makedirs(pd, exist_ok=True)
                write(os.path.join(pd, OUTS[k]), "".join(render(k, r, pad) for r in recs))
        rej_lines = {r[1] for r in rejects if r[0] == fn and r[4].startswith("E_")}
        exc_lines = {r[1] for r in rejects if r[0] == fn and r[4].startswith("X_")}
        assert not (rej_lines & exc_lines), (name, fn)
        written = len(out.get(k, [])) if parts is None or k not in parts else sum(len(p) for p in parts[k])
        n = (inputs or {}).get(k)
        assert n == written + len(rej_lines) + len(exc_lines), (name, k, n, written, len(rej_lines), len(exc_lines))
        w = {}
        for r in warnings:
            if r[0] == fn:
                w[r[4]] = w.get(r[4], 0) + 1
        summary_files.append(dict(kind=k, input=fn, input_records=n, written=written, rejected=len(rej_lines),
                                  excluded=len(exc_lines), warnings=dict(sorted(w.items())), output=OUTS[k],
                                  output_bytes=len(body), output_sha256=hashlib.sha256(body).hexdigest()))
    summary = dict(tool="cair2_audit", version="hand-written", as_of="2026-01-15", files=summary_files,
                   elapsed_seconds=0.0)
    write(os.path.join(e, "summary.json"), json.dumps(summary, indent=2) + "\n")
    for fn, rows in (("rejects.csv", rejects), ("warnings.csv", warnings)):
        text = "file,line,record_id,field,code,message\n"
        for r in sorted(rows, key=lambda r: (r[0], r[1], r[3], r[4])):
            assert len(r) == 6, r
            text += ",".join([r[0], str(r[1]), r[2], r[3], r[4], r[5]]) + "\n"
        write(os.path.join(e, fn), text)
    if exit:
        write(os.path.join(e, "exit"), "%d\n" % exit)
