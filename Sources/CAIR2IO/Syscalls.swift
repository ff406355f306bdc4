// The one place that calls into libc for the I/O layer's system calls, retries on EINTR and turns
// a -1 return into an errno value. Everything above speaks `Result<_, Errno>` or `IOError`.
// (The shape follows swift-system's Internals/Syscalls.swift and its `_retryWhileInterrupted`.)

import CSupport
import Glibc
import Synchronization

/// Turns a C return value into a result: -1 means failure with the current errno.
@inline(__always)
internal func valueOrErrno<I: FixedWidthInteger>(_ value: I) -> Result<I, Errno> {
    value == -1 ? .failure(Errno(Glibc.errno)) : .success(value)
}

/// Runs `body` again for as long as it fails with EINTR. The single retry loop of the I/O layer:
/// handlers we install use SA_RESTART, but a signal installed by someone else may not.
@inline(__always)
internal func retryOnInterrupt<T>(_ body: () -> Result<T, Errno>) -> Result<T, Errno> {
    while true {
        let result = body()
        if case .failure(let error) = result, error.rawValue == EINTR { continue }
        return result
    }
}

/// An errno value as a Swift error (package: the public face is `IOError`, which adds the path).
package struct Errno: Error, Equatable {
    package let rawValue: Int32
    @inline(__always) init(_ rawValue: Int32) { self.rawValue = rawValue }
}

// MARK: - Failure injection (tests only)

/// Makes writes to one descriptor fail, so tests can run out of disk without a full disk.
///
/// Process-wide but scoped to a descriptor number, so tests running in parallel on other files are
/// not affected. Costs one relaxed atomic load per write system call when not armed.
package enum WriteFaultInjection {
    struct Plan {
        var descriptor: Int32
        /// Writes still allowed to succeed before the failing one.
        var remaining: Int
        var errno: Int32
    }

    private static let armed = Atomic<Bool>(false)
    private static let plan = Mutex<Plan?>(nil)

    /// The `(successes + 1)`-th write system call on `descriptor` from now on fails with `errno`.
    /// One-shot: the plan disarms itself as it fires, so a descriptor number reused by another
    /// test after this file is closed is never hit.
    package static func failWrites(on descriptor: Int32, after successes: Int, errno: Int32) {
        plan.withLock { $0 = Plan(descriptor: descriptor, remaining: successes, errno: errno) }
        armed.store(true, ordering: .releasing)
    }

    /// Disarms the injection.
    package static func reset() {
        armed.store(false, ordering: .releasing)
        plan.withLock { $0 = nil }
    }

    /// Returns the errno a write on `descriptor` must fail with now, if any.
    @inline(__always)
    static func injectedFailure(for descriptor: Int32) -> Int32? {
        guard armed.load(ordering: .relaxed) else { return nil }
        return plan.withLock { plan -> Int32? in
            guard var current = plan, current.descriptor == descriptor else { return nil }
            if current.remaining > 0 {
                current.remaining -= 1
                plan = current
                return nil
            }
            plan = nil
            armed.store(false, ordering: .relaxed)
            return current.errno
        }
    }
}

// MARK: - System calls

/// The system calls, each retried on EINTR here and nowhere else. Most are internal: the modules above use the
/// types over them (`FileDescriptor`, `FileStatus`, `FileSystem`, `PageAdvice`...); the few marked `package`
/// serve the engine's raw-descriptor paths (its input sources and output streams), which keep error types of
/// their own.
package enum Syscall {
    /// `open(2)`
    static func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Result<Int32, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.open(path, flags, mode)) }
    }

    /// `close(2)`. Not retried: on Linux the descriptor is gone even when close reports EINTR.
    package static func close(_ fd: Int32) -> Result<Void, Errno> {
        valueOrErrno(Glibc.close(fd)).map { _ in () }
    }

    /// `read(2)`
    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Result<Int, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.read(fd, buffer, count)) }
    }

    /// `pread(2)`
    package static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: off_t) -> Result<Int, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.pread(fd, buffer, count, offset)) }
    }

    /// `write(2)`
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Result<Int, Errno> {
        if let injected = WriteFaultInjection.injectedFailure(for: fd) { return .failure(Errno(injected)) }
        return retryOnInterrupt { valueOrErrno(Glibc.write(fd, buffer, count)) }
    }

    /// `pwrite(2)`
    static func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: off_t) -> Result<Int, Errno> {
        if let injected = WriteFaultInjection.injectedFailure(for: fd) { return .failure(Errno(injected)) }
        return retryOnInterrupt { valueOrErrno(Glibc.pwrite(fd, buffer, count, offset)) }
    }

    /// `fstat(2)`
    static func fstat(_ fd: Int32, _ status: inout stat) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.fstat(fd, &status)) }.map { _ in () }
    }

    /// `stat(2)`, as `fstatat(AT_FDCWD, path, &status, 0)` (the name `stat` is also the struct's).
    static func stat(_ path: UnsafePointer<CChar>, _ status: inout stat) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.fstatat(AT_FDCWD, path, &status, 0)) }.map { _ in () }
    }

    /// `fsync(2)`
    package static func fsync(_ fd: Int32) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.fsync(fd)) }.map { _ in () }
    }

    /// `fchmod(2)`
    package static func fchmod(_ fd: Int32, _ mode: mode_t) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.fchmod(fd, mode)) }.map { _ in () }
    }

    /// `rename(2)`
    static func rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.rename(from, to)) }.map { _ in () }
    }

    /// `unlink(2)`
    static func unlink(_ path: UnsafePointer<CChar>) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.unlink(path)) }.map { _ in () }
    }

    /// `mkdir(2)`
    static func mkdir(_ path: UnsafePointer<CChar>, _ mode: mode_t) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.mkdir(path, mode)) }.map { _ in () }
    }

    /// `mmap(2)`; MAP_FAILED becomes the errno.
    static func mmap(_ length: Int, _ protection: Int32, _ flags: Int32, _ fd: Int32, _ offset: off_t) -> Result<UnsafeMutableRawPointer, Errno> {
        guard let address = Glibc.mmap(nil, length, protection, flags, fd, offset),
              address != UnsafeMutableRawPointer(bitPattern: -1) else { return .failure(Errno(Glibc.errno)) }
        return .success(address)
    }

    /// `munmap(2)`
    static func munmap(_ address: UnsafeMutableRawPointer, _ length: Int) -> Result<Void, Errno> {
        valueOrErrno(Glibc.munmap(address, length)).map { _ in () }
    }

    /// `lstat(2)`, as `fstatat(AT_FDCWD, path, &status, AT_SYMLINK_NOFOLLOW)`.
    static func lstat(_ path: UnsafePointer<CChar>, _ status: inout stat) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.fstatat(AT_FDCWD, path, &status, AT_SYMLINK_NOFOLLOW)) }.map { _ in () }
    }

    /// `access(2)`
    static func access(_ path: UnsafePointer<CChar>, _ mode: Int32) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.access(path, mode)) }.map { _ in () }
    }

    /// `rmdir(2)`
    static func rmdir(_ path: UnsafePointer<CChar>) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.rmdir(path)) }.map { _ in () }
    }

    /// `ftruncate(2)`
    package static func ftruncate(_ fd: Int32, _ length: off_t) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(Glibc.ftruncate(fd, length)) }.map { _ in () }
    }

    /// `realpath(3)`: the canonical absolute path (symbolic links, `.` and `..` resolved).
    static func realpath(_ path: UnsafePointer<CChar>) -> Result<String, Errno> {
        guard let resolved = Glibc.realpath(path, nil) else { return .failure(Errno(Glibc.errno)) }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    /// `O_DIRECT` on (`on`) or off for an open file (`fcntl(2)` F_SETFL); fails where the file system has no
    /// direct I/O.
    package static func setDirectIO(_ fd: Int32, _ on: Bool) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(cair2_set_direct_io(fd, on ? 1 : 0)) }.map { _ in () }
    }

    /// Starts the disk writeback of a byte range without waiting for it (`sync_file_range(2)`
    /// SYNC_FILE_RANGE_WRITE); a hint, so the fsync before publication finds little left to do.
    package static func startWriteback(_ fd: Int32, _ offset: Int64, _ count: Int64) -> Result<Void, Errno> {
        retryOnInterrupt { valueOrErrno(cair2_start_writeback(fd, offset, count)) }.map { _ in () }
    }

    /// `madvise(2)`
    static func madvise(_ address: UnsafeMutableRawPointer, _ length: Int, _ advice: Int32) -> Result<Void, Errno> {
        valueOrErrno(Glibc.madvise(address, length, advice)).map { _ in () }
    }
}
