// A naive, obviously-correct reading of the contract's CSV dialect (the comment at the top of
// Sources/CAIR2Core/CSV.swift; PRODUCT.md §2, §3a), used only to check the fast scanner.
// Shared: the unit tests (CSVTests) compile it here, and the fuzz target FuzzCSVReference compiles the same file
// through the symlink Fuzz/Sources/FuzzCSVReference/ReferenceCSV.swift, so there is one reference, not two.
import CAIR2Core

/// Records as (line, fields, quoted flags, unterminated).
struct ReferenceCSV {
    struct Rec: Equatable, CustomStringConvertible {
        /// 1-based physical line where the record starts.
        var line: Int
        var fields: [[UInt8]]
        /// Per field: its first byte is a quote.
        var quoted: [Bool]
        var unterminated: Bool
        var description: String {
            "L\(line)\(unterminated ? "!" : "") " + zip(fields, quoted).map {
                ($1 ? "q" : "") + String(decoding: $0, as: UTF8.self).debugDescription
            }.joined(separator: "|")
        }
    }

    static func parse(_ b: [UInt8], delimiter: UInt8 = 0x2C) -> [Rec] {
        var recs: [Rec] = []
        var i = 0
        var line = 1
        let n = b.count
        while i < n {
            // An empty line is skipped.
            if b[i] == 0x0A { i += 1; line += 1; continue }
            if b[i] == 0x0D, i + 1 < n, b[i + 1] == 0x0A { i += 2; line += 1; continue }
            let startLine = line
            var fields: [[UInt8]] = []
            var quoted: [Bool] = []
            var unterminated = false
            var endOfRecord = false
            while !endOfRecord {
                var value: [UInt8] = []
                let isQuoted = i < n && b[i] == 0x22
                quoted.append(isQuoted)
                if isQuoted {
                    i += 1
                    var closed = false
                    while i < n {
                        if b[i] == 0x22 {
                            if i + 1 < n && b[i + 1] == 0x22 { value.append(0x22); i += 2; continue }
                            i += 1; closed = true; break
                        }
                        if b[i] == 0x0A { line += 1 }
                        value.append(b[i]); i += 1
                    }
                    if !closed { unterminated = true; fields.append(value); endOfRecord = true; break }
                }
                // Unquoted part (or the tail after a closing quote).
                var tail: [UInt8] = []
                while true {
                    if i >= n { value += tail; fields.append(value); endOfRecord = true; break }
                    let c = b[i]
                    if c == delimiter {
                        value += tail; fields.append(value); i += 1
                        if i >= n { fields.append([]); quoted.append(false); endOfRecord = true }
                        break
                    }
                    if c == 0x0A {
                        if tail.last == 0x0D { tail.removeLast() }
                        value += tail; fields.append(value); i += 1; line += 1; endOfRecord = true; break
                    }
                    tail.append(c); i += 1
                }
            }
            recs.append(Rec(line: startLine, fields: fields, quoted: quoted, unterminated: unterminated))
        }
        return recs
    }
}

/// The fast scanner's reading of `b` in the reference's terms.
func scanAll(_ b: [UInt8], delimiter: UInt8 = 0x2C) -> [ReferenceCSV.Rec] {
    b.withUnsafeBufferPointer { buf in
        var s = CSVScanner(bytes: buf, delimiter: delimiter)
        var rec = CSVRecord()
        var out: [ReferenceCSV.Rec] = []
        while s.next(&rec) {
            let fields = rec.fields.map { f -> [UInt8] in
                var v: [UInt8] = []
                CSVScanner.appendValue(f, in: buf, to: &v)
                return v
            }
            out.append(.init(line: rec.line + 1, fields: fields, quoted: rec.fields.map(\.quoted),
                             unterminated: rec.unterminated))
        }
        return out
    }
}
