// The value classes of PRODUCT.md §3, on folded bytes.
//
// Every function takes a field's *prepared* text: the folding of its raw
// bytes (whitespace already a blank, unmappable characters the marker 0xFF)
// and writes the value to write, left-justified, into a caller's output slot
// that is already blank-filled. None of them allocates.

/// What became of a text value (names, addresses, free text).
public struct TextOutcome: Equatable, Sendable {
    /// Nothing left to write (blank input, or everything removed).
    public var empty = false
    /// A character no rule allows (names only: the value is invalid).
    public var invalid = false
    /// Characters removed (address and free text).
    public var charsRemoved = false
    /// Cut to the field's width.
    public var truncated = false
    /// An outcome with nothing flagged.
    public init() {}
}

@inline(__always) func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
@inline(__always) func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
@inline(__always) func upper(_ b: UInt8) -> UInt8 { isLower(b) ? b &- 0x20 : b }

/// Trims blanks from both ends of prepared text.
@inlinable @inline(__always)
public func trimBlanks(_ t: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var s = 0, e = t.count
    while s < e && t[s] == 0x20 { s += 1 }
    while e > s && t[e - 1] == 0x20 { e -= 1 }
    return UnsafeBufferPointer(rebasing: t[s..<e])
}

/// Writes `count` bytes produced one by one, collapsing blanks, trimming, and cutting at `width`.
/// Returns (length written, truncated).
struct CollapsingWriter {
    let out: UnsafeMutablePointer<UInt8>
    let width: Int
    var length = 0          // bytes kept so far (may exceed width: counted, not written)
    var pendingBlank = false

    init(out: UnsafeMutablePointer<UInt8>, width: Int) {
        self.out = out
        self.width = width
    }

    @inline(__always) mutating func blank() {
        if length > 0 { pendingBlank = true }
    }

    @inline(__always) mutating func put(_ b: UInt8) {
        if pendingBlank {
            if length < width { out[length] = 0x20 }
            length += 1
            pendingBlank = false
        }
        if length < width { out[length] = b }
        length += 1
    }

    /// Finishes: when the value was longer than the field it is cut, then trailing blanks trimmed.
    mutating func finish() -> (written: Int, truncated: Bool) {
        if length <= width { return (length, false) }
        var n = width
        while n > 0 && out[n - 1] == 0x20 { n -= 1 }
        return (n, true)
    }
}

/// The value classes (PRODUCT.md §3): each normalizes and checks a field's folded text and writes it into the
/// line.
public enum Values {
    // MARK: names

    /// Name class: upper-case, delete `'` and `.`, `-` `,` `/` and blanks separate words, collapse, trim.
    /// Any other character makes the value invalid (nothing is written then).
    public static func name(_ t: UnsafeBufferPointer<UInt8>, width: Int, out: UnsafeMutablePointer<UInt8>) -> TextOutcome {
        // Most names are letters only and fit: upper-cased as they are, one test a byte. Anything else goes the
        // general way below, which rewrites (or blanks) every byte this loop wrote.
        if t.count <= width {
            var i = 0
            while i < t.count {
                let b = t[i]
                if (b | 0x20) &- 0x61 > 25 { break }  // not a letter
                out[i] = b & 0xDF
                i += 1
            }
            if i == t.count && i > 0 { return TextOutcome() }
        }
        var w = CollapsingWriter(out: out, width: width)
        var o = TextOutcome()
        for b in t {
            switch b {
            case 0x41...0x5A: w.put(b)
            case 0x61...0x7A: w.put(b &- 0x20)
            case 0x27, 0x2E: continue  // ' .
            case 0x2D, 0x2C, 0x2F, 0x20: w.blank()  // - , / blank
            default: o.invalid = true
            }
        }
        if o.invalid {
            for i in 0..<min(w.length, width) { out[i] = 0x20 }
            return o
        }
        let (n, cut) = w.finish()
        o.truncated = cut
        o.empty = n == 0
        return o
    }

    // MARK: address and free text

    @inline(__always) static func isAddressPunct(_ b: UInt8) -> Bool {
        switch b {
        case 0x23, 0x26, 0x27, 0x28, 0x29, 0x2C, 0x2D, 0x2E, 0x2F: return true  // # & ' ( ) , - . /
        default: return false
        }
    }

    /// What `text` writes for each byte when nothing else is in the way: the byte (upper-cased for an address),
    /// a blank for a blank, 0 for a byte it removes. Built once, never written again, never freed.
    nonisolated(unsafe) static let textBytes: (address: UnsafePointer<UInt8>, freeText: UnsafePointer<UInt8>) = {
        func table(upper: Bool) -> UnsafePointer<UInt8> {
            let m = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            for v in 0..<256 {
                let b = UInt8(v)
                if isUpper(b) || isDigit(b) || isAddressPunct(b) || b == 0x20 {
                    m[v] = b
                } else if isLower(b) {
                    m[v] = upper ? b &- 0x20 : b
                } else {
                    m[v] = 0
                }
            }
            return UnsafePointer(m)
        }
        return (table(upper: true), table(upper: false))
    }()

    /// Address class (`upper: true`) and free text (`upper: false`, case kept): keep letters, digits, blank and
    /// `# & ' ( ) , - . /`, remove the rest, collapse blanks, trim, cut at the width.
    public static func text(_ t: UnsafeBufferPointer<UInt8>, upperCase: Bool, width: Int,
                            out: UnsafeMutablePointer<UInt8>) -> TextOutcome {
        // Most values fit and need nothing but upper-casing: kept characters, single blanks between words. Those
        // are written through a byte table, one load a byte; anything else goes the general way below, which
        // writes the same bytes over the ones this loop wrote (up to the first byte it stopped at) and no others
        // but blanks (the slot is blank-filled).
        let n = t.count
        if n > 0 && n <= width && t[0] != 0x20 && t[n - 1] != 0x20 {
            let map = upperCase ? textBytes.address : textBytes.freeText
            var i = 0
            var previousBlank = false
            while i < n {
                let b = t[i]
                let m = map[Int(b)]
                if m == 0 || (previousBlank && b == 0x20) { break }
                previousBlank = b == 0x20
                out[i] = m
                i += 1
            }
            if i == n { return TextOutcome() }
        }
        var w = CollapsingWriter(out: out, width: width)
        var o = TextOutcome()
        for b in t {
            if isUpper(b) || isDigit(b) || isAddressPunct(b) {
                w.put(b)
            } else if isLower(b) {
                w.put(upperCase ? b &- 0x20 : b)
            } else if b == 0x20 {
                w.blank()
            } else {
                o.charsRemoved = true
            }
        }
        let (written, cut) = w.finish()
        o.truncated = cut
        o.empty = written == 0
        return o
    }

    // MARK: identifiers

    /// Identifier class: trimmed, printable ASCII without blanks, at most `width` (never cut).
    /// `t` is the unfolded preparation (non-ASCII is the marker). Returns false when invalid.
    public static func identifier(_ t: UnsafeBufferPointer<UInt8>, width: Int, out: UnsafeMutablePointer<UInt8>) -> Bool {
        let v = trimBlanks(t)
        let n = v.count
        if n > width { return false }
        guard n >= 8, let src = v.baseAddress else {
            for b in v where b < 0x21 || b > 0x7E { return false }
            for i in 0..<n { out[i] = v[i] }
            return true
        }
        // Eight bytes a step (three identifiers a record): the words checked first, then copied; the last word
        // is the one that ends the value (it overlaps the one before), so nothing outside `v` is read or written.
        let r = UnsafeRawPointer(src)
        var flags: UInt64 = 0
        var i = 0
        while i + 8 <= n {
            flags |= notIdentifierBytes(r.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n { flags |= notIdentifierBytes(r.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        if flags != 0 { return false }
        let o = UnsafeMutableRawPointer(out)
        i = 0
        while i + 8 <= n {
            o.storeBytes(of: r.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i < n {
            o.storeBytes(of: r.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
        }
        return true
    }

    /// Bit 7 of each byte of `w` outside 0x21...0x7E. Exact for every byte: no sum carries out of a byte.
    @inline(__always) static func notIdentifierBytes(_ w: UInt64) -> UInt64 {
        let t = w & 0x7F7F_7F7F_7F7F_7F7F
        let below21 = ~(t &+ 0x5F5F_5F5F_5F5F_5F5F)  // bit 7 clear in the sum: t < 0x21
        let is7F = t &+ 0x0101_0101_0101_0101  // bit 7 set: t == 0x7F
        return (w | below21 | is7F) & 0x8080_8080_8080_8080
    }

    // MARK: phone and zip

    /// Phone: digits before the first `x` (x, ext, extension) form the number; 11 digits starting with 1 drop the
    /// 1; 10 digits, first 2-9; up to 7 extension digits appended. False: blank + W_PHONE.
    public static func phone(_ t: UnsafeBufferPointer<UInt8>, width: Int, out: UnsafeMutablePointer<UInt8>) -> Bool {
        // Digits are collected straight into the output slot (main number, then extension); no allocation.
        var mainCount = 0, extCount = 0
        var inExt = false
        var mainDigits: UInt64 = 0  // the last 16 digits, 4 bits each
        var firstDigit: UInt8 = 0
        var secondDigit: UInt8 = 0
        var ext: UInt64 = 0
        for b in t {
            if !inExt && (b == 0x78 || b == 0x58) { inExt = true; continue }
            guard isDigit(b) else { continue }
            if inExt {
                if extCount < 16 { ext = (ext << 4) | UInt64(b - 0x30) }
                extCount += 1
            } else {
                if mainCount == 0 { firstDigit = b } else if mainCount == 1 { secondDigit = b }
                if mainCount < 16 { mainDigits = (mainDigits << 4) | UInt64(b - 0x30) }
                mainCount += 1
            }
        }
        var digits = mainDigits
        var count = mainCount
        var lead = firstDigit
        if count == 11 && firstDigit == 0x31 { count = 10; lead = secondDigit; digits &= (1 << 40) - 1 }
        guard count == 10, lead >= 0x32, extCount <= 7, count + extCount <= width else { return false }
        for i in 0..<10 { out[i] = 0x30 + UInt8((digits >> UInt64(4 * (9 - i))) & 0xF) }
        for i in 0..<extCount { out[10 + i] = 0x30 + UInt8((ext >> UInt64(4 * (extCount - 1 - i))) & 0xF) }
        return true
    }

    /// Zip: blanks and `-` removed; 5 or 9 digits. False: blank + W_ZIP.
    public static func zip(_ t: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<UInt8>) -> Bool {
        var n = 0
        for b in t {
            if b == 0x20 || b == 0x2D { continue }
            guard isDigit(b), n < 9 else {
                for i in 0..<n { out[i] = 0x20 }
                return false
            }
            out[n] = b
            n += 1
        }
        guard n == 5 || n == 9 else {
            for i in 0..<n { out[i] = 0x20 }
            return false
        }
        return true
    }

    // MARK: vaccine codes

    /// NDC: digits and `-`, at most 13 (at least one digit).
    public static func ndc(_ t: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<UInt8>) -> Bool {
        let v = trimBlanks(t)
        guard v.count >= 1, v.count <= 13 else { return false }
        var digit = false
        for b in v {
            if isDigit(b) { digit = true } else if b != 0x2D { return false }
        }
        guard digit else { return false }
        for i in 0..<v.count { out[i] = v[i] }
        return true
    }

    /// Exactly `min...max` ASCII digits (CPT: 5...5, CVX: 1...3).
    public static func digits(_ t: UnsafeBufferPointer<UInt8>, min: Int, max: Int, out: UnsafeMutablePointer<UInt8>) -> Bool {
        let v = trimBlanks(t)
        guard v.count >= min, v.count <= max else { return false }
        for b in v where !isDigit(b) { return false }
        for i in 0..<v.count { out[i] = v[i] }
        return true
    }

    /// Manufacturer (MVX-style): 1-4 letters or digits, written upper-case.
    public static func manufacturer(_ t: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<UInt8>) -> Bool {
        let v = trimBlanks(t)
        guard v.count >= 1, v.count <= 4 else { return false }
        for b in v where !(isDigit(b) || isUpper(b) || isLower(b)) { return false }
        for i in 0..<v.count { out[i] = upper(v[i]) }
        return true
    }
}
