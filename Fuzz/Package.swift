// swift-tools-version:5.9
// libFuzzer targets for merge-daconv's readers of untrusted input. Built and run by scripts/fuzz with
// -sanitize=fuzzer,address on every module (SwiftPM's --sanitize would instrument only this package).
import PackageDescription

let package = Package(
    name: "merge-daconv-fuzz",
    dependencies: [.package(name: "merge-daconv", path: "..")],
    targets: [
        // MARK: Shared: the input as a file, for readers that open paths
        .target(name: "FuzzSupport"),

        // MARK: One executable per target; libFuzzer supplies main()
        .executableTarget(name: "FuzzPickle", dependencies: [.product(name: "MergeDAConv", package: "merge-daconv")]),
        .executableTarget(
            name: "FuzzZip", dependencies: ["FuzzSupport", .product(name: "MergeDAConv", package: "merge-daconv")]),
        .executableTarget(
            name: "FuzzLegacy", dependencies: ["FuzzSupport", .product(name: "MergeDAConv", package: "merge-daconv")]),
        .executableTarget(
            name: "FuzzInspect", dependencies: ["FuzzSupport", .product(name: "MergeDAConv", package: "merge-daconv")]),
    ]
)
