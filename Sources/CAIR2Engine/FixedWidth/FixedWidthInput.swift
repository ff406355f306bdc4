// Byte sources and the output sink shared by `decode` and `validate`.
//
// Input is streamed through one reused buffer, so a 900 MB patient file and
// standard input are read the same way in constant memory. `openFixedWidthInput`
// is the one place that picks a source for a path: `.zst` files are streamed
// through libzstd.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CAIR2Compression
import CAIR2IO
import CAIR2Core

/// A stream of input bytes. `read` fills a prefix of `buffer` and returns its
/// length; 0 means the input has ended.
public protocol FixedWidthByteSource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Releases the underlying descriptor (when the source owns it).
    func close()
}

/// A file descriptor read with read(2), retried on EINTR.
public struct FileDescriptorByteSource: FixedWidthByteSource {
    /// The descriptor read.
    public let fd: Int32
    /// The path as given, for messages.
    public let path: String
    let closeWhenDone: Bool

    /// Reads up to `buffer.count` bytes (0 at the end); a failure throws `IOError` (`read`, a failure during the run).
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch Syscall.read(fd, buffer.baseAddress, buffer.count) {
        case .success(let n): return n
        case .failure(let e): throw IOError(.read, path: path, errno: e.rawValue)
        }
    }

    /// Closes the descriptor when the source owns it; otherwise does nothing.
    public func close() {
        if closeWhenDone { _ = Syscall.close(fd) }
    }
}

/// Opens `path` (`-` is standard input) as a byte source.
///
/// A path ending in `.zst` is decompressed as it is read.
public func openFixedWidthInput(_ path: String) throws -> any FixedWidthByteSource {
    if path == "-" { return FileDescriptorByteSource(fd: 0, path: path, closeWhenDone: false) }
    let descriptor: FileDescriptor
    do { descriptor = try FileDescriptor.openForReading(path) } catch {
        throw IOError(.open, path: path, errno: error.errno, kind: .cannotStart)
    }
    // A directory opens fine but cannot be read: refuse it before the run starts.
    if (try? descriptor.status())?.isDirectory == true {
        try? descriptor.close()
        throw IOError(.open, path: path, errno: EISDIR, kind: .cannotStart)
    }
    let file = FileDescriptorByteSource(fd: descriptor.rawValue, path: path, closeWhenDone: true)
    if path.hasSuffix(".zst") {
        // Streamed through libzstd: never decompressed whole into memory.
        return try ZstdFixedWidthSource(file: file, path: path)
    }
    return file
}

/// A `.zst` fixed-width file, decompressed as it is read.
final class ZstdFixedWidthSource: FixedWidthByteSource {
    private let reader: ZstdStreamReader
    private let path: String
    private let file: FileDescriptorByteSource

    func close() { file.close() }

    /// Adapts the file source to the zstd reader's `ByteSource`.
    private struct Adapter: ByteSource {
        var file: FileDescriptorByteSource
        mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try file.read(into: buffer) }
    }

    init(file: FileDescriptorByteSource, path: String) throws {
        self.path = path
        self.file = file
        do {
            reader = try ZstdStreamReader(source: Adapter(file: file))
        } catch {
            throw IOError(.open, path: path, errno: EINVAL, kind: .cannotStart)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try reader.read(into: buffer)
        } catch let e as IOError {
            throw e
        } catch {
            throw CAIR2Error(.failedDuringRun, "\(path): \(error)")
        }
    }
}

/// Streams `source` through a reused buffer and hands every line item of
/// `layout` to `body`, in order. Record bytes are valid only during the call.
package func forEachFixedWidthItem<S: FixedWidthByteSource>(
    _ source: inout S, layout: Layout, bufferSize: Int = 1 << 20,
    _ body: (FixedWidthItem) throws -> Void
) throws {
    var reader = FixedWidthReader(layout: layout)
    let capacity = Swift.max(bufferSize, reader.maxLineBytes * 4)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    var filled = 0
    var atEnd = false
    while true {
        if !atEnd {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { atEnd = true } else { filled += n }
        }
        let view = UnsafeRawBufferPointer(rebasing: buffer[0..<filled])
        var position = 0
        while let item = reader.next(in: view, from: &position, isFinal: atEnd) {
            try body(item)
        }
        if atEnd { return }
        // The reader leaves at most one partial line (<= maxLineBytes): keep it at the front.
        let tail = filled - position
        if tail > 0 && position > 0 {
            memmove(buffer.baseAddress!, buffer.baseAddress! + position, tail)
        }
        filled = tail
    }
}

/// Where `decode` writes: standard output, or a file published atomically through `AtomicOutputFile` (the
/// one temporary-file path of every command: unnamed or exclusive, 0600, fsync, rename, directory fsync).
final class OutputSink {
    private let file: AtomicOutputFile?
    private let finalPath: String?
    private var buffer: [UInt8] = []
    private let flushAt = 1 << 20
    /// Standard output's reader went away (`| head`): further output is dropped.
    private(set) var pipeClosed = false
    private var done = false

    /// `path` nil or `-` means standard output. A file output that is the input (`inputPath`, same device
    /// and inode) is refused before anything is written (exit 2). `fileMode`: the published file's permissions.
    init(path: String?, inputPath: String? = nil, fileMode: mode_t = FileMode.standard) throws {
        buffer.reserveCapacity(flushAt + 4096)
        guard let path, path != "-" else {
            // A closed pipe surfaces as EPIPE from write(2) only when SIGPIPE is ignored, a process-wide choice
            // the executable makes (`Signals.prepareProcess`); a program embedding the library makes its own.
            file = nil
            finalPath = nil
            return
        }
        var inputs = InputSet()
        inputs.add(inputPath)
        do {
            try inputs.refuseOverwriting([path], option: "-o")
            file = try AtomicOutputFile(path: path, bufferSize: 1, mode: fileMode)
        } catch {
            throw error.kind == .cannotStart && error.operation == .inputOverwrite
                ? CAIR2Error.usage(error.description)
                : IOError(.write, path: path, errno: error.errno == 0 ? EIO : error.errno, kind: .failedDuringRun)
        }
        finalPath = path
    }

    deinit { if !done { abandon() } }

    @inline(__always) func appendByte(_ byte: UInt8) {
        buffer.append(byte)
    }

    @inline(__always) func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    func append(_ string: String) {
        buffer.append(contentsOf: string.utf8)
    }

    /// Writes the buffer out once it is large.
    @inline(__always) func flushIfFull() throws {
        if buffer.count >= flushAt { try flush() }
    }

    func flush() throws {
        defer { buffer.removeAll(keepingCapacity: true) }
        if pipeClosed { return }
        let fd = file?.descriptor ?? FileDescriptor(rawValue: 1, path: "standard output")
        do {
            try buffer.withUnsafeBytes { raw in try Result { () throws(IOError) in try fd.writeAll(raw) }.get() }
        } catch let error as IOError {
            if error.errno == EPIPE && file == nil {
                pipeClosed = true
                return
            }
            // A full disk, a file-size limit (EFBIG; SIGXFSZ is ignored) or /dev/full: exit 3.
            throw IOError(.write, path: finalPath ?? "standard output", errno: error.errno == 0 ? EIO : error.errno)
        }
    }

    /// Flushes and, for a file, syncs, closes and renames it into place.
    func finish() throws {
        try flush()
        done = true
        guard let file, let finalPath else { return }
        do {
            try file.publish()
        } catch {
            throw IOError(.write, path: finalPath, errno: error.errno == 0 ? EIO : error.errno)
        }
    }

    /// Drops the temporary file: nothing is published under the final name.
    func abandon() {
        done = true
        file?.discard()
    }
}

/// Writes a line to standard error, unbuffered (the default diagnostics sink).
public func writeStandardError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.utf8CString.withUnsafeBytes { p in
        // Through the I/O seam (EINTR retried there); a failed write to standard error has nowhere to be told.
        try? FileDescriptor(rawValue: 2, path: "-").writeAll(UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 1)]))
    }
}
