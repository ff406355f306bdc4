import ArgumentParser
import CAIR2Kit

@main
struct CAIR2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cair2",
        abstract: "Convert health-plan member extracts to CAIR2 fixed-width files, and read them back.",
        version: CAIR2Version.version,
        subcommands: [
            ConvertCommand.self,
            LayoutsCommand.self,
            DecodeCommand.self,
            ValidateCommand.self,
            ArchiveCommand.self,
            VerifyCommand.self,
            GenerateCommand.self,
        ]
    )
}
