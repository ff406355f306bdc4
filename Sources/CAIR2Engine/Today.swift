import CAIR2Core
import FoundationEssentials

/// Today's date (UTC), the default `--as-of`.
public enum Today {
    /// The current calendar date in UTC.
    public static func date() -> DateValue {
        let c = Calendar(identifier: .gregorian)
        var cal = c
        cal.timeZone = .gmt  // UTC; FoundationEssentials has no time zone database, so no "UTC" identifier
        let d = cal.dateComponents([.year, .month, .day], from: Date())
        return DateValue(year: d.year!, month: d.month!, day: d.day!)
    }
}
