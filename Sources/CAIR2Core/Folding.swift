// Text decoding and ASCII folding (PRODUCT.md §3, "ASCII folding", and §3a).
//
// A field's raw bytes are decoded to Unicode scalars in the run's encoding
// (UTF-8, cp1252 or Latin-1), then folded to ASCII one scalar at a time:
//   - whitespace (Python's str.isspace set: tab, CR, LF, VT, FF, 0x1C-0x1F,
//     NEL, NBSP, the U+2000 spaces, ...) becomes a blank;
//   - typographic apostrophes and dashes become ' and -;
//   - the special letters (ß, Æ, Ø, Ł, Þ, ı, ...) become their ASCII spelling;
//   - any scalar whose canonical decomposition begins with an ASCII letter
//     becomes that letter; a lone combining mark is dropped;
//   - anything else is unmappable and is written as the marker byte 0xFF,
//     which every value class treats as an invalid or removable character.
// The tables behind the last two rules are generated (FoldingTables.swift).

/// The encodings `--encoding` accepts.
public enum TextEncoding: String, Sendable, CaseIterable {
    /// UTF-8 (the default), strict: a sequence that is not valid UTF-8 is an encoding error (`E_ENCODING`).
    case utf8 = "utf8"
    /// Windows-1252; its five undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) are an encoding error.
    case cp1252 = "cp1252"
    /// ISO-8859-1 (Latin-1): every byte is a character.
    case latin1 = "latin1"
}

/// The byte folded text uses for a character no folding rule maps.
public let unmappableByte: UInt8 = 0xFF

/// cp1252's 0x80-0x9F; 0 marks the five undefined bytes.
@usableFromInline let cp1252High: [UInt32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
]

/// Decoding a field's bytes in the run's encoding and folding them to ASCII (PRODUCT.md §3, "ASCII folding").
public enum Folding {
    /// True for the ASCII bytes Python's str.isspace accepts.
    @inlinable @inline(__always)
    public static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)
    }

    /// Checks that `raw` decodes in `encoding` (invalid UTF-8, or cp1252's undefined bytes, do not).
    public static func isDecodable(_ raw: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding) -> Bool {
        switch encoding {
        case .latin1:
            return true
        case .cp1252:
            for b in raw where b >= 0x80 && b <= 0x9F && cp1252High[Int(b - 0x80)] == 0 { return false }
            return true
        case .utf8:
            var i = 0
            let n = raw.count
            while i < n {
                let b = raw[i]
                if b < 0x80 { i += 1; continue }
                guard let (_, len) = decodeUTF8(raw, at: i) else { return false }
                i += len
            }
            return true
        }
    }

    /// Decodes one UTF-8 sequence strictly (no overlongs, surrogates or values past U+10FFFF).
    @inlinable
    public static func decodeUTF8(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let n = p.count
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard k < n else { return nil }
            let c = p[k]
            return (c & 0xC0) == 0x80 ? UInt32(c & 0x3F) : nil
        }
        if b0 >= 0xC2 && b0 <= 0xDF {
            guard let c1 = cont(i + 1) else { return nil }
            return (((b0 & 0x1F) << 6) | c1, 2)
        }
        if b0 >= 0xE0 && b0 <= 0xEF {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2) else { return nil }
            let v = ((b0 & 0x0F) << 12) | (c1 << 6) | c2
            if v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) { return nil }
            return (v, 3)
        }
        if b0 >= 0xF0 && b0 <= 0xF4 {
            guard let c1 = cont(i + 1), let c2 = cont(i + 2), let c3 = cont(i + 3) else { return nil }
            let v = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            if v < 0x10000 || v > 0x10FFFF { return nil }
            return (v, 4)
        }
        return nil
    }

    /// Appends the ASCII folding of `raw` (already known to be decodable) to `out`.
    /// With `fold` false (identifiers are never folded) every non-space, non-ASCII scalar
    /// becomes the unmappable marker.
    public static func fold(_ raw: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding, fold: Bool = true,
                            into out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            if b < 0x80 {
                // The grave accent is in the contract's list of apostrophes and accents that become `'`.
                out.append(isASCIISpace(b) ? 0x20 : (b == 0x60 && fold ? 0x27 : b))
                i += 1
                continue
            }
            let scalar: UInt32
            switch encoding {
            case .latin1:
                scalar = UInt32(b); i += 1
            case .cp1252:
                scalar = b <= 0x9F ? cp1252High[Int(b - 0x80)] : UInt32(b); i += 1
            case .utf8:
                guard let (v, len) = decodeUTF8(raw, at: i) else { out.append(unmappableByte); i += 1; continue }
                scalar = v; i += len
            }
            if fold {
                foldScalar(scalar, into: &out)
            } else {
                out.append(isUnicodeSpace(scalar) ? 0x20 : unmappableByte)
            }
        }
    }

    /// True for the non-ASCII scalars Python's str.isspace accepts (NEL, NBSP, the U+2000 spaces, ...).
    public static func isUnicodeSpace(_ s: UInt32) -> Bool {
        unicodeSpaceScalars.contains(s)
    }

    /// Folds one non-ASCII scalar (PRODUCT.md §3), appending 0, 1 or 2 bytes.
    public static func foldScalar(_ s: UInt32, into out: inout [UInt8]) {
        switch s {
        case 0x2019, 0x2018, 0x02BC, 0x02BB, 0x00B4: out.append(UInt8(ascii: "'")); return
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014: out.append(UInt8(ascii: "-")); return
        case 0x00DF: out.append(contentsOf: [0x73, 0x73])  // ß ss
        case 0x1E9E: out.append(contentsOf: [0x53, 0x53])  // ẞ SS
        case 0x00C6: out.append(contentsOf: [0x41, 0x45])  // Æ AE
        case 0x00E6: out.append(contentsOf: [0x61, 0x65])  // æ ae
        case 0x0152: out.append(contentsOf: [0x4F, 0x45])  // Œ OE
        case 0x0153: out.append(contentsOf: [0x6F, 0x65])  // œ oe
        case 0x00D8: out.append(0x4F)  // Ø O
        case 0x00F8: out.append(0x6F)  // ø o
        case 0x0141: out.append(0x4C)  // Ł L
        case 0x0142: out.append(0x6C)  // ł l
        case 0x0110, 0x00D0: out.append(0x44)  // Đ Ð D
        case 0x0111, 0x00F0: out.append(0x64)  // đ ð d
        case 0x00DE: out.append(contentsOf: [0x54, 0x48])  // Þ TH
        case 0x00FE: out.append(contentsOf: [0x74, 0x68])  // þ th
        case 0x0131: out.append(0x69)  // ı i
        case 0x0126: out.append(0x48)  // Ħ H
        case 0x0127: out.append(0x68)  // ħ h
        case 0x0166: out.append(0x54)  // Ŧ T
        case 0x0167: out.append(0x74)  // ŧ t
        default:
            if isUnicodeSpace(s) { out.append(0x20); return }
            if let letter = nfdLetter(s) { out.append(letter); return }
            if isCombiningMark(s) { return }
            out.append(unmappableByte)
        }
    }

    @inlinable static func nfdLetter(_ s: UInt32) -> UInt8? {
        var lo = 0, hi = foldLetterScalars.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = foldLetterScalars[mid]
            if v == s { return foldLetterValues[mid] }
            if v < s { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    @inlinable static func isCombiningMark(_ s: UInt32) -> Bool {
        var lo = 0, hi = combiningMarkRanges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let r = combiningMarkRanges[mid]
            if s < r.0 { hi = mid } else if s > r.1 { lo = mid + 1 } else { return true }
        }
        return false
    }
}
