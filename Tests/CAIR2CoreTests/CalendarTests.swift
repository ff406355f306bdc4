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
