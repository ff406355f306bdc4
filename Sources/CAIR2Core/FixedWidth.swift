// Reading and writing CAIR2 fixed-width lines, on bytes.
//
// The reader is a small state machine over caller-owned memory: it never
// allocates for a good line, never copies, and works the same on one buffer
// holding a whole file and on a stream fed in chunks (the caller keeps the
// unconsumed tail, appends more bytes and calls again). It reports malformed
// lines instead of stopping, because the files it reads (registry return
// files, other tools' output) are exactly the ones whose faults we must list.
//
// What a line may look like (PRODUCT.md §1 and §3a):
// - exactly the layout's data width, or the spec's printed total when that is
//   one more and the extra character is a blank;
// - ended by CR LF or LF; the last line may have no terminator;
// - printable ASCII only (a byte >= 0x80 or a control byte is malformed).
// An empty line followed by another record is malformed; empty lines at the
// very end of the input are tolerated, because editors and `echo` add them and
// they hold no record.

/// What is wrong with a line the reader could not accept.
public enum LineDefect: Equatable, Sendable {
    /// An empty line between records.
    case emptyLine
    /// The line's length (without terminator) is neither the data width nor the
    /// printed total ending in a blank. `nil` when the line was longer than the
    /// reader could hold (streaming) and its exact length is unknown.
    case wrongWidth(actual: Int?)
    /// A byte >= 0x80 at this 1-based column (the first one in the line).
    case nonASCII(column: Int)
    /// A control byte (< 0x20 or 0x7F, e.g. a tab or a lone CR) at this 1-based column.
    case controlCharacter(column: Int)
}

/// One accepted line: its 1-based line number and its `dataWidth` bytes
/// (without the printed total's extra blank and without the terminator).
///
/// `bytes` points into the caller's buffer and is valid only as long as that buffer.
public struct FixedWidthRecord {
    /// The 1-based line number in the input.
    public let line: Int
    /// The line's `dataWidth` bytes.
    public let bytes: UnsafeRawBufferPointer

    /// A record of line `line` (1-based) whose bytes are `bytes`.
    @inlinable public init(line: Int, bytes: UnsafeRawBufferPointer) {
        self.line = line
        self.bytes = bytes
    }

    /// The field's bytes with trailing blanks removed (leading blanks are kept:
    /// a value that is not left-justified is the validator's business).
    @inlinable public func rawValue(_ field: Field) -> UnsafeRawBufferPointer {
        let start = field.offset
        var end = start + field.length
        while end > start && bytes[end - 1] == 0x20 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The field's value, right-trimmed, as a String.
    @inlinable public func value(_ field: Field) -> String {
        String(decoding: rawValue(field), as: UTF8.self)
    }

    /// Every column's value (the filler is not a column), right-trimmed, in layout order.
    public func values(_ layout: Layout) -> [String] {
        layout.fields.compactMap { $0.isColumn ? value($0) : nil }
    }
}

/// One thing the reader found: an accepted line or a malformed one.
public enum FixedWidthItem {
    /// A line of the layout's width, accepted as a record.
    case record(FixedWidthRecord)
    /// A line that cannot be read as a record; every defect found is listed.
    case malformed(line: Int, defects: [LineDefect])
}

/// Splits bytes into fixed-width lines of one layout.
///
/// Whole buffer:
/// ```
/// var reader = FixedWidthReader(layout: Layouts.patient)
/// var position = 0
/// while let item = reader.next(in: buffer, from: &position, isFinal: true) { ... }
/// ```
/// Streaming: call with `isFinal: false` until it returns nil, keep
/// `buffer[position...]`, append more bytes, and continue from the kept tail
/// (position 0 of the new buffer); pass `isFinal: true` once the input has ended.
/// The reader never needs more than `maxLineBytes` of unconsumed tail: a longer
/// line without a terminator is reported and skipped up to its line feed.
public struct FixedWidthReader {
    /// The layout's data width: a line's length before the terminator.
    public let dataWidth: Int
    /// The layout's printed total; a line that long is accepted when its extra character is a blank.
    public let statedTotal: Int
    /// The line number the next line will get.
    public private(set) var nextLineNumber: Int
    /// Empty lines seen but not yet reported: they are malformed only if a record follows.
    private var pendingEmptyFirst = 0
    private var pendingEmptyCount = 0
    /// Set after an over-long line was reported; its remaining bytes are skipped.
    private var skippingLine = false

    /// The longest unconsumed tail a streaming caller must be able to hold.
    public var maxLineBytes: Int { Swift.max(dataWidth, statedTotal) + 2 }

    /// Empty lines at the very end of the input (tolerated, not reported).
    public var trailingEmptyLines: Int { pendingEmptyCount }

    /// A reader for lines of `layout`; the first line read gets number `firstLineNumber`.
    public init(layout: Layout, firstLineNumber: Int = 1) {
        self.dataWidth = layout.dataWidth
        self.statedTotal = layout.statedTotal
        self.nextLineNumber = firstLineNumber
    }

    /// Returns the next record or malformed line of `buffer` at or after `position`,
    /// advancing `position` past what it consumed; nil when more bytes are needed
    /// (`isFinal == false`) or the input is done.
    public mutating func next(in buffer: UnsafeRawBufferPointer, from position: inout Int,
                              isFinal: Bool) -> FixedWidthItem? {
        let count = buffer.count
        while true {
            if skippingLine {
                guard let lf = Self.lineFeed(in: buffer, from: position) else {
                    position = count
                    if isFinal { skippingLine = false }
                    return nil
                }
                position = lf + 1
                skippingLine = false
                nextLineNumber += 1
                continue
            }
            if position >= count { return nil }
            let start = position
            var end: Int       // end of the line's content
            var next: Int      // first byte after the terminator
            if let lf = Self.lineFeed(in: buffer, from: start) {
                end = lf
                next = lf + 1
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
            } else if isFinal {
                end = count
                next = count
                // A final CR with no LF after it is still a terminator.
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
            } else {
                if count - start > maxLineBytes {
                    // No terminator within any acceptable line: report it now, skip the rest.
                    if let pending = takePendingEmptyLine() { return pending }
                    let line = nextLineNumber
                    position = count
                    skippingLine = true
                    return .malformed(line: line, defects: [.wrongWidth(actual: nil)])
                }
                return nil
            }

            if end == start {
                // Empty line: held back until we know a record follows it.
                if pendingEmptyCount == 0 { pendingEmptyFirst = nextLineNumber }
                pendingEmptyCount += 1
                nextLineNumber += 1
                position = next
                continue
            }
            // A line follows: report the held-back empty lines first, one per call,
            // without consuming the current line.
            if let pending = takePendingEmptyLine() { return pending }

            let line = nextLineNumber
            nextLineNumber += 1
            position = next
            let length = end - start
            var defects: [LineDefect] = []
            if let (column, byte) = Self.firstUnprintable(in: buffer, start, end) {
                defects.append(byte >= 0x80 ? .nonASCII(column: column) : .controlCharacter(column: column))
            }
            let widthOK = length == dataWidth
                || (length == statedTotal && statedTotal == dataWidth + 1 && buffer[end - 1] == 0x20)
            if !widthOK { defects.append(.wrongWidth(actual: length)) }
            if !defects.isEmpty { return .malformed(line: line, defects: defects) }
            return .record(FixedWidthRecord(
                line: line, bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<(start + dataWidth)])))
        }
    }

    private mutating func takePendingEmptyLine() -> FixedWidthItem? {
        guard pendingEmptyCount > 0 else { return nil }
        let line = pendingEmptyFirst
        pendingEmptyFirst += 1
        pendingEmptyCount -= 1
        return .malformed(line: line, defects: [.emptyLine])
    }

    @inline(__always)
    static func lineFeed(in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        let n = buffer.count
        while i < n {
            if buffer[i] == 0x0A { return i }
            i += 1
        }
        return nil
    }

    /// The 1-based column and value of the first byte outside 0x20...0x7E, if any.
    @inline(__always)
    static func firstUnprintable(in buffer: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (Int, UInt8)? {
        var i = start
        while i < end {
            let b = buffer[i]
            if b < 0x20 || b > 0x7E { return (i - start + 1, b) }
            i += 1
        }
        return nil
    }
}

/// A record read into owned strings (for tests and small tools).
public struct DecodedLine: Equatable, Sendable {
    /// The 1-based line number in the input.
    public let line: Int
    /// Column values in layout order, right-trimmed (the filler is not a column).
    public let values: [String]
}

/// Reads a whole in-memory file: the accepted lines' values and the malformed lines' defects.
public func readFixedWidthLines(_ bytes: [UInt8], layout: Layout)
    -> (records: [DecodedLine], malformed: [(line: Int, defects: [LineDefect])]) {
    var records: [DecodedLine] = []
    var malformed: [(line: Int, defects: [LineDefect])] = []
    bytes.withUnsafeBytes { buffer in
        var reader = FixedWidthReader(layout: layout)
        var position = 0
        while let item = reader.next(in: buffer, from: &position, isFinal: true) {
            switch item {
            case .record(let r): records.append(DecodedLine(line: r.line, values: r.values(layout)))
            case .malformed(let line, let defects): malformed.append((line, defects))
            }
        }
    }
    return (records, malformed)
}

/// The reference fixed-width writer: one line of `layout` from its column values
/// (`layout.columns` order; the filler is written as blanks), each value
/// left-justified and blank-padded, then CR LF. With `padToStatedTotal` the line
/// is padded with blanks to the spec's printed total.
///
/// Values must already be normalized: printable ASCII, no longer than the field.
/// Anything else is a programming error (this writer never truncates, so that a
/// test cannot pass on a silently cut value).
public func renderFixedWidth(values: [String], layout: Layout, padToStatedTotal: Bool = false) -> [UInt8] {
    let columns = layout.columns
    precondition(values.count == columns.count,
                 "\(layout.kind.rawValue): \(values.count) values for \(columns.count) columns")
    let width = padToStatedTotal ? Swift.max(layout.statedTotal, layout.dataWidth) : layout.dataWidth
    var line = [UInt8](repeating: 0x20, count: width + 2)
    var next = 0
    for field in layout.fields where field.isColumn {
        let value = Array(values[next].utf8)
        next += 1
        precondition(value.count <= field.length, "\(field.name): value longer than \(field.length)")
        precondition(value.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "\(field.name): value is not printable ASCII")
        for (i, b) in value.enumerated() { line[field.offset + i] = b }
    }
    line[width] = 0x0D
    line[width + 1] = 0x0A
    return line
}
