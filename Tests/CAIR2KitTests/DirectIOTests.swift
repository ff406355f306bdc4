import Foundation
import Testing

/// Outputs written with direct I/O (staged in 4 MiB aligned blocks, the last one padded and the file truncated
/// back) hold exactly the bytes of a run through the page cache, with the length and hash summary.json states.
@Suite struct DirectIOTests {
    func run(_ args: [String], cwd: URL) throws -> Int32 { try Rel.run(args, cwd: cwd).status }

    @Test func directAndBufferedOutputsAreTheSameBytes() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-dio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // 12,000 members: about 10 MB of patient lines, so several full staging blocks and a partial last one.
        #expect(try run(["generate", "--members", "12000", "--out-dir", "in", "--seed", "3", "--as-of", "2026-01-15"],
                        cwd: work) == 0)
        let common = ["convert", "--patients", "in/members.csv", "--immunizations", "in/immunizations.csv",
                      "--org", "ACMEHP", "--as-of", "2026-01-15", "-q", "--threads", "2"]
        #expect(try run(common + ["--out-dir", "direct"], cwd: work) == 0)
        #expect(try run(common + ["--out-dir", "buffered", "--buffered-output"], cwd: work) == 0)
        #expect(try run(common + ["--out-dir", "zdirect", "--zstd"], cwd: work) == 0)
        // (summary.json differs in its timings only; its hashes are checked below.)
        for f in ["patient.txt", "immunization.txt", "rejects.csv", "warnings.csv"] {
            let d = try Data(contentsOf: work.appendingPathComponent("direct/\(f)"))
            let b = try Data(contentsOf: work.appendingPathComponent("buffered/\(f)"))
            let same = d == b  // a Bool: a failing #expect on two large Data values would diff them byte by byte
            #expect(same, "\(f) differs between direct and buffered output")
            if f.hasSuffix(".txt") {
                #expect(d.count > 2 * (4 << 20), "\(f) is too small to cross staging blocks")
                #expect(d.count % 878 == 0 || f != "patient.txt", "patient.txt is not whole lines: padding left behind?")
                let attrs = try FileManager.default.attributesOfItem(atPath: work.appendingPathComponent("direct/\(f)").path)
                #expect((attrs[.posixPermissions] as? Int) == 0o600)
                // The compressed run decompresses to the same bytes.
                let cmp = Rel.system("/bin/sh", ["-c", "cd '\(work.path)' && zstd -q -d -c zdirect/\(f).zst | cmp -s - direct/\(f)"])
                #expect(cmp == 0, "\(f).zst")
            }
        }
        // summary.json states the hash of the file as it is on disk.
        let summary = try String(contentsOf: work.appendingPathComponent("direct/summary.json"), encoding: .utf8)
        let buffered = try String(contentsOf: work.appendingPathComponent("buffered/summary.json"), encoding: .utf8)
        func hashes(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.contains("sha256") } }
        #expect(hashes(summary).count == 2 && hashes(summary) == hashes(buffered))
        let p = Process()
        let pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = ["direct/patient.txt"]
        p.currentDirectoryURL = work
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let hex = String(out.prefix(64))
        #expect(hex.count == 64 && summary.contains("\"\(hex)\""))
    }

    /// Split runs retire each finished patient part (its last block written, its buffers freed) when the next
    /// part starts: the parts, plain or compressed, direct or buffered, put together are the unsplit file.
    @Test func retiredPartsHoldEveryLine() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-dio-parts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        #expect(try run(["generate", "--members", "9000", "--out-dir", "in", "--seed", "5", "--as-of", "2026-01-15"],
                        cwd: work) == 0)
        let common = ["convert", "--patients", "in/members.csv", "--org", "ACMEHP", "--as-of", "2026-01-15", "-q",
                      "--threads", "2"]
        #expect(try run(common + ["--out-dir", "whole"], cwd: work) == 0)
        let whole = try Data(contentsOf: work.appendingPathComponent("whole/patient.txt"))
        // Immunizations follow their patients' parts (all parts open at once, 1 MiB staging each): across the
        // parts they are the unsplit run's lines.
        let batch = common + ["--immunizations", "in/immunizations.csv"]
        #expect(try run(batch + ["--out-dir", "wholebatch"], cwd: work) == 0)
        #expect(try run(batch + ["--out-dir", "splitbatch", "--max-records-per-file", "1999"], cwd: work) == 0)
        func lines(_ d: Data) -> [Data] {
            stride(from: 0, to: d.count, by: 266).map { d.subdata(in: $0..<min(d.count, $0 + 266)) }
        }
        var immParts: [Data] = []
        for k in 1...9 {
            let f = work.appendingPathComponent(String(format: "splitbatch/part-%03d/immunization.txt", k))
            if let d = try? Data(contentsOf: f) { immParts += lines(d) }
        }
        let immWhole = lines(try Data(contentsOf: work.appendingPathComponent("wholebatch/immunization.txt")))
        let sameImm = immParts.count == immWhole.count
            && immParts.sorted { $0.lexicographicallyPrecedes($1) } == immWhole.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(immWhole.count > 10_000 && sameImm, "immunization parts: \(immParts.count) lines, unsplit \(immWhole.count)")
        for extra in [[], ["--buffered-output"], ["--zstd"], ["--zstd", "--buffered-output"]] {
            let out = "split\(extra.joined())"
            #expect(try run(common + ["--out-dir", out, "--max-records-per-file", "1999"] + extra, cwd: work) == 0)
            var joined = Data()
            var part = 1
            while true {
                let dir = work.appendingPathComponent(out).appendingPathComponent(String(format: "part-%03d", part))
                guard FileManager.default.fileExists(atPath: dir.path) else { break }
                if extra.contains("--zstd") {
                    let p = Process()
                    let pipe = Pipe()
                    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    p.arguments = ["zstd", "-q", "-d", "-c", dir.appendingPathComponent("patient.txt.zst").path]
                    p.standardOutput = pipe
                    try p.run()
                    joined.append(pipe.fileHandleForReading.readDataToEndOfFile())
                    p.waitUntilExit()
                } else {
                    joined.append(try Data(contentsOf: dir.appendingPathComponent("patient.txt")))
                }
                part += 1
            }
            #expect(part > 4, "\(out): expected several parts")
            let same = joined == whole
            #expect(same, "\(out): the parts do not add up to the unsplit file (\(joined.count) of \(whole.count) bytes)")
        }
    }
}

