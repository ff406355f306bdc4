// Reject, exclusion and warning codes (PRODUCT.md §3). Problems carry the
// record's position, the field and the code; never a field value.

/// What a problem does to its record.
public enum Severity: Sendable {
    /// `E_*`: the record is rejected (not written).
    case reject
    /// `X_*`: the record is excluded by policy (not written).
    case exclude
    /// `W_*`: the record is written with the field changed or blanked.
    case warning
}

/// Every code the converter reports.
public enum ProblemCode: UInt8, CaseIterable, Sendable {
    /// Reject codes (`E_FIELD_COUNT` ... `E_RECORD_TOO_LONG`; `name` spells each): the record is not written.
    case fieldCount, unterminatedQuote, encoding, required, name, date, code, id, duplicateID, noVaccine, orphan,
         beforeBirth, recordTooLong
    /// `X_NOT_DISCLOSED`: a patient whose `disclosed` is not Y, excluded by the registry's statute.
    case notDisclosed
    /// Warning codes (`W_TRUNCATED` ... `W_SSN_DROPPED`): the record is written with the field cut, cleaned or blanked.
    case truncated, nameDropped, charsRemoved, dateWarning, codeWarning, phone, zip, ssnDropped
    /// Flags that leave the field unchanged (§3b).
    case codeUnknown, codeMismatch, placeholderName

    /// The code as reports write it (`E_FIELD_COUNT`, `X_NOT_DISCLOSED`, `W_TRUNCATED`, ...).
    public var name: String {
        switch self {
        case .fieldCount: return "E_FIELD_COUNT"
        case .unterminatedQuote: return "E_UNTERMINATED_QUOTE"
        case .encoding: return "E_ENCODING"
        case .required: return "E_REQUIRED"
        case .name: return "E_NAME"
        case .date: return "E_DATE"
        case .code: return "E_CODE"
        case .id: return "E_ID"
        case .duplicateID: return "E_DUPLICATE_ID"
        case .noVaccine: return "E_NO_VACCINE"
        case .orphan: return "E_ORPHAN"
        case .beforeBirth: return "E_BEFORE_BIRTH"
        case .recordTooLong: return "E_RECORD_TOO_LONG"
        case .notDisclosed: return "X_NOT_DISCLOSED"
        case .truncated: return "W_TRUNCATED"
        case .nameDropped: return "W_NAME_DROPPED"
        case .charsRemoved: return "W_CHARS_REMOVED"
        case .dateWarning: return "W_DATE"
        case .codeWarning: return "W_CODE"
        case .phone: return "W_PHONE"
        case .zip: return "W_ZIP"
        case .ssnDropped: return "W_SSN_DROPPED"
        case .codeUnknown: return "W_CODE_UNKNOWN"
        case .codeMismatch: return "W_CODE_MISMATCH"
        case .placeholderName: return "W_PLACEHOLDER_NAME"
        }
    }

    /// What the code does to its record: rejects it (`E_`), excludes it (`X_`) or is a warning (`W_`).
    public var severity: Severity {
        switch self {
        case .notDisclosed: return .exclude
        case .truncated, .nameDropped, .charsRemoved, .dateWarning, .codeWarning, .phone, .zip, .ssnDropped,
             .codeUnknown, .codeMismatch, .placeholderName:
            return .warning
        default: return .reject
        }
    }

    /// What a person should do about it (the reference in docs/CODES.md says more).
    public var hint: String {
        switch self {
        case .fieldCount: return "fix the row so it has as many fields as the header (check delimiters and quotes)"
        case .unterminatedQuote: return "close the quote; it swallowed the rest of the file"
        case .encoding: return "the bytes are not valid in the input encoding; try --encoding cp1252 or latin1"
        case .required: return "supply the value (or a default with --map/--org)"
        case .name: return "use letters only (accents are folded); digits and symbols are refused"
        case .date: return "use YYYY-MM-DD, M/D/YYYY or 8 digits; a real date from 1900 up to --as-of"
        case .code: return "use a code or description of the field's code set (cair2 layouts)"
        case .id: return "identifiers are printable ASCII without blanks and no longer than the field"
        case .duplicateID: return "record_id must be unique in the patient file; the first occurrence was kept"
        case .noVaccine: return "supply at least one valid NDC, trade name, CPT, CVX or vaccine group"
        case .orphan: return "immunizations and comments need their patient written in the same run"
        case .beforeBirth: return "the vaccination date precedes the patient's birth date"
        case .recordTooLong: return "a record is at most 1 MiB; look for a quote that swallowed line breaks"
        case .notDisclosed: return "only disclosed members may be submitted (registry statute)"
        case .truncated: return "the value was longer than the field and was cut"
        case .nameDropped: return "the optional name was not a valid name and was left blank"
        case .charsRemoved: return "characters outside the allowed set were removed"
        case .dateWarning: return "the optional date was invalid or out of order and was left blank"
        case .codeWarning: return "the optional code was not in its code set (or malformed) and was left blank"
        case .phone: return "a phone is 10 digits (area code 2-9) plus at most 7 extension digits"
        case .zip: return "a zip is 5 or 9 digits"
        case .ssnDropped: return "SSNs are never sent to CAIR2; the value was dropped"
        case .codeUnknown:
            return "written unchanged; check the code (cair2 codes) or refresh the CDC tables (--code-tables)"
        case .codeMismatch: return "written unchanged; the CPT and CVX codes name different vaccines: fix one"
        case .placeholderName: return "written unchanged; send the member's real name once it is known"
        }
    }
}

/// One problem of one record. `field` indexes the layout's fields (-1: no field).
public struct Problem: Sendable {
    /// The record's ordinal within its chunk.
    public var record: Int32
    /// Index of the field in the layout's fields; -1 when the problem concerns no single field.
    public var field: Int16
    /// What is wrong.
    public var code: ProblemCode
    /// Problem `code` of record `record` (ordinal within its chunk) at field index `field` (-1: none).
    public init(record: Int32, field: Int16, code: ProblemCode) {
        self.record = record
        self.field = field
        self.code = code
    }
}

extension ProblemCode {
    /// The report's message for this code on a field of `layout` (-1: none). Never contains a value.
    public func message(field: Int, layout: Layout) -> String {
        let f = field >= 0 ? layout.fields[field] : nil
        switch self {
        case .fieldCount: return "field count differs from the header's (check the delimiter and quotes)"
        case .unterminatedQuote: return "quote left open at end of file; the rest of the file is this record"
        case .encoding: return "bytes not valid in the input encoding (see --encoding)"
        case .required:
            if f?.name == "effective_date" {
                return "required value missing: the effective date defaults to the disclosed date, which is missing or invalid"
            }
            return "required value missing (fill the cell, or give a default with --map or --org)"
        case .name: return "not a valid name (letters, blanks, ' . - , / only)"
        case .date:
            return f?.asOfBounded == true ? "not a real date from 1900 up to the as-of date" : "not a real date from 1900"
        case .code:
            if let cs = f?.codeSet { return "not a code or description of the \(cs.rawValue.lowercased()) code set" }
            return "not a valid \(f?.name ?? "code")"
        case .id: return "identifier must be printable ASCII without blanks, at most \(f?.length ?? 0) characters"
        case .duplicateID: return "record_id already seen earlier in this file; the first one was kept"
        case .noVaccine: return "no vaccine code (NDC, trade name, CPT, CVX, vaccine group) survived validation"
        case .orphan: return "no patient with this record_id was written in this run (missing, rejected or excluded)"
        case .beforeBirth: return "vaccination date before the patient's birth date"
        case .recordTooLong: return "record longer than 1 MiB (from its first line to its row end); not read further"
        case .notDisclosed: return "patient not disclosed; excluded"
        case .truncated: return "value longer than \(f?.length ?? 0) characters; cut"
        case .nameDropped: return "optional name is not a valid name; blanked"
        case .charsRemoved: return "characters outside the allowed set were removed"
        case .dateWarning:
            if f?.name == "death_date" { return "invalid date, or death date before birth date; blanked" }
            if f?.name == "end_date" { return "invalid date, or end date before begin date; blanked" }
            return "invalid optional date; blanked"
        case .codeWarning:
            if let cs = f?.codeSet { return "not a code or description of the \(cs.rawValue.lowercased()) code set; blanked" }
            return "malformed \(f?.name ?? "code"); blanked"
        case .phone: return "not a 10-digit phone (area code 2-9) with at most 7 extension digits; blanked"
        case .zip: return "not 5 or 9 digits; blanked"
        case .ssnDropped: return "SSN is never written; dropped"
        case .codeUnknown:
            switch f?.name {
            case "cvx_code": return "CVX code not in the CDC CVX table; written unchanged"
            case "cpt_code": return "CPT code not in the CDC CPT-to-CVX table; written unchanged"
            default: return "manufacturer code not in the CDC MVX table; written unchanged"
            }
        case .codeMismatch: return "the CDC table does not map this CPT code to this CVX code; both written unchanged"
        case .placeholderName: return "placeholder or newborn name (e.g. BABY BOY); written unchanged"
        }
    }
}
