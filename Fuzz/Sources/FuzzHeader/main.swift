// Fuzzes the header and mapping path: ColumnPlan from arbitrary header bytes and an arbitrary mapping (renames,
// defaults, `values`, `nulls`, with or without --org), then the records after the header through a RecordWorker
// built from that plan (FuzzSupport's RecordCheck), as convert does. A plan that throws is convert's exit 2.
//
// Input: byte 0 picks kind = b % 4, encoding = b / 4 % 3, --org ORG1 when b / 12 % 2 == 0. Then the mapping, up
// to the first NUL byte, one entry per line:
//   c THEIRS=CANONICAL   a column rename ("columns")
//   d NAME=VALUE         a default ("defaults")
//   v NAME=THEIRS=OURS   a value translation ("values")
//   n VALUE              a null spelling ("nulls")
// (other lines are ignored). After the NUL: the CSV, header row first, exactly as convert reads it.
import CAIR2Core
import CFuzz
import FuzzSupport
import Glibc

func string(_ b: ArraySlice<UInt8>) -> String { String(decoding: b, as: UTF8.self) }

/// The mapping the lines of `text` describe.
func parseMapping(_ text: UnsafeBufferPointer<UInt8>) -> ColumnMapping {
    var m = ColumnMapping()
    for line in Array(text).split(separator: 0x0A, omittingEmptySubsequences: true) where line.count >= 2 {
        let body = line.dropFirst(2)
        let parts = body.split(separator: 0x3D, maxSplits: 2, omittingEmptySubsequences: false).map(string)
        switch line.first! {
        case 0x63 where parts.count >= 2: m.columns[parts[0]] = parts[1...].joined(separator: "=")
        case 0x64 where parts.count >= 2: m.defaults[parts[0]] = parts[1...].joined(separator: "=")
        case 0x76 where parts.count == 3: m.values[normalizeHeaderName(parts[0]), default: [:]][parts[1]] = parts[2]
        case 0x6E: m.nulls.append(string(body))
        default: break
        }
    }
    return m
}

var headerRecord = CSVRecord()

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let b = Int(data[0])
    let kind = fuzzKinds[b % 4]
    let encoding = TextEncoding.allCases[b / 4 % 3]
    let org: String? = b / 12 % 2 == 0 ? "ORG1" : nil
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let nul = rest.firstIndex(of: 0) ?? rest.count
    let mapping = parseMapping(UnsafeBufferPointer(rebasing: rest[0..<nul]))
    let csv = nul < rest.count ? UnsafeBufferPointer(rebasing: rest[(nul + 1)...]) : UnsafeBufferPointer(start: data, count: 0)

    // The header as convert's readHeader takes it.
    var scanner = CSVScanner(bytes: csv, delimiter: 0x2C, position: CSVScanner.bomLength(csv))
    guard scanner.next(&headerRecord) else { return 0 }
    var names: [String] = []
    var v: [UInt8] = []
    for i in 0..<headerRecord.fieldCount {
        v.removeAll(keepingCapacity: true)
        CSVScanner.appendValue(headerRecord.field(i), in: csv, to: &v)
        names.append(String(decoding: v, as: UTF8.self))
    }
    let plan: ColumnPlan
    do {
        plan = try ColumnPlan(layout: kind.layout, header: names, mapping: mapping, org: org)
    } catch is PlanError {
        return 0  // convert: exit 2 before any work
    } catch {
        preconditionFailure("ColumnPlan threw \(type(of: error))")
    }
    // The plan is consistent: each used column feeds one field and back, unknown columns are the rest.
    let layout = kind.layout
    precondition(plan.headerCount == names.count && plan.fieldOfColumn.count == names.count)
    precondition(plan.columnOf.count == layout.fields.count && plan.defaults.count == layout.fields.count)
    for (fi, c) in plan.columnOf.enumerated() where c >= 0 {
        precondition(c < names.count && plan.fieldOfColumn[c] == fi, "columnOf and fieldOfColumn disagree")
    }
    var used = 0
    for (c, fi) in plan.fieldOfColumn.enumerated() where fi >= 0 {
        precondition(plan.columnOf[fi] == c, "fieldOfColumn and columnOf disagree")
        used += 1
    }
    precondition(plan.unknownColumns.count == names.count - used, "unknown columns miscounted")
    for fi in layout.fields.indices { precondition((plan.defaults[fi] == nil) == (plan.defaultSources[fi] == nil)) }
    // convert checks every default from --map and --org before any work (exit 2); run the records either way.
    for (fi, f) in layout.fields.enumerated() {
        if let src = plan.defaultSources[fi], src != .builtIn, let d = plan.defaults[fi] {
            _ = ConstantCheck.problem(String(decoding: d, as: UTF8.self), field: f, asOf: fuzzAsOf)
        }
    }
    let worker = RecordWorker(rules: fuzzRules(plan, encoding))
    RecordCheck.run(worker, &scanner)
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
