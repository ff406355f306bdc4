import CAIR2Compression
import CAIR2IO
import CAIR2Core
#if canImport(Glibc)
import Glibc
#endif

/// An input extract: a memory-mapped regular file (the fast path), or a stream (standard input, a `.zst`
/// file, or any file with `--no-mmap`) read in blocks into one reused buffer.
package final class InputFile {
    let path: String
    /// The guarded mapping (a shrinking file cannot SIGBUS us; `checkIntact` reports it).
    private var mapped: MappedFile?
    private var size: Int = 0
    private var inode: UInt64 = 0
    private var mtime: Int = 0
    /// Set for streamed input.
    package private(set) var stream: BlockStream?

    private init(path: String) { self.path = path }

    /// Calls `body` with the bytes of a mapped input, whole (empty for an empty file), and returns its result;
    /// nil, without calling it, for a streamed input. The pointer is valid only inside `body`.
    package func withMappedBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R? {
        guard stream == nil else { return nil }
        guard let m = mapped else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try m.withUnsafeBytes { (raw) throws(E) -> R in
            try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
        }
    }

    /// How the input is compressed (§3c: by its magic bytes, else its name).
    private(set) var compression = InputCompression.none

    /// The input's size in bytes when known in advance (a regular file that is not compressed), else 0.
    var knownSize: Int { stream == nil || (path != "-" && compression == .none) ? size : 0 }

    /// The input's size when known (for sizing tables), else a guess.
    var sizeHint: Int { size > 0 ? size : 64 << 20 }

    package static func open(path: String, useMmap: Bool, blockSize: Int = 16 << 20) throws -> InputFile {
        let f = InputFile(path: path)
        if path == "-" {
            let peeked = try PeekedSource(FileDescriptorSource(fileDescriptor: 0, path: "standard input"),
                                          path: "standard input")
            try f.startStream(peeked, magic: peeked.head, name: "standard input", blockSize: blockSize)
            return f
        }
        let descriptor: FileDescriptor
        do { descriptor = try FileDescriptor.openForReading(path) } catch {
            throw CAIR2Error.usage("\(path): cannot open the input: \(errnoText(error.errno))")
        }
        let fd = descriptor.rawValue
        let status: FileStatus
        do { status = try descriptor.status() } catch {
            try? descriptor.close()
            throw CAIR2Error.usage("\(path): cannot stat the input: \(errnoText(error.errno))")
        }
        if status.isDirectory { try? descriptor.close(); throw CAIR2Error.usage("\(path): is a directory, not an extract") }
        f.size = Int(status.size)
        f.inode = status.inode
        f.mtime = Int(status.modificationSeconds) &* 1_000_000_000 &+ Int(status.modificationNanoseconds)
        if !status.isRegularFile {
            // A pipe or a device: its first bytes can only be read once.
            let peeked = try PeekedSource(OwnedFDSource(fd: fd, path: path), path: path)
            try f.startStream(peeked, magic: peeked.head, name: path, blockSize: blockSize)
            return f
        }
        var magic = [UInt8](repeating: 0, count: 4)
        let got: Int
        switch Syscall.pread(fd, &magic, 4, 0) {
        case .success(let n): got = n
        case .failure(let e): try? descriptor.close(); throw CAIR2Error.io("\(path): read failed: \(errnoText(e.rawValue))")
        }
        let compression = InputCompression.of(magic: magic.prefix(got), name: path)
        if compression != .none || !useMmap {
            try f.startStream(OwnedFDSource(fd: fd, path: path), compression: compression, name: path, blockSize: blockSize)
            return f
        }
        try? descriptor.close()
        if f.size == 0 { return f }
        do {
            f.mapped = try MappedFile(path: path)
        } catch {
            throw CAIR2Error(error.kind, "\(path): cannot map the input: \(error.reason)")
        }
        return f
    }

    private func startStream(_ source: PeekedSource, magic: [UInt8], name: String, blockSize: Int) throws {
        try startStream(source, compression: InputCompression.of(magic: magic, name: path), name: name,
                        blockSize: blockSize)
    }

    /// Streams `source` through the decompressor its compression needs (none, gzip or zstd).
    private func startStream(_ source: some ByteSource, compression: InputCompression, name: String,
                             blockSize: Int) throws {
        self.compression = compression
        let reader: any ByteSource
        switch compression {
        case .none:
            reader = source
        case .zstd:
            do { reader = try ZstdStreamReader(source: source) } catch {
                throw CAIR2Error.io("\(name): cannot start zstd decompression: \(error)")
            }
        case .gzip:
            do { reader = try GzipStreamReader(source: source) } catch {
                throw CAIR2Error.io("\(name): cannot start gzip decompression: \(error)")
            }
        }
        stream = BlockStream(source: reader, path: name, blockSize: blockSize)
    }

    /// Reads and checks the header row (§4a): nil when the input is empty. A UTF-16 file, a malformed header
    /// row and a header that seems to use another delimiter are exit 2; the messages never hold header text.
    /// A streamed header is read up to the 1 MiB limit, no further.
    func header(delimiter: UInt8) throws -> Header? {
        if let h = try withMappedBytes({ try checkedHeader($0, delimiter: delimiter, complete: true) }) { return h }
        let s = stream!
        while true {
            let eof = try s.fill()
            if let h = try checkedHeader(s.buffered, delimiter: delimiter, complete: eof) { return h }
            if eof { return nil }
            s.consume(upTo: 0)  // nothing usable yet: the next fill grows the buffer (the scan stops at 1 MiB)
        }
    }

    /// The header row of `bytes` (nil: empty when `complete`, else incomplete), or the exit-2 error for it.
    private func checkedHeader(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, complete: Bool) throws -> Header? {
        let what = path == "-" ? "standard input" : path
        switch HeaderRow.scan(bytes, delimiter: delimiter, complete: complete) {
        case .empty, .incomplete:
            return nil
        case .malformed(let defect):
            throw CAIR2Error.usage("\(what): " + headerDefectMessage(defect))
        case .row(let start, let end, _, _):
            let h = readHeader(bytes, delimiter: delimiter)!
            if let d = HeaderRow.likelyDelimiter(UnsafeBufferPointer(rebasing: bytes[start..<end]),
                                                 fieldCount: h.names.count, delimiter: delimiter) {
                throw CAIR2Error.usage("\(what): the header row holds no \(delimiterWord(delimiter)) but holds "
                    + "\(delimiterWord(d)): pass --delimiter \(delimiterArgument(d))")
            }
            return h
        }
    }

    private func headerDefectMessage(_ defect: HeaderDefect) -> String {
        let file = path == "-" ? "FILE" : shellQuoted(path)
        switch defect {
        case .utf16:
            let command: String
            switch compression {
            case .none: command = "iconv -f UTF-16 -t UTF-8 \(file) > \(file).utf8.csv"
            case .gzip: command = "gzip -dc \(file) | iconv -f UTF-16 -t UTF-8 > FILE.utf8.csv"
            case .zstd: command = "zstd -dc \(file) | iconv -f UTF-16 -t UTF-8 > FILE.utf8.csv"
            }
            return "the file is UTF-16 (it starts with a UTF-16 byte-order mark); cair2 reads UTF-8, cp1252 or "
                + "latin1. Re-encode it first: \(command)"
        case .openQuote:
            return "the header row is malformed: it ends inside an open quote (a quote in it never closes, so the "
                + "whole file would be read as the header); fix the header row's quotes"
        case .loneCR:
            return "the header row is malformed: it holds a lone CR (the file's lines seem to end with CR only); "
                + "convert its line ends to LF or CR LF first"
        case .tooLong:
            return "the header row is malformed: it is longer than 1 MiB (no row end within its first 1 MiB)"
        }
    }

    /// Fails (exit 3) when a mapped file changed while it was read (truncated, replaced, rewritten).
    package func checkIntact() throws {
        guard let m = mapped else { return }
        do {
            try m.checkIntact()
        } catch {
            throw CAIR2Error(.failedDuringRun, error.description)
        }
    }
}

/// A source whose first bytes were read ahead to judge the input (magic bytes); `read` hands them out first.
final class PeekedSource: ByteSource {
    private var base: any ByteSource
    /// The bytes read ahead (up to 4; fewer only at the end of the input).
    let head: [UInt8]
    private var offset = 0

    init(_ base: some ByteSource, path: String) throws {
        var source: any ByteSource = base
        var head = [UInt8](repeating: 0, count: 4)
        var n = 0
        while n < head.count {
            let got = try head.withUnsafeMutableBytes { raw in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[n...]))
            }
            if got == 0 { break }
            n += got
        }
        self.base = source
        self.head = Array(head.prefix(n))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset < head.count {
            let k = min(buffer.count, head.count - offset)
            for i in 0..<k { buffer[i] = head[offset + i] }
            offset += k
            return k
        }
        return try base.read(into: buffer)
    }
}

/// `word` quoted for a shell when it needs it.
func shellQuoted(_ word: String) -> String {
    let plain = word.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "/._-+,:@%".utf8.contains(b)
    }
    if plain && !word.isEmpty { return word }
    var q = "'"
    for ch in word { q += ch == "'" ? "'\\''" : String(ch) }
    return q + "'"
}

/// A delimiter as a message names it: `','`, `'|'`, `a tab`.
func delimiterWord(_ d: UInt8) -> String { d == 0x09 ? "a tab" : "'\(String(UnicodeScalar(d)))'" }

/// A delimiter as `--delimiter` takes it on a shell's command line.
func delimiterArgument(_ d: UInt8) -> String { d == 0x09 ? "'\\t'" : "'\(String(UnicodeScalar(d)))'" }

/// A file descriptor source that closes its descriptor when done.
final class OwnedFDSource: ByteSource {
    let fd: Int32
    let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch Syscall.read(fd, buffer.baseAddress, buffer.count) {
        case .success(let n): return n
        case .failure(let e): throw CAIR2Error.io("\(path): read failed: \(errnoText(e.rawValue))")
        }
    }
    deinit { _ = Syscall.close(fd) }
}

/// Blocks of a stream in one reused buffer: `fill` reads until `blockSize` bytes are buffered (or the end),
/// `consume` drops what was processed and moves the rest to the front.
package final class BlockStream {
    var source: any ByteSource
    let path: String
    private var buffer: ByteBuffer
    private var target: Int
    private(set) var totalRead = 0
    private var eof = false

    init(source: any ByteSource, path: String, blockSize: Int) {
        self.source = source
        self.path = path
        // Clamped: a huge --block-size must not become one huge allocation (a longer record still grows it).
        target = min(max(blockSize, 64), 1 << 30)
        buffer = ByteBuffer(capacity: target)
    }

    package var buffered: UnsafeBufferPointer<UInt8> { buffer.bytes }

    /// Reads until the buffer holds the target size or the input ends; returns true at the end.
    package func fill() throws -> Bool {
        if target > buffer.capacity { buffer.grow(toAtLeast: target) }
        while !eof && buffer.count < target {
            let n: Int
            do {
                n = try source.read(into: buffer.unused)
            } catch let e as CAIR2Error {
                throw e
            } catch {
                throw CAIR2Error.io("\(path): \(error)")
            }
            if n == 0 { eof = true } else { buffer.didAppend(n); totalRead += n }
        }
        return eof
    }

    /// Drops the first `n` buffered bytes. Consuming nothing asks the next `fill` for a bigger block (a record
    /// longer than a block).
    package func consume(upTo n: Int) {
        if n == 0 { target = max(target, buffer.count) * 2; return }
        buffer.removeFirst(n)
    }
}
