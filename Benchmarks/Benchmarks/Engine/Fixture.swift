import CAIR2Core
import CAIR2Kit
import Foundation

/// A generated extract held in memory, shared by the engine benchmarks. Generated once per process
/// (the values are synthetic, never real member data) into a temporary directory that is removed again.
final class Fixture: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every property is set in init and never mutated afterwards.
    static let members = 50_000
    static let asOf = DateValue(year: 2026, month: 1, day: 15)
    static let org = "ACMEHP"

    static let shared: Fixture = {
        do { return try Fixture() } catch { fatalError("benchmark fixture: \(error)") }
    }()

    /// members.csv, whole, in an owned buffer (so benchmarks scan stable memory).
    let csv: UnsafeBufferPointer<UInt8>
    /// First byte after the header row.
    let bodyStart: Int
    /// Records after the header.
    let records: Int
    let plan: ColumnPlan
    /// The patient lines a conversion of `csv` renders (CRLF-terminated), for the fixed-width benchmarks.
    let lines: UnsafeRawBufferPointer
    let lineCount: Int

    private init() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("cair2-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = GenerateOptions(members: Self.members, outputDirectory: dir.path)
        options.seed = 7
        options.asOf = "2026-01-15"
        options.defectRate = 0.01
        options.org = Self.org
        _ = try generateCorpus(options)
        let data = try Data(contentsOf: dir.appendingPathComponent("members.csv"))
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: data.count)
        _ = buffer.initialize(from: data)
        let csv = UnsafeBufferPointer(buffer)
        self.csv = csv

        // The header row names the columns.
        var scanner = CSVScanner(bytes: csv, delimiter: UInt8(ascii: ","), position: CSVScanner.bomLength(csv))
        var rec = CSVRecord()
        guard scanner.next(&rec) else { throw CAIR2Error.usage("generated members.csv has no header") }
        var names: [String] = []
        for i in 0..<rec.fieldCount {
            var value: [UInt8] = []
            CSVScanner.appendValue(rec.field(i), in: csv, to: &value)
            names.append(String(decoding: value, as: UTF8.self))
        }
        bodyStart = scanner.position
        let plan = try ColumnPlan(layout: Layouts.patient, header: names, org: Self.org)
        self.plan = plan

        // Render every record once; the written lines feed the fixed-width benchmarks.
        let worker = RecordWorker(rules: Fixture.rules(plan))
        let width = plan.layout.dataWidth + 2
        var out = [UInt8]()
        var slot = [UInt8](repeating: 0x20, count: width)
        var problems: [Problem] = []
        var count = 0, written = 0
        while scanner.next(&rec) {
            let status = slot.withUnsafeMutableBufferPointer { s -> RecordStatus in
                s.baseAddress!.initialize(repeating: 0x20, count: width - 2)
                return worker.process(rec, csv, ordinal: Int32(count), out: s.baseAddress!, problems: &problems).status
            }
            problems.removeAll(keepingCapacity: true)
            count += 1
            if status == .written {
                slot[width - 2] = 0x0D
                slot[width - 1] = 0x0A
                out.append(contentsOf: slot)
                written += 1
            }
        }
        records = count
        let lineBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: out.count, alignment: 16)
        out.withUnsafeBytes { lineBuffer.copyMemory(from: $0) }
        lines = UnsafeRawBufferPointer(lineBuffer)
        lineCount = written
    }

    static func rules(_ plan: ColumnPlan) -> RecordRules {
        RecordRules(plan: plan, encoding: .utf8, asOf: asOf, patients: nil)
    }
}
