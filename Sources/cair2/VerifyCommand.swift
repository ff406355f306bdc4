import ArgumentParser
import CAIR2Kit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every file of a BATCH.tar.zst against its MANIFEST.json, without extracting.",
        discussion: """
            Reports files missing, extra or altered (size, SHA-256, record count), member names that are absolute \
            or contain '..', links and devices, and corruption of the zstd or tar stream.

            Examples:
              cair2 verify batch-2025-01-31.tar.zst
              # every archive of the month, stopping at the first bad one
              for a in archive/2025-01-*.tar.zst; do cair2 verify "$a" || break; done

            Exit status: 0 everything matches, 1 problems found, 2 the archive cannot be opened.
            """)

    @Argument(help: "The archive to check.", completion: .file(extensions: ["zst"]))
    var archive: String

    func run() throws {
        let result: VerifyResult
        do {
            result = try BatchArchive.verify(archive: archive)
        } catch let e as ArchiveError {
            Console.error("cair2 verify: \(e)\n")
            throw ExitCode(2)
        }
        for p in result.problems {
            print("\(p.kind.rawValue): \(p.message)")
        }
        if result.isOK, let m = result.manifest {
            print("\(archive): OK, \(result.filesMatched) files match \(BatchArchive.manifestName) (\(m.tool) \(m.version), created \(m.created))")
        } else {
            print("\(archive): \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"), \(result.filesMatched) files match")
            throw ExitCode(1)
        }
    }
}
