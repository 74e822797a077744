import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// Merging to and from safetensors gives torch's fold (fixtures/*.expected.pth), and verify pairs a
/// safetensors side with a pickled one.
final class SafetensorsMergeTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func scratchPath(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    private func merge(_ input: String, to name: String, format: CheckpointOutputFormat? = nil) throws -> (String, MergeOutcome) {
        var request = MergeRequest(input: input, output: scratchPath(name))
        request.format = format
        return (request.output, try MergeRun.run(request))
    }

    /// Every tensor of `output` equals the one of torch's expected file under `prefix + name`: folded ones
    /// within one ulp, the others bit for bit.
    private func assertMatchesTorchsFold(
        _ output: String, expected: String, prefix: String = "", folded: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let ours = try CheckpointReader.open(output)
        let torchs = try CheckpointReader.open(expected)
        let reference = Dictionary(uniqueKeysWithValues: try torchs.namedTensors().map { ($0.name, $0.tensor) })
        let tensors = try ours.namedTensors()
        XCTAssertEqual(
            Set(tensors.map { prefix + $0.name }), Set(reference.keys.filter { $0.hasPrefix(prefix) }), file: file, line: line)
        for named in tensors {
            let twin = try XCTUnwrap(reference[prefix + named.name], file: file, line: line)
            let a = try ours.contiguousBytes(of: named.tensor)
            let b = try torchs.contiguousBytes(of: twin)
            if folded.contains(where: { named.name == $0 + ".weight" || named.name == $0 + ".bias" }) {
                XCTAssertLessThanOrEqual(ULP.maxDistance(a, b, dtype: twin.dtype), 1, named.name, file: file, line: line)
            } else {
                XCTAssertEqual(a, b, named.name, file: file, line: line)
            }
        }
    }

    func testSafetensorsInputMergesToTorchsFoldInBothFormats() throws {
        for name in ["tiny_sd", "tiny_sd_bf16"] {
            let input = SafetensorsFacts.path("\(name).safetensors")
            for (output, format) in [("\(name).safetensors", CheckpointOutputFormat.safetensors), ("\(name).pth", .zip)] {
                let (path, outcome) = try merge(input, to: output)
                XCTAssertTrue(outcome.report.passed, "\(output): \(outcome.report.text())")
                XCTAssertEqual(try CheckpointReader.open(path).format.kind, format == .zip ? .zip : .safetensors)
                try assertMatchesTorchsFold(
                    path, expected: Fixtures.path("\(name).expected.pth"), folded: outcome.report.layers.map(\.module))
            }
        }
    }

    /// The safetensors input merges to exactly the tensors its .pth twin merges to.
    func testSafetensorsAndPthTwinsMergeToTheSameTensors() throws {
        let (fromSafetensors, _) = try merge(SafetensorsFacts.path("tiny_sd.safetensors"), to: "a.safetensors")
        let (fromPth, _) = try merge(Fixtures.path("tiny_sd.pth"), to: "b.safetensors")
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: fromSafetensors)), try Data(contentsOf: URL(fileURLWithPath: fromPth)))
    }

    func testTrainingCheckpointToSafetensorsWritesTheMergedModel() throws {
        let (path, outcome) = try merge(Fixtures.path("train_checkpoint.pth"), to: "train.out", format: .safetensors)
        XCTAssertTrue(outcome.report.passed)
        XCTAssertEqual(outcome.report.dropped, ["optimizer"])
        XCTAssertTrue(
            outcome.report.warnings.contains("safetensors holds one state dict: wrote 'model' (names without its prefix)"),
            "\(outcome.report.warnings)")
        XCTAssertTrue(outcome.report.warnings.contains { $0.hasPrefix("kept in safetensors __metadata__ as strings: epoch") })
        try assertMatchesTorchsFold(
            path, expected: Fixtures.path("train_checkpoint.expected.pth"), prefix: "model.",
            folded: outcome.report.layers.map { String($0.module.dropFirst("model.".count)) })
    }

    /// Without DAConv the content passes through: safetensors to safetensors byte for byte, metadata included;
    /// to zip, the metadata that torch's format has no place for is reported.
    func testMetadataIsCarriedOrReported() throws {
        let input = SafetensorsFacts.path("dtypes.safetensors")
        let (same, _) = try merge(input, to: "same.safetensors")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: same)), try Data(contentsOf: URL(fileURLWithPath: input)))
        let (_, outcome) = try merge(input, to: "dtypes.pth")
        XCTAssertTrue(
            outcome.report.warnings.contains("the input's safetensors __metadata__ (format) is not written to a zip checkpoint"),
            "\(outcome.report.warnings)")
    }

    func testFormatFollowsTheExtensionUnlessGiven() throws {
        let (zip, _) = try merge(SafetensorsFacts.path("tiny_sd.safetensors"), to: "explicit.safetensors", format: .zip)
        XCTAssertEqual(try CheckpointReader.open(zip).format.kind, .zip)
        let (inferred, _) = try merge(Fixtures.path("tiny_sd.pth"), to: "upper.SAFETENSORS")
        XCTAssertEqual(try CheckpointReader.open(inferred).format.kind, .safetensors)
    }

    func testVerifyPairsSafetensorsWithPickledCheckpoints() throws {
        let (merged, _) = try merge(Fixtures.path("train_checkpoint.pth"), to: "train.safetensors")
        let pairs = [
            (Fixtures.path("train_checkpoint.pth"), merged),
            (Fixtures.path("tiny_sd.pth"), try merge(Fixtures.path("tiny_sd.pth"), to: "tiny.safetensors").0),
            (SafetensorsFacts.path("tiny_sd.safetensors"), Fixtures.path("tiny_sd.expected.pth")),
            (
                SafetensorsFacts.path("tiny_sd.safetensors"),
                try merge(SafetensorsFacts.path("tiny_sd.safetensors"), to: "t.safetensors").0
            ),
        ]
        for (original, merged) in pairs {
            let report = try VerifyRun.run(VerifyRequest(original: original, merged: merged))
            XCTAssertTrue(report.passed, "\(original) vs \(merged): \(report.text())")
            XCTAssertEqual(report.layers.count, 4)
        }
        let training = try VerifyRun.run(VerifyRequest(original: Fixtures.path("train_checkpoint.pth"), merged: merged))
        XCTAssertEqual(training.dropped, ["optimizer"])
        XCTAssertGreaterThan(training.passThrough?.compared ?? 0, 7, "scalars kept in __metadata__ are compared too")
    }

    func testVerifyCatchesAChangedSafetensorsMerge() throws {
        var edit = try CheckpointEditing(Fixtures.path("train_checkpoint.expected.pth"))
        let weight = try edit.checkpoint.namedTensors().first { $0.name == "model.down.weight" }!
        let scale = try edit.checkpoint.doubleValues(of: weight.tensor).map(abs).max()!
        try edit.nudge("down.weight", in: "model", element: 40, by: 1e-3 * scale)
        edit.set("epoch", to: .int(13))
        let nudged = scratchPath("nudged.safetensors")
        _ = try SafetensorsCheckpointWriter.write(edit.draft, to: nudged)
        let report = try VerifyRun.run(VerifyRequest(original: Fixtures.path("train_checkpoint.pth"), merged: nudged))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.layers.filter { !$0.passed }.map(\.module), ["model.down"], "named as in the original")
        XCTAssertEqual(report.passThrough?.changed, ["epoch: '12' became '13'"])
    }
}
