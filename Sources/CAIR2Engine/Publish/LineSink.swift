import CAIR2Core

/// Streams rendered lines to the final outputs (one per part), hashing as it goes.
final class LineSink {
    let kind: LayoutKind
    let baseName: String
    let outDir: String
    let lineWidth: Int
    var files: [Int32: OutputStream] = [:]
    var order: [Int32] = []
    let zstdLevel: Int32?
    let publisher: Publisher

    init(kind: LayoutKind, outDir: String, lineWidth: Int, zstdLevel: Int32?, publisher: Publisher) {
        self.kind = kind
        self.baseName = kind.outputName
        self.outDir = outDir
        self.lineWidth = lineWidth
        self.zstdLevel = zstdLevel
        self.publisher = publisher
    }

    func stream(part: Int32) throws -> OutputStream {
        if let s = files[part] { return s }
        let sequential = kind == .patient || kind == .query
        // Named as the final file until a second part exists (so a message about a run that is not split never
        // names part-001/); the first part then moves to its part folder too.
        let file = "\(baseName)\(zstdLevel == nil ? "" : ".zst")"
        if part > 0, let first = files[0], first.relativePath == file { first.relativePath = "part-\(partName(0))/\(file)" }
        let split = part > 0 || files.keys.contains { $0 > 0 }
        let s = try publisher.create(relative: split ? "part-\(partName(part))/\(file)" : file,
                                     zstdLevel: zstdLevel, stagingSize: sequential ? 4 << 20 : 1 << 20,
                                     stagingBuffers: sequential ? 4 : 2)
        // Patients and queries fill their parts one after another: the previous part is complete once this one
        // gets its first bytes, and gives its buffers back then (immunizations and comments follow their
        // patients' parts, in any order, so theirs stay open to the end).
        if sequential { s.previous = files[part - 1] }
        files[part] = s
        order.append(part)
        return s
    }

    func partName(_ p: Int32) -> String {
        let s = String(p + 1)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }
}
