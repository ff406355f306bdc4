// The tables that drive the HEDIS rules (PRODUCT.md section 7): which codes count for which antigen
// (value sets) and which CAIR2 comment codes meet an antigen without a dose (comment codes).
//
// Both are read from CSV text handed in by the caller (the bundled copies live in BundledTables.swift,
// generated from Data/ by scripts/gen-hedis-tables); nothing here reads a file.

import CAIR2Core

/// The two measures.
public enum Measure: String, CaseIterable, Sendable {
    /// Childhood Immunization Status: members whose 2nd birthday falls in the year.
    case cis = "CIS"
    /// Immunizations for Adolescents: members whose 13th birthday falls in the year.
    case ima = "IMA"

    /// The birthday whose year selects the members, and on or before which doses count.
    public var lastBirthday: Int { self == .cis ? 2 : 13 }

    /// The antigens reported for the measure, in report order.
    public var antigens: [Antigen] {
        self == .cis ? [.dtap, .ipv, .mmr, .hib, .hepb, .vzv, .pcv, .hepa, .rv, .flu] : [.men, .tdap, .hpv]
    }

    /// The combinations, smallest first; the last is the measure's largest.
    public var combos: [Combo] { self == .cis ? [.combo3, .combo7, .combo10] : [.combo1, .combo2] }

    /// The value-set antigens (products) of the measure, as the value-set table names them.
    public var products: [Product] {
        self == .cis ? [.dtap, .ipv, .mmr, .hib, .hepb, .vzv, .pcv, .hepa, .rv2, .rv3, .flu, .fluLAIV]
            : [.men, .tdap, .hpv]
    }
}

/// An antigen the measure reports (`rv` is RV2 and RV3 together; `flu` includes a LAIV dose that counts).
public enum Antigen: String, CaseIterable, Sendable {
    /// The CIS antigens (`dtap` through `flu`) and the IMA ones (`men`, `tdap`, `hpv`).
    case dtap, ipv, mmr, hib, hepb, vzv, pcv, hepa, rv, flu, men, tdap, hpv

    /// The name used in the value-set and comment-code tables.
    public var tableName: String {
        switch self {
        case .dtap: return "DTaP"
        case .ipv: return "IPV"
        case .mmr: return "MMR"
        case .hib: return "HiB"
        case .hepb: return "HepB"
        case .vzv: return "VZV"
        case .pcv: return "PCV"
        case .hepa: return "HepA"
        case .rv: return "RV"
        case .flu: return "Flu"
        case .men: return "Men"
        case .tdap: return "Tdap"
        case .hpv: return "HPV"
        }
    }
}

/// A combination of antigens.
public enum Combo: String, CaseIterable, Sendable {
    /// CIS Combo 3, 7 and 10; IMA Combo 1 and 2 (`antigens` lists each one's antigens).
    case combo3, combo7, combo10, combo1, combo2

    /// The antigens that must all be met.
    public var antigens: [Antigen] {
        switch self {
        case .combo3: return [.dtap, .ipv, .mmr, .hib, .hepb, .vzv, .pcv]
        case .combo7: return Combo.combo3.antigens + [.hepa, .rv]
        case .combo10: return Combo.combo7.antigens + [.flu]
        case .combo1: return [.men, .tdap]
        case .combo2: return Combo.combo1.antigens + [.hpv]
        }
    }
}

/// What the value-set table names: an antigen, or for RV and flu the product (RV2 two-dose, RV3 three-dose,
/// FluLAIV live intranasal).
public enum Product: UInt8, CaseIterable, Sendable {
    /// The CIS and IMA antigens, with RV split into `rv2` and `rv3` and a live flu dose (`fluLAIV`) apart from `flu`.
    case dtap, ipv, mmr, hib, hepb, vzv, pcv, hepa, rv2, rv3, flu, fluLAIV, men, tdap, hpv

    /// The product's name as the value-set table writes it (`DTaP`, `RV2`, `FluLAIV`, ...).
    public var tableName: String {
        switch self {
        case .dtap: return "DTaP"
        case .ipv: return "IPV"
        case .mmr: return "MMR"
        case .hib: return "HiB"
        case .hepb: return "HepB"
        case .vzv: return "VZV"
        case .pcv: return "PCV"
        case .hepa: return "HepA"
        case .rv2: return "RV2"
        case .rv3: return "RV3"
        case .flu: return "Flu"
        case .fluLAIV: return "FluLAIV"
        case .men: return "Men"
        case .tdap: return "Tdap"
        case .hpv: return "HPV"
        }
    }
}

/// A set of products (a combination vaccine counts for every product it is listed under).
public struct ProductSet: OptionSet, Hashable, Sendable {
    /// One bit per `Product`, at the product's raw value.
    public let rawValue: UInt16
    /// The set whose bits are `rawValue`.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// The set holding only `p`.
    public init(_ p: Product) { rawValue = 1 << UInt16(p.rawValue) }
    /// True when the set holds `p`.
    public func contains(_ p: Product) -> Bool { rawValue & (1 << UInt16(p.rawValue)) != 0 }
    /// The products in the set, in `Product.allCases` order.
    public var products: [Product] { Product.allCases.filter { contains($0) } }
}

/// A table that cannot be used (exit 2: the run cannot start). The message names the line, never a member.
public struct TableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the table, naming the line.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

// MARK: - Value sets

/// Which codes count for which product (`measure,antigen,system,code`; system `CPT`, `CVX` or `GROUP`).
public struct ValueSets: Sendable {
    private var cpt: [Measure: [String: ProductSet]] = [:]
    private var cvx: [Measure: [String: ProductSet]] = [:]
    private var group: [Measure: [String: ProductSet]] = [:]
    /// Rows read (after the header).
    public private(set) var rowCount = 0

    /// Parses the table. Names (measure, antigen, system) compare case-insensitively; codes are trimmed.
    /// An unknown measure, antigen or system, a missing column or an empty code is a `TableError`.
    public init(csv text: String) throws(TableError) {
        let rows = try readTable(text, columns: ["measure", "antigen", "system", "code"], what: "value sets")
        for (line, cells) in rows {
            guard let measure = Measure(rawValue: cells[0].uppercased()) else {
                throw TableError("value sets line \(line): unknown measure '\(cells[0])' (CIS or IMA)")
            }
            guard let product = measure.products.first(where: { $0.tableName.lowercased() == cells[1].lowercased() }) else {
                throw TableError("value sets line \(line): '\(cells[1])' is not an antigen of \(measure.rawValue) ("
                                 + measure.products.map(\.tableName).joined(separator: " ") + ")")
            }
            let code = cells[3]
            guard !code.isEmpty else { throw TableError("value sets line \(line): empty code") }
            switch cells[2].uppercased() {
            case "CPT": cpt[measure, default: [:]][ValueSets.codeKey(code), default: []].insert(ProductSet(product))
            case "CVX": cvx[measure, default: [:]][ValueSets.cvxKey(code), default: []].insert(ProductSet(product))
            case "GROUP": group[measure, default: [:]][ValueSets.codeKey(code), default: []].insert(ProductSet(product))
            default: throw TableError("value sets line \(line): unknown system '\(cells[2])' (CPT, CVX or GROUP)")
            }
            rowCount += 1
        }
        if rowCount == 0 { throw TableError("value sets: no rows") }
    }

    /// CPT codes and group labels compare trimmed and upper-cased.
    public static func codeKey(_ s: String) -> String { trimmed(s).uppercased() }

    /// CVX codes compare as numbers when they are digits (`8` is `08`).
    public static func cvxKey(_ s: String) -> String {
        let t = trimmed(s)
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return t.uppercased() }
        let stripped = t.drop { $0 == "0" }
        return stripped.isEmpty ? "0" : String(stripped)
    }

    /// The products a plan dose counts for: its CPT code's and its CVX code's.
    public func planProducts(_ measure: Measure, cpt cptCode: String, cvx cvxCode: String) -> ProductSet {
        var s = ProductSet()
        let c = ValueSets.codeKey(cptCode)
        if !c.isEmpty, let p = cpt[measure]?[c] { s.formUnion(p) }
        let x = ValueSets.cvxKey(cvxCode)
        if !x.isEmpty, let p = cvx[measure]?[x] { s.formUnion(p) }
        return s
    }

    /// The products a registry dose counts for: its CPT code's; with no CPT, its vaccine group label's.
    public func registryProducts(_ measure: Measure, cpt cptCode: String, group label: String) -> ProductSet {
        let c = ValueSets.codeKey(cptCode)
        if !c.isEmpty { return cpt[measure]?[c] ?? [] }
        let g = ValueSets.codeKey(label)
        return g.isEmpty ? [] : (group[measure]?[g] ?? [])
    }
}

// MARK: - Comment codes

/// What a comment says about an antigen.
public enum Evidence: String, CaseIterable, Sendable {
    /// An anaphylactic reaction to the vaccine; encephalopathy (DTaP); evidence of immunity to the antigen.
    case anaphylaxis, encephalopathy, immunity
    /// Evidence of immunity to measles (MMR is met by immunity when measles, mumps and rubella immunity are all
    /// present).
    case immunityMeasles = "immunity-measles"
    /// Evidence of immunity to mumps (see `immunityMeasles`).
    case immunityMumps = "immunity-mumps"
    /// Evidence of immunity to rubella (see `immunityMeasles`).
    case immunityRubella = "immunity-rubella"
}

/// Which CAIR2 comment codes meet which antigen (`measure,antigen,comment_code,evidence`).
public struct CommentCodes: Sendable {
    private var table: [Measure: [String: [(Antigen, Evidence)]]] = [:]
    /// Rows read (after the header).
    public private(set) var rowCount = 0

    /// Parses the table; antigen names are the measure's (`RV` and `Flu` for CIS, whatever the product).
    /// The three MMR immunity kinds belong to MMR only.
    public init(csv text: String) throws(TableError) {
        let rows = try readTable(text, columns: ["measure", "antigen", "comment_code", "evidence"], what: "comment codes")
        for (line, cells) in rows {
            guard let measure = Measure(rawValue: cells[0].uppercased()) else {
                throw TableError("comment codes line \(line): unknown measure '\(cells[0])' (CIS or IMA)")
            }
            guard let antigen = measure.antigens.first(where: { $0.tableName.lowercased() == cells[1].lowercased() }) else {
                throw TableError("comment codes line \(line): '\(cells[1])' is not an antigen of \(measure.rawValue) ("
                                 + measure.antigens.map(\.tableName).joined(separator: " ") + ")")
            }
            let code = cells[2].uppercased()
            guard !code.isEmpty else { throw TableError("comment codes line \(line): empty comment_code") }
            guard let evidence = Evidence(rawValue: cells[3].lowercased()) else {
                throw TableError("comment codes line \(line): unknown evidence '\(cells[3])' ("
                                 + Evidence.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            if [.immunityMeasles, .immunityMumps, .immunityRubella].contains(evidence) && antigen != .mmr {
                throw TableError("comment codes line \(line): \(evidence.rawValue) is evidence for MMR only")
            }
            table[measure, default: [:]][code, default: []].append((antigen, evidence))
            rowCount += 1
        }
    }

    /// What a comment code says for the measure (empty: nothing).
    public func evidence(_ measure: Measure, code: String) -> [(antigen: Antigen, evidence: Evidence)] {
        (table[measure]?[ValueSets.codeKey(code)] ?? []).map { (antigen: $0.0, evidence: $0.1) }
    }
}

// MARK: - A small CSV reader for the tables

func trimmed<S: StringProtocol>(_ s: S) -> String {
    var sub = Substring(s)
    while let f = sub.first, f == " " || f == "\t" || f == "\r" || f == "\n" { sub = sub.dropFirst() }
    while let l = sub.last, l == " " || l == "\t" || l == "\r" || l == "\n" { sub = sub.dropLast() }
    return String(sub)
}

/// The table's data rows as (1-based line, trimmed cells in the order of `columns`). The header must name
/// every column (case-insensitively, in any order; extra columns are ignored). Blank lines are skipped.
/// Cells may be quoted (RFC 4180).
func readTable(_ text: String, columns: [String], what: String) throws(TableError) -> [(Int, [String])] {
    var records: [(Int, [String])] = []
    var bytes = Array(text.utf8)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    var i = 0, line = 1
    let n = bytes.count
    while i < n {
        if bytes[i] == 0x0A { i += 1; line += 1; continue }
        if bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A { i += 2; line += 1; continue }
        let start = line
        var cells: [String] = []
        var cell: [UInt8] = []
        var quoted = false
        while i < n {
            let b = bytes[i]
            if quoted {
                if b == 0x22 {
                    if i + 1 < n && bytes[i + 1] == 0x22 { cell.append(0x22); i += 2; continue }
                    quoted = false; i += 1; continue
                }
                if b == 0x0A { line += 1 }
                cell.append(b); i += 1; continue
            }
            if b == 0x22 && cell.isEmpty { quoted = true; i += 1; continue }
            if b == 0x2C { cells.append(String(decoding: cell, as: UTF8.self)); cell = []; i += 1; continue }
            if b == 0x0A { i += 1; line += 1; break }
            cell.append(b); i += 1
        }
        if quoted { throw TableError("\(what) line \(start): quote left open") }
        if cell.last == 0x0D { cell.removeLast() }
        cells.append(String(decoding: cell, as: UTF8.self))
        records.append((start, cells.map { trimmed($0) }))
    }
    guard let header = records.first else { throw TableError("\(what): empty (a header row is required)") }
    let names = header.1.map { $0.lowercased() }
    var index: [Int] = []
    for c in columns {
        guard let k = names.firstIndex(of: c) else {
            throw TableError("\(what): column '\(c)' missing (the header must name \(columns.joined(separator: ",")))")
        }
        index.append(k)
    }
    var out: [(Int, [String])] = []
    for (line, cells) in records.dropFirst() {
        if cells.allSatisfy(\.isEmpty) { continue }
        guard cells.count == names.count else {
            throw TableError("\(what) line \(line): \(cells.count) fields, the header has \(names.count)")
        }
        out.append((line, index.map { cells[$0] }))
    }
    return out
}
