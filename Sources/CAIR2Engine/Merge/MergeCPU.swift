import CAIR2IO
#if canImport(Glibc)
import Glibc
#endif

/// The merging thread's CPU time, for issue 20's serial-stage figure (docs/PERFORMANCE.md): on only when the
/// environment has `CAIR2_MERGE_CPU=1`; then the ordered merge prints one line per input on standard error. Off, it
/// costs one predictable branch per merged chunk and per hashed write. Not part of the console output or of
/// summary.json.
enum MergeCPU {
    static let enabled: Bool = {
        guard let v = getenv("CAIR2_MERGE_CPU") else { return false }
        return String(cString: v) == "1"
    }()

    /// Nanoseconds of CPU the calling thread has used.
    @inline(__always) static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// CPU spent in SHA-256 of the outputs so far (every thread that hashes adds here; during a merge only the
    /// merging thread does).
    nonisolated(unsafe) static var hashNanos: UInt64 = 0

    static func report(_ line: String) {
        var s = line + "\n"
        s.withUTF8 { try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }

    /// One input's figures: the merge (ordering, ids, counts, reports) plus the writes (hash, staging copy).
    struct Tally {
        var mergeNanos: UInt64 = 0
        var writeNanos: UInt64 = 0
        var hashNanos: UInt64 = 0
        var records = 0

        /// Adds one merged chunk: `merge` nanoseconds in the merge, the writes from `writesFrom` until now, and
        /// the SHA-256 time since `hashFrom` (a reading of `MergeCPU.hashNanos`).
        mutating func add(merge: UInt64, writesFrom: UInt64, hashFrom: UInt64, records: Int) {
            mergeNanos &+= merge
            writeNanos &+= MergeCPU.now() &- writesFrom
            hashNanos &+= MergeCPU.hashNanos &- hashFrom
            self.records += records
        }

        func line(input: String) -> String {
            func s(_ n: UInt64) -> String {
                let ms = (n + 500_000) / 1_000_000
                let frac = String(ms % 1000)
                return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
            }
            let outside = mergeNanos &+ writeNanos &- hashNanos
            let perMillion = records > 0 ? UInt64(Double(outside) * 1_000_000 / Double(records)) : 0
            return "cair2: merge thread CPU for \(input): \(records) records; merge \(s(mergeNanos)) s, writes "
                + "\(s(writeNanos)) s of which SHA-256 \(s(hashNanos)) s; outside SHA-256 \(s(outside)) s "
                + "(\(s(perMillion)) s per 1,000,000 records)"
        }
    }
}
