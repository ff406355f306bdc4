// An open-addressing hash table keyed by packed identifiers, for the
// duplicate-id set and the patient index of a run (millions of entries).
// Swift's Dictionary hashes with SipHash; identifiers here are not attacker
// controlled in a way that matters (a slow run, never a wrong one), so a
// multiply-xor hash is enough and several times faster.

/// Maps `IDKey` to a 64-bit value. An all-zero key is the empty slot (identifiers are never empty).
public struct IDTable: Sendable {
    private var keys: [IDKey]
    private var values: [UInt64]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = [IDKey](repeating: IDKey(), count: n)
        values = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    @inline(__always) static func hash(_ k: IDKey) -> Int {
        var h = k.a &* 0x9E37_79B9_7F4A_7C15
        h ^= k.b &* 0xC2B2_AE3D_27D4_EB4F
        h ^= k.c &* 0x1656_67B1_9E37_79F9
        h ^= k.d &* 0x27D4_EB2F_1656_67C5
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// Inserts `key` with `value` unless present. Returns true when inserted.
    @discardableResult
    public mutating func insert(_ key: IDKey, value: UInt64 = 0) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        var i = IDTable.hash(key) & mask
        while true {
            let k = keys[i]
            if k.a == 0 {
                keys[i] = key
                values[i] = value
                count += 1
                return true
            }
            if k == key { return false }
            i = (i &+ 1) & mask
        }
    }

    /// Sets the value of `key`, inserting it when absent.
    public mutating func set(_ key: IDKey, value: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = IDTable.hash(key) & mask
        while true {
            let k = keys[i]
            if k.a == 0 { keys[i] = key; values[i] = value; count += 1; return }
            if k == key { values[i] = value; return }
            i = (i &+ 1) & mask
        }
    }

    public func find(_ key: IDKey) -> UInt64? {
        var i = IDTable.hash(key) & mask
        while true {
            let k = keys[i]
            if k.a == 0 { return nil }
            if k == key { return values[i] }
            i = (i &+ 1) & mask
        }
    }

    public func contains(_ key: IDKey) -> Bool { find(key) != nil }

    private mutating func grow() {
        var bigger = IDTable(capacity: keys.count)
        for i in 0..<keys.count where keys[i].a != 0 { bigger.insert(keys[i], value: values[i]) }
        self = bigger
    }
}
