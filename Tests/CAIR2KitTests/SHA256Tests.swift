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

    @Test(arguments: [true, false])
    func nistVectors(cpu: Bool) {
        for (message, expected) in Self.vectors {
            var h = SHA256(useCPUExtensions: cpu)
            h.update(Array(message.utf8))
            #expect(SHA256.hex(h.finalize()) == expected, "message of \(message.utf8.count) bytes")
        }
    }

    @Test(arguments: [true, false])
    func oneMillionA(cpu: Bool) {
        // Fed in uneven pieces so the partial-block path is exercised too.
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 9_973)
        var h = SHA256(useCPUExtensions: cpu)
        var left = 1_000_000
        while left > 0 {
            let n = min(left, chunk.count)
            chunk.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            left -= n
        }
        #expect(SHA256.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func cpuExtensionsAreUsedWhenAvailable() {
        let h = SHA256()
        #expect(h.isUsingCPUExtensions == SHA256.usesCPUExtensions)
        #expect(SHA256(useCPUExtensions: false).isUsingCPUExtensions == false)
        // Cross-check the run-time detection against what the kernel reports.
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let kernelSaysSHA = info.split(separator: "\n").contains { $0.hasPrefix("flags") && $0.split(separator: " ").contains("sha_ni") }
            #expect(SHA256.usesCPUExtensions == kernelSaysSHA)
        }
    }

    @Test func bothPathsAgreeOnRandomLengthsAndSplits() {
        var rng = SystemRandomNumberGenerator()
        for length in 0...1000 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var fast = SHA256(useCPUExtensions: true)
            fast.update(bytes)
            var slow = SHA256(useCPUExtensions: false)
            // The portable path gets the bytes in random pieces (including empty ones).
            var i = 0
            bytes.withUnsafeBytes { raw in
                while i < length {
                    let n = Int.random(in: 0...min(130, length - i), using: &rng)
                    slow.update(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]))
                    i += n
                }
            }
            let a = fast.finalize(), b = slow.finalize()
            #expect(a == b, "length \(length)")
            if a != b { break }
        }
    }

    @Test func hexIsLowerCase() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}
