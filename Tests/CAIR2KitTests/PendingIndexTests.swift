import CAIR2Core
import CAIR2Kit
import Foundation
import Testing

/// While the patient index is still being built on another thread, the merge fills a small stand-in index that
/// the built one absorbs (`OrderedMerge.adoptIndex`), and the merging thread processes the next chunks from
/// their speculative starts, which the merge redoes when a quoted newline crossed the cut. A build held back by
/// the test puts every run on those paths; the outputs must be those of a plain run, byte for byte, at one and
/// two threads and with chunks smaller than a record, including the immunizations, which read the absorbed
/// index (their patient's part and birth date, orphans).
@Suite struct PendingIndexTests {
    @Test func chunksProcessedWhileTheIndexIsBuiltChangeNothing() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A multi-line quoted address every fifth member (chunk cuts land inside it, so speculative starts fail),
        // and a repeated id now and then (the duplicate check reads the index).
        var csv = "record_id,first_name,last_name,birth_date,street_address,disclosed,disclosed_date\n"
        for i in 0..<600 {
            let id = i % 97 == 50 ? "R\(i - 1)" : "R\(i)"
            let lines = String(repeating: "Apt 2\n", count: i % 9)
            let address = i % 5 == 0 ? "\"1 Main St\n\(lines)Floor 3\"" : "\(i) Oak Ave"
            csv += "\(id),Ann,Lee,1990-02-\(10 + i % 18),\(address),Y,2020-01-01\n"
        }
        let members = dir.appendingPathComponent("m.csv")
        try csv.write(to: members, atomically: true, encoding: .utf8)
        // Doses for every seventh member (some given before the birth date), and for ids no member has.
        var doses = "record_id,cvx_code,vaccination_date,manufacturer\n"
        for i in stride(from: 0, to: 640, by: 7) {
            doses += "R\(i),03,\(i % 3 == 0 ? "1990-02-01" : "2001-05-06"),MSD\n"
        }
        let immunizations = dir.appendingPathComponent("i.csv")
        try doses.write(to: immunizations, atomically: true, encoding: .utf8)

        final class Gate: @unchecked Sendable {
            // Counted on the build thread, read by the test after the run (the run's end orders the two).
            var calls = 0
        }
        func run(_ name: String, threads: Int, chunk: Int, gate: Gate?) throws -> [String: [UInt8]] {
            let out = dir.appendingPathComponent(name).path
            var o = ConvertOptions(outDir: out, asOf: DateValue(year: 2026, month: 1, day: 15))
            o.patients = members.path
            o.immunizations = immunizations.path
            o.maxRecordsPerFile = 250
            o.org = "ACMEHP"
            o.threads = threads
            o.chunkSize = chunk
            if let gate {
                o.indexBuildGate = {
                    gate.calls += 1
                    usleep(100_000)
                }
            }
            _ = try convert(o, log: { _ in })
            return BoundedMemoryTests.files(out)
        }
        let want = try run("ref", threads: 1, chunk: 1 << 20, gate: nil)
        let patientBytes = want.filter { $0.key.contains("patient") }.values.reduce(0) { $0 + $1.count }
        #expect(patientBytes > 500 * 878, "\(want.keys.sorted())")
        let rejects = want["rejects.csv"].map { String(decoding: $0, as: UTF8.self) } ?? ""
        for code in ["E_DUPLICATE_ID", "E_ORPHAN", "E_BEFORE_BIRTH"] { #expect(rejects.contains(code), "\(code)") }
        #expect(want.keys.filter { $0.contains("immunization") }.count >= 2, "\(want.keys.sorted())")
        for threads in [1, 2] {
            for chunk in [64, 700] {
                let gate = Gate()
                let got = try run("t\(threads)-c\(chunk)", threads: threads, chunk: chunk, gate: gate)
                #expect(gate.calls == 1)
                #expect(Set(got.keys) == Set(want.keys))
                for (name, bytes) in want {
                    #expect(got[name] == bytes, "\(name) differs (threads \(threads), chunk \(chunk))")
                }
            }
        }
    }
}
