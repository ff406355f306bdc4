// Reading a JSON document into a tree of values: the mapping file (`--map`) and the summary.json of an earlier
// run. Foundation's `JSONSerialization` did this before; FoundationEssentials has only `JSONDecoder`, which
// cannot tell `1` from `1.0` (the mapping file takes a number where a string is expected and uses its text as
// `NSNumber.stringValue` gave it). This reads what `JSONSerialization` read, trailing commas included, and
// gives numbers the same text.

import FoundationEssentials  // Decimal, for numbers of more than 17 characters, as JSONSerialization made them

/// A parsed JSON value. Numbers keep their text.
package enum JSONValue: Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The document in `bytes` (UTF-8, UTF-16 or UTF-32, with or without a byte order mark), whose top level
    /// must be an object or an array; nil when it is not JSON. As `JSONSerialization`: a key given twice keeps
    /// its last value, a comma may follow the last member or element, nesting deeper than 512 is refused, and so
    /// is a number that is not finite as a `Double`.
    package static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let utf8 = transcodedToUTF8(bytes) else { return nil }
        var reader = JSONReader(bytes: utf8)
        guard let value = reader.document() else { return nil }
        switch value {
        case .object, .array: return value.numbersRepresentable ? value : nil
        default: return nil
        }
    }

    private var numbersRepresentable: Bool {
        switch self {
        case .object(let o): return o.values.allSatisfy(\.numbersRepresentable)
        case .array(let a): return a.allSatisfy(\.numbersRepresentable)
        case .number(let text): return JSONValue.foundationNumberText(text) != nil
        default: return true
        }
    }

    /// A value where a string is expected, as `as? String ?? (as? NSNumber)?.stringValue` read it: a string as
    /// is, a number as Foundation printed it (`1`, `1.0`, `100.0` for `1e2`, `1e-07`), `true` and `false` as
    /// `1` and `0`; nil for anything else.
    package var stringOrNumberText: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "1" : "0"
        case .number(let text): return JSONValue.foundationNumberText(text)
        default: return nil
        }
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// An object whose values are all strings (`as? [String: String]`).
    package var stringDictionary: [String: String]? {
        guard let o = objectValue else { return nil }
        let strings = o.compactMapValues(\.stringValue)
        return strings.count == o.count ? strings : nil
    }

    /// An array of strings only (`as? [String]`).
    package var stringArray: [String]? {
        guard let a = arrayValue else { return nil }
        let strings = a.compactMap(\.stringValue)
        return strings.count == a.count ? strings : nil
    }

    /// An array of objects only (`as? [[String: Any]]`).
    package var objectArray: [[String: JSONValue]]? {
        guard let a = arrayValue else { return nil }
        let objects = a.compactMap(\.objectValue)
        return objects.count == a.count ? objects : nil
    }

    /// `NSNumber.stringValue` of the number `JSONSerialization` made of `text` (JSON number text), nil where it
    /// made none. Its rules: text without `.` and `e` (an `E` does not count) that fits 64 bits is an integer;
    /// else text of more than 17 characters before the `e` whose exponent fits a `Decimal` is a `Decimal`;
    /// else a finite `Double` (printed as Swift prints it: `100.0`, `1e-07`, `1e+16`).
    package static func foundationNumberText(_ text: String) -> String? {
        let beforeExponent = text.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        let count = beforeExponent[0].count
        if beforeExponent.count == 1 && !text.contains(".") {
            if text.hasPrefix("-") {
                if count <= 19, let i = Int64(text) { return i.description }
            } else if count <= 20, let u = UInt64(text) {
                return u.description
            }
        }
        let exponent = beforeExponent.count == 2 ? Int(beforeExponent[1]) ?? 0 : 0
        if count > 17, exponent >= -128, exponent <= 127, let d = Decimal(string: text), d.isFinite {
            return d.description
        }
        if let d = Double(text), d.isFinite { return d.description }
        return nil
    }

    /// The bytes as UTF-8: a byte order mark is dropped, UTF-16 and UTF-32 (told by their BOM or by the zero bytes
    /// of the first characters, as JSON's first characters are ASCII) are converted; nil if they do not decode.
    private static func transcodedToUTF8(_ b: [UInt8]) -> [UInt8]? {
        enum Form { case utf8, utf16(big: Bool), utf32(big: Bool) }
        var form = Form.utf8
        var skip = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { skip = 3 }
        else if b.count >= 4, b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF { form = .utf32(big: true); skip = 4 }
        else if b.count >= 4, b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 { form = .utf32(big: false); skip = 4 }
        else if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { form = .utf16(big: false); skip = 2 }
        else if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { form = .utf16(big: true); skip = 2 }
        else if b.count >= 4 {
            switch (b[0], b[1], b[2], b[3]) {
            case (0, 0, 0, _): form = .utf32(big: true)
            case (_, 0, 0, 0): form = .utf32(big: false)
            case (0, _, 0, _): form = .utf16(big: true)
            case (_, 0, _, 0): form = .utf16(big: false)
            default: break
            }
        } else if b.count >= 2 {
            if b[0] == 0 { form = .utf16(big: true) } else if b[1] == 0 { form = .utf16(big: false) }
        }
        let body = b[skip...]
        switch form {
        case .utf8:
            return Array(body)
        case .utf16(let big):
            guard body.count % 2 == 0 else { return nil }
            var units: [UInt16] = []
            units.reserveCapacity(body.count / 2)
            var i = body.startIndex
            while i < body.endIndex {
                let (x, y) = (UInt16(body[i]), UInt16(body[i + 1]))
                units.append(big ? x << 8 | y : y << 8 | x)
                i += 2
            }
            guard let s = String(validating: units, as: UTF16.self) else { return nil }
            return Array(s.utf8)
        case .utf32(let big):
            guard body.count % 4 == 0 else { return nil }
            var scalars = String.UnicodeScalarView()
            var i = body.startIndex
            while i < body.endIndex {
                let q = (0..<4).map { UInt32(body[i + $0]) }
                let v = big ? q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3] : q[3] << 24 | q[2] << 16 | q[1] << 8 | q[0]
                guard let u = Unicode.Scalar(v) else { return nil }
                scalars.append(u)
                i += 4
            }
            return Array(String(scalars).utf8)
        }
    }
}

/// A strict RFC 8259 reader over UTF-8 bytes.
private struct JSONReader {
    package let bytes: [UInt8]
    package var i = 0
    package var depth = 0

    package init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() -> JSONValue? {
        skipSpace()
        guard let v = value() else { return nil }
        skipSpace()
        return i == bytes.count ? v : nil
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    }

    mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        i += w.count
        return true
    }

    mutating func value() -> JSONValue? {
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return number()
        }
    }

    mutating func object() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        i += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace()
            guard let v = value() else { return nil }
            members[key] = v
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                continue
            }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            return nil
        }
    }

    mutating func array() -> JSONValue? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { return nil }
        i += 1
        var elements: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
        while true {
            skipSpace()
            guard let v = value() else { return nil }
            elements.append(v)
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
                continue
            }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            return nil
        }
    }

    /// A string from its opening quote; escapes decoded, the bytes must be valid UTF-8 without control characters.
    mutating func string() -> String? {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(validating: out, as: UTF8.self)
            }
            if b < 0x20 { return nil }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let u = hex4() else { return nil }
                var scalar: Unicode.Scalar?
                if (0xD800..<0xDC00).contains(u) {
                    guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = Unicode.Scalar(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    scalar = Unicode.Scalar(u)
                }
                guard let s = scalar else { return nil }
                out.append(contentsOf: String(Character(s)).utf8)
            default:
                return nil
            }
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for b in bytes[i..<(i + 4)] {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        i += 4
        return v
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func number() -> JSONValue? {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return nil }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }
}
