import ArgumentParser
import CAIR2Kit
import Glibc

/// `--file-mode MODE`, shared by convert, decode, generate and archive.
struct FileModeOption: ParsableArguments {
    @Option(name: .customLong("file-mode"),
            help: ArgumentHelp("Permissions of the files written, in octal: \(FileMode.allowed.map(FileMode.text).joined(separator: ", ")) (default \(FileMode.text(FileMode.standard))); for an uploader that runs as another user.",
                               valueName: "mode"))
    var text: String?

    func validate() throws {
        if let text, FileMode.parse(text) == nil {
            throw ValidationError("--file-mode '\(text)' is not allowed; use one of \(FileMode.allowed.map(FileMode.text).joined(separator: ", ")) (the owner reads and writes, nobody executes, others never write)")
        }
    }

    /// The mode to create files with.
    var mode: mode_t { text.flatMap(FileMode.parse) ?? FileMode.standard }
}
