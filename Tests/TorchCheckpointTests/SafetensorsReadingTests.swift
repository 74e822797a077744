import CheckpointContainers
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// safetensors files written by the real library read as the same model a pickled state dict gives, and
/// every bad file the library refuses is refused here with the case that names its fault.
final class SafetensorsReadingTests: XCTestCase {
    static let fixtures = ["tiny_sd", "tiny_sd_bf16", "dtypes", "handwritten"]

    func testTensorsMatchTheLibrarysFacts() throws {
        for name in Self.fixtures {
            let facts = try SafetensorsFacts.load(name)
            let checkpoint = try CheckpointReader.open(SafetensorsFacts.path(facts.file))
            XCTAssertEqual(checkpoint.format.kind, .safetensors, name)
            let header = try XCTUnwrap(checkpoint.format.safetensors, name)
            XCTAssertEqual(header.length, facts.header_length, name)
            XCTAssertEqual(
                header.metadata.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) }, facts.metadata, name)
            let tensors = try checkpoint.namedTensors()
            XCTAssertEqual(tensors.map(\.name), facts.tensors.map(\.name), "\(name): names in header order")
            for (ours, theirs) in zip(tensors, facts.tensors) {
                let label = "\(name): \(theirs.name)"
                XCTAssertEqual(ours.tensor.dtype.rawValue, theirs.torch_dtype, label)
                XCTAssertEqual(ours.tensor.shape, theirs.shape, label)
                XCTAssertTrue(ours.tensor.isContiguous && ours.tensor.storageOffset == 0, label)
                XCTAssertEqual(
                    ours.tensor.rebuildFunction,
                    ours.tensor.dtype.storageClassName == nil ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2", label)
                XCTAssertEqual(SHA256.hex(try checkpoint.contiguousBytes(of: ours.tensor)), theirs.sha256, "\(label): bytes")
            }
        }
    }

    func testTensorsEqualTheirPickledTwins() throws {
        for name in ["tiny_sd", "tiny_sd_bf16"] {
            let safetensors = try CheckpointReader.open(SafetensorsFacts.path("\(name).safetensors"))
            let pickled = try CheckpointReader.open(Fixtures.path("\(name).pth"))
            let twins = Dictionary(uniqueKeysWithValues: try pickled.namedTensors().map { ($0.name, $0.tensor) })
            let tensors = try safetensors.namedTensors()
            XCTAssertEqual(Set(tensors.map(\.name)), Set(twins.keys), name)
            for named in tensors {
                let twin = try XCTUnwrap(twins[named.name])
                XCTAssertEqual(named.tensor.dtype, twin.dtype, named.name)
                XCTAssertEqual(
                    try safetensors.contiguousBytes(of: named.tensor), try pickled.contiguousBytes(of: twin), named.name)
            }
        }
    }

    func testEveryBadFileIsRefusedWithItsCase() throws {
        let cases = try SafetensorsFacts.badCases()
        XCTAssertGreaterThanOrEqual(cases.count, 14)
        for (file, expected) in cases.sorted(by: { $0.key < $1.key }) {
            let path = SafetensorsFacts.path("bad/\(file)")
            XCTAssertThrowsError(try CheckpointReader.open(path), file) { error in
                guard let error = error as? CheckpointError, case .container(let container) = error.reason,
                    case .invalidSafetensors(let errorPath, let problem) = container
                else {
                    return XCTFail("\(file): \(error) is not a safetensors error")
                }
                XCTAssertEqual(errorPath, path, file)
                XCTAssertEqual(Mirror(reflecting: problem).children.first?.label, expected.problem, "\(file): \(problem)")
                XCTAssertTrue(error.description.hasPrefix(path) && !error.description.contains("\n"), error.description)
            }
        }
    }

    /// A plausible header is recognised whatever the file is called; a broken one only under `.safetensors`.
    func testRecognisedByContentOrByExtension() throws {
        let folder = try Fixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let renamed = folder.appendingPathComponent("model.bin").path
        try FileManager.default.copyItem(atPath: SafetensorsFacts.path("tiny_sd.safetensors"), toPath: renamed)
        XCTAssertEqual(try CheckpointReader.open(renamed).format.kind, .safetensors)
        let broken = try Data(contentsOf: URL(fileURLWithPath: SafetensorsFacts.path("bad/header_beyond_file.safetensors")))
        let unnamed = folder.appendingPathComponent("broken.bin").path
        let named = folder.appendingPathComponent("broken.SafeTensors").path
        try broken.write(to: URL(fileURLWithPath: unnamed))
        try broken.write(to: URL(fileURLWithPath: named))
        XCTAssertThrowsError(try CheckpointReader.open(unnamed)) { error in
            guard case .notACheckpoint = (error as? CheckpointError)?.reason else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CheckpointReader.open(named)) { error in
            guard case .container(.invalidSafetensors(_, .headerBeyondFile)) = (error as? CheckpointError)?.reason else {
                return XCTFail("\(error)")
            }
        }
    }

    func testTensorLimitsApplyToTheHeader() throws {
        var limits = CheckpointLimits.standard
        limits.maxStorages = 3
        let path = SafetensorsFacts.path("tiny_sd.safetensors")
        XCTAssertThrowsError(try CheckpointReader.open(path, limits: limits)) { error in
            XCTAssertEqual(
                (error as? CheckpointError)?.reason,
                .container(.invalidSafetensors(path: path, problem: .tooManyTensors(limit: 3))))
        }
    }
}
