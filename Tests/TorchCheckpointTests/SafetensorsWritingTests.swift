import CheckpointContainers
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// Writing drafts as safetensors: byte for byte what the reference library writes, the state dict chosen in a
/// wrapped checkpoint, metadata, shared and strided tensors, and what cannot be written.
final class SafetensorsWritingTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ input: String, stateDictPath: [String]? = nil) throws -> (Checkpoint, SafetensorsWriteReport, String) {
        let checkpoint = try CheckpointReader.open(input)
        let output = folder.appendingPathComponent("out-\(UUID().uuidString).safetensors").path
        let (summary, report) = try SafetensorsCheckpointWriter.write(
            CheckpointDraft(copying: checkpoint), to: output, stateDictPath: stateDictPath)
        XCTAssertEqual(summary.path, output)
        return (checkpoint, report, output)
    }

    private func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Reading a file of the reference library and writing it back gives the same bytes: same layout, JSON
    /// spelling, padding and metadata.
    func testWriteBackIsByteIdenticalToTheReference() throws {
        for name in ["tiny_sd", "tiny_sd_bf16", "dtypes"] {
            let input = SafetensorsFacts.path("\(name).safetensors")
            let (_, report, output) = try write(input)
            XCTAssertEqual(try bytes(output), try bytes(input), name)
            XCTAssertEqual(report.omitted, [], name)
            XCTAssertEqual(report.copiedShares, [], name)
        }
    }

    /// The pickled twin gives the reference's bytes too (minus `_metadata`, which safetensors cannot hold).
    func testPickledStateDictGivesTheReferenceBytes() throws {
        let (_, report, output) = try write(Fixtures.path("tiny_sd.pth"))
        XCTAssertEqual(try bytes(output), try bytes(SafetensorsFacts.path("tiny_sd.safetensors")))
        XCTAssertEqual(report.stateDictPath, [])
        XCTAssertEqual(report.omitted, [SafetensorsOmission(path: "_metadata", what: "torch's per-module version numbers")])
    }

    func testTrainingCheckpointWritesItsModelAndKeepsScalarsAsMetadata() throws {
        let (input, report, output) = try write(Fixtures.path("train_checkpoint.pth"))
        XCTAssertEqual(report.stateDictPath, ["model"])
        XCTAssertEqual(report.outputName(forPath: "model.head.weight"), "head.weight")
        XCTAssertNil(report.outputName(forPath: "optimizer.state.0.exp_avg"))
        XCTAssertTrue(
            report.metadataKeys.contains("epoch") && report.metadataKeys.contains("config.lr"), "\(report.metadataKeys)")
        XCTAssertEqual(report.omitted.map(\.path), ["optimizer", "config.pretrained", "model._metadata"])
        let written = try CheckpointReader.open(output)
        let model = try input.namedTensors().filter { $0.name.hasPrefix("model.") }
        XCTAssertEqual(Set(try written.namedTensors().map(\.name)), Set(model.map { String($0.name.dropFirst(6)) }))
        let metadata = Dictionary(uniqueKeysWithValues: (written.format.safetensors?.metadata ?? []).map { ($0.key, $0.value) })
        XCTAssertEqual(metadata["epoch"], "12")
        XCTAssertEqual(metadata["best_psnr"], "23.5")
        XCTAssertEqual(metadata["config.amp"], "True")
        XCTAssertEqual(metadata["format"], "pt")
        XCTAssertEqual(report.notes.first, "safetensors holds one state dict: wrote 'model' (names without its prefix)")
    }

    func testRequestedStateDict() throws {
        let (_, report, _) = try write(Fixtures.path("train_checkpoint.pth"), stateDictPath: ["optimizer", "state", "0"])
        XCTAssertEqual(report.stateDictPath, ["optimizer", "state", "0"])
        XCTAssertThrowsError(try write(Fixtures.path("train_checkpoint.pth"), stateDictPath: ["nothing"])) { error in
            guard case .writeFailed(let detail) = (error as? CheckpointError)?.reason else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("'nothing'"), detail)
        }
    }

    /// Views, transposes, slices, expanded and tied tensors are each written contiguous, as separate copies.
    func testSharedAndStridedTensorsAreWrittenAsContiguousCopies() throws {
        let (input, report, output) = try write(Fixtures.path("views.pth"))
        XCTAssertEqual(report.copiedShares, [["base", "tied", "transposed", "offset_slice", "window", "strided", "expanded"]])
        let written = try CheckpointReader.open(output)
        let copies = Dictionary(uniqueKeysWithValues: try written.namedTensors().map { ($0.name, $0.tensor) })
        for named in try input.namedTensors() {
            let copy = try XCTUnwrap(copies[named.name], named.name)
            XCTAssertEqual(copy.shape, named.tensor.shape, named.name)
            XCTAssertEqual(try written.contiguousBytes(of: copy), try input.contiguousBytes(of: named.tensor), named.name)
        }
        XCTAssertEqual(Set(written.storageOrder).count, copies.count, "one storage per tensor")
    }

    /// Every safetensors dtype survives safetensors -> zip -> read (the newer ones through `_rebuild_tensor_v3`).
    func testDTypesRoundTripThroughZip() throws {
        let input = try CheckpointReader.open(SafetensorsFacts.path("dtypes.safetensors"))
        let zipPath = folder.appendingPathComponent("dtypes.pth").path
        _ = try CheckpointWriter.write(CheckpointDraft(copying: input), to: zipPath)
        let back = try CheckpointReader.open(zipPath)
        let original = try input.namedTensors()
        let copies = try back.namedTensors()
        XCTAssertEqual(copies.map(\.name), original.map(\.name))
        for (a, b) in zip(original, copies) {
            XCTAssertEqual(a.tensor.dtype, b.tensor.dtype, a.name)
            XCTAssertEqual(a.tensor.shape, b.tensor.shape, a.name)
            XCTAssertEqual(a.tensor.rebuildFunction, b.tensor.rebuildFunction, a.name)
            XCTAssertEqual(try input.contiguousBytes(of: a.tensor), try back.contiguousBytes(of: b.tensor), a.name)
        }
    }

    func testDTypesSafetensorsCannotHoldAreRefusedByName() throws {
        XCTAssertThrowsError(try write(Fixtures.path("dtypes_exotic.pth"))) { error in
            guard case .writeFailed(let detail) = (error as? CheckpointError)?.reason else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("safetensors cannot hold"), detail)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "no file left behind")
    }

    func testDTypeMappingIsOneToOne() {
        for dtype in SafetensorsDType.allCases {
            XCTAssertEqual(TorchDType(safetensors: dtype).safetensorsDType, dtype, dtype.rawValue)
        }
        XCTAssertNil(TorchDType.complex128.safetensorsDType)
        XCTAssertNil(TorchDType.float8_e8m0fnu.safetensorsDType)
    }

    func testExistingOutputNeedsReplaceExisting() throws {
        let output = folder.appendingPathComponent("taken.safetensors").path
        try Data([1]).write(to: URL(fileURLWithPath: output))
        let draft = CheckpointDraft(copying: try CheckpointReader.open(SafetensorsFacts.path("dtypes.safetensors")))
        XCTAssertThrowsError(try SafetensorsCheckpointWriter.write(draft, to: output))
        XCTAssertEqual(try bytes(output), Data([1]))
        _ = try SafetensorsCheckpointWriter.write(draft, to: output, options: CheckpointWriteOptions(replaceExisting: true))
        XCTAssertEqual(try bytes(output), try bytes(SafetensorsFacts.path("dtypes.safetensors")))
    }
}
