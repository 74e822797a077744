import CheckpointContainers
import PickleMachine

/// A checkpoint file opened for reading: its value tree, storages and tensors, with no tensor byte read yet.
///
/// The tree is the inert pickle graph itself, so everything that is not a tensor passes through a
/// read-merge-write cycle exactly as it was; tensors are an interpretation laid over the rebuild calls.
public final class Checkpoint: @unchecked Sendable {
    public let path: String
    public let format: CheckpointFormat
    /// Empty once handed to a merge draft (``handOverGraph()``).
    public private(set) var graph: PickleGraph
    public let root: PickleValue
    /// Storages by key, and their keys in first-pickled order.
    public let storages: [String: TorchStorage]
    public let storageOrder: [String]
    /// The storages of ``storageOrder``'s keys, in that order: a reader that lists every storage of a file
    /// (inspect) reads them without looking each key up.
    public let storagesInOrder: [TorchStorage]
    /// Tensor rebuild calls of the graph (parameters included), by node.
    public let tensors: PickleNodeMap<TorchTensor>
    /// Allow-listed tensor kinds this tool does not model (quantized, sparse, ...), by node, with their function.
    public let unsupportedTensors: PickleNodeMap<String>
    /// numpy values and paths decoded from their calls, by node (see ``DecodedDataGlobals``).
    public let decoded: PickleNodeMap<DecodedData>
    /// The dicts `collections.defaultdict` built, with their factory's name (`builtins.list`, or `None`).
    public let defaultDictFactories: [PickleNodeID: String]
    /// Storage key of each persistent-id node, so a writer can renumber them.
    public let storageOfPersistentID: PickleNodeMap<String>
    /// Every global the pickle references, in first-use order.
    public let globals: [PickleGlobalUse]
    let bytes: StorageBytes
    let limits: CheckpointLimits
    /// Every place in the tree, listed once when the file is opened.
    private let listing: CheckpointEntries

    /// Lists the tree's places (tensors, unsupported tensors and decoded values are leaves).
    init(
        path: String, format: CheckpointFormat, unpickled: UnpickleResult, interpreter: TensorInterpreter,
        storages: [String: TorchStorage], inOrder: [TorchStorage]? = nil, bytes: StorageBytes, limits: CheckpointLimits
    ) throws {
        self.path = path
        self.format = format
        self.graph = unpickled.graph
        self.root = unpickled.root
        self.globals = unpickled.globals
        self.storages = storages
        self.storageOrder = interpreter.storageOrder
        self.storagesInOrder = inOrder ?? interpreter.storageOrder.compactMap { storages[$0] }
        self.tensors = interpreter.tensors
        self.unsupportedTensors = interpreter.unsupportedTensors
        self.decoded = interpreter.decoded
        self.defaultDictFactories = unpickled.defaultDictFactories
        self.storageOfPersistentID = interpreter.storageOfPersistentID
        self.bytes = bytes
        self.limits = limits
        var leaves = PickleNodeSet(interpreter.tensors.keys, nodeCount: unpickled.graph.nodeCount)
        for id in interpreter.unsupportedTensors.keys + interpreter.decoded.keys { leaves.insert(id) }
        var walker = CheckpointPathWalker(graph: unpickled.graph, leaves: leaves, maxDepth: limits.maxDepth)
        walker.decoded = interpreter.decoded
        listing = try walker.entries(from: unpickled.root)
    }

    /// Gives the tree to the one merge draft that edits it, so the draft's first edit does not copy every node
    /// record and slot (26 MB at 40,000 tensors: a sixth of that merge's peak memory). Only a merge that holds
    /// the checkpoint alone and reads its tree no more calls it; the checkpoint keeps its tensors, storages and
    /// listing, but its ``graph`` is empty from then on.
    package func handOverGraph() -> PickleGraph {
        defer { graph = PickleGraph() }
        return graph
    }

    /// Size of the file in bytes.
    public var fileSize: UInt64 { bytes.fileSize }

    /// Every place in the tree, depth first; shared containers expanded once (see ``CheckpointEntry/aliasOf``).
    /// Listed when the file was opened (it throws no more).
    public func entries() throws -> CheckpointEntries {
        listing
    }

    /// Every tensor reachable from the root, with its dotted path, in tree order. A tensor reached by two
    /// paths (tied weights) is listed under both.
    public func namedTensors() throws -> [(name: String, node: PickleNodeID, tensor: TorchTensor)] {
        listing.indices.compactMap { index in
            guard let id = listing.value(at: index).nodeID, let tensor = tensors[id] else { return nil }
            return (listing.dottedPath(at: index), id, tensor)
        }
    }

    /// The storage a tensor views.
    public func storage(of tensor: TorchTensor) -> TorchStorage {
        guard let storage = storages[tensor.storageKey] else {
            preconditionFailure("tensor storages are resolved when the checkpoint is opened")
        }
        return storage
    }
}
