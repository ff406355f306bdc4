import ArgumentParser
import CAIR2Kit

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic California plan extract (members, immunizations, comments, query) and an answer key of the defects planted in it.",
        discussion: """
        Same seed and options: byte-identical files, whatever --threads. The answer key
        (expected-rejects.csv, expected-warnings.csv) lists every planted defect by file, line,
        record_id, field and code: convert with the same --org and --as-of reports exactly those.

        Examples:
          cair2 generate --members 100000 --out-dir corpus --seed 7 --as-of 2026-01-15
          cair2 convert --patients corpus/members.csv \\
            --immunizations corpus/immunizations.csv --comments corpus/comments.csv \\
            --org ACMEHP --as-of 2026-01-15 --out-dir batch
          # with the registry's return files, for hedis
          cair2 generate --members 100000 --out-dir corpus --seed 7 --as-of 2026-01-15 --returns
          cair2 hedis --measure cis --year 2025 --members corpus/query.csv \\
            --patient-return corpus/patient-return.txt --immunization-return corpus/immunization-return.txt \\
            --out-dir hedis

        Exit status: 0 written; 2 --out-dir is not a directory; 3 a write failed (nothing published); \
        64 malformed command line (nothing created).
        """)

    @Option(help: "Number of members.")
    var members: Int

    @Option(name: .customLong("out-dir"), help: "Directory for the CSV files and the answer key.")
    var outDir: String

    @Option(help: "Seed: the same seed and options give byte-identical files.")
    var seed: UInt64 = 1

    @Option(name: .customLong("defect-rate"), help: "Share of records carrying exactly one planted defect (0 to 1).")
    var defectRate: Double = 0.01

    @Option(name: .customLong("as-of"), help: "The date (YYYY-MM-DD) convert will run --as-of; default today (UTC).")
    var asOf: String?

    @Option(help: "Organization code written as sending_org, disclosed_by and updated_by (pass the same --org to convert).")
    var org: String = "ACMEHP"

    @Option(help: "Worker threads (default: all cores; the output does not depend on it).")
    var threads: Int?

    @Flag(help: "Also write the registry's answer to query.csv: patient-return.txt and immunization-return.txt (fixed-width), for `cair2 hedis --members query.csv`. The other files do not change.")
    var returns = false

    @OptionGroup var fileMode: FileModeOption

    var options: GenerateOptions {
        var options = GenerateOptions(members: members, outputDirectory: outDir)
        options.seed = seed
        options.defectRate = defectRate
        options.asOf = asOf
        options.org = org
        if let threads { options.threads = threads }
        options.returns = returns
        options.fileMode = fileMode.mode
        return options
    }

    func validate() throws {
        if let problem = options.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let options = self.options
        let summary: GenerateSummary
        do {
            // An interrupted run removes its temporary files and exits 130 / 143 / 129.
            try Signals.installInterruptHandlers()
            summary = try generateCorpus(options)
        } catch let error as GenerateError {
            Console.error("cair2 generate: \(error)\n")
            // The option values were checked in validate(); what is left is --out-dir or the lock (2) or a write (3).
            if case .invalidOption = error { throw ExitCode(2) }
            if case .cannotStart = error { throw ExitCode(2) }
            throw ExitCode(3)
        }
        let counts = summary.records.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let planted = summary.planted.values.reduce(0, +)
        if summary.previousPublicationInterrupted {
            Console.error("cair2 generate: \(PublicationMarker.interruptedWarning(outDir))\n")
        }
        if let signal = Signals.pendingSignal {
            Console.error("cair2 generate: \(Signals.name(signal)) arrived while the files were being published; they are complete (exit 0)\n")
        }
        do {
            try StandardOutput.write("generated \(counts); \(planted) answer-key rows; as-of \(summary.asOf), org \(summary.org); "
                + String(printf: "%.2f s", summary.elapsedSeconds) + "\n")
        } catch {
            Console.error("cair2 generate: \(error.description)\n")
            throw ExitCode(3)
        }
    }
}
