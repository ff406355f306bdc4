import CSupport
import Glibc
import Synchronization

/// An output file that appears under its final name only when complete.
///
/// Its bytes go to a `TemporaryFile` in the destination directory: unnamed (`O_TMPFILE`) where the file
/// system allows, else `.cair2-<random>.tmp` created exclusively and registered for the interrupt handler;
/// mode 0600 whatever the umask. `publish()` flushes, fsyncs, names the file (if unnamed), renames it over
/// the final name and fsyncs the directory: a crash or failure at any point leaves either the previous
/// file or the complete new one under the final name, never a partial one. `discard()`, or dropping the
/// last reference before `publish()`, removes it. Every command's outputs go through this type or
/// `OutputStream` (convert's direct-I/O writer), and both through `TemporaryFile`.
///
/// Sequential `write`s go through a large internal buffer. Positioned writes (`write(_:at:)`, or
/// `descriptor.pwriteAll` from several workers at once) go straight to the file and do not move the
/// sequential position; don't mix the two over the same byte range.
public final class AtomicOutputFile {
    /// Where the file is: still being written, renamed to its final name, or removed.
    public enum State: Sendable, Equatable {
        /// Being written under a temporary name (or none); renamed to the final name; removed without publishing.
        case writing, published, discarded
    }

    /// The destination directory and the final file name in it.
    public let directory: String
    /// The final file name inside `directory`.
    public let name: String
    /// `directory/name`.
    public let finalPath: String
    /// The temporary file's hidden name, or nil while it is unnamed (`O_TMPFILE`; it is named just before
    /// the rename).
    public var temporaryPath: String? { temporary.path }
    /// True when the temporary file has no name (`O_TMPFILE`): nothing can leave it behind.
    public var isUnnamed: Bool { temporary.path == nil && state == .writing }
    /// The temporary file's descriptor, for positioned writes from workers (`pwriteAll` is
    /// thread-safe on disjoint ranges); its `path` is the final path, for messages. Closed by
    /// `publish()` and `discard()`.
    public let descriptor: FileDescriptor
    /// Where the file is in its life.
    public private(set) var state: State = .writing
    /// Bytes passed to sequential `write`s so far (buffered or not).
    public private(set) var bytesWritten: Int64 = 0

    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private let temporary: TemporaryFile
    private var descriptorOpen = true

    /// Creates the temporary file for `directory/name` with a `bufferSize`-byte write buffer.
    ///
    /// A directory that does not exist, is not a directory or cannot be written is exit code 2
    /// (the run cannot start); running out of space or an I/O error is exit code 3.
    /// `mode`: the published file's permissions (0600 by default; `--file-mode` widens it).
    public init(directory: String, name: String, bufferSize: Int = 4 << 20, mode: mode_t = 0o600) throws(IOError) {
        self.directory = directory
        self.name = name
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        self.finalPath = prefix + name
        self.temporary = try TemporaryFile.create(in: directory, mode: mode)
        self.descriptor = FileDescriptor(rawValue: temporary.fd, path: finalPath)
        self.buffer = .allocate(byteCount: max(bufferSize, 1), alignment: 64)
    }

    /// Creates the temporary file for `path` (split into folder and name).
    public convenience init(path: String, bufferSize: Int = 4 << 20, mode: mode_t = 0o600) throws(IOError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        try self.init(directory: directory, name: name, bufferSize: bufferSize, mode: mode)
    }

    deinit {
        if state == .writing { discard() }
        buffer.deallocate()
    }

    /// Appends `bytes` through the buffer (a write larger than the buffer goes straight through).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(IOError) {
        try checkWriting()
        if bytes.count > buffer.count - buffered {
            try flush()
            if bytes.count >= buffer.count {
                try descriptor.writeAll(bytes)
                bytesWritten += Int64(bytes.count)
                return
            }
        }
        guard let source = bytes.baseAddress else { return }
        (buffer.baseAddress! + buffered).copyMemory(from: source, byteCount: bytes.count)
        buffered += bytes.count
        bytesWritten += Int64(bytes.count)
    }

    /// Appends the bytes of `bytes`.
    public func write(_ bytes: [UInt8]) throws(IOError) {
        // withUnsafeBytes rethrows untyped errors; carry the typed one out in a Result.
        try bytes.withUnsafeBytes { raw in Result { () throws(IOError) in try write(raw) } }.get()
    }

    /// Appends the UTF-8 bytes of `string`.
    public func write(_ string: String) throws(IOError) {
        var copy = string
        try copy.withUTF8 { utf8 in Result { () throws(IOError) in try write(UnsafeRawBufferPointer(utf8)) } }.get()
    }

    /// Writes `bytes` at `offset` with pwrite(2), bypassing the buffer.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(IOError) {
        try checkWriting()
        try descriptor.pwriteAll(bytes, at: offset)
    }

    /// Writes out the buffered bytes.
    public func flush() throws(IOError) {
        try checkWriting()
        guard buffered > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[..<buffered])
        buffered = 0  // a failed write is not retried: the file will be discarded
        try descriptor.writeAll(pending)
    }

    /// Flushes, fsyncs, renames over the final name and fsyncs the directory. A failure before the
    /// rename removes the temporary file, and the final name keeps whatever it held before; a
    /// failing directory fsync after it throws with the new file already in place.
    public func publish() throws(IOError) {
        do throws(IOError) {
            try FinalNameCheck.check([finalPath])
            try prepareForPublish()
            cair2_commit_begin()
            defer { cair2_commit_end() }
            _ = try renameIntoPlace()
        } catch {
            discard()
            throw error
        }
        try FileSystem.syncDirectory(directory)
    }

    /// Removes the temporary file (if not yet published). Never throws: it runs on failure paths.
    public func discard() {
        guard state == .writing else { return }
        descriptorOpen = false
        temporary.discard()
        state = .discarded
    }

    // MARK: Publishing in steps (used by OutputSet)

    /// Everything that can fail before the rename: flush, fsync, close (a named temporary; an unnamed one
    /// keeps its descriptor until it is linked).
    func prepareForPublish() throws(IOError) {
        try syncForPublish()
        try nameForPublish()
    }

    /// The slow half of the preparation: flush and fsync.
    func syncForPublish() throws(IOError) {
        try flush()
        try descriptor.sync()
    }

    /// The quick half: the close of a named temporary. An unnamed one gets no name here: it is linked in
    /// `renameIntoPlace`, straight to its final name when that is free, so a SIGKILL finds at most one named
    /// temporary, in the instant between its `linkat` and its `rename`.
    func nameForPublish() throws(IOError) {
        descriptorOpen = false
        guard temporary.path != nil else { return }
        try temporary.closeDescriptor()
    }

    /// Puts the file under its final name (`TemporaryFile.publish(to:)`: a link to a free final name, or a
    /// hidden name renamed over it), then closes an unnamed file's descriptor (its bytes are fsynced: a close
    /// error can no longer lose them). Returns true when a previous file was replaced.
    func renameIntoPlace() throws(IOError) -> Bool {
        let replaced = try temporary.publish(to: finalPath)
        state = .published
        try? temporary.closeDescriptor()
        return replaced
    }

    private func checkWriting() throws(IOError) {
        guard state == .writing, descriptorOpen else {
            throw IOError.misuse(path: finalPath, "\(finalPath): written after it was published or discarded")
        }
    }
}

/// Outputs of one run, published together once the run is complete, or all discarded.
///
/// `publish()` first checks every final name and flushes and fsyncs every file, then puts them all into
/// place in one stretch, each named only at its own turn (see `TemporaryFile.publish(to:)`), between the
/// publication marker's creation and removal (`PublicationMarker`). From the marker on SIGINT, SIGTERM and
/// SIGHUP are only recorded (`Signals.pendingSignal`): the renames finish and the run ends normally, saying
/// that it was interrupted after publication. So a batch is never half published by an interrupt, and one
/// cut by SIGKILL keeps the marker. (A link or rename that fails after a previous file was replaced, which
/// needs the directory to change or fill under us after the check, leaves the marker; the error says so.)
public final class OutputSet {
    /// The files in the set, in the order they were added (and will be renamed).
    public private(set) var files: [AtomicOutputFile] = []
    private var finished = false

    /// An empty set.
    public init() {}

    /// Creates an `AtomicOutputFile` for `directory/name` in the set.
    public func create(directory: String, name: String, bufferSize: Int = 4 << 20,
                       mode: mode_t = 0o600) throws(IOError) -> AtomicOutputFile {
        try checkOpen()
        let file = try AtomicOutputFile(directory: directory, name: name, bufferSize: bufferSize, mode: mode)
        files.append(file)
        return file
    }

    /// Adds a file created elsewhere.
    public func add(_ file: AtomicOutputFile) throws(IOError) {
        try checkOpen()
        files.append(file)
    }

    /// Where the publication marker goes (`PublicationMarker`): the first file's folder by default. A set of
    /// one file writes none (its one rename is atomic) unless a cut publication left one there.
    public var markerDirectory: String?

    /// Publishes every file: flush + fsync all, then (signals held) the marker, then each file under its
    /// final name (linked, or named and renamed at once), then fsync each directory once, then the marker
    /// goes. Any failure before a previous file was replaced discards the whole set, takes back the new
    /// names already linked and removes the marker (unless an earlier cut publication had left it): nothing
    /// published. A failure after one was replaced leaves the marker (the folder may mix two batches) and
    /// says so.
    public func publish() throws(IOError) {
        try checkOpen()
        finished = true
        let folder = markerDirectory ?? files.first?.directory
        let marker = folder.flatMap { files.count > 1 || PublicationMarker.exists(in: $0) ? $0 : nil }
        var markerWritten = false
        let hadMarker = marker.map { PublicationMarker.exists(in: $0) } ?? false
        var linked: [String] = []
        var replacedAny = false
        do throws(IOError) {
            try FinalNameCheck.check(files.map(\.finalPath))
            for file in files { try file.syncForPublish() }
            for file in files { try file.nameForPublish() }
            cair2_commit_begin()
            defer { cair2_commit_end() }
            if let marker {
                try PublicationMarker.create(in: marker, listing: files.map { relativeName($0.finalPath, in: marker) })
                markerWritten = true
            }
            for file in files {
                if try file.renameIntoPlace() { replacedAny = true } else { linked.append(file.finalPath) }
            }
        } catch {
            discard()
            if replacedAny, let marker {
                throw IOError(.publish, path: marker,
                              reason: "\(error.description); the publication stopped after replacing some files: "
                                + "\(marker) may mix two batches (it holds \(PublicationMarker.fileName)); run the command again")
            }
            for path in linked { FileSystem.removeFile(path) }
            if markerWritten && !hadMarker, let marker { PublicationMarker.remove(in: marker) }
            throw error
        }
        var synced: Set<String> = []
        for file in files where synced.insert(file.directory).inserted {
            try FileSystem.syncDirectory(file.directory)
        }
        if let marker { PublicationMarker.remove(in: marker) }
    }

    /// `path` relative to `directory` (as the marker lists it).
    private func relativeName(_ path: String, in directory: String) -> String {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Checks every final name (exit 3 when one is in the way), before any work that would be lost.
    public func checkFinalNames() throws(IOError) {
        try FinalNameCheck.check(files.map(\.finalPath))
    }

    /// Removes every temporary file not yet published. Never throws.
    public func discard() {
        finished = true
        for file in files { file.discard() }
    }

    private func checkOpen() throws(IOError) {
        if finished { throw IOError.misuse(path: "", "output set used after it was published or discarded") }
    }
}
