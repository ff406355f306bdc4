import CAIR2Core
import CAIR2Measures
import Testing

/// Every rule of PRODUCT.md section 7, on the pure functions (no files).
private func d(_ s: String) -> DateValue { DateValue.parseISO(s)! }
private func plus(_ base: DateValue, _ n: Int) -> DateValue {
    // Walks calendar days (tests only; n is small).
    var y = base.year, m = base.month, day = base.day
    for _ in 0..<n {
        day += 1
        if day > DateValue.daysIn(month: m, year: y) { day = 1; m += 1; if m > 12 { m = 1; y += 1 } }
    }
    return DateValue(year: y, month: m, day: day)
}
private func dose(_ date: DateValue, _ p: Product..., origin: DoseOrigin = .plan) -> Dose {
    var s = ProductSet()
    for x in p { s.insert(ProductSet(x)) }
    return Dose(date: date, products: s, origin: origin)
}
private let cis = MeasureRules(measure: .cis)
private let ima = MeasureRules(measure: .ima)
private func status(_ a: Antigen, birth: DateValue, _ doses: [Dose], _ ev: [CommentEvidence] = [],
                    rules: MeasureRules? = nil) -> AntigenStatus {
    let r = rules ?? (Measure.cis.antigens.contains(a) ? cis : ima)
    return evaluate(birth: birth, doses: doses, evidence: ev, rules: r).status(a)
}

@Suite struct DateRuleTests {
    @Test func februaryTwentyNinthBirthdays() {
        let b = d("2020-02-29")
        #expect(birthday(b, 1) == d("2021-02-28"))
        #expect(birthday(b, 2) == d("2022-02-28"))
        #expect(birthday(b, 4) == d("2024-02-29"))
        #expect(birthday(d("2012-02-29"), 13) == d("2025-02-28"))
        #expect(isEligible(birth: b, measure: .cis, year: 2022))
        #expect(!isEligible(birth: b, measure: .cis, year: 2023))
    }

    @Test func daysAreCalendarDays() {
        #expect(days(from: d("2023-01-01"), to: d("2023-02-12")) == 42)
        #expect(days(from: d("2024-02-28"), to: d("2024-03-01")) == 2)
        #expect(days(from: d("2023-02-28"), to: d("2023-03-01")) == 1)
        #expect(days(from: d("1999-12-31"), to: d("2000-12-31")) == 366)
        #expect(days(from: d("2023-03-01"), to: d("2023-02-28")) == -1)
    }

    @Test func eligibilityByLastBirthday() {
        #expect(isEligible(birth: d("2023-12-31"), measure: .cis, year: 2025))
        #expect(!isEligible(birth: d("2024-01-01"), measure: .cis, year: 2025))
        #expect(isEligible(birth: d("2012-01-01"), measure: .ima, year: 2025))
        #expect(!isEligible(birth: d("2011-12-31"), measure: .ima, year: 2025))
    }
}

@Suite struct CISRuleTests {
    let b = d("2023-03-10")

    @Test func fortyTwoDayWindowToTheDay() {
        let early = (0..<4).map { _ in dose(plus(b, 41), .dtap) }  // all on day 41
        #expect(status(.dtap, birth: b, early).doses == 0)
        let four = [42, 100, 160, 400].map { dose(plus(b, $0), .dtap) }
        #expect(status(.dtap, birth: b, four) == AntigenStatus(doses: 4, met: true))
        let oneEarly = [41, 100, 160, 400].map { dose(plus(b, $0), .dtap) }
        #expect(status(.dtap, birth: b, oneEarly) == AntigenStatus(doses: 3, met: false))
        for (a, p, need) in [(Antigen.ipv, Product.ipv, 3), (.hib, .hib, 3), (.pcv, .pcv, 4)] {
            let ok = (0..<need).map { dose(plus(b, 42 + $0 * 61), p) }
            #expect(status(a, birth: b, ok).met)
            let bad = (0..<need).map { dose(plus(b, 41 + $0 * 61), p) }
            #expect(!status(a, birth: b, bad).met)
        }
    }

    @Test func hepBCountsFromBirthNotBefore() {
        #expect(status(.hepb, birth: b, [dose(b, .hepb), dose(plus(b, 30), .hepb), dose(plus(b, 180), .hepb)]).met)
        let before = [dose(d("2023-03-09"), .hepb), dose(plus(b, 30), .hepb), dose(plus(b, 180), .hepb)]
        #expect(status(.hepb, birth: b, before) == AntigenStatus(doses: 2, met: false))
    }

    @Test func dosesAfterTheLastBirthdayNeverCount() {
        let second = birthday(b, 2)
        #expect(status(.hepb, birth: b, [dose(b, .hepb), dose(plus(b, 60), .hepb), dose(second, .hepb)]).met)
        #expect(!status(.hepb, birth: b, [dose(b, .hepb), dose(plus(b, 60), .hepb), dose(plus(second, 1), .hepb)]).met)
    }

    @Test func firstToSecondBirthdayWindow() {
        let first = birthday(b, 1), second = birthday(b, 2)
        for (a, p) in [(Antigen.mmr, Product.mmr), (.vzv, .vzv), (.hepa, .hepa)] {
            #expect(!status(a, birth: b, [dose(d("2024-03-09"), p)]).met)
            #expect(status(a, birth: b, [dose(first, p)]).met)
            #expect(status(a, birth: b, [dose(second, p)]).met)
            #expect(!status(a, birth: b, [dose(plus(second, 1), p)]).met)
        }
    }

    @Test func sameDateDosesCountOnce() {
        let day = plus(b, 60)
        let s = status(.dtap, birth: b, [dose(day, .dtap), dose(day, .dtap, origin: .registry), dose(plus(b, 120), .dtap),
                                        dose(plus(b, 180), .dtap)])
        #expect(s == AntigenStatus(doses: 3, met: false))
    }

    @Test func combinationVaccineCountsForEachAntigen() {
        let pentacel = [60, 120, 180].map { dose(plus(b, $0), .dtap, .ipv, .hib) }
        let r = evaluate(birth: b, doses: pentacel, evidence: [], rules: cis)
        #expect(r.status(.ipv).met && r.status(.hib).met)
        #expect(r.status(.dtap).doses == 3)
    }

    @Test func rotavirusCombinations() {
        func rv(_ products: [Product], from start: Int = 60) -> AntigenStatus {
            status(.rv, birth: b, products.enumerated().map { dose(plus(b, start + $0.offset * 60), $0.element) })
        }
        #expect(rv([.rv2, .rv2]).met)
        #expect(rv([.rv3, .rv3, .rv3]).met)
        #expect(rv([.rv2, .rv3, .rv3]).met)
        #expect(rv([.rv3, .rv2, .rv3]) == AntigenStatus(doses: 3, met: true))
        #expect(!rv([.rv2, .rv3]).met)
        #expect(!rv([.rv3, .rv3]).met)
        #expect(rv([.rv2]) == AntigenStatus(doses: 1, met: false))
        // 42 days or more after birth
        #expect(!status(.rv, birth: b, [dose(plus(b, 41), .rv2), dose(plus(b, 100), .rv2)]).met)
        #expect(status(.rv, birth: b, [dose(plus(b, 42), .rv2), dose(plus(b, 100), .rv2)]).met)
        // one date holding both products is one RV dose, the three-dose one
        let both = [dose(plus(b, 60), .rv2), dose(plus(b, 60), .rv3), dose(plus(b, 120), .rv2)]
        #expect(status(.rv, birth: b, both) == AntigenStatus(doses: 2, met: false))
    }

    @Test func groupOnlyRegistryRotavirusDoseIsRV3() throws {
        let vs = try ValueSets(csv: BundledTables.valueSetsCSV)
        #expect(vs.registryProducts(.cis, cpt: "", group: "ROTAVIRUS") == ProductSet(.rv3))
        #expect(vs.registryProducts(.cis, cpt: "90681", group: "ROTAVIRUS") == ProductSet(.rv2))
        #expect(vs.registryProducts(.cis, cpt: "", group: " rotavirus ") == ProductSet(.rv3))
    }

    @Test func fluWindowAndLAIVOnlyOnTheSecondBirthday() {
        let second = birthday(b, 2)
        #expect(!status(.flu, birth: b, [dose(plus(b, 179), .flu), dose(plus(b, 250), .flu)]).met)
        #expect(status(.flu, birth: b, [dose(plus(b, 180), .flu), dose(plus(b, 250), .flu)]).met)
        #expect(status(.flu, birth: b, [dose(plus(b, 200), .flu), dose(second, .fluLAIV)]) == AntigenStatus(doses: 2, met: true))
        let dayBefore = d("2025-03-09")
        #expect(status(.flu, birth: b, [dose(plus(b, 200), .flu), dose(dayBefore, .fluLAIV)]) == AntigenStatus(doses: 1, met: false))
        #expect(!status(.flu, birth: b, [dose(plus(b, 200), .flu), dose(plus(second, 1), .fluLAIV)]).met)
    }

    @Test func laivOnAFebruaryTwentyEighthSecondBirthday() {
        let leap = d("2020-02-29")
        #expect(status(.flu, birth: leap, [dose(d("2021-01-01"), .flu), dose(d("2022-02-28"), .fluLAIV)]).met)
    }

    @Test func combosAndMissing() {
        var doses: [Dose] = []
        for k in 0..<4 { doses.append(dose(plus(b, 60 + k * 60), .dtap, .ipv, .hib, .pcv, .hepb)) }
        doses.append(dose(birthday(b, 1), .mmr, .vzv))
        var r = evaluate(birth: b, doses: doses, evidence: [], rules: cis)
        #expect(r.met(.combo3) && !r.met(.combo7) && !r.met(.combo10))
        #expect(r.missing == [.hepa, .rv, .flu])
        doses += [dose(birthday(b, 1), .hepa), dose(plus(b, 60), .rv2), dose(plus(b, 120), .rv2)]
        r = evaluate(birth: b, doses: doses, evidence: [], rules: cis)
        #expect(r.met(.combo7) && !r.met(.combo10) && r.missing == [.flu])
        doses += [dose(plus(b, 200), .flu), dose(plus(b, 400), .flu)]
        r = evaluate(birth: b, doses: doses, evidence: [], rules: cis)
        #expect(r.met(.combo10) && r.missing.isEmpty)
    }
}

@Suite struct IMARuleTests {
    let b = d("2012-06-15")

    @Test func meningococcalFromThe11thOr10thBirthday() {
        let tenth = birthday(b, 10), eleventh = birthday(b, 11)
        #expect(!status(.men, birth: b, [dose(tenth, .men)]).met)
        #expect(!status(.men, birth: b, [dose(d("2023-06-14"), .men)]).met)
        #expect(status(.men, birth: b, [dose(eleventh, .men)]).met)
        let from10 = MeasureRules(measure: .ima, meningFrom: 10)
        #expect(status(.men, birth: b, [dose(tenth, .men)], rules: from10).met)
        #expect(!status(.men, birth: b, [dose(d("2022-06-14"), .men)], rules: from10).met)
        #expect(status(.men, birth: b, [dose(birthday(b, 13), .men)]).met)
        #expect(!status(.men, birth: b, [dose(d("2025-06-16"), .men)]).met)
    }

    @Test func tdapFromThe10thBirthday() {
        #expect(status(.tdap, birth: b, [dose(birthday(b, 10), .tdap)]).met)
        #expect(!status(.tdap, birth: b, [dose(d("2022-06-14"), .tdap)]).met)
    }

    @Test func hpvTwoDoses146DaysApartOrThree() {
        let start = d("2022-01-10")
        #expect(!status(.hpv, birth: b, [dose(start, .hpv), dose(plus(start, 145), .hpv)]).met)
        #expect(status(.hpv, birth: b, [dose(start, .hpv), dose(plus(start, 146), .hpv)]).met)
        #expect(status(.hpv, birth: b, [dose(start, .hpv), dose(plus(start, 30), .hpv), dose(plus(start, 60), .hpv)]).met)
        // before the 9th birthday does not count
        #expect(!status(.hpv, birth: b, [dose(d("2021-06-14"), .hpv), dose(d("2022-06-14"), .hpv)]).met)
        #expect(status(.hpv, birth: b, [dose(birthday(b, 9), .hpv), dose(d("2022-06-14"), .hpv)]).met)
        // the same date twice is one dose
        #expect(status(.hpv, birth: b, [dose(start, .hpv), dose(start, .hpv), dose(plus(start, 10), .hpv)]).doses == 2)
    }

    @Test func combos() {
        let r = evaluate(birth: b, doses: [dose(birthday(b, 11), .men), dose(birthday(b, 11), .tdap)], evidence: [], rules: ima)
        #expect(r.met(.combo1) && !r.met(.combo2) && r.missing == [.hpv])
    }
}

@Suite struct CommentEvidenceTests {
    let b = d("2023-03-10")

    @Test func anaphylaxisAndEncephalopathyMeetTheAntigen() {
        let last = birthday(b, 2)
        #expect(status(.dtap, birth: b, [], [CommentEvidence(antigen: .dtap, evidence: .encephalopathy, begin: last)]).met)
        #expect(status(.ipv, birth: b, [], [CommentEvidence(antigen: .ipv, evidence: .anaphylaxis, begin: d("2023-05-01"))]) ==
                AntigenStatus(doses: 0, met: true))
        #expect(status(.hepb, birth: b, [], [CommentEvidence(antigen: .hepb, evidence: .immunity, begin: d("2023-05-01"))]).met)
    }

    @Test func beginDateOnOrBeforeTheLastBirthdayAndNotBlank() {
        let last = birthday(b, 2)
        #expect(!status(.vzv, birth: b, [], [CommentEvidence(antigen: .vzv, evidence: .immunity, begin: plus(last, 1))]).met)
        #expect(!status(.vzv, birth: b, [], [CommentEvidence(antigen: .vzv, evidence: .immunity, begin: nil)]).met)
        #expect(status(.vzv, birth: b, [], [CommentEvidence(antigen: .vzv, evidence: .immunity, begin: last)]).met)
    }

    @Test func mmrByImmunityNeedsAllThree() {
        let on = d("2024-01-01")
        let two = [CommentEvidence(antigen: .mmr, evidence: .immunityMeasles, begin: on),
                   CommentEvidence(antigen: .mmr, evidence: .immunityMumps, begin: on)]
        #expect(!status(.mmr, birth: b, [], two).met)
        #expect(status(.mmr, birth: b, [], two + [CommentEvidence(antigen: .mmr, evidence: .immunityRubella, begin: on)]).met)
        let late = CommentEvidence(antigen: .mmr, evidence: .immunityRubella, begin: d("2026-01-01"))
        #expect(!status(.mmr, birth: b, [], two + [late]).met)
        #expect(status(.mmr, birth: b, [], [CommentEvidence(antigen: .mmr, evidence: .anaphylaxis, begin: on)]).met)
    }

    @Test func bundledCommentCodes() throws {
        let cc = try CommentCodes(csv: BundledTables.commentCodesCSV)
        #expect(cc.evidence(.cis, code: "27").map(\.evidence) == [.immunityMeasles])
        #expect(cc.evidence(.cis, code: "15").map(\.antigen) == [.dtap])
        #expect(cc.evidence(.ima, code: "15").map(\.antigen) == [.tdap])
        #expect(cc.evidence(.cis, code: "33a").map(\.antigen) == [.vzv])
        #expect(cc.evidence(.cis, code: "99").isEmpty)
    }

    @Test func commentCodeOverride() throws {
        let cc = try CommentCodes(csv: "measure,antigen,comment_code,evidence\nCIS,MMR,27,immunity\n")
        #expect(cc.evidence(.cis, code: "27").map(\.evidence) == [.immunity])
        #expect(cc.evidence(.cis, code: "10_7").isEmpty)
        #expect(throws: TableError.self) { try CommentCodes(csv: "measure,antigen,comment_code,evidence\nCIS,HepB,27,immunity-measles\n") }
        #expect(throws: TableError.self) { try CommentCodes(csv: "measure,antigen,comment_code,evidence\nCIS,Foo,27,immunity\n") }
        #expect(throws: TableError.self) { try CommentCodes(csv: "measure,antigen,code\n") }
    }
}

@Suite struct ValueSetTests {
    @Test func bundledCodesAndCVXWithoutLeadingZero() throws {
        let vs = try ValueSets(csv: BundledTables.valueSetsCSV)
        #expect(vs.planProducts(.cis, cpt: "", cvx: "8") == ProductSet(.hepb))
        #expect(vs.planProducts(.cis, cpt: "", cvx: "08") == ProductSet(.hepb))
        #expect(vs.planProducts(.cis, cpt: "90723", cvx: "") == [ProductSet(.dtap), ProductSet(.ipv), ProductSet(.hepb)])
        #expect(vs.planProducts(.cis, cpt: "90660", cvx: "") == ProductSet(.fluLAIV))
        #expect(vs.planProducts(.ima, cpt: "90723", cvx: "").isEmpty)
        // a registry dose with a CPT does not fall back to its group; plan doses have no group
        #expect(vs.registryProducts(.cis, cpt: "99999", group: "DTAP").isEmpty)
        #expect(vs.registryProducts(.cis, cpt: "", group: "DTAP") == ProductSet(.dtap))
        #expect(vs.registryProducts(.ima, cpt: "", group: "MENINGO").isEmpty)
        #expect(vs.registryProducts(.ima, cpt: "", group: "TD/TDAP").isEmpty)
        #expect(vs.registryProducts(.ima, cpt: "90734", group: "MENINGO") == ProductSet(.men))
    }

    @Test func overrideAndBadTables() throws {
        let vs = try ValueSets(csv: "measure,antigen,system,code\ncis,dtap,cpt,12345\n")
        #expect(vs.planProducts(.cis, cpt: "12345", cvx: "") == ProductSet(.dtap))
        #expect(vs.planProducts(.cis, cpt: "90700", cvx: "").isEmpty)
        #expect(throws: TableError.self) { try ValueSets(csv: "measure,antigen,system,code\nCIS,RV,CPT,90681\n") }
        #expect(throws: TableError.self) { try ValueSets(csv: "measure,antigen,system,code\nCIS,DTaP,NDC,1\n") }
        #expect(throws: TableError.self) { try ValueSets(csv: "measure,antigen,code\nCIS,DTaP,1\n") }
        #expect(throws: TableError.self) { try ValueSets(csv: "measure,antigen,system,code\n") }
        #expect(throws: TableError.self) { try ValueSets(csv: "") }
    }
}

@Suite struct MatchStatusTests {
    let m = Member(birth: d("2023-03-10"), firstName: "ANA", lastName: "LOPEZ")
    func row(_ birth: String?, _ f: String = "ANA", _ l: String = "LOPEZ") -> ReturnRow {
        ReturnRow(birth: birth.map(d), firstName: f, lastName: l)
    }

    @Test func everyStatusAndTheIdentityRule() {
        #expect(matchStatus(m, rows: []) == (.notFound, false))
        #expect(matchStatus(m, rows: [row("2023-03-10")]) == (.matched, true))
        #expect(matchStatus(m, rows: [row("2023-03-11")]) == (.birthDateDiffers, false))
        #expect(matchStatus(m, rows: [row(nil)]) == (.birthDateDiffers, false))
        #expect(matchStatus(m, rows: [row("2023-03-10", "ANNA")]) == (.nameDiffers, true))
        #expect(matchStatus(m, rows: [row("2023-03-10", "ANA", "LOPES")]) == (.nameDiffers, true))
        #expect(matchStatus(m, rows: [row("2023-03-11", "ANNA")]) == (.birthDateDiffers, false))
        #expect(matchStatus(m, rows: [row("2023-03-10"), row("2023-03-10", "X")]) == (.severalRows, true))
        #expect(matchStatus(m, rows: [row("2023-03-10"), row("2023-03-12")]) == (.severalRows, false))
        // names are compared only when the members file has them
        #expect(matchStatus(Member(birth: d("2023-03-10")), rows: [row("2023-03-10", "X", "Y")]) == (.matched, true))
    }

    @Test func registryDosesCountOnlyUnderTheIdentityRule() {
        let b = m.birth
        var doses = [dose(b, .hepb), dose(plus(b, 60), .hepb)]
        doses.append(dose(plus(b, 120), .hepb, origin: .registry))
        let good = assess(m, rows: [row("2023-03-10")], doses: doses, evidence: [], rules: cis)
        #expect(good.both.status(.hepb).met && !good.plan.status(.hepb).met && good.registry.status(.hepb).doses == 1)
        let other = assess(m, rows: [row("2023-03-11")], doses: doses, evidence: [], rules: cis)
        #expect(!other.both.status(.hepb).met && other.registry.status(.hepb).doses == 0)
        let disagree = assess(m, rows: [row("2023-03-10"), row("2020-01-01")], doses: doses, evidence: [], rules: cis)
        #expect(disagree.status == .severalRows && !disagree.both.status(.hepb).met)
        let notFound = assess(m, rows: [], doses: doses, evidence: [], rules: cis)
        #expect(!notFound.both.status(.hepb).met)
    }

    @Test func closedByRegistry() {
        let b = m.birth
        var doses: [Dose] = []
        for k in 0..<4 { doses.append(dose(plus(b, 60 + k * 60), .dtap, .ipv, .hib, .pcv, .hepb)) }
        doses += [dose(birthday(b, 1), .mmr, .vzv, .hepa), dose(plus(b, 60), .rv2), dose(plus(b, 120), .rv2),
                  dose(plus(b, 200), .flu)]
        doses.append(dose(plus(b, 400), .flu, origin: .registry))
        let a = assess(m, rows: [row("2023-03-10")], doses: doses, evidence: [], rules: cis)
        #expect(a.closedByRegistry && a.both.largestComboMet && !a.plan.largestComboMet)
        let comments = [CommentEvidence(antigen: .flu, evidence: .anaphylaxis, begin: b)]
        let c = assess(m, rows: [row("2023-03-10")], doses: doses, evidence: comments, rules: cis)
        #expect(!c.closedByRegistry && c.plan.largestComboMet)
    }
}
