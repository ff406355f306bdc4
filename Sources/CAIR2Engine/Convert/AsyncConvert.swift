// The converter for Swift concurrency: `convert(_:)` as an async function that honours task cancellation.

import Dispatch
import Synchronization

/// A flag a run looks at between chunks: once set, the run stops, publishes nothing and removes its
/// temporary files (it throws `CAIR2Error.cancelled`).
public final class ConvertCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    /// A flag not yet set.
    public init() {}
    /// Asks the run to stop; safe from any thread, any number of times.
    public func cancel() { flag.store(true, ordering: .relaxed) }
    /// True once `cancel()` was called.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

extension CAIR2Error {
    /// The run was cancelled (the task was cancelled, or `ConvertCancellation.cancel()` was called): nothing was
    /// published. The command line never sees it (it has signals instead); its exit code is SIGINT's.
    public static let cancelled = CAIR2Error(.cancelled, "cancelled; nothing was published")
    /// True for `cancelled`.
    public var isCancellation: Bool { kind == .cancelled }
}

/// Converts member extracts like `convert(_:log:)`, without blocking the caller's thread: the run goes on its
/// own thread (and its worker threads), and cancelling the calling task stops it between chunks. A cancelled run
/// publishes nothing, leaves no temporary file and throws `CAIR2Error.cancelled`.
///
/// ```swift
/// var options = ConvertOptions(outDir: "batch", asOf: DateValue(year: 2026, month: 1, day: 15))
/// options.patients = "members.csv"
/// options.org = "ACMEHP"
/// let result = try await convert(options)
/// print(result.files[0].written)
/// ```
public func convert(_ options: ConvertOptions, log: @escaping @Sendable (String) -> Void = { _ in }) async throws
    -> ConvertResult {
    var options = options
    let token = options.cancellation ?? ConvertCancellation()
    options.cancellation = token
    let run = options
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<ConvertResult, Error>) in
            DispatchQueue(label: "cair2.convert", qos: .userInitiated).async {
                done.resume(with: Result { try convert(run, log: log) })
            }
        }
    } onCancel: {
        token.cancel()
    }
}
