import Foundation
import Testing

/// Audit checks the golden runner cannot make: it compares only top-level files, so the cases that write
/// sub-directories (`--max-records-per-file` parts, `--quarantine`) keep them under `expected/<dir>/` and this
/// suite compares every file there byte for byte (and checks the 0600 mode the contract asks for).
@Suite struct PartsTests {
    static let subdirCases = ["Corpus/cases/parts-split", "Corpus/cases/quarantine"]

    @Test(arguments: subdirCases)
    func subdirectoriesMatch(_ name: String) throws {
        let caseDir = GoldenTests.root.appendingPathComponent(name)
        let expected = caseDir.appendingPathComponent("expected")
        let fm = FileManager.default
        var dirs: [String] = []
        for entry in try fm.contentsOfDirectory(atPath: expected.path).sorted() {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: expected.appendingPathComponent(entry).path, isDirectory: &isDir), isDir.boolValue {
                dirs.append(entry)
            }
        }
        #expect(!dirs.isEmpty, "\(name): no expected sub-directory")
        for (threads, chunk) in [(1, nil), (4, 3)] as [(Int, Int?)] {
            var extra = ["--threads", String(threads)]
            if let chunk { extra += ["--chunk-size", String(chunk)] }
            let r = try GoldenTests.run(caseDir, extra: extra)
            defer { try? fm.removeItem(at: r.outDir.deletingLastPathComponent()) }
            #expect(r.status == 0, "\(name): exit \(r.status): \(r.stderr)")
            for dir in dirs {
                for file in try fm.contentsOfDirectory(atPath: expected.appendingPathComponent(dir).path).sorted() {
                    let want = try Data(contentsOf: expected.appendingPathComponent(dir).appendingPathComponent(file))
                    let gotURL = r.outDir.appendingPathComponent(dir).appendingPathComponent(file)
                    let got = try? Data(contentsOf: gotURL)
                    #expect(got == want, "\(name): \(dir)/\(file) differs (threads=\(threads), chunk=\(chunk ?? 0))")
                    let mode = (try? fm.attributesOfItem(atPath: gotURL.path)[.posixPermissions] as? Int) ?? -1
                    #expect(mode == 0o600, "\(name): \(dir)/\(file) mode \(String(mode, radix: 8))")
                }
            }
        }
    }
}
