import Testing
@testable import CAIR2Core

@Suite struct IDTableTests {
    func key(_ s: String) -> IDKey {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { IDKey($0.baseAddress!, count: $0.count) }
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
