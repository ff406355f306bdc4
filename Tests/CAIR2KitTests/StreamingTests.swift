import Foundation
import Testing

/// Standard input, `.zst` input and `--no-mmap` take the streaming path: blocks in a reused buffer, a record
/// the block cuts carried to the next. With blocks of a few bytes every record (quoted newlines included)
/// crosses a block boundary; the outputs must be the mapped path's, byte for byte.
@Suite struct StreamingTests {
    static let sample = GoldenTests.root.appendingPathComponent("Corpus/conformance/random-400-seed101")

    func run(_ args: [String], stdin: URL? = nil, cwd: URL) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: GoldenTests.binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        if let stdin { p.standardInput = try FileHandle(forReadingFrom: stdin) }
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    func outputs(_ dir: URL) -> [String: Data] {
        var d: [String: Data] = [:]
        for f in ["patient.txt", "immunization.txt", "comment.txt"] {
            d[f] = try? Data(contentsOf: dir.appendingPathComponent(f))
        }
        // Reports without the file column (it names the input as given).
        for f in ["rejects.csv", "warnings.csv"] {
            let text = (try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)) ?? ""
            let rows = text.split(separator: "\r\n").map { $0.split(separator: ",", maxSplits: 1).last.map(String.init) ?? "" }
            // Sorted: rows are ordered by file name, and standard input is named "-".
            d[f] = Data(rows.sorted().joined(separator: "\n").utf8)
        }
        return d
    }

    @Test func streamedInputsMatchTheMappedPath() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for f in ["patients.csv", "immunizations.csv", "comments.csv"] {
            try FileManager.default.copyItem(at: Self.sample.appendingPathComponent(f), to: work.appendingPathComponent(f))
        }
        let zstd = Process()
        zstd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        zstd.arguments = ["zstd", "-q", "-f", "patients.csv", "-o", "patients.csv.zst"]
        zstd.currentDirectoryURL = work
        try zstd.run(); zstd.waitUntilExit()
        #expect(zstd.terminationStatus == 0)

        let common = ["--immunizations", "immunizations.csv", "--comments", "comments.csv", "--org", "ACMEHP",
                      "--as-of", "2026-01-15", "-q"]
        #expect(try run(["convert", "--patients", "patients.csv", "--out-dir", "ref"] + common, cwd: work) == 0)
        let ref = outputs(work.appendingPathComponent("ref"))
        #expect(ref["patient.txt"]?.isEmpty == false)

        var variants: [(String, [String], URL?)] = []
        for block in ["64", "1000", "65536"] {
            for threads in ["1", "2"] {
                let extra = ["--block-size", block, "--threads", threads, "--chunk-size", "300"]
                variants.append(("stdin-\(block)-\(threads)", ["--patients", "-"] + extra, work.appendingPathComponent("patients.csv")))
                variants.append(("zst-\(block)-\(threads)", ["--patients", "patients.csv.zst"] + extra, nil))
                variants.append(("nommap-\(block)-\(threads)", ["--patients", "patients.csv", "--no-mmap"] + extra, nil))
            }
        }
        for (name, args, stdin) in variants {
            let status = try run(["convert"] + args + ["--out-dir", name] + common, stdin: stdin, cwd: work)
            #expect(status == 0, "\(name)")
            let got = outputs(work.appendingPathComponent(name))
            for (file, data) in ref { #expect(got[file] == data, "\(name): \(file) differs from the mapped run") }
        }
    }
}
