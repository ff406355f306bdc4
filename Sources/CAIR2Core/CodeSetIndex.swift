// Code lookup: a code of the set (case-insensitive) or its description
// (compared after ASCII folding, upper-casing and collapsing blanks).

/// A lookup table for one code set, built once.
public final class CodeSetIndex: Sendable {
    public let id: CodeSetID
    /// The codes, as written.
    public let codes: [[UInt8]]
    private let byKey: [[UInt8]: Int]
    /// Codes (upper-case, at most 8 bytes) packed big-endian into a word, sorted, for the fast path.
    private let packed: [UInt64]
    private let packedIndex: [Int]

    init(_ id: CodeSetID) {
        self.id = id
        var codes: [[UInt8]] = []
        var byKey: [[UInt8]: Int] = [:]
        var extra: [(String, String)] = []
        switch id {
        case .patientType: extra = [("M", "Medi-Cal")]
        case .contact: extra = [("01", "1"), ("02", "2")]
        default: break
        }
        for (code, description) in id.entries + extra {
            let c = Array(code.utf8)
            var idx = codes.firstIndex(of: c) ?? -1
            if idx < 0 { codes.append(c); idx = codes.count - 1 }
            byKey[CodeSetIndex.key(Array(code.utf8))] = idx
            let d = CodeSetIndex.key(Array(description.utf8))
            if byKey[d] == nil { byKey[d] = idx }
        }
        self.codes = codes
        self.byKey = byKey
        var pairs: [(UInt64, Int)] = []
        for (i, c) in codes.enumerated() where c.count <= 8 {
            pairs.append((CodeSetIndex.pack(c.map(upper)), i))
        }
        pairs.sort { $0.0 < $1.0 }
        packed = pairs.map(\.0)
        packedIndex = pairs.map(\.1)
    }

    @inline(__always) static func pack<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var k: UInt64 = 0
        for b in bytes { k = (k << 8) | UInt64(upper(b)) }
        return k
    }

    /// Normalizes text for comparison: fold (input is UTF-8 here), upper-case, collapse and trim blanks.
    static func key(_ raw: [UInt8]) -> [UInt8] {
        var folded: [UInt8] = []
        raw.withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
        return keyOfPrepared(folded.withUnsafeBufferPointer { $0 })
    }

    @inline(__always)
    static func keyOfPrepared(_ t: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var k: [UInt8] = []
        k.reserveCapacity(t.count)
        var blank = false
        for b in t {
            if b == 0x20 { blank = !k.isEmpty; continue }
            if blank { k.append(0x20); blank = false }
            k.append(upper(b))
        }
        return k
    }

    /// The index of the code that prepared text names, or nil.
    public func lookup(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        // Fast path: an exact code (the common case) without building a key.
        let v = trimBlanks(t)
        if v.count >= 1 && v.count <= 8 {
            let k = CodeSetIndex.pack(v)
            var lo = 0, hi = packed.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                let m = packed[mid]
                if m == k { return packedIndex[mid] }
                if m < k { lo = mid &+ 1 } else { hi = mid }
            }
        }
        return byKey[CodeSetIndex.keyOfPrepared(t)]
    }

    public static let all: [CodeSetID: CodeSetIndex] = {
        var d: [CodeSetID: CodeSetIndex] = [:]
        for id in CodeSetID.allCases { d[id] = CodeSetIndex(id) }
        return d
    }()

    public static func of(_ id: CodeSetID) -> CodeSetIndex { all[id]! }
}

/// The yes/no words (PRODUCT.md §3): Y/YES/TRUE/1 and N/NO/FALSE/0, case-insensitive.
public enum YesNo {
    /// true for yes, false for no, nil for anything else.
    public static func parse(_ t: UnsafeBufferPointer<UInt8>) -> Bool? {
        let v = trimBlanks(t)
        var k: UInt64 = 0
        guard v.count >= 1, v.count <= 5 else { return nil }
        for b in v { k = (k << 8) | UInt64(upper(b)) }
        switch k {
        case 0x59, 0x594553, 0x54525545, 0x31: return true  // Y YES TRUE 1
        case 0x4E, 0x4E4F, 0x46414C5345, 0x30: return false  // N NO FALSE 0
        default: return nil
        }
    }
}
