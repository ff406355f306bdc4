import CAIR2Core
import CAIR2Kit
@testable import cair2
import Foundation
import Testing

/// Issue 17, the documentation half: help, man page, CODES.md, GUIDE.md and the scripts say what the tool does.
@Suite struct DocsIssue17Tests {
    static func text(_ relative: String) throws -> String {
        try String(contentsOf: GoldenTests.root.appendingPathComponent(relative), encoding: .utf8)
    }

    // MARK: exit statuses: one table for --help and the man page

    @Test func exitStatusTableIsInTheHelpAndTheManPage() throws {
        let help = try UXTests.run(["--help"]).stdout
        #expect(help.contains("Exit status:"))
        let man = try Self.text("docs/man/cair2.1")
        let exitSection = try #require(man.components(separatedBy: ".Sh \"EXIT STATUS\"\n").last)
        #expect(!exitSection.contains(".Ex -std"), "the man page's EXIT STATUS is the generic one: run scripts/completions")
        for row in ExitStatus.table {
            let padded = row.status + String(repeating: " ", count: max(1, 5 - row.status.count))
            let start = String(row.meaning.prefix(30))
            #expect(help.contains("  " + padded + start), "cair2 --help lacks exit status \(row.status)")
            #expect(exitSection.contains(".It \(row.status)\n\(row.meaning)\n"), "man EXIT STATUS lacks \(row.status)")
        }
    }

    @Test func manPageHasNoGroffWarnings() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else { return }
        let r = try UXTests.run(["-man", "-ww", "-z", GoldenTests.root.appendingPathComponent("docs/man/cair2.1").path],
                                program: "/usr/bin/groff")
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "groff -man -ww: \(r.stderr)")
    }

    @Test func threadsDefaultIsPrintedOnce() throws {
        let convert = try UXTests.run(["convert", "--help"]).stdout
        #expect(convert.contains("(default: all cores)"))
        #expect(!convert.contains("(default: 0)"), "--threads prints its default twice")
        let generate = try UXTests.run(["generate", "--help"]).stdout
        #expect(generate.contains("all cores"))
        #expect(!generate.contains("(default: \(ProcessInfo.processInfo.activeProcessorCount))"),
                "generate --threads prints this machine's core count, so help and man page differ per machine")
    }

    // MARK: CODES.md

    @Test func codesListsEveryValidateCode() throws {
        let codes = try Self.text("docs/CODES.md")
        let section = try #require(codes.components(separatedBy: "## Validate codes").last?.components(separatedBy: "\n## ").first)
        for code in ValidationCode.allCases { #expect(section.contains("`\(code.rawValue)`"), "CODES.md lacks \(code.rawValue)") }
    }

    @Test func optionalNameClaimsHold() throws {
        let codes = try Self.text("docs/CODES.md")
        #expect(!codes.contains("`N/A`, `NMN`, digits or symbols"), "CODES.md claims N/A and NMN are dropped")
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = """
            record_id,first_name,middle_name,last_name,birth_date,disclosed,disclosed_date
            A1,Ann,N/A,Lee,1990-01-01,Y,2020-01-01
            A2,Ann,NMN,Lee,1990-01-01,Y,2020-01-01
            A3,Ann,J3,Lee,1990-01-01,Y,2020-01-01
            A4,Ann,#,Lee,1990-01-01,Y,2020-01-01

            """
        try csv.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try #"{"nulls": ["N/A", "NMN"]}"#.write(to: dir.appendingPathComponent("nulls.json"), atomically: true, encoding: .utf8)
        let r = try UXTests.run(["convert", "--patients", "p.csv", "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", "o", "-q"], in: dir)
        #expect(r.status == 0)
        let warnings = try String(contentsOf: dir.appendingPathComponent("o/warnings.csv"), encoding: .utf8)
        // As CODES.md says: digits and symbols are dropped; N/A and NMN are written (as N A and NMN).
        #expect(!warnings.contains(",A1,middle_name,W_NAME_DROPPED") && !warnings.contains(",A2,middle_name,W_NAME_DROPPED"))
        #expect(warnings.contains(",A3,middle_name,W_NAME_DROPPED") && warnings.contains(",A4,middle_name,W_NAME_DROPPED"))
        // ... and `nulls` blanks them.
        let n = try UXTests.run(["convert", "--patients", "p.csv", "--org", "ACMEHP", "--as-of", "2025-01-31", "--out-dir", "n", "-q",
                                 "--map", "nulls.json"], in: dir)
        #expect(n.status == 0, "\(n.stderr)")
        let decoded = try UXTests.run(["decode", "n/patient.txt", "--kind", "patient"], in: dir).stdout
        let middles = decoded.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[3] }
        #expect(middles == ["", "", "", ""], "\(middles)")
    }

    // MARK: GUIDE.md and the scripts

    /// The nightly script of GUIDE.md section 8.
    static func nightlyScript() throws -> String {
        let guide = try text("docs/GUIDE.md")
        let section = try #require(guide.components(separatedBy: "## 8. Every night").last)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return block
    }

    @Test func guideReadsZstdDirectlyAndItsNightlyScriptHandlesExit4AndParts() throws {
        let guide = try Self.text("docs/GUIDE.md")
        #expect(!guide.contains("zstd -dc"), "GUIDE pipes .zst through zstd -dc although validate and decode read it")
        let script = try Self.nightlyScript()
        #expect(script.contains("part-"), "the nightly script ignores part-NNN/")
        #expect(script.contains("-ne 4"), "the nightly script stops at exit 4 before validating and archiving")
        #expect(script.contains("cair2 archive") && script.contains("cair2 verify"))
        let syntax = try UXTests.run(["-n", "-c", script], program: "/bin/sh")
        #expect(syntax.status == 0, "sh -n: \(syntax.stderr)")
        #expect(try !UXTests.run(["decode", "--help"]).stdout.contains("zstd -dc"))
    }

    /// Runs the GUIDE's nightly script for real (paths moved into a scratch folder): exit 4 still validates,
    /// archives and verifies a split batch, and the script ends with 4.
    @Test func guideNightlyScriptRunsThroughExit4() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for d in ["extracts", "batches", "archive", "bin"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        // 30 members, 10 of them rejected (E_DATE): 33% > 5%.
        var csv = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n"
        for i in 0..<30 { csv += "R\(i),Ann,Lee,\(i < 10 ? "1990-02-31" : "1990-01-02"),Y,2020-01-01\n" }
        try csv.write(to: dir.appendingPathComponent("extracts/members.csv"), atomically: true, encoding: .utf8)
        // One dose in each of the three parts (an empty part-NNN/immunization.txt.zst trips archive today: see the
        // report of the ux branch).
        try "record_id,cvx_code,vaccination_date,manufacturer\nR11,03,2020-01-01,MSD\nR17,03,2020-01-01,MSD\nR24,03,2020-01-01,MSD\n".write(to: dir.appendingPathComponent("extracts/imms.csv"),
                                                                             atomically: true, encoding: .utf8)
        try "{}".write(to: dir.appendingPathComponent("map.json"), atomically: true, encoding: .utf8)
        var script = try Self.nightlyScript()
        script = script.replacingOccurrences(of: "/extracts/members.csv.zst", with: "\(dir.path)/extracts/members.csv")
            .replacingOccurrences(of: "/extracts/imms.csv.zst", with: "\(dir.path)/extracts/imms.csv")
            .replacingOccurrences(of: "/etc/cair2/map.json", with: "\(dir.path)/map.json")
            .replacingOccurrences(of: "\"/batches/", with: "\"\(dir.path)/batches/")
            .replacingOccurrences(of: "\"/archive/", with: "\"\(dir.path)/archive/")
            .replacingOccurrences(of: "--max-reject-rate 0.05", with: "--max-reject-rate 0.05 --max-records-per-file 7")
        let bin = URL(fileURLWithPath: GoldenTests.binary).deletingLastPathComponent().path
        let r = try UXTests.run(["-c", "PATH=\"\(bin):$PATH\"; " + script], in: dir, program: "/bin/sh")
        #expect(r.status == 4, "the script should end with convert's exit 4: \(r.status) \(r.stderr)")
        #expect(r.stdout.contains("OK,"), "verify did not run: \(r.stdout) \(r.stderr)")
        let archives = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("archive").path)
        #expect(archives.count == 1)
        #expect(r.stdout.components(separatedBy: "no problems").count - 1 == 3, "every part validated: \(r.stdout)")
    }

    @Test func runSampleFailsWhenValidationFails() throws {
        let script = try Self.text("scripts/run-sample")
        #expect(script.contains("validate"))
        #expect(!script.contains("|| true"), "scripts/run-sample hides a failed validation")
    }

    // MARK: the mapping file's messages

    @Test func mappingTyposGetDidYouMeanAndAMissingFileItsReason() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try UXTests.writeMembers(2, to: dir.appendingPathComponent("m.csv"))
        let cases: [(String, String)] = [
            (#"{"columns": {"FNAME": "frist_name"}}"#, "did you mean 'first_name'?"),
            (#"{"defaults": {"patient_staus": "A"}}"#, "did you mean 'patient_status'?"),
            (#"{"values": {"vaccine_eligibilty": {"X": "B"}}}"#, "did you mean 'vaccine_eligibility'?"),
            (#"{"column": {}}"#, "did you mean 'columns'?"),
        ]
        for (i, (json, expected)) in cases.enumerated() {
            try json.write(to: dir.appendingPathComponent("map\(i).json"), atomically: true, encoding: .utf8)
            let r = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ACMEHP", "--out-dir", "o", "--map", "map\(i).json"], in: dir)
            #expect(r.status == 2)
            #expect(r.stderr.contains(expected), "\(json): \(r.stderr)")
        }
        let far = #"{"defaults": {"zzzzzz": "A"}}"#
        try far.write(to: dir.appendingPathComponent("far.json"), atomically: true, encoding: .utf8)
        let r = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ACMEHP", "--out-dir", "o", "--map", "far.json"], in: dir)
        #expect(r.status == 2 && !r.stderr.contains("did you mean"))
        let missing = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ACMEHP", "--out-dir", "o", "--map", "nope.json"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.json: cannot read the mapping file: No such file or directory"), "\(missing.stderr)")
        #expect(DidYouMean.nearest("frist_name", in: ["first_name", "last_name"]) == "first_name")
        #expect(DidYouMean.nearest("x", in: ["first_name"]) == nil)
    }
}
