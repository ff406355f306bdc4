import Foundation
import Testing
@testable import CAIR2Core

// Test support shared by the CAIR2Core tests: the spec's tables transcribed on
// their own (so decoding is checked against the spec, not against Layout.swift
// checking itself), a line builder that places values at their start
// positions, and the normalized values of the spec's example records.

enum SpecTables {
    /// (canonical name, start, length) transcribed from the tables of seed 002, not from Layout.swift.
    static let tables: [LayoutKind: [(name: String, start: Int, length: Int)]] = [
        .patient: [
            ("record_id", 1, 32), ("patient_status", 33, 1), ("first_name", 34, 50), ("middle_name", 84, 50),
            ("last_name", 134, 50), ("name_suffix", 184, 10), ("birth_date", 194, 8), ("death_date", 202, 8),
            ("mother_first_name", 210, 50), ("mother_maiden_name", 260, 50), ("mother_hbsag_status", 310, 1), ("sex", 311, 1),
            ("race_american_indian", 312, 1), ("race_asian", 313, 1), ("race_pacific_islander", 314, 1), ("race_black", 315, 1),
            ("race_white", 316, 1), ("race_other", 317, 1), ("ethnicity", 318, 2), ("ssn", 320, 9),
            ("contact_allowed", 329, 2), ("hp_member_id", 331, 32), ("medi_cal_id", 363, 20), ("rp_first_name", 383, 50),
            ("rp_middle_name", 433, 50), ("rp_last_name", 483, 50), ("rp_relationship", 533, 3), ("street_address", 536, 55),
            ("other_address", 591, 55), ("po_box", 646, 55), ("city", 701, 52), ("state", 753, 2),
            ("zip", 755, 9), ("county", 764, 5), ("phone", 769, 17), ("sending_org", 786, 12),
            ("disclosed", 798, 1), ("disclosed_date", 799, 8), ("disclosed_by", 807, 12), ("sharing_status", 819, 1),
            ("effective_date", 820, 8), ("updated_by", 828, 12), ("filler", 840, 37),
        ],
        .immunization: [
            ("record_id", 1, 32), ("ndc_code", 33, 13), ("trade_name", 46, 24), ("cpt_code", 70, 5),
            ("cvx_code", 75, 3), ("vaccine_group", 78, 16), ("vaccination_date", 94, 8), ("route", 102, 2),
            ("body_site", 104, 4), ("reaction", 108, 8), ("manufacturer", 116, 4), ("info_source", 120, 2),
            ("lot_number", 122, 30), ("provider", 152, 50), ("administered_by", 202, 50), ("sending_org", 252, 12),
            ("vaccine_eligibility", 264, 1),
        ],
        .comment: [
            ("record_id", 1, 32), ("comment_code", 33, 6), ("begin_date", 39, 8), ("end_date", 47, 8),
        ],
        .query: [
            ("patient_type", 1, 1), ("hp_member_id", 2, 32), ("first_name", 34, 50), ("middle_name", 84, 50),
            ("last_name", 134, 50), ("birth_date", 184, 8),
        ],
        .patientReturn: [
            ("record_id", 1, 32), ("first_name", 33, 50), ("middle_name", 83, 50), ("last_name", 133, 50),
            ("birth_date", 183, 8),
        ],
        .immunizationReturn: [
            ("record_id", 1, 32), ("cpt_code", 33, 5), ("vaccine_group", 38, 16), ("vaccination_date", 54, 8),
        ],
    ]

    /// A line of `kind` built by placing each value at its 1-based start in a line of blanks
    /// (deliberately not `renderFixedWidth`). No terminator.
    static func placeLine(_ kind: LayoutKind, _ values: [String: String]) -> [UInt8] {
        let table = tables[kind]!
        let width = table.map { $0.start + $0.length - 1 }.max()!
        var line = [UInt8](repeating: 0x20, count: width)
        for (name, start, length) in table {
            guard let value = values[name] else { continue }
            let bytes = Array(value.utf8)
            precondition(bytes.count <= length, "\(name) too long for the test")
            line.replaceSubrange((start - 1)..<(start - 1 + bytes.count), with: bytes)
        }
        return line
    }
}

/// The spec's example records (seed 002, "File Examples") after normalization
/// as PRODUCT.md §3 prescribes, in layout column order.
enum SpecExample {
    static let patient: KeyValuePairs<String, String> = [
        "record_id": "17727736", "patient_status": "A", "first_name": "COURTNEY", "middle_name": "LEE",
        "last_name": "BROWN", "name_suffix": "", "birth_date": "09101994", "death_date": "",
        "mother_first_name": "ANNE", "mother_maiden_name": "GREEN", "mother_hbsag_status": "3", "sex": "F",
        "race_american_indian": "", "race_asian": "", "race_pacific_islander": "", "race_black": "",
        "race_white": "Y", "race_other": "", "ethnicity": "NH", "ssn": "", "contact_allowed": "02",
        "hp_member_id": "ACME33321", "medi_cal_id": "MEDID11011", "rp_first_name": "TIM",
        "rp_middle_name": "DANIEL", "rp_last_name": "BROWN", "rp_relationship": "FTH",
        "street_address": "1234 TEST STREET", "other_address": "APT 491", "po_box": "PO BOX 740",
        "city": "RICHMOND", "state": "CA", "zip": "94801", "county": "CA013", "phone": "5105555555",
        "sending_org": "ACMEHP", "disclosed": "Y", "disclosed_date": "09101994", "disclosed_by": "ACMEHP",
        "sharing_status": "Y", "effective_date": "09101994", "updated_by": "ACMEHP",
    ]
    static let immunization: KeyValuePairs<String, String> = [
        "record_id": "17727736", "ndc_code": "", "trade_name": "ActHib", "cpt_code": "90648", "cvx_code": "48",
        "vaccine_group": "Hib", "vaccination_date": "10132003", "route": "IM", "body_site": "LVL", "reaction": "",
        "manufacturer": "PMC", "info_source": "01", "lot_number": "A654321", "provider": "",
        "administered_by": "", "sending_org": "ACMEHP", "vaccine_eligibility": "",
    ]
    static let comment: KeyValuePairs<String, String> = [
        "record_id": "17727736", "comment_code": "33A", "begin_date": "10011999", "end_date": "",
    ]
    static let query: KeyValuePairs<String, String> = [
        "patient_type": "M", "hp_member_id": "ACME33321", "first_name": "COURTNEY", "middle_name": "LEE",
        "last_name": "BROWN", "birth_date": "09101994",
    ]

    static func values(_ kind: LayoutKind) -> KeyValuePairs<String, String> {
        switch kind {
        case .patient: return patient
        case .immunization: return immunization
        case .comment: return comment
        case .query: return query
        default: fatalError("no spec example for \(kind)")
        }
    }

    static func dictionary(_ kind: LayoutKind) -> [String: String] {
        Dictionary(uniqueKeysWithValues: values(kind).map { ($0.key, $0.value) })
    }

    /// A clean line of `kind` with some fields replaced (no terminator).
    static func line(_ kind: LayoutKind, _ changes: [String: String] = [:]) -> [UInt8] {
        SpecTables.placeLine(kind, dictionary(kind).merging(changes) { $1 })
    }

    /// Corpus/spec-examples, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus/spec-examples")
}

/// Reads a whole buffer with the reader (the path every caller's loop takes).
func readAll(_ bytes: [UInt8], _ kind: LayoutKind) -> [ReadItem] {
    var items: [ReadItem] = []
    bytes.withUnsafeBytes { buffer in
        var reader = FixedWidthReader(layout: kind.layout)
        var position = 0
        while let item = reader.next(in: buffer, from: &position, isFinal: true) {
            items.append(ReadItem(item, kind.layout))
        }
    }
    return items
}

/// The same input fed in chunks of `chunk` bytes, the way a streaming caller does it.
func readStreaming(_ bytes: [UInt8], _ kind: LayoutKind, chunk: Int) -> [ReadItem] {
    var items: [ReadItem] = []
    var reader = FixedWidthReader(layout: kind.layout)
    var pending: [UInt8] = []
    var offset = 0
    while true {
        let end = min(bytes.count, offset + chunk)
        pending += bytes[offset..<end]
        offset = end
        let isFinal = offset == bytes.count
        var position = 0
        pending.withUnsafeBytes { buffer in
            while let item = reader.next(in: buffer, from: &position, isFinal: isFinal) {
                items.append(ReadItem(item, kind.layout))
            }
        }
        pending.removeFirst(position)
        #expect(pending.count <= reader.maxLineBytes, "the reader kept more than one line of tail")
        if isFinal { return items }
    }
}

/// A reader item copied out of the buffer.
enum ReadItem: Equatable {
    case record(line: Int, values: [String])
    case malformed(line: Int, defects: [LineDefect])

    init(_ item: FixedWidthItem, _ layout: Layout) {
        switch item {
        case .record(let r): self = .record(line: r.line, values: r.values(layout))
        case .malformed(let line, let defects): self = .malformed(line: line, defects: defects)
        }
    }

    var line: Int {
        switch self {
        case .record(let line, _), .malformed(let line, _): return line
        }
    }
}

let crlf: [UInt8] = [0x0D, 0x0A]

func rtrim(_ s: String) -> String {
    var s = Substring(s)
    while s.last == " " { s = s.dropLast() }
    return String(s)
}

@Suite struct FixedWidthTests {
    /// Distinct values for every field of a table: some fill the field, some have inner blanks.
    static func sampleValues(_ kind: LayoutKind, seed: Int) -> [String: String] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/.#'")
        var values: [String: String] = [:]
        for (i, (name, _, length)) in SpecTables.tables[kind]!.enumerated() where name != "filler" {
            let n = (i + seed) % 3 == 0 ? length : max(1, (i * 7 + seed) % length + 1)
            var chars = (0..<n).map { alphabet[($0 * 5 + i * 3 + seed) % alphabet.count] }
            if n >= 3 && i % 2 == 1 { chars[n / 2] = " " }
            if chars.first == " " { chars[0] = "Q" }
            values[name] = String(chars)
        }
        return values
    }

    @Test(arguments: LayoutKind.allCases)
    func decodingALineBuiltFromTheSpecTableGivesBackEveryField(kind: LayoutKind) {
        let layout = kind.layout
        // The independent transcription agrees with the layout data.
        let table = SpecTables.tables[kind]!
        #expect(table.map(\.name) == layout.fields.map(\.name))
        #expect(table.map(\.start) == layout.fields.map(\.start))
        #expect(table.map(\.length) == layout.fields.map(\.length))

        var file: [UInt8] = []
        var expected: [[String: String]] = []
        for seed in 0..<4 {
            let values = Self.sampleValues(kind, seed: seed)
            expected.append(values)
            file += SpecTables.placeLine(kind, values) + crlf
        }
        let items = readAll(file, kind)
        #expect(items.count == expected.count)
        for (n, item) in items.enumerated() {
            guard case .record(let line, let values) = item else {
                Issue.record("line \(n + 1) of \(kind.rawValue) was not accepted: \(item)")
                continue
            }
            #expect(line == n + 1)
            #expect(values.count == layout.columns.count)
            for (field, value) in zip(layout.columns, values) {
                let want = expected[n][field.name] ?? ""
                #expect(value == rtrim(want), "\(kind.rawValue).\(field.name) line \(line)")
            }
        }
    }

    @Test(arguments: LayoutKind.allCases)
    func widthVariantsAreAccepted(kind: LayoutKind) {
        let layout = kind.layout
        let a = SpecTables.placeLine(kind, Self.sampleValues(kind, seed: 1))
        let b = SpecTables.placeLine(kind, Self.sampleValues(kind, seed: 2))
        let padded = layout.statedTotal == layout.dataWidth + 1 ? a + [0x20] : a
        let files: [[UInt8]] = [
            a + crlf + b + crlf,                  // CR LF
            a + [0x0A] + b + [0x0A],              // LF
            a + crlf + b,                         // no final terminator
            padded + crlf + b + [0x0A],           // printed total ending in a blank, mixed terminators
            a + [0x0A] + b + [0x0D],              // a final CR with no LF
            a + crlf + b + crlf + crlf + [0x0A],  // empty lines at the very end are tolerated
        ]
        let want = [ReadItem.record(line: 1, values: readFixedWidthLines(a + crlf, layout: layout).records[0].values),
                    ReadItem.record(line: 2, values: readFixedWidthLines(b + crlf, layout: layout).records[0].values)]
        for (i, file) in files.enumerated() {
            #expect(readAll(file, kind) == want, "variant \(i) of \(kind.rawValue)")
            for chunk in [1, 3, 64, 1000] {
                #expect(readStreaming(file, kind, chunk: chunk) == want, "variant \(i), chunks of \(chunk)")
            }
        }
    }

    @Test func thePrintedTotalNeedsABlankAsItsExtraCharacter() {
        let line = SpecTables.placeLine(.patient, Self.sampleValues(.patient, seed: 0))
        #expect(line.count == 876)
        let items = readAll(line + [UInt8(ascii: "X")] + crlf + line + [0x20, 0x20] + crlf, .patient)
        #expect(items == [.malformed(line: 1, defects: [.wrongWidth(actual: 877)]),
                          .malformed(line: 2, defects: [.wrongWidth(actual: 878)])])
        // Layouts whose printed total equals the data width take no extra character.
        let comment = SpecTables.placeLine(.comment, Self.sampleValues(.comment, seed: 0))
        #expect(readAll(comment + [0x20] + crlf, .comment) == [.malformed(line: 1, defects: [.wrongWidth(actual: 55)])])
    }

    @Test func malformedLinesAreReportedWithTheirLineNumbersAndReadingGoesOn() {
        let kind = LayoutKind.comment
        let good = SpecExample.line(kind)
        var accented = good
        accented.replaceSubrange(33..<35, with: [0xC3, 0xA9])       // é inside the comment code
        var tab = good
        tab[40] = 0x09
        let short = Array(good.dropLast(3))
        let file = good + crlf            // 1
            + accented + crlf             // 2: non-ASCII (the byte count is unchanged)
            + crlf                        // 3: empty line between records
            + [0x0A]                      // 4: another one
            + tab + crlf                  // 5: control character
            + short + crlf                // 6: wrong width
            + Array("caf\u{E9}".utf8) + crlf  // 7: non-ASCII and wrong width
            + good                        // 8
        let items = readAll(file, kind)
        let goodValues = readFixedWidthLines(good, layout: kind.layout).records[0].values
        #expect(items == [
            .record(line: 1, values: goodValues),
            .malformed(line: 2, defects: [.nonASCII(column: 34)]),
            .malformed(line: 3, defects: [.emptyLine]),
            .malformed(line: 4, defects: [.emptyLine]),
            .malformed(line: 5, defects: [.controlCharacter(column: 41)]),
            .malformed(line: 6, defects: [.wrongWidth(actual: 51)]),
            .malformed(line: 7, defects: [.nonASCII(column: 4), .wrongWidth(actual: 5)]),
            .record(line: 8, values: goodValues),
        ])
        for chunk in [1, 2, 17, 55, 56, 4096] {
            #expect(readStreaming(file, kind, chunk: chunk) == items, "chunks of \(chunk)")
        }
    }

    @Test func anOverlongLineIsReportedAndSkippedWhileStreaming() {
        let good = SpecExample.line(.comment)
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: 5000)
        let file = good + crlf + crlf + long + crlf + good + crlf
        let values = readFixedWidthLines(good, layout: Layouts.comment).records[0].values
        #expect(readAll(file, .comment) == [
            .record(line: 1, values: values), .malformed(line: 2, defects: [.emptyLine]),
            .malformed(line: 3, defects: [.wrongWidth(actual: 5000)]), .record(line: 4, values: values),
        ])
        // A streaming reader cannot hold the whole line: its length is unknown, the rest is the same.
        #expect(readStreaming(file, .comment, chunk: 100) == [
            .record(line: 1, values: values), .malformed(line: 2, defects: [.emptyLine]),
            .malformed(line: 3, defects: [.wrongWidth(actual: nil)]), .record(line: 4, values: values),
        ])
    }

    @Test func arbitraryBytesNeverTrapTheReader() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 700) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let r = UInt8(truncatingIfNeeded: state >> 33)
                bytes.append(r % 4 == 0 ? [0x0A, 0x0D, 0x20, 0xC3][Int(r >> 6)] : r)
            }
            let whole = readAll(bytes, .comment)
            // A streaming reader may report a line longer than any valid one before it
            // sees its end (length unknown, other defects not looked for): compare modulo that.
            func overlongAsUnknown(_ items: [ReadItem]) -> [ReadItem] {
                items.map { item in
                    guard case .malformed(let line, let defects) = item else { return item }
                    for case .wrongWidth(let actual) in defects where actual == nil || actual! > Layouts.comment.statedTotal + 1 {
                        return .malformed(line: line, defects: [.wrongWidth(actual: nil)])
                    }
                    return item
                }
            }
            #expect(overlongAsUnknown(readStreaming(bytes, .comment, chunk: 7)) == overlongAsUnknown(whole))
            // Line numbers only grow.
            #expect(zip(whole, whole.dropFirst()).allSatisfy { $0.line < $1.line })
        }
    }

    @Test(arguments: LayoutKind.allCases)
    func theReferenceWriterRoundTrips(kind: LayoutKind) {
        let layout = kind.layout
        let values = Self.sampleValues(kind, seed: 3)
        let ordered = layout.columns.map { rtrim(values[$0.name] ?? "") }
        let line = renderFixedWidth(values: ordered, layout: layout, padToStatedTotal: false)
        #expect(line.count == layout.dataWidth + 2)
        #expect(Array(line.suffix(2)) == crlf)
        // Independent placement gives the same bytes.
        #expect(Array(line.dropLast(2)) == SpecTables.placeLine(kind, values))
        let padded = renderFixedWidth(values: ordered, layout: layout, padToStatedTotal: true)
        #expect(padded.count == layout.statedTotal + 2)
        #expect(padded.prefix(layout.dataWidth) == line.prefix(layout.dataWidth))
        #expect(padded[layout.dataWidth..<layout.statedTotal].allSatisfy { $0 == 0x20 })
        for bytes in [line, padded] {
            let decoded = readFixedWidthLines(bytes, layout: layout)
            #expect(decoded.malformed.isEmpty)
            #expect(decoded.records.map(\.values) == [ordered])
        }
    }

    // MARK: spec-example golden files

    static let goldenKinds: [(LayoutKind, csv: String, expected: String)] = [
        (.patient, "patients.csv", "patient.txt"), (.immunization, "immunizations.csv", "immunization.txt"),
        (.comment, "comments.csv", "comment.txt"), (.query, "query.csv", "query.txt"),
    ]

    /// Renders the spec example with the reference writer and compares it with the
    /// golden file. `CAIR2_RECORD_GOLDEN=1` rewrites the golden file and still fails,
    /// so nobody records by accident.
    @Test(arguments: [0, 1, 2, 3])
    func specExampleGoldenFileMatchesTheReferenceWriter(index: Int) throws {
        let (kind, _, name) = Self.goldenKinds[index]
        let layout = kind.layout
        let pairs = SpecExample.values(kind)
        #expect(pairs.map(\.key) == layout.columns.map(\.name))
        let rendered = renderFixedWidth(values: pairs.map(\.value), layout: layout)
        let url = SpecExample.directory.appendingPathComponent("expected/\(name)")
        if ProcessInfo.processInfo.environment["CAIR2_RECORD_GOLDEN"] == "1" {
            try Data(rendered).write(to: url)
            Issue.record("re-recorded \(url.path); unset CAIR2_RECORD_GOLDEN and run again")
            return
        }
        let golden = try [UInt8](Data(contentsOf: url))
        #expect(golden == rendered, "\(name) differs from the reference writer's rendering")
    }

    /// Slices each golden line by the start positions of the spec's table (transcribed
    /// independently) and compares every field, blanks included.
    @Test(arguments: [0, 1, 2, 3])
    func specExampleGoldenFileSlicedByTheTable(index: Int) throws {
        let (kind, _, name) = Self.goldenKinds[index]
        let golden = try [UInt8](Data(contentsOf: SpecExample.directory.appendingPathComponent("expected/\(name)")))
        let values = SpecExample.dictionary(kind)
        #expect(golden.count == kind.layout.dataWidth + 2, "one line of the data width, then CR LF")
        #expect(Array(golden.suffix(2)) == crlf)
        #expect(golden.dropLast(2).allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        for (field, start, length) in SpecTables.tables[kind]! {
            guard start - 1 + length <= golden.count - 2 else {
                Issue.record("\(name) is too short for \(field)")
                continue
            }
            let slice = String(decoding: golden[(start - 1)..<(start - 1 + length)], as: UTF8.self)
            let want = values[field] ?? ""
            #expect(slice == want + String(repeating: " ", count: length - want.count),
                    "\(name): \(field) at \(start), length \(length)")
        }
        // The golden line is clean by the validator's rules too.
        let problems = golden.withUnsafeBytes { buffer -> [ValidationProblem] in
            var reader = FixedWidthReader(layout: kind.layout)
            var position = 0
            var found: [ValidationProblem] = []
            let validator = FixedWidthValidator(layout: kind.layout, asOf: 20250101)
            while let item = reader.next(in: buffer, from: &position, isFinal: true) {
                if case .record(let r) = item { validator.check(r, into: &found) } else { Issue.record("malformed") }
            }
            return found
        }
        #expect(problems.isEmpty, "\(problems.map(\.code.rawValue))")
    }

    @Test(arguments: [0, 1, 2, 3])
    func specExampleCSVHeadersAreTheCanonicalColumns(index: Int) throws {
        let (kind, csv, _) = Self.goldenKinds[index]
        let text = try String(contentsOf: SpecExample.directory.appendingPathComponent(csv), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 2, "a header and one record")
        #expect(lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                == kind.layout.columns.map(\.name))
        #expect(lines.last.map { $0.split(separator: ",", omittingEmptySubsequences: false).count }
                == kind.layout.columns.count)
    }
}
