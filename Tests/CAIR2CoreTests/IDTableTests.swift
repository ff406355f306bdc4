import Glibc
import Testing
@testable import CAIR2Core

@Suite struct IDTableTests {
    func key(_ s: String) -> IDKey {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { IDKey($0.baseAddress!, count: $0.count) }
    }

    /// A key holds the identifier's bytes in order in its four words, zero-padded (the first 32 bytes of a longer
    /// one), for every length, and reads no byte outside the identifier: the bytes sit right against a page the
    /// process may not read, after them and then before them (a read past either end would crash the run).
    @Test func aKeyIsTheBytesZeroPaddedAndReadsNothingElse() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let region = try #require(mmap(nil, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(region, 3 * page) }
        let base = region.assumingMemoryBound(to: UInt8.self)
        #expect(mprotect(region, page, PROT_NONE) == 0)
        #expect(mprotect(region + 2 * page, page, PROT_NONE) == 0)
        var rng = SplitMix(seed: 11)
        for n in 0...40 {
            for placement in [base + 2 * page - n, base + page] {  // ending at the guard after, starting at the one before
                for _ in 0..<20 {
                    var bytes = [UInt8](repeating: 0, count: n)
                    for i in 0..<n { bytes[i] = 0x21 + UInt8(rng.next() % 94) }
                    placement.update(from: bytes, count: n)
                    let key = IDKey(placement, count: n)
                    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &words) { w in
                        for i in 0..<min(n, 32) { w[i] = bytes[i] }
                    }
                    #expect(key.a == words.0 && key.b == words.1 && key.c == words.2 && key.d == words.3, "length \(n)")
                    #expect(key.count == min(n, 32))
                }
            }
        }
    }

    /// Agrees with a Set/Dictionary on short and long identifiers through many growths.
    @Test func agreesWithADictionary() {
        var rng = SplitMix(seed: 3)
        var table = IDTable(capacity: 4)
        var model: [String: UInt64] = [:]
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".utf8)
        for step in 0..<30_000 {
            let len = 1 + Int(rng.next() % 32)
            // A small id space so that repeats (duplicates) happen often.
            let id = String(decoding: (0..<len).map { _ in alphabet[Int(rng.next() % 3)] }, as: UTF8.self)
            let value = UInt64(step)
            let inserted = table.insert(key(id), value: value)
            #expect(inserted == (model[id] == nil), "\(id)")
            if model[id] == nil { model[id] = value }
        }
        #expect(table.count == model.count)
        for (id, v) in model { #expect(table.find(key(id)) == v) }
        #expect(table.find(key("NOT-THERE-AT-ALL-XYZ")) == nil)
        #expect(table.find(key(String(repeating: "Q", count: 32))) == nil)
    }

    @Test func shortAndLongIdentifiersAreDistinct() {
        var table = IDTable()
        let ids = ["A", "AB", String(repeating: "A", count: 15), String(repeating: "A", count: 16),
                   String(repeating: "A", count: 31), String(repeating: "A", count: 32), "a", "R0000001", "R0000001X"]
        for (i, id) in ids.enumerated() {
            let inserted = table.insert(key(id), value: UInt64(i))
            #expect(inserted)
        }
        for (i, id) in ids.enumerated() { #expect(table.find(key(id)) == UInt64(i)) }
        let again = table.insert(key("R0000001"), value: 99)
        #expect(!again)
        #expect(table.find(key("R0000001")) == 7)
    }
}
