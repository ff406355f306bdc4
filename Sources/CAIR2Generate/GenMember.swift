import CAIR2Core

/// Run-wide settings every worker reads.
struct GenSettings: Sendable {
    let seed: UInt64
    let members: Int
    let defectRate: Double
    let undisclosedShare: Double
    let asOf: Int
    let org: [UInt8]
    /// Per file (CorpusFile order): line ends, and the date spelling most of its dates use.
    let crlf: [Bool]
    let dateStyle: [DateStyle]
    /// `--returns`: also the registry's patient and immunization return files for the query rows.
    var returns = false
}

/// Record ids: "M" and nine digits, a bijection of the member index (multiplying by a
/// number prime to 10^9), so ids look arbitrary yet never collide. Indexes at or past
/// the member count name members that are not in the extract (orphans).
enum MemberIDs {
    static func digits(_ index: Int64) -> UInt64 { (UInt64(index + 1) &* 387_420_489) % 1_000_000_000 }

    static func appendRecordID<B: ByteAppending>(_ index: Int64, to out: inout B) {
        out.append(UInt8(ascii: "M"))
        out.appendPadded(digits(index), width: 9)
    }
}

private let patientCodes: [PlantedCode] = [.fieldCount, .encoding, .required, .name, .date, .code, .id, .duplicateID,
                                           .notDisclosed, .truncated, .nameDropped, .charsRemoved, .dateWarning,
                                           .codeWarning, .phone, .zip, .ssnDropped, .placeholderName]
private let immunizationCodes: [PlantedCode] = [.fieldCount, .encoding, .required, .date, .code, .id, .noVaccine,
                                                .orphan, .beforeBirth, .truncated, .charsRemoved, .codeWarning,
                                                .codeUnknown, .codeMismatch]
private let commentCodes: [PlantedCode] = [.fieldCount, .required, .code, .id, .orphan, .dateWarning]
private let queryCodes: [PlantedCode] = [.fieldCount, .encoding, .required, .name, .date, .code, .id, .truncated,
                                         .nameDropped]

/// What a block of members produced: the bytes of each file and the answer-key rows.
struct BlockOutput: Sendable {
    var bytes: [ByteArena] = [ByteArena(), ByteArena(), ByteArena(), ByteArena()]
    var lines: [Int] = [0, 0, 0, 0]
    var records: [Int] = [0, 0, 0, 0]
    var keys: [[KeyRow]] = [[], [], [], []]
    /// `--returns` only: the patient-return and immunization-return lines (`ReturnFile` order) and their counts.
    var returnBytes: [ByteArena] = []
    var returnRecords: [Int] = [0, 0]
}

/// The member's facts the immunizations, comments and query row depend on.
struct MemberFacts {
    var index = 0
    var birth = 0
    var sex = 0          // 0 female, 1 male, 2 unknown
    var origin = 0
    var variant = 0      // 0 as written, 1 without diacritics, 2 upper-case
    var mediCal = false
    var city = 0
}

/// Generates members `range` into one BlockOutput. One instance per worker; no shared state.
struct BlockGenerator {
    let s: GenSettings
    let t: GenTables
    var pf = RecordFields(columns: PC.count)
    var imf = RecordFields(columns: IC.count)
    var cf = RecordFields(columns: CC.count)
    var qf = RecordFields(columns: QC.count)
    var doseDay: [Int] = []
    var doseProduct: [Int] = []
    /// The first day of the history `buildHistory` made (after `asOf` when it made none).
    var historyStart = 0
    /// `--returns`: the registry's doses of the member under construction.
    var registryDay: [Int] = []
    var registryProduct: [Int] = []
    var out = BlockOutput()
    var facts = MemberFacts()

    init(settings: GenSettings, tables: GenTables) {
        s = settings
        t = tables
    }

    mutating func run(_ range: Range<Int>) -> BlockOutput {
        out = BlockOutput()
        let n = range.count
        out.bytes[CorpusFile.members.rawValue].reserve(n * 260)
        out.bytes[CorpusFile.immunizations.rawValue].reserve(n * 500)
        out.bytes[CorpusFile.query.rawValue].reserve(n * 60)
        out.bytes[CorpusFile.comments.rawValue].reserve(n * 4)
        if s.returns {
            out.returnBytes = [ByteArena(capacity: n * 200), ByteArena(capacity: n * 64 * 24)]
        }
        for i in range { member(i) }
        if range.upperBound == s.members && s.defectRate > 0 { trailingOpenQuotes() }
        return out
    }

    // MARK: - planning

    /// The patient record's planted problem, decided from a stream of its own so a
    /// neighbour can ask without generating the member.
    func plannedCode(_ i: Int) -> PlantedCode? {
        var r = GenRandom(seed: s.seed, index: UInt64(i), purpose: 2)
        let undisclosed = r.chance(s.undisclosedShare)
        let defective = r.chance(s.defectRate)
        let pick = r.below(patientCodes.count)
        if i == s.members - 1 && s.defectRate > 0 { return .unterminatedQuote }
        if undisclosed { return .notDisclosed }
        guard defective else { return nil }
        let code = patientCodes[pick]
        if code == .duplicateID && (i == 0 || plannedCodeWithoutDuplicates(i - 1) != nil) { return .required }
        return code
    }

    private func plannedCodeWithoutDuplicates(_ i: Int) -> PlantedCode? {
        var r = GenRandom(seed: s.seed, index: UInt64(i), purpose: 2)
        let undisclosed = r.chance(s.undisclosedShare)
        let defective = r.chance(s.defectRate)
        if i == s.members - 1 && s.defectRate > 0 { return .unterminatedQuote }
        return undisclosed || defective ? .notDisclosed : nil
    }

    // MARK: - output helpers

    private mutating func key(_ f: CorpusFile, _ line: Int32, _ field: Int, _ code: PlantedCode, _ id: Int64) {
        out.keys[f.rawValue].append(KeyRow(line: line, field: Int16(field), code: code, idIndex: id))
    }

    private mutating func emitPatient() -> Int32 {
        let f = CorpusFile.members.rawValue
        let line = Int32(out.lines[f])
        out.lines[f] += pf.write(into: out.bytes[f], crlf: s.crlf[f])
        out.records[f] += 1
        return line
    }

    private mutating func emitImmunization() -> Int32 {
        let f = CorpusFile.immunizations.rawValue
        let line = Int32(out.lines[f])
        out.lines[f] += imf.write(into: out.bytes[f], crlf: s.crlf[f])
        out.records[f] += 1
        return line
    }

    private mutating func emitComment() -> Int32 {
        let f = CorpusFile.comments.rawValue
        let line = Int32(out.lines[f])
        out.lines[f] += cf.write(into: out.bytes[f], crlf: s.crlf[f])
        out.records[f] += 1
        return line
    }

    private mutating func emitQuery() -> Int32 {
        let f = CorpusFile.query.rawValue
        let line = Int32(out.lines[f])
        out.lines[f] += qf.write(into: out.bytes[f], crlf: s.crlf[f])
        out.records[f] += 1
        return line
    }

    private func style(_ f: CorpusFile, _ rng: inout GenRandom) -> DateStyle {
        rng.chance(0.75) ? s.dateStyle[f.rawValue] : DateStyle(rawValue: rng.below(DateStyle.allCases.count))!
    }

    // MARK: - a member

    private mutating func member(_ i: Int) {
        var rng = GenRandom(seed: s.seed, index: UInt64(i), purpose: 1)
        let code = plannedCode(i)
        buildPatient(i, &rng)
        buildQuery(&rng)

        // The query file is its own run: its defects are independent of the patient's.
        var qcode: PlantedCode? = nil
        if i == s.members - 1 && s.defectRate > 0 {
            qcode = .unterminatedQuote
            qf.openQuoteColumn = QC.middle
        } else if rng.chance(s.defectRate) {
            qcode = queryCodes[rng.below(queryCodes.count)]
        }
        var qfield = -1
        if let qcode, qcode != .unterminatedQuote { qfield = plantQuery(qcode, &rng) }
        let qline = emitQuery()
        if let qcode { key(.query, qline, qfield, qcode, -1) }
        // The registry answers the query rows convert writes (its own stream of randomness: the other files do not
        // depend on --returns).
        let queried = s.returns && !(qcode?.rejectsRecord ?? false)

        var childless = false
        var pfield = -1
        var pid = Int64(i)
        if let code {
            switch code {
            case .unterminatedQuote: pf.openQuoteColumn = PC.street; pid = -1
            case .duplicateID:
                pf.begin(PC.recordID); MemberIDs.appendRecordID(Int64(i - 1), to: &pf.buf); pf.end(PC.recordID)
                pfield = PC.recordID; pid = Int64(i - 1); childless = true
            default:
                pfield = plantPatient(code, &rng)
                if code == .id && pfield == PC.recordID { childless = true }
                if code == .fieldCount || code == .encoding || (code == .id && pfield == PC.recordID) { pid = -1 }
            }
        }
        let pline = emitPatient()
        if let code { key(.members, pline, pfield, code, pid) }
        if childless {
            if queried { buildReturns(i, planHistory: false) }
            return
        }
        let written = code.map { !$0.rejectsRecord } ?? true

        buildHistory(&rng)
        for d in 0..<doseDay.count {
            buildImmunization(doseDay[d], doseProduct[d], &rng)
            if !written {
                let line = emitImmunization()
                key(.immunizations, line, IC.recordID, .orphan, Int64(i))
            } else if rng.chance(s.defectRate) {
                let c = immunizationCodes[rng.below(immunizationCodes.count)]
                let (field, id) = plantImmunization(c, doseDay[d], doseProduct[d], &rng)
                let line = emitImmunization()
                key(.immunizations, line, field, c, id)
            } else {
                _ = emitImmunization()
            }
        }
        if queried { buildReturns(i, planHistory: true) }

        let age = s.asOf - facts.birth
        let commentShare = age < 18 * 365 ? 0.06 : 0.035
        if rng.chance(commentShare) {
            let n = rng.chance(0.8) ? 1 : 2
            for _ in 0..<n {
                buildComment(&rng)
                if !written {
                    let line = emitComment()
                    key(.comments, line, CC.recordID, .orphan, Int64(i))
                } else if rng.chance(s.defectRate) {
                    let c = commentCodes[rng.below(commentCodes.count)]
                    let (field, id) = plantComment(c, &rng)
                    let line = emitComment()
                    key(.comments, line, field, c, id)
                } else {
                    _ = emitComment()
                }
            }
        }
    }

    /// E_UNTERMINATED_QUOTE can only be the last record of a file (it swallows the rest):
    /// the last block ends the immunization and comment files with one each.
    private mutating func trailingOpenQuotes() {
        var rng = GenRandom(seed: s.seed, index: UInt64(s.members), purpose: 9)
        facts.index = 0
        facts.birth = s.asOf - 40 * 365
        facts.variant = 0
        let product = t.antigenStart[Antigen.fluAdult.rawValue]
        buildImmunization(s.asOf - rng.below(300), product, &rng)
        imf.set(IC.provider, t.providers[rng.below(t.providers.count)])
        imf.openQuoteColumn = IC.provider
        let line = emitImmunization()
        key(.immunizations, line, -1, .unterminatedQuote, -1)
        buildComment(&rng)
        cf.openQuoteColumn = CC.code
        let cline = emitComment()
        key(.comments, cline, -1, .unterminatedQuote, -1)
    }
}

// MARK: - clean records

private let ageBins: [(lo: Int, hi: Int, weight: Double)] = [
    (0, 0, 1.3), (1, 4, 5.0), (5, 9, 6.5), (10, 14, 7.0), (15, 17, 4.0), (18, 24, 9.0), (25, 34, 14.0),
    (35, 44, 13.5), (45, 54, 12.0), (55, 64, 11.5), (65, 74, 9.0), (75, 84, 5.0), (85, 99, 2.2),
]
private let agePick = WeightedPick(ageBins.map(\.weight))

extension BlockGenerator {
    @inline(__always)
    private mutating func pickStatic(_ k: Int, _ options: [StaticString], _ rng: inout GenRandom) {
        pf.set(k, options[rng.below(options.count)])
    }

    private mutating func buildPatient(_ i: Int, _ rng: inout GenRandom) {
        pf.reset()
        let asOf = s.asOf
        var m = MemberFacts()
        m.index = i
        m.origin = t.originPick.pick(&rng)
        let o = t.origins[m.origin]
        let sx = rng.unit()
        m.sex = sx < 0.505 ? 0 : (sx < 0.995 ? 1 : 2)
        let bin = ageBins[agePick.pick(&rng)]
        let age = rng.inRange(bin.lo, bin.hi)
        m.birth = asOf - age * 365 - age / 4 - rng.below(365)
        let vr = rng.unit()
        m.variant = vr < 0.7 ? 0 : (vr < 0.9 ? 1 : 2)
        let v = m.variant
        let style = self.style(.members, &rng)

        MemberIDs.appendRecordID(Int64(i), to: &pf.buf); pf.end(PC.recordID)

        let female = m.sex == 0 || (m.sex == 2 && rng.chance(0.5))
        let firstOrigin = (m.origin != 1 && rng.chance(0.08)) ? t.origins[1] : o
        let firstPool = female ? firstOrigin.female : firstOrigin.male
        pf.set(PC.first, firstPool.name(rng.skewed(firstPool.count), v))
        if rng.chance(o.hispanic ? 0.45 : 0.35) {
            let mp = female ? o.middleFemale : o.middleMale
            pf.set(PC.middle, mp.name(rng.below(mp.count), v))
        }
        let lastIndex = rng.skewed(o.surnames.count)
        pf.begin(PC.last)
        pf.buf.append(contentsOf: o.surnames.name(lastIndex, v))
        if o.hispanic && rng.chance(0.08) {
            pf.buf.append(rng.chance(0.5) ? UInt8(ascii: "-") : UInt8(ascii: " "))
            pf.buf.append(contentsOf: o.surnames.name(rng.skewed(o.surnames.count), v))
        }
        pf.end(PC.last)
        if m.sex == 1 && m.origin <= 2 && rng.chance(0.03) { pf.set(PC.suffix, t.suffixes[rng.below(t.suffixes.count)]) }
        if rng.chance(0.05) { pf.forceQuoteColumn = PC.last }

        pf.begin(PC.birth); pf.buf.appendDate(m.birth, style); pf.end(PC.birth)
        var dead = false
        if age >= 70 && rng.chance(0.015) {
            dead = true
            let death = asOf - rng.below(min(3 * 365, asOf - m.birth))
            pf.begin(PC.death); pf.buf.appendDate(death, style); pf.end(PC.death)
        }
        let child = age < 18
        var motherFirst = -1
        if child && rng.chance(0.7) {
            motherFirst = rng.skewed(o.female.count)
            pf.set(PC.motherFirst, o.female.name(motherFirst, v))
            pf.set(PC.motherMaiden, o.surnames.name(rng.skewed(o.surnames.count), v))
        }
        if age < 2 && rng.chance(0.6) { pickStatic(PC.hbsag, ["1", "1", "1", "Negative", "4", "Unknown", "2"], &rng) }
        switch m.sex {
        case 0: pickStatic(PC.sex, ["F", "F", "F", "Female", "female", "FEMALE"], &rng)
        case 1: pickStatic(PC.sex, ["M", "M", "M", "Male", "male", "MALE"], &rng)
        default: pickStatic(PC.sex, ["U", "Unknown"], &rng)
        }
        let yes: [StaticString] = ["Y", "Y", "Yes", "TRUE", "1", "y"]
        if rng.chance(0.8) {
            let race = o.hispanic ? (rng.chance(0.6) ? 4 : 5) : o.race
            pf.set(PC.raceFirst + race, yes[rng.below(yes.count)])
            if rng.chance(0.05) {
                let other = rng.below(6)
                if other != race { pf.set(PC.raceFirst + other, yes[rng.below(yes.count)]) }
            } else if rng.chance(0.08) {
                let other = rng.below(6)
                if other != race { pickStatic(PC.raceFirst + other, ["N", "No", "FALSE", "0"], &rng) }
            }
        }
        if rng.chance(0.85) {
            if o.hispanic { pickStatic(PC.ethnicity, ["H", "H", "Hispanic or Latino", "h"], &rng) }
            else { pickStatic(PC.ethnicity, ["NH", "NH", "Not Hispanic or Latino", "nh"], &rng) }
        }
        if rng.chance(0.6) { pickStatic(PC.contact, ["02", "02", "2", "01", "1"], &rng) }
        if rng.chance(0.97) {
            pf.begin(PC.hpID); pf.buf.append(contentsOf: s.org)
            pf.buf.appendPadded((UInt64(i + 1) &* 513_215_599) % 1_000_000_000, width: 9); pf.end(PC.hpID)
        }
        m.mediCal = rng.chance(child ? 0.7 : 0.45)
        if m.mediCal {
            pf.begin(PC.mediCal)
            pf.buf.append(rng.chance(0.8) ? UInt8(ascii: "9") : UInt8(48 + rng.inRange(1, 8)))
            pf.buf.appendPadded(UInt64(rng.below(10_000_000)), width: 7)
            pf.buf.append(UInt8(65 + rng.below(26)))
            pf.end(PC.mediCal)
        }
        if child && rng.chance(0.85) {
            let r = rng.unit()
            if motherFirst >= 0 && r < 0.7 {
                pf.set(PC.rpFirst, o.female.name(motherFirst, v))
                pf.duplicate(PC.rpLast, PC.last)
                pickStatic(PC.rpRelation, ["MTH", "MTH", "Mother", "PAR", "Parent"], &rng)
            } else if r < 0.9 {
                pf.set(PC.rpFirst, o.male.name(rng.skewed(o.male.count), v))
                pf.duplicate(PC.rpLast, PC.last)
                pickStatic(PC.rpRelation, ["FTH", "Father", "PAR"], &rng)
            } else {
                pf.set(PC.rpFirst, o.female.name(rng.skewed(o.female.count), v))
                pf.set(PC.rpLast, o.surnames.name(rng.skewed(o.surnames.count), v))
                pickStatic(PC.rpRelation, ["GRD", "Guardian", "GRP", "Grandparent"], &rng)
            }
        } else if !child && rng.chance(0.04) {
            pf.duplicate(PC.rpFirst, PC.first)
            pf.duplicate(PC.rpLast, PC.last)
            pickStatic(PC.rpRelation, ["SEL", "Self"], &rng)
        }

        m.city = t.cityPick.pick(&rng)
        let city = t.cities[m.city]
        pf.begin(PC.street)
        pf.buf.appendInt(rng.chance(0.3) ? rng.inRange(100, 999) : rng.inRange(1000, 29999))
        pf.buf.append(32)
        pf.buf.append(contentsOf: t.streets.name(rng.below(t.streets.count), v == 2 ? 2 : 0))
        pf.buf.append(32)
        pf.buf.append(contentsOf: t.streetSuffixes[rng.below(t.streetSuffixes.count)])
        let unit = rng.unit()
        if unit < 0.08 {
            // "1234 Main St, Apt 5": the CSV must quote it.
            pf.buf.append(contentsOf: [44, 32, 65, 112, 116, 32]); pf.buf.appendInt(rng.inRange(1, 40))
        } else if unit < 0.095 {
            // A line break inside the quoted street (two-line address in the source system).
            pf.buf.append(10); pf.buf.append(contentsOf: [65, 112, 116, 32]); pf.buf.appendInt(rng.inRange(1, 40))
        }
        pf.end(PC.street)
        if unit >= 0.095 && unit < 0.25 {
            pf.begin(PC.otherAddress)
            pf.buf.append(contentsOf: t.unitPrefixes[rng.below(t.unitPrefixes.count)])
            pf.buf.append(32); pf.buf.appendInt(rng.inRange(1, 320))
            if rng.chance(0.2) { pf.buf.append(UInt8(65 + rng.below(4))) }
            pf.end(PC.otherAddress)
        } else if unit >= 0.25 && unit < 0.27 {
            pickStatic(PC.poBox, ["PO Box ", "P.O. Box ", "PO BOX "], &rng)
            pf.buf.appendInt(rng.inRange(1, 9999)); pf.end(PC.poBox)
        }
        let cv = rng.unit()
        pf.set(PC.city, t.cityNames.name(m.city, cv < 0.7 ? 0 : (cv < 0.8 ? 1 : 2)))
        pickStatic(PC.state, ["CA", "CA", "CA", "CA", "California", "ca", "CALIFORNIA"], &rng)
        pf.begin(PC.zip)
        pf.buf.appendPadded(UInt64(t.zips[city.zipStart + rng.below(city.zipCount)]), width: 5)
        let zr = rng.unit()
        if zr < 0.15 { pf.buf.append(UInt8(ascii: "-")); pf.buf.appendPadded(UInt64(rng.inRange(1001, 9899)), width: 4) }
        pf.end(PC.zip)
        let cr = rng.unit()
        if cr < 0.5 { pf.set(PC.county, t.countyCodes[city.county]) }
        else if cr < 0.75 { pf.set(PC.county, t.countyNames[city.county]) }
        else if cr < 0.9 { pf.set(PC.county, t.countyNamesUpper[city.county]) }
        if rng.chance(0.88) {
            pf.begin(PC.phone)
            appendPhone(area: Int(t.areaCodes[city.areaStart + rng.below(city.areaCount)]), &rng)
            pf.end(PC.phone)
        }
        pf.set(PC.sendingOrg, s.org)
        pickStatic(PC.disclosed, ["Y", "Y", "Y", "Yes", "TRUE", "1", "y"], &rng)
        let earliest = max(m.birth, asOf - 3650)
        let disclosed = earliest + rng.below(asOf - earliest + 1)
        pf.begin(PC.disclosedDate); pf.buf.appendDate(disclosed, style); pf.end(PC.disclosedDate)
        pf.set(PC.disclosedBy, s.org)
        let sh = rng.unit()
        if sh < 0.55 { pf.set(PC.sharing, "Y") } else if sh < 0.65 { pf.set(PC.sharing, "N") }
        else if sh < 0.7 { pickStatic(PC.sharing, ["Yes", "No", "TRUE"], &rng) }
        if rng.chance(0.5) {
            let eff = disclosed + rng.below(asOf - disclosed + 1)
            pf.begin(PC.effective); pf.buf.appendDate(eff, style); pf.end(PC.effective)
        }
        pf.set(PC.updatedBy, s.org)
        if dead { pf.set(PC.status, "P") } else {
            let st = rng.unit()
            if st < 0.55 { pf.set(PC.status, "A") } else if st < 0.7 { pf.set(PC.status, "Active") }
        }
        facts = m
    }

    private mutating func appendPhone(area: Int, _ rng: inout GenRandom) {
        let exchange = rng.inRange(200, 999), line = rng.below(10_000)
        let f = rng.below(10)
        var b = pf.buf
        switch f {
        case 0...3:
            b.appendInt(area); b.append(45); b.appendInt(exchange); b.append(45); b.appendPadded(UInt64(line), width: 4)
        case 4, 5:
            b.append(40); b.appendInt(area); b.append(41); b.append(32); b.appendInt(exchange); b.append(45)
            b.appendPadded(UInt64(line), width: 4)
        case 6, 7:
            b.appendInt(area); b.appendInt(exchange); b.appendPadded(UInt64(line), width: 4)
        case 8:
            b.append(43); b.append(49); b.append(32); b.appendInt(area); b.append(32); b.appendInt(exchange); b.append(32)
            b.appendPadded(UInt64(line), width: 4)
        default:
            b.appendInt(area); b.append(46); b.appendInt(exchange); b.append(46); b.appendPadded(UInt64(line), width: 4)
            if rng.chance(0.5) { b.append(32); b.append(120); b.appendInt(rng.inRange(1, 9999)) }
        }
    }

    private mutating func buildQuery(_ rng: inout GenRandom) {
        qf.reset()
        let style = self.style(.query, &rng)
        if facts.mediCal { pickStatic2(QC.type, ["M", "M", "Medicaid", "Medi-Cal", "m"], &rng) }
        else { pickStatic2(QC.type, ["C", "C", "Commercial", "c"], &rng) }
        qf.begin(QC.hpID); qf.buf.append(contentsOf: s.org)
        qf.buf.appendPadded((UInt64(facts.index + 1) &* 513_215_599) % 1_000_000_000, width: 9); qf.end(QC.hpID)
        qf.copy(QC.first, from: pf, PC.first)
        qf.copy(QC.middle, from: pf, PC.middle)
        qf.copy(QC.last, from: pf, PC.last)
        qf.begin(QC.birth); qf.buf.appendDate(facts.birth, style); qf.end(QC.birth)
    }

    @inline(__always)
    private mutating func pickStatic2(_ k: Int, _ options: [StaticString], _ rng: inout GenRandom) {
        qf.set(k, options[rng.below(options.count)])
    }

    // MARK: immunization history

    private mutating func addDose(_ a: Antigen, _ day: Int, _ start: Int, _ rng: inout GenRandom, cover: Double = 0.9) {
        guard day >= start, day <= s.asOf, day >= facts.birth, rng.chance(cover) else { return }
        guard let p = product(a, day, &rng) else { return }
        doseDay.append(day); doseProduct.append(p)
    }

    func product(_ a: Antigen, _ day: Int, _ rng: inout GenRandom) -> Int? {
        let lo = t.antigenStart[a.rawValue], hi = t.antigenStart[a.rawValue + 1]
        var n = 0
        for p in lo..<hi where t.products[p].from <= day && day <= t.products[p].until { n += 1 }
        if n == 0 { return nil }
        var k = rng.below(n)
        for p in lo..<hi where t.products[p].from <= day && day <= t.products[p].until {
            if k == 0 { return p }
            k -= 1
        }
        return nil
    }

    /// The member's doses into `doseDay`/`doseProduct`, in date order: the plan's claims (a window of the member's
    /// life), or with `fromBirth` the whole history a registry would hold (`--returns`).
    mutating func buildHistory(_ rng: inout GenRandom, fromBirth: Bool = false) {
        doseDay.removeAll(keepingCapacity: true)
        doseProduct.removeAll(keepingCapacity: true)
        let b = facts.birth, asOf = s.asOf
        let ageDays = asOf - b
        historyStart = asOf + 1
        var start: Int
        if fromBirth {
            start = b
        } else if ageDays < 18 * 365 {
            start = rng.chance(0.55) ? b : b + rng.below(ageDays + 1)
        } else {
            // Plans send the claims of the member's enrollment: a few years, often none.
            if rng.chance(0.3) { return }
            start = asOf - rng.below(4 * 365)
        }
        start = max(start, GenCalendar.days(1996, 1, 1))
        historyStart = start
        let year = 365

        if b + 19 * year >= start {
            addDose(.hepBPed, b + rng.below(3), start, &rng)
            let d2 = b + 61 + rng.inRange(-7, 14), d4 = b + 122 + rng.inRange(-7, 21), d6 = b + 183 + rng.inRange(-7, 45)
            var series = rng.below(4)
            if series == 1 && product(.pentacel, d2, &rng) == nil { series = 0 }
            if series == 2 && product(.pediarix, d2, &rng) == nil { series = 0 }
            if series == 3 && product(.vaxelis, d2, &rng) == nil { series = 0 }
            for d in [d2, d4, d6] {
                switch series {
                case 1: addDose(.pentacel, d, start, &rng)
                case 2: addDose(.pediarix, d, start, &rng); addDose(.hib, d, start, &rng)
                case 3: addDose(.vaxelis, d, start, &rng)
                default: addDose(.dtap, d, start, &rng); addDose(.hib, d, start, &rng); addDose(.ipv, d, start, &rng)
                }
                addDose(.pcvPed, d, start, &rng)
                if d != d6 || rng.chance(0.5) { addDose(.rota, d, start, &rng) }
            }
            if series == 0 || series == 1 { addDose(.hepBPed, d2, start, &rng); addDose(.hepBPed, d6, start, &rng) }
            let d12 = b + 365 + rng.below(90)
            if rng.chance(0.15) { addDose(.mmrv, d12, start, &rng) }
            else { addDose(.mmr, d12, start, &rng); addDose(.varicella, d12, start, &rng) }
            addDose(.hepAPed, d12, start, &rng)
            addDose(.hib, d12 + rng.below(60), start, &rng)
            addDose(.pcvPed, d12 + rng.below(60), start, &rng)
            addDose(.dtap, b + 456 + rng.below(90), start, &rng)
            addDose(.hepAPed, b + 548 + rng.below(150), start, &rng)
            let d4y = b + 4 * year + rng.below(700)
            if rng.chance(0.7) { addDose(.dtapIPV, d4y, start, &rng) }
            else { addDose(.dtap, d4y, start, &rng); addDose(.ipv, d4y, start, &rng) }
            if rng.chance(0.35) { addDose(.mmrv, d4y, start, &rng) }
            else { addDose(.mmr, d4y, start, &rng); addDose(.varicella, d4y, start, &rng) }
            let d11 = b + 11 * year + rng.below(500)
            addDose(.tdap, d11, start, &rng, cover: 0.85)
            addDose(.menACWY, d11, start, &rng, cover: 0.8)
            if rng.chance(0.7) {
                addDose(.hpv, d11, start, &rng)
                addDose(.hpv, d11 + 180 + rng.below(200), start, &rng)
            }
            addDose(.menACWY, b + 16 * year + rng.below(400), start, &rng, cover: 0.6)
            if rng.chance(0.2) {
                let d = b + 16 * year + rng.below(700)
                addDose(.menB, d, start, &rng); addDose(.menB, d + 30 + rng.below(150), start, &rng)
            }
            if b >= GenCalendar.days(2023, 8, 1) && rng.chance(0.45) {
                let c = GenCalendar.civil(b)
                let d = c.m >= 10 || c.m <= 3 ? b + rng.below(7) : GenCalendar.days(c.y, 10, 1) + rng.below(30)
                if d - b < 240 { addDose(.rsvInfant, d, start, &rng, cover: 1) }
            }
        }

        // Seasonal and adult doses, year by year through the reporting window.
        let firstYear = GenCalendar.civil(start).y - 1, lastYear = GenCalendar.civil(asOf).y
        if firstYear <= lastYear {
            for y in firstYear...lastYear {
                let d = GenCalendar.days(y, 9, 1) + rng.below(150)
                let a = d - b
                if a < 183 { continue }
                if a < 18 * year {
                    if rng.chance(0.45) { addDose(.fluPed, d, start, &rng, cover: 1) }
                } else if a < 65 * year {
                    if rng.chance(0.35) { addDose(.fluAdult, d, start, &rng, cover: 1) }
                } else if rng.chance(0.65) {
                    addDose(rng.chance(0.7) ? .fluSenior : .fluAdult, d, start, &rng, cover: 1)
                }
                if y >= 2022 {
                    let cd = GenCalendar.days(y, 9, 15) + rng.below(100)
                    let ca = cd - b
                    if ca >= 12 * year {
                        if rng.chance(ca >= 65 * year ? 0.45 : 0.18) { addDose(.covid, cd, start, &rng, cover: 1) }
                    } else if ca >= 5 * year && y >= 2023 && rng.chance(0.12) {
                        addDose(.covidChild, cd, start, &rng, cover: 1)
                    }
                }
                if y >= 2023 && d - b >= 60 * year && rng.chance(0.12) { addDose(.rsvAdult, d, start, &rng, cover: 1) }
            }
        }
        let covidStart = GenCalendar.days(2021, 1, 15)
        if covidStart - b >= 16 * year && rng.chance(0.65) {
            let d1 = covidStart + rng.below(150)
            if let p = product(.covid, d1, &rng), d1 >= start {
                doseDay.append(d1); doseProduct.append(p)
                let d2 = d1 + 21 + rng.below(15)
                if d2 <= asOf { doseDay.append(d2); doseProduct.append(p) }
                if rng.chance(0.55) { addDose(.covid, GenCalendar.days(2021, 10, 1) + rng.below(120), start, &rng, cover: 1) }
            }
        }
        if ageDays >= 19 * year {
            let windowLen = asOf - start
            if windowLen > 0 {
                if rng.chance(0.3) { addDose(rng.chance(0.8) ? .tdap : .td, start + rng.below(windowLen + 1), start, &rng, cover: 1) }
                if rng.chance(0.02) {
                    let d = start + rng.below(windowLen + 1)
                    addDose(.hepBAdult, d, start, &rng, cover: 1); addDose(.hepBAdult, d + 30 + rng.below(30), start, &rng, cover: 1)
                }
                if rng.chance(0.02) {
                    let d = start + rng.below(windowLen + 1)
                    addDose(.hepAAdult, d, start, &rng, cover: 1); addDose(.hepAAdult, d + 180 + rng.below(180), start, &rng, cover: 1)
                }
            }
            let at50 = max(start, b + 50 * year, GenCalendar.days(2018, 1, 1))
            if at50 < asOf && rng.chance(0.3) {
                let d = at50 + rng.below(asOf - at50 + 1)
                addDose(.zoster, d, start, &rng, cover: 1); addDose(.zoster, d + 60 + rng.below(120), start, &rng, cover: 1)
            }
            let at65 = max(start, b + 65 * year)
            if at65 < asOf {
                if rng.chance(0.45) { addDose(.pcvAdult, at65 + rng.below(asOf - at65 + 1), start, &rng, cover: 1) }
                if rng.chance(0.2) { addDose(.ppsv23, at65 + rng.below(asOf - at65 + 1), start, &rng, cover: 1) }
            }
        }
        // Claims arrive in date order.
        var k = 1
        while k < doseDay.count {
            let d = doseDay[k], p = doseProduct[k]
            var j = k - 1
            while j >= 0 && doseDay[j] > d { doseDay[j + 1] = doseDay[j]; doseProduct[j + 1] = doseProduct[j]; j -= 1 }
            doseDay[j + 1] = d; doseProduct[j + 1] = p
            k += 1
        }
    }

    // MARK: immunization and comment records

    private mutating func buildImmunization(_ day: Int, _ p: Int, _ rng: inout GenRandom) {
        imf.reset()
        MemberIDs.appendRecordID(Int64(facts.index), to: &imf.buf); imf.end(IC.recordID)
        if rng.chance(0.3) { imf.set(IC.trade, rng.chance(0.8) ? t.productTrade[p] : t.productTradeUpper[p]) }
        let cpt = rng.chance(0.85), cvx = rng.chance(0.65)
        if cpt || !cvx { imf.set(IC.cpt, t.productCPT[p]) }
        if cvx { imf.set(IC.cvx, t.productCVX[p]) }
        if rng.chance(0.3) { imf.set(IC.group, t.productGroup[p]) }
        let style = self.style(.immunizations, &rng)
        imf.begin(IC.date); imf.buf.appendDate(day, style); imf.end(IC.date)
        let route = t.products[p].route
        if rng.chance(0.5) {
            switch route {
            case .im: pickStaticI(IC.route, ["IM", "IM", "Intramuscular", "im"], &rng)
            case .sc: pickStaticI(IC.route, ["SC", "SC", "Subcutaneous", "sc"], &rng)
            case .po: pickStaticI(IC.route, ["PO", "Oral"], &rng)
            case .nasal: pickStaticI(IC.route, ["IN", "Intranasal"], &rng)
            }
        }
        if rng.chance(0.4) {
            switch route {
            case .im, .sc:
                if day - facts.birth < 3 * 365 { pickStaticI(IC.site, ["LT", "RT", "LVL", "RVL", "Left Thigh", "Right Thigh"], &rng) }
                else { pickStaticI(IC.site, ["LD", "RD", "LA", "RA", "Left Deltoid", "Right Deltoid", "Left Arm"], &rng) }
            case .po: imf.set(IC.site, "MO")
            case .nasal: imf.set(IC.site, "BN")
            }
        }
        let mvx = t.productMVX[p]
        imf.set(IC.mvx, rng.chance(0.85) ? mvx : t.productMVXLower[p])
        let src = rng.unit()
        if src < 0.4 { imf.set(IC.source, "01") } else if src < 0.6 { imf.set(IC.source, "1") }
        if rng.chance(0.75) { imf.begin(IC.lot); appendLot(mvx, &rng); imf.end(IC.lot) }
        if rng.chance(0.45) {
            if rng.chance(0.08) { imf.set(IC.provider, t.providersWithComma[rng.below(t.providersWithComma.count)]) }
            else { imf.set(IC.provider, t.providers[rng.below(t.providers.count)]) }
        }
        if rng.chance(0.1) {
            let o = t.origins[t.originPick.pick(&rng)]
            imf.begin(IC.administeredBy)
            if rng.chance(0.5) {
                imf.buf.append(contentsOf: o.female.name(rng.skewed(o.female.count), facts.variant))
                imf.buf.append(32)
                imf.buf.append(contentsOf: o.surnames.name(rng.skewed(o.surnames.count), facts.variant))
                imf.buf.append(contentsOf: [44, 32])
            } else {
                imf.buf.append(contentsOf: o.surnames.name(rng.skewed(o.surnames.count), facts.variant))
                imf.buf.append(contentsOf: [44, 32])
                imf.buf.append(contentsOf: o.male.name(rng.skewed(o.male.count), facts.variant))
                imf.buf.append(32)
            }
            imf.buf.append(contentsOf: t.credentials[rng.below(t.credentials.count)])
            imf.end(IC.administeredBy)
        }
        imf.set(IC.sendingOrg, s.org)
        if day - facts.birth < 19 * 365 && rng.chance(0.5) {
            if facts.mediCal { imf.set(IC.eligibility, "M") } else { pickStaticI(IC.eligibility, ["B", "B", "N"], &rng) }
        }
    }

    @inline(__always)
    private mutating func pickStaticI(_ k: Int, _ options: [StaticString], _ rng: inout GenRandom) {
        imf.set(k, options[rng.below(options.count)])
    }

    /// Lot numbers in each manufacturer's usual pattern.
    private mutating func appendLot(_ mvx: UnsafeBufferPointer<UInt8>, _ rng: inout GenRandom) {
        func letter(_ rng: inout GenRandom) -> UInt8 { UInt8(65 + rng.below(26)) }
        func digit(_ rng: inout GenRandom) -> UInt8 { UInt8(48 + rng.below(10)) }
        let m0 = mvx[0], m1 = mvx.count > 1 ? mvx[1] : 0
        let b = imf.buf
        switch (m0, m1) {
        case (80, 77):  // PMC: U1234AA
            b.append(letter(&rng)); for _ in 0..<4 { b.append(digit(&rng)) }; b.append(letter(&rng)); b.append(letter(&rng))
        case (83, 75):  // SKB: AC52B047AA
            b.append(letter(&rng)); b.append(letter(&rng)); b.append(digit(&rng)); b.append(digit(&rng)); b.append(letter(&rng))
            for _ in 0..<3 { b.append(digit(&rng)) }
            if rng.chance(0.5) { b.append(65); b.append(65) }
        case (77, 83):  // MSD: R012345
            b.append(letter(&rng)); for _ in 0..<6 { b.append(digit(&rng)) }
        case (80, 70):  // PFR: FL8095
            b.append(letter(&rng)); b.append(letter(&rng)); for _ in 0..<4 { b.append(digit(&rng)) }
        case (77, 79):  // MOD: 039K20A
            for _ in 0..<3 { b.append(digit(&rng)) }; b.append(letter(&rng)); b.append(digit(&rng)); b.append(digit(&rng))
            b.append(letter(&rng))
        default:
            b.append(letter(&rng)); b.append(letter(&rng)); for _ in 0..<5 { b.append(digit(&rng)) }
        }
    }

    private mutating func buildComment(_ rng: inout GenRandom) {
        cf.reset()
        MemberIDs.appendRecordID(Int64(facts.index), to: &cf.buf); cf.end(CC.recordID)
        let child = s.asOf - facts.birth < 18 * 365
        let r = rng.unit()
        if r < 0.8 {
            let pool = child ? t.childCommentCodes : t.adultCommentCodes
            cf.set(CC.code, pool[rng.below(pool.count)])
        } else {
            cf.set(CC.code, t.commentCodes[rng.below(t.commentCodes.count)])
        }
        let style = self.style(.comments, &rng)
        if rng.chance(0.65) {
            let begin = facts.birth + rng.below(s.asOf - facts.birth + 1)
            cf.begin(CC.begin); cf.buf.appendDate(begin, style); cf.end(CC.begin)
            if rng.chance(0.25) {
                let end = begin + rng.below(s.asOf - begin + 1)
                cf.begin(CC.end); cf.buf.appendDate(end, style); cf.end(CC.end)
            }
        }
    }
}
