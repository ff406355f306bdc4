import Testing
@testable import CAIR2Core

/// The engine's fast paths give what the general paths give (docs/PERFORMANCE.md, session 5).
@Suite struct EngineFastPathTests {
    /// `ByteScan.isDecodable` (eight ASCII bytes a step) agrees with `Folding.isDecodable` on random records:
    /// mostly ASCII, with valid and broken UTF-8 sequences and C1 bytes at every offset.
    @Test func recordDecodingAgreesWithTheFieldByFieldCheck() {
        var rng = SplitMix(seed: 20)
        let pieces: [[UInt8]] = [
            Array("é".utf8), Array("Trần".utf8), Array("😀".utf8), [0xC3], [0xA9], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
            [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x81], [0x9D], [0xFF], Array("Maria,".utf8), Array("\"a\"\"b\"".utf8),
        ]
        for _ in 0..<20_000 {
            var b: [UInt8] = []
            let n = Int(rng.next() % 40)
            for _ in 0..<n {
                if rng.next() % 4 == 0 {
                    b += pieces[Int(rng.next() % UInt64(pieces.count))]
                } else {
                    b.append(UInt8(0x20 + rng.next() % 0x5F))
                }
            }
            for enc in TextEncoding.allCases {
                b.withUnsafeBufferPointer { p in
                    #expect(ByteScan.isDecodable(p, enc) == Folding.isDecodable(p, enc), "\(b) \(enc)")
                }
            }
        }
    }

    /// Names of letters only are upper-cased as they are; a name that leaves the fast path part-way is written
    /// (or blanked) by the general rules over whatever the fast path wrote.
    @Test func namesOfLettersOnly() {
        func name(_ s: String, _ width: Int) -> (String, TextOutcome) {
            apply(s, width: width) { Values.name($0, width: width, out: $1) }
        }
        #expect(name("Michael", 20).0 == "MICHAEL")
        #expect(name("Michael", 20).1 == TextOutcome())
        #expect(name("mIcHaEl", 7).0 == "MICHAEL")
        #expect(name("Michaela", 7).0 == "MICHAEL")
        #expect(name("Michaela", 7).1.truncated)
        #expect(name("OBrien'x", 20).0 == "OBRIENX")
        #expect(name("Ann Lee", 20).0 == "ANN LEE")
        #expect(name("Ann ", 20).0 == "ANN")
        let invalid = name("Anna1", 20)
        #expect(invalid.0 == "")
        #expect(invalid.1.invalid)
        #expect(name("Zz@", 20).1.invalid)
        #expect(name("Zz[", 20).1.invalid)
    }
}
