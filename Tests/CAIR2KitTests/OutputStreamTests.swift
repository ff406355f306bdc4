import CAIR2Core
import Foundation
import Glibc
import Synchronization
import Testing
@testable import CAIR2Kit

/// `OutputStream`'s two ways in: lines handed to its copy queue (`write(lines:whenCopied:)`, the merge's path since
/// issue 20 moved the staging copy off the merging thread) and writes that wait for their copy (`write`, reports,
/// frames). Small staging buffers make every write cross buffers and wrap the ring many times.
@Suite struct OutputStreamTests {
    static func directory(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-os-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    /// A run of pseudo-random printable bytes (the same for a seed).
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(0x21 + state % 90)
        }
    }

    /// Every byte arrives once, in the order written, whichever way it came in; the SHA-256 is the file's; every
    /// `done` runs exactly once, and only after its bytes were taken (the buffer is overwritten right after).
    @Test func linesAndWritesKeepTheirOrder() throws {
        let dir = try Self.directory("order")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let publisher = try Publisher(outDir: dir)
        let s = try publisher.create(relative: "out.txt", zstdLevel: nil, stagingSize: 8192, stagingBuffers: 3)
        var expected: [UInt8] = []
        let calls = Mutex<[Int]>([])
        // More pieces than `copiesAhead`, of sizes from 0 to several staging buffers.
        for i in 0..<200 {
            let piece = Self.bytes((i * 977) % 30_000, seed: UInt64(i))
            expected += piece
            if i % 7 == 3 {
                try s.write(piece)
                continue
            }
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, piece.count))
            _ = buffer.initialize(from: piece)
            nonisolated(unsafe) let owned = buffer
            try s.write(lines: UnsafeBufferPointer(rebasing: buffer[0..<piece.count])) {
                // The copy is done: the source may change now, and must not show in the file.
                owned.update(repeating: 0x7E)
                owned.deallocate()
                calls.withLock { $0.append(i) }
            }
        }
        try publisher.publishAll()
        let file = try Array(Data(contentsOf: URL(fileURLWithPath: dir + "/out.txt")))
        #expect(file.count == expected.count)
        #expect(file == expected)
        #expect(s.sha256Hex == SHA256.hex(SHA256.hash(expected)))
        let done = calls.withLock { $0 }
        let async = (0..<200).filter { $0 % 7 != 3 }
        #expect(done == async, "each done once, in order")
    }

    /// A write that fails on the copy queue's side is reported by a later write or by `finish`, every `done`
    /// still runs once, and nothing is published.
    @Test func aFailedWriteIsThrownLaterAndNothingIsPublished() throws {
        for failAfter in [0, 1, 5] {
            let dir = try Self.directory("fail\(failAfter)")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let publisher = try Publisher(outDir: dir)
            let s = try publisher.create(relative: "out.txt", zstdLevel: nil, stagingSize: 4096, stagingBuffers: 2)
            WriteFaultInjection.failWrites(on: s.descriptor, after: failAfter, errno: ENOSPC)
            defer { WriteFaultInjection.reset() }
            let piece = Self.bytes(10_000, seed: 7)
            let handed = Atomic<Int>(0)
            let finished = Atomic<Int>(0)
            var thrown: (any Error)?
            do {
                for _ in 0..<100 {
                    try piece.withUnsafeBufferPointer { p in
                        handed.add(1, ordering: .relaxed)
                        // The array outlives the copy: `finish` or the failure below waits for every queued copy.
                        try s.write(lines: p) { finished.add(1, ordering: .relaxed) }
                    }
                }
                try s.finish()
            } catch {
                thrown = error
            }
            #expect(thrown != nil, "after \(failAfter) writes")
            #expect("\(thrown.map { "\($0)" } ?? "")".contains("No space left on device"))
            publisher.discardAll()  // waits for every queued copy and write first
            #expect(finished.load(ordering: .relaxed) == handed.load(ordering: .relaxed))
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.isEmpty, "\(left)")
        }
    }
}
