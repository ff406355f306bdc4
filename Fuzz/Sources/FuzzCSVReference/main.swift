// Checks the fast CSV scanner (CSVScanner.next, 64-byte blocks and words) against the naive reference parser
// (ReferenceCSV.swift, the same file the unit tests use) on every input: the same records, and in each the
// same line, the same field values (appendValue), the same quoted flags and the same unterminated flag.
// The first byte picks the delimiter; the rest is the CSV.
import CAIR2Core
import CFuzz
import Glibc

let delimiters: [UInt8] = [0x2C, 0x7C, 0x09, 0x3B, 0x22, 0x0D, 0x20, 0x00]
var rec = CSVRecord()
var value: [UInt8] = []
var input: [UInt8] = []

func fail(_ what: String, _ got: String, _ want: String) -> Never {
    fputs("FuzzCSVReference: \(what)\n  scanner:   \(got)\n  reference: \(want)\n", stderr)
    abort()
}

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let delimiter = delimiters[Int(data[0]) % delimiters.count]
    input.removeAll(keepingCapacity: true)
    input.append(contentsOf: UnsafeBufferPointer(start: data + 1, count: size - 1))
    let want = ReferenceCSV.parse(input, delimiter: delimiter)
    input.withUnsafeBufferPointer { bytes in
        var scanner = CSVScanner(bytes: bytes, delimiter: delimiter)
        var k = 0
        while scanner.next(&rec) {
            guard k < want.count else { fail("an extra record at line \(rec.line + 1)", "\(rec.line + 1)", "end of input") }
            let w = want[k]
            var fields: [[UInt8]] = []
            var quoted: [Bool] = []
            for i in 0..<rec.fieldCount {
                let f = rec.field(i)
                value.removeAll(keepingCapacity: true)
                CSVScanner.appendValue(f, in: bytes, to: &value)
                fields.append(value)
                quoted.append(f.quoted)
            }
            let got = ReferenceCSV.Rec(line: rec.line + 1, fields: fields, quoted: quoted, unterminated: rec.unterminated)
            if got != w { fail("record \(k) differs", got.description, w.description) }
            k += 1
        }
        if k != want.count { fail("the scanner stopped after \(k) records", "\(k)", "\(want.count)") }
        if scanner.position != bytes.count { fail("the scanner stopped before the end", "\(scanner.position)", "\(bytes.count)") }
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
