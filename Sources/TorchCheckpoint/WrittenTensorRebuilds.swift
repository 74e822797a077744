import PickleMachine

/// ``TensorInterpreter``'s reading of rebuild calls and storage persistent ids, for the few tensors a
/// ``WrittenTensorLookup`` finds: a call is read only when the search reaches it, and only the declarations of
/// those tensors' storage keys are gathered (every declaration of such a key in the pickle, checked against the
/// first as the interpreter checks them). The rules and errors are the interpreter's; what differs is only how
/// much of the pickle is read.
struct WrittenTensorRebuilds {
    /// A call the search reaches, as ``TensorInterpreter`` classes it by its global.
    enum Call {
        /// `_rebuild_tensor*(storage, offset, size, stride, ...)`: `function` is the name reports keep.
        case rebuild(function: RebuildFunction, arguments: PickleValues)
        /// `_rebuild_parameter*` or `_rebuild_device_tensor_from_cpu_tensor`: the tensor of its first argument.
        case wrapper(PickleGlobal)
        /// A value the listing names as a whole: an allow-listed tensor kind this tool does not model, or a
        /// numpy or pathlib value.
        case leaf
        /// Any other call: a container only the full listing names.
        case other
    }

    let graph: PickleGraph
    let root: PickleValue
    let limits: CheckpointLimits
    /// The first declaration of each storage key the found tensors use.
    private(set) var declarations: [String: StorageDeclaration] = [:]
    /// The declaration each needed storage persistent id stands for (the first one of its key).
    private var declarationOfPersistentID: [PickleNodeID: StorageDeclaration] = [:]
    private var storageTypes: StorageTypes

    init(graph: PickleGraph, root: PickleValue, limits: CheckpointLimits) {
        self.graph = graph
        self.root = root
        self.limits = limits
        storageTypes = StorageTypes(globalCount: graph.globalCount)
    }

    /// Call node `id` as the interpreter dispatches it (``RebuildCallRole``); `.other` for a node that is not a call.
    func call(_ id: PickleNodeID) -> Call {
        guard graph.isCall(id), let global = graph.global(of: id) else { return .other }
        switch RebuildCallRole(global) {
        case .rebuildTensor(let function): return .rebuild(function: function, arguments: arguments(of: id))
        case .wrapsTensor: return .wrapper(global)
        case .unsupported, .data: return .leaf
        case .ignored: return .other
        case .fromType:
            guard let (function, inner) = RebuildCallRole.innerRebuild(of: arguments(of: id), in: graph) else { return .leaf }
            return .rebuild(function: function, arguments: inner)
        }
    }

    /// Gathers the declarations of the storages the tensor calls `calls` rebuild from: every persistent id of
    /// the pickle declaring one of their keys is read, in pickle order, and must agree with the key's first.
    mutating func declareStorages(of calls: [PickleNodeID]) throws {
        var persistentIDs: [PickleNodeID] = []
        for call in calls { try collectStorage(of: call, into: &persistentIDs, depth: 0) }
        var keys = Set<String>()
        for id in persistentIDs {
            for declaration in try declarations(of: id) { keys.insert(declaration.key) }
        }
        guard !keys.isEmpty else { return }
        let needed = PickleNodeSet(persistentIDs, nodeCount: graph.nodeCount)
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            guard graph.isPersistentID(id), needed.contains(id) || mayDeclare(id, oneOf: keys) else { continue }
            for declaration in try declarations(of: id) where keys.contains(declaration.key) {
                declarationOfPersistentID[id] = try declare(declaration)
            }
        }
    }

    /// The storages persistent id `id` declares (a legacy view's: its root storage, then the view).
    private mutating func declarations(of id: PickleNodeID) throws -> [StorageDeclaration] {
        guard let (root, view) = try StorageDeclaration.parse(graph.args(of: id), in: graph, types: &storageTypes) else {
            return []
        }
        return view.map { [root, $0] } ?? [root]
    }

    /// Whether persistent id `id` may declare one of `keys` (read without parsing it: its key item, or a legacy
    /// view's metadata, which names a key of its own).
    private func mayDeclare(_ id: PickleNodeID, oneOf keys: Set<String>) -> Bool {
        guard let items = graph.sequenceItems(graph.args(of: id)), items.count > 2 else { return false }
        if items.count == 6 { return true }
        return StorageDeclaration.key(items[2]).map(keys.contains) ?? false
    }

    /// The storage persistent id a tensor call reads (through parameters to the tensor they wrap), if its
    /// arguments are shaped so; a call that is not is refused when it is read.
    private func collectStorage(of call: PickleNodeID, into persistentIDs: inout [PickleNodeID], depth: Int) throws {
        guard depth <= limits.maxDepth else {
            throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: limits.maxDepth)
        }
        let first: PickleValue?
        switch self.call(call) {
        case .rebuild(_, let arguments): first = arguments.first
        case .wrapper: first = arguments(of: call).first
        case .leaf, .other: return
        }
        guard let id = first?.nodeID, graph.contains(id) else { return }
        if graph.isPersistentID(id) {
            persistentIDs.append(id)
        } else {
            try collectStorage(of: id, into: &persistentIDs, depth: depth + 1)
        }
    }

    /// ``TensorInterpreter/declare(_:)`` for the keys gathered: the first declaration stands; a later one must
    /// equal it unless the first declares no elements.
    private mutating func declare(_ declaration: StorageDeclaration) throws -> StorageDeclaration {
        guard let known = declarations[declaration.key] else {
            declarations[declaration.key] = declaration
            return declaration
        }
        try known.admits(declaration)
        return known
    }

    /// The tensor call `id` rebuilds, read and checked as ``TensorInterpreter`` reads it (after
    /// ``declareStorages(of:)`` for it); nil for a call that is not a tensor.
    func tensor(at id: PickleNodeID, depth: Int = 0) throws -> TorchTensor? {
        guard depth <= limits.maxDepth else {
            throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: limits.maxDepth)
        }
        switch call(id) {
        case .rebuild(let function, let arguments): return try tensor(fromRebuild: function, arguments, node: id)
        case .wrapper(let global): return try wrapped(id, global, depth: depth)
        case .leaf, .other: return nil
        }
    }

    /// `_rebuild_parameter*` and `_rebuild_device_tensor_from_cpu_tensor`: the tensor of their first argument.
    private func wrapped(_ id: PickleNodeID, _ global: PickleGlobal, depth: Int) throws -> TorchTensor {
        let args = arguments(of: id)
        guard let dataID = args.first?.nodeID, graph.contains(dataID), dataID.index < id.index,
            let data = try tensor(at: dataID, depth: depth + 1)
        else {
            throw malformed(global, node: id, "its first argument is not a tensor")
        }
        return RebuildCallRole.rewrapped(data, by: global, args)
    }

    /// ``TensorInterpreter``'s `tensor(fromRebuild:_:node:)`: arguments, dtype and geometry checked.
    private func tensor(fromRebuild function: RebuildFunction, _ args: PickleValues, node: PickleNodeID) throws -> TorchTensor {
        let minimum = function.minimumArguments
        func fail(_ detail: String) -> Error {
            malformed(PickleGlobal(module: "torch._utils", name: function.name), node: node, detail)
        }
        guard args.count >= minimum else { throw fail("\(args.count) arguments, expected \(minimum)") }
        guard let storageID = args[0].nodeID, let storage = declarationOfPersistentID[storageID] else {
            throw fail("its first argument is not a storage persistent id")
        }
        guard let offset = args[1].intValue, let shape = graph.ints(args[2]), let strides = graph.ints(args[3]) else {
            throw fail("offset, size and stride must be ints and tuples of ints")
        }
        let tensor = try function.tensor(args, storage: storage, offset: offset, shape: shape, strides: strides, in: graph)
        try TensorGeometry.validate(tensor, storage: storage, limits: limits) { name(of: node) }
        return tensor
    }

    private func arguments(of id: PickleNodeID) -> PickleValues {
        graph.sequenceItems(graph.args(of: id)) ?? PickleValues()
    }

    private func name(of node: PickleNodeID) -> String {
        TensorInterpreter.name(of: node, graph: graph, root: root, limits: limits)
    }

    private func malformed(_ global: PickleGlobal, node: PickleNodeID, _ detail: String) -> Error {
        CheckpointError.Reason.malformed(what: "\(global.name) call for tensor \(name(of: node))", detail: detail)
    }
}
