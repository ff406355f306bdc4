import Benchmark
import CAIR2Core
import CAIR2Kit
import Foundation

// The whole conversion (CAIR2Kit.convert: open, map, chunk, normalize, render, merge, hash, publish) on a
// generated corpus in a temporary directory, removed when the target's benchmarks are done.
// scripts/bench measures the same at 1,000,000 members against DuckDB, Python and the I/O limit; this
// target is for quick A/B work on the engine (swift package benchmark baseline update / compare).

/// Members read per second.
let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
/// Megabytes (10^6 bytes) of CSV input read per second.
let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

/// A generated corpus in its own temporary directory.
final class Corpus: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every property is set in init and never mutated afterwards.
    static let members = 100_000
    /// The corpus of the running benchmark: made by the setup hook, removed by the teardown hook (package-benchmark
    /// runs both around every benchmark). Written only by those hooks, which never run concurrently with a benchmark.
    nonisolated(unsafe) static var current: Corpus?

    let directory: URL
    let members: String, immunizations: String, comments: String
    /// Input bytes per file.
    let membersBytes: Int, batchBytes: Int
    /// Records per file (the header excluded), from the generator's summary.
    let memberRecords: Int, batchRecords: Int

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cair2-bench-convert-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var options = GenerateOptions(members: Self.members, outputDirectory: directory.path)
        options.seed = 7
        options.asOf = "2026-01-15"
        options.defectRate = 0.01
        options.org = "ACMEHP"
        let summary = try generateCorpus(options)
        members = directory.appendingPathComponent("members.csv").path
        immunizations = directory.appendingPathComponent("immunizations.csv").path
        comments = directory.appendingPathComponent("comments.csv").path
        func size(_ p: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
        membersBytes = try size(members)
        batchBytes = try membersBytes + size(immunizations) + size(comments)
        memberRecords = summary.records["members.csv"] ?? Self.members
        batchRecords = summary.records.filter { $0.key != "query.csv" }.values.reduce(0, +)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Converts once into a fresh output directory, timed; the output is removed afterwards.
func runConvert(_ benchmark: Benchmark, threads: Int, batch: Bool, zstd: Int32? = nil) throws {
    guard let c = Corpus.current else { throw CAIR2Error.usage("no corpus: the setup hook did not run") }
    let out = c.directory.appendingPathComponent("out-\(UInt32.random(in: 0...UInt32.max))").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    var options = ConvertOptions(outDir: out, asOf: DateValue(year: 2026, month: 1, day: 15))
    options.patients = c.members
    if batch {
        options.immunizations = c.immunizations
        options.comments = c.comments
    }
    options.org = "ACMEHP"
    options.threads = threads
    options.zstdLevel = zstd
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let started = clock.now
    let result = try convert(options)
    let elapsed = clock.now - started
    benchmark.stopMeasurement()
    blackHole(result.exitCode)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    guard seconds > 0 else { return }
    let records = batch ? c.batchRecords : c.memberRecords
    let bytes = batch ? c.batchBytes : c.membersBytes
    benchmark.measurement(recordsPerSecond, Int(Double(records) / seconds))
    benchmark.measurement(megabytesPerSecond, Int(Double(bytes) / seconds / 1e6))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, recordsPerSecond, megabytesPerSecond],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 10
    )
    Benchmark.setup = { Corpus.current = try Corpus() }
    Benchmark.teardown = {
        Corpus.current?.remove()
        Corpus.current = nil
    }

    Benchmark("Convert patients, 1 thread") { benchmark in
        try runConvert(benchmark, threads: 1, batch: false)
    }
    Benchmark("Convert patients, 2 threads") { benchmark in
        try runConvert(benchmark, threads: 2, batch: false)
    }
    Benchmark("Convert patients --zstd 1, 2 threads") { benchmark in
        try runConvert(benchmark, threads: 2, batch: false, zstd: 1)
    }
    Benchmark("Convert batch (patients, immunizations, comments), 2 threads") { benchmark in
        try runConvert(benchmark, threads: 2, batch: true)
    }
}
