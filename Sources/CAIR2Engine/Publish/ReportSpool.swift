import CAIR2Core
import Dispatch

/// The report rows of one input (rejects.csv and warnings.csv), in merge order.
///
/// The merge hands each row over as it is (`PendingRow`: the line, the record id, and the row's end registered
/// once per field and code); a background queue formats the rows and writes them. Some extracts get a warning on
/// most records (the peers corpus writes 57 MB of warnings a million members): formatted by the merging thread,
/// the rows were two fifths of its CPU outside SHA-256 on that corpus, and the merge is the one stage every
/// thread waits for (docs/PERFORMANCE.md, session 11).
///
/// Each report holds at most `bufferBytes` of rows waiting in memory, two such batches, and `bufferBytes` of
/// formatted rows at a time; a full batch goes to the background queue while the merge fills the next, and its
/// rows go to a scratch file in the output directory, so a run with millions of rejected records holds no more
/// than that per input and report. `writeReports` then concatenates the inputs' rows in the published order
/// (input path, then line).
///
/// The input whose rows come first in that order spills straight into the reports themselves (`direct`, the
/// streams made with their header before the run): its rows are hashed and written as the run goes instead of
/// going through a scratch file and being copied after the last record, a serial 35 ms at the end of a run on
/// the peers corpus (docs/PERFORMANCE.md, session 8).
package final class ReportSpool {
    /// One row as the merge hands it over: `file,line,record_id,` then the registered end `tail`.
    struct PendingRow {
        var line: Int
        var id: IDKey
        var tail: Int32
    }

    /// The input's path as given (the `file` column and the sort key).
    let path: String
    private let fileCell: [UInt8]
    private let directory: String
    private let bufferBytes: Int
    /// Rows a batch holds (`bufferBytes` of them, at least one).
    package let batchRows: Int
    private let rejects: Rows
    private let warnings: Rows
    /// The rows' ends, `field,code,message` CR LF, by the number `tail(field:code:message:)` gave them. Only ever
    /// appended to, on the merging thread; each batch takes the array as it is when the batch is handed over.
    private var tails: [[UInt8]] = []
    private var tailNumbers: [[UInt8]: Int32] = [:]
    /// Formats the full batches and writes them to the reports' scratch files, in the order they filled.
    private let spiller = DispatchQueue(label: "cair2.reports.spill")

    /// One report's rows: `rows` fills on the merging thread; `spilling` and `formatted` are the spiller's until
    /// `spillDone` signals. Invariant for @unchecked Sendable: the merging thread touches `spilling`, `formatted`
    /// and `scratch`'s contents only between a `spillDone.wait()` and the next spill it queues.
    /// The same holds for `out` (a direct spool's report, written by the spiller) and `failure`.
    private final class Rows: @unchecked Sendable {
        @exclusivity(unchecked) var rows: [PendingRow] = []
        @exclusivity(unchecked) var spilling: [PendingRow] = []
        @exclusivity(unchecked) var formatted: ByteBuffer
        let spillDone = DispatchSemaphore(value: 1)
        @exclusivity(unchecked) var scratch: ScratchFile?
        /// The report itself, for a direct spool: spills are written to it, not to `scratch`.
        let out: OutputStream?
        /// The failure of a spill written to `out`.
        @exclusivity(unchecked) var failure: (any Error)?

        init(batchRows: Int, formattedCapacity: Int, out: OutputStream?) {
            // Both batches at their full size at once (up to 3 MiB each, for a library caller's large
            // `reportBufferBytes`): grown by doubling, each allocation's pages were first touched anew (about
            // 12 MB of page faults a million members on the peers corpus, against 4 MB); reserving touches
            // nothing, so a run with few rows costs no more.
            rows.reserveCapacity(min(batchRows, 1 << 16))
            spilling.reserveCapacity(min(batchRows, 1 << 16))
            formatted = ByteBuffer(capacity: formattedCapacity)
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
        batchRows = max(1, self.bufferBytes / MemoryLayout<PendingRow>.stride)
        fileCell = csvCell(Array(path.utf8), neutralize: false)
        let formatted = min(self.bufferBytes, 1 << 16) + 256
        rejects = Rows(batchRows: batchRows, formattedCapacity: formatted, out: direct?.rejects)
        warnings = Rows(batchRows: batchRows, formattedCapacity: formatted, out: direct?.warnings)
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
    /// an identifier, at most 32 bytes (empty: none).
    package func add(line: Int, recordID: [UInt8], field: String, code: ProblemCode, message: String) throws {
        precondition(recordID.count <= 32, "a report's record id is an identifier")
        let id = recordID.withUnsafeBufferPointer { $0.isEmpty ? IDKey() : IDKey($0.baseAddress!, count: $0.count) }
        try add(line: line, id: id, tail: tail(field: field, code: code, message: message), code: code)
    }

    /// The number of a row's end, `field,code,message` CR LF, for `add(line:id:tail:code:)`: the same end gets the
    /// same number. The merge asks once per field and code.
    package func tail(field: String, code: ProblemCode, message: String) -> Int32 {
        let bytes = Array(field.utf8) + [0x2C] + Array(code.name.utf8) + [0x2C] + csvCell(Array(message.utf8))
            + [0x0D, 0x0A]
        if let n = tailNumbers[bytes] { return n }
        let n = Int32(tails.count)
        tails.append(bytes)
        tailNumbers[bytes] = n
        return n
    }

    /// The row `add(line:recordID:field:code:message:)` writes, with its end numbered by `tail(field:code:message:)`
    /// and the record id (empty: none) as it is. Formatted later, by the spiller.
    @inline(__always)
    package func add(line: Int, id: IDKey, tail: Int32, code: ProblemCode) throws {
        let r = report(code)
        r.rows.append(PendingRow(line: line, id: id, tail: tail))
        if r.rows.count >= batchRows { try spill(r) }
    }

    /// Formats `rows` into `buffer`, handing it to `write` (and emptying it) each time it holds `bufferBytes`, and
    /// once more at the end when anything is left.
    private static func format(_ rows: [PendingRow], fileCell: [UInt8], tails: [[UInt8]], bufferBytes: Int,
                               into buffer: inout ByteBuffer, write: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        for row in rows {
            let tail = tails[Int(row.tail)]
            appendRow(line: row.line, id: row.id, tail: tail, fileCell: fileCell, to: &buffer)
            if buffer.count >= bufferBytes {
                try write(buffer.bytes)
                buffer.removeAll()
            }
        }
        if buffer.count > 0 {
            try write(buffer.bytes)
            buffer.removeAll()
        }
    }

    /// Appends the row `file,line,record_id,` + `tail` to `buffer`.
    private static func appendRow(line: Int, id: IDKey, tail: [UInt8], fileCell: [UInt8], to buffer: inout ByteBuffer) {
        var words = (id.a, id.b, id.c, id.d)
        // An identifier is printable ASCII without blanks: as it is unless csvCell would quote or neutralize it
        // (a formula's first byte, a comma or a quote anywhere; the key's bytes past its length are zeros). The
        // comma and quote test is a word at a time, not a loop of 32 bytes.
        let first = withUnsafeBytes(of: &words) { $0[0] }
        @inline(__always) func commaOrQuote(_ w: UInt64) -> UInt64 {
            ByteScan.anyByte(w, is: 0x2C) | ByteScan.anyByte(w, is: 0x22)
        }
        let plain = first != 0x3D && first != 0x2B && first != 0x2D && first != 0x40
            && commaOrQuote(id.a) | commaOrQuote(id.b) | commaOrQuote(id.c) | commaOrQuote(id.d) == 0
        let cell = plain ? [] : csvCell(id.bytes)
        let length = plain ? id.count : cell.count
        buffer.reserve(fileCell.count + tail.count + length + 24)
        var p = buffer.base + buffer.count
        let start = p
        fileCell.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: $0.count) } }
        p += fileCell.count
        p.pointee = 0x2C
        p = ReportSpool.writeDecimal(line, at: p + 1)
        p.pointee = 0x2C
        p += 1
        if plain {
            withUnsafeBytes(of: &words) { w in
                UnsafeMutableRawPointer(p).copyMemory(from: w.baseAddress!, byteCount: length)
            }
        } else {
            cell.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: $0.count) } }
        }
        p += length
        p.pointee = 0x2C
        p += 1
        tail.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: $0.count) } }
        p += tail.count
        buffer.didAppend(p - start)
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

    /// Hands a full batch to the spiller and goes on with the other one (waiting for the previous spill first).
    private func spill(_ r: Rows) throws {
        r.spillDone.wait()
        if let e = r.scratch?.error ?? r.failure {
            r.spillDone.signal()
            throw e
        }
        swap(&r.rows, &r.spilling)
        r.rows.removeAll(keepingCapacity: true)
        let tails = self.tails, fileCell = self.fileCell, bufferBytes = self.bufferBytes
        if let out = r.out {
            nonisolated(unsafe) let out = out  // the spiller's alone until `spillDone` signals
            spiller.async {
                do {
                    try ReportSpool.format(r.spilling, fileCell: fileCell, tails: tails, bufferBytes: bufferBytes,
                                           into: &r.formatted) { try out.write($0) }
                } catch {
                    r.failure = error
                    r.formatted.removeAll()
                }
                r.spillDone.signal()
            }
            return
        }
        let file = r.scratch ?? ScratchFile(directory: directory)
        r.scratch = file
        spiller.async {
            ReportSpool.format(r.spilling, fileCell: fileCell, tails: tails, bufferBytes: bufferBytes,
                               into: &r.formatted) { _ = file.append(UnsafeRawBufferPointer($0)) }
            r.spillDone.signal()
        }
    }

    /// Writes the rows of one report (warnings or rejects) to `out`: the spilled part, then the batch in memory.
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
        try ReportSpool.format(r.rows, fileCell: fileCell, tails: tails, bufferBytes: bufferBytes, into: &r.formatted) {
            try out.write($0)
        }
        r.rows.removeAll()
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
