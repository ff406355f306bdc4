import CSupport

/// SHA-256 (FIPS 180-4), streaming. Uses the x86 SHA extensions when the CPU has
/// them and portable C otherwise; both give the same digest.
///
/// A value type: copying a `SHA256` forks the hash state.
public struct SHA256 {
    private var ctx = cair2_sha256_ctx()

    /// Starts a hash, using the CPU's SHA extensions when available.
    public init() {
        cair2_sha256_init(&ctx)
    }

    /// Starts a hash with an explicit choice of block function, so tests and
    /// benchmarks can compare the two paths. `useCPUExtensions: true` on a CPU
    /// without them falls back to portable C (see `isUsingCPUExtensions`).
    public init(useCPUExtensions: Bool) {
        cair2_sha256_init_with(&ctx, useCPUExtensions ? 1 : 0)
    }

    /// Whether this hash runs on the CPU's SHA extensions.
    public var isUsingCPUExtensions: Bool { ctx.use_cpu_extensions != 0 }

    /// Whether this CPU has the SHA extensions (and so `init()` uses them).
    public static var usesCPUExtensions: Bool { cair2_sha256_cpu_extensions_available() != 0 }

    /// Adds bytes to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        cair2_sha256_update(&ctx, bytes.baseAddress, bytes.count)
    }

    /// Adds the bytes of an array (convenience for small inputs and tests).
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash and returns the 32-byte digest. The value must not be
    /// updated afterwards; start a new `SHA256` instead.
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { cair2_sha256_final(&ctx, $0.baseAddress!) }
        return out
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
