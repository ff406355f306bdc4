@testable import CAIR2Core
import Testing

/// The CDC code tables (§3b): the bundled snapshot parses, lookups agree with the CSV rows, malformed tables
/// are refused with the file named, and the validator's V_ checks.
@Suite struct VaccineCodeTablesTests {
    let t = VaccineCodeTables.bundled

    @Test func bundledSnapshotParses() {
        #expect(t.source == "bundled")
        #expect(t.cvx.count == 288 && t.mvx.count == 89 && t.cptMappings.count == 168)
        #expect(t.products.count == 223 && t.groups.count == 256 && t.placeholderNames.count == 117)
        // The latest LastUpdated of the CVX table.
        #expect(t.updated?.iso == "2025-11-19")
    }

    @Test func cvxComparesAsNumbers() {
        #expect(t.isKnownCVX(3) && t.isKnownCVX(998) && t.isKnownCVX(500))
        #expect(!t.isKnownCVX(600) && !t.isKnownCVX(0) && !t.isKnownCVX(1000) && !t.isKnownCVX(-1))
    }

    @Test func cptMapsToEveryListedCVX() throws {
        let dtap = try #require(t.cptIndex(90700))
        #expect(t.cpt(dtap, mapsTo: 20) && t.cpt(dtap, mapsTo: 106) && !t.cpt(dtap, mapsTo: 3))
        #expect(t.cvxNumbers(ofCPT: "90707") == [3])
        #expect(t.cptIndex(90999) == nil)
        // Every 5-digit CPT row of the table is known and maps to its CVX.
        for m in t.cptMappings where m.cpt.utf8.count == 5 && m.cpt.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            let i = try #require(t.cptIndex(UInt32(m.cpt)!))
            #expect(t.cpt(i, mapsTo: Int(m.cvx)!))
        }
    }

    @Test func manufacturerCodesAndNames() {
        func lookup(_ s: String) -> String? {
            var folded: [UInt8] = []
            Array(s.utf8).withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
            return folded.withUnsafeBufferPointer { t.manufacturers.lookup($0) }
                .map { String(decoding: t.manufacturers.codes[$0], as: UTF8.self) }
        }
        #expect(lookup("PMC") == "PMC" && lookup("pmc") == "PMC")
        #expect(lookup("Sanofi Pasteur") == "PMC" && lookup("  sanofi   PASTEUR ") == "PMC")
        #expect(lookup("Sanofí Pasteur") == "PMC")
        #expect(lookup("Merck and Co., Inc.") == "MSD")
        #expect(lookup("Sanofi") == nil && lookup("ZZZ") == nil)
    }

    /// No name that is not on the list is taken for a placeholder: every listed name with one letter changed,
    /// one letter added or the last letter dropped is a placeholder exactly when the changed name is itself on
    /// the list (as normalized), and so is each of 20,000 random names.
    @Test func onlyListedNamesArePlaceholders() {
        let t = VaccineCodeTables.bundled
        let listed = Set(t.placeholderNames.compactMap { VaccineCodeTables.normalizedName($0) }.map { [$0.hi, $0.lo] })
        func listedName(_ n: String) -> Bool {
            VaccineCodeTables.normalizedName(n).map { listed.contains([$0.hi, $0.lo]) } ?? false
        }
        var candidates: [String] = []
        for n in t.placeholderNames {
            let u = Array(n.utf8)
            for i in u.indices {
                var v = u
                v[i] = v[i] == 0x5A ? 0x41 : v[i] &+ 1
                candidates.append(String(decoding: v, as: UTF8.self))
            }
            candidates.append(n + "X")
            candidates.append(String(n.dropLast()))
        }
        var rng = SplitMix(seed: 5)
        for _ in 0..<20_000 {
            let len = 1 + Int(rng.next() % 16)
            candidates.append(String(decoding: (0..<len).map { _ in UInt8(0x41 + rng.next() % 26) }, as: UTF8.self))
        }
        for n in candidates { #expect(t.isPlaceholder(name: n) == listedName(n), "\(n)") }
    }

    @Test func placeholderNamesNormalizeBothSides() {
        for n in ["Baby Boy", "BABY  BOY", "baby-girl", "B.G.", "unknown", "No First Name", "NEWBORN"] {
            #expect(t.isPlaceholder(name: n), "\(n)")
        }
        // Entries that are not valid names (digits, #) never match; ordinary names do not.
        for n in ["Baby Boy 1", "BABY BOY #1", "Babyboyx", "Maria", ""] { #expect(!t.isPlaceholder(name: n), "\(n)") }
    }

    func files(replacing f: CodeTableFile, with text: String?) -> [CodeTableFile: [UInt8]] {
        var d: [CodeTableFile: [UInt8]] = [:]
        for g in CodeTableFile.allCases { d[g] = Array(BundledCodeTables.text(g).utf8) }
        d[f] = text.map { Array($0.utf8) }
        return d
    }

    @Test func malformedTablesNameTheFile() {
        func error(_ f: CodeTableFile, _ text: String?) -> CodeTableError? {
            do { _ = try VaccineCodeTables(files: files(replacing: f, with: text), source: "x"); return nil } catch {
                return error
            }
        }
        #expect(error(.mvx, nil)?.file == "mvx.csv")
        #expect(error(.cvx, "Code,Name\n1,x\n")?.message.contains("CVXCode") == true)
        #expect(error(.cvx, "ShortDescription,FullVaccinename,CVXCode,Status,LastUpdated\nx,y,12a,Active,1/1/2020\n")?
            .file == "cvx.csv")
        #expect(error(.cptToCVX, "CPT Code,CVX Code\n90707,\"3\n") != nil)
        #expect(error(.groups, "") != nil)
        // A newer table of the same form is used as given.
        let newer = "ShortDescription,FullVaccinename,CVXCode,Notes,Status,LastUpdated\nnew,new vaccine,600,,Active,3/1/2026\n"
        let tables = try? VaccineCodeTables(files: files(replacing: .cvx, with: newer), source: "dir")
        #expect(tables?.isKnownCVX(600) == true && tables?.isKnownCVX(3) == false)
        #expect(tables?.updated?.iso == "2026-03-01")
    }

    @Test func validatorFlagsUnknownMismatchAndPlaceholders() throws {
        func check(_ kind: LayoutKind, _ values: [String: String]) -> [String] {
            let layout = kind.layout
            var line = [UInt8](repeating: 0x20, count: layout.dataWidth)
            for f in layout.fields {
                if let v = values[f.name] { for (i, b) in v.utf8.enumerated() { line[f.offset + i] = b } }
            }
            let problems = line.withUnsafeBytes {
                FixedWidthValidator(layout: layout, asOf: 20260101).check(FixedWidthRecord(line: 1, bytes: $0))
            }
            return problems.map { "\($0.field):\($0.code.rawValue)" }.sorted()
        }
        let base = ["record_id": "R1", "vaccination_date": "01012020", "manufacturer": "PMC", "info_source": "01",
                    "sending_org": "ORG"]
        #expect(check(.immunization, base.merging(["cvx_code": "03"]) { $1 }) == [])
        #expect(check(.immunization, base.merging(["cvx_code": "600"]) { $1 }) == ["cvx_code:V_CODE_UNKNOWN"])
        #expect(check(.immunization, base.merging(["cpt_code": "90999"]) { $1 }) == ["cpt_code:V_CODE_UNKNOWN"])
        #expect(check(.immunization, base.merging(["cvx_code": "3", "manufacturer": "ZZZ"]) { $1 })
                == ["manufacturer:V_CODE_UNKNOWN"])
        #expect(check(.immunization, base.merging(["cpt_code": "90707", "cvx_code": "20"]) { $1 })
                == ["cvx_code:V_CODE_MISMATCH"])
        #expect(check(.immunization, base.merging(["cpt_code": "90700", "cvx_code": "106"]) { $1 }) == [])
        let patient = ["record_id": "R1", "patient_status": "A", "first_name": "BABY BOY", "last_name": "UNKNOWN",
                       "birth_date": "01022000", "sending_org": "ORG", "disclosed": "Y", "disclosed_date": "01012020",
                       "disclosed_by": "ORG", "sharing_status": "Y", "effective_date": "01012020", "updated_by": "ORG"]
        #expect(check(.patient, patient) == ["first_name:V_PLACEHOLDER_NAME", "last_name:V_PLACEHOLDER_NAME"])
        #expect(check(.patient, patient.merging(["first_name": "ANN", "last_name": "SMITH"]) { $1 }) == [])
    }
}
