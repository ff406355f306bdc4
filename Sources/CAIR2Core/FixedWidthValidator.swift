// Checks fixed-width lines (ours or anybody's) against a layout and the value
// rules of PRODUCT.md §3, one line at a time.
//
// The per-field work is planned once from the layout table (which check, where,
// which code set), so checking a line is a loop over small structs and byte
// compares: no strings are built for a clean line. A problem names the line,
// the field and a code, and says what is wrong in words that never quote the
// field's value (member data is PHI).

/// What a validation problem is about. The raw value is the stable code printed in reports.
public enum ValidationCode: String, CaseIterable, Sendable, Comparable {
    /// The line is neither the data width nor the printed total ending in a blank.
    case width = "V_WIDTH"
    /// A byte >= 0x80.
    case nonASCII = "V_NON_ASCII"
    /// A control byte (tab, lone CR, ...) inside the line.
    case control = "V_CONTROL"
    /// An empty line between records.
    case emptyLine = "V_EMPTY_LINE"
    /// A required (R) field is blank.
    case required = "V_REQUIRED"
    /// A value that starts with a blank: fields are left-justified.
    case alignment = "V_ALIGN"
    /// Not a real MMDDYYYY date with year >= 1900.
    case date = "V_DATE"
    /// A date after the as-of date in a field that may not lie in the future.
    case dateAfterAsOf = "V_DATE_AFTER_AS_OF"
    /// Death date before birth date, or comment end date before begin date.
    case dateOrder = "V_DATE_ORDER"
    /// Not a code of the field's code set (exact, upper-case).
    case code = "V_CODE"
    /// A name field holding something other than A-Z and blank.
    case name = "V_NAME"
    /// An identifier that is not printable ASCII without blanks.
    case identifier = "V_ID"
    /// An address field holding something other than A-Z 0-9 blank # & ' ( ) , - . /
    case address = "V_ADDRESS"
    /// A free-text field holding a character outside the address set and a-z.
    case text = "V_TEXT"
    /// A yes/no field that is not Y or N.
    case yesNo = "V_YES_NO"
    /// A race flag that is not Y or blank.
    case raceFlag = "V_RACE_FLAG"
    /// A patient whose disclosed flag is N (the registry statute forbids sending it).
    case notDisclosed = "V_NOT_DISCLOSED"
    /// A zip that is not 5 or 9 digits.
    case zip = "V_ZIP"
    /// A phone that is not 10 digits (first 2-9) plus up to 7 extension digits.
    case phone = "V_PHONE"
    /// An SSN is present: it must never be sent.
    case ssn = "V_SSN"
    /// The patient filler is not blank.
    case filler = "V_FILLER"
    /// An immunization with none of NDC, trade name, CPT, CVX, vaccine group.
    case noVaccine = "V_NO_VACCINE"
    /// An NDC code that is not digits and '-'.
    case ndc = "V_NDC"
    /// A CPT code that is not 5 digits.
    case cpt = "V_CPT"
    /// A CVX code that is not 1-3 digits.
    case cvx = "V_CVX"
    /// A manufacturer code that is not 1-4 upper-case letters or digits.
    case manufacturer = "V_MANUFACTURER"
    /// A well-formed CVX, CPT or MVX code that the CDC tables do not hold (§3b).
    case codeUnknown = "V_CODE_UNKNOWN"
    /// A known CPT code and a known CVX code that the CPT table does not map to each other.
    case codeMismatch = "V_CODE_MISMATCH"
    /// A first or last name that is a placeholder or newborn name (BABY BOY, UNKNOWN, ...).
    case placeholderName = "V_PLACEHOLDER_NAME"

    /// A short description for report headings.
    public var summary: String {
        switch self {
        case .width: return "line of the wrong width"
        case .nonASCII: return "non-ASCII byte"
        case .control: return "control character in a line"
        case .emptyLine: return "empty line between records"
        case .required: return "required field is blank"
        case .alignment: return "value not left-justified"
        case .date: return "not a real MMDDYYYY date (year 1900 or later)"
        case .dateAfterAsOf: return "date after the as-of date"
        case .dateOrder: return "dates out of order"
        case .code: return "not a code of the field's code set"
        case .name: return "name holds characters other than A-Z and blank"
        case .identifier: return "identifier not printable ASCII without blanks"
        case .address: return "address holds characters outside A-Z 0-9 blank # & ' ( ) , - . /"
        case .text: return "free text holds characters outside the allowed set"
        case .yesNo: return "yes/no field not Y or N"
        case .raceFlag: return "race flag not Y or blank"
        case .notDisclosed: return "patient not disclosed"
        case .zip: return "zip not 5 or 9 digits"
        case .phone: return "phone not 10 digits plus up to 7 extension digits"
        case .ssn: return "SSN present (must be blank)"
        case .filler: return "filler not blank"
        case .noVaccine: return "no vaccine code"
        case .ndc: return "NDC code not digits and '-'"
        case .cpt: return "CPT code not 5 digits"
        case .cvx: return "CVX code not 1-3 digits"
        case .manufacturer: return "manufacturer code not 1-4 letters or digits"
        case .codeUnknown: return "code not in the CDC tables"
        case .codeMismatch: return "CPT and CVX codes name different vaccines"
        case .placeholderName: return "placeholder or newborn name"
        }
    }

    /// Orders codes by their text (`V_CODE_MISMATCH` before `V_DATE`), as reports list them.
    public static func < (a: ValidationCode, b: ValidationCode) -> Bool { a.rawValue < b.rawValue }
}

/// One problem on one line. `message` describes the fault without the value.
public struct ValidationProblem: Equatable, Sendable {
    /// The 1-based line number in the file.
    public let line: Int
    /// Canonical field name; empty for line-level problems.
    public let field: String
    /// What is wrong.
    public let code: ValidationCode
    /// The fault in words, without the value.
    public let message: String

    /// A problem on line `line` of field `field` (empty for the whole line).
    public init(line: Int, field: String, code: ValidationCode, message: String) {
        self.line = line
        self.field = field
        self.code = code
        self.message = message
    }
}

/// The line-level problems for a line the reader could not accept.
public func validationProblems(line: Int, defects: [LineDefect], layout: Layout) -> [ValidationProblem] {
    defects.map { defect in
        switch defect {
        case .emptyLine:
            return ValidationProblem(line: line, field: "", code: .emptyLine, message: "empty line between records")
        case .wrongWidth(let actual):
            let what = actual.map { "line is \($0) characters" } ?? "line is longer than any \(layout.kind.rawValue) line"
            let expected = layout.statedTotal == layout.dataWidth + 1
                ? "\(layout.dataWidth) (or \(layout.statedTotal) ending in a blank)" : "\(layout.dataWidth)"
            return ValidationProblem(line: line, field: "", code: .width, message: "\(what); expected \(expected)")
        case .nonASCII(let column):
            return ValidationProblem(line: line, field: fieldName(at: column, layout), code: .nonASCII,
                                     message: "non-ASCII byte at column \(column)")
        case .controlCharacter(let column):
            return ValidationProblem(line: line, field: fieldName(at: column, layout), code: .control,
                                     message: "control character at column \(column)")
        }
    }
}

/// The field holding a 1-based column, or "" past the data width.
private func fieldName(at column: Int, _ layout: Layout) -> String {
    layout.fields.first { column >= $0.start && column < $0.start + $0.length }?.name ?? ""
}

/// Exact membership in one code set for a fixed-width field: a code is the
/// field's right-trimmed bytes, compared case-sensitively (files hold codes
/// upper-case). Codes are packed into a UInt64, so a lookup allocates nothing.
/// Codes longer than the field (the spec's DPERM10-DPERM14 in a 6-character
/// field) can never appear in it and are left out.
public struct ExactCodeSet: Sendable {
    /// The code set the codes come from.
    public let id: CodeSetID
    /// The codes that fit the field, in the spec's order.
    public let codes: [String]
    private let packed: Set<UInt64>
    private let maxLength: Int

    /// `maxLength` is the field's length (at most 8).
    public init(_ id: CodeSetID, maxLength: Int = 8) {
        precondition(maxLength >= 1 && maxLength <= 8, "codes are packed into 8 bytes")
        self.id = id
        self.maxLength = maxLength
        let fitting = id.entries.map(\.code).filter { $0.utf8.count <= maxLength }
        self.codes = fitting
        self.packed = Set(fitting.map { code in
            code.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        })
    }

    /// True when the bytes are exactly one of the codes.
    @inlinable public func contains(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let key = pack(raw) else { return false }
        return containsPacked(key)
    }

    /// True when `code` is exactly one of the codes.
    public func contains(_ code: String) -> Bool {
        Array(code.utf8).withUnsafeBytes { contains($0) }
    }

    @usableFromInline func pack(_ raw: UnsafeRawBufferPointer) -> UInt64? {
        guard !raw.isEmpty && raw.count <= maxLength else { return nil }
        var key: UInt64 = 0
        for b in raw { key = key << 8 | UInt64(b) }
        return key
    }

    @usableFromInline func containsPacked(_ key: UInt64) -> Bool { packed.contains(key) }
}

/// Checks accepted lines of one layout field by field.
public struct FixedWidthValidator: Sendable {
    /// The layout the lines follow.
    public let layout: Layout
    /// Dates of `asOfBounded` fields may not lie after this day (YYYYMMDD as an integer, e.g. 20250131).
    public let asOf: Int?
    private let checks: [FieldCheck]
    private let vaccineFields: [Field]
    private let deathBirth: (death: Field, birth: Field)?
    private let endBegin: (end: Field, begin: Field)?
    private let disclosed: Field?
    /// The CDC tables for the code checks of §3b (nil: shape checks only).
    public let codeTables: VaccineCodeTables?
    private let cpt: Field?, cvx: Field?
    private let placeholderFields: [Field]

    private enum Check: Sendable {
        case identifier, name, address, freeText, date, code(ExactCodeSet), yesNo, raceFlag, phone, zip
        case ssn, ndc, cpt, cvx, manufacturer, filler, text
    }

    private struct FieldCheck: Sendable {
        let field: Field
        let check: Check
    }

    /// A validator of `layout`'s lines: `asOf` (YYYYMMDD) bounds the dates of `asOfBounded` fields when given;
    /// `codeTables` (nil: shape checks only) checks CVX, CPT and MVX codes and placeholder names (PRODUCT.md §3b).
    public init(layout: Layout, asOf: Int? = nil, codeTables: VaccineCodeTables? = .bundled) {
        self.layout = layout
        self.asOf = asOf
        self.codeTables = codeTables
        cpt = layout.kind == .immunization ? layout.field("cpt_code") : nil
        cvx = layout.kind == .immunization ? layout.field("cvx_code") : nil
        placeholderFields = layout.kind == .patient ? ["first_name", "last_name"].compactMap { layout.field($0) } : []
        self.checks = layout.fields.map { f in
            let check: Check
            switch f.valueClass {
            case .identifier: check = .identifier
            case .name: check = .name
            case .address: check = .address
            case .freeText: check = .freeText
            case .date: check = .date
            case .code:
                check = f.codeSet.map { .code(ExactCodeSet($0, maxLength: Swift.min(f.length, 8))) } ?? .text
            case .yesNo: check = .yesNo
            case .raceFlag: check = .raceFlag
            case .phone: check = .phone
            case .zip: check = .zip
            case .ssn: check = .ssn
            case .ndc: check = .ndc
            case .cpt: check = .cpt
            case .cvx: check = .cvx
            case .manufacturer: check = .manufacturer
            case .filler: check = .filler
            case .text: check = .text
            }
            return FieldCheck(field: f, check: check)
        }
        self.vaccineFields = layout.fields.filter { $0.requirement == .oneOfVaccineCodes }
        if let d = layout.field("death_date"), let b = layout.field("birth_date") {
            deathBirth = (d, b)
        } else {
            deathBirth = nil
        }
        if let e = layout.field("end_date"), let b = layout.field("begin_date") {
            endBegin = (e, b)
        } else {
            endBegin = nil
        }
        disclosed = layout.kind == .patient ? layout.field("disclosed") : nil
    }

    /// Appends the problems of one accepted line to `problems`; returns how many it added.
    @discardableResult
    public func check(_ record: FixedWidthRecord, into problems: inout [ValidationProblem]) -> Int {
        let before = problems.count
        let line = record.line
        func add(_ field: Field, _ code: ValidationCode, _ message: String) {
            problems.append(ValidationProblem(line: line, field: field.name, code: code, message: message))
        }
        for c in checks {
            let f = c.field
            let raw = record.rawValue(f)
            if case .filler = c.check {
                if !raw.isEmpty { add(f, .filler, "filler holds non-blank characters") }
                continue
            }
            if case .ssn = c.check {
                if !raw.isEmpty { add(f, .ssn, "SSN field is not blank") }
                continue
            }
            if raw.isEmpty {
                if f.requirement == .required { add(f, .required, "required field is blank") }
                continue
            }
            if raw[0] == 0x20 {
                add(f, .alignment, "value starts with a blank")
                continue
            }
            switch c.check {
            case .identifier:
                if !raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { add(f, .identifier, "identifier holds a blank") }
            case .name:
                if !raw.allSatisfy({ isUpper($0) || $0 == 0x20 }) {
                    add(f, .name, "name holds characters other than A-Z and blank")
                }
            case .address:
                if !raw.allSatisfy({ isUpper($0) || isDigit($0) || isAddressPunctuation($0) }) {
                    add(f, .address, "address holds characters outside A-Z 0-9 blank # & ' ( ) , - . /")
                }
            case .freeText:
                if !raw.allSatisfy({ isUpper($0) || isLower($0) || isDigit($0) || isAddressPunctuation($0) }) {
                    add(f, .text, "text holds characters outside letters, digits, blank # & ' ( ) , - . /")
                }
            case .date:
                guard let day = Self.dayNumber(raw) else {
                    add(f, .date, "not a real MMDDYYYY date with year 1900 or later")
                    continue
                }
                if f.asOfBounded, let asOf, day > asOf { add(f, .dateAfterAsOf, "date is after the as-of date") }
            case .code(let set):
                if !set.contains(raw) { add(f, .code, "not a code of the \(set.id.rawValue) code set") }
            case .yesNo:
                if !(raw.count == 1 && (raw[0] == UInt8(ascii: "Y") || raw[0] == UInt8(ascii: "N"))) {
                    add(f, .yesNo, "expected Y or N")
                }
            case .raceFlag:
                if !(raw.count == 1 && raw[0] == UInt8(ascii: "Y")) { add(f, .raceFlag, "expected Y or blank") }
            case .phone:
                if !(raw.count >= 10 && raw.allSatisfy(isDigit) && raw[0] >= UInt8(ascii: "2")) {
                    add(f, .phone, "expected 10 digits (first 2-9) and up to 7 extension digits")
                }
            case .zip:
                if !((raw.count == 5 || raw.count == 9) && raw.allSatisfy(isDigit)) {
                    add(f, .zip, "expected 5 or 9 digits")
                }
            case .ndc:
                if !(raw.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "-") } && raw.contains(where: isDigit)) {
                    add(f, .ndc, "expected digits and '-'")
                }
            case .cpt:
                if !(raw.count == 5 && raw.allSatisfy(isDigit)) {
                    add(f, .cpt, "expected 5 digits")
                } else if let t = codeTables, t.cptIndex(UInt32(Self.number(raw))) == nil {
                    add(f, .codeUnknown, "CPT code not in the CDC CPT-to-CVX table")
                }
            case .cvx:
                if !raw.allSatisfy(isDigit) {
                    add(f, .cvx, "expected 1 to 3 digits")
                } else if let t = codeTables, !t.isKnownCVX(Self.number(raw)) {
                    add(f, .codeUnknown, "CVX code not in the CDC CVX table")
                }
            case .manufacturer:
                if !raw.allSatisfy({ isUpper($0) || isDigit($0) }) {
                    add(f, .manufacturer, "expected 1 to 4 upper-case letters or digits")
                } else if let t = codeTables, !Self.isMVXCode(raw, t) {
                    add(f, .codeUnknown, "manufacturer code not in the CDC MVX table")
                }
            case .text, .filler, .ssn:
                break
            }
        }
        if let t = codeTables {
            if let cpt, let cvx {
                let p = record.rawValue(cpt), v = record.rawValue(cvx)
                if p.count == 5, p.allSatisfy(isDigit), !v.isEmpty, v.allSatisfy(isDigit),
                   let i = t.cptIndex(UInt32(Self.number(p))), t.isKnownCVX(Self.number(v)),
                   !t.cpt(i, mapsTo: Self.number(v)) {
                    add(cvx, .codeMismatch, "the CDC table does not map this CPT code to this CVX code")
                }
            }
            for f in placeholderFields {
                let raw = record.rawValue(f)
                if !raw.isEmpty, raw.count <= 16, raw.allSatisfy({ isUpper($0) || $0 == 0x20 }),
                   t.isPlaceholder(name: String(decoding: raw, as: UTF8.self)) {
                    add(f, .placeholderName, "placeholder or newborn name; send the real name once known")
                }
            }
        }
        if !vaccineFields.isEmpty && vaccineFields.allSatisfy({ record.rawValue($0).isEmpty }) {
            problems.append(ValidationProblem(line: line, field: "", code: .noVaccine,
                                              message: "none of the vaccine code fields is filled"))
        }
        if let disclosed, record.rawValue(disclosed).elementsEqual([UInt8(ascii: "N")]) {
            add(disclosed, .notDisclosed, "patient is not disclosed; the registry statute forbids sending it")
        }
        if let (death, birth) = deathBirth, let d = Self.dayNumber(record.rawValue(death)),
           let b = Self.dayNumber(record.rawValue(birth)), d < b {
            add(death, .dateOrder, "death date is before the birth date")
        }
        if let (end, begin) = endBegin, let e = Self.dayNumber(record.rawValue(end)),
           let b = Self.dayNumber(record.rawValue(begin)), e < b {
            add(end, .dateOrder, "end date is before the begin date")
        }
        return problems.count - before
    }

    /// Digits as a number (at most 9 of them are read).
    static func number(_ raw: UnsafeRawBufferPointer) -> Int {
        raw.prefix(9).reduce(0) { $0 * 10 + Int($1 &- 0x30) }
    }

    /// An exact MVX code of the table (names are not codes in a fixed-width file).
    static func isMVXCode(_ raw: UnsafeRawBufferPointer, _ t: VaccineCodeTables) -> Bool {
        let b = raw.bindMemory(to: UInt8.self)
        guard let i = t.manufacturers.lookup(b) else { return false }
        return t.manufacturers.codes[i].elementsEqual(b)
    }

    /// The problems of one accepted line.
    public func check(_ record: FixedWidthRecord) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        check(record, into: &problems)
        return problems
    }

    /// An MMDDYYYY date as the integer YYYYMMDD when it is a real calendar date
    /// with year >= 1900; nil otherwise.
    public static func dayNumber(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard raw.count == 8 && raw.allSatisfy(isDigit) else { return nil }
        func digits(_ from: Int, _ n: Int) -> Int {
            var v = 0
            for i in from..<(from + n) { v = v * 10 + Int(raw[i] - 0x30) }
            return v
        }
        // The converter's calendar (DateValue.make), with the same year >= 1900 rule.
        guard let d = DateValue.make(digits(4, 4), digits(0, 2), digits(2, 2)), d.year >= 1900 else { return nil }
        return Int(d.ymd)
    }

    /// The same for a String (tests and tools).
    public static func dayNumber(_ text: String) -> Int? {
        Array(text.utf8).withUnsafeBytes { dayNumber($0) }
    }
}

/// Blank and the punctuation the address class keeps (the converter's own set, Values.isAddressPunct).
@inline(__always) private func isAddressPunctuation(_ b: UInt8) -> Bool {
    b == 0x20 || Values.isAddressPunct(b)
}
