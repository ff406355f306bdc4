// The record pipeline: one scanned CSV record -> normalized, validated,
// rendered fixed-width line (PRODUCT.md §3, §3a).
//
// A `RecordWorker` is owned by one thread. It reads a record's fields from
// the scanned buffer, applies the value classes and record rules of its
// layout, renders the line into the caller's output slot and appends the
// record's problems. Rules that need other records (duplicate ids across the
// patient file) are left to the ordered merge, which sees each record's
// `RecordResult`; rules that need the patient file (orphans, vaccinations
// before birth) read a finished, read-only `PatientIndex`.

/// A valid identifier (printable ASCII, at most 32 bytes) packed for hashing.
public struct IDKey: Hashable, Sendable {
    public var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
    public init() {}
    /// Packs up to 32 bytes (identifiers never hold a NUL, so zero padding is unambiguous).
    @inlinable public init(_ p: UnsafePointer<UInt8>, count: Int) {
        var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &words) { w in
            w.baseAddress!.copyMemory(from: p, byteCount: min(count, 32))
        }
        a = words.0; b = words.1; c = words.2; d = words.3
    }
    public var isEmpty: Bool { a == 0 }
    /// The identifier's bytes.
    public var bytes: [UInt8] {
        var words = (a, b, c, d)
        return withUnsafeBytes(of: &words) { w in Array(w.prefix { $0 != 0 }) }
    }
}

/// What the patient file left for the immunization and comment rules: each written patient's birth date
/// and the part it was written to.
public struct PatientIndex: Sendable {
    public struct Entry: Sendable {
        public var birth: DateValue
        public var part: Int32
        public init(birth: DateValue, part: Int32) {
            self.birth = birth
            self.part = part
        }
    }
    var table: SpillingIDTable
    /// An index that grows as needed, all in memory.
    public init(capacity: Int = 1024) { table = SpillingIDTable(expected: capacity, storage: nil) }
    /// An index for about `expected` patients whose in-memory part stays within about `budgetBytes`; past it,
    /// entries spill to `storage` (see `SpillingIDTable`).
    public init(expected: Int, budgetBytes: Int, storage: any SpillStorage) {
        table = SpillingIDTable(expected: expected, budgetBytes: budgetBytes, storage: storage)
    }
    /// Ids seen (written or not).
    public var count: Int { table.count }
    /// Runs spilled to the storage so far.
    public var spilledRuns: Int { table.spilledRuns }
    /// True once a spill could not be written (the storage holds the error).
    public var spillFailed: Bool { table.failed }
    /// Merges the spilled runs into one: call once the inserts are over, before the lookups.
    public mutating func compact() { table.compact() }
    /// Where entries spill (nil: all in memory).
    public var spillStorage: (any SpillStorage)? { table.storage }

    /// The value of an id seen on a record that was not written.
    static let notWritten = UInt64.max

    static func pack(_ e: Entry) -> UInt64 {
        UInt64(UInt32(bitPattern: e.birth.ymd)) | (UInt64(UInt32(bitPattern: e.part)) << 32)
    }

    /// Records `id` as seen, with its entry when the patient was written (nil: seen, not written).
    /// Returns false when the id had been seen before (nothing changes then).
    @inline(__always)
    public mutating func insert(_ id: IDKey, _ e: Entry?) -> Bool {
        table.insert(id, value: e.map(PatientIndex.pack) ?? PatientIndex.notWritten)
    }

    /// Where `id`'s slot is, for a prefetch hint a few records ahead of its `insert`: never dereference it.
    @inline(__always) public func prefetchAddress(_ id: IDKey) -> UInt { table.homeAddress(id) }

    /// The entry of a written patient; nil when the id was never seen or its record was not written.
    /// Safe from several threads at once on an index no longer inserted into.
    public func lookup(_ id: IDKey) -> Entry? {
        guard let v = table.find(id), v != PatientIndex.notWritten else { return nil }
        let ymd = Int32(bitPattern: UInt32(truncatingIfNeeded: v))
        let part = Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 32))
        return Entry(birth: DateValue(ymd: ymd), part: part)
    }
}

/// The fate of one record.
public enum RecordStatus: UInt8, Sendable {
    case written, rejected, excluded
}

/// What the ordered merge needs from each record.
public struct RecordResult: Sendable {
    public var status: RecordStatus = .rejected
    /// The record's valid `record_id` (empty when it has none): duplicate and cross-file rules.
    public var id = IDKey()
    /// The birth date (patients) for the cross-file rules.
    public var date = DateValue(year: 0, month: 0, day: 0)
    /// The part the record belongs to (immunizations and comments: their patient's part).
    public var part: Int32 = 0
    /// True once the record was structurally sound (past field count, quote and encoding checks).
    public var structural = false
    public init() {}
}

/// The per-run settings every worker shares.
public struct RecordRules: Sendable {
    public let plan: ColumnPlan
    public let encoding: TextEncoding
    public let asOf: DateValue
    /// Set for immunizations and comments: the written patients of this run.
    public let patients: PatientIndex?
    /// The CDC vaccine code tables and placeholder names (§3b).
    public let codeTables: VaccineCodeTables

    public init(plan: ColumnPlan, encoding: TextEncoding, asOf: DateValue, patients: PatientIndex?,
                codeTables: VaccineCodeTables = .bundled) {
        self.plan = plan
        self.encoding = encoding
        self.asOf = asOf
        self.patients = patients
        self.codeTables = codeTables
    }
}

/// A field's facts the hot loop needs, without the strings of `Field`.
struct FieldSpec {
    var offset: Int
    var length: Int
    var valueClass: ValueClass
    var requirement: Requirement
    var asOfBounded: Bool
    var fold: Bool
    var isInfoSource: Bool
    var column: Int
    var hasDefault: Bool
    /// An empty cell (or absent column) with no default is settled without the field's rules: nothing, or
    /// `E_REQUIRED` when `blankIsRequired`. False for the effective date (it takes the disclosed date).
    var blankIsSimple: Bool
    var blankIsRequired: Bool
}

/// Normalizes, validates and renders records of one layout. One per thread.
public final class RecordWorker {
    public let rules: RecordRules
    let layout: Layout
    let kind: LayoutKind
    let width: Int
    var raw: [UInt8] = []
    var prep: [UInt8] = []
    /// Indices of fields by role, resolved once.
    let fRecordID: Int
    let fBirth: Int, fDeath: Int, fDisclosed: Int, fDisclosedDate: Int, fEffective: Int
    let fVaccinationDate: Int, fBegin: Int, fEnd: Int
    let fFirstName: Int, fLastName: Int, fCVX: Int
    /// The code tables, unretained: `rules` keeps them alive as long as the worker.
    let tables: Unmanaged<VaccineCodeTables>
    let codeIndexes: [Unmanaged<CodeSetIndex>?]
    /// The rules' scalars, copied out so the hot loop never touches the `rules` struct.
    let headerCount: Int
    let encoding: TextEncoding
    let asOf: DateValue
    let fieldOfColumn: [Int]
    /// Prepared defaults per field.
    let preparedDefaults: [[UInt8]?]
    /// Per field: what the hot loop needs (owned; freed in deinit).
    let specs: UnsafeMutablePointer<FieldSpec>
    let fieldCount: Int
    /// Prepared defaults, packed: (offset, length) per field into `defaultStorage`.
    let defaultTexts: [(Int, Int)]
    let defaultStorage: UnsafeMutablePointer<UInt8>
    /// The current record holds only printable ASCII other than the grave accent.
    var recordIsPlain = false
    /// Folded text of the current field.
    var scratch: UnsafeMutablePointer<UInt8>
    var scratchCapacity = 4096
    /// Per field, the code lookups of the 16 texts seen last (direct-mapped by a hash of the text): an extract
    /// repeats a handful of values per code field (sex, state, status, county), so most lookups end here.
    struct MemoEntry {
        var key = IDKey()
        var length = -1
        var code = -1  // the code's index, or -1: not a code of the set
    }
    static let memoWays = 16
    let memo: UnsafeMutablePointer<MemoEntry>

    public init(rules: RecordRules) {
        self.rules = rules
        let layout = rules.plan.layout
        self.layout = layout
        headerCount = rules.plan.headerCount
        encoding = rules.encoding
        asOf = rules.asOf
        fieldOfColumn = rules.plan.fieldOfColumn
        kind = layout.kind
        width = layout.dataWidth
        func idx(_ n: String) -> Int { layout.index(of: n) ?? -1 }
        fRecordID = idx("record_id")
        fBirth = idx("birth_date"); fDeath = idx("death_date"); fDisclosed = idx("disclosed")
        fDisclosedDate = idx("disclosed_date"); fEffective = idx("effective_date")
        fVaccinationDate = idx("vaccination_date"); fBegin = idx("begin_date"); fEnd = idx("end_date")
        // Placeholder names are a patient-file rule (§3b).
        fFirstName = kind == .patient ? idx("first_name") : -1
        fLastName = kind == .patient ? idx("last_name") : -1
        fCVX = idx("cvx_code")
        tables = Unmanaged.passUnretained(rules.codeTables)
        codeIndexes = layout.fields.map { f in f.codeSet.map { Unmanaged.passUnretained(CodeSetIndex.of($0)) } }
        preparedDefaults = rules.plan.defaults.enumerated().map { (i, d) in
            guard let d else { return nil }
            var out: [UInt8] = []
            let foldIt = layout.fields[i].valueClass != .identifier
            d.withUnsafeBufferPointer { Folding.fold($0, .utf8, fold: foldIt, into: &out) }
            return out
        }
        raw.reserveCapacity(1024)
        prep.reserveCapacity(1024)
        fieldCount = layout.fields.count
        var texts: [(Int, Int)] = []
        var packedDefaults: [UInt8] = []
        for d in preparedDefaults {
            texts.append((packedDefaults.count, d?.count ?? 0))
            packedDefaults += d ?? []
        }
        defaultTexts = texts
        defaultStorage = .allocate(capacity: max(1, packedDefaults.count))
        defaultStorage.initialize(from: packedDefaults, count: packedDefaults.count)
        scratch = .allocate(capacity: scratchCapacity)
        memo = .allocate(capacity: layout.fields.count * RecordWorker.memoWays)
        memo.initialize(repeating: MemoEntry(), count: layout.fields.count * RecordWorker.memoWays)
        specs = .allocate(capacity: layout.fields.count)
        for (i, f) in layout.fields.enumerated() {
            let d = preparedDefaults[i]
            specs.advanced(by: i).initialize(to: FieldSpec(
                offset: f.offset, length: f.length, valueClass: f.valueClass, requirement: f.requirement,
                asOfBounded: f.asOfBounded, fold: f.valueClass != .identifier,
                isInfoSource: layout.kind == .immunization && f.name == "info_source",
                column: rules.plan.columnOf[i], hasDefault: d.map { $0.contains { $0 != 0x20 } } ?? false,
                blankIsSimple: f.name != "effective_date",
                blankIsRequired: RecordWorker.blankIsRequired(f)))
        }
    }

    /// Whether a blank value of `f` is E_REQUIRED: what the field rules in `process` do with a blank.
    static func blankIsRequired(_ f: Field) -> Bool {
        switch f.valueClass {
        case .identifier, .name, .date, .code, .yesNo: return f.requirement == .required
        case .manufacturer: return true
        case .filler, .text, .address, .freeText, .raceFlag, .phone, .zip, .ssn, .ndc, .cpt, .cvx: return false
        }
    }

    deinit {
        specs.deinitialize(count: fieldCount)
        specs.deallocate()
        defaultStorage.deallocate()
        scratch.deallocate()
        memo.deallocate()
    }

    // MARK: field access

    /// The prepared text of field `fi`: the cell's bytes as they are when they are printable ASCII, else their
    /// folding (into the worker's scratch, valid until the next call); the default when the cell is blank;
    /// nil when there is neither. `fromDefault` tells which.
    @inline(__always)
    func prepared(_ fi: Int, _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>)
        -> (text: UnsafeBufferPointer<UInt8>?, fromDefault: Bool) {
        let spec = specs[fi]
        let col = spec.column
        if col >= 0 {
            let f = rec[col]
            if !f.quoted {
                let src = UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])
                // Fast path: printable ASCII needs no preparation (the grave accent folds to an apostrophe).
                var simple = true
                var nonBlank = false
                if recordIsPlain || ByteScan.isPlainPrintableASCII(src) {
                    for c in src where c != 0x20 { nonBlank = true; break }
                } else {
                    for c in src {
                        if c < 0x20 || c >= 0x7F || c == 0x60 { simple = false; break }
                        if c != 0x20 { nonBlank = true }
                    }
                }
                if simple {
                    if nonBlank { return (src, false) }
                } else if let t = foldIntoScratch(src, spec.fold) {
                    return (t, false)
                }
            } else {
                raw.removeAll(keepingCapacity: true)
                CSVScanner.appendValue(f, in: bytes, to: &raw)
                let t = raw.withUnsafeBufferPointer { foldIntoScratch($0, spec.fold) }
                if let t { return (t, false) }
            }
        }
        if spec.hasDefault {
            let d = defaultTexts[fi]
            return (UnsafeBufferPointer(start: defaultStorage + d.0, count: d.1), true)
        }
        return (nil, false)
    }

    /// Folds `src` into the scratch buffer; nil when the result is blank.
    @inline(__always)
    func foldIntoScratch(_ src: UnsafeBufferPointer<UInt8>, _ fold: Bool) -> UnsafeBufferPointer<UInt8>? {
        prep.removeAll(keepingCapacity: true)
        Folding.fold(src, encoding, fold: fold, into: &prep)
        let n = prep.count
        if n > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(n, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var nonBlank = false
        prep.withUnsafeBufferPointer { p in
            for i in 0..<n { let c = p[i]; scratch[i] = c; if c != 0x20 { nonBlank = true } }
        }
        return nonBlank ? UnsafeBufferPointer(start: scratch, count: n) : nil
    }

    // MARK: the record

    /// Processes one record into `out` (a slot of `layout.dataWidth` bytes, blank-filled by the caller),
    /// appending its problems.
    public func process(_ record: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>, ordinal: Int32,
                        out: UnsafeMutablePointer<UInt8>, problems: inout [Problem]) -> RecordResult {
        var result = RecordResult()
        let rec = record.storage.base  // the fields, without retaining the record per access
        let firstProblem = problems.count
        @inline(__always) func add(_ field: Int, _ code: ProblemCode) {
            problems.append(Problem(record: ordinal, field: Int16(field), code: code))
        }
        // Structural checks: an open quote, the field count, then the encoding of every field.
        if record.unterminated { add(-1, .unterminatedQuote); return result }
        if record.fieldCount != headerCount { add(-1, .fieldCount); return result }
        // One pass over the whole record, 8 bytes at a time: a record of plain printable ASCII (the usual case)
        // needs neither the encoding check nor any field's preparation.
        recordIsPlain = ByteScan.isPlainPrintableASCII(UnsafeBufferPointer(rebasing: bytes[record.start..<record.end]))
        if !recordIsPlain && encoding != .latin1 {
            var bad = false
            for c in 0..<record.fieldCount {
                let f = record.field(c)
                if !ByteScan.hasHighByte(UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])) { continue }
                var ok = true
                if f.quoted {
                    raw.removeAll(keepingCapacity: true)
                    CSVScanner.appendValue(f, in: bytes, to: &raw)
                    ok = raw.withUnsafeBufferPointer { Folding.isDecodable($0, encoding) }
                } else {
                    ok = Folding.isDecodable(UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]), encoding)
                }
                if !ok { add(fieldOfColumn[c], .encoding); bad = true }
            }
            if bad { return result }
        }
        result.structural = true

        // The record id, for every kind that has one.
        var idValid = false
        if fRecordID >= 0 {
            idValid = identifierField(fRecordID, rec, bytes, out, add, keyInto: &result.id)
        }

        if kind == .patient {
            // Disclosure first: a member not disclosed gets only X_NOT_DISCLOSED.
            let disclosed = prepared(fDisclosed, rec, bytes).text.flatMap { YesNo.parse($0) }
            if disclosed != true {
                problems.removeSubrange(firstProblem...)
                add(fDisclosed, .notDisclosed)
                result.status = .excluded
                if !idValid { result.id = IDKey() }
                return result
            }
        }

        var birth: DateValue?
        var disclosedDate: DateValue?
        var vaccinationDate: DateValue?
        var beginDate: DateValue?
        var anyVaccine = false
        // Known CPT (its index in the CPT table) and known CVX (its number), for the mismatch rule.
        var knownCPT = -1
        var knownCVX = -1

        for fi in 0..<fieldCount where fi != fRecordID {
            let f = specs[fi]
            // An empty cell without a default (often half of an extract's cells) skips the field's rules: one
            // well-predicted branch instead of the switch's indirect jump.
            if !f.hasDefault && f.blankIsSimple && (f.column < 0 || rec[f.column].end == rec[f.column].start) {
                if f.blankIsRequired { add(fi, .required) }
                continue
            }
            let slot = out + f.offset
            switch f.valueClass {
            case .filler, .text:
                continue
            case .identifier:
                var k = IDKey()
                _ = identifierField(fi, rec, bytes, out, add, keyInto: &k)
            case .name:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { if f.requirement == .required { add(fi, .required) }; break fieldBody }
                    let o = Values.name(t, width: f.length, out: slot)
                    if o.invalid {
                        add(fi, f.requirement == .required ? .name : .nameDropped)
                    } else if o.empty {
                        add(fi, f.requirement == .required ? .required : .nameDropped)
                    } else if o.truncated {
                        add(fi, .truncated)
                    } else if (fi == fFirstName || fi == fLastName)
                                && tables._withUnsafeGuaranteedRef({ $0.isPlaceholder(slot, width: f.length) }) {
                        add(fi, .placeholderName)
                    }
                }
            case .address, .freeText:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { break fieldBody }
                    let o = Values.text(t, upperCase: f.valueClass == .address, width: f.length, out: slot)
                    if o.charsRemoved { add(fi, .charsRemoved) }
                    if o.truncated { add(fi, .truncated) }
                    if f.requirement == .oneOfVaccineCodes && !o.empty { anyVaccine = true }
                }
            case .date:
                var value: DateValue?
                var present = false
                if fi == fEffective {
                    // The effective date defaults to the normalized disclosed date.
                    fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                        guard let t else { break fieldBody }
                        present = true
                        value = parseDateField(t, f)
                        if value == nil { add(fi, .date) }
                    }
                    if !present {
                        // Blank: the normalized disclosed date, or nothing (E_REQUIRED) when it has none.
                        if let d = disclosedDate { value = d } else { add(fi, .required) }
                    }
                } else {
                    fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                        guard let t else {
                            if f.requirement == .required { add(fi, .required) }
                            break fieldBody
                        }
                        present = true
                        value = parseDateField(t, f)
                        if value == nil { add(fi, f.requirement == .required ? .date : .dateWarning) }
                    }
                }
                if fi == fDeath, let d = value, let b = birth, d < b {
                    value = nil
                    add(fi, .dateWarning)
                }
                if fi == fEnd, let e = value, let b = beginDate, e < b {
                    value = nil
                    add(fi, .dateWarning)
                }
                if let v = value { v.writeMMDDYYYY(slot) }
                if fi == fBirth { birth = value }
                if fi == fDisclosedDate { disclosedDate = value }
                if fi == fVaccinationDate { vaccinationDate = value }
                if fi == fBegin { beginDate = value }
            case .code:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { if f.requirement == .required { add(fi, .required) }; break fieldBody }
                    if f.isInfoSource {
                        let v = trimBlanks(t)
                        if v.count == 1 && v[0] == 0x31 { slot[0] = 0x30; slot[1] = 0x31; break fieldBody }  // "1" is 01
                    }
                    // Unmanaged: the indexes live as long as the process; no retain per lookup.
                    let written = codeIndexes[fi]!._withUnsafeGuaranteedRef { idx -> Bool in
                        guard let i = memoizedLookup(fi, t, idx) else { return false }
                        return idx.writeCode(i, into: slot, width: f.length)
                    }
                    if !written { add(fi, f.requirement == .required ? .code : .codeWarning) }
                }
            case .yesNo:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { if f.requirement == .required { add(fi, .required) }; break fieldBody }
                    if let yes = YesNo.parse(t) {
                        slot[0] = yes ? 0x59 : 0x4E
                    } else {
                        add(fi, f.requirement == .required ? .code : .codeWarning)
                    }
                }
            case .raceFlag:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { break fieldBody }
                    if let yes = YesNo.parse(t) {
                        if yes { slot[0] = 0x59 }
                    } else {
                        add(fi, .codeWarning)
                    }
                }
            case .phone:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { break fieldBody }
                    if !Values.phone(t, width: f.length, out: slot) { add(fi, .phone) }
                }
            case .zip:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { break fieldBody }
                    if !Values.zip(t, out: slot) { add(fi, .zip) }
                }
            case .ssn:
                fieldBody: do { let (t, fromDefault) = prepared(fi, rec, bytes)
                    if t != nil && !fromDefault { add(fi, .ssnDropped) }
                }
            case .ndc, .cpt, .cvx:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { break fieldBody }
                    let ok: Bool
                    switch f.valueClass {
                    case .ndc: ok = Values.ndc(t, out: slot)
                    case .cpt: ok = Values.digits(t, min: 5, max: 5, out: slot)
                    default: ok = Values.digits(t, min: 1, max: 3, out: slot)
                    }
                    guard ok else { add(fi, .codeWarning); break fieldBody }
                    anyVaccine = true
                    // Well-formed: is it in the CDC tables? (written unchanged either way)
                    if f.valueClass == .ndc { break fieldBody }
                    var n = 0
                    var k = 0
                    while k < f.length, slot[k] != 0x20 { n = n &* 10 &+ Int(slot[k] &- 0x30); k += 1 }
                    let known = tables._withUnsafeGuaranteedRef { t -> Bool in
                        if f.valueClass == .cpt {
                            guard let i = t.cptIndex(UInt32(n)) else { return false }
                            knownCPT = i
                        } else {
                            guard t.isKnownCVX(n) else { return false }
                            knownCVX = n
                        }
                        return true
                    }
                    if !known { add(fi, .codeUnknown) }
                }
            case .manufacturer:
                fieldBody: do { let (t, _) = prepared(fi, rec, bytes)
                    guard let t else { add(fi, .required); break fieldBody }
                    // An MVX code (any case) or a manufacturer name of the table, written as the code.
                    let written = tables._withUnsafeGuaranteedRef { tab -> Bool in
                        guard let i = memoizedLookup(fi, t, tab.manufacturers) else { return false }
                        return tab.manufacturers.writeCode(i, into: slot, width: f.length)
                    }
                    if written { break fieldBody }
                    // Well-formed but unknown: written upper-case and flagged; anything else is rejected.
                    if Values.manufacturer(t, out: slot) { add(fi, .codeUnknown) } else { add(fi, .code) }
                }
            }
        }

        if kind == .immunization && !anyVaccine { add(-1, .noVaccine) }
        if knownCPT >= 0 && knownCVX >= 0
            && !tables._withUnsafeGuaranteedRef({ $0.cpt(knownCPT, mapsTo: knownCVX) }) {
            add(fCVX, .codeMismatch)
        }

        // Cross-file rules, on a valid record id only.
        if let patients = rules.patients, idValid {
            if let p = patients.lookup(result.id) {
                result.part = p.part
                if let v = vaccinationDate, v < p.birth { add(fVaccinationDate, .beforeBirth) }
            } else {
                add(fRecordID, .orphan)
            }
        }

        if let b = birth { result.date = b }
        var rejected = false
        for p in problems[firstProblem...] where p.code.severity == .reject { rejected = true; break }
        result.status = rejected ? .rejected : .written
        if !idValid { result.id = IDKey() }
        return result
    }

    /// `idx.lookup(t)` through the field's memo (texts of up to 32 bytes).
    @inline(__always)
    func memoizedLookup(_ fi: Int, _ t: UnsafeBufferPointer<UInt8>, _ idx: CodeSetIndex) -> Int? {
        guard t.count <= 32, let base = t.baseAddress else { return idx.lookup(t) }
        let key = IDKey(base, count: t.count)
        let h = (key.a ^ key.b &* 0x9E37_79B9_7F4A_7C15 ^ key.c ^ key.d) &* 0xBF58_476D_1CE4_E5B9
        let e = memo + fi * RecordWorker.memoWays + Int(truncatingIfNeeded: h >> 60)
        if e.pointee.length == t.count && e.pointee.key == key {
            return e.pointee.code >= 0 ? e.pointee.code : nil
        }
        let found = idx.lookup(t)
        e.pointee = MemoEntry(key: key, length: t.count, code: found ?? -1)
        return found
    }

    @inline(__always)
    func parseDateField(_ t: UnsafeBufferPointer<UInt8>, _ f: FieldSpec) -> DateValue? {
        guard let d = DateValue.parse(trimBlanks(t)) else { return nil }
        if f.asOfBounded && d > asOf { return nil }
        return d
    }

    /// An identifier field: written when valid; E_REQUIRED / E_ID otherwise. Returns validity (false if blank).
    @inline(__always)
    func identifierField(_ fi: Int, _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>,
                         _ out: UnsafeMutablePointer<UInt8>, _ add: (Int, ProblemCode) -> Void,
                         keyInto key: inout IDKey) -> Bool {
        let f = specs[fi]
        let slot = out + f.offset
        guard let t = prepared(fi, rec, bytes).text else {
            if f.requirement == .required { add(fi, .required) }
            return false
        }
        if Values.identifier(t, width: f.length, out: slot) {
            let v = trimBlanks(t)
            key = IDKey(v.baseAddress!, count: v.count)
            return true
        }
        add(fi, .id)
        return false
    }
}

/// Word-at-a-time byte tests for the hot path.
public enum ByteScan {
    @inline(__always) static func broadcast(_ b: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(b) }

    /// True when some byte is >= 0x80 (not ASCII).
    @inlinable
    public static func hasHighByte(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return false }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return true }
            i += 1
        }
        return false
    }

    /// True when every byte is printable ASCII (0x20...0x7E) and none is the grave accent (0x60).
    @inlinable
    public static func isPlainPrintableASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        var i = 0
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte >= 0x80, a byte < 0x20 (exact given no high bytes), 0x7F or 0x60.
            let below20 = (w &- ones &* 0x20) & ~w & high
            let x7f = w ^ (ones &* 0x7F)
            let is7f = (x7f &- ones) & ~x7f & high
            let x60 = w ^ (ones &* 0x60)
            let is60 = (x60 &- ones) & ~x60 & high
            if (w & high) | below20 | is7f | is60 != 0 { return false }
            i += 8
        }
        while i < n {
            let c = base[i]
            if c < 0x20 || c >= 0x7F || c == 0x60 { return false }
            i += 1
        }
        return true
    }
}
