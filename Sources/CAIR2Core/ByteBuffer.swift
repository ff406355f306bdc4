// The one growable byte buffer of the package.
//
// Readers keep the unconsumed tail of a block and read more after it (`unused`, `didAppend`, `removeFirst`), the
// chunk outputs and the generator append rendered lines (`reserve`, `append`), a worker's scratch is refilled
// whole (`reserveDiscarding`). All of them grow the same way: to at least twice the old capacity, copying only
// the bytes in use. The buffer is noncopyable: one owner frees it, and no copy can outlive that owner.

/// A growable run of bytes in one allocation, `base[0..<count]` in use, owned by one value at a time.
///
/// Pointers taken from it (`base`, `bytes`, `unused`) are valid until the next call that can grow it.
package struct ByteBuffer: ~Copyable {
    /// The first byte; moves when the buffer grows.
    @usableFromInline package private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes allocated.
    @usableFromInline package private(set) var capacity: Int
    /// Bytes in use, from `base`.
    @usableFromInline package private(set) var count = 0
    @usableFromInline let alignment: Int

    /// An empty buffer of `capacity` bytes (at least 1), aligned to `alignment` (a power of two).
    package init(capacity: Int, alignment: Int = 16) {
        self.capacity = max(capacity, 1)
        self.alignment = alignment
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: alignment)
            .bindMemory(to: UInt8.self, capacity: self.capacity)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// The bytes in use.
    @inlinable package var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// The allocated bytes after the ones in use, to read or render into; `didAppend` then takes them in.
    @inlinable package var unused: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count)
    }

    /// Makes room for `extra` more bytes after the ones in use (the contents stay).
    @inlinable @inline(__always) package mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(toAtLeast: count + extra) }
    }

    /// Grows to at least `needed` bytes and at least twice the capacity, keeping the bytes in use.
    @inline(never) package mutating func grow(toAtLeast needed: Int) {
        var c = max(capacity * 2, 1)
        while c < needed { c *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: alignment)
            .bindMemory(to: UInt8.self, capacity: c)
        bigger.update(from: base, count: count)
        UnsafeMutableRawPointer(base).deallocate()
        base = bigger
        capacity = c
    }

    /// Empties the buffer and makes it hold at least `n` bytes; the old contents are not copied (scratch space
    /// that is refilled whole).
    package mutating func reserveDiscarding(_ n: Int) {
        count = 0
        if n > capacity {
            UnsafeMutableRawPointer(base).deallocate()
            capacity = max(n, capacity * 2)
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: alignment)
                .bindMemory(to: UInt8.self, capacity: capacity)
        }
    }

    /// Takes in `n` bytes written into `unused`.
    @inlinable @inline(__always) package mutating func didAppend(_ n: Int) {
        precondition(n >= 0 && n <= capacity - count, "appended past the buffer")
        count &+= n
    }

    /// Appends one byte.
    @inlinable @inline(__always) package mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    /// Appends `bytes`.
    @inlinable @inline(__always) package mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(from: bytes.baseAddress!, count: n)
        count &+= n
    }

    /// Drops the first `n` bytes in use and moves the rest to the front (a reader's unconsumed tail).
    package mutating func removeFirst(_ n: Int) {
        precondition(n >= 0 && n <= count, "removed past the bytes in use")
        let rest = count - n
        if rest > 0 && n > 0 { UnsafeMutableRawPointer(base).copyMemory(from: base + n, byteCount: rest) }  // memmove
        count = rest
    }

    /// Drops the last `n` bytes in use (a record taken back).
    package mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count, "removed past the bytes in use")
        count -= n
    }

    /// Empties the buffer, keeping its capacity.
    @inlinable package mutating func removeAll() { count = 0 }
}
