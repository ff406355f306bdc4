// Safe Swift over the system's libzstd (the CZstd module).
//
// Three shapes, each owning one libzstd context that it reuses:
// - `ZstdFrameCompressor`: one buffer in, one complete frame out (content size and
//   checksum in the frame). Frames compressed independently by parallel workers can
//   be concatenated; `zstd -d` restores the concatenation.
// - `ZstdStreamCompressor`: bytes in as they come, compressed bytes handed to a sink
//   closure (tar.zst archives, streaming outputs).
// - `ZstdDecompressor` (push) and `ZstdStreamReader` (pull): streaming
//   decompression in bounded memory, across concatenated frames, with a clear error
//   for a truncated or corrupt stream.
//
// The contexts are not thread-safe: use one per worker (they are not `Sendable`, so
// the compiler keeps them on one thread; create them inside each worker's closure).

import CAIR2IO
import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An error from zstd compression or decompression.
public enum ZstdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libzstd reported an error while doing `operation`; `name` is `ZSTD_getErrorName`'s text.
    case library(operation: String, code: Int, name: String)
    /// The compressed stream ended inside a frame (or was empty).
    case truncated
    /// libzstd could not allocate a context.
    case outOfMemory
    /// A compression level outside `ZSTD_minCLevel()...ZSTD_maxCLevel()`.
    case invalidLevel(Int)

    /// One line for people saying what zstd refused or lacked.
    public var description: String {
        switch self {
        case let .library(operation, _, name): return "zstd \(operation) failed: \(name)"
        case .truncated: return "zstd stream is truncated: it ends inside a frame (unexpected end of file)"
        case .outOfMemory: return "zstd: out of memory"
        case let .invalidLevel(l):
            return "invalid zstd level \(l): expected \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())"
        }
    }
}

/// Turns a libzstd return value into a count or a thrown `ZstdError`.
@inline(__always)
private func checked(_ result: Int, _ operation: String) throws -> Int {
    if ZSTD_isError(result) != 0 {
        let name = String(cString: ZSTD_getErrorName(result))
        throw ZstdError.library(operation: operation, code: Int(ZSTD_getErrorCode(result).rawValue), name: name)
    }
    return result
}

/// Shared helpers and limits.
public enum Zstd {
    /// libzstd's own default level (3).
    public static var libraryDefaultLevel: Int { Int(ZSTD_defaultCLevel()) }
    /// The accepted compression levels.
    public static var levels: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }
    /// The largest frame `ZstdFrameCompressor` can produce from `size` bytes (`ZSTD_compressBound`).
    public static func compressBound(_ size: Int) -> Int { ZSTD_compressBound(size) }
    /// The libzstd version in use, e.g. "1.5.4".
    public static var libraryVersion: String { String(cString: ZSTD_versionString()) }

    static func validate(level: Int) throws {
        guard levels.contains(level) else { throw ZstdError.invalidLevel(level) }
    }
}

// MARK: - Compression

/// Compresses one buffer at a time into one complete zstd frame, reusing one
/// `ZSTD_CCtx`. Each frame records its content size and a content checksum, so
/// `zstd -t` and our reader catch corruption.
public final class ZstdFrameCompressor {
    private let cctx: OpaquePointer
    /// The compression level every frame uses.
    public let level: Int

    /// Creates a compressor (one per worker) at `level`.
    public init(level: Int = Zstd.libraryDefaultLevel) throws {
        try Zstd.validate(level: level)
        guard let c = ZSTD_createCCtx() else { throw ZstdError.outOfMemory }
        cctx = c
        self.level = level
        _ = try checked(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, Int32(level)), "set level")
        _ = try checked(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "set checksum flag")
        _ = try checked(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1), "set content size flag")
    }

    deinit { ZSTD_freeCCtx(cctx) }

    /// Compresses `source` into one frame at the start of `destination` and returns
    /// the frame's length. Size `destination` with `Zstd.compressBound(source.count)`
    /// so it can never be too small.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        // ZSTD_compress2 resets the session (keeping the parameters) and pledges
        // source.count, which puts the content size in the frame header.
        try checked(ZSTD_compress2(cctx, destination.baseAddress, destination.count,
                                   source.baseAddress, source.count), "compress")
    }

    /// Compresses an array into a new array holding one frame (convenience for small data).
    public func compress(_ source: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Zstd.compressBound(source.count))
        let n = try source.withUnsafeBytes { src in
            try out.withUnsafeMutableBytes { try compress(src, into: $0) }
        }
        out.removeSubrange(n...)
        return out
    }
}

/// Streaming compression into a sink closure: bytes go in with `write`, compressed
/// bytes come out through `sink` (each buffer valid only during the call), and
/// `finish` ends the frame. One frame per stream, with a content checksum.
public final class ZstdStreamCompressor {
    private let cctx: OpaquePointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private let out: UnsafeMutableRawBufferPointer
    private var finished = false

    /// Creates a streaming compressor at `level` writing compressed bytes to `sink`.
    public init(level: Int = Zstd.libraryDefaultLevel, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        try Zstd.validate(level: level)
        guard let c = ZSTD_createCCtx() else { throw ZstdError.outOfMemory }
        cctx = c
        self.sink = sink
        out = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
        _ = try checked(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, Int32(level)), "set level")
        _ = try checked(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "set checksum flag")
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        out.deallocate()
    }

    /// Compresses `bytes`; output reaches the sink as libzstd's buffer fills.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after finish")
        guard bytes.count > 0 else { return }
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while input.pos < input.size {
            var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            _ = try checked(ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_continue), "compress")
            if output.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<output.pos])) }
        }
    }

    /// Writes the bytes of an array.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Ends the frame and flushes everything to the sink. Call once.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        finished = true
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        var remaining = 1
        while remaining != 0 {
            var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            remaining = try checked(ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_end), "compress (end of frame)")
            if output.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<output.pos])) }
        }
    }
}

// MARK: - Byte sources

/// Anything that hands out bytes on request, like read(2): fills the front of
/// `buffer` and returns how many bytes it wrote, 0 only at the end.
public protocol ByteSource {
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor with read(2), retrying on EINTR. Does not close it.
public struct FileDescriptorSource: ByteSource {
    /// The descriptor read from.
    public let fileDescriptor: Int32
    /// The name used in error messages.
    public let path: String

    /// Reads `fileDescriptor`; `path` names it in errors.
    public init(fileDescriptor: Int32, path: String = "<fd>") {
        self.fileDescriptor = fileDescriptor
        self.path = path
    }

    /// Reads up to `buffer.count` bytes (0 at the end); a failure throws `IOError` (`read`) with the errno.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch Syscall.read(fileDescriptor, buffer.baseAddress, buffer.count) {
        case .success(let n): return n
        case .failure(let e): throw IOError(.read, path: path, errno: e.rawValue)
        }
    }
}

// MARK: - Decompression

/// Push-style streaming decompression: feed compressed bytes as they arrive, get
/// decompressed bytes through a closure. Handles concatenated (and skippable)
/// frames; `finish` reports a stream that stopped inside a frame.
public final class ZstdDecompressor {
    private let dctx: OpaquePointer
    private let out: UnsafeMutableRawBufferPointer
    /// libzstd's last hint: 0 exactly when the last frame is complete and flushed.
    private var hint = 0
    private var sawInput = false

    /// A decompressor with its own `ZSTD_DCtx` and a `ZSTD_DStreamOutSize` output buffer.
    public init() throws {
        guard let d = ZSTD_createDCtx() else { throw ZstdError.outOfMemory }
        dctx = d
        out = .allocate(byteCount: ZSTD_DStreamOutSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        out.deallocate()
    }

    /// Decompresses `input`, calling `sink` with each run of output (valid only
    /// during the call). Memory stays bounded by libzstd's window limit.
    public func decompress(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        sawInput = true
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outFull = false
        repeat {
            var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            hint = try checked(ZSTD_decompressStream(dctx, &output, &inBuf), "decompress")
            if output.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<output.pos])) }
            // A full output buffer may mean more is held inside libzstd: call again.
            outFull = output.pos == output.size
            // (hint 0 means the frame is complete and flushed: nothing is held.)
        } while inBuf.pos < inBuf.size || (outFull && hint != 0)
    }

    /// Call at the end of the input: throws `ZstdError.truncated` when the stream
    /// was empty or stopped inside a frame.
    public func finish() throws {
        if !sawInput || hint != 0 { throw ZstdError.truncated }
    }
}

/// Pull-style streaming decompression from a `ByteSource` (a file descriptor, a
/// tar member, ...): `read(into:)` fills the caller's buffer with decompressed
/// bytes and returns 0 at the end of the last frame. Concatenated frames read as one
/// stream. A corrupt stream throws `ZstdError.library`, a truncated one
/// `ZstdError.truncated`. Memory: one input buffer (`ZSTD_DStreamInSize`, ~128 KiB)
/// plus libzstd's window; the file is never held whole.
public final class ZstdStreamReader: ByteSource {
    private var source: any ByteSource
    private let dctx: OpaquePointer
    private let inBuffer: UnsafeMutableRawBufferPointer
    private var inPos = 0
    private var inSize = 0
    private var sourceEnded = false
    private var sawInput = false
    private var hint = 0
    private var done = false

    /// Decompresses the bytes `source` hands out.
    public init(source: some ByteSource) throws {
        guard let d = ZSTD_createDCtx() else { throw ZstdError.outOfMemory }
        dctx = d
        self.source = source
        inBuffer = .allocate(byteCount: ZSTD_DStreamInSize(), alignment: 16)
    }

    /// Decompresses what a file descriptor holds (it is not closed).
    public convenience init(fileDescriptor: Int32, path: String = "<fd>") throws {
        try self.init(source: FileDescriptorSource(fileDescriptor: fileDescriptor, path: path))
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        inBuffer.deallocate()
    }

    /// Fills the front of `buffer` with decompressed bytes; returns how many, and 0
    /// only at the clean end of the stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count > 0, "read into an empty buffer")
        if done { return 0 }
        while true {
            if inPos == inSize && hint == 0 {
                // Between frames with nothing held: read more or end cleanly. (Calling
                // libzstd with no input here would only overwrite the hint.)
                if sourceEnded {
                    if !sawInput { throw ZstdError.truncated }
                    done = true
                    return 0
                }
                try refill()
                continue
            }
            // Otherwise decompress before reading more, so output libzstd already
            // holds is handed out without waiting on the source (a pipe may block).
            var input = ZSTD_inBuffer(src: inBuffer.baseAddress, size: inSize, pos: inPos)
            var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            hint = try checked(ZSTD_decompressStream(dctx, &output, &input), "decompress")
            inPos = input.pos
            if output.pos > 0 { return output.pos }
            if inPos < inSize { continue }
            // Input used up and nothing came out.
            if sourceEnded {
                if !sawInput || hint != 0 { throw ZstdError.truncated }
                done = true
                return 0
            }
            try refill()
        }
    }

    private func refill() throws {
        inPos = 0
        inSize = try source.read(into: inBuffer)
        if inSize == 0 { sourceEnded = true } else { sawInput = true }
    }
}
