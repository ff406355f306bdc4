import CAIR2Core
import Dispatch

/// The report rows of one input (rejects.csv and warnings.csv), formatted as they are merged, in merge order.
///
/// Each report keeps at most `bufferBytes` in memory; past that the bytes go to a scratch file in the output
/// directory, so a run with millions of rejected records holds no more than two buffers per input and report.
/// The spill runs on a background queue while the merge fills the report's second buffer (some extracts get a
/// warning on most records: the peers corpus writes 57 MB of warnings a million members, and its writes were a
/// fifth of the merging thread's time in the reports). `writeReports` then concatenates the inputs' rows in the
/// published order (input path, then line).
///
/// The input whose rows come first in that order spills straight into the reports themselves (`direct`, the
/// streams made with their header before the run): its rows are hashed and written as the run goes instead of
/// going through a scratch file and being copied after the last record, a serial 35 ms at the end of a run on
/// the peers corpus (docs/PERFORMANCE.md, session 8).
package final class ReportSpool {
    /// The input's path as given (the `file` column and the sort key).
    let path: String
    private let fileCell: [UInt8]
    private let directory: String
    private let bufferBytes: Int
    private let rejects: Rows
    private let warnings: Rows
    /// Writes the full buffers to the reports' scratch files, in the order they filled.
    private let spiller = DispatchQueue(label: "cair2.reports.spill")

    /// One report's rows: `rows` fills on the merging thread; `spilling` is the spiller's until `spillDone`
    /// signals. Invariant for @unchecked Sendable: the merging thread touches `spilling` and `scratch`'s
    /// contents only between a `spillDone.wait()` and the next spill it queues.
    /// The same holds for `out` (a direct spool's report, written by the spiller) and `failure`.
    private final class Rows: @unchecked Sendable {
        @exclusivity(unchecked) var rows: ByteBuffer
        @exclusivity(unchecked) var spilling: ByteBuffer
        let spillDone = DispatchSemaphore(value: 1)
        @exclusivity(unchecked) var scratch: ScratchFile?
        /// The report itself, for a direct spool: spills are written to it, not to `scratch`.
        let out: OutputStream?
        /// The failure of a spill written to `out`.
        @exclusivity(unchecked) var failure: (any Error)?

        init(capacity: Int, out: OutputStream?) {
            rows = ByteBuffer(capacity: capacity)
            spilling = ByteBuffer(capacity: 1)
            self.out = out
        }
    }

    /// `direct`: the reports, their header written, when this input's rows come first in them (see above);
    /// `copy` must then be given the same streams.
    package init(path: String, directory: String, bufferBytes: Int,
                 direct: (rejects: OutputStream, warnings: OutputStream)? = nil) {
        self.path = path
        self.directory = directory
        self.bufferBytes = max(1, bufferBytes)
        fileCell = csvCell(Array(path.utf8), neutralize: false)
        rejects = Rows(capacity: min(self.bufferBytes, 1 << 16) + 256, out: direct?.rejects)
        warnings = Rows(capacity: min(self.bufferBytes, 1 << 16) + 256, out: direct?.warnings)
    }

    /// A spill still queued finishes before the spool goes. A failed run discards its outputs once the spools
    /// (locals of its `do` block) are gone: a direct spool's last spill must not write to a report whose
    /// descriptor `Publisher.discardAll` has closed (the number could already name another file).
    deinit {
        spiller.sync {}
    }

    @inline(__always) private func report(_ code: ProblemCode) -> Rows {
        code.severity == .warning ? warnings : rejects
    }

    /// Adds a row: `file,line,record_id,field,code,message` (CR LF). Never a field value: the record id is
    /// an identifier.
    package func add(line: Int, recordID: [UInt8], field: String, code: ProblemCode, message: String) throws {
        try add(line: line, cell: csvCell(recordID), tail: ReportSpool.rowTail(field: field, code: code, message: message),
                into: report(code))
    }

    /// The end of a row, `field,code,message` CR LF, for `add(line:id:tail:code:)`.
    package static func rowTail(field: String, code: ProblemCode, message: String) -> [UInt8] {
        Array(field.utf8) + [0x2C] + Array(code.name.utf8) + [0x2C] + csvCell(Array(message.utf8)) + [0x0D, 0x0A]
    }

    /// The row `add(line:recordID:field:code:message:)` writes, with its end formatted once by the caller
    /// (`rowTail`) and the record id (empty: none) as it is: some extracts get a warning on most records
    /// (W_SSN_DROPPED), and formatting each row's message, line and id as strings was a third of the merge's
    /// serial CPU. The row is written straight into the buffer.
    package func add(line: Int, id: IDKey, tail: [UInt8], code: ProblemCode) throws {
        let r = report(code)
        var words = (id.a, id.b, id.c, id.d)
        // An identifier is printable ASCII without blanks: as it is unless csvCell would quote or neutralize it
        // (a formula's first byte, a comma or a quote anywhere; the key's bytes past its length are zeros). The
        // comma and quote test is a word at a time, not a loop of 32 bytes: the merging thread writes a row for
        // most records of some extracts.
        let first = withUnsafeBytes(of: &words) { $0[0] }
        @inline(__always) func commaOrQuote(_ w: UInt64) -> UInt64 {
            ByteScan.anyByte(w, is: 0x2C) | ByteScan.anyByte(w, is: 0x22)
        }
        let plain = first != 0x3D && first != 0x2B && first != 0x2D && first != 0x40
            && commaOrQuote(id.a) | commaOrQuote(id.b) | commaOrQuote(id.c) | commaOrQuote(id.d) == 0
        guard plain else { return try add(line: line, cell: csvCell(id.bytes), tail: tail, into: r) }
        let length = id.count
        r.rows.reserve(fileCell.count + tail.count + length + 24)
        var p = r.rows.base + r.rows.count
        let start = p
        fileCell.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: $0.count) } }
        p += fileCell.count
        p.pointee = 0x2C
        p = ReportSpool.writeDecimal(line, at: p + 1)
        p.pointee = 0x2C
        p += 1
        withUnsafeBytes(of: &words) { w in
            UnsafeMutableRawPointer(p).copyMemory(from: w.baseAddress!, byteCount: length)
        }
        p += length
        p.pointee = 0x2C
        p += 1
        tail.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: $0.count) } }
        p += tail.count
        r.rows.didAppend(p - start)
        if r.rows.count >= bufferBytes { try spill(r) }
    }

    /// A row with its record id cell and its end formatted by the caller (the rare path: ids that need quoting
    /// or neutralizing, and rows without a record).
    private func add(line: Int, cell: [UInt8], tail: [UInt8], into r: Rows) throws {
        var row = fileCell
        row.append(0x2C)
        ReportSpool.appendDecimal(line, to: &row)
        row.append(0x2C)
        row += cell
        row.append(0x2C)
        row += tail
        row.withUnsafeBufferPointer { r.rows.append(contentsOf: $0) }
        if r.rows.count >= bufferBytes { try spill(r) }
    }

    /// Writes `n` (not negative) in decimal at `p`, as `String(n)` would spell it; returns the byte after it.
    @inline(__always) static func writeDecimal(_ n: Int, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var v = UInt(n)
        var digits = 1
        var t = v
        while t >= 10 { t /= 10; digits += 1 }
        var q = p + digits
        repeat {
            q -= 1
            q.pointee = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
            v /= 10
        } while v > 0
        return p + digits
    }

    /// Appends `n` (not negative) in decimal, as `String(n)` would spell it.
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            let p = d.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let end = writeDecimal(n, at: p)
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
        }
    }

    /// Hands a full buffer to the spiller and goes on in the other one (waiting for the previous spill first).
    private func spill(_ r: Rows) throws {
        r.spillDone.wait()
        if let e = r.scratch?.error ?? r.failure {
            r.spillDone.signal()
            throw e
        }
        swap(&r.rows, &r.spilling)
        r.rows.removeAll()
        if let out = r.out {
            nonisolated(unsafe) let out = out  // the spiller's alone until `spillDone` signals
            spiller.async {
                do { try out.write(r.spilling.bytes) } catch { r.failure = error }
                r.spillDone.signal()
            }
            return
        }
        let file = r.scratch ?? ScratchFile(directory: directory)
        r.scratch = file
        spiller.async {
            _ = file.append(UnsafeRawBufferPointer(r.spilling.bytes))
            r.spillDone.signal()
        }
    }

    /// Writes the rows of one report (warnings or rejects) to `out`: the spilled part, then the buffer.
    package func copy(warnings: Bool, to out: OutputStream) throws {
        let r = warnings ? self.warnings : rejects
        precondition(r.out == nil || r.out === out, "a direct spool's rows are copied to its own report")
        r.spillDone.wait()
        defer { r.spillDone.signal() }
        if let e = r.failure { throw e }
        if let file = r.scratch {
            try file.check()
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
        try out.write(r.rows.bytes)
    }
}

/// Writes rejects.csv and warnings.csv: `file,line,record_id,field,code,message`, sorted by file then line
/// (each input's rows are in line order already: the merge produced them in input order).
/// `streams` are the two reports from `createReports`; the first input in that order may have spilled into them
/// already (`ReportSpool`'s `direct`).
package func writeReports(_ reports: [ReportSpool], into streams: (rejects: OutputStream, warnings: OutputStream)) throws {
    let sorted = reports.sorted { $0.path < $1.path }
    for (s, wantWarnings) in [(streams.rejects, false), (streams.warnings, true)] {
        for r in sorted { try r.copy(warnings: wantWarnings, to: s) }
        try s.finish()
    }
}

/// rejects.csv and warnings.csv, created with their header before the run. 1 MiB staging buffers: the rows come
/// in pieces of `ConvertOptions.reportBufferBytes`.
package func createReports(publisher: Publisher) throws -> (rejects: OutputStream, warnings: OutputStream) {
    let header = Array("file,line,record_id,field,code,message\r\n".utf8)
    let rejects = try publisher.create(relative: "rejects.csv", zstdLevel: nil, stagingSize: 1 << 20)
    let warnings = try publisher.create(relative: "warnings.csv", zstdLevel: nil, stagingSize: 1 << 20)
    for s in [rejects, warnings] {
        s.hashedByMergingThread = false
        try s.write(header)
    }
    return (rejects, warnings)
}

/// The input whose report rows come first (`writeReports` sorts by path, and the sort is stable): the one whose
/// spool writes straight into the reports.
package func firstInReports(_ paths: [String]) -> Int? {
    paths.indices.min { paths[$0] < paths[$1] }
}
