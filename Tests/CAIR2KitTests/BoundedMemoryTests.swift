import CAIR2Core
import Foundation
import Testing
@testable import CAIR2Kit

/// The patient index that spills past its budget and the report rows that spill past their buffers change
/// nothing in the outputs: a generated batch converts to the same bytes with a tiny budget as with the default.
@Suite struct BoundedMemoryTests {
    static func files(_ dir: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: dir)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
            if isDir.boolValue || rel == ".cair2.lock" { continue }
            var bytes = GenerateTests.read(dir + "/" + rel)
            if rel == "summary.json" {
                // The elapsed time is the only line that may differ.
                let text = String(decoding: bytes, as: UTF8.self)
                bytes = Array(text.split(separator: "\n").filter { !$0.contains("elapsed_seconds") }
                    .joined(separator: "\n").utf8)
            }
            out[rel] = bytes
        }
        return out
    }

    func run(_ g: String, _ out: String, budget: Int, reportBuffer: Int, threads: Int, chunk: Int,
             mmap: Bool = true) throws -> ConvertResult {
        var o = ConvertOptions(outDir: out, asOf: DateValue.parseISO(GenerateTests.asOf)!)
        o.patients = g + "/members.csv"
        o.immunizations = g + "/immunizations.csv"
        o.comments = g + "/comments.csv"
        o.org = GenerateTests.org
        o.threads = threads
        o.chunkSize = chunk
        o.useMmap = mmap
        o.blockSize = 64 << 10
        o.idTableBudget = budget
        o.reportBufferBytes = reportBuffer
        return try convert(o)
    }

    @Test func tinyBudgetsGiveTheSameBytes() throws {
        let g = GenerateTests.scratch("mem-g")
        defer { try? FileManager.default.removeItem(atPath: g) }
        // A high defect rate: duplicates, orphans and before-birth records hit the spilled runs.
        _ = try GenerateTests.generate(g, members: 4000, seed: 21, rate: 0.15)
        let reference = GenerateTests.scratch("mem-ref")
        defer { try? FileManager.default.removeItem(atPath: reference) }
        let base = try run(g, reference, budget: SpillingIDTable.defaultBudgetBytes, reportBuffer: 1 << 20,
                           threads: 1, chunk: 1 << 20)
        #expect(base.files[0].indexSpills == 0)
        #expect(base.files.reduce(0) { $0 + $1.rejected } > 100)
        let want = Self.files(reference)
        #expect(want["rejects.csv"].map { $0.count > 10_000 } == true)
        #expect(want["warnings.csv"] != nil)

        for (budget, threads, chunk, mmap) in [(0, 2, 3000, true), (20_000, 1, 1 << 20, true), (20_000, 2, 5000, false)] {
            let out = GenerateTests.scratch("mem-\(budget)-\(threads)")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try run(g, out, budget: budget, reportBuffer: 100, threads: threads, chunk: chunk, mmap: mmap)
            #expect(r.files[0].indexSpills >= 5, "budget \(budget): \(r.files[0].indexSpills) spills")
            let got = Self.files(out)
            #expect(Set(got.keys) == Set(want.keys))
            for (name, bytes) in want { #expect(got[name] == bytes, "\(name) differs (budget \(budget), threads \(threads))") }
            // The scratch files were nameless: nothing hidden is left in the output directory.
            let hidden = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") && $0 != ".cair2.lock" }
            #expect(hidden.isEmpty)
        }
    }

    /// Chunk starts found on demand (`ChunkCuts`, as the workers claim chunks) are the ones a plain byte loop
    /// finds: across records longer than a chunk, for several offsets and chunk sizes, with and without a
    /// final LF. The lines hold no quote, so `settle` never moves a start here (the next test is about that).
    @Test func onDemandCutsFollowTheRule() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var bytes: [UInt8] = []
        while bytes.count < 3 << 20 {
            // Mostly short lines; now and then one longer than every chunk size below.
            let long = next() % 2_000 == 0
            let len = long ? Int(1 << 20) + Int(next() % 100) : 20 + Int(next() % 300)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: len))
            bytes.append(0x0A)
        }
        /// The rule, byte by byte: after each nominal cut, the byte after the first LF at or after it; the next cut
        /// is a chunk size past the later of the cut and that start, an eighth of one within the last eight.
        func reference(_ b: [UInt8], from: Int, size: Int) -> [Int] {
            func step(_ at: Int) -> Int { b.count - at > 8 * size ? size : max(size / 8, 1) }
            var result = [from]
            var cut = from + step(from)
            while cut < b.count {
                var p = cut - 1
                while p < b.count && b[p] != 0x0A { p += 1 }
                let s = p + 1
                if s >= b.count { break }
                if s > result.last! { result.append(s) }
                cut = max(s, cut) + step(max(s, cut))
            }
            result.append(b.count)
            return result
        }
        for input in [bytes, Array(bytes.dropLast()), Array(bytes.prefix(1000))] {
            for (from, chunk) in [(0, 1 << 20), (7, 100_000), (123, 3 << 20), (5, 4096), (0, 1), (999, 64), (3, 256_000)] {
                let want = reference(input, from: min(from, input.count), size: chunk)
                let got = input.withUnsafeBufferPointer {
                    ChunkPlanner.starts($0, from: min(from, input.count), chunkSize: chunk)
                }
                #expect(got == want, "from \(from), chunk \(chunk), \(input.count) bytes")
            }
        }
    }

    /// A cut that lands inside a quoted field (an address with its second line) is moved to the next record: on
    /// records where a quote closing such a field is followed by the run's delimiter or the row's end, every
    /// chunk start of every chunk size is a record's start (as the generator of the rows knows them), for three
    /// delimiters. Without the move, two cuts in five land inside a field here.
    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|")])
    func cutsInsideAQuotedFieldMoveToTheNextRecord(delimiter: UInt8) throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let d = String(UnicodeScalar(delimiter))
        var bytes: [UInt8] = []
        var recordStarts: Set<Int> = [0]
        while bytes.count < 1 << 20 {
            var row = "M\(next() % 1_000_000)\(d)Ana"
            switch next() % 3 {
            case 0: row += "\(d)\"\(next() % 9000) Main St\nApt \(next() % 90)\"\(d)Fresno"
            case 1: row += "\(d)\"Box \(next() % 99)\nSuite 5\nFloor 2\"\(d)\"Los Angeles\(d) CA\""
            default: row += "\(d)12 Elm\(d)\"Oak\"\"s Grove\""
            }
            bytes += Array((row + (next() % 2 == 0 ? "\r\n" : "\n")).utf8)
            recordStarts.insert(bytes.count)
        }
        var misplaced = 0
        for size in [97, 1000, 4096, 12_345, 65_536] {
            let starts = bytes.withUnsafeBufferPointer {
                ChunkPlanner.starts($0, from: 0, chunkSize: size, delimiter: delimiter)
            }
            #expect(starts.first == 0 && starts.last == bytes.count)
            #expect(starts.count > bytes.count / size / 2, "chunk \(size): \(starts.count) starts")
            misplaced += starts.filter { !recordStarts.contains($0) }.count
        }
        #expect(misplaced == 0, "\(misplaced) misplaced")
    }

    /// Scratch files leave no name behind, and reads (through the per-thread block cache) return each file's
    /// own bytes, from several threads, even for two files read at the same offsets.
    @Test func scratchFilesReadBackTheirOwnBytes() async throws {
        let dir = GenerateTests.scratch("mem-scratch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = ScratchFile(directory: dir), b = ScratchFile(directory: dir)
        for i in 0..<200 {
            let block = [UInt8](repeating: UInt8(i), count: 100)
            let other = [UInt8](repeating: UInt8(255 - i), count: 100)
            let atA = block.withUnsafeBytes { a.append($0) }
            let atB = other.withUnsafeBytes { b.append($0) }
            #expect(atA == i * 100 && atB == i * 100)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        let bad = await withTaskGroup(of: Int.self) { group in
            for t in 0..<4 {
                group.addTask {
                    var wrong = 0
                    var buf = [UInt8](repeating: 0, count: 100)
                    for round in 0..<3 {
                        for i in stride(from: t + round, to: 200, by: 3) {
                            for (file, want) in [(a, UInt8(i)), (b, UInt8(255 - i))] {
                                let ok = buf.withUnsafeMutableBytes { file.read(into: $0, at: i * 100) }
                                if !ok || buf.contains(where: { $0 != want }) { wrong += 1 }
                            }
                        }
                    }
                    return wrong
                }
            }
            var total = 0
            for await w in group { total += w }
            return total
        }
        #expect(bad == 0)
        #expect(a.error == nil && b.error == nil)
        // A read past the end fails and is kept as the file's error (exit 3).
        var buf = [UInt8](repeating: 0, count: 10)
        let past = buf.withUnsafeMutableBytes { a.read(into: $0, at: 1_000_000) }
        #expect(!past)
        #expect(a.error?.kind == .failedDuringRun)
    }
}
