import ArgumentParser
import CAIR2Core
import CAIR2Kit
import Glibc

/// `--code-tables DIR`, shared by convert, validate and codes.
struct CodeTablesOption: ParsableArguments {
    @Option(name: .customLong("code-tables"),
            help: ArgumentHelp("Folder with newer CDC tables (cvx.csv, mvx.csv, cpt_to_cvx.csv, tradename_cvx_mvx.csv, cvx_to_vaccine_group.csv); default: the bundled snapshot.",
                               valueName: "dir"),
            completion: .directory)
    var codeTables: String?

    /// The tables to use; a missing or malformed table throws `CAIR2Error` (exit 2) naming the file.
    func load() throws -> VaccineCodeTables {
        guard let codeTables else { return .bundled }
        return try VaccineCodeTables.load(directory: codeTables)
    }
}

enum CodesFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

struct CodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "Look up vaccine codes (CVX, CPT, MVX, products) and list the spec's code sets.",
        discussion: """
            The CDC tables are the bundled snapshot unless --code-tables names a folder of newer CDC \
            files. A CVX compares as a number (3, 03 and 003 are one code). Searches match a part of a \
            description, product or manufacturer name, ignoring case and accents.

            What: cvx, cpt, mvx, product, group, search; or a code set of the spec: \
            \(CodeListKind.codeSetNames.map(\.name).joined(separator: ", ")).

            Examples:
              cair2 codes cvx 48                 # one CVX: description, status, vaccine groups
              cair2 codes cpt 90648              # the CVX a CPT code maps to
              cair2 codes mvx PMC                # a manufacturer
              cair2 codes mvx "sanofi"           # manufacturers by name
              cair2 codes search acthib          # anything that mentions it
              cair2 codes county                 # every county code
              cair2 codes patient-type           # C and M, for --query files
              cair2 codes cvx --format csv > cvx.csv

            Exit status: 0 something matched; 1 nothing matched; 2 a --code-tables file is missing or \
            malformed; 64 malformed command line.
            """)

    @Argument(help: ArgumentHelp("What to look in.", valueName: "what"),
              completion: .list(CodeListKind.allNames))
    var what: String

    @Argument(help: ArgumentHelp("A code, a name or a part of one (all rows when omitted; required for search).",
                                 valueName: "code-or-text"))
    var query: String?

    @Option(help: "Output: table (default), csv or json.") var format: CodesFormat = .table

    @OptionGroup var tables: CodeTablesOption

    func validate() throws {
        guard let kind = CodeListKind(name: what) else {
            throw ValidationError("unknown code table '\(what)'; use one of \(CodeListKind.allNames.joined(separator: ", "))")
        }
        if kind == .search && (query ?? "").isEmpty { throw ValidationError("search needs a text: cair2 codes search acthib") }
    }

    func run() throws {
        let loaded: VaccineCodeTables
        do { loaded = try tables.load() } catch let e as CAIR2Error {
            writeStandardError("cair2 codes: \(e.message)")
            throw ExitCode(e.kind.exitStatus)
        }
        let listing = codeListing(CodeListKind(name: what)!, query: query, tables: loaded)
        switch format {
        case .table: writeStandardOutput(listing.renderTable())
        case .csv: writeStandardOutput(listing.renderCSV())
        case .json: writeStandardOutput(listing.renderJSON())
        }
        if listing.rows.isEmpty {
            if format == .table { writeStandardError("cair2 codes: nothing matches in \(what)") }
            throw ExitCode(1)
        }
    }
}

/// Writes `text` to standard output; a write error is exit 3 (PRODUCT.md §4a).
private func writeStandardOutput(_ text: String) {
    do {
        try Array(text.utf8).withUnsafeBytes { try FileDescriptor(rawValue: 1, path: "-").writeAll($0) }
    } catch {
        writeStandardError("cair2 codes: cannot write to standard output")
        Glibc.exit(3)
    }
}
