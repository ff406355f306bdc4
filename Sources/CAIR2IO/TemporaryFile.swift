import CSupport
import Glibc

/// The one way every command creates the temporary file behind an output (PRODUCT.md §4a).
///
/// Where the file system allows, the file is unnamed (`open(DIR, O_TMPFILE | O_RDWR)`): no exit at all can
/// leave it behind; it is named only at publication (`publish(to:)`: `linkat` of `/proc/self/fd/N`, or
/// `AT_EMPTY_PATH`, straight to a free final name, else to a hidden name renamed over it at once). Otherwise
/// (no `O_TMPFILE`, no `/proc`, or `CAIR2_NO_O_TMPFILE=1`) it is created with `O_CREAT | O_EXCL | O_NOFOLLOW`
/// under an unpredictable name `.cair2-<16 hex digits>.tmp`, registered for the interrupt handler before it
/// exists. Either way mode 0600 regardless of the umask. Hidden names left by a killed run are removed by the
/// next run that holds the folder's lock (`OutDirLock`).
package final class TemporaryFile {
    /// The folder the file lives in (the final name must be on the same file system).
    let directory: String
    /// The open descriptor (until `closeDescriptor()`).
    package let fd: Int32
    /// The hidden name, or nil while the file is unnamed.
    package private(set) var path: String?
    private var slot: Int32 = -1
    private var open = true

    /// Prefix of every hidden temporary name; `OutDirLock.removeLeftovers` removes files that carry it.
    static let prefix = ".cair2-"

    /// Unnamed temporaries are tried (tests and `CAIR2_NO_O_TMPFILE=1` turn them off).
    package nonisolated(unsafe) static var allowUnnamed: Bool = {
        if let v = getenv("CAIR2_NO_O_TMPFILE"), String(cString: v) == "1" { return false }
        return access("/proc/self/fd", X_OK) == 0
    }()

    /// `O_TMPFILE` as Linux defines it (`__O_TMPFILE | O_DIRECTORY`; the C macro does not import).
    static let oTmpfile: Int32 = 0o20000000 | O_DIRECTORY

    private init(directory: String, fd: Int32, path: String?, slot: Int32) {
        self.directory = directory
        self.fd = fd
        self.path = path
        self.slot = slot
    }

    deinit { discard() }

    /// A fresh unpredictable hidden name in `directory`.
    static func hiddenName(in directory: String) -> String {
        let random = UInt64.random(in: 0 ... .max)
        let hex = String(random, radix: 16)
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        return dir + prefix + String(repeating: "0", count: 16 - hex.count) + hex + ".tmp"
    }

    /// Creates a temporary file in `directory` (unnamed when possible). Failures: `IOError` with exit code 2
    /// for a folder that cannot be written (it does not exist, permissions, read-only), else 3.
    package static func create(in directory: String, mode: mode_t = 0o600) throws(IOError) -> TemporaryFile {
        if allowUnnamed {
            let opened = directory.withCString { Syscall.open($0, oTmpfile | O_RDWR | O_CLOEXEC, 0o600) }
            switch opened {
            case .success(let fd):
                _ = Syscall.fchmod(fd, mode)
                return TemporaryFile(directory: directory, fd: fd, path: nil, slot: -1)
            case .failure(let error):
                // No O_TMPFILE on this file system (or kernel): fall back to a named file.
                if ![EOPNOTSUPP, EISDIR, EINVAL, ENOSYS].contains(error.rawValue) {
                    throw IOError(.createTemporary, path: directory, errno: error.rawValue,
                                  kind: creationKind(error.rawValue))
                }
            }
        }
        var attempts = 0
        while true {
            let candidate = hiddenName(in: directory)
            // Registered before it exists: a signal between open and registration must not leak it.
            let slot = try TemporaryFileRegistry.register(candidate)
            let opened = candidate.withCString {
                Syscall.open($0, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            }
            switch opened {
            case .success(let fd):
                // The mode given to open is filtered by the umask; this is not.
                _ = Syscall.fchmod(fd, mode)
                return TemporaryFile(directory: directory, fd: fd, path: candidate, slot: slot)
            case .failure(let error):
                TemporaryFileRegistry.unregister(slot)
                if error.rawValue == EEXIST && attempts < 100 { attempts += 1; continue }
                throw IOError(.createTemporary, path: directory, errno: error.rawValue,
                              kind: creationKind(error.rawValue))
            }
        }
    }

    /// Gives an unnamed file its hidden name (registered for the interrupt handler), so it can be renamed.
    /// Does nothing for a named file. `pathForMessages` names the output in errors.
    package func materialize(pathForMessages: String) throws(IOError) {
        guard path == nil else { return }
        guard open else { throw IOError.misuse(path: pathForMessages, "\(pathForMessages): closed before it was named") }
        var attempts = 0
        while true {
            let candidate = TemporaryFile.hiddenName(in: directory)
            let slot = try TemporaryFileRegistry.register(candidate)
            let error = link(to: candidate)
            if error == 0 {
                path = candidate
                self.slot = slot
                return
            }
            TemporaryFileRegistry.unregister(slot)
            if error == EEXIST && attempts < 100 { attempts += 1; continue }
            throw IOError(.link, path: pathForMessages, errno: error)
        }
    }

    /// `linkat` of the open unnamed file to `target` (never replaces an entry: EEXIST). Returns 0 or the errno.
    private func link(to target: String) -> Int32 {
        if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, target, AT_SYMLINK_FOLLOW) == 0 { return 0 }
        let error = errno
        if error == EEXIST { return EEXIST }
        if linkat(fd, "", AT_FDCWD, target, 0x1000) == 0 { return 0 }  // AT_EMPTY_PATH (not imported)
        return errno == EEXIST ? EEXIST : error
    }

    /// Puts the complete (fsynced) file under `finalPath` with the shortest naming window there is, and says
    /// whether an entry was there before (replaced). An unnamed file whose final name does not exist is linked
    /// straight to it (`linkat` never replaces an entry, so this is atomic and leaves no intermediate name);
    /// when the name exists, it is named (hidden) and renamed over it at once: only a SIGKILL between those two
    /// calls leaves a hidden name, removed by the next run that holds the folder's lock. A named temporary is
    /// renamed. The descriptor of an unnamed file must still be open; it stays open.
    package func publish(to finalPath: String) throws(IOError) -> Bool {
        if path == nil {
            guard open else { throw IOError.misuse(path: finalPath, "\(finalPath): closed before it was named") }
            let error = link(to: finalPath)
            if error == 0 { return false }
            if error != EEXIST { throw IOError(.link, path: finalPath, errno: error) }
            try materialize(pathForMessages: finalPath)
            try rename(to: finalPath)
            return true
        }
        var st = stat()
        let existed = lstat(finalPath, &st) == 0
        try rename(to: finalPath)
        return existed
    }

    /// Closes the descriptor (the file stays, named or not; an unnamed one disappears).
    package func closeDescriptor() throws(IOError) {
        guard open else { return }
        open = false
        try Syscall.close(fd).get(.close, path: path ?? directory)
    }

    /// `rename(2)` of the (materialized) file over `finalPath`; then the name is no longer a temporary.
    package func rename(to finalPath: String) throws(IOError) {
        guard let path else { throw IOError.misuse(path: finalPath, "\(finalPath): renamed before it was named") }
        try path.withCString { from in finalPath.withCString { to in Syscall.rename(from, to) } }
            .get(.rename, path: finalPath)
        TemporaryFileRegistry.unregister(slot)
        slot = -1
        self.path = nil
    }

    /// For a scratch file: drops the name at once (if it has one) and keeps the descriptor.
    package func forgetName() {
        guard let path else { return }
        FileSystem.removeFile(path)
        TemporaryFileRegistry.unregister(slot)
        slot = -1
        self.path = nil
    }

    /// Closes and removes the file (if not renamed). Never throws: it runs on failure paths.
    package func discard() {
        if open {
            open = false
            _ = Syscall.close(fd)
        }
        if let path {
            FileSystem.removeFile(path)
            TemporaryFileRegistry.unregister(slot)
            slot = -1
            self.path = nil
        }
    }

    /// A directory we may not or cannot write into means the run cannot start; a full or failing disk is a
    /// failure during the run.
    static func creationKind(_ errno: Int32) -> FailureKind {
        switch errno {
        case EACCES, EPERM, EROFS, ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP: return .cannotStart
        default: return .failedDuringRun
        }
    }
}

/// Checks made on every final name before the first rename of a publication (PRODUCT.md §4a): an entry in
/// the way that is a directory (or anything but a regular file or a symbolic link), or a folder that cannot
/// be written, is exit 3 with nothing replaced.
package enum FinalNameCheck {
    package static func check(_ finalPaths: [String]) throws(IOError) {
        var folders = Set<String>()
        for final in finalPaths {
            var st = stat()
            if lstat(final, &st) == 0 {
                let type = st.st_mode & S_IFMT
                if type != S_IFREG && type != S_IFLNK {
                    throw IOError(.publish, path: final,
                                  reason: "\(final) is in the way (\(type == S_IFDIR ? "a directory" : "not a regular file")); nothing was published")
                }
            }
            let folder = final.lastIndex(of: "/").map { String(final[..<$0]) } ?? "."
            if folders.insert(folder).inserted && access(folder.isEmpty ? "/" : folder, W_OK | X_OK) != 0 {
                let e = errno
                throw IOError(.publish, path: folder,
                              reason: "\(folder): cannot write into this folder (\(String(cString: strerror(e)))); nothing was published")
            }
        }
    }
}

/// The descriptor limit: raised from the soft to the hard limit once (a split batch keeps one descriptor
/// per output part open until publication), as most servers do.
public enum DescriptorLimit {
    /// Raises `RLIMIT_NOFILE`'s soft limit to its hard limit (at most 1,048,576). Returns the new soft limit.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(wanted) }
        }
        return Int(limit.rlim_cur)
    }
}
