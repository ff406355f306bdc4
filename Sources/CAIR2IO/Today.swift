import CAIR2Core
import FoundationEssentials

/// Today's date (UTC), the default `--as-of` of convert, validate and generate: the system clock read here, in
/// the I/O layer, and turned into a date by `DateValue`'s calendar.
public enum Today {
    /// The current calendar date in UTC: the clock's whole days since 1970-01-01, through `DateValue`'s calendar.
    public static func date() -> DateValue {
        DateValue(daysSince1970: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
