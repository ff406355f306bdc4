// Civil dates as day counts since 1970-01-01 (H. Hinnant's algorithms), and the
// spellings the generator writes. Parsing of input dates belongs to convert;
// this file only makes dates.

package enum GenCalendar {
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    package static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y2 = m <= 2 ? y - 1 : y
        let era = (y2 >= 0 ? y2 : y2 - 399) / 400
        let yoe = y2 - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) of a day count.
    static func civil(_ days: Int) -> (y: Int, m: Int, d: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    package static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses `YYYY-MM-DD` strictly (used for `--as-of`).
    package static func parseISO(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10),
              y >= 1900, (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        return days(y, m, d)
    }

    static func iso(_ day: Int) -> String {
        let c = civil(day)
        func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(c.y, 4))-\(p(c.m, 2))-\(p(c.d, 2))"
    }
}

/// The accepted spellings of a date (PRODUCT.md §3) the generator mixes, as extracts do.
enum DateStyle: Int, CaseIterable {
    case iso            // 2017-07-18
    case compact        // 20170718
    case usPadded       // 05/14/1961
    case usShort        // 5/14/1961
    case mmddyyyy       // 05141961
    case isoMinutes     // 2021-11-03 00:00
    case isoT           // 2025-08-19T00:00:00
}

extension ByteAppending {
    @inline(__always)
    mutating func appendDigits2(_ v: Int) {
        append(UInt8(48 + v / 10)); append(UInt8(48 + v % 10))
    }

    @inline(__always)
    mutating func appendDigits4(_ v: Int) {
        append(UInt8(48 + v / 1000)); append(UInt8(48 + (v / 100) % 10))
        append(UInt8(48 + (v / 10) % 10)); append(UInt8(48 + v % 10))
    }

    /// Decimal digits of a non-negative integer.
    @inline(__always)
    mutating func appendInt(_ v: Int) {
        if v >= 10 { appendInt(v / 10) }
        append(UInt8(48 + v % 10))
    }

    /// Exactly `width` digits (leading zeros).
    @inline(__always)
    mutating func appendPadded(_ v: UInt64, width: Int) {
        var divisor: UInt64 = 1
        for _ in 1..<width { divisor &*= 10 }
        var rest = v
        while divisor > 0 {
            append(UInt8(48 + (rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func appendDate(_ day: Int, _ style: DateStyle) {
        let c = GenCalendar.civil(day)
        appendDate(y: c.y, m: c.m, d: c.d, style)
    }

    /// Writes the fields as given, valid or not (defects use impossible dates too).
    mutating func appendDate(y: Int, m: Int, d: Int, _ style: DateStyle) {
        let dash = UInt8(ascii: "-"), slash = UInt8(ascii: "/")
        switch style {
        case .iso, .isoMinutes, .isoT:
            appendDigits4(y); append(dash); appendDigits2(m); append(dash); appendDigits2(d)
            if style == .isoMinutes { append(32); append(48); append(48); append(58); append(48); append(48) }
            if style == .isoT { append(84); append(48); append(48); append(58); append(48); append(48); append(58); append(48); append(48) }
        case .compact:
            appendDigits4(y); appendDigits2(m); appendDigits2(d)
        case .usPadded:
            appendDigits2(m); append(slash); appendDigits2(d); append(slash); appendDigits4(y)
        case .usShort:
            appendInt(m); append(slash); appendInt(d); append(slash); appendDigits4(y)
        case .mmddyyyy:
            appendDigits2(m); appendDigits2(d); appendDigits4(y)
        }
    }
}
