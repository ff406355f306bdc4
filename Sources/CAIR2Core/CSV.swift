// The CSV scanner (PRODUCT.md §2 and §3a), a byte state machine over a
// caller-owned buffer. No allocation per record once the field array has
// grown to the widest record.
//
// Dialect, as settled by the contract:
//   - a field is quoted only when its first byte is `"`; inside quotes `""` is
//     a quote and the delimiter, CR and LF are data; after the closing quote,
//     bytes up to the delimiter are kept (`"Ma"ria` reads `Maria`); a quote
//     inside an unquoted field is an ordinary byte;
//   - a row ends at LF or CR LF; a lone CR outside quotes is data;
//   - only an empty line (LF or CR LF alone) between records is skipped;
//   - a quote left open at the end of the input swallows the rest of it into
//     one record, flagged `unterminated`;
//   - a record's line is the physical line (LF count + 1) where it starts.
// The scanner never looks at encodings: bytes >= 0x80 are data.

/// One field of a scanned record: byte offsets into the scanned buffer.
public struct CSVField: Sendable {
    /// First content byte (after the opening quote when quoted).
    public var start: Int
    /// One past the last byte of the field (before the delimiter or row end).
    public var end: Int
    /// Offset of the closing quote, or -1 when the field is not quoted (or the quote never closed).
    public var closeQuote: Int
    /// True when the field began with a quote.
    public var quoted: Bool

    /// True when the bytes `start..<end` are the value as-is (no quote processing needed).
    @inlinable public var isPlain: Bool { !quoted }
}

/// Field storage of a record, grown to the widest record and reused.
public final class CSVFieldStorage {
    @usableFromInline @exclusivity(unchecked) var base: UnsafeMutablePointer<CSVField>
    @usableFromInline @exclusivity(unchecked) var capacity: Int
    @usableFromInline @exclusivity(unchecked) var count = 0
    /// Fields past this count (or past the capacity, whichever is larger) are scanned but not kept, so a row of
    /// a million delimiters cannot grow the storage without bound; the count still differs from the header's.
    @exclusivity(unchecked) var limit = Int.max
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }
    deinit { base.deallocate() }
    @inline(__always) func append(_ f: CSVField) {
        if count == capacity {
            if count >= limit { return }
            let bigger = UnsafeMutablePointer<CSVField>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: f)
        count += 1
    }
}

/// One scanned record.
public struct CSVRecord {
    /// Offset of the record's first byte.
    public var start = 0
    /// One past the record's last byte, terminator excluded.
    public var end = 0
    /// One past the terminator (== end at end of input without terminator).
    public var next = 0
    /// 0-based physical line where the record starts, counted from the start of the scanned buffer.
    public var line = 0
    /// The quote of the last field never closed: the record runs to the end of the input.
    public var unterminated = false
    /// The fields' offsets, reused from record to record (the record is a class-backed value: copies share it).
    public let storage = CSVFieldStorage(capacity: 64)
    /// An empty record, to be filled by `CSVScanner.next`.
    public init() {}

    /// Keep at most this many fields (at least the storage's initial 64); later ones are scanned and dropped.
    /// Set it to the header's field count + 1: a longer row keeps more fields than the header has, so it is
    /// still an `E_FIELD_COUNT`, and its storage stays small.
    public var fieldLimit: Int {
        get { storage.limit }
        nonmutating set { storage.limit = newValue }
    }

    /// How many fields the record has.
    @inlinable public var fieldCount: Int { storage.count }
    /// Field `i` (0-based; `i < fieldCount`).
    @inlinable public func field(_ i: Int) -> CSVField { storage.base[i] }
    /// The fields, as an array (for tests and cold paths).
    public var fields: [CSVField] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }
}

/// Scans records from a buffer.
public struct CSVScanner {
    /// The buffer scanned; the records' offsets point into it.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The field delimiter byte (a comma unless `--delimiter` says otherwise).
    public let delimiter: UInt8
    /// Where the next record scan starts.
    public var position: Int
    /// Physical lines (LFs) consumed before `position`.
    public var line: Int

    /// A scanner of `bytes` starting at byte `position`, with `line` physical lines already consumed before it.
    public init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, position: Int = 0, line: Int = 0) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.position = position
        self.line = line
    }

    /// The length of a UTF-8 byte-order mark at the start of `bytes`, or 0.
    public static func bomLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Scans the next record into `rec`; false at the end of the input.
    public mutating func next(_ rec: inout CSVRecord) -> Bool {
        let b = bytes
        let n = b.count
        var pos = position
        var line = self.line
        // Skip empty lines (LF or CR LF alone).
        while pos < n {
            if b[pos] == 0x0A { pos += 1; line += 1; continue }
            if b[pos] == 0x0D && pos + 1 < n && b[pos + 1] == 0x0A { pos += 2; line += 1; continue }
            break
        }
        if pos >= n { position = pos; self.line = line; return false }
        rec.start = pos
        rec.line = line
        rec.unterminated = false
        let fields = rec.storage
        fields.count = 0
        let delim = delimiter
        let delimWord = 0x0101_0101_0101_0101 &* UInt64(delim)
        let delimVector = SIMD16<UInt8>(repeating: delim)
        let p = b.baseAddress!
        fieldLoop: while true {
            var field = CSVField(start: pos, end: pos, closeQuote: -1, quoted: false)
            var tailStart = pos
            if pos < n && p[pos] == 0x22 {
                field.quoted = true
                field.start = pos + 1
                pos += 1
                var closed = false
                while pos < n {
                    let c = p[pos]
                    if c == 0x22 {
                        if pos + 1 < n && p[pos + 1] == 0x22 { pos += 2; continue }
                        field.closeQuote = pos
                        pos += 1
                        closed = true
                        break
                    }
                    if c == 0x0A { line += 1 }
                    pos += 1
                }
                if !closed {
                    field.end = n
                    fields.append(field)
                    rec.unterminated = true
                    rec.end = n
                    rec.next = n
                    position = n
                    self.line = line
                    return true
                }
                tailStart = pos
            }
            // Unquoted bytes (or the tail after a closing quote) up to the delimiter or row end, 64 bytes at a
            // time (8 near the end of the input): one block's exact bit mask of delimiters and LFs ends every
            // field that ends inside it, so a run of short unquoted fields costs a few operations per field and
            // one unpredictable branch (the loop's exit) per block, not per field or per word.
            while pos + 8 <= n {
                let block = pos
                let wide = pos + 64 <= n
                var m = wide ? CSVScanner.stops64(UnsafeRawPointer(p + block), delimVector)
                    : CSVScanner.gather(CSVScanner.stops(UnsafeRawPointer(p + block).loadUnaligned(as: UInt64.self), delimWord))
                while m != 0 {
                    let e = block + m.trailingZeroBitCount
                    if p[e] != delim {
                        // LF: the row ends (a CR right before it is part of the terminator).
                        let end = e > tailStart && p[e - 1] == 0x0D ? e - 1 : e
                        field.end = end
                        fields.append(field)
                        rec.end = end
                        rec.next = e + 1
                        position = e + 1
                        self.line = line + 1
                        return true
                    }
                    field.end = e
                    fields.append(field)
                    pos = e + 1
                    if pos < n && p[pos] == 0x22 { continue fieldLoop }
                    field = CSVField(start: pos, end: pos, closeQuote: -1, quoted: false)
                    tailStart = pos
                    m &= m &- 1
                }
                pos = block + (wide ? 64 : 8)
            }
            // The last few bytes of the input, one at a time.
            while pos < n {
                let c = p[pos]
                if c == delim {
                    field.end = pos
                    fields.append(field)
                    pos += 1
                    continue fieldLoop
                }
                if c == 0x0A {
                    let end = pos > tailStart && p[pos - 1] == 0x0D ? pos - 1 : pos
                    field.end = end
                    fields.append(field)
                    rec.end = end
                    rec.next = pos + 1
                    position = pos + 1
                    self.line = line + 1
                    return true
                }
                pos += 1
            }
            // End of input without a terminator.
            field.end = n
            fields.append(field)
            rec.end = n
            rec.next = n
            position = n
            self.line = line
            return true
        }
    }

    /// The bytes of `w` that are the delimiter or LF, as an exact mask (bit 7 of each such byte): no borrow
    /// crosses bytes, so every flag is right, not just the lowest.
    @inline(__always) static func stops(_ w: UInt64, _ delimWord: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let xd = w ^ delimWord, xl = w ^ 0x0A0A_0A0A_0A0A_0A0A
        let nonzeroD = ((xd & low) &+ low) | xd
        let nonzeroL = ((xl & low) &+ low) | xl
        return ~(nonzeroD & nonzeroL) & ~low
    }

    /// A `stops` mask (bit 7 of each flagged byte) as one bit per byte, bit k for byte k.
    @inline(__always) static func gather(_ stops: UInt64) -> UInt64 {
        ((stops >> 7) &* 0x0102_0408_1020_4080) >> 56
    }

    /// The bytes of `p[0..<64]` that are the delimiter or LF, one bit each (bit i for byte i): four 16-byte
    /// vector compares (the standard library's `SIMD16`, which the compiler turns into the target's vector
    /// instructions), then each 8-byte half's flags (bit 7 of each flagged byte) gathered into a byte by one
    /// multiply (bit 7 of byte k lands on bit 56 + k; no two partial products meet below bit 64, so nothing
    /// carries into the result). The compare's lanes are all ones or all zeros, read as bytes by a bit cast
    /// (`replacing(with:where:)` gave the same instructions but the compiler then called this function instead
    /// of inlining it into the scan loop).
    @inline(__always) static func stops64(_ p: UnsafeRawPointer, _ delim: SIMD16<UInt8>) -> UInt64 {
        let lf = SIMD16<UInt8>(repeating: 0x0A), bit7 = SIMD16<UInt8>(repeating: 0x80)
        @inline(__always) func halves(_ i: Int) -> SIMD2<UInt64> {
            let v = p.loadUnaligned(fromByteOffset: 16 * i, as: SIMD16<UInt8>.self)
            let flags = unsafeBitCast((v .== delim) .| (v .== lf), to: SIMD16<UInt8>.self) & bit7
            return unsafeBitCast(flags, to: SIMD2<UInt64>.self)
        }
        let a = halves(0), b = halves(1), c = halves(2), d = halves(3)
        return gather(a[0]) | gather(a[1]) << 8 | gather(b[0]) << 16 | gather(b[1]) << 24 | gather(c[0]) << 32
            | gather(c[1]) << 40 | gather(d[0]) << 48 | gather(d[1]) << 56
    }

    /// Appends a field's value to `out`: quoted content with `""` unescaped, then any tail after the closing quote.
    public static func appendValue(_ f: CSVField, in b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if !f.quoted {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[f.start..<f.end]))
            return
        }
        let contentEnd = f.closeQuote >= 0 ? f.closeQuote : f.end
        var i = f.start
        while i < contentEnd {
            let c = b[i]
            out.append(c)
            i += (c == 0x22 && i + 1 < contentEnd && b[i + 1] == 0x22) ? 2 : 1
        }
        if f.closeQuote >= 0 && f.closeQuote + 1 < f.end {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[(f.closeQuote + 1)..<f.end]))
        }
    }
}
