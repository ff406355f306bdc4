import CAIR2Core
import Testing

/// `DateValue.daysSince1970` and `init(daysSince1970:)`, the package's one calendar, checked by a second route:
/// walking the calendar one day at a time with `daysIn(month:year:)` from a fixed point, and fixed points taken
/// from Python's `datetime` (`(date(y, m, d) - date(1970, 1, 1)).days`).
@Suite struct CalendarTests {
    @Test func fixedPoints() {
        let points: [(Int, Int, Int, Int)] = [
            (1970, 1, 1, 0), (1969, 12, 31, -1), (1900, 1, 1, -25_567), (2000, 3, 1, 11_017),
            (2024, 2, 29, 19_782), (1, 1, 1, -719_162), (9999, 12, 31, 2_932_896),
        ]
        for (y, m, d, n) in points {
            let date = DateValue(year: y, month: m, day: d)
            #expect(date.daysSince1970 == n, "\(date.iso)")
            #expect(DateValue(daysSince1970: n) == date, "\(n)")
        }
    }

    @Test func everyDayFrom1800To2200() {
        var (y, m, d) = (1800, 1, 1)
        var n = DateValue(year: 1800, month: 1, day: 1).daysSince1970
        #expect(n == -62_091)
        while y < 2200 {
            let date = DateValue(year: y, month: m, day: d)
            #expect(date.daysSince1970 == n)
            #expect(DateValue(daysSince1970: n) == date)
            d += 1
            if d > DateValue.daysIn(month: m, year: y) { d = 1; m += 1; if m > 12 { m = 1; y += 1 } }
            n += 1
        }
    }
}

/// `DateValue.parse`'s fast path for a bare `YYYY-MM-DD` against the general parser as it was before it (kept here
/// verbatim as the oracle), on every form of ten-character cell: real and unreal dates around 1900, leap days,
/// month and day 00 and past the end, any byte in any position, other dashes and separators; and the old MMDDYYYY
/// writer against the new one for every day from 1900 to 2199.
@Suite struct DateFastPathTests {
    static func referenceParse(_ whole: UnsafeBufferPointer<UInt8>) -> DateValue? {
        // No form is shorter than 8 characters, so a time part starts at index 8 or later (a `T` or blank before
        // it leaves the date invalid either way).
        var n = whole.count
        var i = 8
        while i < n {
            let b = whole[i]
            if b == 0x54 || b == 0x20 { n = i; break }
            i &+= 1
        }
        let v = UnsafeBufferPointer(rebasing: whole[0..<n])
        @inline(__always) func dig(_ i: Int) -> Int? {
            let b = v[i]
            return (b >= 0x30 && b <= 0x39) ? Int(b - 0x30) : nil
        }
        @inline(__always) func num(_ s: Int, _ e: Int) -> Int? {
            var r = 0
            for i in s..<e { guard let d = dig(i) else { return nil }; r = r * 10 + d }
            return r
        }
        var result: DateValue?
        if n >= 10, v[4] == 0x2D, v[7] == 0x2D {
            // YYYY-MM-DD
            guard n == 10, let y = num(0, 4), let m = num(5, 7), let d = num(8, 10) else { return nil }
            result = DateValue.make(y, m, d)
        } else if n == 8, let all = num(0, 8) {
            let first4 = all / 10000
            if first4 >= 1800 && first4 <= 2199, let ymd = DateValue.make(first4, all / 100 % 100, all % 100) {
                result = ymd
            } else {
                result = DateValue.make(all % 10000, all / 1000000, all / 10000 % 100)
            }
        } else {
            // M/D/YYYY
            var parts = (0, 0, 0)
            var idx = 0, digits = 0, cur = 0
            for i in 0..<n {
                let b = v[i]
                if b == 0x2F {
                    guard digits > 0, idx < 2 else { return nil }
                    if idx == 0 { parts.0 = cur } else { parts.1 = cur }
                    idx += 1; digits = 0; cur = 0
                } else if let d = dig(i) {
                    digits += 1
                    // No part has more than 4 digits; stopping here also keeps a long digit run from overflowing.
                    guard digits <= 4 else { return nil }
                    cur = cur * 10 + d
                } else {
                    return nil
                }
            }
            guard idx == 2, digits == 4 else { return nil }
            parts.2 = cur
            // month and day take one or two digits
            guard let firstSlash = (0..<n).first(where: { v[$0] == 0x2F }),
                  let secondSlash = ((firstSlash + 1)..<n).first(where: { v[$0] == 0x2F }),
                  firstSlash <= 2, secondSlash - firstSlash - 1 <= 2 else { return nil }
            result = DateValue.make(parts.2, parts.0, parts.1)
        }
        guard let r = result, r.year >= 1900 else { return nil }
        return r
    }


    @Test func isoFastPathAgreesWithTheGeneralParser() {
        var rng = SplitMix(seed: 77)
        let bytes: [UInt8] = Array("0123456789-/T :,.".utf8) + [0x00, 0x2F, 0x3A, 0x80, 0xFF, 0x1D, 0x2C]
        func check(_ s: [UInt8]) {
            let got = s.withUnsafeBufferPointer { DateValue.parse($0) }
            let want = s.withUnsafeBufferPointer { DateFastPathTests.referenceParse($0) }
            #expect(got == want, "\(s)")
        }
        for _ in 0..<200_000 {
            let y = 1890 + Int(rng.next() % 320), m = Int(rng.next() % 14), d = Int(rng.next() % 33)
            var s = Array(String(format4(y) + "-" + format2(m) + "-" + format2(d)).utf8)
            if rng.next() % 3 == 0 { s[Int(rng.next() % 10)] = bytes[Int(rng.next() % UInt64(bytes.count))] }
            check(s)
        }
        for _ in 0..<50_000 {
            check((0..<10).map { _ in bytes[Int(rng.next() % UInt64(bytes.count))] })
        }
        for s in ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "1899-12-31", "1900-01-01", "9999-12-31"] {
            check(Array(s.utf8))
        }
    }

    @Test func mmddyyyyWritesEveryDay() {
        var day = DateValue(year: 1900, month: 1, day: 1)
        let end = DateValue(year: 2200, month: 1, day: 1)
        var out = [UInt8](repeating: 0, count: 8)
        while day < end {
            out.withUnsafeMutableBufferPointer { day.writeMMDDYYYY($0.baseAddress!) }
            #expect(String(decoding: out, as: UTF8.self) == format2(day.month) + format2(day.day) + format4(day.year))
            day = DateValue(daysSince1970: day.daysSince1970 + 1)
        }
    }
}

private func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
private func format4(_ v: Int) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }
