import Testing
@testable import CAIR2Core

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

    /// The 64-byte block scan agrees with the reference whichever byte of a block a field or row ends on: a
    /// delimiter, an LF, a CR LF, a delimiter followed by a quoted field, or two delimiters at once, at every offset
    /// of inputs just shorter than, equal to and just longer than one to three blocks, scanned from offsets 0 and 5
    /// (the blocks start at the record), every delimiter.
    @Test func blockScanAgreesWhereverAFieldEnds() {
        let lengths = [63, 64, 65, 71, 72, 127, 128, 129, 191, 192, 193]
        for delim: UInt8 in [0x2C, 0x7C, 0x09] {
            let patterns: [[UInt8]] = [[delim], [0x0A], [0x0D, 0x0A], [delim, 0x22, 0x61, delim, 0x22], [delim, delim]]
            for n in lengths {
                for pattern in patterns {
                    for at in 0..<n {
                        var bytes = (0..<n).map { UInt8(0x61 + $0 % 7) }
                        for (k, b) in pattern.enumerated() where at + k < n { bytes[at + k] = b }
                        // A second break 64 bytes on, so a block also holds a field that ends after the first.
                        if at + 64 < n { bytes[at + 64] = delim }
                        for skip in [0, 5] where skip <= n {
                            let tail = Array(bytes[skip...])
                            let got = scanAll(tail, delimiter: delim)
                            let want = ReferenceCSV.parse(tail, delimiter: delim)
                            #expect(got == want, "delimiter \(delim), length \(n), \(pattern) at \(at), from \(skip)")
                            if got != want { return }
                        }
                    }
                }
            }
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

    /// One byte that is not plain printable ASCII (each boundary value of each class) at every position of plain
    /// runs of every length up to 100, against the byte-by-byte rule; the plain runs themselves are plain.
    @Test func plainASCIIFindsEveryBadByteAnywhere() {
        let bad: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x60, 0x7F, 0x80, 0xA0, 0xE0, 0xFF]
        let good: [UInt8] = [0x20, 0x21, 0x2C, 0x5F, 0x61, 0x7A, 0x7E]
        for n in 0...100 {
            let plain = (0..<n).map { good[$0 % good.count] }
            #expect(plain.withUnsafeBufferPointer { ByteScan.isPlainPrintableASCII($0) }, "length \(n)")
            for at in 0..<n {
                for b in bad {
                    var bytes = plain
                    bytes[at] = b
                    #expect(!bytes.withUnsafeBufferPointer { ByteScan.isPlainPrintableASCII($0) }, "length \(n), \(b) at \(at)")
                }
            }
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
