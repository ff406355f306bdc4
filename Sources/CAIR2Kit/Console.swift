import CAIR2Core
import Foundation

/// Messages on standard error (never field values).
public enum Console {
    public static func error(_ s: String) {
        let line = s.hasSuffix("\n") ? s : s + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Today's date (UTC), the default `--as-of`.
public enum Today {
    public static func date() -> DateValue {
        let c = Calendar(identifier: .gregorian)
        var cal = c
        cal.timeZone = TimeZone(identifier: "UTC")!
        let d = cal.dateComponents([.year, .month, .day], from: Date())
        return DateValue(year: d.year!, month: d.month!, day: d.day!)
    }
}

/// Parses `--delimiter`: one byte, or an escape such as `\t`.
public enum Delimiter {
    public static func parse(_ s: String) -> UInt8? {
        switch s {
        case "\\t", "\t", "tab", "TAB": return 0x09
        default:
            let b = Array(s.utf8)
            guard b.count == 1, b[0] != 0x22, b[0] != 0x0A, b[0] != 0x0D else { return nil }
            return b[0]
        }
    }
}

/// The closing summary printed on stderr after a run.
public enum ClosingSummary {
    public static func render(_ r: ConvertResult) -> String {
        var s = ""
        for f in r.files {
            s += "\(f.input) (\(f.kind.rawValue)): \(f.inputRecords) records: \(f.written) written, \(f.rejected) rejected, \(f.excluded) excluded, \(f.warnings.values.reduce(0, +)) warnings"
            let top = f.rejectCodes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            if !top.isEmpty { s += " (top: " + top.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")" }
            s += "\n    -> \(f.output) (\(f.outputBytes) bytes)\n"
        }
        let total = r.files.reduce(0) { $0 + $1.inputRecords }
        let rate = r.elapsedSeconds > 0 ? Double(total) / r.elapsedSeconds : 0
        s += String(format: "done in %.2f s (%.0f records/s)", r.elapsedSeconds, rate)
        return s
    }
}
