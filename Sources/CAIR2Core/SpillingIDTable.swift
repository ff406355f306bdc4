// The patient index must hold every patient of a run (duplicate ids, orphans, birth dates), so on the largest
// extracts an in-memory table is what memory grows with. `SpillingIDTable` keeps an `IDTable` of a fixed
// budget; when it is full the table is written out as a run sorted by hash (fixed-size entries), a sparse
// index of each run (the hash of every 64th entry) stays in memory, the run's keys go into a blocked Bloom
// filter (one cache line a key), and the table starts empty. A probe looks in the table first and reaches
// the runs only on a Bloom hit: one pread of one block a run. This is an external hash table with exact
// semantics: keys compare by their bytes, never by hash alone.
//
// CAIR2Core does no I/O itself: the runs go to a `SpillStorage` the caller provides (a scratch file in
// CAIR2Kit, memory in tests).

/// Append-only storage for the runs of a `SpillingIDTable`, read back by position.
///
/// `read` is called from several threads at once once appends are over, so it must keep no shared mutable
/// state (pread does not). Failures are not thrown through the table's hot path: an implementation
/// remembers its first error for its owner to report (the run then fails, and nothing is published).
public protocol SpillStorage: AnyObject, Sendable {
    /// Appends `bytes`; returns the offset of their first byte, or nil when the write failed.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int?
    /// Fills `buffer` with the bytes at `offset`; false when the read failed.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool
    /// Advice for the memory of a large table, called with its slots before they are first written (the owner of
    /// the storage may ask the kernel for huge pages there: the table is probed at random, and with 4 KiB pages
    /// nearly every probe of a table of tens of MiB also missed the TLB). Nil: none.
    var tableMemoryAdvice: IDTable.MemoryAdvice? { get }
}

extension SpillStorage {
    /// No advice: the table's memory is left to the system.
    public var tableMemoryAdvice: IDTable.MemoryAdvice? { nil }
}

/// A blocked Bloom filter: each key sets one bit in each of the eight words of one 64-byte block, so a probe
/// costs one cache miss. At ~12 bits a key it answers "maybe" for about 0.5% of absent keys.
struct BlockedBloom: Sendable {
    private var words: [UInt64]
    private let blocks: Int
    /// The key count it was sized for.
    let design: Int
    private(set) var count = 0

    static let bitsPerKey = 12

    init(design: Int) {
        self.design = max(1, design)
        blocks = max(1, (self.design * BlockedBloom.bitsPerKey + 511) / 512)
        words = [UInt64](repeating: 0, count: blocks * 8)
    }

    /// Bytes of memory it holds.
    var byteCount: Int { blocks * 64 }

    /// The block from a remix of the hash (the table's home uses the hash's high bits); the bit in each word
    /// from six low bits of the hash.
    @inline(__always) private static func block(_ h: UInt64, _ blocks: Int) -> Int {
        var g = h ^ (h >> 31)
        g = g &* 0x94D0_49BB_1331_11EB
        g ^= g >> 29
        return Int(truncatingIfNeeded: g.multipliedFullWidth(by: UInt64(blocks)).high) * 8
    }

    /// Adds a batch (one uniqueness check for all: independent stores, so their misses overlap).
    mutating func add(_ hashes: UnsafeBufferPointer<UInt64>) {
        let blocks = self.blocks
        words.withUnsafeMutableBufferPointer { w in
            for h in hashes {
                let b = BlockedBloom.block(h, blocks)
                for j in 0..<8 { w[b + j] |= 1 << ((h >> UInt64(6 * j)) & 63) }
            }
        }
        count += hashes.count
    }

    @inline(__always) func mayContain(_ h: UInt64) -> Bool {
        let b = BlockedBloom.block(h, blocks)
        return words.withUnsafeBufferPointer { w in
            // Branch-free: a data-dependent branch per word would mispredict and serialize the cache misses.
            var all: UInt64 = 1
            for j in 0..<8 { all &= w[b + j] >> ((h >> UInt64(6 * j)) & 63) }
            return all & 1 != 0
        }
    }
}

/// One spilled table: `count` entries from `offset` in the storage, ascending by hash.
struct SpillRun: Sendable {
    let offset: Int
    let count: Int
    /// The hash of the first entry of each block.
    let firsts: [UInt64]
}

/// Maps `IDKey` to a 64-bit value like `IDTable`, in bounded memory: past its budget it spills to a
/// `SpillStorage`. Without a storage it is an `IDTable` that grows as needed.
public struct SpillingIDTable: Sendable {
    var table: IDTable
    let storage: (any SpillStorage)?
    /// The size hint: what the first Bloom filter is sized for.
    let expected: Int
    var runs: [SpillRun] = []
    var blooms: [BlockedBloom] = []
    /// True once a spill could not be written (the storage holds the error; lookups are then incomplete).
    public private(set) var failed = false
    /// Distinct keys inserted.
    public private(set) var count = 0

    /// The default budget for the in-memory table: ~1.2 million entries.
    public static let defaultBudgetBytes = 40 << 20

    /// Entries in a block of a run (one pread), and the words of an entry: the key's four words and the value.
    static let blockEntries = 64
    static let entryWords = 5
    static let entryBytes = entryWords * 8

    /// A table for about `expected` keys. With a `storage`, the in-memory table takes at most about
    /// `budgetBytes` (24 bytes a slot, 70% load; identifiers over 15 bytes add 32 bytes each) and is
    /// preallocated for `expected` keys within that, so a correct hint never needs a grow.
    public init(expected: Int, budgetBytes: Int = SpillingIDTable.defaultBudgetBytes, storage: (any SpillStorage)?) {
        self.storage = storage
        self.expected = max(1, expected)
        if storage != nil {
            let maxSlots = max(16, budgetBytes / IDTable.slotBytes - IDTable.pad)
            table = IDTable(capacity: min(expected, maxSlots * 7 / 10), maxCapacity: maxSlots,
                            advice: storage?.tableMemoryAdvice)
        } else {
            table = IDTable(capacity: expected)
        }
    }

    /// Runs written so far.
    public var spilledRuns: Int { runs.count }

    /// Bytes held by the Bloom filters and the sparse indexes (the in-memory table aside).
    public var overheadBytes: Int {
        blooms.reduce(0) { $0 + $1.byteCount } + runs.reduce(0) { $0 + $1.firsts.count * 8 }
    }

    /// Inserts `key` with `value` unless present (in the table or a run). Returns true when inserted.
    @inline(__always)
    public mutating func insert(_ key: IDKey, value: UInt64) -> Bool {
        insert(key, hash: IDTable.hash(key), value: value)
    }

    /// `insert` with the key's `IDTable.hash` computed beforehand (by the thread that read the key).
    @inline(__always)
    public mutating func insert(_ key: IDKey, hash h: UInt64, value: UInt64) -> Bool {
        let short = IDTable.shortWords(key)
        // The Bloom probe first: its cache miss and the table's overlap (neither address depends on the other).
        let maybeSpilled = !runs.isEmpty && mayBeSpilled(h)
        var (i, found) = table.probe(key, h, short)
        if found { return false }
        if maybeSpilled && searchRuns(key, h) != nil { return false }
        // Full (or a probe ran off the end): grow within the budget, else spill (the new table is empty).
        while i >= table.slotCount || table.atThreshold {
            if table.canGrow { table.grow() } else { spill() }
            (i, _) = table.probe(key, h, short)
        }
        table.place(i, key, h, short, value)
        count += 1
        return true
    }

    /// Where `key`'s slot is, for a prefetch hint ahead of its `insert` (see `IDTable.homeAddress`).
    @inline(__always) public func homeAddress(_ key: IDKey) -> UInt { table.homeAddress(hash: IDTable.hash(key)) }
    /// `homeAddress` from the key's `IDTable.hash`.
    @inline(__always) public func homeAddress(hash: UInt64) -> UInt { table.homeAddress(hash: hash) }

    /// The value of `key`, or nil. Safe from several threads on copies of a table no longer inserted into.
    public func find(_ key: IDKey) -> UInt64? {
        let h = IDTable.hash(key)
        let (i, found) = table.probe(key, h, IDTable.shortWords(key))
        if found { return table.value(at: i) }
        if runs.isEmpty || !mayBeSpilled(h) { return nil }
        return searchRuns(key, h)
    }

    /// True when a Bloom filter says the key may be in a run.
    @inline(__always) func mayBeSpilled(_ h: UInt64) -> Bool {
        for i in 0..<blooms.count where blooms[i].mayContain(h) { return true }
        return false
    }

    /// The value of `key` in a run (callers check `mayBeSpilled` first).
    func searchRuns(_ key: IDKey, _ h: UInt64) -> UInt64? {
        guard let storage else { return nil }
        let words = SpillingIDTable.blockEntries * SpillingIDTable.entryWords
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { buf in
            for r in 0..<runs.count {
                if let v = search(runs[r], key, h, buf, storage) { return v }
            }
            return nil
        }
    }

    private func search(_ run: SpillRun, _ key: IDKey, _ h: UInt64, _ buf: UnsafeMutableBufferPointer<UInt64>,
                        _ storage: any SpillStorage) -> UInt64? {
        // lo: the blocks whose first hash is below h. Entries with hash h start in block lo - 1 or later.
        var lo = 0, hi = run.firsts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if run.firsts[mid] < h { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 && (run.firsts.isEmpty || run.firsts[0] > h) { return nil }
        var b = max(lo - 1, 0)
        let ew = SpillingIDTable.entryWords
        while b < run.firsts.count {
            let first = b * SpillingIDTable.blockEntries
            let m = min(SpillingIDTable.blockEntries, run.count - first)
            let raw = UnsafeMutableRawBufferPointer(start: buf.baseAddress, count: m * SpillingIDTable.entryBytes)
            guard storage.read(into: raw, at: run.offset + first * SpillingIDTable.entryBytes) else { return nil }
            for e in 0..<m where buf[e * ew] == key.a && buf[e * ew + 1] == key.b
                && buf[e * ew + 2] == key.c && buf[e * ew + 3] == key.d {
                return buf[e * ew + 4]
            }
            // Equal hashes (different keys) may go on into the next block.
            var last = IDKey()
            last.a = buf[(m - 1) * ew]; last.b = buf[(m - 1) * ew + 1]
            last.c = buf[(m - 1) * ew + 2]; last.d = buf[(m - 1) * ew + 3]
            if IDTable.hash(last) > h { break }
            b += 1
        }
        return nil
    }

    /// Writes the table out as a run sorted by hash, adds its keys to a Bloom filter and empties the table.
    mutating func spill() {
        guard let storage, table.count > 0 else { return }
        let n = table.count
        if blooms.isEmpty || blooms[blooms.count - 1].count + n > blooms[blooms.count - 1].design {
            // Sized from the hint at first; a run past the design count gets a new filter.
            blooms.append(BlockedBloom(design: max(n, blooms.last?.design ?? expected)))
        }
        var bloom = blooms.removeLast()
        var firsts: [UInt64] = []
        firsts.reserveCapacity(n / SpillingIDTable.blockEntries + 1)
        let batch = 16 * 1024
        let ew = SpillingIDTable.entryWords
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: batch * ew)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: batch)
        defer { buffer.deallocate(); hashes.deallocate() }
        var m = 0
        var written = 0
        var run = RunWriter(storage: storage, failed: failed)
        func flush() {
            bloom.add(UnsafeBufferPointer(start: hashes, count: m))
            run.append(UnsafeRawBufferPointer(start: buffer, count: m * ew * 8))
            m = 0
        }
        table.forEachInHashOrder { key, h, value in
            if written % SpillingIDTable.blockEntries == 0 { firsts.append(h) }
            let e = buffer + m * ew
            e[0] = key.a; e[1] = key.b; e[2] = key.c; e[3] = key.d; e[4] = value
            hashes[m] = h
            m += 1
            written += 1
            if m == batch { flush() }
        }
        flush()
        failed = run.failed
        blooms.append(bloom)
        if !failed, let start = run.start { runs.append(SpillRun(offset: start, count: n, firsts: firsts)) }
        table.removeAll()
    }

    /// Merges the runs into one (when there are several), so that a lookup that passes the Bloom filter costs
    /// one read, not one per run. For the end of the inserts: the immunization and comment lookups that follow
    /// are many and come from several threads. The old runs' bytes stay in the storage, unused.
    public mutating func compact() {
        guard let storage, runs.count > 1, !failed else { return }
        let ew = SpillingIDTable.entryWords
        let chunk = 4096  // entries read at a time from each run
        struct Cursor {
            var run: SpillRun
            var next = 0          // next entry of the run to read
            var buffer: UnsafeMutablePointer<UInt64>
            var at = 0, count = 0 // position and fill of the buffer
            var hash: UInt64 = 0  // of the entry at `at`
        }
        var cursors: [Cursor] = runs.map {
            Cursor(run: $0, buffer: UnsafeMutablePointer<UInt64>.allocate(capacity: chunk * ew))
        }
        let out = UnsafeMutablePointer<UInt64>.allocate(capacity: chunk * ew)
        defer {
            for c in cursors { c.buffer.deallocate() }
            out.deallocate()
        }
        var failed = false
        func entryHash(_ p: UnsafeMutablePointer<UInt64>) -> UInt64 {
            var k = IDKey()
            k.a = p[0]; k.b = p[1]; k.c = p[2]; k.d = p[3]
            return IDTable.hash(k)
        }
        /// Refills cursor `i` when its buffer is used up; false when the run is done (or a read failed).
        func ready(_ i: Int) -> Bool {
            if cursors[i].at < cursors[i].count {
                return true
            }
            let n = min(chunk, cursors[i].run.count - cursors[i].next)
            if n == 0 || failed { return false }
            let raw = UnsafeMutableRawBufferPointer(start: cursors[i].buffer, count: n * ew * 8)
            if !storage.read(into: raw, at: cursors[i].run.offset + cursors[i].next * ew * 8) {
                failed = true
                return false
            }
            cursors[i].next += n
            cursors[i].at = 0
            cursors[i].count = n
            return true
        }
        var live: [Int] = []
        for i in cursors.indices where ready(i) {
            cursors[i].hash = entryHash(cursors[i].buffer)
            live.append(i)
        }
        let total = runs.reduce(0) { $0 + $1.count }
        var firsts: [UInt64] = []
        firsts.reserveCapacity(total / SpillingIDTable.blockEntries + 1)
        var m = 0, written = 0
        var run = RunWriter(storage: storage, failed: false)
        func flush() {
            if !failed { run.append(UnsafeRawBufferPointer(start: out, count: m * ew * 8)) }
            if run.failed { failed = true }
            m = 0
        }
        while !live.isEmpty && !failed {
            var best = 0
            for j in 1..<live.count where cursors[live[j]].hash < cursors[live[best]].hash { best = j }
            let i = live[best]
            let h = cursors[i].hash
            if written % SpillingIDTable.blockEntries == 0 { firsts.append(h) }
            (out + m * ew).update(from: cursors[i].buffer + cursors[i].at * ew, count: ew)
            m += 1
            written += 1
            if m == chunk { flush() }
            cursors[i].at += 1
            if ready(i) {
                cursors[i].hash = entryHash(cursors[i].buffer + cursors[i].at * ew)
            } else {
                live.remove(at: best)
            }
        }
        flush()
        if failed || written != total {
            self.failed = true
            return
        }
        if let start = run.start { runs = [SpillRun(offset: start, count: total, firsts: firsts)] }
    }
}

/// Writes one run to the storage in pieces, which must land one after another (a run is read back as one span
/// from its first byte): `failed` once a write failed or landed elsewhere.
private struct RunWriter {
    let storage: any SpillStorage
    var failed: Bool
    /// The offset of the run's first byte, once a piece is written.
    private(set) var start: Int?
    private var expectedNext = 0

    init(storage: any SpillStorage, failed: Bool) {
        self.storage = storage
        self.failed = failed
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, !failed else { return }
        if let at = storage.append(bytes), start == nil || at == expectedNext {
            if start == nil { start = at }
            expectedNext = at + bytes.count
        } else {
            failed = true
        }
    }
}
