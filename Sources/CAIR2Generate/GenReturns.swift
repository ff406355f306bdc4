import CAIR2Core

// `cair2 generate --returns`: the registry's answer to the generated query file, as CAIR2 sends it back
// (PRODUCT.md section 1's patient-return and immunization-return layouts, CR LF, printable ASCII), so the whole
// loop (generate, convert --query, hedis) and the benchmark have inputs.
//
// Each member whose query row convert would write gets, from a stream of its own (purpose 11, so the other files
// are byte-identical with and without --returns):
// - about 9% not found: no return row;
// - of the others about 4% a birth date that differs, 4% several patient rows (a third of them with birth dates
//   that disagree), 5% a name that differs, the rest matched (names as the name class normalizes the query's);
// - the registry's doses: the plan's doses the registry also holds, and the doses of the member's whole life before
//   the plan's claims begin (complete, partly complete for some, empty for others); a combination vaccine is one
//   row per vaccine group with the same CPT; some rows carry only the group label, as the registry holds them.

/// The two return files, in `BlockOutput.returnBytes` order.
enum ReturnFile: Int, CaseIterable {
    case patient = 0, immunization

    var fileName: String {
        switch self {
        case .patient: return "patient-return.txt"
        case .immunization: return "immunization-return.txt"
        }
    }

    var layout: Layout { self == .patient ? Layouts.patientReturn : Layouts.immunizationReturn }
}

/// Field offsets and widths of the two return layouts, read once from `Layouts`.
private enum ReturnFields {
    static let patientWidth = Layouts.patientReturn.dataWidth
    static let pID = Layouts.patientReturn.field("record_id")!
    static let pFirst = Layouts.patientReturn.field("first_name")!
    static let pMiddle = Layouts.patientReturn.field("middle_name")!
    static let pLast = Layouts.patientReturn.field("last_name")!
    static let pBirth = Layouts.patientReturn.field("birth_date")!
    static let immunizationWidth = Layouts.immunizationReturn.dataWidth
    static let iID = Layouts.immunizationReturn.field("record_id")!
    static let iCPT = Layouts.immunizationReturn.field("cpt_code")!
    static let iGroup = Layouts.immunizationReturn.field("vaccine_group")!
    static let iDate = Layouts.immunizationReturn.field("vaccination_date")!
}

/// The vaccine group rows a combination product is held under (others: the product's own group).
private let comboGroups: [Antigen: [StaticString]] = [
    .pentacel: ["DTAP", "HIB", "POLIO"],
    .pediarix: ["DTAP", "HEPB", "POLIO"],
    .vaxelis: ["DTAP", "POLIO", "HIB", "HEPB"],
    .dtapIPV: ["DTAP", "POLIO"],
    .mmrv: ["MMR", "VARICELLA"],
]

extension MemberIDs {
    /// The query file's hp_member_id of member `index`: the org, then nine digits (another bijection of the index).
    static func appendQueryID<B: ByteAppending>(_ index: Int, org: [UInt8], to out: inout B) {
        org.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        out.appendPadded((UInt64(index + 1) &* 513_215_599) % 1_000_000_000, width: 9)
    }
}

/// A fixed-width line under construction: blanks, values at their fields, CR LF.
private struct FixedLine {
    var bytes: [UInt8]

    init(width: Int) { bytes = [UInt8](repeating: 0x20, count: width + 2); bytes[width] = 0x0D; bytes[width + 1] = 0x0A }

    mutating func put(_ f: Field, _ value: [UInt8]) {
        for (k, b) in value.prefix(f.length).enumerated() { bytes[f.offset + k] = b }
    }

    mutating func put(_ f: Field, _ value: StaticString) {
        value.withUTF8Buffer { v in for k in 0..<min(v.count, f.length) { bytes[f.offset + k] = v[k] } }
    }

    mutating func put(_ f: Field, _ value: UnsafeBufferPointer<UInt8>) {
        for k in 0..<min(value.count, f.length) { bytes[f.offset + k] = value[k] }
    }

    mutating func putDate(_ f: Field, _ day: Int) {
        var d: [UInt8] = []
        d.appendDate(day, .mmddyyyy)
        put(f, d)
    }
}

/// A value as the registry holds a name: folded to ASCII and normalized by the name class (upper case, blanks
/// collapsed); blank when the query's value is not a valid name.
private func registryName(_ raw: [UInt8], width: Int) -> [UInt8] {
    var folded: [UInt8] = []
    raw.withUnsafeBufferPointer { Folding.fold($0, .utf8, fold: true, into: &folded) }
    let w = max(folded.count, 1)
    var out = [UInt8](repeating: 0x20, count: w)
    let outcome = folded.withUnsafeBufferPointer { t in out.withUnsafeMutableBufferPointer { Values.name(t, width: w, out: $0.baseAddress!) } }
    if outcome.invalid || outcome.empty { return [] }
    while let last = out.last, last == 0x20 { out.removeLast() }
    return Array(out.prefix(width))
}

extension BlockGenerator {
    /// The return rows of member `i` (its query row was written). `planHistory`: `doseDay`/`doseProduct` hold the
    /// plan's doses of this member (false when its patient record was not usable and none were made).
    mutating func buildReturns(_ i: Int, planHistory: Bool) {
        var rng = GenRandom(seed: s.seed, index: UInt64(i), purpose: 11)
        if rng.chance(0.09) { return }  // not found
        var id: [UInt8] = []
        MemberIDs.appendQueryID(facts.index, org: s.org, to: &id)
        let first = registryName(qf.value(QC.first), width: ReturnFields.pFirst.length)
        let middle = rng.chance(0.6) ? registryName(qf.value(QC.middle), width: ReturnFields.pMiddle.length) : []
        var last = registryName(qf.value(QC.last), width: ReturnFields.pLast.length)
        var firstOut = first
        let kind = rng.unit()
        var birth = facts.birth
        var rows = 1
        var disagree = false
        if kind < 0.04 {
            // Birth date differs: a neighbouring day, the year before or after, or day and month swapped.
            let c = GenCalendar.civil(birth)
            switch rng.below(3) {
            case 0: birth += rng.chance(0.5) ? rng.inRange(1, 20) : -rng.inRange(1, 20)
            case 1: birth += rng.chance(0.5) ? 365 : -365
            default: birth = c.d <= 12 && c.d != c.m ? GenCalendar.days(c.y, c.d, c.m) : birth + 1
            }
        } else if kind < 0.08 {
            rows = rng.chance(0.8) ? 2 : 3
            disagree = rng.chance(0.33)
        } else if kind < 0.13 {
            // Name differs: another surname, a hyphenated one, or the first initial only.
            let o = t.origins[facts.origin]
            switch rng.below(3) {
            case 0: last = Array(o.surnames.name(rng.skewed(o.surnames.count), 2))
            case 1:
                last = Array((last + [0x2D] + Array(o.surnames.name(rng.skewed(o.surnames.count), 2))).prefix(ReturnFields.pLast.length))
            default: if !first.isEmpty { firstOut = [first[0]] }
            }
            last = registryName(last, width: ReturnFields.pLast.length)
        }
        let pr = out.returnBytes[ReturnFile.patient.rawValue]
        for r in 0..<rows {
            var line = FixedLine(width: ReturnFields.patientWidth)
            line.put(ReturnFields.pID, id)
            line.put(ReturnFields.pFirst, firstOut)
            if r == 0 { line.put(ReturnFields.pMiddle, middle) }
            line.put(ReturnFields.pLast, last)
            line.putDate(ReturnFields.pBirth, r > 0 && disagree ? birth - rng.inRange(30, 3000) : birth)
            line.bytes.withUnsafeBufferPointer { pr.append(contentsOf: $0) }
            out.returnRecords[ReturnFile.patient.rawValue] += 1
        }

        // The registry's doses: empty for some, the plan's (mostly) and the rest of the member's life before them.
        if rng.chance(0.05) { return }
        let partly = rng.chance(0.15)
        registryDay.removeAll(keepingCapacity: true)
        registryProduct.removeAll(keepingCapacity: true)
        var planStart = s.asOf + 1
        if planHistory {
            planStart = historyStart
            for d in 0..<doseDay.count where rng.chance(0.9) {
                registryDay.append(doseDay[d]); registryProduct.append(doseProduct[d])
            }
        }
        buildHistory(&rng, fromBirth: true)
        for d in 0..<doseDay.count where doseDay[d] < planStart && !(partly && rng.chance(0.4)) {
            registryDay.append(doseDay[d]); registryProduct.append(doseProduct[d])
        }
        // In date order (insertion sort: a member has a few dozen doses).
        var k = 1
        while k < registryDay.count {
            let d = registryDay[k], p = registryProduct[k]
            var j = k - 1
            while j >= 0 && registryDay[j] > d { registryDay[j + 1] = registryDay[j]; registryProduct[j + 1] = registryProduct[j]; j -= 1 }
            registryDay[j + 1] = d; registryProduct[j + 1] = p
            k += 1
        }
        let ir = out.returnBytes[ReturnFile.immunization.rawValue]
        let tables = t
        for d in 0..<registryDay.count {
            let p = registryProduct[d], day = registryDay[d]
            let groupOnly = rng.chance(0.1)
            let noGroup = !groupOnly && rng.chance(0.05)
            let emit = { (group: UnsafeBufferPointer<UInt8>) in
                var line = FixedLine(width: ReturnFields.immunizationWidth)
                line.put(ReturnFields.iID, id)
                if !groupOnly { line.put(ReturnFields.iCPT, tables.productCPT[p]) }
                if !noGroup { line.put(ReturnFields.iGroup, group) }
                line.putDate(ReturnFields.iDate, day)
                line.bytes.withUnsafeBufferPointer { ir.append(contentsOf: $0) }
            }
            if let groups = Antigen(rawValue: t.products[p].antigen).flatMap({ comboGroups[$0] }) {
                for g in groups { g.withUTF8Buffer { emit($0) } }
                out.returnRecords[ReturnFile.immunization.rawValue] += groups.count
            } else {
                let group = t.productGroup[p]
                if group.elementsEqual("FLU".utf8) && rng.chance(0.8) {
                    StaticString("INFLUENZA").withUTF8Buffer { emit($0) }
                } else {
                    emit(group)
                }
                out.returnRecords[ReturnFile.immunization.rawValue] += 1
            }
        }
    }
}
