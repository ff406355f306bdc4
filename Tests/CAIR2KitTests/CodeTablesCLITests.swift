@testable import CAIR2Core
import CAIR2Kit
import Foundation
import Testing

/// §3b through the binary: `--code-tables DIR` for convert, validate and codes, summary.json's `code_tables`,
/// `cair2 codes`, and the bundled snapshot against the files in data/cdc/.
@Suite struct CodeTablesCLITests {
    static let dataDir = GoldenTests.root.appendingPathComponent("data/cdc")

    /// The literal compiled into the tool is the committed CDC file, byte for byte (scripts/gen-code-tables).
    @Test(arguments: CodeTableFile.allCases)
    func bundledTextIsTheCommittedFile(file: CodeTableFile) throws {
        let onDisk = try Data(contentsOf: Self.dataDir.appendingPathComponent(file.rawValue))
        #expect(Array(onDisk) == Array(BundledCodeTables.text(file).utf8))
    }

    static func batch(_ dir: URL, imms: [String]) throws {
        try ("record_id,first_name,last_name,birth_date,disclosed,disclosed_date\nR1,Ann,Smith,2000-01-02,Y,2020-01-01\n")
            .write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        try ("record_id,cvx_code,cpt_code,vaccination_date,manufacturer\n" + imms.map { $0 + "\n" }.joined())
            .write(to: dir.appendingPathComponent("i.csv"), atomically: true, encoding: .utf8)
    }

    static func codeTables(_ out: URL) throws -> [String: String]? {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
        return (doc as? [String: Any])?["code_tables"] as? [String: String]
    }

    static func warnings(_ out: URL) throws -> [String] {
        try String(contentsOf: out.appendingPathComponent("warnings.csv"), encoding: .utf8)
            .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { "\($0[1]):\($0[3]):\($0[4])" }
    }

    @Test func codeTablesFolderReplacesTheSnapshot() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.batch(dir, imms: ["R1,600,,2020-01-01,PMC", "R1,3,,2020-01-01,zzz"])
        // A newer CVX table that knows 600 (and not 3), a newer MVX table that knows NEWCO's code.
        let tables = dir.appendingPathComponent("tables")
        try FileManager.default.createDirectory(at: tables, withIntermediateDirectories: true)
        for f in CodeTableFile.cdc {
            try FileManager.default.copyItem(at: Self.dataDir.appendingPathComponent(f.rawValue),
                                             to: tables.appendingPathComponent(f.rawValue))
        }
        try "ShortDescription,FullVaccinename,CVXCode,Notes,Status,LastUpdated\nnew,new,600,,Active,3/1/2026\n"
            .write(to: tables.appendingPathComponent("cvx.csv"), atomically: true, encoding: .utf8)
        let base = ["convert", "--patients", "p.csv", "--immunizations", "i.csv", "--org", "ORG", "--as-of", "2026-06-01"]
        let bundled = try UXTests.run(base + ["--out-dir", "a", "-q"], in: dir)
        #expect(bundled.status == 0)
        #expect(try Self.warnings(dir.appendingPathComponent("a")) == ["2:cvx_code:W_CODE_UNKNOWN", "3:manufacturer:W_CODE_UNKNOWN"])
        #expect(try Self.codeTables(dir.appendingPathComponent("a")) == ["source": "bundled", "updated": "2025-11-19"])

        let newer = try UXTests.run(base + ["--out-dir", "b", "-q", "--code-tables", "tables"], in: dir)
        #expect(newer.status == 0)
        #expect(try Self.warnings(dir.appendingPathComponent("b")) == ["3:cvx_code:W_CODE_UNKNOWN", "3:manufacturer:W_CODE_UNKNOWN"])
        #expect(try Self.codeTables(dir.appendingPathComponent("b")) == ["source": "tables", "updated": "2026-03-01"])

        // validate and codes read the same folder.
        let v = try UXTests.run(["validate", "b/immunization.txt", "--kind", "immunization", "--code-tables", "tables"], in: dir)
        #expect(v.status == 1 && v.stdout.contains("V_CODE_UNKNOWN"))
        let c = try UXTests.run(["codes", "cvx", "600", "--code-tables", "tables", "--format", "csv"], in: dir)
        #expect(c.status == 0 && c.stdout.contains("600,new,Active"))
    }

    @Test func missingOrMalformedTableIsExit2NamingTheFile() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.batch(dir, imms: ["R1,3,,2020-01-01,PMC"])
        let tables = dir.appendingPathComponent("t")
        try FileManager.default.createDirectory(at: tables, withIntermediateDirectories: true)
        for f in CodeTableFile.cdc where f != .mvx {
            try FileManager.default.copyItem(at: Self.dataDir.appendingPathComponent(f.rawValue),
                                             to: tables.appendingPathComponent(f.rawValue))
        }
        let args = ["convert", "--patients", "p.csv", "--immunizations", "i.csv", "--org", "ORG", "--out-dir", "out",
                    "--code-tables", "t"]
        let missing = try UXTests.run(args, in: dir)
        #expect(missing.status == 2 && missing.stderr.contains("t/mvx.csv"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/patient.txt").path))
        try "MVX,Name\nPMC,Sanofi\n".write(to: tables.appendingPathComponent("mvx.csv"), atomically: true, encoding: .utf8)
        let malformed = try UXTests.run(args, in: dir)
        #expect(malformed.status == 2 && malformed.stderr.contains("t/mvx.csv") && malformed.stderr.contains("MVX_CODE"))
        let v = try UXTests.run(["validate", "p.csv", "--kind", "patient", "--code-tables", "t"], in: dir)
        #expect(v.status == 2 && v.stderr.contains("t/mvx.csv"))
        let c = try UXTests.run(["codes", "cvx", "3", "--code-tables", "t"], in: dir)
        #expect(c.status == 2 && c.stderr.contains("t/mvx.csv"))
    }

    @Test func codesLooksUpEveryTableAndCodeSet() throws {
        func run(_ args: String...) throws -> UXTests.Output { try UXTests.run(["codes"] + args) }
        let cvx = try run("cvx", "003", "--format", "csv")
        #expect(cvx.status == 0 && cvx.stdout.contains("03,MMR,Active,MMR,"))
        let cpt = try run("cpt", "90700", "--format", "csv")
        #expect(cpt.stdout.split(separator: "\r\n").count == 3)  // header + CVX 20 and 106
        let mvx = try run("mvx", "sanofi pasteur", "--format", "json")
        let rows = try JSONSerialization.jsonObject(with: Data(mvx.stdout.utf8)) as? [[String: String]]
        #expect(rows?.first?["mvx"] == "PMC")
        let search = try run("search", "acthib")
        #expect(search.status == 0 && search.stdout.contains("ACTHIB") && search.stdout.contains("48"))
        let type = try run("patient-type", "--format", "csv")
        #expect(type.stdout == "code,description\r\nC,Commercial\r\nM,Medicaid\r\n")
        let county = try run("county", "Contra Costa", "--format", "csv")
        #expect(county.stdout.contains("CA013,Contra Costa"))
        for set in CodeListKind.codeSetNames {
            let r = try run(set.name, "--format", "csv")
            #expect(r.status == 0 && r.stdout.split(separator: "\r\n").count == set.id.entries.count + 1, "\(set.name)")
        }
        #expect(try run("cvx", "600").status == 1)
        #expect(try run("bogus").status == 64)
    }
}
