// POSIX ustar: a writer for regular files and a streaming reader.
//
// An archive is a sequence of 512-byte blocks: for each member a header block
// (name, octal mode/uid/gid/size/mtime, checksum, type, "ustar" magic, prefix),
// then its data padded with zeros to a whole block; two zero blocks end the
// archive. The writer is deterministic: uid/gid 0, empty user and group names,
// mode 0600, one mtime for every member, and the archive padded to a whole
// 10240-byte record as tar(1) does. The reader recognises every member type so
// that `verify` can refuse links, devices and pax headers instead of skipping them.

import CAIR2Compression

/// An error reading or writing a tar stream.
public enum TarError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name does not fit ustar's 100-byte name plus 155-byte prefix (or is empty or holds NUL).
    case unsupportedName(String)
    /// A size or time that ustar's 11 octal digits cannot hold (or a negative one).
    case valueOutOfRange(field: String, value: Int64)
    /// A member's data was not exactly the size announced in its header.
    case sizeMismatch(name: String, expected: Int, actual: Int)
    /// A header block whose checksum does not match its bytes.
    case badChecksum(offset: Int)
    /// A header field that is not a valid number.
    case badHeader(offset: Int, field: String)
    /// The stream ended inside a header, inside a member's data, or before the end-of-archive blocks.
    case truncated(String)

    /// One line for people, starting with `tar:` and naming the member or offset.
    public var description: String {
        switch self {
        case let .unsupportedName(n): return "tar: cannot store the name '\(n)' in a ustar header"
        case let .valueOutOfRange(f, v): return "tar: \(f) \(v) does not fit a ustar header"
        case let .sizeMismatch(n, e, a): return "tar: member '\(n)' announced \(e) bytes but had \(a)"
        case let .badChecksum(o): return "tar: header checksum mismatch at byte \(o) of the tar stream (corrupt archive)"
        case let .badHeader(o, f): return "tar: invalid \(f) field in the header at byte \(o) of the tar stream"
        case let .truncated(what): return "tar: archive is truncated: \(what)"
        }
    }
}

/// The type of a tar member, from the header's typeflag.
public enum TarEntryType: Equatable, Sendable {
    /// `0`, NUL or `7`: a regular file. The others: `1` hard link, `2` symbolic link,
    /// `3` / `4` character / block device, `5` directory, `6` FIFO.
    case regular, hardLink, symbolicLink, characterDevice, blockDevice, directory, fifo
    /// `x`: a pax extended header for the next member.
    case paxExtended
    /// `g`: a pax global header.
    case paxGlobal
    /// `L` / `K`: GNU long name / long link name for the next member.
    case gnuLongName, gnuLongLink
    /// Any other typeflag byte.
    case other(UInt8)

    init(flag: UInt8) {
        switch flag {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): self = .regular
        case UInt8(ascii: "1"): self = .hardLink
        case UInt8(ascii: "2"): self = .symbolicLink
        case UInt8(ascii: "3"): self = .characterDevice
        case UInt8(ascii: "4"): self = .blockDevice
        case UInt8(ascii: "5"): self = .directory
        case UInt8(ascii: "6"): self = .fifo
        case UInt8(ascii: "x"): self = .paxExtended
        case UInt8(ascii: "g"): self = .paxGlobal
        case UInt8(ascii: "L"): self = .gnuLongName
        case UInt8(ascii: "K"): self = .gnuLongLink
        default: self = .other(flag)
        }
    }

    /// Whether the member carries data blocks after its header.
    var hasData: Bool {
        switch self {
        case .hardLink, .symbolicLink, .characterDevice, .blockDevice, .fifo, .directory: return false
        default: return true
        }
    }

    /// A short name for messages.
    public var label: String {
        switch self {
        case .regular: return "regular file"
        case .hardLink: return "hard link"
        case .symbolicLink: return "symbolic link"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .directory: return "directory"
        case .fifo: return "FIFO"
        case .paxExtended: return "pax extended header"
        case .paxGlobal: return "pax global header"
        case .gnuLongName: return "GNU long-name header"
        case .gnuLongLink: return "GNU long-link header"
        case let .other(f): return "member of unknown type 0x\(String(f, radix: 16))"
        }
    }
}

/// One member header as read from an archive.
public struct TarEntry: Equatable, Sendable {
    /// The member's path: ustar prefix and name joined by `/` (bytes decoded as UTF-8).
    public var name: String
    /// The member's type (regular file, link, device, pax header, ...).
    public var type: TarEntryType
    /// The size field (bytes of data that follow, for types that carry data).
    public var size: Int
    /// Permission bits from the header.
    public var mode: Int
    /// Modification time, seconds since 1970.
    public var mtime: Int64
    /// The link target of a link member.
    public var linkName: String
    /// Where the header starts in the uncompressed tar stream.
    public var headerOffset: Int
}

private let blockSize = 512
/// tar(1)'s default record: 20 blocks. Archives end on a record boundary.
private let recordSize = 10240

// MARK: - Writer

/// Writes a ustar archive of regular files to a sink closure (for example a
/// `ZstdStreamCompressor`). Usage: `beginFile`, `write` exactly `size` bytes,
/// `endFile`; at the end `finish`.
public struct TarWriter {
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    /// The modification time written for every member (seconds since 1970, UTC).
    public let mtime: Int64
    private var currentName: String?
    private var currentSize = 0
    private var currentWritten = 0
    /// Bytes of tar stream produced so far.
    public private(set) var bytesWritten = 0

    /// A writer stamping every member with `mtime`, handing the tar stream to `sink`.
    public init(mtime: Int64, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.mtime = mtime
        self.sink = sink
    }

    /// Writes the header of a regular file of `size` bytes.
    public mutating func beginFile(name: String, size: Int) throws {
        precondition(currentName == nil, "beginFile inside a member")
        let header = try TarWriter.header(name: name, size: size, mtime: mtime)
        try emit(header)
        currentName = name
        currentSize = size
        currentWritten = 0
    }

    /// Writes data of the current member; more than its announced size is an error.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let name = currentName else { preconditionFailure("write outside a member") }
        guard currentWritten + bytes.count <= currentSize else {
            throw TarError.sizeMismatch(name: name, expected: currentSize, actual: currentWritten + bytes.count)
        }
        try emit(bytes)
        currentWritten += bytes.count
    }

    /// Ends the current member, padding its data to a whole block.
    public mutating func endFile() throws {
        guard let name = currentName else { preconditionFailure("endFile outside a member") }
        guard currentWritten == currentSize else {
            throw TarError.sizeMismatch(name: name, expected: currentSize, actual: currentWritten)
        }
        try pad(to: blockSize)
        currentName = nil
    }

    /// Writes a whole regular file from an array.
    public mutating func addFile(name: String, contents: [UInt8]) throws {
        try beginFile(name: name, size: contents.count)
        try contents.withUnsafeBytes { try write($0) }
        try endFile()
    }

    /// Writes the end-of-archive blocks and pads to a whole record.
    public mutating func finish() throws {
        precondition(currentName == nil, "finish inside a member")
        try emit([UInt8](repeating: 0, count: 2 * blockSize))
        try pad(to: recordSize)
    }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private mutating func emit(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try sink(bytes)
        bytesWritten += bytes.count
    }

    private mutating func pad(to unit: Int) throws {
        let r = bytesWritten % unit
        if r != 0 { try emit([UInt8](repeating: 0, count: unit - r)) }
    }

    /// Builds one ustar header block. `typeflag` and `linkName` exist so tests can
    /// craft hostile archives (links, devices); the writer itself only makes regular files.
    package static func header(name: String, size: Int, mtime: Int64, mode: Int = 0o600,
                       typeflag: UInt8 = UInt8(ascii: "0"), linkName: String = "") throws -> [UInt8] {
        var h = [UInt8](repeating: 0, count: blockSize)
        let (prefix, base) = try splitName(name)
        let link = Array(linkName.utf8)
        guard link.count <= 100, !link.contains(0) else { throw TarError.unsupportedName(linkName) }
        put(base, into: &h, at: 0)
        try octal(Int64(mode), width: 8, field: "mode", into: &h, at: 100)
        try octal(0, width: 8, field: "uid", into: &h, at: 108)
        try octal(0, width: 8, field: "gid", into: &h, at: 116)
        try octal(Int64(size), width: 12, field: "size", into: &h, at: 124)
        try octal(mtime, width: 12, field: "mtime", into: &h, at: 136)
        h[156] = typeflag
        put(link, into: &h, at: 157)
        put(Array("ustar\0".utf8), into: &h, at: 257)
        put(Array("00".utf8), into: &h, at: 263)
        // uname (265) and gname (297) stay empty: ownership is not part of a batch.
        try octal(0, width: 8, field: "devmajor", into: &h, at: 329)
        try octal(0, width: 8, field: "devminor", into: &h, at: 337)
        put(prefix, into: &h, at: 345)
        // The checksum is computed with its own field as eight blanks, then written
        // as six octal digits, NUL, blank (the form tar(1) writes).
        for i in 148..<156 { h[i] = 32 }
        let sum = h.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, 32]
        put(field, into: &h, at: 148)
        return h
    }

    /// Splits a path into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a `/`.
    package static func splitName(_ name: String) throws -> (prefix: [UInt8], name: [UInt8]) {
        let b = Array(name.utf8)
        guard !b.isEmpty, !b.contains(0) else { throw TarError.unsupportedName(name) }
        if b.count <= 100 { return ([], b) }
        // The latest `/` that leaves a prefix of at most 155 bytes and a non-empty
        // name of at most 100.
        var i = min(155, b.count - 2)
        while i >= 0 {
            if b[i] == UInt8(ascii: "/"), b.count - i - 1 <= 100 {
                return (Array(b[0..<i]), Array(b[(i + 1)...]))
            }
            if b.count - i - 1 > 100 { break }
            i -= 1
        }
        throw TarError.unsupportedName(name)
    }

    private static func put(_ bytes: [UInt8], into h: inout [UInt8], at offset: Int) {
        for (i, b) in bytes.enumerated() { h[offset + i] = b }
    }

    /// Zero-padded octal digits filling `width - 1` bytes, then NUL.
    private static func octal(_ value: Int64, width: Int, field: String, into h: inout [UInt8], at offset: Int) throws {
        let digits = Array(String(value, radix: 8).utf8)
        guard value >= 0, digits.count <= width - 1 else { throw TarError.valueOutOfRange(field: field, value: value) }
        put([UInt8](repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits + [0], into: &h, at: offset)
    }
}

// MARK: - Reader

/// Reads a tar stream member by member without holding more than a small buffer:
/// `next()` returns the next header (skipping whatever is left of the previous
/// member's data), `readData(into:)` hands out the current member's data. Returns
/// `nil` at the end-of-archive block. Corrupt headers throw `TarError.badChecksum`,
/// a stream that stops early `TarError.truncated`.
public struct TarReader<Source: ByteSource> {
    private var source: Source
    private var buffer: [UInt8]
    private var bufPos = 0
    private var bufLen = 0
    private var sourceEnded = false
    /// Bytes of the tar stream consumed so far.
    public private(set) var offset = 0
    /// Data bytes of the current member not yet handed out.
    private var remainingData = 0
    /// Zero padding after the current member's data.
    private var remainingPadding = 0
    private var currentName = ""
    private var ended = false

    /// A reader over `source` (for example a `ZstdStreamReader`), buffering `bufferSize` bytes.
    public init(source: Source, bufferSize: Int = 64 * 1024) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: max(bufferSize, blockSize))
    }

    /// The next member's header, or `nil` after the end-of-archive block.
    public mutating func next() throws -> TarEntry? {
        if ended { return nil }
        try skip(remainingData + remainingPadding)
        remainingData = 0
        remainingPadding = 0
        let headerOffset = offset
        var block = [UInt8](repeating: 0, count: blockSize)
        let got = try readFully(&block)
        if got == 0 { throw TarError.truncated("the stream ends without the end-of-archive blocks") }
        if got < blockSize { throw TarError.truncated("the stream ends inside a header at byte \(headerOffset)") }
        if block.allSatisfy({ $0 == 0 }) {
            ended = true
            return nil
        }
        let entry = try TarReader.parse(block, offset: headerOffset)
        let dataSize = entry.type.hasData ? entry.size : 0
        // A base-256 size near Int.max would overflow the skip to the next header (found by fuzzing).
        guard dataSize <= Int.max - blockSize else { throw TarError.badHeader(offset: headerOffset, field: "size") }
        remainingData = dataSize
        remainingPadding = (blockSize - dataSize % blockSize) % blockSize
        currentName = entry.name
        return entry
    }

    /// Fills the front of `into` with the current member's data; 0 at its end.
    public mutating func readData(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remainingData > 0, out.count > 0 else { return 0 }
        let want = min(out.count, remainingData)
        var n: Int
        if bufPos < bufLen {
            n = min(want, bufLen - bufPos)
            buffer.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress! + bufPos, byteCount: n) }
            bufPos += n
        } else {
            // Large reads go straight from the source into the caller's buffer.
            n = sourceEnded ? 0 : try source.read(into: UnsafeMutableRawBufferPointer(rebasing: out[0..<want]))
            if n == 0 {
                sourceEnded = true
                throw TarError.truncated("member '\(currentName)' ends \(remainingData) bytes early")
            }
        }
        remainingData -= n
        offset += n
        return n
    }

    /// After `next()` returned `nil`: reads the rest of the stream and returns how
    /// many non-zero bytes follow the end-of-archive block (tar(1) ignores them,
    /// so anything hidden there deserves a report).
    public mutating func trailingNonZeroBytes() throws -> Int {
        var nonZero = 0
        while true {
            if bufPos == bufLen {
                try refill()
                if bufLen == 0 { return nonZero }
            }
            for i in bufPos..<bufLen where buffer[i] != 0 { nonZero += 1 }
            offset += bufLen - bufPos
            bufPos = bufLen
        }
    }

    private mutating func refill() throws {
        bufPos = 0
        bufLen = 0
        if sourceEnded { return }
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { sourceEnded = true }
        bufLen = n
    }

    /// Reads up to `block.count` bytes; fewer only at the end of the stream.
    private mutating func readFully(_ block: inout [UInt8]) throws -> Int {
        var got = 0
        while got < block.count {
            if bufPos == bufLen {
                try refill()
                if bufLen == 0 { break }
            }
            let n = min(block.count - got, bufLen - bufPos)
            for i in 0..<n { block[got + i] = buffer[bufPos + i] }
            bufPos += n
            got += n
        }
        offset += got
        return got
    }

    private mutating func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            if bufPos == bufLen {
                try refill()
                if bufLen == 0 { throw TarError.truncated("member '\(currentName)' ends \(left) bytes early") }
            }
            let n = min(left, bufLen - bufPos)
            bufPos += n
            offset += n
            left -= n
        }
    }

    static func parse(_ h: [UInt8], offset: Int) throws -> TarEntry {
        // Checksum first: a flipped bit anywhere in the header must not pass as data.
        let stored = try number(h, 148, 8, "checksum", offset)
        var unsigned = 0, signed = 0
        for (i, b) in h.enumerated() {
            let v = (148..<156).contains(i) ? 32 : b
            unsigned += Int(v)
            signed += Int(Int8(bitPattern: v))
        }
        guard stored == Int64(unsigned) || stored == Int64(signed) else { throw TarError.badChecksum(offset: offset) }
        let type = TarEntryType(flag: h[156])
        var name = string(h, 0, 100)
        let isUstar = Array(h[257..<263]) == Array("ustar\0".utf8)
        if isUstar {
            let prefix = string(h, 345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let size = try number(h, 124, 12, "size", offset)
        return TarEntry(name: name, type: type, size: Int(size),
                        mode: Int(try number(h, 100, 8, "mode", offset)),
                        mtime: try number(h, 136, 12, "mtime", offset),
                        linkName: string(h, 157, 100), headerOffset: offset)
    }

    private static func string(_ h: [UInt8], _ at: Int, _ len: Int) -> String {
        var end = at
        while end < at + len && h[end] != 0 { end += 1 }
        return String(decoding: h[at..<end], as: UTF8.self)
    }

    /// An octal field (blanks and NULs around the digits allowed), or GNU's
    /// base-256 form (high bit of the first byte set) for large positive values.
    private static func number(_ h: [UInt8], _ at: Int, _ len: Int, _ field: String, _ offset: Int) throws -> Int64 {
        if h[at] & 0x80 != 0 {
            guard h[at] == 0x80 else { throw TarError.badHeader(offset: offset, field: field) }
            var v: Int64 = 0
            for i in (at + 1)..<(at + len) {
                guard v < (Int64.max >> 8) else { throw TarError.badHeader(offset: offset, field: field) }
                v = v << 8 | Int64(h[i])
            }
            return v
        }
        var i = at
        let end = at + len
        while i < end && h[i] == 32 { i += 1 }
        var v: Int64 = 0
        while i < end, h[i] >= UInt8(ascii: "0"), h[i] <= UInt8(ascii: "7") {
            v = v * 8 + Int64(h[i] - UInt8(ascii: "0"))
            i += 1
        }
        while i < end && (h[i] == 0 || h[i] == 32) { i += 1 }
        guard i == end else { throw TarError.badHeader(offset: offset, field: field) }
        return v
    }
}
