import ArgumentParser
import CAIR2Core
import CAIR2Kit
import CAIR2Measures

struct HedisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hedis",
        abstract: "Each member's immunization status and the plan's HEDIS CIS or IMA rates from the registry's return files.",
        discussion: """
        Reads the eligible members (the query extract fits: hp_member_id and birth_date, optional \
        first_name and last_name), the registry's patient-return and immunization-return files, and \
        optionally the plan's own doses and comments; writes hedis-members.csv (one row per eligible \
        member: match status, doses and met flags per antigen, combos, missing antigens), \
        hedis-summary.json (rates three ways: plan only, registry only, both) and rejects.csv into \
        --out-dir, 0600, published atomically. The console shows counts and rates only.

        The value sets are an approximation from public sources (not NCQA-certified); a plan with the \
        licensed HEDIS value sets passes its own file with --value-sets (measure,antigen,system,code). \
        Continuous enrollment and the measures' exclusions are the plan's to apply to the members file.

        Examples:
          cair2 hedis --measure cis --year 2025 --members query.csv \\
            --patient-return patient_return.txt --immunization-return immunization_return.txt \\
            --immunizations claims.csv --comments comments.csv --out-dir hedis-2025
          cair2 hedis --measure ima --year 2025 --mening-from 10 --members query.csv \\
            --patient-return pr.txt --immunization-return ir.txt --value-sets ncqa.csv --out-dir ima -q --json

        Exit status: 0 finished; 2 cannot start (missing input or column, bad value sets or comment \
        codes), nothing written; 3 I/O failure, nothing published; 64 malformed command line.
        """)

    @Option(help: "cis (children turning 2 in the year) or ima (adolescents turning 13).", completion: .list(["cis", "ima"]))
    var measure: String
    @Option(help: "The measurement year (YYYY).") var year: Int
    @Option(help: "Eligible members (CSV: hp_member_id, birth_date; first_name, last_name optional).", completion: .file())
    var members: String
    @Option(name: .customLong("patient-return"), help: "The registry's patient-return file (fixed width).", completion: .file())
    var patientReturn: String
    @Option(name: .customLong("immunization-return"), help: "The registry's immunization-return file (fixed width).", completion: .file())
    var immunizationReturn: String
    @Option(help: "The plan's own doses (CSV: record_id, cpt_code, cvx_code, vaccination_date).", completion: .file())
    var immunizations: String?
    @Option(help: "The plan's comment extract (CSV: record_id, comment_code, begin_date).", completion: .file())
    var comments: String?
    @Option(name: .customLong("value-sets"), help: "Value sets replacing the bundled ones (measure,antigen,system,code).", completion: .file())
    var valueSets: String?
    @Option(name: .customLong("comment-codes"), help: "Comment codes replacing the bundled ones (measure,antigen,comment_code,evidence).", completion: .file())
    var commentCodes: String?
    @Option(name: .customLong("mening-from"), help: "IMA: meningococcal doses count from the 11th (default) or the 10th birthday.")
    var meningFrom: Int = 11
    @Option(name: .customLong("out-dir"), help: "Directory for the outputs (created if missing).", completion: .directory)
    var outDir: String
    @Option(help: "Field delimiter of the CSV inputs: one byte, e.g. ',' '|' or '\\t'.") var delimiter: String = ","
    @Option(help: "Encoding of the CSV inputs: utf8, cp1252 (Windows) or latin1.", completion: .list(["utf8", "cp1252", "latin1"]))
    var encoding: String = "utf8"
    @Option(name: .customLong("map"), help: "Mapping file (JSON) for the CSV inputs' column names and defaults.", completion: .file(extensions: ["json"]))
    var mapFile: String?
    @Flag(name: .shortAndLong, help: "Quiet: no summary on stderr; errors only.") var quiet = false
    @Flag(help: "Print hedis-summary.json to standard output.") var json = false

    func validate() throws {
        guard Measure(rawValue: measure.uppercased()) != nil else { throw ValidationError("--measure must be cis or ima") }
        guard (1900...9999).contains(year) else { throw ValidationError("--year must be a year, e.g. --year 2025") }
        guard meningFrom == 10 || meningFrom == 11 else { throw ValidationError("--mening-from must be 10 or 11") }
        guard Delimiter.parse(delimiter) != nil else {
            throw ValidationError("--delimiter must be a single byte, e.g. --delimiter '|', --delimiter ';' or --delimiter '\\t' (tab)")
        }
        guard TextEncoding(rawValue: encoding.lowercased().replacing("-", with: "")) != nil else {
            throw ValidationError("--encoding '\(encoding)' is not known; use --encoding utf8, cp1252 (Windows) or latin1")
        }
    }

    func run() throws {
        var o = HedisOptions(measure: Measure(rawValue: measure.uppercased())!, year: year, members: members,
                             patientReturn: patientReturn, immunizationReturn: immunizationReturn, outDir: outDir)
        o.immunizations = immunizations
        o.comments = comments
        o.valueSets = valueSets
        o.commentCodes = commentCodes
        o.meningFrom = meningFrom
        o.delimiter = Delimiter.parse(delimiter)!
        o.encoding = TextEncoding(rawValue: encoding.lowercased().replacing("-", with: ""))!
        o.mapFile = mapFile
        let quiet = self.quiet
        do {
            // Interrupted runs remove their temporary files and exit 130 / 143; nothing is published.
            try Signals.installInterruptHandlers()
            let result = try CAIR2Kit.hedis(o, log: { if !quiet { Console.error($0) } })
            if json { print(result.summaryJSON, terminator: "") }
            if !quiet && !json { Console.error(result.summary.consoleText) }
        } catch let e as CAIR2Error {
            Console.error("cair2 hedis: \(e.message)")
            throw ExitCode(e.kind.exitStatus)
        } catch let e as IOError {
            Console.error("cair2 hedis: \(e.description)")
            throw ExitCode(e.kind.exitStatus)
        }
    }
}
