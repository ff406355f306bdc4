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

/// Command-line rewriting argument-parser cannot express.
public enum ConvertArguments {
    /// The level of a bare `--zstd`: 1, which on our fixed-width data is both faster and smaller than zstd's own
    /// default of 3 (issue 6; docs/PERFORMANCE.md). Help, man page and completions print this constant.
    public static let defaultZstdLevel = 1

    /// Turns a bare `--zstd` (not followed by a level) into `--zstd=1` (`defaultZstdLevel`), so that `--zstd`, `--zstd=19` and
    /// `--zstd 19` all work (PRODUCT.md: `--zstd[=LEVEL]`). Only for `convert`, and only before a `--`.
    public static func expandingBareZstd(_ args: [String]) -> [String] {
        guard args.first == "convert" else { return args }
        var out: [String] = []
        for (i, a) in args.enumerated() {
            if a == "--" { out += args[i...]; break }
            if a == "--zstd" && (i + 1 == args.count || Int32(args[i + 1]) == nil) {
                out.append("--zstd=\(defaultZstdLevel)")
            } else {
                out.append(a)
            }
        }
        return out
    }
}

/// The accepted forms of `cair2 convert`, shown after an error about which inputs go together.
public enum ConvertUsage {
    public static let text = """
        usage: cair2 convert --patients FILE [--immunizations FILE] [--comments FILE] --out-dir DIR [--org CODE]
               cair2 convert --query FILE --out-dir DIR
               (see 'cair2 convert --help')
        """

    /// The forms, when `message` is about the inputs given (nothing to convert, or inputs that do not go together).
    public static func forms(for message: String) -> String? {
        message.hasPrefix("--query") || message.hasPrefix("--immunizations") || message.hasPrefix("nothing to convert")
            ? text : nil
    }
}

/// The closing summary printed on stderr after a run: per input the records in, written, rejected, excluded and
/// the warning rows; the most frequent codes; every published path with its size; elapsed time and throughput.
/// Counts, codes and paths only, never a field value.
public enum ClosingSummary {
    /// How many codes to list per input.
    public static let topCodes = 5

    public static func render(_ r: ConvertResult) -> String {
        var s = ""
        var shown = Set<String>()
        for f in r.files {
            let warned = f.warnings.values.reduce(0, +)
            s += "\(f.input) (\(f.kind.rawValue)): \(g(f.inputRecords)) in, \(g(f.written)) written, "
                + "\(g(f.rejected)) rejected, \(g(f.excluded)) excluded, \(g(warned)) warning\(warned == 1 ? "" : "s")\n"
            let rejects = f.rejectCodes.filter { !$0.key.hasPrefix("X_") }
            let exclusions = f.rejectCodes.filter { $0.key.hasPrefix("X_") }
            if !rejects.isEmpty { s += "    rejects:  " + top(rejects) + "\n" }
            if !exclusions.isEmpty { s += "    excluded: " + top(exclusions) + "\n" }
            if !f.warnings.isEmpty { s += "    warnings: " + top(f.warnings) + "\n" }
            let outputs = f.output.split(separator: ",").map(String.init)
            let paths = outputs.map { rel in r.outputPaths.first { $0.hasSuffix("/" + rel) } ?? rel }
            shown.formUnion(paths)
            if paths.count == 1 {
                s += "    -> \(paths[0]) (\(ProgressLine.bytes(f.outputBytes)))\n"
            } else if !paths.isEmpty {
                s += "    -> \(paths.count) parts, \(ProgressLine.bytes(f.outputBytes)) in all: \(paths.joined(separator: " "))\n"
            }
        }
        let rejectRows = r.files.reduce(0) { $0 + $1.rejectCodes.values.reduce(0, +) }
        let warningRows = r.files.reduce(0) { $0 + $1.warnings.values.reduce(0, +) }
        var others: [String] = []
        for p in r.outputPaths where !shown.contains(p) {
            var note = ProgressLine.bytes(fileSize(p))
            if p.hasSuffix("/rejects.csv") { note = "\(g(rejectRows)) row\(rejectRows == 1 ? "" : "s")" }
            if p.hasSuffix("/warnings.csv") { note = "\(g(warningRows)) row\(warningRows == 1 ? "" : "s")" }
            others.append("\(p) (\(note))")
        }
        if !others.isEmpty { s += "reports: " + others.joined(separator: ", ") + "\n" }
        let total = r.files.reduce(0) { $0 + $1.inputRecords }
        let bytesIn = r.files.reduce(0) { $0 + $1.bytesIn }
        let secs = r.elapsedSeconds
        var done = "done: \(g(total)) record\(total == 1 ? "" : "s") in " + String(format: "%.2f s", secs)
        if secs > 0 {
            done += " (\(g(Int(Double(total) / secs))) records/s, \(ProgressLine.bytes(Int(Double(bytesIn) / secs)))/s)"
        }
        return s + done
    }

    /// `E_DATE 12, E_NAME 3` (most frequent first, then by name), at most `topCodes`, and how many more.
    static func top(_ counts: [String: Int]) -> String {
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var s = sorted.prefix(topCodes).map { "\($0.key) \(g($0.value))" }.joined(separator: ", ")
        if sorted.count > topCodes { s += ", and \(sorted.count - topCodes) more codes" }
        return s
    }

    private static func g(_ n: Int) -> String { ProgressLine.grouped(n) }

    private static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}

/// Hints after a run: what to try next when the reports show a pattern a person can fix with an option.
/// Counts and codes only; never a value.
public enum RunHints {
    public static func hints(_ r: ConvertResult, options: ConvertOptions) -> [String] {
        var out: [String] = []
        for f in r.files {
            let rejectRows = f.rejectCodes.values.reduce(0, +)
            let enc = f.rejectCodes["E_ENCODING"] ?? 0
            if enc > 0 {
                let guess = EncodingGuess.sniff(path: f.input)
                switch (options.encoding, guess) {
                case (.utf8, .cp1252):
                    out.append("hint: \(f.input): \(g(enc)) field\(enc == 1 ? "" : "s") are not valid UTF-8 and the bytes look like "
                        + "Windows-1252; run again with --encoding cp1252")
                case (.utf8, .notCP1252):
                    out.append("hint: \(f.input): \(g(enc)) field\(enc == 1 ? "" : "s") are not valid UTF-8; the bytes are not "
                        + "Windows-1252 either (0x81 0x8D 0x8F 0x90 0x9D appear); try --encoding latin1, or re-export as UTF-8")
                case (.utf8, _):
                    if enc * 2 >= rejectRows {
                        out.append("hint: \(f.input): most rejects are E_ENCODING; if the extract comes from a Windows "
                            + "system, try --encoding cp1252")
                    }
                case (.cp1252, _):
                    out.append("hint: \(f.input): \(g(enc)) field\(enc == 1 ? "" : "s") hold bytes undefined in Windows-1252 "
                        + "(0x81 0x8D 0x8F 0x90 0x9D); if the extract is really UTF-8, drop --encoding")
                default:
                    break
                }
            }
            let fieldCount = f.rejectCodes["E_FIELD_COUNT"] ?? 0
            if fieldCount > 0 && fieldCount * 2 >= max(1, f.inputRecords) {
                out.append("hint: \(f.input): \(g(fieldCount)) of \(g(f.inputRecords)) rows have a different number of fields "
                    + "than the header; check --delimiter (now '\(delimiterName(options.delimiter))') and the quoting")
            }
            if f.rejectCodes["E_UNTERMINATED_QUOTE"] != nil {
                out.append("hint: \(f.input): a quote is left open at the end of the file; the line in rejects.csv is where "
                    + "it starts (--quarantine writes the raw record for fixing)")
            }
            if f.kind == .patient && f.inputRecords > 0 && f.excluded == f.inputRecords {
                out.append("hint: \(f.input): every record was excluded as not disclosed; is the disclosed column "
                    + "mapped (values Y, YES, TRUE or 1)? See --map in docs/GUIDE.md")
            }
            let orphans = f.rejectCodes["E_ORPHAN"] ?? 0
            if orphans > 0 && orphans * 2 >= max(1, f.inputRecords) {
                out.append("hint: \(f.input): \(g(orphans)) records name a patient that was not written in this run; a rejected "
                    + "or excluded patient takes its records along (see rejects.csv), and both files' record_id must hold "
                    + "the same identifier")
            }
            let dates = f.rejectCodes["E_DATE"] ?? 0
            if dates > 0 && dates * 2 >= max(1, f.inputRecords) {
                out.append("hint: \(f.input): most records have an invalid required date; accepted forms are YYYY-MM-DD, "
                    + "M/D/YYYY and 8 digits, from 1900 up to --as-of (\(options.asOf.iso))")
            }
        }
        if !out.isEmpty {
            out.append("hint: rejects.csv names file, line, field and code for every problem (docs/CODES.md explains each code)")
        }
        return out
    }

    private static func g(_ n: Int) -> String { ProgressLine.grouped(n) }

    private static func delimiterName(_ b: UInt8) -> String {
        switch b {
        case 0x09: return "\\t"
        default: return String(UnicodeScalar(b))
        }
    }
}

/// A guess at an input's encoding from its first bytes, for the E_ENCODING hint.
public enum EncodingGuess: Equatable, Sendable {
    /// Valid UTF-8 (or pure ASCII) as far as read.
    case utf8
    /// Invalid as UTF-8, and every high byte is defined in Windows-1252.
    case cp1252
    /// Invalid as UTF-8 and holding a byte Windows-1252 leaves undefined.
    case notCP1252
    /// Not a regular file we can sniff (standard input, `.zst`, unreadable).
    case unknown

    /// Reads up to `limit` bytes of `path` and guesses.
    public static func sniff(path: String, limit: Int = 4 << 20) -> EncodingGuess {
        if path == "-" || path.hasSuffix(".zst") { return .unknown }
        guard let h = FileHandle(forReadingAtPath: path) else { return .unknown }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: limit) else { return .unknown }
        return guess(Array(d))
    }

    /// The guess for `bytes`: the UTF-8 check skips a sequence cut at the end of the sample.
    public static func guess(_ bytes: [UInt8]) -> EncodingGuess {
        var i = 0
        var invalid = false
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let len: Int
            if b >= 0xC2 && b <= 0xDF { len = 2 } else if b >= 0xE0 && b <= 0xEF { len = 3 } else if b >= 0xF0 && b <= 0xF4 { len = 4 } else { invalid = true; break }
            var ok = true
            for k in 1..<min(len, n - i) where bytes[i + k] & 0xC0 != 0x80 { ok = false }
            if !ok { invalid = true; break }
            if i + len > n { break } // a sequence cut by the end of the sample: not evidence either way
            i += len
        }
        guard invalid else { return .utf8 }
        let undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        return bytes.contains(where: { undefined.contains($0) }) ? .notCP1252 : .cp1252
    }
}
