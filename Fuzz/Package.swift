// swift-tools-version:6.0
// libFuzzer targets for cair2 (docs/RELIABILITY.md). A separate package, so `swift build` and `swift test`
// of the main package never build them; `scripts/fuzz` builds them with `-sanitize=fuzzer,address`.
// Each target is an executable whose main.swift hands its test function to libFuzzer's driver. Fixtures (workers,
// buffers) are built once per process and reused by every input, so an execution costs only the code under test.
// FuzzCSVReference compiles Tests/CAIR2CoreTests/ReferenceCSV.swift through a symlink (one reference parser).
import PackageDescription

let core: Target.Dependency = .product(name: "CAIR2Core", package: "cair2")
let kit: Target.Dependency = .product(name: "CAIR2Kit", package: "cair2")
let fuzz: [(String, [Target.Dependency])] = [
    ("FuzzCSV", [core]),
    ("FuzzCSVReference", [core]),
    ("FuzzRecords", [core, "FuzzSupport"]),
    ("FuzzHeader", [core, "FuzzSupport"]),
    ("FuzzFixedWidth", [core]),
    ("FuzzZstd", [kit]),
    ("FuzzArchive", [kit]),
]

let package = Package(
    name: "cair2-fuzz",
    dependencies: [.package(name: "cair2", path: "..")],
    targets: [
        .target(name: "CFuzz", path: "Sources/CFuzz"),
        // The record loop and fixtures FuzzRecords and FuzzHeader share.
        .target(name: "FuzzSupport", dependencies: [core, "CFuzz"], path: "Sources/FuzzSupport", swiftSettings: [.swiftLanguageMode(.v5)]),
    ] + fuzz.map { name, deps in
        // Swift 5 mode: the harnesses keep their fixtures in top-level globals, touched by libFuzzer's one thread.
        .executableTarget(name: name, dependencies: ["CFuzz"] + deps, path: "Sources/\(name)",
                          swiftSettings: [.swiftLanguageMode(.v5)])
    }
)
