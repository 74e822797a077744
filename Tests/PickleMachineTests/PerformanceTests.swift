import PickleMachine
import XCTest

/// A checkpoint-shaped pickle of 100k tensors (about 14 MB, the data.pkl of a large model), written
/// by our pickler and read back. Run in release to see real figures:
/// `swift test -c release --filter PickleMachineTests.PerformanceTests`.
final class PerformanceTests: XCTestCase {
    #if DEBUG
        static let tensorCount = 10_000  // keeps the debug suite quick; release measures the real size
    #else
        static let tensorCount = 100_000
    #endif

    /// An OrderedDict of `count` tensors as torch.save writes a state_dict.
    static func checkpointGraph(tensors count: Int) -> (PickleGraph, PickleValue) {
        var graph = PickleGraph()
        let rebuild = PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")
        let storageClass = graph.add(PickleNode(kind: .global(PickleGlobal(module: "torch", name: "FloatStorage"))))
        var entries: [PickleDictEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let channels = Int64(index % 512 + 1)
            let pidTuple = graph.add(
                PickleNode(
                    kind: .tuple,
                    items: [
                        .string("storage"), storageClass, .string(String(index)), .string("cpu"), .int(576 * channels),
                    ]))
            let storage = graph.add(PickleNode(kind: .persistentID, args: pidTuple))
            let size = graph.add(PickleNode(kind: .tuple, items: [.int(64), .int(channels), .int(3), .int(3)]))
            let stride = graph.add(PickleNode(kind: .tuple, items: [.int(9 * channels), .int(9), .int(3), .int(1)]))
            let hooks = graph.add(PickleNode(kind: .dict(ordered: true)))
            let args = graph.add(PickleNode(kind: .tuple, items: [storage, .int(0), size, stride, .bool(false), hooks]))
            let tensor = graph.add(PickleNode(kind: .call(rebuild), args: args))
            entries.append(
                PickleDictEntry(key: .string("model.layers.\(index / 4).block.conv\(index % 4).weight"), value: tensor))
        }
        let root = graph.add(PickleNode(kind: .dict(ordered: true), entries: entries))
        return (graph, root)
    }

    static let checkpoint: [UInt8] = {
        let (graph, root) = checkpointGraph(tensors: tensorCount)
        return try! Pickler.pickle(graph, root: root)
    }()

    func testWritingCheckpoint() throws {
        let (graph, root) = Self.checkpointGraph(tensors: Self.tensorCount)
        var bytes: [UInt8] = []
        let elapsed = try ContinuousClock().measure { bytes = try Pickler.pickle(graph, root: root) }
        print("pickled \(Self.tensorCount) tensors into \(bytes.count) bytes in \(elapsed)")
        XCTAssertEqual(bytes, Self.checkpoint)
    }

    func testReadingCheckpoint() throws {
        let bytes = Self.checkpoint
        var result: UnpickleResult?
        let elapsed = try ContinuousClock().measure { result = try Unpickler.unpickle(bytes, policy: torchPolicy) }
        print("unpickled \(bytes.count) bytes (\(Self.tensorCount) tensors) in \(elapsed)")
        XCTAssertGreaterThan(bytes.count, Self.tensorCount * 100)
        guard case .node(let dict)? = result?.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result?.graph[dict].entries.count, Self.tensorCount)
        XCTAssertEqual(try Pickler.pickle(result!.graph, root: result!.root), bytes)
    }
}
