import CAIR2Core
import CAIR2Kit
import Foundation
import Testing

/// The async entry point: it converts like the blocking one, and a cancelled run publishes nothing and leaves
/// no temporary file.
@Suite struct AsyncConvertTests {
    static func options(_ dir: URL, members: Int) throws -> ConvertOptions {
        try UXTests.writeMembers(members, to: dir.appendingPathComponent("m.csv"))
        var o = ConvertOptions(outDir: dir.appendingPathComponent("out").path, asOf: DateValue(year: 2026, month: 1, day: 15))
        o.patients = dir.appendingPathComponent("m.csv").path
        o.org = "ACMEHP"
        o.chunkSize = 4096
        return o
    }

    @Test func asyncConvertMatchesTheBlockingOne() async throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = try Self.options(dir, members: 500)
        let a = try await convert(o)
        let first = try Data(contentsOf: dir.appendingPathComponent("out/patient.txt"))
        o.outDir = dir.appendingPathComponent("out2").path
        let blocking = o
        let b = try { try convert(blocking, log: { _ in }) }()  // a synchronous closure picks the blocking overload
        #expect(a.files[0].written == b.files[0].written && a.files[0].written == 500)
        #expect(first == (try Data(contentsOf: dir.appendingPathComponent("out2/patient.txt"))))
    }

    @Test func aCancelledRunPublishesNothing() async throws {
        let dir = try UXTests.workDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = try Self.options(dir, members: 2000)
        let token = ConvertCancellation()
        token.cancel()
        o.cancellation = token
        await #expect(throws: CAIR2Error.self) { _ = try await convert(o) }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: o.outDir)) ?? []
        #expect(left.filter { $0 != ".cair2.lock" }.isEmpty, "left behind: \(left)")

        // A task cancelled while it runs either finishes whole or throws `cancelled` with nothing published.
        var o2 = try Self.options(dir, members: 20000)
        o2.outDir = dir.appendingPathComponent("out3").path
        let run = o2
        let task = Task { try await convert(run) }
        task.cancel()
        do {
            let r = try await task.value
            #expect(r.files[0].written == 20000)
        } catch let e as CAIR2Error {
            #expect(e.isCancellation)
            let rest = (try? FileManager.default.contentsOfDirectory(atPath: o2.outDir)) ?? []
            #expect(rest.filter { $0 != ".cair2.lock" }.isEmpty, "left behind: \(rest)")
        }
    }
}
