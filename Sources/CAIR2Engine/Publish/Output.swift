import CAIR2Compression
import CAIR2IO
import CAIR2Core
import CSupport
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One output of a run: written to a temporary file in the output directory (mode 0600), hashed as it is
/// written, and renamed to its final name only when the whole run succeeded (`Publisher.publishAll`).
///
/// The bytes reach the file through an aligned staging buffer written in whole 4 MiB blocks with direct
/// I/O (O_DIRECT) where the file system has it: the device reads them from our buffer, so the kernel does
/// not copy ~900 MB a million members into freshly allocated page-cache pages (on the 2-core machine that
/// copy cost more CPU than all the rules together; see docs/PERFORMANCE.md), and a nightly run does not
/// push everything else out of the page cache. The last block is padded to the device block and the file
/// truncated back to its true length. Without direct I/O (tmpfs, `Publisher.directIO` off) the same blocks
/// go through the page cache. A ring of staging buffers takes turns: one fills while a background thread
/// writes the others in order, so the device's time overlaps the conversion (that thread only waits on the
/// device). With two buffers the merge stalled whenever one write was slow (the device is shared and its
/// speed comes in bursts), and the chunk window behind it stopped the workers; see docs/PERFORMANCE.md.
///
/// The staging ring belongs to a second serial queue, `copier`: every copy into it runs there, in the order
/// the writes were made. The merged chunks' lines (`write(lines:whenCopied:)`, the bulk of every run) are
/// hashed on the merging thread and copied into the ring on `copier` while the merge goes on with the next
/// chunk, so the merging thread, the one stage no thread count parallelises, does not spend ~0.1 s a million
/// members on that copy (issue 20). Every other write waits for its copy (`copier.sync`), so the order holds.
package final class OutputStream {
    /// The final path relative to the output directory (may change until published, e.g. parts).
    @exclusivity(unchecked) var relativePath: String
    let publisher: Publisher
    /// The temporary file behind the output (unnamed until publication where the file system allows).
    let temporary: TemporaryFile
    @exclusivity(unchecked) var fd: Int32
    /// The descriptor of the temporary file (tests arm `WriteFaultInjection` with it).
    package var descriptor: Int32 { fd }
    /// Uncompressed bytes waiting for the compressor (`--zstd` written by the merge, not by a worker).
    @exclusivity(unchecked) var buffer: [UInt8] = []
    let bufferLimit = 1 << 20
    @exclusivity(unchecked) var sha = SHA256()
    @exclusivity(unchecked) package internal(set) var sha256Hex = ""
    /// Bytes in the file (after compression when compressed).
    @exclusivity(unchecked) var bytesWritten = 0
    /// Bytes before compression.
    @exclusivity(unchecked) var bytesUncompressed = 0
    let zstdLevel: Int32?
    /// Its hashing counts in `MergeCPU.hashNanos`: the merging thread's writes do; the reports' do not (a direct
    /// `ReportSpool` writes them from its spiller thread, whose time is no part of the merging thread's).
    @exclusivity(unchecked) var hashedByMergingThread = true
    @exclusivity(unchecked) var finished = false
    @exclusivity(unchecked) var compressor: ZstdFrameCompressor?
    /// Bytes handed to the kernel's writeback so far, and how often to hand more (buffered I/O only).
    @exclusivity(unchecked) var writebackStarted = 0
    let writebackStep = 32 << 20
    @exclusivity(unchecked) var frame: [UInt8] = []
    /// Bytes of each staging buffer: 4 MiB by default; outputs that stay open side by side until the end (the
    /// immunization and comment parts of a split run) take 1 MiB.
    let stagingSize: Int
    static let blockSize = 4096
    /// Copies bytes into the staging ring, in the order of the writes; the ring's state below (`buffers`,
    /// `current`, `staged`, `fileOffset`, `inFlight`) is touched only on this queue once the stream exists
    /// (`retire` and `finish` read it after a `copier.sync`).
    let copier = DispatchQueue(label: "cair2.output.copy")
    /// Lines handed to `copier` and not yet copied, at most `copiesAhead`: a writer waits past that, so the
    /// chunks held for their copy stay few whatever the device's speed.
    let copySlots = DispatchSemaphore(value: OutputStream.copiesAhead)
    static let copiesAhead = 4
    /// The ring: `buffers[current]` fills; the `inFlight` buffers before it (cyclically) are queued on `io`,
    /// oldest first, and `io` writes them in that order.
    @exclusivity(unchecked) private var buffers: [UnsafeMutableRawPointer]
    @exclusivity(unchecked) private var current = 0
    var staging: UnsafeMutableRawPointer { buffers[current] }
    /// File bytes not yet written: `staging[0..<staged]`, to go at offset `fileOffset`.
    @exclusivity(unchecked) var staged = 0
    @exclusivity(unchecked) var fileOffset = 0
    /// Set once the stream's last bytes are written and its buffers freed (`retire`); it takes no more.
    @exclusivity(unchecked) var retired = false
    /// The part before this one of the same output, when parts fill in order: retired when this stream gets
    /// its first bytes (every write to it came before, in the same order).
    @exclusivity(unchecked) var previous: OutputStream?
    /// Direct I/O is on for `fd`: set before the first write, then read and changed only by `io`.
    @exclusivity(unchecked) var direct = false
    let io = DispatchQueue(label: "cair2.output")
    /// Signalled by `io` once per finished write (in the order they were queued).
    let ioDone = DispatchSemaphore(value: 0)
    /// Writes queued on `io` and not yet waited for.
    @exclusivity(unchecked) var inFlight = 0
    /// The first failed copy's or write's error, set by `copier` or by `io` (before it signals `ioDone`).
    let ioError = Mutex<(any Error)?>(nil)

    init(relativePath: String, publisher: Publisher, zstdLevel: Int32?, stagingSize: Int = 4 << 20,
         stagingBuffers: Int = 2) throws {
        self.stagingSize = stagingSize
        self.relativePath = relativePath
        self.publisher = publisher
        self.zstdLevel = zstdLevel
        // Unnamed (O_TMPFILE) where the file system allows, else exclusive and registered (TemporaryFile).
        do {
            temporary = try TemporaryFile.create(in: publisher.outDir)
        } catch {
            throw CAIR2Error(error.kind,
                             "\(publisher.outDir): cannot create an output file: \(error.reason)")
        }
        fd = temporary.fd
        // --file-mode for the published file (set on the descriptor: it holds through O_TMPFILE and renames);
        // quarantine files stay 0600, they hold raw records.
        _ = Syscall.fchmod(fd, relativePath.hasPrefix("quarantine/") ? FileMode.standard : publisher.fileMode)
        // Aligned to 2 MiB and backed by huge pages where the kernel gives them: every direct write pins its
        // buffer's pages (get_user_pages), two huge pages for a 4 MiB buffer instead of 1,024 small ones.
        buffers = (0..<max(2, stagingBuffers)).map { _ in
            let b = UnsafeMutableRawPointer.allocate(byteCount: stagingSize, alignment: stagingSize >= 2 << 20 ? 2 << 20 : OutputStream.blockSize)
            PageAdvice.hugePages.apply(to: b, count: stagingSize)
            return b
        }
        direct = publisher.directIO && (try? Syscall.setDirectIO(fd, true).get()) != nil
    }

    deinit {
        // Every closure queued on `copier` or `io` holds the stream, so none is pending here: only the
        // signals of finished writes are left to take.
        waitForWritesOnCopier()
        if !retired { for b in buffers { b.deallocate() } }
    }

    /// Retires the previous part, if any (see `previous`).
    @inline(__always) private func retirePrevious() throws {
        if let p = previous {
            previous = nil
            try p.retire()
        }
    }

    /// Writes what is buffered and frees the buffers: the stream is complete (`finish` later truncates,
    /// fsyncs and closes it). A 1,000,000-record part holds no memory while the next ones are written.
    func retire() throws {
        if retired { return }
        try flush()
        // A compressed output without a line (a part without immunizations, an input without an accepted record)
        // still holds one empty zstd frame: a zero-byte file is not a zstd stream (zstd -t and archive refuse it).
        if zstdLevel != nil && bytesUncompressed == 0 && bytesWritten == 0 {
            let one: [UInt8] = [0]
            try one.withUnsafeBufferPointer { try compress(UnsafeBufferPointer(rebasing: $0[0..<0])) }
        }
        try copier.sync {
            try drain()
            try awaitWrites()
        }
        for b in buffers { b.deallocate() }
        buffers = []
        retired = true
    }

    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    /// Hashes and writes (the usual path).
    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        try retirePrevious()
        hash(bytes)
        try writeToFile(bytes)
    }

    /// Hashes `bytes` now and copies them into the staging ring on `copier`, after every earlier write; `done`
    /// runs on `copier` once they are copied (or the copy failed), and the bytes must stay as they are until
    /// then. Waits while `copiesAhead` copies are queued. A failed copy is thrown by a later write, `retire` or
    /// `finish`. With --zstd the lines go to the compressor at once, and `done` runs before this returns.
    package func write(lines bytes: UnsafeBufferPointer<UInt8>, whenCopied done: @escaping @Sendable () -> Void) throws {
        var queued = false
        defer { if !queued { done() } }
        guard zstdLevel == nil else { return try write(bytes) }
        try retirePrevious()
        if let e = ioError.withLock({ $0 }) { throw e }
        hash(bytes)
        bytesWritten += bytes.count
        copySlots.wait()
        nonisolated(unsafe) let lines = bytes
        nonisolated(unsafe) let me = self
        queued = true
        copier.async {
            do {
                try me.stageOnCopier(lines)
            } catch {
                me.ioError.withLock { if $0 == nil { $0 = error } }
            }
            done()
            me.copySlots.signal()
        }
    }

    /// The hashing half of `write` (lines are hashed uncompressed only without --zstd; frames are hashed as written).
    private func hash(_ bytes: UnsafeBufferPointer<UInt8>) {
        let timed = MergeCPU.enabled && hashedByMergingThread
        let t0 = timed ? MergeCPU.now() : 0
        if zstdLevel == nil { sha.update(UnsafeRawBufferPointer(bytes)) }
        if timed { MergeCPU.hashNanos &+= MergeCPU.now() &- t0 }
        bytesUncompressed += bytes.count
    }

    /// Writes an already compressed frame (`--zstd`, compressed by a worker) of `uncompressed` bytes of lines
    /// after whatever is buffered.
    func writeFrame(_ frame: UnsafeBufferPointer<UInt8>, uncompressed: Int) throws {
        try retirePrevious()
        try flush()
        bytesUncompressed += uncompressed
        sha.update(UnsafeRawBufferPointer(frame))
        try stage(frame)
    }

    /// The writing half of `write`.
    private func writeToFile(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard zstdLevel != nil else { return try stage(bytes) }
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try compress(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Compresses what waits for the compressor (`--zstd`).
    func flush() throws {
        if buffer.isEmpty { return }
        try buffer.withUnsafeBufferPointer { try compress($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func compress(_ p: UnsafeBufferPointer<UInt8>) throws {
        // One independent frame (with content checksum) per call; frames concatenate.
        if compressor == nil { compressor = try ZstdFrameCompressor(level: Int(zstdLevel ?? 1)) }
        let bound = Zstd.compressBound(p.count)
        if frame.count < bound { frame = [UInt8](repeating: 0, count: bound) }
        let n = try frame.withUnsafeMutableBytes { try compressor!.compress(UnsafeRawBufferPointer(p), into: $0) }
        try frame.withUnsafeBufferPointer { f in
            let out = UnsafeBufferPointer(rebasing: f[0..<n])
            sha.update(UnsafeRawBufferPointer(out))
            try stage(out)
        }
    }

    /// Copies file bytes into the staging ring on `copier`, after every copy queued before, and waits for it.
    private func stage(_ p: UnsafeBufferPointer<UInt8>) throws {
        try copier.sync { try stageOnCopier(p) }
        bytesWritten += p.count
    }

    /// On `copier`: copies file bytes into the staging buffer, writing it out each time it fills.
    private func stageOnCopier(_ p: UnsafeBufferPointer<UInt8>) throws {
        precondition(!retired, "bytes for a retired output stream")
        guard var next = p.baseAddress else { return }
        var remaining = p.count
        while remaining > 0 {
            let n = min(remaining, stagingSize - staged)
            (staging + staged).copyMemory(from: next, byteCount: n)
            staged += n
            next += n
            remaining -= n
            if staged == stagingSize { try drain() }
        }
    }

    /// On `copier`: hands the staged bytes to the background write (at `fileOffset`) and moves to the next buffer of the ring,
    /// waiting for its write when every buffer is queued. Only the last drain (from `retire`) can hold a partial
    /// block: it is padded to the block size (written so with direct I/O; `finish` truncates the file back).
    private func drain() throws {
        guard staged > 0 else { return }
        let count = staged
        let length = (count + OutputStream.blockSize - 1) / OutputStream.blockSize * OutputStream.blockSize
        (staging + count).initializeMemory(as: UInt8.self, repeating: 0, count: length - count)
        nonisolated(unsafe) let buffer = staging
        let offset = fileOffset
        fileOffset += count
        staged = 0
        inFlight += 1
        nonisolated(unsafe) let me = self
        io.async {
            do {
                try me.writeBlock(buffer, length: length, count: count, at: offset)
            } catch {
                me.ioError.withLock { if $0 == nil { $0 = error } }
            }
            me.ioDone.signal()
        }
        current = (current + 1) % buffers.count
        if inFlight == buffers.count {
            // The next buffer is the oldest queued write's: wait for it (writes finish in queue order).
            ioDone.wait()
            inFlight -= 1
        }
        if let e = ioError.withLock({ $0 }) { throw e }
    }

    /// On `copier`: waits for every queued write and rethrows the first failure.
    private func awaitWrites() throws {
        waitForWritesOnCopier()
        if let e = ioError.withLock({ $0 }) { throw e }
    }

    /// Waits for every queued copy and write (a descriptor must not close under one).
    func waitForWrites() {
        copier.sync { waitForWritesOnCopier() }
    }

    /// On `copier` (or when nothing can be queued any more): waits for every queued write.
    private func waitForWritesOnCopier() {
        while inFlight > 0 {
            ioDone.wait()
            inFlight -= 1
        }
    }

    /// On the `io` thread: writes `length` bytes (`count` of them real, the rest padding) at `offset`.
    private func writeBlock(_ buffer: UnsafeMutableRawPointer, length: Int, count: Int, at offset: Int) throws {
        let file = FileDescriptor(rawValue: fd, path: "\(publisher.outDir)/\(relativePath)")
        do {
            do {
                try file.pwriteAll(UnsafeRawBufferPointer(start: buffer, count: direct ? length : count),
                                   at: Int64(offset))
            } catch where direct && error.errno == EINVAL {
                // The file system took O_DIRECT at open but refuses these writes: go through the page cache.
                direct = false
                _ = Syscall.setDirectIO(fd, false)
                try file.pwriteAll(UnsafeRawBufferPointer(start: buffer, count: count), at: Int64(offset))
            }
        } catch {
            throw CAIR2Error.io("\(publisher.outDir)/\(relativePath): write failed: \(error.reason); nothing was published")
        }
        // Buffered: start the disk writeback of what was written so far, without waiting for it, so that
        // the fsync before publishing (which must wait) finds little left to do.
        let end = offset + count
        if !direct && end - writebackStarted >= writebackStep {
            _ = Syscall.startWriteback(fd, Int64(writebackStarted), Int64(end - writebackStarted))
            writebackStarted = end
        }
    }

    /// Flushes and fsyncs; the file stays temporary (and open, so unnamed) until published.
    package func finish() throws {
        if finished { return }
        try retire()
        if fileOffset % OutputStream.blockSize != 0, case .failure(let e) = Syscall.ftruncate(fd, off_t(fileOffset)) {
            throw CAIR2Error.io("\(publisher.outDir)/\(relativePath): truncate failed: \(errnoText(e.rawValue)); nothing was published")
        }
        if case .failure(let e) = Syscall.fsync(fd) {
            throw CAIR2Error.io("\(publisher.outDir)/\(relativePath): fsync failed: \(errnoText(e.rawValue)); nothing was published")
        }
        finished = true
        sha256Hex = SHA256.hex(sha.finalize())
    }
}

/// The outputs of one run: created as temporary files, published together (rename, then fsync of the
/// directories) or discarded together.
package final class Publisher {
    let outDir: String
    var streams: [OutputStream] = []
    package var finalPaths: [String] = []
    /// Outputs use direct I/O where the file system has it (see `OutputStream`).
    var directIO = true
    /// True when this run created the output folder.
    private(set) var createdDirectory = false
    /// `--file-mode` of the published files (0600 unless widened); quarantine files stay 0600, they hold raw records.
    let fileMode: mode_t

    package init(outDir: String, fileMode: mode_t = FileMode.standard) throws {
        self.outDir = outDir
        self.fileMode = fileMode
        if let status = try? FileStatus.of(path: outDir) {
            if !status.isDirectory { throw CAIR2Error.usage("\(outDir): not a directory") }
        } else {
            createdDirectory = true
            // Like mkdir -p: every missing directory of the path, mode 0700 (0750 or 0755 for a wider --file-mode).
            var path = outDir.hasPrefix("/") ? "/" : ""
            for part in outDir.split(separator: "/", omittingEmptySubsequences: true) {
                path += (path.isEmpty || path.hasSuffix("/") ? "" : "/") + part
                if let e = FileSystem.makeDirectory(path, mode: FileMode.directory(for: fileMode)), e != EEXIST {
                    throw CAIR2Error.usage("\(outDir): cannot create the output directory: \(errnoText(e))")
                }
            }
            if (try? FileStatus.of(path: outDir))?.isDirectory != true {
                throw CAIR2Error.usage("\(outDir): cannot create the output directory")
            }
        }
        if let e = FileSystem.accessError(outDir, W_OK | X_OK) {
            throw CAIR2Error.usage("\(outDir): the output directory is not writable: \(errnoText(e))")
        }
    }

    package func create(relative: String, zstdLevel: Int32?, stagingSize: Int = 4 << 20,
                stagingBuffers: Int = 2) throws -> OutputStream {
        let s = try OutputStream(relativePath: relative, publisher: self, zstdLevel: zstdLevel, stagingSize: stagingSize,
                                 stagingBuffers: stagingBuffers)
        streams.append(s)
        return s
    }

    /// Final paths of every output, in publication order.
    var plannedFinalPaths: [String] { streams.map { "\(outDir)/\($0.relativePath)" } }

    /// Checks every final name, creates the part and quarantine folders, closes the named temporaries, then
    /// (signals held: see `OutputSet`) writes the publication marker and puts each file under its final name
    /// (`TemporaryFile.publish(to:)`: linked straight to a free name, or named and renamed at once), then
    /// fsyncs the directories and removes the marker. Nothing is replaced when a check fails; a failure before
    /// a previous file was replaced takes back what was linked (nothing published); one after leaves the
    /// marker, so the next run and `archive` know the folder may mix two batches.
    package func publishAll() throws {
        for s in streams { try s.finish() }
        var dirs = [outDir]
        var created: [String] = []
        for final in plannedFinalPaths {
            guard let slash = final.lastIndex(of: "/") else { continue }
            let dir = String(final[..<slash])
            if dirs.contains(dir) { continue }
            dirs.append(dir)
            if let status = try? FileStatus.ofLink(path: dir) {
                if !status.isDirectory {
                    throw CAIR2Error.io("\(dir) is in the way (not a directory); nothing was published")
                }
            } else if let e = FileSystem.makeDirectory(
                dir, mode: FileMode.directory(for: dir.hasSuffix("/quarantine") ? FileMode.standard : fileMode)) {
                throw CAIR2Error.io("\(dir): cannot create: \(errnoText(e)); nothing was published")
            } else {
                created.append(dir)
            }
        }
        do {
            try FinalNameCheck.check(plannedFinalPaths)
            // A named temporary (no O_TMPFILE) is closed now; an unnamed one keeps its descriptor until linked.
            for s in streams where s.temporary.path != nil {
                try s.temporary.closeDescriptor()
                s.fd = -1
            }
        } catch {
            for d in created.reversed() { FileSystem.removeDirectory(d) }
            throw CAIR2Error.io(error.description)
        }
        if let delay = Publisher.renameDelay { usleep(delay) }
        // From here on signals are held, so a batch is never half published (PRODUCT.md §4a).
        try Signals.holdingInterrupts {
            // A single file needs none (one rename), unless a cut publication left one: it goes once this one is whole.
            let hadMarker = PublicationMarker.exists(in: outDir)
            let useMarker = streams.count > 1 || hadMarker
            if useMarker {
                do throws(IOError) {
                    try PublicationMarker.create(in: outDir, listing: streams.map(\.relativePath))
                } catch {
                    for d in created.reversed() { FileSystem.removeDirectory(d) }
                    throw CAIR2Error.io("\(error.description); nothing was published")
                }
            }
            var replacedAny = false
            for s in streams {
                let final = "\(outDir)/\(s.relativePath)"
                do throws(IOError) {
                    if try s.temporary.publish(to: final) { replacedAny = true }
                } catch {
                    if replacedAny {
                        throw CAIR2Error.io("\(final): cannot publish: \(error.reason); the publication stopped after replacing "
                            + "some files: \(outDir) may mix two batches (it holds \(PublicationMarker.fileName)); run the command again")
                    }
                    // Nothing was replaced yet: take back the new names, and nothing is published.
                    for path in finalPaths { FileSystem.removeFile(path) }
                    finalPaths.removeAll()
                    if useMarker && !hadMarker { PublicationMarker.remove(in: outDir) }
                    for d in created.reversed() { FileSystem.removeDirectory(d) }
                    throw CAIR2Error.io("\(final): cannot publish: \(error.reason); nothing was published")
                }
                // The bytes are fsynced: a close error can no longer lose them.
                if s.fd >= 0 { _ = try? s.temporary.closeDescriptor(); s.fd = -1 }
                finalPaths.append(final)
                if let delay = Publisher.renameDelay { usleep(delay) }
            }
            // The files are published: a directory that cannot be synced now is not a reason to fail the run.
            for d in dirs { try? FileSystem.syncDirectory(d) }
            if useMarker { PublicationMarker.remove(in: outDir) }
            streams.removeAll()
        }
    }

    /// Test hook (`CAIR2_TEST_RENAME_DELAY_MS`): a pause before and between the renames of a publication,
    /// so a test can send a signal while they run.
    static let renameDelay: UInt32? = {
        guard let v = getenv("CAIR2_TEST_RENAME_DELAY_MS"), let ms = UInt32(String(cString: v)) else { return nil }
        return ms * 1000
    }()

    /// Removes every temporary file; nothing is published.
    package func discardAll() {
        for s in streams {
            // A write in flight must end before its descriptor closes (the number could be reused).
            s.waitForWrites()
            s.temporary.discard()
            s.fd = -1
        }
        streams.removeAll()
    }
}

func errnoText(_ e: Int32 = errno) -> String {
    String(cString: strerror(e))
}
