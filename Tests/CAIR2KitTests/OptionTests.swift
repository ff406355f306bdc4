import CAIR2Kit
import Foundation
import Testing

/// Option values: what help, man page and completions say is what the tool does; out-of-range values are usage
/// errors (exit 64) before anything is created.
@Suite struct OptionTests {
    @Test func bareZstdIsTheLevelTheHelpNames() throws {
        let dir = try UXTests.workDir()
        try UXTests.writeMembers(300, to: dir.appendingPathComponent("m.csv"))
        let help = try UXTests.run(["convert", "--help"])
        let level = ConvertArguments.defaultZstdLevel
        #expect(help.stdout.contains("--zstd alone is level \(level)"))
        let man = try String(contentsOf: GoldenTests.root.appendingPathComponent("docs/man/cair2.1"), encoding: .utf8)
        #expect(man.contains("alone is level \(level)"))
        for (name, args) in [("bare", ["--zstd"]), ("explicit", ["--zstd=\(level)"]), ("other", ["--zstd=9"])] {
            let r = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ORG", "--out-dir", name, "-q"] + args, in: dir)
            #expect(r.status == 0)
        }
        func bytes(_ d: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent("\(d)/patient.txt.zst")) }
        #expect(try bytes("bare") == bytes("explicit"))
        #expect(try bytes("bare") != bytes("other"))
    }

    @Test func outOfRangeValuesAreUsageErrorsThatCreateNothing() throws {
        let dir = try UXTests.workDir()
        try UXTests.writeMembers(5, to: dir.appendingPathComponent("m.csv"))
        for bad in [["--zstd=23"], ["--zstd=0"], ["--zstd=30"], ["--max-records-per-file", "0"], ["--max-reject-rate", "5"]] {
            let r = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ORG", "--out-dir", "new"] + bad, in: dir)
            #expect(r.status == 64, "\(bad)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("new").path), "\(bad)")
        }
    }
}
