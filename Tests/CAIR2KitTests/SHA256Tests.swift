import Testing
import Foundation
import CAIR2Kit

@Suite struct SHA256Tests {
    /// NIST FIPS 180-4 example vectors.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test func nistVectors() {
        for (message, expected) in Self.vectors {
            var h = SHA256()
            h.update(Array(message.utf8))
            #expect(SHA256.hex(h.finalize()) == expected, "message of \(message.utf8.count) bytes")
        }
    }

    @Test func oneMillionAInUnevenPieces() {
        // Fed in uneven pieces so the partial-block path is exercised too.
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 9_973)
        var h = SHA256()
        var left = 1_000_000
        while left > 0 {
            let n = min(left, chunk.count)
            chunk.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            left -= n
        }
        #expect(SHA256.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Random lengths fed in random pieces (empty ones included) agree with sha256sum(1), a second implementation.
    @Test func randomSplitsAgreeWithSha256sum() throws {
        var rng = SystemRandomNumberGenerator()
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for length in [0, 1, 55, 56, 63, 64, 65, 1000, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var h = SHA256()
            var i = 0
            bytes.withUnsafeBytes { raw in
                while i < length {
                    let n = Int.random(in: 0...min(130, length - i), using: &rng)
                    h.update(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]))
                    i += n
                }
            }
            let file = dir.appendingPathComponent("b\(length)")
            try Data(bytes).write(to: file)
            let out = try UXTests.run([file.path], program: "/usr/bin/sha256sum")
            #expect(out.stdout.hasPrefix(SHA256.hex(h.finalize())), "length \(length)")
        }
    }

    @Test func hexIsLowerCase() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}
