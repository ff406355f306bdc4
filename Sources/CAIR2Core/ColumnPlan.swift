// Header matching, the mapping file's renames and defaults, and `--org`
// (PRODUCT.md §2 and §3a): which input column feeds each layout field, and
// what a blank cell or an absent column becomes.

/// A run that cannot start (exit 2): the message names the column.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the column or mapping entry.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Normalizes a header or mapping key: trim, lower-case, each space and hyphen to `_` (no collapsing).
public func normalizeHeaderName(_ s: String) -> String {
    var b = Array(s.utf8)
    while let f = b.first, Folding.isASCIISpace(f) { b.removeFirst() }
    while let l = b.last, Folding.isASCIISpace(l) { b.removeLast() }
    for i in b.indices {
        if b[i] >= 0x41 && b[i] <= 0x5A { b[i] += 0x20 } else if b[i] == 0x20 || b[i] == 0x2D { b[i] = 0x5F }
    }
    return String(decoding: b, as: UTF8.self)
}

/// The mapping file's content (`--map FILE`), already parsed from JSON.
public struct ColumnMapping: Sendable {
    /// Their column name -> canonical name.
    public var columns: [String: String]
    /// Canonical name -> constant value.
    public var defaults: [String: String]
    /// Canonical name -> (their value -> value): a cell whose trimmed value equals a key (case-insensitive) is
    /// replaced before the value rules run (§3c).
    public var values: [String: [String: String]]
    /// Cells whose trimmed value equals one of these (case-insensitive) are blank (§3c).
    public var nulls: [String]
    /// A mapping; every part defaults to empty (no renames, defaults, value translations or null spellings).
    public init(columns: [String: String] = [:], defaults: [String: String] = [:],
                values: [String: [String: String]] = [:], nulls: [String] = []) {
        self.columns = columns
        self.defaults = defaults
        self.values = values
        self.nulls = nulls
    }
}

/// Where a field's default comes from.
public enum DefaultSource: String, Sendable {
    /// The mapping file's `defaults`, `--org`, or the spec's own default (PRODUCT.md §3a, in that order).
    case mapping = "--map", org = "--org", builtIn = "built-in"
}

/// Which column feeds each field of a layout, and the defaults of blank cells.
public struct ColumnPlan: Sendable {
    /// The layout whose fields the plan feeds.
    public let layout: Layout
    /// The header's field count: every record must have as many.
    public let headerCount: Int
    /// Per layout field: the input column index, or -1 when the column is absent.
    public let columnOf: [Int]
    /// Per input column: the layout field it feeds, or -1 for an ignored column.
    public let fieldOfColumn: [Int]
    /// Per layout field: the default for a blank cell or absent column (mapping default, then `--org`,
    /// then the spec's default), as UTF-8 bytes; nil when there is none.
    public let defaults: [[UInt8]?]
    /// Per layout field: where its default comes from (nil: no default).
    public let defaultSources: [DefaultSource?]
    /// Per layout field: the mapping file's value translations, keys normalized (trimmed, upper-case ASCII).
    public let substitutions: [[(key: [UInt8], value: [UInt8])]]
    /// The mapping file's null spellings, normalized like the substitution keys.
    public let nulls: [[UInt8]]
    /// Header names that match no canonical column (named once on stderr, never in reports).
    public let unknownColumns: [String]

    /// The fields `--org` supplies.
    public static let orgFields: Set<String> = ["sending_org", "disclosed_by", "updated_by"]

    /// Builds the plan from the header's names.
    public init(layout: Layout, header: [String], mapping: ColumnMapping = ColumnMapping(), org: String? = nil) throws {
        let canonical = Set(layout.columns.map(\.name))
        var renames: [String: String] = [:]
        for (theirs, target) in mapping.columns {
            // The mapping file is shared by all inputs of a run: a target of another layout is not used here
            // (the caller checks every target is canonical for some layout).
            let t = normalizeHeaderName(target)
            guard canonical.contains(t) else { continue }
            renames[normalizeHeaderName(theirs)] = t
        }
        var mapDefaults: [String: String] = [:]
        for (k, v) in mapping.defaults {
            let t = normalizeHeaderName(k)
            // A default for another kind's column is simply not used here; the mapping file is shared by the inputs.
            mapDefaults[t] = v
        }
        var columnOf = [Int](repeating: -1, count: layout.fields.count)
        var fieldOfColumn = [Int](repeating: -1, count: header.count)
        var unknown: [String] = []
        for (c, raw) in header.enumerated() {
            let n = normalizeHeaderName(raw)
            let target = renames[n] ?? n
            guard canonical.contains(target), let fi = layout.index(of: target) else {
                unknown.append(raw)
                continue
            }
            if columnOf[fi] >= 0 {
                throw PlanError("two columns resolve to '\(target)': '\(header[columnOf[fi]])' and '\(raw)'")
            }
            columnOf[fi] = c
            fieldOfColumn[c] = fi
        }
        var defaults = [[UInt8]?](repeating: nil, count: layout.fields.count)
        var sources = [DefaultSource?](repeating: nil, count: layout.fields.count)
        for (i, f) in layout.fields.enumerated() {
            if let d = mapDefaults[f.name] {
                defaults[i] = Array(d.utf8)
                sources[i] = .mapping
            } else if let org, ColumnPlan.orgFields.contains(f.name) {
                defaults[i] = Array(org.utf8)
                sources[i] = .org
            } else if let d = f.defaultValue {
                defaults[i] = Array(d.utf8)
                sources[i] = .builtIn
            }
        }
        var substitutions = [[(key: [UInt8], value: [UInt8])]](repeating: [], count: layout.fields.count)
        for (k, table) in mapping.values {
            guard let fi = layout.index(of: normalizeHeaderName(k)) else { continue }
            for (theirs, ours) in table.sorted(by: { $0.key < $1.key }) {
                substitutions[fi].append((ColumnPlan.matchKey(theirs), Array(ours.utf8)))
            }
        }
        // Required columns that are missing with no default stop the run before any work.
        var missing: [String] = []
        for (i, f) in layout.fields.enumerated() where f.requirement == .required && f.isColumn {
            if columnOf[i] >= 0 || defaults[i] != nil { continue }
            if f.name == "effective_date", let d = layout.index(of: "disclosed_date"), columnOf[d] >= 0 || defaults[d] != nil {
                continue  // defaults to the disclosed date
            }
            missing.append(f.name)
        }
        if let first = missing.first {
            var msg = "required column '\(first)' is missing from the \(layout.kind.rawValue) header and has no default"
            if missing.count > 1 { msg += " (also missing: \(missing.dropFirst().joined(separator: ", ")))" }
            if let near = ColumnPlan.nearest(first, among: unknown) { msg += "; did you mean to map '\(near)' (--map)?" }
            if ColumnPlan.orgFields.contains(first) { msg += "; --org CODE supplies it" }
            throw PlanError(msg)
        }
        if layout.kind == .immunization {
            let vaccine = layout.fields.indices.filter { layout.fields[$0].requirement == .oneOfVaccineCodes }
            if !vaccine.contains(where: { columnOf[$0] >= 0 || defaults[$0] != nil }) {
                throw PlanError("the immunization header has no vaccine-code column (ndc_code, trade_name, cpt_code, cvx_code or vaccine_group)")
            }
        }
        self.layout = layout
        self.headerCount = header.count
        self.columnOf = columnOf
        self.fieldOfColumn = fieldOfColumn
        self.defaults = defaults
        self.defaultSources = sources
        self.substitutions = substitutions
        self.nulls = mapping.nulls.map(ColumnPlan.matchKey)
        self.unknownColumns = unknown
    }

    /// A value as the mapping's `values` and `nulls` compare it: folded, trimmed (inner blanks kept),
    /// upper-case ASCII.
    public static func matchKey(_ s: String) -> [UInt8] {
        var folded: [UInt8] = []
        Array(s.utf8).withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
        return folded.withUnsafeBufferPointer { matchKey(prepared: $0) }
    }

    /// The same for prepared text (whitespace already turned into blanks).
    public static func matchKey(prepared t: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var k: [UInt8] = []
        for b in trimBlanks(t) { k.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b) }
        return k
    }

    /// A header name within a small edit distance of `name`, for hints.
    static func nearest(_ name: String, among candidates: [String]) -> String? {
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let target = Array(name.utf8)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(Array(normalizeHeaderName(c).utf8), target)
            if d <= 3, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }
}
