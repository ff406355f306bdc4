import CAIR2IO
import CAIR2Core
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What `cair2 generate` makes.
public struct GenerateOptions: Sendable {
    /// Number of members (patient records); each brings its immunizations, comments and a query row.
    public var members: Int
    /// Directory for members.csv, immunizations.csv, comments.csv, query.csv and the answer key.
    public var outputDirectory: String
    /// Seed of the pseudo-random generator (`--seed`): the same seed and options give the same bytes.
    public var seed: UInt64 = 1
    /// Share of records (of every file) that carry exactly one planted defect.
    public var defectRate: Double = 0.01
    /// Share of members whose `disclosed` is not Y (excluded by statute, X_NOT_DISCLOSED), planted
    /// independently of `defectRate` because real extracts always have some.
    public var undisclosedShare: Double = 0.02
    /// The `--as-of` date (YYYY-MM-DD) that birth, vaccination and disclosure dates respect; nil is today (UTC).
    public var asOf: String?
    /// The plan's organization code, written as sending_org, disclosed_by, updated_by and the member-id prefix.
    public var org: String = "ACMEHP"
    /// Worker threads (at least 1; one per active processor by default); the output does not depend on it.
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Members per block (a unit of parallel work); the output does not depend on it.
    public var blockSize: Int = 2048
    /// Also write the registry's return files for the query rows (patient-return.txt, immunization-return.txt).
    /// The other files are byte-identical either way.
    public var returns = false
    /// Permissions of the written files (`--file-mode`; 0600 by default).
    public var fileMode: mode_t = FileMode.standard

    /// Options for `members` members written into `outputDirectory`, with the defaults of the other settings.
    public init(members: Int, outputDirectory: String) {
        self.members = members
        self.outputDirectory = outputDirectory
    }
}

/// Counts of what was written; no field values.
public struct GenerateSummary: Sendable {
    /// The as-of date the corpus respects, as `YYYY-MM-DD` (today, UTC, when none was given).
    public let asOf: String
    /// The organization code written into the records.
    public let org: String
    /// Records per input file name.
    public let records: [String: Int]
    /// Answer-key rows per code.
    public let planted: [String: Int]
    /// Wall-clock seconds the run took.
    public let elapsedSeconds: Double
    /// The folder held a publication marker: the last publication into it was cut (`PublicationMarker`).
    public var previousPublicationInterrupted = false
}

/// Why `generate` failed; the description is the whole message, naming no member.
public enum GenerateError: Error, CustomStringConvertible {
    /// An invalid option value; the message names the option.
    case invalidOption(String)
    /// A system call on `path` failed with `errno`.
    case io(path: String, errno: Int32)
    /// The run cannot start (exit 2): the output folder is locked by another run, or is not usable.
    case cannotStart(String)
    /// An I/O failure described by a whole sentence (exit 3), e.g. a final name in the way.
    case failed(String)

    /// The whole message: the option, or the path and the system's error text.
    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .cannotStart(let m), .failed(let m): return m
        case .io(let path, let e): return "\(path): \(String(cString: strerror(e)))"
        }
    }
}

/// The file names of the answer key.
public enum AnswerKey {
    /// Answer-key file of the planted defects that reject or exclude a record (`E_`, `X_`).
    public static let rejects = "expected-rejects.csv"
    /// Answer-key file of the planted defects that leave a warning (`W_`).
    public static let warnings = "expected-warnings.csv"
    /// The answer-key files' header row.
    public static let header = "file,line,record_id,field,code"
}

/// Output slots the workers of one wave fill, one per block.
/// Invariant: during `concurrentPerform` each index is written by exactly one worker and
/// read only after all workers have returned; that is what makes `@unchecked Sendable` sound.
private final class WaveSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<BlockOutput>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: BlockOutput())
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}

/// One output of `generate`: an `AtomicOutputFile` (the one temporary-file path of every command), published
/// with the others of its set.
private struct OutputFile {
    let file: AtomicOutputFile

    init(_ set: OutputSet, directory: String, name: String, mode: mode_t = FileMode.standard) throws {
        do {
            file = try set.create(directory: directory, name: name, bufferSize: 1 << 20, mode: mode)
        } catch {
            throw GenerateError.io(path: directory + "/" + name, errno: error.errno == 0 ? EIO : error.errno)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        do { try file.write(bytes) } catch { throw GenerateError.io(path: file.finalPath, errno: error.errno == 0 ? EIO : error.errno) }
    }

    func write(_ arena: ByteArena) throws {
        do {
            try file.write(UnsafeRawBufferPointer(arena.bytes))
        } catch {
            throw GenerateError.io(path: file.finalPath, errno: error.errno == 0 ? EIO : error.errno)
        }
    }
}

extension GenerateOptions {
    /// What is wrong with the option values (a usage error, checked before anything is created), or nil.
    public var problem: String? {
        guard members >= 1 else { return "--members must be at least 1" }
        guard members <= 900_000_000 else { return "--members must be at most 900000000" }
        guard defectRate >= 0, defectRate <= 1 else { return "--defect-rate must be between 0 and 1" }
        guard undisclosedShare >= 0, undisclosedShare <= 1 else { return "the undisclosed share must be between 0 and 1" }
        guard threads >= 1 else { return "--threads must be at least 1" }
        let orgBytes = Array(org.utf8)
        guard !orgBytes.isEmpty, orgBytes.count <= 12, orgBytes.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 44 && $0 != 34 }) else {
            return "--org must be 1-12 printable ASCII characters without blanks, commas or quotes"
        }
        if let text = asOf {
            guard let d = GenCalendar.parseISO(text) else { return "--as-of must be a date YYYY-MM-DD" }
            guard d >= GenCalendar.days(2000, 1, 1) else { return "--as-of must be 2000-01-01 or later" }
        }
        return nil
    }
}

/// Writes a synthetic California corpus and its answer key (PRODUCT.md §5, `cair2 generate`).
///
/// Members are cut into blocks; waves of blocks are generated in parallel, each block into
/// its own buffers, and written in order, so the bytes depend only on the seed and the
/// options, never on `threads` or `blockSize`.
public func generateCorpus(_ options: GenerateOptions) throws -> GenerateSummary {
    let started = DispatchTime.now().uptimeNanoseconds
    if let problem = options.problem { throw GenerateError.invalidOption(problem) }
    let asOf = options.asOf.flatMap(GenCalendar.parseISO) ?? Today.date().daysSince1970
    let orgBytes = Array(options.org.utf8)

    // File styles: line ends, BOM and the usual date spelling, per file, from the seed.
    var styleRng = GenRandom(seed: options.seed, index: 0, purpose: 7)
    var crlf: [Bool] = [], bom: [Bool] = [], dateStyles: [DateStyle] = []
    for _ in CorpusFile.allCases {
        crlf.append(styleRng.chance(0.5))
        bom.append(styleRng.chance(0.2))
        dateStyles.append(DateStyle(rawValue: styleRng.below(DateStyle.allCases.count))!)
    }
    let settings = GenSettings(seed: options.seed, members: options.members, defectRate: options.defectRate,
                               undisclosedShare: options.undisclosedShare, asOf: asOf, org: orgBytes,
                               crlf: crlf, dateStyle: dateStyles, returns: options.returns)
    let tables = GenTables.shared

    let dir = options.outputDirectory
    var isDir = false
    if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: Int(FileMode.directory(for: options.fileMode))]) }
        catch { throw GenerateError.io(path: dir, errno: EACCES) }
    } else if !isDir {
        throw GenerateError.invalidOption("\(dir) is not a directory")
    }

    // The folder's lock for the whole run; a dead run's temporaries go (PRODUCT.md §4a).
    let lock: OutDirLock
    do {
        lock = try OutDirLock.acquire(dir)
    } catch {
        throw GenerateError.cannotStart(error.description)
    }
    defer { lock.release() }
    let interrupted = PublicationMarker.exists(in: dir)
    lock.removeLeftovers()

    // Every file of the corpus and its answer key, published together.
    let set = OutputSet()
    var files: [OutputFile] = []
    var returnFiles: [OutputFile] = []
    do {
        for f in CorpusFile.allCases { files.append(try OutputFile(set, directory: dir, name: f.fileName, mode: options.fileMode)) }
        if options.returns {
            for f in ReturnFile.allCases {
                returnFiles.append(try OutputFile(set, directory: dir, name: f.fileName, mode: options.fileMode))
            }
        }
    } catch {
        set.discard()
        throw error
    }
    let sink = CorpusSink(files: files, returnFiles: returnFiles,
                          fieldNames: CorpusFile.allCases.map { $0.layout.columns.map(\.name) })
    do {
        for f in CorpusFile.allCases {
            var head: [UInt8] = bom[f.rawValue] ? [0xEF, 0xBB, 0xBF] : []
            head += Array(f.layout.columns.map(\.name).joined(separator: ",").utf8)
            if crlf[f.rawValue] { head.append(13) }
            head.append(10)
            try files[f.rawValue].write(head)
        }
        let blockSize = max(1, options.blockSize)
        let blockCount = (options.members + blockSize - 1) / blockSize
        let workers = min(options.threads, blockCount)
        let waveBlocks = workers * 2
        var generators = (0..<workers).map { _ in BlockGenerator(settings: settings, tables: tables) }
        // Wave n+1 is generated while the writer queue writes wave n.
        let writer = DispatchQueue(label: "cair2.generate.writer")
        let writing = DispatchGroup()
        var firstBlock = 0
        while firstBlock < blockCount {
            let count = min(waveBlocks, blockCount - firstBlock)
            let wave = WaveSlots(count: count)
            let base = firstBlock
            let members = options.members
            generators.withUnsafeMutableBufferPointer { gens in
                let g = UncheckedGenerators(gens)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var b = w
                    while b < count {
                        let lo = (base + b) * blockSize
                        wave.slots[b] = g.pointer[w].run(lo..<min(lo + blockSize, members))
                        b += workers
                    }
                }
            }
            writing.wait()
            if let e = sink.error { throw e }
            writer.async(group: writing) { sink.consume(wave, count: count) }
            firstBlock += count
        }
        writing.wait()
        if let e = sink.error { throw e }
        for (name, parts) in [(AnswerKey.rejects, sink.rejects), (AnswerKey.warnings, sink.warnings)] {
            let file = try OutputFile(set, directory: dir, name: name, mode: options.fileMode)
            var bytes = Array((AnswerKey.header + "\n").utf8)
            for p in parts { bytes += p }
            try file.write(bytes)
        }
        do {
            try set.publish()
        } catch {
            throw GenerateError.failed(error.description)
        }
    } catch {
        set.discard()
        throw error
    }
    let records = sink.records, planted = sink.planted

    var recordCounts: [String: Int] = [:]
    for f in CorpusFile.allCases { recordCounts[f.fileName] = records[f.rawValue] }
    if options.returns {
        for f in ReturnFile.allCases { recordCounts[f.fileName] = sink.returnRecords[f.rawValue] }
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    return GenerateSummary(asOf: GenCalendar.iso(asOf), org: options.org, records: recordCounts, planted: planted,
                           elapsedSeconds: elapsed, previousPublicationInterrupted: interrupted)
}

/// Where finished waves go: the input files, and the answer-key rows with file-wide lines.
/// Invariant: only the writer queue touches it between `async` and the group's `wait`, and
/// the generating thread reads it only after that wait; that makes `@unchecked Sendable` sound.
private final class CorpusSink: @unchecked Sendable {
    let files: [OutputFile]
    let returnFiles: [OutputFile]
    var returnRecords = [0, 0]
    let fieldNames: [[String]]
    var rejects: [[UInt8]] = Array(repeating: [], count: 4)
    var warnings: [[UInt8]] = Array(repeating: [], count: 4)
    var records = [0, 0, 0, 0]
    var planted: [String: Int] = [:]
    var nextLine = [2, 2, 2, 2]
    var error: Error?

    init(files: [OutputFile], returnFiles: [OutputFile], fieldNames: [[String]]) {
        self.files = files
        self.returnFiles = returnFiles
        self.fieldNames = fieldNames
    }

    func consume(_ wave: WaveSlots, count: Int) {
        guard error == nil else { return }
        do {
            for b in 0..<count {
                let block = wave.slots[b]
                for f in CorpusFile.allCases {
                    let fi = f.rawValue
                    try files[fi].write(block.bytes[fi])
                    records[fi] += block.records[fi]
                    for k in block.keys[fi] {
                        var row: [UInt8] = Array(f.fileName.utf8)
                        row.append(44); row.appendInt(nextLine[fi] + Int(k.line)); row.append(44)
                        if k.idIndex >= 0 { MemberIDs.appendRecordID(k.idIndex, to: &row) }
                        row.append(44)
                        if k.field >= 0 { row += Array(fieldNames[fi][Int(k.field)].utf8) }
                        row.append(44)
                        row += Array(k.code.text.utf8)
                        row.append(10)
                        if k.code.isWarning { warnings[fi] += row } else { rejects[fi] += row }
                        planted[k.code.text, default: 0] += 1
                    }
                    nextLine[fi] += block.lines[fi]
                }
                for (k, file) in returnFiles.enumerated() {
                    try file.write(block.returnBytes[k])
                    returnRecords[k] += block.returnRecords[k]
                }
            }
        } catch let e {
            error = e
        }
    }
}

/// The workers' generators during one `concurrentPerform`: worker `w` touches only element `w`.
private struct UncheckedGenerators: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<BlockGenerator>
    init(_ p: UnsafeMutableBufferPointer<BlockGenerator>) { pointer = p }
}
