import CAIR2IO
import CAIR2Core
import Dispatch
import Glibc
import Synchronization

/// A nameless temporary file in the output directory for run-long state that must not live in memory: the
/// spilled runs of the patient index, and report rows past their buffer.
///
/// Created on the first append by `TemporaryFile` (mode 0600): unnamed (`O_TMPFILE`) where the file system
/// allows, else under an unpredictable registered name that is unlinked at once. From then on only the
/// descriptor holds it, so no exit (signal, failure, even SIGKILL) can leave it behind, and the kernel frees
/// it when the descriptor closes (deinit).
///
/// Failures do not throw on the index's hot path: the first one is kept and `check()` throws it (exit 3).
package final class ScratchFile: SpillStorage, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `fd` and `size` are written only by `append`, on one thread (the
    // merge), and `read` runs concurrently only once the appends are over (the patient input is merged);
    // `failure` is only touched under its mutex.
    private var fd: Int32 = -1
    /// Owns `fd` (closes it when the scratch file goes).
    private var temporary: TemporaryFile?
    private(set) var size = 0
    private let directory: String
    private let failure = Mutex<CAIR2Error?>(nil)
    private static let serial = Atomic<Int>(0)

    /// Names this file in the threads' block caches.
    private let serial = ScratchFile.serial.add(1, ordering: .relaxed).newValue

    package init(directory: String) {
        self.directory = directory
    }

    /// The patient index's table asks for transparent huge pages (`MADV_HUGEPAGE`, where the kernel leaves them
    /// to madvise): it is probed at random, and with 4 KiB pages almost every insert into its ~36 MiB also missed
    /// the TLB (docs/PERFORMANCE.md). Only whole pages inside the array are advised.
    package var tableMemoryAdvice: IDTable.MemoryAdvice? {
        { start, count in PageAdvice.hugePages.apply(to: start, count: count) }
    }


    /// The first failure, if any.
    package var error: CAIR2Error? { failure.withLock { $0 } }

    /// Throws the first failure (exit 3: nothing is published).
    func check() throws {
        if let e = error { throw e }
    }

    private func fail(_ e: CAIR2Error) {
        failure.withLock { if $0 == nil { $0 = e } }
    }

    private func create() -> Bool {
        // Unnamed (O_TMPFILE) where the file system allows; else named, registered, and unlinked at once.
        let file: TemporaryFile
        do {
            file = try TemporaryFile.create(in: directory)
        } catch {
            fail(CAIR2Error.io("\(directory): cannot create a scratch file: \(error.reason); nothing was published"))
            return false
        }
        file.forgetName()
        temporary = file
        fd = file.fd
        return true
    }

    /// Appends `bytes` at the end; the offset they start at, or nil after a failure.
    package func append(_ bytes: UnsafeRawBufferPointer) -> Int? {
        if error != nil { return nil }
        if fd < 0 && !create() { return nil }
        do {
            try FileDescriptor(rawValue: fd, path: directory).writeAll(bytes)
        } catch {
            fail(CAIR2Error.io("\(directory): scratch file write failed: \(error.reason); nothing was published"))
            return nil
        }
        let at = size
        size += bytes.count
        return at
    }

    /// Fills `buffer` from `offset` (pread: safe from several threads at once). Small reads go through the
    /// calling thread's `BlockCache`: immunizations come grouped by patient, so the same blocks are asked for
    /// again and again, and the bytes of an offset never change (the file is append-only).
    package func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        guard buffer.count <= BlockCache.blockBytes else { return readFile(into: buffer, at: offset) }
        let cache = BlockCache.current
        if cache.copy(file: serial, offset: offset, into: buffer) { return true }
        guard readFile(into: buffer, at: offset) else { return false }
        cache.store(file: serial, offset: offset, UnsafeRawBufferPointer(buffer))
        return true
    }

    private func readFile(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        var done = 0
        while done < buffer.count {
            let result = Syscall.pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            let n = (try? result.get()) ?? -1
            if n <= 0 {
                let reason: String
                if case .failure(let e) = result { reason = errnoText(e.rawValue) } else { reason = "unexpected end of file" }
                fail(CAIR2Error.io("\(directory): scratch file read failed: \(reason); nothing was published"))
                return false
            }
            done += n
        }
        return true
    }
}

/// The last blocks one thread read from scratch files: thread-local (a pthread key), so lookups share no
/// mutable state. Freed when its thread ends.
final class BlockCache {
    static let blockBytes = 4096
    static let slots = 16
    private var files = [Int](repeating: -1, count: slots)
    private var offsets = [Int](repeating: -1, count: slots)
    private var sizes = [Int](repeating: 0, count: slots)
    private let data = UnsafeMutableRawPointer.allocate(byteCount: slots * blockBytes, alignment: 64)
    private var next = 0

    deinit { data.deallocate() }

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = pthread_key_create(&k) { p in
            if let p { Unmanaged<BlockCache>.fromOpaque(p).release() }
        }
        precondition(rc == 0, "pthread_key_create failed")
        return k
    }()

    /// The calling thread's cache.
    static var current: BlockCache {
        if let p = pthread_getspecific(key) { return Unmanaged<BlockCache>.fromOpaque(p).takeUnretainedValue() }
        let c = BlockCache()
        pthread_setspecific(key, Unmanaged.passRetained(c).toOpaque())
        return c
    }

    func copy(file: Int, offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        for i in 0..<BlockCache.slots where offsets[i] == offset && files[i] == file && sizes[i] == buffer.count {
            buffer.baseAddress!.copyMemory(from: data + i * BlockCache.blockBytes, byteCount: buffer.count)
            return true
        }
        return false
    }

    func store(file: Int, offset: Int, _ bytes: UnsafeRawBufferPointer) {
        let i = next
        next = (next + 1) % BlockCache.slots
        (data + i * BlockCache.blockBytes).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        files[i] = file
        offsets[i] = offset
        sizes[i] = bytes.count
    }
}

/// The patient index for an input of `input`'s size (in memory within `options.idTableBudget`, spilling to a
/// scratch file in the output directory past it), built on another thread while the workers parse the first
/// chunks. Its table is tens of MiB, all written at creation: the first touch of those pages, a fault per huge
/// page zeroed by the kernel, took up to 80 ms here (docs/PERFORMANCE.md, session 8), and on the merging thread
/// that came before any chunk was merged.
final class PendingIndex: @unchecked Sendable {
    /// Written once by the build, before `built` is signalled; read after waiting for it.
    private var index: PatientIndex?
    private let built = DispatchSemaphore(value: 0)
    /// Set once `index` is written (before `built` is signalled): the merging thread looks without waiting.
    private let done = Atomic<Bool>(false)

    init(input: InputFile, options: ConvertOptions) {
        let expected = max(1024, input.sizeHint / 200), budget = options.idTableBudget, outDir = options.outDir
        let gate = options.indexBuildGate
        DispatchQueue.global().async { [self] in
            gate?()
            index = PatientIndex(expected: expected, budgetBytes: budget, storage: ScratchFile(directory: outDir))
            done.store(true, ordering: .releasing)
            built.signal()
        }
    }

    /// Whether the build is done (`take` would not wait).
    var isBuilt: Bool { done.load(ordering: .acquiring) }

    /// The index, once built (waits for the build); call once.
    func take() -> PatientIndex {
        built.wait()
        defer { index = nil }
        return index!
    }
}

/// Throws the failure of the patient index's scratch file, if any (a spill or a lookup could not be done).
func checkPatientIndex(_ index: PatientIndex?) throws {
    if let scratch = index?.spillStorage as? ScratchFile { try scratch.check() }
}
