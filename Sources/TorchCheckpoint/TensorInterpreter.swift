import PickleMachine

/// Interprets the allow-listed rebuild calls of a pickle graph as tensors and its persistent ids as
/// storages. Nothing is called: each rebuild function's arguments are read as data and checked.
struct TensorInterpreter {
    let graph: PickleGraph
    /// First dotted path of each node, to name tensors in errors.
    let names: [PickleNodeID: String]
    let limits: CheckpointLimits

    private(set) var declarations: [String: StorageDeclaration] = [:]
    /// Storage keys in order of first appearance in the pickle: the order torch writes `data/<key>` in.
    private(set) var storageOrder: [String] = []
    private(set) var storageOfPersistentID: [PickleNodeID: String] = [:]
    private(set) var tensors: [PickleNodeID: TorchTensor] = [:]
    /// Calls of allow-listed tensor kinds this tool does not model (quantized, sparse, ...).
    private(set) var unsupportedTensors: [PickleNodeID: String] = [:]
    /// numpy values and paths, decoded from their calls (see ``DecodedDataGlobals``).
    private(set) var decoded: [PickleNodeID: DecodedData] = [:]
    /// Whether to decode them (a draft's tree holds them converted already).
    var decodesData = true

    init(graph: PickleGraph, names: [PickleNodeID: String], limits: CheckpointLimits) {
        self.graph = graph
        self.names = names
        self.limits = limits
    }

    /// Visits nodes in creation order, which is pickle order, so arguments come before the calls using them;
    /// then decodes numpy and pathlib calls, dtypes last, so that a refused dtype is named by the path of the
    /// array or scalar that holds it.
    mutating func run() throws {
        for index in graph.nodes.indices {
            let id = PickleNodeID(index: index)
            switch graph[id].kind {
            case .persistentID: try declareStorage(id)
            case .call(let global): try interpretCall(id, global)
            default: continue
            }
        }
        for dtypes in [false, true] where decodesData {
            for index in graph.nodes.indices {
                let id = PickleNodeID(index: index)
                guard case .call(let global) = graph[id].kind, DecodedDataGlobals.decodesCall(of: global),
                    (global.qualifiedName == "numpy.dtype") == dtypes
                else { continue }
                try decode(id, global)
            }
        }
    }

    private mutating func declareStorage(_ id: PickleNodeID) throws {
        for declaration in try StorageDeclaration.parse(graph[id].args, in: graph) {
            storageOfPersistentID[id] = declaration.key
            try declare(declaration)
        }
    }

    private mutating func declare(_ declaration: StorageDeclaration) throws {
        if let known = declarations[declaration.key] {
            guard known == declaration || known.elementCount == 0 else {
                throw CheckpointError.Reason.inconsistentStorage(
                    key: declaration.key,
                    detail: "\(known.dtype) x \(known.elementCount) and \(declaration.dtype) x \(declaration.elementCount)")
            }
            return
        }
        guard declarations.count < limits.maxStorages else {
            throw CheckpointError.Reason.limitExceeded(what: "number of storages", limit: limits.maxStorages)
        }
        declarations[declaration.key] = declaration
        storageOrder.append(declaration.key)
    }

    private mutating func interpretCall(_ id: PickleNodeID, _ global: PickleGlobal) throws {
        let args = graph.sequence(graph[id].args) ?? []
        switch global.qualifiedName {
        case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3":
            tensors[id] = try tensor(fromRebuild: global.name, args, node: id)
        case "torch._tensor._rebuild_from_type_v2":
            guard args.count >= 3, let function = graph.global(args[0]), let inner = graph.sequence(args[2]),
                function.module == "torch._utils", function.name.hasPrefix("_rebuild_tensor")
            else {
                unsupportedTensors[id] = global.qualifiedName
                return
            }
            tensors[id] = try tensor(fromRebuild: function.name, inner, node: id)
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._utils._rebuild_device_tensor_from_cpu_tensor":
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
        case "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
            "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
            "torch._utils._rebuild_device_tensor_from_numpy":
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
    private func tensor(fromRebuild function: String, _ args: [PickleValue], node: PickleNodeID) throws -> TorchTensor {
        let minimum = function == "_rebuild_tensor_v3" ? 7 : (function == "_rebuild_tensor" ? 4 : 6)
        let global = PickleGlobal(module: "torch._utils", name: function)
        guard args.count >= minimum else { throw malformed(global, node: node, "\(args.count) arguments, expected \(minimum)") }
        guard let storageID = args[0].nodeID, let key = storageOfPersistentID[storageID],
            let storage = declarations[key]
        else {
            throw malformed(global, node: node, "its first argument is not a storage persistent id")
        }
        guard let offset = args[1].intValue, let shape = graph.ints(args[2]), let strides = graph.ints(args[3]) else {
            throw malformed(global, node: node, "offset, size and stride must be ints and tuples of ints")
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
        try TensorGeometry.validate(tensor, storage: storage, name: name(of: node), limits: limits)
        return tensor
    }

    func name(of node: PickleNodeID) -> String {
        names[node] ?? "<unreachable pickle node \(node.index)>"
    }

    private func malformed(_ global: PickleGlobal, node: PickleNodeID, _ detail: String) -> Error {
        CheckpointError.Reason.malformed(what: "\(global.name) call for tensor \(name(of: node))", detail: detail)
    }
}
