// Growable byte storage for the generator's rows.
//
// Rows are built and serialized with direct pointer writes: no uniqueness checks or
// copy-on-write on the hot path (Array<UInt8> appends cost a runtime call each).

/// Something bytes can be appended to: `[UInt8]` and `ByteArena` share the digit and date writers.
protocol ByteAppending {
    mutating func append(_ b: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteAppending where Element == UInt8 {}

/// A growable byte buffer owned by one thread at a time.
///
/// Invariant for `@unchecked Sendable`: an arena is filled by one worker, then handed to the
/// writer through a wave slot after the worker has returned; it is never used by two threads
/// at once.
final class ByteArena: ByteAppending, @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    @inline(never)
    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.update(from: base, count: count)
        base.deallocate()
        base = p
        capacity = c
    }

    @inline(__always)
    func append(_ b: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = b
        count += 1
    }

    @inline(__always)
    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if n == 0 { return }
        reserve(n)
        (base + count).update(from: bytes.baseAddress!, count: n)
        count += n
    }

    @inline(__always)
    func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always)
    subscript(i: Int) -> UInt8 { base[i] }

    @inline(__always)
    func removeAll() { count = 0 }

    /// Advances `count` after the caller wrote `n` bytes at `base + count` (after `reserve(n)`).
    @inline(__always)
    func commit(_ n: Int) { count += n }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func copy(_ range: Range<Int>) -> [UInt8] { Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)) }
}
