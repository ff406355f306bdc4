import CAIR2Core
import CAIR2IO
import CSupport
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

// The ordered merge of one input (PRODUCT.md §6).
//
// Chunks arrive here in input order, on the merging thread only. For each the merge checks the speculation
// chain (a chunk whose speculative start is not where the previous one really ended is processed again from
// the true position), applies the duplicate-id rule and fills the patient index (patients), assigns parts,
// counts, writes the report rows and the quarantined records, and returns the written lines as `WriteJob`s
// for the outputs. Workers count lines chunk-locally; the merge turns them into file-wide line numbers.

/// The merge state of one input: where the sequential scan really is, the counts, the patient index.
struct OrderedMerge {
    let input: InputFile
    let kind: LayoutKind
    let layout: Layout
    let options: ConvertOptions
    let lineWidth: Int
    let sink: LineSink
    let rows: ReportSpool
    let quarantine: OutputStream?
    /// The merging thread's worker: processes a chunk again when its speculation failed.
    let worker: RecordWorker
    let isPatient: Bool
    /// Written patients (and queries) per part (`--max-records-per-file`; `Int.max` for the other kinds).
    let splitEvery: Int
    let dupField: Int16
    /// Patients: every structurally valid id (the duplicate rule), with birth date and part of the written ones.
    /// Read it through `takeIndex()` once merging is done. While `pendingIndex` is being built, a small index
    /// in its place, which the built one absorbs (`adoptIndex`).
    private var index: PatientIndex
    /// The patient index being built off the merging thread (see `PendingIndex`), until the merge adopts it.
    private var pendingIndex: PendingIndex?
    /// The most ids the stand-in index takes before the merge waits for the build. The build is the first touch
    /// of tens of MiB (36 MiB at a million members), which took from 5 to 130 ms on this machine depending on
    /// the host; a merge that waited for it stopped the workers at the window's edge for most of that.
    static let standInLimit = 1 << 18
    var summary: FileSummary
    var writtenCount = 0
    /// Lines before the current chunk's start.
    var lineBase = 0
    /// Where the sequential scan really is, in the current block.
    var trueEnd = 0
    /// The current block.
    var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The block may end inside a record (streamed input, more to come).
    var openTail = false
    /// Stream bytes dropped before the current block.
    var consumedBefore = 0
    /// A mapped input: processed pages are handed back to the kernel.
    var releaseMapped = false
    private var released = 0
    private var advisedUpTo = 0
    /// Runs the mapped input's page advice (read ahead, drop behind) off the merging thread: each call is a
    /// system call that walks the range's page tables, about a tenth of the merge's own time on a million members.
    private let pageAdvice = DispatchQueue(label: "cair2.merge.advice")
    /// A run of consecutive records with the same mask of defaulted fields, for `defaults_applied`.
    private var maskRun = (mask: UInt64(0), count: 0)
    /// Problems reported per code, added to the summary's counts by name in `finish` (a dictionary keyed by the
    /// name hashed a string per problem).
    private var codeCounts = [Int](repeating: 0, count: ProblemCode.allCases.count)
    /// Each report row's end (field, code, message) by field and code: its number in `rows`, -1 until the first
    /// such row.
    private var rowTails: [Int32]
    /// `ProblemCode.allCases.count`, once (`allCases` is a computed property).
    private let codeCount = ProblemCode.allCases.count
    /// The merging thread's CPU (`CAIR2_MERGE_CPU=1`, docs/PERFORMANCE.md).
    var mergeCPU = MergeCPU.Tally()

    init(input: InputFile, kind: LayoutKind, options: ConvertOptions, lineWidth: Int, sink: LineSink,
         rows: ReportSpool, quarantine: OutputStream?, worker: RecordWorker, splitEvery: Int, summary: FileSummary) {
        self.input = input
        self.kind = kind
        self.layout = kind.layout
        self.options = options
        self.lineWidth = lineWidth
        self.sink = sink
        self.rows = rows
        self.quarantine = quarantine
        self.worker = worker
        self.isPatient = kind == .patient
        self.splitEvery = splitEvery
        self.dupField = Int16(layout.index(of: "record_id") ?? -1)
        self.index = PatientIndex(capacity: isPatient ? 1 << 14 : 16)
        self.pendingIndex = isPatient ? PendingIndex(input: input, options: options) : nil
        self.summary = summary
        self.rowTails = [Int32](repeating: -1, count: (layout.fields.count + 1) * codeCount)
    }

    private func partOf(_ n: Int) -> Int32 { Int32(n / splitEvery) }

    /// Starts a block: the merge continues at `from` in `block`.
    mutating func begin(block: UnsafeBufferPointer<UInt8>, from: Int, isFinal: Bool) {
        bytes = block
        openTail = !isFinal
        trueEnd = from
    }

    /// Forgets the current block (its bytes may be gone once the caller's scope ends).
    mutating func endBlock() {
        pageAdvice.sync {}  // no advice may outlive the block's mapping
        bytes = UnsafeBufferPointer(start: nil, count: 0)
    }

    /// The patient index, complete once the last chunk is merged (built now if no chunk was).
    mutating func takeIndex() -> PatientIndex {
        adoptIndex(wait: true)
        return index
    }

    /// Whether a merge would start without waiting for the patient index's build: until then the merging thread
    /// processes chunks rather than wait.
    var indexReady: Bool {
        guard let pending = pendingIndex else { return true }
        return pending.isBuilt || index.count < OrderedMerge.standInLimit
    }

    /// Takes the index from its build on another thread once it is built (or, with `wait` or a full stand-in,
    /// waits for it), moving the stand-in's ids into it.
    private mutating func adoptIndex(wait: Bool) {
        guard let pending = pendingIndex,
              wait || pending.isBuilt || index.count >= OrderedMerge.standInLimit else { return }
        var built = pending.take()
        built.absorb(index)
        index = built
        pendingIndex = nil
    }

    /// The counts, complete (the last run of defaulted fields counted).
    mutating func finish() -> FileSummary {
        flushMaskRun()
        for code in ProblemCode.allCases where codeCounts[Int(code.rawValue)] > 0 {
            if code.severity == .warning {
                summary.warnings[code.name, default: 0] += codeCounts[Int(code.rawValue)]
            } else {
                summary.rejectCodes[code.name, default: 0] += codeCounts[Int(code.rawValue)]
            }
        }
        codeCounts = [Int](repeating: 0, count: ProblemCode.allCases.count)
        if MergeCPU.enabled && mergeCPU.records > 0 { MergeCPU.report(mergeCPU.line(input: summary.input)) }
        return summary
    }

    private mutating func flushMaskRun() {
        var m = maskRun.mask
        while m != 0 {
            summary.defaultsApplied[m.trailingZeroBitCount] += maskRun.count
            m &= m - 1
        }
        maskRun = (0, 0)
    }

    /// Asks the kernel to read the mapped input ahead of the merge (`MADV_WILLNEED`, asynchronous): a cold input
    /// (a nightly extract written hours ago) is then read in large sequential requests while the workers parse,
    /// instead of one page fault at a time in each worker. Cheap when the pages are cached.
    mutating func adviseAhead() {
        let window = 64 << 20
        guard let base = bytes.baseAddress, advisedUpTo < bytes.count, trueEnd + window / 2 >= advisedUpTo else { return }
        let page = 1 << 12
        let from = max(advisedUpTo, trueEnd) & ~(page - 1)
        let to = min(bytes.count, trueEnd + window)
        guard to > from else { return }
        nonisolated(unsafe) let start = UnsafeRawPointer(base + from)
        pageAdvice.async { PageAdvice.willNeed.apply(to: start, count: to - from) }
        advisedUpTo = to
    }

    /// Drops the mapped pages the merge is done with, so resident memory follows the window of chunks, not
    /// the file's size (the pages are clean: the kernel can always read them again).
    private mutating func releaseProcessedInput() {
        let page = 1 << 16
        let upTo = trueEnd & ~(page - 1)
        guard upTo - released >= 32 << 20, let base = bytes.baseAddress else { return }
        nonisolated(unsafe) let start = UnsafeRawPointer(base + released)
        let count = upTo - released
        pageAdvice.async { PageAdvice.dontNeed.apply(to: start, count: count) }
        released = upTo
    }

    /// Merges chunk `c` in input order: checks the speculation chain, then duplicate ids (patients), parts,
    /// counts, reports, and the lines to the outputs.
    mutating func merge(_ c: Int, _ speculative: ChunkOutput) throws -> (ChunkOutput, [WriteJob]) {
        if options.cancellation?.isCancelled == true { throw CAIR2Error.cancelled }
        adoptIndex(wait: false)
        var chunk = speculative
        var jobs: [WriteJob] = []
        if chunk.start != trueEnd {
            // Speculation failed (a quoted newline crossed the cut): redo from the true position, into the same
            // output object (its `reset` drops the worker's frame too). A fresh object per failure grew the merge
            // thread's heap by a chunk's buffers each time on large inputs.
            chunk = processChunk(bytes, start: trueEnd, stopAt: max(speculative.stopAt, trueEnd),
                                 delimiter: options.delimiter, worker: worker, lineWidth: lineWidth, into: speculative)
        }
        if openTail && chunk.end == bytes.count && chunk.lastRecordOpen {
            // The block ends inside this record: it is carried to the next block and processed there.
            chunk.dropLastRecord(lineWidth: lineWidth)
        }
        // Merge: duplicate ids (patients), parts, counts, reports, lines to the outputs.
        var pi = 0
        let problems = chunk.problems
        var runStart = -1  // start of a run of consecutive written lines in chunk.lines
        var runPart: Int32 = 0
        var runLen = 0
        let sink = self.sink
        func flush() throws {
            if runLen > 0 {
                // Hashed and staged for the file in order, by this (the merging) thread.
                jobs.append(WriteJob(stream: try sink.stream(part: runPart), first: runStart, count: runLen))
            }
            runLen = 0
            runStart = -1
        }
        // The id table is far bigger than the caches: each record prefetches the slot of the record 8 ahead, so
        // the misses of consecutive inserts overlap instead of following one another. Two lines: an insert
        // probes past its home slot until an empty one, at two thirds load about five slots (120 bytes), and the
        // merge's CPU a million members fell by a tenth with the second line (docs/PERFORMANCE.md, session 11).
        let lookahead = 8
        @inline(__always) func prefetchSlot(_ hash: UInt64) {
            let home = index.prefetchAddress(hash: hash)
            cair2_prefetch(UnsafeRawPointer(bitPattern: home))
            cair2_prefetch(UnsafeRawPointer(bitPattern: home &+ 64))
        }
        // The chunk's arrays as locals: read through the class on every record, each access retained and
        // released its array.
        let results = chunk.results, recordLine = chunk.recordLine, lineIndex = chunk.lineIndex
        if isPatient {
            for r in 0..<min(lookahead, results.count) where results[r].structural && !results[r].id.isEmpty {
                prefetchSlot(results[r].idHash)
            }
        }
        for r in 0..<results.count {
            if isPatient && r + lookahead < results.count && results[r + lookahead].structural
                && !results[r + lookahead].id.isEmpty {
                prefetchSlot(results[r + lookahead].idHash)
            }
            var res = results[r]
            let line = lineBase + Int(recordLine[r]) + 1
            let firstP = pi
            while pi < problems.count && problems[pi].record == Int32(r) { pi += 1 }
            var extra: Problem?
            // Only a record past the structural checks takes part in the duplicate rule (§3a).
            if isPatient && res.structural && !res.id.isEmpty {
                // One probe does both: the duplicate check and, for a written patient, its index entry.
                let entry = res.status == .written
                    ? PatientIndex.Entry(birth: res.date, part: partOf(writtenCount)) : nil
                let inserted = index.insert(res.id, hash: res.idHash, entry)
                if !inserted && res.status != .excluded {
                    extra = Problem(record: Int32(r), field: dupField, code: .duplicateID)
                    res.status = .rejected
                }
            }
            summary.inputRecords += 1
            // Consecutive records nearly always share their mask of defaulted fields: count runs, not bits.
            if res.defaultsApplied != maskRun.mask {
                flushMaskRun()
                maskRun.mask = res.defaultsApplied
            }
            maskRun.count += 1
            if let e = extra { try report(e, line: line, result: res) }
            for p in problems[firstP..<pi] { try report(p, line: line, result: res) }
            switch res.status {
            case .written:
                let part: Int32 = isPatient || kind == .query ? partOf(writtenCount) : res.part
                writtenCount += 1
                summary.written += 1
                let li = Int(lineIndex[r])
                if runLen > 0 && (runPart != part || runStart + runLen != li) { try flush() }
                if runLen == 0 { runStart = li; runPart = part }
                runLen += 1
            case .rejected:
                summary.rejected += 1
                if let quarantine {
                    try quarantineRecord(chunk, r, into: quarantine,
                                         problems: (extra.map { [$0] } ?? []) + Array(problems[firstP..<pi]))
                }
            case .excluded:
                summary.excluded += 1
            }
        }
        try flush()
        lineBase += chunk.linesScanned
        trueEnd = chunk.end
        if releaseMapped {
            releaseProcessedInput()
            adviseAhead()
        }
        if let progress = options.progress {
            progress(ConvertProgress(input: summary.input, kind: kind, bytesDone: consumedBefore + trueEnd,
                                     bytesTotal: input.knownSize, records: summary.inputRecords,
                                     written: summary.written, rejected: summary.rejected, excluded: summary.excluded,
                                     finished: false))
        }
        return (chunk, jobs)
    }

    /// One report row (`rejects.csv` or `warnings.csv`) for a problem of the record, and its count. The row's
    /// end (field, code, message) is registered once per field and code; the spool formats the rows.
    private mutating func report(_ p: Problem, line: Int, result res: RecordResult) throws {
        let t = (Int(p.field) + 1) * codeCount + Int(p.code.rawValue)
        if rowTails[t] < 0 {
            rowTails[t] = rows.tail(field: p.field >= 0 ? layout.fields[Int(p.field)].name : "",
                                    code: p.code, message: p.code.message(field: Int(p.field), layout: layout))
        }
        try rows.add(line: line, id: res.id, tail: rowTails[t], code: p.code)
        codeCounts[Int(p.code.rawValue)] += 1
    }

    private func quarantineRecord(_ chunk: ChunkOutput, _ r: Int, into quarantine: OutputStream,
                                  problems: [Problem]) throws {
        var end = chunk.recordNext[r]
        let start = chunk.recordStart[r]
        var terminator: [UInt8] = [0x0A]
        if end > start && bytes[end - 1] == 0x0A {
            end -= 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1; terminator = [0x0D, 0x0A] }
        }
        try quarantine.write(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        var codes: [String] = []
        for p in problems where p.code.severity == .reject {
            codes.append(p.field >= 0 ? "\(p.code.name):\(layout.fields[Int(p.field)].name)" : p.code.name)
        }
        try quarantine.write([options.delimiter] + csvCell(Array(codes.joined(separator: " ").utf8),
                                                           neutralize: false, delimiter: options.delimiter)
                             + terminator)
    }

    /// Reads past the record that starts at `start` in the stream's buffer, longer than a record may be, to its
    /// row end, and rejects it: `E_RECORD_TOO_LONG`, or `E_UNTERMINATED_QUOTE` when the input ends inside its
    /// quote. True when the input ended.
    mutating func skipLongRecord(in stream: BlockStream, at start: Int) throws -> Bool {
        var skipper = RecordSkipper()
        var at = start
        var ended = false
        while true {
            let buffered = stream.buffered
            if at < buffered.count,
               let n = skipper.advance(UnsafeBufferPointer(rebasing: buffered[at...]), delimiter: options.delimiter) {
                stream.consume(upTo: at + n)
                consumedBefore += at + n
                break
            }
            if buffered.count > 0 {
                stream.consume(upTo: buffered.count)
                consumedBefore += buffered.count
            }
            at = 0
            if try stream.fill() && stream.buffered.count == 0 { ended = true; break }
        }
        let code: ProblemCode = ended && skipper.inQuote ? .unterminatedQuote : .recordTooLong
        summary.inputRecords += 1
        summary.rejected += 1
        summary.rejectCodes[code.name, default: 0] += 1
        try rows.add(line: lineBase + 1, recordID: [], field: "", code: code, message: code.message(field: -1, layout: layout))
        lineBase += skipper.lines
        return ended
    }
}
