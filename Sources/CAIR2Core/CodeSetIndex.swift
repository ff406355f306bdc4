// Code lookup: a code of the set (case-insensitive) or its description
// (compared after ASCII folding, upper-casing and collapsing blanks).

/// A lookup table for one code set, built once.
public final class CodeSetIndex: Sendable {
    /// The spec's code set this indexes (nil: a table loaded at run time, such as the CDC's MVX codes).
    public let id: CodeSetID?
    /// The codes, as written.
    public let codes: [[UInt8]]
    private let byKey: [[UInt8]: Int]
    /// Codes (upper-case, at most 8 bytes) packed big-endian into a word, sorted, for the fast path.
    private let packed: [UInt64]
    private let packedIndex: [Int]
    /// Per code: its bytes packed big-endian, and its length.
    private let packedByIndex: [(UInt64, Int)]
    /// FNV-1a hash of each key (code or description, normalized) -> (code index, key), for the slow path
    /// without allocation.
    private let byHash: [UInt64: (Int, [UInt8])]

    convenience init(_ id: CodeSetID) {
        var extra: [(String, String)] = []
        switch id {
        case .patientType: extra = [("M", "Medi-Cal")]
        case .contact: extra = [("01", "1"), ("02", "2")]
        // The HL7 VFC codes the spec's table names beside each letter (§3c).
        case .vaccineEligibility: extra = [("B", "V01"), ("M", "V02"), ("N", "V03"), ("A", "V04"), ("F", "V05"), ("O", "V07")]
        default: break
        }
        self.init(id: id, entries: id.entries + extra)
    }

    /// An index of (code, description) rows: a code matches case-insensitively, a description after folding,
    /// upper-casing and collapsing blanks. The first row of a code or description wins. Codes have 1-8 bytes.
    public init(id: CodeSetID?, entries: [(code: String, description: String)]) {
        self.id = id
        var codes: [[UInt8]] = []
        var byKey: [[UInt8]: Int] = [:]
        for (code, description) in entries {
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
        var byHash: [UInt64: (Int, [UInt8])] = [:]
        for (k, v) in byKey {
            let h = k.withUnsafeBufferPointer { CodeSetIndex.fnv($0) }
            if byHash[h] == nil { byHash[h] = (v, k) }
        }
        self.byHash = byHash
        // Every code of the spec has at most 8 bytes (the longest, DPERM10-14, has 7).
        precondition(codes.allSatisfy { $0.count >= 1 && $0.count <= 8 }, "a code of 1-8 bytes in \(String(describing: id))")
        packedByIndex = codes.map { c in (CodeSetIndex.pack(c), c.count) }
        packed = pairs.map(\.0)
        packedIndex = pairs.map(\.1)
    }

    @inline(__always) static func fnv(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return h
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

    /// Writes code `i` into `slot` when it fits `width` (DPERM10-14 do not fit the comment field's 6).
    @inline(__always)
    public func writeCode(_ i: Int, into slot: UnsafeMutablePointer<UInt8>, width: Int) -> Bool {
        let (word, n) = packedByIndex[i]
        guard n <= width else { return false }
        for k in 0..<n { slot[k] = UInt8(truncatingIfNeeded: word >> UInt64(8 * (n - 1 - k))) }
        return true
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
        // Descriptions: build the key on the stack, hash it, confirm the bytes.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: t.count + 1) { buf -> Int? in
            var n = 0
            var blank = false
            for b in t {
                if b == 0x20 { blank = n > 0; continue }
                if blank { buf[n] = 0x20; n += 1; blank = false }
                buf[n] = upper(b); n += 1
            }
            let key = UnsafeBufferPointer(rebasing: buf[0..<n])
            guard let (idx, stored) = byHash[CodeSetIndex.fnv(key)] else { return nil }
            if stored.count == n && stored.withUnsafeBufferPointer({ memEqual($0, key) }) { return idx }
            return byKey[Array(key)]
        }
    }

    /// The index of every CAIR2 code set, built once on first use.
    public static let all: [CodeSetID: CodeSetIndex] = {
        var d: [CodeSetID: CodeSetIndex] = [:]
        for id in CodeSetID.allCases { d[id] = CodeSetIndex(id) }
        return d
    }()

    /// The index of the code set `id`.
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

@inline(__always) func memEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] { return false }
    return true
}
