/// The exit statuses of every `cair2` command (PRODUCT.md section 4), one table for `cair2 --help` and the man
/// page's EXIT STATUS section (scripts/completions copies the rows from the help text into it).
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
