import CAIR2Core
@testable import CAIR2Kit
@testable import cair2
import Foundation
import Testing

/// The console experience: the progress line (unit tests with a fake clock, and the real binary under a pseudo
/// terminal made by script(1)), the closing summary, hints, usage forms, help, completions and the man page.
@Suite struct UXTests {
    // MARK: helpers

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `cair2` (or another program) with pipes: standard error is not a terminal.
    static func run(_ args: [String], in dir: URL? = nil, program: String = GoldenTests.binary) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        if let dir { p.currentDirectoryURL = dir }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so neither fills up while the other is drained.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a shell command line under `script -q -c`, which gives it a pseudo terminal as stdin, stdout and
    /// stderr; returns what the terminal received.
    static func runInTerminal(_ command: String, in dir: URL) throws -> Output {
        try run(["-q", "-e", "-c", command, "/dev/null"], in: dir, program: "/usr/bin/script")
    }

    static func workDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-ux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A patient extract of `n` valid members (and one not disclosed), with a recognisable first name that must
    /// never reach the console.
    static func writeMembers(_ n: Int, to url: URL) throws {
        var s = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n"
        for i in 0..<n { s += "R\(i),Quenneville,Zzyzx,1990-01-\(i % 28 + 1 < 10 ? "0" : "")\(i % 28 + 1),Y,2020-01-01\n" }
        s += "RX,Quenneville,Zzyzx,1990-01-01,N,\n"
        try s.write(to: url, atomically: true, encoding: .utf8)
    }

    static let sample = ConvertProgress(input: "members.csv", kind: .patient, bytesDone: 25 << 20, bytesTotal: 100 << 20,
                                        records: 250_000, written: 249_000, rejected: 900, excluded: 100, finished: false)

    final class Recorder: @unchecked Sendable {
        // Written from the progress line's callbacks, read by the test after them; the lock orders the two.
        private let lock = NSLock()
        private var chunks: [String] = []
        func append(_ s: String) { lock.lock(); chunks.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return chunks }
    }

    final class Clock: @unchecked Sendable {
        // Advanced by the test between calls; read by the progress line on the same thread.
        var t = 1000.0
    }

    // MARK: the progress line, unit

    @Test func progressTextHasCountsRateAndETA() {
        let s = ProgressLine.format(Self.sample, elapsed: 10)
        #expect(s.hasPrefix("members.csv (patient): 25% 25.0 MiB of 100.0 MiB"))
        #expect(s.contains("250,000 records"))
        #expect(s.contains("900 rejected, 100 excluded"))
        #expect(s.contains("25,000 rec/s"))
        // 75 MiB left at 2.5 MiB/s: 30 s.
        #expect(s.hasSuffix("ETA 0:30"))
    }

    @Test func progressTextWithoutATotalHasNoETA() {
        var p = Self.sample
        p.bytesTotal = 0
        let s = ProgressLine.format(p, elapsed: 10)
        #expect(s.contains("25.0 MiB,"))
        #expect(!s.contains("%"))
        #expect(!s.contains("ETA"))
    }

    @Test func progressTextShrinksToFitTheTerminal() {
        let full = ProgressLine.format(Self.sample, elapsed: 10)
        let narrow = ProgressLine.format(Self.sample, elapsed: 10, width: 70)
        #expect(full.count > 70)
        #expect(narrow.count <= 70)
        #expect(narrow.contains("ETA 0:30"), "the ETA is the last detail to go: \(narrow)")
        #expect(ProgressLine.format(Self.sample, elapsed: 10, width: 20).count <= 20)
    }

    @Test func numberAndDurationFormats() {
        #expect(ProgressLine.grouped(0) == "0")
        #expect(ProgressLine.grouped(999) == "999")
        #expect(ProgressLine.grouped(1_234_567) == "1,234,567")
        #expect(ProgressLine.bytes(512) == "512 B")
        #expect(ProgressLine.bytes(1536) == "1.5 KiB")
        #expect(ProgressLine.bytes(3 << 30) == "3.00 GiB")
        #expect(ProgressLine.duration(7) == "0:07")
        #expect(ProgressLine.duration(754) == "12:34")
        #expect(ProgressLine.duration(3723) == "1:02:03")
        #expect(ProgressLine.duration(.infinity) == "?")
    }

    @Test func redrawsAreThrottledAndANewInputAlwaysDraws() {
        let rec = Recorder(), clock = Clock()
        let line = ProgressLine(enabled: true, isTerminal: true, interval: 0.1, width: 200,
                                write: { rec.append($0) }, now: { clock.t })
        var p = Self.sample
        for i in 0..<100 {
            clock.t += 0.01 // 100 events in one second
            p.records = i
            line.update(p)
        }
        let draws = rec.all.count
        #expect(draws >= 9 && draws <= 11, "\(draws) draws for 1 s of events at 10/s")
        #expect(rec.all.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") })
        p.input = "imms.csv"
        p.kind = .immunization
        clock.t += 0.001
        line.update(p)
        #expect(rec.all.count == draws + 1)
        #expect(rec.all.last?.contains("imms.csv (immunization)") == true)
        line.clear()
        #expect(rec.all.last == "\r\u{1B}[K")
        let before = rec.all.count
        line.clear() // nothing drawn since: nothing to erase
        #expect(rec.all.count == before)
    }

    @Test func messagesEraseTheLineFirst() {
        let rec = Recorder(), clock = Clock()
        let line = ProgressLine(enabled: true, isTerminal: true, write: { rec.append($0) }, now: { clock.t })
        line.update(Self.sample)
        line.message("members.csv: ignoring 1 unknown column: PLAN")
        #expect(rec.all.suffix(2) == ["\r\u{1B}[K", "members.csv: ignoring 1 unknown column: PLAN\n"])
    }

    @Test func disabledLineDrawsNothingAndLogsGetWholeLines() {
        let rec = Recorder(), clock = Clock()
        let off = ProgressLine(enabled: false, isTerminal: true, write: { rec.append($0) }, now: { clock.t })
        off.update(Self.sample)
        off.clear()
        #expect(rec.all.isEmpty)
        let log = ProgressLine(enabled: true, isTerminal: false, write: { rec.append($0) }, now: { clock.t })
        log.update(Self.sample)
        clock.t += 0.5
        log.update(Self.sample) // within a second: skipped
        clock.t += 0.6
        log.update(Self.sample)
        #expect(rec.all.count == 2)
        #expect(rec.all.allSatisfy { !$0.contains("\r") && $0.hasSuffix("\n") })
    }

    @Test func encodingGuess() {
        #expect(EncodingGuess.guess(Array("José Müller\n".utf8)) == .utf8)
        #expect(EncodingGuess.guess(Array("Jose Muller\n".utf8)) == .ascii)
        #expect(EncodingGuess.guess([0x4A, 0x6F, 0x73, 0xE9, 0x0A]) == .cp1252(undefined: 0)) // "José" in Windows-1252
        #expect(EncodingGuess.guess([0x93, 0x41, 0x94, 0x0A]) == .cp1252(undefined: 0))       // curly quotes
        #expect(EncodingGuess.guess([0x41, 0xE9, 0x81, 0x0A]) == .notCP1252(undefined: 1))    // 0x81 is undefined there
        #expect(EncodingGuess.guess([0x41, 0xC3]) == .utf8)                                   // a sequence cut by the end
    }

    /// Issue 17: one stray byte does not decide; the whole file does.
    @Test func encodingGuessJudgesTheWholeFile() {
        // Windows-1252 with many defined high bytes (é, ’) and one stray 0x81: still Windows-1252.
        var win: [UInt8] = []
        for _ in 0..<30 { win += Array("Ren".utf8) + [0xE9] + Array("e O".utf8) + [0x92] + Array("Brien\n".utf8) }
        win += [0x41, 0x81, 0x0A]
        #expect(EncodingGuess.guess(win) == .cp1252(undefined: 1))
        // UTF-8 with one broken byte: mostly UTF-8, never a one-byte encoding.
        var utf: [UInt8] = []
        for _ in 0..<30 { utf += Array("San José, Müller\n".utf8) }
        utf += [0x41, 0xE9, 0x0A]
        #expect(EncodingGuess.guess(utf) == .mostlyUTF8(invalid: 1))
        // A UTF-8 sequence split across two blocks is still valid.
        var counts = EncodingGuess.Counts()
        let e = Array("é".utf8)
        [e[0]].withUnsafeBytes { counts.scan($0) }
        [e[1], 0x0A].withUnsafeBytes { counts.scan($0) }
        #expect(counts.guess == .utf8)
    }

    // MARK: the real binary in a terminal

    @Test func progressLineAppearsOnATerminalAndNotInAPipe() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeMembers(3000, to: dir.appendingPathComponent("members.csv"))
        let cmd = "'\(GoldenTests.binary)' convert --patients members.csv --org ACMEHP --as-of 2025-01-31 --threads 1 --chunk-size 4096"

        let tty = try Self.runInTerminal(cmd + " --out-dir tty", in: dir)
        #expect(tty.status == 0, "\(tty.stdout)")
        let screen = tty.stdout
        #expect(screen.contains("\rmembers.csv (patient): "), "no progress line on a terminal: \(screen.prefix(300))")
        #expect(screen.contains("\u{1B}[K"))
        #expect(screen.contains(" records"))
        // The line is erased before the summary (or the run's messages before it), which follows on a clean line.
        #expect(screen.contains("\r\u{1B}[Kmembers.csv"))
        #expect(screen.contains("\r\u{1B}[Kmembers.csv (patient): 3,001 in, 3,000 written, 0 rejected, 1 excluded")
                || screen.contains("\nmembers.csv (patient): 3,001 in, 3,000 written, 0 rejected, 1 excluded"))
        // The --org defaults are named once per field (section 3c), on lines of their own.
        #expect(screen.contains("members.csv: the --org default filled sending_org in 3000 records"))
        #expect(screen.contains("excluded: X_NOT_DISCLOSED 1"))
        #expect(screen.contains("tty/patient.txt"))
        #expect(screen.contains("done: 3,001 records in "))
        #expect(!screen.contains("Quenneville") && !screen.contains("QUENNEVILLE") && !screen.contains("Zzyzx"))

        let never = try Self.runInTerminal(cmd + " --out-dir never --progress never", in: dir)
        #expect(never.status == 0)
        #expect(!never.stdout.contains("\r members.csv") && !never.stdout.contains("\u{1B}[K"))
        #expect(never.stdout.contains("done: 3,001 records"))

        let quiet = try Self.runInTerminal(cmd + " --out-dir quiet -q", in: dir)
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty, "-q printed: \(quiet.stdout)")

        let piped = try Self.run(["convert", "--patients", "members.csv", "--org", "ACMEHP", "--as-of", "2025-01-31",
                                  "--threads", "1", "--chunk-size", "4096", "--out-dir", "piped"], in: dir)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("\r") && !piped.stderr.contains("\u{1B}"), "progress drawn into a pipe")
        #expect(piped.stderr.contains("members.csv (patient): 3,001 in, 3,000 written"))

        let always = try Self.run(["convert", "--patients", "members.csv", "--org", "ACMEHP", "--as-of", "2025-01-31",
                                   "--threads", "1", "--chunk-size", "4096", "--out-dir", "always", "--progress", "always"], in: dir)
        #expect(always.status == 0)
        #expect(always.stderr.contains("members.csv (patient): ") && always.stderr.contains(" records"))
        #expect(!always.stderr.contains("\r"), "a log gets whole lines, not redraws")
    }

    @Test func jsonPrintsTheSummaryOnStdoutInsteadOfStderr() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeMembers(10, to: dir.appendingPathComponent("members.csv"))
        let r = try Self.run(["convert", "--patients", "members.csv", "--org", "ACMEHP", "--as-of", "2025-01-31",
                              "--out-dir", "out", "--json"], in: dir)
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let files = obj?["files"] as? [[String: Any]]
        #expect(files?.first?["input_records"] as? Int == 11)
        #expect(files?.first?["excluded"] as? Int == 1)
        #expect(r.stdout.hasSuffix("}\n"))
        #expect(!r.stderr.contains("done:"), "the stderr summary is replaced by --json: \(r.stderr)")
        let onDisk = try String(contentsOf: dir.appendingPathComponent("out/summary.json"), encoding: .utf8)
        #expect(onDisk.trimmingCharacters(in: .whitespacesAndNewlines) == r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func summaryListsTopCodesAndEveryPublishedFile() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = """
            record_id,first_name,last_name,birth_date,disclosed,disclosed_date,zip
            A1,Ann,Lee,1990-01-01,Y,2020-01-01,123
            A2,Bob,Lee,02/30/1990,Y,2020-01-01,94801
            A3,Cy,Lee,1991-13-01,Y,2020-01-01,94801
            A4,D4n,Lee,1990-01-01,Y,2020-01-01,94801
            A5,Ed,Lee,1990-01-01,N,,94801

            """
        try csv.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let r = try Self.run(["convert", "--patients", "p.csv", "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", "out"], in: dir)
        #expect(r.status == 0)
        let e = r.stderr
        #expect(e.contains("p.csv (patient): 5 in, 1 written, 3 rejected, 1 excluded, 1 warning\n"), "\(e)")
        #expect(e.contains("    rejects:  E_DATE 2, E_NAME 1\n"))
        #expect(e.contains("    excluded: X_NOT_DISCLOSED 1\n"))
        #expect(e.contains("    warnings: W_ZIP 1\n"))
        #expect(e.contains("    -> out/patient.txt (878 B)\n"))
        #expect(e.contains("out/rejects.csv (4 rows)") && e.contains("out/warnings.csv (1 row)") && e.contains("out/summary.json ("))
        #expect(e.contains("done: 5 records in ") && e.contains(" records/s, "))
        for value in ["D4n", "02/30/1990", "1991-13-01", "123,"] { #expect(!e.contains(value), "value on the console: \(value)") }
    }

    @Test func cp1252BytesReadAsUTF8GetAnEncodingHint() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = Array("record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n".utf8)
        for i in 0..<4 { bytes += Array("R\(i),Ren".utf8) + [0xE9] + Array("e,O".utf8) + [0x92] + Array("Brien,1990-01-01,Y,2020-01-01\n".utf8) }
        try Data(bytes).write(to: dir.appendingPathComponent("win.csv"))
        let r = try Self.run(["convert", "--patients", "win.csv", "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", "out"], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr.contains("E_ENCODING 8"))
        #expect(r.stderr.contains("hint: win.csv: 8 fields are not valid UTF-8 and the bytes look like Windows-1252; run again with --encoding cp1252"), "\(r.stderr)")
        #expect(!r.stderr.contains("Ren") && !r.stderr.contains("Brien"))
        // With the hint followed: clean.
        let fixed = try Self.run(["convert", "--patients", "win.csv", "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", "out2",
                                  "--encoding", "cp1252"], in: dir)
        #expect(fixed.stderr.contains("win.csv (patient): 4 in, 4 written, 0 rejected"))
        #expect(!fixed.stderr.contains("hint:"))
    }

    @Test func inputErrorsShowTheRightForm() throws {
        let dir = try Self.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Self.run(["convert", "--immunizations", "imms.csv", "--out-dir", "out"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cair2 convert: --immunizations and --comments must be submitted with --patients"))
        #expect(r.stderr.contains("usage: cair2 convert --patients FILE [--immunizations FILE] [--comments FILE] --out-dir DIR"))
        #expect(r.stderr.contains("cair2 convert --query FILE --out-dir DIR"))
        let bad = try Self.run(["convert", "--patients", "p.csv", "--out-dir", "out", "--progress", "sometimes"], in: dir)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("'auto', 'always' or 'never'"))
        let enc = try Self.run(["convert", "--patients", "p.csv", "--out-dir", "out", "--encoding", "ebcdic"], in: dir)
        #expect(enc.status == 64)
        #expect(enc.stderr.contains("use --encoding utf8, cp1252 (Windows) or latin1"))
    }

    @Test func bareZstdMeansTheDefaultLevel() {
        let level = ConvertArguments.defaultZstdLevel
        #expect(ConvertArguments.expandingBareZstd(["convert", "--zstd", "--out-dir", "o"]) == ["convert", "--zstd=\(level)", "--out-dir", "o"])
        #expect(ConvertArguments.expandingBareZstd(["convert", "--zstd", "19"]) == ["convert", "--zstd", "19"])
        #expect(ConvertArguments.expandingBareZstd(["convert", "-q", "--zstd"]) == ["convert", "-q", "--zstd=\(level)"])
        #expect(ConvertArguments.expandingBareZstd(["archive", "--zstd"]) == ["archive", "--zstd"])
        #expect(ConvertArguments.expandingBareZstd(["convert", "--", "--zstd"]) == ["convert", "--", "--zstd"])
    }

    // MARK: help, version, completions, man page

    static let subcommands = ["convert", "layouts", "decode", "validate", "archive", "verify"]

    /// The subcommands the binary lists in its help (so a newly merged one is checked too).
    static func listedSubcommands() throws -> [String] {
        let help = try run(["--help"]).stdout
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        let block = help[start.upperBound...].components(separatedBy: "\n\n")[0]
        return block.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    @Test func everySubcommandHasHelpWithExamples() throws {
        let listed = try Self.listedSubcommands()
        #expect(Set(Self.subcommands).isSubset(of: Set(listed)), "\(listed)")
        for sub in listed {
            let r = try Self.run([sub, "--help"])
            #expect(r.status == 0, "\(sub) --help exited \(r.status)")
            #expect(r.stdout.contains("USAGE: cair2 \(sub)"), "\(sub)")
            #expect(r.stdout.contains("Example"), "\(sub) --help has no worked example")
            #expect(r.stdout.contains("cair2 \(sub) "), "\(sub) --help example does not run \(sub)")
        }
        let root = try Self.run(["--help"])
        #expect(root.status == 0 && root.stdout.contains("cair2 archive batch"))
    }

    @Test func versionIsTheLibrarysVersion() throws {
        let r = try Self.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == CAIR2Version.version)
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptIsGeneratedAndCommitted(_ shell: String) throws {
        let r = try Self.run(["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r.stderr)")
        for sub in try Self.listedSubcommands() { #expect(r.stdout.contains(sub), "\(shell) completion lacks \(sub)") }
        #expect(r.stdout.contains("patient-return"), "layout kinds are offered")
        let file = ["bash": "cair2.bash", "zsh": "_cair2", "fish": "cair2.fish"][shell]!
        let committed = try? String(contentsOf: GoldenTests.root.appendingPathComponent("docs/completions/\(file)"), encoding: .utf8)
        #expect(committed == r.stdout, "docs/completions/\(file) is stale: run scripts/completions")
        if shell == "bash" {
            let check = try Self.run(["-n", GoldenTests.root.appendingPathComponent("docs/completions/cair2.bash").path], program: "/bin/bash")
            #expect(check.status == 0, "bash -n: \(check.stderr)")
        }
    }

    @Test func manPageCoversEverySubcommandAndOption() throws {
        let page = try String(contentsOf: GoldenTests.root.appendingPathComponent("docs/man/cair2.1"), encoding: .utf8)
        #expect(page.contains(".Dt CAIR2 1"))
        for sub in try Self.listedSubcommands() {
            #expect(page.contains(".It Em \(sub)"), "man page lacks \(sub): run scripts/completions")
        }
        for option in ["patients", "out-dir", "progress", "max-reject-rate", "kind", "mtime"] {
            #expect(page.contains("Fl -\(option)"), "man page lacks --\(option): run scripts/completions")
        }
    }
}
