import CAIR2Core
@testable import CAIR2Kit
@testable import cair2
import Foundation
import Testing

/// Issue 17, the console half: the encoding hint judged on the whole file, the first problems after the summary,
/// the progress line that fits the terminal, and `--file-mode`.
@Suite struct ConsoleIssue17Tests {
    static let header = Array("record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n".utf8)

    static func convert(_ dir: URL, _ file: String, _ extra: [String] = [], out: String = "out") throws -> UXTests.Output {
        try UXTests.run(["convert", "--patients", file, "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", out] + extra,
                        in: dir)
    }

    // MARK: the encoding hint

    @Test func aStrayUndefinedByteInAWindowsFileStillMeansCP1252() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = Self.header
        for i in 0..<26 { bytes += Array("R\(i),Ren".utf8) + [0xE9] + Array("e,O".utf8) + [0x92] + Array("Brien,1990-01-01,Y,2020-01-01\n".utf8) }
        bytes += Array("R99,Ann".utf8) + [0x81] + Array(",Lee,1990-01-01,Y,2020-01-01\n".utf8)
        try Data(bytes).write(to: dir.appendingPathComponent("win.csv"))
        let r = try Self.convert(dir, "win.csv")
        #expect(r.status == 0)
        #expect(r.stderr.contains("run again with --encoding cp1252"), "\(r.stderr)")
        #expect(r.stderr.contains("1 byte is undefined in Windows-1252"), "\(r.stderr)")
        #expect(!r.stderr.contains("latin1"), "latin1 suggested for a Windows-1252 file: \(r.stderr)")
        #expect(!r.stderr.contains("Ren") && !r.stderr.contains("Brien"))
        // Following the hint: every O'Brien is written; only the record with the undefined byte is rejected.
        let fixed = try Self.convert(dir, "win.csv", ["--encoding", "cp1252"], out: "out2")
        #expect(fixed.stderr.contains("win.csv (patient): 27 in, 26 written, 1 rejected"), "\(fixed.stderr)")
    }

    @Test func aUTF8FileWithABadByteIsNeverSentToLatin1() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = Self.header
        for i in 0..<20 { bytes += Array("R\(i),José,Müller,1990-01-01,Y,2020-01-01\n".utf8) }
        bytes += Array("R99,Ann".utf8) + [0xE9] + Array(",Lee,1990-01-01,Y,2020-01-01\n".utf8)
        try Data(bytes).write(to: dir.appendingPathComponent("utf.csv"))
        let r = try Self.convert(dir, "utf.csv")
        #expect(r.status == 0)
        #expect(r.stderr.contains("the rest of the file is UTF-8"), "\(r.stderr)")
        #expect(!r.stderr.contains("run again with --encoding") && !r.stderr.contains("try --encoding"), "\(r.stderr)")
        // latin1 on UTF-8 would write SAN JOSA: the hint says so even without a reject.
        let latin = try Self.convert(dir, "utf.csv", ["--encoding", "latin1"], out: "out2")
        #expect(latin.stderr.contains("drop --encoding latin1"), "\(latin.stderr)")
        #expect(!latin.stderr.contains("José") && !latin.stderr.contains("Müller"))
    }

    @Test func encodingHintUnit() {
        let hint = { (enc: TextEncoding, guess: EncodingGuess) in
            RunHints.encodingHint(input: "f.csv", fields: 3, rejectRows: 3, encoding: enc, guess: guess) ?? ""
        }
        #expect(hint(.utf8, .cp1252(undefined: 0)).hasSuffix("run again with --encoding cp1252"))
        #expect(hint(.utf8, .cp1252(undefined: 2)).contains("2 bytes are undefined in Windows-1252"))
        for g in [EncodingGuess.cp1252(undefined: 4), .mostlyUTF8(invalid: 3), .utf8] {
            #expect(!hint(.utf8, g).contains("latin1"), "\(g)")
        }
        #expect(hint(.cp1252, .utf8).contains("drop --encoding"))
        #expect(RunHints.encodingHint(input: "f.csv", fields: 0, rejectRows: 0, encoding: .latin1, guess: .ascii) == nil)
    }

    // MARK: the first problems

    static let problems = """
        record_id,first_name,last_name,birth_date,disclosed,disclosed_date,zip
        A1,Ann,Lee,1990-01-01,Y,2020-01-01,123
        A2,Bob,Lee,02/30/1990,Y,2020-01-01,94801
        A3,Cy,Lee,1991-13-01,Y,2020-01-01,94801
        A4,D4n,Lee,1990-01-01,Y,2020-01-01,94801
        A5,Ed,Lee,1990-01-01,N,,94801
        A6,Flo,Lee,1990-02-30,Y,2020-01-01,94801
        A7,Gus,Lee,1990-02-31,Y,2020-01-01,94801
        A8,Hal,Lee,1990-02-31,Y,2020-01-01,94801

        """

    @Test func theFirstProblemsFollowTheSummary() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.problems.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let r = try Self.convert(dir, "p.csv")
        #expect(r.status == 0)
        let e = r.stderr
        let done = try #require(e.range(of: "done: "))
        let after = String(e[done.upperBound...])
        #expect(after.contains("first problems:\n  p.csv:3: birth_date: "), "\(e)")
        #expect(after.contains("(E_DATE)\n"))
        #expect(after.contains("  p.csv:5: first_name: "))
        #expect(after.contains("(E_NAME)"))
        // 7 rows in rejects.csv (6 rejects and 1 exclusion), 5 shown; the warning is counted, not shown.
        #expect(after.contains("  and 2 more in out/rejects.csv\n"), "\(after)")
        #expect(after.contains("  and 1 more in out/warnings.csv"), "\(after)")
        for value in ["D4n", "02/30/1990", "1991-13-01", "1990-02-3", "123,", "A4", "A2"] {
            #expect(!after.contains(value), "value on the console: \(value)")
        }

        let three = try Self.convert(dir, "p.csv", ["--show-problems", "3"], out: "o3")
        #expect(three.stderr.contains("and 4 more in o3/rejects.csv"), "\(three.stderr)")
        let none = try Self.convert(dir, "p.csv", ["--show-problems", "0"], out: "o0")
        #expect(!none.stderr.contains("first problem") && !none.stderr.contains("more in o0/rejects.csv"))
        let many = try Self.convert(dir, "p.csv", ["--show-problems", "100"], out: "o100")
        #expect(many.stderr.contains("W_ZIP") && !many.stderr.contains("more in"), "\(many.stderr)")
        let quiet = try Self.convert(dir, "p.csv", ["-q"], out: "oq")
        #expect(quiet.stderr.isEmpty)
    }

    @Test func problemRowsAreReadWithTheirQuoting() {
        var csv = ProblemList.ReportCSV()
        let rows = csv.feed(Array("file,line,record_id,field,code,message\r\n\"a,b.csv\",7,R1,zip,W_ZIP,\"not 5 digits, \"\"blanked\"\"\"\r\n".utf8))
        #expect(rows.count == 2)
        #expect(ProblemList.describe(rows[1]) == "a,b.csv:7: zip: not 5 digits, \"blanked\" (W_ZIP)")
        #expect(ProblemList.describe(["f.csv", "9", "", "", "E_FIELD_COUNT", "3 fields, the header has 6"])
                == "f.csv:9: 3 fields, the header has 6 (E_FIELD_COUNT)")
    }

    // MARK: the progress line fits the terminal

    static let deep = ConvertProgress(input: "/srv/warehouse/exports/2025/january/nightly/acme-health-plan/members-full-extract.csv",
                                      kind: .patient, bytesDone: 25 << 20, bytesTotal: 100 << 20,
                                      records: 250_000, written: 249_000, rejected: 900, excluded: 100, finished: false)

    @Test func theProgressLineDropsThePathBeforeTheRateOrTimeLeft() {
        let wide = ProgressLine.format(Self.deep, elapsed: 10)
        #expect(wide.hasPrefix("/srv/warehouse/"))
        let at80 = ProgressLine.format(Self.deep, elapsed: 10, width: 79)
        #expect(at80.count <= 79)
        #expect(at80.hasPrefix("members-full-extract.csv (patient): 25%"), "\(at80)")
        #expect(at80.contains("25,000 rec/s") && at80.hasSuffix("ETA 0:30"), "\(at80)")
        #expect(!at80.contains("~"))
        for width in stride(from: 120, through: 30, by: -1) {
            let s = ProgressLine.format(Self.deep, elapsed: 10, width: width)
            #expect(s.count <= width, "\(width): \(s)")
            if width >= 40 { #expect(s.hasSuffix("ETA 0:30"), "\(width): the time left went first: \(s)") }
            if width >= 60 { #expect(s.contains("rec/s"), "\(width): the rate went before the counts: \(s)") }
        }
        let w40 = ProgressLine.format(Self.deep, elapsed: 10, width: 40)
        #expect(w40 == "members-full-extract.csv: 25%, ETA 0:30", "\(w40)")
    }

    @Test func theDrawnLineUsesTheTerminalWidth() {
        let rec = UXTests.Recorder(), clock = UXTests.Clock()
        let line = ProgressLine(enabled: true, isTerminal: true, width: 80, write: { rec.append($0) }, now: { clock.t })
        clock.t += 10
        line.update(Self.deep)
        clock.t += 10
        line.update(Self.deep)
        let drawn = rec.all.last ?? ""
        let text = drawn.dropFirst().replacingOccurrences(of: "\u{1B}[K", with: "")
        #expect(text.count < 80 && text.hasPrefix("members-full-extract.csv (patient)") && text.contains("rec/s"), "\(text)")
    }

    // MARK: --file-mode

    static func permissions(_ path: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path.path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func fileModeParsing() {
        #expect(FileMode.parse("0640") == 0o640 && FileMode.parse("640") == 0o640 && FileMode.parse("0600") == 0o600)
        #expect(FileMode.parse("0660") == 0o660 && FileMode.parse("0644") == 0o644)
        for bad in ["0777", "0700", "0666", "0602", "0620", "600x", "", "rw-r-----", "00640", "0o640", "-1"] {
            #expect(FileMode.parse(bad) == nil, "\(bad)")
        }
        #expect(FileMode.directory(for: 0o640) == 0o750 && FileMode.directory(for: 0o600) == 0o700)
    }

    @Test func outputsGetTheFileMode() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try UXTests.writeMembers(5, to: dir.appendingPathComponent("m.csv"))
        let plain = try Self.convert(dir, "m.csv", ["-q"], out: "plain")
        #expect(plain.status == 0)
        #expect(try Self.permissions(dir.appendingPathComponent("plain/patient.txt")) == 0o600)
        let r = try Self.convert(dir, "m.csv", ["-q", "--file-mode", "0640", "--quarantine"], out: "shared")
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["patient.txt", "rejects.csv", "warnings.csv", "summary.json"] {
            #expect(try Self.permissions(dir.appendingPathComponent("shared/\(name)")) == 0o640, "\(name)")
        }
        #expect(try Self.permissions(dir.appendingPathComponent("shared")) & 0o050 == 0o050, "the group can reach the files")

        let d = try UXTests.run(["decode", "shared/patient.txt", "--kind", "patient", "-o", "p.csv", "--file-mode", "0644"], in: dir)
        #expect(d.status == 0, "\(d.stderr)")
        #expect(try Self.permissions(dir.appendingPathComponent("p.csv")) == 0o644)
        let d2 = try UXTests.run(["decode", "shared/patient.txt", "--kind", "patient", "-o", "p2.csv"], in: dir)
        #expect(d2.status == 0)
        #expect(try Self.permissions(dir.appendingPathComponent("p2.csv")) == 0o600)

        let a = try UXTests.run(["archive", "plain", "-o", "b.tar.zst", "--file-mode", "0660"], in: dir)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(try Self.permissions(dir.appendingPathComponent("b.tar.zst")) == 0o660)

        let g = try UXTests.run(["generate", "--members", "20", "--out-dir", "gen", "--as-of", "2025-01-31", "--file-mode", "0640"], in: dir)
        #expect(g.status == 0, "\(g.stderr)")
        #expect(try Self.permissions(dir.appendingPathComponent("gen/members.csv")) == 0o640)
        let g2 = try UXTests.run(["generate", "--members", "20", "--out-dir", "gen2", "--as-of", "2025-01-31"], in: dir)
        #expect(g2.status == 0)
        #expect(try Self.permissions(dir.appendingPathComponent("gen2/members.csv")) == 0o600)
    }
}
