import CAIR2IO
import CAIR2Core
#if canImport(Glibc)
import Glibc
#endif

/// Everything `cair2 convert` takes, validated into a library value.
public struct ConvertOptions: Sendable {
    /// Path of the patient extract (`--patients`; `-` for standard input); nil when converting a query.
    public var patients: String?
    /// Path of the immunization extract (`--immunizations`); requires `patients`.
    public var immunizations: String?
    /// Path of the comment extract (`--comments`); requires `patients`.
    public var comments: String?
    /// Path of the query extract (`--query`); excludes the other three inputs.
    public var query: String?
    /// The folder the batch is published into (`--out-dir`); locked for the run.
    public var outDir: String
    /// The default for `sending_org`, `disclosed_by` and `updated_by` (`--org`, 1-12 printable ASCII characters without
    /// blanks); nil: none.
    public var org: String?
    /// Path of the JSON mapping file (`--map`: column renames, defaults, value translations, nulls); nil: none.
    public var mapFile: String?
    /// The run's as-of date (default: today, UTC).
    public var asOf: DateValue
    /// Worker threads (`--threads`); 0 (the default): one per active processor, at most 64.
    public var threads: Int
    /// zstd level for `.txt.zst` outputs; nil writes plain `.txt`.
    public var zstdLevel: Int32?
    /// The CSV inputs' field delimiter byte (`--delimiter`); a comma by default.
    public var delimiter: UInt8
    /// The inputs' text encoding (`--encoding`); UTF-8 by default.
    public var encoding: TextEncoding
    /// Pads each written line with blanks to the spec's printed total (`--pad-to-stated-total`, PRODUCT.md §1).
    public var padToStatedTotal: Bool
    /// Exit 4 when E_ records / input records exceeds this.
    public var maxRejectRate: Double?
    /// The most patients (or queries) per output file before the batch is split into parts (PRODUCT.md §4); at
    /// least 1, 1,000,000 by default.
    public var maxRecordsPerFile: Int
    /// Also writes `quarantine/<input file name>` with the header and raw bytes of every rejected record
    /// (`--quarantine`, PRODUCT.md §4).
    public var quarantine: Bool
    /// Reads regular files through a memory mapping; false (`--no-mmap`): with read(2) into reused buffers.
    public var useMmap: Bool
    /// Write outputs with direct I/O (O_DIRECT) where the file system has it; false: through the page cache.
    public var directIO: Bool
    /// Permissions of the published files (`--file-mode`; `FileMode.standard`, 0600, by default).
    public var fileMode: mode_t = FileMode.standard
    /// Bytes per chunk handed to a worker (tests use tiny chunks).
    public var chunkSize: Int
    /// Bytes per block read from a stream (standard input, .zst, --no-mmap).
    public var blockSize: Int
    /// Bytes for the in-memory part of the patient index; past it, entries spill to a scratch file (tests use tiny budgets).
    public var idTableBudget: Int
    /// Bytes of report rows held per input and kind before they go to a scratch file (tests use tiny buffers).
    public var reportBufferBytes: Int
    /// The CDC vaccine code tables (§3b): the bundled snapshot, or `VaccineCodeTables.load(directory:)`.
    public var codeTables: VaccineCodeTables = .bundled
    /// Set by the async `convert(_:)` (or by the caller): the run stops between chunks once it is cancelled.
    public var cancellation: ConvertCancellation?
    /// Called on the merging thread after each merged chunk (never with a field value).
    public var progress: (@Sendable (ConvertProgress) -> Void)?
    /// Runs on the patient index's build thread before the build (tests hold the build back with it, so the
    /// merging thread's work while it waits is exercised; see `PendingIndex`).
    package var indexBuildGate: (@Sendable () -> Void)?

    /// Options for a run into `outDir` with as-of date `asOf`, no inputs yet, and the command line's defaults.
    public init(outDir: String, asOf: DateValue) {
        self.outDir = outDir
        self.asOf = asOf
        threads = 0
        zstdLevel = nil
        delimiter = UInt8(ascii: ",")
        encoding = .utf8
        padToStatedTotal = false
        maxRejectRate = nil
        maxRecordsPerFile = 1_000_000
        quarantine = false
        useMmap = true
        directIO = true
        chunkSize = 1 << 20
        blockSize = 16 << 20
        idTableBudget = SpillingIDTable.defaultBudgetBytes
        reportBufferBytes = 1 << 20
    }
}

/// A run that did not finish normally: how (`kind`, which the command line maps to its exit status) and a
/// message naming the file and what went wrong (never a field value).
public struct CAIR2Error: Error, CustomStringConvertible, Sendable {
    /// Whether the run could not start, failed while running, or was cancelled.
    public let kind: FailureKind
    /// The whole message, safe to print.
    public let message: String
    /// An error of `kind` with `message`.
    public init(_ kind: FailureKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    /// The message.
    public var description: String { message }

    /// The run cannot start: nothing written.
    public static func usage(_ m: String) -> CAIR2Error { CAIR2Error(.cannotStart, m) }
    /// I/O failure during the run: nothing published.
    public static func io(_ m: String) -> CAIR2Error { CAIR2Error(.failedDuringRun, m) }
}

/// Where a run is: for progress lines. Counts only, never a value.
public struct ConvertProgress: Sendable {
    /// The input's path as given.
    public var input: String
    /// The layout the input is converted to.
    public var kind: LayoutKind
    /// Input bytes consumed so far, and the total when known (0 for standard input and .zst).
    public var bytesDone: Int
    /// The input's size in bytes when known; 0 for standard input and compressed input.
    public var bytesTotal: Int
    /// Records read so far.
    public var records: Int
    /// Records written so far.
    public var written: Int
    /// Records rejected so far.
    public var rejected: Int
    /// Records excluded so far.
    public var excluded: Int
    /// True for the final event of an input.
    public var finished: Bool

    /// A progress event (the engine makes them; a test or another front end may too).
    public init(input: String, kind: LayoutKind, bytesDone: Int, bytesTotal: Int, records: Int, written: Int,
                rejected: Int, excluded: Int, finished: Bool) {
        self.input = input
        self.kind = kind
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.records = records
        self.written = written
        self.rejected = rejected
        self.excluded = excluded
        self.finished = finished
    }
}
