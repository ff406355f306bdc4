import CAIR2Compression
import CAIR2Core
import Dispatch

/// Drives one block of input (a whole mapped file, or one buffer of a stream) through the chunks and the
/// ordered merge: sequentially on the calling thread, or with worker threads that claim chunks in order.
struct BlockDriver {
    let threads: Int
    /// How many chunks the workers may claim ahead of the merge.
    let window: Int
    let chunkSize: Int
    let delimiter: UInt8
    let lineWidth: Int
    let zstdLevel: Int32?
    /// Each worker thread makes its own `RecordWorker` from these.
    let rules: RecordRules
    /// The merging thread's worker (the same object as the merge's): it processes chunks between merges.
    let merger: RecordWorker
    /// The sequential path's chunk outputs, reused once their lines are copied.
    let spare = ChunkOutputPool()

    /// Processes every complete record of `block` from `from`; returns where the unprocessed rest begins
    /// (the block's end, or the start of a record the block cuts when more input follows).
    func run(_ block: UnsafeBufferPointer<UInt8>, from: Int, isFinal: Bool, merge: inout OrderedMerge) throws -> Int {
        merge.begin(block: block, from: from, isFinal: isFinal)
        if threads <= 1 || block.count - from <= chunkSize {
            return try runSequential(block, from: from, merge: &merge)
        }
        return try runParallel(block, from: from, merge: &merge)
    }

    /// Sequential: each chunk starts where the previous one really ended (but for the chunks processed ahead while
    /// the patient index is built).
    private func runSequential(_ block: UnsafeBufferPointer<UInt8>, from: Int, merge: inout OrderedMerge) throws -> Int {
        var cuts = ChunkCuts(block, from: from, size: chunkSize, delimiter: delimiter)
        var c = 0
        // Chunks c, c + 1, ... processed before their merge: while a merge would wait for the patient index's
        // build on another thread (its stand-in full, `OrderedMerge.indexReady`), this one processes the next
        // chunks (from their speculative starts; the merge redoes a wrong one) instead, at most `window` of them.
        var ahead: [ChunkOutput] = []
        while cuts.has(c) {
            while !merge.indexReady && ahead.count < window && cuts.has(c + ahead.count) {
                let k = c + ahead.count
                let start = ahead.isEmpty ? merge.trueEnd : cuts.starts[k]
                ahead.append(processChunk(block, start: start, stopAt: max(cuts.starts[k + 1], start),
                                          delimiter: delimiter, worker: merger, lineWidth: lineWidth, into: spare.take()))
            }
            let chunk = ahead.isEmpty
                ? processChunk(block, start: merge.trueEnd, stopAt: max(cuts.starts[c + 1], merge.trueEnd),
                               delimiter: delimiter, worker: merger, lineWidth: lineWidth, into: spare.take())
                : ahead.removeFirst()
            let t0 = MergeCPU.enabled ? MergeCPU.now() : 0
            let h0 = MergeCPU.hashNanos
            let (merged, jobs) = try merge.merge(c, chunk)
            let t1 = MergeCPU.enabled ? MergeCPU.now() : 0
            try write(merged, jobs, pool: spare)
            if MergeCPU.enabled { merge.mergeCPU.add(merge: t1 &- t0, writesFrom: t1, hashFrom: h0, records: merged.results.count) }
            c += 1
        }
        return merge.trueEnd
    }

    /// Hands a merged chunk's lines to their outputs: hashed on this thread, copied into the outputs' staging
    /// rings by their copy queues (`OutputStream.write(lines:whenCopied:)`). The chunk output goes back to
    /// `pool` when the last of those copies is done, never before: its lines are the copies' source.
    private func write(_ merged: ChunkOutput, _ jobs: [WriteJob], pool: ChunkOutputPool) throws {
        merged.copiesPending.store(jobs.count + 1, ordering: .releasing)
        defer { if merged.letGo() { pool.give(merged) } }
        for j in jobs {
            try j.stream.write(lines: merged.lines(j.first, j.count, width: lineWidth)) {
                if merged.letGo() { pool.give(merged) }
            }
        }
    }

    /// Parallel: `threads - 1` worker threads and this one claim chunks in order, at most `window` ahead of
    /// the merge. This thread also merges, hashes and stages every chunk in order, as soon as the next one is
    /// ready, and processes chunks in between. So `--threads N` keeps exactly N threads busy: a separate
    /// merge or writer thread made three busy threads on two cores, the scheduler let the serial one fall
    /// behind, and the workers then stood idle at the window's edge (docs/PERFORMANCE.md).
    private func runParallel(_ block: UnsafeBufferPointer<UInt8>, from: Int, merge: inout OrderedMerge) throws -> Int {
        let pipe = ChunkPipeline(cuts: ChunkCuts(block, from: from, size: chunkSize, delimiter: delimiter), window: window)
        let group = DispatchGroup()
        nonisolated(unsafe) let input = block
        let delimiter = self.delimiter
        let zstdLevel = self.zstdLevel
        let rules = self.rules
        let lineWidth = self.lineWidth
        for w in 0..<(threads - 1) {
            // One serial Dispatch queue per worker: each runs the claim/process/deliver loop on its own thread.
            DispatchQueue(label: "cair2.worker.\(w)", qos: .userInitiated).async(group: group) {
                let worker = RecordWorker(rules: rules)
                // With --zstd each worker also compresses its chunk's lines into one frame, in parallel; the
                // merge uses it whenever the chunk's lines go out unchanged (the usual case).
                let compressor = zstdLevel.flatMap { try? ZstdFrameCompressor(level: Int($0)) }
                while let (c, start, stop) = pipe.claim() {
                    let out = processChunk(input, start: start, stopAt: stop, delimiter: delimiter,
                                           worker: worker, lineWidth: lineWidth, into: pipe.recycled())
                    if let compressor { out.compressLines(with: compressor) }
                    pipe.deliver(c, out)
                }
            }
        }
        defer {
            pipe.cancel()
            group.wait()
        }
        let compressor = try zstdLevel.map { try ZstdFrameCompressor(level: Int($0)) }
        var c = 0
        while true {
            switch pipe.nextTask(merge: c, processFirst: !merge.indexReady) {
            case .finished:
                return merge.trueEnd
            case .process(let k, let start, let stop):
                let out = processChunk(input, start: start, stopAt: stop, delimiter: delimiter,
                                       worker: merger, lineWidth: lineWidth, into: pipe.recycled())
                if let compressor { out.compressLines(with: compressor) }
                pipe.deliver(k, out)
            case .merge(let chunk):
                let t0 = MergeCPU.enabled ? MergeCPU.now() : 0
                let h0 = MergeCPU.hashNanos
                let (merged, jobs) = try merge.merge(c, chunk)
                let t1 = MergeCPU.enabled ? MergeCPU.now() : 0
                if jobs.count == 1, try merged.writeFrameIfWhole(jobs[0], lineWidth: lineWidth) {
                    // written as the worker compressed it
                    pipe.pool.give(merged)
                } else {
                    try write(merged, jobs, pool: pipe.pool)
                }
                if MergeCPU.enabled {
                    merge.mergeCPU.add(merge: t1 &- t0, writesFrom: t1, hashFrom: h0, records: merged.results.count)
                }
                pipe.merged(c)
                c += 1
            }
        }
    }
}
