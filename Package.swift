// swift-tools-version:6.0
import PackageDescription

// No unsafe flags: the package must build as another package's versioned dependency. The hot path's classes
// are owned by one thread at a time (documented where they are declared); their stored properties carry
// `@exclusivity(unchecked)` instead of a module-wide `-enforce-exclusivity=unchecked`.

let package = Package(
    name: "cair2",
    products: [
        .library(name: "CAIR2Kit", targets: ["CAIR2Kit"]),
        .library(name: "CAIR2Core", targets: ["CAIR2Core"]),
        .library(name: "CAIR2Measures", targets: ["CAIR2Measures"]),
        .executable(name: "cair2", targets: ["cair2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // 4.x: its Crypto imports FoundationEssentials where it can (3.x imports Foundation, and with it ICU).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // zstd from the system's libzstd-dev.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // gzip input (zlib's inflate) from the system's zlib1g-dev.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Small C helpers: the SIGBUS guard for mappings, the temporary-file registry, writeback hints.
        .target(name: "CSupport", path: "Sources/CSupport"),
        // The pure core: layouts, code sets, CSV scanning, normalization, rendering, decoding.
        // Standard library only (scripts/check-pure-core enforces it).
        .target(name: "CAIR2Core", path: "Sources/CAIR2Core"),
        // The HEDIS CIS/IMA rules (PRODUCT.md section 7), driven by the value-set tables. Standard library and
        // CAIR2Core only (scripts/check-pure-core enforces it); Data/ holds the CSVs BundledTables.swift embeds.
        .target(name: "CAIR2Measures", dependencies: ["CAIR2Core"], path: "Sources/CAIR2Measures", exclude: ["Data"]),
        // The public library: convert, validate, decode, generate, archive; files, threads, reports.
        .target(name: "CAIR2Kit", dependencies: ["CAIR2Core", "CAIR2Measures", "CSupport", "CZstd", "CZlib",
                                          .product(name: "Crypto", package: "swift-crypto")], path: "Sources/CAIR2Kit"),
        // The executable: a thin shell over CAIR2Kit.
        .executableTarget(name: "cair2", dependencies: [
            "CAIR2Kit", "CAIR2Measures", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/cair2"),
        .testTarget(name: "CAIR2CoreTests", dependencies: ["CAIR2Core"], path: "Tests/CAIR2CoreTests"),
        .testTarget(name: "CAIR2KitTests", dependencies: ["CAIR2Kit", "CAIR2Core", "CAIR2Measures"], path: "Tests/CAIR2KitTests"),
        .testTarget(name: "CAIR2MeasuresTests", dependencies: ["CAIR2Measures", "CAIR2Core"],
                    path: "Tests/CAIR2MeasuresTests"),
    ]
)
