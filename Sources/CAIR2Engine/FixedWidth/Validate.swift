// `cair2 validate`: checks an existing fixed-width file (ours or anybody's)
// line by line and prints a report grouped by problem code, with counts, the
// fields involved and the first line numbers of each code. No field values.

#if canImport(Glibc)
import Glibc
#endif
import CAIR2Core
import CAIR2IO

/// What `validate` should do.
public struct ValidateOptions: Sendable {
    /// Input path as given; `-` is standard input.
    public var input: String
    /// The layout the lines must follow.
    public var kind: LayoutKind
    /// Dates of as-of-bounded fields may not lie after this day (`--as-of`; today, UTC, by default).
    public var asOf: DateValue
    /// Line numbers listed per code in the report; the rest are counted.
    public var maxLinesPerCode: Int
    /// The CDC vaccine code tables for the §3b checks.
    public var codeTables: VaccineCodeTables = .bundled

    /// Options for validating `input` as `kind`: dates may not lie after `asOf` (default today, UTC), and at most
    /// `maxLinesPerCode` line numbers are listed per code.
    public init(input: String, kind: LayoutKind, asOf: DateValue = Today.date(), maxLinesPerCode: Int = 20) {
        self.input = input
        self.kind = kind
        self.asOf = asOf
        self.maxLinesPerCode = maxLinesPerCode
    }
}

/// The problems of one code across a file.
public struct ValidationTally: Sendable, Equatable {
    /// Problems of this code.
    public var count = 0
    /// Problems per field name ("" for line-level problems).
    public var fields: [String: Int] = [:]
    /// The first distinct line numbers, up to the cap.
    public var lines: [Int] = []
    /// Distinct lines with this code.
    public var lineCount = 0
}

/// What a `validate` run found.
public struct ValidateOutcome: Sendable, Equatable {
    /// Lines read (records and malformed lines; tolerated trailing empty lines excluded).
    public var lines = 0
    /// Lines with at least one problem.
    public var linesWithProblems = 0
    /// Problems found, all codes together (a line may have several).
    public var problems = 0
    /// The problems by code.
    public var byCode: [ValidationCode: ValidationTally] = [:]

    /// True when any line had a problem (the command line's exit 1).
    public var problemsFound: Bool { problems > 0 }
}

/// Validates `options.input` against the layout and value rules and writes the
/// report to `output` (one call per line). Throws `IOError` when the
/// input cannot be opened (exit 2) or reading fails (exit 3).
public func validateFixedWidth(_ options: ValidateOptions,
                               output: (String) -> Void = { print($0) }) throws -> ValidateOutcome {
    let layout = options.kind.layout
    let validator = FixedWidthValidator(layout: layout, asOf: Int(options.asOf.ymd), codeTables: options.codeTables)
    var source = try openFixedWidthInput(options.input)
    defer { source.close() }
    var outcome = ValidateOutcome()
    var problems: [ValidationProblem] = []

    func tally(_ line: Int) {
        outcome.lines += 1
        guard !problems.isEmpty else { return }
        outcome.linesWithProblems += 1
        outcome.problems += problems.count
        var seen: Set<ValidationCode> = []
        for p in problems {
            var t = outcome.byCode[p.code] ?? ValidationTally()
            t.count += 1
            t.fields[p.field, default: 0] += 1
            if seen.insert(p.code).inserted {
                t.lineCount += 1
                if t.lines.count < options.maxLinesPerCode { t.lines.append(line) }
            }
            outcome.byCode[p.code] = t
        }
        problems.removeAll(keepingCapacity: true)
    }

    try forEachFixedWidthItem(&source, layout: layout) { item in
        switch item {
        case .record(let record):
            validator.check(record, into: &problems)
            tally(record.line)
        case .malformed(let line, let defects):
            problems.append(contentsOf: validationProblems(line: line, defects: defects, layout: layout))
            tally(line)
        }
    }

    for line in renderValidationReport(outcome, options: options) { output(line) }
    return outcome
}

/// The report's lines: a heading, then one block per code (sorted by code).
public func renderValidationReport(_ outcome: ValidateOutcome, options: ValidateOptions) -> [String] {
    var out: [String] = []
    let heading = "\(options.input): \(outcome.lines) line(s) checked as \(options.kind.rawValue)"
        + " (as of \(options.asOf.iso))"
    guard outcome.problemsFound else {
        out.append(heading + ": no problems")
        return out
    }
    out.append(heading + ": \(outcome.problems) problem(s) on \(outcome.linesWithProblems) line(s)")
    for code in outcome.byCode.keys.sorted() {
        guard let t = outcome.byCode[code] else { continue }
        out.append("\(code.rawValue)  \(t.count) problem(s) on \(t.lineCount) line(s): \(code.summary)")
        let named = t.fields.filter { !$0.key.isEmpty }
        if !named.isEmpty {
            let order = options.kind.layout.fields.map(\.name)
            let listed = named.sorted { (order.firstIndex(of: $0.key) ?? 0) < (order.firstIndex(of: $1.key) ?? 0) }
                .map { "\($0.key) \($0.value)" }
            out.append("  fields: " + listed.joined(separator: ", "))
        }
        var lines = "  lines: " + t.lines.map(String.init).joined(separator: ", ")
        if t.lineCount > t.lines.count { lines += " and \(t.lineCount - t.lines.count) more" }
        out.append(lines)
    }
    return out
}
