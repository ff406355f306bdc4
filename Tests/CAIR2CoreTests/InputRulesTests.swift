import Testing
@testable import CAIR2Core

/// §3c and §4a, the pure parts: magic bytes, the header row read with care, the record skipper, the field
/// limit, the unknown-column list.
@Suite struct InputRulesTests {
    func scan(_ s: [UInt8], complete: Bool = true, delimiter: UInt8 = 0x2C) -> HeaderScan {
        s.withUnsafeBufferPointer { HeaderRow.scan($0, delimiter: delimiter, complete: complete) }
    }
    func scan(_ s: String, complete: Bool = true) -> HeaderScan { scan(Array(s.utf8), complete: complete) }

    @Test func compressionByMagicThenName() {
        #expect(InputCompression.of(magic: [0x1F, 0x8B, 0x08, 0x00], name: "a.csv") == .gzip)
        #expect(InputCompression.of(magic: [0x28, 0xB5, 0x2F, 0xFD], name: "a.csv") == .zstd)
        #expect(InputCompression.of(magic: [0x28, 0xB5, 0x2F, 0xFD], name: "a.gz") == .zstd)
        #expect(InputCompression.of(magic: Array("reco".utf8), name: "a.csv") == .none)
        #expect(InputCompression.of(magic: Array("reco".utf8), name: "a.csv.gz") == .gzip)
        #expect(InputCompression.of(magic: [], name: "a.zst") == .zstd)
        #expect(InputCompression.of(magic: [0x1F], name: "-") == .none)
    }

    @Test func goodHeaders() {
        #expect(scan("a,b\nx,y\n") == .row(start: 0, end: 3, next: 4, lines: 1))
        #expect(scan("\u{FEFF}a,b\r\nx\n") == .row(start: 3, end: 6, next: 8, lines: 1))
        #expect(scan("\n\na,b\n") == .row(start: 2, end: 5, next: 6, lines: 3))
        #expect(scan("a,\"b\nc\"\nx\n") == .row(start: 0, end: 7, next: 8, lines: 2))
        #expect(scan("a,b") == .row(start: 0, end: 3, next: 3, lines: 0))
        // A lone CR inside the records is data (§3a), not the header's business.
        #expect(scan("a,b\nx\ry\n") == .row(start: 0, end: 3, next: 4, lines: 1))
        #expect(scan("") == .empty)
        #expect(scan("\n\r\n") == .empty)
    }

    @Test func streamedHeadersWaitForTheirRowEnd() {
        #expect(scan("a,b", complete: false) == .incomplete)
        #expect(scan("a,b\r", complete: false) == .incomplete)
        #expect(scan("a,\"b\nc", complete: false) == .incomplete)
        #expect(scan("a,b\n", complete: false) == .row(start: 0, end: 3, next: 4, lines: 1))
        #expect(scan("", complete: false) == .incomplete)
    }

    @Test func malformedHeaders() {
        #expect(scan("a,\"b\nx,y\nz\n") == .malformed(.openQuote))
        #expect(scan("\"") == .malformed(.openQuote))
        #expect(scan("a,b\rx,y\rz,w\r") == .malformed(.loneCR))
        #expect(scan("a,b\rx,y\r\n") == .malformed(.loneCR))
        #expect(scan("a,b\r\r\nx\n") == .malformed(.loneCR))
        #expect(scan([0xFF, 0xFE, 0x61, 0x00]) == .malformed(.utf16))
        #expect(scan([0xFE, 0xFF, 0x00, 0x61], complete: false) == .malformed(.utf16))
        // Longer than 1 MiB: terminated or not, whole or streamed, the scan stops near the limit.
        let long = [UInt8](repeating: 0x61, count: InputLimits.headerBytes + 1)
        #expect(scan(long + [0x0A]) == .malformed(.tooLong))
        #expect(scan(long, complete: false) == .malformed(.tooLong))
        #expect(scan(long + [UInt8](repeating: 0x61, count: 5 << 20), complete: false) == .malformed(.tooLong))
        // A header of exactly 1 MiB is fine, with LF or CR LF.
        let exact = [UInt8](repeating: 0x61, count: InputLimits.headerBytes)
        #expect(scan(exact + [0x0D, 0x0A, 0x78]) == .row(start: 0, end: exact.count, next: exact.count + 2, lines: 1))
        // A CR-only file longer than the limit says "lone CR", not "too long".
        var crOnly: [UInt8] = []
        while crOnly.count < 3 << 20 { crOnly += Array("R1,Ann,Lee\r".utf8) }
        #expect(scan(crOnly) == .malformed(.loneCR))
        // An open quote whose file goes on past the limit.
        #expect(scan(Array("a,\"b\n".utf8) + long) == .malformed(.tooLong))
    }

    @Test func likelyDelimiter() {
        func guess(_ s: String, fields: Int = 1, delimiter: UInt8 = 0x2C) -> UInt8? {
            Array(s.utf8).withUnsafeBufferPointer { HeaderRow.likelyDelimiter($0, fieldCount: fields, delimiter: delimiter) }
        }
        #expect(guess("record_id|first_name|last_name") == 0x7C)
        #expect(guess("record_id\tfirst_name\tlast_name;x") == 0x09)
        #expect(guess("record_id;first_name") == 0x3B)
        #expect(guess("record_id") == nil)
        #expect(guess("record_id|a,b", fields: 2) == nil)
        #expect(guess("a|b", delimiter: 0x7C) == nil)
        #expect(guess("a|b;c;d", delimiter: 0x09) == 0x3B)
    }

    @Test func unknownColumnsAreListedShort() {
        #expect(HeaderRow.unknownColumnsText(["PLAN"]) == "PLAN")
        let many = (0..<25).map { "c\($0)" }
        let text = HeaderRow.unknownColumnsText(many)
        #expect(text.hasSuffix("c19 and 5 more"))
        #expect(!text.contains("c20"))
        let long = String(repeating: "x", count: 500)
        #expect(HeaderRow.unknownColumnsText([long]) == String(repeating: "x", count: 61) + "...")
        #expect(HeaderRow.unknownColumnsText(Array(repeating: "x", count: 20)).contains("more") == false)
    }

    /// The skipper finds the row end the scanner finds, for a record starting at any record boundary, fed in
    /// pieces of every size; at the end of the input its quote state is the scanner's `unterminated`.
    @Test func skipperAgreesWithTheScanner() {
        var rng = SplitMix(seed: 11)
        let alphabet: [UInt8] = Array("ab\",\"\"\r\n \n,,".utf8)
        for _ in 0..<3000 {
            let len = Int(rng.next() % 60)
            let bytes = (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            bytes.withUnsafeBufferPointer { buf in
                var s = CSVScanner(bytes: buf, delimiter: 0x2C)
                var rec = CSVRecord()
                while s.next(&rec) {
                    let piece = 1 + Int(rng.next() % 7)
                    var sk = RecordSkipper()
                    var at = rec.start
                    var found: Int?
                    while at < buf.count {
                        let to = min(buf.count, at + piece)
                        if let n = sk.advance(UnsafeBufferPointer(rebasing: buf[at..<to]), delimiter: 0x2C) {
                            found = at + n
                            break
                        }
                        at = to
                    }
                    let text = String(decoding: bytes, as: UTF8.self).debugDescription
                    if rec.next > rec.end {
                        #expect(found == rec.next, "\(text) record at \(rec.start)")
                        #expect(sk.lines == s.line - rec.line, "\(text)")
                    } else {
                        #expect(found == nil, "\(text)")
                        #expect(sk.inQuote == rec.unterminated, "\(text)")
                    }
                }
            }
        }
    }

    /// Past the field limit the scanner keeps scanning but stops storing: the count still differs from the
    /// header's, the row end is the same, and the storage stays small.
    @Test func fieldLimitKeepsTheStorageSmall() {
        let row = Array(("a" + String(repeating: ",", count: 100_000) + "\nb,c\n").utf8)
        row.withUnsafeBufferPointer { buf in
            var s = CSVScanner(bytes: buf, delimiter: 0x2C)
            var rec = CSVRecord()
            rec.fieldLimit = 3
            var ok = s.next(&rec)
            #expect(ok)
            #expect(rec.fieldCount == 64)
            #expect(rec.storage.capacity == 64)
            #expect(rec.next == 100_002)
            ok = s.next(&rec)
            #expect(ok)
            #expect(rec.fieldCount == 2)
            rec.fieldLimit = 100
            var t = CSVScanner(bytes: buf, delimiter: 0x2C)
            ok = t.next(&rec)
            #expect(ok)
            #expect(rec.fieldCount >= 101 && rec.fieldCount <= 256)
        }
    }
}
