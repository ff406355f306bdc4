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
        // The library, in the order the bytes flow (docs/LIBRARY.md has the map):
        // the one syscall seam: descriptors, mapped input, temporary and atomic output, out-dir lock, signals.
        .target(name: "CAIR2IO", dependencies: ["CAIR2Core", "CSupport"], path: "Sources/CAIR2IO"),
        // zstd frames and streams, gzip input: safe Swift over the system libraries.
        .target(name: "CAIR2Compression", dependencies: ["CAIR2IO", "CZstd", "CZlib"], path: "Sources/CAIR2Compression"),
        // input -> chunks -> workers -> ordered merge -> publish (Input/, Chunks/, Merge/, Publish/), and the
        // commands on top of it: convert (Convert/), validate and decode (FixedWidth/), codes (Codes/).
        .target(name: "CAIR2Engine", dependencies: ["CAIR2Core", "CAIR2IO", "CAIR2Compression", "CSupport",
                                             .product(name: "Crypto", package: "swift-crypto")],
                path: "Sources/CAIR2Engine"),
        // tar, MANIFEST.json, archive and verify of a published batch.
        .target(name: "CAIR2Archive", dependencies: ["CAIR2Engine", "CAIR2IO", "CAIR2Compression"],
                path: "Sources/CAIR2Archive"),
        // synthetic member extracts, return files and their answer key.
        .target(name: "CAIR2Generate", dependencies: ["CAIR2Core", "CAIR2IO"], path: "Sources/CAIR2Generate"),
        // the HEDIS run over a batch (the rules are CAIR2Measures).
        .target(name: "CAIR2Hedis", dependencies: ["CAIR2Core", "CAIR2Measures", "CAIR2Engine", "CAIR2IO"],
                path: "Sources/CAIR2Hedis"),
        // The public library product: re-exports the modules above, so `import CAIR2Kit` is all a user needs.
        .target(name: "CAIR2Kit", dependencies: ["CAIR2IO", "CAIR2Compression", "CAIR2Engine", "CAIR2Archive",
                                          "CAIR2Generate", "CAIR2Hedis"], path: "Sources/CAIR2Kit"),
        // The executable: a thin shell over CAIR2Kit, and the command line's presentation (console, progress
        // line, closing summary, hints, the `--zstd` argument rewriting).
        .executableTarget(name: "cair2", dependencies: [
            "CAIR2Kit", "CAIR2Measures", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/cair2"),
        .testTarget(name: "CAIR2CoreTests", dependencies: ["CAIR2Core"], path: "Tests/CAIR2CoreTests"),
        .testTarget(name: "CAIR2KitTests", dependencies: ["CAIR2Kit", "CAIR2Core", "CAIR2Measures", "cair2"], path: "Tests/CAIR2KitTests"),
        .testTarget(name: "CAIR2MeasuresTests", dependencies: ["CAIR2Measures", "CAIR2Core"],
                    path: "Tests/CAIR2MeasuresTests"),
    ]
)
