import PickleMachine

/// One `nn.Module` instance of a whole pickled model (`torch.save(model)`), kept inert.
public struct PickledModule: Sendable {
    /// Dotted prefix in the model's `state_dict()` (empty for the top module).
    public let prefix: String
    /// Qualified class name, e.g. `torch.nn.modules.conv.Conv2d`.
    public let className: String
    public let node: PickleNodeID
    /// Its plain attributes (`stride`, `padding`, `dilation`, `groups`, `kernel_size`, ...), without the
    /// `_parameters`, `_buffers` and `_modules` dicts.
    public let attributes: [String: PickleValue]
}

/// A whole pickled model read the way `Module.state_dict()` walks it, without running any of its code.
public struct PickledModel: Sendable {
    /// Where the top module sits in the checkpoint tree (empty when it is the root).
    public let path: [String]
    /// Every module, parents before children.
    public let modules: [PickledModule]
    /// `state_dict()` entries in torch's order (each module's parameters, then its persistent buffers,
    /// then its children's), with the node holding each tensor.
    public let stateDict: [(name: String, value: PickleValue)]

    /// Reads the module at `value`, or returns nil when it is not an inert `nn.Module`-like object (an object
    /// whose state holds `_parameters` and `_modules`).
    static func read(_ value: PickleValue, path: [String], graph: PickleGraph, maxDepth: Int) throws -> PickledModel? {
        guard moduleState(value, graph) != nil else { return nil }
        var modules: [PickledModule] = []
        var stateDict: [(String, PickleValue)] = []
        var visiting = Set<PickleNodeID>()
        try walk(value, prefix: "", depth: 0)

        func walk(_ value: PickleValue, prefix: String, depth: Int) throws {
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of pickled modules", limit: maxDepth)
            }
            guard let id = value.nodeID, let (className, state) = moduleState(value, graph) else { return }
            guard visiting.insert(id).inserted else {
                throw CheckpointError.Reason.malformed(what: "pickled module \(prefix)", detail: "it contains itself")
            }
            defer { visiting.remove(id) }
            var attributes: [String: PickleValue] = [:]
            for entry in state {
                if let key = entry.key.stringValue { attributes[key] = entry.value }
            }
            modules.append(PickledModule(prefix: prefix, className: className, node: id, attributes: attributes))
            let dot = prefix.isEmpty ? "" : prefix + "."
            for entry in graph.dictEntries(attributes["_parameters"] ?? .none) ?? [] where entry.value != .none {
                if let name = entry.key.stringValue { stateDict.append((dot + name, entry.value)) }
            }
            let nonPersistent = Set((nonPersistentBuffers(attributes["_non_persistent_buffers_set"], graph)))
            for entry in graph.dictEntries(attributes["_buffers"] ?? .none) ?? [] where entry.value != .none {
                if let name = entry.key.stringValue, !nonPersistent.contains(name) { stateDict.append((dot + name, entry.value)) }
            }
            for entry in graph.dictEntries(attributes["_modules"] ?? .none) ?? [] {
                if let name = entry.key.stringValue { try walk(entry.value, prefix: dot + name, depth: depth + 1) }
            }
        }
        return PickledModel(path: path, modules: modules, stateDict: stateDict)
    }

    /// Class name and state entries of an object that looks like an `nn.Module`.
    static func moduleState(_ value: PickleValue, _ graph: PickleGraph) -> (String, [PickleDictEntry])? {
        // The one-byte kind test first: naming the kind copies its global, for every entry of a large state dict.
        guard let id = graph.nodeID(of: value), graph.isObject(id), case .object(let global, _) = graph.kind(of: id),
            let state = graph.state(of: id), let view = graph.dictEntriesView(state),
            view.contains(where: { $0.key == .string("_modules") }), view.contains(where: { $0.key == .string("_parameters") })
        else { return nil }
        return (global.qualifiedName, Array(view))
    }

    private static func nonPersistentBuffers(_ value: PickleValue?, _ graph: PickleGraph) -> [String] {
        guard let value, let node = graph.node(value) else { return [] }
        let items: [PickleValue]
        switch node.kind {
        case .set: items = node.items
        case .call: items = graph.sequence(graph.sequence(node.args)?.first ?? .none) ?? []
        default: items = []
        }
        return items.compactMap(\.stringValue)
    }
}

extension PickledModel {
    /// State-dict names of the tensors of whole pickled models, prefixed by where each model sits.
    public static func stateDictNames(_ models: [PickledModel]) -> [PickleNodeID: String] {
        var names: [PickleNodeID: String] = [:]
        for model in models {
            let prefix = model.path.isEmpty ? "" : model.path.joined(separator: ".") + "."
            for (name, value) in model.stateDict {
                if let id = value.nodeID, names[id] == nil { names[id] = prefix + name }
            }
        }
        return names
    }
}

extension Checkpoint {
    /// Every tensor with the name a model's `state_dict()` gives it: the dotted path from the root, except
    /// inside whole pickled models, whose `_modules`/`_parameters` levels are left out. Tied tensors are
    /// listed under each name.
    public func stateDictTensors() throws -> [(name: String, node: PickleNodeID, tensor: TorchTensor)] {
        let models = try pickledModels()
        var result: [(name: String, node: PickleNodeID, tensor: TorchTensor)] = []
        for model in models {
            let prefix = model.path.isEmpty ? "" : model.path.joined(separator: ".") + "."
            for (name, value) in model.stateDict {
                if let id = value.nodeID, let tensor = tensors[id] { result.append((prefix + name, id, tensor)) }
            }
        }
        let listing = try entries()
        for index in listing.indices {
            guard let id = listing.value(at: index).nodeID, let tensor = tensors[id] else { continue }
            if !models.isEmpty {
                let path = listing.path(at: index)
                if models.contains(where: { path.count > $0.path.count && path.starts(with: $0.path) }) { continue }
            }
            result.append((listing.dottedPath(at: index), id, tensor))
        }
        return result
    }

    /// Whole pickled models in the tree: the root itself, or objects found under dict keys and list items.
    public func pickledModels() throws -> [PickledModel] {
        // Read once: each read of the class's stored graph retains and releases every one of its tables.
        let graph = self.graph
        var models: [PickledModel] = []
        var inside = PickleNodeSet(nodeCount: graph.nodeCount)
        let listing = try entries()
        for index in listing.indices where listing.aliasOf(index) == nil {
            let value = listing.value(at: index)
            guard let id = value.nodeID, !inside.contains(id), PickledModel.moduleState(value, graph) != nil else { continue }
            let found: PickledModel?
            do {
                found = try PickledModel.read(value, path: listing.path(at: index), graph: graph, maxDepth: limits.maxDepth)
            } catch {
                throw wrap(error)
            }
            guard let model = found else { continue }
            models.append(model)
            for module in model.modules { inside.insert(module.node) }
        }
        return models
    }
}
