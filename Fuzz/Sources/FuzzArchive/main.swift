// Fuzzes the archive reader: the input is a tar stream. Header blocks (ustar magic at 257) get a correct
// checksum first, so the fuzzer reaches past the checksum test into sizes, names, types and the manifest.
// Then (1) TarReader reads it from memory, and (2) it is zstd-compressed to a file that BatchArchive.verify
// checks. Both must end with a result or a thrown error, never a crash; verify must never call a damaged
// archive OK unless it really holds a manifest. The compressor and the buffers are made once and reused.
import CAIR2Kit
import CFuzz
import Glibc

struct MemorySource: ByteSource {
    let bytes: [UInt8]
    var position = 0
    let piece: Int
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position, piece)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

/// Sets the checksum of every 512-byte block that carries the ustar magic.
func fixChecksums(_ b: inout [UInt8]) {
    var at = 0
    let magic = Array("ustar\0".utf8)
    while at + 512 <= b.count {
        if Array(b[(at + 257)..<(at + 263)]) == magic {
            for i in 148..<156 { b[at + i] = 0x20 }
            var sum = 0
            for i in 0..<512 { sum += Int(b[at + i]) }
            let octal = Array(String(sum, radix: 8).utf8)
            let field = [UInt8](repeating: 0x30, count: max(0, 6 - octal.count)) + octal.suffix(6) + [0, 0x20]
            for i in 0..<8 { b[at + 148 + i] = field[i] }
        }
        at += 512
    }
}

let path = "/tmp/cair2-fuzz-archive-\(getpid()).tar.zst"
// libFuzzer ends a timed run with exit() from inside its driver, so the unlink after it is not reached then.
atexit { unlink(path) }
let compressor = try! ZstdFrameCompressor(level: 1)
// Reused by every input (cleared, capacity kept).
var bytes: [UInt8] = []
var readBuffer = [UInt8](repeating: 0, count: 5001)

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    bytes.removeAll(keepingCapacity: true)
    bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: size))
    fixChecksums(&bytes)
    // (1) The tar reader alone, from memory, in pieces.
    do {
        var tar = TarReader(source: MemorySource(bytes: bytes, piece: 1 + size % 700), bufferSize: 512 + size % 3000)
        let want = 1 + size % 5000
        var members = 0
        while let entry = try tar.next() {
            precondition(entry.size >= 0, "a negative member size")
            members += 1
            var total = 0
            // Leave some members unread, as verify does for refused ones: next() must skip them safely.
            while (members + size) % 3 != 0 {
                let n = try readBuffer.withUnsafeMutableBytes { try tar.readData(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
                if n == 0 { break }
                total += n
            }
            precondition(total <= size, "a member larger than the archive")
        }
        _ = try tar.trailingNonZeroBytes()
        precondition(tar.offset <= size, "read past the end of the stream")
    } catch is TarError {
    } catch {
        preconditionFailure("unexpected error \(type(of: error))")
    }
    // (2) The whole verify, on a compressed copy.
    guard let compressed = try? compressor.compress(bytes) else { return 0 }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0)
    _ = compressed.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    if let result = try? BatchArchive.verify(archive: path) {
        if result.isOK { precondition(result.manifest != nil) }
    } else {
        preconditionFailure("verify could not open a readable archive")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
let status = LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) }
unlink(path)
exit(status)
