import CAIR2Kit

/// The exit statuses of every `cair2` command (PRODUCT.md section 4), one table for `cair2 --help` and the man
/// page's EXIT STATUS section (scripts/completions copies the rows from the help text into it). The library
/// reports kinds of failure and results; the extensions below are the one place they become exit statuses.
public enum ExitStatus {
    /// Status (or statuses) and what it means, in order.
    public static let table: [(status: String, meaning: String)] = [
        ("0", "finished: rejects are data, not failure (decode to a closed pipe, as with | head, too)"),
        ("1", "validate or decode found malformed lines, verify found problems, codes matched nothing"),
        ("2", "cannot start (missing or unreadable input, missing required column, bad mapping file, invalid --org, "
            + "incompatible inputs, another run holds the --out-dir): nothing written"),
        ("3", "I/O failure during the run (disk full, input changed while read, output not writable): nothing published"),
        ("4", "convert finished but the reject rate exceeded --max-reject-rate: outputs published"),
        ("64", "malformed command line (an unknown option, a value out of its range or not a number): nothing created"),
        ("129", "interrupted by SIGHUP: nothing published"),
        ("130", "interrupted by SIGINT: nothing published"),
        ("143", "interrupted by SIGTERM: nothing published"),
    ]

    /// The table as help text: `Exit status:` and one line a status (never wrapped by the man page generator).
    public static var helpText: String {
        "Exit status:\n" + table.map { row in
            "  " + row.status + String(repeating: " ", count: max(1, 5 - row.status.count)) + row.meaning
        }.joined(separator: "\n")
    }
}

extension FailureKind {
    /// 2 (cannot start), 3 (failed during the run), 130 (cancelled, as by SIGINT).
    var exitStatus: Int32 {
        switch self {
        case .cannotStart: return 2
        case .failedDuringRun: return 3
        case .cancelled: return 130
        }
    }
}

extension ConvertResult {
    /// 0, or 4 when the reject rate exceeded `--max-reject-rate` (the outputs are published either way).
    var exitStatus: Int32 { rejectRateExceeded ? 4 : 0 }
}

extension ValidateOutcome {
    /// 0 clean, 1 problems found.
    var exitStatus: Int32 { problemsFound ? 1 : 0 }
}

extension DecodeOutcome {
    /// 0 clean, 1 malformed lines skipped; 0 when the pipe closed early.
    var exitStatus: Int32 { pipeClosed ? 0 : (problemsFound ? 1 : 0) }
}
