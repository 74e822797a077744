import CheckpointContainers
import PickleMachine

/// Decides what a safetensors file of a draft holds: the state dict that holds the network, its tensors by
/// dotted name relative to it, every string or number of the tree as metadata, and what is left out.
///
/// The dict is the root when the root holds tensors (a state dict); otherwise, among the dicts that hold a
/// computed tensor (the merged DAConv modules), the one under a usual network key (`model`, `state_dict`,
/// ...: an `ema` copy may come first) or else the first in tree order; without computed tensors, the same
/// among the dicts that hold tensors at all.
struct SafetensorsContent {
    var tensors: [(name: String, tensor: TorchTensor)] = []
    var metadata: [SafetensorsMetadataEntry] = []
    var report = SafetensorsWriteReport(stateDictPath: [], tensorCount: 0, metadataKeys: [], omitted: [], copiedShares: [])

    /// Every place of the draft's tree, with tensor nodes as leaves.
    struct Tree {
        let graph: PickleGraph
        let entries: CheckpointEntries
        let tensors: PickleNodeMap<TorchTensor>
        let unsupported: PickleNodeMap<String>
        let computedKeys: Set<String>
        /// Storages of converted numpy arrays: a dict holding only those is no state dict.
        let inlineKeys: Set<String>
    }

    init(_ tree: Tree, stateDictPath requested: [String]?) throws {
        let (path, node) = try Self.stateDict(tree, requested: requested)
        report.stateDictPath = path
        var groups: [String: LostGroup] = [:]
        var groupOrder: [String] = []
        for entry in tree.entries where !entry.path.isEmpty {
            let inside = entry.path.count > path.count && entry.path.starts(with: path)
            if let id = entry.value.nodeID, let tensor = tree.tensors[id], inside {
                tensors.append((entry.path[path.count...].joined(separator: "."), tensor))
                continue
            }
            if entry.aliasOf == nil, let text = SafetensorsScalarText.text(of: entry.value) {
                metadata.append(SafetensorsMetadataEntry(key: entry.dottedPath, value: text))
                continue
            }
            guard let kind = Self.lostLeaf(entry, tree) else { continue }
            let unit = Self.groupPath(entry.path, stateDict: path)
            if groups[unit] == nil { groupOrder.append(unit) }
            groups[unit, default: LostGroup(firstPath: entry.dottedPath, firstKind: kind)].add(isTensor: kind.hasSuffix("tensor"))
        }
        report.omitted = groupOrder.map { groups[$0]!.omission(path: $0) }
        if let node, let state = tree.graph[node].state, tree.graph.lookup(state, "_metadata") != nil {
            report.omitted.append(
                SafetensorsOmission(
                    path: (path + ["_metadata"]).joined(separator: "."), what: "torch's per-module version numbers"))
        }
        report.tensorCount = tensors.count
        report.metadataKeys = metadata.map(\.key)
        report.copiedShares = Self.sharedGroups(tensors)
    }

    /// The dict to write, by path and node (nil node: there is no dict of tensors; nothing is written).
    static func stateDict(_ tree: Tree, requested: [String]?) throws -> ([String], PickleNodeID?) {
        var candidates: [(path: [String], node: PickleNodeID, computed: Bool)] = []
        for entry in tree.entries where entry.aliasOf == nil {
            guard let id = entry.value.nodeID, case .dict = tree.graph[id].kind else { continue }
            if let requested, entry.path == requested { return (requested, id) }
            let held = tree.graph[id].entries.compactMap { $0.value.nodeID.flatMap { tree.tensors[$0] } }
                .filter { !tree.inlineKeys.contains($0.storageKey) }
            guard !held.isEmpty else { continue }
            candidates.append((entry.path, id, held.contains { tree.computedKeys.contains($0.storageKey) }))
        }
        if let requested {
            throw CheckpointError.Reason.writeFailed("no dict at '\(requested.joined(separator: "."))' to write as safetensors")
        }
        if let root = candidates.first(where: { $0.path.isEmpty }) { return (root.path, root.node) }
        let computed = candidates.filter(\.computed)
        let pool = computed.isEmpty ? candidates : computed
        let chosen = pool.first { $0.path.count == 1 && networkKeys.contains($0.path[0]) } ?? pool.first
        return chosen.map { ($0.path, $0.node) } ?? ([], nil)
    }

    /// Keys training scripts commonly keep the network's state dict under.
    static let networkKeys: Set<String> = ["model", "state_dict", "model_state_dict", "net", "network", "params"]

    /// What a lost entry is (`a tensor`, `None`, ...); nil for entries that lose nothing themselves
    /// (containers, whose leaves are listed, and second paths to containers listed under their first).
    static func lostLeaf(_ entry: CheckpointEntry, _ tree: Tree) -> String? {
        switch entry.value {
        case .none: return "None"
        case .bytes: return "bytes"
        case .node(let id):
            if tree.tensors[id] != nil { return "a tensor" }
            if let function = tree.unsupported[id] { return "a \(function) tensor" }
            guard entry.aliasOf == nil else { return nil }
            switch tree.graph[id].kind {
            case .global(let global): return "the Python global \(global)"
            case .persistentID: return "a storage"
            default: return nil
            }
        default: return "a value"
        }
    }

    /// The lost leaves under one entry: counted, and the first one named in case it is the only one.
    struct LostGroup {
        let firstPath: String
        let firstKind: String
        var tensors = 0
        var others = 0

        init(firstPath: String, firstKind: String) {
            self.firstPath = firstPath
            self.firstKind = firstKind
        }

        mutating func add(isTensor: Bool) {
            if isTensor { tensors += 1 } else { others += 1 }
        }

        func omission(path: String) -> SafetensorsOmission {
            if tensors + others == 1 { return SafetensorsOmission(path: firstPath, what: firstKind) }
            var parts: [String] = []
            if tensors > 0 { parts.append("\(tensors) tensor\(tensors == 1 ? "" : "s")") }
            if others > 0 { parts.append("\(others) other value\(others == 1 ? "" : "s")") }
            return SafetensorsOmission(path: path, what: parts.joined(separator: ", "))
        }
    }

    /// The entry a lost leaf is reported under: the first component of its path that leaves the written
    /// dict's ancestry (`ema` for `ema.stem.weight`), or the first level inside the dict.
    static func groupPath(_ path: [String], stateDict: [String]) -> String {
        var length = 1
        while length <= stateDict.count, length < path.count, path[length - 1] == stateDict[length - 1] { length += 1 }
        return path.prefix(length).joined(separator: ".")
    }

    /// Groups of written names whose tensors view one storage, in write order.
    static func sharedGroups(_ tensors: [(name: String, tensor: TorchTensor)]) -> [[String]] {
        var byStorage: [String: [String]] = [:]
        var order: [String] = []
        for (name, tensor) in tensors {
            if byStorage[tensor.storageKey] == nil { order.append(tensor.storageKey) }
            byStorage[tensor.storageKey, default: []].append(name)
        }
        return order.compactMap { byStorage[$0]!.count > 1 ? byStorage[$0] : nil }
    }
}
