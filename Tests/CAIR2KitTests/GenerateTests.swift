import CAIR2Core
import Foundation
import Testing
@testable import CAIR2Kit

/// `cair2 generate`: determinism, the answer key against `convert`, CSV shape, and
/// plausible shares (never exact values) of a California plan's extract.
@Suite struct GenerateTests {
    static let asOf = "2026-01-15"
    static let org = "ACMEHP"

    /// A fresh directory under the system temp dir, removed by the caller.
    static func scratch(_ tag: String) -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-gen-\(tag)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    static func generate(_ dir: String, members: Int, seed: UInt64, rate: Double, threads: Int = 2,
                         blockSize: Int = 2048, undisclosed: Double = 0.02) throws -> GenerateSummary {
        var o = GenerateOptions(members: members, outputDirectory: dir)
        o.seed = seed
        o.defectRate = rate
        o.asOf = asOf
        o.org = org
        o.threads = threads
        o.blockSize = blockSize
        o.undisclosedShare = undisclosed
        return try generateCorpus(o)
    }

    static let outputs = ["members.csv", "immunizations.csv", "comments.csv", "query.csv",
                          AnswerKey.rejects, AnswerKey.warnings]

    static func read(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

    // MARK: a reference CSV reader (naive and obviously RFC 4180, for checking only)

    struct CSVRecord {
        var line: Int
        var fields: [[UInt8]]
        var unterminated = false
    }

    /// Splits bytes into records with the physical line each starts on (header = line 1).
    static func parseCSV(_ bytesIn: [UInt8]) -> [CSVRecord] {
        var bytes = bytesIn
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [CSVRecord] = []
        var i = 0, line = 1
        while i < bytes.count {
            if bytes[i] == 10 { line += 1; i += 1; continue }
            if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { line += 1; i += 2; continue }
            var rec = CSVRecord(line: line, fields: [])
            var field: [UInt8] = []
            var fieldStart = true, quoted = false
            while i < bytes.count {
                let c = bytes[i]
                if quoted {
                    if c == 34 {
                        if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                        quoted = false; i += 1; continue
                    }
                    if c == 10 { line += 1 }
                    field.append(c); i += 1; continue
                }
                if fieldStart && c == 34 { quoted = true; fieldStart = false; i += 1; continue }
                fieldStart = false
                if c == 44 { rec.fields.append(field); field = []; fieldStart = true; i += 1; continue }
                if c == 10 || (c == 13 && i + 1 < bytes.count && bytes[i + 1] == 10) {
                    i += c == 13 ? 2 : 1
                    line += 1
                    break
                }
                field.append(c); i += 1
            }
            if quoted { rec.unterminated = true }
            rec.fields.append(field)
            records.append(rec)
        }
        return records
    }

    /// (file, line, field, code) rows of an answer key or of convert's reports.
    static func reportRows(_ path: String) -> Set<String> {
        let recs = parseCSV(read(path))
        guard let header = recs.first?.fields.map({ String(decoding: $0, as: UTF8.self) }) else { return [] }
        let fi = header.firstIndex(of: "file")!, li = header.firstIndex(of: "line")!
        let fdi = header.firstIndex(of: "field")!, ci = header.firstIndex(of: "code")!
        return Set(recs.dropFirst().map { r in
            let file = String(decoding: r.fields[fi], as: UTF8.self).split(separator: "/").last.map(String.init) ?? ""
            return "\(file),\(String(decoding: r.fields[li], as: UTF8.self)),\(String(decoding: r.fields[fdi], as: UTF8.self)),\(String(decoding: r.fields[ci], as: UTF8.self))"
        })
    }

    static func answerKey(_ dir: String) -> Set<String> {
        reportRows(dir + "/" + AnswerKey.rejects).union(reportRows(dir + "/" + AnswerKey.warnings))
    }

    /// Dates as the generator spells them -> day number (for plausibility checks only).
    static func day(_ b: [UInt8]) -> Int? {
        let s = String(decoding: b, as: UTF8.self)
        func num(_ x: Substring) -> Int? { Int(x) }
        var y = 0, m = 0, d = 0
        if s.count >= 10, s.dropFirst(4).first == "-" {
            guard let yy = num(s.prefix(4)), let mm = num(s.dropFirst(5).prefix(2)), let dd = num(s.dropFirst(8).prefix(2)) else { return nil }
            (y, m, d) = (yy, mm, dd)
        } else if s.contains("/") {
            let p = s.split(separator: "/")
            guard p.count == 3, let mm = num(p[0]), let dd = num(p[1]), let yy = num(p[2]) else { return nil }
            (y, m, d) = (yy, mm, dd)
        } else if s.count == 8, let v = Int(s) {
            if (1800...2199).contains(v / 10000) { (y, m, d) = (v / 10000, v / 100 % 100, v % 100) }
            else { (y, m, d) = (v % 10000, v / 1_000_000, v / 10000 % 100) }
        } else { return nil }
        guard (1...12).contains(m), d >= 1, d <= DateValue.daysIn(month: m, year: y) else { return nil }
        return GenCalendar.days(y, m, d)
    }

    // MARK: - tests

    @Test func columnIndexesMatchTheLayouts() {
        let p = Layouts.patient.columns.map(\.name)
        #expect(p.count == PC.count)
        for (name, k) in [("record_id", PC.recordID), ("first_name", PC.first), ("last_name", PC.last), ("birth_date", PC.birth),
                          ("death_date", PC.death), ("mother_hbsag_status", PC.hbsag), ("race_american_indian", PC.raceFirst),
                          ("ethnicity", PC.ethnicity), ("ssn", PC.ssn), ("hp_member_id", PC.hpID), ("rp_relationship", PC.rpRelation),
                          ("street_address", PC.street), ("city", PC.city), ("zip", PC.zip), ("county", PC.county), ("phone", PC.phone),
                          ("disclosed", PC.disclosed), ("effective_date", PC.effective), ("updated_by", PC.updatedBy)] {
            #expect(p[k] == name)
        }
        let i = Layouts.immunization.columns.map(\.name)
        #expect(i.count == IC.count)
        for (name, k) in [("trade_name", IC.trade), ("cpt_code", IC.cpt), ("cvx_code", IC.cvx), ("vaccination_date", IC.date),
                          ("manufacturer", IC.mvx), ("info_source", IC.source), ("provider", IC.provider),
                          ("vaccine_eligibility", IC.eligibility)] {
            #expect(i[k] == name)
        }
        #expect(Layouts.comment.columns.map(\.name) == ["record_id", "comment_code", "begin_date", "end_date"])
        #expect(Layouts.query.columns.map(\.name)[QC.type] == "patient_type")
        #expect(Layouts.query.columns.map(\.name)[QC.birth] == "birth_date")
    }

    @Test func sameSeedGivesTheSameBytesForAnyThreadsAndBlockSize() throws {
        let a = Self.scratch("a"), b = Self.scratch("b"), c = Self.scratch("c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        _ = try Self.generate(a, members: 3000, seed: 42, rate: 0.1, threads: 1, blockSize: 2048)
        _ = try Self.generate(b, members: 3000, seed: 42, rate: 0.1, threads: 2, blockSize: 97)
        _ = try Self.generate(c, members: 3000, seed: 42, rate: 0.1, threads: 4, blockSize: 500)
        for f in Self.outputs {
            let x = Self.read(a + "/" + f)
            #expect(!x.isEmpty, "\(f)")
            #expect(x == Self.read(b + "/" + f), "\(f) differs between 1 and 2 threads")
            #expect(x == Self.read(c + "/" + f), "\(f) differs between 1 and 4 threads")
        }
    }

    /// `--returns`: the return files are the same bytes for any threads and block size, the other files are the
    /// bytes of a run without it, `decode` reads every line (none malformed), each line is what the reference
    /// renderer writes for its values, and the registry's answers come in every shape hedis sorts them into.
    @Test func returnsAreDeterministicAndDecodeWithoutAMalformedLine() throws {
        let a = Self.scratch("ra"), b = Self.scratch("rb"), plain = Self.scratch("rp")
        defer { for d in [a, b, plain] { try? FileManager.default.removeItem(atPath: d) } }
        func generate(_ dir: String, threads: Int, blockSize: Int, returns: Bool) throws -> GenerateSummary {
            var o = GenerateOptions(members: 4000, outputDirectory: dir)
            o.seed = 17
            o.defectRate = 0.05
            o.asOf = Self.asOf
            o.org = Self.org
            o.threads = threads
            o.blockSize = blockSize
            o.returns = returns
            return try generateCorpus(o)
        }
        let summary = try generate(a, threads: 1, blockSize: 2048, returns: true)
        _ = try generate(b, threads: 2, blockSize: 97, returns: true)
        _ = try generate(plain, threads: 2, blockSize: 300, returns: false)
        let returnFiles = ["patient-return.txt", "immunization-return.txt"]
        for f in returnFiles {
            let x = Self.read(a + "/" + f)
            #expect(!x.isEmpty, "\(f)")
            #expect(x == Self.read(b + "/" + f), "\(f) differs between runs of one seed")
        }
        for f in Self.outputs { #expect(Self.read(a + "/" + f) == Self.read(plain + "/" + f), "\(f) changed with --returns") }
        #expect(!FileManager.default.fileExists(atPath: plain + "/patient-return.txt"))

        for (f, kind) in zip(returnFiles, [LayoutKind.patientReturn, .immunizationReturn]) {
            let out = a + "/" + f + ".csv"
            var messages: [String] = []
            let outcome = try decodeFixedWidth(DecodeOptions(input: a + "/" + f, kind: kind, output: out),
                                               diagnostics: { messages.append($0) })
            #expect(outcome.malformedLines == 0 && messages.isEmpty, "\(f)")
            #expect(outcome.records == summary.records[f], "\(f)")
            let bytes = Self.read(a + "/" + f)
            let (records, malformed) = readFixedWidthLines(bytes, layout: kind.layout)
            #expect(malformed.isEmpty)
            let width = kind.layout.dataWidth + 2
            #expect(bytes.count == records.count * width)
            for (k, r) in records.enumerated() where k % 7 == 0 {
                #expect(renderFixedWidth(values: r.values, layout: kind.layout) == Array(bytes[(k * width)..<((k + 1) * width)]))
            }
        }

        // Every shape of answer: ids of query.csv not found, found once, found on several rows; doses by CPT with a
        // group label, and by group label only.
        let patients = readFixedWidthLines(Self.read(a + "/patient-return.txt"), layout: Layouts.patientReturn).records
        var rows: [String: Int] = [:]
        for r in patients { rows[r.values[0], default: 0] += 1 }
        let queryIDs = Self.parseCSV(Self.read(a + "/query.csv")).dropFirst().compactMap { r in
            r.fields.count > QC.hpID ? String(decoding: r.fields[QC.hpID], as: UTF8.self) : nil
        }
        #expect(queryIDs.filter { rows[$0] == nil }.count > 100)
        #expect(queryIDs.filter { rows[$0] == 1 }.count > 3000)
        #expect(queryIDs.filter { (rows[$0] ?? 0) > 1 }.count > 40)
        #expect(rows.keys.allSatisfy { Set(queryIDs).contains($0) })
        let doses = readFixedWidthLines(Self.read(a + "/immunization-return.txt"), layout: Layouts.immunizationReturn).records
        #expect(doses.count > 8 * patients.count)
        #expect(doses.contains { $0.values[1].isEmpty && !$0.values[2].isEmpty })
        #expect(doses.contains { $0.values[1] == "90698" && $0.values[2] == "HIB" })
        #expect(doses.allSatisfy { r in r.values[3].count == 8 && rows[r.values[0]] != nil })
    }

    @Test func differentSeedsGiveDifferentCorpora() throws {
        let a = Self.scratch("s1"), b = Self.scratch("s2")
        defer { for d in [a, b] { try? FileManager.default.removeItem(atPath: d) } }
        _ = try Self.generate(a, members: 500, seed: 1, rate: 0.05)
        _ = try Self.generate(b, members: 500, seed: 2, rate: 0.05)
        #expect(Self.read(a + "/members.csv") != Self.read(b + "/members.csv"))
        #expect(Self.read(a + "/immunizations.csv") != Self.read(b + "/immunizations.csv"))
    }

    @Test func invalidOptionsAreRefusedBeforeAnyFile() throws {
        let a = Self.scratch("bad")
        defer { try? FileManager.default.removeItem(atPath: a) }
        var o = GenerateOptions(members: 0, outputDirectory: a)
        #expect(throws: GenerateError.self) { try generateCorpus(o) }
        o.members = 10
        o.asOf = "2026-02-30"
        #expect(throws: GenerateError.self) { try generateCorpus(o) }
        o.asOf = nil
        o.defectRate = 1.5
        #expect(throws: GenerateError.self) { try generateCorpus(o) }
        o.defectRate = 0.1
        o.org = "ACME HP"
        #expect(throws: GenerateError.self) { try generateCorpus(o) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: a).isEmpty)
    }

    @Test func filesAreOwnerOnly() throws {
        let a = Self.scratch("mode")
        defer { try? FileManager.default.removeItem(atPath: a) }
        _ = try Self.generate(a, members: 50, seed: 5, rate: 0.1)
        for f in Self.outputs {
            let attrs = try FileManager.default.attributesOfItem(atPath: a + "/" + f)
            #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(f)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: a).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func highDefectRateCoversEveryCode() throws {
        let a = Self.scratch("codes")
        defer { try? FileManager.default.removeItem(atPath: a) }
        let summary = try Self.generate(a, members: 4000, seed: 11, rate: 0.3)
        // E_RECORD_TOO_LONG needs a record over 1 MiB: not planted in every generated corpus (the benchmark
        // corpora would carry it); the regression cases record-too-long* and InputLayerTests pin it.
        let plantable = PlantedCode.allCases.filter { $0 != .recordTooLong }
        for code in plantable {
            #expect((summary.planted[code.text] ?? 0) > 0, "no \(code.text) planted")
        }
        let key = Self.answerKey(a)
        #expect(key.count == summary.planted.values.reduce(0, +))
        for code in plantable {
            #expect(key.contains { $0.hasSuffix("," + code.text) }, "answer key lacks \(code.text)")
        }
        // Warnings and rejects land in their own files.
        #expect(Self.reportRows(a + "/" + AnswerKey.warnings).allSatisfy { $0.contains(",W_") })
        #expect(Self.reportRows(a + "/" + AnswerKey.rejects).allSatisfy { !$0.contains(",W_") })
    }

    @Test func csvIsWellFormedAndKeyLinesAreRecordStarts() throws {
        let a = Self.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: a) }
        _ = try Self.generate(a, members: 3000, seed: 5, rate: 0.15)
        let key = Self.answerKey(a)
        for (file, layout) in [("members.csv", Layouts.patient), ("immunizations.csv", Layouts.immunization),
                               ("comments.csv", Layouts.comment), ("query.csv", Layouts.query)] {
            let recs = Self.parseCSV(Self.read(a + "/" + file))
            let header = recs[0].fields.map { String(decoding: $0, as: UTF8.self) }
            #expect(header == layout.columns.map(\.name), "\(file) header")
            let fieldCountLines = Set(key.filter { $0.hasPrefix(file + ",") && $0.hasSuffix(",E_FIELD_COUNT") }
                .map { Int($0.split(separator: ",", omittingEmptySubsequences: false)[1])! })
            var starts = Set<Int>()
            for (n, r) in recs.enumerated() where n > 0 {
                starts.insert(r.line)
                if r.unterminated {
                    #expect(n == recs.count - 1, "\(file): an open quote before the last record")
                    #expect(key.contains("\(file),\(r.line),,E_UNTERMINATED_QUOTE"))
                } else if fieldCountLines.contains(r.line) {
                    #expect(r.fields.count != header.count)
                } else {
                    #expect(r.fields.count == header.count, "\(file) line \(r.line)")
                }
            }
            for row in key where row.hasPrefix(file + ",") {
                let line = Int(row.split(separator: ",", omittingEmptySubsequences: false)[1])!
                #expect(starts.contains(line), "\(file): answer-key line \(line) is not where a record starts")
            }
        }
    }

    @Test func distributionsArePlausible() throws {
        let a = Self.scratch("dist")
        defer { try? FileManager.default.removeItem(atPath: a) }
        let n = 20_000
        _ = try Self.generate(a, members: n, seed: 2024, rate: 0, undisclosed: 0.02)
        let asOf = GenCalendar.parseISO(Self.asOf)!
        let members = Array(Self.parseCSV(Self.read(a + "/members.csv")).dropFirst())
        #expect(members.count == n)
        var kids = 0, seniors = 0, la = 0, counties = 0, hispanic = 0, ethnicity = 0, notDisclosed = 0, accents = 0
        var birth: [String: Int] = [:]
        var cities = Set<String>()
        for r in members {
            let f = r.fields
            let b = try #require(Self.day(f[PC.birth]))
            #expect(b <= asOf)
            birth[String(decoding: f[PC.recordID], as: UTF8.self)] = b
            let age = (asOf - b) / 365
            if age < 18 { kids += 1 }
            if age >= 65 { seniors += 1 }
            let county = String(decoding: f[PC.county], as: UTF8.self).uppercased()
            if !county.isEmpty { counties += 1; if county == "CA037" || county == "LOS ANGELES" { la += 1 } }
            let eth = String(decoding: f[PC.ethnicity], as: UTF8.self).uppercased()
            if !eth.isEmpty { ethnicity += 1; if eth == "H" || eth == "HISPANIC OR LATINO" { hispanic += 1 } }
            if !["Y", "YES", "TRUE", "1"].contains(String(decoding: f[PC.disclosed], as: UTF8.self).uppercased()) { notDisclosed += 1 }
            if f[PC.first].contains(where: { $0 >= 0x80 }) || f[PC.last].contains(where: { $0 >= 0x80 }) { accents += 1 }
            cities.insert(String(decoding: f[PC.city], as: UTF8.self).uppercased())
            #expect(f[PC.ssn].isEmpty)
        }
        func share(_ x: Int, _ of: Int) -> Double { Double(x) / Double(max(1, of)) }
        #expect((0.17...0.32).contains(share(kids, n)), "children \(share(kids, n))")
        #expect((0.10...0.24).contains(share(seniors, n)), "65+ \(share(seniors, n))")
        #expect((0.20...0.40).contains(share(la, counties)), "Los Angeles \(share(la, counties))")
        #expect((0.30...0.50).contains(share(hispanic, ethnicity)), "Hispanic \(share(hispanic, ethnicity))")
        #expect((0.01...0.035).contains(share(notDisclosed, n)), "not disclosed \(share(notDisclosed, n))")
        #expect(share(accents, n) > 0.15, "accented names \(share(accents, n))")
        #expect(cities.count > 80)

        let imms = Array(Self.parseCSV(Self.read(a + "/immunizations.csv")).dropFirst())
        let perMember = share(imms.count, n)
        #expect((1.5...8.0).contains(perMember), "immunizations per member \(perMember)")
        var withGroup = Set<String>()
        for r in imms {
            let id = String(decoding: r.fields[IC.recordID], as: UTF8.self)
            let b = try #require(birth[id], "immunization of an unknown member")
            let d = try #require(Self.day(r.fields[IC.date]))
            #expect(d >= b && d <= asOf)
            #expect(!r.fields[IC.cpt].isEmpty || !r.fields[IC.cvx].isEmpty)
            #expect(!r.fields[IC.mvx].isEmpty)
            if !r.fields[IC.group].isEmpty { withGroup.insert(String(decoding: r.fields[IC.group], as: UTF8.self)) }
        }
        #expect(withGroup.isSuperset(of: ["FLU", "DTAP", "MMR", "HEPB", "COVID-19", "TDAP", "HPV"]))
        let comments = Array(Self.parseCSV(Self.read(a + "/comments.csv")).dropFirst())
        #expect((0.02...0.08).contains(share(comments.count, n)), "comments per member")
        #expect(comments.allSatisfy { birth[String(decoding: $0.fields[CC.recordID], as: UTF8.self)] != nil })
    }

    /// Every product's CPT/CVX and CVX/MVX pairs exist in the CDC tables (when the tables are on this machine).
    @Test func vaccineProductsAgreeWithTheCDCTables() throws {
        let dir = "/work/shared/data/cdc"
        guard FileManager.default.fileExists(atPath: dir + "/cpt_to_cvx.csv") else { return }
        func rows(_ f: String) -> [[String]] {
            Self.parseCSV(Self.read(dir + "/" + f)).dropFirst().map { $0.fields.map { String(decoding: $0, as: UTF8.self) } }
        }
        let cptCVX = Set(rows("cpt_to_cvx.csv").map { "\($0[0])/\(Int($0[3]) ?? -1)" })
        let cvxMVX = Set(rows("tradename_cvx_mvx.csv").filter { $0.count > 4 }.map { "\(Int($0[2]) ?? -1)/\($0[4])" })
        for (_, p) in GenVaccines.products {
            #expect(cptCVX.contains("\(p.cpt)/\(Int(p.cvx)!)"), "CPT \(p.cpt) / CVX \(p.cvx)")
            #expect(cvxMVX.contains("\(Int(p.cvx)!)/\(p.mvx)"), "CVX \(p.cvx) / MVX \(p.mvx)")
            #expect(p.trade.utf8.count <= 24 && p.group.utf8.count <= 16)
        }
    }

    // MARK: - the answer key against convert

    static func convertAndCompare(members: Int, seed: UInt64, rate: Double) throws {
        let g = scratch("g"), out = scratch("o"), outQ = scratch("q")
        defer { for d in [g, out, outQ] { try? FileManager.default.removeItem(atPath: d) } }
        _ = try generate(g, members: members, seed: seed, rate: rate)
        let day = DateValue.parseISO(asOf)!
        var o = ConvertOptions(outDir: out, asOf: day)
        o.patients = g + "/members.csv"
        o.immunizations = g + "/immunizations.csv"
        o.comments = g + "/comments.csv"
        o.org = org
        o.threads = 2
        _ = try convert(o)
        var q = ConvertOptions(outDir: outQ, asOf: day)
        q.query = g + "/query.csv"
        q.org = org
        q.threads = 2
        _ = try convert(q)
        let got = reportRows(out + "/rejects.csv").union(reportRows(out + "/warnings.csv"))
            .union(reportRows(outQ + "/rejects.csv")).union(reportRows(outQ + "/warnings.csv"))
        let expected = answerKey(g)
        let missing = expected.subtracting(got).sorted(), extra = got.subtracting(expected).sorted()
        #expect(missing.isEmpty, "seed \(seed) rate \(rate): convert did not report \(missing.count), e.g. \(missing.prefix(5))")
        #expect(extra.isEmpty, "seed \(seed) rate \(rate): convert reported \(extra.count) unplanted, e.g. \(extra.prefix(5))")
        if rate > 0 { #expect(expected.count > 10) }
    }

    @Test(arguments: [(UInt64(1), 0.0), (2, 0.01), (3, 0.05), (4, 0.2), (5, 0.5), (6, 1.0)])
    func convertReportsExactlyThePlantedDefects(seed: UInt64, rate: Double) throws {
        try Self.convertAndCompare(members: 1500, seed: seed, rate: rate)
    }

    @Test func cleanCorpusConvertsWithoutAnyProblem() throws {
        let g = Self.scratch("clean"), out = Self.scratch("cleanout")
        defer { for d in [g, out] { try? FileManager.default.removeItem(atPath: d) } }
        let summary = try Self.generate(g, members: 2000, seed: 77, rate: 0, undisclosed: 0)
        #expect(summary.planted.isEmpty)
        var o = ConvertOptions(outDir: out, asOf: DateValue.parseISO(Self.asOf)!)
        o.patients = g + "/members.csv"
        o.immunizations = g + "/immunizations.csv"
        o.comments = g + "/comments.csv"
        let result = try convert(o)   // no --org: the corpus carries its organization itself
        for f in result.files {
            #expect(f.written == f.inputRecords, "\(f.kind)")
            #expect(f.warnings.isEmpty, "\(f.kind): \(f.warnings)")
        }
    }
}
