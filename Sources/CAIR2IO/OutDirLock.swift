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
                          kind: .cannotStart)
        }
        _ = fchmod(fd, 0o600)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            close(fd)
            if e == EWOULDBLOCK {
                throw IOError(.lock, path: directory,
                              reason: "\(directory): another cair2 run is writing into this folder (it holds \(fileName)); "
                                + "wait for it to end or choose another --out-dir", kind: .cannotStart)
            }
            throw IOError(.lock, path: directory,
                          reason: "\(directory): cannot lock \(fileName): \(String(cString: strerror(e)))", kind: .cannotStart)
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
                                + "wait for it to end", kind: .cannotStart)
            }
            return nil
        }
        return OutDirLock(directory: directory, fd: fd)
    }

    /// Removes the `.cair2-*` temporary files a dead run left in the folder (never the lock file, nor the
    /// publication marker: that goes only when a publication into the folder completes, so a run that fails
    /// before publishing leaves a mixed folder marked). Returns their names.
    @discardableResult
    public func removeLeftovers() -> [String] {
        var removed: [String] = []
        for name in OutDirLock.entries(directory) where OutDirLock.isLeftover(name) && name != PublicationMarker.fileName {
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

/// The mark of a publication in progress (PRODUCT.md §4a): `DIR/.cair2-publishing`, written and fsynced (with
/// its folder) just before the first file of a batch of several is put under its final name, and removed only
/// after the last one and the folder's fsync. Every signal but SIGKILL is held during that stretch, so the
/// marker survives only a SIGKILL, a crash or power loss, or a publication that failed after a file was
/// replaced: exactly the cases that can leave a batch mixing two runs. The next run holding the folder's lock
/// says so; the marker stays until a publication into the folder completes (a run that fails first leaves the
/// folder marked); `archive` refuses a folder that holds it. It lists the relative names being published (file
/// names only, no member data; a marker already there keeps its names), so the next run also removes a killed
/// run's files that the old `summary.json` does not list.
public enum PublicationMarker {
    /// The marker's name.
    public static let fileName = ".cair2-publishing"

    /// The marker's path in `directory`.
    public static func path(in directory: String) -> String { OutDirLock.join(directory, fileName) }

    /// True when `directory` holds a marker (a regular file).
    public static func exists(in directory: String) -> Bool {
        var st = stat()
        return lstat(path(in: directory), &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    /// Writes the marker (mode 0600) listing `names` (and the names a marker already there lists), fsyncs it
    /// and `directory`. A failure leaves no marker where there was none.
    public static func create(in directory: String, listing names: [String]) throws(IOError) {
        let target = path(in: directory)
        let earlier = exists(in: directory)
        var names = names
        for name in listedNames(in: directory) where !names.contains(name) { names.append(name) }
        let opened = target.withCString {
            Syscall.open($0, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        // Exit 3 like every failure of a publication (an open's default, 2, is for inputs).
        let fd = try opened.mapError { IOError(.open, path: target, errno: $0.rawValue, kind: .failedDuringRun) }.get()
        var ok = false
        defer {
            _ = Syscall.close(fd)
            if !ok && !earlier { FileSystem.removeFile(target) }
        }
        _ = Syscall.fchmod(fd, 0o600)
        let text = "cair2: a batch is being published into this folder; if this file stays, the publication was cut "
            + "(a kill or a crash) and the folder may mix two runs: run the command again\n"
            + names.map { $0 + "\n" }.joined()
        let descriptor = FileDescriptor(rawValue: fd, path: target)
        var bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { raw in Result { () throws(IOError) in try descriptor.writeAll(raw) } }.get()
        bytes.removeAll()
        try descriptor.sync()
        try FileSystem.syncDirectory(directory)
        ok = true
    }

    /// Removes the marker and fsyncs the folder (so a power loss does not bring it back). Returns false when it
    /// could not be removed.
    @discardableResult
    public static func remove(in directory: String) -> Bool {
        guard FileSystem.removeFile(path(in: directory)) else { return false }
        try? FileSystem.syncDirectory(directory)
        return true
    }

    /// What the next run holding the lock says when it finds a marker (gone once that run has published).
    public static func interruptedWarning(_ directory: String) -> String {
        "\(directory): warning: the last publication into this folder was cut (a kill or a crash left "
            + "\(fileName)), so its files may have mixed two batches; this run replaces them"
    }

    /// The relative names a marker in `directory` lists (empty when there is none).
    public static func listedNames(in directory: String) -> [String] {
        let fd = open(path(in: directory), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().map(String.init)
    }
}
