// swift-tools-version: 6.1
// The benchmarks of cair2 (package-benchmark). A package of its own so that the main package's
// `swift build` and `swift test` never build them (nor the benchmark package and its dependencies).
// Run: swift package --package-path Benchmarks benchmark   (see docs/PERFORMANCE.md)
import PackageDescription

let package = Package(
    name: "cair2-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // ordo-one/benchmark, formerly package-benchmark (1.38 warns about the old identifier). Only the malloc
        // interposer trait: the default traits would also pull in the Swift 6.3 ARC runtime interposer.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "cair2", path: ".."),
    ],
    targets: [
        // The pieces: CSV scan, normalization, fixed-width reading and validation, SHA-256.
        .executableTarget(
            name: "Engine",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CAIR2Core", package: "cair2"),
                .product(name: "CAIR2Kit", package: "cair2"),
            ],
            path: "Benchmarks/Engine",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The whole conversion through CAIR2Kit.convert, on a generated corpus in a temporary directory.
        .executableTarget(
            name: "Conversion",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CAIR2Core", package: "cair2"),
                .product(name: "CAIR2Kit", package: "cair2"),
            ],
            path: "Benchmarks/Conversion",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
