// An open-addressing hash table keyed by identifiers, for the duplicate-id
// check and the patient index of a run: one entry per patient.
//
// A slot is 24 bytes, one array of them so a probe touches one cache line: the
// identifier itself when it has at most 15 bytes (the usual case: 16 bytes,
// length in the top byte), else a 64-bit hash and the index of the full
// identifier in a side array; plus a 64-bit value. The table grows at 70% load
// by 1.5x, not doubling, so it stays between ~34 and ~55 bytes a patient.
// Swift's Dictionary would hash with SipHash and store 48+ bytes a slot.
//
// Linear probing never wraps around: a key's home is `hash * capacity >> 64`
// (monotone in the hash) and the array has `pad` slots past the last home. So
// every cluster of occupied slots holds only keys whose homes lie inside it,
// and clusters in slot order are in hash order: `forEachInHashOrder` sorts one
// cluster at a time, which is how `SpillingIDTable` writes a sorted run
// without a second copy of the table. A probe that runs off the end (never
// seen in practice) counts as "full": the table grows, or its owner spills.

/// Maps `IDKey` to a 64-bit value.
public struct IDTable: Sendable {
    struct Slot {
        var k0: UInt64 = 0
        var k1: UInt64 = 0  // 0: empty slot
        var value: UInt64 = 0
    }
    private var slots: [Slot]
    private var long: [IDKey] = []
    /// Homes lie in 0..<capacity; slots.count == capacity + pad.
    private(set) var capacity: Int
    /// The most slots a grow may reach (the owner spills past it).
    let maxCapacity: Int
    /// Entries held.
    public private(set) var count = 0

    static let pad = 256

    /// A table for about `capacity` entries that grows as needed.
    public init(capacity: Int = 1024) {
        self.init(capacity: capacity, maxCapacity: Int.max)
    }

    /// What the owner does with the memory of a large new slot array before its first write (see
    /// `SpillStorage.tableMemoryAdvice`): the start and the byte count of the array.
    public typealias MemoryAdvice = @Sendable (UnsafeMutableRawPointer, Int) -> Void
    let advice: MemoryAdvice?

    /// A table for about `capacity` entries that grows up to `maxCapacity` slots, then reports itself full.
    init(capacity: Int, maxCapacity: Int, advice: MemoryAdvice? = nil) {
        let n = min(max(16, capacity + capacity / 2), max(16, maxCapacity))
        self.capacity = n
        self.maxCapacity = max(16, maxCapacity)
        self.advice = advice
        slots = IDTable.emptySlots(n + IDTable.pad, advice)
    }

    /// `count` empty slots; an array of 4 MiB or more gets the advice before its pages are first written.
    static func emptySlots(_ count: Int, _ advice: MemoryAdvice?) -> [Slot] {
        guard let advice, count * MemoryLayout<Slot>.stride >= 4 << 20 else {
            return [Slot](repeating: Slot(), count: count)
        }
        return [Slot](unsafeUninitializedCapacity: count) { buffer, initialized in
            advice(UnsafeMutableRawPointer(buffer.baseAddress!), count * MemoryLayout<Slot>.stride)
            buffer.baseAddress!.initialize(repeating: Slot(), count: count)
            initialized = count
        }
    }

    /// Bytes a slot takes.
    static var slotBytes: Int { MemoryLayout<Slot>.stride }

    /// The table's hash of an identifier (workers compute it beside the record, so the merge only probes).
    @inlinable @inline(__always) public static func hash(_ k: IDKey) -> UInt64 {
        var h = k.a &* 0x9E37_79B9_7F4A_7C15
        h ^= k.b &* 0xC2B2_AE3D_27D4_EB4F
        h ^= k.c &* 0x1656_67B1_9E37_79F9
        h ^= k.d &* 0x27D4_EB2F_1656_67C5
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    /// The slot words of a short identifier (at most 15 bytes), or nil for a long one.
    @inline(__always) static func shortWords(_ k: IDKey) -> (UInt64, UInt64)? {
        let n = k.count
        guard n <= 15 else { return nil }
        return (k.a, (k.b & 0x00FF_FFFF_FFFF_FFFF) | (UInt64(n) << 56))
    }

    /// Maps a hash onto 0..<capacity without a division (monotone in the hash).
    @inline(__always) func home(_ h: UInt64) -> Int {
        Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// The slot holding `key`, or the empty slot where it would go (found == false); `slots.count` when the
    /// probe ran off the end.
    @inline(__always)
    func probe(_ key: IDKey, _ h: UInt64, _ short: (UInt64, UInt64)?) -> (Int, Bool) {
        slots.withUnsafeBufferPointer { s in
            var i = home(h)
            let end = s.count
            while i < end {
                let w1 = s[i].k1
                if w1 == 0 { return (i, false) }
                if let (s0, s1) = short {
                    if w1 == s1 && s[i].k0 == s0 { return (i, true) }
                } else if w1 >> 56 == 0xFF && s[i].k0 == h && long[Int(w1 & 0x00FF_FFFF_FFFF_FFFF)] == key {
                    return (i, true)
                }
                i += 1
            }
            return (end, false)
        }
    }

    /// True when one more entry needs a grow (or, at `maxCapacity`, a spill).
    @inline(__always) var atThreshold: Bool { (count + 1) * 10 > capacity * 7 }

    /// Slots in the array (homes and the pad past them).
    var slotCount: Int { capacity + IDTable.pad }

    /// True while a grow would add slots.
    var canGrow: Bool { capacity < maxCapacity }

    mutating func place(_ i: Int, _ key: IDKey, _ h: UInt64, _ short: (UInt64, UInt64)?, _ value: UInt64) {
        if let (s0, s1) = short {
            slots[i] = Slot(k0: s0, k1: s1, value: value)
        } else {
            slots[i] = Slot(k0: h, k1: (0xFF << 56) | UInt64(long.count), value: value)
            long.append(key)
        }
        count += 1
    }

    /// Inserts `key` with `value` unless present. Returns true when inserted. Grows as needed.
    @discardableResult
    public mutating func insert(_ key: IDKey, value: UInt64 = 0) -> Bool {
        if atThreshold { grow() }
        let h = IDTable.hash(key)
        let short = IDTable.shortWords(key)
        while true {
            let (i, found) = probe(key, h, short)
            if found { return false }
            if i < slots.count {
                place(i, key, h, short, value)
                return true
            }
            precondition(canGrow, "IDTable.insert on a table at its maximum size")
            grow()
        }
    }

    /// The value stored for `key`, or nil when the table does not hold it.
    public func find(_ key: IDKey) -> UInt64? {
        let (i, found) = probe(key, IDTable.hash(key), IDTable.shortWords(key))
        return found ? slots[i].value : nil
    }

    @inline(__always) func value(at i: Int) -> UInt64 { slots[i].value }

    /// The address of `key`'s home slot, for a prefetch hint some records ahead of its `insert` (the table may
    /// move before then: the address is a hint, never to be dereferenced).
    @inline(__always) func homeAddress(hash: UInt64) -> UInt {
        slots.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress! + home(hash)) }
    }

    /// The identifier stored in slot `i`.
    func key(at i: Int) -> IDKey { IDTable.key(of: slots[i], long: long) }

    /// The identifier a slot holds: packed in the slot, or (marked 0xFF in the top byte) in `long`.
    @inline(__always) static func key(of slot: Slot, long: [IDKey]) -> IDKey {
        let w1 = slot.k1
        if w1 >> 56 == 0xFF { return long[Int(w1 & 0x00FF_FFFF_FFFF_FFFF)] }
        var k = IDKey()
        k.a = slot.k0
        k.b = w1 & 0x00FF_FFFF_FFFF_FFFF
        return k
    }

    /// Grows by 1.5x, up to `maxCapacity` slots (a table already there is not grown).
    mutating func grow() {
        let target = min(capacity + capacity / 2, maxCapacity)
        guard target > capacity else { return }
        var bigger = IDTable(capacity: 0, maxCapacity: maxCapacity, advice: advice)
        bigger.capacity = target
        bigger.slots = IDTable.emptySlots(bigger.capacity + IDTable.pad, advice)
        bigger.long.reserveCapacity(long.count)
        for i in 0..<slots.count where slots[i].k1 != 0 { bigger.insert(key(at: i), value: slots[i].value) }
        self = bigger
    }

    /// Empties the table, keeping its memory.
    mutating func removeAll() {
        slots.withUnsafeMutableBufferPointer { s in
            for i in s.indices { s[i] = Slot() }
        }
        long.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Calls `body` with every entry in ascending hash order (ties in any order), one cluster sorted at a time
    /// (clusters are short at 70% load: an insertion sort).
    func forEachInHashOrder(_ body: (IDKey, UInt64, UInt64) -> Void) {
        var scratchCapacity = 64
        var cluster = UnsafeMutablePointer<(hash: UInt64, slot: Int)>.allocate(capacity: scratchCapacity)
        defer { cluster.deallocate() }
        slots.withUnsafeBufferPointer { s in
            @inline(__always) func keyAt(_ i: Int) -> IDKey { IDTable.key(of: s[i], long: long) }
            var i = 0
            let n = s.count
            while i < n {
                if s[i].k1 == 0 { i += 1; continue }
                var m = 0
                while i < n && s[i].k1 != 0 {
                    if m == scratchCapacity {
                        let bigger = UnsafeMutablePointer<(hash: UInt64, slot: Int)>.allocate(capacity: 2 * m)
                        bigger.moveInitialize(from: cluster, count: m)
                        cluster.deallocate()
                        cluster = bigger
                        scratchCapacity = 2 * m
                    }
                    let w1 = s[i].k1
                    // A long identifier's slot holds its hash; a short one's is computed.
                    let h = w1 >> 56 == 0xFF ? s[i].k0 : IDTable.hash(keyAt(i))
                    var j = m
                    while j > 0 && cluster[j - 1].hash > h {
                        cluster[j] = cluster[j - 1]
                        j -= 1
                    }
                    cluster[j] = (h, i)
                    m += 1
                    i += 1
                }
                for e in 0..<m { body(keyAt(cluster[e].slot), cluster[e].hash, s[cluster[e].slot].value) }
            }
        }
    }
}
