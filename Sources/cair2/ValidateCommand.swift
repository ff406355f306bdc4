import ArgumentParser
import CAIR2Core
import CAIR2Kit

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a fixed-width file line by line against its layout and the value rules.",
        discussion: """
            Checks width, ASCII, required fields, dates (real MMDDYYYY dates, year 1900 or later, not \
            after --as-of where the field forbids it), code-set fields, names (A-Z and blank), identifiers, \
            yes/no fields, race flags, zip, phone, SSN (must be blank), the patient filler and the \
            immunization rules. Prints a report by problem code with counts, fields and the first line \
            numbers; never a field value.

            Examples:
              # our own output, before submitting it
              cair2 validate batch/patient.txt --kind patient --as-of 2025-01-31
              # somebody else's immunization file, from standard input
              cat vendor_imms.txt | cair2 validate - --kind immunization

            Exit status: 0 no problems; 1 problems found; 2 the input is missing or unreadable; 3 a read \
            failed; 64 malformed command line (an unknown --kind, a bad --as-of).
            """)

    @Argument(help: "The fixed-width file; '-' reads standard input.", completion: .file())
    var file: String

    @Option(help: "The layout: \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", ")).", completion: .list(LayoutKind.allCases.map(\.rawValue)))
    var kind: String

    @Option(name: .customLong("as-of"), help: "YYYY-MM-DD; dates after it are flagged where the field forbids it (default: today).")
    var asOf: String?

    @OptionGroup var codeTables: CodeTablesOption

    func validate() throws {
        guard LayoutKind(rawValue: kind) != nil else {
            throw ValidationError("--kind '\(kind)' is not a layout; use one of \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let asOf, DateValue.parseISO(asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is not a date of the form YYYY-MM-DD")
        }
    }

    func run() throws {
        var options = ValidateOptions(input: file, kind: LayoutKind(rawValue: kind)!)
        if let asOf { options.asOf = DateValue.parseISO(asOf)! }
        do {
            options.codeTables = try codeTables.load()
            // The report goes out with write(2): a failure (a full disk, /dev/full, a closed pipe) is exit 3.
            var writeError: IOError?
            let outcome = try validateFixedWidth(options) { line in
                guard writeError == nil else { return }
                do throws(IOError) { try StandardOutput.write(line + "\n") } catch { writeError = error }
            }
            if let writeError {
                writeStandardError("cair2 validate: \(writeError.description)")
                throw ExitCode(3)
            }
            if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
        } catch let error as IOError {
            writeStandardError("cair2 validate: \(error.description)")
            throw ExitCode(error.kind.exitStatus)
        } catch let error as CAIR2Error {
            // A corrupt or truncated .zst input: an I/O failure during the run (exit 3).
            writeStandardError("cair2 validate: \(error.message)")
            throw ExitCode(error.kind.exitStatus)
        }
    }
}
