// What FuzzRecords and FuzzHeader share: the written patients immunizations and comments refer to, and the
// record loop of CAIR2Kit's processChunk with its checks. Everything here is allocated once per process and
// reused by every input (libFuzzer calls the target from one thread).
import CAIR2Core
import CFuzz

public let fuzzAsOf = DateValue(year: 2024, month: 6, day: 30)

/// The layouts convert writes from CSV.
public let fuzzKinds: [LayoutKind] = [.patient, .immunization, .comment, .query]

/// Written patients that immunizations and comments may refer to.
public let fuzzPatients: PatientIndex = {
    var index = PatientIndex()
    for id in ["1", "2", "3", "P1", "P2", "A"] {
        let bytes = Array(id.utf8)
        bytes.withUnsafeBufferPointer { _ = index.insert(IDKey($0.baseAddress!, count: $0.count),
                                                  .init(birth: DateValue(year: 2000, month: 1, day: 1), part: 0)) }
    }
    return index
}()

/// The rules convert gives a worker of `kind`.
public func fuzzRules(_ plan: ColumnPlan, _ encoding: TextEncoding) -> RecordRules {
    let kind = plan.layout.kind
    return RecordRules(plan: plan, encoding: encoding, asOf: fuzzAsOf,
                       patients: kind == .immunization || kind == .comment ? fuzzPatients : nil)
}

/// Runs every record `scanner` yields through `worker` into a blank-filled slot followed by guard bytes. Every
/// record must end written, rejected or excluded; a written line is printable ASCII of exactly the layout's
/// width with no `E_` problem; a rejected one has an `E_`, an excluded one an `X_`; the worker never writes past
/// its slot.
public enum RecordCheck {
    static let guardBytes = 64
    static let slotCapacity = 4096
    nonisolated(unsafe) static let slot: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: slotCapacity + guardBytes)
        p.initialize(repeating: 0x20, count: slotCapacity + guardBytes)
        return p
    }()
    nonisolated(unsafe) static var record = CSVRecord()
    nonisolated(unsafe) static var problems: [Problem] = {
        var p: [Problem] = []
        p.reserveCapacity(4096)
        return p
    }()

    public static func run(_ worker: RecordWorker, _ scanner: inout CSVScanner) {
        let width = worker.rules.plan.layout.dataWidth
        precondition(width <= slotCapacity)
        let bytes = scanner.bytes
        problems.removeAll(keepingCapacity: true)
        var ordinal: Int32 = 0
        while scanner.next(&record) {
            slot.update(repeating: 0x20, count: width)
            (slot + width).update(repeating: 0xA5, count: guardBytes)
            let before = problems.count
            let r = worker.process(record, bytes, ordinal: ordinal, out: slot, problems: &problems)
            precondition(cfuzz_all_equal(slot + width, guardBytes, 0xA5) != 0, "the worker wrote past its slot")
            for p in problems[before...] { precondition(p.record == ordinal, "a problem for another record") }
            switch r.status {
            case .written:
                precondition(cfuzz_all_in_range(slot, width, 0x20, 0x7E) != 0, "a written line is not printable ASCII")
                for p in problems[before...] { precondition(p.code.severity != .reject, "a written record has an E_ problem") }
            case .rejected:
                precondition(problems[before...].contains { $0.code.severity == .reject }, "rejected without an E_ problem")
            case .excluded:
                precondition(problems[before...].contains { $0.code.severity == .exclude }, "excluded without an X_ problem")
            }
            ordinal += 1
            // A chunk's problems are drained by the merge; keep the array from growing with the input.
            if problems.count > 4000 { problems.removeAll(keepingCapacity: true) }
        }
    }
}
