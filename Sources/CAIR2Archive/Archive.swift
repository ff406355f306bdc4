// Batch archives for compliance: BATCH.tar.zst = a ustar archive, compressed as one
// zstd frame with a content checksum, whose first member MANIFEST.json lists every
// file's name, size, SHA-256 and (for the fixed-width files) record count.
//
// `archive` hashes every file first (the manifest must come first in the tar), then
// streams the files into the tar, hashing them again and failing if any changed in
// between. `verify` reads the archive as one stream, never extracting to disk,
// and compares what it finds with the manifest. Messages carry file names and
// counts only, never file contents (the files hold PHI).

import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CAIR2Compression
import CAIR2Core
import CAIR2Engine
import CAIR2IO

/// One file as listed in MANIFEST.json.
public struct ManifestFile: Codable, Equatable, Sendable {
    /// Path inside the archive, `/`-separated (`patient.txt`, `part-002/immunization.txt`).
    public var name: String
    /// Size in bytes of the file as stored (compressed size for `.txt.zst`).
    public var bytes: Int
    /// Lower-case hex SHA-256 of the file as stored.
    public var sha256: String
    /// Lines of a fixed-width file (after decompression for `.txt.zst`); absent for other files.
    public var records: Int?

    /// An entry for the file `name` (path inside the archive) of `bytes` bytes with hex digest `sha256`; `records` only
    /// for fixed-width files.
    public init(name: String, bytes: Int, sha256: String, records: Int?) {
        self.name = name
        self.bytes = bytes
        self.sha256 = sha256
        self.records = records
    }
}

/// The contents of MANIFEST.json.
public struct ArchiveManifest: Codable, Equatable, Sendable {
    /// Manifest format identifier, for future readers.
    public var format: String
    /// The tool that wrote the archive (`CAIR2Version.tool`).
    public var tool: String
    /// Its version (`CAIR2Version.version`).
    public var version: String
    /// Creation time, ISO 8601 in UTC (the archive's member mtime).
    public var created: String
    /// Every file of the batch, in archive order.
    public var files: [ManifestFile]

    /// The manifest as written: stable key order, one file per line, so the bytes
    /// depend only on the contents.
    public func jsonBytes() -> [UInt8] {
        var s = "{\n"
        s += "  \"format\": \(jsonString(format)),\n"
        s += "  \"tool\": \(jsonString(tool)),\n"
        s += "  \"version\": \(jsonString(version)),\n"
        s += "  \"created\": \(jsonString(created)),\n"
        s += "  \"files\": ["
        for (i, f) in files.enumerated() {
            s += i == 0 ? "\n" : ",\n"
            s += "    {\"name\": \(jsonString(f.name)), \"bytes\": \(f.bytes), \"sha256\": \(jsonString(f.sha256))"
            if let r = f.records { s += ", \"records\": \(r)" }
            s += "}"
        }
        s += files.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return Array(s.utf8)
    }
}

/// Why `archive` or `verify` could not do its work.
public enum ArchiveError: Error, CustomStringConvertible {
    /// The run cannot start: missing directory, unreadable archive, unusable names. Exit 2.
    case cannotStart(String)
    /// An I/O failure during the run. Exit 3.
    case io(IOError)
    /// A file changed between hashing and archiving. Exit 3.
    case fileChanged(String)
    /// A `.txt.zst` file of the batch is not a valid zstd stream, so its records cannot be counted. Exit 3.
    case badCompressedFile(name: String, error: ZstdError)
    /// A file cannot be stored in a ustar archive (name too long, over 8 GiB). Exit 2.
    case unsupported(TarError)
    /// libzstd failed while compressing the archive. Exit 3.
    case compression(ZstdError)
    /// The archive could not take its final name (a directory in the way). Exit 3.
    case cannotPublish(String)

    /// One line for people: what went wrong, naming the file or folder.
    public var description: String {
        switch self {
        case let .cannotStart(m): return m
        case let .io(e): return e.description
        case let .fileChanged(n): return "\(n) changed while it was being archived; nothing was published"
        case let .badCompressedFile(n, e): return "\(n): \(e)"
        case let .unsupported(e): return e.description
        case let .compression(e): return e.description
        case let .cannotPublish(m): return m
        }
    }

    /// Whether the archive or check could not start or failed while running (the command line's 2 and 3).
    public var kind: FailureKind {
        switch self {
        case .cannotStart, .unsupported: return .cannotStart
        case .io, .fileChanged, .badCompressedFile, .compression, .cannotPublish: return .failedDuringRun
        }
    }
}

/// What `archive` wrote.
public struct ArchiveSummary: Sendable {
    /// The archive's path.
    public var output: String
    /// The manifest written as its first member.
    public var manifest: ArchiveManifest
    /// Size of BATCH.tar.zst.
    public var archiveBytes: Int
    /// Entries of the batch directory left out (hidden files, other directories,
    /// symlinks, devices), by relative name.
    public var skipped: [String]
}

/// One problem `verify` found. Messages name files and give sizes and counts, never contents.
public struct VerifyProblem: Equatable, Sendable, CustomStringConvertible {
    /// The classes of problem; the raw value prefixes each line `cair2 verify` prints.
    public enum Kind: String, Sendable {
        /// Listed in the manifest, absent from the archive.
        case missing
        /// In the archive, not listed in the manifest.
        case extra
        /// Size, SHA-256 or record count differs from the manifest.
        case altered
        /// An absolute member name or one that climbs out with `..`.
        case unsafeName
        /// A link, device, directory, FIFO, pax or GNU extension header: not part of a batch.
        case refusedType
        /// The same name twice.
        case duplicate
        /// MANIFEST.json missing, not first, or unreadable.
        case manifest
        /// The zstd or tar stream is corrupt or truncated.
        case corrupt
    }

    /// What kind of problem.
    public var kind: Kind
    /// The member concerned, when there is one.
    public var name: String?
    /// One line for people: file name and what is wrong.
    public var message: String

    /// `message`.
    public var description: String { message }
}

/// The outcome of `verify`.
public struct VerifyResult: Sendable {
    /// Everything found wrong, in the order found.
    public var problems: [VerifyProblem]
    /// Members whose size, SHA-256 and record count matched the manifest.
    public var filesMatched: Int
    /// The manifest read from the archive, if it could be read.
    public var manifest: ArchiveManifest?
    /// True when every listed file is present and matches, and nothing else is there.
    public var isOK: Bool { problems.isEmpty && manifest != nil }
}

/// `cair2 archive` and `cair2 verify`.
public enum BatchArchive {
    /// The manifest's member name; always the first member.
    public static let manifestName = "MANIFEST.json"
    /// Written in the manifest's `format` key.
    public static let manifestFormat = "cair2-batch-manifest/1"
    /// Default zstd level. Level 1: on the fixed-width files, which dominate a batch,
    /// it is both faster and smaller than level 3 (878 MB patient file: 74.6 MB at
    /// level 1 against 77.5 MB at level 3, issue 6).
    public static let defaultLevel = 1
    /// The largest MANIFEST.json `verify` will read into memory.
    static let manifestLimit = 64 << 20
    private static let ioBufferSize = 1 << 20

    // MARK: archive

    /// Writes `output` (BATCH.tar.zst): MANIFEST.json, then the regular files of
    /// `directory` in byte order of their names, descending into `part-NNN/`
    /// folders. Hidden files, other folders, symlinks and devices are left out and
    /// listed in the summary. The output appears atomically (temporary file in the
    /// same folder, mode 0600, fsync, rename); the same files and `mtime` give the
    /// same bytes.
    /// - Parameters:
    ///   - level: zstd level (`defaultLevel` when nil).
    ///   - mtime: seconds since 1970 (UTC) for every member and the manifest's
    ///     `created`; the current time when nil (then the bytes differ run to run).
    ///   - force: archive a folder that holds files its `summary.json` does not list, write the archive
    ///     inside the folder, or replace an existing archive (PRODUCT.md §3c); all refused (exit 2) without it.
    ///     An output that is one of the batch's files is refused even so.
    ///   - fileMode: the archive's permissions (0600 by default).
    public static func archive(directory: String, output: String, level: Int? = nil, mtime: Int64? = nil,
                               force: Bool = false, fileMode: mode_t = FileMode.standard) throws -> ArchiveSummary {
        let level = level ?? defaultLevel
        let mtime = mtime ?? Int64(time(nil))
        guard Zstd.levels.contains(level) else { throw ArchiveError.cannotStart(ZstdError.invalidLevel(level).description) }
        guard mtime >= 0, mtime < 8_589_934_592 else {
            throw ArchiveError.cannotStart("--mtime \(mtime) is outside the range a tar header can hold (1970 to 2242)")
        }
        let status: FileStatus
        do { status = try FileStatus.of(path: directory) } catch {
            throw ArchiveError.cannotStart("cannot open batch directory \(directory): \(error.reason)")
        }
        guard status.isDirectory else { throw ArchiveError.cannotStart("\(directory) is not a directory") }

        let outURL = URL(fileURLWithPath: output)
        let outDir = outURL.deletingLastPathComponent().path
        let outBase = outURL.lastPathComponent
        guard let outDirReal = realPath(outDir) else {
            throw ArchiveError.cannotStart("cannot write \(output): folder \(outDir) does not exist")
        }
        let outputReal = outDirReal + "/" + outBase

        // A run writing into the folder now holds its lock: wait for it rather than pack half a batch.
        let lock: OutDirLock?
        do { lock = try OutDirLock.acquireShared(directory) } catch { throw ArchiveError.cannotStart(error.description) }
        defer { lock?.release() }
        // A publication into the folder was cut (SIGKILL, a crash): it may mix two batches. Refused even with
        // --force: the manifest would vouch for the mix.
        if PublicationMarker.exists(in: directory) {
            throw ArchiveError.cannotStart("\(directory): the last publication into this folder was cut (it holds "
                + "\(PublicationMarker.fileName)), so its files may mix two batches; run the command that wrote it again "
                + "(archive refuses it, even with --force)")
        }

        let dirReal = realPath(directory) ?? directory
        let inside = outputReal.hasPrefix(dirReal.hasSuffix("/") ? dirReal : dirReal + "/")
        var (names, skipped) = try listBatch(directory: directory, excluding: "")
        // The lock file is not part of the batch: left out silently.
        skipped.removeAll { $0 == OutDirLock.fileName }

        // Never over one of the batch's files, --force or not (PRODUCT.md §4a).
        var batchFiles = InputSet()
        let listedNames = Set((BatchFolder.listedOutputs(directory: directory) ?? []) + BatchFolder.reportNames)
        for name in names where listedNames.contains(name) { batchFiles.add(directory + "/" + name) }
        do {
            try batchFiles.refuseOverwriting([output], option: "-o")
        } catch {
            throw ArchiveError.cannotStart(error.description)
        }
        // An earlier archive written inside the folder (--force) is not taken in.
        names.removeAll { dirReal + "/" + $0 == outputReal }
        if !force {
            // One batch per folder (PRODUCT.md §3c): what its summary.json does not list is not part of it.
            var strays = names.filter { !listedNames.contains($0) }
            strays += skipped.filter { $0 != BatchFolder.quarantineFolder && !$0.hasPrefix(BatchFolder.quarantineFolder + "/") }
            if inside {
                throw ArchiveError.cannotStart("\(output) is inside the batch folder \(directory); write the archive elsewhere "
                    + "(or pass --force)")
            }
            if FileIdentity.of(output) != nil || FileSystem.accessError(output, F_OK) == nil {
                throw ArchiveError.cannotStart("\(output) already exists; archive does not replace it (remove it, or pass --force)")
            }
            if !strays.isEmpty {
                let shown = strays.prefix(20).joined(separator: ", ") + (strays.count > 20 ? ", and \(strays.count - 20) more" : "")
                throw ArchiveError.cannotStart("\(directory) holds files its summary.json does not list: \(shown); "
                    + "archive packs one batch (remove them, or pass --force)")
            }
        }

        // Pass 1: hash and count everything, because the manifest goes first.
        var files: [ManifestFile] = []
        for name in names {
            files.append(try describe(path: directory + "/" + name, name: name))
        }
        let manifest = ArchiveManifest(format: manifestFormat, tool: CAIR2Version.tool, version: CAIR2Version.version,
                                       created: iso8601(mtime), files: files)

        // Pass 2: write the archive through an AtomicOutputFile beside the output (the one temporary-file path).
        let out: AtomicOutputFile
        do {
            out = try AtomicOutputFile(directory: outDir, name: outBase, bufferSize: 1, mode: fileMode)
        } catch {
            throw ArchiveError.io(IOError(.createTemporary, path: output, errno: error.errno == 0 ? EIO : error.errno))
        }
        do {
            var archiveBytes = 0
            let compressor = try ZstdStreamCompressor(level: level) { chunk in
                do throws(IOError) {
                    try out.descriptor.writeAll(chunk)
                } catch {
                    throw IOError(.write, path: output, errno: error.errno == 0 ? EIO : error.errno)
                }
                archiveBytes += chunk.count
            }
            var tar = TarWriter(mtime: mtime) { try compressor.write($0) }
            try tar.addFile(name: manifestName, contents: manifest.jsonBytes())
            for f in files {
                try copy(path: directory + "/" + f.name, expected: f, into: &tar)
            }
            try tar.finish()
            try compressor.finish()
            do throws(IOError) {
                try out.publish()
            } catch {
                if error.errno == 0 { throw ArchiveError.cannotPublish(error.description) }
                throw IOError(error.operation, path: output, errno: error.errno)
            }
            return ArchiveSummary(output: output, manifest: manifest, archiveBytes: archiveBytes, skipped: skipped)
        } catch let e as TarError {
            out.discard()
            throw ArchiveError.unsupported(e)
        } catch let e as IOError {
            out.discard()
            throw ArchiveError.io(e)
        } catch let e as ZstdError {
            out.discard()
            throw ArchiveError.compression(e)
        } catch {
            out.discard()
            throw error
        }
    }

    /// The batch's files, relative and sorted by bytes, and what was left out.
    static func listBatch(directory: String, excluding outputReal: String) throws -> (files: [String], skipped: [String]) {
        var files: [String] = []
        var skipped: [String] = []
        let dirReal = realPath(directory) ?? directory
        func scan(_ rel: String, depth: Int) throws {
            let full = rel.isEmpty ? directory : directory + "/" + rel
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: full)
            } catch {
                throw ArchiveError.cannotStart("cannot list \(full): \(foundationErrorText(error))")
            }
            for e in entries {
                let relName = rel.isEmpty ? e : rel + "/" + e
                if e.hasPrefix(".") { skipped.append(relName); continue }
                if rel.isEmpty && dirReal + "/" + e == outputReal { continue }
                let status: FileStatus
                do { status = try FileStatus.ofLink(path: full + "/" + e) } catch {
                    throw ArchiveError.io(IOError(.stat, path: full + "/" + e, errno: error.errno))
                }
                if status.isRegularFile {
                    if rel.isEmpty && e == manifestName {
                        throw ArchiveError.cannotStart("\(directory) already holds a \(manifestName); the archive writes its own")
                    }
                    files.append(relName)
                } else if status.isDirectory && depth == 0 && BatchFolder.isPartFolder(e) {
                    try scan(relName, depth: 1)
                } else {
                    skipped.append(relName)
                }
            }
        }
        try scan("", depth: 0)
        let byBytes: (String, String) -> Bool = { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return (files.sorted(by: byBytes), skipped.sorted(by: byBytes))
    }

    /// Size, SHA-256 and record count of one file, streamed.
    static func describe(path: String, name: String) throws -> ManifestFile {
        var digest = FileDigest(name: name)
        do {
            try readFile(path) { try digest.add($0) }
        } catch let e as ZstdError {
            throw ArchiveError.badCompressedFile(name: name, error: e)
        } catch let e as IOError {
            throw ArchiveError.io(e)
        }
        return try digest.finish()
    }

    /// Streams one file into the tar, checking it still matches pass 1.
    private static func copy(path: String, expected: ManifestFile, into tar: inout TarWriter) throws {
        try tar.beginFile(name: expected.name, size: expected.bytes)
        var sha = SHA256()
        var size = 0
        try readFile(path) { chunk in
            size += chunk.count
            guard size <= expected.bytes else { throw ArchiveError.fileChanged(expected.name) }
            sha.update(chunk)
            try tar.write(chunk)
        }
        guard size == expected.bytes, SHA256.hex(sha.finalize()) == expected.sha256 else {
            throw ArchiveError.fileChanged(expected.name)
        }
        try tar.endFile()
    }

    /// Reads a file in 1 MiB pieces.
    private static func readFile(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file: FileDescriptor
        do { file = try FileDescriptor.openForReading(path) } catch { throw ArchiveError.io(IOError(.open, path: path, errno: error.errno)) }
        defer { try? file.close() }
        let fd = file.rawValue
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: ioBufferSize, alignment: 64)
        defer { buf.deallocate() }
        var source = FileDescriptorSource(fileDescriptor: fd, path: path)
        while true {
            let n = try source.read(into: buf)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
        }
    }

    private static func realPath(_ path: String) -> String? { FileSystem.canonicalPath(path) }

    // MARK: verify

    /// Re-reads `archive` as one stream and checks every member against MANIFEST.json:
    /// size, SHA-256, record count; files missing, extra or altered; member names
    /// that are absolute or contain `..`; links, devices and other non-regular
    /// members; corruption of the zstd or tar stream. Nothing is written to disk.
    /// Throws `ArchiveError.cannotStart` only when the archive cannot be opened.
    public static func verify(archive path: String) throws -> VerifyResult {
        let file: FileDescriptor
        do { file = try FileDescriptor.openForReading(path) } catch {
            throw ArchiveError.cannotStart("cannot open \(path): \(String(cString: strerror(error.errno)))")
        }
        defer { try? file.close() }
        let fd = file.rawValue
        if (try? file.status())?.isDirectory == true {
            throw ArchiveError.cannotStart("cannot open \(path): it is a directory")
        }

        var problems: [VerifyProblem] = []
        var manifest: ArchiveManifest?
        var seen: [String: ManifestFile] = [:]
        var order: [String] = []
        var streamBroken = false
        var memberIndex = 0

        do {
            let zstd = try ZstdStreamReader(fileDescriptor: fd, path: path)
            var tar = TarReader(source: zstd)
            let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: ioBufferSize, alignment: 64)
            defer { buf.deallocate() }
            while let entry = try tar.next() {
                memberIndex += 1
                let name = entry.name
                if let why = unsafeNameReason(name) {
                    problems.append(.init(kind: .unsafeName, name: name, message: "\(name): refused: \(why)"))
                    continue
                }
                guard entry.type == .regular else {
                    problems.append(.init(kind: .refusedType, name: name,
                                          message: "\(name): refused: a \(entry.type.label) is not part of a batch"))
                    continue
                }
                if seen[name] != nil || (name == manifestName && manifest != nil) {
                    problems.append(.init(kind: .duplicate, name: name, message: "\(name): appears more than once in the archive"))
                    continue
                }
                if name == manifestName {
                    if memberIndex != 1 {
                        problems.append(.init(kind: .manifest, name: name, message: "\(manifestName) is not the first member"))
                    }
                    guard entry.size <= manifestLimit else {
                        problems.append(.init(kind: .manifest, name: name, message: "\(manifestName) is implausibly large (\(entry.size) bytes)"))
                        continue
                    }
                    var bytes = [UInt8]()
                    while true {
                        let n = try tar.readData(into: buf)
                        if n == 0 { break }
                        bytes.append(contentsOf: buf[0..<n])
                    }
                    do {
                        manifest = try JSONDecoder().decode(ArchiveManifest.self, from: Data(bytes))
                    } catch {
                        problems.append(.init(kind: .manifest, name: name, message: "\(manifestName) cannot be read: it is not a valid manifest"))
                    }
                    continue
                }
                var digest = FileDigest(name: name)
                var damaged: String?
                while true {
                    let n = try tar.readData(into: buf)
                    if n == 0 { break }
                    do {
                        try digest.add(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                    } catch let e as ZstdError {
                        // The member is damaged, but the archive around it is fine: keep going.
                        damaged = "\(e)"
                        digest.stopCounting()
                    }
                }
                var found = try digest.finish(tolerant: true)
                if let d = damaged {
                    found.records = nil
                    problems.append(.init(kind: .altered, name: name, message: "\(name): its contents are not a valid zstd stream (\(d))"))
                }
                seen[name] = found
                order.append(name)
            }
            let trailing = try tar.trailingNonZeroBytes()
            if trailing > 0 {
                problems.append(.init(kind: .corrupt, name: nil,
                                      message: "\(trailing) non-zero bytes follow the end-of-archive blocks (tar would ignore them)"))
            }
        } catch let e as ZstdError {
            streamBroken = true
            problems.append(.init(kind: .corrupt, name: nil, message: "\(path): the archive is corrupt: \(e)"))
        } catch let e as TarError {
            streamBroken = true
            problems.append(.init(kind: .corrupt, name: nil, message: "\(path): the archive is corrupt: \(e)"))
        } catch let e as IOError {
            streamBroken = true
            problems.append(.init(kind: .corrupt, name: nil, message: "\(path): \(e)"))
        }

        guard let manifest else {
            // After corruption the missing manifest says nothing new.
            if !streamBroken && !problems.contains(where: { $0.kind == .manifest }) {
                problems.append(.init(kind: .manifest, name: manifestName, message: "\(manifestName) is missing from the archive"))
            }
            return VerifyResult(problems: problems, filesMatched: 0, manifest: nil)
        }

        var matched = 0
        var listed = Set<String>()
        for f in manifest.files {
            if let why = unsafeNameReason(f.name) {
                problems.append(.init(kind: .unsafeName, name: f.name, message: "\(manifestName) lists an unsafe name: \(f.name) (\(why))"))
                continue
            }
            guard listed.insert(f.name).inserted else {
                problems.append(.init(kind: .duplicate, name: f.name, message: "\(manifestName) lists \(f.name) more than once"))
                continue
            }
            guard let got = seen[f.name] else {
                let why = streamBroken ? "not reached: the archive could not be read that far" : "missing from the archive"
                problems.append(.init(kind: .missing, name: f.name, message: "\(f.name): \(why)"))
                continue
            }
            var diffs: [String] = []
            if got.bytes != f.bytes { diffs.append("size is \(got.bytes) bytes, the manifest says \(f.bytes)") }
            if got.sha256 != f.sha256.lowercased() { diffs.append("SHA-256 differs from the manifest") }
            if got.records != f.records {
                diffs.append("record count is \(got.records.map(String.init) ?? "not countable"), the manifest says \(f.records.map(String.init) ?? "none")")
            }
            if diffs.isEmpty {
                matched += 1
            } else {
                problems.append(.init(kind: .altered, name: f.name, message: "\(f.name): altered: " + diffs.joined(separator: "; ")))
            }
        }
        for name in order where !listed.contains(name) {
            problems.append(.init(kind: .extra, name: name, message: "\(name): in the archive but not listed in \(manifestName)"))
        }
        return VerifyResult(problems: problems, filesMatched: matched, manifest: manifest)
    }

    /// Why a member name is unsafe to extract, or nil when it is fine.
    static func unsafeNameReason(_ name: String) -> String? {
        if name.isEmpty { return "empty name" }
        if name.hasPrefix("/") { return "absolute path" }
        if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "climbs out with '..'" }
        return nil
    }

    // MARK: time

    /// Parses `--mtime`: seconds since 1970 (`1714567890`), or ISO 8601 `YYYY-MM-DD`,
    /// `YYYY-MM-DDTHH:MM[:SS]` with an optional `Z` or `±HH:MM` / `±HHMM` offset
    /// (no offset means UTC). Nil when malformed or before 1970.
    public static func parseTime(_ text: String) -> Int64? {
        let s = Array(text.trimmingWhitespace().utf8)
        guard !s.isEmpty else { return nil }
        if s.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return s.count <= 12 ? Int64(String(decoding: s, as: UTF8.self)) : nil
        }
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard s[k] >= 48 && s[k] <= 57 else { return nil }
                v = v * 10 + Int(s[k] - 48)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect("-"), let mo = digits(2), expect("-"), let d = digits(2) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= DateValue.daysIn(month: mo, year: y) else { return nil }
        var secs = 0
        var offset = 0
        if i < s.count {
            guard expect("T") || expect(" ") else { return nil }
            guard let h = digits(2), expect(":"), let mi = digits(2), h < 24, mi < 60 else { return nil }
            var sec = 0
            if i < s.count && s[i] == UInt8(ascii: ":") {
                i += 1
                guard let v = digits(2), v < 60 else { return nil }
                sec = v
            }
            secs = h * 3600 + mi * 60 + sec
            if i < s.count {
                if expect("Z") {
                } else if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) {
                    let sign = s[i] == UInt8(ascii: "+") ? 1 : -1
                    i += 1
                    guard let oh = digits(2), oh < 24 else { return nil }
                    _ = expect(":")
                    guard let om = digits(2), om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
            guard i == s.count else { return nil }
        }
        let t = Int64(DateValue(year: y, month: mo, day: d).daysSince1970) * 86400 + Int64(secs - offset)
        return t >= 0 ? t : nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970.
    public static func iso8601(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rem = Int(seconds - days * 86400)
        let date = DateValue(daysSince1970: Int(days))
        let (y, m, d) = (date.year, date.month, date.day)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(m) + "-" + two(d)
            + "T" + two(rem / 3600) + ":" + two(rem / 60 % 60) + ":" + two(rem % 60) + "Z"
    }
}

/// Size, SHA-256 and record count of one file, fed in pieces. Records are lines
/// (LF-terminated; a last line without LF counts), of the decompressed bytes for
/// `.txt.zst`.
struct FileDigest {
    let name: String
    private var sha = SHA256()
    private var bytes = 0
    private var lines = LineCounter()
    private let counted: Bool
    private var decompressor: ZstdDecompressor?
    private var counting = true

    init(name: String) {
        self.name = name
        let kind = BatchFolder.recordFileKind(name)
        counted = kind.counted
        decompressor = kind.compressed ? try? ZstdDecompressor() : nil
    }

    /// Adds bytes; throws `ZstdError` when a `.txt.zst` file is not valid zstd.
    mutating func add(_ chunk: UnsafeRawBufferPointer) throws {
        sha.update(chunk)
        bytes += chunk.count
        guard counted && counting else { return }
        if let d = decompressor {
            try d.decompress(chunk) { lines.add($0) }
        } else {
            lines.add(chunk)
        }
    }

    /// Keeps hashing but stops counting (after a decompression error).
    mutating func stopCounting() { counting = false }

    /// The manifest entry. With `tolerant`, a `.txt.zst` that ends mid-frame gets no
    /// record count instead of an error (verify reports it as altered).
    mutating func finish(tolerant: Bool = false) throws -> ManifestFile {
        var records: Int? = counted && counting ? lines.records : nil
        if counted && counting, let d = decompressor {
            do {
                try d.finish()
            } catch let e as ZstdError {
                if !tolerant { throw ArchiveError.badCompressedFile(name: name, error: e) }
                records = nil
            }
        }
        return ManifestFile(name: name, bytes: bytes, sha256: SHA256.hex(sha.finalize()), records: records)
    }
}

/// Counts LF-terminated lines with memchr; a final line without LF counts too.
package struct LineCounter {
    package private(set) var newlines = 0
    private var last: UInt8 = 10
    private var any = false

    package init() {}

    package mutating func add(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        any = true
        last = chunk[chunk.count - 1]
        var p = base
        let end = base + chunk.count
        while p < end, let hit = memchr(p, 10, end - p) {
            newlines += 1
            p = UnsafeRawPointer(hit) + 1
        }
    }

    package var records: Int { newlines + (any && last != 10 ? 1 : 0) }
}
