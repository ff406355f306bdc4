import CAIR2Core

// One CSV record under construction, and the answer-key rows a block collects.

/// The codes the generator plants are the converter's own (PRODUCT.md §3 and §3a).
package typealias PlantedCode = ProblemCode

extension ProblemCode {
    /// The code as the answer key writes it.
    package var text: String { name }
    /// W_ rows go to expected-warnings.csv; E_ and X_ rows to expected-rejects.csv.
    var isWarning: Bool { severity == .warning }
    /// True when the record is not written (E_ or X_).
    var rejectsRecord: Bool { !isWarning }
}

/// The four generated inputs, in the order the answer key sorts them (by file name).
enum CorpusFile: Int, CaseIterable, Sendable {
    case comments = 0, immunizations, members, query

    var fileName: String {
        switch self {
        case .comments: return "comments.csv"
        case .immunizations: return "immunizations.csv"
        case .members: return "members.csv"
        case .query: return "query.csv"
        }
    }

    var layout: CAIR2Core.Layout {
        switch self {
        case .comments: return Layouts.comment
        case .immunizations: return Layouts.immunization
        case .members: return Layouts.patient
        case .query: return Layouts.query
        }
    }
}

/// One answer-key row, positioned inside its block; the line becomes file-wide at the merge.
struct KeyRow: Sendable {
    /// 0-based line offset of the record's first line inside the block's part of the file.
    var line: Int32
    /// Column index in the file's layout columns, or -1 for no field.
    var field: Int16
    var code: PlantedCode
    /// Record id to print: a member index rendered by `MemberIDs.recordID`, or -1 for none.
    var idIndex: Int64
}

/// Column indexes of the canonical CSVs (checked against Layouts by GenerateTests).
package enum PC {
    package static let recordID = 0, status = 1, first = 2, middle = 3, last = 4, suffix = 5, birth = 6, death = 7
    package static let motherFirst = 8, motherMaiden = 9, hbsag = 10, sex = 11, raceFirst = 12, ethnicity = 18, ssn = 19
    package static let contact = 20, hpID = 21, mediCal = 22, rpFirst = 23, rpMiddle = 24, rpLast = 25, rpRelation = 26
    package static let street = 27, otherAddress = 28, poBox = 29, city = 30, state = 31, zip = 32, county = 33, phone = 34
    package static let sendingOrg = 35, disclosed = 36, disclosedDate = 37, disclosedBy = 38, sharing = 39
    package static let effective = 40, updatedBy = 41, count = 42
}

package enum IC {
    package static let recordID = 0, ndc = 1, trade = 2, cpt = 3, cvx = 4, group = 5, date = 6, route = 7, site = 8
    package static let reaction = 9, mvx = 10, source = 11, lot = 12, provider = 13, administeredBy = 14
    package static let sendingOrg = 15, eligibility = 16, count = 17
}

package enum CC { package static let recordID = 0, code = 1, begin = 2, end = 3, count = 4 }

package enum QC { package static let type = 0, hpID = 1, first = 2, middle = 3, last = 4, birth = 5, count = 6 }

/// The fields of one record: values appended to one scratch buffer, addressed by column.
/// Defects replace a column's value by appending the new bytes and re-pointing the column.
struct RecordFields {
    var buf = ByteArena(capacity: 1024)
    private let spans: ColumnSpans
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    let columnCount: Int
    /// E_UNTERMINATED_QUOTE: this column opens a quote that is never closed.
    var openQuoteColumn = -1
    /// E_FIELD_COUNT: -1 drops the last column, +1 adds an empty one.
    var countDelta = 0
    /// E_FIELD_COUNT: this column is written without quotes even if it holds the delimiter.
    var unquotedColumn = -1
    /// Quote this column although it does not need it (some exporters quote text).
    var forceQuoteColumn = -1

    init(columns: Int) {
        columnCount = columns
        spans = ColumnSpans(columns)
        starts = spans.starts
        ends = spans.ends
    }

    @inline(__always)
    mutating func reset() {
        buf.removeAll()
        for k in 0..<columnCount { starts[k] = 0; ends[k] = 0 }
        openQuoteColumn = -1; countDelta = 0; unquotedColumn = -1; forceQuoteColumn = -1
    }

    @inline(__always) mutating func begin(_ k: Int) { starts[k] = buf.count }
    @inline(__always) mutating func end(_ k: Int) { ends[k] = buf.count }

    @inline(__always)
    mutating func set(_ k: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        starts[k] = buf.count; buf.append(contentsOf: bytes); ends[k] = buf.count
    }

    @inline(__always)
    mutating func set(_ k: Int, _ s: StaticString) {
        starts[k] = buf.count
        buf.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        ends[k] = buf.count
    }

    @inline(__always)
    mutating func set(_ k: Int, _ bytes: [UInt8]) {
        starts[k] = buf.count; buf.append(contentsOf: bytes); ends[k] = buf.count
    }

    @inline(__always) mutating func clear(_ k: Int) { starts[k] = 0; ends[k] = 0 }

    @inline(__always) func isEmpty(_ k: Int) -> Bool { starts[k] == ends[k] }

    /// Copies column `k` of this record into column `j`.
    @inline(__always)
    mutating func duplicate(_ j: Int, _ k: Int) {
        let s = starts[k], e = ends[k]
        buf.reserve(e - s)
        starts[j] = buf.count
        for x in s..<e { buf.append(buf[x]) }
        ends[j] = buf.count
    }

    /// The current bytes of a column (a copy).
    func value(_ k: Int) -> [UInt8] { buf.copy(starts[k]..<ends[k]) }

    /// Copies column `k` of `other` into column `j` of this record.
    @inline(__always)
    mutating func copy(_ j: Int, from other: RecordFields, _ k: Int) {
        starts[j] = buf.count
        buf.append(contentsOf: UnsafeBufferPointer(rebasing: other.buf.bytes[other.starts[k]..<other.ends[k]]))
        ends[j] = buf.count
    }

    /// Writes the record as one CSV row; returns how many physical lines it spans.
    func write(into out: ByteArena, crlf: Bool) -> Int {
        var lines = 1
        let n = columnCount + min(0, countDelta)
        // Worst case: every byte a doubled quote, every field quoted, separators, CR LF.
        out.reserve(2 * buf.count + 3 * columnCount + 4)
        let b = buf.base
        var o = out.base + out.count
        let o0 = o
        for k in 0..<n {
            if k > 0 { o.pointee = 44; o += 1 }
            let s = starts[k], e = ends[k]
            if k == openQuoteColumn {
                o.pointee = 34; o += 1
                for i in s..<e {
                    if b[i] == 34 { o.pointee = 34; o += 1 }
                    o.pointee = b[i]; o += 1
                }
                continue
            }
            var needs = k == forceQuoteColumn
            var newlines = 0
            if k != unquotedColumn && e > s && mayNeedQuotes(b + s, e - s) {
                for i in s..<e {
                    let c = b[i]
                    if c == 44 || c == 34 || c == 13 { needs = true } else if c == 10 { needs = true; newlines += 1 }
                }
            }
            if needs {
                o.pointee = 34; o += 1
                for i in s..<e {
                    if b[i] == 34 { o.pointee = 34; o += 1 }
                    o.pointee = b[i]; o += 1
                }
                o.pointee = 34; o += 1
                lines += newlines
            } else if e > s {
                o.update(from: b + s, count: e - s)
                o += e - s
            }
        }
        if countDelta > 0 { o.pointee = 44; o += 1 }
        if crlf { o.pointee = 13; o += 1 }
        o.pointee = 10; o += 1
        out.commit(o - o0)
        return lines
    }
}

/// The start and end offsets of a record's columns. A class so the offsets can be
/// written through a pointer (no copy-on-write checks per field); owned by one RecordFields.
final class ColumnSpans {
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>
    private let count: Int

    init(_ n: Int) {
        count = n
        starts = .allocate(capacity: n); starts.initialize(repeating: 0, count: n)
        ends = .allocate(capacity: n); ends.initialize(repeating: 0, count: n)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
    }
}

/// True when the bytes may hold a comma, quote, CR or LF (16 bytes at a time).
@inline(__always)
func mayNeedQuotes(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 16 <= n {
        let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
        let hit = (v .== 44) .| (v .== 34) .| (v .== 13) .| (v .== 10)
        if any(hit) { return true }
        i += 16
    }
    while i < n {
        let c = p[i]
        if c == 44 || c == 34 || c == 13 || c == 10 { return true }
        i += 1
    }
    return false
}
