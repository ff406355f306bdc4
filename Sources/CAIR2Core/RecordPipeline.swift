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
    /// The identifier's bytes as four words, zero-padded; all zero for no identifier.
    public var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
    /// The empty key: no identifier.
    public init() {}
    /// Packs up to 32 bytes (identifiers never hold a NUL, so zero padding is unambiguous).
    ///
    /// Word loads, reading only `p[0..<count]`: the keys are built per code cell (the code memo) and per record
    /// id, and a copy into zeroed words read back as words cost a call and a failed store-to-load forward each
    /// (docs/PERFORMANCE.md, session 8).
    @inlinable public init(_ p: UnsafePointer<UInt8>, count: Int) {
        let n = min(count, 32)
        let r = UnsafeRawPointer(p)
        @inline(__always) func word(_ o: Int) -> UInt64 { r.loadUnaligned(fromByteOffset: o, as: UInt64.self) }
        if n < 8 {
            a = IDKey.short(p, n)
            return
        }
        // Whole words, then the last partial word from the 8 bytes that end the key, shifted down.
        @inline(__always) func at(_ i: Int) -> UInt64 {
            let end = i * 8 + 8
            if end <= n { return word(i * 8) }
            let k = n - i * 8
            return k <= 0 ? 0 : word(n - 8) >> UInt64(8 * (8 - k))
        }
        a = word(0); b = at(1); c = at(2); d = at(3)
    }

    /// Fewer than 8 bytes as a word, reading only `p[0..<n]`: two overlapping 4-byte loads, or three single bytes.
    @inlinable @inline(__always) static func short(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        if n >= 4 {
            let r = UnsafeRawPointer(p)
            let lo = UInt64(r.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let hi = UInt64(r.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            return lo | hi << UInt64(8 * (n - 4))
        }
        if n <= 0 { return 0 }
        let m = n >> 1
        return UInt64(p[0]) | UInt64(p[m]) << UInt64(8 * m) | UInt64(p[n - 1]) << UInt64(8 * (n - 1))
    }
    /// True for the empty key (no identifier).
    public var isEmpty: Bool { a == 0 }
    /// Bytes in the identifier (the words hold its bytes in order, and identifiers hold no NUL).
    @inlinable public var count: Int {
        @inline(__always) func bytes(_ w: UInt64) -> Int { w == 0 ? 0 : 8 - w.leadingZeroBitCount / 8 }
        if d != 0 { return 24 + bytes(d) }
        if c != 0 { return 16 + bytes(c) }
        if b != 0 { return 8 + bytes(b) }
        return bytes(a)
    }
    /// The identifier's bytes.
    public var bytes: [UInt8] {
        var words = (a, b, c, d)
        return withUnsafeBytes(of: &words) { w in Array(w.prefix { $0 != 0 }) }
    }
}

/// What the patient file left for the immunization and comment rules: each written patient's birth date
/// and the part it was written to.
public struct PatientIndex: Sendable {
    /// One written patient: what the immunization and comment rules need of it.
    public struct Entry: Sendable {
        /// The patient's birth date (vaccinations before it are rejected).
        public var birth: DateValue
        /// The output part the patient was written to (its immunizations and comments go to the same part).
        public var part: Int32
        /// An entry for a patient born on `birth`, written to part `part`.
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

    /// `insert` with the id's hash computed beforehand (`RecordResult.idHash`, by the worker).
    @inline(__always)
    public mutating func insert(_ id: IDKey, hash: UInt64, _ e: Entry?) -> Bool {
        table.insert(id, hash: hash, value: e.map(PatientIndex.pack) ?? PatientIndex.notWritten)
    }

    /// Where `id`'s slot is, for a prefetch hint a few records ahead of its `insert`: never dereference it.
    @inline(__always) public func prefetchAddress(_ id: IDKey) -> UInt { table.homeAddress(id) }
    /// `prefetchAddress` from the id's hash (`RecordResult.idHash`).
    @inline(__always) public func prefetchAddress(hash: UInt64) -> UInt { table.homeAddress(hash: hash) }

    /// Moves every id of `other`, an index held all in memory, into this one with its entry, as if `insert`ed
    /// here (the ids this index has already are kept as they are). For the index that takes over from a small
    /// one the merge filled while it was being built.
    public mutating func absorb(_ other: PatientIndex) {
        precondition(other.table.runs.isEmpty, "absorb: an index that spilled")
        other.table.table.forEachInHashOrder { key, hash, value in _ = table.insert(key, hash: hash, value: value) }
    }

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
    /// Written to the output; rejected (an `E_` problem); excluded by policy (an `X_` problem).
    case written, rejected, excluded
}

/// What the ordered merge needs from each record.
public struct RecordResult: Sendable {
    /// Written, rejected or excluded; rejected until the worker settles the record.
    public var status: RecordStatus = .rejected
    /// The record's valid `record_id` (empty when it has none): the duplicate rule (only when `structural`) and
    /// the reports, which name it whatever else is wrong with the record (§3c; a query's `hp_member_id`).
    public var id = IDKey()
    /// The birth date (patients) for the cross-file rules.
    public var date = DateValue(year: 0, month: 0, day: 0)
    /// The part the record belongs to (immunizations and comments: their patient's part).
    public var part: Int32 = 0
    /// True once the record was structurally sound (past field count, quote and encoding checks).
    public var structural = false
    /// Bit `i` set: a default filled field `i` (a blank cell or an absent column), for `defaults_applied`.
    public var defaultsApplied: UInt64 = 0
    /// `IDTable.hash(id)` for a patient record with an id (computed by the worker, so the merge, the one serial
    /// stage, only probes the patient index); 0 otherwise.
    public var idHash: UInt64 = 0
    /// A result for a record not yet processed: rejected, no id, not structural.
    public init() {}
}

/// The per-run settings every worker shares.
public struct RecordRules: Sendable {
    /// The input's columns mapped to the layout's fields, with the mapping file's defaults and substitutions.
    public let plan: ColumnPlan
    /// The input's text encoding, from which cells are folded (PRODUCT.md §3).
    public let encoding: TextEncoding
    /// The run's as-of date: birth, death, vaccination, disclosed and effective dates after it are invalid (§3).
    public let asOf: DateValue
    /// Set for immunizations and comments: the written patients of this run.
    public let patients: PatientIndex?
    /// The CDC vaccine code tables and placeholder names (§3b).
    public let codeTables: VaccineCodeTables

    /// Rules for one input; `codeTables` defaults to the bundled CDC snapshot.
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
    /// The mapping file's `values` or `nulls` apply to this field's cells.
    var substitute: Bool
}

/// What `process`'s field loop does with a field before reading its `FieldSpec`: 8 bytes a field, so the loop
/// settles the empty cells (often half of an extract's) without copying the 40-byte spec each time.
struct FieldTriage {
    enum Action: UInt8 {
        /// Nothing, ever: the record id (done first), a filler or a text field.
        case skip
        /// An empty cell (or absent column) is settled: nothing for `blank`, E_REQUIRED for `blankRequired`;
        /// otherwise the field's rules.
        case blank, blankRequired
        /// Always the field's rules (a default, a substitution, or the effective date).
        case rules
    }
    var column: Int32
    var action: Action
}

/// Normalizes, validates and renders records of one layout. One per thread.
public final class RecordWorker {
    /// The settings this worker applies.
    public let rules: RecordRules
    let layout: Layout
    let kind: LayoutKind
    let width: Int
    @exclusivity(unchecked) var raw: [UInt8] = []
    @exclusivity(unchecked) var prep: [UInt8] = []
    /// Indices of fields by role, resolved once.
    let fRecordID: Int
    let fBirth: Int, fDeath: Int, fDisclosed: Int, fDisclosedDate: Int, fEffective: Int
    let fVaccinationDate: Int, fBegin: Int, fEnd: Int
    let fFirstName: Int, fLastName: Int, fCVX: Int
    /// The field the reports take the record's identifier from (`record_id`; a query's `hp_member_id`).
    let fReportID: Int
    /// The mapping file's value translations per field (values prepared like cells) and its null spellings.
    let substitutions: [[(key: [UInt8], value: [UInt8])]]
    let nulls: [[UInt8]]
    /// Fields a default filled in the current record.
    @exclusivity(unchecked) var defaultMask: UInt64 = 0
    /// The CVX and CPT tables as raw memory, and the MVX index (unretained: `rules` keeps the tables alive as long
    /// as the worker).
    let codeLookup: CodeTableLookup
    let manufacturers: Unmanaged<CodeSetIndex>
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
    /// The field loop's first look at each field (see `FieldTriage`).
    let triage: UnsafeMutablePointer<FieldTriage>
    let fieldCount: Int
    /// Prepared defaults, packed: (offset, length) per field into `defaultStorage`.
    let defaultTexts: [(Int, Int)]
    let defaultStorage: UnsafeMutablePointer<UInt8>
    /// The current record holds only printable ASCII other than the grave accent.
    @exclusivity(unchecked) var recordIsPlain = false
    /// When it does not: where its bytes that are not (positions in the input, in order; a quarter of the
    /// records of an extract have an accented name or two), so a field checks its range against a few
    /// positions instead of reading its bytes again. More than `notPlainMax` of them: the field reads its bytes.
    let notPlainAt: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) var notPlainCount = 0
    static let notPlainMax = 8
    /// Folded text of the current field.
    @exclusivity(unchecked) var scratch = ByteBuffer(capacity: 4096)
    /// Per field, the code lookups of the 128 texts seen last (direct-mapped by a hash of the text): an extract
    /// repeats a handful of values per code field (sex, state, status), or a few dozen (California's 58
    /// counties: with 16 entries most county lookups missed and went to the index's binary search).
    struct MemoEntry {
        var key = IDKey()
        var length = -1
        var code = -1  // the code's index, or -1: not a code of the set
    }
    static let memoWays = 128
    let memo: UnsafeMutablePointer<MemoEntry>

    /// A worker for the layout of `rules.plan` (one per thread; it is not `Sendable`).
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
        fReportID = kind == .query ? idx("hp_member_id") : idx("record_id")
        precondition(layout.fields.count <= 64, "defaultsApplied is a 64-bit mask")
        nulls = rules.plan.nulls
        substitutions = rules.plan.substitutions.enumerated().map { (i, list) in
            let foldIt = layout.fields[i].valueClass != .identifier
            return list.map { entry in
                var v: [UInt8] = []
                entry.value.withUnsafeBufferPointer { Folding.fold($0, .utf8, fold: foldIt, into: &v) }
                return (entry.key, v)
            }
        }
        codeLookup = rules.codeTables.lookup
        manufacturers = Unmanaged.passUnretained(rules.codeTables.manufacturers)
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
        notPlainAt = .allocate(capacity: RecordWorker.notPlainMax)
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
                blankIsSimple: f.name != "effective_date" && rules.plan.nulls.isEmpty && rules.plan.substitutions[i].isEmpty,
                blankIsRequired: RecordWorker.blankIsRequired(f),
                substitute: !rules.plan.nulls.isEmpty || !rules.plan.substitutions[i].isEmpty))
        }
        triage = .allocate(capacity: layout.fields.count)
        for i in 0..<layout.fields.count {
            let f = specs[i]
            let action: FieldTriage.Action
            if i == fRecordID || f.valueClass == .filler || f.valueClass == .text {
                action = .skip
            } else if f.hasDefault || !f.blankIsSimple {
                action = .rules
            } else {
                action = f.blankIsRequired ? .blankRequired : .blank
            }
            triage.advanced(by: i).initialize(to: FieldTriage(column: Int32(max(-1, f.column)), action: action))
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
        triage.deallocate()
        defaultStorage.deallocate()
        memo.deallocate()
        notPlainAt.deallocate()
    }

    // MARK: field access

    /// Whether the unquoted field `bytes[start..<end]` (`src`) of a record that is not plain is: from the
    /// positions of the record's bytes that are not, or from the field's bytes when there were too many.
    @inline(__always)
    func fieldIsPlain(_ start: Int, _ end: Int, _ src: UnsafeBufferPointer<UInt8>) -> Bool {
        if notPlainCount > RecordWorker.notPlainMax { return ByteScan.isPlainPrintableASCII(src) }
        for k in 0..<notPlainCount {
            let at = notPlainAt[k]
            if at >= start && at < end { return false }
        }
        return true
    }

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
                if recordIsPlain || fieldIsPlain(f.start, f.end, src) {
                    for c in src where c != 0x20 { nonBlank = true; break }
                } else {
                    for c in src {
                        if !ByteScan.isPlain(c) { simple = false; break }
                        if c != 0x20 { nonBlank = true }
                    }
                }
                if simple {
                    if nonBlank {
                        if !spec.substitute { return (src, false) }
                        if let r = substituted(fi, src) { return (r, false) }
                    }
                } else if let t = foldIntoScratch(src, spec.fold) {
                    if !spec.substitute { return (t, false) }
                    if let r = substituted(fi, t) { return (r, false) }
                }
            } else {
                raw.removeAll(keepingCapacity: true)
                CSVScanner.appendValue(f, in: bytes, to: &raw)
                let t = raw.withUnsafeBufferPointer { foldIntoScratch($0, spec.fold) }
                if let t {
                    if !spec.substitute { return (t, false) }
                    if let r = substituted(fi, t) { return (r, false) }
                }
            }
        }
        if spec.hasDefault {
            defaultMask |= 1 << UInt64(fi)
            let d = defaultTexts[fi]
            return (UnsafeBufferPointer(start: defaultStorage + d.0, count: d.1), true)
        }
        return (nil, false)
    }

    /// The mapping file's `nulls` and `values` applied to a cell's prepared, non-blank text: nil when the cell
    /// counts as blank (a null spelling, or a translation to nothing), else the text to use.
    func substituted(_ fi: Int, _ t: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let v = trimBlanks(t)
        @inline(__always) func equal(_ key: [UInt8]) -> Bool {
            guard key.count == v.count else { return false }
            for i in 0..<v.count where upper(v[i]) != key[i] { return false }
            return true
        }
        for n in nulls where equal(n) { return nil }
        for entry in substitutions[fi] where equal(entry.key) {
            let n = entry.value.count
            guard entry.value.contains(where: { $0 != 0x20 }) else { return nil }
            scratch.reserveDiscarding(n)
            entry.value.withUnsafeBufferPointer { scratch.append(contentsOf: $0) }
            return scratch.bytes
        }
        return t
    }

    /// Folds `src` into the scratch buffer; nil when the result is blank.
    @inline(__always)
    func foldIntoScratch(_ src: UnsafeBufferPointer<UInt8>, _ fold: Bool) -> UnsafeBufferPointer<UInt8>? {
        prep.removeAll(keepingCapacity: true)
        Folding.fold(src, encoding, fold: fold, into: &prep)
        let n = prep.count
        scratch.reserveDiscarding(n)
        var nonBlank = false
        prep.withUnsafeBufferPointer { p in
            let out = scratch.base
            for i in 0..<n { let c = p[i]; out[i] = c; if c != 0x20 { nonBlank = true } }
        }
        scratch.didAppend(n)
        return nonBlank ? scratch.bytes : nil
    }

    // MARK: the record

    /// What the fields of the current record leave for later fields and for the record rules.
    struct RecordState {
        var birth: DateValue?
        var disclosedDate: DateValue?
        var vaccinationDate: DateValue?
        var beginDate: DateValue?
        /// A vaccine code (NDC, trade name, CPT, CVX, vaccine group) survived its rules.
        var anyVaccine = false
        /// Known CPT (its index in the CPT table) and known CVX (its number), for the mismatch rule.
        var knownCPT = -1
        var knownCVX = -1
    }

    /// A field handler's way to report a problem: `add(field, code)`.
    typealias AddProblem = (Int, ProblemCode) -> Void

    /// Processes one record into `out` (a slot of `layout.dataWidth` bytes, blank-filled by the caller),
    /// appending its problems. The steps: structure, the record id, disclosure (patients), the field rules (one
    /// handler per value class), the record rules, the cross-file rules, the record's fate.
    public func process(_ record: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>, ordinal: Int32,
                        out: UnsafeMutablePointer<UInt8>, problems: inout [Problem]) -> RecordResult {
        var result = RecordResult()
        let rec = record.storage.base  // the fields, without retaining the record per access
        let firstProblem = problems.count
        defaultMask = 0
        guard structurallySound(record, bytes, &result, &problems, ordinal: ordinal) else { return result }
        result.structural = true
        @inline(__always) func add(_ field: Int, _ code: ProblemCode) {
            problems.append(Problem(record: ordinal, field: Int16(field), code: code))
        }

        // The record id, for every kind that has one.
        var idValid = false
        if fRecordID >= 0 {
            var id = IDKey()
            idValid = withUnsafeMutablePointer(to: &id) { identifierField(fRecordID, rec, bytes, out, add, keyInto: $0) }
            result.id = id
        }

        // Disclosure first: a member not disclosed gets only X_NOT_DISCLOSED.
        if kind == .patient && prepared(fDisclosed, rec, bytes).text.flatMap({ YesNo.parse($0) }) != true {
            problems.removeSubrange(firstProblem...)
            add(fDisclosed, .notDisclosed)
            result.status = .excluded
            if !idValid { result.id = IDKey() }
            result.defaultsApplied = defaultMask
            if !result.id.isEmpty { result.idHash = IDTable.hash(result.id) }
            return result
        }

        var state = RecordState()
        let triage = self.triage
        for fi in 0..<fieldCount {
            // An empty cell without a default (often half of an extract's cells) skips the field's rules: one
            // well-predicted branch instead of the switch's indirect jump, and no copy of the field's spec.
            let t = triage[fi]
            if t.action != .rules {
                if t.action == .skip { continue }
                let c = Int(t.column)
                if c < 0 || rec[c].end == rec[c].start {
                    if t.action == .blankRequired { add(fi, .required) }
                    continue
                }
            }
            // The spec's class and offset read where the spec is: a copy of the whole spec first had them loaded
            // back from the copy's vector stores (a store-to-load forward on the way to the switch's jump).
            let spec = specs + fi
            let slot = out + spec.pointee.offset
            switch spec.pointee.valueClass {
            case .filler, .text:
                continue
            case .identifier:
                _ = identifierField(fi, rec, bytes, out, add, keyInto: nil)
            case .name: nameField(fi, spec.pointee, slot, rec, bytes, add)
            case .address, .freeText: textField(fi, spec.pointee, slot, rec, bytes, &state, add)
            case .date: dateField(fi, spec.pointee, slot, rec, bytes, &state, add)
            case .code: codeField(fi, spec.pointee, slot, rec, bytes, add)
            case .yesNo: yesNoField(fi, spec.pointee, slot, rec, bytes, add)
            case .raceFlag: raceFlagField(fi, spec.pointee, slot, rec, bytes, add)
            case .phone: phoneField(fi, spec.pointee, slot, rec, bytes, add)
            case .zip: zipField(fi, spec.pointee, slot, rec, bytes, add)
            case .ssn: ssnField(fi, rec, bytes, add)
            case .ndc, .cpt, .cvx: vaccineCodeField(fi, spec.pointee, slot, rec, bytes, &state, add)
            case .manufacturer: manufacturerField(fi, spec.pointee, slot, rec, bytes, add)
            }
        }

        // Record rules: an immunization needs a vaccine code; a known CPT must map to the known CVX.
        if kind == .immunization && !state.anyVaccine { add(-1, .noVaccine) }
        if state.knownCPT >= 0 && state.knownCVX >= 0 && !codeLookup.cpt(state.knownCPT, mapsTo: state.knownCVX) {
            add(fCVX, .codeMismatch)
        }

        // Cross-file rules, on a valid record id only.
        if let patients = rules.patients, idValid {
            if let p = patients.lookup(result.id) {
                result.part = p.part
                if let v = state.vaccinationDate, v < p.birth { add(fVaccinationDate, .beforeBirth) }
            } else {
                add(fRecordID, .orphan)
            }
        }

        // The record's fate.
        if let b = state.birth { result.date = b }
        var rejected = false
        for p in problems[firstProblem...] where p.code.severity == .reject { rejected = true; break }
        result.status = rejected ? .rejected : .written
        if !idValid { result.id = IDKey() }
        if kind == .query, fReportID >= 0 { result.id = reportIdentifier(record, bytes) }
        result.defaultsApplied = defaultMask
        if kind == .patient && !result.id.isEmpty { result.idHash = IDTable.hash(result.id) }
        return result
    }

    /// The structural checks: an open quote, the field count, then the encoding of every field (one pass over a
    /// record of plain printable ASCII, the usual case, settles it and spares every field its preparation). False
    /// when the record fails one: its problems are added, and `result.id` is the report identifier when its own
    /// cell holds a valid one.
    @inline(__always)
    func structurallySound(_ record: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>, _ result: inout RecordResult,
                           _ problems: inout [Problem], ordinal: Int32) -> Bool {
        let firstProblem = problems.count
        @inline(__always) func add(_ field: Int, _ code: ProblemCode) {
            problems.append(Problem(record: ordinal, field: Int16(field), code: code))
        }
        if record.unterminated || record.fieldCount != headerCount {
            // The report identifier below is prepared before this record's bytes were looked at: nothing of the
            // record before may stand for them (a tab in the id was blanked or trimmed depending on whether the
            // worker's previous record had been plain ASCII).
            recordIsPlain = false
            notPlainCount = RecordWorker.notPlainMax + 1
        }
        if record.unterminated {
            add(-1, .unterminatedQuote)
            // Past 1 MiB a record is not read further (§4a), mapped or streamed alike: no identifier then.
            if record.end - record.start <= InputLimits.recordBytes { result.id = reportIdentifier(record, bytes) }
            return false
        }
        if record.fieldCount != headerCount {
            add(-1, .fieldCount)
            result.id = reportIdentifier(record, bytes)
            return false
        }
        // One pass over the whole record, 64 bytes a step, that also notes where it is not plain (`fieldIsPlain`).
        let whole = UnsafeBufferPointer(rebasing: bytes[record.start..<record.end])
        notPlainCount = ByteScan.notPlainOffsets(whole, into: notPlainAt, max: RecordWorker.notPlainMax)
        recordIsPlain = notPlainCount == 0
        for k in 0..<min(notPlainCount, RecordWorker.notPlainMax) { notPlainAt[k] += record.start }
        if recordIsPlain || encoding == .latin1 { return true }
        // A record that decodes as a whole has every field decodable (its delimiters and quotes are ASCII, so a
        // sequence that spans two fields, or a quote, is invalid in both): one pass for the usual record with a
        // few accented letters; the field-by-field check runs only to name the bad fields.
        if notPlainCount <= RecordWorker.notPlainMax && encoding == .utf8 {
            // Every byte >= 0x80 of the record is among the positions noted: decode the sequences they start.
            if notedSequencesDecode(whole, record.start) { return true }
        } else if ByteScan.isDecodable(whole, encoding) {
            return true
        }
        return encodingIsValid(record, bytes, &result, &problems, firstProblem: firstProblem, ordinal: ordinal)
    }

    /// Whether the UTF-8 sequences of `record` (the record's bytes, from input position `start`) that begin at
    /// the noted positions decode; when every byte >= 0x80 was noted, whether the record decodes.
    @inline(__always)
    func notedSequencesDecode(_ record: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
        var next = 0  // the first offset past the last sequence decoded
        for k in 0..<notPlainCount {
            let at = notPlainAt[k] - start
            if at < next || record[at] < 0x80 { continue }
            guard let (_, length) = Folding.decodeUTF8(record, at: at) else { return false }
            next = at + length
        }
        return true
    }

    /// The encoding check of a record that is not plain ASCII, field by field (cold).
    func encodingIsValid(_ record: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>, _ result: inout RecordResult,
                         _ problems: inout [Problem], firstProblem: Int, ordinal: Int32) -> Bool {
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
            if !ok {
                problems.append(Problem(record: ordinal, field: Int16(fieldOfColumn[c]), code: .encoding))
                bad = true
            }
        }
        if bad {
            if !problems[firstProblem...].contains(where: { Int($0.field) == fReportID }) {
                result.id = reportIdentifier(record, bytes)
            }
            return false
        }
        return true
    }

    // MARK: one handler per value class
    //
    // Each takes the field's index and facts, its output slot (blank-filled) and the record's fields; it prepares
    // the cell (or its default), writes the value and reports the field's problems. Inlined into `process`'s
    // loop, so the handlers cost no call.

    /// Names: upper-cased, punctuation rules; placeholder names flagged (patient first and last names, §3b).
    @inline(__always)
    func nameField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                   _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else {
            if f.requirement == .required { add(fi, .required) }
            return
        }
        let o = Values.name(t, width: f.length, out: slot)
        if o.invalid {
            add(fi, f.requirement == .required ? .name : .nameDropped)
        } else if o.empty {
            add(fi, f.requirement == .required ? .required : .nameDropped)
        } else if o.truncated {
            add(fi, .truncated)
        } else if (fi == fFirstName || fi == fLastName) && codeLookup.isPlaceholder(slot, width: f.length) {
            add(fi, .placeholderName)
        }
    }

    /// Addresses (upper-cased) and free text (case kept); a vaccine trade name or group counts as a vaccine code.
    @inline(__always)
    func textField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                   _ bytes: UnsafeBufferPointer<UInt8>, _ state: inout RecordState, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { return }
        let o = Values.text(t, upperCase: f.valueClass == .address, width: f.length, out: slot)
        if o.charsRemoved { add(fi, .charsRemoved) }
        if o.truncated { add(fi, .truncated) }
        if f.requirement == .oneOfVaccineCodes && !o.empty { state.anyVaccine = true }
    }

    /// Dates: parsed, bounded by the as-of date where the field says so, written MMDDYYYY; the effective date
    /// defaults to the disclosed date; a death date before the birth date and an end date before the begin date
    /// are blanked.
    @inline(__always)
    func dateField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                   _ bytes: UnsafeBufferPointer<UInt8>, _ state: inout RecordState, _ add: AddProblem) {
        var value: DateValue?
        if let t = prepared(fi, rec, bytes).text {
            value = parseDateField(t, f)
            if value == nil { add(fi, fi == fEffective || f.requirement == .required ? .date : .dateWarning) }
        } else if fi == fEffective {
            // Blank: the normalized disclosed date, or nothing (E_REQUIRED) when it has none.
            if let d = state.disclosedDate { value = d } else { add(fi, .required) }
        } else if f.requirement == .required {
            add(fi, .required)
        }
        if fi == fDeath, let d = value, let b = state.birth, d < b {
            value = nil
            add(fi, .dateWarning)
        }
        if fi == fEnd, let e = value, let b = state.beginDate, e < b {
            value = nil
            add(fi, .dateWarning)
        }
        if let v = value { v.writeMMDDYYYY(slot) }
        if fi == fBirth { state.birth = value }
        if fi == fDisclosedDate { state.disclosedDate = value }
        if fi == fVaccinationDate { state.vaccinationDate = value }
        if fi == fBegin { state.beginDate = value }
    }

    /// Codes of a code set (a code or a description, any case), through the field's memo; `info_source` "1" is 01.
    @inline(__always)
    func codeField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                   _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else {
            if f.requirement == .required { add(fi, .required) }
            return
        }
        if f.isInfoSource {
            let v = trimBlanks(t)
            if v.count == 1 && v[0] == 0x31 { slot[0] = 0x30; slot[1] = 0x31; return }  // "1" is 01
        }
        // Unmanaged: the indexes live as long as the process; no retain per lookup.
        let written = codeIndexes[fi]!._withUnsafeGuaranteedRef { idx -> Bool in
            guard let i = memoizedLookup(fi, t, idx) else { return false }
            return idx.writeCode(i, into: slot, width: f.length)
        }
        if !written { add(fi, f.requirement == .required ? .code : .codeWarning) }
    }

    /// Yes/no flags, written Y or N.
    @inline(__always)
    func yesNoField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                    _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else {
            if f.requirement == .required { add(fi, .required) }
            return
        }
        if let yes = YesNo.parse(t) {
            slot[0] = yes ? 0x59 : 0x4E
        } else {
            add(fi, f.requirement == .required ? .code : .codeWarning)
        }
    }

    /// Race flags: Y when yes, blank otherwise.
    @inline(__always)
    func raceFlagField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                       _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { return }
        if let yes = YesNo.parse(t) {
            if yes { slot[0] = 0x59 }
        } else {
            add(fi, .codeWarning)
        }
    }

    /// Phone numbers: ten digits and an extension, else blank and W_PHONE.
    @inline(__always)
    func phoneField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                    _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { return }
        if !Values.phone(t, width: f.length, out: slot) { add(fi, .phone) }
    }

    /// Zip codes: 5 or 9 digits, else blank and W_ZIP.
    @inline(__always)
    func zipField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>, _ rec: UnsafeMutablePointer<CSVField>,
                  _ bytes: UnsafeBufferPointer<UInt8>, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { return }
        if !Values.zip(t, out: slot) { add(fi, .zip) }
    }

    /// SSNs are never written: a stated one (not a default) is W_SSN_DROPPED.
    @inline(__always)
    func ssnField(_ fi: Int, _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>,
                  _ add: AddProblem) {
        let (t, fromDefault) = prepared(fi, rec, bytes)
        if t != nil && !fromDefault { add(fi, .ssnDropped) }
    }

    /// NDC, CPT and CVX codes: well-formed ones are written and count as a vaccine code; CPT and CVX are looked up
    /// in the CDC tables (unknown: W_CODE_UNKNOWN, written unchanged) for the mismatch rule.
    @inline(__always)
    func vaccineCodeField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>,
                          _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>,
                          _ state: inout RecordState, _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { return }
        let ok: Bool
        switch f.valueClass {
        case .ndc: ok = Values.ndc(t, out: slot)
        case .cpt: ok = Values.digits(t, min: 5, max: 5, out: slot)
        default: ok = Values.digits(t, min: 1, max: 3, out: slot)
        }
        guard ok else { add(fi, .codeWarning); return }
        state.anyVaccine = true
        // Well-formed: is it in the CDC tables? (written unchanged either way)
        if f.valueClass == .ndc { return }
        var n = 0
        var k = 0
        while k < f.length, slot[k] != 0x20 { n = n &* 10 &+ Int(slot[k] &- 0x30); k += 1 }
        if f.valueClass == .cpt {
            let i = codeLookup.cptIndex(UInt32(truncatingIfNeeded: n))
            if i >= 0 { state.knownCPT = i } else { add(fi, .codeUnknown) }
        } else if codeLookup.isKnownCVX(n) {
            state.knownCVX = n
        } else {
            add(fi, .codeUnknown)
        }
    }

    /// Manufacturers: an MVX code (any case) or a manufacturer name of the table, written as the code, through
    /// the field's memo; well-formed but unknown is written upper-case and flagged; anything else is rejected.
    @inline(__always)
    func manufacturerField(_ fi: Int, _ f: FieldSpec, _ slot: UnsafeMutablePointer<UInt8>,
                           _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>,
                           _ add: AddProblem) {
        guard let t = prepared(fi, rec, bytes).text else { add(fi, .required); return }
        let code = manufacturers._withUnsafeGuaranteedRef { memoizedLookup(fi, t, $0) } ?? -1
        if code >= 0, manufacturers._withUnsafeGuaranteedRef({ $0.writeCode(code, into: slot, width: f.length) }) {
            return
        }
        if Values.manufacturer(t, out: slot) { add(fi, .codeUnknown) } else { add(fi, .code) }
    }

    /// The record's identifier for the reports: the report field's cell (or its default) when it holds a valid
    /// identifier, read without reporting anything; empty otherwise. Cold path (problem records and queries).
    func reportIdentifier(_ record: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>) -> IDKey {
        guard fReportID >= 0 else { return IDKey() }
        let col = specs[fReportID].column
        if col >= record.fieldCount { return IDKey() }
        if col >= 0 {
            let f = record.field(col)
            raw.removeAll(keepingCapacity: true)
            CSVScanner.appendValue(f, in: bytes, to: &raw)
            if raw.contains(where: { $0 >= 0x80 }) { return IDKey() }
        }
        let mask = defaultMask
        defer { defaultMask = mask }
        guard let t = prepared(fReportID, record.storage.base, bytes).text else { return IDKey() }
        let width = specs[fReportID].length
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: width) { slot -> IDKey in
            guard Values.identifier(t, width: width, out: slot.baseAddress!) else { return IDKey() }
            let v = trimBlanks(t)
            return IDKey(v.baseAddress!, count: v.count)
        }
    }

    /// `idx.lookup(t)` through the field's memo (texts of up to 32 bytes).
    @inline(__always)
    func memoizedLookup(_ fi: Int, _ t: UnsafeBufferPointer<UInt8>, _ idx: CodeSetIndex) -> Int? {
        guard t.count <= 32, let base = t.baseAddress else { return idx.lookup(t) }
        let key = IDKey(base, count: t.count)
        let h = (key.a ^ key.b &* 0x9E37_79B9_7F4A_7C15 ^ key.c ^ key.d) &* 0xBF58_476D_1CE4_E5B9
        let e = memo + fi * RecordWorker.memoWays + Int(truncatingIfNeeded: h >> 57)
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
    /// The record id's key goes to `key`; the other identifiers (nil) need none.
    @inline(__always)
    func identifierField(_ fi: Int, _ rec: UnsafeMutablePointer<CSVField>, _ bytes: UnsafeBufferPointer<UInt8>,
                         _ out: UnsafeMutablePointer<UInt8>, _ add: (Int, ProblemCode) -> Void,
                         keyInto key: UnsafeMutablePointer<IDKey>?) -> Bool {
        let f = specs[fi]
        let slot = out + f.offset
        guard let t = prepared(fi, rec, bytes).text else {
            if f.requirement == .required { add(fi, .required) }
            return false
        }
        if Values.identifier(t, width: f.length, out: slot) {
            if let key {
                let v = trimBlanks(t)
                key.pointee = IDKey(v.baseAddress!, count: v.count)
            }
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

    /// `Folding.isDecodable`, eight ASCII bytes at a time.
    @inlinable
    public static func isDecodable(_ b: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding) -> Bool {
        guard encoding == .utf8, let base = b.baseAddress else { return Folding.isDecodable(b, encoding) }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i < n {
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            if base[i] < 0x80 { i += 1; continue }
            guard let (_, len) = Folding.decodeUTF8(b, at: i) else { return false }
            i += len
        }
        return true
    }

    /// Bit 7 set in some byte of the result exactly when some byte of `w` is `b` (the zero-byte test on `w` xor
    /// the byte: a borrow can also flag a byte above a match, so ask whether any is, not which).
    @inlinable @inline(__always)
    public static func anyByte(_ w: UInt64, is b: UInt8) -> UInt64 {
        let x = w ^ (0x0101_0101_0101_0101 &* UInt64(b))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Whether `c` is plain printable ASCII: 0x20...0x7E and not the grave accent 0x60 (which folds to an
    /// apostrophe). The word and vector tests below answer this for 8 and 16 bytes at once.
    @inlinable @inline(__always)
    public static func isPlain(_ c: UInt8) -> Bool { c >= 0x20 && c < 0x7F && c != 0x60 }

    /// Non-zero exactly when some byte of `w` is not plain printable ASCII: >= 0x80, < 0x20 (exact given no
    /// high byte), 0x7F or the grave accent 0x60.
    @inlinable @inline(__always)
    static func notPlain(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let below20 = (w &- 0x2020_2020_2020_2020) & ~w & high
        return (w & high) | below20 | anyByte(w, is: 0x7F) | anyByte(w, is: 0x60)
    }

    /// Not zero in each of the 16 bytes at `p` that is not plain printable ASCII (as `notPlain`): less 0x20,
    /// wrapping, a plain byte is below 0x5F and not 0x40 (the grave accent). The standard library's `SIMD16`,
    /// which the compiler turns into the target's vector compares.
    @inlinable @inline(__always)
    static func notPlain16(_ p: UnsafeRawPointer) -> SIMD16<UInt8> {
        let v = p.loadUnaligned(as: SIMD16<UInt8>.self) &- SIMD16<UInt8>(repeating: 0x20)
        let bad = (v .>= SIMD16<UInt8>(repeating: 0x5F)) .| (v .== SIMD16<UInt8>(repeating: 0x40))
        return SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: bad)
    }

    /// Writes the offsets of the bytes of `b` that are not plain printable ASCII (as `isPlainPrintableASCII`)
    /// to `out`, in order, up to `max` of them; returns how many there are (0: the bytes are plain), or
    /// `max + 1` when there are more. 64 bytes a step, like `isPlainPrintableASCII`; a 16-byte vector with
    /// such bytes gives their offsets from its lanes' bits.
    static func notPlainOffsets(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<Int>, max: Int) -> Int {
        guard let base = b.baseAddress else { return 0 }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var found = 0
        // The offsets of the lanes flagged in `v`, from `at` (lanes below `skip` were looked at already).
        @inline(__always) func note(_ v: SIMD16<UInt8>, _ at: Int, skip: Int = 0) -> Bool {
            let halves = unsafeBitCast(v & SIMD16<UInt8>(repeating: 0x80), to: SIMD2<UInt64>.self)
            var m = (CSVScanner.gather(halves[0]) | CSVScanner.gather(halves[1]) << 8) >> UInt64(skip)
            while m != 0 {
                if found == max { found += 1; return false }
                out[found] = at + m.trailingZeroBitCount
                found += 1
                m &= m &- 1
            }
            return true
        }
        var i = 0
        while i + 64 <= n {
            let p = raw + i
            let a = notPlain16(p), b = notPlain16(p + 16), c = notPlain16(p + 32), d = notPlain16(p + 48)
            if anyLane(a | b | c | d) {
                if !note(a, i) || !note(b, i + 16) || !note(c, i + 32) || !note(d, i + 48) { return found }
            }
            i += 64
        }
        while i + 16 <= n {
            let a = notPlain16(raw + i)
            if anyLane(a) && !note(a, i) { return found }
            i += 16
        }
        if i < n && n >= 16 {
            // The last bytes as the vector that ends the buffer; its lanes before `i` were looked at.
            _ = note(notPlain16(raw + (n - 16)), i, skip: 16 - (n - i))
            return found
        }
        while i < n {
            let c = base[i]
            if !isPlain(c) {
                if found == max { return found + 1 }
                out[found] = i
                found += 1
            }
            i += 1
        }
        return found
    }

    /// True when some byte of `v` is not zero.
    @inlinable @inline(__always)
    static func anyLane(_ v: SIMD16<UInt8>) -> Bool {
        let w = unsafeBitCast(v, to: SIMD2<UInt64>.self)
        return w[0] | w[1] != 0
    }

    /// True when every byte is printable ASCII (0x20...0x7E) and none is the grave accent (0x60).
    @inlinable
    public static func isPlainPrintableASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let n = b.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        if n >= 16 {
            // 64 bytes a step, then 16, then the last 16 bytes as the vector that ends the buffer (it overlaps
            // bytes already checked).
            while i + 64 <= n {
                let p = raw + i
                if anyLane(notPlain16(p) | notPlain16(p + 16) | notPlain16(p + 32) | notPlain16(p + 48)) { return false }
                i += 64
            }
            while i + 16 <= n {
                if anyLane(notPlain16(raw + i)) { return false }
                i += 16
            }
            return i == n || !anyLane(notPlain16(raw + (n - 16)))
        }
        while i + 8 <= n {
            if notPlain(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { return false }
            i += 8
        }
        if i < n && n >= 8 {
            // The last bytes as the word that ends the buffer (it overlaps bytes already checked): a record's
            // last few bytes one at a time were a third of this function's time.
            return notPlain(raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) == 0
        }
        while i < n {
            let c = base[i]
            if !isPlain(c) { return false }
            i += 1
        }
        return true
    }
}

/// What the value rules of one field do to a constant (a mapping default, `--org`, a `values` target), checked
/// before any work (§3c): the reject or blanking code it would get, or nil when it would be written.
public enum ConstantCheck {
    /// The problem code `value` would get as the value of `field` (reject or blanking code), or nil when it would be
    /// written; dates after `asOf` are invalid, codes are checked against `tables`.
    public static func problem(_ value: String, field: Field, asOf: DateValue,
                               tables: VaccineCodeTables = .bundled) -> ProblemCode? {
        var t: [UInt8] = []
        Array(value.utf8).withUnsafeBufferPointer {
            Folding.fold($0, .utf8, fold: field.valueClass != .identifier, into: &t)
        }
        guard t.contains(where: { $0 != 0x20 }) else {
            return field.requirement == .required || field.valueClass == .manufacturer ? .required : nil
        }
        let required = field.requirement == .required
        return t.withUnsafeBufferPointer { p -> ProblemCode? in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(field.length, 64)) { slot -> ProblemCode? in
                let out = slot.baseAddress!
                out.initialize(repeating: 0x20, count: slot.count)
                switch field.valueClass {
                case .identifier:
                    return Values.identifier(p, width: field.length, out: out) ? nil : .id
                case .name:
                    let o = Values.name(p, width: field.length, out: out)
                    if o.invalid { return required ? .name : .nameDropped }
                    if o.empty { return required ? .required : .nameDropped }
                    return nil
                case .address, .freeText:
                    let o = Values.text(p, upperCase: field.valueClass == .address, width: field.length, out: out)
                    return o.empty ? .charsRemoved : nil
                case .date:
                    guard let d = DateValue.parse(trimBlanks(p)), !(field.asOfBounded && d > asOf) else {
                        return required ? .date : .dateWarning
                    }
                    return nil
                case .code:
                    guard let cs = field.codeSet else { return nil }
                    if field.name == "info_source" {
                        let v = trimBlanks(p)
                        if v.count == 1 && v[0] == 0x31 { return nil }
                    }
                    let idx = CodeSetIndex.of(cs)
                    if let i = idx.lookup(p), idx.codes[i].count <= field.length { return nil }
                    return required ? .code : .codeWarning
                case .yesNo:
                    return YesNo.parse(p) != nil ? nil : (required ? .code : .codeWarning)
                case .raceFlag:
                    return YesNo.parse(p) != nil ? nil : .codeWarning
                case .phone:
                    return Values.phone(p, width: field.length, out: out) ? nil : .phone
                case .zip:
                    return Values.zip(p, out: out) ? nil : .zip
                case .ssn:
                    return .ssnDropped
                case .ndc:
                    return Values.ndc(p, out: out) ? nil : .codeWarning
                case .cpt:
                    return Values.digits(p, min: 5, max: 5, out: out) ? nil : .codeWarning
                case .cvx:
                    return Values.digits(p, min: 1, max: 3, out: out) ? nil : .codeWarning
                case .manufacturer:
                    if tables.manufacturers.lookup(p) != nil { return nil }
                    return Values.manufacturer(p, out: out) ? nil : .code
                case .filler, .text:
                    return nil
                }
            }
        }
    }
}
