import CAIR2Compression
import CAIR2Core
import CAIR2IO
import CSupport
import Dispatch
import FoundationEssentials
import Glibc

/// Per-input counts for the summary and the closing report.
public struct FileSummary: Sendable {
    /// The layout the input was converted to.
    public var kind: LayoutKind
    /// The input's path as given.
    public var input: String
    /// Records read (header excluded): written + rejected + excluded.
    public var inputRecords = 0
    /// Records written to the output.
    public var written = 0
    /// Records with at least one `E_` problem (not written).
    public var rejected = 0
    /// Records with an `X_` problem and no `E_` one (not written by policy).
    public var excluded = 0
    /// Warning rows in warnings.csv, by `W_` code.
    public var warnings: [String: Int] = [:]
    /// Rows in rejects.csv, by `E_` and `X_` code (a record with several problems counts under each).
    public var rejectCodes: [String: Int] = [:]
    /// The output's path relative to the output folder; split into parts, the parts' paths separated by commas.
    public var output: String = ""
    /// Bytes written to the output (all its parts; compressed bytes with `--zstd`).
    public var outputBytes = 0
    /// SHA-256 of the output file, in lower-case hex; empty when the output is split into parts (see `PartSummary`).
    public var outputSHA256 = ""
    /// CSV bytes read from the input (after decompression for a compressed input).
    public var bytesIn = 0
    /// Runs the patient index spilled to its scratch file (patients only; for tests and diagnostics).
    public var indexSpills = 0
    /// Per layout field: the cells a default filled (a blank cell or an absent column), §3c.
    public var defaultsApplied: [Int]
    /// Per layout field: where its default came from (nil: none).
    public var defaultSources: [DefaultSource?] = []

    /// Empty counts for the input at `input`, of layout `kind`.
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
    /// The part's folder name (`part-001`, ...).
    public var name: String
    /// The part's output files: layout, path relative to the output folder, records, bytes written, SHA-256 (hex).
    public var files: [(kind: LayoutKind, output: String, records: Int, bytes: Int, sha256: String)]
}

/// What a finished run produced.
public struct ConvertResult: Sendable {
    /// Counts per input, in the order patients, immunizations, comments (or the query).
    public var files: [FileSummary]
    /// The parts of a split batch, in order; empty when the batch was not split.
    public var parts: [PartSummary]
    /// Wall-clock seconds the run took.
    public var elapsedSeconds: Double
    /// The text written to summary.json (PRODUCT.md §4).
    public var summaryJSON: String
    /// True when the reject rate exceeded `--max-reject-rate` (the outputs are published all the same; the
    /// command line exits 4, and summary.json's `exit_status` says so).
    public var rejectRateExceeded: Bool
    /// Rejected records of all inputs / input records of all inputs (0 without input records).
    public var rejectRate: Double = 0
    /// Per input, the header's columns that feed no field (ignored; named once in the log).
    public var unknownColumns: [(input: String, names: [String])]
    /// Paths of the published files: outputs, reports, summary.json and any quarantine files.
    public var outputPaths: [String]
    /// Files of the previous batch in the output folder that this run did not write, removed after it
    /// published (relative names; PRODUCT.md §3c).
    public var removedFromPreviousBatch: [String] = []
    /// Entries of the output folder the tool did not write, left alone (relative names, folders end in `/`).
    public var leftAlone: [String] = []
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
        let reportStreams = try createReports(publisher: publisher)
        let directReports = firstInReports(inputs.map(\.1))
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
            let rows = ReportSpool(path: path, directory: options.outDir, bufferBytes: options.reportBufferBytes,
                                   direct: i == directReports ? reportStreams : nil)
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
        try writeReports(reports, into: reportStreams)
        // The reject rate over all inputs (exclusions do not count), against --max-reject-rate.
        let inputsTotal = summaries.reduce(0) { $0 + $1.inputRecords }
        let rejectedTotal = summaries.reduce(0) { $0 + $1.rejected }
        let rejectRate = inputsTotal > 0 ? Double(rejectedTotal) / Double(inputsTotal) : 0
        let rejectRateExceeded = options.maxRejectRate.map { rejectRate > $0 } ?? false
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let json = summaryJSON(options: options, files: summaries, parts: parts, elapsed: elapsed,
                               rejectRate: rejectRate, exitStatus: rejectRateExceeded ? 4 : 0)
        let summaryOut = try publisher.create(relative: "summary.json", zstdLevel: nil)
        try summaryOut.write(Array(json.utf8))
        try summaryOut.finish()
        if options.cancellation?.isCancelled == true { throw CAIR2Error.cancelled }
        try publisher.publishAll()
        let (removed, strangers) = folder.replacePreviousBatch()
        return ConvertResult(files: summaries, parts: parts, elapsedSeconds: elapsed, summaryJSON: json,
                             rejectRateExceeded: rejectRateExceeded, rejectRate: rejectRate, unknownColumns: unknown,
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
package struct Header {
    package var names: [String]
    package var end: Int
    package var lines: Int
}

package func readHeader(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Header? {
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
package func loadMapping(_ path: String?) throws -> ColumnMapping {
    guard let path else { return ColumnMapping() }
    guard let data = FileManager.default.contents(atPath: path) else {
        // Name the reason (no such file, permission denied, a directory), as for every other input.
        let reason: String
        do {
            let status = try FileStatus.of(path: path)
            reason = status.isDirectory ? "it is a directory"
                : FileSystem.accessError(path, R_OK).map { errnoText($0) } ?? "read failed"
        } catch {
            reason = errnoText(error.errno)
        }
        throw CAIR2Error.usage("\(path): cannot read the mapping file: \(reason)")
    }
    guard let dict = JSONValue.parse([UInt8](data))?.objectValue else {
        throw CAIR2Error.usage("\(path): the mapping file is not a JSON object like {\"columns\": {...}, \"defaults\": {...}}")
    }
    for key in dict.keys where !["columns", "defaults", "values", "nulls"].contains(key) {
        throw CAIR2Error.usage("\(path): unknown key '\(key)' in the mapping file\(DidYouMean.suffix(key, in: ["columns", "defaults", "values", "nulls"])) (expected \"columns\", \"defaults\", \"values\" and \"nulls\")")
    }
    var mapping = ColumnMapping()
    if let c = dict["columns"] {
        guard let cols = c.stringDictionary else {
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
        guard let defs = d.objectValue else {
            throw CAIR2Error.usage("\(path): \"defaults\" must map canonical names to values")
        }
        let canonical = Set(LayoutKind.allCases.filter(\.isWritten).flatMap { $0.layout.columns.map(\.name) })
        for (k, v) in defs {
            guard canonical.contains(normalizeHeaderName(k)) else {
                throw CAIR2Error.usage("\(path): default for '\(k)', which is not a canonical column name\(DidYouMean.suffix(k, in: canonical)); see cair2 layouts")
            }
            if let s = v.stringOrNumberText { mapping.defaults[k] = s } else {
                throw CAIR2Error.usage("\(path): the default for '\(k)' must be a string")
            }
        }
    }
    if let v = dict["values"] {
        guard let byField = v.objectValue else {
            throw CAIR2Error.usage("\(path): \"values\" must map canonical names to {\"THEIR VALUE\": \"value\"} objects")
        }
        let canonical = Set(LayoutKind.allCases.filter(\.isWritten).flatMap { $0.layout.columns.map(\.name) })
        for (k, table) in byField {
            guard canonical.contains(normalizeHeaderName(k)) else {
                throw CAIR2Error.usage("\(path): values for '\(k)', which is not a canonical column name\(DidYouMean.suffix(k, in: canonical)); see cair2 layouts")
            }
            guard let t = table.objectValue else {
                throw CAIR2Error.usage("\(path): \"values\".\"\(k)\" must be an object like {\"THEIR VALUE\": \"value\"}")
            }
            var out: [String: String] = [:]
            for (theirs, ours) in t {
                if let s = ours.stringOrNumberText { out[theirs] = s } else {
                    throw CAIR2Error.usage("\(path): \"values\".\"\(k)\" must map values to strings")
                }
            }
            mapping.values[normalizeHeaderName(k), default: [:]].merge(out) { a, _ in a }
        }
    }
    if let n = dict["nulls"] {
        guard let list = n.stringArray else {
            throw CAIR2Error.usage("\(path): \"nulls\" must be a list of strings, e.g. [\"NULL\", \"N/A\"]")
        }
        mapping.nulls = list
    }
    return mapping
}

/// Runs one input through the chunks, the workers and the ordered merge (Merge/): the header first, then the
/// records, as one block when the input is mapped, else block by block as the stream is read.
func runInput(input: InputFile, kind: LayoutKind, rules: RecordRules, options: ConvertOptions,
              threads: Int, lineWidth: Int, sink: LineSink, summary: inout FileSummary, rows: ReportSpool,
              quarantine: OutputStream?, splitEvery: Int) throws -> PatientIndex? {
    let merger = RecordWorker(rules: rules)
    var merge = OrderedMerge(input: input, kind: kind, options: options, lineWidth: lineWidth, sink: sink, rows: rows,
                             quarantine: quarantine, worker: merger, splitEvery: splitEvery, summary: summary)
    let driver = BlockDriver(threads: threads, window: max(2, threads * 3), chunkSize: options.chunkSize,
                             delimiter: options.delimiter, lineWidth: lineWidth, zstdLevel: options.zstdLevel,
                             rules: rules, merger: merger)
    let isPatient = kind == .patient
    defer { summary = merge.finish() }

    // The whole input is in memory (mapped): one block, read inside the mapping's scope.
    let ranMapped = try input.withMappedBytes { mapped -> Bool in
        merge.summary.bytesIn = mapped.count
        guard let header = readHeader(mapped, delimiter: options.delimiter) else { return false }
        try quarantine?.write(headerLine(mapped, header, delimiter: options.delimiter))
        merge.lineBase = header.lines
        merge.releaseMapped = true
        merge.begin(block: mapped, from: header.end, isFinal: true)
        // The merge keeps no pointer into the mapping past this scope, and no page advice on it is still queued
        // (also when the run fails).
        defer { merge.endBlock() }
        merge.adviseAhead()
        _ = try driver.run(mapped, from: header.end, isFinal: true, merge: &merge)
        return true
    }
    if let ranMapped { return ranMapped && isPatient ? merge.takeIndex() : nil }

    // Streamed input (standard input, .zst, .gz, --no-mmap): blocks read into a reused buffer; a record the
    // block cuts is carried to the next one.
    let stream = input.stream!
    var first = true
    var from = 0
    while true {
        let eof = try stream.fill()
        let block = stream.buffered
        if first {
            guard let header = readHeader(block, delimiter: options.delimiter) else { return nil }
            try quarantine?.write(headerLine(block, header, delimiter: options.delimiter))
            merge.lineBase = header.lines
            from = header.end
            first = false
        }
        let rest = try driver.run(block, from: from, isFinal: eof, merge: &merge)
        if eof { break }
        from = 0
        if block.count - rest > InputLimits.recordBytes + 1 {
            // The record carried from this block is already too long (§4a): follow it to its row end without
            // holding it, rather than growing the buffer with it.
            if try merge.skipLongRecord(in: stream, at: rest) { break }
            continue
        }
        stream.consume(upTo: rest)
        merge.consumedBefore += rest
    }
    merge.summary.bytesIn = stream.totalRead
    return isPatient ? merge.takeIndex() : nil
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
package func csvCell(_ v: [UInt8], neutralize: Bool = true, delimiter: UInt8 = 0x2C) -> [UInt8] {
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

package func jsonString(_ s: String) -> String {
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
