import CAIR2Core
import CSupport
import Dispatch
import Foundation

/// Per-input counts for the summary and the closing report.
public struct FileSummary: Sendable {
    public var kind: LayoutKind
    public var input: String
    public var inputRecords = 0
    public var written = 0
    public var rejected = 0
    public var excluded = 0
    public var warnings: [String: Int] = [:]
    public var rejectCodes: [String: Int] = [:]
    public var output: String = ""
    public var outputBytes = 0
    public var outputSHA256 = ""
    public var bytesIn = 0
    /// Runs the patient index spilled to its scratch file (patients only; for tests and diagnostics).
    public var indexSpills = 0
    /// Per layout field: the cells a default filled (a blank cell or an absent column), §3c.
    public var defaultsApplied: [Int]
    /// Per layout field: where its default came from (nil: none).
    public var defaultSources: [DefaultSource?] = []

    public init(kind: LayoutKind, input: String) {
        self.kind = kind
        self.input = input
        defaultsApplied = [Int](repeating: 0, count: kind.layout.fields.count)
    }

    /// `defaults_applied` by field name (fields no default filled are left out).
    public var defaultsAppliedByField: [String: Int] {
        var d: [String: Int] = [:]
        for (i, n) in defaultsApplied.enumerated() where n > 0 { d[kind.layout.fields[i].name] = n }
        return d
    }
}

/// One part of a split batch (`--max-records-per-file`).
public struct PartSummary: Sendable {
    public var name: String
    public var files: [(kind: LayoutKind, output: String, records: Int, bytes: Int, sha256: String)]
}

/// What a finished run produced.
public struct ConvertResult: Sendable {
    public var files: [FileSummary]
    public var parts: [PartSummary]
    public var elapsedSeconds: Double
    public var summaryJSON: String
    /// Exit status: 0, or 4 when the reject rate exceeded `--max-reject-rate`.
    public var exitCode: Int32
    /// Rejected records of all inputs / input records of all inputs (0 without input records).
    public var rejectRate: Double = 0
    public var unknownColumns: [(input: String, names: [String])]
    public var outputPaths: [String]
    /// Files of the previous batch in the output folder that this run did not write, removed after it
    /// published (relative names; PRODUCT.md §3c).
    public var removedFromPreviousBatch: [String] = []
    /// Entries of the output folder the tool did not write, left alone (relative names, folders end in `/`).
    public var leftAlone: [String] = []
}

/// Streams rendered lines to the final outputs (one per part), hashing as it goes.
final class LineSink {
    let kind: LayoutKind
    let baseName: String
    let outDir: String
    let lineWidth: Int
    var files: [Int32: OutputStream] = [:]
    var order: [Int32] = []
    let zstdLevel: Int32?
    let publisher: Publisher

    init(kind: LayoutKind, outDir: String, lineWidth: Int, zstdLevel: Int32?, publisher: Publisher) {
        self.kind = kind
        self.baseName = kind.outputName
        self.outDir = outDir
        self.lineWidth = lineWidth
        self.zstdLevel = zstdLevel
        self.publisher = publisher
    }

    func stream(part: Int32) throws -> OutputStream {
        if let s = files[part] { return s }
        let sequential = kind == .patient || kind == .query
        // Named as the final file until a second part exists (so a message about a run that is not split never
        // names part-001/); the first part then moves to its part folder too.
        let file = "\(baseName)\(zstdLevel == nil ? "" : ".zst")"
        if part > 0, let first = files[0], first.relativePath == file { first.relativePath = "part-\(partName(0))/\(file)" }
        let split = part > 0 || files.keys.contains { $0 > 0 }
        let s = try publisher.create(relative: split ? "part-\(partName(part))/\(file)" : file,
                                     zstdLevel: zstdLevel, stagingSize: sequential ? 4 << 20 : 1 << 20,
                                     stagingBuffers: sequential ? 4 : 2)
        // Patients and queries fill their parts one after another: the previous part is complete once this one
        // gets its first bytes, and gives its buffers back then (immunizations and comments follow their
        // patients' parts, in any order, so theirs stay open to the end).
        if sequential { s.previous = files[part - 1] }
        files[part] = s
        order.append(part)
        return s
    }

    func partName(_ p: Int32) -> String {
        let s = String(p + 1)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }
}

extension LayoutKind {
    /// The output file's name.
    public var outputName: String {
        switch self {
        case .patient: return "patient.txt"
        case .immunization: return "immunization.txt"
        case .comment: return "comment.txt"
        case .query: return "query.txt"
        case .patientReturn: return "patient-return.txt"
        case .immunizationReturn: return "immunization-return.txt"
        }
    }
}

/// Converts member extracts to CAIR2 files (PRODUCT.md §2-§4). Throws `CAIR2Error` with the exit status.
public func convert(_ options: ConvertOptions, log: @escaping @Sendable (String) -> Void = { _ in }) throws -> ConvertResult {
    let started = DispatchTime.now()
    // Incompatible inputs and bad options: exit 2 before any work.
    if options.query != nil && (options.patients != nil || options.immunizations != nil || options.comments != nil) {
        throw CAIR2Error.usage("--query cannot be combined with --patients, --immunizations or --comments")
    }
    if options.patients == nil && (options.immunizations != nil || options.comments != nil) {
        throw CAIR2Error.usage("--immunizations and --comments must be submitted with --patients (the registry links them to the patient file)")
    }
    if options.patients == nil && options.query == nil {
        throw CAIR2Error.usage("nothing to convert: give --patients FILE (with --immunizations/--comments) or --query FILE")
    }
    if let org = options.org {
        let b = Array(org.utf8)
        if b.isEmpty || b.count > 12 || b.contains(where: { $0 < 0x21 || $0 > 0x7E }) {
            throw CAIR2Error.usage("--org must be 1-12 printable ASCII characters without blanks")
        }
    }
    if options.maxRecordsPerFile < 1 { throw CAIR2Error.usage("--max-records-per-file must be at least 1") }
    if let level = options.zstdLevel, !Zstd.levels.contains(Int(level)) {
        throw CAIR2Error.usage(ZstdError.invalidLevel(Int(level)).description)
    }
    let mapping = try loadMapping(options.mapFile)

    var inputs: [(kind: LayoutKind, path: String)] = []
    if let p = options.patients { inputs.append((.patient, p)) }
    if let p = options.immunizations { inputs.append((.immunization, p)) }
    if let p = options.comments { inputs.append((.comment, p)) }
    if let p = options.query { inputs.append((.query, p)) }

    // Open every input and read every header before any work.
    var opened: [InputFile] = []
    for (_, path) in inputs {
        opened.append(try InputFile.open(path: path, useMmap: options.useMmap, blockSize: options.blockSize))
    }
    var plans: [ColumnPlan] = []
    var unknown: [(String, [String])] = []
    for (i, (kind, path)) in inputs.enumerated() {
        let header = try opened[i].header(delimiter: options.delimiter)
        guard let header else {
            throw CAIR2Error.usage("\(path): the file is empty; a header row is required")
        }
        do {
            let plan = try ColumnPlan(layout: kind.layout, header: header.names, mapping: mapping, org: options.org)
            plans.append(plan)
            if !plan.unknownColumns.isEmpty { unknown.append((path, plan.unknownColumns)) }
        } catch let e as PlanError {
            throw CAIR2Error.usage("\(path): \(e.message)")
        }
    }
    // Defaults (--map, --org) and `values` targets the field's rules would reject or blank: exit 2 before any work.
    for plan in plans {
        for (fi, f) in plan.layout.fields.enumerated() {
            if let src = plan.defaultSources[fi], src != .builtIn, let d = plan.defaults[fi],
               let code = ConstantCheck.problem(String(decoding: d, as: UTF8.self), field: f, asOf: options.asOf,
                                                tables: options.codeTables) {
                let key = src == .mapping ? "\(options.mapFile ?? "--map"): \"defaults\".\"\(f.name)\"" : "--org"
                throw CAIR2Error.usage("\(key): the default for \(f.name) would be \(code.severity == .reject ? "rejected" : "blanked") "
                                       + "on every record (\(code.name): \(code.message(field: fi, layout: plan.layout))); fix the value")
            }
            for (k, table) in mapping.values where normalizeHeaderName(k) == f.name {
                for (theirs, ours) in table.sorted(by: { $0.key < $1.key }) {
                    guard let code = ConstantCheck.problem(ours, field: f, asOf: options.asOf, tables: options.codeTables),
                          ours.contains(where: { $0 != " " }) else { continue }
                    throw CAIR2Error.usage("\(options.mapFile ?? "--map"): \"values\".\"\(k)\".\"\(theirs)\" translates to a value "
                                           + "the \(f.name) rules would \(code.severity == .reject ? "reject" : "blank") "
                                           + "(\(code.name): \(code.message(field: fi, layout: plan.layout))); fix the value")
                }
            }
        }
    }
    for (path, names) in unknown {
        log("\(path): ignoring \(names.count) unknown column\(names.count == 1 ? "" : "s"): \(HeaderRow.unknownColumnsText(names))")
    }

    // The folder's lock, a dead run's temporaries, no input overwritten, the previous batch (PRODUCT.md §3c, §4a).
    let folder = try RunFolder.open(options: options, inputs: inputs)
    defer { withExtendedLifetime(folder) {} }  // the lock is held to the end of the run
    if folder.batch.previousPublicationInterrupted { log(PublicationMarker.interruptedWarning(options.outDir)) }
    let publisher = folder.publisher
    publisher.directIO = options.directIO
    do {
        let threads = options.threads > 0 ? min(options.threads, 4096) : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64))
        var summaries: [FileSummary] = []
        var reports: [ReportSpool] = []
        var patientIndex: PatientIndex?
        var sinks: [LineSink] = []
        for (i, (kind, path)) in inputs.enumerated() {
            let rules = RecordRules(plan: plans[i], encoding: options.encoding, asOf: options.asOf,
                                    patients: kind == .immunization || kind == .comment ? patientIndex : nil,
                                    codeTables: options.codeTables)
            let lineWidth = (options.padToStatedTotal ? kind.layout.statedTotal : kind.layout.dataWidth) + 2
            let sink = LineSink(kind: kind, outDir: options.outDir, lineWidth: lineWidth,
                                zstdLevel: options.zstdLevel, publisher: publisher)
            sinks.append(sink)
            var summary = FileSummary(kind: kind, input: path)
            summary.defaultSources = plans[i].defaultSources
            let rows = ReportSpool(path: path, directory: options.outDir, bufferBytes: options.reportBufferBytes)
            // The rejected records' raw lines go straight to their file as they are merged (never held in memory).
            let quarantine = options.quarantine
                ? try publisher.create(relative: "quarantine/" + RunFolder.quarantineName(path),
                                       zstdLevel: nil, stagingSize: 1 << 20)
                : nil
            let split = (kind == .patient || kind == .query) ? options.maxRecordsPerFile : Int.max
            let result = try runInput(input: opened[i], kind: kind, rules: rules, options: options, threads: threads,
                                      lineWidth: lineWidth, sink: sink, summary: &summary, rows: rows,
                                      quarantine: quarantine, splitEvery: split)
            try opened[i].checkIntact()
            if kind == .patient {
                summary.indexSpills = result?.spilledRuns ?? 0
                patientIndex = result
                // One merged run makes the immunization and comment lookups one read; nothing to do without them.
                if inputs.contains(where: { $0.0 == .immunization || $0.0 == .comment }) { patientIndex?.compact() }
            }
            try checkPatientIndex(patientIndex)
            // A value no record stated must be visible (§3c): once per field a --map or --org default filled.
            for (fi, n) in summary.defaultsApplied.enumerated() where n > 0 {
                guard let src = summary.defaultSources[fi], src != .builtIn else { continue }
                log("\(path): the \(src.rawValue) default filled \(kind.layout.fields[fi].name) in \(n) record\(n == 1 ? "" : "s")")
            }
            summaries.append(summary)
            reports.append(rows)
        }
        // A run whose patients (or queries) were split writes every kind into the parts, each a complete
        // submission; otherwise the files sit directly in the output directory.
        let partCount = Int32(sinks.first.map { ($0.order.max() ?? 0) + 1 } ?? 1)
        let splitRun = partCount > 1
        for sink in sinks {
            if splitRun {
                for p in 0..<partCount { _ = try sink.stream(part: p) }
                sink.order.sort()
            } else {
                let s = try sink.stream(part: 0)
                s.relativePath = sink.baseName + (options.zstdLevel == nil ? "" : ".zst")
            }
        }
        var parts: [PartSummary] = []
        for (i, sink) in sinks.enumerated() {
            var total = 0
            for part in sink.order {
                let s = sink.files[part]!
                try s.finish()
                total += s.bytesWritten
            }
            summaries[i].outputBytes = total
            if sink.order.count == 1, let s = sink.files[sink.order[0]] {
                summaries[i].output = s.relativePath
                summaries[i].outputSHA256 = s.sha256Hex
            } else {
                summaries[i].output = sink.order.map { sink.files[$0]!.relativePath }.joined(separator: ",")
            }
        }
        if splitRun {
            var byPart: [Int32: PartSummary] = [:]
            for sink in sinks {
                for part in sink.order {
                    let s = sink.files[part]!
                    var p = byPart[part] ?? PartSummary(name: "part-\(sink.partName(part))", files: [])
                    p.files.append((sink.kind, s.relativePath, s.bytesUncompressed / sink.lineWidth, s.bytesWritten, s.sha256Hex))
                    byPart[part] = p
                }
            }
            parts = byPart.keys.sorted().map { byPart[$0]! }
        }
        // Reports, sorted by file then line.
        try writeReports(reports, publisher: publisher)
        // The reject rate over all inputs (exclusions do not count), against --max-reject-rate.
        let inputsTotal = summaries.reduce(0) { $0 + $1.inputRecords }
        let rejectedTotal = summaries.reduce(0) { $0 + $1.rejected }
        let rejectRate = inputsTotal > 0 ? Double(rejectedTotal) / Double(inputsTotal) : 0
        var exitCode: Int32 = 0
        if let max = options.maxRejectRate, rejectRate > max { exitCode = 4 }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let json = summaryJSON(options: options, files: summaries, parts: parts, elapsed: elapsed,
                               rejectRate: rejectRate, exitStatus: exitCode)
        let summaryOut = try publisher.create(relative: "summary.json", zstdLevel: nil)
        try summaryOut.write(Array(json.utf8))
        try summaryOut.finish()
        if options.cancellation?.isCancelled == true { throw CAIR2Error.cancelled }
        try publisher.publishAll()
        let (removed, strangers) = folder.replacePreviousBatch()
        return ConvertResult(files: summaries, parts: parts, elapsedSeconds: elapsed, summaryJSON: json,
                             exitCode: exitCode, rejectRate: rejectRate, unknownColumns: unknown,
                             outputPaths: publisher.finalPaths, removedFromPreviousBatch: removed, leftAlone: strangers)
    } catch {
        if publisher.finalPaths.isEmpty { folder.abandon() } else { publisher.discardAll() }
        throw error
    }
}

func lastPathComponent(_ p: String) -> String {
    if let i = p.lastIndex(of: "/") { return String(p[p.index(after: i)...]) }
    return p
}

/// The header row: its field names and where the records begin.
struct Header {
    var names: [String]
    var end: Int
    var lines: Int
}

func readHeader(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Header? {
    let bom = CSVScanner.bomLength(bytes)
    var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, position: bom, line: 0)
    var rec = CSVRecord()
    guard scanner.next(&rec) else { return nil }
    var names: [String] = []
    for f in rec.fields {
        var v: [UInt8] = []
        CSVScanner.appendValue(f, in: bytes, to: &v)
        names.append(String(decoding: v, as: UTF8.self))
    }
    return Header(names: names, end: scanner.position, lines: scanner.line)
}

/// Reads the mapping file (`--map`): `{"columns": {...}, "defaults": {...}}`.
func loadMapping(_ path: String?) throws -> ColumnMapping {
    guard let path else { return ColumnMapping() }
    guard let data = FileManager.default.contents(atPath: path) else {
        // Name the reason (no such file, permission denied, a directory), as for every other input.
        var st = stat()
        let reason = stat(path, &st) != 0 ? errnoText()
            : (st.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : (access(path, R_OK) != 0 ? errnoText() : "read failed")
        throw CAIR2Error.usage("\(path): cannot read the mapping file: \(reason)")
    }
    guard let obj = try? JSONSerialization.jsonObject(with: data), let dict = obj as? [String: Any] else {
        throw CAIR2Error.usage("\(path): the mapping file is not a JSON object like {\"columns\": {...}, \"defaults\": {...}}")
    }
    for key in dict.keys where !["columns", "defaults", "values", "nulls"].contains(key) {
        throw CAIR2Error.usage("\(path): unknown key '\(key)' in the mapping file\(DidYouMean.suffix(key, in: ["columns", "defaults", "values", "nulls"])) (expected \"columns\", \"defaults\", \"values\" and \"nulls\")")
    }
    var mapping = ColumnMapping()
    if let c = dict["columns"] {
        guard let cols = c as? [String: String] else {
            throw CAIR2Error.usage("\(path): \"columns\" must map their column names to canonical names (strings)")
        }
        let canonical = Set(LayoutKind.allCases.filter(\.isWritten).flatMap { $0.layout.columns.map(\.name) })
        for (theirs, target) in cols {
            let t = normalizeHeaderName(target)
            guard canonical.contains(t) else {
                throw CAIR2Error.usage("\(path): mapping target '\(target)' (for column '\(theirs)') is not a canonical column name\(DidYouMean.suffix(target, in: canonical)); see cair2 layouts")
            }
        }
        mapping.columns = cols
    }
    if let d = dict["defaults"] {
        guard let defs = d as? [String: Any] else {
            throw CAIR2Error.usage("\(path): \"defaults\" must map canonical names to values")
        }
        let canonical = Set(LayoutKind.allCases.filter(\.isWritten).flatMap { $0.layout.columns.map(\.name) })
        for (k, v) in defs {
            guard canonical.contains(normalizeHeaderName(k)) else {
                throw CAIR2Error.usage("\(path): default for '\(k)', which is not a canonical column name\(DidYouMean.suffix(k, in: canonical)); see cair2 layouts")
            }
            if let s = v as? String { mapping.defaults[k] = s } else if let n = v as? NSNumber { mapping.defaults[k] = n.stringValue } else {
                throw CAIR2Error.usage("\(path): the default for '\(k)' must be a string")
            }
        }
    }
    if let v = dict["values"] {
        guard let byField = v as? [String: Any] else {
            throw CAIR2Error.usage("\(path): \"values\" must map canonical names to {\"THEIR VALUE\": \"value\"} objects")
        }
        let canonical = Set(LayoutKind.allCases.filter(\.isWritten).flatMap { $0.layout.columns.map(\.name) })
        for (k, table) in byField {
            guard canonical.contains(normalizeHeaderName(k)) else {
                throw CAIR2Error.usage("\(path): values for '\(k)', which is not a canonical column name\(DidYouMean.suffix(k, in: canonical)); see cair2 layouts")
            }
            guard let t = table as? [String: Any] else {
                throw CAIR2Error.usage("\(path): \"values\".\"\(k)\" must be an object like {\"THEIR VALUE\": \"value\"}")
            }
            var out: [String: String] = [:]
            for (theirs, ours) in t {
                if let s = ours as? String { out[theirs] = s } else if let n = ours as? NSNumber { out[theirs] = n.stringValue } else {
                    throw CAIR2Error.usage("\(path): \"values\".\"\(k)\" must map values to strings")
                }
            }
            mapping.values[normalizeHeaderName(k), default: [:]].merge(out) { a, _ in a }
        }
    }
    if let n = dict["nulls"] {
        guard let list = n as? [String] else {
            throw CAIR2Error.usage("\(path): \"nulls\" must be a list of strings, e.g. [\"NULL\", \"N/A\"]")
        }
        mapping.nulls = list
    }
    return mapping
}

/// Runs one input through the chunked workers and the ordered merge.
func runInput(input: InputFile, kind: LayoutKind, rules: RecordRules, options: ConvertOptions,
              threads: Int, lineWidth: Int, sink: LineSink, summary: inout FileSummary, rows: ReportSpool,
              quarantine: OutputStream?, splitEvery: Int) throws -> PatientIndex? {
    let layout = kind.layout
    let workers = [RecordWorker(rules: rules)]
    let isPatient = kind == .patient
    var index = isPatient ? makePatientIndex(input: input, options: options) : PatientIndex(capacity: 16)
    var writtenCount = 0
    var lineBase = 0              // lines before the current chunk's start
    var trueEnd = 0               // where the sequential scan really is, in the current block
    let window = max(2, threads * 3)
    let dupField = Int16(layout.index(of: "record_id") ?? -1)
    let partOf: (Int) -> Int32 = { n in Int32(n / splitEvery) }
    var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)  // the current block
    var openTail = false          // the block may end inside a record (streamed input, more to come)
    var consumedBefore = 0        // stream bytes dropped before the current block
    var releaseMapped = false     // a mapped input: processed pages are handed back to the kernel
    var released = 0
    var advisedUpTo = 0

    /// Asks the kernel to read the mapped input ahead of the merge (`MADV_WILLNEED`, asynchronous): a cold input
    /// (a nightly extract written hours ago) is then read in large sequential requests while the workers parse,
    /// instead of one page fault at a time in each worker. Cheap when the pages are cached.
    func adviseAhead() {
        let window = 64 << 20
        guard let base = bytes.baseAddress, advisedUpTo < bytes.count, trueEnd + window / 2 >= advisedUpTo else { return }
        let page = 1 << 12
        let from = max(advisedUpTo, trueEnd) & ~(page - 1)
        let to = min(bytes.count, trueEnd + window)
        guard to > from else { return }
        madvise(UnsafeMutableRawPointer(mutating: base) + from, to - from, MADV_WILLNEED)
        advisedUpTo = to
    }

    /// Drops the mapped pages the merge is done with, so resident memory follows the window of chunks, not
    /// the file's size (the pages are clean: the kernel can always read them again).
    func releaseProcessedInput() {
        let page = 1 << 16
        let upTo = trueEnd & ~(page - 1)
        guard upTo - released >= 32 << 20, let base = bytes.baseAddress else { return }
        madvise(UnsafeMutableRawPointer(mutating: base) + released, upTo - released, MADV_DONTNEED)
        released = upTo
    }

    let merger = workers[0]
    let redo = ChunkOutput()
    /// A run of consecutive records with the same mask of defaulted fields, for `defaults_applied`.
    var maskRun = (mask: UInt64(0), count: 0)
    func flushMaskRun() {
        var m = maskRun.mask
        while m != 0 {
            summary.defaultsApplied[m.trailingZeroBitCount] += maskRun.count
            m &= m - 1
        }
        maskRun = (0, 0)
    }
    defer { flushMaskRun() }
    /// Merges chunk `c` in input order: checks the speculation chain, then duplicate ids (patients), parts,
    /// counts, reports, and the lines to the outputs.
    func mergeChunk(_ c: Int, _ speculative: ChunkOutput) throws -> (ChunkOutput, [WriteJob]) {
        if options.cancellation?.isCancelled == true { throw CAIR2Error.cancelled }
        var chunk = speculative
        var jobs: [WriteJob] = []
        if chunk.start != trueEnd {
            // Speculation failed (a quoted newline crossed the cut): redo from the true position, into the same
            // output object (its `reset` drops the worker's frame too). A fresh object per failure grew the merge
            // thread's heap by a chunk's buffers each time on large inputs.
            chunk = processChunk(bytes, start: trueEnd, stopAt: max(speculative.stopAt, trueEnd),
                                 delimiter: options.delimiter, worker: merger, lineWidth: lineWidth, into: speculative)
        }
        if openTail && chunk.end == bytes.count && chunk.lastRecordOpen {
            // The block ends inside this record: it is carried to the next block and processed there.
            chunk.dropLastRecord(lineWidth: lineWidth)
        }
        // Merge: duplicate ids (patients), parts, counts, reports, lines to the outputs.
        var pi = 0
        let problems = chunk.problems
        var runStart = -1  // start of a run of consecutive written lines in chunk.lines
        var runPart: Int32 = 0
        var runLen = 0
        func flush() throws {
            if runLen > 0 {
                // Hashed and staged for the file in order, by this (the merging) thread.
                jobs.append(WriteJob(stream: try sink.stream(part: runPart), first: runStart, count: runLen))
            }
            runLen = 0
            runStart = -1
        }
        // The id table is far bigger than the caches: each record prefetches the slot of the record 8 ahead, so
        // the misses of consecutive inserts overlap instead of following one another.
        let lookahead = 8
        if isPatient {
            for r in 0..<min(lookahead, chunk.results.count) where chunk.results[r].structural && !chunk.results[r].id.isEmpty {
                cair2_prefetch(UnsafeRawPointer(bitPattern: index.prefetchAddress(chunk.results[r].id)))
            }
        }
        for r in 0..<chunk.results.count {
            if isPatient && r + lookahead < chunk.results.count && chunk.results[r + lookahead].structural
                && !chunk.results[r + lookahead].id.isEmpty {
                cair2_prefetch(UnsafeRawPointer(bitPattern: index.prefetchAddress(chunk.results[r + lookahead].id)))
            }
            var res = chunk.results[r]
            let line = lineBase + Int(chunk.recordLine[r]) + 1
            let firstP = pi
            while pi < problems.count && problems[pi].record == Int32(r) { pi += 1 }
            var extra: Problem?
            // Only a record past the structural checks takes part in the duplicate rule (§3a).
            if isPatient && res.structural && !res.id.isEmpty {
                // One probe does both: the duplicate check and, for a written patient, its index entry.
                let entry = res.status == .written
                    ? PatientIndex.Entry(birth: res.date, part: partOf(writtenCount)) : nil
                let inserted = index.insert(res.id, entry)
                if !inserted && res.status != .excluded {
                    extra = Problem(record: Int32(r), field: dupField, code: .duplicateID)
                    res.status = .rejected
                }
            }
            summary.inputRecords += 1
            var idBytes: [UInt8]?
            // Consecutive records nearly always share their mask of defaulted fields: count runs, not bits.
            if res.defaultsApplied != maskRun.mask {
                flushMaskRun()
                maskRun.mask = res.defaultsApplied
            }
            maskRun.count += 1
            func report(_ p: Problem) throws {
                if idBytes == nil { idBytes = res.id.isEmpty ? [] : res.id.bytes }
                try rows.add(line: line, recordID: idBytes!, field: p.field >= 0 ? layout.fields[Int(p.field)].name : "",
                             code: p.code, message: p.code.message(field: Int(p.field), layout: layout))
                if p.code.severity == .warning {
                    summary.warnings[p.code.name, default: 0] += 1
                } else {
                    summary.rejectCodes[p.code.name, default: 0] += 1
                }
            }
            if let e = extra { try report(e) }
            for p in problems[firstP..<pi] { try report(p) }
            switch res.status {
            case .written:
                let part: Int32 = isPatient || kind == .query ? partOf(writtenCount) : res.part
                writtenCount += 1
                summary.written += 1
                let li = Int(chunk.lineIndex[r])
                if runLen > 0 && (runPart != part || runStart + runLen != li) { try flush() }
                if runLen == 0 { runStart = li; runPart = part }
                runLen += 1
            case .rejected:
                summary.rejected += 1
                if let quarantine {
                    // The raw record, then one more column naming its reject codes and fields (§3c).
                    var end = chunk.recordNext[r]
                    let start = chunk.recordStart[r]
                    var terminator: [UInt8] = [0x0A]
                    if end > start && bytes[end - 1] == 0x0A {
                        end -= 1
                        if end > start && bytes[end - 1] == 0x0D { end -= 1; terminator = [0x0D, 0x0A] }
                    }
                    try quarantine.write(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    var codes: [String] = []
                    for p in (extra.map { [$0] } ?? []) + Array(problems[firstP..<pi]) where p.code.severity == .reject {
                        codes.append(p.field >= 0 ? "\(p.code.name):\(layout.fields[Int(p.field)].name)" : p.code.name)
                    }
                    try quarantine.write([options.delimiter] + csvCell(Array(codes.joined(separator: " ").utf8),
                                                                       neutralize: false, delimiter: options.delimiter)
                                         + terminator)
                }
            case .excluded:
                summary.excluded += 1
            }
        }
        try flush()
        lineBase += chunk.linesScanned
        trueEnd = chunk.end
        if releaseMapped {
            releaseProcessedInput()
            adviseAhead()
        }
        if let progress = options.progress {
            progress(ConvertProgress(input: summary.input, kind: kind, bytesDone: consumedBefore + trueEnd,
                                     bytesTotal: input.knownSize, records: summary.inputRecords,
                                     written: summary.written, rejected: summary.rejected, excluded: summary.excluded,
                                     finished: false))
        }
        return (chunk, jobs)
    }

    /// Processes every complete record of `block` from `from`; returns where the unprocessed rest begins
    /// (the block's end, or the start of a record the block cuts when more input follows).
    func runBlock(_ block: UnsafeBufferPointer<UInt8>, from: Int, isFinal: Bool) throws -> Int {
        bytes = block
        openTail = !isFinal
        trueEnd = from
        if threads <= 1 || block.count - from <= options.chunkSize {
            // Sequential: each chunk starts where the previous one really ended.
            var cuts = ChunkCuts(block, from: from, size: options.chunkSize)
            var c = 0
            while cuts.has(c) {
                let chunk = processChunk(bytes, start: trueEnd, stopAt: max(cuts.starts[c + 1], trueEnd),
                                         delimiter: options.delimiter, worker: merger, lineWidth: lineWidth,
                                         into: redo)
                let (merged, jobs) = try mergeChunk(c, chunk)
                for j in jobs { try j.stream.write(merged.lines(j.first, j.count, width: lineWidth)) }
                c += 1
            }
            return trueEnd
        }

        // Parallel: `threads - 1` worker threads and this one claim chunks in order, at most `window` ahead of
        // the merge. This thread also merges, hashes and stages every chunk in order, as soon as the next one is
        // ready, and processes chunks in between. So `--threads N` keeps exactly N threads busy: a separate
        // merge or writer thread made three busy threads on two cores, the scheduler let the serial one fall
        // behind, and the workers then stood idle at the window's edge (docs/PERFORMANCE.md).
        let pipe = ChunkPipeline(cuts: ChunkCuts(block, from: from, size: options.chunkSize), window: window)
        let group = DispatchGroup()
        nonisolated(unsafe) let input = bytes
        let delimiter = options.delimiter
        let zstdLevel = options.zstdLevel
        for w in 0..<(threads - 1) {
            // One serial Dispatch queue per worker: each runs the claim/process/deliver loop on its own thread.
            DispatchQueue(label: "cair2.worker.\(w)", qos: .userInitiated).async(group: group) {
                let worker = RecordWorker(rules: rules)
                // With --zstd each worker also compresses its chunk's lines into one frame, in parallel; the
                // merge uses it whenever the chunk's lines go out unchanged (the usual case).
                let compressor = zstdLevel.flatMap { try? ZstdFrameCompressor(level: Int($0)) }
                while let (c, start, stop) = pipe.claim() {
                    let out = processChunk(input, start: start, stopAt: stop, delimiter: delimiter,
                                           worker: worker, lineWidth: lineWidth, into: pipe.recycled())
                    if let compressor { out.compressLines(with: compressor) }
                    pipe.deliver(c, out)
                }
            }
        }
        defer {
            pipe.cancel()
            group.wait()
        }
        let compressor = try zstdLevel.map { try ZstdFrameCompressor(level: Int($0)) }
        var c = 0
        while true {
            switch pipe.nextTask(merge: c) {
            case .finished:
                return trueEnd
            case .process(let k, let start, let stop):
                let out = processChunk(input, start: start, stopAt: stop, delimiter: delimiter,
                                       worker: merger, lineWidth: lineWidth, into: pipe.recycled())
                if let compressor { out.compressLines(with: compressor) }
                pipe.deliver(k, out)
            case .merge(let chunk):
                let (merged, jobs) = try mergeChunk(c, chunk)
                if jobs.count == 1, try merged.writeFrameIfWhole(jobs[0], lineWidth: lineWidth) {
                    // written as the worker compressed it
                } else {
                    for j in jobs { try j.stream.write(merged.lines(j.first, j.count, width: lineWidth)) }
                }
                pipe.merged(c, merged)
                c += 1
            }
        }
    }

    if let mapped = input.mappedBytes {
        // The whole input is in memory (mapped): one block.
        summary.bytesIn = mapped.count
        guard let header = readHeader(mapped, delimiter: options.delimiter) else { return nil }
        try quarantine?.write(headerLine(mapped, header, delimiter: options.delimiter))
        lineBase = header.lines
        releaseMapped = true
        bytes = mapped
        trueEnd = header.end
        adviseAhead()
        _ = try runBlock(mapped, from: header.end, isFinal: true)
        return isPatient ? index : nil
    }

    // Streamed input (standard input, .zst, .gz, --no-mmap): blocks read into a reused buffer; a record the
    // block cuts is carried to the next one.
    let stream = input.stream!

    /// Reads past the record that starts at `at` in the buffer, longer than a record may be, to its row end, and
    /// rejects it: `E_RECORD_TOO_LONG`, or `E_UNTERMINATED_QUOTE` when the input ends inside its quote. True
    /// when the input ended.
    func skipLongRecord(at start: Int) throws -> Bool {
        var skipper = RecordSkipper()
        var at = start
        var ended = false
        while true {
            let buffered = stream.buffered
            if at < buffered.count,
               let n = skipper.advance(UnsafeBufferPointer(rebasing: buffered[at...]), delimiter: options.delimiter) {
                stream.consume(upTo: at + n)
                consumedBefore += at + n
                break
            }
            if buffered.count > 0 {
                stream.consume(upTo: buffered.count)
                consumedBefore += buffered.count
            }
            at = 0
            if try stream.fill() && stream.buffered.count == 0 { ended = true; break }
        }
        let code: ProblemCode = ended && skipper.inQuote ? .unterminatedQuote : .recordTooLong
        summary.inputRecords += 1
        summary.rejected += 1
        summary.rejectCodes[code.name, default: 0] += 1
        try rows.add(line: lineBase + 1, recordID: [], field: "", code: code, message: code.message(field: -1, layout: layout))
        lineBase += skipper.lines
        return ended
    }

    var first = true
    var from = 0
    while true {
        let eof = try stream.fill()
        let block = stream.buffered
        if first {
            guard let header = readHeader(block, delimiter: options.delimiter) else { return nil }
            try quarantine?.write(headerLine(block, header, delimiter: options.delimiter))
            lineBase = header.lines
            from = header.end
            first = false
        }
        let rest = try runBlock(block, from: from, isFinal: eof)
        if eof { break }
        from = 0
        if block.count - rest > InputLimits.recordBytes + 1 {
            // The record carried from this block is already too long (§4a): follow it to its row end without
            // holding it, rather than growing the buffer with it.
            if try skipLongRecord(at: rest) { break }
            continue
        }
        stream.consume(upTo: rest)
        consumedBefore += rest
    }
    summary.bytesIn = stream.totalRead
    return isPatient ? index : nil
}

/// The quarantine file's header: the input's header row and one more column, `cair2_problems` (§3c).
func headerLine(_ bytes: UnsafeBufferPointer<UInt8>, _ header: Header, delimiter: UInt8) -> [UInt8] {
    var h = Array(UnsafeBufferPointer(rebasing: bytes[CSVScanner.bomLength(bytes)..<header.end]))
    var terminator: [UInt8] = [0x0A]
    if h.last == 0x0A {
        h.removeLast()
        if h.last == 0x0D { h.removeLast(); terminator = [0x0D, 0x0A] }
    }
    return h + [delimiter] + Array("cair2_problems".utf8) + terminator
}

/// One CSV cell: quoted when needed, and neutralized against spreadsheet formula injection
/// (a leading = + - @ tab or CR gets a `'` in front).
func csvCell(_ v: [UInt8], neutralize: Bool = true, delimiter: UInt8 = 0x2C) -> [UInt8] {
    var v = v
    if neutralize, let f = v.first, f == 0x3D || f == 0x2B || f == 0x2D || f == 0x40 || f == 0x09 || f == 0x0D {
        v.insert(0x27, at: 0)
    }
    if v.contains(where: { $0 == delimiter || $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
        var q: [UInt8] = [0x22]
        for b in v { if b == 0x22 { q.append(0x22) }; q.append(b) }
        q.append(0x22)
        return q
    }
    return v
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

func summaryJSON(options: ConvertOptions, files: [FileSummary], parts: [PartSummary], elapsed: Double,
                 rejectRate: Double = 0, exitStatus: Int32 = 0) -> String {
    let doc = SummaryDocument(
        tool: CAIR2Version.tool, version: CAIR2Version.version, asOf: options.asOf.iso,
        files: files.map { f in
            SummaryDocument.File(kind: f.kind.rawValue, input: f.input, inputRecords: f.inputRecords, written: f.written,
                                 rejected: f.rejected, excluded: f.excluded, warnings: f.warnings,
                                 rejectCodes: f.rejectCodes, defaultsApplied: f.defaultsAppliedByField,
                                 output: f.output, outputBytes: f.outputBytes, outputSHA256: f.outputSHA256)
        },
        parts: parts.map { p in
            SummaryDocument.Part(name: p.name, files: p.files.map {
                SummaryDocument.PartFile(kind: $0.kind.rawValue, output: $0.output, records: $0.records,
                                         outputBytes: $0.bytes, outputSHA256: $0.sha256)
            })
        },
        codeTables: SummaryDocument.CodeTables(source: options.codeTables.source, updated: options.codeTables.updated?.iso),
        rejectRate: rejectRate, maxRejectRate: options.maxRejectRate, exitStatus: exitStatus,
        elapsedSeconds: (elapsed * 1000).rounded() / 1000)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    // Every value is a string, an integer or a finite number: encoding cannot fail.
    let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
}

/// summary.json (PRODUCT.md §4 and §3b/§3c), written by `Codable` with sorted keys.
struct SummaryDocument: Encodable {
    struct File: Encodable {
        var kind, input: String
        var inputRecords, written, rejected, excluded: Int
        var warnings, rejectCodes, defaultsApplied: [String: Int]
        var output: String
        var outputBytes: Int
        var outputSHA256: String
        enum CodingKeys: String, CodingKey {
            case kind, input, written, rejected, excluded, warnings, output
            case inputRecords = "input_records", rejectCodes = "reject_codes", defaultsApplied = "defaults_applied"
            case outputBytes = "output_bytes", outputSHA256 = "output_sha256"
        }
    }
    struct PartFile: Encodable {
        var kind, output: String
        var records, outputBytes: Int
        var outputSHA256: String
        enum CodingKeys: String, CodingKey {
            case kind, output, records, outputBytes = "output_bytes", outputSHA256 = "output_sha256"
        }
    }
    struct Part: Encodable {
        var name: String
        var files: [PartFile]
    }
    struct CodeTables: Encodable {
        var source: String
        /// The latest LastUpdated of the CVX table; null when none parses.
        var updated: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(source, forKey: .source)
            try c.encode(updated, forKey: .updated)
        }
        enum CodingKeys: String, CodingKey { case source, updated }
    }
    var tool, version, asOf: String
    var files: [File]
    var parts: [Part]
    var codeTables: CodeTables
    var rejectRate: Double
    var maxRejectRate: Double?
    var exitStatus: Int32
    var elapsedSeconds: Double
    enum CodingKeys: String, CodingKey {
        case tool, version, files, parts
        case asOf = "as_of", codeTables = "code_tables", rejectRate = "reject_rate", maxRejectRate = "max_reject_rate"
        case exitStatus = "exit_status", elapsedSeconds = "elapsed_seconds"
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(version, forKey: .version)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(files, forKey: .files)
        try c.encode(parts, forKey: .parts)
        try c.encode(codeTables, forKey: .codeTables)
        try c.encode(rejectRate, forKey: .rejectRate)
        try c.encode(maxRejectRate, forKey: .maxRejectRate)  // null without --max-reject-rate
        try c.encode(exitStatus, forKey: .exitStatus)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
    }
}

/// The hand-off between chunk workers and the ordered merge: workers claim chunk indexes in order, never more
/// than `window` ahead of the merge, and deliver their outputs; the merge takes them in order.
final class ChunkPipeline: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored property is read and written under `cond`.
    private let cond = NSCondition()
    private var cuts: ChunkCuts
    private var next = 0
    private var mergedCount = 0
    private var ready: [Int: ChunkOutput] = [:]
    private var cancelled = false
    private var pool: [ChunkOutput] = []
    private let window: Int

    init(cuts: ChunkCuts, window: Int) {
        self.cuts = cuts
        self.window = window
    }

    /// The input bytes claimed but not yet merged stay under this (beyond the first chunk), whatever the thread
    /// count: a mapped chunk's pages stay resident until the merge passes them, and when records near 1 MiB make
    /// every chunk a record, 64 threads' window of 192 chunks held 192 MiB of them (§4a's 512 MiB cap).
    static let windowBytes = 128 << 20

    /// Claims the next chunk when the window allows (the caller holds `cond`): its number and byte range.
    private func claimLocked() -> (Int, Int, Int)? {
        guard !cancelled, next - mergedCount < window, cuts.has(next) else { return nil }
        if next > mergedCount && cuts.starts[next + 1] - cuts.starts[mergedCount] > Self.windowBytes { return nil }
        next += 1
        return (next - 1, cuts.starts[next - 1], cuts.starts[next])
    }

    /// The next chunk to process (number, start, planned stop), or nil when there is none left (or the run was
    /// cancelled). Waits while the window is full.
    func claim() -> (Int, Int, Int)? {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let claimed = claimLocked() { return claimed }
            if cancelled || !cuts.has(next) { return nil }
            cond.wait()
        }
    }

    /// A chunk output to fill: a recycled one when available.
    func recycled() -> ChunkOutput {
        cond.lock()
        defer { cond.unlock() }
        return pool.popLast() ?? ChunkOutput()
    }

    func deliver(_ c: Int, _ out: ChunkOutput) {
        cond.lock()
        ready[c] = out
        cond.broadcast()
        cond.unlock()
    }

    enum Task {
        case merge(ChunkOutput)
        case process(Int, Int, Int)
        case finished
    }

    /// For the merging thread: chunk `c` when it is ready (merging comes first), else a chunk to process, else
    /// waits for one of the two; `finished` once every chunk is merged.
    func nextTask(merge c: Int) -> Task {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let out = ready.removeValue(forKey: c) { return .merge(out) }
            if !cuts.has(c) { return .finished }
            if let (k, start, stop) = claimLocked() { return .process(k, start, stop) }
            cond.wait()
        }
    }

    /// Marks chunk `c` merged; its output object goes back to the pool.
    func merged(_ c: Int, _ out: ChunkOutput) {
        cond.lock()
        mergedCount = c + 1
        pool.append(out)
        cond.broadcast()
        cond.unlock()
    }

    func cancel() {
        cond.lock()
        cancelled = true
        cond.broadcast()
        cond.unlock()
    }
}

/// Lines of one merged chunk bound for one output file.
struct WriteJob {
    let stream: OutputStream
    let first: Int
    let count: Int
}

