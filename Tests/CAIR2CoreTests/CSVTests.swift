import Testing
@testable import CAIR2Core

/// A naive, obviously-correct reading of the contract's CSV dialect (PRODUCT.md §2, §3a), used only to
/// check the fast scanner: records as (line, fields, unterminated).
struct ReferenceCSV {
    struct Rec: Equatable, CustomStringConvertible {
        var line: Int
        var fields: [[UInt8]]
        var unterminated: Bool
        var description: String {
            "L\(line)\(unterminated ? "!" : "") " + fields.map { String(decoding: $0, as: UTF8.self).debugDescription }.joined(separator: "|")
        }
    }

    static func parse(_ b: [UInt8], delimiter: UInt8 = 0x2C) -> [Rec] {
        var recs: [Rec] = []
        var i = 0
        var line = 1
        let n = b.count
        while i < n {
            // An empty line is skipped.
            if b[i] == 0x0A { i += 1; line += 1; continue }
            if b[i] == 0x0D, i + 1 < n, b[i + 1] == 0x0A { i += 2; line += 1; continue }
            let startLine = line
            var fields: [[UInt8]] = []
            var unterminated = false
            var endOfRecord = false
            while !endOfRecord {
                var value: [UInt8] = []
                if i < n && b[i] == 0x22 {
                    i += 1
                    var closed = false
                    while i < n {
                        if b[i] == 0x22 {
                            if i + 1 < n && b[i + 1] == 0x22 { value.append(0x22); i += 2; continue }
                            i += 1; closed = true; break
                        }
                        if b[i] == 0x0A { line += 1 }
                        value.append(b[i]); i += 1
                    }
                    if !closed { unterminated = true; fields.append(value); endOfRecord = true; break }
                }
                // Unquoted part (or the tail after a closing quote).
                var tail: [UInt8] = []
                while true {
                    if i >= n { value += tail; fields.append(value); endOfRecord = true; break }
                    let c = b[i]
                    if c == delimiter { value += tail; fields.append(value); i += 1; if i >= n { fields.append([]); endOfRecord = true }; break }
                    if c == 0x0A {
                        if tail.last == 0x0D { tail.removeLast() }
                        value += tail; fields.append(value); i += 1; line += 1; endOfRecord = true; break
                    }
                    tail.append(c); i += 1
                }
            }
            recs.append(Rec(line: startLine, fields: fields, unterminated: unterminated))
        }
        return recs
    }
}

func scanAll(_ b: [UInt8], delimiter: UInt8 = 0x2C) -> [ReferenceCSV.Rec] {
    b.withUnsafeBufferPointer { buf in
        var s = CSVScanner(bytes: buf, delimiter: delimiter)
        var rec = CSVRecord()
        var out: [ReferenceCSV.Rec] = []
        while s.next(&rec) {
            let fields = rec.fields.map { f -> [UInt8] in
                var v: [UInt8] = []
                CSVScanner.appendValue(f, in: buf, to: &v)
                return v
            }
            out.append(.init(line: rec.line + 1, fields: fields, unterminated: rec.unterminated))
        }
        return out
    }
}

@Suite struct CSVTests {
    func fields(_ s: String, delimiter: UInt8 = 0x2C) -> [[String]] {
        scanAll(Array(s.utf8), delimiter: delimiter).map { $0.fields.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func quotingRulesOfTheContract() {
        #expect(fields("\"Ma\"ria,b\n") == [["Maria", "b"]])           // tail after the closing quote is kept
        #expect(fields("ab\"c,d\n") == [["ab\"c", "d"]])               // a quote inside an unquoted field
        #expect(fields(" \"a\",b\n") == [[" \"a\"", "b"]])             // a blank before the quote: unquoted
        #expect(fields("\"a,b\",\"c\"\"d\"\n") == [["a,b", "c\"d"]])
        #expect(fields("\"x\ny\",z\r\n") == [["x\ny", "z"]])           // LF inside quotes is data
        #expect(fields("\"\"\n") == [[""]])                            // a line holding "" is a record
        #expect(fields("a\rb,c\n") == [["a\rb", "c"]])                 // lone CR is data
        #expect(fields("a,b\r\nc,d\ne,f") == [["a", "b"], ["c", "d"], ["e", "f"]])
        #expect(fields("a,\n") == [["a", ""]])
        #expect(fields("a,") == [["a", ""]])
        #expect(fields(",,\n") == [["", "", ""]])
        #expect(fields("a|b,c\n", delimiter: 0x7C) == [["a", "b,c"]])
        #expect(fields("a\tb\n", delimiter: 0x09) == [["a", "b"]])
    }

    @Test func blankLinesAndLineNumbers() {
        let recs = scanAll(Array("h\n\na\r\n\r\n\"x\n\ny\"\n   \nb".utf8))
        #expect(recs.map(\.line) == [1, 3, 5, 8, 9])
        #expect(recs[2].fields == [Array("x\n\ny".utf8)])   // empty lines inside quotes are data
        #expect(recs[3].fields == [Array("   ".utf8)])      // a line of blanks is a record
    }

    @Test func unterminatedQuoteSwallowsTheRest() {
        let recs = scanAll(Array("a,b\nc,\"d\ne,f\n".utf8))
        #expect(recs.count == 2)
        #expect(recs[1].unterminated)
        #expect(recs[1].line == 2)
    }

    /// The fast scanner agrees with the reference on random inputs made of the dialect's special bytes.
    @Test func agreesWithTheReferenceOnRandomInputs() {
        var rng = SplitMix(seed: 42)
        let alphabet: [UInt8] = Array("ab\",\"\r\n \n,".utf8)
        for _ in 0..<4000 {
            let len = Int(rng.next() % 40)
            let bytes = (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let want = ReferenceCSV.parse(bytes)
            let got = scanAll(bytes)
            #expect(got == want, "input \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if got != want { return }
        }
    }

    /// The word-at-a-time scan agrees with the reference on long random lines, every delimiter.
    @Test func wordScanAgreesOnLongLines() {
        var rng = SplitMix(seed: 7)
        for delim: UInt8 in [0x2C, 0x7C, 0x09, 0x3B] {
            let alphabet: [UInt8] = Array("abcdefgh \"\r\n".utf8) + [delim, delim, 0xC3, 0xA9, 0x0A]
            for _ in 0..<500 {
                let len = Int(rng.next() % 200)
                let bytes = (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                #expect(scanAll(bytes, delimiter: delim) == ReferenceCSV.parse(bytes, delimiter: delim))
            }
        }
    }

    @Test func plainASCIIWordTest() {
        var rng = SplitMix(seed: 9)
        for _ in 0..<5000 {
            let len = Int(rng.next() % 40)
            let bytes = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next() % 4 == 0 ? rng.next() : 0x20 + rng.next() % 0x5F) }
            let naive = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x60 }
            #expect(bytes.withUnsafeBufferPointer { ByteScan.isPlainPrintableASCII($0) } == naive)
            #expect(bytes.withUnsafeBufferPointer { ByteScan.hasHighByte($0) } == bytes.contains { $0 >= 0x80 })
        }
    }

    /// Speculative starts: scanning from any record boundary the sequential scan reached gives the same records.
    @Test func resumingAtARecordBoundaryGivesTheSameRecords() {
        let text = Array("h1,h2\n\"a\nb\",c\nd,\"e,\"\"f\"\"\"\n\ng,h\r\n".utf8)
        text.withUnsafeBufferPointer { buf in
            var s = CSVScanner(bytes: buf, delimiter: 0x2C)
            var rec = CSVRecord()
            var boundaries: [(Int, Int)] = []
            while true {
                boundaries.append((s.position, s.line))
                if !s.next(&rec) { break }
            }
            let all = scanAll(text)
            for (k, (pos, line)) in boundaries.enumerated() {
                var t = CSVScanner(bytes: buf, delimiter: 0x2C, position: pos, line: line)
                var r = CSVRecord()
                var count = 0
                while t.next(&r) { count += 1 }
                #expect(count == all.count - k)
            }
        }
    }
}

/// A small deterministic generator for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
