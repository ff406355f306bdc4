// `cair2 hedis` (PRODUCT.md section 7): the registry's return files and the plan's own data to each
// member's immunization status and the plan's CIS or IMA rates.
//
// The rules live in CAIR2Measures (pure); this file reads the inputs with the project's CSV scanner,
// value classes and fixed-width reader, hands each member to `assess`, and publishes
// hedis-members.csv, hedis-summary.json and rejects.csv atomically (0600) through `Publisher`.
// Nothing is published when the run fails; nothing on the console names a member.
//
// Reading order: members (the denominator), the patient return (match status, and whether the
// registry's doses count), the immunization return, the plan's doses, the plan's comments. Only the
// eligible members' data are kept.

#if canImport(Glibc)
import Glibc
#endif
import CAIR2Engine
import CAIR2IO
import CAIR2Core
import CAIR2Measures
import FoundationEssentials

/// Everything `cair2 hedis` takes, validated into a library value.
public struct HedisOptions: Sendable {
    /// The measure to compute (PRODUCT.md section 7): CIS, members turning 2 in `year`, or IMA, members turning 13.
    public var measure: Measure
    /// The measurement year: CIS members turn 2 in it, IMA members 13.
    public var year: Int
    /// Path of the eligible members' CSV (`--members`): `hp_member_id` and `birth_date` required, read by the rules of
    /// PRODUCT.md section 2.
    public var members: String
    /// Path of the registry's patient return, a fixed-width file (`--patient-return`); gives each member's match
    /// status.
    public var patientReturn: String
    /// Path of the registry's immunization return, a fixed-width file (`--immunization-return`); the registry's doses.
    public var immunizationReturn: String
    /// Path of the plan's own doses, a CSV with convert's immunization columns (`--immunizations`); nil: registry doses
    /// only.
    public var immunizations: String?
    /// Path of the plan's comment extract (`--comments`), whose codes for immunity or an anaphylactic reaction can
    /// meet an antigen; nil: none.
    public var comments: String?
    /// A value-set file replacing the bundled one (`measure,antigen,system,code`).
    public var valueSets: String?
    /// A comment-code file replacing the bundled one (`measure,antigen,comment_code,evidence`).
    public var commentCodes: String?
    /// IMA: the birthday (10 or 11) from which a meningococcal dose counts.
    public var meningFrom: Int
    /// The folder hedis-members.csv, hedis-summary.json and rejects.csv are published into (`--out-dir`).
    public var outDir: String
    /// The CSV inputs' field delimiter byte (`--delimiter`); a comma by default.
    public var delimiter: UInt8
    /// The CSV inputs' text encoding (`--encoding`); UTF-8 by default.
    public var encoding: TextEncoding
    /// Path of a column-mapping file (`--map`) renaming the CSV inputs' columns; nil: the columns keep their names.
    public var mapFile: String?

    /// Options with the required inputs and the defaults: `meningFrom` 11, comma delimiter, UTF-8, no optional inputs.
    public init(measure: Measure, year: Int, members: String, patientReturn: String, immunizationReturn: String,
                outDir: String) {
        self.measure = measure
        self.year = year
        self.members = members
        self.patientReturn = patientReturn
        self.immunizationReturn = immunizationReturn
        self.outDir = outDir
        meningFrom = 11
        delimiter = UInt8(ascii: ",")
        encoding = .utf8
    }
}

/// What a `hedis` run produced: the summary (also as the JSON written to hedis-summary.json).
public struct HedisResult: Sendable {
    /// The counts and rates written to hedis-summary.json.
    public var summary: HedisSummary
    /// `summary` as the JSON text written to hedis-summary.json (pretty-printed, sorted keys, final newline).
    public var summaryJSON: String
    /// Paths of the published files (hedis-members.csv, rejects.csv, hedis-summary.json).
    public var outputPaths: [String]
}

/// hedis-summary.json. Counts and rates only: never a member id, name or date.
public struct HedisSummary: Codable, Sendable, Equatable {
    /// Where a table (value sets or comment codes) came from.
    public struct Source: Codable, Sendable, Equatable {
        /// `bundled`, or the path given to --value-sets / --comment-codes.
        public var source: String
    }
    /// One antigen's or combo's numerator and rate among the eligible members.
    public struct Rate: Codable, Sendable, Equatable {
        /// Eligible members for whom the antigen or combo is met.
        public var numerator: Int
        /// numerator / eligible, rounded to 6 places (0 when nobody is eligible).
        public var rate: Double
    }
    /// What the registry's doses added to one antigen or combo (both sources against the plan's data alone).
    public struct Lift: Codable, Sendable, Equatable {
        /// Members met with both sources minus members met with the plan's data alone.
        public var members: Int
        /// `members` / eligible, rounded to 6 places (0 when nobody is eligible).
        public var rate: Double
    }
    /// Registry doses that counted for no antigen of the measure.
    public struct Uncounted: Codable, Sendable, Equatable {
        /// Registry doses (of members whose registry doses count) that counted for no antigen of the
        /// measure, by vaccine group label (blank: no label).
        public var byVaccineGroup: [String: Int]
        /// Sum of `byVaccineGroup`.
        public var total: Int
        enum CodingKeys: String, CodingKey { case byVaccineGroup = "by_vaccine_group", total }
    }
    /// Counts for one optional plan CSV input (`--immunizations` or `--comments`).
    public struct CSVInput: Codable, Sendable, Equatable {
        /// The input's path as given.
        public var file: String
        /// Records read (header excluded).
        public var inputRecords: Int
        /// Records rejected, each reported in rejects.csv.
        public var rejected: Int
        enum CodingKeys: String, CodingKey { case file, inputRecords = "input_records", rejected }
    }
    /// Counts for the members file.
    public struct MembersInput: Codable, Sendable, Equatable {
        /// The members file's path as given.
        public var file: String
        /// Member rows read (header excluded).
        public var inputRecords: Int
        /// Member rows rejected (invalid id or birth date, duplicate id, structural problems), each in rejects.csv.
        public var rejected: Int
        /// Valid members whose last birthday is not in the year.
        public var outOfRange: Int
        /// Members whose last counted birthday (2nd for CIS, 13th for IMA) falls in the year: the denominator.
        public var eligible: Int
        enum CodingKeys: String, CodingKey {
            case file, inputRecords = "input_records", rejected, outOfRange = "out_of_range", eligible
        }
    }
    /// Counts for one registry return file.
    public struct ReturnInput: Codable, Sendable, Equatable {
        /// The return file's path as given.
        public var file: String
        /// Lines read, malformed ones included.
        public var lines: Int
        /// Lines that do not fit the layout (`E_MALFORMED_LINE`), reported and skipped.
        public var malformed: Int
        /// Immunization return: lines whose vaccination date is not a date (E_DATE).
        public var invalidDate: Int?
        enum CodingKeys: String, CodingKey { case file, lines, malformed, invalidDate = "invalid_date" }
    }
    /// Counts per input file.
    public struct Inputs: Codable, Sendable, Equatable {
        /// The members file.
        public var members: MembersInput
        /// The registry's patient return.
        public var patientReturn: ReturnInput
        /// The registry's immunization return.
        public var immunizationReturn: ReturnInput
        /// The plan's doses file; nil when `--immunizations` was not given.
        public var planImmunizations: CSVInput?
        /// The plan's comments file; nil when `--comments` was not given.
        public var comments: CSVInput?
        enum CodingKeys: String, CodingKey {
            case members, patientReturn = "patient_return", immunizationReturn = "immunization_return",
                 planImmunizations = "plan_immunizations", comments
        }
    }

    /// Always `cair2`.
    public var tool = "cair2"
    /// The cair2 version that wrote the summary.
    public var version = CAIR2Version.version
    /// `cis` or `ima`.
    public var measure: String
    /// The measurement year.
    public var year: Int
    /// IMA: the birthday (10 or 11) from which a meningococcal dose counts; nil for CIS.
    public var meningFrom: Int?
    /// Where the value sets came from.
    public var valueSets: Source
    /// Where the comment codes came from.
    public var commentCodes: Source
    /// Eligible members: the denominator of every rate.
    public var eligible: Int
    /// Eligible members per match status (`matched`, `not_found`, `birth_date_differs`, `name_differs`,
    /// `several_rows`).
    public var matchStatus: [String: Int]
    /// `plan`, `registry`, `both`, each antigen and combo.
    public var rates: [String: [String: Rate]]
    /// both - plan, per antigen and combo.
    public var registryLift: [String: Lift]
    /// Registry doses (of members whose registry doses count) that counted for no antigen of the measure.
    public var uncountedRegistryDoses: Uncounted
    /// Members whose largest combo the registry's doses closed.
    public var closedByRegistry: Int
    /// Rows written to rejects.csv: rejected member and plan rows, malformed return lines, return lines without a date.
    public var rejects: Int
    /// Counts per input file.
    public var inputs: Inputs

    enum CodingKeys: String, CodingKey {
        case tool, version, measure, year, meningFrom = "mening_from", valueSets = "value_sets",
             commentCodes = "comment_codes", eligible, matchStatus = "match_status", rates,
             registryLift = "registry_lift", uncountedRegistryDoses = "uncounted_registry_doses",
             closedByRegistry = "closed_by_registry", rejects, inputs
    }
}

/// Runs `cair2 hedis`. Throws `CAIR2Error` with the exit status (2 cannot start, 3 I/O failure); nothing is
/// published then. `log` gets messages that name no member (unknown columns).
public func hedis(_ options: HedisOptions, log: (String) -> Void = { _ in }) throws -> HedisResult {
    guard options.year >= 1900 && options.year <= 9999 else {
        throw CAIR2Error.usage("--year \(options.year) is not a year (1900-9999)")
    }
    guard options.meningFrom == 10 || options.meningFrom == 11 else {
        throw CAIR2Error.usage("--mening-from must be 10 or 11")
    }
    // Tables, then every input opened and every header read, before any work.
    let valueSets: ValueSets
    let commentCodes: CommentCodes
    do {
        valueSets = try ValueSets(csv: try readTableText(options.valueSets) ?? BundledTables.valueSetsCSV)
        commentCodes = try CommentCodes(csv: try readTableText(options.commentCodes) ?? BundledTables.commentCodesCSV)
    } catch let e as TableError {
        throw CAIR2Error.usage("\(e.message)")
    }
    let mapping = try loadMapping(options.mapFile)
    let members = try HedisCSV(path: options.members, layout: Layouts.query, required: ["hp_member_id", "birth_date"],
                               options: options, mapping: mapping)
    let immunizations = try options.immunizations.map {
        try HedisCSV(path: $0, layout: Layouts.immunization, required: ["record_id", "vaccination_date"],
                     options: options, mapping: mapping)
    }
    if let imm = immunizations, imm.column["cpt_code"] == nil && imm.column["cvx_code"] == nil
        && imm.defaults["cpt_code"] == nil && imm.defaults["cvx_code"] == nil {
        throw CAIR2Error.usage("\(imm.path): the immunizations header has neither cpt_code nor cvx_code, so no dose could count")
    }
    let comments = try options.comments.map {
        try HedisCSV(path: $0, layout: Layouts.comment, required: ["record_id", "comment_code"],
                     options: options, mapping: mapping)
    }
    for input in [members] + [immunizations, comments].compactMap({ $0 }) where !input.unknown.isEmpty {
        log("\(input.path): ignoring \(input.unknown.count) unknown column\(input.unknown.count == 1 ? "" : "s"): "
            + input.unknown.joined(separator: ", "))
    }
    var patientSource = try openReturn(options.patientReturn)
    defer { patientSource.close() }
    var immunizationSource = try openReturn(options.immunizationReturn)
    defer { immunizationSource.close() }

    let publisher = try Publisher(outDir: options.outDir)
    // The folder's lock for the whole run, and a dead run's temporaries removed under it (PRODUCT.md §4a).
    let lock: OutDirLock
    do {
        lock = try OutDirLock.acquire(options.outDir)
    } catch {
        throw CAIR2Error.usage(error.description)
    }
    defer { lock.release() }
    if PublicationMarker.exists(in: options.outDir) { log(PublicationMarker.interruptedWarning(options.outDir)) }
    lock.removeLeftovers()
    do {
        var run = HedisRun(options: options, valueSets: valueSets, commentCodes: commentCodes)
        try run.readMembers(members)
        try run.readPatientReturn(&patientSource)
        try run.readImmunizationReturn(&immunizationSource)
        if let immunizations { try run.readPlanDoses(immunizations) }
        if let comments { try run.readComments(comments) }
        for input in [members] + [immunizations, comments].compactMap({ $0 }) { try input.file.checkIntact() }
        let result = try run.finish(publisher: publisher)
        try publisher.publishAll()
        return HedisResult(summary: result.summary, summaryJSON: result.json, outputPaths: publisher.finalPaths)
    } catch {
        publisher.discardAll()
        throw error
    }
}

/// The text of a table file, or nil when none was given (the bundled table is used).
private func readTableText(_ path: String?) throws -> String? {
    guard let path else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CAIR2Error.usage("\(path): cannot read the table")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CAIR2Error.usage("\(path): the table is not UTF-8 text")
    }
    return text
}

private func openReturn(_ path: String) throws -> any FixedWidthByteSource {
    do {
        return try openFixedWidthInput(path)
    } catch let e as IOError {
        throw CAIR2Error(e.kind, e.description)
    }
}

// MARK: - CSV inputs

/// One CSV input of `hedis`: its bytes, header and the columns it uses (section 2: names matched after
/// normalization, renamed and defaulted by --map; unknown columns ignored).
final class HedisCSV {
    let path: String
    let layout: Layout
    /// The input, mapped: its bytes are read inside `withBytes` only.
    let file: InputFile
    /// A streamed input's bytes, read whole (standard input, .zst).
    private let owned: [UInt8]?
    let header: Header
    /// Canonical name -> input column.
    let column: [String: Int]
    /// Canonical name -> the mapping file's default for a blank cell or absent column.
    let defaults: [String: [UInt8]]
    /// Per input column: its canonical name, or "" when ignored.
    let nameOfColumn: [String]
    let unknown: [String]
    let delimiter: UInt8
    let encoding: TextEncoding

    init(path: String, layout: Layout, required: [String], options: HedisOptions, mapping: ColumnMapping) throws {
        self.path = path
        self.layout = layout
        delimiter = options.delimiter
        encoding = options.encoding
        file = try InputFile.open(path: path, useMmap: true)
        if let stream = file.stream {
            while !(try stream.fill()) { stream.consume(upTo: 0) }
            owned = Array(stream.buffered)
        } else {
            owned = nil
        }
        let delimiter = self.delimiter
        let header = owned.map { $0.withUnsafeBufferPointer { readHeader($0, delimiter: delimiter) } }
            ?? file.withMappedBytes { readHeader($0, delimiter: delimiter) } ?? nil
        guard let header else {
            throw CAIR2Error.usage("\(path): the file is empty; a header row is required")
        }
        self.header = header
        let canonical = Set(layout.columns.map(\.name))
        var renames: [String: String] = [:]
        for (theirs, target) in mapping.columns where canonical.contains(normalizeHeaderName(target)) {
            renames[normalizeHeaderName(theirs)] = normalizeHeaderName(target)
        }
        var defaults: [String: [UInt8]] = [:]
        for (k, v) in mapping.defaults where canonical.contains(normalizeHeaderName(k)) {
            defaults[normalizeHeaderName(k)] = Array(v.utf8)
        }
        var column: [String: Int] = [:]
        var names: [String] = []
        var unknown: [String] = []
        for (c, raw) in header.names.enumerated() {
            let n = normalizeHeaderName(raw)
            let target = renames[n] ?? n
            guard canonical.contains(target) else {
                unknown.append(raw)
                names.append("")
                continue
            }
            if let before = column[target] {
                throw CAIR2Error.usage("\(path): two columns resolve to '\(target)': '\(header.names[before])' and '\(raw)'")
            }
            column[target] = c
            names.append(target)
        }
        for r in required where column[r] == nil && defaults[r] == nil {
            throw CAIR2Error.usage("\(path): required column '\(r)' is missing from the header and has no default")
        }
        self.column = column
        self.defaults = defaults
        self.nameOfColumn = names
        self.unknown = unknown
    }

    /// Calls `body` with the whole input; the pointer is valid only inside `body`.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let owned { return try owned.withUnsafeBufferPointer(body) }
        var result: R?
        _ = try file.withMappedBytes { bytes in result = try body(bytes) }
        return result!
    }

    /// What `forEachRecord` hands over: a sound record, or a structural problem (an open quote, a field
    /// count that differs from the header's, undecodable bytes in a field) of a record that is skipped.
    enum Item {
        case record(line: Int, HedisRecord)
        case structural(line: Int, fields: [String], code: String)
    }

    /// Every record after the header, in order. Returns the number of records read.
    @discardableResult
    func forEachRecord(_ body: (Item) throws -> Void) rethrows -> Int {
        try withBytes { bytes in try forEachRecord(in: bytes, body) }
    }

    private func forEachRecord(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Item) throws -> Void) rethrows -> Int {
        var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, position: header.end, line: header.lines)
        var rec = CSVRecord()
        var count = 0
        while scanner.next(&rec) {
            count += 1
            let line = rec.line + 1
            if rec.unterminated { try body(.structural(line: line, fields: [""], code: "E_UNTERMINATED_QUOTE")); continue }
            if rec.fieldCount != header.names.count {
                try body(.structural(line: line, fields: [""], code: "E_FIELD_COUNT"))
                continue
            }
            // One row per undecodable field; the record is not examined further (section 3a).
            var undecodable: [String] = []
            for c in 0..<rec.fieldCount {
                var raw: [UInt8] = []
                CSVScanner.appendValue(rec.field(c), in: bytes, to: &raw)
                if !raw.withUnsafeBufferPointer({ Folding.isDecodable($0, encoding) }) { undecodable.append(nameOfColumn[c]) }
            }
            if !undecodable.isEmpty {
                try body(.structural(line: line, fields: undecodable, code: "E_ENCODING"))
                continue
            }
            try body(.record(line: line, HedisRecord(input: self, bytes: bytes, record: rec)))
        }
        return count
    }
}

/// The cells of one sound record, by canonical name; valid only inside `forEachRecord`'s body (`bytes` is the
/// input's, reachable only there).
struct HedisRecord {
    let input: HedisCSV
    let bytes: UnsafeBufferPointer<UInt8>
    let record: CSVRecord

    /// The cell's bytes as read, or the mapping default when the cell is blank or the column absent.
    func raw(_ name: String) -> [UInt8] {
        var v: [UInt8] = []
        if let c = input.column[name] { CSVScanner.appendValue(record.field(c), in: bytes, to: &v) }
        if v.allSatisfy({ Folding.isASCIISpace($0) }), let d = input.defaults[name] { return d }
        return v
    }

    /// The value folded to ASCII (or, `fold: false`, with non-ASCII marked unmappable), blanks trimmed.
    func prepared(_ name: String, fold: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        raw(name).withUnsafeBufferPointer { Folding.fold($0, input.encoding, fold: fold, into: &out) }
        return out.withUnsafeBufferPointer { Array(trimBlanks($0)) }
    }

    enum Checked<T> { case value(T), empty, invalid }

    /// The identifier class: printable ASCII without blanks, at most 32 characters, never folded.
    func identifier(_ name: String) -> Checked<String> {
        let v = prepared(name, fold: false)
        if v.isEmpty { return .empty }
        if v.count > 32 || v.contains(where: { $0 < 0x21 || $0 > 0x7E }) { return .invalid }
        return .value(String(decoding: v, as: UTF8.self))
    }

    /// A date of section 3 (a real date, year 1900 or later; `hedis` has no --as-of).
    func date(_ name: String) -> Checked<DateValue> {
        let v = prepared(name)
        if v.isEmpty { return .empty }
        guard let d = v.withUnsafeBufferPointer({ DateValue.parse($0) }) else { return .invalid }
        return .value(d)
    }

    /// A required identifier: its value, or "" with `E_REQUIRED` or `E_ID` appended to `problems`.
    func requiredIdentifier(_ name: String, _ problems: inout [(String, String)]) -> String {
        switch identifier(name) {
        case .empty: problems.append((name, "E_REQUIRED"))
        case .invalid: problems.append((name, "E_ID"))
        case .value(let v): return v
        }
        return ""
    }

    /// A required date: its value, or nil with `E_REQUIRED` or `E_DATE` appended to `problems`.
    func requiredDate(_ name: String, _ problems: inout [(String, String)]) -> DateValue? {
        switch date(name) {
        case .empty: problems.append((name, "E_REQUIRED"))
        case .invalid: problems.append((name, "E_DATE"))
        case .value(let d): return d
        }
        return nil
    }

    /// A name normalized by the name class; nil when blank or not a valid name (then it is not compared).
    func name(_ name: String) -> String? {
        guard input.column[name] != nil || input.defaults[name] != nil else { return nil }
        return normalizedName(prepared(name))
    }
}

/// The name class of section 3 on prepared (folded) bytes; nil when empty or invalid.
func normalizedName(_ v: [UInt8]) -> String? {
    let width = max(v.count, 1)
    var out = [UInt8](repeating: 0x20, count: width)
    let outcome = v.withUnsafeBufferPointer { t in out.withUnsafeMutableBufferPointer { Values.name(t, width: width, out: $0.baseAddress!) } }
    if outcome.invalid || outcome.empty { return nil }
    var n = out.count
    while n > 0 && out[n - 1] == 0x20 { n -= 1 }
    return String(decoding: out[0..<n], as: UTF8.self)
}

// MARK: - The run

/// One report row: `file,line,record_id,field,code,message` (never a field value).
struct HedisReject {
    var file: String
    var line: Int
    var recordID: String
    var field: String
    var code: String
    var message: String
}

struct HedisRun {
    let options: HedisOptions
    let valueSets: ValueSets
    let commentCodes: CommentCodes
    let rules: MeasureRules

    // Eligible members, in members-file order.
    var ids: [String] = []
    var people: [Member] = []
    /// Member id bytes -> index into `ids`: the return files are looked up without a String per line.
    var index = MemberIDIndex()
    var returnRows: [[ReturnRow]] = []
    var registryCounts: [Bool] = []
    var doses: [[Dose]] = []
    var evidence: [[CommentEvidence]] = []
    var uncounted: [String: Int] = [:]
    var rejects: [HedisReject] = []
    var inputs: HedisSummary.Inputs

    init(options: HedisOptions, valueSets: ValueSets, commentCodes: CommentCodes) {
        self.options = options
        self.valueSets = valueSets
        self.commentCodes = commentCodes
        rules = MeasureRules(measure: options.measure, meningFrom: options.meningFrom)
        inputs = HedisSummary.Inputs(
            members: .init(file: options.members, inputRecords: 0, rejected: 0, outOfRange: 0, eligible: 0),
            patientReturn: .init(file: options.patientReturn, lines: 0, malformed: 0, invalidDate: nil),
            immunizationReturn: .init(file: options.immunizationReturn, lines: 0, malformed: 0, invalidDate: 0),
            planImmunizations: nil, comments: nil)
    }

    private mutating func reject(_ file: String, _ line: Int, _ id: String, _ field: String, _ code: String) {
        rejects.append(HedisReject(file: file, line: line, recordID: id, field: field, code: code,
                                   message: HedisRun.message(code, field: field)))
    }

    /// The record of `item`, or nil when the scanner could not read one (field count, quotes, encoding): then its
    /// rows are reported and `rejected` counts it.
    private mutating func readable(_ item: HedisCSV.Item, _ path: String, _ rejected: inout Int) -> (Int, HedisRecord)? {
        if case .record(let line, let r) = item { return (line, r) }
        if case .structural(let line, let fields, let code) = item {
            for field in fields { reject(path, line, "", field, code) }
        }
        rejected += 1
        return nil
    }

    /// Reports the record's `problems`; true when it has any (it is rejected, and `rejected` counts it).
    private mutating func rejects(_ problems: [(String, String)], _ path: String, _ line: Int, _ id: String,
                                  _ rejected: inout Int) -> Bool {
        guard !problems.isEmpty else { return false }
        rejected += 1
        for (field, code) in problems { reject(path, line, id, field, code) }
        return true
    }

    static func message(_ code: String, field: String) -> String {
        switch code {
        case "E_FIELD_COUNT": return "field count differs from the header's (check the delimiter and quotes)"
        case "E_UNTERMINATED_QUOTE": return "quote left open at end of file; the rest of the file is this record"
        case "E_ENCODING": return "bytes not valid in the input encoding (see --encoding)"
        case "E_REQUIRED": return "required value missing"
        case "E_ID": return "identifier must be printable ASCII without blanks, at most 32 characters"
        case "E_DUPLICATE_ID": return "\(field) already seen earlier in this file; the first one was kept"
        case "E_DATE": return "not a real date from 1900"
        case "E_CODE": return "not a code or description of the comments code set"
        default: return code
        }
    }

    // Members: the denominator.
    mutating func readMembers(_ input: HedisCSV) throws {
        var seen = Set<String>()
        var counts = inputs.members
        let path = input.path
        counts.inputRecords = input.forEachRecord { item in
            guard let (line, r) = readable(item, path, &counts.rejected) else { return }
            var problems: [(String, String)] = []
            let id = r.requiredIdentifier("hp_member_id", &problems)
            if !id.isEmpty && !seen.insert(id).inserted { problems.append(("hp_member_id", "E_DUPLICATE_ID")) }
            let birth = r.requiredDate("birth_date", &problems)
            if rejects(problems, path, line, id, &counts.rejected) { return }
            guard let birth, isEligible(birth: birth, measure: options.measure, year: options.year) else {
                counts.outOfRange += 1
                return
            }
            var idBytes = id
            idBytes.withUTF8 { index.append($0) }
            ids.append(id)
            people.append(Member(birth: birth, firstName: r.name("first_name"), lastName: r.name("last_name")))
        }
        counts.eligible = ids.count
        inputs.members = counts
        index.build()
        returnRows = Array(repeating: [], count: ids.count)
        registryCounts = Array(repeating: false, count: ids.count)
        doses = Array(repeating: [], count: ids.count)
        evidence = Array(repeating: [], count: ids.count)
    }

    private mutating func malformed(_ path: String, _ line: Int, _ defects: [LineDefect], _ layout: Layout) {
        let message = defects.contains(.emptyLine) ? "empty line between records"
            : "line is not \(layout.dataWidth) (or \(layout.statedTotal)) printable ASCII characters"
        rejects.append(HedisReject(file: path, line: line, recordID: "", field: "", code: "E_MALFORMED_LINE", message: message))
    }

    // The patient return: match status and the identity rule.
    mutating func readPatientReturn<S: FixedWidthByteSource>(_ source: inout S) throws {
        let layout = Layouts.patientReturn
        let f = (id: layout.field("record_id")!, first: layout.field("first_name")!, last: layout.field("last_name")!,
                 birth: layout.field("birth_date")!)
        var counts = inputs.patientReturn
        let path = options.patientReturn
        try forEachFixedWidthItem(&source, layout: layout) { item in
            counts.lines += 1
            switch item {
            case .malformed(let line, let defects):
                counts.malformed += 1
                malformed(path, line, defects, layout)
            case .record(let r):
                guard let i = index.lookup(trimmedBytes(r, f.id)) else { return }
                let birth = DateValue.parse(trimmedBytes(r, f.birth))
                returnRows[i].append(ReturnRow(birth: birth,
                                               firstName: normalizedName(Array(trimmedBytes(r, f.first))) ?? "",
                                               lastName: normalizedName(Array(trimmedBytes(r, f.last))) ?? ""))
            }
        }
        inputs.patientReturn = counts
        for i in ids.indices { registryCounts[i] = matchStatus(people[i], rows: returnRows[i]).registryCounts }
    }

    // The immunization return: the registry's doses.
    mutating func readImmunizationReturn<S: FixedWidthByteSource>(_ source: inout S) throws {
        let layout = Layouts.immunizationReturn
        let f = (id: layout.field("record_id")!, cpt: layout.field("cpt_code")!, group: layout.field("vaccine_group")!,
                 date: layout.field("vaccination_date")!)
        var counts = inputs.immunizationReturn
        let path = options.immunizationReturn
        // The per-line path works on the line's bytes: no String, no Foundation. A line of a member that is not
        // eligible (most of the file) costs the date check and one lookup.
        var products = RegistryProductCache(valueSets: valueSets, measure: options.measure)
        var invalidDate = counts.invalidDate ?? 0
        try forEachFixedWidthItem(&source, layout: layout) { item in
            counts.lines += 1
            switch item {
            case .malformed(let line, let defects):
                counts.malformed += 1
                malformed(path, line, defects, layout)
            case .record(let r):
                guard let date = DateValue.parse(trimmedBytes(r, f.date)) else {
                    invalidDate += 1
                    reject(path, r.line, trimmedValue(r, f.id), "vaccination_date", "E_DATE")
                    return
                }
                guard let i = index.lookup(trimmedBytes(r, f.id)), registryCounts[i] else { return }
                let e = products.entry(cpt: trimmedBytes(r, f.cpt), group: trimmedBytes(r, f.group))
                if e.products.isEmpty { uncounted[e.groupKey, default: 0] += 1 }
                doses[i].append(Dose(date: date, products: e.products, origin: .registry))
            }
        }
        counts.invalidDate = invalidDate
        inputs.immunizationReturn = counts
    }

    // The plan's own doses.
    mutating func readPlanDoses(_ input: HedisCSV) throws {
        var counts = HedisSummary.CSVInput(file: input.path, inputRecords: 0, rejected: 0)
        let path = input.path
        let measure = options.measure
        counts.inputRecords = input.forEachRecord { item in
            guard let (line, r) = readable(item, path, &counts.rejected) else { return }
            var problems: [(String, String)] = []
            let id = r.requiredIdentifier("record_id", &problems)
            let date = r.requiredDate("vaccination_date", &problems)
            if rejects(problems, path, line, id, &counts.rejected) { return }
            guard let i = index.lookup(id), let date else { return }
            let cpt = String(decoding: r.prepared("cpt_code"), as: UTF8.self)
            let cvx = String(decoding: r.prepared("cvx_code"), as: UTF8.self)
            doses[i].append(Dose(date: date, products: valueSets.planProducts(measure, cpt: cpt, cvx: cvx), origin: .plan))
        }
        inputs.planImmunizations = counts
    }

    // The plan's comments: evidence of immunity, anaphylaxis, encephalopathy.
    mutating func readComments(_ input: HedisCSV) throws {
        var counts = HedisSummary.CSVInput(file: input.path, inputRecords: 0, rejected: 0)
        let path = input.path
        let measure = options.measure
        let codeSet = CodeSetIndex.of(.comments)
        let width = Layouts.comment.field("comment_code")!.length
        counts.inputRecords = input.forEachRecord { item in
            guard let (line, r) = readable(item, path, &counts.rejected) else { return }
            var problems: [(String, String)] = []
            let id = r.requiredIdentifier("record_id", &problems)
            var code = ""
            let prepared = r.prepared("comment_code")
            if prepared.isEmpty {
                problems.append(("comment_code", "E_REQUIRED"))
            } else {
                var slot = [UInt8](repeating: 0x20, count: width)
                let found = prepared.withUnsafeBufferPointer { codeSet.lookup($0) }.map { i in
                    slot.withUnsafeMutableBufferPointer { codeSet.writeCode(i, into: $0.baseAddress!, width: width) }
                }
                if found == true {
                    code = String(decoding: slot, as: UTF8.self).trimmingWhitespace()
                } else {
                    problems.append(("comment_code", "E_CODE"))
                }
            }
            if rejects(problems, path, line, id, &counts.rejected) { return }
            guard let i = index.lookup(id) else { return }
            // A blank or invalid begin date never counts.
            var begin: DateValue?
            if case .value(let d) = r.date("begin_date") { begin = d }
            for (antigen, kind) in commentCodes.evidence(measure, code: code) {
                evidence[i].append(CommentEvidence(antigen: antigen, evidence: kind, begin: begin))
            }
        }
        inputs.comments = counts
    }

    /// Assesses every member, writes the three outputs into `publisher` (not yet published).
    func finish(publisher: Publisher) throws -> (summary: HedisSummary, json: String) {
        let measure = options.measure
        let antigens = measure.antigens
        let combos = measure.combos
        var header = ["hp_member_id", "match_status"]
        for a in antigens { header += ["\(a.rawValue)_doses", "\(a.rawValue)_met"] }
        header += combos.map(\.rawValue) + ["missing", "closed_by_registry"]

        var statusCounts: [String: Int] = [:]
        for s in MatchStatus.allCases { statusCounts[s.rawValue] = 0 }
        let keys = antigens.map(\.rawValue) + combos.map(\.rawValue)
        var numerators: [String: [Int]] = ["plan": [Int](repeating: 0, count: keys.count),
                                           "registry": [Int](repeating: 0, count: keys.count),
                                           "both": [Int](repeating: 0, count: keys.count)]
        var closed = 0
        let out = try publisher.create(relative: "hedis-members.csv", zstdLevel: nil)
        var buffer: [UInt8] = Array((header.joined(separator: ",") + "\n").utf8)
        for i in ids.indices {
            let a = assess(people[i], rows: returnRows[i], doses: doses[i], evidence: evidence[i], rules: rules)
            statusCounts[a.status.rawValue, default: 0] += 1
            for (view, result) in [("plan", a.plan), ("registry", a.registry), ("both", a.both)] {
                for (k, s) in result.antigens.enumerated() where s.met { numerators[view]![k] += 1 }
                for (k, met) in result.combos.enumerated() where met { numerators[view]![antigens.count + k] += 1 }
            }
            if a.closedByRegistry { closed += 1 }
            buffer += csvCell(Array(ids[i].utf8))
            buffer += Array(",\(a.status.rawValue)".utf8)
            for s in a.both.antigens { buffer += Array(",\(s.doses),\(s.met ? "Y" : "N")".utf8) }
            for met in a.both.combos { buffer += Array(",\(met ? "Y" : "N")".utf8) }
            buffer += Array(",\(a.both.missing.map(\.rawValue).joined(separator: " ")),\(a.closedByRegistry ? "Y" : "N")\n".utf8)
            if buffer.count >= 1 << 20 {
                try out.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try out.write(buffer)
        try out.finish()

        // rejects.csv: convert's columns, sorted by file then line.
        let sorted = rejects.enumerated().sorted { x, y in
            (x.element.file, x.element.line, x.offset) < (y.element.file, y.element.line, y.offset)
        }.map(\.element)
        var report = Array("file,line,record_id,field,code,message\r\n".utf8)
        for r in sorted {
            report += csvCell(Array(r.file.utf8), neutralize: false) + [0x2C] + Array(String(r.line).utf8) + [0x2C]
            report += csvCell(Array(r.recordID.utf8)) + [0x2C] + Array(r.field.utf8) + [0x2C] + Array(r.code.utf8) + [0x2C]
            report += csvCell(Array(r.message.utf8)) + [0x0D, 0x0A]
        }
        let rejectsOut = try publisher.create(relative: "rejects.csv", zstdLevel: nil)
        try rejectsOut.write(report)
        try rejectsOut.finish()

        let eligible = ids.count
        func rate(_ n: Int) -> Double { eligible == 0 ? 0 : (Double(n) / Double(eligible) * 1e6).rounded() / 1e6 }
        var rates: [String: [String: HedisSummary.Rate]] = [:]
        for (view, ns) in numerators {
            var d: [String: HedisSummary.Rate] = [:]
            for (k, key) in keys.enumerated() { d[key] = HedisSummary.Rate(numerator: ns[k], rate: rate(ns[k])) }
            rates[view] = d
        }
        var lift: [String: HedisSummary.Lift] = [:]
        for (k, key) in keys.enumerated() {
            let n = numerators["both"]![k] - numerators["plan"]![k]
            lift[key] = HedisSummary.Lift(members: n, rate: rate(n))
        }
        let summary = HedisSummary(
            measure: measure.rawValue, year: options.year, meningFrom: measure == .ima ? options.meningFrom : nil,
            valueSets: .init(source: options.valueSets ?? "bundled"),
            commentCodes: .init(source: options.commentCodes ?? "bundled"),
            eligible: eligible, matchStatus: statusCounts, rates: rates, registryLift: lift,
            uncountedRegistryDoses: .init(byVaccineGroup: uncounted, total: uncounted.values.reduce(0, +)),
            closedByRegistry: closed, rejects: rejects.count, inputs: inputs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
        let summaryOut = try publisher.create(relative: "hedis-summary.json", zstdLevel: nil)
        try summaryOut.write(Array(json.utf8))
        try summaryOut.finish()
        return (summary, json)
    }
}

/// A fixed-width field's bytes with leading and trailing blanks removed.
private func trimmedBytes(_ r: FixedWidthRecord, _ f: Field) -> UnsafeBufferPointer<UInt8> {
    trimBlanks(r.rawValue(f).assumingMemoryBound(to: UInt8.self))
}

private func trimmedValue(_ r: FixedWidthRecord, _ f: Field) -> String {
    String(decoding: trimmedBytes(r, f), as: UTF8.self)
}

extension HedisSummary {
    /// The console's closing summary: counts and rates only, never a member id, name or date.
    public var consoleText: String {
        func pct(_ r: Double) -> String {
            let v = (r * 1000).rounded() / 10
            return String(printf: "%5.1f%%", v)
        }
        var lines: [String] = []
        let m = inputs.members
        lines.append("hedis \(measure) \(year): \(eligible) eligible member\(eligible == 1 ? "" : "s") "
                     + "(\(m.inputRecords) read, \(m.rejected) rejected, \(m.outOfRange) outside the year)")
        lines.append("match: " + MatchStatus.allCases.map { "\($0.rawValue) \(matchStatus[$0.rawValue] ?? 0)" }
            .joined(separator: ", "))
        let keys = (Measure(rawValue: measure) ?? .cis).antigens.map(\.rawValue)
            + (Measure(rawValue: measure) ?? .cis).combos.map(\.rawValue)
        lines.append("           plan  registry      both    lift")
        for k in keys {
            let p = rates["plan"]?[k]?.rate ?? 0, r = rates["registry"]?[k]?.rate ?? 0, b = rates["both"]?[k]?.rate ?? 0
            let name = String((k + String(repeating: " ", count: 8)).prefix(8))  // the keys are ASCII
            lines.append("  \(name) \(pct(p))    \(pct(r))    \(pct(b))  \(pct(b - p))")
        }
        lines.append("closed by the registry (largest combo): \(closedByRegistry)")
        if uncountedRegistryDoses.total > 0 {
            let labels = uncountedRegistryDoses.byVaccineGroup.sorted { $0.key < $1.key }
                .map { "\($0.key.isEmpty ? "(blank)" : $0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("registry doses that counted for no antigen: \(uncountedRegistryDoses.total) (\(labels))")
        }
        var inputsLine = "patient return: \(inputs.patientReturn.lines) lines, \(inputs.patientReturn.malformed) malformed; "
            + "immunization return: \(inputs.immunizationReturn.lines) lines, \(inputs.immunizationReturn.malformed) malformed, "
            + "\(inputs.immunizationReturn.invalidDate ?? 0) with an invalid date"
        if let p = inputs.planImmunizations { inputsLine += "; plan doses: \(p.inputRecords) read, \(p.rejected) rejected" }
        if let c = inputs.comments { inputsLine += "; comments: \(c.inputRecords) read, \(c.rejected) rejected" }
        lines.append(inputsLine)
        lines.append("rejects.csv: \(rejects) row\(rejects == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }
}
