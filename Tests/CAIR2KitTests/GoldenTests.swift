import Foundation
import Testing

/// Golden cases: `Corpus/cases/<name>/`, `Corpus/regressions/<name>/` and `Corpus/conformance/<name>/`, each
/// with inputs (`patients.csv`, `immunizations.csv`, `comments.csv` or `query.csv`), `args` (extra arguments)
/// and `expected/` (fixed-width files, rejects.csv, warnings.csv, summary.json; optionally `exit`). An input kept
/// compressed in git because of its size is `NAME.gunzip` (gzip bytes), expanded to `NAME` before the run.
/// Every case runs through the built `cair2` with 1, 2 and 4 threads and chunk sizes down to a few bytes:
/// the bytes must not change. `CAIR2_RECORD=1` rewrites the expectations from the 1-thread run and still
/// fails, so nobody records by accident.
@Suite struct GoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["CAIR2_BIN"] { return b }
        return root.appendingPathComponent(".build/debug/cair2").path
    }

    static func cases() -> [String] {
        var out: [String] = []
        for group in ["Corpus/cases", "Corpus/regressions", "Corpus/conformance"] {
            let dir = root.appendingPathComponent(group)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for n in names.sorted() {
                var isDir: ObjCBool = false
                let p = dir.appendingPathComponent(n).path
                if FileManager.default.fileExists(atPath: p + "/expected", isDirectory: &isDir), isDir.boolValue {
                    out.append(group + "/" + n)
                }
            }
        }
        return out
    }

    /// Splits the args file like a shell would for simple words and single/double quotes.
    static func splitArgs(_ s: String) -> [String] {
        var args: [String] = []
        var cur = ""
        var quote: Character?
        var any = false
        for ch in s {
            if let q = quote {
                if ch == q { quote = nil } else { cur.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch; any = true
            } else if ch == " " || ch == "\n" || ch == "\t" {
                if any || !cur.isEmpty { args.append(cur); cur = ""; any = false }
            } else {
                cur.append(ch)
            }
        }
        if any || !cur.isEmpty { args.append(cur) }
        return args
    }

    struct Run {
        var status: Int32
        var stderr: String
        var outDir: URL
    }

    static func run(_ caseDir: URL, extra: [String]) throws -> Run {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: caseDir.path) {
            var isDir: ObjCBool = false
            let src = caseDir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: src.path, isDirectory: &isDir), !isDir.boolValue {
                if name.hasSuffix(".gunzip") {
                    // A large input kept compressed in git (X.gunzip) is expanded by gzip(1) into X, and read plain.
                    let target = work.appendingPathComponent(String(name.dropLast(".gunzip".count)))
                    let gz = Process()
                    gz.executableURL = URL(fileURLWithPath: "/bin/sh")
                    gz.arguments = ["-c", "gzip -dc < \"$0\" > \"$1\"", src.path, target.path]
                    try gz.run()
                    gz.waitUntilExit()
                    guard gz.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
                } else {
                    try FileManager.default.copyItem(at: src, to: work.appendingPathComponent(name))
                }
            }
        }
        var argv = ["convert"]
        for (file, flag) in [("patients.csv", "--patients"), ("immunizations.csv", "--immunizations"),
                             ("comments.csv", "--comments"), ("query.csv", "--query")]
        where FileManager.default.fileExists(atPath: work.appendingPathComponent(file).path) {
            argv += [flag, file]
        }
        let argsFile = caseDir.appendingPathComponent("args")
        if let a = try? String(contentsOf: argsFile, encoding: .utf8) { argv += splitArgs(a) }
        argv += extra + ["--out-dir", "out", "-q"]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = argv
        p.currentDirectoryURL = work
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stderr: String(decoding: errData, as: UTF8.self),
                   outDir: work.appendingPathComponent("out"))
    }

    static func reportSet(_ url: URL) -> Set<String> {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var rows = Set<String>()
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).dropFirst() {
            let cols = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cols.count >= 5 else { continue }
            let file = cols[0].split(separator: "/").last.map(String.init) ?? ""
            rows.insert("\(file),\(cols[1]),\(cols[3]),\(cols[4])")
        }
        return rows
    }

    static func counts(_ url: URL) -> [String: [String: String]] {
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = obj["files"] as? [[String: Any]] else { return [:] }
        var out: [String: [String: String]] = [:]
        for f in files {
            let kind = f["kind"] as? String ?? "?"
            var c: [String: String] = [:]
            for k in ["input_records", "written", "rejected", "excluded"] { c[k] = "\(f[k] ?? "nil")" }
            let w = (f["warnings"] as? [String: Any]) ?? [:]
            c["warnings"] = w.keys.sorted().map { "\($0)=\(w[$0]!)" }.joined(separator: ";")
            out[kind] = c
        }
        return out
    }

    static let fixedNames = ["patient.txt", "immunization.txt", "comment.txt", "query.txt"]

    @Test(arguments: cases())
    func goldenCase(_ name: String) throws {
        let caseDir = Self.root.appendingPathComponent(name)
        let expected = caseDir.appendingPathComponent("expected")
        let record = ProcessInfo.processInfo.environment["CAIR2_RECORD"] == "1"
        let wantExit = (try? String(contentsOf: expected.appendingPathComponent("exit"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        var reference: [String: Data] = [:]
        for (threads, chunk) in [(1, nil), (2, nil), (4, nil), (1, 7), (2, 61), (4, 3)] as [(Int, Int?)] {
            var extra = ["--threads", String(threads)]
            if let chunk { extra += ["--chunk-size", String(chunk)] }
            // One run writes through the page cache, the others with direct I/O where /tmp has it.
            if chunk == 61 { extra.append("--buffered-output") }
            let r = try Self.run(caseDir, extra: extra)
            defer { try? FileManager.default.removeItem(at: r.outDir.deletingLastPathComponent()) }
            #expect(r.status == wantExit, "\(name) threads=\(threads) chunk=\(chunk ?? 0): exit \(r.status): \(r.stderr)")
            if record && threads == 1 && chunk == nil {
                try? FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
                for f in Self.fixedNames + ["rejects.csv", "warnings.csv", "summary.json"] {
                    let src = r.outDir.appendingPathComponent(f)
                    let dst = expected.appendingPathComponent(f)
                    try? FileManager.default.removeItem(at: dst)
                    if FileManager.default.fileExists(atPath: src.path) { try FileManager.default.copyItem(at: src, to: dst) }
                }
                Issue.record("\(name): expectations re-recorded (CAIR2_RECORD=1); review the diff and run again without it")
                return
            }
            for f in Self.fixedNames {
                let e = expected.appendingPathComponent(f)
                let g = r.outDir.appendingPathComponent(f)
                guard FileManager.default.fileExists(atPath: e.path) else {
                    #expect(!FileManager.default.fileExists(atPath: g.path), "\(name): unexpected \(f)")
                    continue
                }
                let got = try? Data(contentsOf: g)
                #expect(got == (try Data(contentsOf: e)), "\(name): \(f) differs (threads=\(threads), chunk=\(chunk ?? 0))")
                if let got {
                    if let first = reference[f] { #expect(first == got) } else { reference[f] = got }
                }
            }
            for f in ["rejects.csv", "warnings.csv"] {
                let e = expected.appendingPathComponent(f)
                guard FileManager.default.fileExists(atPath: e.path) else { continue }
                let want = Self.reportSet(e), got = Self.reportSet(r.outDir.appendingPathComponent(f))
                #expect(got == want, "\(name): \(f): missing \(want.subtracting(got).sorted().prefix(5)), unexpected \(got.subtracting(want).sorted().prefix(5))")
            }
            let es = expected.appendingPathComponent("summary.json")
            if FileManager.default.fileExists(atPath: es.path) {
                #expect(Self.counts(r.outDir.appendingPathComponent("summary.json")) == Self.counts(es), "\(name): summary counts")
            }
        }
    }
}
