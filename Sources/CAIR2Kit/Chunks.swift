import CAIR2Core

// Chunk planning and the per-chunk worker (PRODUCT.md §6).
//
// The input is cut at nominal offsets; each chunk's *speculative* start is the
// byte after the first LF at or after its offset, assuming that LF ends a
// record. A worker scans and processes records from its start until the
// scanner passes the next chunk's start, and reports where it really ended.
// The ordered merge checks the chain: when chunk i did not end exactly at
// chunk i+1's speculative start (a quoted field held a newline across the
// cut), chunk i+1 is processed again from chunk i's true end. So the result is
// always the sequential scan's, and speculation only costs time when it fails.
// Positions inside a chunk are chunk-local (lines counted from the chunk's
// start); the merge turns them into file-wide line numbers.

/// One chunk's records, rendered lines and problems.
final class ChunkOutput: @unchecked Sendable {
    // Invariant for @unchecked Sendable: a ChunkOutput is written by exactly one worker, then handed to
    // the merge after the worker finished (concurrentPerform's completion orders the accesses).
    /// Where the chunk's scan started, and where it really ended.
    var start = 0
    var end = 0
    /// Lines (LFs) between `start` and `end` as counted by the scanner.
    var linesScanned = 0
    /// The rendered lines of written records, each `lineWidth` bytes.
    var lines: [UInt8] = []
    var results: [RecordResult] = []
    /// Per record: its line relative to `start` (0-based), and its byte span for quarantine.
    var recordLine: [Int32] = []
    var recordStart: [Int] = []
    var recordNext: [Int] = []
    /// Per record: index of its rendered line in `lines`, or -1.
    var lineIndex: [Int32] = []
    var problems: [Problem] = []
}

enum ChunkPlanner {
    /// Speculative chunk starts for `bytes[from...]`: the first is `from`, each next one follows the first LF at or
    /// after a nominal cut. Always ends with `bytes.count`.
    static func starts(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, chunkSize: Int) -> [Int] {
        var result = [from]
        let n = bytes.count
        let size = max(chunkSize, 1)
        var cut = from + size
        while cut < n {
            var p = cut - 1
            while p < n && bytes[p] != 0x0A { p += 1 }
            let s = p + 1
            if s >= n { break }
            if s > result[result.count - 1] { result.append(s) }
            cut = max(s, cut) + size
        }
        result.append(n)
        return result
    }
}

/// Processes records of one chunk with a worker.
func processChunk(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, stopAt: Int, delimiter: UInt8,
                  worker: RecordWorker, lineWidth: Int, dataWidth: Int) -> ChunkOutput {
    let out = ChunkOutput()
    out.start = start
    var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, position: start, line: 0)
    var rec = CSVRecord()
    var ordinal: Int32 = 0
    let estimate = max(16, (stopAt - start) / 160)
    out.results.reserveCapacity(estimate)
    out.recordLine.reserveCapacity(estimate)
    out.lines.reserveCapacity(estimate * lineWidth)
    var written: Int32 = 0
    while scanner.position < stopAt, scanner.next(&rec) {
        let base = out.lines.count
        out.lines.append(contentsOf: repeatElement(0x20, count: lineWidth))
        let r = out.lines.withUnsafeMutableBufferPointer { lb in
            worker.process(rec, bytes, ordinal: ordinal, out: lb.baseAddress! + base, problems: &out.problems)
        }
        if r.status == .written {
            out.lines[base + lineWidth - 2] = 0x0D
            out.lines[base + lineWidth - 1] = 0x0A
            out.lineIndex.append(written)
            written += 1
        } else {
            out.lines.removeLast(lineWidth)
            out.lineIndex.append(-1)
        }
        out.results.append(r)
        out.recordLine.append(Int32(rec.line))
        out.recordStart.append(rec.start)
        out.recordNext.append(rec.next)
        ordinal += 1
    }
    out.end = scanner.position
    out.linesScanned = scanner.line
    _ = dataWidth
    return out
}
