// `cair2 decode`: a fixed-width file to CSV or JSON Lines with the canonical
// column names. Values are copied byte for byte from the line (right-trimmed);
// malformed lines are reported on standard error without their contents and
// skipped. Output goes to standard output or is published atomically.

#if canImport(Glibc)
import Glibc
#endif
import CAIR2IO
import CAIR2Core

/// Output format of `decode`.
public enum DecodeFormat: String, CaseIterable, Sendable {
    /// RFC 4180 CSV: a header row, LF line ends, a field quoted only when it holds `,` or `"`.
    case csv
    /// One JSON object per line, keys in layout order, every value a string.
    case jsonl
}

/// What `decode` should do.
public struct DecodeOptions: Sendable {
    /// Input path as given; `-` is standard input.
    public var input: String
    /// The layout the input follows.
    public var kind: LayoutKind
    /// What to write: CSV (the default) or JSON Lines.
    public var format: DecodeFormat
    /// Output path; nil or `-` is standard output.
    public var output: String?
    /// At most this many malformed lines are described on standard error; the rest are counted.
    public var maxMessages: Int
    /// Permissions of the output file (`--file-mode`; 0600 by default).
    public var fileMode: mode_t = FileMode.standard

    /// Options for decoding `input` as `kind`; writes `format` to `output` (nil: standard output).
    public init(input: String, kind: LayoutKind, format: DecodeFormat = .csv, output: String? = nil,
                maxMessages: Int = 100) {
        self.input = input
        self.kind = kind
        self.format = format
        self.output = output
        self.maxMessages = maxMessages
    }
}

/// What a `decode` run did.
public struct DecodeOutcome: Sendable, Equatable {
    /// Records written.
    public var records = 0
    /// Lines skipped as malformed.
    public var malformedLines = 0
    /// Standard output was closed by its reader before the end (`| head`).
    public var pipeClosed = false

    /// An outcome with these counts.
    public init(records: Int = 0, malformedLines: Int = 0, pipeClosed: Bool = false) {
        self.records = records
        self.malformedLines = malformedLines
        self.pipeClosed = pipeClosed
    }

    /// True when lines were skipped (exit 1).
    public var problemsFound: Bool { malformedLines > 0 }
}

/// Decodes `options.input` into CSV or JSON Lines.
///
/// Malformed lines go to `diagnostics` as `FILE:LINE: what is wrong (CODE)`.
/// Throws `IOError` when the input cannot be opened (exit 2) or a
/// read or write fails (exit 3); then no output file is published.
public func decodeFixedWidth(_ options: DecodeOptions,
                             diagnostics: (String) -> Void = writeStandardError) throws -> DecodeOutcome {
    let layout = options.kind.layout
    var source = try openFixedWidthInput(options.input)
    defer { source.close() }
    let sink = try OutputSink(path: options.output, inputPath: options.input, fileMode: options.fileMode)
    var outcome = DecodeOutcome()
    let columns = layout.columns
    let encoder = RowEncoder(format: options.format, columns: columns)

    do {
        encoder.header(into: sink)
        try forEachFixedWidthItem(&source, layout: layout) { item in
            if sink.pipeClosed { return }
            switch item {
            case .record(let record):
                encoder.row(record, into: sink)
                outcome.records += 1
                try sink.flushIfFull()
            case .malformed(let line, let defects):
                outcome.malformedLines += 1
                if outcome.malformedLines <= options.maxMessages {
                    for p in validationProblems(line: line, defects: defects, layout: layout) {
                        diagnostics("\(options.input):\(line): \(p.message) (\(p.code.rawValue))")
                    }
                }
            }
        }
        try sink.finish()
    } catch {
        sink.abandon()
        throw error
    }
    if outcome.malformedLines > options.maxMessages {
        diagnostics("\(options.input): \(outcome.malformedLines - options.maxMessages) more malformed lines not listed")
    }
    if outcome.malformedLines > 0 {
        diagnostics("\(options.input): \(outcome.malformedLines) malformed line(s) skipped, \(outcome.records) record(s) decoded")
    }
    outcome.pipeClosed = sink.pipeClosed
    return outcome
}

/// Turns accepted lines into CSV rows or JSON objects, straight from the line's bytes.
struct RowEncoder {
    let format: DecodeFormat
    let columns: [Field]
    /// `"name":` for each column, pre-encoded.
    let jsonKeys: [[UInt8]]

    init(format: DecodeFormat, columns: [Field]) {
        self.format = format
        self.columns = columns
        self.jsonKeys = columns.map { Array("\"\($0.name)\":".utf8) }
    }

    func header(into sink: OutputSink) {
        guard format == .csv else { return }
        sink.append(columns.map(\.name).joined(separator: ",") + "\n")
    }

    func row(_ record: FixedWidthRecord, into sink: OutputSink) {
        switch format {
        case .csv:
            for (i, field) in columns.enumerated() {
                if i > 0 { sink.appendByte(0x2C) }
                let raw = record.rawValue(field)
                if raw.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) {
                    sink.appendByte(0x22)
                    for b in raw {
                        if b == 0x22 { sink.appendByte(0x22) }
                        sink.appendByte(b)
                    }
                    sink.appendByte(0x22)
                } else {
                    sink.append(raw)
                }
            }
            sink.appendByte(0x0A)
        case .jsonl:
            sink.appendByte(0x7B)
            for (i, field) in columns.enumerated() {
                if i > 0 { sink.appendByte(0x2C) }
                jsonKeys[i].withUnsafeBytes { sink.append($0) }
                sink.appendByte(0x22)
                for b in record.rawValue(field) {
                    switch b {
                    case 0x22, 0x5C:
                        sink.appendByte(0x5C)
                        sink.appendByte(b)
                    case 0..<0x20, 0x7F...:
                        // Unreachable for accepted lines (printable ASCII only); kept valid JSON anyway.
                        sink.append("\\u00" + String(b >> 4, radix: 16) + String(b & 0xF, radix: 16))
                    default:
                        sink.appendByte(b)
                    }
                }
                sink.appendByte(0x22)
            }
            sink.appendByte(0x7D)
            sink.appendByte(0x0A)
        }
    }
}
