import CheckpointContainers
import Foundation
import PickleMachine
import Synchronization
import TestSupport
import TorchCheckpoint
import XCTest

/// A draft's computed tensors get their bytes from the source the writer is given when it writes: asked once
/// each, in the order the writer reaches them, and held to their declared size.
final class ComputedTensorWritingTests: XCTestCase {
    /// Answers with each tensor's index in every element and records what it was asked.
    final class RecordingSource: ComputedTensorSource {
        let asked = Mutex<[ComputedTensorID]>([])
        let shortBy: Int

        init(shortBy: Int = 0) { self.shortBy = shortBy }

        func bytes(of tensor: ComputedTensorID) throws -> RecordBytes {
            asked.withLock { $0.append(tensor) }
            let elements = tensor.part == .weight ? 6 : 2
            let value = Float(tensor.index) + (tensor.part == .bias ? 0.5 : 0)
            return RecordBytes(FloatingPointBytes.encodeFloat32([Float](repeating: value, count: elements)).dropLast(shortBy))
        }
    }

    private func draft() throws -> CheckpointDraft {
        var draft = CheckpointDraft(copying: try CheckpointReader.open(Fixtures.path("no_daconv.pth")))
        let root = try XCTUnwrap(draft.root.nodeID)
        for (index, name) in ["a", "b"].enumerated() {
            let weight = draft.addComputedTensor(ComputedTensorID(index: index, part: .weight), dtype: .float32, shape: [2, 3])
            let bias = draft.addComputedTensor(ComputedTensorID(index: index, part: .bias), dtype: .float32, shape: [2])
            draft.graph[root].entries.append(PickleDictEntry(key: .string("\(name).weight"), value: weight))
            draft.graph[root].entries.append(PickleDictEntry(key: .string("\(name).bias"), value: bias))
        }
        return draft
    }

    func testTheWriterAsksTheSourceItIsGivenOnceForEachComputedTensor() throws {
        let scratch = try Fixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for format in ["pth", "safetensors"] {
            let source = RecordingSource()
            let path = scratch.appendingPathComponent("out.\(format)").path
            if format == "pth" {
                _ = try CheckpointWriter.write(try draft(), computed: source, to: path)
            } else {
                _ = try SafetensorsCheckpointWriter.write(try draft(), computed: source, to: path, stateDictPath: [])
            }
            XCTAssertEqual(
                source.asked.withLock { $0 },
                [
                    ComputedTensorID(index: 0, part: .weight), ComputedTensorID(index: 0, part: .bias),
                    ComputedTensorID(index: 1, part: .weight), ComputedTensorID(index: 1, part: .bias),
                ], format)
            let written = try CheckpointReader.open(path)
            let tensors = Dictionary(try written.namedTensors().map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(try written.doubleValues(of: XCTUnwrap(tensors["b.weight"])), [Double](repeating: 1, count: 6), format)
            XCTAssertEqual(try written.doubleValues(of: XCTUnwrap(tensors["a.bias"])), [0.5, 0.5], format)
        }
    }

    func testBytesOfTheWrongSizeFailTheWriteNamingTheStorageAndLeaveNoFile() throws {
        let scratch = try Fixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("out.pth").path
        XCTAssertThrowsError(try CheckpointWriter.write(try draft(), computed: RecordingSource(shortBy: 4), to: path)) { error in
            XCTAssertTrue("\(error)".contains("computed storage computed:0"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}
