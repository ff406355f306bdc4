import Synchronization
import Testing
@testable import CAIR2Core

/// Runs kept in memory, counting reads; can be told to fail its appends.
final class MemorySpillStorage: SpillStorage, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `bytes` only grows, under `lock`; reads copy under `lock`.
    private let lock = Mutex<[UInt8]>([])
    private let reads = Atomic<Int>(0)
    let failAppends: Bool
    init(failAppends: Bool = false) { self.failAppends = failAppends }

    var readCount: Int { reads.load(ordering: .relaxed) }
    var size: Int { lock.withLock { $0.count } }

    func append(_ bytes: UnsafeRawBufferPointer) -> Int? {
        if failAppends { return nil }
        return lock.withLock { b in
            let at = b.count
            b.append(contentsOf: bytes)
            return at
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        reads.add(1, ordering: .relaxed)
        return lock.withLock { b in
            guard offset >= 0, offset + buffer.count <= b.count else { return false }
            b.withUnsafeBytes { src in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + buffer.count]))
            }
            return true
        }
    }
}

@Suite struct SpillingIDTableTests {
    func key(_ s: String) -> IDKey {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { IDKey($0.baseAddress!, count: $0.count) }
    }

    /// Random ids of 1 to 32 bytes over a tiny alphabet (so repeats and case differences are common).
    func randomID(_ rng: inout SplitMix, alphabet: [UInt8]) -> String {
        let len = 1 + Int(rng.next() % 32)
        return String(decoding: (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] },
                      as: UTF8.self)
    }

    /// Agrees with a Dictionary through many spills (tiny budget), on short and long ids with duplicates.
    @Test(arguments: [0, 4096, 20_000])
    func agreesWithADictionaryAcrossSpills(budget: Int) {
        var rng = SplitMix(seed: UInt64(budget) &+ 11)
        let storage = MemorySpillStorage()
        var table = SpillingIDTable(expected: 100, budgetBytes: budget, storage: storage)
        var model: [String: UInt64] = [:]
        let alphabet = Array("aAbB0".utf8)
        for step in 0..<20_000 {
            let id = randomID(&rng, alphabet: alphabet)
            let inserted = table.insert(key(id), value: UInt64(step))
            #expect(inserted == (model[id] == nil), "step \(step)")
            if model[id] == nil { model[id] = UInt64(step) }
        }
        #expect(table.count == model.count)
        #expect(table.spilledRuns > 10, "the budget forces spills")
        #expect(!table.failed)
        for (id, v) in model { #expect(table.find(key(id)) == v, "\(id)") }
        // Absent ids, including ones differing only in case or by one byte from present ones.
        var absent = 0
        for _ in 0..<5_000 {
            let id = randomID(&rng, alphabet: Array("aAbB0c".utf8))
            if model[id] == nil {
                absent += 1
                #expect(table.find(key(id)) == nil, "\(id)")
            }
        }
        #expect(absent > 1_000)

        // Merged into one run, the answers are the same, and inserts go on (duplicates still found).
        let runsBefore = table.spilledRuns
        table.compact()
        #expect(table.spilledRuns == 1 && runsBefore > 1)
        #expect(!table.failed)
        for (id, v) in model { #expect(table.find(key(id)) == v, "\(id)") }
        for _ in 0..<3_000 {
            let id = randomID(&rng, alphabet: alphabet)
            let inserted = table.insert(key(id), value: 1)
            #expect(inserted == (model[id] == nil), "\(id)")
            if model[id] == nil { model[id] = 1 }
        }
        for (id, v) in model { #expect(table.find(key(id)) == v, "\(id)") }
    }

    /// Without a storage the table never spills and simply grows.
    @Test func withoutStorageItGrows() {
        var table = SpillingIDTable(expected: 4, budgetBytes: 0, storage: nil)
        for i in 0..<10_000 {
            let inserted = table.insert(key("ID\(i)"), value: UInt64(i))
            #expect(inserted)
        }
        #expect(table.spilledRuns == 0)
        for i in stride(from: 0, to: 10_000, by: 97) { #expect(table.find(key("ID\(i)")) == UInt64(i)) }
        let again = table.insert(key("ID5"), value: 0)
        #expect(!again)
    }

    /// The Bloom filters keep most absent-key probes away from the storage.
    @Test func absentKeysRarelyReadTheStorage() {
        let storage = MemorySpillStorage()
        var table = SpillingIDTable(expected: 50_000, budgetBytes: 200_000, storage: storage)
        for i in 0..<50_000 { _ = table.insert(key("P\(i)"), value: UInt64(i)) }
        #expect(table.spilledRuns >= 5)
        let before = storage.readCount
        for i in 0..<20_000 { #expect(table.find(key("Q\(i)")) == nil) }
        let reads = storage.readCount - before
        #expect(reads < 20_000 / 20, "\(reads) reads for 20,000 absent keys")
    }

    /// A spilled run is sorted by hash: clusters in slot order are in hash order because probing never wraps.
    @Test func hashOrderIsAscending() {
        var table = IDTable(capacity: 50, maxCapacity: 75)
        var rng = SplitMix(seed: 5)
        var n = 0
        while !table.atThreshold {
            let id = randomID(&rng, alphabet: Array("XYZxyz019".utf8))
            let h = IDTable.hash(key(id))
            let (i, found) = table.probe(key(id), h, IDTable.shortWords(key(id)))
            if !found && i < table.slotCount {
                table.place(i, key(id), h, IDTable.shortWords(key(id)), UInt64(n))
                n += 1
            }
        }
        var hashes: [UInt64] = []
        var seen = 0
        table.forEachInHashOrder { k, h, _ in
            #expect(IDTable.hash(k) == h)
            hashes.append(h)
            seen += 1
        }
        #expect(seen == table.count)
        #expect(hashes == hashes.sorted())
    }

    /// Lookups from several threads at once on a spilled index agree with the reference.
    @Test func concurrentLookups() async {
        let storage = MemorySpillStorage()
        var index = PatientIndex(expected: 1_000, budgetBytes: 30_000, storage: storage)
        var model: [String: PatientIndex.Entry?] = [:]
        var rng = SplitMix(seed: 99)
        for i in 0..<30_000 {
            let id = "PATIENT-\(rng.next() % 40_000)-LONGER-THAN-15"
            let entry: PatientIndex.Entry? = i % 7 == 0 ? nil
                : .init(birth: DateValue(year: 1950 + i % 70, month: 1 + i % 12, day: 1 + i % 28), part: Int32(i % 3))
            let inserted = index.insert(key(id), entry)
            #expect(inserted == (model[id] == nil))
            if model[id] == nil { model[id] = .some(entry) }
        }
        #expect(index.spilledRuns > 5)
        let frozen = index
        let ids = Array(model.keys) + (0..<2_000).map { "ABSENT-\($0)" }
        let expected = ids.map { model[$0].flatMap { $0 } }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for t in 0..<4 {
                group.addTask {
                    var bad = 0
                    for j in stride(from: t, to: ids.count, by: 4) {
                        let got = frozen.lookup(self.key(ids[j]))
                        let want = expected[j]
                        if got?.birth != want?.birth || got?.part != want?.part { bad += 1 }
                    }
                    return bad
                }
            }
            var total = 0
            for await b in group { total += b }
            return total
        }
        #expect(mismatches == 0)
    }

    /// An index that absorbs a stand-in the merge filled first ends as one index that took every insert in
    /// order: the stand-in's ids with their entries (not-written ones too), then the later inserts, whose
    /// duplicates of the stand-in's ids are refused; also when the absorbing index spills (tiny budget).
    @Test(arguments: [0, 40_000])
    func absorbingAStandInIsInsertingItsIdsFirst(budget: Int) {
        var rng = SplitMix(seed: 41 &+ UInt64(budget))
        let inserts: [(String, PatientIndex.Entry?)] = (0..<12_000).map { i in
            let id = i % 2 == 0 ? "M\(rng.next() % 9_000)" : "PATIENT-\(rng.next() % 9_000)-LONGER-THAN-15"
            let entry: PatientIndex.Entry? = i % 7 == 0 ? nil
                : .init(birth: DateValue(year: 1950 + i % 70, month: 1 + i % 12, day: 1 + i % 28), part: Int32(i % 3))
            return (id, entry)
        }
        var reference = PatientIndex(capacity: 16)
        var standIn = PatientIndex(capacity: 16)
        var real = budget == 0 ? PatientIndex(capacity: 16)
            : PatientIndex(expected: 100, budgetBytes: budget, storage: MemorySpillStorage())
        let split = 5_000
        for (n, (id, entry)) in inserts.enumerated() {
            let want = reference.insert(key(id), entry)
            if n == split { real.absorb(standIn) }
            let got = n < split ? standIn.insert(key(id), entry) : real.insert(key(id), entry)
            #expect(got == want, "insert \(n)")
        }
        if budget > 0 { #expect(real.spilledRuns > 0) }
        real.compact()
        #expect(real.count == reference.count)
        for (id, _) in inserts + (0..<500).map({ ("ABSENT-\($0)", nil) }) {
            let a = real.lookup(key(id)), b = reference.lookup(key(id))
            #expect(a?.birth == b?.birth && a?.part == b?.part, "\(id)")
        }
    }

    /// A storage that cannot take a run marks the table failed (the caller reports the storage's error).
    @Test func failedSpillIsReported() {
        var table = SpillingIDTable(expected: 10, budgetBytes: 0, storage: MemorySpillStorage(failAppends: true))
        for i in 0..<100 { _ = table.insert(key("K\(i)"), value: 1) }
        #expect(table.failed)
    }
}
