// Fuzzes the CSV scanner: every record's fields must lie inside the buffer, in order, and the scanner must
// always advance; unescaping a field must never read outside it. (FuzzCSVReference checks the values against
// the reference parser.) The record and the value buffer are allocated once and reused by every input.
import CAIR2Core
import CFuzz
import Glibc

// The delimiter varies with the input so `|`, tab and odd bytes are covered too.
let delimiters: [UInt8] = [0x2C, 0x7C, 0x09, 0x3B, 0x22, 0x0D]
var rec = CSVRecord()
var value: [UInt8] = []

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let delimiter = delimiters[size % delimiters.count]
    var scanner = CSVScanner(bytes: bytes, delimiter: delimiter, position: CSVScanner.bomLength(bytes))
    var lastPosition = scanner.position
    var lastLine = -1
    while scanner.next(&rec) {
        precondition(scanner.position > lastPosition, "the scanner did not advance")
        precondition(rec.line > lastLine, "record lines must increase")
        precondition(rec.start <= rec.end && rec.end <= rec.next && rec.next <= size, "record span out of bounds")
        precondition(rec.fieldCount > 0, "a record has at least one field")
        var previousEnd = rec.start
        for i in 0..<rec.fieldCount {
            let f = rec.field(i)
            precondition(f.start >= previousEnd - 1 && f.start <= f.end && f.end <= size, "field span out of bounds")
            if f.closeQuote >= 0 { precondition(f.closeQuote >= f.start && f.closeQuote < f.end, "close quote outside the field") }
            previousEnd = f.end
            value.removeAll(keepingCapacity: true)
            CSVScanner.appendValue(f, in: bytes, to: &value)
            precondition(value.count <= f.end - f.start + 1, "a value is longer than its bytes")
        }
        lastPosition = scanner.position
        lastLine = rec.line
    }
    precondition(scanner.position == size, "the scanner stopped before the end")
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
