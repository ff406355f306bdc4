import CAIR2IO
import Synchronization

/// The hand-off between chunk workers and the ordered merge: workers claim chunk indexes in order, never more
/// than `window` ahead of the merge, and deliver their outputs; the merge takes them in order.
final class ChunkPipeline: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every stored property is read and written under `cond`.
    private let cond = ConditionLock()
    private var cuts: ChunkCuts
    private var next = 0
    private var mergedCount = 0
    private var ready: [Int: ChunkOutput] = [:]
    private var cancelled = false
    /// Chunk outputs to reuse.
    let pool = ChunkOutputPool()
    private let window: Int

    init(cuts: ChunkCuts, window: Int) {
        self.cuts = cuts
        self.window = window
    }

    /// The input bytes claimed but not yet merged stay under this (beyond the first chunk), whatever the thread
    /// count: a mapped chunk's pages stay resident until the merge passes them, and when records near 1 MiB make
    /// every chunk a record, 64 threads' window of 192 chunks held 192 MiB of them (§4a's 512 MiB cap).
    static let windowBytes = 128 << 20

    /// Claims the next chunk when the window allows (the caller holds `cond`): its number and byte range.
    private func claimLocked() -> (Int, Int, Int)? {
        guard !cancelled, next - mergedCount < window, cuts.has(next) else { return nil }
        if next > mergedCount && cuts.starts[next + 1] - cuts.starts[mergedCount] > Self.windowBytes { return nil }
        next += 1
        return (next - 1, cuts.starts[next - 1], cuts.starts[next])
    }

    /// The next chunk to process (number, start, planned stop), or nil when there is none left (or the run was
    /// cancelled). Waits while the window is full.
    func claim() -> (Int, Int, Int)? {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let claimed = claimLocked() { return claimed }
            if cancelled || !cuts.has(next) { return nil }
            cond.wait()
        }
    }

    /// A chunk output to fill: a recycled one when available.
    func recycled() -> ChunkOutput { pool.take() }

    func deliver(_ c: Int, _ out: ChunkOutput) {
        cond.lock()
        ready[c] = out
        cond.broadcast()
        cond.unlock()
    }

    enum Task {
        case merge(ChunkOutput)
        case process(Int, Int, Int)
        case finished
    }

    /// For the merging thread: chunk `c` when it is ready (merging comes first), else a chunk to process, else
    /// waits for one of the two; `finished` once every chunk is merged.
    /// With `processFirst` (the merge would wait for something else, the patient index) a chunk to process
    /// comes before the merge, which then runs when none can be claimed.
    func nextTask(merge c: Int, processFirst: Bool = false) -> Task {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if !processFirst, let out = ready.removeValue(forKey: c) { return .merge(out) }
            if !cuts.has(c) { return .finished }
            if let (k, start, stop) = claimLocked() { return .process(k, start, stop) }
            if processFirst, let out = ready.removeValue(forKey: c) { return .merge(out) }
            cond.wait()
        }
    }

    /// Marks chunk `c` merged (its output object goes back to `pool` once its lines are copied).
    func merged(_ c: Int) {
        cond.lock()
        mergedCount = c + 1
        cond.broadcast()
        cond.unlock()
    }

    func cancel() {
        cond.lock()
        cancelled = true
        cond.broadcast()
        cond.unlock()
    }
}

/// Chunk outputs to reuse, taken and given back from any thread: a merged chunk's object returns here once
/// the last copy of its lines is done.
final class ChunkOutputPool: Sendable {
    private let free = Mutex<[ChunkOutput]>([])

    /// A recycled output, or a new one.
    func take() -> ChunkOutput { free.withLock { $0.popLast() } ?? ChunkOutput() }

    func give(_ out: ChunkOutput) { free.withLock { $0.append(out) } }
}

/// Lines of one merged chunk bound for one output file.
struct WriteJob {
    let stream: OutputStream
    let first: Int
    let count: Int
}

