// Fuzzes the record pipeline the way convert drives it (CAIR2Kit's processChunk): scan a record, let a
// RecordWorker normalize, validate and render it into a blank-filled slot (FuzzSupport's RecordCheck: every
// record ends written, rejected or excluded with the right problems; a written line is printable ASCII; the
// worker never writes past its slot).
//
// Each execution is cheap: the 24 workers (4 layouts x 3 encodings x 2 plans) are built once, at start, and
// every input only picks one. The input's first byte picks it: kind = b % 4, encoding = b / 4 % 3, plan =
// b / 12 % 2 (0: the canonical header in layout order; 1: the canonical header reversed, with a mapping that has
// `values`, `nulls` and defaults, so the substitution path runs). The rest of the input is records, no header.
// The header and mapping path itself is FuzzHeader's.
//
// `FuzzRecords --make-seeds OUTDIR FILE.csv...` writes seeds: each file's records (kind from its name:
// patients, immunizations, comments, query) reordered under both plans' headers, after the selector byte.
import CAIR2Core
import CFuzz
import FuzzSupport
import Glibc

/// The mapping of plan 1: value translations and null spellings for every column, and a few defaults.
func mapping(for layout: Layout) -> ColumnMapping {
    var values: [String: [String: String]] = [:]
    for c in layout.columns { values[c.name] = ["X": "", "Unknown": "U", "Yes": "Y", "No": "N", "ACT": "A"] }
    return ColumnMapping(values: values, nulls: ["NULL", "N/A", "-", "  none "])
}

func header(_ kind: LayoutKind, plan: Int) -> [String] {
    let names = kind.layout.columns.map(\.name)
    return plan == 0 ? names : names.reversed()
}

/// workers[kind][encoding][plan], built once.
let workers: [[[RecordWorker]]] = fuzzKinds.map { kind in
    let plans = (0..<2).map { p in
        try! ColumnPlan(layout: kind.layout, header: header(kind, plan: p), mapping: p == 0 ? ColumnMapping() : mapping(for: kind.layout),
                        org: "ORG1")
    }
    return TextEncoding.allCases.map { enc in plans.map { RecordWorker(rules: fuzzRules($0, enc)) } }
}

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let b = Int(data[0])
    let worker = workers[b % 4][b / 4 % 3][b / 12 % 2]
    var scanner = CSVScanner(bytes: UnsafeBufferPointer(start: data + 1, count: size - 1), delimiter: 0x2C)
    RecordCheck.run(worker, &scanner)
    return 0
}

/// Seeds from real CSV files: records reordered to a plan's header (quoted where needed).
func makeSeeds(_ outDir: String, _ files: ArraySlice<String>) {
    for path in files {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let k = [("patient", 0), ("immuniz", 1), ("comment", 2), ("query", 3)].first(where: { name.hasPrefix($0.0) })?.1,
              let f = fopen(path, "rb") else { continue }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true { let n = fread(&chunk, 1, chunk.count, f); if n <= 0 { break }; bytes += chunk[0..<n] }
        fclose(f)
        bytes.withUnsafeBufferPointer { buf in
            var scanner = CSVScanner(bytes: buf, delimiter: 0x2C, position: CSVScanner.bomLength(buf))
            var rec = CSVRecord()
            guard scanner.next(&rec) else { return }
            let names = rec.fields.map { f -> String in
                var v: [UInt8] = []
                CSVScanner.appendValue(f, in: buf, to: &v)
                return String(decoding: v, as: UTF8.self)
            }
            guard let theirs = try? ColumnPlan(layout: fuzzKinds[k].layout, header: names, org: "ORG1") else { return }
            var rows: [[[UInt8]]] = []
            while scanner.next(&rec) {
                rows.append(rec.fields.map { f in
                    var v: [UInt8] = []
                    CSVScanner.appendValue(f, in: buf, to: &v)
                    return v
                })
            }
            for p in 0..<2 {
                let target = header(fuzzKinds[k], plan: p)
                var out: [UInt8] = [UInt8(k + 12 * p)]
                for row in rows {
                    for (i, column) in target.enumerated() {
                        if i > 0 { out.append(0x2C) }
                        guard let fi = fuzzKinds[k].layout.index(of: column), theirs.columnOf[fi] >= 0,
                              theirs.columnOf[fi] < row.count else { continue }
                        let v = row[theirs.columnOf[fi]]
                        if v.contains(where: { $0 == 0x22 || $0 == 0x2C || $0 == 0x0A || $0 == 0x0D }) {
                            out.append(0x22)
                            for c in v { out.append(c); if c == 0x22 { out.append(0x22) } }
                            out.append(0x22)
                        } else {
                            out += v
                        }
                    }
                    out.append(0x0A)
                }
                let seed = "\(outDir)/seed-\(path.replacingSlashes())-plan\(p)"
                guard let o = fopen(seed, "wb") else { continue }
                _ = out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, o) }
                fclose(o)
            }
        }
    }
}

extension String {
    func replacingSlashes() -> String { String(map { $0 == "/" ? "_" : $0 }) }
}

let args = CommandLine.arguments
if args.count >= 3 && args[1] == "--make-seeds" {
    makeSeeds(args[2], args[3...])
    exit(0)
}
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
