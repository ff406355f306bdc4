import ArgumentParser
import CAIR2Core
import CAIR2Kit

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert member extracts (CSV) into CAIR2 fixed-width files.",
        discussion: """
        Writes patient.txt, immunization.txt, comment.txt or query.txt into --out-dir, with \
        rejects.csv and warnings.csv (file, line, record_id, field, code, message: never a value) \
        and summary.json. Every input record is written, rejected (E_ codes), excluded (X_) or \
        written with warnings (W_), and counted. Columns are matched by their canonical names \
        (see `cair2 layouts KIND`); --map renames yours and supplies defaults. \
        docs/CODES.md explains every code; docs/GUIDE.md walks through a whole batch.

        On a terminal a progress line shows bytes, records, records/s and the time left; \
        a summary follows (per input: in, written, rejected, excluded, warnings, top codes, \
        outputs and sizes), then the first problems as file:line: field: message (CODE) \
        (--show-problems N) and hints. -q keeps only errors; --json prints summary.json to \
        standard output.

        Examples:
          # patients with their immunizations; your org code fills sending_org etc.
          cair2 convert --patients members.csv --immunizations imms.csv \\
            --org ACMEHP --out-dir out
          # a pipe-delimited Windows export with your own column names
          cair2 convert --patients extract.psv --delimiter '|' \\
            --encoding cp1252 --map map.json --org ACMEHP --out-dir out
          # a HEDIS patient-match query file (alone)
          cair2 convert --query query.csv --out-dir out-query
          # nightly: compressed output, fail (exit 4) above 5% rejects
          cair2 convert --patients members.csv.zst --zstd --max-reject-rate 0.05 \\
            --org ACMEHP --out-dir out -q --json > summary.json

        Exit status: 0 finished (rejects are data, not failure); 2 cannot start (missing \
        input, missing required column, bad --map or --org, incompatible inputs), nothing \
        written; 3 I/O failure, nothing published; 4 finished but --max-reject-rate \
        exceeded, outputs published; 64 malformed command line; 130/143/129 interrupted \
        (SIGINT/SIGTERM/SIGHUP), nothing published. Another run holding --out-dir is exit 2.
        """)

    @Option(help: "Patient extract (CSV; '-' for standard input; .zst accepted).", completion: .file()) var patients: String?
    @Option(help: "Immunization extract (needs --patients).", completion: .file()) var immunizations: String?
    @Option(help: "Comment extract (needs --patients).", completion: .file()) var comments: String?
    @Option(help: "Query extract (HEDIS patient match), alone.", completion: .file()) var query: String?
    @Option(name: .customLong("out-dir"), help: "Directory for the outputs (created if missing).", completion: .directory) var outDir: String
    @Option(help: "Default for sending_org, disclosed_by and updated_by (your HP CAIR2 org code).") var org: String?
    @Option(name: .customLong("map"), help: "Mapping file (JSON): {\"columns\": {THEIRS: canonical}, \"defaults\": {canonical: value}}.", completion: .file(extensions: ["json"]))
    var mapFile: String?
    @Option(name: .customLong("as-of"), help: "Dates after this day are invalid (YYYY-MM-DD; default: today).") var asOf: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(name: .customLong("zstd"), help: ArgumentHelp("Write .txt.zst outputs; --zstd alone is level \(ConvertArguments.defaultZstdLevel), --zstd=19 compresses harder (1-22).", valueName: "level"))
    var zstdLevel: Int32?
    @Option(help: "Field delimiter: one byte, e.g. ',' '|' or '\\t'.") var delimiter: String = ","
    @Option(help: "Input encoding: utf8, cp1252 (Windows) or latin1.", completion: .list(["utf8", "cp1252", "latin1"])) var encoding: String = "utf8"
    @Flag(name: .customLong("pad-to-stated-total"), help: "Pad lines to the spec's printed totals (877, 192).")
    var padToStatedTotal = false
    @Option(name: .customLong("max-reject-rate"), help: "Exit 4 when rejected records / input records exceeds this (0-1).")
    var maxRejectRate: Double?
    @Option(name: .customLong("max-records-per-file"), help: "Split patient and query outputs into parts of at most N records.")
    var maxRecordsPerFile: Int = 1_000_000
    @Flag(help: "Also write quarantine/<input>: the header and the raw rejected records (holds PHI).") var quarantine = false
    @Flag(name: .customLong("no-mmap"), help: "Read inputs with read(2) instead of mapping them.") var noMmap = false
    @Flag(name: .customLong("buffered-output"),
          help: "Write outputs through the page cache instead of with direct I/O (O_DIRECT, used where the file system has it).")
    var bufferedOutput = false
    @Option(name: .customLong("chunk-size"), help: .hidden) var chunkSize: Int?
    @Option(name: .customLong("block-size"), help: .hidden) var blockSize: Int?
    @Option(help: "Progress line on stderr: auto (when stderr is a terminal), always, never.")
    var progress: ProgressMode = .auto
    @Flag(name: .shortAndLong, help: "Quiet: no progress, summary or hints on stderr; errors only.") var quiet = false
    @Flag(help: "Print summary.json to standard output (instead of the summary on stderr).") var json = false
    @Option(name: .customLong("show-problems"),
            help: ArgumentHelp("After the summary, list the first N problems as file:line: field: message (CODE); 0 for none.",
                               valueName: "n"))
    var showProblems: Int = ProblemList.defaultCount
    @OptionGroup var fileMode: FileModeOption
    @OptionGroup var codeTables: CodeTablesOption

    func validate() throws {
        // Out of range: exit 64 before anything is created (PRODUCT.md §4a).
        if let threads, threads < 0 || threads > 4096 { throw ValidationError("--threads \(threads) is outside 0...4096 (0: one per core)") }
        if let r = maxRejectRate, !(r >= 0 && r <= 1) {
            throw ValidationError("--max-reject-rate takes a fraction from 0 to 1 (0.05 is 5%)")
        }
        if let z = zstdLevel, !(1...22).contains(z) {
            throw ValidationError("--zstd takes a level from 1 to 22 (--zstd alone is level \(ConvertArguments.defaultZstdLevel))")
        }
        if maxRecordsPerFile < 1 {
            throw ValidationError("--max-records-per-file must be at least 1 (CAIR2 takes at most 1,000,000 patients a file)")
        }
        if showProblems < 0 { throw ValidationError("--show-problems takes a count, 0 or more (0 lists none)") }
        if let asOf, DateValue.parseISO(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is not a date; use YYYY-MM-DD, e.g. --as-of 2025-01-31")
        }
        if Delimiter.parse(delimiter) == nil {
            throw ValidationError("--delimiter must be a single byte, e.g. --delimiter '|', --delimiter ';' or --delimiter '\\t' (tab)")
        }
        if TextEncoding(rawValue: encoding.lowercased().replacing("-", with: "")) == nil {
            throw ValidationError("--encoding '\(encoding)' is not known; use --encoding utf8, cp1252 (Windows) or latin1")
        }
    }

    func run() throws {
        let asOfDate = asOf.flatMap(DateValue.parseISO) ?? Today.date()
        var o = ConvertOptions(outDir: outDir, asOf: asOfDate)
        o.patients = patients
        o.immunizations = immunizations
        o.comments = comments
        o.query = query
        o.org = org
        o.mapFile = mapFile
        o.threads = threads ?? 0
        o.zstdLevel = zstdLevel
        o.delimiter = Delimiter.parse(delimiter)!
        o.encoding = TextEncoding(rawValue: encoding.lowercased().replacing("-", with: ""))!
        o.padToStatedTotal = padToStatedTotal
        o.maxRejectRate = maxRejectRate
        o.maxRecordsPerFile = maxRecordsPerFile
        o.quarantine = quarantine
        o.fileMode = fileMode.mode
        o.useMmap = !noMmap
        o.directIO = !bufferedOutput
        if let chunkSize { o.chunkSize = chunkSize }
        if let blockSize { o.blockSize = blockSize }
        let quiet = self.quiet
        let line = ProgressLine.forStandardError(mode: progress, quiet: quiet)
        o.progress = line.callback
        do {
            o.codeTables = try codeTables.load()
            // Interrupted runs remove their temporary files and exit 130 / 143; nothing is published.
            try Signals.installInterruptHandlers()
            let result = try CAIR2Kit.convert(o, log: { msg in if !quiet { line.message(msg) } })
            line.clear()
            if !quiet, !result.leftAlone.isEmpty {
                Console.error("cair2 convert: warning: \(outDir) holds files this run did not write; left alone: "
                    + result.leftAlone.joined(separator: ", "))
            }
            if let signal = Signals.pendingSignal {
                Console.error("cair2 convert: \(Signals.name(signal)) arrived while the batch was being published; "
                    + "the batch is complete and published (exit 0)")
            }
            if json { try StandardOutput.write(result.summaryJSON.hasSuffix("\n") ? result.summaryJSON : result.summaryJSON + "\n") }
            if !quiet {
                if !json {
                    Console.error(ClosingSummary.render(result))
                    for l in ProblemList.render(result, count: showProblems) { Console.error(l) }
                }
                for h in RunHints.hints(result, options: o) { Console.error(h) }
            }
            if result.exitStatus != 0 {
                let rejected = result.files.reduce(0) { $0 + $1.rejected }
                let total = result.files.reduce(0) { $0 + $1.inputRecords }
                Console.error("cair2 convert: the reject rate \(rateText(result.rejectRate)), \(rejected) of \(total) input records "
                              + "rejected, exceeded --max-reject-rate \(rateText(o.maxRejectRate ?? 0)); the outputs were "
                              + "published in \(outDir) and summary.json records both (exit \(result.exitStatus))")
                throw ExitCode(result.exitStatus)
            }
        } catch let e as CAIR2Error {
            line.clear()
            Console.error("cair2 convert: \(e.message)")
            if e.kind == .cannotStart, let forms = ConvertUsage.forms(for: e.message) { Console.error(forms) }
            throw ExitCode(e.kind.exitStatus)
        } catch let e as IOError {
            line.clear()
            Console.error("cair2 convert: \(e.description)")
            throw ExitCode(e.kind.exitStatus)
        }
    }
}

extension ProgressMode: ExpressibleByArgument {}

/// A rate as a fraction and a percentage: `0.0712 (7.12%)`.
func rateText(_ r: Double) -> String {
    let pct = (r * 10000).rounded() / 100
    return String(printf: "%.4g", r) + " (" + String(printf: "%g", pct) + "%)"
}
