import CAIR2Core
import Foundation
import Glibc
import Testing

/// Hostile input for the real `cair2` (docs/RELIABILITY.md, "no crash on hostile input"): each run ends with a
/// clear error or rejected records, never a signal; every input record is accounted for (written + rejected +
/// excluded = input_records); written lines are printable ASCII of the layout's width; memory stays bounded.
@Suite(.serialized) struct ReliabilityHostileTests {
    static let header = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n"
    static let good = "R1,Ann,Lee,2000-01-02,Y,2020-01-01\n"

    struct FileCounts: Decodable {
        var input_records: Int
        var written: Int
        var rejected: Int
        var excluded: Int
    }
    struct Summary: Decodable { var files: [FileCounts] }

    /// The run finished (exit 0), accounted for every record and wrote only well-formed lines; returns the counts.
    @discardableResult
    static func expectAccounted(_ r: Rel.Result, _ out: URL, _ what: String) throws -> FileCounts? {
        #expect(r.signal == nil, "\(what): killed by signal \(r.signal ?? 0)")
        #expect(r.status == 0, "\(what): exit \(r.status): \(r.stderr.prefix(500))")
        guard r.status == 0 else { return nil }
        let data = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        let s = try JSONDecoder().decode(Summary.self, from: data)
        let f = try #require(s.files.first)
        #expect(f.written + f.rejected + f.excluded == f.input_records, "\(what): records lost: \(f)")
        let lines = try Data(contentsOf: out.appendingPathComponent("patient.txt"))
        #expect(lines.count == f.written * 878, "\(what): \(lines.count) bytes for \(f.written) lines")
        for (i, b) in lines.enumerated() where i % 878 < 876 {
            if b < 0x20 || b > 0x7E { Issue.record("\(what): byte \(b) at \(i) in patient.txt"); break }
        }
        #expect(Rel.temporaryFiles(out).isEmpty)
        return f
    }

    // MARK: regressions found by fuzzing

    /// Found by FuzzRecords: a long run of digits overflowed DateValue.parse (a trap, so convert crashed).
    /// See also Corpus/regressions/date-long-digit-run.
    @Test(arguments: ["99999999999999999999", "1/1/99999999999999999999", "99999999999999999999/1/2000",
                      "1/99999999999999999999/2000", String(repeating: "9", count: 10_000), "01/02/02020"])
    func longDigitRunsAreNotDates(_ text: String) {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { DateValue.parse($0) }
        #expect(parsed == nil)
    }

    /// A tar header whose base-256 size is near Int.max, under a refused (absolute) name, so verify skips the
    /// member: the skip to the next header overflowed and `cair2 verify` died (exit 132). Found after the fuzz run by
    /// reading the size arithmetic; FuzzArchive now leaves members unread too.
    @Test func verifyRefusesAnAbsurdTarSize() throws {
        let work = try Rel.workDir("tarsize")
        defer { try? FileManager.default.removeItem(at: work) }
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ at: Int, _ s: String) { for (i, b) in s.utf8.enumerated() { h[at + i] = b } }
        put(0, "/etc/evil"); put(100, "0000644"); put(108, "0000000"); put(116, "0000000"); put(136, "00000000000")
        h[156] = UInt8(ascii: "0"); put(257, "ustar"); put(263, "00")
        let size = UInt64(Int64.max) - 256  // the largest the reader accepts, and not a multiple of 512
        h[124] = 0x80
        for i in 0..<8 { h[135 - i] = UInt8(truncatingIfNeeded: size >> (8 * UInt64(i))) }
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(148, String(sum, radix: 8).leftPadded(to: 6)); h[154] = 0; h[155] = 0x20
        try Data(h + [UInt8](repeating: 0, count: 1024)).write(to: work.appendingPathComponent("evil.tar"))
        #expect(Rel.system("/usr/bin/zstd", ["-q", "-f", work.appendingPathComponent("evil.tar").path,
                                             "-o", work.appendingPathComponent("evil.tar.zst").path]) == 0)
        let r = try Rel.run(["verify", "evil.tar.zst"], cwd: work)
        #expect(r.signal == nil, "verify died of signal \(r.signal ?? 0)")
        #expect(r.status == 1, "verify: exit \(r.status): \(r.stdout) \(r.stderr)")
        #expect((r.stdout + r.stderr).contains("corrupt") || (r.stdout + r.stderr).contains("refused"))
    }

    // MARK: huge fields

    /// A 100 MB record id and a 50 MB quoted name holding newlines: both records are longer than 1 MiB, so
    /// E_RECORD_TOO_LONG (§4a), and the peak memory stays within the input's size (it is mapped) plus a fixed
    /// allowance, mapped or streamed.
    @Test func hundredMegabyteField() throws {
        let work = try Rel.workDir("hugefield")
        defer { try? FileManager.default.removeItem(at: work) }
        let path = work.appendingPathComponent("huge.csv")
        _ = FileManager.default.createFile(atPath: path.path, contents: nil)
        let h = try FileHandle(forWritingTo: path)
        h.write(Data(Self.header.utf8))
        h.write(Data(repeating: UInt8(ascii: "A"), count: 100_000_000))
        h.write(Data(",Ann,Lee,2000-01-02,Y,2020-01-01\nR2,\"Ann".utf8))
        var chunk = Data(repeating: UInt8(ascii: "B"), count: 1_000_000)
        chunk[500_000] = 0x0A
        for _ in 0..<50 { h.write(chunk) }
        h.write(Data("\",Lee,2000-01-02,Y,2020-01-01\n".utf8))
        h.write(Data(Self.good.replacingOccurrences(of: "R1", with: "R3").utf8))
        try h.close()
        let inputBytes = 150_000_000
        for extra in [[], ["--no-mmap"]] {
            let out = "out\(extra.count)"
            let (r, rss) = try Rel.runMeasured(["convert", "--patients", "huge.csv", "--out-dir", out] + Rel.common + extra,
                                               cwd: work)
            let f = try Self.expectAccounted(r, work.appendingPathComponent(out), "100 MB field \(extra)")
            #expect(f?.input_records == 3)
            #expect(f?.rejected == 2, "the 100 MB record id and the 50 MB name must be E_RECORD_TOO_LONG")
            let rejects = try String(contentsOf: work.appendingPathComponent(out + "/rejects.csv"), encoding: .utf8)
            #expect(rejects.contains("huge.csv,2,,,E_RECORD_TOO_LONG") && rejects.contains("huge.csv,3,,,E_RECORD_TOO_LONG"))
            #expect(rejects.utf8.count < 4096, "a huge value must not be copied into rejects.csv")
            Rel.expectMemory(rss, below: min(inputBytes + 256 << 20, 512 << 20), "100 MB field \(extra)")
        }
    }

    // MARK: quotes, NULs, invalid UTF-8

    @Test func onlyQuotes() throws {
        let work = try Rel.workDir("quotes")
        defer { try? FileManager.default.removeItem(at: work) }
        // As the whole file: an even run is one quoted name, so the required columns are missing; an odd run
        // leaves the header's quote open (§4a: malformed). Exit 2 either way.
        for n in [1, 2, 3, 1_000_001] {
            try Data(repeating: 0x22, count: n).write(to: work.appendingPathComponent("q.csv"))
            let r = try Rel.run(["convert", "--patients", "q.csv", "--out-dir", "out"] + Rel.common, cwd: work)
            #expect(r.signal == nil)
            #expect(r.status == 2, "\(n) quotes: exit \(r.status)")
            #expect(r.stderr.contains(n % 2 == 0 ? "required column" : "the header row is malformed"),
                    "\(n) quotes: \(r.stderr.prefix(300))")
            #expect(Rel.snapshot(work.appendingPathComponent("out")).isEmpty)
        }
        // After a good header: quote runs of every parity are unterminated quotes or field-count rejects.
        var body = Self.header + Self.good
        for n in 1...8 { body += String(repeating: "\"", count: n) + "\n" }
        body += String(repeating: "\"", count: 100_001)
        try Data(body.utf8).write(to: work.appendingPathComponent("q2.csv"))
        let r = try Rel.run(["convert", "--patients", "q2.csv", "--out-dir", "out2"] + Rel.common, cwd: work)
        let f = try Self.expectAccounted(r, work.appendingPathComponent("out2"), "quote runs")
        #expect(f?.written == 1)
        #expect((f?.rejected ?? 0) >= 1)
    }

    @Test func nulBytes() throws {
        let work = try Rel.workDir("nul")
        defer { try? FileManager.default.removeItem(at: work) }
        var body = Array((Self.header + Self.good).utf8)
        let row = Array("R9,Ann,Lee,2000-01-02,Y,2020-01-01".utf8)
        // A NUL in place of every byte of a good row, one row each (ids stay unique by position).
        for i in 0..<row.count {
            var r = row
            r[i] = 0
            body += Array("X\(i)-".utf8) + r + [0x0A]
        }
        body += [UInt8](repeating: 0, count: 100_000) + [0x0A]
        try Data(body).write(to: work.appendingPathComponent("nul.csv"))
        let r = try Rel.run(["convert", "--patients", "nul.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        let f = try Self.expectAccounted(r, work.appendingPathComponent("out"), "NUL bytes")
        #expect(f?.input_records == row.count + 2)
        #expect(f?.written ?? 0 >= 1)
    }

    /// Every position of a record gets an invalid UTF-8 byte (0xFF, a lone continuation byte, a cut 2-byte
    /// sequence, an overlong encoding of '/'): no such row may be written.
    @Test func invalidUTF8InEveryPosition() throws {
        let work = try Rel.workDir("utf8")
        defer { try? FileManager.default.removeItem(at: work) }
        let row = Array("Q0001,Ann,Lee,2000-01-02,Y,2020-01-01".utf8)
        var body = Array((Self.header + Self.good).utf8)
        var rows = 0
        for bad in [[UInt8(0xFF)], [0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] {
            for i in 0..<row.count {
                var r = row
                r.replaceSubrange(i..<(i + 1), with: bad)
                body += r + [0x0A]
                rows += 1
            }
        }
        try Data(body).write(to: work.appendingPathComponent("u.csv"))
        let r = try Rel.run(["convert", "--patients", "u.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        let f = try Self.expectAccounted(r, work.appendingPathComponent("out"), "invalid UTF-8")
        #expect(f?.input_records == rows + 1)
        #expect(f?.written == 1, "only the good row may be written")
        let rejects = try String(contentsOf: work.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("E_ENCODING"))
        // The same bytes under cp1252 and latin1 are defined characters (or E_ENCODING), never a crash.
        for enc in ["cp1252", "latin1"] {
            let r2 = try Rel.run(["convert", "--patients", "u.csv", "--out-dir", "out-\(enc)", "--encoding", enc] + Rel.common,
                                 cwd: work)
            try Self.expectAccounted(r2, work.appendingPathComponent("out-\(enc)"), "invalid UTF-8 as \(enc)")
        }
    }

    // MARK: wide header

    /// A header of 100,000 columns (and a record as wide): ignored columns, a field-count reject for a short
    /// row, a written row; bounded time and memory. A header of a million columns is longer than 1 MiB: exit 2
    /// (§4a), naming none of them.
    @Test func millionColumnHeader() throws {
        let work = try Rel.workDir("wide")
        defer { try? FileManager.default.removeItem(at: work) }
        var million = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date"
        for i in 0..<1_000_000 { million += ",c\(i)" }
        try Data((million + "\nR1\n").utf8).write(to: work.appendingPathComponent("million.csv"))
        let m = try Rel.run(["convert", "--patients", "million.csv", "--out-dir", "out-m"] + Rel.common, cwd: work)
        #expect(m.status == 2 && m.stderr.contains("longer than 1 MiB") && !m.stderr.contains("c999"), "\(m.stderr.prefix(300))")
        let n = 100_000
        var text = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date"
        text.reserveCapacity(20 << 20)
        for i in 0..<n { text += ",c\(i)" }
        text += "\nR1,Ann,Lee,2000-01-02,Y,2020-01-01" + String(repeating: ",", count: n) + "\n"
        text += "R2,Ann,Lee,2000-01-02,Y,2020-01-01\n"
        try Data(text.utf8).write(to: work.appendingPathComponent("wide.csv"))
        let start = Date()
        let (r, rss) = try Rel.runMeasured(["convert", "--patients", "wide.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        let f = try Self.expectAccounted(r, work.appendingPathComponent("out"), "million columns")
        #expect(f?.written == 1 && f?.rejected == 1)
        #expect(Date().timeIntervalSince(start) < 120)
        Rel.expectMemory(rss, below: 1 << 30, "a million columns")
    }

    // MARK: CSV injection

    /// Record ids that a spreadsheet would run as formulas reach rejects.csv and warnings.csv only with a
    /// leading `'`.
    @Test func csvInjectionInRecordIDs() throws {
        let work = try Rel.workDir("inject")
        defer { try? FileManager.default.removeItem(at: work) }
        let ids = ["=cmd|'/Ccalc'!A0", "+SUM(1+1)", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")"]
        var body = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date,zip\n"
        for id in ids {
            func cell(_ v: String) -> String { v.contains("\"") ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v }
            body += "\(cell(id)),Ann,,2000-01-02,Y,2020-01-01,95814\n"       // E_REQUIRED: a rejects.csv row
            body += "\(cell(id + "W")),Ann,Lee,2000-01-02,Y,2020-01-01,12\n"  // W_ZIP: a warnings.csv row
        }
        try Data(body.utf8).write(to: work.appendingPathComponent("p.csv"))
        let r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        for report in ["rejects.csv", "warnings.csv"] {
            let text = try String(contentsOf: work.appendingPathComponent("out/" + report), encoding: .utf8)
            let rows = text.split(separator: "\r\n").dropFirst()
            #expect(rows.count == ids.count, "\(report): \(rows.count) rows")
            for row in rows {
                // file,line,record_id,...: the id is the third cell (quoted when it holds a quote).
                let afterLine = row.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)[2]
                let cell = afterLine.hasPrefix("\"") ? afterLine.dropFirst() : afterLine
                #expect(cell.hasPrefix("'"), "\(report): formula not neutralized: \(row)")
                #expect(!["=", "+", "-", "@"].contains(cell.first.map(String.init) ?? ""))
            }
        }
    }

    // MARK: fixed-width input

    /// decode and validate on lines far too long, slightly too long, without terminators and full of NULs: each
    /// malformed line is reported (exit 1), good lines still decode, memory stays bounded.
    @Test func overlongFixedWidthLines() throws {
        let work = try Rel.workDir("fwlong")
        defer { try? FileManager.default.removeItem(at: work) }
        let r0 = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(r0.status == 2)  // no input yet: a cannot-start error, nothing else
        try Data((Self.header + Self.good).utf8).write(to: work.appendingPathComponent("p.csv"))
        #expect(try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work).status == 0)
        let line = try Data(contentsOf: work.appendingPathComponent("out/patient.txt"))
        var file = Data()
        file += line
        file += Data(repeating: UInt8(ascii: "X"), count: 50_000_000) + Data([0x0D, 0x0A])  // 50 MB line
        file += line
        file += line.prefix(876) + Data("ZZ\r\n".utf8)                                      // 2 bytes over
        file += Data(repeating: 0, count: 878)                                               // NULs, no LF
        file += Data("\r\n".utf8) + line
        file += Data(repeating: UInt8(ascii: "Y"), count: 3_000_000)                        // last, unterminated
        try file.write(to: work.appendingPathComponent("long.txt"))
        let (d, rssDecode) = try Rel.runMeasured(["decode", "long.txt", "--kind", "patient", "-o", "decoded.csv"], cwd: work)
        #expect(d.signal == nil)
        #expect(d.status == 1, "decode: exit \(d.status): \(d.stderr.prefix(300))")
        let decoded = try String(contentsOf: work.appendingPathComponent("decoded.csv"), encoding: .utf8)
        #expect(decoded.split(separator: "\n").count == 4, "header + the 3 good lines")
        Rel.expectMemory(rssDecode, below: 256 << 20, "decode")
        #expect(d.stderr.utf8.count < 64 << 10, "the report must not echo the long lines")
        let (v, rssValidate) = try Rel.runMeasured(["validate", "long.txt", "--kind", "patient"], cwd: work)
        #expect(v.signal == nil)
        #expect(v.status == 1, "validate: exit \(v.status)")
        Rel.expectMemory(rssValidate, below: 256 << 20, "validate")
        #expect((v.stdout + v.stderr).utf8.count < 64 << 10)
        #expect(!(v.stdout + v.stderr).contains("XXXXXXXX"), "a line's bytes must not be echoed")
    }

    // MARK: absurd options

    /// --threads 0 and 1000, --chunk-size 1 / 0 / huge, --block-size 1 / 0 / huge (streaming): same bytes as one
    /// thread with the defaults, or a usage error (64); never a crash. (A huge --block-size used to abort on a
    /// failed allocation.)
    @Test func absurdThreadsAndSizes() throws {
        let work = try Rel.workDir("absurd")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 2_000)
        let base = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "base", "--threads", "1"] + Rel.common, cwd: work)
        #expect(base.status == 0)
        let expected = Rel.snapshot(work.appendingPathComponent("base"))
        let huge = String(1 << 62)
        let variants: [[String]] = [
            ["--threads", "0"], ["--threads", "1000"], ["--threads=-1"],
            ["--chunk-size", "1"], ["--chunk-size", "0"], ["--chunk-size", huge], ["--chunk-size=-5"],
            ["--no-mmap", "--block-size", "1"], ["--no-mmap", "--block-size", "0"], ["--no-mmap", "--block-size", huge],
            ["--no-mmap", "--block-size=-5"], ["--threads", "1000", "--chunk-size", "1"],
        ]
        for (i, v) in variants.enumerated() {
            let out = "v\(i)"
            let r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", out] + Rel.common + v, cwd: work)
            #expect(r.signal == nil, "\(v): signal \(r.signal ?? 0)")
            #expect(r.status == 0 || r.status == 64 || r.status == 2, "\(v): exit \(r.status): \(r.stderr.prefix(300))")
            if r.status == 0 {
                let got = Rel.snapshot(work.appendingPathComponent(out))
                for name in ["patient.txt", "rejects.csv", "warnings.csv"] {
                    #expect(got[name] == expected[name], "\(v): \(name) differs from one thread")
                }
            } else {
                #expect(!r.stderr.isEmpty)
                #expect(Rel.snapshot(work.appendingPathComponent(out)).isEmpty)
            }
        }
    }
}

extension String {
    /// Left-pads with zeros to `width` characters (an octal tar field).
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
