import Foundation
import Testing

/// §3c through the binary: defaults_applied and its console line, the report's record_id, --max-reject-rate's
/// range, message and summary keys.
@Suite struct WarehouseTests {
    static func write(_ text: String, _ name: String, in dir: URL) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static func summary(_ dir: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func defaultsAppliedAreCountedAndNamedOnce() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // disclosed comes only from the mapping default: 2 of 3 cells blank, one absent-column field (disclosed_date).
        try Self.write("record_id,first_name,last_name,birth_date,disclosed\nR1,Ann,Smith,2000-01-02,\nR2,Bo,Li,2001-02-03,Y\nR3,Cy,Wu,2002-03-04,\n",
                       "p.csv", in: dir)
        try Self.write(#"{"defaults": {"disclosed": "Y", "disclosed_date": "2020-01-01"}}"#, "map.json", in: dir)
        let r = try UXTests.run(["convert", "--patients", "p.csv", "--map", "map.json", "--org", "ORG", "--out-dir", "o",
                                 "--as-of", "2026-01-01"], in: dir)
        #expect(r.status == 0)
        let files = try #require(try Self.summary(dir.appendingPathComponent("o"))["files"] as? [[String: Any]])
        let applied = try #require(files.first?["defaults_applied"] as? [String: Int])
        #expect(applied["disclosed"] == 2 && applied["disclosed_date"] == 3 && applied["sending_org"] == 3)
        #expect(applied["patient_status"] == 3)  // the built-in default is counted too
        #expect(r.stderr.contains("p.csv: the --map default filled disclosed in 2 records"))
        #expect(r.stderr.contains("p.csv: the --org default filled sending_org in 3 records"))
        #expect(!r.stderr.contains("patient_status"))  // built-in defaults are not announced
    }

    @Test func reportsNameTheRecordIDWheneverItIsValid() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // R1: invalid UTF-8 in first_name (E_ENCODING); R2: too few fields; R 3: invalid id.
        var bytes = Array("record_id,first_name,last_name,birth_date,disclosed,disclosed_date\n".utf8)
        bytes += Array("R1,An".utf8) + [0xFF] + Array("n,Smith,2000-01-02,Y,2020-01-01\n".utf8)
        bytes += Array("R2,Bo,Li\nR 3,Cy,Wu,2000-01-02,Y,2020-01-01\n".utf8)
        try Data(bytes).write(to: dir.appendingPathComponent("p.csv"))
        try Self.write("patient_type,hp_member_id,first_name,last_name,birth_date\nC,HP1,Ann,Smith,2000-02-30\n", "q.csv", in: dir)
        #expect(try UXTests.run(["convert", "--patients", "p.csv", "--org", "ORG", "--out-dir", "o"], in: dir).status == 0)
        #expect(try UXTests.run(["convert", "--query", "q.csv", "--out-dir", "q"], in: dir).status == 0)
        let rows = try String(contentsOf: dir.appendingPathComponent("o/rejects.csv"), encoding: .utf8)
            .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.map { "\($0[1]):\($0[2]):\($0[4])" } == ["2:R1:E_ENCODING", "3:R2:E_FIELD_COUNT", "4::E_ID"])
        let q = try String(contentsOf: dir.appendingPathComponent("q/rejects.csv"), encoding: .utf8)
        #expect(q.contains("query.csv,2,HP1,birth_date,E_DATE") || q.contains("q.csv,2,HP1,birth_date,E_DATE"))
    }

    @Test func maxRejectRateIsAFractionAndTheExitNamesIt() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write("record_id,first_name,last_name,birth_date,disclosed,disclosed_date\nR1,Ann,Smith,2000-01-02,Y,2020-01-01\nR2,Bo,Li,bad,Y,2020-01-01\n",
                       "p.csv", in: dir)
        let base = ["convert", "--patients", "p.csv", "--org", "ORG", "--out-dir", "o", "-q"]
        for bad in ["5", "nan", "-0.1", "1.5", "inf"] {
            let r = try UXTests.run(base + ["--max-reject-rate", bad], in: dir)
            #expect(r.status == 64, "--max-reject-rate \(bad)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/summary.json").path))
        let over = try UXTests.run(base + ["--max-reject-rate", "0.25"], in: dir)
        #expect(over.status == 4)
        #expect(over.stderr.contains("reject rate 0.5 (50%)") && over.stderr.contains("--max-reject-rate 0.25 (25%)"))
        #expect(over.stderr.contains("1 of 2 input records") && over.stderr.contains(" o "))
        let s = try Self.summary(dir.appendingPathComponent("o"))
        #expect(s["reject_rate"] as? Double == 0.5 && s["max_reject_rate"] as? Double == 0.25 && s["exit_status"] as? Int == 4)
        let under = try UXTests.run(base + ["--max-reject-rate", "0.5"], in: dir)
        #expect(under.status == 0)
        let s2 = try Self.summary(dir.appendingPathComponent("o"))
        #expect(s2["exit_status"] as? Int == 0 && s2["max_reject_rate"] as? Double == 0.5)
    }
}
