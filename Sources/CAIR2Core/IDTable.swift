// An open-addressing hash table keyed by identifiers, for the duplicate-id
// check and the patient index of a run: one entry per patient, so its size
// is what bounds memory on the largest extracts (Medi-Cal: ~15 million).
//
// A slot is 24 bytes: the identifier itself when it has at most 15 bytes
// (the usual case: 16 bytes, length in the top byte), else a 64-bit hash and
// the index of the full identifier in a side array; plus a 64-bit value.
// The table grows at 70% load by about 1.6x, not doubling, so it stays
// between ~34 and ~55 bytes a patient. Swift's Dictionary would hash with
// SipHash and store 48+ bytes a slot at a lower load.

/// Maps `IDKey` to a 64-bit value.
public struct IDTable: Sendable {
    private var k0: [UInt64]
    private var k1: [UInt64]   // 0: empty slot
    private var values: [UInt64]
    private var long: [IDKey] = []
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 1024) {
        let n = max(16, capacity + capacity / 2)
        self.capacity = n
        k0 = [UInt64](repeating: 0, count: n)
        k1 = [UInt64](repeating: 0, count: n)
        values = [UInt64](repeating: 0, count: n)
    }

    @inline(__always) static func hash(_ k: IDKey) -> UInt64 {
        var h = k.a &* 0x9E37_79B9_7F4A_7C15
        h ^= k.b &* 0xC2B2_AE3D_27D4_EB4F
        h ^= k.c &* 0x1656_67B1_9E37_79F9
        h ^= k.d &* 0x27D4_EB2F_1656_67C5
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    /// Bytes in the identifier (identifiers hold no NUL).
    @inline(__always) static func length(_ k: IDKey) -> Int {
        func bytes(_ w: UInt64) -> Int { w == 0 ? 0 : 8 - w.leadingZeroBitCount / 8 }
        if k.d != 0 { return 24 + bytes(k.d) }
        if k.c != 0 { return 16 + bytes(k.c) }
        if k.b != 0 { return 8 + bytes(k.b) }
        return bytes(k.a)
    }

    /// The slot words of a short identifier (at most 15 bytes), or nil for a long one.
    @inline(__always) static func shortWords(_ k: IDKey) -> (UInt64, UInt64)? {
        let n = length(k)
        guard n <= 15 else { return nil }
        return (k.a, (k.b & 0x00FF_FFFF_FFFF_FFFF) | (UInt64(n) << 56))
    }

    /// Maps a hash onto 0..<capacity without a division.
    @inline(__always) func home(_ h: UInt64) -> Int {
        Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// The slot holding `key`, or the empty slot where it would go (found == false).
    @inline(__always)
    private func probe(_ key: IDKey, _ h: UInt64, _ short: (UInt64, UInt64)?) -> (Int, Bool) {
        var i = home(h)
        while true {
            let w1 = k1[i]
            if w1 == 0 { return (i, false) }
            if let (s0, s1) = short {
                if w1 == s1 && k0[i] == s0 { return (i, true) }
            } else if w1 >> 56 == 0xFF && k0[i] == h && long[Int(w1 & 0x00FF_FFFF_FFFF_FFFF)] == key {
                return (i, true)
            }
            i += 1
            if i == capacity { i = 0 }
        }
    }

    private mutating func place(_ i: Int, _ key: IDKey, _ h: UInt64, _ short: (UInt64, UInt64)?, _ value: UInt64) {
        if let (s0, s1) = short {
            k0[i] = s0
            k1[i] = s1
        } else {
            k0[i] = h
            k1[i] = (0xFF << 56) | UInt64(long.count)
            long.append(key)
        }
        values[i] = value
        count += 1
    }

    /// Inserts `key` with `value` unless present. Returns true when inserted.
    @discardableResult
    public mutating func insert(_ key: IDKey, value: UInt64 = 0) -> Bool {
        if (count + 1) * 10 > capacity * 7 { grow() }
        let h = IDTable.hash(key)
        let short = IDTable.shortWords(key)
        let (i, found) = probe(key, h, short)
        if found { return false }
        place(i, key, h, short, value)
        return true
    }

    public func find(_ key: IDKey) -> UInt64? {
        let (i, found) = probe(key, IDTable.hash(key), IDTable.shortWords(key))
        return found ? values[i] : nil
    }

    /// The identifier stored in slot `i`.
    private func key(at i: Int) -> IDKey {
        let w1 = k1[i]
        if w1 >> 56 == 0xFF { return long[Int(w1 & 0x00FF_FFFF_FFFF_FFFF)] }
        var k = IDKey()
        k.a = k0[i]
        k.b = w1 & 0x00FF_FFFF_FFFF_FFFF
        return k
    }

    private mutating func grow() {
        var bigger = IDTable(capacity: capacity)  // 1.5x the slots
        for i in 0..<capacity where k1[i] != 0 { bigger.insert(key(at: i), value: values[i]) }
        self = bigger
    }
}
