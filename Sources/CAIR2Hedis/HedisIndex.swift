#if canImport(Glibc)
import Glibc
#endif
// Byte-level lookups for `cair2 hedis`'s per-line path: the eligible members' ids and the registry doses'
// (CPT, vaccine group) pairs, found without making a String per line of the return files.

import CAIR2Core
import CAIR2Measures

/// The eligible members' ids (HP Member ID bytes) -> member index, an open-addressing table over one byte pool.
/// Filled with `append` in member order, then `build()`; `lookup` is valid after `build()`.
struct MemberIDIndex {
    private var pool: [UInt8] = []
    /// Id k is `pool[offsets[k] ..< offsets[k + 1]]`.
    private var offsets: [Int] = [0]
    /// Member index + 1 per slot (0: empty); a power of two at least twice the count.
    private var slots: [Int32] = []
    private var mask = 0

    var count: Int { offsets.count - 1 }

    mutating func append(_ id: UnsafeBufferPointer<UInt8>) {
        pool.append(contentsOf: id)
        offsets.append(pool.count)
    }

    mutating func build() {
        var size = 16
        while size < count * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        pool.withUnsafeBufferPointer { p in
            for k in 0..<count {
                let id = UnsafeBufferPointer(rebasing: p[offsets[k]..<offsets[k + 1]])
                var s = Int(truncatingIfNeeded: MemberIDIndex.hash(id)) & mask
                while slots[s] != 0 { s = (s + 1) & mask }
                slots[s] = Int32(k + 1)
            }
        }
    }

    /// The member index of `id`, or nil.
    @inline(__always)
    func lookup(_ id: UnsafeBufferPointer<UInt8>) -> Int? {
        if slots.isEmpty { return nil }
        var s = Int(truncatingIfNeeded: MemberIDIndex.hash(id)) & mask
        return slots.withUnsafeBufferPointer { sl in
            pool.withUnsafeBufferPointer { p in
                offsets.withUnsafeBufferPointer { o in
                    while true {
                        let v = Int(sl[s])
                        if v == 0 { return nil }
                        let k = v - 1
                        let start = o[k], n = o[k + 1] - start
                        if n == id.count && (n == 0 || memcmp(p.baseAddress! + start, id.baseAddress!, n) == 0) { return k }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    func lookup(_ id: String) -> Int? {
        var id = id
        return id.withUTF8 { lookup($0) }
    }

    /// A 64-bit hash of a short byte string: 8-byte words multiplied and folded.
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = b.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            var tail: UInt64 = 0
            while i < n { tail = tail << 8 | UInt64(base[i]); i += 1 }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

/// The value-set answer for a registry dose's (CPT, vaccine group) pair, computed once per distinct pair.
struct RegistryProductCache {
    struct Key: Hashable {
        var cpt: UInt64
        var group0: UInt64
        var group1: UInt64
        var lengths: UInt16
    }
    struct Entry {
        var products: ProductSet
        /// The label `uncounted_registry_doses` counts the dose under (ValueSets.codeKey of the group).
        var groupKey: String
    }

    let valueSets: ValueSets
    let measure: Measure
    private var entries: [Key: Entry] = [:]

    init(valueSets: ValueSets, measure: Measure) {
        self.valueSets = valueSets
        self.measure = measure
    }

    /// Trimmed CPT (at most 8 bytes: the field is 5) and group (at most 16 bytes: the field's width) bytes.
    @inline(__always)
    mutating func entry(cpt: UnsafeBufferPointer<UInt8>, group: UnsafeBufferPointer<UInt8>) -> Entry {
        guard cpt.count <= 8, group.count <= 16 else { return compute(cpt, group) }
        var key = Key(cpt: 0, group0: 0, group1: 0, lengths: UInt16(cpt.count) | UInt16(group.count) << 8)
        for (k, b) in cpt.enumerated() { key.cpt |= UInt64(b) << (8 * UInt64(k)) }
        for (k, b) in group.enumerated() {
            if k < 8 { key.group0 |= UInt64(b) << (8 * UInt64(k)) } else { key.group1 |= UInt64(b) << (8 * UInt64(k - 8)) }
        }
        if let e = entries[key] { return e }
        let e = compute(cpt, group)
        entries[key] = e
        return e
    }

    private func compute(_ cpt: UnsafeBufferPointer<UInt8>, _ group: UnsafeBufferPointer<UInt8>) -> Entry {
        let g = String(decoding: group, as: UTF8.self)
        return Entry(products: valueSets.registryProducts(measure, cpt: String(decoding: cpt, as: UTF8.self), group: g),
                     groupKey: ValueSets.codeKey(g))
    }
}
