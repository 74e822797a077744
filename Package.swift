// swift-tools-version:5.9
import PackageDescription

// Dependencies run one way, top to bottom: C shims, containers, the pickle machine, the checkpoint model, the
// DAConv fold and the convolution engine, inspection and verification, the merge front door, the command line.
// docs/architecture.md draws the same map and follows `merge-daconv IN OUT` through it.
let package = Package(
    name: "merge-daconv",
    products: [
        .executable(name: "merge-daconv", targets: ["merge-daconv"]),
        // Everything but the command line: `import MergeDAConv` to read, merge, verify and inspect checkpoints.
        .library(
            name: "MergeDAConv",
            targets: [
                "CheckpointContainers", "PickleMachine", "TorchCheckpoint", "DAConvMerge", "ConvEngine", "DAConvVerify",
                "CheckpointInspection", "MergeDAConv",
            ]
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // MARK: C: libzip and zlib found by pkg-config; our kernels; process-wide settings

        .systemLibrary(name: "CMergeDAConvZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CMergeDAConvZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Arithmetic, CPU features chosen at run time: convolution GEMMs, the fold and its probe statistics,
        // reductions, CRC-32 by carry-less multiplication.
        .target(name: "CMergeDAConvKernels"),
        // The process, not the data: glibc allocator settings, and removal of temporary files when SIGINT,
        // SIGTERM or SIGHUP ends the process.
        .target(name: "CMergeDAConvProcess"),

        // MARK: Containers: zip read through libzip (and our own central-directory checks), zip and safetensors
        // written by our own writer, file access and placement (POSIX), CRC-32; no pickle, no torch

        .target(
            name: "CheckpointContainers",
            dependencies: ["CMergeDAConvZip", "CMergeDAConvZlib", "CMergeDAConvKernels", "CMergeDAConvProcess"]
        ),

        // MARK: The inert unpickler and a protocol-2 pickler; no torch

        .target(name: "PickleMachine"),

        // MARK: The checkpoint model: tensors, storages, the value tree, torch's rebuild allow-list, numpy and
        // other data objects, the global audit, checkpoint readers and writers

        .target(name: "TorchCheckpoint", dependencies: ["CheckpointContainers", "PickleMachine"]),

        // MARK: DAConv detection, folding and merge planning: pure math and plans over the checkpoint model

        .target(
            name: "DAConvMerge",
            dependencies: ["TorchCheckpoint", "CheckpointContainers", "PickleMachine", "CMergeDAConvKernels"]),

        // MARK: The convolution engine (blocked GEMMs over packed panels) and weight reductions; no checkpoints

        .target(name: "ConvEngine", dependencies: ["CMergeDAConvKernels"]),

        // MARK: `inspect` and `inspect --audit`: what a checkpoint holds, in text and JSON

        .target(
            name: "CheckpointInspection",
            dependencies: ["TorchCheckpoint", "DAConvMerge", "PickleMachine", "CheckpointContainers"]),

        // MARK: Equivalence: probes, tolerances, reports (text, JSON, JUnit, Markdown), `verify`

        .target(name: "DAConvVerify", dependencies: ["ConvEngine", "DAConvMerge", "TorchCheckpoint", "PickleMachine"]),

        // MARK: The front door: running a merge (plan, fold pipeline, writer, checks) and batches of merges

        .target(
            name: "MergeDAConv",
            dependencies: [
                "DAConvVerify", "ConvEngine", "DAConvMerge", "CheckpointInspection", "TorchCheckpoint", "CheckpointContainers",
                "PickleMachine",
            ]
        ),

        // MARK: Command line: the subcommands as a library, and a few lines of main

        .target(
            name: "MergeDAConvCommands",
            dependencies: [
                "MergeDAConv", "CMergeDAConvProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "merge-daconv", dependencies: ["MergeDAConvCommands"]),

        // MARK: Tests, one target per library target

        .target(name: "TestSupport", dependencies: ["TorchCheckpoint", "PickleMachine"], path: "Tests/TestSupport"),
        .testTarget(name: "CheckpointContainersTests", dependencies: ["CheckpointContainers", "TestSupport"]),
        .testTarget(name: "PickleMachineTests", dependencies: ["PickleMachine", "TestSupport"], exclude: ["make_vectors.py"]),
        .testTarget(name: "TorchCheckpointTests", dependencies: ["TorchCheckpoint", "TestSupport"]),
        .testTarget(name: "DAConvMergeTests", dependencies: ["DAConvMerge", "TestSupport"]),
        .testTarget(name: "ConvEngineTests", dependencies: ["ConvEngine", "TestSupport"]),
        .testTarget(name: "CheckpointInspectionTests", dependencies: ["CheckpointInspection", "TestSupport"]),
        .testTarget(name: "DAConvVerifyTests", dependencies: ["DAConvVerify", "ConvEngine", "TestSupport"]),
        .testTarget(name: "MergeDAConvTests", dependencies: ["MergeDAConv", "TestSupport"]),
        .testTarget(name: "MergeDAConvCommandsTests", dependencies: ["MergeDAConvCommands", "TestSupport"]),
        // docs/library.md's example, compiled as a user's code is: against the product's public interface only.
        .testTarget(name: "LibraryExampleTests", dependencies: ["MergeDAConv", "TestSupport"]),
    ]
)
