// `cair2 codes`: the CDC vaccine code tables and the spec's code sets, looked up for a person
// (PRODUCT.md §3b). A listing is columns and rows; the executable picks table, CSV or JSON.

import CAIR2Core
import FoundationEssentials

/// What `cair2 codes` can list.
public enum CodeListKind: Sendable, Equatable {
    /// The CDC tables: CVX, CPT to CVX, MVX manufacturers, a search across them, vaccine groups, product names.
    case cvx, cpt, mvx, search, group, product
    /// One of the spec's code sets (`codeSetNames`).
    case codeSet(CodeSetID)

    /// The spec's code sets by their command-line names (several spellings each).
    public static let codeSetNames: [(name: String, id: CodeSetID)] = [
        ("patient-status", .patientStatus), ("sex", .sex), ("ethnicity", .ethnicity),
        ("mother-hbsag", .motherHBsAg), ("contact", .contact), ("relationship", .relationship),
        ("state", .state), ("county", .county), ("route", .adminRoute), ("body-site", .bodySite),
        ("reaction", .reaction), ("info-source", .infoSource), ("eligibility", .vaccineEligibility),
        ("comment", .comments), ("patient-type", .patientType),
    ]
    static let aliases: [String: String] = [
        "status": "patient-status", "gender": "sex", "hbsag": "mother-hbsag", "admin-route": "route",
        "vaccine-eligibility": "eligibility", "comments": "comment", "information-source": "info-source",
        "source": "info-source", "reactions": "reaction", "counties": "county", "states": "state",
        "body_site": "body-site", "patient_type": "patient-type", "type": "patient-type",
    ]

    /// Every name the command takes, for help and completions.
    public static var allNames: [String] {
        ["cvx", "cpt", "mvx", "search", "group", "product"] + codeSetNames.map(\.name)
    }

    /// The listing a `cair2 codes` name asks for (case-insensitive, `_` as `-`, aliases such as `gender` for `sex`);
    /// nil when no list has that name.
    public init?(name: String) {
        let n = name.lowercased().replacing("_", with: "-")
        switch n {
        case "cvx": self = .cvx
        case "cpt": self = .cpt
        case "mvx", "manufacturer", "manufacturers": self = .mvx
        case "search", "find": self = .search
        case "group", "groups", "vaccine-group": self = .group
        case "product", "products", "tradename", "trade-name": self = .product
        default:
            let key = CodeListKind.aliases[n] ?? n
            guard let id = CodeListKind.codeSetNames.first(where: { $0.name == key })?.id else { return nil }
            self = .codeSet(id)
        }
    }
}

/// Rows of one lookup, with their column names. Holds no member data (tables only).
public struct CodeListing: Sendable, Equatable {
    /// A heading naming the list and where its tables came from (`CVX (CDC tables, bundled snapshot, updated ...)`).
    public var title: String
    /// The column names, in order.
    public var columns: [String]
    /// One array of values per matching entry, in `columns` order.
    public var rows: [[String]]
}

/// Looks `query` up in `kind` (nil lists the whole set). An empty result has no rows.
public func codeListing(_ kind: CodeListKind, query: String?, tables: VaccineCodeTables) -> CodeListing {
    let q = query?.trimmingWhitespace()
    let needle = q.map(searchKey)
    func matches(_ s: String) -> Bool { needle.map { searchKey(s).contains($0) } ?? true }
    let source = tables.source == "bundled" ? "CDC tables, bundled snapshot" : "CDC tables from \(tables.source)"
    let updated = tables.updated.map { ", updated \($0.iso)" } ?? ""
    func cvxRow(_ c: VaccineCodeTables.CVX) -> [String] {
        let groups = tables.groups.filter { VaccineCodeTables.codeNumber($0.cvx, maxDigits: 3) == c.number }.map(\.group)
        return [c.code, c.shortDescription, c.status, groups.joined(separator: " "), c.fullName]
    }
    switch kind {
    case .cvx:
        let rows: [VaccineCodeTables.CVX]
        if let q, let n = VaccineCodeTables.codeNumber(q, maxDigits: 3) {
            rows = tables.cvx.filter { $0.number == n }
        } else {
            rows = tables.cvx.filter { matches($0.shortDescription) || matches($0.fullName) }
                .sorted { $0.number < $1.number }
        }
        return CodeListing(title: "CVX (\(source)\(updated))",
                           columns: ["cvx", "description", "status", "vaccine_groups", "full_name"],
                           rows: rows.map(cvxRow))
    case .cpt:
        let rows = tables.cptMappings.filter { m in
            guard let q else { return true }
            return m.cpt == q.uppercased() || (VaccineCodeTables.codeNumber(q, maxDigits: 5) == nil && matches(m.vaccineName))
        }
        return CodeListing(title: "CPT to CVX (\(source)\(updated))",
                           columns: ["cpt", "cvx", "vaccine", "cvx_description", "cvx_status"],
                           rows: rows.map { m in
                               let c = VaccineCodeTables.codeNumber(m.cvx, maxDigits: 3)
                                   .flatMap { n in tables.cvx.first { $0.number == n } }
                               return [m.cpt, m.cvx, m.vaccineName, c?.shortDescription ?? "", c?.status ?? ""]
                           })
    case .mvx:
        // An exact code or name is the answer; otherwise every name holding the text.
        let exact = tables.mvx.filter { m in q.map { m.code == $0.uppercased() || searchKey(m.name) == needle } ?? false }
        let rows = !exact.isEmpty ? exact : tables.mvx.filter { m in matches(m.name) }
        return CodeListing(title: "MVX manufacturers (\(source)\(updated))", columns: ["mvx", "manufacturer", "status"],
                           rows: rows.map { [$0.code, $0.name, $0.status] })
    case .product:
        let rows = tables.products.filter { matches($0.name) || q.map { $0.uppercased() == $0 } == true }
        return CodeListing(title: "Products (\(source)\(updated))",
                           columns: ["product", "cvx", "mvx", "manufacturer", "status", "description"],
                           rows: rows.map { [$0.name, $0.cvx, $0.mvx, $0.manufacturer, $0.status, $0.shortDescription] })
    case .group:
        let rows = tables.groups.filter { matches($0.group) }
        return CodeListing(title: "CVX to vaccine group (\(source)\(updated))",
                           columns: ["group", "cvx", "description"],
                           rows: rows.map { [$0.group, $0.cvx, $0.shortDescription] })
    case .search:
        var rows: [[String]] = []
        for c in tables.cvx where matches(c.shortDescription) || matches(c.fullName) || q == c.code {
            rows.append(["cvx", c.code, c.shortDescription, c.status, c.code, ""])
        }
        for p in tables.products where matches(p.name) || matches(p.shortDescription) {
            rows.append(["product", p.name, p.shortDescription, p.status, p.cvx, p.mvx])
        }
        for m in tables.cptMappings where q == m.cpt || matches(m.vaccineName) {
            rows.append(["cpt", m.cpt, m.vaccineName, "", m.cvx, ""])
        }
        for m in tables.mvx where matches(m.name) || q?.uppercased() == m.code {
            rows.append(["mvx", m.code, m.name, m.status, "", m.code])
        }
        return CodeListing(title: "Matches (\(source)\(updated))",
                           columns: ["table", "code", "description", "status", "cvx", "mvx"], rows: rows)
    case .codeSet(let id):
        var entries = id.entries.map { [$0.code, $0.description] }
        if let q {
            let idx = CodeSetIndex(id: id, entries: id.entries)
            let hit = Array(q.utf8).withUnsafeBufferPointer { b -> Int? in
                var folded: [UInt8] = []
                Folding.fold(b, .utf8, into: &folded)
                return folded.withUnsafeBufferPointer { idx.lookup($0) }
            }
            if let hit {
                let code = String(decoding: idx.codes[hit], as: UTF8.self)
                entries = entries.filter { $0[0] == code }
            } else {
                entries = entries.filter { matches($0[1]) }
            }
        }
        let name = CodeListKind.codeSetNames.first { $0.id == id }?.name ?? id.rawValue
        return CodeListing(title: "\(id.rawValue) (spec code set; `cair2 codes \(name)`)",
                           columns: ["code", "description"], rows: entries)
    }
}

/// Upper-case, folded, blanks collapsed: what searches compare.
private func searchKey(_ s: String) -> String {
    var folded: [UInt8] = []
    Array(s.utf8).withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
    return String(decoding: folded, as: UTF8.self).uppercased().split(separator: " ").joined(separator: " ")
}

extension CodeListing {
    /// Aligned columns under a title.
    public func renderTable(maxWidth: Int = 60) -> String {
        var widths = columns.map(\.count)
        let cut = rows.map { $0.map { $0.count > maxWidth ? String($0.prefix(maxWidth - 3)) + "..." : $0 } }
        for r in cut { for (i, v) in r.enumerated() { widths[i] = max(widths[i], v.count) } }
        func line(_ vals: [String]) -> String {
            var s = ""
            for (i, v) in vals.enumerated() {
                s += i == vals.count - 1 ? v : v + String(repeating: " ", count: widths[i] - v.count + 2)
            }
            return s
        }
        var out = title + "\n" + line(columns) + "\n"
        for r in cut { out += line(r) + "\n" }
        out += "\(rows.count) row\(rows.count == 1 ? "" : "s")\n"
        return out
    }

    /// RFC 4180 CSV with a header row.
    public func renderCSV() -> String {
        func cell(_ v: String) -> String {
            v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + v.replacing("\"", with: "\"\"") + "\"" : v
        }
        return ([columns] + rows).map { $0.map(cell).joined(separator: ",") + "\r\n" }.joined()
    }

    /// A JSON array of objects keyed by column name.
    public func renderJSON() -> String {
        let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? enc.encode(objects)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
