// The CDC's vaccine code tables (PRODUCT.md §3b): CVX, MVX, CPT to CVX, product
// names and CVX to vaccine group, plus a registry's list of placeholder names.
//
// They are data, never code: CDC changes them several times a year. The tool
// ships a snapshot (`VaccineCodeTablesData.swift`, generated from `data/cdc/`
// by `scripts/gen-code-tables`), and `--code-tables DIR` loads newer files of
// the same form. Parsing happens once per run; the converter's hot path sees
// only precomputed tables (a bitmap of CVX numbers, a sorted array of CPT
// codes, the MVX code index, packed placeholder names): no hashing of strings
// and no allocation per record.

/// The files of a code-table folder, by their CDC names.
public enum CodeTableFile: String, CaseIterable, Sendable {
    /// CVX codes and vaccine names.
    case cvx = "cvx.csv"
    /// MVX manufacturer codes.
    case mvx = "mvx.csv"
    /// CPT codes and the CVX codes they map to.
    case cptToCVX = "cpt_to_cvx.csv"
    /// Product (trade) names with their CVX and MVX codes.
    case products = "tradename_cvx_mvx.csv"
    /// CVX codes by vaccine group.
    case groups = "cvx_to_vaccine_group.csv"
    /// The registry's placeholder and newborn names (`junk_name`); optional in `--code-tables DIR`.
    case placeholders = "mn_junk_names_2018.csv"

    /// The columns the tool reads (the header may hold more).
    public var requiredColumns: [String] {
        switch self {
        case .cvx: return ["CVXCode", "ShortDescription", "FullVaccinename", "Status", "LastUpdated"]
        case .mvx: return ["MVX_CODE", "Manufacturer Name", "Status"]
        case .cptToCVX: return ["CPT Code", "CVX Code"]
        case .products: return ["CDC Product Name", "CVXCode", "MVX Code"]
        case .groups: return ["CVXCode", "Vaccine Group Name"]
        case .placeholders: return ["junk_name"]
        }
    }

    /// The five CDC files `--code-tables DIR` must hold (the placeholder list is optional there).
    public static let cdc: [CodeTableFile] = [.cvx, .mvx, .cptToCVX, .products, .groups]
}

/// A code table that cannot be used. Names the file; never quotes member data (tables hold none).
public struct CodeTableError: Error, Sendable, CustomStringConvertible {
    /// The table's file name (`cvx.csv`, ...) or path.
    public let file: String
    /// What is wrong, with the row or line when one is at fault.
    public let message: String
    /// An error about `file`.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    /// `file: message`.
    public var description: String { "\(file): \(message)" }
}

/// The CDC vaccine code tables of a run, parsed once. Read-only, shared by every worker.
public final class VaccineCodeTables: Sendable {
    /// One row of the CVX table (cvx.csv).
    public struct CVX: Sendable {
        /// The code as the table writes it (`03`, `107`).
        public let code: String
        /// The code as a number (0-999).
        public let number: Int
        /// The `ShortDescription` column.
        public let shortDescription: String
        /// The `FullVaccinename` column.
        public let fullName: String
        /// The `Status` column (`Active`, `Inactive`, `Non-US`, ...).
        public let status: String
        /// The `LastUpdated` column, trimmed (month/day/year).
        public let lastUpdated: String
    }
    /// One row of the MVX table (mvx.csv): a vaccine manufacturer.
    public struct MVX: Sendable {
        /// The code, upper-cased (1-4 letters or digits).
        public let code: String
        /// The `Manufacturer Name` column.
        public let name: String
        /// The `Status` column.
        public let status: String
    }
    /// One row of the CPT-to-CVX table (cpt_to_cvx.csv).
    public struct CPTMapping: Sendable {
        /// The `CPT Code` column, trimmed.
        public let cpt: String
        /// The `CVX Code` column, trimmed; empty when the row names none (the CPT is known all the same).
        public let cvx: String
        /// The `Vaccine Name` column; empty when the table has none.
        public let vaccineName: String
    }
    /// One row of the product-name table (tradename_cvx_mvx.csv).
    public struct Product: Sendable {
        /// The `CDC Product Name` column.
        public let name: String
        /// The `Short Description` column; empty when the table has none.
        public let shortDescription: String
        /// The `CVXCode` column, trimmed.
        public let cvx: String
        /// The `Manufacturer` column; empty when the table has none.
        public let manufacturer: String
        /// The `MVX Code` column, trimmed.
        public let mvx: String
        /// The `Product name Status` column; empty when the table has none.
        public let status: String
    }
    /// One row of the CVX-to-vaccine-group table (cvx_to_vaccine_group.csv).
    public struct Group: Sendable {
        /// The `CVXCode` column, trimmed.
        public let cvx: String
        /// The `ShortDescription` column; empty when the table has none.
        public let shortDescription: String
        /// The `Vaccine Group Name` column.
        public let group: String
    }

    /// "bundled", or the folder the tables were read from, as given.
    public let source: String
    /// The latest `LastUpdated` of the CVX table (nil when none parses).
    public let updated: DateValue?
    /// The CVX table's rows, in file order.
    public let cvx: [CVX]
    /// The MVX table's rows, in file order.
    public let mvx: [MVX]
    /// The CPT-to-CVX table's rows, in file order (a CPT mapped to several CVX codes has several rows).
    public let cptMappings: [CPTMapping]
    /// The product-name table's rows, in file order.
    public let products: [Product]
    /// The vaccine-group table's rows, in file order (a CVX in several groups has several rows).
    public let groups: [Group]
    /// The placeholder names as listed.
    public let placeholderNames: [String]

    /// MVX codes and manufacturer names.
    public let manufacturers: CodeSetIndex
    /// The CVX bitmap, the sorted CPT table and the packed placeholder names (names normalized as names, at most
    /// 16 bytes, blank-padded) as raw memory, for the converter's hot loop (no array access, no closure).
    public let lookup: CodeTableLookup

    struct PackedName: Comparable {
        var hi: UInt64
        var lo: UInt64
        static func < (a: PackedName, b: PackedName) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }
    }

    /// The snapshot shipped with the tool.
    public static let bundled: VaccineCodeTables = {
        var files: [CodeTableFile: [UInt8]] = [:]
        for f in CodeTableFile.allCases { files[f] = Array(BundledCodeTables.text(f).utf8) }
        do {
            return try VaccineCodeTables(files: files, source: "bundled")
        } catch {
            fatalError("the bundled code tables do not parse: \(error)")
        }
    }()

    /// Parses the tables from each file's bytes. `files` must hold the five CDC files; the placeholder list is
    /// taken from the bundled snapshot when absent. Throws `CodeTableError` naming the file.
    public init(files: [CodeTableFile: [UInt8]], source: String) throws(CodeTableError) {
        self.source = source
        func table(_ f: CodeTableFile) throws(CodeTableError) -> [[String: String]] {
            let bytes = files[f] ?? (f == .placeholders ? Array(BundledCodeTables.text(f).utf8) : nil)
            guard let bytes else { throw CodeTableError(file: f.rawValue, message: "missing") }
            return try TableCSV.rows(bytes, file: f.rawValue, required: f.requiredColumns)
        }

        // CVX
        var cvx: [CVX] = []
        var known = [Bool](repeating: false, count: 1000)
        var updated: DateValue?
        for (i, r) in try table(.cvx).enumerated() {
            let code = r["CVXCode"]!.trimmed
            guard let n = VaccineCodeTables.codeNumber(code, maxDigits: 3) else {
                throw CodeTableError(file: CodeTableFile.cvx.rawValue,
                                     message: "row \(i + 2): CVXCode is not 1-3 digits")
            }
            known[n] = true
            let lu = r["LastUpdated"]!.trimmed
            if let d = VaccineCodeTables.parseTableDate(lu), updated.map({ d > $0 }) ?? true { updated = d }
            cvx.append(CVX(code: code, number: n, shortDescription: r["ShortDescription"]!.trimmed,
                           fullName: r["FullVaccinename"]!.trimmed, status: r["Status"]!.trimmed, lastUpdated: lu))
        }
        self.cvx = cvx
        self.updated = updated

        // MVX
        var mvx: [MVX] = []
        for (i, r) in try table(.mvx).enumerated() {
            let code = r["MVX_CODE"]!.trimmed.uppercased()
            guard (1...4).contains(code.utf8.count), code.utf8.allSatisfy({ isDigit($0) || isUpper($0) }) else {
                throw CodeTableError(file: CodeTableFile.mvx.rawValue,
                                     message: "row \(i + 2): MVX_CODE is not 1-4 letters or digits")
            }
            mvx.append(MVX(code: code, name: r["Manufacturer Name"]!.trimmed, status: r["Status"]!.trimmed))
        }
        self.mvx = mvx
        manufacturers = CodeSetIndex(id: nil, entries: mvx.map { ($0.code, $0.name) })

        // CPT to CVX: a CPT may map to several CVX; a row without a CVX makes the CPT known all the same.
        var mappings: [CPTMapping] = []
        var byCPT: [UInt32: [Int32]] = [:]
        for (i, r) in try table(.cptToCVX).enumerated() {
            let cpt = r["CPT Code"]!.trimmed
            let cvxCode = r["CVX Code"]!.trimmed
            mappings.append(CPTMapping(cpt: cpt, cvx: cvxCode, vaccineName: r["Vaccine Name"]?.trimmed ?? ""))
            // CPT codes with a letter (0001A) are not well-formed CPT codes for the converter: never looked up.
            guard let n = VaccineCodeTables.codeNumber(cpt, maxDigits: 5), cpt.utf8.count == 5 else { continue }
            var list = byCPT[UInt32(n)] ?? []
            if !cvxCode.isEmpty {
                guard let c = VaccineCodeTables.codeNumber(cvxCode, maxDigits: 3) else {
                    throw CodeTableError(file: CodeTableFile.cptToCVX.rawValue,
                                         message: "row \(i + 2): CVX Code is not 1-3 digits")
                }
                list.append(Int32(c))
            }
            byCPT[UInt32(n)] = list
        }
        self.cptMappings = mappings
        var codes: [UInt32] = []
        var ranges: [(Int32, Int32)] = []
        var flat: [Int32] = []
        for k in byCPT.keys.sorted() {
            let l = byCPT[k]!
            codes.append(k)
            ranges.append((Int32(flat.count), Int32(l.count)))
            flat += l
        }

        products = try table(.products).map { r in
            Product(name: r["CDC Product Name"]!.trimmed, shortDescription: r["Short Description"]?.trimmed ?? "",
                    cvx: r["CVXCode"]!.trimmed, manufacturer: r["Manufacturer"]?.trimmed ?? "",
                    mvx: r["MVX Code"]!.trimmed, status: r["Product name Status"]?.trimmed ?? "")
        }
        groups = try table(.groups).map { r in
            Group(cvx: r["CVXCode"]!.trimmed, shortDescription: r["ShortDescription"]?.trimmed ?? "",
                  group: r["Vaccine Group Name"]!.trimmed)
        }

        // Placeholder names, normalized by the name rules; entries that are not valid names (a digit, `#`) can
        // never equal a written name and are left out, as are entries longer than 16 bytes.
        var names: [String] = []
        var keys: [PackedName] = []
        for r in try table(.placeholders) {
            let raw = r["junk_name"]!
            names.append(raw.trimmed)
            if let k = VaccineCodeTables.normalizedName(raw) { keys.append(k) }
        }
        placeholderNames = names
        let placeholderKeys = Array(Set(keys.map { [$0.hi, $0.lo] })).map { PackedName(hi: $0[0], lo: $0[1]) }.sorted()
        lookup = CodeTableLookup(cvxKnown: known, cptCodes: codes, ranges: ranges.map { ($0.0, $0.1) }, cvx: flat,
                                 placeholders: placeholderKeys.map { ($0.hi, $0.lo) })
    }

    deinit { lookup.deallocate() }

    // MARK: lookups for the hot path

    /// True when CVX `number` (0...999) is in the table.
    @inline(__always) public func isKnownCVX(_ number: Int) -> Bool { lookup.isKnownCVX(number) }

    /// The index of a 5-digit CPT code (as a number) in the table, or nil.
    @inline(__always) public func cptIndex(_ code: UInt32) -> Int? {
        let i = lookup.cptIndex(code)
        return i >= 0 ? i : nil
    }

    /// True when the CPT at `index` maps to CVX `number`.
    @inline(__always) public func cpt(_ index: Int, mapsTo number: Int) -> Bool { lookup.cpt(index, mapsTo: number) }

    /// The CVX numbers a CPT code maps to (empty when unknown or unmapped).
    public func cvxNumbers(ofCPT code: String) -> [Int] {
        guard code.utf8.count == 5, let n = VaccineCodeTables.codeNumber(code, maxDigits: 5),
              let i = cptIndex(UInt32(n)) else { return [] }
        let start = Int(lookup.cptStart[i])
        return (start..<start + Int(lookup.cptCount[i])).map { Int(lookup.cptCVX[$0]) }
    }

    /// True when the written name in `slot` (`width` bytes, blank-padded, left-justified) is a placeholder.
    @inline(__always) public func isPlaceholder(_ slot: UnsafePointer<UInt8>, width: Int) -> Bool {
        lookup.isPlaceholder(slot, width: width)
    }

    /// True when `name` (raw text) normalizes to a placeholder name.
    public func isPlaceholder(name: String) -> Bool {
        var slot = [UInt8](repeating: 0x20, count: 50)
        var folded: [UInt8] = []
        Array(name.utf8).withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
        let o = folded.withUnsafeBufferPointer { t in slot.withUnsafeMutableBufferPointer { Values.name(t, width: 50, out: $0.baseAddress!) } }
        guard !o.invalid, !o.empty, !o.truncated else { return false }
        return slot.withUnsafeBufferPointer { isPlaceholder($0.baseAddress!, width: 50) }
    }

    // MARK: helpers

    /// A code of 1...`maxDigits` ASCII digits as a number.
    public static func codeNumber(_ s: String, maxDigits: Int) -> Int? {
        let u = s.utf8
        guard u.count >= 1, u.count <= maxDigits, u.allSatisfy(isDigit) else { return nil }
        return u.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The tables' `M/D/YYYY` dates.
    static func parseTableDate(_ s: String) -> DateValue? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { DateValue.parse($0) }
    }

    static func normalizedName(_ raw: String) -> PackedName? {
        var folded: [UInt8] = []
        Array(raw.utf8).withUnsafeBufferPointer { Folding.fold($0, .utf8, into: &folded) }
        var slot = [UInt8](repeating: 0x20, count: 17)
        let o = folded.withUnsafeBufferPointer { t in
            slot.withUnsafeMutableBufferPointer { Values.name(t, width: 17, out: $0.baseAddress!) }
        }
        guard !o.invalid, !o.empty, !o.truncated, slot[16] == 0x20 else { return nil }
        func word(_ from: Int) -> UInt64 { slot[from..<from + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return PackedName(hi: word(0), lo: word(8))
    }
}

/// Reads a small CSV table (a header row, then rows) into dictionaries by column name. Cold path.
public enum TableCSV {
    /// The rows after the header, each a dictionary from header name to value (blank lines skipped; for a repeated
    /// header name the first column wins). Throws when the table is empty, lacks a `required` column, has a quote left
    /// open, a row with another field count than the header, or bytes that are not text; the error names `file`.
    public static func rows(_ bytes: [UInt8], file: String, required: [String]) throws(CodeTableError)
        -> [[String: String]] {
        try bytes.withUnsafeBufferPointer { (b) throws(CodeTableError) -> [[String: String]] in
            var scanner = CSVScanner(bytes: b, delimiter: 0x2C, position: CSVScanner.bomLength(b))
            var rec = CSVRecord()
            func values() -> [String] {
                rec.fields.map { f in
                    var out: [UInt8] = []
                    CSVScanner.appendValue(f, in: b, to: &out)
                    if out.last == 0x0D { out.removeLast() }
                    return String(decoding: out, as: UTF8.self)
                }
            }
            guard scanner.next(&rec) else { throw CodeTableError(file: file, message: "empty (no header row)") }
            let header = values().map(\.trimmed)
            let missing = required.filter { !header.contains($0) }
            if !missing.isEmpty {
                throw CodeTableError(file: file, message: "header lacks the column(s) "
                                     + missing.map { "'\($0)'" }.joined(separator: ", "))
            }
            var rows: [[String: String]] = []
            while scanner.next(&rec) {
                if rec.unterminated { throw CodeTableError(file: file, message: "line \(rec.line + 1): quote left open") }
                let v = values()
                if v.count == 1 && v[0].trimmed.isEmpty { continue }
                guard v.count == header.count else {
                    throw CodeTableError(file: file, message: "line \(rec.line + 1): \(v.count) fields, header has \(header.count)")
                }
                guard v.allSatisfy({ $0.utf8.allSatisfy { $0 != 0 } }), b.count < 64 << 20 else {
                    throw CodeTableError(file: file, message: "line \(rec.line + 1): not text")
                }
                var row: [String: String] = [:]
                for (k, x) in zip(header, v) where row[k] == nil { row[k] = x }
                rows.append(row)
            }
            return rows
        }
    }
}

extension String {
    /// Without leading and trailing blanks, tabs, CR and LF.
    var trimmed: String {
        let u = Array(utf8)
        var s = 0, e = u.count
        while s < e, u[s] == 0x20 || u[s] == 0x09 || u[s] == 0x0D || u[s] == 0x0A { s += 1 }
        while e > s, u[e - 1] == 0x20 || u[e - 1] == 0x09 || u[e - 1] == 0x0D || u[e - 1] == 0x0A { e -= 1 }
        return String(decoding: u[s..<e], as: UTF8.self)
    }
}

/// The CVX bitmap and the sorted CPT table in memory owned by their `VaccineCodeTables` (allocated once, freed in its
/// deinit, never written after init). Invariant for `@unchecked Sendable`: read-only after init, and used only
/// while the owning tables are alive (a `RecordWorker` holds its rules, which hold the tables).
public struct CodeTableLookup: @unchecked Sendable {
    let cvxKnown: UnsafeMutablePointer<UInt8>
    let cptCodes: UnsafeMutablePointer<UInt32>
    let cptStart: UnsafeMutablePointer<Int32>
    let cptCount: UnsafeMutablePointer<Int32>
    let cptCVX: UnsafeMutablePointer<Int32>
    let cpts: Int
    /// Placeholder names packed as (hi, lo) word pairs in an open-addressing table (linear probing, at most a
    /// quarter full, an empty slot's hi word 0: a written name starts with a letter). It was a binary search:
    /// about seven unpredictable branches for every written first and last name (docs/PERFORMANCE.md, session 8).
    let placeholders: UnsafeMutablePointer<UInt64>
    let placeholderMask: Int

    @inline(__always) static func placeholderSlot(_ hi: UInt64, _ lo: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (((hi &* 0x9E37_79B9_7F4A_7C15) ^ lo) &* 0xBF58_476D_1CE4_E5B9) >> 32) & mask
    }

    /// True when the written name in `slot` (`width` bytes, blank-padded, left-justified) is a placeholder.
    @inline(__always) public func isPlaceholder(_ slot: UnsafePointer<UInt8>, width: Int) -> Bool {
        guard width > 16, slot[16] == 0x20 else { return false }
        let keys = placeholders
        let raw = UnsafeRawPointer(slot)
        let hi = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
        let lo = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        var i = CodeTableLookup.placeholderSlot(hi, lo, placeholderMask)
        while true {
            let mh = keys[2 &* i]
            if mh == 0 { return false }
            if mh == hi && keys[2 &* i &+ 1] == lo { return true }
            i = (i &+ 1) & placeholderMask
        }
    }

    init(cvxKnown: [Bool], cptCodes: [UInt32], ranges: [(Int32, Int32)], cvx: [Int32], placeholders keys: [(UInt64, UInt64)]) {
        var size = 16
        while size < keys.count * 4 { size *= 2 }
        placeholderMask = size - 1
        placeholders = .allocate(capacity: 2 * size)
        placeholders.initialize(repeating: 0, count: 2 * size)
        for k in keys {
            precondition(k.0 != 0, "a placeholder name starts with a letter")
            var i = CodeTableLookup.placeholderSlot(k.0, k.1, placeholderMask)
            while placeholders[2 * i] != 0 && !(placeholders[2 * i] == k.0 && placeholders[2 * i + 1] == k.1) {
                i = (i + 1) & placeholderMask
            }
            placeholders[2 * i] = k.0
            placeholders[2 * i + 1] = k.1
        }
        self.cvxKnown = .allocate(capacity: 1000)
        for i in 0..<1000 { self.cvxKnown[i] = cvxKnown[i] ? 1 : 0 }
        cpts = cptCodes.count
        self.cptCodes = .allocate(capacity: max(1, cpts))
        cptStart = .allocate(capacity: max(1, cpts))
        cptCount = .allocate(capacity: max(1, cpts))
        for i in 0..<cpts {
            self.cptCodes[i] = cptCodes[i]
            cptStart[i] = ranges[i].0
            cptCount[i] = ranges[i].1
        }
        cptCVX = .allocate(capacity: max(1, cvx.count))
        for (i, c) in cvx.enumerated() { cptCVX[i] = c }
    }

    func deallocate() {
        placeholders.deallocate()
        cvxKnown.deallocate()
        cptCodes.deallocate()
        cptStart.deallocate()
        cptCount.deallocate()
        cptCVX.deallocate()
    }

    /// True when CVX `number` is in the table.
    @inline(__always) public func isKnownCVX(_ number: Int) -> Bool {
        number >= 0 && number < 1000 && cvxKnown[number] != 0
    }

    /// The index of a CPT code (as a number), or -1.
    @inline(__always) public func cptIndex(_ code: UInt32) -> Int {
        var lo = 0, hi = cpts
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let m = cptCodes[mid]
            if m == code { return mid }
            if m < code { lo = mid &+ 1 } else { hi = mid }
        }
        return -1
    }

    /// True when the CPT at `index` maps to CVX `number`.
    @inline(__always) public func cpt(_ index: Int, mapsTo number: Int) -> Bool {
        let start = Int(cptStart[index]), end = start + Int(cptCount[index])
        var i = start
        while i < end {
            if Int(cptCVX[i]) == number { return true }
            i &+= 1
        }
        return false
    }
}
