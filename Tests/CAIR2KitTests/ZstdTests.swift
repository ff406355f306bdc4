import Testing
import Foundation
@testable import CAIR2Kit

/// A byte source over an array that hands out at most `step` bytes per read, so
/// every buffer boundary inside the decoder is crossed.
struct ArraySource: ByteSource {
    let bytes: [UInt8]
    let step: Int
    var pos = 0
    init(_ bytes: [UInt8], step: Int = .max) { self.bytes = bytes; self.step = step }
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(step, buffer.count, bytes.count - pos)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[pos..<(pos + n)])) }
        pos += n
        return n
    }
}

/// Reads a whole stream through a ZstdStreamReader with a caller buffer of `chunk` bytes.
func readAll(_ reader: ZstdStreamReader, chunk: Int) throws -> [UInt8] {
    var out = [UInt8]()
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
    defer { buf.deallocate() }
    while true {
        let n = try reader.read(into: buf)
        if n == 0 { return out }
        out.append(contentsOf: buf[0..<n])
    }
}

/// Fixed-width-looking test data: blank-padded lines with an id, a name from a
/// short list and a date, deterministic for a seed (compresses like real output).
func sampleLines(_ count: Int, width: Int = 60, seed: UInt64 = 1) -> [UInt8] {
    let names = ["GARCIA", "NGUYEN", "SMITH", "HERNANDEZ", "LOPEZ", "KIM", "PATEL", "JOHNSON"]
    var state = seed
    var out = [UInt8]()
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let r = Int(truncatingIfNeeded: state >> 33)
        var line = Array("\(seed)-\(i)".utf8)
        line += [UInt8](repeating: 32, count: 12 - line.count % 12)
        line += Array(names[r % names.count].utf8)
        line += [UInt8](repeating: 32, count: 30 - line.count)
        line += Array(String(format: "%02d%02d%04d", 1 + r % 12, 1 + r % 28, 1940 + r % 80).utf8)
        line += [UInt8](repeating: 32, count: width - line.count)
        out += line
        out += [13, 10]
    }
    return out
}

/// Runs a command (stdin from a file when given); returns (exit status, stdout, stderr).
/// Output goes through temporary files so a large output can never block the child.
@discardableResult
func run(_ args: [String], stdin: String? = nil, cwd: String? = nil) throws -> (Int32, Data, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let base = NSTemporaryDirectory() + "cair2-run-" + UUID().uuidString
    _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
    _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
    defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
    let out = FileHandle(forWritingAtPath: base + ".out")!, err = FileHandle(forWritingAtPath: base + ".err")!
    p.standardOutput = out
    p.standardError = err
    if let stdin { p.standardInput = FileHandle(forReadingAtPath: stdin) }
    try p.run()
    p.waitUntilExit()
    try out.close(); try err.close()
    let o = try Data(contentsOf: URL(fileURLWithPath: base + ".out"))
    let e = try Data(contentsOf: URL(fileURLWithPath: base + ".err"))
    return (p.terminationStatus, o, String(decoding: e, as: UTF8.self))
}

func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "cair2-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct ZstdTests {
    @Test(arguments: [1, 3, 19])
    func frameRoundTrip(level: Int) throws {
        let data = sampleLines(5_000)
        let c = try ZstdFrameCompressor(level: level)
        let frame = try c.compress(data)
        #expect(frame.count < data.count / 2)
        #expect(frame.count <= Zstd.compressBound(data.count))
        let back = try readAll(ZstdStreamReader(source: ArraySource(frame)), chunk: 4096)
        #expect(back == data)
    }

    @Test func emptyBufferIsAValidFrame() throws {
        let frame = try ZstdFrameCompressor().compress([])
        #expect(!frame.isEmpty)
        #expect(try readAll(ZstdStreamReader(source: ArraySource(frame)), chunk: 16) == [])
    }

    @Test func concatenatedFramesReadAsOneStreamWithTinyReads() throws {
        let c = try ZstdFrameCompressor(level: 1)
        // Reusing one context for several frames is the worker pattern.
        let parts = [sampleLines(300, seed: 1), [], sampleLines(1, seed: 2), sampleLines(2_000, seed: 3)]
        var joined = [UInt8](), frames = [UInt8]()
        for p in parts {
            joined += p
            frames += try c.compress(p)
        }
        for (step, chunk) in [(1, 1), (3, 7), (7, 1), (1_000, 100_000), (Int.max, 3)] {
            let back = try readAll(ZstdStreamReader(source: ArraySource(frames, step: step)), chunk: chunk)
            #expect(back == joined, "source step \(step), read chunk \(chunk)")
        }
        // The push decompressor agrees, fed one byte at a time.
        let d = try ZstdDecompressor()
        var pushed = [UInt8]()
        for b in frames {
            try [b].withUnsafeBytes { try d.decompress($0) { pushed.append(contentsOf: $0) } }
        }
        try d.finish()
        #expect(pushed == joined)
    }

    @Test func streamCompressorRoundTrip() throws {
        let data = sampleLines(20_000)
        var compressed = [UInt8]()
        let s = try ZstdStreamCompressor(level: 3) { compressed.append(contentsOf: $0) }
        var i = 0
        while i < data.count {
            let n = min(777, data.count - i)
            try data.withUnsafeBytes { try s.write(UnsafeRawBufferPointer(rebasing: $0[i..<(i + n)])) }
            i += n
        }
        try s.finish()
        #expect(compressed.count < data.count / 2)
        #expect(try readAll(ZstdStreamReader(source: ArraySource(compressed, step: 5)), chunk: 13) == data)
    }

    @Test func truncatedStreamIsReported() throws {
        let frame = try ZstdFrameCompressor().compress(sampleLines(2_000))
        for cut in [1, 4, frame.count / 2, frame.count - 1] {
            let r = try ZstdStreamReader(source: ArraySource(Array(frame[0..<cut])))
            #expect(throws: ZstdError.truncated, "cut at \(cut)") { _ = try readAll(r, chunk: 1000) }
        }
        #expect(throws: ZstdError.truncated) { _ = try readAll(ZstdStreamReader(source: ArraySource([])), chunk: 10) }
        #expect(ZstdError.truncated.description.contains("truncated"))
    }

    @Test func corruptStreamIsReportedWithLibzstdText() throws {
        let data = sampleLines(2_000)
        let frame = try ZstdFrameCompressor().compress(data)
        var caught = 0
        // Flip a byte at several places after the header: the decoder or the content
        // checksum must catch every one.
        for at in stride(from: 12, to: frame.count, by: max(1, frame.count / 17)) {
            var bad = frame
            bad[at] ^= 0x5a
            do {
                let back = try readAll(ZstdStreamReader(source: ArraySource(bad)), chunk: 4096)
                Issue.record("flip at \(at) not caught (\(back == data ? "same" : "different") output)")
            } catch let e as ZstdError {
                guard case let .library(_, _, name) = e else { Issue.record("unexpected \(e)"); continue }
                #expect(!name.isEmpty)
                caught += 1
            }
        }
        #expect(caught > 10)
        // Garbage is not a frame.
        #expect {
            _ = try readAll(ZstdStreamReader(source: ArraySource(Array("not zstd at all".utf8))), chunk: 64)
        } throws: { e in
            "\(e)".contains("Unknown frame descriptor")
        }
    }

    @Test func invalidLevelIsRefused() {
        #expect(throws: ZstdError.invalidLevel(99)) { _ = try ZstdFrameCompressor(level: 99) }
    }

    @Test func systemZstdReadsConcatenatedFramesAndWeReadItsOutput() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try ZstdFrameCompressor(level: 1)
        let a = sampleLines(1_000, seed: 7), b = sampleLines(3_000, seed: 8)
        let framed = try c.compress(a) + c.compress(b)
        try Data(framed).write(to: URL(fileURLWithPath: dir + "/x.zst"))
        let (t, _, tErr) = try run(["zstd", "-q", "-t", dir + "/x.zst"])
        #expect(t == 0, "zstd -t: \(tErr)")
        let (d, out, _) = try run(["zstd", "-q", "-d", "-c", dir + "/x.zst"])
        #expect(d == 0)
        #expect([UInt8](out) == a + b)

        // And the other way: the system tool's output (with its checksum) through our reader from a descriptor.
        try Data(a).write(to: URL(fileURLWithPath: dir + "/plain"))
        let (z, _, _) = try run(["zstd", "-q", "-19", "-f", dir + "/plain", "-o", dir + "/sys.zst"])
        #expect(z == 0)
        let fd = open(dir + "/sys.zst", O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(try readAll(ZstdStreamReader(fileDescriptor: fd), chunk: 999) == a)
    }
}
