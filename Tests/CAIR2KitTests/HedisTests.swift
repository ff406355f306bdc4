import CAIR2Core
@testable import CAIR2Kit
import CAIR2Measures
import Foundation
import Testing

/// `hedis()` end to end on a small case written to a scratch directory: the three outputs, their modes, the
/// rates, and that nothing is published when the run cannot start.
@Suite struct HedisTests {
    static func pr(_ id: String, _ first: String, _ last: String, _ mmddyyyy: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: n - s.count) }
        return pad(id, 32) + pad(first, 50) + pad("", 50) + pad(last, 50) + mmddyyyy + "\r\n"
    }

    static func ir(_ id: String, _ cpt: String, _ group: String, _ mmddyyyy: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: n - s.count) }
        return pad(id, 32) + pad(cpt, 5) + pad(group, 16) + mmddyyyy + "\r\n"
    }

    /// Three members: A1 completes HepB with a registry dose (closed by the registry for HepB only), A2's
    /// registry row has another birth date (its registry doses do not count), A3 is not found; one rejected row.
    static func writeCase(_ dir: URL) throws {
        try """
        hp_member_id,first_name,last_name,birth_date
        A1,Zoë,Quenneville,2023-05-01
        A2,Ana,Lopez,2023-05-02
        A3,Ana,Lopez,5/3/2023
        ,Ana,Lopez,2023-05-03

        """.write(to: dir.appendingPathComponent("members.csv"), atomically: true, encoding: .utf8)
        try (pr("A1", "ZOE", "QUENNEVILLE", "05012023") + pr("A2", "ANA", "LOPEZ", "05022022") + "short\r\n")
            .write(to: dir.appendingPathComponent("pr.txt"), atomically: true, encoding: .utf8)
        try (ir("A1", "90744", "HEPB", "09012023") + ir("A2", "90744", "HEPB", "09012023") + ir("A2", "", "MENINGO", "09012023"))
            .write(to: dir.appendingPathComponent("ir.txt"), atomically: true, encoding: .utf8)
        try """
        record_id,cpt_code,cvx_code,vaccination_date
        A1,,08,2023-05-01
        A1,90744,,2023-07-01
        A2,,8,2023-05-02
        A2,90744,,2023-07-01

        """.write(to: dir.appendingPathComponent("imms.csv"), atomically: true, encoding: .utf8)
    }

    static func options(_ dir: URL) -> HedisOptions {
        var o = HedisOptions(measure: .cis, year: 2025, members: dir.appendingPathComponent("members.csv").path,
                             patientReturn: dir.appendingPathComponent("pr.txt").path,
                             immunizationReturn: dir.appendingPathComponent("ir.txt").path,
                             outDir: dir.appendingPathComponent("out").path)
        o.immunizations = dir.appendingPathComponent("imms.csv").path
        return o
    }

    @Test func endToEnd() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeCase(dir)
        let result = try hedis(Self.options(dir))
        let out = dir.appendingPathComponent("out")
        let members = try String(contentsOf: out.appendingPathComponent("hedis-members.csv"), encoding: .utf8)
        let rows = members.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 4)
        #expect(rows[0].prefix(2) == ["hp_member_id", "match_status"])
        let hepb = rows[0].firstIndex(of: "hepb_met")!
        #expect(rows[1][1] == "matched" && rows[1][hepb] == "Y")
        #expect(rows[2][1] == "birth_date_differs" && rows[2][hepb] == "N")
        #expect(rows[3][1] == "not_found")
        let s = result.summary
        #expect(s.eligible == 3 && s.inputs.members.rejected == 1)
        #expect(s.matchStatus["matched"] == 1 && s.matchStatus["birth_date_differs"] == 1 && s.matchStatus["not_found"] == 1)
        #expect(s.rates["both"]?["hepb"]?.numerator == 1 && s.rates["plan"]?["hepb"]?.numerator == 0)
        #expect(s.rates["both"]?["hepb"]?.rate == 0.333333)
        #expect(s.registryLift["hepb"]?.members == 1)
        // A2's MENINGO dose does not count (its registry doses do not count at all), so nothing is uncounted.
        #expect(s.uncountedRegistryDoses.total == 0)
        #expect(s.inputs.patientReturn.malformed == 1)
        let rejects = try String(contentsOf: out.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("pr.txt,3,,,E_MALFORMED_LINE"))
        #expect(rejects.contains("members.csv,5,,hp_member_id,E_REQUIRED"))
        for name in ["hedis-members.csv", "hedis-summary.json", "rejects.csv"] {
            let attrs = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(name).path)
            #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        // The summary JSON and the console name no member.
        // (The work folder's random name may hold "A1" or "2023" itself: paths are taken out first.)
        let uuid = try NSRegularExpression(pattern: "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
        func withoutFolderNames(_ t: String) -> String {
            uuid.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: "UUID")
        }
        for text in [result.summaryJSON, s.consoleText].map(withoutFolderNames) {
            #expect(!text.contains("A1") && !text.contains("QUENNEVILLE") && !text.contains("Quenneville") && !text.contains("2023"))
        }
    }

    @Test func cannotStartWritesNothing() throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeCase(dir)
        var o = Self.options(dir)
        try "measure,antigen,system,code\nCIS,Polio,CPT,1\n".write(to: dir.appendingPathComponent("vs.csv"), atomically: true, encoding: .utf8)
        o.valueSets = dir.appendingPathComponent("vs.csv").path
        #expect(throws: CAIR2Error.self) { try hedis(o) }
        o = Self.options(dir)
        o.immunizationReturn = dir.appendingPathComponent("missing.txt").path
        do {
            _ = try hedis(o)
            Issue.record("a missing input must stop the run")
        } catch let e as CAIR2Error {
            #expect(e.kind == .cannotStart)
        }
        let out = dir.appendingPathComponent("out").path
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(left.isEmpty)
    }
}
