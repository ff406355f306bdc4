import ArgumentParser
import CAIR2Core
import CAIR2Kit

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Read a fixed-width file (ours or the registry's return files) into CSV or JSON Lines.",
        discussion: """
            Columns are the canonical names of the layout (see `cair2 layouts KIND`), values right-trimmed. \
            A line must be the layout's data width, or the spec's printed total ending in a blank, ended by \
            CR LF or LF. Malformed lines (wrong width, non-ASCII bytes, empty lines between records) are \
            reported on standard error as FILE:LINE: what is wrong (CODE), without their contents, and skipped.

            Examples:
              # the registry's patient match return file, as CSV
              cair2 decode patient_return.txt --kind patient-return -o matched.csv
              # look at the first records of our own output
              cair2 decode batch/patient.txt --kind patient --format jsonl | head
              # a compressed output is read as it is
              cair2 decode batch/patient.txt.zst --kind patient

            Exit status: 0 every line decoded (also when the reader of standard output closes early, \
            as with `| head`); 1 malformed lines were skipped; 2 the input is missing or unreadable; \
            3 a read or write failed (no output file is published); 64 malformed command line.
            """)

    @Argument(help: "The fixed-width file; '-' reads standard input.", completion: .file())
    var file: String

    @Option(help: "The layout: \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", ")).", completion: .list(LayoutKind.allCases.map(\.rawValue)))
    var kind: String

    @Option(help: "csv or jsonl.", completion: .list(["csv", "jsonl"]))
    var format: String = "csv"

    @Option(name: .shortAndLong, help: "Output file (created 0600 or --file-mode, published atomically); standard output when omitted.", completion: .file())
    var output: String?

    @OptionGroup var fileMode: FileModeOption

    func validate() throws {
        guard LayoutKind(rawValue: kind) != nil else {
            throw ValidationError("--kind '\(kind)' is not a layout; use one of \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard DecodeFormat(rawValue: format) != nil else {
            throw ValidationError("--format '\(format)' is not known; use csv or jsonl")
        }
    }

    func run() throws {
        let layoutKind = LayoutKind(rawValue: kind)!
        let decodeFormat = DecodeFormat(rawValue: format)!
        do {
            // An interrupted decode -o removes its temporary file and exits 130 / 143 / 129.
            if output != nil && output != "-" { try Signals.installInterruptHandlers() }
            var options = DecodeOptions(input: file, kind: layoutKind, format: decodeFormat, output: output)
            options.fileMode = fileMode.mode
            let outcome = try decodeFixedWidth(options)
            if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
        } catch let error as IOError {
            writeStandardError("cair2 decode: \(error.description)")
            throw ExitCode(error.kind.exitStatus)
        } catch let error as CAIR2Error {
            // A corrupt or truncated .zst input (exit 3), or an output that is the input (exit 2).
            writeStandardError("cair2 decode: \(error.message)")
            throw ExitCode(error.kind.exitStatus)
        }
    }
}
