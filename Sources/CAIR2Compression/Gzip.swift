// Safe Swift over the system's zlib (the CZlib module): gzip input decompressed as a stream (PRODUCT.md §3c).
//
// `GzipStreamReader` is a pull-style `ByteSource` like `ZstdStreamReader`: one input buffer and zlib's
// 32 KiB window, whatever the file's size. Concatenated gzip members (what `cat a.gz b.gz` and parallel
// compressors write) read as one stream. A corrupt member, bytes after the last member that are not another
// one, and a stream that stops inside a member are errors, never a silent short read.

import CZlib

/// An error from gzip decompression.
public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// zlib refused the bytes; `reason` is zlib's message.
    case corrupt(reason: String)
    /// The stream ended inside a member (or was empty).
    case truncated
    /// zlib could not allocate its state.
    case outOfMemory

    /// One line for people, starting with `gzip`.
    public var description: String {
        switch self {
        case let .corrupt(reason): return "gzip stream is corrupt: \(reason)"
        case .truncated: return "gzip stream is truncated: it ends inside a member (unexpected end of file)"
        case .outOfMemory: return "gzip: out of memory"
        }
    }
}

/// Decompresses the gzip members `source` hands out: `read(into:)` fills the caller's buffer and returns 0
/// only at the clean end of the last member.
public final class GzipStreamReader: ByteSource {
    private var source: any ByteSource
    /// zlib keeps a pointer back to its `z_stream`: it lives at one address, allocated here.
    private let stream: UnsafeMutablePointer<z_stream>
    private let inBuffer: UnsafeMutableRawBufferPointer
    private var sourceEnded = false
    /// The last member ended (Z_STREAM_END); more input starts another.
    private var memberEnded = false
    private var done = false

    /// Decompresses the bytes `source` hands out.
    public init(source: some ByteSource) throws {
        self.source = source
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inBuffer = .allocate(byteCount: 128 << 10, alignment: 16)
        let status = cair2_inflate_init_gzip(stream)
        if status != Z_OK {
            stream.deinitialize(count: 1)
            stream.deallocate()
            inBuffer.deallocate()
            throw status == Z_MEM_ERROR ? GzipError.outOfMemory : GzipError.corrupt(reason: "inflateInit2 returned \(status)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        inBuffer.deallocate()
    }

    /// Fills the front of `buffer` (which must not be empty) with decompressed bytes and returns how many; 0 once the
    /// last member has ended. Concatenated members are read as one stream. Throws `GzipError` or the source's error.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count > 0, "read into an empty buffer")
        if done { return 0 }
        while true {
            if stream.pointee.avail_in == 0 && !sourceEnded { try refill() }
            if memberEnded {
                if stream.pointee.avail_in == 0 {
                    if sourceEnded { done = true; return 0 }
                    continue
                }
                // Another member follows (concatenated gzip files).
                guard inflateReset(stream) == Z_OK else { throw GzipError.corrupt(reason: "inflateReset failed") }
                memberEnded = false
            }
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
            let before = Int(stream.pointee.avail_out)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = before - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK: break
            case Z_STREAM_END: memberEnded = true
            case Z_BUF_ERROR:
                // No progress was possible: zlib needs input that is not there.
                if sourceEnded && stream.pointee.avail_in == 0 && produced == 0 { throw GzipError.truncated }
            case Z_MEM_ERROR: throw GzipError.outOfMemory
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "inflate returned \(status)"
                throw GzipError.corrupt(reason: reason)
            }
            if produced > 0 { return produced }
        }
    }

    private func refill() throws {
        let n = try source.read(into: inBuffer)
        if n == 0 { sourceEnded = true; return }
        stream.pointee.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(n)
    }
}
