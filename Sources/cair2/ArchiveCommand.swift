import ArgumentParser
import CAIR2Kit

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive a batch directory as BATCH.tar.zst with a MANIFEST.json of sizes, SHA-256 and record counts.",
        discussion: """
            The archive is a POSIX tar compressed by zstd (with checksums); `tar --zstd -xf` and `zstd -t` open it. \
            MANIFEST.json comes first, then the batch's files in name order, including part-NNN/ folders. \
            The same files with the same --mtime give a byte-identical archive.

            Examples:
              cair2 archive batch -o batch-2025-01-31.tar.zst
              # reproducible: the same bytes every time for the same files
              cair2 archive batch -o batch.tar.zst --mtime 2025-01-31T12:00:00Z --level 19
              # look inside with standard tools
              tar --zstd -tvf batch.tar.zst

            One batch per folder: archive refuses (exit 2) a folder holding files its summary.json does not \
            list (the lock file .cair2.lock excepted), an output inside the folder, or an existing output, \
            unless --force; it never writes over one of the batch's files. A folder whose last publication was \
            cut (a kill or a crash left .cair2-publishing: its files may mix two batches) is refused even with \
            --force; run the convert again first.

            Exit status: 0 written, 2 cannot start (nothing written), 3 I/O failure (nothing published), \
            130/143/129 interrupted (nothing published).
            """)

    @Argument(help: "The batch directory (a convert --out-dir).", completion: .directory)
    var directory: String

    @Option(name: .shortAndLong, help: "The archive to write, e.g. BATCH.tar.zst.", completion: .file(extensions: ["zst"]))
    var output: String

    @Option(help: "zstd compression level (default \(BatchArchive.defaultLevel)).")
    var level: Int?

    @Option(help: "Time stamped on every member and in the manifest: ISO 8601 (2025-01-31T12:00:00Z) or seconds since 1970. Default: now.")
    var mtime: String?

    @Flag(help: "Archive a folder that holds files its summary.json does not list, write the archive inside the folder, or replace an existing archive.")
    var force = false
    @OptionGroup var fileMode: FileModeOption

    func validate() throws {
        if let mtime, BatchArchive.parseTime(mtime) == nil {
            throw ValidationError("--mtime '\(mtime)' is not an ISO 8601 time (YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]) or seconds since 1970")
        }
        if let level, !Zstd.levels.contains(level) {
            throw ValidationError("--level \(level) is outside zstd's range \(Zstd.levels.lowerBound)...\(Zstd.levels.upperBound)")
        }
    }

    func run() throws {
        do {
            // An interrupted archive removes its temporary file and exits 130 / 143 / 129.
            try Signals.installInterruptHandlers()
            let summary = try BatchArchive.archive(directory: directory, output: output, level: level,
                                                   mtime: mtime.flatMap(BatchArchive.parseTime), force: force,
                                                   fileMode: fileMode.mode)
            for name in summary.skipped {
                Console.error("cair2 archive: left out \(name) (not a batch file)\n")
            }
            if let signal = Signals.pendingSignal {
                Console.error("cair2 archive: \(Signals.name(signal)) arrived while the archive was being published; it is complete (exit 0)\n")
            }
            try StandardOutput.write("\(summary.output): \(summary.manifest.files.count) files and \(BatchArchive.manifestName), \(summary.archiveBytes) bytes\n")
        } catch let e as ArchiveError {
            Console.error("cair2 archive: \(e)\n")
            throw ExitCode(e.kind.exitStatus)
        } catch let e as IOError {
            Console.error("cair2 archive: \(e.description)\n")
            throw ExitCode(e.kind.exitStatus)
        }
    }
}
