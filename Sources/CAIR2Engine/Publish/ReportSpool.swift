import CAIR2Core

/// The report rows of one input (rejects.csv and warnings.csv), formatted as they are merged, in merge order.
///
/// Each report keeps at most `bufferBytes` in memory; past that the bytes go to a scratch file in the output
/// directory, so a run with millions of rejected records holds no more than a buffer per input and report.
/// `writeReports` then concatenates the inputs' rows in the published order (input path, then line).
final class ReportSpool {
    /// The input's path as given (the `file` column and the sort key).
    let path: String
    private let fileCell: [UInt8]
    private let directory: String
    private let bufferBytes: Int
    /// Index 0: rejects, 1: warnings.
    private var buffers: [[UInt8]] = [[], []]
    private var scratch: [ScratchFile?] = [nil, nil]

    init(path: String, directory: String, bufferBytes: Int) {
        self.path = path
        self.directory = directory
        self.bufferBytes = max(1, bufferBytes)
        fileCell = csvCell(Array(path.utf8), neutralize: false)
    }

    /// Adds a row: `file,line,record_id,field,code,message` (CR LF). Never a field value: the record id is
    /// an identifier.
    func add(line: Int, recordID: [UInt8], field: String, code: ProblemCode, message: String) throws {
        let k = code.severity == .warning ? 1 : 0
        buffers[k].append(contentsOf: fileCell)
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: String(line).utf8)
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: csvCell(recordID))
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: field.utf8)
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: code.name.utf8)
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: csvCell(Array(message.utf8)))
        buffers[k].append(0x0D)
        buffers[k].append(0x0A)
        if buffers[k].count >= bufferBytes { try spill(k) }
    }

    /// The end of a row, `field,code,message` CR LF, for `add(line:id:tail:code:)`.
    static func rowTail(field: String, code: ProblemCode, message: String) -> [UInt8] {
        Array(field.utf8) + [0x2C] + Array(code.name.utf8) + [0x2C] + csvCell(Array(message.utf8)) + [0x0D, 0x0A]
    }

    /// The row `add(line:recordID:field:code:message:)` writes, with its end formatted once by the caller
    /// (`rowTail`) and the record id (empty: none) as it is: some extracts get a warning on most records
    /// (W_SSN_DROPPED), and formatting each row's message, line and id as strings was a third of the merge's
    /// serial CPU.
    func add(line: Int, id: IDKey, tail: [UInt8], code: ProblemCode) throws {
        let k = code.severity == .warning ? 1 : 0
        buffers[k].append(contentsOf: fileCell)
        buffers[k].append(0x2C)
        ReportSpool.appendDecimal(line, to: &buffers[k])
        buffers[k].append(0x2C)
        var words = (id.a, id.b, id.c, id.d)
        withUnsafeBytes(of: &words) { w in
            var n = 0
            while n < 32 && w[n] != 0 { n += 1 }
            // An identifier is printable ASCII without blanks: as it is unless csvCell would quote or neutralize it.
            var plain = n == 0 || !(w[0] == 0x3D || w[0] == 0x2B || w[0] == 0x2D || w[0] == 0x40)
            for i in 0..<n where w[i] == 0x2C || w[i] == 0x22 { plain = false; break }
            if plain {
                buffers[k].append(contentsOf: UnsafeRawBufferPointer(rebasing: w[0..<n]))
            } else {
                buffers[k].append(contentsOf: csvCell(Array(w[0..<n])))
            }
        }
        buffers[k].append(0x2C)
        buffers[k].append(contentsOf: tail)
        if buffers[k].count >= bufferBytes { try spill(k) }
    }

    /// Appends `n` (not negative) in decimal, as `String(n)` would spell it.
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var v = UInt(n)
            var i = d.count
            repeat {
                i -= 1
                d[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
            } while v > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[i...]))
        }
    }

    private func spill(_ k: Int) throws {
        let file = scratch[k] ?? ScratchFile(directory: directory)
        scratch[k] = file
        _ = buffers[k].withUnsafeBytes { file.append($0) }
        try file.check()
        buffers[k].removeAll(keepingCapacity: true)
    }

    /// Writes the rows of one report (warnings or rejects) to `out`: the spilled part, then the buffer.
    func copy(warnings: Bool, to out: OutputStream) throws {
        let k = warnings ? 1 : 0
        if let file = scratch[k] {
            var piece = [UInt8](repeating: 0, count: min(file.size, 1 << 20))
            var at = 0
            while at < file.size {
                let n = min(piece.count, file.size - at)
                let ok = piece.withUnsafeMutableBytes { file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<n]), at: at) }
                if !ok { try file.check() }
                try piece.withUnsafeBufferPointer { try out.write(UnsafeBufferPointer(rebasing: $0[0..<n])) }
                at += n
            }
        }
        try buffers[k].withUnsafeBufferPointer { try out.write($0) }
    }
}

/// Writes rejects.csv and warnings.csv: `file,line,record_id,field,code,message`, sorted by file then line
/// (each input's rows are in line order already: the merge produced them in input order).
func writeReports(_ reports: [ReportSpool], publisher: Publisher) throws {
    let sorted = reports.sorted { $0.path < $1.path }
    for (name, wantWarnings) in [("rejects.csv", false), ("warnings.csv", true)] {
        let s = try publisher.create(relative: name, zstdLevel: nil)
        try s.write(Array("file,line,record_id,field,code,message\r\n".utf8))
        for r in sorted { try r.copy(warnings: wantWarnings, to: s) }
        try s.finish()
    }
}
