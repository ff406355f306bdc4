import CAIR2IO
import CAIR2Core
#if canImport(Glibc)
import Glibc
#endif

/// Everything `cair2 convert` takes, validated into a library value.
public struct ConvertOptions: Sendable {
    public var patients: String?
    public var immunizations: String?
    public var comments: String?
    public var query: String?
    public var outDir: String
    public var org: String?
    public var mapFile: String?
    /// The run's as-of date (default: today, UTC).
    public var asOf: DateValue
    public var threads: Int
    /// zstd level for `.txt.zst` outputs; nil writes plain `.txt`.
    public var zstdLevel: Int32?
    public var delimiter: UInt8
    public var encoding: TextEncoding
    public var padToStatedTotal: Bool
    /// Exit 4 when E_ records / input records exceeds this.
    public var maxRejectRate: Double?
    public var maxRecordsPerFile: Int
    public var quarantine: Bool
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
    public var description: String { message }

    /// The run cannot start: nothing written.
    public static func usage(_ m: String) -> CAIR2Error { CAIR2Error(.cannotStart, m) }
    /// I/O failure during the run: nothing published.
    public static func io(_ m: String) -> CAIR2Error { CAIR2Error(.failedDuringRun, m) }
}

/// Where a run is: for progress lines. Counts only, never a value.
public struct ConvertProgress: Sendable {
    public var input: String
    public var kind: LayoutKind
    /// Input bytes consumed so far, and the total when known (0 for standard input and .zst).
    public var bytesDone: Int
    public var bytesTotal: Int
    public var records: Int
    public var written: Int
    public var rejected: Int
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
