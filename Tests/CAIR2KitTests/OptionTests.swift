import CAIR2Kit
@testable import cair2
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Option values: what help, man page and completions say is what the tool does; out-of-range values are usage
/// errors (exit 64) before anything is created.
@Suite struct OptionTests {
    @Test func bareZstdIsTheLevelTheHelpNames() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
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
        defer { try? FileManager.default.removeItem(at: dir) }
        try UXTests.writeMembers(5, to: dir.appendingPathComponent("m.csv"))
        for bad in [["--zstd=23"], ["--zstd=0"], ["--zstd=30"], ["--max-records-per-file", "0"], ["--max-reject-rate", "5"]] {
            let r = try UXTests.run(["convert", "--patients", "m.csv", "--org", "ORG", "--out-dir", "new"] + bad, in: dir)
            #expect(r.status == 64, "\(bad)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("new").path), "\(bad)")
        }
    }
}

/// Compressed outputs without a line are still zstd streams (one empty frame), so `zstd -t` and `archive`
/// accept a split batch whose second part has no immunizations (found by the issue-17 walk-through).
@Suite struct EmptyZstdOutputTests {
    @Test func aPartWithoutLinesIsAnEmptyFrame() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "record_id,first_name,last_name,birth_date,disclosed,disclosed_date\nR0,Ann,Li,2000-01-02,Y,2020-01-01\nR1,Bo,Li,2000-01-02,Y,2020-01-01\nR2,Cy,Li,2000-01-02,Y,2020-01-01\nR3,Di,Li,2000-01-02,Y,2020-01-01\n"
            .write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try "record_id,cvx_code,vaccination_date,manufacturer\nR0,03,2020-01-01,MSD\n"
            .write(to: dir.appendingPathComponent("i.csv"), atomically: true, encoding: .utf8)
        try "record_id,cvx_code,vaccination_date,manufacturer\nR9,03,2020-01-01,MSD\n"
            .write(to: dir.appendingPathComponent("none.csv"), atomically: true, encoding: .utf8)
        let split = try UXTests.run(["convert", "--patients", "p.csv", "--immunizations", "i.csv", "--org", "ORG",
                                     "--out-dir", "o", "--max-records-per-file", "2", "--zstd", "-q"], in: dir)
        #expect(split.status == 0)
        let empty = dir.appendingPathComponent("o/part-002/immunization.txt.zst").path
        #expect(try UXTests.run(["-t", empty], program: "/usr/bin/zstd").status == 0)
        #expect(try UXTests.run(["-dc", empty], program: "/usr/bin/zstd").stdout.isEmpty)
        #expect(try UXTests.run(["archive", "o", "-o", "o.tar.zst"], in: dir).status == 0)
        // An input without an accepted record: the same.
        let orphan = try UXTests.run(["convert", "--patients", "p.csv", "--immunizations", "none.csv", "--org", "ORG",
                                      "--out-dir", "n", "--zstd", "-q"], in: dir)
        #expect(orphan.status == 0)
        #expect(try UXTests.run(["-t", dir.appendingPathComponent("n/immunization.txt.zst").path],
                                program: "/usr/bin/zstd").status == 0)
    }
}

/// `hedis` follows the out-dir rules of PRODUCT.md §4a like every writing command: a folder another run holds is
/// exit 2 at once, and nothing is written.
@Suite struct HedisLockTests {
    @Test func aLockedFolderIsExitTwo() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = GoldenTests.root.appendingPathComponent("Corpus/hedis/cis-feb29")
        for f in ["members.csv", "patient-return.txt", "immunization-return.txt", "immunizations.csv"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let args = GoldenTests.splitArgs(try String(contentsOf: source.appendingPathComponent("args"), encoding: .utf8))
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let fd = open(out.appendingPathComponent(".cair2.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        let locked = try UXTests.run(["hedis"] + args + ["--out-dir", "out", "-q"], in: dir)
        #expect(locked.status == 2, "\(locked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("hedis-members.csv").path))
        close(fd)
        let free = try UXTests.run(["hedis"] + args + ["--out-dir", "out", "-q"], in: dir)
        #expect(free.status == 0, "\(free.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("hedis-members.csv").path))
    }
}
