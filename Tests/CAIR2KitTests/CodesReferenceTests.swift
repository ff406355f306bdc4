import CAIR2Core
import Foundation
import Testing

/// docs/CODES.md is the reference of every reject, exclusion and warning code. These tests keep it honest: it
/// lists exactly the codes the converter has, and every code it lists is triggered by a golden case (whose
/// expected reports GoldenTests checks against the tool).
@Suite struct CodesReferenceTests {
    static let root = GoldenTests.root

    /// The codes documented in docs/CODES.md: its `### CODE` headings, in order.
    static func documentedCodes() throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/CODES.md"), encoding: .utf8)
        var codes: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("### ") {
            let name = line.dropFirst(4).trimmingCharacters(in: .whitespaces)
            if name.range(of: "^[EWX]_[A-Z_]+$", options: .regularExpression) != nil { codes.append(name) }
        }
        return codes
    }

    /// Splits one CSV row (RFC 4180 quotes, as the reports write them).
    static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var cur = ""
        var quoted = false
        var it = line.makeIterator()
        while let ch = it.next() {
            if quoted {
                if ch == "\"" {
                    quoted = false
                } else {
                    cur.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                fields.append(cur)
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        fields.append(cur)
        return fields
    }

    /// Code -> the golden cases (`Corpus/cases`, `Corpus/regressions`) whose expected rejects.csv or warnings.csv
    /// hold it.
    static func goldenCodes() throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for group in ["Corpus/cases", "Corpus/regressions"] {
            let casesDir = root.appendingPathComponent(group)
            for name in try FileManager.default.contentsOfDirectory(atPath: casesDir.path) {
                for report in ["rejects.csv", "warnings.csv"] {
                    let url = casesDir.appendingPathComponent(name).appendingPathComponent("expected").appendingPathComponent(report)
                    guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                    guard let header = lines.first.map(csvFields), let codeColumn = header.firstIndex(of: "code") else { continue }
                    for line in lines.dropFirst() {
                        let f = csvFields(line)
                        if f.count > codeColumn { out[f[codeColumn], default: []].insert(name) }
                    }
                }
            }
        }
        return out
    }

    @Test func referenceListsExactlyTheConvertersCodes() throws {
        let documented = try Self.documentedCodes()
        let known = ProblemCode.allCases.map(\.name)
        #expect(!documented.isEmpty, "no ### CODE headings found in docs/CODES.md")
        #expect(Set(documented).count == documented.count, "a code is documented twice")
        #expect(Set(documented).subtracting(known).isEmpty, "documented but unknown: \(Set(documented).subtracting(known).sorted())")
        #expect(Set(known).subtracting(documented).isEmpty, "undocumented codes: \(Set(known).subtracting(documented).sorted())")
    }

    @Test func everyDocumentedCodeIsTriggeredByAGoldenCase() throws {
        let golden = try Self.goldenCodes()
        let documented = try Self.documentedCodes()
        #expect(!golden.isEmpty, "no golden reports found under Corpus/cases")
        for code in documented {
            #expect(!(golden[code] ?? []).isEmpty, "\(code) is documented in docs/CODES.md but no Corpus/cases or Corpus/regressions expected report holds it")
        }
    }

    @Test func everyDocumentedCodeSaysMeaningFieldCauseAndFix() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/CODES.md"), encoding: .utf8)
        let sections = text.components(separatedBy: "\n### ").dropFirst()
        #expect(sections.count == ProblemCode.allCases.count)
        for s in sections {
            let code = s.prefix { $0 != "\n" }
            for part in ["- Meaning:", "- Field:", "- Typical cause:", "- Fix:"] {
                #expect(s.contains(part), "\(code): missing '\(part)'")
            }
        }
    }

    @Test func csvFieldsHonoursQuotes() {
        #expect(Self.csvFields("a,\"b, c\",d") == ["a", "b, c", "d"])
        #expect(Self.csvFields("a,,") == ["a", "", ""])
    }
}
