@testable import CAIR2Core
import Testing

/// `ByteBuffer` against `[UInt8]` doing the same operations: every reader, chunk output, generator row and worker
/// scratch of the package grows through it.
@Suite struct ByteBufferTests {
    @Test func randomOperationsMatchAnArray() {
        var rng = SystemRandomNumberGenerator()
        for capacity in [1, 3, 64] {
            var buffer = ByteBuffer(capacity: capacity, alignment: 64)
            var model: [UInt8] = []
            for step in 0..<5_000 {
                switch Int.random(in: 0..<6, using: &rng) {
                case 0:
                    let b = UInt8(truncatingIfNeeded: step)
                    buffer.append(b); model.append(b)
                case 1:
                    let piece = (0..<Int.random(in: 0..<300, using: &rng)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ step) }
                    piece.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
                    model += piece
                case 2:
                    // As a reader does: room, bytes written into `unused`, then taken in.
                    let n = Int.random(in: 0..<200, using: &rng)
                    buffer.reserve(n)
                    #expect(buffer.unused.count >= n)
                    for i in 0..<n { buffer.unused[i] = UInt8(truncatingIfNeeded: i &+ 3) }
                    buffer.didAppend(n)
                    model += (0..<n).map { UInt8(truncatingIfNeeded: $0 &+ 3) }
                case 3:
                    let n = Int.random(in: 0...model.count, using: &rng)
                    buffer.removeFirst(n); model.removeFirst(n)
                case 4:
                    let n = Int.random(in: 0...min(model.count, 50), using: &rng)
                    buffer.removeLast(n); model.removeLast(n)
                default:
                    // Explicit growth, while the capacity is small (each one doubles it).
                    guard buffer.capacity < 1 << 16 else { break }
                    let before = buffer.capacity
                    buffer.grow(toAtLeast: buffer.count + 1)
                    #expect(buffer.capacity >= 2 * before)
                }
                #expect(buffer.count == model.count)
                #expect(buffer.capacity >= buffer.count)
                #expect(Int(bitPattern: buffer.base) % 64 == 0)
                #expect(Array(buffer.bytes) == model)
            }
        }
    }

    @Test func reserveDiscardingEmptiesAndMakesRoom() {
        var buffer = ByteBuffer(capacity: 8)
        [1, 2, 3].withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
        buffer.reserveDiscarding(4)
        #expect(buffer.count == 0 && buffer.capacity == 8)
        buffer.reserveDiscarding(100)
        #expect(buffer.count == 0 && buffer.capacity >= 100)
    }
}
