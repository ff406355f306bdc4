import Foundation
import Testing

/// Issue 17: an option value out of its range or not a number is exit 64 with the subcommand's own usage line
/// and creates nothing, for every command; the contract's exit-2 causes stay exit 2.
@Suite struct ExitCodeWalkTests {
    /// Bad option values, per command. Every row must exit 64, print `USAGE: cair2 SUBCOMMAND` (not the top-level
    /// usage) and leave the working folder as it was.
    static let badValues: [String: [[String]]] = {
        let convert = ["convert", "--patients", "m.csv", "--org", "ORG", "--out-dir", "new"]
        let decode = ["decode", "f.txt", "--kind", "patient"]
        let validate = ["validate", "f.txt", "--kind", "patient"]
        let archive = ["archive", "batch", "-o", "new.tar.zst"]
        let generate = ["generate", "--members", "10", "--out-dir", "new"]
        let hedis = ["hedis", "--measure", "cis", "--year", "2025", "--members", "m.csv", "--patient-return", "f.txt",
                     "--immunization-return", "f.txt", "--out-dir", "new"]
        return [
            "convert": [
                convert + ["--encoding", "x"], convert + ["--delimiter", "ab"], convert + ["--as-of", "2026-13-01"],
                convert + ["--as-of", "yesterday"], convert + ["--progress", "x"], convert + ["--zstd=30"],
                convert + ["--zstd=abc"], convert + ["--max-reject-rate", "5"], convert + ["--max-reject-rate", "nan"],
                convert + ["--max-records-per-file", "0"], convert + ["--max-records-per-file", "x"],
                convert + ["--threads", "abc"], convert + ["--show-problems", "-1"], convert + ["--show-problems", "x"],
                convert + ["--file-mode", "0777"], convert + ["--file-mode", "rw"], convert + ["--file-mode", "0602"],
            ],
            "decode": [
                ["decode", "f.txt", "--kind", "bogus"], decode + ["--format", "bogus"],
                decode + ["-o", "new.csv", "--file-mode", "0666"], decode + ["-o", "new.csv", "--file-mode", "9"],
            ],
            "validate": [
                ["validate", "f.txt", "--kind", "bogus"], validate + ["--as-of", "2026-13-01"],
            ],
            "archive": [
                archive + ["--level", "30"], archive + ["--level", "abc"], archive + ["--mtime", "yesterday"],
                archive + ["--file-mode", "0700"],
            ],
            "generate": [
                ["generate", "--members", "-1", "--out-dir", "new"], ["generate", "--members", "x", "--out-dir", "new"],
                generate + ["--defect-rate", "2"], generate + ["--as-of", "2026-13-01"], generate + ["--threads", "0"],
                generate + ["--org", "A B"], generate + ["--file-mode", "0601"],
            ],
            "hedis": [
                ["hedis", "--measure", "x", "--year", "abc"], hedis + ["--year", "abc"], hedis + ["--mening-from", "12"],
                hedis + ["--delimiter", "ab"], hedis + ["--encoding", "x"],
                ["hedis", "--measure", "x", "--year", "2025", "--members", "m.csv", "--patient-return", "f.txt",
                 "--immunization-return", "f.txt", "--out-dir", "new"],
            ],
            "codes": [["codes", "bogus"], ["codes", "cvx", "--format", "bogus"], ["codes", "search"]],
            "layouts": [["layouts", "bogus"]],
            "verify": [["verify", "a.tar.zst", "extra"]],
        ]
    }()

    static func listing(_ dir: URL) -> [String] {
        (FileManager.default.subpaths(atPath: dir.path) ?? []).sorted()
    }

    static func fixture() throws -> URL {
        let dir = try UXTests.workDir()
        try UXTests.writeMembers(3, to: dir.appendingPathComponent("m.csv"))
        try Data("x\r\n".utf8).write(to: dir.appendingPathComponent("f.txt"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("batch"), withIntermediateDirectories: true)
        return dir
    }

    @Test func everyCommandsBadOptionValuesAreUsageErrors() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = Self.listing(dir)
        let listed = try UXTests.listedSubcommands()
        #expect(Set(listed).isSubset(of: Set(Self.badValues.keys)), "a command without rows: \(listed)")
        for (command, rows) in Self.badValues.sorted(by: { $0.key < $1.key }) {
            for args in rows {
                let r = try UXTests.run(args, in: dir)
                #expect(r.status == 64, "\(args.joined(separator: " ")): exit \(r.status): \(r.stderr)")
                #expect(r.stderr.contains("Usage: cair2 \(command)") || r.stderr.contains("USAGE: cair2 \(command)"),
                        "\(args.joined(separator: " ")) does not print its own usage: \(r.stderr)")
                #expect(!r.stderr.contains("cair2 <subcommand>"), "\(args.joined(separator: " ")) prints the top-level usage")
                #expect(Self.listing(dir) == before, "\(args.joined(separator: " ")) created \(Set(Self.listing(dir)).subtracting(before))")
            }
        }
    }

    @Test func theContractsCannotStartCausesStayExit2() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("first_name,last_name\nA,B\n".utf8).write(to: dir.appendingPathComponent("nocol.csv"))
        try Data("{not json".utf8).write(to: dir.appendingPathComponent("bad.json"))
        let convert = ["convert", "--out-dir", "new"]
        for args in [
            convert + ["--patients", "missing.csv", "--org", "ORG"],
            convert + ["--patients", "nocol.csv", "--org", "ORG"],
            convert + ["--patients", "m.csv", "--org", "ORG", "--map", "bad.json"],
            convert + ["--patients", "m.csv", "--org", "ORG", "--map", "missing.json"],
            convert + ["--patients", "m.csv", "--org", "TOO LONG AN ORG CODE"],
            convert + ["--immunizations", "m.csv"],
            convert + ["--patients", "m.csv", "--query", "m.csv"],
            ["decode", "missing.txt", "--kind", "patient"],
            ["validate", "missing.txt", "--kind", "patient"],
        ] {
            let r = try UXTests.run(args, in: dir)
            #expect(r.status == 2, "\(args.joined(separator: " ")): exit \(r.status): \(r.stderr)")
            #expect(!r.stderr.contains("USAGE: cair2 <subcommand>"))
        }
    }
}
