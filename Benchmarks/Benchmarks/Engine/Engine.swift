import Benchmark
import CAIR2Core
import CAIR2Kit

// The engine's pieces on one in-memory extract of generated members (see Fixture): CSV scan,
// normalization and rendering (RecordWorker.process driven like CAIR2Kit's processChunk), fixed-width
// reading and validation of the rendered lines, and SHA-256 of them. Every benchmark reports its own
// throughput as records/s and MB/s (of the bytes it consumes), besides wall clock and mallocs.

/// Records (or lines) handled per second, measured around the work of one iteration.
let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
/// Megabytes (10^6 bytes) consumed per second.
let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

let engineMetrics: [BenchmarkMetric] = [
    .wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, recordsPerSecond, megabytesPerSecond,
]

/// Runs `body` once, timed, and records its rates.
@inline(__always)
func timed(_ benchmark: Benchmark, records: Int, bytes: Int, _ body: () -> Void) {
    let clock = ContinuousClock()
    let started = clock.now
    body()
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    guard seconds > 0 else { return }
    benchmark.measurement(recordsPerSecond, Int(Double(records) / seconds))
    benchmark.measurement(megabytesPerSecond, Int(Double(bytes) / seconds / 1e6))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: engineMetrics,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 30
    )

    Benchmark("CSV scan (members.csv)") { benchmark in
        let f = Fixture.shared
        let body = f.csv.count - f.bodyStart
        var rec = CSVRecord()
        for _ in benchmark.scaledIterations {
            timed(benchmark, records: f.records, bytes: body) {
                var scanner = CSVScanner(bytes: f.csv, delimiter: UInt8(ascii: ","), position: f.bodyStart)
                var fields = 0
                while scanner.next(&rec) { fields &+= rec.fieldCount }
                blackHole(fields)
            }
        }
    }

    Benchmark("Normalize and render (patients)") { benchmark in
        let f = Fixture.shared
        let body = f.csv.count - f.bodyStart
        let worker = RecordWorker(rules: Fixture.rules(f.plan))
        let lineWidth = f.plan.layout.dataWidth + 2
        // Preallocated like a chunk's line buffer: the width is fixed, so the size is known.
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: (f.records + 1) * lineWidth)
        defer { out.deallocate() }
        var problems: [Problem] = []
        problems.reserveCapacity(4096)
        var rec = CSVRecord()
        for _ in benchmark.scaledIterations {
            timed(benchmark, records: f.records, bytes: body) {
                var scanner = CSVScanner(bytes: f.csv, delimiter: UInt8(ascii: ","), position: f.bodyStart)
                var ordinal: Int32 = 0
                var used = 0
                problems.removeAll(keepingCapacity: true)
                while scanner.next(&rec) {
                    let slot = out + used
                    slot.initialize(repeating: 0x20, count: lineWidth - 2)
                    let r = worker.process(rec, f.csv, ordinal: ordinal, out: slot, problems: &problems)
                    if r.status == .written {
                        slot[lineWidth - 2] = 0x0D
                        slot[lineWidth - 1] = 0x0A
                        used += lineWidth
                    }
                    ordinal += 1
                }
                blackHole(used)
            }
        }
    }

    Benchmark("Fixed-width read (patient lines)") { benchmark in
        let f = Fixture.shared
        for _ in benchmark.scaledIterations {
            timed(benchmark, records: f.lineCount, bytes: f.lines.count) {
                var reader = FixedWidthReader(layout: Layouts.patient)
                var position = 0
                var records = 0
                while let item = reader.next(in: f.lines, from: &position, isFinal: true) {
                    if case .record = item { records += 1 }
                }
                blackHole(records)
            }
        }
    }

    Benchmark("Fixed-width validate (patient lines)") { benchmark in
        let f = Fixture.shared
        let validator = FixedWidthValidator(layout: Layouts.patient, asOf: 20260115)
        var problems: [ValidationProblem] = []
        for _ in benchmark.scaledIterations {
            timed(benchmark, records: f.lineCount, bytes: f.lines.count) {
                var reader = FixedWidthReader(layout: Layouts.patient)
                var position = 0
                problems.removeAll(keepingCapacity: true)
                while let item = reader.next(in: f.lines, from: &position, isFinal: true) {
                    if case .record(let r) = item { validator.check(r, into: &problems) }
                }
                blackHole(problems.count)
            }
        }
    }

    Benchmark("SHA-256 (swift-crypto)") { benchmark in
        let f = Fixture.shared
        for _ in benchmark.scaledIterations {
            timed(benchmark, records: f.lineCount, bytes: f.lines.count) {
                var h = SHA256()
                h.update(f.lines)
                blackHole(h.finalize())
            }
        }
    }
}
