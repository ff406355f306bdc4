// Planting one defect in a clean record. Each case picks a spelling whose outcome
// PRODUCT.md §3/§3a settles without doubt, and returns the column the report names.

extension ByteAppending {
    /// A date no reader may accept: Feb 30, month 13, year 1899, a two-digit year, an ISO
    /// date without zero padding, or (when `future` is allowed) a real date after `--as-of`.
    mutating func appendInvalidDate(asOf: Int, future: Bool, _ rng: inout GenRandom) {
        let styles: [DateStyle] = [.iso, .compact, .usPadded, .usShort, .mmddyyyy, .isoT]
        let st = styles[rng.below(styles.count)]
        let y = rng.inRange(1950, 2020)
        switch rng.below(future ? 6 : 5) {
        case 0: appendDate(y: y, m: 2, d: 30, st)
        case 1: appendDate(y: y, m: 13, d: rng.inRange(1, 28), st)
        case 2: appendDate(y: 1899, m: rng.inRange(1, 12), d: rng.inRange(1, 28), st)
        case 3:  // 5/3/85
            appendInt(rng.inRange(1, 12)); append(47); appendInt(rng.inRange(1, 28)); append(47); appendDigits2(y % 100)
        case 4:  // 2019-2-3
            appendDigits4(y); append(45); appendInt(rng.inRange(1, 9)); append(45); appendInt(rng.inRange(1, 9))
        default:
            appendDate(asOf + rng.inRange(1, 400), st)
        }
    }
}

private let invalidIDs: [StaticString] = ["M 0001234", "CA-1234 77", "M00012345678901234567890123456789X"]

extension BlockGenerator {
    @inline(__always)
    private func one(_ options: [StaticString], _ rng: inout GenRandom) -> StaticString {
        options[rng.below(options.count)]
    }

    private func oneColumn(_ options: [Int], _ rng: inout GenRandom) -> Int { options[rng.below(options.count)] }

    /// A blank effective date defaults to the disclosed date (PRODUCT.md §3a); when the
    /// disclosed date is the planted defect, an explicit effective date keeps the defect single.
    private mutating func ensureEffectiveDate(_ rng: inout GenRandom) {
        guard pf.isEmpty(PC.effective) else { return }
        pf.begin(PC.effective); pf.buf.appendDate(s.asOf - rng.below(365), s.dateStyle[CorpusFile.members.rawValue]); pf.end(PC.effective)
    }

    /// Plants `code` in the patient record; returns the report's field column (-1 for none).
    mutating func plantPatient(_ code: PlantedCode, _ rng: inout GenRandom) -> Int {
        switch code {
        case .fieldCount:
            switch rng.below(3) {
            case 0: pf.countDelta = 1
            case 1: pf.countDelta = -1
            default:
                // "123 Main St, Apt 4" exported without quotes: one field too many.
                pf.begin(PC.street); pf.buf.appendInt(rng.inRange(100, 9999))
                pf.buf.append(contentsOf: Array(" Main St, Apt ".utf8)); pf.buf.appendInt(rng.inRange(1, 40)); pf.end(PC.street)
                pf.unquotedColumn = PC.street
            }
            return -1
        case .encoding:
            let col = oneColumn([PC.first, PC.last], &rng)
            pf.set(col, t.latin1Names[rng.below(t.latin1Names.count)])
            return col
        case .required:
            let col = oneColumn([PC.first, PC.last, PC.birth, PC.disclosedDate], &rng)
            if (col == PC.first || col == PC.last) && rng.chance(0.3) { pf.set(col, one(["-", "'", "."], &rng)) } else { pf.clear(col) }
            if col == PC.disclosedDate { ensureEffectiveDate(&rng) }
            return col
        case .name:
            let col = oneColumn([PC.first, PC.last], &rng)
            pf.set(col, t.invalidNames[rng.below(t.invalidNames.count)])
            return col
        case .date:
            let col = oneColumn([PC.birth, PC.birth, PC.disclosedDate, PC.effective], &rng)
            pf.begin(col); pf.buf.appendInvalidDate(asOf: s.asOf, future: true, &rng); pf.end(col)
            if col == PC.disclosedDate { ensureEffectiveDate(&rng) }
            return col
        case .code:
            pf.set(PC.status, one(["Z", "Current", "Enrolled", "X"], &rng))
            return PC.status
        case .id:
            let col = oneColumn([PC.recordID, PC.hpID, PC.mediCal, PC.disclosedBy, PC.updatedBy], &rng)
            switch col {
            case PC.recordID: pf.set(col, invalidIDs[rng.below(invalidIDs.count)])
            case PC.hpID: pf.set(col, one(["ACME 123456789", "HP#12345 6789", "ACME1234567890123456789012345678901"], &rng))
            case PC.mediCal: pf.set(col, one(["91234567A000000000000", "9123 4567A"], &rng))
            default: pf.set(col, one(["ACME HEALTH", "ACMEHEALTHPLAN1", "Acme Health Plan"], &rng))
            }
            return col
        case .notDisclosed:
            pf.set(PC.disclosed, one(["N", "No", "FALSE", "0", ""], &rng))
            return PC.disclosed
        case .placeholderName:
            // Newborns enrolled before they were named (the placeholder-name list of data/cdc/).
            if rng.chance(0.7) {
                pf.set(PC.first, one(["Baby Boy", "BABY GIRL", "Babygirl", "Newborn", "Twin Girl A", "No First Name"], &rng))
                return PC.first
            }
            pf.set(PC.last, one(["Unknown", "NONAME", "No Lastname"], &rng))
            return PC.last
        case .truncated:
            if rng.chance(0.6) {
                pf.begin(PC.last)
                var used = -1
                for k in 0..<3 {
                    var part = rng.below(t.longSurnameParts.count)
                    if part == used { part = (part + 1) % t.longSurnameParts.count }
                    used = part
                    if k > 0 { pf.buf.append(32) }
                    pf.buf.append(contentsOf: t.longSurnameParts[part])
                }
                pf.end(PC.last)
                return PC.last
            }
            pf.begin(PC.street); pf.buf.appendInt(rng.inRange(10000, 29999))
            pf.buf.append(contentsOf: Array(" Alameda de las Pulgas Avenue, Building ".utf8)); pf.buf.appendInt(rng.inRange(10, 99))
            pf.buf.append(contentsOf: Array(", Suite ".utf8)); pf.buf.appendInt(rng.inRange(1000, 4999)); pf.end(PC.street)
            return PC.street
        case .nameDropped:
            let col = oneColumn([PC.middle, PC.middle, PC.motherFirst, PC.motherMaiden, PC.rpFirst, PC.rpMiddle, PC.rpLast], &rng)
            pf.set(col, t.invalidNames[rng.below(t.invalidNames.count)])
            return col
        case .charsRemoved:
            let old = pf.value(PC.street)
            pf.begin(PC.street); pf.buf.append(contentsOf: old)
            pf.buf.append(contentsOf: Array(one(["; Apt 4", " @ Rear", " *", "!", " \"B\"", " Apt_2", "?"], &rng).description.utf8))
            pf.end(PC.street)
            return PC.street
        case .dateWarning:
            pf.begin(PC.death)
            switch rng.below(3) {
            case 0: pf.buf.appendDate(facts.birth - rng.inRange(1, 3000), s.dateStyle[CorpusFile.members.rawValue])
            case 1: pf.buf.appendInvalidDate(asOf: s.asOf, future: false, &rng)
            default: pf.buf.appendDate(s.asOf + rng.inRange(1, 300), .iso)
            }
            pf.end(PC.death)
            return PC.death
        case .codeWarning:
            switch rng.below(7) {
            case 0: pf.set(PC.sex, one(["X", "Nonbinary", "W"], &rng)); return PC.sex
            case 1: pf.set(PC.county, one(["Springfield", "LA County", "CA000", "Orange Cnty"], &rng)); return PC.county
            case 2: pf.set(PC.rpRelation, one(["Aunt", "Uncle", "Neighbor", "AUN"], &rng)); return PC.rpRelation
            case 3: pf.set(PC.state, one(["Calif.", "Cal", "C.A."], &rng)); return PC.state
            case 4: pf.set(PC.ethnicity, one(["Hispanic", "Latino", "Declined"], &rng)); return PC.ethnicity
            case 5: pf.set(PC.contact, one(["3", "Yes", "00"], &rng)); return PC.contact
            default: pf.set(PC.hbsag, one(["Pos", "Neg", "5"], &rng)); return PC.hbsag
            }
        case .phone:
            pf.set(PC.phone, one(["555-1234", "123-456-7890", "(805) 555-12", "805-355-7663 ext 123456789", "0005551234"], &rng))
            return PC.phone
        case .zip:
            pf.set(PC.zip, one(["9410", "941101", "94110-12", "9O210", "941"], &rng))
            return PC.zip
        case .ssnDropped:
            pf.begin(PC.ssn)
            pf.buf.appendInt(rng.inRange(100, 899))
            if rng.chance(0.7) { pf.buf.append(45) }
            pf.buf.appendPadded(UInt64(rng.inRange(1, 99)), width: 2)
            if rng.chance(0.7) { pf.buf.append(45) }
            pf.buf.appendPadded(UInt64(rng.inRange(1, 9999)), width: 4)
            pf.end(PC.ssn)
            return PC.ssn
        default:
            preconditionFailure("not a patient defect")
        }
    }

    mutating func plantQuery(_ code: PlantedCode, _ rng: inout GenRandom) -> Int {
        switch code {
        case .fieldCount:
            qf.countDelta = rng.chance(0.5) ? 1 : -1
            return -1
        case .encoding:
            let col = oneColumn([QC.first, QC.last], &rng)
            qf.set(col, t.latin1Names[rng.below(t.latin1Names.count)])
            return col
        case .required:
            let col = oneColumn([QC.hpID, QC.first, QC.last, QC.birth], &rng)
            qf.clear(col)
            return col
        case .name:
            let col = oneColumn([QC.first, QC.last], &rng)
            qf.set(col, t.invalidNames[rng.below(t.invalidNames.count)])
            return col
        case .date:
            qf.begin(QC.birth); qf.buf.appendInvalidDate(asOf: s.asOf, future: true, &rng); qf.end(QC.birth)
            return QC.birth
        case .code:
            qf.set(QC.type, one(["X", "PPO", "HMO", "Medicare"], &rng))
            return QC.type
        case .id:
            qf.set(QC.hpID, one(["ACME 123456789", "ACME1234567890123456789012345678901"], &rng))
            return QC.hpID
        case .truncated:
            qf.begin(QC.last)
            for k in 0..<3 {
                if k > 0 { qf.buf.append(45) }
                qf.buf.append(contentsOf: t.longSurnameParts[(k * 3 + rng.below(2)) % t.longSurnameParts.count])
            }
            qf.end(QC.last)
            return QC.last
        case .nameDropped:
            qf.set(QC.middle, t.invalidNames[rng.below(t.invalidNames.count)])
            return QC.middle
        default:
            preconditionFailure("not a query defect")
        }
    }

    /// Plants `code` in the immunization record of product `p`; returns (field column, record id index).
    mutating func plantImmunization(_ code: PlantedCode, _ day: Int, _ p: Int, _ rng: inout GenRandom) -> (Int, Int64) {
        let me = Int64(facts.index)
        switch code {
        case .fieldCount:
            switch rng.below(3) {
            case 0: imf.countDelta = 1
            case 1: imf.countDelta = -1
            default:
                imf.set(IC.provider, t.providersWithComma[rng.below(t.providersWithComma.count)])
                imf.unquotedColumn = IC.provider
            }
            return (-1, -1)
        case .encoding:
            // "Clínica Sierra Vista" in cp1252.
            imf.set(IC.provider, [0x43, 0x6C, 0xED, 0x6E, 0x69, 0x63, 0x61, 0x20, 0x53, 0x69, 0x65, 0x72, 0x72, 0x61,
                                  0x20, 0x56, 0x69, 0x73, 0x74, 0x61])
            return (IC.provider, -1)
        case .required:
            let col = oneColumn([IC.date, IC.mvx], &rng)
            imf.clear(col)
            return (col, me)
        case .date:
            imf.begin(IC.date); imf.buf.appendInvalidDate(asOf: s.asOf, future: true, &rng); imf.end(IC.date)
            return (IC.date, me)
        case .code:
            if rng.chance(0.5) {
                imf.set(IC.source, one(["02", "00", "Historical", "2"], &rng))
                return (IC.source, me)
            }
            imf.set(IC.mvx, one(["MS-D", "Merck", "SANOFI", "PMC1X"], &rng))
            return (IC.mvx, me)
        case .id:
            imf.set(IC.recordID, invalidIDs[rng.below(invalidIDs.count)])
            return (IC.recordID, -1)
        case .noVaccine:
            for c in [IC.ndc, IC.trade, IC.cpt, IC.cvx, IC.group] { imf.clear(c) }
            return (-1, me)
        case .orphan:
            let other = Int64(s.members + rng.below(1_000_000))
            imf.begin(IC.recordID); MemberIDs.appendRecordID(other, to: &imf.buf); imf.end(IC.recordID)
            return (IC.recordID, other)
        case .beforeBirth:
            imf.begin(IC.date)
            imf.buf.appendDate(facts.birth - rng.inRange(1, 400), s.dateStyle[CorpusFile.immunizations.rawValue])
            imf.end(IC.date)
            return (IC.date, me)
        case .truncated:
            if rng.chance(0.5) {
                imf.set(IC.trade, t.longTradeNames[rng.below(t.longTradeNames.count)])
                return (IC.trade, me)
            }
            imf.set(IC.provider, one(["Northeast Valley Health Corporation - San Fernando Health Center",
                                      "Los Angeles County Department of Public Health Immunization Program"], &rng))
            return (IC.provider, me)
        case .charsRemoved:
            if rng.chance(0.5) {
                let lot = imf.value(IC.lot)
                imf.begin(IC.lot); imf.buf.append(contentsOf: Array("Lot:".utf8)); imf.buf.append(contentsOf: lot.isEmpty ? [85, 49, 50, 51] : lot)
                imf.end(IC.lot)
                return (IC.lot, me)
            }
            imf.begin(IC.provider); imf.buf.append(contentsOf: t.providers[rng.below(t.providers.count)])
            imf.buf.append(contentsOf: Array(one([" *", " @ Main", "!", " [2]"], &rng).description.utf8)); imf.end(IC.provider)
            return (IC.provider, me)
        case .codeWarning:
            switch rng.below(5) {
            case 0:
                imf.set(IC.cpt, one(["0001A", "9070", "906860", "9O686"], &rng))
                if imf.isEmpty(IC.cvx) { imf.set(IC.cvx, t.productCVX[p]) }
                return (IC.cpt, me)
            case 1:
                imf.set(IC.cvx, one(["1500", "A08", "0208"], &rng))
                if imf.isEmpty(IC.cpt) { imf.set(IC.cpt, t.productCPT[p]) }
                return (IC.cvx, me)
            case 2: imf.set(IC.route, one(["Intramusc.", "Shot", "IMM"], &rng)); return (IC.route, me)
            case 3: imf.set(IC.site, one(["Arm", "L Arm", "Thigh"], &rng)); return (IC.site, me)
            default: imf.set(IC.eligibility, one(["V06", "Yes", "VFC"], &rng)); return (IC.eligibility, me)
            }
        case .codeUnknown:
            // Well-formed codes that the CDC tables (data/cdc/) do not hold: written unchanged, flagged.
            switch rng.below(3) {
            case 0: imf.set(IC.cvx, one(["600", "0", "899"], &rng)); return (IC.cvx, me)
            case 1:
                imf.set(IC.cpt, one(["90999", "90001", "99213"], &rng))
                return (IC.cpt, me)
            default: imf.set(IC.mvx, one(["ZZZ", "QQ1", "zz9"], &rng)); return (IC.mvx, me)
            }
        case .codeMismatch:
            // Both known, but CPT 90707 (MMR) maps only to CVX 03.
            imf.set(IC.cpt, "90707")
            imf.set(IC.cvx, one(["20", "106", "48", "21"], &rng))
            return (IC.cvx, me)
        default:
            preconditionFailure("not an immunization defect")
        }
    }

    mutating func plantComment(_ code: PlantedCode, _ rng: inout GenRandom) -> (Int, Int64) {
        let me = Int64(facts.index)
        switch code {
        case .fieldCount:
            cf.countDelta = rng.chance(0.5) ? 1 : -1
            return (-1, -1)
        case .required:
            cf.clear(CC.code)
            return (CC.code, me)
        case .code:
            cf.set(CC.code, one(["33B", "DPERM10", "DPERM12", "ALLERGY", "P1", "DP15"], &rng))
            return (CC.code, me)
        case .id:
            cf.set(CC.recordID, invalidIDs[rng.below(invalidIDs.count)])
            return (CC.recordID, -1)
        case .orphan:
            let other = Int64(s.members + rng.below(1_000_000))
            cf.begin(CC.recordID); MemberIDs.appendRecordID(other, to: &cf.buf); cf.end(CC.recordID)
            return (CC.recordID, other)
        case .dateWarning:
            let st = s.dateStyle[CorpusFile.comments.rawValue]
            if rng.chance(0.7) {
                let begin = facts.birth + rng.below(s.asOf - facts.birth + 1)
                cf.begin(CC.begin); cf.buf.appendDate(begin, st); cf.end(CC.begin)
                cf.begin(CC.end); cf.buf.appendDate(begin - rng.inRange(1, 1000), st); cf.end(CC.end)
                return (CC.end, me)
            }
            cf.begin(CC.begin); cf.buf.appendInvalidDate(asOf: s.asOf, future: false, &rng); cf.end(CC.begin)
            cf.clear(CC.end)
            return (CC.begin, me)
        default:
            preconditionFailure("not a comment defect")
        }
    }
}
