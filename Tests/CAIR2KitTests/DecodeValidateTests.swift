import Foundation
import Testing
@testable import CAIR2Core
@testable import CAIR2Kit

// `decode` and `validate` end to end: library functions on real files, and the
// built `cair2` binary for exit codes. Fixtures are the spec's example records
// (normalized), with faults planted byte by byte.

private let crlf: [UInt8] = [0x0D, 0x0A]

private enum Fixture {
    static let patient: [String: String] = [
        "record_id": "17727736", "patient_status": "A", "first_name": "COURTNEY", "middle_name": "LEE",
        "last_name": "BROWN", "birth_date": "09101994", "mother_first_name": "ANNE", "mother_maiden_name": "GREEN",
        "mother_hbsag_status": "3", "sex": "F", "race_white": "Y", "ethnicity": "NH", "contact_allowed": "02",
        "hp_member_id": "ACME33321", "medi_cal_id": "MEDID11011", "rp_first_name": "TIM", "rp_middle_name": "DANIEL",
        "rp_last_name": "BROWN", "rp_relationship": "FTH", "street_address": "1234 TEST STREET",
        "other_address": "APT 491", "po_box": "PO BOX 740", "city": "RICHMOND", "state": "CA", "zip": "94801",
        "county": "CA013", "phone": "5105555555", "sending_org": "ACMEHP", "disclosed": "Y",
        "disclosed_date": "09101994", "disclosed_by": "ACMEHP", "sharing_status": "Y",
        "effective_date": "09101994", "updated_by": "ACMEHP",
    ]
    static let immunization: [String: String] = [
        "record_id": "17727736", "trade_name": "ActHib", "cpt_code": "90648", "cvx_code": "48",
        "vaccine_group": "Hib", "vaccination_date": "10132003", "route": "IM", "body_site": "LVL",
        "manufacturer": "PMC", "info_source": "01", "lot_number": "A654321", "sending_org": "ACMEHP",
    ]
    static let comment: [String: String] = ["record_id": "17727736", "comment_code": "33A", "begin_date": "10011999"]
    static let query: [String: String] = [
        "patient_type": "M", "hp_member_id": "ACME33321", "first_name": "COURTNEY", "middle_name": "LEE",
        "last_name": "BROWN", "birth_date": "09101994",
    ]
    static let patientReturn: [String: String] = [
        "record_id": "17727736", "first_name": "COURTNEY", "middle_name": "LEE", "last_name": "BROWN",
        "birth_date": "09101994",
    ]
    static let immunizationReturn: [String: String] = [
        "record_id": "17727736", "cpt_code": "90648", "vaccine_group": "Hib", "vaccination_date": "10132003",
    ]

    static func values(_ kind: LayoutKind) -> [String: String] {
        switch kind {
        case .patient: return patient
        case .immunization: return immunization
        case .comment: return comment
        case .query: return query
        case .patientReturn: return patientReturn
        case .immunizationReturn: return immunizationReturn
        }
    }

    /// One line (with CR LF) of `kind`, with some fields changed.
    static func line(_ kind: LayoutKind, _ changes: [String: String] = [:]) -> [UInt8] {
        let values = self.values(kind).merging(changes) { $1 }
        return renderFixedWidth(values: kind.layout.columns.map { values[$0.name] ?? "" }, layout: kind.layout)
    }
}

/// A private scratch directory, removed at the end.
private final class Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-decode-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Every problem of a file as (line, code, field), through the reader and the validator.
private func problems(_ bytes: [UInt8], _ kind: LayoutKind, asOf: Int = 20250101) -> [String] {
    let layout = kind.layout
    let validator = FixedWidthValidator(layout: layout, asOf: asOf)
    var found: [ValidationProblem] = []
    bytes.withUnsafeBytes { buffer in
        var reader = FixedWidthReader(layout: layout)
        var position = 0
        while let item = reader.next(in: buffer, from: &position, isFinal: true) {
            switch item {
            case .record(let r): validator.check(r, into: &found)
            case .malformed(let line, let defects):
                found += validationProblems(line: line, defects: defects, layout: layout)
            }
        }
    }
    return found.map { "\($0.line) \($0.code.rawValue) \($0.field)" }
}

@Suite struct ValidateTests {
    @Test func validateFindsEachPlantedFaultInAPatientFile() throws {
        var file: [UInt8] = []
        file += Fixture.line(.patient)                                              // 1 clean
        file += Array(Fixture.line(.patient).dropLast(3)) + crlf                    // 2 width 875
        var accented = Fixture.line(.patient)
        accented[34] = 0xC9                                                         // 3 É (Latin-1) in first_name
        file += accented
        file += Fixture.line(.patient, ["last_name": ""])                           // 4 blank required
        file += Fixture.line(.patient, ["birth_date": "02301999"])                  // 5 impossible date
        file += Fixture.line(.patient, ["sex": "X"])                                // 6 unknown code
        file += Fixture.line(.patient, ["first_name": "Courtney"])                  // 7 lowercase name
        file += Fixture.line(.patient, ["last_name": "O'BRIEN"])                    // 8 punctuated name
        file += Fixture.line(.patient)                                              // 9 clean
        file += Fixture.line(.patient, ["county": "CA999", "ethnicity": "nh"])      // 10 unknown codes
        file += Fixture.line(.patient, ["birth_date": "01012030"])                  // 11 after as-of
        file += Fixture.line(.patient, ["hp_member_id": "ACME 33321"])              // 12 identifier with a blank
        file += Fixture.line(.patient, ["zip": "9480", "phone": "510555"])          // 13 zip, phone
        file += Fixture.line(.patient, ["race_black": "N", "disclosed": "N"])       // 14 race flag, not disclosed
        var filler = Fixture.line(.patient)
        filler[850] = UInt8(ascii: "X")                                             // 15 filler not blank
        file += filler
        file += Array(Fixture.line(.patient).dropLast(2)) + [0x20] + crlf           // 16 printed total (fine)
        file += Fixture.line(.patient, ["death_date": "01011990", "disclosed_date": "12311899"]) // 17 order, 1899
        file += Fixture.line(.patient, ["sharing_status": "X", "patient_status": ""]) // 18 yes/no, required
        file += Fixture.line(.patient, ["middle_name": " LEE"])// 19 not left-justified
        file += crlf                                                                // 20 empty line between records
        file += Fixture.line(.patient)                                              // 21 clean

        #expect(problems(file, .patient) == [
            "2 V_WIDTH ",
            "3 V_NON_ASCII first_name",
            "4 V_REQUIRED last_name",
            "5 V_DATE birth_date",
            "6 V_CODE sex",
            "7 V_NAME first_name",
            "8 V_NAME last_name",
            "10 V_CODE ethnicity",
            "10 V_CODE county",
            "11 V_DATE_AFTER_AS_OF birth_date",
            "12 V_ID hp_member_id",
            "13 V_ZIP zip",
            "13 V_PHONE phone",
            "14 V_RACE_FLAG race_black",
            "14 V_NOT_DISCLOSED disclosed",
            "15 V_FILLER filler",
            "17 V_DATE disclosed_date",
            "17 V_DATE_ORDER death_date",
            "18 V_REQUIRED patient_status",
            "18 V_YES_NO sharing_status",
            "19 V_ALIGN middle_name",
            "20 V_EMPTY_LINE ",
        ])

        // The same through the library function, and the report never shows a value.
        let scratch = try Scratch()
        let path = try scratch.write("patient.txt", file)
        var report: [String] = []
        let outcome = try validateFixedWidth(ValidateOptions(input: path, kind: .patient, asOf: DateValue(ymd: 20250101))) {
            report.append($0)
        }
        #expect(outcome.lines == 21)
        #expect(outcome.linesWithProblems == 17)
        #expect(outcome.problems == 22)
        #expect(outcome.problemsFound)
        #expect(outcome.byCode[.code]?.lines == [6, 10])
        #expect(outcome.byCode[.code]?.count == 3)
        #expect(outcome.byCode[.name]?.fields == ["first_name": 1, "last_name": 1])
        #expect(outcome.byCode[.width]?.lines == [2])
        let text = report.joined(separator: "\n")
        #expect(text.contains("V_NON_ASCII"))
        #expect(text.contains("lines: 6, 10"))
        for value in ["COURTNEY", "Courtney", "BRIEN", "17727736", "ACME", "02301999", "RICHMOND", "CA999"] {
            #expect(!text.contains(value), "the report shows a field value")
        }
    }

    @Test func validateChecksTheOtherLayoutsRules() {
        let imm = Fixture.line(.immunization, ["trade_name": "", "cpt_code": "", "cvx_code": "", "vaccine_group": ""])
            + Fixture.line(.immunization, ["info_source": "00", "manufacturer": "P-C", "route": "XX"])
            + Fixture.line(.immunization, ["cpt_code": "0001A", "cvx_code": "4 8", "ndc_code": "49281-0545"])
            + Fixture.line(.immunization, ["vaccination_date": "10132031", "lot_number": "A65@321"])
        #expect(problems(imm, .immunization) == [
            "1 V_NO_VACCINE ",
            "2 V_CODE route", "2 V_MANUFACTURER manufacturer", "2 V_CODE info_source",
            "3 V_CPT cpt_code", "3 V_CVX cvx_code",
            "4 V_DATE_AFTER_AS_OF vaccination_date", "4 V_TEXT lot_number",
        ])
        let comments = Fixture.line(.comment, ["comment_code": "ZZZ"])
            + Fixture.line(.comment, ["end_date": "09301999"])
            + Fixture.line(.comment, ["begin_date": "10012031", "comment_code": "33a"])
        // Comment dates are not held to the as-of date.
        #expect(problems(comments, .comment) == ["1 V_CODE comment_code", "2 V_DATE_ORDER end_date", "3 V_CODE comment_code"])
        let queries = Fixture.line(.query, ["patient_type": "X"]) + Fixture.line(.query, ["hp_member_id": ""])
            + Fixture.line(.query, ["middle_name": "LEE-ANN"])
        #expect(problems(queries, .query) == [
            "1 V_CODE patient_type", "2 V_REQUIRED hp_member_id", "3 V_NAME middle_name",
        ])
        let returns = Fixture.line(.patientReturn, ["birth_date": "13011994", "first_name": "anything, goes"])
        #expect(problems(returns, .patientReturn) == ["1 V_DATE birth_date"])
    }

    @Test(arguments: LayoutKind.allCases)
    func validateFindsNothingInACleanFile(kind: LayoutKind) throws {
        let file = Fixture.line(kind) + Fixture.line(kind) + Array(Fixture.line(kind).dropLast(2))
        #expect(problems(file, kind).isEmpty)
        let scratch = try Scratch()
        var report: [String] = []
        let outcome = try validateFixedWidth(
            ValidateOptions(input: try scratch.write("clean.txt", file), kind: kind, asOf: DateValue(ymd: 20250101))) { report.append($0) }
        #expect(outcome.lines == 3)
        #expect(!outcome.problemsFound)
        #expect(report.count == 1 && report[0].hasSuffix("no problems"))
    }

    @Test func theReportCapsTheListedLineNumbers() throws {
        var file: [UInt8] = []
        for _ in 0..<25 { file += Fixture.line(.comment, ["comment_code": "ZZZ"]) }
        let scratch = try Scratch()
        var report: [String] = []
        let outcome = try validateFixedWidth(
            ValidateOptions(input: try scratch.write("c.txt", file), kind: .comment, asOf: DateValue(ymd: 20250101),
                            maxLinesPerCode: 20)) { report.append($0) }
        #expect(outcome.byCode[.code]?.lines == Array(1...20))
        #expect(outcome.byCode[.code]?.lineCount == 25)
        #expect(report.contains { $0.hasSuffix("19, 20 and 5 more") })
    }

    @Test func asOfParsing() {
        #expect(DateValue.parseISO("2025-01-31")?.ymd == 20250131)
        #expect(DateValue.parseISO("2024-02-29")?.ymd == 20240229)
        #expect(DateValue.parseISO("2023-02-29") == nil)
        #expect(DateValue.parseISO("1899-12-31") == nil)
        #expect(DateValue.parseISO("2025-1-31") == nil)
        #expect(DateValue.parseISO("01/31/2025") == nil)
        #expect(DateValue(ymd: 20250131).iso == "2025-01-31")
        #expect(Today.date().ymd > 20240000)
    }
}

@Suite struct DecodeTests {
    @Test func decodeWritesCSVWithTheCanonicalColumnsToA0600File() throws {
        let scratch = try Scratch()
        let input = try scratch.write("patient.txt", Fixture.line(.patient) + Fixture.line(.patient, ["first_name": "ANNA"]))
        let out = scratch.path("patients.csv")
        var messages: [String] = []
        let outcome = try decodeFixedWidth(DecodeOptions(input: input, kind: .patient, format: .csv, output: out)) {
            messages.append($0)
        }
        #expect(outcome == DecodeOutcome(records: 2, malformedLines: 0, pipeClosed: false))
        #expect(!outcome.problemsFound)
        #expect(messages.isEmpty)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let columns = Layouts.patient.columns
        #expect(lines.count == 3)
        #expect(lines[0] == columns.map(\.name).joined(separator: ","))
        #expect(!lines[0].contains("filler"))
        #expect(lines[1] == columns.map { Fixture.patient[$0.name] ?? "" }.joined(separator: ","))
        #expect(lines[2].contains(",ANNA,LEE,"))
        let attributes = try FileManager.default.attributesOfItem(atPath: out)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // No temporary file is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["patient.txt", "patients.csv"])
    }

    @Test func decodeWritesJSONLines() throws {
        let scratch = try Scratch()
        let input = try scratch.write("imm.txt", Fixture.line(.immunizationReturn, ["vaccine_group": "Hib \"x\", \\y"]))
        let out = scratch.path("imm.jsonl")
        _ = try decodeFixedWidth(DecodeOptions(input: input, kind: .immunizationReturn, format: .jsonl, output: out))
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\"record_id\":\"17727736\",\"cpt_code\":"))
        #expect(text.hasSuffix("}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: data.dropLast()) as? [String: String])
        #expect(object == ["record_id": "17727736", "cpt_code": "90648", "vaccine_group": "Hib \"x\", \\y",
                           "vaccination_date": "10132003"])
    }

    @Test func decodeQuotesCSVFieldsOnlyWhereNeeded() throws {
        let scratch = try Scratch()
        let input = try scratch.write("imm.txt", Fixture.line(.immunizationReturn, ["vaccine_group": "A,B \"C\""]))
        let out = scratch.path("imm.csv")
        _ = try decodeFixedWidth(DecodeOptions(input: input, kind: .immunizationReturn, output: out))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text == "record_id,cpt_code,vaccine_group,vaccination_date\n17727736,90648,\"A,B \"\"C\"\"\",10132003\n")
    }

    @Test func decodeReportsAndSkipsMalformedLinesWithoutTheirContents() throws {
        let scratch = try Scratch()
        var accented = Fixture.line(.comment)
        accented[33] = 0xE9
        let input = try scratch.write("c.txt", Fixture.line(.comment) + Array(Fixture.line(.comment).dropLast(4)) + crlf
                                      + accented + crlf + Fixture.line(.comment, ["comment_code": "ZZZ"]))
        let out = scratch.path("c.csv")
        var messages: [String] = []
        let outcome = try decodeFixedWidth(DecodeOptions(input: input, kind: .comment, output: out)) { messages.append($0) }
        #expect(outcome.records == 2)   // decode does not judge codes: ZZZ is decoded
        #expect(outcome.malformedLines == 3)
        #expect(outcome.problemsFound)
        #expect(messages.contains("\(input):2: line is 52 characters; expected 54 (V_WIDTH)"))
        #expect(messages.contains("\(input):3: non-ASCII byte at column 34 (V_NON_ASCII)"))
        #expect(messages.contains("\(input):4: empty line between records (V_EMPTY_LINE)"))
        #expect(!messages.joined().contains("17727736"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3)
    }

    @Test func inputErrorsCarryTheirExitStatus() throws {
        let scratch = try Scratch()
        #expect(throws: IOError(.open, path: scratch.path("missing.txt"), errno: ENOENT)) {
            try decodeFixedWidth(DecodeOptions(input: scratch.path("missing.txt"), kind: .patient))
        }
        #expect(throws: IOError(.open, path: scratch.url.path, errno: EISDIR)) {
            try validateFixedWidth(ValidateOptions(input: scratch.url.path, kind: .patient)) { _ in }
        }
        // A .zst input is streamed; one that ends inside a frame is an I/O failure of the run (exit 3).
        let zst = try scratch.write("patient.txt.zst", [0x28, 0xB5, 0x2F, 0xFD])
        #expect(throws: CAIR2Error.self) {
            try decodeFixedWidth(DecodeOptions(input: zst, kind: .patient))
        }
        #expect(IOError(.open, path: "x", errno: ENOENT).kind == .cannotStart)
        // An output that cannot be created is an I/O failure; nothing is published.
        let input = try scratch.write("c.txt", Fixture.line(.comment))
        do {
            _ = try decodeFixedWidth(DecodeOptions(input: input, kind: .comment, output: scratch.path("no/such/dir/c.csv")))
            Issue.record("expected a write failure")
        } catch let error as IOError {
            #expect(error.kind == .failedDuringRun)
            #expect(error.operation == .write)
        }
    }
}

/// The built `cair2` executable, next to the test bundle in the build directory.
private func cair2Binary() throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    var candidates = [
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("cair2"),
        Bundle.main.bundleURL.appendingPathComponent("cair2"),
        root.appendingPathComponent(".build/debug/cair2"),
    ]
    if let argv0 = CommandLine.arguments.first {
        candidates.append(URL(fileURLWithPath: argv0).deletingLastPathComponent().appendingPathComponent("cair2"))
    }
    let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    return try #require(found, "cair2 binary not found; tried \(candidates.map(\.path))")
}

private func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try cair2Binary()
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a full pipe cannot stall the child.
    let errData = DispatchQueue.global().sync { () -> Data in
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        return o + Data([0]) + e
    }
    process.waitUntilExit()
    let parts = errData.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
    return (process.terminationStatus, String(decoding: parts[0], as: UTF8.self),
            String(decoding: parts.count > 1 ? parts[1] : Data(), as: UTF8.self))
}

@Suite struct BinaryTests {
    @Test func exitCodesZeroOneTwo() throws {
        let scratch = try Scratch()
        let clean = try scratch.write("clean.txt", Fixture.line(.patient))
        let faulty = try scratch.write("faulty.txt", Fixture.line(.patient, ["sex": "X"]))

        var r = try run(["validate", clean, "--kind", "patient", "--as-of", "2025-01-31"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("no problems"))
        r = try run(["validate", faulty, "--kind", "patient", "--as-of", "2025-01-31"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("V_CODE"))
        r = try run(["validate", scratch.path("missing.txt"), "--kind", "patient"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("missing.txt"))
        // An unknown --kind is a malformed command line (issue 17: exit 64 with validate's usage).
        r = try run(["validate", clean, "--kind", "nonsense"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("cair2 validate"))
        r = try run(["validate", clean, "--kind", "patient", "--as-of", "31/01/2025"])
        #expect(r.status == 64)

        r = try run(["decode", clean, "--kind", "patient", "--format", "jsonl"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("{\"record_id\":\"17727736\""))
        let short = try scratch.write("short.txt", Array(Fixture.line(.patient).dropLast(5)) + crlf)
        r = try run(["decode", short, "--kind", "patient"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("short.txt:1: line is 873 characters"))
        r = try run(["decode", scratch.path("missing.txt"), "--kind", "patient"])
        #expect(r.status == 2)
        r = try run(["decode", try scratch.write("x.txt.zst", [0]), "--kind", "patient"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("zstd"))

        let out = scratch.path("out.csv")
        r = try run(["decode", clean, "--kind", "patient", "-o", out])
        #expect(r.status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func decodeToAClosedPipeEndsQuietlyWithZero() throws {
        let scratch = try Scratch()
        var file: [UInt8] = []
        let line = Fixture.line(.comment)
        for _ in 0..<40_000 { file += line }
        let input = try scratch.write("many.txt", file)
        let process = Process()
        process.executableURL = try cair2Binary()
        process.arguments = ["decode", input, "--kind", "comment"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let head = out.fileHandleForReading.readData(ofLength: 100)
        #expect(head.count > 0)
        try out.fileHandleForReading.close()   // like `| head -c 100`
        let errText = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(errText.isEmpty)
    }
}
