// Fuzzes the record pipeline the way convert drives it (CAIR2Kit's processChunk): scan a record, let a
// RecordWorker normalize, validate and render it into a blank-filled slot. Every record must end written,
// rejected or excluded; a written line must be printable ASCII of exactly the layout's width, and the worker
// must never write outside its slot (guard bytes after it).
import CAIR2Core
import CFuzz
import Glibc

let kinds: [LayoutKind] = [.patient, .immunization, .comment, .query]
let asOf = DateValue(year: 2024, month: 6, day: 30)

/// Written patients that immunizations and comments may refer to.
let patients: PatientIndex = {
    var index = PatientIndex()
    for id in ["1", "2", "3", "P1", "P2", "A"] {
        let bytes = Array(id.utf8)
        bytes.withUnsafeBufferPointer { _ = index.insert(IDKey($0.baseAddress!, count: $0.count),
                                                  .init(birth: DateValue(year: 2000, month: 1, day: 1), part: 0)) }
    }
    return index
}()

/// Workers for the canonical header of each kind and encoding, built once.
let canonicalWorkers: [[RecordWorker]] = kinds.map { kind in
    let plan = try! ColumnPlan(layout: kind.layout, header: kind.layout.columns.map(\.name), org: "ORG1")
    return TextEncoding.allCases.map { enc in
        RecordWorker(rules: RecordRules(plan: plan, encoding: enc, asOf: asOf,
                                        patients: kind == .immunization || kind == .comment ? patients : nil))
    }
}

var workerCache: [String: RecordWorker?] = [:]
let guardBytes = 64
let slot = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024 + guardBytes)

func names(of rec: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    rec.fields.map { f in
        var v: [UInt8] = []
        CSVScanner.appendValue(f, in: bytes, to: &v)
        return String(decoding: v, as: UTF8.self)
    }
}

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let encoding = TextEncoding.allCases[size % TextEncoding.allCases.count]
    // A header that plans for some kind is used as convert would; otherwise the whole input is records under
    // the canonical header of a kind chosen by the input's length.
    var scanner = CSVScanner(bytes: bytes, delimiter: 0x2C, position: CSVScanner.bomLength(bytes))
    var rec = CSVRecord()
    var worker: RecordWorker?
    if scanner.next(&rec) {
        let header = names(of: rec, bytes)
        let key = header.joined(separator: "\u{0}") + "\u{1}\(encoding.rawValue)"
        if let cached = workerCache[key] {
            worker = cached
        } else {
            for kind in kinds {
                if let plan = try? ColumnPlan(layout: kind.layout, header: header, org: "ORG1") {
                    worker = RecordWorker(rules: RecordRules(plan: plan, encoding: encoding, asOf: asOf,
                                          patients: kind == .immunization || kind == .comment ? patients : nil))
                    break
                }
            }
            // Building a worker costs more than most inputs: keep a bounded cache by header.
            if workerCache.count > 512 { workerCache.removeAll() }
            workerCache[key] = .some(worker)
        }
    }
    if worker == nil {
        scanner = CSVScanner(bytes: bytes, delimiter: 0x2C)
        worker = canonicalWorkers[size % kinds.count][size / kinds.count % TextEncoding.allCases.count]
    }
    let w = worker!
    let width = w.rules.plan.layout.dataWidth
    var problems: [Problem] = []
    var ordinal: Int32 = 0
    while scanner.next(&rec) {
        slot.initialize(repeating: 0x20, count: width)
        (slot + width).initialize(repeating: 0xA5, count: guardBytes)
        let before = problems.count
        let r = w.process(rec, bytes, ordinal: ordinal, out: slot, problems: &problems)
        for i in 0..<guardBytes { precondition(slot[width + i] == 0xA5, "the worker wrote past its slot") }
        for p in problems[before...] { precondition(p.record == ordinal, "a problem for another record") }
        switch r.status {
        case .written:
            for i in 0..<width { precondition(slot[i] >= 0x20 && slot[i] <= 0x7E, "a written line is not printable ASCII") }
            for p in problems[before...] { precondition(p.code.severity != .reject, "a written record has an E_ problem") }
        case .rejected:
            precondition(problems[before...].contains { $0.code.severity == .reject }, "rejected without an E_ problem")
        case .excluded:
            precondition(problems[before...].contains { $0.code.severity == .exclude }, "excluded without an X_ problem")
        }
        ordinal += 1
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
