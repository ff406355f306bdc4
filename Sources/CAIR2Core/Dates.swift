// Dates (PRODUCT.md §3 and §3a).
//
// Accepted: `YYYY-MM-DD` (two-digit month and day; a time part starting with
// `T` or a blank is ignored), `M/D/YYYY` with or without leading zeros, and
// eight digits, read as YYYYMMDD when the first four are 1800-2199 and the
// rest is a valid month/day of that year, else as MMDDYYYY. A date must be
// real, with a year of 1900 or later. Written MMDDYYYY.

/// A calendar date, comparable, as the integer YYYYMMDD.
public struct DateValue: Comparable, Hashable, Sendable {
    /// The date as the integer YYYYMMDD (20240229); comparing two `ymd` compares the dates.
    public let ymd: Int32
    /// The date with these parts, unchecked (see `make` for a checked one).
    public init(year: Int, month: Int, day: Int) { ymd = Int32(year * 10000 + month * 100 + day) }
    /// The date whose YYYYMMDD integer is `ymd`, unchecked.
    public init(ymd: Int32) { self.ymd = ymd }
    /// The year (1-9999 for a real date).
    public var year: Int { Int(ymd / 10000) }
    /// The month, 1-12.
    public var month: Int { Int(ymd / 100 % 100) }
    /// The day of the month, 1-31.
    public var day: Int { Int(ymd % 100) }
    /// Calendar order.
    public static func < (a: DateValue, b: DateValue) -> Bool { a.ymd < b.ymd }

    /// Writes MMDDYYYY into 8 bytes.
    @inlinable public func writeMMDDYYYY(_ out: UnsafeMutablePointer<UInt8>) {
        // Pairs of digits, unsigned (a real date's YYYYMMDD is positive): seven divisions by constants instead of
        // twelve, without a signed division's corrections.
        let v = UInt32(bitPattern: ymd)
        let y = v / 10000, md = v &- y &* 10000
        let m = md / 100, d = md &- m &* 100
        let yh = y / 100, yl = y &- yh &* 100
        @inline(__always) func pair(_ x: UInt32, _ at: Int) {
            let t = x / 10
            out[at] = UInt8(truncatingIfNeeded: 48 &+ t)
            out[at + 1] = UInt8(truncatingIfNeeded: 48 &+ x &- t &* 10)
        }
        pair(m, 0); pair(d, 2); pair(yh, 4); pair(yl, 6)
    }

    /// The date as `YYYY-MM-DD`.
    public var iso: String {
        func p(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(year, 4))-\(p(month, 2))-\(p(day, 2))"
    }

    /// Days since 1970-01-01 (proleptic Gregorian; negative before it). The one calendar of the package: the
    /// HEDIS rules' day counts, the archive's timestamps and the generator's dates all go through this pair
    /// (H. Hinnant's `days_from_civil` and `civil_from_days`).
    public var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (before it when negative); the inverse of `daysSince1970`.
    public init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// True when `y` is a Gregorian leap year.
    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// The number of days of month `m` (1-12) in year `y`; 0 when `m` is not a month.
    public static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(y) ? 29 : 28
        default: return 0
        }
    }

    /// A real calendar date (any year 1...9999); the year >= 1900 rule is applied by `parse`.
    public static func make(_ y: Int, _ m: Int, _ d: Int) -> DateValue? {
        // Every month has 28 days: the month's length is looked up only past them.
        guard y >= 1, y <= 9999, m >= 1, m <= 12, d >= 1, d <= 28 || d <= daysIn(month: m, year: y) else { return nil }
        return DateValue(year: y, month: m, day: d)
    }

    /// Parses prepared, trimmed text in one of the accepted forms; nil when it is not a real date of 1900 or later.
    /// Every form may be followed by a time part that starts with `T` or a blank (§3c: `06/11/2024 00:00:00`,
    /// `2024-06-11 00:00:00.000`, `20240611 0000`); it is ignored.
    public static func parse(_ whole: UnsafeBufferPointer<UInt8>) -> DateValue? {
        // The usual cell, `YYYY-MM-DD` alone: its eight digits and two dashes checked in one word and two bytes.
        // Anything else (and anything this finds wrong) goes the general way below, which decides it.
        if whole.count == 10, let p = whole.baseAddress {
            // Bytes 0...7, `YYYY-MM-` less "0000-00-": the digits become 0...9 and the dashes 0.
            let x = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) ^ 0x2D30_302D_3030_3030
            let d8 = p[8] &- 0x30, d9 = p[9] &- 0x30
            if (x | (x &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 == 0 && x & 0xFF00_00FF_0000_0000 == 0
                && d8 <= 9 && d9 <= 9 {
                let y = Int(x & 0xFF) * 1000 + Int(x >> 8 & 0xFF) * 100 + Int(x >> 16 & 0xFF) * 10 + Int(x >> 24 & 0xFF)
                guard y >= 1900, let r = make(y, Int(x >> 40 & 0xFF) * 10 + Int(x >> 48 & 0xFF), Int(d8) * 10 + Int(d9))
                else { return nil }
                return r
            }
        }
        return parseGeneral(whole)
    }

    /// `parse` for every form (the fast path above decides only a bare, well-formed `YYYY-MM-DD`; tests compare
    /// the two).
    static func parseGeneral(_ whole: UnsafeBufferPointer<UInt8>) -> DateValue? {
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
            result = make(y, m, d)
        } else if n == 8, let all = num(0, 8) {
            let first4 = all / 10000
            if first4 >= 1800 && first4 <= 2199, let ymd = make(first4, all / 100 % 100, all % 100) {
                result = ymd
            } else {
                result = make(all % 10000, all / 1000000, all / 10000 % 100)
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
            result = make(parts.2, parts.0, parts.1)
        }
        guard let r = result, r.year >= 1900 else { return nil }
        return r
    }

    /// Parses `YYYY-MM-DD` (for `--as-of`); nil when malformed.
    public static func parseISO(_ s: String) -> DateValue? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
        return b.withUnsafeBufferPointer { parse($0) }
    }
}
