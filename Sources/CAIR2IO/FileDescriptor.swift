import Glibc

/// An open file descriptor and the path it was opened from (kept for error messages).
///
/// A thin value wrapper in the manner of swift-system's `FileDescriptor`: each method is one system
/// call (or a loop of them), retried on EINTR, that throws an `IOError` naming the path. It does
/// not own the descriptor: call `close()` once. `Sendable`, so workers may `pread` and `pwriteAll`
/// on one descriptor concurrently.
public struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    public let rawValue: Int32
    /// The path used in error messages (`-` for standard input).
    public let path: String

    /// Wraps an existing descriptor.
    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Standard input, named `-` as on the command line.
    public static var standardInput: FileDescriptor { FileDescriptor(rawValue: STDIN_FILENO, path: "-") }
    /// Standard error (descriptor 2), named `standard error` in messages.
    public static var standardError: FileDescriptor { FileDescriptor(rawValue: STDERR_FILENO, path: "standard error") }

    /// `open(2)` with `flags` (`O_CLOEXEC` is always added) and `mode` for a created file.
    /// A failure is an `IOError` with exit code 2 (the run cannot start).
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(IOError) -> FileDescriptor {
        let fd = try path.withCString { Syscall.open($0, flags | O_CLOEXEC, mode) }.get(.open, path: path)
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// `open(path, O_RDONLY | O_CLOEXEC)`.
    public static func openForReading(_ path: String) throws(IOError) -> FileDescriptor {
        try open(path, flags: O_RDONLY)
    }

    /// `close(2)`. Not retried on EINTR: Linux has released the descriptor either way.
    public func close() throws(IOError) {
        try Syscall.close(rawValue).get(.close, path: path)
    }

    /// `fstat(2)`: size, identity and modification time.
    public func status() throws(IOError) -> FileStatus {
        var raw = stat()
        try Syscall.fstat(rawValue, &raw).get(.stat, path: path)
        return FileStatus(raw)
    }

    /// `read(2)` into `buffer`: the number of bytes read, 0 at end of file. May be short.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
        try Syscall.read(rawValue, buffer.baseAddress, buffer.count).get(.read, path: path)
    }

    /// `pread(2)` into `buffer` from `offset`: the number of bytes read, 0 at end of file. May be
    /// short. Does not move the file offset.
    public func pread(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(IOError) -> Int {
        try Syscall.pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)).get(.read, path: path)
    }

    /// `write(2)` until every byte of `bytes` is written: short writes continue where they stopped,
    /// EINTR is retried. ENOSPC, EIO and every other failure throw (exit code 3).
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(IOError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = try Syscall.write(rawValue, next, remaining).get(.write, path: path)
            next += written
            remaining -= written
        }
    }

    /// `pwrite(2)` until every byte of `bytes` is written at `offset` and onwards. Does not move the
    /// file offset; safe to call from several threads on disjoint ranges.
    public func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(IOError) {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        var position = offset
        while remaining > 0 {
            let written = try Syscall.pwrite(rawValue, next, remaining, off_t(position)).get(.write, path: path)
            next += written
            remaining -= written
            position += Int64(written)
        }
    }

    /// `fsync(2)`: the file's data and metadata reach the disk.
    public func sync() throws(IOError) {
        try Syscall.fsync(rawValue).get(.fsync, path: path)
    }

    /// `ftruncate(2)`: the file is `length` bytes long.
    public func truncate(to length: Int64) throws(IOError) {
        try Syscall.ftruncate(rawValue, off_t(length)).get(.write, path: path)
    }

    /// `fchmod(2)`: sets the permission bits regardless of the umask.
    public func setPermissions(_ mode: mode_t) throws(IOError) {
        try Syscall.fchmod(rawValue, mode).get(.fchmod, path: path)
    }
}

/// What `fstat(2)` or `stat(2)` says about a file, reduced to what the converter compares.
public struct FileStatus: Sendable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// Inode number.
    public var inode: UInt64
    /// Device the inode lives on.
    public var device: UInt64
    /// Modification time: seconds since the epoch and nanoseconds.
    public var modificationSeconds: Int64
    /// The nanoseconds part of the modification time (0-999,999,999).
    public var modificationNanoseconds: Int64
    /// `st_mode`: file type and permission bits.
    public var mode: UInt32

    /// True for a regular file (not a pipe, terminal, directory...).
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    /// True for a directory.
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    /// The permission bits (`mode & 0o7777`).
    public var permissions: UInt32 { mode & 0o7777 }

    init(_ raw: stat) {
        size = Int64(raw.st_size)
        inode = UInt64(raw.st_ino)
        device = UInt64(raw.st_dev)
        modificationSeconds = Int64(raw.st_mtim.tv_sec)
        modificationNanoseconds = Int64(raw.st_mtim.tv_nsec)
        mode = UInt32(raw.st_mode)
    }

    /// `stat(2)` of a path (follows symbolic links). A failure has exit code 2.
    public static func of(path: String) throws(IOError) -> FileStatus {
        var raw = stat()
        try path.withCString { Syscall.stat($0, &raw) }.get(.stat, path: path)
        return FileStatus(raw)
    }

    /// `lstat(2)` of a path: a symbolic link is described itself, not followed. A failure has exit code 2.
    public static func ofLink(path: String) throws(IOError) -> FileStatus {
        var raw = stat()
        try path.withCString { Syscall.lstat($0, &raw) }.get(.stat, path: path)
        return FileStatus(raw)
    }

    /// True when both describe the same inode with the same size and modification time, i.e. the
    /// file has been neither replaced nor modified in between.
    func isSameVersion(as other: FileStatus) -> Bool {
        size == other.size && inode == other.inode && device == other.device
            && modificationSeconds == other.modificationSeconds
            && modificationNanoseconds == other.modificationNanoseconds
    }
}

/// Directory helpers used around output files.
public enum FileSystem {
    /// `mkdir(2)` with mode 0700 (the umask can only remove bits, and group and others have none
    /// to lose). An existing directory is fine. Exit code 2 on failure.
    public static func createDirectory(_ path: String) throws(IOError) {
        if let e = makeDirectory(path, mode: 0o700), e != EEXIST { throw IOError(.mkdir, path: path, errno: e) }
    }

    /// `mkdir(2)` with `mode` (less the umask); the errno when it fails (EEXIST included: callers that create
    /// directories one level at a time need to know which ones they made).
    public static func makeDirectory(_ path: String, mode: mode_t) -> Int32? {
        if case .failure(let error) = path.withCString({ Syscall.mkdir($0, mode) }) { return error.rawValue }
        return nil
    }

    /// `rmdir(2)` of an empty directory, for cleaning up after a failed start; true when it was removed.
    @discardableResult
    public static func removeDirectory(_ path: String) -> Bool {
        if case .success = path.withCString({ Syscall.rmdir($0) }) { return true }
        return false
    }

    /// `unlink(2)` of a file, for cleaning up; true when it was removed.
    @discardableResult
    public static func removeFile(_ path: String) -> Bool {
        if case .success = path.withCString({ Syscall.unlink($0) }) { return true }
        return false
    }

    /// `access(2)`: nil when the process may access `path` as `mode` asks (`R_OK`, `W_OK | X_OK`, `F_OK`...),
    /// else the errno.
    public static func accessError(_ path: String, _ mode: Int32) -> Int32? {
        if case .failure(let error) = path.withCString({ Syscall.access($0, mode) }) { return error.rawValue }
        return nil
    }

    /// The canonical absolute path of an existing file (`realpath(3)`), or nil.
    public static func canonicalPath(_ path: String) -> String? {
        try? path.withCString { Syscall.realpath($0) }.get()
    }

    /// `fsync(2)` of a directory, so a rename inside it survives a crash.
    public static func syncDirectory(_ path: String) throws(IOError) {
        let fd = try path.withCString { Syscall.open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            .get(.syncDirectory, path: path)
        defer { _ = Syscall.close(fd) }
        try Syscall.fsync(fd).get(.syncDirectory, path: path)
    }
}
