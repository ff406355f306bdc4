import Glibc

/// A failed file-system operation: what was tried, on which path, and the system's errno.
///
/// Paths and error texts only: an `IOError` never carries file contents, so its description is safe
/// to print. `kind` says whether the run could not start (an input that cannot be opened or stat'ed, an
/// output directory that cannot be written) or failed during the run (read or write error, disk full, input
/// changed while being read); the command line maps it to its exit status (PRODUCT.md §4).
public struct IOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation that failed; its raw value names the system call (or step) in messages.
    public enum Operation: String, Sendable {
        /// The system call of that name.
        case open, close, stat, read, write, fsync, fchmod, rename, unlink, mkdir, mmap
        /// Creating a temporary output file in the destination directory.
        case createTemporary = "create"
        /// Registering a temporary path for cleanup on interrupt (the fixed registry is full).
        case registerTemporary = "register"
        /// Installing the SIGINT/SIGTERM handlers.
        case installHandlers = "sigaction"
        /// Opening or syncing the destination directory after a rename.
        case syncDirectory = "fsync directory"
        /// A mapped or streamed input changed while it was being read.
        case inputChanged = "changed"
        /// A batch was used after it was published or discarded.
        case misuse = "output"
        /// Giving an unnamed (O_TMPFILE) temporary file its name at publication (`linkat`).
        case link
        /// A final name cannot take the new file (a directory in the way, a folder that cannot be written).
        case publish
        /// The output folder's lock (`.cair2.lock`) is held by another run, or cannot be taken.
        case lock
        /// An output path is one of the run's inputs.
        case inputOverwrite = "input"
    }

    /// The failed operation.
    public var operation: Operation
    /// The path the operation was about, as the caller named it (`-` for standard input).
    public var path: String
    /// The errno value, or 0 when the failure is not a system-call error (`inputChanged`).
    public var errno: Int32
    /// `strerror(errno)`, or the whole message for failures that have no errno.
    public var reason: String
    /// Whether the run could not start or failed while running.
    public var kind: FailureKind

    /// Creates an error for a failed system call; the kind defaults from the operation (`open`, `stat`,
    /// `createTemporary`, `mkdir`: the run cannot start; everything else: it failed during the run).
    public init(_ operation: Operation, path: String, errno: Int32, kind: FailureKind? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.reason = String(cString: strerror(errno))
        self.kind = kind ?? IOError.defaultKind(for: operation)
    }

    private init(operation: Operation, path: String, reason: String, kind: FailureKind) {
        self.operation = operation
        self.path = path
        self.errno = 0
        self.reason = reason
        self.kind = kind
    }

    /// A failure described by a whole sentence (`reason`), without an errno.
    public init(_ operation: Operation, path: String, reason: String, kind: FailureKind = .failedDuringRun) {
        self.init(operation: operation, path: path, reason: reason, kind: kind)
    }

    /// The input at `path` was truncated or replaced while the run was reading it.
    public static func inputChanged(path: String) -> IOError {
        IOError(operation: .inputChanged, path: path,
                reason: "\(path) changed while being read (truncated or replaced); nothing was published",
                kind: .failedDuringRun)
    }

    /// An output set or file was used after it was published or discarded (a programming error).
    static func misuse(path: String, _ what: String) -> IOError {
        IOError(operation: .misuse, path: path, reason: what, kind: .failedDuringRun)
    }

    /// The same error, reported as a failure during the run: for an open or stat that
    /// happens after the run has started, such as a later part's output directory.
    public func duringRun() -> IOError {
        var copy = self
        copy.kind = .failedDuringRun
        return copy
    }

    /// `operation: path: reason`, or the full sentence for a changed input.
    public var description: String {
        if errno == 0 { return reason }
        return "\(operation.rawValue): \(path): \(reason)"
    }

    static func defaultKind(for operation: Operation) -> FailureKind {
        switch operation {
        case .open, .stat, .createTemporary, .mkdir: return .cannotStart
        default: return .failedDuringRun
        }
    }
}

/// How a command failed, for every error the library throws (`IOError`, `CAIR2Error`, `ArchiveError`). The library carries no process exit codes; the command line maps these to its exit
/// statuses (PRODUCT.md §4: 2, 3 and 130).
public enum FailureKind: Sendable, Equatable {
    /// The run could not start (a bad option or mapping, an input that cannot be opened, an out-dir in use):
    /// nothing was written.
    case cannotStart
    /// The run failed after it started (a read or write error, a full disk, an input changed under it):
    /// nothing was published.
    case failedDuringRun
    /// The run was cancelled (task cancellation or `ConvertCancellation`): nothing was published.
    case cancelled
}

extension Result where Failure == Errno {
    /// Converts an errno failure into an `IOError` about `path` and returns the value.
    @inline(__always)
    func get(_ operation: IOError.Operation, path: String) throws(IOError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw IOError(operation, path: path, errno: error.rawValue)
        }
    }
}
