// The HEDIS CIS and IMA rules of PRODUCT.md section 7, as pure functions.
//
// Read next to the contract:
// - `birthday(_:_:)`: the Nth birthday; February 29 becomes February 28 in a year that is not a leap year.
// - `days(from:to:)`: calendar days, `later - earlier`.
// - `isEligible`: the measure's last birthday (2nd, 13th) falls in the year.
// - `evaluate`: counted doses and met flags of every antigen, then the combos; a dose dated before birth or
//   after the last birthday never counts; doses of one antigen on one date are one dose; comment evidence
//   (begin date on or before the last birthday) meets an antigen; MMR by immunity needs all three.
// - `matchStatus` and `assess`: the five match statuses and the birth-date identity rule (registry doses
//   count only when every return row of the member has the member's birth date), and the three views
//   (plan only, registry only, both).

import CAIR2Core

// MARK: - Dates

/// Calendar days from `earlier` to `later` (`later - earlier`; negative when `later` is earlier).
public func days(from earlier: DateValue, to later: DateValue) -> Int { later.daysSince1970 - earlier.daysSince1970 }

/// The member's Nth birthday; a member born on February 29 has it on February 28 in a year that is not a
/// leap year.
public func birthday(_ birth: DateValue, _ n: Int) -> DateValue {
    let year = birth.year + n
    if birth.month == 2 && birth.day == 29 && !DateValue.isLeap(year) {
        return DateValue(year: year, month: 2, day: 28)
    }
    return DateValue(year: year, month: birth.month, day: birth.day)
}

/// True when the measure's last birthday (CIS: 2nd, IMA: 13th) falls in `year`.
public func isEligible(birth: DateValue, measure: Measure, year: Int) -> Bool {
    birthday(birth, measure.lastBirthday).year == year
}

// MARK: - Doses and evidence

/// Where a dose came from.
public enum DoseOrigin: Sendable, Equatable {
    /// The plan's own claims and encounters (`--immunizations`).
    case plan
    /// The registry's immunization return.
    case registry
}

/// One dose: its date, the products its codes count for (from `ValueSets`), and its origin.
public struct Dose: Sendable, Equatable {
    /// The day the dose was given.
    public var date: DateValue
    /// The products the dose's codes count for (a combination vaccine counts for several).
    public var products: ProductSet
    /// Whether the plan's data or the registry's return gave the dose.
    public var origin: DoseOrigin
    /// A dose of `products` given on `date`, from `origin`.
    public init(date: DateValue, products: ProductSet, origin: DoseOrigin) {
        self.date = date
        self.products = products
        self.origin = origin
    }
}

/// One comment of the plan's extract, already mapped through `CommentCodes`.
public struct CommentEvidence: Sendable, Equatable {
    /// The antigen the comment can meet.
    public var antigen: Antigen
    /// What the comment says: immunity (or one part of MMR immunity), anaphylaxis or encephalopathy.
    public var evidence: Evidence
    /// Nil when the comment's begin date is blank or invalid: then it never counts.
    public var begin: DateValue?
    /// A comment meeting `antigen` by `evidence` from `begin` (nil: it never counts).
    public init(antigen: Antigen, evidence: Evidence, begin: DateValue?) {
        self.antigen = antigen
        self.evidence = evidence
        self.begin = begin
    }
}

/// The settings of one run.
public struct MeasureRules: Sendable {
    /// CIS or IMA.
    public var measure: Measure
    /// IMA: the birthday from which a meningococcal dose counts (11, or 10 with `--mening-from 10`).
    public var meningFrom: Int
    /// Rules for `measure`; `meningFrom` (10 or 11) only matters for IMA.
    public init(measure: Measure, meningFrom: Int = 11) {
        self.measure = measure
        self.meningFrom = meningFrom
    }
}

/// One antigen's outcome.
public struct AntigenStatus: Sendable, Equatable {
    /// Doses that count (one per date).
    public var doses: Int
    /// True when the antigen's rule is met (dose count, intervals, or comment evidence).
    public var met: Bool
    /// An outcome of `doses` counted doses, met or not.
    public init(doses: Int, met: Bool) {
        self.doses = doses
        self.met = met
    }
}

/// One member's outcome in one view (plan only, registry only, or both).
public struct MeasureResult: Sendable, Equatable {
    /// The measure whose antigens and combos the arrays follow.
    public let measure: Measure
    /// In `measure.antigens` order.
    public var antigens: [AntigenStatus]
    /// In `measure.combos` order.
    public var combos: [Bool]

    /// The outcome for antigen `a` (which must belong to `measure`).
    public func status(_ a: Antigen) -> AntigenStatus {
        antigens[measure.antigens.firstIndex(of: a)!]
    }

    /// True when combo `c` (which must belong to `measure`) is met.
    public func met(_ c: Combo) -> Bool { combos[measure.combos.firstIndex(of: c)!] }

    /// True when the largest combo (CIS Combo 10, IMA Combo 2) is met.
    public var largestComboMet: Bool { combos.last! }

    /// The unmet antigens of the largest combo, in report order.
    public var missing: [Antigen] {
        measure.combos.last!.antigens.filter { !status($0).met }
    }
}

/// Counted doses and met flags of every antigen of the measure, and its combos (PRODUCT.md section 7).
public func evaluate(birth: DateValue, doses: [Dose], evidence: [CommentEvidence], rules: MeasureRules) -> MeasureResult {
    let measure = rules.measure
    let last = birthday(birth, measure.lastBirthday)
    // The distinct dates each product was given on, within birth...last birthday.
    var dates: [Product: Set<DateValue>] = [:]
    for dose in doses where dose.date >= birth && dose.date <= last {
        for p in dose.products.products { dates[p, default: []].insert(dose.date) }
    }
    func on(_ p: Product, where keep: (DateValue) -> Bool) -> Set<DateValue> {
        (dates[p] ?? []).filter(keep)
    }
    let age = { (d: DateValue) in days(from: birth, to: d) }
    var status: [Antigen: AntigenStatus] = [:]
    func count(_ a: Antigen, _ ds: Set<DateValue>, needs n: Int) {
        status[a] = AntigenStatus(doses: ds.count, met: ds.count >= n)
    }
    switch measure {
    case .cis:
        let first = birthday(birth, 1)
        // DTaP 4, IPV 3, HiB 3, PCV 4: doses 42 days or more after birth.
        count(.dtap, on(.dtap) { age($0) >= 42 }, needs: 4)
        count(.ipv, on(.ipv) { age($0) >= 42 }, needs: 3)
        count(.hib, on(.hib) { age($0) >= 42 }, needs: 3)
        count(.pcv, on(.pcv) { age($0) >= 42 }, needs: 4)
        // HepB 3 from birth (the newborn dose counts).
        count(.hepb, on(.hepb) { _ in true }, needs: 3)
        // MMR, VZV, HepA 1: on or between the 1st and 2nd birthdays.
        count(.mmr, on(.mmr) { $0 >= first }, needs: 1)
        count(.vzv, on(.vzv) { $0 >= first }, needs: 1)
        count(.hepa, on(.hepa) { $0 >= first }, needs: 1)
        // RV (42 days or more after birth): 2 RV2, or 3 RV3, or 1 RV2 and 2 RV3. One RV dose per date; a date
        // that has both products counts as the three-dose one (the stricter reading of a conflicting date).
        let rv3 = on(.rv3) { age($0) >= 42 }
        let rv2 = on(.rv2) { age($0) >= 42 }.subtracting(rv3)
        status[.rv] = AntigenStatus(doses: rv2.count + rv3.count,
                                    met: rv2.count >= 2 || rv3.count >= 3 || (rv2.count >= 1 && rv3.count >= 2))
        // Flu 2: doses 180 days or more after birth; a LAIV dose only when given on the 2nd birthday.
        let flu = on(.flu) { age($0) >= 180 }.union(on(.fluLAIV) { $0 == last && age($0) >= 180 })
        count(.flu, flu, needs: 2)
    case .ima:
        // Men 1: on or between the 11th (or 10th) and 13th birthdays.
        count(.men, on(.men) { $0 >= birthday(birth, rules.meningFrom) }, needs: 1)
        // Tdap 1: on or between the 10th and 13th birthdays.
        count(.tdap, on(.tdap) { $0 >= birthday(birth, 10) }, needs: 1)
        // HPV: on or between the 9th and 13th birthdays, 2 doses at least 146 days apart, or 3 doses.
        let hpv = on(.hpv) { $0 >= birthday(birth, 9) }.sorted()
        let spaced = hpv.count >= 2 && days(from: hpv.first!, to: hpv.last!) >= 146
        status[.hpv] = AntigenStatus(doses: hpv.count, met: hpv.count >= 3 || spaced)
    }
    // Comment evidence: begin date on or before the last birthday. MMR by immunity needs all three diseases.
    var immunities = Set<Evidence>()
    for e in evidence {
        guard let begin = e.begin, begin <= last, status[e.antigen] != nil else { continue }
        switch e.evidence {
        case .immunityMeasles, .immunityMumps, .immunityRubella: immunities.insert(e.evidence)
        case .anaphylaxis, .encephalopathy, .immunity: status[e.antigen]!.met = true
        }
    }
    if measure == .cis && immunities.count == 3 { status[.mmr]!.met = true }
    let antigens = measure.antigens.map { status[$0]! }
    let combos = measure.combos.map { combo in combo.antigens.allSatisfy { status[$0]!.met } }
    return MeasureResult(measure: measure, antigens: antigens, combos: combos)
}

// MARK: - Match status and the identity rule

/// How the registry's patient return matched a member.
public enum MatchStatus: String, CaseIterable, Sendable {
    /// One return row, same birth date, same first and last names (when the members file has them).
    case matched
    /// No return row.
    case notFound = "not_found"
    /// One return row with another birth date.
    case birthDateDiffers = "birth_date_differs"
    /// One return row, same birth date, another first or last name.
    case nameDiffers = "name_differs"
    /// More than one return row.
    case severalRows = "several_rows"
}

/// One patient-return row of a member, normalized by the caller (names by the name class).
public struct ReturnRow: Sendable, Equatable {
    /// Nil when the row's birth date is blank or not a date.
    public var birth: DateValue?
    /// The row's first name, normalized by the name class.
    public var firstName: String
    /// The row's last name, normalized by the name class.
    public var lastName: String
    /// A return row with these values.
    public init(birth: DateValue?, firstName: String, lastName: String) {
        self.birth = birth
        self.firstName = firstName
        self.lastName = lastName
    }
}

/// The member as the members file gives it; a nil name is not compared.
public struct Member: Sendable, Equatable {
    /// The member's birth date.
    public var birth: DateValue
    /// The member's first name, normalized like the return rows' names; nil: not compared.
    public var firstName: String?
    /// The member's last name, normalized like the return rows' names; nil: not compared.
    public var lastName: String?
    /// A member born on `birth`; names left nil are not compared.
    public init(birth: DateValue, firstName: String? = nil, lastName: String? = nil) {
        self.birth = birth
        self.firstName = firstName
        self.lastName = lastName
    }
}

/// The member's match status, and whether the registry's doses count for the member: only when there are
/// return rows and every one of them has the member's birth date (a match to another person must not close
/// a gap).
public func matchStatus(_ member: Member, rows: [ReturnRow]) -> (status: MatchStatus, registryCounts: Bool) {
    let registryCounts = !rows.isEmpty && rows.allSatisfy { $0.birth == member.birth }
    guard let row = rows.first else { return (.notFound, false) }
    if rows.count > 1 { return (.severalRows, registryCounts) }
    if row.birth != member.birth { return (.birthDateDiffers, false) }
    if let f = member.firstName, f != row.firstName { return (.nameDiffers, true) }
    if let l = member.lastName, l != row.lastName { return (.nameDiffers, true) }
    return (.matched, true)
}

/// One member's whole outcome.
public struct MemberAssessment: Sendable, Equatable {
    /// How the patient return matched the member (PRODUCT.md section 7).
    public var status: MatchStatus
    /// True when the registry's doses counted (the identity rule held).
    public var registryCounts: Bool
    /// Plan doses and comments only.
    public var plan: MeasureResult
    /// Registry doses only (no doses when they do not count).
    public var registry: MeasureResult
    /// Everything that counts: the member's reported status.
    public var both: MeasureResult
    /// The largest combo is met with the registry's doses and not with the plan's alone.
    public var closedByRegistry: Bool { both.largestComboMet && !plan.largestComboMet }
}

/// Assesses one member: match status, the identity rule, and the three views. `doses` holds the member's
/// plan and registry doses (origin tells them apart); comments are the plan's evidence.
public func assess(_ member: Member, rows: [ReturnRow], doses: [Dose], evidence: [CommentEvidence],
                   rules: MeasureRules) -> MemberAssessment {
    let (status, registryCounts) = matchStatus(member, rows: rows)
    let planDoses = doses.filter { $0.origin == .plan }
    let registryDoses = registryCounts ? doses.filter { $0.origin == .registry } : []
    let plan = evaluate(birth: member.birth, doses: planDoses, evidence: evidence, rules: rules)
    let registry = evaluate(birth: member.birth, doses: registryDoses, evidence: [], rules: rules)
    let both = evaluate(birth: member.birth, doses: planDoses + registryDoses, evidence: evidence, rules: rules)
    return MemberAssessment(status: status, registryCounts: registryCounts, plan: plan, registry: registry, both: both)
}
