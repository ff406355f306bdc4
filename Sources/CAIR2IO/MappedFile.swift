import CSupport
import Glibc

/// A whole input file mapped read-only, guarded against the file shrinking underneath it.
///
/// `mmap(PROT_READ, MAP_PRIVATE)` of the entire file, advised `MADV_SEQUENTIAL`, unmapped on
/// deinit. An empty file is not mapped (mmap of length 0 fails) and reads as an empty buffer.
///
/// The guard: if another process truncates the file while it is mapped, touching a page past the
/// new end would raise SIGBUS and kill the process. The C handler in `guard.c` repairs such a fault
/// with a page of zeros and marks the mapping damaged, so reading goes on, and `checkIntact()`
/// reports the damage afterwards. The reader must therefore call `checkIntact()` after it has read
/// the bytes and before anything derived from them is published. Replacement (a rename over the
/// path) leaves the mapped inode intact; `checkIntact()` catches it by stat'ing the path.
///
/// Unsafe storage confined here: the base pointer never escapes except through
/// `withUnsafeBytes`, whose closure must not keep it.
public final class MappedFile: @unchecked Sendable {
    // Sendable invariant: every stored property is immutable after init, the mapping is read-only,
    // and it is unmapped only in deinit, when no other reference (hence no reader) exists.

    /// The path as given, for messages and for the replacement check.
    public let path: String
    /// The number of mapped bytes: the file's size when it was opened.
    public let count: Int
    private let descriptor: FileDescriptor
    private let base: UnsafeMutableRawPointer?
    private let guardSlot: Int32
    private let openedStatus: FileStatus

    /// Opens and maps `path`. Failures to open or stat are exit code 2 (cannot start); a failing
    /// mmap is exit code 3.
    public init(path: String) throws(IOError) {
        let descriptor = try FileDescriptor.openForReading(path)
        do throws(IOError) {
            let status = try descriptor.status()
            self.path = path
            self.descriptor = descriptor
            self.openedStatus = status
            self.count = Int(status.size)
            guard status.size > 0 else {
                self.base = nil
                self.guardSlot = -1
                return
            }
            let installError = cair2_guard_install()
            if installError != 0 { throw IOError(.mmap, path: path, errno: installError) }
            let base = try Syscall.mmap(count, PROT_READ, MAP_PRIVATE, descriptor.rawValue, 0).get(.mmap, path: path)
            let slot = cair2_guard_register(base, count)
            if slot < 0 {
                _ = Syscall.munmap(base, count)
                throw IOError(.mmap, path: path, errno: EMFILE)
            }
            // Advice only: a kernel that ignores it costs read-ahead, not correctness.
            _ = Syscall.madvise(base, count, MADV_SEQUENTIAL)
            self.base = base
            self.guardSlot = slot
        } catch {
            _ = Syscall.close(descriptor.rawValue)
            throw error
        }
    }

    deinit {
        if let base {
            // Unregister first: once unmapped, the range may be reused by an unrelated mapping.
            cair2_guard_unregister(guardSlot)
            _ = Syscall.munmap(base, count)
        }
        _ = Syscall.close(descriptor.rawValue)
    }

    /// Calls `body` with the mapped bytes (empty for an empty file). The pointer is valid only
    /// inside `body`. Pages past a truncation read as zeros; see `checkIntact()`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// True once a read faulted past the end of a shrunken file (and read zeros instead).
    public var isDamaged: Bool { guardSlot >= 0 && cair2_guard_damaged(guardSlot) != 0 }

    /// Throws (exit code 3, "PATH changed while being read (truncated or replaced); nothing was
    /// published") when the bytes read may not be the file's: a guarded fault happened, the open
    /// file's size, inode or modification time changed, or the path now names another file.
    public func checkIntact() throws(IOError) {
        if isDamaged { throw IOError.inputChanged(path: path) }
        let current: FileStatus
        do throws(IOError) { current = try descriptor.status() } catch { throw error.duringRun() }
        guard current.isSameVersion(as: openedStatus) else { throw IOError.inputChanged(path: path) }
        // A rename over the path leaves our inode untouched; only the path shows it. A path that
        // vanished (unlinked, or renamed away mid-rotation) counts as replaced as well.
        guard let named = try? FileStatus.of(path: path), named.isSameVersion(as: openedStatus) else {
            throw IOError.inputChanged(path: path)
        }
    }
}

/// `madvise(2)` advice over memory the process owns (the mapped input, the id table), through the syscall seam.
/// Advice is a hint: a kernel that declines it changes nothing but the speed, so failures are ignored.
package enum PageAdvice {
    /// Read these pages ahead (`MADV_WILLNEED`).
    case willNeed
    /// Drop these pages; a clean mapped page is read again when touched (`MADV_DONTNEED`).
    case dontNeed
    /// Back these pages with huge pages where the kernel can (`MADV_HUGEPAGE`).
    case hugePages

    /// Gives the advice for the pages of `start..<start + count`: every page it touches for `willNeed`, only
    /// the whole pages inside it for the others (a page partly outside the range may still be in use).
    package func apply(to start: UnsafeRawPointer, count: Int) {
        let page = Int(getpagesize())
        let outwards = self == .willNeed
        let from = (Int(bitPattern: start) + (outwards ? 0 : page - 1)) & ~(page - 1)
        let to = (Int(bitPattern: start) + count + (outwards ? page - 1 : 0)) & ~(page - 1)
        guard to > from, let address = UnsafeMutableRawPointer(bitPattern: from) else { return }
        let advice: Int32
        switch self {
        case .willNeed: advice = MADV_WILLNEED
        case .dontNeed: advice = MADV_DONTNEED
        case .hugePages: advice = MADV_HUGEPAGE
        }
        _ = Syscall.madvise(address, to - from, advice)
    }
}
