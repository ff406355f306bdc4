import CSupport
import Foundation
import Glibc
import Testing

@testable import CAIR2Kit

// Serialized: some tests change the process-wide umask or fork, and a fork must not copy a
// half-registered temporary file of a neighbouring test.
@Suite(.serialized)
struct IOTests {
    // MARK: - Helpers

    /// A fresh directory under /tmp, removed by the caller.
    static func scratchDirectory() -> String {
        var template = Array("/tmp/cair2-io-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func readFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Names in `directory` (hidden ones included).
    static func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Deterministic non-zero bytes: what a truncation turns into zeros is then visible.
    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(1 + $0 % 251) }
    }

    static func permissions(_ path: String) throws -> UInt32 {
        try FileStatus.of(path: path).permissions
    }

    // MARK: - IOError and FileDescriptor

    @Test func openOfMissingInputIsExitTwoWithPathAndReason() {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/missing.csv"
        do {
            _ = try FileDescriptor.openForReading(path)
            Issue.record("opened a missing file")
        } catch {
            #expect(error.operation == .open)
            #expect(error.errno == ENOENT)
            #expect(error.kind == .cannotStart)
            #expect(error.path == path)
            #expect(error.description == "open: \(path): No such file or directory")
            #expect(error.duringRun().kind == .failedDuringRun)
        }
    }

    @Test func descriptorWritesReadsAndReportsStatus() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/data.bin"
        let bytes = Self.pattern(100_000)
        let out = try FileDescriptor.open(path, flags: O_CREAT | O_WRONLY | O_TRUNC)
        try bytes.withUnsafeBytes { try out.writeAll($0) }
        // Overwrite 3 bytes in the middle with a positioned write.
        try [UInt8](repeating: 0, count: 3).withUnsafeBytes { try out.pwriteAll($0, at: 500) }
        try out.sync()
        let status = try out.status()
        #expect(status.size == 100_000)
        #expect(status.isRegularFile)
        try out.close()

        var expected = bytes
        expected[500] = 0; expected[501] = 0; expected[502] = 0

        let input = try FileDescriptor.openForReading(path)
        defer { try? input.close() }
        #expect(try input.status().inode == status.inode)
        var whole = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 7_000)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if count == 0 { break }
            whole += chunk[..<count]
        }
        #expect(whole == expected)
        var middle = [UInt8](repeating: 0, count: 10)
        let count = try middle.withUnsafeMutableBytes { try input.pread(into: $0, at: 498) }
        #expect(count == 10)
        #expect(middle == Array(expected[498..<508]))
    }

    @Test func writeToReadOnlyDescriptorIsExitThree() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/ro.bin"
        try Self.writeFile(path, [1, 2, 3])
        let fd = try FileDescriptor.openForReading(path)
        defer { try? fd.close() }
        #expect {
            try [UInt8](repeating: 7, count: 4).withUnsafeBytes { try fd.writeAll($0) }
        } throws: { error in
            let io = error as! IOError
            return io.operation == .write && io.errno == EBADF && io.kind == .failedDuringRun
        }
    }

    // MARK: - MappedFile

    @Test func mappedFileShowsTheBytesAndStaysIntact() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/in.csv"
        let bytes = Self.pattern(123_457)
        try Self.writeFile(path, bytes)
        let mapped = try MappedFile(path: path)
        #expect(mapped.count == bytes.count)
        #expect(mapped.withUnsafeBytes { Array($0) } == bytes)
        try mapped.checkIntact()
        #expect(!mapped.isDamaged)
    }

    /// The file-system helpers every module above CAIR2IO uses instead of libc (issue 15), each against what the
    /// system says by another route (Foundation's FileManager, the errno values of the calls).
    @Test func fileSystemHelpersSayWhatTheSystemSays() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let file = dir + "/a.txt", link = dir + "/link", sub = dir + "/sub"
        try Self.writeFile(file, [1, 2, 3])
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)

        #expect(try FileStatus.of(path: link).isRegularFile)  // followed
        let ofLink = try FileStatus.ofLink(path: link)
        #expect(!ofLink.isRegularFile && !ofLink.isDirectory)  // the link itself
        #expect(try FileStatus.of(path: dir).isDirectory)
        #expect(throws: IOError.self) { try FileStatus.ofLink(path: dir + "/missing") }

        #expect(FileSystem.makeDirectory(sub, mode: 0o700) == nil)
        #expect(FileSystem.makeDirectory(sub, mode: 0o700) == EEXIST)
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: sub, isDirectory: &isDir) && isDir.boolValue)
        #expect(FileSystem.accessError(sub, W_OK | X_OK) == nil)
        #expect(FileSystem.accessError(dir + "/missing", F_OK) == ENOENT)
        #expect(FileSystem.canonicalPath(link) == FileSystem.canonicalPath(file))
        #expect(FileSystem.canonicalPath(dir + "/missing") == nil)

        try Self.writeFile(sub + "/x", [0])
        #expect(!FileSystem.removeDirectory(sub))  // not empty
        #expect(FileSystem.removeFile(sub + "/x"))
        #expect(!FileSystem.removeFile(sub + "/x"))
        #expect(FileSystem.removeDirectory(sub))
        #expect(!FileManager.default.fileExists(atPath: sub))

        let fd = try FileDescriptor.open(file, flags: O_RDWR)
        defer { try? fd.close() }
        try fd.truncate(to: 1)
        #expect(try fd.status().size == 1)
        #expect(Self.readFile(file) == [1])
    }

    @Test func emptyFileNeedsNoMapping() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/empty.csv"
        try Self.writeFile(path, [])
        let mapped = try MappedFile(path: path)
        #expect(mapped.count == 0)
        #expect(mapped.withUnsafeBytes { $0.count } == 0)
        try mapped.checkIntact()
    }

    @Test func mappingMissingFileIsExitTwo() {
        #expect {
            _ = try MappedFile(path: "/nonexistent-dir/members.csv")
        } throws: { error in
            (error as? IOError)?.kind == .cannotStart && (error as? IOError)?.errno == ENOENT
        }
    }

    @Test func truncatedWhileMappedReadsZerosAndIsReported() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/shrinks.csv"
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = Self.pattern(pageSize * 10 + 123)
        try Self.writeFile(path, bytes)
        let mapped = try MappedFile(path: path)

        // Another writer (log rotation, a re-run extract job) truncates the file in place.
        let keep = pageSize + 100
        let other = open(path, O_WRONLY)
        #expect(other >= 0)
        #expect(ftruncate(other, off_t(keep)) == 0)
        close(other)

        // Touching every byte would raise SIGBUS on each page past the new end without the guard.
        let seen = mapped.withUnsafeBytes { Array($0) }
        #expect(seen.count == bytes.count)
        #expect(Array(seen[..<keep]) == Array(bytes[..<keep]))
        #expect(seen[keep...].allSatisfy { $0 == 0 })
        #expect(mapped.isDamaged)

        #expect {
            try mapped.checkIntact()
        } throws: { error in
            let io = error as! IOError
            return io.kind == .failedDuringRun && io.operation == .inputChanged
                && io.description == "\(path) changed while being read (truncated or replaced); nothing was published"
        }
    }

    @Test func replacedWhileMappedIsCaughtByTheInodeCheck() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/replaced.csv"
        let bytes = Self.pattern(50_000)
        try Self.writeFile(path, bytes)
        let mapped = try MappedFile(path: path)

        // Same size, same content, new inode renamed over the path: only the inode tells.
        let replacement = dir + "/replacement.csv"
        try Self.writeFile(replacement, bytes)
        #expect(rename(replacement, path) == 0)

        #expect(mapped.withUnsafeBytes { Array($0) } == bytes)  // the old inode is still mapped, whole
        #expect(!mapped.isDamaged)
        #expect(throws: IOError.inputChanged(path: path)) { try mapped.checkIntact() }
    }

    @Test func faultOutsideGuardedRangesIsNotSwallowed() throws {
        // Register a range, unregister it, and check the registry no longer claims it: a fault
        // there would go to the previous SIGBUS action. (The crash itself can't run in-process.)
        var page = [UInt8](repeating: 0, count: 64)
        let slot = page.withUnsafeMutableBytes { cair2_guard_register($0.baseAddress, $0.count) }
        #expect(slot >= 0)
        #expect(cair2_guard_damaged(slot) == 0)
        cair2_guard_unregister(slot)
        #expect(cair2_guard_install() == 0)
        #expect(cair2_guard_install() == 0)  // idempotent
    }

    // MARK: - ChunkedFileReader

    /// Reads everything, consuming only whole lines, with the given buffer size.
    static func readLines(_ reader: ChunkedFileReader) throws -> (lines: [[UInt8]], chunks: Int) {
        var lines: [[UInt8]] = []
        var chunks = 0
        while try reader.withNextChunk({ bytes, isFinal in
            chunks += 1
            var start = 0
            for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
                lines.append(Array(bytes[start...i]))
                start = i + 1
            }
            if isFinal && start < bytes.count {
                lines.append(Array(bytes[start...]))
                start = bytes.count
            }
            return start
        }) {}
        return (lines, chunks)
    }

    static func textWithLines(_ count: Int) -> [UInt8] {
        var text = [UInt8]()
        for i in 0..<count {
            text += Array("record \(i),\(String(repeating: "x", count: i % 37))\n".utf8)
        }
        text += Array("last line without newline".utf8)
        return text
    }

    @Test(arguments: [16, 100, 4096, 8 << 20])
    func chunkedReaderCarriesTheTailOnRegularFiles(bufferSize: Int) throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/lines.csv"
        let text = Self.textWithLines(2_000)
        try Self.writeFile(path, text)
        let reader = try ChunkedFileReader(path: path, bufferSize: bufferSize)
        let (lines, chunks) = try Self.readLines(reader)
        #expect(lines.flatMap { $0 } == text)
        #expect(lines.count == 2_001)
        #expect(reader.streamOffset == Int64(text.count))
        #expect(chunks >= 1)
        try reader.checkIntact()
        // A line of 60+ bytes does not fit a 16-byte buffer: it must have grown.
        if bufferSize == 16 { #expect(reader.capacity >= 64) }
    }

    @Test func chunkedReaderWorksOnPipesWithShortReads() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = Self.textWithLines(5_000)
        let writer = fds[1]
        // The writer sends small uneven pieces so the reader sees many short reads.
        let thread = Thread {
            var offset = 0
            var piece = 1
            while offset < text.count {
                let n = min(piece, text.count - offset)
                _ = text.withUnsafeBytes { write(writer, $0.baseAddress! + offset, n) }
                offset += n
                piece = piece % 997 + 13
            }
            close(writer)
        }
        thread.start()
        let reader = ChunkedFileReader(descriptor: FileDescriptor(rawValue: fds[0], path: "-"), bufferSize: 1000)
        let (lines, _) = try Self.readLines(reader)
        close(fds[0])
        #expect(lines.flatMap { $0 } == text)
        try reader.checkIntact()  // a pipe has nothing to compare
    }

    @Test func chunkedReaderNoticesATruncation() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let path = dir + "/shrinks.csv"
        try Self.writeFile(path, Self.textWithLines(3_000))
        let reader = try ChunkedFileReader(path: path, bufferSize: 4096)
        var first = true
        while try reader.withNextChunk({ bytes, _ in
            if first {
                first = false
                // Cut the file after the first chunk: read(2) just sees an early end of file.
                #expect(truncate(path, 5000) == 0)
            }
            return bytes.count
        }) {}
        #expect(reader.streamOffset == 5000)
        #expect(throws: IOError.inputChanged(path: path)) { try reader.checkIntact() }
    }

    // MARK: - AtomicOutputFile and OutputSet

    @Test func outputAppearsOnlyOnPublishAndReplacesThePreviousFile() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let final = dir + "/patient.txt"
        try Self.writeFile(final, Array("previous good output\r\n".utf8))

        let file = try AtomicOutputFile(directory: dir, name: "patient.txt", bufferSize: 64)
        // Unnamed (O_TMPFILE) here, or a hidden exclusive name where the file system has no O_TMPFILE.
        #expect(file.isUnnamed || file.temporaryPath!.hasPrefix(dir + "/.cair2-"))
        #expect(Self.listing(dir).filter { !$0.hasPrefix(".cair2-") } == ["patient.txt"])
        let body = Self.pattern(10_000)
        try file.write(Array(body[..<30]))  // buffered
        try file.write(Array(body[30...]))  // larger than the buffer: straight through
        try file.write("\r\n")
        #expect(file.bytesWritten == 10_002)
        // Until publish, the final name still holds the previous output.
        #expect(Self.readFile(final) == Array("previous good output\r\n".utf8))

        try file.publish()
        #expect(file.state == .published)
        #expect(Self.readFile(final) == body + [13, 10])
        #expect(file.temporaryPath == nil)
        #expect(Self.listing(dir) == ["patient.txt"])
        #expect(try Self.permissions(final) == 0o600)
        #expect(throws: IOError.self) { try file.write("late") }
    }

    @Test func positionedWritesLandAtTheirOffsets() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let file = try AtomicOutputFile(directory: dir, name: "query.txt")
        // Chunks written out of order at precomputed offsets, as parallel workers would.
        let chunks: [[UInt8]] = [Array("aaaa".utf8), Array("bb".utf8), Array("cccccc".utf8)]
        let offsets: [Int64] = [0, 4, 6]
        for i in [2, 0, 1] {
            try chunks[i].withUnsafeBytes { try file.write($0, at: offsets[i]) }
        }
        try file.publish()
        #expect(Self.readFile(dir + "/query.txt") == Array("aaaabbcccccc".utf8))
    }

    @Test func discardRemovesTheTemporaryAndKeepsThePrevious() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let final = dir + "/comment.txt"
        try Self.writeFile(final, [1, 2, 3])
        let file = try AtomicOutputFile(directory: dir, name: "comment.txt")
        try file.write([9, 9, 9, 9])
        file.discard()
        #expect(file.state == .discarded)
        #expect(Self.listing(dir) == ["comment.txt"])
        #expect(Self.readFile(final) == [1, 2, 3])

        // Dropping an unpublished file discards it too.
        do {
            let dropped = try AtomicOutputFile(directory: dir, name: "comment.txt")
            try dropped.write([1])
        }
        #expect(Self.listing(dir) == ["comment.txt"])
    }

    @Test func unwritableOutputDirectoryIsExitTwo() throws {
        #expect {
            _ = try AtomicOutputFile(directory: "/nonexistent-dir/out", name: "patient.txt")
        } throws: { error in
            let io = error as! IOError
            return io.kind == .cannotStart && io.errno == ENOENT && io.operation == .createTemporary
        }
        #expect {
            _ = try AtomicOutputFile(directory: "/proc", name: "patient.txt")
        } throws: { error in
            (error as! IOError).kind == .cannotStart
        }
    }

    @Test(arguments: [mode_t(0o000), mode_t(0o077), mode_t(0o022)])
    func filesAre0600WhateverTheUmask(umaskValue: mode_t) throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let previous = umask(umaskValue)
        defer { umask(previous) }
        let file = try AtomicOutputFile(directory: dir, name: "summary.json")
        #expect(try file.descriptor.status().permissions == 0o600)
        try file.write("{}")
        try file.publish()
        #expect(try Self.permissions(dir + "/summary.json") == 0o600)
    }

    @Test func outputSetPublishesAllTogether() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let set = OutputSet()
        let patient = try set.create(directory: dir, name: "patient.txt")
        let rejects = try set.create(directory: dir, name: "rejects.csv")
        try patient.write("P\r\n")
        try rejects.write("file,line,record_id,field,code,message\n")
        #expect(Self.listing(dir).allSatisfy { $0.hasPrefix(".") })
        try set.publish()
        #expect(Self.listing(dir) == ["patient.txt", "rejects.csv"])
        #expect(Self.readFile(dir + "/patient.txt") == Array("P\r\n".utf8))
        #expect(throws: IOError.self) { _ = try set.create(directory: dir, name: "late.txt") }
    }

    // MARK: - Disk full

    @Test func injectedDiskFullFailsTheWriteAndPublishesNothing() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        try Self.writeFile(dir + "/patient.txt", Array("previous\r\n".utf8))
        let set = OutputSet()
        let patient = try set.create(directory: dir, name: "patient.txt", bufferSize: 1024)
        let warnings = try set.create(directory: dir, name: "warnings.csv")
        try warnings.write("header\n")
        // The third write(2) on the patient file fails as on a full disk.
        WriteFaultInjection.failWrites(on: patient.descriptor.rawValue, after: 2, errno: ENOSPC)
        defer { WriteFaultInjection.reset() }
        let line = [UInt8](repeating: 0x41, count: 1000)
        var failure: IOError?
        do {
            for _ in 0..<10 { try patient.write(line) }
            try set.publish()
        } catch {
            failure = error
            set.discard()
        }
        #expect(failure?.errno == ENOSPC)
        #expect(failure?.kind == .failedDuringRun)
        #expect(failure?.operation == .write)
        #expect(failure?.path == patient.finalPath)
        #expect(Self.listing(dir) == ["patient.txt"])
        #expect(Self.readFile(dir + "/patient.txt") == Array("previous\r\n".utf8))
    }

    @Test func injectedFailureAtPublishDiscardsTheWholeSet() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        try Self.writeFile(dir + "/immunization.txt", [7])
        let set = OutputSet()
        let first = try set.create(directory: dir, name: "patient.txt")
        let second = try set.create(directory: dir, name: "immunization.txt")
        try first.write("P\r\n")
        try second.write("I\r\n")  // buffered: its only write(2) happens in publish
        WriteFaultInjection.failWrites(on: second.descriptor.rawValue, after: 0, errno: EIO)
        defer { WriteFaultInjection.reset() }
        #expect(throws: IOError(.write, path: second.finalPath, errno: EIO)) { try set.publish() }
        #expect(Self.listing(dir) == ["immunization.txt"])  // no patient.txt: nothing published
        #expect(Self.readFile(dir + "/immunization.txt") == [7])
    }

    /// True when this process may mount a tmpfs (root with CAP_SYS_ADMIN).
    static let canMountTmpfs: Bool = {
        guard geteuid() == 0 else { return false }
        let dir = scratchDirectory()
        defer { rmdir(dir) }
        guard mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(dir)
        return true
    }()

    @Test(.enabled(if: IOTests.canMountTmpfs, "needs root to mount a tmpfs"))
    func realFullDiskOnASmallTmpfs() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        #expect(mount("tmpfs", dir, "tmpfs", 0, "size=64k") == 0)
        defer { umount(dir) }
        try Self.writeFile(dir + "/patient.txt", Array("previous\r\n".utf8))

        let file = try AtomicOutputFile(directory: dir, name: "patient.txt", bufferSize: 8192)
        let block = [UInt8](repeating: 0x42, count: 8192)
        var failure: IOError?
        do {
            for _ in 0..<64 { try file.write(block) }  // 512 KiB into 64 KiB
            try file.publish()
        } catch {
            failure = error
            file.discard()
        }
        #expect(failure?.errno == ENOSPC)
        #expect(failure?.kind == .failedDuringRun)
        #expect(Self.listing(dir) == ["patient.txt"])
        #expect(Self.readFile(dir + "/patient.txt") == Array("previous\r\n".utf8))
    }

    // MARK: - Interrupts

    @Test func registryCleanupUnlinksEveryRegisteredFile() throws {
        // Runs in a forked child: in this process other suites may hold live temporary files, and
        // unlinkAll() is process-wide.
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        var cPaths: [UnsafeMutablePointer<CChar>] = []
        for i in 0..<5 {
            let path = dir + "/.t\(i).tmp"
            try Self.writeFile(path, [1])
            cPaths.append(strdup(path)!)
        }
        defer { cPaths.forEach { free($0) } }
        let pid = fork()
        if pid == 0 {
            cair2_tmp_forget_all()
            if cair2_tmp_live_count() != 0 { _exit(80) }
            var lastSlot: Int32 = -1
            for path in cPaths {
                lastSlot = cair2_tmp_register(path)
                if lastSlot < 0 { _exit(81) }
            }
            cair2_tmp_unregister(lastSlot)  // ".t4.tmp" was published: must survive
            if cair2_tmp_live_count() != 4 { _exit(82) }
            let removed = cair2_tmp_unlink_all()
            if cair2_tmp_live_count() != 0 { _exit(83) }
            _exit(removed)
        }
        precondition(pid > 0, "fork failed")
        #expect(Self.waitForChild(pid) == 4)
        #expect(Self.listing(dir) == [".t4.tmp"])
    }

    @Test func registryRefusesAnOverlongPath() {
        #expect {
            _ = try TemporaryFileRegistry.register(String(repeating: "a", count: 5000))
        } throws: { error in
            (error as! IOError).errno == ENAMETOOLONG
        }
    }

    /// Waits up to 10 s for `pid` and returns its exit status, or -1 (after SIGKILL) when it did not
    /// end by itself or died from a signal.
    static func waitForChild(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        for _ in 0..<1000 {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                // WIFEXITED / WEXITSTATUS, spelled out (the C macros do not import).
                return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return -1
    }

    /// Forks a child that registers and creates a temporary file, installs the handlers, writes,
    /// then blocks in read(2) on a pipe nobody writes to, like a worker stuck on I/O. The parent
    /// signals it and returns its exit status. Only async-signal-safe C calls run in the child.
    static func interruptChildBlockedInRead(signal: Int32, directory: String) -> (status: Int32, temporary: String) {
        let temporary = directory + "/.patient.txt.tmp-child"
        let cPath = strdup(temporary)!
        defer { free(cPath) }
        var blocker: [Int32] = [0, 0]
        precondition(pipe(&blocker) == 0)
        let pid = fork()
        if pid == 0 {
            cair2_tmp_forget_all()  // the copy of the parent's registry names the parent's files
            if cair2_install_interrupt_handlers() != 0 { _exit(90) }
            if cair2_tmp_register(cPath) < 0 { _exit(91) }
            let fd = open(cPath, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            if fd < 0 { _exit(92) }
            var byte: UInt8 = 0x50
            for _ in 0..<4096 { _ = write(fd, &byte, 1) }
            close(blocker[1])
            _ = read(blocker[0], &byte, 1)  // blocks until the signal
            _exit(93)
        }
        precondition(pid > 0, "fork failed")  // never kill(-1, ...)
        close(blocker[0])
        defer { close(blocker[1]) }
        // Wait until the child is writing (its temporary file exists and has bytes).
        for _ in 0..<500 {
            if let size = try? FileStatus.of(path: temporary).size, size >= 4096 { break }
            usleep(10_000)
        }
        usleep(20_000)  // let it reach read(2)
        kill(pid, signal)
        return (waitForChild(pid), temporary)
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func interruptedChildRemovesItsTemporaryFiles(signal: Int32, expected: Int32) throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        try Self.writeFile(dir + "/patient.txt", Array("previous\r\n".utf8))
        let (status, temporary) = Self.interruptChildBlockedInRead(signal: signal, directory: dir)
        #expect(status == expected)
        #expect(Signals.exitStatus(for: signal) == expected)
        #expect(!Self.exists(temporary))
        #expect(Self.listing(dir) == ["patient.txt"])
        #expect(Self.readFile(dir + "/patient.txt") == Array("previous\r\n".utf8))
    }

    @Test func signalDuringCommitLetsTheRenamesFinishAndIsOnlyRecorded() throws {
        let dir = Self.scratchDirectory()
        defer { Self.remove(dir) }
        let from = strdup(dir + "/.a.tmp")!, to = strdup(dir + "/a.txt")!
        let unpublished = strdup(dir + "/.b.tmp")!
        defer { free(from); free(to); free(unpublished) }
        let pid = fork()
        if pid == 0 {
            cair2_tmp_forget_all()
            if cair2_install_interrupt_handlers() != 0 { _exit(90) }
            let a = open(from, O_CREAT | O_WRONLY, 0o600), b = open(unpublished, O_CREAT | O_WRONLY, 0o600)
            if a < 0 || b < 0 { _exit(91) }
            let slotA = cair2_tmp_register(from)
            _ = cair2_tmp_register(unpublished)
            cair2_commit_begin()
            raise(SIGTERM)  // held: the rename below must still happen
            if rename(from, to) != 0 { _exit(92) }
            cair2_tmp_unregister(slotA)
            cair2_commit_end()  // the batch is published: the run goes on and reports the signal
            raise(SIGINT)  // after the commit too: recorded (the first one is kept), not acted on
            _exit(cair2_pending_signal())
        }
        precondition(pid > 0, "fork failed")
        #expect(Self.waitForChild(pid) == SIGTERM)
        #expect(Self.listing(dir) == [".b.tmp", "a.txt"])  // renamed whole; nothing cleaned after the commit
    }
}
