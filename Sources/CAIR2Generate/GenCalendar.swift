// The generator works in day counts since 1970-01-01 (adding days is its commonest move); this file converts
// them with CAIR2Core's `DateValue`, the package's one calendar, and holds the spellings the generator writes.
// Parsing of input dates belongs to convert; this file only makes dates.

import CAIR2Core

package enum GenCalendar {
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    package static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        DateValue(year: y, month: m, day: d).daysSince1970
    }

    /// (year, month, day) of a day count.
    static func civil(_ days: Int) -> (y: Int, m: Int, d: Int) {
        let date = DateValue(daysSince1970: days)
        return (date.year, date.month, date.day)
    }

    /// Parses `YYYY-MM-DD` strictly (used for `--as-of`): a real date of 1900 or later.
    package static func parseISO(_ s: String) -> Int? { DateValue.parseISO(s)?.daysSince1970 }

    static func iso(_ day: Int) -> String { DateValue(daysSince1970: day).iso }
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
