import CAIR2IO
import CAIR2Core
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A file's identity (device and inode), to tell whether an output path is one of the run's inputs.
public struct FileIdentity: Hashable, Sendable {
    /// The device the file lives on (`st_dev`).
    public var device: UInt64
    /// The file's inode number on that device (`st_ino`).
    public var inode: UInt64

    /// `stat(2)` of `path` (following symbolic links); nil when it does not exist or cannot be stat'ed.
    public static func of(_ path: String) -> FileIdentity? {
        guard let status = try? FileStatus.of(path: path) else { return nil }
        return FileIdentity(device: status.device, inode: status.inode)
    }
}

/// The inputs of a run, by identity: no output path may be one of them (PRODUCT.md §4a).
public struct InputSet: Sendable {
    /// Identity -> the path as given.
    public private(set) var files: [FileIdentity: String] = [:]

    /// An empty set.
    public init() {}

    /// Adds `path` (standard input `-` and paths that do not exist are skipped).
    public mutating func add(_ path: String?) {
        guard let path, path != "-", let id = FileIdentity.of(path) else { return }
        if files[id] == nil { files[id] = path }
    }

    /// True when `path` is one of the inputs.
    public func contains(_ path: String) -> Bool {
        guard !files.isEmpty, let id = FileIdentity.of(path) else { return false }
        return files[id] != nil
    }

    /// Exit 2 (before any work) when one of `outputs` is an input.
    public func refuseOverwriting(_ outputs: [String], option: String) throws(IOError) {
        guard !files.isEmpty else { return }
        for output in outputs {
            guard let id = FileIdentity.of(output), let input = files[id] else { continue }
            throw IOError(.inputOverwrite, path: output,
                          reason: "\(output) is the input \(input); cair2 never overwrites an input (choose another \(option))",
                          kind: .cannotStart)
        }
    }
}

/// The batch an output folder holds (PRODUCT.md §3c "One batch per --out-dir"): a run replaces it. What the
/// previous batch was is read from its `summary.json` before the new files are published; afterwards the
/// files of that batch (its outputs, its parts, its quarantine) that the new run did not write are removed,
/// and files the tool did not write are left alone and named.
public struct BatchFolder: Sendable {
    /// The folder.
    public let directory: String
    /// Files of the previous batch, relative to the folder (`patient.txt`, `part-002/query.txt`,
    /// `quarantine/members.csv`).
    public private(set) var previous: [String] = []

    /// The reports every batch holds (always rewritten).
    public static let reportNames = ["rejects.csv", "warnings.csv", "summary.json"]
    package static let quarantineFolder = "quarantine"

    /// The base names whose lines are records (`patient.txt`, `query.txt.zst`, ...).
    package static func recordFileKind(_ name: String) -> (counted: Bool, compressed: Bool) {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        for stem in ["patient", "immunization", "comment", "query"] {
            if base == stem + ".txt" { return (true, false) }
            if base == stem + ".txt.zst" { return (true, true) }
        }
        return (false, false)
    }

    /// `part-` followed by digits: the parts of a split batch (PRODUCT.md §4).
    package static func isPartFolder(_ name: String) -> Bool {
        guard name.hasPrefix("part-") else { return false }
        let digits = name.dropFirst(5)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Reads the previous batch of `directory` (nothing when it holds no readable `summary.json`). When a
    /// publication was cut (`PublicationMarker`), the outputs the marker lists count too: they may be a dead
    /// run's files that the summary does not list.
    public init(directory: String) {
        self.directory = directory
        let cut = PublicationMarker.exists(in: directory)
        previousPublicationInterrupted = cut
        var files: [String] = []
        if let listed = BatchFolder.listedOutputs(directory: directory) {
            files = listed
        } else if !cut {
            return
        }
        if cut {
            var seen = Set(files)
            for name in PublicationMarker.listedNames(in: directory)
            where BatchFolder.isOutputName(name) && seen.insert(name).inserted {
                files.append(name)
            }
        }
        for name in OutDirLock.entries(join(BatchFolder.quarantineFolder)).sorted() where isRegular(join(BatchFolder.quarantineFolder + "/" + name)) {
            files.append(BatchFolder.quarantineFolder + "/" + name)
        }
        previous = files
    }

    /// True when the folder held a publication marker: the last publication into it was cut (SIGKILL, a
    /// crash, or a failure after a file was replaced), so it may mix two batches. This run replaces it.
    public private(set) var previousPublicationInterrupted = false

    /// The outputs `summary.json` in `directory` lists (files and parts), or nil when there is no readable
    /// summary. Only names of the forms the tool writes are taken (`NAME.txt[.zst]`, `part-NNN/NAME.txt[.zst]`),
    /// so a doctored summary cannot make a run remove anything else.
    public static func listedOutputs(directory: String) -> [String]? {
        let path = directory.hasSuffix("/") ? directory + "summary.json" : directory + "/summary.json"
        guard let data = FileManager.default.contents(atPath: path), data.count < 64 << 20,
              let object = JSONValue.parse([UInt8](data))?.objectValue else { return nil }
        var names: [String] = []
        for file in object["files"]?.objectArray ?? [] {
            for name in (file["output"]?.stringValue ?? "").split(separator: ",") { names.append(String(name)) }
        }
        for part in object["parts"]?.objectArray ?? [] {
            for file in part["files"]?.objectArray ?? [] {
                if let name = file["output"]?.stringValue { names.append(name) }
            }
        }
        var seen = Set<String>()
        return names.filter { isOutputName($0) && seen.insert($0).inserted }
    }

    /// `patient.txt`, `immunization.txt.zst`, `part-012/query.txt`...: a name the tool writes for a layout.
    public static func isOutputName(_ relative: String) -> Bool {
        let pieces = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 1 || (pieces.count == 2 && BatchFolder.isPartFolder(String(pieces[0]))) else { return false }
        return BatchFolder.recordFileKind(String(pieces.last!)).counted
    }

    /// After the new batch is published: removes the previous batch's files that the new run did not write
    /// (never an input), then the part and quarantine folders left empty. Returns what was removed and the
    /// entries the tool did not write (relative names; folders end in `/`), for a warning.
    public func replace(written: Set<String>, inputs: InputSet) -> (removed: [String], strangers: [String]) {
        var removed: [String] = []
        for name in previous where !written.contains(name) {
            let path = join(name)
            guard isRegular(path), !inputs.contains(path) else { continue }
            if FileSystem.removeFile(path) { removed.append(name) }
        }
        var strangers: [String] = []
        for entry in OutDirLock.entries(directory).sorted() {
            if entry == OutDirLock.fileName || OutDirLock.isLeftover(entry) || written.contains(entry) { continue }
            if isDirectory(join(entry)) && (entry == BatchFolder.quarantineFolder || BatchFolder.isPartFolder(entry)) {
                for inner in OutDirLock.entries(join(entry)).sorted() where !written.contains(entry + "/" + inner) {
                    strangers.append(entry + "/" + inner)
                }
                FileSystem.removeDirectory(join(entry))  // only succeeds when empty
                continue
            }
            strangers.append(isDirectory(join(entry)) ? entry + "/" : entry)
        }
        return (removed, strangers)
    }

    func join(_ relative: String) -> String {
        directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    private func isRegular(_ path: String) -> Bool {
        (try? FileStatus.ofLink(path: path))?.isRegularFile == true
    }

    private func isDirectory(_ path: String) -> Bool {
        (try? FileStatus.ofLink(path: path))?.isDirectory == true
    }
}

/// The output folder of one `convert` run, from the lock to the replacement of the previous batch.
final class RunFolder {
    let publisher: Publisher
    let lock: OutDirLock
    let batch: BatchFolder
    let inputs: InputSet

    private init(publisher: Publisher, lock: OutDirLock, batch: BatchFolder, inputs: InputSet) {
        self.publisher = publisher
        self.lock = lock
        self.batch = batch
        self.inputs = inputs
    }

    /// The quarantine file name of an input (`quarantine/<name>`).
    static func quarantineName(_ path: String) -> String {
        path == "-" ? "stdin.csv" : lastPathComponent(path)
    }

    /// Before any work: creates the folder (if missing), takes its lock (exit 2 when another run holds it),
    /// removes a dead run's temporaries, refuses outputs that are inputs (exit 2), reads the previous batch.
    static func open(options: ConvertOptions, inputs paths: [(kind: LayoutKind, path: String)]) throws -> RunFolder {
        if options.quarantine {
            var seen: [String: String] = [:]
            for (_, path) in paths {
                let name = quarantineName(path)
                if let other = seen[name] {
                    throw CAIR2Error.usage("\(other) and \(path) would both be quarantined as quarantine/\(name); "
                        + "give the inputs different file names")
                }
                seen[name] = path
            }
        }
        var inputs = InputSet()
        for (_, path) in paths { inputs.add(path) }
        inputs.add(options.mapFile)

        let publisher = try Publisher(outDir: options.outDir, fileMode: options.fileMode)
        let lock: OutDirLock
        do {
            lock = try OutDirLock.acquire(options.outDir)
        } catch {
            if publisher.createdDirectory { FileSystem.removeDirectory(options.outDir) }
            throw CAIR2Error.usage(error.description)
        }
        let folder = RunFolder(publisher: publisher, lock: lock, batch: BatchFolder(directory: options.outDir),
                               inputs: inputs)
        lock.removeLeftovers()
        do throws(IOError) {
            try inputs.refuseOverwriting(folder.possibleOutputs(options: options, kinds: paths), option: "--out-dir")
        } catch {
            folder.abandon()
            throw CAIR2Error.usage(error.description)
        }
        return folder
    }

    /// Every path the run may write: the outputs, the reports, the quarantine files, and the outputs inside the
    /// part folders that exist now.
    func possibleOutputs(options: ConvertOptions, kinds: [(kind: LayoutKind, path: String)]) -> [String] {
        let suffix = options.zstdLevel == nil ? "" : ".zst"
        let names = kinds.map { $0.kind.outputName + suffix }
        var out = (names + BatchFolder.reportNames).map(batch.join)
        if options.quarantine {
            out += kinds.map { batch.join(BatchFolder.quarantineFolder + "/" + RunFolder.quarantineName($0.path)) }
        }
        for entry in OutDirLock.entries(options.outDir) where BatchFolder.isPartFolder(entry) {
            out += names.map { batch.join(entry + "/" + $0) }
        }
        return out
    }

    /// After publication: the previous batch's files that this run did not write are removed; what the tool
    /// did not write is named.
    func replacePreviousBatch() -> (removed: [String], strangers: [String]) {
        let prefix = publisher.outDir.hasSuffix("/") ? publisher.outDir : publisher.outDir + "/"
        let written = Set(publisher.finalPaths.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 })
        return batch.replace(written: written, inputs: inputs)
    }

    /// After a failure: every temporary file removed; a folder this run created is removed again when empty.
    func abandon() {
        publisher.discardAll()
        if publisher.createdDirectory {
            lock.releaseAndRemove()
            FileSystem.removeDirectory(publisher.outDir)
        }
    }
}
