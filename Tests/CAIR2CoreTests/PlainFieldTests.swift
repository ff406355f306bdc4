import Testing
@testable import CAIR2Core

/// Which bytes of a record are plain printable ASCII, as the fields of the record see it.
@Suite struct PlainFieldTests {
    /// The report identifier of a record with the wrong field count is read with no knowledge of the record's
    /// bytes carried over from the record before it: a tab in the id is a blank (trimmed) whether the worker's
    /// previous record was plain ASCII or not. It was dropped after a plain record, so the report's record_id
    /// depended on the chunking and the thread count.
    @Test func reportIdentifierOfAFieldCountErrorDoesNotDependOnThePreviousRecord() throws {
        let layout = LayoutKind.patient.layout
        let header = ["record_id", "first_name", "last_name", "birth_date", "disclosed", "disclosed_date", "effective_date"]
        let plan = try ColumnPlan(layout: layout, header: header, org: "ACMEHP")
        let rules = RecordRules(plan: plan, encoding: .utf8, asOf: DateValue(year: 2026, month: 1, day: 15), patients: nil)
        func id(after previous: String, _ line: String) -> IDKey {
            let worker = RecordWorker(rules: rules)
            var id = IDKey()
            for l in [previous, line] {
                let bytes = Array(l.utf8)
                var out = [UInt8](repeating: 0x20, count: layout.dataWidth)
                var problems: [Problem] = []
                bytes.withUnsafeBufferPointer { buf in
                    var scanner = CSVScanner(bytes: buf, delimiter: 0x2C)
                    var rec = CSVRecord()
                    _ = scanner.next(&rec)
                    out.withUnsafeMutableBufferPointer { o in
                        id = worker.process(rec, buf, ordinal: 0, out: o.baseAddress!, problems: &problems).id
                    }
                }
            }
            return id
        }
        let want = Array("M55".utf8).withUnsafeBufferPointer { IDKey($0.baseAddress!, count: 3) }
        for bad in ["M55\t,A,B\n", "\tM55,A\n", "M55\u{1F},A,B,C,D,E,F,G\n"] {
            #expect(id(after: "M1,Ana,Lee,01/02/2000,Y,01/02/2020,\n", bad) == want, "\(bad.debugDescription)")
            #expect(id(after: "M1,Ána,Lee,01/02/2000,Y,01/02/2020,\n", bad) == want, "\(bad.debugDescription)")
        }
    }
}
