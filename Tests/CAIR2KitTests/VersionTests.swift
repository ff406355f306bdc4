import CAIR2Kit
import Foundation
import Testing

/// The version is written in one place, `Sources/CAIR2Engine/Version.swift`. `cair2 --version`, summary.json's
/// "version", the archive manifest and the packages of `scripts/package` (the .deb's Version, the file names)
/// all come from it (docs/RELEASING.md). `scripts/package` checks the built binary and its summary.json against
/// the version it read; these tests keep the source line in the form the script reads.
@Suite struct VersionTests {
    /// What `scripts/package` reads: `sed -n 's/^ *public static let version = "\([^"]*\)".*$/\1/p'`.
    static func versionAsScriptsPackageReadsIt() throws -> [String] {
        let file = GoldenTests.root.appendingPathComponent("Sources/CAIR2Engine/Version.swift")
        let prefix = "public static let version = \""
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.hasPrefix(prefix) else { return nil }
            let rest = trimmed.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<quote])
        }
    }

    @Test func versionSwiftHoldsTheVersionOnTheLineScriptsPackageReads() throws {
        let read = try Self.versionAsScriptsPackageReadsIt()
        #expect(read == [CAIR2Version.version], "scripts/package would read \(read)")
        // A Debian version (upstream part): starts with a digit; digits, letters, . + ~ only (no '-': no revision).
        let v = CAIR2Version.version
        #expect(v.first?.isNumber == true && v.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".+~".contains($0)) },
                "\(v) is not a version dpkg accepts as is")
    }

    @Test func summaryJSONCarriesTheVersion() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-version-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let sample = GoldenTests.root.appendingPathComponent("Corpus/conformance/random-400-seed101/patients.csv").path
        let r = try UXTests.run(["convert", "--patients", sample, "--org", "ACMEHP", "--as-of", "2026-01-15",
                                 "--out-dir", "out", "-q", "--progress", "never"], in: work)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("out/summary.json")))
        #expect((summary as? [String: Any])?["version"] as? String == CAIR2Version.version)
        let version = try UXTests.run(["--version"])
        #expect(version.stdout == CAIR2Version.version + "\n")
    }
}
