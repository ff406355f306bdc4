import CAIR2Core
import Glibc

/// Reads a file or pipe with read(2) into one large reused buffer, for `--no-mmap` and standard
/// input.
///
/// Each call of `withNextChunk` fills the buffer (looping over short reads until it is full or the
/// input ends) and hands the caller every byte it holds: the unconsumed tail of the previous chunk
/// followed by the new bytes. The caller answers how many bytes it consumed, normally up to the last
/// complete record; the rest moves to the front and is handed over again, completed, next time. A
/// chunk of which the caller consumes nothing while the buffer is full makes the buffer double
/// (one record longer than the buffer), so the reader never stalls.
///
/// For a regular file the reader also remembers its size and identity: `checkIntact()` at the end
/// tells a file that was truncated or replaced mid-read (read(2) would just see an early end of
/// file) from one that was read whole.
public final class ChunkedFileReader {
    /// The descriptor read from.
    public let descriptor: FileDescriptor
    /// Where `withNextChunk`'s buffer starts in the stream, in bytes: the number of bytes consumed
    /// so far.
    public private(set) var streamOffset: Int64 = 0
    /// The buffer's current capacity in bytes.
    public var capacity: Int { storage.capacity }

    private var storage: ByteBuffer
    private var atEnd = false
    private var totalRead: Int64 = 0
    private let ownsDescriptor: Bool
    private let openedStatus: FileStatus?

    /// Reads from an open descriptor (not closed by the reader), for example standard input.
    public init(descriptor: FileDescriptor, bufferSize: Int = 8 << 20) {
        self.descriptor = descriptor
        self.ownsDescriptor = false
        self.storage = ByteBuffer(capacity: bufferSize, alignment: 64)
        let status = try? descriptor.status()
        self.openedStatus = status?.isRegularFile == true ? status : nil
    }

    /// Opens `path` for reading (exit code 2 if it cannot be opened); the reader closes it.
    public init(path: String, bufferSize: Int = 8 << 20) throws(IOError) {
        let descriptor = try FileDescriptor.openForReading(path)
        let status: FileStatus
        do throws(IOError) { status = try descriptor.status() } catch {
            _ = Syscall.close(descriptor.rawValue)
            throw error
        }
        self.descriptor = descriptor
        self.ownsDescriptor = true
        self.storage = ByteBuffer(capacity: bufferSize, alignment: 64)
        self.openedStatus = status.isRegularFile ? status : nil
    }

    deinit {
        if ownsDescriptor { _ = Syscall.close(descriptor.rawValue) }
    }

    /// Fills the buffer and calls `body(bytes, isFinal)`; `body` returns how many leading bytes of
    /// `bytes` it consumed (0...bytes.count). `isFinal` is true when the input has ended, so the
    /// bytes include the last (possibly unterminated) record and nothing more will follow: consume
    /// them all. Returns false, without calling `body`, once every byte has been consumed.
    ///
    /// The pointer is valid only inside `body`. Read errors throw `IOError` (exit code 3).
    public func withNextChunk(_ body: (UnsafeRawBufferPointer, _ isFinal: Bool) throws -> Int) throws -> Bool {
        try fill()
        let filled = storage.count
        guard filled > 0 else { return false }
        let consumed = try body(UnsafeRawBufferPointer(storage.bytes), atEnd)
        precondition(consumed >= 0 && consumed <= filled, "consumed \(consumed) of \(filled) bytes")
        if atEnd && consumed == 0 {
            // The caller declined the last bytes; nothing more will ever complete them.
            streamOffset += Int64(filled)
            storage.removeAll()
            return true
        }
        storage.removeFirst(consumed)
        streamOffset += Int64(consumed)
        if consumed == 0 && filled == storage.capacity { storage.grow(toAtLeast: filled + 1) }
        return true
    }

    /// Throws `IOError.inputChanged` (exit code 3) when the input is a regular file that was
    /// truncated, extended, modified or replaced while being read, i.e. the bytes read are not the
    /// file's. Call it after the last chunk. Pipes and terminals have nothing to compare: no-op.
    public func checkIntact() throws(IOError) {
        guard let openedStatus else { return }
        let path = descriptor.path
        let current: FileStatus
        do throws(IOError) { current = try descriptor.status() } catch { throw error.duringRun() }
        if !current.isSameVersion(as: openedStatus) { throw IOError.inputChanged(path: path) }
        if atEnd && totalRead != openedStatus.size { throw IOError.inputChanged(path: path) }
        if ownsDescriptor {
            guard let named = try? FileStatus.of(path: path), named.isSameVersion(as: openedStatus) else {
                throw IOError.inputChanged(path: path)
            }
        }
    }

    /// Reads until the buffer is full or the input ends.
    private func fill() throws(IOError) {
        while !atEnd && storage.count < storage.capacity {
            let count: Int
            do throws(IOError) { count = try descriptor.read(into: storage.unused) } catch { throw error.duringRun() }
            if count == 0 { atEnd = true } else {
                storage.didAppend(count)
                totalRead += Int64(count)
            }
        }
    }
}
