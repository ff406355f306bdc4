import CSupport
import Glibc

/// SIGINT, SIGTERM and SIGHUP handling for a run that writes temporary files.
///
/// The handler (C, in `guard.c`) unlinks every path in the temporary-file registry and `_exit`s with
/// 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP). It does the work itself rather than set a flag, because
/// workers may be blocked in read(2) or write(2) and never look at one. Previous outputs are untouched:
/// they are only ever replaced by a rename. Once a publication's renames have begun, a signal is only
/// recorded (`pendingSignal`): the renames finish and the run ends normally, saying so (PRODUCT.md §4a).
public enum Signals {
    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP (once per process; later calls do nothing).
    public static func installInterruptHandlers() throws(IOError) {
        let error = cair2_install_interrupt_handlers()
        if error != 0 { throw IOError(.installHandlers, path: "SIGINT/SIGTERM/SIGHUP", errno: error) }
    }

    /// The exit status the handler uses for `signal`: 128 + the signal number (130, 143, 129).
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held: a signal that arrives meanwhile is acted on when it
    /// ends, so a publication's renames are never cut in half (PRODUCT.md §4a).
    package static func holdingInterrupts<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        cair2_commit_begin()
        defer { cair2_commit_end() }
        return try body()
    }

    /// The signal that arrived while (or after) a batch was being published, if any: the batch is
    /// complete and the run ends with its normal status, saying that it was interrupted.
    public static var pendingSignal: Int32? {
        let s = cair2_pending_signal()
        return s == 0 ? nil : s
    }

    /// `SIGINT`, `SIGTERM` or `SIGHUP` for a message.
    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }

    /// Process-wide settings of the command line (called by the executable first thing, once): SIGPIPE and
    /// SIGXFSZ ignored, so a closed pipe is EPIPE and a file-size limit is EFBIG from write(2), both turned
    /// into exit statuses (never a death by signal); the SIGINT/SIGTERM/SIGHUP handlers installed before any
    /// file exists; the descriptor soft limit raised to the hard limit.
    public static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        _ = cair2_install_interrupt_handlers()
        DescriptorLimit.raise()
    }
}

/// The process-wide registry of live named temporary paths, kept in C slots that grow by chunks so the
/// interrupt handler can read it without allocating or locking. (Unnamed temporaries need no entry.)
public enum TemporaryFileRegistry {
    /// Registers `path`; returns its slot. Throws (exit code 2) when the path is too long or memory runs out.
    public static func register(_ path: String) throws(IOError) -> Int32 {
        let slot = path.withCString { cair2_tmp_register($0) }
        if slot < 0 { throw IOError(.registerTemporary, path: path, errno: -slot, kind: .cannotStart) }
        return slot
    }

    /// Forgets a slot once its file has been renamed into place or unlinked.
    public static func unregister(_ slot: Int32) {
        cair2_tmp_unregister(slot)
    }

    /// Unlinks every registered path and forgets it: what the interrupt handler does before it
    /// exits. Returns the number of files removed.
    @discardableResult
    public static func unlinkAll() -> Int {
        Int(cair2_tmp_unlink_all())
    }

    /// The number of paths registered now.
    public static var liveCount: Int { Int(cair2_tmp_live_count()) }
}

/// Writes to standard output with write(2), so a failure is seen (PRODUCT.md §4a: a write error on
/// standard output is exit 3, never 0). Needs SIGPIPE ignored (`Signals.prepareProcess`) for a closed pipe
/// to be an error rather than a death.
public enum StandardOutput {
    /// Writes all of `text`; throws an `IOError` (exit 3) naming standard output when write(2) fails.
    public static func write(_ text: String) throws(IOError) {
        var copy = text
        try copy.withUTF8 { utf8 in
            Result { () throws(IOError) in
                try FileDescriptor(rawValue: STDOUT_FILENO, path: "standard output").writeAll(UnsafeRawBufferPointer(utf8))
            }
        }.get()
    }
}
