// Growable byte storage for the generator's rows.
//
// Rows are built and serialized with direct pointer writes: no uniqueness checks or
// copy-on-write on the hot path (Array<UInt8> appends cost a runtime call each).

import CAIR2Core

/// Something bytes can be appended to: `[UInt8]` and `ByteArena` share the digit and date writers.
protocol ByteAppending {
    mutating func append(_ b: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteAppending where Element == UInt8 {}

/// The generator's rows: a `ByteBuffer` (CAIR2Core) shared by reference between a row's builder and the writer.
///
/// Invariant for `@unchecked Sendable`: an arena is filled by one worker, then handed to the
/// writer through a wave slot after the worker has returned; it is never used by two threads
/// at once.
final class ByteArena: ByteAppending, @unchecked Sendable {
    @exclusivity(unchecked) private var buffer: ByteBuffer

    init(capacity: Int = 256) { buffer = ByteBuffer(capacity: max(16, capacity)) }

    /// The first byte; moves when the arena grows.
    var base: UnsafeMutablePointer<UInt8> { buffer.base }
    /// Bytes written.
    var count: Int { buffer.count }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) { buffer.reserve(extra) }

    @inline(__always)
    func append(_ b: UInt8) { buffer.append(b) }

    @inline(__always)
    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) { buffer.append(contentsOf: bytes) }

    @inline(__always)
    func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    }

    @inline(__always)
    subscript(i: Int) -> UInt8 { buffer.base[i] }

    @inline(__always)
    func removeAll() { buffer.removeAll() }

    /// Advances `count` after the caller wrote `n` bytes at `base + count` (after `reserve(n)`).
    @inline(__always)
    func commit(_ n: Int) { buffer.didAppend(n) }

    var bytes: UnsafeBufferPointer<UInt8> { buffer.bytes }

    func copy(_ range: Range<Int>) -> [UInt8] { Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)) }
}
