import CAIR2Compression
import CAIR2Core
import CSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Chunk planning and the per-chunk worker (PRODUCT.md §6).
//
// The input is cut at nominal offsets; each chunk's *speculative* start is the
// byte after the first LF at or after its offset, assuming that LF ends a
// record (or after a later one, when the bytes after it show the LF was inside
// a quoted field: `ChunkCuts.settle`). A worker scans and processes records from its start until the
// scanner passes the next chunk's start, and reports where it really ended.
// The ordered merge checks the chain: when chunk i did not end exactly at
// chunk i+1's speculative start (a quoted field held a newline across the
// cut), chunk i+1 is processed again from chunk i's true end. So the result is
// always the sequential scan's, and speculation only costs time when it fails.
// Positions inside a chunk are chunk-local (lines counted from the chunk's
// start); the merge turns them into file-wide line numbers.

/// One chunk's records, rendered lines and problems. Reused from chunk to chunk (`reset`), so its buffers
/// are allocated (and faulted in) once per worker, not once per chunk.
final class ChunkOutput: @unchecked Sendable {
    // Invariant for @unchecked Sendable: a ChunkOutput is written by exactly one worker, then handed to
    // the merge through ChunkPipeline's lock, and reused only after the merge and every copy of its lines
    // (`OutputStream.write(lines:whenCopied:)`) are done with it: see `copiesPending`.
    /// Holders of the merged chunk's lines: the merge, and each output copying them; the last to let go
    /// gives the object back to its pool (`letGo`).
    let copiesPending = Atomic<Int>(0)
    /// Where the chunk's scan started, where it was planned to stop (the next chunk's speculative start), and
    /// where it really ended.
    @exclusivity(unchecked) var start = 0
    @exclusivity(unchecked) var stopAt = 0
    @exclusivity(unchecked) var end = 0
    /// Lines (LFs) between `start` and `end` as counted by the scanner.
    @exclusivity(unchecked) var linesScanned = 0
    /// The rendered lines of written records, each `lineWidth` bytes.
    @exclusivity(unchecked) private var rendered = ByteBuffer(capacity: 1 << 16)
    /// Bytes of rendered lines.
    var lineCount: Int { rendered.count }
    @exclusivity(unchecked) var results: [RecordResult] = []
    /// Per record: its line relative to `start` (0-based), and its byte span for quarantine.
    @exclusivity(unchecked) var recordLine: [Int32] = []
    @exclusivity(unchecked) var recordStart: [Int] = []
    @exclusivity(unchecked) var recordNext: [Int] = []
    /// Per record: index of its rendered line, or -1.
    @exclusivity(unchecked) var lineIndex: [Int32] = []
    @exclusivity(unchecked) var problems: [Problem] = []
    /// The last record scanned ran to the end of the buffer without a terminator (or its quote never closed):
    /// when more input follows, it is incomplete.
    @exclusivity(unchecked) var lastRecordOpen = false

    /// One holder is done with the lines; true for the last one (the object may then be reused).
    func letGo() -> Bool {
        copiesPending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0
    }

    func reset() {
        start = 0; stopAt = 0; end = 0; linesScanned = 0; rendered.removeAll(); lastRecordOpen = false; frameLines = -1
        results.removeAll(keepingCapacity: true)
        recordLine.removeAll(keepingCapacity: true)
        recordStart.removeAll(keepingCapacity: true)
        recordNext.removeAll(keepingCapacity: true)
        lineIndex.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
    }

    /// Makes room for `n` more bytes of lines.
    @inline(__always) func reserveLines(_ n: Int) { rendered.reserve(n) }

    /// Where the next line is rendered (room reserved with `reserveLines`); `commitLine` takes it in.
    @inline(__always) var nextLine: UnsafeMutablePointer<UInt8> { rendered.base + rendered.count }

    /// Takes in the `width` bytes rendered at `nextLine`.
    @inline(__always) func commitLine(_ width: Int) { rendered.didAppend(width) }

    /// The chunk's lines compressed as one zstd frame by the worker (`--zstd`), when it did.
    @exclusivity(unchecked) var frame: [UInt8] = []
    @exclusivity(unchecked) var frameLength = 0
    @exclusivity(unchecked) var frameLines = -1

    /// Compresses all rendered lines into `frame` (one complete frame with its checksum).
    func compressLines(with compressor: ZstdFrameCompressor) {
        frameLines = -1
        guard lineCount > 0 else { return }
        let bound = Zstd.compressBound(lineCount)
        if frame.count < bound { frame = [UInt8](repeating: 0, count: bound) }
        let source = UnsafeRawBufferPointer(rendered.bytes)
        guard let n = try? frame.withUnsafeMutableBytes({ try compressor.compress(source, into: $0) }) else { return }
        frameLength = n
        frameLines = lineCount
    }

    /// Writes the worker's frame for `job` when the job is exactly all of this chunk's lines; false otherwise
    /// (the caller then writes the lines, compressed by the stream).
    func writeFrameIfWhole(_ job: WriteJob, lineWidth: Int) throws -> Bool {
        guard frameLines == lineCount, job.first == 0, job.count * lineWidth == lineCount else { return false }
        try frame.withUnsafeBufferPointer { try job.stream.writeFrame(UnsafeBufferPointer(rebasing: $0[0..<frameLength]), uncompressed: lineCount) }
        return true
    }

    /// Forgets the last record (its line, result and problems): it is carried to the next block.
    func dropLastRecord(lineWidth: Int) {
        guard let last = results.indices.last else { return }
        if lineIndex[last] >= 0 { rendered.removeLast(lineWidth) }
        let ordinal = Int32(last)
        while let p = problems.last, p.record == ordinal { problems.removeLast() }
        end = recordStart[last]
        linesScanned = Int(recordLine[last])
        results.removeLast(); recordLine.removeLast(); recordStart.removeLast(); recordNext.removeLast()
        lineIndex.removeLast()
        lastRecordOpen = false
    }

    /// The rendered bytes of lines `first..<first+count`.
    func lines(_ first: Int, _ count: Int, width: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: rendered.bytes[(first * width)..<((first + count) * width)])
    }
}

/// Speculative chunk starts, found on demand and in order: the first is `from`, each next one follows the first LF
/// at or after a nominal cut (`size` bytes after the previous cut, or after the previous start when a record is
/// longer than that), moved on by `settle` when that LF was inside a quoted field. The last is the block's end.
///
/// Found as chunks are claimed, not all before the first one: planning a whole mapped file up front faulted a
/// page at every cut, one after another, before any worker started.
///
/// The last `taper` chunks' worth of the block is cut an eighth as fine: after the workers' last chunk the merging
/// thread still merges and hashes what they finished ahead of it, alone, and at the end of a block that is
/// work in smaller pieces (a t2 timeline of a million members ended with 25-30 ms of one core).
struct ChunkCuts {
    let bytes: UnsafeBufferPointer<UInt8>
    let size: Int
    let delimiter: UInt8
    /// The starts found so far; once `complete`, the last one is `bytes.count`.
    private(set) var starts: [Int]
    private(set) var complete = false
    private var cut: Int
    static let taper = 8

    init(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, size: Int, delimiter: UInt8) {
        self.bytes = bytes
        self.size = max(size, 1)
        self.delimiter = delimiter
        starts = [from]
        cut = from + ChunkCuts.step(from: from, size: self.size, end: bytes.count)
    }

    /// The nominal size of the chunk that starts at `from` (`--chunk-size` may be absurdly large: no overflow).
    static func step(from: Int, size: Int, end: Int) -> Int {
        let (zone, overflow) = size.multipliedReportingOverflow(by: taper)
        return !overflow && end - from > zone ? size : max(size / 8, 1)
    }

    /// Whether chunk `k` exists; when it does, `starts[k]` and `starts[k + 1]` (its end) are known.
    mutating func has(_ k: Int) -> Bool {
        while starts.count <= k + 1 && !complete { findNext() }
        return k + 1 < starts.count
    }

    private mutating func findNext() {
        let n = bytes.count
        while cut < n, let base = bytes.baseAddress {
            let p = cut - 1
            // The byte after the first LF at or after the cut (past the end when there is none).
            let lf = memchr(base + p, 0x0A, n - p)
            var s = lf.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) + 1 } ?? n + 1
            if s < n { s = ChunkCuts.settle(s, in: base, count: n, delimiter: delimiter) }
            if s >= n { break }
            cut = max(s, cut) + ChunkCuts.step(from: max(s, cut), size: size, end: n)
            if s > starts[starts.count - 1] {
                starts.append(s)
                return
            }
        }
        starts.append(n)
        complete = true
    }
}

extension ChunkCuts {
    /// A speculative start `s` (the byte after an LF), moved to the next record when the bytes after it show
    /// that the LF was inside a quoted field: the first quote after `s` closes a field (it follows a byte that
    /// is not a delimiter, an LF or a quote, and a delimiter or the row's end follows it), so `s` is in the middle
    /// of that field, and the record goes on to the LF after the quote. Otherwise (no quote in the next KiB, or
    /// one that opens a field, or one that could be either) `s` stays.
    ///
    /// Only a guess: the merge checks every chunk's start against where the previous chunk really ended and
    /// processes a wrong one again, so a wrong guess costs time, never a byte of output. A redone chunk is a
    /// chunk's worth of records processed twice, the second time by the merging thread while the workers wait
    /// at the window's edge; the own corpus's quoted newlines (one record in 66 has one) put one cut in 120 to
    /// 180 inside a field, and the merging thread's CPU a million members fell by a quarter without those redos
    /// (docs/PERFORMANCE.md, session 11).
    static func settle(_ start: Int, in p: UnsafePointer<UInt8>, count n: Int, delimiter: UInt8) -> Int {
        var s = start
        for _ in 0..<4 {
            guard s < n, let found = memchr(p + s, 0x22, min(n - s, 1024)) else { return s }
            let q = UnsafeRawPointer(found) - UnsafeRawPointer(p)
            guard q > s else { return s }
            let before = p[q - 1]
            if before == delimiter || before == 0x0A || before == 0x22 { return s }
            let after: UInt8 = q + 1 < n ? p[q + 1] : 0x0A
            guard after == delimiter || after == 0x0D || after == 0x0A else { return s }
            guard let lf = memchr(p + q, 0x0A, n - q) else { return n }
            s = UnsafeRawPointer(lf) - UnsafeRawPointer(p) + 1
        }
        return s
    }
}

package enum ChunkPlanner {
    /// Every speculative chunk start of `bytes[from...]` (see `ChunkCuts`), ending with `bytes.count`.
    package static func starts(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, chunkSize: Int,
                               delimiter: UInt8 = 0x2C) -> [Int] {
        var cuts = ChunkCuts(bytes, from: from, size: chunkSize, delimiter: delimiter)
        var k = 0
        while cuts.has(k) { k += 1 }
        return cuts.starts
    }
}

/// Processes records of one chunk with a worker, into `out` (reset first).
func processChunk(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, stopAt: Int, delimiter: UInt8,
                  worker: RecordWorker, lineWidth: Int, into out: ChunkOutput = ChunkOutput()) -> ChunkOutput {
    out.reset()
    out.start = start
    out.stopAt = stopAt
    var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, position: start, line: 0)
    var rec = CSVRecord()
    // A row with more fields than the header is E_FIELD_COUNT however many it has: its storage stays small.
    rec.fieldLimit = worker.rules.plan.headerCount + 1
    var ordinal: Int32 = 0
    let estimate = max(16, (stopAt - start) / 160)
    out.results.reserveCapacity(estimate)
    out.recordLine.reserveCapacity(estimate)
    out.reserveLines(estimate * lineWidth)
    var written: Int32 = 0
    // Prefetches each cache line about 2 KiB ahead of the scan: the page-cache pages of a mapped input are
    // scattered, so the hardware prefetcher stops at every 4 KiB page and the scanner would wait on each miss.
    var ahead = start
    let limit = bytes.count
    let base = bytes.baseAddress!
    while scanner.position < stopAt, scanner.next(&rec) {
        let want = min(limit, scanner.position + 2048)
        while ahead < want {
            cair2_prefetch(base + ahead)
            ahead += 64
        }
        out.reserveLines(lineWidth)
        let slot = out.nextLine
        slot.initialize(repeating: 0x20, count: lineWidth - 2)
        let r: RecordResult
        let tooLong = rec.end &- rec.start > InputLimits.recordBytes && !rec.unterminated
        if _slowPath(tooLong) {
            // §4a: not read further (a worker's buffers would grow with it), and not copied to the quarantine
            // file (a streamed one is never held whole): an empty span.
            r = RecordResult()
            out.problems.append(Problem(record: ordinal, field: -1, code: .recordTooLong))
        } else {
            r = worker.process(rec, bytes, ordinal: ordinal, out: slot, problems: &out.problems)
        }
        if r.status == .written {
            slot[lineWidth - 2] = 0x0D
            slot[lineWidth - 1] = 0x0A
            out.commitLine(lineWidth)
            out.lineIndex.append(written)
            written += 1
        } else {
            out.lineIndex.append(-1)
        }
        out.results.append(r)
        out.recordLine.append(Int32(rec.line))
        out.recordStart.append(rec.start)
        out.recordNext.append(tooLong ? rec.start : rec.next)
        ordinal += 1
    }
    out.end = scanner.position
    out.linesScanned = scanner.line
    if !out.results.isEmpty {
        out.lastRecordOpen = rec.unterminated || (rec.next == bytes.count && (rec.next == rec.end))
    }
    return out
}
