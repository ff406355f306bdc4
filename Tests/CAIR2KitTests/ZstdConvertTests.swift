import Foundation
import Testing

/// `convert --zstd`: .txt.zst outputs that `zstd -d` turns into exactly the bytes of the plain run, for every
/// thread count; `.zst` input for decode and validate, streamed; a truncated .zst is an I/O failure (exit 3).
@Suite struct ZstdConvertTests {
    static let sample = GoldenTests.root.appendingPathComponent("Corpus/conformance/random-400-seed101")

    @discardableResult
    func run(_ args: [String], cwd: URL, stdout: URL? = nil) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: GoldenTests.binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        p.standardError = FileHandle.nullDevice
        if let stdout {
            FileManager.default.createFile(atPath: stdout.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: stdout)
        } else {
            p.standardOutput = FileHandle.nullDevice
        }
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    func sh(_ cmd: String, cwd: URL) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", cmd]
        p.currentDirectoryURL = cwd
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func compressedOutputsDecompressToThePlainRun() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-zc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for f in ["patients.csv", "immunizations.csv", "comments.csv"] {
            try FileManager.default.copyItem(at: Self.sample.appendingPathComponent(f), to: work.appendingPathComponent(f))
        }
        let common = ["convert", "--patients", "patients.csv", "--immunizations", "immunizations.csv",
                      "--comments", "comments.csv", "--org", "ACMEHP", "--as-of", "2026-01-15", "-q"]
        #expect(try run(common + ["--out-dir", "plain"], cwd: work) == 0)
        for (threads, chunk, level) in [("1", "1048576", "--zstd=1"), ("2", "5000", "--zstd=3"), ("4", "777", "--zstd")] {
            let out = "z\(threads)"
            #expect(try run(common + ["--out-dir", out, "--threads", threads, "--chunk-size", chunk, level], cwd: work) == 0)
            for f in ["patient.txt", "immunization.txt", "comment.txt"] {
                #expect(try sh("zstd -q -t \(out)/\(f).zst && zstd -q -d -c \(out)/\(f).zst | cmp -s - plain/\(f)", cwd: work) == 0,
                        "\(out)/\(f).zst")
                #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("\(out)/\(f)").path))
            }
            // The summary's hash is the file's as written.
            let summary = try String(contentsOf: work.appendingPathComponent("\(out)/summary.json"), encoding: .utf8)
            #expect(summary.contains("patient.txt.zst"))
        }
    }

    @Test func decodeAndValidateReadZstdInput() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-zi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let expected = Self.sample.appendingPathComponent("expected/patient.txt")
        try FileManager.default.copyItem(at: expected, to: work.appendingPathComponent("patient.txt"))
        #expect(try sh("zstd -q patient.txt -o patient.txt.zst && head -c 2000 patient.txt.zst > cut.zst", cwd: work) == 0)
        #expect(try run(["validate", "patient.txt.zst", "--kind", "patient", "--as-of", "2026-01-15"], cwd: work) == 0)
        #expect(try run(["decode", "patient.txt", "--kind", "patient", "-o", "plain.csv"], cwd: work) == 0)
        #expect(try run(["decode", "patient.txt.zst", "--kind", "patient", "-o", "z.csv"], cwd: work) == 0)
        #expect(try Data(contentsOf: work.appendingPathComponent("plain.csv")) == Data(contentsOf: work.appendingPathComponent("z.csv")))
        #expect(try run(["validate", "cut.zst", "--kind", "patient"], cwd: work) == 3)
        #expect(try run(["decode", "cut.zst", "--kind", "patient", "-o", "cut.csv"], cwd: work) == 3)
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("cut.csv").path))
    }
}
