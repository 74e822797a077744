import CheckpointContainers
import PickleMachine
import TorchCheckpoint

/// Rewrites one dict of tensors in place: each DAConv's keys give way to `P.weight` (and `P.bias`) at the
/// position of its first key, and `_metadata` loses the branch entries, as torch writes it for the plain model.
enum StateDictRewrite {
    /// `firstFold` is the plan index of `modules[0]`: the folded tensors are computed tensors of that index.
    /// `positions` says where each module key is among the dict's `entryCount` entries.
    static func fold(
        _ modules: [DAConvModule], firstFold: Int, inDict dict: PickleNodeID, at positions: [String: Int], entryCount: Int,
        of draft: inout CheckpointDraft
    ) throws {
        // Each module key's position, with its module: every other entry is kept as it is, unread.
        var moduleAt: [(position: Int, module: Int)] = []
        let keys = modules.enumerated().flatMap { index, module in module.keys.map { (key: $0, module: index) } }
        if let found = located(keys, at: positions, entryCount: entryCount, in: dict, draft.graph) {
            moduleAt = found
        } else {
            // The dict changed since it was listed (an earlier rewrite edited it): find the keys again.
            let entries = draft.graph.entries(of: dict)
            let owner = Dictionary(keys.map { ($0.key, $0.module) }, uniquingKeysWith: { first, _ in first })
            for position in entries.indices {
                if let key = entries.key(at: position).stringValue, let index = owner[key] { moduleAt.append((position, index)) }
            }
        }
        moduleAt.sort { $0.position < $1.position }
        var edits: [PickleGraph.EntryEdit] = []
        edits.reserveCapacity(entryCount)
        var placed = Set<Int>()
        var next = 0
        for position in 0..<entryCount {
            guard next < moduleAt.count, moduleAt[next].position == position else {
                edits.append(.keep(position))
                continue
            }
            let index = moduleAt[next].module
            next += 1
            guard placed.insert(index).inserted else { continue }
            let module = modules[index]
            let foldIndex = firstFold + index
            let weight = draft.addComputedTensor(
                ComputedTensorID(index: foldIndex, part: .weight), dtype: module.dtype, shape: module.weightShape)
            edits.append(.insert(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "weight")), value: weight)))
            if module.hasBias {
                let bias = draft.addComputedTensor(
                    ComputedTensorID(index: foldIndex, part: .bias), dtype: module.dtype, shape: [module.outChannels])
                edits.append(.insert(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "bias")), value: bias)))
            }
        }
        draft.graph.rewriteEntries(of: dict, edits)
        updateMetadata(of: dict, removing: modules, in: &draft.graph)
    }

    /// The keys' positions, if the dict still has `entryCount` entries and each key where `positions` says.
    private static func located(
        _ keys: [(key: String, module: Int)], at positions: [String: Int], entryCount: Int, in dict: PickleNodeID,
        _ graph: PickleGraph
    ) -> [(position: Int, module: Int)]? {
        let entries = graph.entries(of: dict)
        guard entries.count == entryCount else { return nil }
        var found: [(position: Int, module: Int)] = []
        for (key, module) in keys {
            guard let position = positions[key], entries.key(at: position) == .string(key) else { return nil }
            found.append((position, module))
        }
        return found
    }

    /// Drops `P.<branch>` and everything below it from the dict's `_metadata`; `P` stays (it is the conv now).
    static func updateMetadata(of dict: PickleNodeID, removing modules: [DAConvModule], in graph: inout PickleGraph) {
        guard let state = graph.state(of: dict), let metadata = graph.lookup(state, "_metadata")?.nodeID,
            case .dict = graph.kind(of: metadata)
        else { return }
        let branchPrefixes = modules.flatMap { module in
            module.branches.map { MergePlanner.dotted(module.module, $0.rule.name) }
        }
        let below = branchPrefixes.map { $0 + "." }
        var kept: [PickleGraph.EntryEdit] = []
        do {
            let entries = graph.entries(of: metadata)
            for position in entries.indices {
                if let key = entries.key(at: position).stringValue,
                    branchPrefixes.contains(key) || below.contains(where: { key.hasPrefix($0) })
                {
                    continue
                }
                kept.append(.keep(position))
            }
            guard kept.count < entries.count else { return }
        }
        graph.rewriteEntries(of: metadata, kept)
    }
}
