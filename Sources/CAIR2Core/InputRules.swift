// The input layer's rules (PRODUCT.md §3c and §4a), pure: what an input's first bytes say about it, how the
// header row is read with care, and how a record too long to hold is followed to its end.
//
// Nothing here returns or formats header or record text except `unknownColumnsText` (header names the caller
// already decided to show); the defects carry no bytes of the input.

/// The fixed limits of §4a.
public enum InputLimits {
    /// A header row longer than this is malformed (exit 2).
    public static let headerBytes = 1 << 20
    /// A record longer than this (from the start of its first line to its row end, quoted line breaks
    /// included, terminator excluded) is `E_RECORD_TOO_LONG`.
    public static let recordBytes = 1 << 20
    /// Unknown column names listed on the console, and the characters shown of each.
    public static let unknownColumnsListed = 20
    /// Characters shown of each unknown column name (a longer name is cut, ending in `...`).
    public static let unknownColumnChars = 64
}

/// How an input is compressed, judged by its magic bytes first, then by its name.
public enum InputCompression: Sendable, Equatable {
    /// Plain bytes, a gzip stream, or a zstd stream.
    case none, gzip, zstd

    /// gzip's magic is 1F 8B; a zstd frame starts with 28 B5 2F FD. A name ending in `.gz` or `.zst` counts
    /// when the bytes say nothing (an empty or truncated file then fails in the decompressor, naming it).
    public static func of(magic: some Collection<UInt8>, name: String) -> InputCompression {
        let m = Array(magic.prefix(4))
        if m.count >= 2 && m[0] == 0x1F && m[1] == 0x8B { return .gzip }
        if m == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        if name.hasSuffix(".zst") { return .zstd }
        if name.hasSuffix(".gz") { return .gzip }
        return .none
    }
}

/// Why a header row cannot be used. Carries no input bytes: the header may hold member data.
public enum HeaderDefect: Sendable, Equatable {
    /// The input starts with a UTF-16 byte-order mark (FF FE or FE FF).
    case utf16
    /// The header row ends inside an open quote (a quote in it never closes).
    case openQuote
    /// The header row holds a CR that is not part of a CR LF (a file with CR-only line ends).
    case loneCR
    /// No row end within the first 1 MiB.
    case tooLong
}

/// What the first bytes of an input hold.
public enum HeaderScan: Sendable, Equatable {
    /// No header row: the input is empty (or only empty lines).
    case empty
    /// The bytes end inside the header row and more input may follow: read more (the caller stops at the limit).
    case incomplete
    /// The header row: its bytes `start..<end` (terminator excluded); records begin at `next`, after `lines`
    /// physical lines.
    case row(start: Int, end: Int, next: Int, lines: Int)
    /// A header row that cannot be used (exit 2, nothing written); the defect says why.
    case malformed(HeaderDefect)
}

/// The header row of a CSV input: finding and checking it, and what the messages about it say.
public enum HeaderRow {
    /// Finds and checks the header row at the start of `bytes` (a UTF-8 byte-order mark is skipped). `complete`
    /// says the bytes are the whole input. Scans at most about 1 MiB, whatever the input's size.
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, complete: Bool) -> HeaderScan {
        let n = bytes.count
        if n >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            return .malformed(.utf16)
        }
        if n < 3 && !complete { return .incomplete }
        let bom = CSVScanner.bomLength(bytes)
        // The header's bytes, its CR LF and one byte more: enough to see a row end or a row that is too long.
        let window = min(n, bom + InputLimits.headerBytes + 3)
        let seen = UnsafeBufferPointer(rebasing: bytes[0..<window])
        let wholeInput = complete && window == n
        var scanner = CSVScanner(bytes: seen, delimiter: delimiter, position: bom, line: 0)
        var r = CSVRecord()
        // The header's fields are not needed here, only its extent: keep at most a few.
        r.fieldLimit = 1
        guard scanner.next(&r) else {
            if wholeInput { return .empty }
            return window < n ? .malformed(.tooLong) : .incomplete
        }
        let terminated = r.next > r.end
        if r.unterminated || !terminated {
            if window < n || r.end - r.start > InputLimits.headerBytes {
                // No row end within the limit: a CR-only file says more than "too long".
                return .malformed(hasLoneCR(seen, r.start, window) ? .loneCR : .tooLong)
            }
            if !wholeInput { return .incomplete }
            if r.unterminated { return .malformed(.openQuote) }
        }
        if r.end - r.start > InputLimits.headerBytes { return .malformed(.tooLong) }
        if hasLoneCR(seen, r.start, r.end) { return .malformed(.loneCR) }
        return .row(start: r.start, end: r.end, next: scanner.position, lines: scanner.line)
    }

    /// A CR in `bytes[from..<to]` not followed by an LF.
    static func hasLoneCR(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            if bytes[i] == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A) { return true }
            i += 1
        }
        return false
    }

    /// The delimiter a header row of one field seems to use instead of `delimiter`: `|`, a tab or `;`, the most
    /// frequent of them in the row's bytes; nil when the row has more than one field or none of them.
    public static func likelyDelimiter(_ row: UnsafeBufferPointer<UInt8>, fieldCount: Int, delimiter: UInt8) -> UInt8? {
        guard fieldCount == 1 else { return nil }
        var best: UInt8?
        var bestCount = 0
        for candidate: UInt8 in [0x7C, 0x09, 0x3B] where candidate != delimiter {
            var k = 0
            for b in row where b == candidate { k += 1 }
            if k > bestCount { best = candidate; bestCount = k }
        }
        return best
    }

    /// The console's list of unknown column names: at most 20, each cut to 64 characters, then "and N more".
    public static func unknownColumnsText(_ names: [String]) -> String {
        var shown = names.prefix(InputLimits.unknownColumnsListed).map { name -> String in
            // Cut to 64 characters, the last three of them "...".
            name.count > InputLimits.unknownColumnChars ? String(name.prefix(InputLimits.unknownColumnChars - 3)) + "..." : name
        }.joined(separator: ", ")
        if names.count > InputLimits.unknownColumnsListed {
            shown += " and \(names.count - InputLimits.unknownColumnsListed) more"
        }
        return shown
    }
}

/// Follows a record too long to hold (streamed input) to its row end without keeping its bytes, with the
/// scanner's quote rules (§3a), resumable across buffers. Start it at the record's first byte.
public struct RecordSkipper: Sendable {
    enum State: UInt8 { case fieldStart, unquoted, quoted, quoteInQuoted }
    var state = State.fieldStart
    /// Line feeds passed so far (quoted ones and the row end's).
    public private(set) var lines = 0

    /// A skipper in the state of a record's first byte.
    public init() {}

    /// The record's quote is open (at the end of the input: an unterminated quote).
    public var inQuote: Bool { state == .quoted }

    /// Advances over `bytes`; returns the offset just past the row end's LF when it is among them, else nil
    /// (all of them belong to the record).
    public mutating func advance(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Int? {
        var s = state
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            i += 1
            switch s {
            case .fieldStart, .unquoted, .quoteInQuoted:
                if c == 0x0A { lines += 1; state = .fieldStart; return i }
                if c == delimiter { s = .fieldStart }
                else if c == 0x22 && s == .fieldStart { s = .quoted }
                else if c == 0x22 && s == .quoteInQuoted { s = .quoted }  // "" inside quotes
                else { s = .unquoted }
            case .quoted:
                if c == 0x22 { s = .quoteInQuoted } else if c == 0x0A { lines += 1 }
            }
        }
        state = s
        return nil
    }
}
