import Foundation
import Glibc
import Testing

/// PHI handling (docs/RELIABILITY.md): member data never reaches the console or the reports, and every file
/// the tool creates is 0600 whatever the umask.
///
/// The corpus below gives every name, address, phone, SSN, member id and date a unique marker: names and text
/// carry `ZQX` (found case-insensitively, so folding and upper-casing cannot hide them), dates are unusual days
/// looked for in every written form. Records hit every kind of fault. Record ids may appear in the reports
/// (they are the contract's `record_id` column, an identifier, not PHI); nothing else may.
@Suite(.serialized) struct PHITests {
    /// Dates used in the corpus, each looked for as written in the input and as MMDDYYYY / YYYYMMDD.
    static let dates = ["1931-07-19", "1947-11-23", "1958-03-29", "1962-10-17", "2011-08-21", "2013-06-27",
                        "1944-02-29", "1953-12-31", "2019-09-13"]

    static func dateForms(_ iso: String) -> [String] {
        let p = iso.split(separator: "-").map(String.init)
        return [iso, p[1] + p[2] + p[0], p[0] + p[1] + p[2], "\(Int(p[1])!)/\(Int(p[2])!)/\(p[0])", p[1] + "/" + p[2] + "/" + p[0]]
    }

    static let patients = """
        record_id,first_name,middle_name,last_name,birth_date,death_date,mother_first_name,mother_maiden_name,sex,ssn,hp_member_id,medi_cal_id,street_address,city,zip,phone,disclosed,disclosed_date,contact_allowed,notes
        P01,Zqxannabel,Zqxmid,Zqxlastone,1931-07-19,,Zqxmom,Zqxmaiden,F,111-22-3333,ZQXMEMBER1,ZQXMEDI1,1 Zqx Street,Zqxville,95814,916-555-0101,Y,1947-11-23,1,zqx secret value
        P02,Zqx9bad,,Zqxlasttwo,1958-03-29,,,,F,,,,,,,,Y,1947-11-23,,
        P03,,,Zqxlastthree,1958-03-29,,,,F,,,,,,,,Y,1947-11-23,,
        P04,Zqxfour,,Zqxlastfour,1962-10-17x,,,,F,,,,,,,,Y,1947-11-23,,
        P05,Zqxfive,,Zqxlastfive,1958-03-29,,,,ZQXSEX,,,,,,,,Y,1947-11-23,,
        P 06,Zqxsix,,Zqxlastsix,1958-03-29,,,,F,,,,,,,,Y,1947-11-23,,
        P01,Zqxseven,,Zqxlastseven,1958-03-29,,,,F,,,,,,,,Y,1947-11-23,,
        P08,Zqxeight,,Zqxlasteight,1958-03-29,,,,F,,,,,,,,N,1947-11-23,,
        P09,Zqxnine,,Zqxlastnine,1958-03-29,,,,F,,,,,,,,Y,1947-11-23
        P10,Zqx<FF>ten,,Zqxlastten,1958-03-29,,,,F,,,,,,,,Y,1947-11-23,,
        P11,Zqxeleven,Zqx7mid,Zqxlasteleven,1958-03-29,1953-12-31,Zqx%mom,,F,222-33-4444,,,Zqx\u{2603}Road,Zqxtown,ZQX12,ZQX-555,Y,1947-11-23,7,
        P12,Zqxtwelveaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,,Zqxlasttwelve,2011-08-21,2019-09-13x,,,F,,,,,,,,Y,1947-11-23,,
        P13,Zqxthirteen,,Zqxlastthirteen,2011-08-21,,,,F,,,,,,,,Y,1947-11-23,,
        P14,"Zqx unterminated,,Zqxlast,1944-02-29,,,,F,,,,,,,,Y,1947-11-23,,

        """
    static let immunizations = """
        record_id,cvx_code,vaccination_date,manufacturer,lot_number,provider,administered_by,trade_name
        P13,08,2013-06-27,MSD,ZQXLOT1,Dr Zqxprovider,Zqxnurse,Zqxtrade
        P13,,2013-06-27,MSD,ZQXLOT2,,,
        P99,08,2013-06-27,MSD,ZQXLOT3,,,
        P13,08,1944-02-29,MSD,ZQXLOT4,,,
        P13,08,2013-06-27,ZQX!,ZQXLOT5,,,
        P13,08,2013-06-27x,MSD,ZQXLOT6,,,

        """
    static let comments = """
        record_id,comment_code,begin_date,end_date
        P13,27,2013-06-27,2011-08-21
        P13,ZQXCODE,2013-06-27,
        P98,27,2013-06-27,

        """
    static let query = """
        patient_type,hp_member_id,first_name,middle_name,last_name,birth_date
        C,ZQXQM1,Zqxqueryfirst,,Zqxquerylast,1931-07-19
        X,ZQXQM2,Zqxqueryfirst,,Zqxquerylast,1931-07-19
        C,ZQXQM3,Zqx1bad,,Zqxquerylast,1931-07-19
        M,ZQXQM4,Zqxq,Zqx$mid,Zqxquerylast,1962-10-17x

        """

    /// Every marker of PHI this corpus holds (besides "zqx", looked for case-insensitively).
    static let markers: [String] = dates.flatMap(dateForms) + ["111-22-3333", "111223333", "222-33-4444",
                                                              "916-555-0101", "9165550101", "95814", "secret"]

    static func expectNoPHI(_ text: String, _ place: String) {
        #expect(!text.lowercased().contains("zqx"), "\(place) holds a name, address or identifier value")
        for m in markers { #expect(!text.contains(m), "\(place) holds \(m)") }
    }

    @Test func noPHIInConsoleOrReportsAndFilesAre0600() throws {
        let work = try Rel.workDir("phi")
        defer { try? FileManager.default.removeItem(at: work) }
        chmod(work.path, 0o777)
        for (name, text) in [("patients.csv", Self.patients), ("immunizations.csv", Self.immunizations),
                             ("comments.csv", Self.comments), ("query.csv", Self.query)] {
            // `<FF>` stands for a byte that is not UTF-8 (E_ENCODING).
            var bytes = Array(text.utf8)
            while let i = bytes.firstRange(of: Array("<FF>".utf8)) { bytes.replaceSubrange(i, with: [0xFF]) }
            try Data(bytes).write(to: work.appendingPathComponent(name))
        }
        let runs: [(String, [String])] = [
            ("batch", ["convert", "--patients", "patients.csv", "--immunizations", "immunizations.csv",
                       "--comments", "comments.csv", "--out-dir", "out", "--org", "ACMEHP", "--as-of", "2026-01-15",
                       "--progress", "always", "--json", "--quarantine"]),
            ("batch-zstd", ["convert", "--patients", "patients.csv", "--immunizations", "immunizations.csv",
                            "--comments", "comments.csv", "--out-dir", "outz", "--org", "ACMEHP", "--as-of", "2026-01-15",
                            "--zstd=3", "--threads", "3", "--max-records-per-file", "1"]),
            ("query", ["convert", "--query", "query.csv", "--out-dir", "outq", "--as-of", "2026-01-15", "--json"]),
            ("reject-rate", ["convert", "--patients", "patients.csv", "--out-dir", "outr", "--org", "ACMEHP",
                             "--as-of", "2026-01-15", "--max-reject-rate", "0.01"]),
        ]
        for (what, args) in runs {
            let r = try Rel.run(args, cwd: work, shell: "umask 000")
            #expect(r.signal == nil)
            #expect(r.status == 0 || (what == "reject-rate" && r.status == 4), "\(what): exit \(r.status): \(r.stderr)")
            Self.expectNoPHI(r.stdout, "\(what): stdout")
            Self.expectNoPHI(r.stderr, "\(what): stderr")
        }
        // The reports really hold the faults (so the test is not vacuous), without the values.
        let rejects = try String(contentsOf: work.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        let warnings = try String(contentsOf: work.appendingPathComponent("out/warnings.csv"), encoding: .utf8)
        for code in ["E_NAME", "E_REQUIRED", "E_DATE", "E_CODE", "E_ID", "E_DUPLICATE_ID", "X_NOT_DISCLOSED",
                     "E_FIELD_COUNT", "E_ENCODING", "E_UNTERMINATED_QUOTE", "E_NO_VACCINE", "E_ORPHAN", "E_BEFORE_BIRTH"] {
            #expect(rejects.contains(code), "the corpus should produce \(code)")
        }
        for code in ["W_NAME_DROPPED", "W_TRUNCATED", "W_CHARS_REMOVED", "W_DATE", "W_CODE", "W_PHONE", "W_ZIP",
                     "W_SSN_DROPPED"] {
            #expect(warnings.contains(code), "the corpus should produce \(code)")
        }
        for dir in ["out", "outz", "outq", "outr"] {
            for name in ["rejects.csv", "warnings.csv", "summary.json"] {
                let text = (try? String(contentsOf: work.appendingPathComponent("\(dir)/\(name)"), encoding: .utf8)) ?? ""
                #expect(!text.isEmpty, "\(dir)/\(name) missing")
                // The reports' record_id column names the record's identifier by contract (§3c: a query's
                // hp_member_id included); every other column must hold no value.
                let checked = name.hasSuffix(".csv")
                    ? text.split(separator: "\r\n").map { $0.split(separator: ",", maxSplits: 3, omittingEmptySubsequences: false) }
                        .map { cols in cols.enumerated().filter { $0.offset != 2 }.map { String($0.element) }.joined(separator: ",") }
                        .joined(separator: "\n")
                    : text
                Self.expectNoPHI(checked, "\(dir)/\(name)")
            }
        }
        // Every file created, outputs and quarantine alike, is 0600 under umask 000; directories 0700.
        for dir in ["out", "outz", "outq", "outr"] {
            let root = work.appendingPathComponent(dir)
            #expect(Rel.mode(root.path) & 0o077 == 0, "\(dir) is \(String(Rel.mode(root.path), radix: 8))")
            for name in (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? [] {
                let p = root.appendingPathComponent(name).path
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: p, isDirectory: &isDir)
                let m = Rel.mode(p)
                if isDir.boolValue {
                    #expect(m & 0o077 == 0, "\(dir)/\(name) is a directory of mode \(String(m, radix: 8))")
                } else {
                    #expect(m == 0o600, "\(dir)/\(name) has mode \(String(m, radix: 8))")
                }
            }
        }
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("out/quarantine/patients.csv").path))

        // validate and decode on a written file with a field broken: the report names the line and field only.
        var patient = try Data(contentsOf: work.appendingPathComponent("out/patient.txt"))
        #expect(patient.count >= 878)
        patient.replaceSubrange(90..<98, with: Data("ZQX99999".utf8))  // inside a date or name: invalid either way
        try patient.write(to: work.appendingPathComponent("broken.txt"))
        let v = try Rel.run(["validate", "broken.txt", "--kind", "patient", "--as-of", "2026-01-15"], cwd: work, shell: "umask 000")
        #expect(v.status == 1)
        Self.expectNoPHI(v.stdout, "validate: stdout")
        Self.expectNoPHI(v.stderr, "validate: stderr")
        let d = try Rel.run(["decode", "broken.txt", "--kind", "patient", "-o", "decoded.csv"], cwd: work, shell: "umask 000")
        #expect(d.signal == nil)
        Self.expectNoPHI(d.stderr, "decode: stderr")
        #expect(Rel.mode(work.appendingPathComponent("decoded.csv").path) == 0o600, "decode -o output mode")
        let a = try Rel.run(["archive", "out", "-o", "batch.tar.zst"], cwd: work, shell: "umask 000")
        #expect(a.status == 0, "\(a.stderr)")
        Self.expectNoPHI(a.stdout + a.stderr, "archive: console")
        #expect(Rel.mode(work.appendingPathComponent("batch.tar.zst").path) == 0o600, "archive mode")
    }

    /// Temporary files exist only while a run is going: catch them mid-run under umask 000 and check them.
    @Test func temporaryFilesAre0600() throws {
        let work = try Rel.workDir("phitmp")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("big.csv"), count: 300_000)
        let out = work.appendingPathComponent("out")
        // Named temporaries (the fallback where the file system has no O_TMPFILE) are the ones a listing can see.
        let child = try Rel.Child(["convert", "--patients", "big.csv", "--out-dir", "out", "--threads", "1"] + Rel.common,
                                  cwd: work, shell: "umask 000; export CAIR2_NO_O_TMPFILE=1")
        var seen: [String: mode_t] = [:]
        while child.process.isRunning {
            for t in Rel.temporaryFiles(out) where seen[t] == nil {
                let m = Rel.mode(out.appendingPathComponent(t).path)
                if m != 0o7777 { seen[t] = m }  // 0o7777: gone between listing and stat
            }
            usleep(1_000)
        }
        let r = child.wait()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!seen.isEmpty, "no temporary file was seen during the run")
        for (name, m) in seen { #expect(m == 0o600, "temporary \(name) had mode \(String(m, radix: 8))") }
        #expect(Rel.mode(out.appendingPathComponent("patient.txt").path) == 0o600)
    }
}
