import Testing
@testable import CAIR2Core

/// Scans the first record of `line` and runs `worker` on it: the rendered slot (blank-filled first), the
/// problems and the result.
func processFirstRecord(_ worker: RecordWorker, _ line: [UInt8], width: Int) -> (out: [UInt8], problems: [Problem],
                                                                                  result: RecordResult) {
    var out = [UInt8](repeating: 0x20, count: width)
    var problems: [Problem] = []
    var result = RecordResult()
    line.withUnsafeBufferPointer { buf in
        var scanner = CSVScanner(bytes: buf, delimiter: 0x2C)
        var rec = CSVRecord()
        let scanned = scanner.next(&rec)
        #expect(scanned)
        out.withUnsafeMutableBufferPointer { o in
            result = worker.process(rec, buf, ordinal: 0, out: o.baseAddress!, problems: &problems)
        }
    }
    return (out, problems, result)
}

/// A record that is not all plain printable ASCII: the worker notes where its other bytes are, once, and each
/// field checks its range against those positions (docs/PERFORMANCE.md, session 10).
@Suite struct PlainFieldTests {
    static func isPlain(_ c: UInt8) -> Bool { c >= 0x20 && c < 0x7F && c != 0x60 }

    /// `ByteScan.notPlainOffsets` lists exactly the bytes the byte-by-byte rule refuses, in order, up to its
    /// maximum, and says "more" past it: random buffers of every length to 200 with such bytes anywhere.
    @Test func offsetsAreTheBytesThatAreNotPlain() {
        var rng = SplitMix(seed: 31)
        let bad: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x60, 0x7F, 0x80, 0xC3, 0xFF]
        let out = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        defer { out.deallocate() }
        for round in 0..<6000 {
            let n = round % 201
            var bytes = (0..<n).map { _ in UInt8(0x20 + rng.next() % 0x5F) }
            for _ in 0..<Int(rng.next() % 11) where n > 0 {
                bytes[Int(rng.next() % UInt64(n))] = bad[Int(rng.next() % UInt64(bad.count))]
            }
            let want = bytes.indices.filter { !PlainFieldTests.isPlain(bytes[$0]) }
            for max in [1, 3, 8] {
                let count = bytes.withUnsafeBufferPointer { ByteScan.notPlainOffsets($0, into: out, max: max) }
                #expect(count == (want.count > max ? max + 1 : want.count), "length \(n) max \(max)")
                let listed = Array(UnsafeBufferPointer(start: out, count: Swift.min(count, max)))
                #expect(listed == Array(want.prefix(max)), "length \(n) max \(max)")
            }
        }
    }

    /// Every field of records with accents, grave accents, tabs and control bytes in any cell (up to a dozen
    /// such bytes, so past the positions the worker keeps) is written and reported as it is when every cell
    /// is quoted: a quoted cell is unescaped and folded, never looked up by position, so it is a second route.
    @Test func unquotedCellsOfRecordsThatAreNotPlainMatchTheQuotedRoute() throws {
        let layout = LayoutKind.patient.layout
        let header = ["record_id", "first_name", "middle_name", "last_name", "birth_date", "disclosed", "disclosed_date",
                      "effective_date", "sex", "street_address", "city", "state", "zip", "county", "phone"]
        let plan = try ColumnPlan(layout: layout, header: header, org: "ACMEHP")
        let rules = RecordRules(plan: plan, encoding: .utf8, asOf: DateValue(year: 2026, month: 1, day: 15), patients: nil)
        let plainWorker = RecordWorker(rules: rules), quotedWorker = RecordWorker(rules: rules)
        let pieces = ["é", "Ñ", "`", "\t", "\u{1F}", "\u{7F}", "’", "ü", "  "]
        let cells = [["M1", "M22", "A-9"], ["Ana", "José", "O'Brien"], ["", "Lee", "Mª"], ["Smith", "Peña", "Ng"],
                     ["01/02/2000", "2000-01-02"], ["Y", "N", "y"], ["01/02/2020", ""], ["", "03/04/2021"],
                     ["F", "Male", "female"], ["12 Main St", "4 Ávila Ct #2"], ["Fresno", "San José"], ["CA", "Calif"],
                     ["93701", "9370"], ["CA019", "Fresno", "Los Ángeles"], ["555-123-4567", "5551234567"]]
        var rng = SplitMix(seed: 32)
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        func run(_ worker: RecordWorker, _ line: String) -> (String, [Problem], RecordResult) {
            let r = processFirstRecord(worker, Array(line.utf8), width: layout.dataWidth)
            return (String(decoding: r.out, as: UTF8.self), r.problems, r.result)
        }
        var notPlain = 0
        for round in 0..<4000 {
            var row = cells.map { pick($0) }
            for _ in 0..<Int(rng.next() % 13) {
                let c = Int(rng.next() % UInt64(row.count))
                var s = Array(row[c])
                s.insert(contentsOf: Array(pick(pieces)), at: s.isEmpty ? 0 : Int(rng.next() % UInt64(s.count + 1)))
                row[c] = String(s)
            }
            if row.joined().utf8.contains(where: { !PlainFieldTests.isPlain($0) }) { notPlain += 1 }
            let plain = run(plainWorker, row.joined(separator: ",") + "\n")
            let quoted = run(quotedWorker, row.map { "\"\($0)\"" }.joined(separator: ",") + "\n")
            #expect(plain.0 == quoted.0, "round \(round): \(row.map(\.debugDescription))")
            #expect(plain.1.map(\.code) == quoted.1.map(\.code) && plain.1.map(\.field) == quoted.1.map(\.field),
                    "round \(round)")
            #expect(plain.2.id == quoted.2.id && plain.2.status == quoted.2.status, "round \(round)")
        }
        #expect(notPlain > 2500)
    }

    /// A record with few bytes >= 0x80 is checked for UTF-8 at the positions noted; one with more, byte by
    /// byte. Either way a record gets E_ENCODING exactly when its bytes are not UTF-8 (`Folding.isDecodable` of
    /// the whole record is the oracle): valid and broken sequences, C1 bytes and stray continuation bytes at
    /// random places of records with one to a dozen of them.
    @Test func encodingCheckFromThePositionsAgreesWithTheWholeRecord() throws {
        let layout = LayoutKind.patient.layout
        let header = ["record_id", "first_name", "last_name", "birth_date", "disclosed", "disclosed_date", "city"]
        let plan = try ColumnPlan(layout: layout, header: header, org: "ACMEHP")
        let worker = RecordWorker(rules: RecordRules(plan: plan, encoding: .utf8,
                                                     asOf: DateValue(year: 2026, month: 1, day: 15), patients: nil))
        let valid: [[UInt8]] = [Array("é".utf8), Array("Trần".utf8), Array("😀".utf8), Array("€".utf8), Array("`".utf8), [0x09]]
        let broken: [[UInt8]] = [[0xC3], [0xA9], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x81], [0xFF]]
        var rng = SplitMix(seed: 33)
        var counts = (valid: 0, invalid: 0, many: 0)
        for round in 0..<5000 {
            var cells = ["M\(round)", "Ana", "Lee", "01/02/2000", "Y", "01/02/2020", "Fresno"].map { Array($0.utf8) }
            for _ in 0..<Int(1 + rng.next() % 6) {
                let c = 1 + Int(rng.next() % 6)
                let at = Int(rng.next() % UInt64(cells[c].count + 1))
                let pieces = rng.next() % 8 == 0 ? broken : valid
                cells[c].insert(contentsOf: pieces[Int(rng.next() % UInt64(pieces.count))], at: at)
            }
            var line = Array(cells.joined(separator: [0x2C]))
            let decodes = line.withUnsafeBufferPointer { Folding.isDecodable($0, .utf8) }
            if line.filter({ $0 >= 0x80 }).count > 8 { counts.many += 1 }
            if decodes { counts.valid += 1 } else { counts.invalid += 1 }
            line.append(0x0A)
            let problems = processFirstRecord(worker, line, width: layout.dataWidth).problems
            #expect(problems.contains { $0.code == .encoding } == !decodes, "round \(round): \(line)")
        }
        #expect(counts.valid > 1000 && counts.invalid > 1000 && counts.many > 200, "\(counts)")
    }

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
            _ = processFirstRecord(worker, Array(previous.utf8), width: layout.dataWidth)
            return processFirstRecord(worker, Array(line.utf8), width: layout.dataWidth).result.id
        }
        let want = Array("M55".utf8).withUnsafeBufferPointer { IDKey($0.baseAddress!, count: 3) }
        for bad in ["M55\t,A,B\n", "\tM55,A\n", "M55\u{1F},A,B,C,D,E,F,G\n"] {
            #expect(id(after: "M1,Ana,Lee,01/02/2000,Y,01/02/2020,\n", bad) == want, "\(bad.debugDescription)")
            #expect(id(after: "M1,Ána,Lee,01/02/2000,Y,01/02/2020,\n", bad) == want, "\(bad.debugDescription)")
        }
    }
}
