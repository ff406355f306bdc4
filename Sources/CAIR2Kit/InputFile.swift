import CAIR2Core
#if canImport(Glibc)
import Glibc
#endif

/// An input extract: a memory-mapped regular file (the fast path), or a stream (standard input, a `.zst`
/// file, or any file with `--no-mmap`) read in blocks into one reused buffer.
final class InputFile {
    let path: String
    /// The guarded mapping (a shrinking file cannot SIGBUS us; `checkIntact` reports it).
    private var mapped: MappedFile?
    private var size: Int = 0
    private var inode: UInt64 = 0
    private var mtime: Int = 0
    /// Set for streamed input.
    private(set) var stream: BlockStream?

    private init(path: String) { self.path = path }

    /// Bytes of a mapped input, whole.
    var mappedBytes: UnsafeBufferPointer<UInt8>? {
        guard let m = mapped else { return stream == nil ? UnsafeBufferPointer(start: nil, count: 0) : nil }
        // The mapping lives as long as this InputFile (the caller holds it for the whole run).
        let bytes: UnsafeBufferPointer<UInt8> = m.withUnsafeBytes { raw in
            UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count)
        }
        return bytes
    }

    /// The input's size in bytes when known in advance (a regular file that is not compressed), else 0.
    var knownSize: Int { stream == nil || (path != "-" && !path.hasSuffix(".zst")) ? size : 0 }

    /// The input's size when known (for sizing tables), else a guess.
    var sizeHint: Int { size > 0 ? size : 64 << 20 }

    static func open(path: String, useMmap: Bool, blockSize: Int = 16 << 20) throws -> InputFile {
        let f = InputFile(path: path)
        if path == "-" {
            f.stream = BlockStream(source: FileDescriptorSource(fileDescriptor: 0, path: "standard input"),
                                   path: "standard input", blockSize: blockSize)
            return f
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CAIR2Error.usage("\(path): cannot open the input: \(errnoText())") }
        var st = stat()
        if fstat(fd, &st) != 0 { close(fd); throw CAIR2Error.usage("\(path): cannot stat the input: \(errnoText())") }
        if (st.st_mode & S_IFMT) == S_IFDIR { close(fd); throw CAIR2Error.usage("\(path): is a directory, not an extract") }
        f.size = Int(st.st_size)
        f.inode = UInt64(st.st_ino)
        f.mtime = Int(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int(st.st_mtim.tv_nsec)
        if path.hasSuffix(".zst") {
            do {
                let reader = try ZstdStreamReader(source: OwnedFDSource(fd: fd, path: path))
                f.stream = BlockStream(source: reader, path: path, blockSize: blockSize)
            } catch {
                close(fd)
                throw CAIR2Error.usage("\(path): cannot start zstd decompression: \(error)")
            }
            return f
        }
        if !useMmap || (st.st_mode & S_IFMT) != S_IFREG {
            f.stream = BlockStream(source: OwnedFDSource(fd: fd, path: path), path: path, blockSize: blockSize)
            return f
        }
        close(fd)
        if f.size == 0 { return f }
        do {
            f.mapped = try MappedFile(path: path)
        } catch {
            throw CAIR2Error(exitCode: error.exitCode, "\(path): cannot map the input: \(error.reason)")
        }
        return f
    }

    /// Reads the header row (exit 2 when there is none).
    func header(delimiter: UInt8) throws -> Header? {
        if let m = mappedBytes { return readHeader(m, delimiter: delimiter) }
        let s = stream!
        while true {
            let eof = try s.fill()
            let b = s.buffered
            if let h = readHeader(b, delimiter: delimiter), eof || h.end < b.count || (h.end > 0 && b[h.end - 1] == 0x0A) {
                return h
            }
            if eof { return nil }
            s.consume(upTo: 0)  // nothing usable yet: the next fill grows the buffer
        }
    }

    /// Fails (exit 3) when a mapped file changed while it was read (truncated, replaced, rewritten).
    func checkIntact() throws {
        guard let m = mapped else { return }
        do {
            try m.checkIntact()
        } catch {
            throw CAIR2Error(exitCode: 3, error.description)
        }
    }
}

/// A file descriptor source that closes its descriptor when done.
final class OwnedFDSource: ByteSource {
    let fd: Int32
    let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw CAIR2Error.io("\(path): read failed: \(errnoText())")
        }
    }
    deinit { close(fd) }
}

/// Blocks of a stream in one reused buffer: `fill` reads until `blockSize` bytes are buffered (or the end),
/// `consume` drops what was processed and moves the rest to the front.
final class BlockStream {
    var source: any ByteSource
    let path: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var length = 0
    private var target: Int
    private(set) var totalRead = 0
    private var eof = false

    init(source: any ByteSource, path: String, blockSize: Int) {
        self.source = source
        self.path = path
        // Clamped: a huge --block-size must not become one huge allocation (a longer record still grows it).
        target = min(max(blockSize, 64), 1 << 30)
        capacity = target
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    var buffered: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer, count: length) }

    /// Reads until the buffer holds the target size or the input ends; returns true at the end.
    func fill() throws -> Bool {
        if target > capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: target)
            bigger.update(from: buffer, count: length)
            buffer.deallocate()
            buffer = bigger
            capacity = target
        }
        while !eof && length < target {
            let n: Int
            do {
                n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + length, count: capacity - length))
            } catch let e as CAIR2Error {
                throw e
            } catch {
                throw CAIR2Error.io("\(path): \(error)")
            }
            if n == 0 { eof = true } else { length += n; totalRead += n }
        }
        return eof
    }

    /// Drops the first `n` buffered bytes. Consuming nothing asks the next `fill` for a bigger block (a record
    /// longer than a block).
    func consume(upTo n: Int) {
        if n == 0 { target = max(target, length) * 2; return }
        let rest = length - n
        if rest > 0 { memmove(buffer, buffer + n, rest) }
        length = rest
    }
}
