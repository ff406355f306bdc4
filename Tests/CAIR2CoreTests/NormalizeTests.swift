import Testing
@testable import CAIR2Core

func folded(_ s: String, _ enc: TextEncoding = .utf8, fold: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    Array(s.utf8).withUnsafeBufferPointer { Folding.fold($0, enc, fold: fold, into: &out) }
    return out
}

func foldedString(_ s: String) -> String {
    String(decoding: folded(s).map { $0 == unmappableByte ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
}

/// Runs a value-class function on a string and returns the written slot (right-trimmed) and its outcome.
func apply<R>(_ s: String, width: Int, _ f: (UnsafeBufferPointer<UInt8>, UnsafeMutablePointer<UInt8>) -> R) -> (String, R) {
    let t = folded(s)
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
    defer { out.deallocate() }
    out.initialize(repeating: 0x20, count: width)
    let r = t.withUnsafeBufferPointer { f($0, out) }
    var v = Array(UnsafeBufferPointer(start: out, count: width))
    while v.last == 0x20 { v.removeLast() }
    return (String(decoding: v, as: UTF8.self), r)
}

@Suite struct FoldingTests {
    @Test func specialLettersAndPunctuation() {
        #expect(foldedString("ß ẞ Æ æ Œ œ Ø ø Ł ł Đ đ Ð ð Þ þ ı Ħ ħ Ŧ ŧ") == "ss SS AE ae OE oe O o L l D d D d TH th i H h T t")
        #expect(foldedString("O’Brien ‘x’ ʼ ʻ ´ `") == "O'Brien 'x' ' ' ' '")
        #expect(foldedString("a‐b‑c‒d–e—f") == "a-b-c-d-e-f")
        #expect(foldedString("a\u{00A0}b\u{2003}c\u{3000}d\te\nf") == "a b c d e f")
    }

    /// "Whitespace" is Python's `str.isspace` set (the reading Corpus/README.md records): with tab, LF, CR and the
    /// Unicode spaces it takes VT, FF, the separators U+001C-U+001F, NEL, LS and PS; NUL and DEL are not blanks.
    @Test func whitespaceIsPythonsIsspaceSet() {
        for c in ["\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{1F}", "\u{85}", "\u{2028}", "\u{2029}"] {
            #expect(foldedString("a\(c)b") == "a b", "\(c.debugDescription)")
            #expect(folded("A\(c)B", fold: false) == Array("A B".utf8), "\(c.debugDescription)")
        }
        for c in ["\u{00}", "\u{7F}"] { #expect(foldedString("a\(c)b") != "a b", "\(c.debugDescription)") }
    }

    @Test func nfdLettersAndCombiningMarks() {
        #expect(foldedString("é ñ ư ắ ș ü Å ç Ğ ş İ") == "e n u a s u A c G s I")
        #expect(foldedString("Nguyễn Zacarías Peñasco Łukasz Øyvind Şükrü") == "Nguyen Zacarias Penasco Lukasz Oyvind Sukru")
        #expect(foldedString("e\u{0301}") == "e")          // decomposed input: the lone mark is dropped
        #expect(foldedString("\u{0301}") == "")
    }

    @Test func unmappableCharacters() {
        for s in ["\u{00AD}", "\u{200B}", "½", "™", "Ａ", "王", "😀", "Ж", "α"] {
            #expect(folded(s) == [unmappableByte], "\(s.debugDescription)")
        }
    }

    @Test func identifiersAreNeverFolded() {
        #expect(folded("AB\u{00E9}", fold: false) == [0x41, 0x42, unmappableByte])
        #expect(folded("A\u{00A0}B", fold: false) == Array("A B".utf8))
    }

    @Test func encodings() {
        // cp1252: 0x92 is ’, 0xE9 é; the five undefined bytes are not decodable.
        let cp: [UInt8] = [0x4F, 0x92, 0x42, 0xE9]
        var out: [UInt8] = []
        cp.withUnsafeBufferPointer { Folding.fold($0, .cp1252, into: &out) }
        #expect(out == Array("O'Be".utf8))
        for b: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            #expect(![b].withUnsafeBufferPointer { Folding.isDecodable($0, .cp1252) })
            #expect([b].withUnsafeBufferPointer { Folding.isDecodable($0, .latin1) })
        }
        // UTF-8: overlongs, surrogates, truncated sequences and stray continuation bytes are refused.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF5, 0x80, 0x80, 0x80], [0xC3]] {
            #expect(!bad.withUnsafeBufferPointer { Folding.isDecodable($0, .utf8) })
        }
        #expect(Array("é王😀".utf8).withUnsafeBufferPointer { Folding.isDecodable($0, .utf8) })
    }
}

@Suite struct ValueClassTests {
    @Test func names() {
        #expect(apply("  o'brien-smith, jr. ", width: 50) { Values.name($0, width: 50, out: $1) }.0 == "OBRIEN SMITH JR")
        #expect(apply("Mary/Ann  Lee", width: 50) { Values.name($0, width: 50, out: $1) }.0 == "MARY ANN LEE")
        #expect(apply("Nguyễn", width: 50) { Values.name($0, width: 50, out: $1) }.0 == "NGUYEN")
        let digit = apply("R2D2", width: 50) { Values.name($0, width: 50, out: $1) }
        #expect(digit.1.invalid && digit.0 == "")
        #expect(apply("王", width: 50) { Values.name($0, width: 50, out: $1) }.1.invalid)
        #expect(apply("'.", width: 50) { Values.name($0, width: 50, out: $1) }.1.empty)
        // Too long: cut to the width, trailing blank trimmed.
        let long = apply("ABCD EFGH", width: 5) { Values.name($0, width: 5, out: $1) }
        #expect(long.0 == "ABCD" && long.1.truncated)
        // Invalid and too long: only invalid.
        let both = apply("ABCDEFGH1", width: 5) { Values.name($0, width: 5, out: $1) }
        #expect(both.1.invalid && !both.1.truncated)
    }

    @Test func addressAndFreeText() {
        let a = apply(" 12 Main St.  #4 (rear); ", width: 55) { Values.text($0, upperCase: true, width: 55, out: $1) }
        #expect(a.0 == "12 MAIN ST. #4 (REAR)" && a.1.charsRemoved && !a.1.truncated)
        let f = apply("ActHib™ lot", width: 24) { Values.text($0, upperCase: false, width: 24, out: $1) }
        #expect(f.0 == "ActHib lot" && f.1.charsRemoved)
        let gone = apply("@@@", width: 10) { Values.text($0, upperCase: true, width: 10, out: $1) }
        #expect(gone.0 == "" && gone.1.empty && gone.1.charsRemoved)
        let cut = apply("1234 LONG ROAD", width: 10) { Values.text($0, upperCase: true, width: 10, out: $1) }
        #expect(cut.0 == "1234 LONG" && cut.1.truncated)
    }

    /// Address and free text against the rule written out plainly, on random values of kept characters,
    /// blanks (leading, trailing, doubled) and removed ones, every width from 1 to 24: the whole slot (a fast
    /// path must leave no byte of its own behind) and every flag.
    @Test func addressAndFreeTextAgreeWithTheRule() {
        let alphabet = Array("aZ09 #&'(),-./ @;~_`\u{7F}x  ".utf8) + [0x01, 0x09, 0xC3]
        var rng = SplitMix(seed: 21)
        for _ in 0..<20_000 {
            let t = (0..<Int(rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let width = 1 + Int(rng.next() % 24)
            for upperCase in [true, false] {
                // The rule: keep letters (upper-cased for an address), digits and # & ' ( ) , - . /; blanks
                // separate words (collapsed, trimmed); anything else is removed; cut at the width, then trimmed.
                var words: [[UInt8]] = [[]]
                var removed = false
                for b in t {
                    switch b {
                    case 0x41...0x5A, 0x30...0x39, 0x23, 0x26, 0x27, 0x28, 0x29, 0x2C, 0x2D, 0x2E, 0x2F: words[words.count - 1].append(b)
                    case 0x61...0x7A: words[words.count - 1].append(upperCase ? b - 0x20 : b)
                    case 0x20: words.append([])
                    default: removed = true
                    }
                }
                let whole = Array(words.filter { !$0.isEmpty }.joined(separator: [0x20]))
                var kept = Array(whole.prefix(width))
                while kept.last == 0x20 { kept.removeLast() }
                var want = TextOutcome()
                want.charsRemoved = removed
                want.truncated = whole.count > width
                want.empty = kept.isEmpty
                let slot = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
                defer { slot.deallocate() }
                slot.initialize(repeating: 0x20, count: width)
                let got = t.withUnsafeBufferPointer { Values.text($0, upperCase: upperCase, width: width, out: slot) }
                let written = Array(UnsafeBufferPointer(start: slot, count: width))
                #expect(written == kept + [UInt8](repeating: 0x20, count: width - kept.count), "\(t) width \(width)")
                #expect(got == want, "\(t) width \(width)")
            }
        }
    }

    /// Identifiers against the rule written out (trimmed; printable ASCII without blanks; at most the width, never
    /// cut), on random values of every length to 40 with blanks around and inside and every kind of bad byte,
    /// written into a slot with bytes on both sides that must stay as they are.
    @Test func identifiersAgreeWithTheRule() {
        let alphabet: [UInt8] = Array("AZaz09-_.=~!".utf8) + [0x21, 0x7E, 0x20, 0x7F, 0x1F, 0x00, 0x80, 0xFF]
        var rng = SplitMix(seed: 33)
        for _ in 0..<30_000 {
            let n = Int(rng.next() % 41)
            let rare = rng.next() % 3 == 0
            let t: [UInt8] = (0..<n).map { i in
                if (i == 0 || i == n - 1) && rng.next() % 4 == 0 { return 0x20 }
                let k = rare ? Int(rng.next() % UInt64(alphabet.count)) : Int(rng.next() % 12)
                return alphabet[k]
            }
            let width = 1 + Int(rng.next() % 32)
            var v = t[...]
            while v.first == 0x20 { v = v.dropFirst() }
            while v.last == 0x20 { v = v.dropLast() }
            let valid = v.count <= width && v.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
            var slot = [UInt8](repeating: 0x2A, count: width + 16)
            let ok = t.withUnsafeBufferPointer { tb in
                slot.withUnsafeMutableBufferPointer { Values.identifier(tb, width: width, out: $0.baseAddress! + 8) }
            }
            #expect(ok == valid, "\(t) width \(width)")
            let expected = [UInt8](repeating: 0x2A, count: 8) + (valid ? Array(v) : [])
                + [UInt8](repeating: 0x2A, count: width + 8 - (valid ? v.count : 0))
            #expect(slot == expected, "\(t) width \(width)")
            #expect(slot.prefix(8).allSatisfy { $0 == 0x2A } && slot.suffix(8).allSatisfy { $0 == 0x2A })
        }
    }

    @Test func identifiers() {
        #expect(apply(" R001 ", width: 32) { Values.identifier($0, width: 32, out: $1) } == ("R001", true))
        #expect(apply("R 001", width: 32) { Values.identifier($0, width: 32, out: $1) }.1 == false)
        #expect(apply(String(repeating: "X", count: 33), width: 32) { Values.identifier($0, width: 32, out: $1) }.1 == false)
    }

    @Test func phones() {
        func phone(_ s: String) -> String? {
            let r = apply(s, width: 17) { Values.phone($0, width: 17, out: $1) }
            return r.1 ? r.0 : nil
        }
        #expect(phone("(510) 555-1234") == "5105551234")
        #expect(phone("1-510-555-1234") == "5105551234")
        #expect(phone("510.555.1234 ext. 77") == "510555123477")
        #expect(phone("510-555-1234 x1234567") == "51055512341234567")
        #expect(phone("510-555-1234 extension 12") == "510555123412")
        #expect(phone("510-555-1234 x12345678") == nil)
        #expect(phone("110-555-1234") == nil)
        #expect(phone("555-1234") == nil)
    }

    @Test func zips() {
        func zip(_ s: String) -> String? {
            let r = apply(s, width: 9) { Values.zip($0, out: $1) }
            return r.1 ? r.0 : nil
        }
        #expect(zip("94801") == "94801")
        #expect(zip("94801-1234") == "948011234")
        #expect(zip("9480") == nil)
        #expect(zip("9480A") == nil)
    }

    @Test func vaccineCodes() {
        #expect(apply("90648", width: 5) { Values.digits($0, min: 5, max: 5, out: $1) }.1)
        #expect(!apply("0001A", width: 5) { Values.digits($0, min: 5, max: 5, out: $1) }.1)
        #expect(apply("48", width: 3) { Values.digits($0, min: 1, max: 3, out: $1) }.1)
        #expect(!apply("1234", width: 3) { Values.digits($0, min: 1, max: 3, out: $1) }.1)
        #expect(apply("49281-0545-15", width: 13) { Values.ndc($0, out: $1) }.1)
        #expect(!apply("49281-0545-150", width: 13) { Values.ndc($0, out: $1) }.1)
        #expect(apply("pmc", width: 4) { Values.manufacturer($0, out: $1) } == ("PMC", true))
        #expect(!apply("SANOFI", width: 4) { Values.manufacturer($0, out: $1) }.1)
    }
}

@Suite struct DateTests {
    func d(_ s: String) -> String? {
        Array(s.utf8).withUnsafeBufferPointer { DateValue.parse($0) }?.iso
    }

    @Test func acceptedForms() {
        #expect(d("2017-07-18") == "2017-07-18")
        #expect(d("2021-11-03 00:00") == "2021-11-03")
        #expect(d("2025-08-19T10:00:00") == "2025-08-19")
        #expect(d("5/10/2023") == "2023-05-10")
        #expect(d("05/01/2023") == "2023-05-01")
        #expect(d("20170718") == "2017-07-18")
        #expect(d("07182017") == "2017-07-18")
        #expect(d("12011999") == "1999-12-01")
        #expect(d("02292024") == "2024-02-29")
    }

    @Test func refusedForms() {
        for s in ["2017-7-18", "2017-07-18X", "5/10/23", "2023/05/10", "02301999", "19000229", "1899-12-31",
                  "13/01/2020", "0/1/2020", "2020-02-30", "123/1/2020", "1/123/2020", "", "2020-1-01"] {
            #expect(d(s) == nil, "\(s)")
        }
    }

    @Test func writtenMMDDYYYY() {
        var out = [UInt8](repeating: 0, count: 8)
        out.withUnsafeMutableBufferPointer { DateValue(year: 1994, month: 9, day: 10).writeMMDDYYYY($0.baseAddress!) }
        #expect(String(decoding: out, as: UTF8.self) == "09101994")
    }
}

@Suite struct CodeLookupTests {
    func code(_ set: CodeSetID, _ s: String) -> String? {
        let idx = CodeSetIndex.of(set)
        return folded(s).withUnsafeBufferPointer { idx.lookup($0) }.map { String(decoding: idx.codes[$0], as: UTF8.self) }
    }

    @Test func codesAndDescriptions() {
        #expect(code(.sex, "female") == "F")
        #expect(code(.sex, " f ") == "F")
        #expect(code(.state, "California") == "CA")
        #expect(code(.county, "contra  costa") == "CA013")
        #expect(code(.relationship, "Father") == "FTH")
        #expect(code(.ethnicity, "Hispanic or Latino") == "H")
        #expect(code(.motherHBsAg, "Positive") == "3")
        #expect(code(.contact, "1") == "01")
        #expect(code(.contact, "2") == "02")
        #expect(code(.contact, "Contact Allowed – Notices will be sent.") == "02")
        #expect(code(.patientType, "Medi-Cal") == "M")
        #expect(code(.patientType, "commercial") == "C")
        #expect(code(.comments, "33a") == "33A")
        #expect(code(.comments, "DPERM10") == "DPERM10")  // found; the record rule refuses it for its width
        #expect(code(.adminRoute, "Intramuscular") == "IM")
        #expect(code(.bodySite, "Left Vastus Lateralis") == "LVL")
        #expect(code(.vaccineEligibility, "VFC Eligible Medi-Cal/CHDP = V02") == "M")
        #expect(code(.patientStatus, "Active") == "A")
        #expect(code(.sex, "X") == nil)
        #expect(code(.state, "Calif") == nil)
    }

    @Test func everyCodeOfEverySetIsFoundByCodeAndByDescription() {
        for set in CodeSetID.allCases {
            for (c, desc) in set.entries {
                #expect(code(set, c) == c, "\(set) \(c)")
                #expect(code(set, c.lowercased()) == c, "\(set) \(c)")
                if !desc.isEmpty, !desc.contains("\\") {
                    // A description names its code unless an earlier row already claimed it.
                    let first = set.entries.first { CodeSetIndex.key(Array($0.description.utf8)) == CodeSetIndex.key(Array(desc.utf8)) }!
                    #expect(code(set, desc) == first.code, "\(set) \(desc)")
                }
            }
        }
    }

    @Test func yesNoWords() {
        for y in ["Y", "yes", "TRUE", "1", " y "] { #expect(Array(y.utf8).withUnsafeBufferPointer { YesNo.parse($0) } == true) }
        for n in ["N", "no", "false", "0"] { #expect(Array(n.utf8).withUnsafeBufferPointer { YesNo.parse($0) } == false) }
        for x in ["", "maybe", "2", "T", "YE"] { #expect(Array(x.utf8).withUnsafeBufferPointer { YesNo.parse($0) } == nil) }
    }
}
