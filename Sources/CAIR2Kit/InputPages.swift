import Glibc

/// `ChunkPlanner.starts` over a mapped input, a piece at a time, handing each piece's pages back to the kernel
/// once its cuts are found (when `releasePages`).
///
/// Finding a cut touches a page at each nominal chunk boundary, and a fault maps the whole page-cache folio
/// around it (about 1 MiB on Linux 6.x with large folios, whatever the madvise hint), so planning a whole
/// mapped file in one call made the file-backed RSS grow with the file (55 MiB at 1M members, 136 MiB at 5M)
/// before the pages could be handed back. Piece by piece the planning holds at most one piece mapped.
///
/// The starts are the same as one call's: a piece's last element (its end) is dropped unless it is the
/// input's end, and the next piece resumes from the last true start, which is where the next cut follows.
func plannedChunkStarts(_ block: UnsafeBufferPointer<UInt8>, from: Int, chunkSize: Int,
                        releasePages: Bool) -> [Int] {
    let n = block.count
    guard releasePages, let base = block.baseAddress, n - from > 16 << 20 else {
        return ChunkPlanner.starts(block, from: from, chunkSize: chunkSize)
    }
    let piece = max(8 << 20, 8 * max(chunkSize, 1))
    let page = 1 << 16
    var result = [from]
    var position = from
    var span = piece
    var released = (from + piece + page - 1) & ~(page - 1)  // the first piece stays: the workers start there
    while true {
        let end = min(n, position + span)
        let part = ChunkPlanner.starts(UnsafeBufferPointer(rebasing: block[0..<end]), from: position,
                                       chunkSize: chunkSize)
        if end == n {
            result.append(contentsOf: part.dropFirst())
            break
        }
        // part = [position, true starts..., end]: keep the true starts and resume from the last one.
        let found = part.dropFirst().dropLast()
        if let last = found.last {
            result.append(contentsOf: found)
            position = last
            span = piece
        } else {
            span *= 2  // one record longer than the piece: look further
        }
        let upTo = end & ~(page - 1)
        if upTo > released {
            madvise(UnsafeMutableRawPointer(mutating: base) + released, upTo - released, MADV_DONTNEED)
            released = upTo
        }
    }
    return result
}
