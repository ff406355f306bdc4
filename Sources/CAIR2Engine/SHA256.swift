import Crypto

/// SHA-256 (FIPS 180-4), streaming, from swift-crypto (BoringSSL, which uses the CPU's SHA extensions where
/// it has them). A value type: copying a `SHA256` forks the hash state.
public struct SHA256 {
    private var state = Crypto.SHA256()

    /// Starts a hash.
    public init() {}

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        state.update(bufferPointer: bytes)
    }

    /// Adds the bytes of an array (convenience for small inputs and tests).
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash and returns the 32-byte digest. The value must not be updated afterwards; start a new
    /// `SHA256` instead.
    public mutating func finalize() -> [UInt8] {
        Array(state.finalize())
    }

    /// Lower-case hexadecimal of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(digest.count * 2)
        for b in digest {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: s, as: UTF8.self)
    }

    /// The digest of a byte array in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }
}
