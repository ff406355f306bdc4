// swift-tools-version:6.0
import PackageDescription

// The hot path's classes are owned by one thread at a time (documented where they are declared), so the
// run-time exclusivity checks on their stored properties only cost time; compile-time checks stay on.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "cair2",
    products: [
        .library(name: "CAIR2Kit", targets: ["CAIR2Kit"]),
        .library(name: "CAIR2Core", targets: ["CAIR2Core"]),
        .executable(name: "cair2", targets: ["cair2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // zstd from the system's libzstd-dev.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // gzip input (zlib's inflate) from the system's zlib1g-dev.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Small C helpers: SHA-256 with the CPU's SHA extensions, the SIGBUS guard for mappings.
        .target(name: "CSupport", path: "Sources/CSupport",
                cSettings: [.unsafeFlags(["-O3"])]),
        // The pure core: layouts, code sets, CSV scanning, normalization, rendering, decoding.
        // Standard library only (scripts/check-pure-core enforces it).
        .target(name: "CAIR2Core", path: "Sources/CAIR2Core", swiftSettings: hotPath),
        // The public library: convert, validate, decode, generate, archive; files, threads, reports.
        .target(name: "CAIR2Kit", dependencies: ["CAIR2Core", "CSupport", "CZstd", "CZlib"], path: "Sources/CAIR2Kit",
                swiftSettings: hotPath),
        // The executable: a thin shell over CAIR2Kit.
        .executableTarget(name: "cair2", dependencies: [
            "CAIR2Kit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/cair2"),
        .testTarget(name: "CAIR2CoreTests", dependencies: ["CAIR2Core"], path: "Tests/CAIR2CoreTests"),
        .testTarget(name: "CAIR2KitTests", dependencies: ["CAIR2Kit", "CAIR2Core"], path: "Tests/CAIR2KitTests"),
    ]
)
