import Testing
@testable import CAIR2Core

@Suite struct CodeSetTests {
    /// The first layout field (of the layouts we write) that uses a code set.
    static func field(using id: CodeSetID) -> (LayoutKind, Field)? {
        for kind in LayoutKind.allCases where kind.isWritten {
            if let f = kind.layout.fields.first(where: { $0.codeSet == id }) { return (kind, f) }
        }
        return nil
    }

    @Test(arguments: CodeSetID.allCases)
    func codesAreUniqueAndNonEmpty(id: CodeSetID) {
        let codes = id.entries.map(\.code)
        #expect(!codes.isEmpty)
        #expect(Set(codes).count == codes.count, "duplicate code in \(id.rawValue)")
        for (code, description) in id.entries {
            #expect(!code.isEmpty && !description.isEmpty)
            #expect(code.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(id.rawValue): code not printable ASCII")
            #expect(code == code.uppercased(), "\(id.rawValue): codes are upper-case")
        }
    }

    @Test func everyCodeSetIsUsedByALayoutField() {
        let used = Set(Layouts.all.flatMap { $0.fields.compactMap(\.codeSet) })
        #expect(used == Set(CodeSetID.allCases))
        // And every field of the code class names a set.
        for layout in Layouts.all {
            for f in layout.fields where f.valueClass == .code {
                #expect(f.codeSet != nil, "\(layout.kind.rawValue).\(f.name)")
            }
        }
    }

    @Test(arguments: CodeSetID.allCases)
    func codesFitTheirFields(id: CodeSetID) throws {
        for layout in Layouts.all {
            for f in layout.fields where f.codeSet == id {
                let tooLong = id.entries.map(\.code).filter { $0.utf8.count > f.length }
                // The one documented erratum (PRODUCT.md §3a): DPERM10-DPERM14 in a 6-character field.
                let expected = id == .comments ? ["DPERM10", "DPERM11", "DPERM12", "DPERM13", "DPERM14"] : []
                #expect(tooLong.sorted() == expected, "\(layout.kind.rawValue).\(f.name)")
                #expect(ExactCodeSet(id, maxLength: f.length).codes.count == id.entries.count - expected.count)
            }
        }
    }

    /// Near misses of a code: lower case, one character changed, one appended, a
    /// leading blank, the description instead of the code. None is a code.
    static func nearMisses(_ code: String, in set: ExactCodeSet, maxLength: Int) -> [String] {
        var misses: [String] = []
        if code.lowercased() != code { misses.append(code.lowercased()) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        if let c = alphabet.first(where: { !set.codes.contains(String(code.dropLast()) + String($0)) }) {
            misses.append(String(code.dropLast()) + String(c))
        }
        if code.count < maxLength,
           let c = alphabet.first(where: { !set.codes.contains(code + String($0)) }) {
            misses.append(code + String(c))
        }
        if code.count > 1 { misses.append(String(code.dropLast())) }
        misses.append(" " + code)
        misses.append("")
        return misses.filter { !set.codes.contains($0) }
    }

    /// One lookup per code set: every code is accepted, every near miss refused,
    /// both by `ExactCodeSet` and by the validator on a line of the layout that uses it.
    @Test(arguments: CodeSetID.allCases)
    func lookupAcceptsEveryCodeAndRefusesNearMisses(id: CodeSetID) throws {
        let (kind, field) = try #require(Self.field(using: id))
        let set = ExactCodeSet(id, maxLength: field.length)
        let validator = FixedWidthValidator(layout: kind.layout, asOf: 20250101)
        func codeProblems(_ value: String) -> [ValidationProblem] {
            let line = SpecExample.line(kind, [field.name: value])
            return line.withUnsafeBytes { buffer in
                validator.check(FixedWidthRecord(line: 1, bytes: buffer)).filter { $0.field == field.name }
            }
        }
        for code in set.codes {
            #expect(set.contains(code), "\(id.rawValue): \(code)")
            #expect(codeProblems(code).isEmpty, "\(id.rawValue): \(code) refused by the validator")
            for miss in Self.nearMisses(code, in: set, maxLength: field.length) {
                #expect(!set.contains(miss), "\(id.rawValue): near miss accepted")
            }
        }
        let code = try #require(set.codes.first)
        for miss in Self.nearMisses(code, in: set, maxLength: field.length) where !miss.isEmpty && miss.first != " " {
            #expect(codeProblems(miss).map(\.code) == [.code], "\(id.rawValue): near miss of \(code)")
        }
        // A description is not a code in a fixed-width file.
        if let d = id.entries.first?.description, d.utf8.count <= field.length, !set.codes.contains(d) {
            #expect(!set.contains(d))
        }
    }
}
