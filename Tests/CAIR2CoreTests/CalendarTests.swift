import Testing
@testable import CAIR2Core

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

/// `DateValue.parse`'s fast path for a bare `YYYY-MM-DD` against the general parser (`parseGeneral`, which every
/// cell went through before the fast path), on every form of ten-character cell: real and unreal dates around
/// 1900, leap days, month and day 00 and past the end, any byte in any position, other dashes and separators; and
/// MMDDYYYY written for every day from 1900 to 2199, against the date's parts formatted as text.
@Suite struct DateFastPathTests {
    @Test func isoFastPathAgreesWithTheGeneralParser() {
        var rng = SplitMix(seed: 77)
        let bytes: [UInt8] = Array("0123456789-/T :,.".utf8) + [0x00, 0x2F, 0x3A, 0x80, 0xFF, 0x1D, 0x2C]
        func check(_ s: [UInt8]) {
            let got = s.withUnsafeBufferPointer { DateValue.parse($0) }
            let want = s.withUnsafeBufferPointer { DateValue.parseGeneral($0) }
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
