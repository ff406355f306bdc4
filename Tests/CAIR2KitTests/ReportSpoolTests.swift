import CAIR2Core
import Foundation
import Glibc
import Testing
@testable import CAIR2Kit

/// The report rows as `ReportSpool` writes them (handed over as they are, formatted and spilled by a background
/// queue in batches of `bufferBytes`), against the rows formatted here by the report's rule: `file,line,record_id,field,code,message`
/// CR LF, a cell quoted when it holds a comma, a quote, CR or LF, and an id that a spreadsheet would read as a
/// formula led by an apostrophe.
@Suite struct ReportSpoolTests {
    static func cell(_ value: [UInt8], neutralize: Bool = true) -> [UInt8] {
        var v = value
        if neutralize, let f = v.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(f) { v.insert(0x27, at: 0) }
        guard v.contains(where: { [0x2C, 0x22, 0x0A, 0x0D].contains($0) }) else { return v }
        return [0x22] + v.flatMap { $0 == 0x22 ? [0x22, 0x22] : [$0] } + [0x22]
    }

    static let warning = ProblemCode.allCases.first { $0.severity == .warning }!
    static let reject = ProblemCode.allCases.first { $0.severity == .reject }!

    /// Identifiers of every length up to 32 bytes, and the ones that need quoting or neutralizing (a comma or a
    /// quote at many positions of every length).
    static func identifier(_ i: Int) -> [UInt8] {
        switch i % 9 {
        case 0: return Array("=cmd\(i)".utf8)
        case 1: return Array("a,b\(i)".utf8)
        case 2: return Array("q\"\(i)".utf8)
        case 3: return []
        case 4: return Array("-\(i)".utf8)
        case 5:
            let j = i / 9
            var id = Array(Array(String(repeating: "7\(i)", count: 8).utf8).prefix(1 + j % 32))
            id[(j / 32 + j) % id.count] = j % 2 == 0 ? 0x2C : 0x22
            return id
        default:
            let digits = Array(String(repeating: "\(i)", count: 8).utf8)
            return Array(digits.prefix(1 + i % 32))
        }
    }

    @Test func spilledRowsAreTheRowsInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-spool-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "in,put.csv"
        let file = Self.cell(Array(path.utf8), neutralize: false)
        let publisher = try Publisher(outDir: dir)
        var expected: [String: [UInt8]] = [:]
        for bufferBytes in [1, 100, 4096, 1 << 20] {
            let spool = ReportSpool(path: path, directory: dir, bufferBytes: bufferBytes)
            var want: [[UInt8]] = [[], []]  // rejects, warnings
            for i in 0..<5000 {
                let code = i % 3 == 0 ? Self.reject : Self.warning
                let id = Self.identifier(i)
                let field = "field_\(i % 4)", message = "a message, \"quoted\" \(i % 7)"
                if i % 5 == 0 {
                    try spool.add(line: i + 2, recordID: id, field: field, code: code, message: message)
                } else {
                    let key = id.isEmpty ? IDKey() : id.withUnsafeBufferPointer { IDKey($0.baseAddress!, count: $0.count) }
                    try spool.add(line: i + 2, id: key,
                                  tail: spool.tail(field: field, code: code, message: message), code: code)
                }
                let row = file + [0x2C] + Array(String(i + 2).utf8) + [0x2C] + Self.cell(id) + [0x2C]
                    + Array(field.utf8) + [0x2C] + Array(code.name.utf8) + [0x2C]
                    + Self.cell(Array(message.utf8)) + [0x0D, 0x0A]
                want[code.severity == .warning ? 1 : 0] += row
            }
            for (k, warnings) in [(0, false), (1, true)] {
                let name = "\(warnings ? "warnings" : "rejects")-\(bufferBytes).csv"
                let out = try publisher.create(relative: name, zstdLevel: nil)
                try spool.copy(warnings: warnings, to: out)
                try out.finish()
                expected[name] = want[k]
            }
        }
        try publisher.publishAll()
        for (name, bytes) in expected {
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let firstDifference = got.indices.first { $0 >= bytes.count || got[$0] != bytes[$0] }
                ?? (got.count == bytes.count ? nil : got.count)
            #expect(firstDifference == nil, "\(name): \(got.count) bytes, \(bytes.count) expected")
        }
    }

    /// The input that comes first in the reports writes its rows straight into them while the others spill to
    /// scratch files; the published reports are the same: the header, then every input's rows sorted by path
    /// (inputs with the same path in the order given), each in line order, whatever the order the inputs ran in.
    @Test func theFirstInputWritesStraightIntoTheReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-spool-d-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = ["z.csv", "a,b.csv", "a,b.csv", "m.csv"]
        let head = try #require(firstInReports(paths))
        #expect(head == 1)
        let header = Array("file,line,record_id,field,code,message\r\n".utf8)
        for bufferBytes in [1, 300, 1 << 20] {
            let sub = dir + "/\(bufferBytes)"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
            let publisher = try Publisher(outDir: sub)
            let streams = try createReports(publisher: publisher)
            var want: [[[UInt8]]] = Array(repeating: [[], []], count: paths.count)  // per input: rejects, warnings
            var spools: [ReportSpool] = []
            for (k, path) in paths.enumerated() {
                let spool = ReportSpool(path: path, directory: sub, bufferBytes: bufferBytes,
                                        direct: k == head ? streams : nil)
                let file = Self.cell(Array(path.utf8), neutralize: false)
                for i in 0..<(700 + 100 * k) {
                    let code = (i + k) % 4 == 0 ? Self.reject : Self.warning
                    let id = Array("\(k)-\(i)".utf8)
                    try spool.add(line: i + 2, recordID: id, field: "f", code: code, message: "input \(k)")
                    want[k][code.severity == .warning ? 1 : 0] += file + [0x2C] + Array(String(i + 2).utf8) + [0x2C]
                        + id + Array(",f,\(code.name),input \(k)\r\n".utf8)
                }
                spools.append(spool)
            }
            try writeReports(spools, into: streams)
            try publisher.publishAll()
            let order = [1, 2, 3, 0]  // a,b.csv twice (as given), m.csv, z.csv
            for (name, w) in [("rejects.csv", 0), ("warnings.csv", 1)] {
                let got = try Array(Data(contentsOf: URL(fileURLWithPath: sub + "/" + name)))
                let expected = header + order.flatMap { want[$0][w] }
                let firstDifference = got.indices.first { $0 >= expected.count || got[$0] != expected[$0] }
                    ?? (got.count == expected.count ? nil : got.count)
                #expect(firstDifference == nil,
                        "\(name) with \(bufferBytes)-byte buffers: \(got.count) bytes, \(expected.count) expected")
            }
        }
    }

    /// A direct spool's spills are all in its report once the spool is gone (a failed run discards the reports
    /// right after its spools go, and a spill still queued must not write after that): with batches of a few
    /// rows, dropped right after its last row, the report holds the header and every row of every full batch.
    @Test func aDirectSpoolsSpillsAreDoneWhenItGoes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-spool-g-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for round in 0..<20 {
            let sub = dir + "/\(round)"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
            let publisher = try Publisher(outDir: sub)
            let streams = try createReports(publisher: publisher)
            var spool: ReportSpool? = ReportSpool(path: "p.csv", directory: sub, bufferBytes: 64 * (1 + round % 7),
                                                  direct: streams)
            let batch = spool!.batchRows
            #expect(batch >= 1 && batch <= 10, "\(batch) rows a batch")
            var spilled: [UInt8] = [], pending: [UInt8] = []
            for i in 0..<(2000 + round) {
                let id = Array("r\(i)".utf8)
                try spool!.add(line: i + 2, recordID: id, field: "f", code: Self.warning, message: "m")
                pending += Array("p.csv,\(i + 2),".utf8) + id + Array(",f,\(Self.warning.name),m\r\n".utf8)
                if (i + 1) % batch == 0 { spilled += pending; pending = [] }
            }
            spool = nil
            try streams.warnings.finish()
            try streams.rejects.finish()
            try publisher.publishAll()
            let got = try Array(Data(contentsOf: URL(fileURLWithPath: sub + "/warnings.csv")))
            let want = Array("file,line,record_id,field,code,message\r\n".utf8) + spilled
            #expect(got.count == want.count && got == want, "round \(round): \(got.count) bytes, \(want.count) expected")
        }
    }

    /// A spill that cannot be written (here: its scratch file cannot be created) fails the run with the scratch
    /// file's error, from a later add or from the copy, instead of losing rows.
    @Test func aSpillThatFailsIsThrown() throws {
        let spool = ReportSpool(path: "x.csv", directory: "/nonexistent-cair2-\(getpid())/out", bufferBytes: 10)
        var thrown: (any Error)?
        do {
            for i in 0..<100 {
                try spool.add(line: i, recordID: Array("\(i)".utf8), field: "f", code: Self.warning, message: "m")
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-spool-f-\(getpid())").path
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let publisher = try Publisher(outDir: dir)
            defer { publisher.discardAll() }
            try spool.copy(warnings: true, to: try publisher.create(relative: "warnings.csv", zstdLevel: nil))
        } catch {
            thrown = error
        }
        #expect(thrown != nil)
        #expect("\(thrown.map { "\($0)" } ?? "")".contains("cannot create a scratch file"), "\(String(describing: thrown))")
    }
}
