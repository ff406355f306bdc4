// The six CAIR2 fixed-width layouts, as data.
//
// One table per layout, transcribed from the registry's specifications
// (seeds 002, HP Flat File Transfer Specification, and 003, HEDIS/Patient
// Match Flat File Specification). Renderer, decoder, validator, `cair2
// layouts`, the docs and the tests are all loops over these tables.
//
// Spec erratum (PRODUCT.md §1): four tables print a "Total" one more than the
// sum of their field lengths while every start position agrees with the
// lengths. Starts and lengths rule: `dataWidth` is the sum; `statedTotal` is
// what the spec printed, used only by `--pad-to-stated-total` and accepted by
// readers when the extra character is a blank.

/// Which layout a file follows; the raw value is the CLI name.
public enum LayoutKind: String, CaseIterable, Sendable {
    /// The patient file (seed 002), written from the patient extract.
    case patient
    /// The immunization file (seed 002), written from the immunization extract.
    case immunization
    /// The comment file (seed 002), written from the comment extract.
    case comment
    /// The query file (seed 003, HEDIS/Patient Match), written from the query extract.
    case query
    /// The registry's patient return (seed 003), read by `decode`, `validate` and `hedis`.
    case patientReturn = "patient-return"
    /// The registry's immunization return (seed 003), read by `decode`, `validate` and `hedis`.
    case immunizationReturn = "immunization-return"

    /// The layout's table (one of `Layouts`).
    public var layout: Layout {
        switch self {
        case .patient: return Layouts.patient
        case .immunization: return Layouts.immunization
        case .comment: return Layouts.comment
        case .query: return Layouts.query
        case .patientReturn: return Layouts.patientReturn
        case .immunizationReturn: return Layouts.immunizationReturn
        }
    }

    /// True for the layouts we write from member extracts.
    public var isWritten: Bool {
        switch self {
        case .patient, .immunization, .comment, .query: return true
        case .patientReturn, .immunizationReturn: return false
        }
    }
}

/// The spec's R/SE column.
public enum Requirement: String, Sendable {
    /// R: the record cannot be written without it.
    case required = "R"
    /// SE: strongly encouraged.
    case stronglyEncouraged = "SE"
    /// `*` in the immunization table: at least one of the vaccine codes.
    case oneOfVaccineCodes = "*"
    /// Blank in the spec.
    case optional = ""
}

/// How a field's input value is normalized and checked (PRODUCT.md §3).
public enum ValueClass: String, Sendable {
    /// Identifiers: trimmed, printable ASCII without a blank, never cut; a present value that breaks this is `E_ID`.
    case identifier
    /// Names: folded, upper-cased, punctuation removed or turned into word breaks; any other character makes the value
    /// invalid.
    case name
    /// Addresses: folded, upper-cased, only `A-Z 0-9 space # & ' ( ) , - . /` kept (`W_CHARS_REMOVED`), cut to the
    /// width.
    case address
    /// Free text (trade name, lot number, provider, ...): as addresses, with the case kept.
    case freeText = "free-text"
    /// A date written MMDDYYYY; `asOfBounded` fields may not lie after `--as-of`.
    case date
    /// A code of the field's code set, or its description from that table (case-insensitive).
    case code
    /// Y/N fields (disclosed, sharing status).
    case yesNo = "yes-no"
    /// Race flags: written `Y` or blank.
    case raceFlag = "race-flag"
    /// A 10-digit phone number, first digit 2-9, with up to 7 extension digits; otherwise blank + `W_PHONE`.
    case phone
    /// A ZIP code of 5 or 9 digits (blanks and `-` removed); otherwise blank + `W_ZIP`.
    case zip
    /// Never written (PRODUCT.md §3: SSN is dropped).
    case ssn
    /// An NDC code: digits and `-`.
    case ndc
    /// A CPT code: 5 digits.
    case cpt
    /// A CVX code: 1-3 digits.
    case cvx
    /// MVX-style manufacturer code: 1-4 letters or digits.
    case manufacturer
    /// The filler at the end of the patient record: always blanks, not a column.
    case filler
    /// Return files: read as-is.
    case text
}

/// One field of a layout.
public struct Field: Sendable {
    /// Canonical column name (PRODUCT.md §2).
    public let name: String
    /// The column title printed in the spec.
    public let title: String
    /// 1-based start position, as printed in the spec.
    public let start: Int
    /// Width in characters (bytes: the files are ASCII once written).
    public let length: Int
    /// The spec's R/SE column.
    public let requirement: Requirement
    /// The spec's default, written when the input is blank.
    public let defaultValue: String?
    /// How the input value is normalized and checked (PRODUCT.md §3).
    public let valueClass: ValueClass
    /// The CAIR2 code set the value must belong to; nil when the field is checked against none.
    public let codeSet: CodeSetID?
    /// Dates that may not lie after the run's `--as-of` date.
    public let asOfBounded: Bool

    init(_ name: String, _ title: String, _ start: Int, _ length: Int, _ requirement: Requirement,
         _ valueClass: ValueClass, codeSet: CodeSetID? = nil, defaultValue: String? = nil,
         asOfBounded: Bool = false) {
        self.name = name
        self.title = title
        self.start = start
        self.length = length
        self.requirement = requirement
        self.valueClass = valueClass
        self.codeSet = codeSet
        self.defaultValue = defaultValue
        self.asOfBounded = asOfBounded
    }

    /// 0-based byte offset of the field in a line.
    @inlinable public var offset: Int { start - 1 }
    /// True when the field is a column of the canonical CSV (the filler is not).
    public var isColumn: Bool { valueClass != .filler }
}

/// A fixed-width layout: its fields in order, the data width and the spec's printed total.
public struct Layout: Sendable {
    /// Which of the six layouts this is.
    public let kind: LayoutKind
    /// The fields in line order, contiguous from position 1 (the patient layout ends with a filler).
    public let fields: [Field]
    /// The sum of the field lengths: the width of every written line before CR LF.
    public let dataWidth: Int
    /// The "Total" printed in the spec (one more than `dataWidth` in four tables).
    public let statedTotal: Int

    init(_ kind: LayoutKind, statedTotal: Int, _ fields: [Field]) {
        self.kind = kind
        self.fields = fields
        self.dataWidth = fields.reduce(0) { $0 + $1.length }
        self.statedTotal = statedTotal
    }

    /// The canonical CSV columns, in layout order (the filler is not a column).
    public var columns: [Field] { fields.filter(\.isColumn) }

    /// The position of the field named `name` in `fields` (canonical column name), or nil when the layout has none.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
    /// The field named `name` (canonical column name), or nil when the layout has none.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// The six tables.
public enum Layouts {
    /// The six layouts, in `LayoutKind.allCases` order.
    public static let all: [Layout] = LayoutKind.allCases.map(\.layout)

    /// Patient (seed 002): 876 characters of data, stated total 877 (PRODUCT.md §1).
    public static let patient = Layout(.patient, statedTotal: 877, [
        Field("record_id", "Record Identifier", 1, 32, .required, .identifier),
        Field("patient_status", "Patient Status", 33, 1, .required, .code, codeSet: .patientStatus, defaultValue: "A"),
        Field("first_name", "First Name", 34, 50, .required, .name),
        Field("middle_name", "Middle Name", 84, 50, .stronglyEncouraged, .name),
        Field("last_name", "Last Name", 134, 50, .required, .name),
        Field("name_suffix", "Name Suffix", 184, 10, .optional, .name),
        Field("birth_date", "Birth Date", 194, 8, .required, .date, asOfBounded: true),
        Field("death_date", "Death Date", 202, 8, .optional, .date, asOfBounded: true),
        Field("mother_first_name", "Mother's First Name", 210, 50, .stronglyEncouraged, .name),
        Field("mother_maiden_name", "Mother's Maiden Last Name", 260, 50, .stronglyEncouraged, .name),
        Field("mother_hbsag_status", "Mother's HBsAg Status", 310, 1, .optional, .code, codeSet: .motherHBsAg),
        Field("sex", "Sex (Gender)", 311, 1, .stronglyEncouraged, .code, codeSet: .sex),
        Field("race_american_indian", "American Indian or Alaska Native", 312, 1, .optional, .raceFlag),
        Field("race_asian", "Asian", 313, 1, .optional, .raceFlag),
        Field("race_pacific_islander", "Native Hawaiian or Other Pacific Islander", 314, 1, .optional, .raceFlag),
        Field("race_black", "Black or African-American", 315, 1, .optional, .raceFlag),
        Field("race_white", "White", 316, 1, .optional, .raceFlag),
        Field("race_other", "Other Race", 317, 1, .optional, .raceFlag),
        Field("ethnicity", "Ethnicity", 318, 2, .optional, .code, codeSet: .ethnicity),
        Field("ssn", "Social Security Number", 320, 9, .optional, .ssn),
        Field("contact_allowed", "Contact Allowed", 329, 2, .optional, .code, codeSet: .contact, defaultValue: "02"),
        Field("hp_member_id", "HP Member ID", 331, 32, .stronglyEncouraged, .identifier),
        Field("medi_cal_id", "Medi-Cal ID", 363, 20, .stronglyEncouraged, .identifier),
        Field("rp_first_name", "Patient's Responsible Party First Name", 383, 50, .optional, .name),
        Field("rp_middle_name", "Responsible Party Middle Name", 433, 50, .optional, .name),
        Field("rp_last_name", "Responsible Party Last Name", 483, 50, .optional, .name),
        Field("rp_relationship", "Responsible Party Relationship", 533, 3, .optional, .code, codeSet: .relationship),
        Field("street_address", "Street Address Line", 536, 55, .stronglyEncouraged, .address),
        Field("other_address", "Other Address Line", 591, 55, .optional, .address),
        Field("po_box", "PO Box Route Line", 646, 55, .optional, .address),
        Field("city", "City", 701, 52, .stronglyEncouraged, .address),
        Field("state", "State", 753, 2, .stronglyEncouraged, .code, codeSet: .state),
        Field("zip", "Zip Code", 755, 9, .stronglyEncouraged, .zip),
        Field("county", "County", 764, 5, .optional, .code, codeSet: .county),
        Field("phone", "Phone", 769, 17, .stronglyEncouraged, .phone),
        Field("sending_org", "Sending Organization", 786, 12, .required, .identifier),
        Field("disclosed", "Has Patient Been Disclosed?", 798, 1, .required, .yesNo),
        Field("disclosed_date", "Disclosed Date", 799, 8, .required, .date, asOfBounded: true),
        Field("disclosed_by", "Disclosed By", 807, 12, .required, .identifier),
        Field("sharing_status", "Sharing Status", 819, 1, .required, .yesNo, defaultValue: "Y"),
        Field("effective_date", "Effective Date", 820, 8, .required, .date, asOfBounded: true),
        Field("updated_by", "Updated By", 828, 12, .required, .identifier),
        Field("filler", "Filler (required or file will fail)", 840, 37, .required, .filler),
    ])

    /// Immunization (seed 002): 264 characters.
    public static let immunization = Layout(.immunization, statedTotal: 264, [
        Field("record_id", "Record Identifier", 1, 32, .required, .identifier),
        Field("ndc_code", "NDC Code", 33, 13, .oneOfVaccineCodes, .ndc),
        Field("trade_name", "Trade Name", 46, 24, .oneOfVaccineCodes, .freeText),
        Field("cpt_code", "CPT Code", 70, 5, .oneOfVaccineCodes, .cpt),
        Field("cvx_code", "CVX Code", 75, 3, .oneOfVaccineCodes, .cvx),
        Field("vaccine_group", "Vaccine Group", 78, 16, .oneOfVaccineCodes, .freeText),
        Field("vaccination_date", "Vaccination Date", 94, 8, .required, .date, asOfBounded: true),
        Field("route", "Administration Route Code", 102, 2, .optional, .code, codeSet: .adminRoute),
        Field("body_site", "Body Site Code", 104, 4, .optional, .code, codeSet: .bodySite),
        Field("reaction", "Reaction Code", 108, 8, .optional, .code, codeSet: .reaction),
        Field("manufacturer", "Manufacturer Code", 116, 4, .required, .manufacturer),
        Field("info_source", "Immunization Information Source", 120, 2, .required, .code,
              codeSet: .infoSource, defaultValue: "01"),
        Field("lot_number", "Lot Number", 122, 30, .stronglyEncouraged, .freeText),
        Field("provider", "Provider Name or CAIR2ID", 152, 50, .optional, .freeText),
        Field("administered_by", "Administered By Name", 202, 50, .optional, .freeText),
        Field("sending_org", "Sending Organization", 252, 12, .required, .identifier),
        Field("vaccine_eligibility", "Vaccine Eligibility", 264, 1, .stronglyEncouraged, .code,
              codeSet: .vaccineEligibility),
    ])

    /// Comment (seed 002): 54 characters.
    public static let comment = Layout(.comment, statedTotal: 54, [
        Field("record_id", "Record Identifier", 1, 32, .required, .identifier),
        Field("comment_code", "Comment Code", 33, 6, .required, .code, codeSet: .comments),
        Field("begin_date", "Begin Date", 39, 8, .stronglyEncouraged, .date),
        Field("end_date", "End Date", 47, 8, .optional, .date),
    ])

    /// Query (seed 003, HEDIS/Patient Match): 191 characters of data, stated total 192; starts with Patient Type.
    public static let query = Layout(.query, statedTotal: 192, [
        Field("patient_type", "Patient Type", 1, 1, .required, .code, codeSet: .patientType),
        Field("hp_member_id", "HP Member ID", 2, 32, .required, .identifier),
        Field("first_name", "First Name", 34, 50, .required, .name),
        Field("middle_name", "Middle Name", 84, 50, .stronglyEncouraged, .name),
        Field("last_name", "Last Name", 134, 50, .required, .name),
        Field("birth_date", "Birth Date", 184, 8, .required, .date, asOfBounded: true),
    ])

    /// Patient return (seed 003), read: 190 characters of data, stated total 191.
    public static let patientReturn = Layout(.patientReturn, statedTotal: 191, [
        Field("record_id", "Record Identifier", 1, 32, .optional, .text),
        Field("first_name", "First Name", 33, 50, .optional, .text),
        Field("middle_name", "Middle Name", 83, 50, .optional, .text),
        Field("last_name", "Last Name", 133, 50, .optional, .text),
        Field("birth_date", "Birth Date", 183, 8, .optional, .date),
    ])

    /// Immunization return (seed 003), read: 61 characters of data, stated total 62.
    public static let immunizationReturn = Layout(.immunizationReturn, statedTotal: 62, [
        Field("record_id", "Record Identifier", 1, 32, .optional, .text),
        Field("cpt_code", "CPT Code", 33, 5, .optional, .text),
        Field("vaccine_group", "Vaccine Group", 38, 16, .optional, .text),
        Field("vaccination_date", "Vaccine Date Administered", 54, 8, .optional, .date),
    ])
}
