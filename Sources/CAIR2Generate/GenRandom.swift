// Counter-based randomness for the corpus generator.
//
// Every member draws from its own SplitMix64 stream keyed by (seed, member
// index, purpose), so a member's bytes do not depend on which worker made it
// or on how the members were cut into blocks: any `--threads` gives the same
// files.

/// SplitMix64 (Steele, Lea, Flood 2014): one add and a 64-bit finalizer per draw.
struct GenRandom {
    var state: UInt64

    /// A stream for `index` under `seed`; `purpose` separates independent streams of one member.
    init(seed: UInt64, index: UInt64, purpose: UInt64) {
        state = GenRandom.mix(seed &+ GenRandom.mix(index &* 0x9E37_79B9_7F4A_7C15 &+ purpose &* 0xD1B5_4A32_D192_ED03))
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (multiply-high; the bias is below 2^-32 for our table sizes).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in lo...hi.
    @inline(__always)
    mutating func inRange(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index skewed towards the front of a frequency-ordered list (a rough Zipf).
    @inline(__always)
    mutating func skewed(_ n: Int) -> Int {
        let u = unit()
        return min(n - 1, Int(Double(n) * u * u))
    }
}
