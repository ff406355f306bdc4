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
            for i in 0..<min(count, 32) { w[i] = p[i] }
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
    var table = IDTable()
    public init() {}
    public var count: Int { table.count }

    public mutating func add(_ id: IDKey, _ e: Entry) {
        table.set(id, value: UInt64(UInt32(bitPattern: e.birth.ymd)) | (UInt64(UInt32(bitPattern: e.part)) << 32))
    }

    public func lookup(_ id: IDKey) -> Entry? {
        guard let v = table.find(id) else { return nil }
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

    public init(plan: ColumnPlan, encoding: TextEncoding, asOf: DateValue, patients: PatientIndex?) {
        self.plan = plan
        self.encoding = encoding
        self.asOf = asOf
        self.patients = patients
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
    let codeIndexes: [CodeSetIndex?]
    /// Prepared defaults per field.
    let preparedDefaults: [[UInt8]?]
    /// Per field: what the hot loop needs (owned; freed in deinit).
    let specs: UnsafeMutablePointer<FieldSpec>
    let fieldCount: Int

    public init(rules: RecordRules) {
        self.rules = rules
        let layout = rules.plan.layout
        self.layout = layout
        kind = layout.kind
        width = layout.dataWidth
        func idx(_ n: String) -> Int { layout.index(of: n) ?? -1 }
        fRecordID = idx("record_id")
        fBirth = idx("birth_date"); fDeath = idx("death_date"); fDisclosed = idx("disclosed")
        fDisclosedDate = idx("disclosed_date"); fEffective = idx("effective_date")
        fVaccinationDate = idx("vaccination_date"); fBegin = idx("begin_date"); fEnd = idx("end_date")
        codeIndexes = layout.fields.map { f in f.codeSet.map { CodeSetIndex.of($0) } }
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
        specs = .allocate(capacity: layout.fields.count)
        for (i, f) in layout.fields.enumerated() {
            let d = preparedDefaults[i]
            specs.advanced(by: i).initialize(to: FieldSpec(
                offset: f.offset, length: f.length, valueClass: f.valueClass, requirement: f.requirement,
                asOfBounded: f.asOfBounded, fold: f.valueClass != .identifier,
                isInfoSource: layout.kind == .immunization && f.name == "info_source",
                column: rules.plan.columnOf[i], hasDefault: d.map { $0.contains { $0 != 0x20 } } ?? false))
        }
    }

    deinit {
        specs.deinitialize(count: fieldCount)
        specs.deallocate()
    }

    // MARK: field access

    /// Calls `body` with the prepared text of field `fi` (nil when blank and without default) and whether it
    /// came from a default.
    @inline(__always)
    func withPrepared<R>(_ fi: Int, _ rec: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>,
                         _ body: (UnsafeBufferPointer<UInt8>?, Bool) -> R) -> R {
        let spec = specs[fi]
        let col = spec.column
        if col >= 0 {
            let f = rec.fields[col]
            let foldIt = spec.fold
            if !f.quoted {
                let src = UnsafeBufferPointer(rebasing: bytes[f.start..<f.end])
                // Fast path: printable ASCII needs no preparation.
                var simple = true
                for c in src where c < 0x20 || c >= 0x7F || c == 0x60 { simple = false; break }
                if simple {
                    if !trimBlanks(src).isEmpty { return body(src, false) }
                } else {
                    prep.removeAll(keepingCapacity: true)
                    Folding.fold(src, rules.encoding, fold: foldIt, into: &prep)
                    if prep.contains(where: { $0 != 0x20 }) { return prep.withUnsafeBufferPointer { body($0, false) } }
                }
            } else {
                raw.removeAll(keepingCapacity: true)
                CSVScanner.appendValue(f, in: bytes, to: &raw)
                prep.removeAll(keepingCapacity: true)
                raw.withUnsafeBufferPointer { Folding.fold($0, rules.encoding, fold: foldIt, into: &prep) }
                if prep.contains(where: { $0 != 0x20 }) { return prep.withUnsafeBufferPointer { body($0, false) } }
            }
        }
        if spec.hasDefault, let d = preparedDefaults[fi] {
            return d.withUnsafeBufferPointer { body($0, true) }
        }
        return body(nil, false)
    }

    // MARK: the record

    /// Processes one record into `out` (a slot of `layout.dataWidth` bytes, blank-filled by the caller),
    /// appending its problems.
    public func process(_ rec: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>, ordinal: Int32,
                        out: UnsafeMutablePointer<UInt8>, problems: inout [Problem]) -> RecordResult {
        var result = RecordResult()
        let firstProblem = problems.count
        @inline(__always) func add(_ field: Int, _ code: ProblemCode) {
            problems.append(Problem(record: ordinal, field: Int16(field), code: code))
        }
        // Structural checks: an open quote, the field count, then the encoding of every field.
        if rec.unterminated { add(-1, .unterminatedQuote); return result }
        if rec.fields.count != rules.plan.headerCount { add(-1, .fieldCount); return result }
        if rules.encoding != .latin1 {
            var bad = false
            for (c, f) in rec.fields.enumerated() {
                var ascii = true
                for i in f.start..<f.end where bytes[i] >= 0x80 { ascii = false; break }
                if ascii { continue }
                var ok = true
                if f.quoted {
                    raw.removeAll(keepingCapacity: true)
                    CSVScanner.appendValue(f, in: bytes, to: &raw)
                    ok = raw.withUnsafeBufferPointer { Folding.isDecodable($0, rules.encoding) }
                } else {
                    ok = Folding.isDecodable(UnsafeBufferPointer(rebasing: bytes[f.start..<f.end]), rules.encoding)
                }
                if !ok { add(rules.plan.fieldOfColumn[c], .encoding); bad = true }
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
            let disclosed: Bool? = withPrepared(fDisclosed, rec, bytes) { t, _ in t.flatMap { YesNo.parse($0) } }
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

        for fi in 0..<fieldCount where fi != fRecordID {
            let f = specs[fi]
            let slot = out + f.offset
            switch f.valueClass {
            case .filler, .text:
                continue
            case .identifier:
                var k = IDKey()
                _ = identifierField(fi, rec, bytes, out, add, keyInto: &k)
            case .name:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { if f.requirement == .required { add(fi, .required) }; return }
                    let o = Values.name(t, width: f.length, out: slot)
                    if o.invalid {
                        add(fi, f.requirement == .required ? .name : .nameDropped)
                    } else if o.empty {
                        add(fi, f.requirement == .required ? .required : .nameDropped)
                    } else if o.truncated {
                        add(fi, .truncated)
                    }
                }
            case .address, .freeText:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { return }
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
                    withPrepared(fi, rec, bytes) { t, fromDefault in
                        guard let t else { return }
                        present = true
                        value = parseDateField(t, f)
                        if value == nil { add(fi, .date) }
                    }
                    if !present {
                        // Blank: the normalized disclosed date, or nothing (E_REQUIRED) when it has none.
                        if let d = disclosedDate { value = d } else { add(fi, .required) }
                    }
                } else {
                    withPrepared(fi, rec, bytes) { t, _ in
                        guard let t else {
                            if f.requirement == .required { add(fi, .required) }
                            return
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
                let idx = codeIndexes[fi]!
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { if f.requirement == .required { add(fi, .required) }; return }
                    var code: [UInt8]?
                    if f.isInfoSource {
                        let v = trimBlanks(t)
                        if v.count == 1 && v[0] == 0x31 { code = Array("01".utf8) }
                    }
                    if code == nil, let i = idx.lookup(t) { code = idx.codes[i] }
                    if let c = code, c.count <= f.length {
                        for (k, b) in c.enumerated() { slot[k] = b }
                    } else {
                        add(fi, f.requirement == .required ? .code : .codeWarning)
                    }
                }
            case .yesNo:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { if f.requirement == .required { add(fi, .required) }; return }
                    if let yes = YesNo.parse(t) {
                        slot[0] = yes ? 0x59 : 0x4E
                    } else {
                        add(fi, f.requirement == .required ? .code : .codeWarning)
                    }
                }
            case .raceFlag:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { return }
                    if let yes = YesNo.parse(t) {
                        if yes { slot[0] = 0x59 }
                    } else {
                        add(fi, .codeWarning)
                    }
                }
            case .phone:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { return }
                    if !Values.phone(t, width: f.length, out: slot) { add(fi, .phone) }
                }
            case .zip:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { return }
                    if !Values.zip(t, out: slot) { add(fi, .zip) }
                }
            case .ssn:
                withPrepared(fi, rec, bytes) { t, fromDefault in
                    if t != nil && !fromDefault { add(fi, .ssnDropped) }
                }
            case .ndc, .cpt, .cvx:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { return }
                    let ok: Bool
                    switch f.valueClass {
                    case .ndc: ok = Values.ndc(t, out: slot)
                    case .cpt: ok = Values.digits(t, min: 5, max: 5, out: slot)
                    default: ok = Values.digits(t, min: 1, max: 3, out: slot)
                    }
                    if ok { anyVaccine = true } else { add(fi, .codeWarning) }
                }
            case .manufacturer:
                withPrepared(fi, rec, bytes) { t, _ in
                    guard let t else { add(fi, .required); return }
                    if !Values.manufacturer(t, out: slot) { add(fi, .code) }
                }
            }
        }

        if kind == .immunization && !anyVaccine { add(-1, .noVaccine) }

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

    @inline(__always)
    func parseDateField(_ t: UnsafeBufferPointer<UInt8>, _ f: FieldSpec) -> DateValue? {
        guard let d = DateValue.parse(trimBlanks(t)) else { return nil }
        if f.asOfBounded && d > rules.asOf { return nil }
        return d
    }

    /// An identifier field: written when valid; E_REQUIRED / E_ID otherwise. Returns validity (false if blank).
    @inline(__always)
    func identifierField(_ fi: Int, _ rec: CSVRecord, _ bytes: UnsafeBufferPointer<UInt8>,
                         _ out: UnsafeMutablePointer<UInt8>, _ add: (Int, ProblemCode) -> Void,
                         keyInto key: inout IDKey) -> Bool {
        let f = specs[fi]
        let slot = out + f.offset
        return withPrepared(fi, rec, bytes) { t, _ in
            guard let t else {
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
}
