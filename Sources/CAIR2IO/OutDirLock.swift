import Glibc

/// The exclusive lock of an output folder (PRODUCT.md §4a): `flock(2)` on `DIR/.cair2.lock`, held from the
/// start of a run to its end (the lock goes with the process, whatever ends it, SIGKILL included). A second
/// run into the same folder fails at once with exit 2 naming the folder. The lock file itself is not part of
/// the batch: it stays in the folder (removing it would let two runs lock two different files), `archive`
/// leaves it out and does not count it as a stray file.
///
/// Under the lock, the hidden `.cair2-*` temporary files that a killed run left behind (named temporaries are
/// used only where the file system has no `O_TMPFILE`) are removed: no live run can own them.
public final class OutDirLock {
    /// The lock file's name.
    public static let fileName = ".cair2.lock"

    /// The locked folder.
    public let directory: String
    private var fd: Int32

    private init(directory: String, fd: Int32) {
        self.directory = directory
        self.fd = fd
    }

    deinit { release() }

    /// Takes the folder's exclusive lock (the folder must exist). Exit code 2 when another run holds it or the
    /// lock file cannot be opened.
    public static func acquire(_ directory: String) throws(IOError) -> OutDirLock {
        let path = join(directory, fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 {
            let e = errno
            throw IOError(.lock, path: directory,
                          reason: "\(directory): cannot open the lock file \(fileName): \(String(cString: strerror(e)))",
                          exitCode: 2)
        }
        _ = fchmod(fd, 0o600)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            close(fd)
            if e == EWOULDBLOCK {
                throw IOError(.lock, path: directory,
                              reason: "\(directory): another cair2 run is writing into this folder (it holds \(fileName)); "
                                + "wait for it to end or choose another --out-dir", exitCode: 2)
            }
            throw IOError(.lock, path: directory,
                          reason: "\(directory): cannot lock \(fileName): \(String(cString: strerror(e)))", exitCode: 2)
        }
        return OutDirLock(directory: directory, fd: fd)
    }

    /// For a reader of the folder (`archive`): a shared lock, taken only when the lock file exists. Exit code 2
    /// when a run holds the folder now; nil when no run ever locked it.
    public static func acquireShared(_ directory: String) throws(IOError) -> OutDirLock? {
        let fd = open(join(directory, fileName), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { return nil }
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            close(fd)
            if e == EWOULDBLOCK {
                throw IOError(.lock, path: directory,
                              reason: "\(directory): a cair2 run is writing into this folder now (it holds \(fileName)); "
                                + "wait for it to end", exitCode: 2)
            }
            return nil
        }
        return OutDirLock(directory: directory, fd: fd)
    }

    /// Removes the `.cair2-*` temporary files a dead run left in the folder (never the lock file). Returns
    /// their names.
    @discardableResult
    public func removeLeftovers() -> [String] {
        var removed: [String] = []
        for name in OutDirLock.entries(directory) where OutDirLock.isLeftover(name) {
            let path = OutDirLock.join(directory, name)
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// Releases the lock (also done when the object goes, or the process ends).
    public func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    /// Removes the lock file too: only for a folder this run created and leaves empty again.
    package func releaseAndRemove() {
        unlink(OutDirLock.join(directory, OutDirLock.fileName))
        release()
    }

    /// A temporary file's name (`TemporaryFile.prefix`), not the lock file.
    package static func isLeftover(_ name: String) -> Bool {
        name.hasPrefix(TemporaryFile.prefix) && name != fileName
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The names in a folder (without `.` and `..`), or none when it cannot be read.
    package static func entries(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
