// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "merge-daconv",
    products: [
        .executable(name: "merge-daconv", targets: ["merge-daconv"]),
        // Everything but the command line, so other Swift programs can read, merge and verify checkpoints.
        .library(
            name: "MergeDAConv",
            targets: ["CheckpointContainers", "PickleMachine", "TorchCheckpoint", "DAConvMerge", "DAConvVerify"]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: C libraries, found by pkg-config
        .systemLibrary(name: "CMergeDAConvZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CMergeDAConvZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: Containers: zip read through libzip (and our own central-directory checks), zip and safetensors
        // written by our own writer, raw file access, CRC-32; no pickle, no torch
        .target(name: "CheckpointContainers", dependencies: ["CMergeDAConvZip", "CMergeDAConvZlib", "CMergeDAConvKernels"]),

        // MARK: C kernels, CPU features chosen at run time: convolution GEMMs, the fold and its probe statistics,
        // reductions, CRC-32 by carry-less multiplication, glibc allocator settings, removal of temporary files
        // when SIGINT, SIGTERM or SIGHUP ends the process
        .target(name: "CMergeDAConvKernels"),

        // MARK: The inert unpickler and a protocol-2 pickler; no torch
        .target(name: "PickleMachine"),

        // MARK: Tensors, storages, the value tree, torch's rebuild allow-list, checkpoint readers and writers
        .target(name: "TorchCheckpoint", dependencies: ["CheckpointContainers", "PickleMachine"]),

        // MARK: DAConv detection and folding: pure math over the checkpoint model
        .target(name: "DAConvMerge", dependencies: ["TorchCheckpoint", "CheckpointContainers", "PickleMachine", "CMergeDAConvKernels"]),

        // MARK: Convolution engine, probes, equivalence reports
        .target(name: "DAConvVerify", dependencies: ["TorchCheckpoint", "DAConvMerge", "CMergeDAConvKernels"]),

        // MARK: Command line
        .target(
            name: "MergeDAConvCommands",
            dependencies: [
                "TorchCheckpoint", "DAConvMerge", "DAConvVerify", "CMergeDAConvKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "merge-daconv", dependencies: ["MergeDAConvCommands"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["TorchCheckpoint", "PickleMachine"], path: "Tests/TestSupport"),
        .testTarget(name: "CheckpointContainersTests", dependencies: ["CheckpointContainers", "TestSupport"]),
        .testTarget(name: "PickleMachineTests", dependencies: ["PickleMachine", "TestSupport"], exclude: ["make_vectors.py"]),
        .testTarget(name: "TorchCheckpointTests", dependencies: ["TorchCheckpoint", "TestSupport"]),
        .testTarget(name: "DAConvMergeTests", dependencies: ["DAConvMerge", "TestSupport"]),
        .testTarget(name: "DAConvVerifyTests", dependencies: ["DAConvVerify", "TestSupport"]),
        .testTarget(name: "MergeDAConvCommandsTests", dependencies: ["MergeDAConvCommands", "TestSupport"]),
    ]
)
