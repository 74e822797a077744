import PickleMachine

/// Interprets the allow-listed rebuild calls of a pickle graph as tensors and its persistent ids as
/// storages. Nothing is called: each rebuild function's arguments are read as data and checked.
///
/// What it finds is kept by node index (``PickleNodeMap``). Paths name tensors only in errors, so they are
/// found (by a walk of the tree) only when an error needs one.
struct TensorInterpreter {
    let graph: PickleGraph
    let root: PickleValue
    let limits: CheckpointLimits

    private(set) var declarations = StorageDeclarations()
    /// The position in `declarations` of the declaration each storage persistent id made (its root's for a
    /// legacy view's pair: the view's).
    private var declarationOfPersistentID: PickleNodeMap<Int32>
    /// What a call of each global of the graph's global table means, found when a call first names it.
    private var roles: [RebuildCallRole?]
    private var storageTypes: StorageTypes
    /// Storage keys in order of first appearance in the pickle: the order torch writes `data/<key>` in.
    private(set) var storageOrder: [String] = []
    private(set) var storageOfPersistentID: PickleNodeMap<String>
    private(set) var tensors: PickleNodeMap<TorchTensor>
    /// Calls of allow-listed tensor kinds this tool does not model (quantized, sparse, ...).
    private(set) var unsupportedTensors: PickleNodeMap<String>
    /// numpy values and paths, decoded from their calls (see ``DecodedDataGlobals``).
    private(set) var decoded: PickleNodeMap<DecodedData>
    /// Whether to decode them (a draft's tree holds them converted already).
    var decodesData = true
    /// Calls of the numpy and pathlib data globals, found by the first pass.
    private var dataCalls: [PickleNodeID] = []
    /// The last tensor's shape and strides, which the next tensor shares when its own are the same.
    private var lastShape: [Int] = []
    private var lastStrides: [Int] = []

    init(graph: PickleGraph, root: PickleValue, limits: CheckpointLimits) {
        self.graph = graph
        self.root = root
        self.limits = limits
        storageOfPersistentID = PickleNodeMap(nodeCount: graph.nodeCount)
        declarationOfPersistentID = PickleNodeMap(nodeCount: graph.nodeCount)
        tensors = PickleNodeMap(nodeCount: graph.nodeCount)
        // Usually empty: they grow to the nodes they are given (a per-node table each would be 4 bytes a node).
        unsupportedTensors = PickleNodeMap(nodeCount: 0)
        decoded = PickleNodeMap(nodeCount: 0)
        roles = [RebuildCallRole?](repeating: nil, count: graph.globalCount)
        storageTypes = StorageTypes(globalCount: graph.globalCount)
    }

    /// Visits nodes in creation order, which is pickle order, so arguments come before the calls using them;
    /// then decodes numpy and pathlib calls, dtypes last, so that a refused dtype is named by the path of the
    /// array or scalar that holds it.
    mutating func run() throws {
        var persistentIDs = 0
        var calls = 0
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            if graph.isPersistentID(id) { persistentIDs += 1 } else if graph.isCall(id) { calls += 1 }
        }
        declarations.reserveCapacity(min(persistentIDs, limits.maxStorages))
        storageOfPersistentID.reserveCapacity(persistentIDs)
        declarationOfPersistentID.reserveCapacity(persistentIDs)
        // Most calls of a checkpoint are tensor rebuilds (parameters wrap one each, and are tensors too).
        tensors.reserveCapacity(calls)
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            if graph.isPersistentID(id) {
                try declareStorage(id)
            } else if graph.isCall(id), let number = graph.globalNumber(of: id) {
                try interpretCall(id, number)
            }
        }
        for dtypes in [false, true] where decodesData {
            for id in dataCalls {
                guard case .call(let global) = graph.kind(of: id), (global.qualifiedName == "numpy.dtype") == dtypes else {
                    continue
                }
                try decode(id, global)
            }
        }
    }

    private mutating func declareStorage(_ id: PickleNodeID) throws {
        guard let (root, view) = try StorageDeclaration.parse(graph.args(of: id), in: graph, types: &storageTypes) else {
            return
        }
        storageOfPersistentID[id] = root.key
        declarationOfPersistentID[id] = try declare(root)
        if let view {
            storageOfPersistentID[id] = view.key
            declarationOfPersistentID[id] = try declare(view)
        }
    }

    /// The position of the storage's declaration: the first one made for its key.
    private mutating func declare(_ declaration: StorageDeclaration) throws -> Int32 {
        let (position, inserted) = declarations.insert(declaration)
        guard !inserted else {
            guard declarations.count <= limits.maxStorages else {
                throw CheckpointError.Reason.limitExceeded(what: "number of storages", limit: limits.maxStorages)
            }
            storageOrder.append(declaration.key)
            return position
        }
        try declarations[position].admits(declaration)
        return position
    }

    /// A call by what its global means (see ``RebuildCallRole``), decided once per global.
    private mutating func interpretCall(_ id: PickleNodeID, _ globalNumber: Int) throws {
        let role: RebuildCallRole
        if let known = roles[globalNumber] {
            role = known
        } else {
            role = RebuildCallRole(graph.global(of: id)!)
            roles[globalNumber] = role
        }
        switch role {
        case .ignored: return
        case .rebuildTensor(let function): tensors[id] = try tensor(fromRebuild: function, arguments(of: id), node: id)
        case .wrapsTensor: try rewrapTensor(id, graph.global(of: id)!)
        case .unsupported(let qualified): unsupportedTensors[id] = qualified
        case .data: dataCalls.append(id)
        case .fromType(let qualified):
            guard let (function, inner) = RebuildCallRole.innerRebuild(of: arguments(of: id), in: graph) else {
                unsupportedTensors[id] = qualified
                return
            }
            tensors[id] = try tensor(fromRebuild: function, inner, node: id)
        }
    }

    /// `_rebuild_parameter[_with_state]` and `_rebuild_device_tensor_from_cpu_tensor`: the tensor of their
    /// first argument, as a parameter or with its own `requires_grad`.
    private mutating func rewrapTensor(_ id: PickleNodeID, _ global: PickleGlobal) throws {
        let args = arguments(of: id)
        guard let dataID = args.first?.nodeID, let data = tensors[dataID] else {
            throw malformed(global, node: id, "its first argument is not a tensor")
        }
        tensors[id] = RebuildCallRole.rewrapped(data, by: global, args)
    }

    /// A numpy or pathlib call as the value it stands for; a refusal names the value's path.
    private mutating func decode(_ id: PickleNodeID, _ global: PickleGlobal) throws {
        let node = graph[id]
        do {
            switch global.name {
            case "dtype": decoded[id] = .numpyDType(try NumpyDType.read(node, in: graph))
            case "scalar": decoded[id] = .numpyScalar(try NumpyScalar.read(node, in: graph))
            case "_reconstruct": decoded[id] = .numpyArray(try NumpyArray.reconstructed(node, in: graph))
            case "_frombuffer": decoded[id] = .numpyArray(try NumpyArray.fromBuffer(node, in: graph))
            default: decoded[id] = .path(try PathValue.read(node, class: global, in: graph))
            }
        } catch let problem as DataObjectProblem {
            throw CheckpointError.Reason.dataObject(path: name(of: id), problem.description)
        }
    }

    /// `_rebuild_tensor(storage, offset, size, stride)`, `_v2(..., requires_grad, hooks[, metadata])`,
    /// `_v3(..., requires_grad, hooks, dtype[, metadata])`.
    private mutating func tensor(fromRebuild function: RebuildFunction, _ args: PickleValues, node: PickleNodeID) throws
        -> TorchTensor
    {
        let minimum = function.minimumArguments
        func fail(_ detail: String) -> Error {
            malformed(PickleGlobal(module: "torch._utils", name: function.name), node: node, detail)
        }
        guard args.count >= minimum else { throw fail("\(args.count) arguments, expected \(minimum)") }
        guard let storageID = args[0].nodeID, let position = declarationOfPersistentID[storageID] else {
            throw fail("its first argument is not a storage persistent id")
        }
        let storage = declarations[position]
        guard let offset = args[1].intValue, let shape = graph.ints(args[2], sameAs: lastShape),
            let strides = graph.ints(args[3], sameAs: lastStrides)
        else {
            throw fail("offset, size and stride must be ints and tuples of ints")
        }
        lastShape = shape
        lastStrides = strides
        let tensor = try function.tensor(args, storage: storage, offset: offset, shape: shape, strides: strides, in: graph)
        // The check names the tensor only when it refuses it: naming walks the whole tree.
        try TensorGeometry.validate(tensor, storage: storage, limits: limits) { name(of: node) }
        return tensor
    }

    /// A call's argument tuple, read in place (no items when its args are not a tuple).
    private func arguments(of id: PickleNodeID) -> PickleValues {
        graph.sequenceItems(graph.args(of: id)) ?? PickleValues()
    }

    /// The first dotted path of `node` from the root (`<root>` for the root), found by walking the whole tree:
    /// only errors ask.
    func name(of node: PickleNodeID) -> String {
        Self.name(of: node, graph: graph, root: root, limits: limits)
    }

    /// The same from the parts it needs, for readers that hold those and not an interpreter.
    static func name(of node: PickleNodeID, graph: PickleGraph, root: PickleValue, limits: CheckpointLimits) -> String {
        let walker = CheckpointPathWalker(graph: graph, leaves: PickleNodeSet(nodeCount: 0), maxDepth: limits.maxDepth)
        guard let entries = try? walker.entries(from: root),
            let index = entries.indices.first(where: { entries.value(at: $0) == .node(node) })
        else { return "<unreachable pickle node \(node.index)>" }
        return index == 0 ? "<root>" : entries.dottedPath(at: index)
    }

    /// The error for a rebuild function of `torch._utils` (its global is made only when one is refused).
    private func malformed(rebuild function: String, node: PickleNodeID, _ detail: String) -> Error {
        malformed(PickleGlobal(module: "torch._utils", name: function), node: node, detail)
    }

    private func malformed(_ global: PickleGlobal, node: PickleNodeID, _ detail: String) -> Error {
        CheckpointError.Reason.malformed(what: "\(global.name) call for tensor \(name(of: node))", detail: detail)
    }
}
