import Testing
@testable import CAIR2Core

/// The record pipeline's per-field memo of code lookups (16 entries, direct-mapped) answers exactly what the
/// code set's own lookup answers, whatever the order and repetition of values, including values that collide
/// in the memo, values longer than it keeps, and values that are not codes.
@Suite struct CodeMemoTests {
    @Test func memoizedLookupsEqualDirectLookups() throws {
        let layout = LayoutKind.patient.layout
        let header = ["record_id", "first_name", "last_name", "birth_date", "disclosed", "disclosed_date", "effective_date",
                      "sex", "county", "state"]
        let plan = try ColumnPlan(layout: layout, header: header, org: "ACMEHP")
        let worker = RecordWorker(rules: RecordRules(plan: plan, encoding: .utf8, asOf: DateValue(year: 2026, month: 1, day: 15),
                                                     patients: nil))
        var values: [String] = []
        for id in [CodeSetID.sex, .county, .state] {
            for (code, description) in id.entries.prefix(40) {
                values += [code, code.lowercased(), description, description.uppercased(), " \(description)  "]
            }
        }
        values += ["", "Q", "ZZZ", "male ", "Fe male", String(repeating: "LOS ANGELES ", count: 4), "X1", "01"]
        var rng = SplitMix(seed: 11)
        let fields = ["sex", "county", "state"].map { n in layout.fields[layout.index(of: n)!] }
        for round in 0..<3000 {
            let picks = (0..<3).map { _ in values[Int(rng.next() % UInt64(values.count))] }
            let line = "ID\(round),ANA,LEE,01/02/2000,Y,01/02/2020,,\(picks[0]),\(picks[1]),\(picks[2])\n"
            let (out, problems, _) = processFirstRecord(worker, Array(line.utf8), width: layout.dataWidth)
            for (k, f) in fields.enumerated() {
                // The direct answer: the code written, or blank with W_CODE (these fields are not required).
                let index = CodeSetIndex.of(f.codeSet!)
                let text = Array(picks[k].utf8)
                let trimmed = text.filter { $0 != 0x20 }.isEmpty
                var want = [UInt8](repeating: 0x20, count: f.length)
                var wantWarning = false
                if !trimmed {
                    if let i = text.withUnsafeBufferPointer({ index.lookup($0) }),
                       want.withUnsafeMutableBufferPointer({ index.writeCode(i, into: $0.baseAddress!, width: f.length) }) {
                    } else {
                        want = [UInt8](repeating: 0x20, count: f.length)
                        wantWarning = true
                    }
                }
                let got = Array(out[f.offset..<(f.offset + f.length)])
                let fi = Int16(layout.index(of: f.name)!)
                #expect(got == want, "\(f.name) round \(round)")
                #expect(problems.contains { $0.field == fi && $0.code == .codeWarning } == wantWarning, "\(f.name) round \(round)")
            }
        }
    }
}
