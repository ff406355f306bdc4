import Foundation
import Testing

/// The registry's own example records (seed 002: the Courtney Lee Brown patient, its ActHib immunization,
/// its 33A comment, and the query record), as a plan would send them in CSV, convert to exactly the lines
/// the layout tables require. The expected files were built independently, field by field at the tables'
/// start positions (Corpus/spec-examples/README.md).
@Suite struct SpecExampleTests {
    static let dir = GoldenTests.root.appendingPathComponent("Corpus/spec-examples")

    func convert(_ args: [String]) throws -> (Int32, URL) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for f in ["patients.csv", "immunizations.csv", "comments.csv", "query.csv"] {
            try FileManager.default.copyItem(at: Self.dir.appendingPathComponent(f), to: work.appendingPathComponent(f))
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: GoldenTests.binary)
        p.arguments = ["convert"] + args + ["--as-of", "2026-01-15", "--out-dir", "out", "-q"]
        p.currentDirectoryURL = work
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, work)
    }

    @Test func batchEndToEnd() throws {
        let (status, work) = try convert(["--patients", "patients.csv", "--immunizations", "immunizations.csv",
                                          "--comments", "comments.csv", "--org", "ACMEHP"])
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(status == 0)
        for f in ["patient.txt", "immunization.txt", "comment.txt"] {
            let got = try Data(contentsOf: work.appendingPathComponent("out/\(f)"))
            #expect(got == (try Data(contentsOf: Self.dir.appendingPathComponent("expected/\(f)"))), "\(f)")
        }
        let rejects = try String(contentsOf: work.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        let warnings = try String(contentsOf: work.appendingPathComponent("out/warnings.csv"), encoding: .utf8)
        #expect(rejects == "file,line,record_id,field,code,message\r\n")
        #expect(warnings == "file,line,record_id,field,code,message\r\n")
    }

    /// `--out-dir` creates every missing directory of its path (mode 0700), like `mkdir -p`.
    @Test func outDirIsCreatedWithItsParents() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(at: Self.dir.appendingPathComponent("patients.csv"), to: work.appendingPathComponent("patients.csv"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: GoldenTests.binary)
        p.arguments = ["convert", "--patients", "patients.csv", "--org", "ACMEHP", "--as-of", "2026-01-15",
                       "--out-dir", "nightly/2026-01-15/batch", "-q"]
        p.currentDirectoryURL = work
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let out = work.appendingPathComponent("nightly/2026-01-15/batch/patient.txt")
        #expect(try Data(contentsOf: out) == (try Data(contentsOf: Self.dir.appendingPathComponent("expected/patient.txt"))))
        let mode = try FileManager.default.attributesOfItem(atPath: work.appendingPathComponent("nightly").path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func queryEndToEnd() throws {
        let (status, work) = try convert(["--query", "query.csv"])
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(status == 0)
        let got = try Data(contentsOf: work.appendingPathComponent("out/query.txt"))
        #expect(got == (try Data(contentsOf: Self.dir.appendingPathComponent("expected/query.txt"))))
    }
}
