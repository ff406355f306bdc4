import CSupport
import Glibc

/// SIGINT and SIGTERM handling for a run that writes temporary files.
///
/// The handler (C, in `guard.c`) unlinks every path in the temporary-file registry and `_exit`s with
/// 130 (SIGINT) or 143 (SIGTERM). It does the work itself rather than set a flag, because workers
/// may be blocked in read(2) or write(2) and never look at one. Previous outputs are untouched:
/// they are only ever replaced by a rename, and a rename in progress is let finish (see
/// `OutputSet.publish()`).
public enum Signals {
    /// Installs the handlers for SIGINT and SIGTERM (once per process; later calls do nothing).
    public static func installInterruptHandlers() throws(IOError) {
        let error = cair2_install_interrupt_handlers()
        if error != 0 { throw IOError(.installHandlers, path: "SIGINT/SIGTERM", errno: error) }
    }

    /// The exit status the handler uses for `signal`: 128 + the signal number (130, 143).
    public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}

/// The process-wide registry of live temporary paths, kept in fixed C slots so the interrupt
/// handler can read it without allocating or locking.
public enum TemporaryFileRegistry {
    /// Registers `path`; returns its slot. Throws (exit code 2) when the path is too long or every
    /// slot (`CAIR2_TMP_SLOTS`) is in use.
    public static func register(_ path: String) throws(IOError) -> Int32 {
        let slot = path.withCString { cair2_tmp_register($0) }
        if slot < 0 { throw IOError(.registerTemporary, path: path, errno: -slot, exitCode: 2) }
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
