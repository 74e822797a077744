import CheckpointContainers
import PickleMachine
import TorchCheckpoint

/// Rewrites one dict of tensors in place: each DAConv's keys give way to `P.weight` (and `P.bias`) at the
/// position of its first key, and `_metadata` loses the branch entries, as torch writes it for the plain model.
enum StateDictRewrite {
    /// `firstFold` is the plan index of `modules[0]`: the folded tensors are computed tensors of that index.
    static func fold(_ modules: [DAConvModule], firstFold: Int, inDict dict: PickleNodeID, of draft: inout CheckpointDraft) throws
    {
        var owner: [String: Int] = [:]
        for (index, module) in modules.enumerated() {
            for key in module.keys { owner[key] = index }
        }
        // Where each kept entry and each module's first key are, read before the draft changes: a view of the
        // graph kept alive across an edit would make the edit copy the whole graph.
        var layout: [(position: Int, module: Int?)] = []
        do {
            let entries = draft.graph.entries(of: dict)
            layout.reserveCapacity(entries.count)
            var placed = Set<Int>()
            for position in entries.indices {
                guard let key = entries.key(at: position).stringValue, let index = owner[key] else {
                    layout.append((position, nil))
                    continue
                }
                if placed.insert(index).inserted { layout.append((position, index)) }
            }
        }
        var edits: [PickleGraph.EntryEdit] = []
        edits.reserveCapacity(layout.count + modules.count)
        for (position, index) in layout {
            guard let index else {
                edits.append(.keep(position))
                continue
            }
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
