import ArgumentParser
import CAIR2Kit

@main
struct CAIR2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cair2",
        abstract: "Convert health-plan member extracts to CAIR2 fixed-width files, and read them back.",
        discussion: """
            A night's batch, start to finish:
              cair2 convert --patients members.csv --immunizations imms.csv \\
                --org ACMEHP --map map.json --out-dir batch
              cair2 validate batch/patient.txt --kind patient
              cair2 archive batch -o batch-2025-01-31.tar.zst
              cair2 verify batch-2025-01-31.tar.zst

            Reports never hold a field value. Guide: docs/GUIDE.md; codes: docs/CODES.md.

            \(ExitStatus.helpText)
            """,
        version: CAIR2Version.version,
        subcommands: [
            ConvertCommand.self,
            LayoutsCommand.self,
            DecodeCommand.self,
            ValidateCommand.self,
            ArchiveCommand.self,
            VerifyCommand.self,
            GenerateCommand.self,
            CodesCommand.self,
            HedisCommand.self,
        ]
    )

    /// `--zstd` alone means the default level (PRODUCT.md: `--zstd[=LEVEL]`), which argument-parser cannot say.
    static func main() {
        // SIGPIPE and SIGXFSZ become EPIPE and EFBIG (exit statuses, never a death by signal); descriptors raised.
        Signals.prepareProcess()
        main(ConvertArguments.expandingBareZstd(Array(CommandLine.arguments.dropFirst())))
    }
}
