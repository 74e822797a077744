import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// A research training checkpoint (fixtures/data_objects/research.pth: numpy metrics, an argparse.Namespace with
/// paths and a numpy seed, a defaultdict, a frozenset, Adam state): merged into the form torch's weights-only
/// loader accepts, every conversion listed, and `verify` reporting them as converted, not changed.
final class DataObjectMergeTests: XCTestCase {
    private var scratch: URL!
    private let input = Fixtures.path("data_objects/research.pth")

    override func setUpWithError() throws { scratch = try Fixtures.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func merge(keepObjects: Bool = false) throws -> (Checkpoint, MergeOutcome) {
        var request = MergeRequest(
            input: input, output: scratch.appendingPathComponent(keepObjects ? "kept.pth" : "out.pth").path)
        request.merge.keepObjects = keepObjects
        let outcome = try MergeRun.run(request)
        return (try CheckpointReader.open(request.output), outcome)
    }

    private func value(_ path: String, in checkpoint: Checkpoint) throws -> PickleValue? {
        try checkpoint.entries().first { $0.dottedPath == path }?.value
    }

    func testEveryConversionIsListedWithWhatItBecame() throws {
        let (_, outcome) = try merge()
        XCTAssertTrue(outcome.report.passed)
        XCTAssertEqual(outcome.report.dropped, ["optimizer"])
        let converted = outcome.report.converted.map { "\($0.path): \($0.from) -> \($0.to)" }
        XCTAssertEqual(
            converted,
            [
                "best_psnr: numpy.float64 -> float 24.75",
                "best_ssim: numpy.float32 -> float 0.8125",
                "psnr_history: numpy.ndarray float64 [3] -> tensor float64 [3]",
                "args: argparse.Namespace -> dict of 8 entries",
                "args.data_dir: pathlib.PosixPath -> str '/data/LOL/our485'",
                "args.save_dir: pathlib.PosixPath -> str 'runs/exp1'",
                "args.windows_dir: pathlib.PureWindowsPath -> str 'C:\\Users\\lab\\ckpt'",
                "args.seed: numpy.int64 -> int 42",
                "counts: collections.defaultdict (factory builtins.int) -> dict",
                "tags: frozenset -> set",
            ])
        XCTAssertTrue(outcome.report.text().contains("converted: best_psnr (numpy.float64 -> float 24.75)"))
        let json = outcome.report.json().serialized()
        XCTAssertTrue(json.contains("\"path\": \"args.seed\""), json)
    }

    /// The output names only globals torch's weights-only loader allows, and holds the values torch read.
    func testTheOutputHoldsTheValuesInWeightsOnlyForm() throws {
        let (output, _) = try merge()
        let unsafe = output.globals.map(\.global).filter { !TorchAllowList.allows($0) }
        XCTAssertEqual(unsafe, [], "every global of the output is on torch's allow-list")
        XCTAssertEqual(try value("best_psnr", in: output), .float(24.75))
        XCTAssertEqual(try value("best_ssim", in: output), .float(0.8125))
        XCTAssertEqual(try value("args.seed", in: output), .int(42))
        XCTAssertEqual(try value("args.data_dir", in: output), .string("/data/LOL/our485"))
        XCTAssertEqual(try value("args.windows_dir", in: output), .string("C:\\Users\\lab\\ckpt"))
        XCTAssertEqual(try value("counts.train", in: output), .int(3))
        let history = try XCTUnwrap(output.namedTensors().first { $0.name == "psnr_history" }?.tensor)
        XCTAssertEqual(history.dtype, .float64)
        XCTAssertEqual(try output.doubleValues(of: history), [21.25, 23.5, 24.75])
        XCTAssertEqual(output.graph.node(try XCTUnwrap(value("tags", in: output)))?.kind, .set(frozen: false))
    }

    func testVerifyReportsConversionsAsConvertedNotChanged() throws {
        let (_, outcome) = try merge()
        let report = try VerifyRun.run(VerifyRequest(original: input, merged: scratch.appendingPathComponent("out.pth").path))
        XCTAssertTrue(report.passed, report.text())
        XCTAssertEqual(report.converted.map(\.path), outcome.report.converted.map(\.path))
        XCTAssertEqual(report.passThrough?.changed, [])
    }

    /// A converted value that is not what the original held is a change.
    func testVerifyCatchesAConvertedValueThatDiffers() throws {
        _ = try merge()
        var editing = try CheckpointEditing(scratch.appendingPathComponent("out.pth").path)
        editing.set("best_psnr", to: .float(24.5))
        editing.set("seed", in: "args", to: .int(41))
        let tampered = scratch.appendingPathComponent("tampered.pth").path
        try editing.write(to: tampered)
        let report = try VerifyRun.run(VerifyRequest(original: input, merged: tampered))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(
            report.passThrough?.changed,
            [
                "best_psnr: numpy.float64 should be 24.75, found 24.5", "args.seed: numpy.int64 should be 42, found 41",
            ])
    }

    /// `--keep-objects`: written back as read; verify finds nothing converted.
    func testKeepObjectsWritesThemAsRead() throws {
        let (kept, outcome) = try merge(keepObjects: true)
        XCTAssertEqual(outcome.report.converted.count, 0)
        XCTAssertTrue(outcome.report.warnings.contains { $0.contains("weights_only=False") }, "\(outcome.report.warnings)")
        XCTAssertFalse(kept.decoded.isEmpty)
        XCTAssertEqual(kept.defaultDictFactories.values.sorted(), ["builtins.int"])
        let report = try VerifyRun.run(VerifyRequest(original: input, merged: scratch.appendingPathComponent("kept.pth").path))
        XCTAssertTrue(report.passed, report.text())
        XCTAssertEqual(report.converted.count, 0)
    }

    /// A safetensors output holds the network's state dict, not the root dict that holds only converted arrays;
    /// verify compares the converted scalars with its metadata.
    func testSafetensorsOutputHoldsTheNetworkNotTheConvertedArrays() throws {
        var request = MergeRequest(input: input, output: scratch.appendingPathComponent("out.safetensors").path)
        request.format = .safetensors
        let outcome = try MergeRun.run(request)
        XCTAssertTrue(outcome.report.passed)
        let written = try CheckpointReader.open(request.output)
        let names = try written.namedTensors().map(\.name)
        XCTAssertTrue(names.contains("stem.weight") && !names.contains("psnr_history"), "\(names)")
        XCTAssertEqual(written.format.safetensors?.metadata?.first { $0.key == "best_psnr" }?.value, "24.75")
        let report = try VerifyRun.run(VerifyRequest(original: input, merged: request.output))
        XCTAssertTrue(report.passed, report.text())
        XCTAssertFalse(report.warnings.contains { $0.contains("best_psnr") }, "\(report.warnings)")
    }
}
