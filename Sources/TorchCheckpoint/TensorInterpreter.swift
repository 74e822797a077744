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

    private(set) var declarations: [String: StorageDeclaration] = [:]
    /// The declaration each storage persistent id made (its root's for a legacy view's pair: the view's).
    private var declarationOfPersistentID: PickleNodeMap<StorageDeclaration>
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

    init(graph: PickleGraph, root: PickleValue, limits: CheckpointLimits) {
        self.graph = graph
        self.root = root
        self.limits = limits
        storageOfPersistentID = PickleNodeMap(nodeCount: graph.nodeCount)
        declarationOfPersistentID = PickleNodeMap(nodeCount: graph.nodeCount)
        tensors = PickleNodeMap(nodeCount: graph.nodeCount)
        unsupportedTensors = PickleNodeMap(nodeCount: graph.nodeCount)
        decoded = PickleNodeMap(nodeCount: graph.nodeCount)
    }

    /// Visits nodes in creation order, which is pickle order, so arguments come before the calls using them;
    /// then decodes numpy and pathlib calls, dtypes last, so that a refused dtype is named by the path of the
    /// array or scalar that holds it.
    mutating func run() throws {
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            if graph.isPersistentID(id) {
                try declareStorage(id)
            } else if graph.isCall(id), let global = graph.global(of: id) {
                try interpretCall(id, global)
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
        for declaration in try StorageDeclaration.parse(graph.args(of: id), in: graph) {
            storageOfPersistentID[id] = declaration.key
            declarationOfPersistentID[id] = try declare(declaration)
        }
    }

    /// The storage's declaration: the first one made for its key.
    private mutating func declare(_ declaration: StorageDeclaration) throws -> StorageDeclaration {
        // One hash per storage: the subscript's default inserts a new key; the count says whether it did.
        let countBefore = declarations.count
        let known = Self.read(&declarations[declaration.key, default: declaration])
        guard declarations.count == countBefore else {
            guard declarations.count <= limits.maxStorages else {
                throw CheckpointError.Reason.limitExceeded(what: "number of storages", limit: limits.maxStorages)
            }
            storageOrder.append(declaration.key)
            return declaration
        }
        guard known == declaration || known.elementCount == 0 else {
            throw CheckpointError.Reason.inconsistentStorage(
                key: declaration.key,
                detail: "\(known.dtype) x \(known.elementCount) and \(declaration.dtype) x \(declaration.elementCount)")
        }
        return known
    }

    private static func read(_ value: inout StorageDeclaration) -> StorageDeclaration { value }

    private mutating func interpretCall(_ id: PickleNodeID, _ global: PickleGlobal) throws {
        if global.module == "torch._utils" { return try interpretUtilsCall(id, global, name: global.name) }
        // Other modules: by the qualified name, as torch's allow-list reads it (`torch` + `_utils.x` is `torch._utils.x`).
        let qualified = global.qualifiedName
        if qualified.hasPrefix("torch._utils.") {
            try interpretUtilsCall(id, global, name: String(qualified.dropFirst("torch._utils.".count)))
        } else if qualified == "torch._tensor._rebuild_from_type_v2" {
            let args = arguments(of: id)
            guard args.count >= 3, let function = graph.global(args[0]), let inner = graph.sequenceItems(args[2]),
                function.module == "torch._utils", function.name.hasPrefix("_rebuild_tensor")
            else {
                unsupportedTensors[id] = qualified
                return
            }
            tensors[id] = try tensor(fromRebuild: function.name, inner, node: id)
        } else if DecodedDataGlobals.decodesCall(of: global) {
            dataCalls.append(id)
        }
    }

    /// The rebuild functions of `torch._utils`, by their `name` there (reports keep the global's own name).
    private mutating func interpretUtilsCall(_ id: PickleNodeID, _ global: PickleGlobal, name: String) throws {
        switch name {
        case "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3":
            tensors[id] = try tensor(fromRebuild: global.name, arguments(of: id), node: id)
        case "_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_device_tensor_from_cpu_tensor":
            let args = arguments(of: id)
            guard let dataID = args.first?.nodeID, let data = tensors[dataID] else {
                throw malformed(global, node: id, "its first argument is not a tensor")
            }
            let requiresGrad =
                global.name.hasPrefix("_rebuild_parameter")
                ? (args.count > 1 ? args[1].boolValue ?? true : true)
                : data.requiresGrad
            tensors[id] = TorchTensor(
                storageKey: data.storageKey, dtype: data.dtype, shape: data.shape, strides: data.strides,
                storageOffset: data.storageOffset, requiresGrad: requiresGrad,
                isParameter: global.name.hasPrefix("_rebuild_parameter"), rebuildFunction: global.name)
        case "_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass",
            "_rebuild_device_tensor_from_numpy":
            unsupportedTensors[id] = global.qualifiedName
        default:
            return
        }
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
    private func tensor(fromRebuild function: String, _ args: PickleValues, node: PickleNodeID) throws -> TorchTensor {
        let minimum = function == "_rebuild_tensor_v3" ? 7 : (function == "_rebuild_tensor" ? 4 : 6)
        func fail(_ detail: String) -> Error {
            malformed(PickleGlobal(module: "torch._utils", name: function), node: node, detail)
        }
        guard args.count >= minimum else { throw fail("\(args.count) arguments, expected \(minimum)") }
        guard let storageID = args[0].nodeID, let storage = declarationOfPersistentID[storageID] else {
            throw fail("its first argument is not a storage persistent id")
        }
        let key = storage.key
        guard let offset = args[1].intValue, let shape = graph.ints(args[2]), let strides = graph.ints(args[3]) else {
            throw fail("offset, size and stride must be ints and tuples of ints")
        }
        var dtype = storage.dtype
        if function == "_rebuild_tensor_v3" {
            guard let dtypeGlobal = graph.global(args[6]), dtypeGlobal.module == "torch",
                let named = TorchDType(globalName: dtypeGlobal.name)
            else {
                throw CheckpointError.Reason.unknownDType(describe(args[6], graph))
            }
            dtype = named
        }
        let tensor = TorchTensor(
            storageKey: key, dtype: dtype, shape: shape, strides: strides, storageOffset: offset,
            requiresGrad: args.count > 4 ? args[4].boolValue ?? false : false, isParameter: false,
            rebuildFunction: function)
        // The check names the tensor only when it refuses it: naming walks the whole tree.
        try TensorGeometry.validate(tensor, storage: storage, limits: limits) { [graph, root, limits] in
            Self.name(of: node, graph: graph, root: root, limits: limits)
        }
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

    /// The same from the parts it needs, for closures that must not copy the interpreter.
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
