import CAIR2Kit
import CAIR2Core
import FoundationEssentials
import Glibc

/// Messages on standard error (never field values).
public enum Console {
    /// Writes `s` to standard error, adding a line feed when it lacks one.
    public static func error(_ s: String) {
        let line = s.hasSuffix("\n") ? s : s + "\n"
        ProgressLine.writeStandardError(line)
    }
}

/// Parses `--delimiter`: one byte, or an escape such as `\t`.
public enum Delimiter {
    /// The delimiter byte `s` names: `\t`, a tab, `tab` or `TAB` for a tab, else exactly one byte other than `"`, LF
    /// and CR; nil when `s` is none of these.
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
    /// The usage lines of the two forms (patients with their immunizations and comments, or a query).
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

    /// The summary of a finished run, ready to print (lines end in a line feed).
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
        var done = "done: \(g(total)) record\(total == 1 ? "" : "s") in " + String(printf: "%.2f s", secs)
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
        (try? FileStatus.of(path: path)).map { Int($0.size) } ?? 0
    }
}

/// Hints after a run: what to try next when the reports show a pattern a person can fix with an option.
/// Counts and codes only; never a value.
public enum RunHints {
    /// The hints for a finished run, one line each starting with `hint:`; empty when nothing stands out.
    public static func hints(_ r: ConvertResult, options: ConvertOptions) -> [String] {
        var out: [String] = []
        for f in r.files {
            let rejectRows = f.rejectCodes.values.reduce(0, +)
            let enc = f.rejectCodes["E_ENCODING"] ?? 0
            if enc > 0 || options.encoding != .utf8 {
                // With E_ENCODING rows the whole file is judged (and its undefined bytes counted); a clean run with
                // a one-byte --encoding only looks at the start for UTF-8 read the wrong way.
                let guess = EncodingGuess.sniff(path: f.input, limit: enc > 0 ? Int.max : 16 << 20)
                if let h = encodingHint(input: f.input, fields: enc, rejectRows: rejectRows, encoding: options.encoding, guess: guess) {
                    out.append(h)
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

    /// The hint about the input's encoding, judged on the whole file (`guess`): never latin1 for a file that is
    /// mostly Windows-1252 or UTF-8.
    static func encodingHint(input: String, fields enc: Int, rejectRows: Int, encoding: TextEncoding,
                             guess: EncodingGuess) -> String? {
        let fields = "\(g(enc)) field\(enc == 1 ? " is" : "s are")"
        switch (encoding, guess) {
        case (.utf8, _) where enc == 0:
            return nil
        case (.utf8, .cp1252(let undefined)):
            var s = "hint: \(input): \(fields) not valid UTF-8 and the bytes look like Windows-1252; run again with --encoding cp1252"
            if undefined > 0 {
                s += " (\(g(undefined)) byte\(undefined == 1 ? " is" : "s are") undefined in Windows-1252 (0x81 0x8D 0x8F 0x90 0x9D): "
                    + "\(undefined == 1 ? "its record stays" : "their records stay") E_ENCODING, to be fixed in the source)"
            }
            return s
        case (.utf8, .mostlyUTF8(let invalid)):
            return "hint: \(input): \(fields) not valid UTF-8, but the rest of the file is UTF-8 (\(g(invalid)) bad "
                + "byte\(invalid == 1 ? "" : "s")); fix those records in the source (rejects.csv names their lines); a one-byte "
                + "--encoding would misread the accented letters of every other record"
        case (.utf8, .notCP1252(let undefined)):
            return "hint: \(input): \(fields) not valid UTF-8, and \(g(undefined)) bytes are undefined in Windows-1252 "
                + "(0x81 0x8D 0x8F 0x90 0x9D); re-export the extract as UTF-8 (or, if it is ISO-8859-1, pass --encoding latin1)"
        case (.utf8, _):
            return enc * 2 >= rejectRows
                ? "hint: \(input): most rejects are E_ENCODING; if the extract comes from a Windows system, try --encoding cp1252"
                : nil
        case (_, .utf8), (_, .mostlyUTF8):
            if case .utf8 = guess, enc == 0 {
                // Valid UTF-8 read as a one-byte encoding: every accented letter becomes two characters, silently.
                return "hint: \(input): the file is valid UTF-8 with accented letters, but --encoding \(encoding.rawValue) reads "
                    + "each of them as two characters; drop --encoding"
            }
            return "hint: \(input): the file is (mostly) UTF-8; drop --encoding \(encoding.rawValue)"
                + (enc > 0 ? " (\(fields) rejected E_ENCODING)" : "")
        case (.cp1252, _) where enc > 0:
            return "hint: \(input): \(fields) hold bytes undefined in Windows-1252 (0x81 0x8D 0x8F 0x90 0x9D); fix them in "
                + "the source, or if the extract is really UTF-8, drop --encoding"
        default:
            return nil
        }
    }

    private static func delimiterName(_ b: UInt8) -> String {
        switch b {
        case 0x09: return "\\t"
        default: return String(UnicodeScalar(b))
        }
    }
}

/// A judgement of an input's encoding from all its bytes, for the encoding hints.
///
/// One stray byte must not decide: a Windows-1252 file with a single 0x81 is still a Windows-1252 file (the byte
/// is undefined there and stays an E_ENCODING reject), and a UTF-8 file with a few broken bytes is still UTF-8
/// (reading it as latin1 or cp1252 would turn every `é` into two letters).
public enum EncodingGuess: Equatable, Sendable {
    /// Pure ASCII: nothing to say about the encoding.
    case ascii
    /// Valid UTF-8 throughout, with at least one multi-byte character.
    case utf8
    /// Mostly UTF-8: more valid multi-byte sequences than invalid bytes; `invalid` bytes are not UTF-8.
    case mostlyUTF8(invalid: Int)
    /// Not UTF-8, and Windows-1252 decodes every high byte except `undefined` of them (0x81 0x8D 0x8F 0x90 0x9D),
    /// which are a small share (at most 1 in 20) of the high bytes.
    case cp1252(undefined: Int)
    /// Not UTF-8, and many high bytes are undefined in Windows-1252: neither.
    case notCP1252(undefined: Int)
    /// Not a regular file we can read (standard input, compressed, unreadable).
    case unknown

    /// Byte counts of a scan.
    public struct Counts: Equatable, Sendable {
        /// Bytes 0x80 and above.
        public var high = 0
        /// High bytes Windows-1252 leaves undefined.
        public var undefined = 0
        /// Complete, valid UTF-8 multi-byte sequences.
        public var validSequences = 0
        /// Bytes that break UTF-8 (a bad lead byte, or a lead byte whose sequence is cut by a non-continuation).
        public var invalid = 0
        // The UTF-8 state carried from one block to the next: continuation bytes still expected.
        var need = 0

        /// Counts of nothing scanned yet.
        public init() {}

        /// Adds `bytes` (the next block of the file) to the counts.
        public mutating func scan(_ bytes: UnsafeRawBufferPointer) {
            for b in bytes {
                if b >= 0x80 {
                    high += 1
                    if b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D { undefined += 1 }
                }
                if need > 0 {
                    if b & 0xC0 == 0x80 {
                        need -= 1
                        if need == 0 { validSequences += 1 }
                        continue
                    }
                    invalid += 1
                    need = 0
                }
                if b < 0x80 { continue }
                if b >= 0xC2 && b <= 0xDF { need = 1 } else if b >= 0xE0 && b <= 0xEF { need = 2 } else if b >= 0xF0 && b <= 0xF4 { need = 3 } else { invalid += 1 }
            }
        }

        /// The judgement (a sequence cut by the end of the bytes is not evidence either way).
        public var guess: EncodingGuess {
            if high == 0 { return .ascii }
            if invalid == 0 { return .utf8 }
            if validSequences > invalid { return .mostlyUTF8(invalid: invalid) }
            if undefined * 20 <= high { return .cp1252(undefined: undefined) }
            return .notCP1252(undefined: undefined)
        }
    }

    /// Reads `path` (a block at a time, at most `limit` bytes; never printed) and judges it.
    public static func sniff(path: String, limit: Int = Int.max) -> EncodingGuess {
        if path == "-" || path.hasSuffix(".zst") || path.hasSuffix(".gz") { return .unknown }
        guard let file = try? FileDescriptor.openForReading(path) else { return .unknown }
        defer { try? file.close() }
        var counts = Counts()
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        var head = true
        var total = 0
        while total < limit {
            guard let n = try? file.read(into: UnsafeMutableRawBufferPointer(rebasing: block[0..<min(block.count, limit - total)]))
            else { return .unknown }
            if n == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: block[0..<n])
            // Compressed input (gzip or zstd magic): the bytes say nothing about the text's encoding.
            if head && n >= 4 && ((bytes[0] == 0x1F && bytes[1] == 0x8B) || (bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD)) {
                return .unknown
            }
            head = false
            total += n
            counts.scan(bytes)
        }
        return counts.guess
    }

    /// The judgement for `bytes`.
    public static func guess(_ bytes: [UInt8]) -> EncodingGuess {
        var counts = Counts()
        bytes.withUnsafeBytes { counts.scan($0) }
        return counts.guess
    }
}

/// The first problems of a run, printed after the closing summary as `file:line: field: message (CODE)`, read
/// back from the published rejects.csv (then warnings.csv), then `and N more in rejects.csv`. The reports hold no
/// field value, and neither does this (the record_id column is left out too).
public enum ProblemList {
    /// How many problems `--show-problems` lists by default.
    public static let defaultCount = 5

    /// The lines to print for `r`, at most `count` problems (none for 0 or a run without problems).
    public static func render(_ r: ConvertResult, count: Int = defaultCount) -> [String] {
        guard count > 0 else { return [] }
        let rejectRows = r.files.reduce(0) { $0 + $1.rejectCodes.values.reduce(0, +) }
        let warningRows = r.files.reduce(0) { $0 + $1.warnings.values.reduce(0, +) }
        guard rejectRows + warningRows > 0 else { return [] }
        var lines: [String] = []
        var tails: [String] = []
        for (name, total) in [("rejects.csv", rejectRows), ("warnings.csv", warningRows)] where total > 0 {
            guard let path = r.outputPaths.first(where: { $0 == name || $0.hasSuffix("/" + name) }) else { continue }
            let rows = firstRows(path: path, limit: count - lines.count)
            lines += rows.map(describe)
            if total > rows.count { tails.append("and \(ProgressLine.grouped(total - rows.count)) more in \(path)") }
        }
        guard !lines.isEmpty || !tails.isEmpty else { return [] }
        let head = "first problem\(lines.count == 1 ? "" : "s"):"
        return [head] + lines.map { "  " + $0 } + tails.map { "  " + $0 }
    }

    /// `file:line: field: message (CODE)` for a row `file,line,record_id,field,code,message`.
    static func describe(_ row: [String]) -> String {
        let f = row + Array(repeating: "", count: max(0, 6 - row.count))
        return "\(f[0]):\(f[1]): " + (f[3].isEmpty ? "" : "\(f[3]): ") + "\(f[5]) (\(f[4]))"
    }

    /// The first `limit` data rows of a report (after its header).
    static func firstRows(path: String, limit: Int) -> [[String]] {
        guard limit > 0, let h = try? FileDescriptor.openForReading(path) else { return [] }
        defer { try? h.close() }
        var rows: [[String]] = []
        var parser = ReportCSV()
        var headerSeen = false
        var data = [UInt8](repeating: 0, count: 64 << 10)
        while rows.count < limit, let n = try? data.withUnsafeMutableBytes({ try h.read(into: $0) }), n > 0 {
            for row in parser.feed(Array(data[..<n])) {
                if !headerSeen { headerSeen = true; continue }
                if rows.count < limit { rows.append(row) }
            }
        }
        return rows
    }

    /// A small quote-aware CSV reader for the reports (RFC 4180 quoting, CR LF or LF rows).
    struct ReportCSV {
        private var field: [UInt8] = []
        private var row: [String] = []
        private var quoted = false
        private var afterQuote = false

        mutating func feed(_ bytes: [UInt8]) -> [[String]] {
            var out: [[String]] = []
            for b in bytes {
                if quoted {
                    if b == 0x22 { quoted = false; afterQuote = true } else { field.append(b) }
                    continue
                }
                switch b {
                case 0x22:
                    if afterQuote { field.append(b) } // "" inside quotes
                    quoted = true
                    afterQuote = false
                case 0x2C:
                    endField()
                case 0x0A:
                    endField()
                    out.append(row)
                    row = []
                case 0x0D:
                    afterQuote = false
                default:
                    afterQuote = false
                    field.append(b)
                }
            }
            return out
        }

        private mutating func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field = []
            afterQuote = false
        }
    }
}
