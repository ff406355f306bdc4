// Fuzzes the zstd readers used for `.zst` input and archives: the pull reader (ZstdStreamReader) over a
// source that hands out the input in uneven pieces, and the push decompressor. Corrupt or truncated input
// must end in a thrown ZstdError; both readers must agree on the bytes of a valid stream. The buffers are
// allocated once and reused; each input still creates its two zstd contexts (that is the code under test).
import CAIR2Kit
import CFuzz
import Glibc

/// Hands out `bytes` in pieces of 1...`piece` bytes.
struct PieceSource: ByteSource {
    let bytes: UnsafeRawBufferPointer
    let piece: Int
    var position = 0
    var turn = 0
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        turn += 1
        let n = min(buffer.count, bytes.count - position, 1 + (turn * 7919) % piece)
        guard n > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + position, byteCount: n)
        position += n
        return n
    }
}

/// Output beyond this is not interesting and would only slow the fuzzer (a tiny frame can expand a lot).
let outputLimit = 8 << 20
// Reused by every input (cleared, capacity kept): the read buffer and both outputs.
var readBuffer = [UInt8](repeating: 0, count: 9001)
var pulled: [UInt8] = []
var pushed: [UInt8] = []

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let piece = 1 + (size % 4 == 0 ? 1 << 17 : size % 251)
    pulled.removeAll(keepingCapacity: true)
    pushed.removeAll(keepingCapacity: true)
    var pullError: ZstdError?
    do {
        let reader = try ZstdStreamReader(source: PieceSource(bytes: raw, piece: piece))
        let want = 1 + size % 9000
        while pulled.count < outputLimit {
            let n = try readBuffer.withUnsafeMutableBytes { try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if n == 0 { break }
            precondition(n <= want, "read more than the buffer holds")
            pulled.append(contentsOf: readBuffer[0..<n])
        }
    } catch let e as ZstdError {
        pullError = e
    } catch {
        preconditionFailure("unexpected error type")
    }
    var pushError: ZstdError?
    do {
        let d = try ZstdDecompressor()
        var at = 0
        while at < size && pushed.count < outputLimit {
            let n = min(piece, size - at)
            try d.decompress(UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])) { pushed.append(contentsOf: $0) }
            at += n
        }
        if pushed.count < outputLimit { try d.finish() }
    } catch let e as ZstdError {
        pushError = e
    } catch {
        preconditionFailure("unexpected error type")
    }
    if pullError == nil && pushError == nil && pulled.count < outputLimit && pushed.count < outputLimit {
        precondition(pulled == pushed, "the pull and push readers disagree on a valid stream")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
