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
        var placed = Set<Int>()
        var entries: [PickleDictEntry] = []
        for entry in draft.graph[dict].entries {
            guard let key = entry.key.stringValue, let index = owner[key] else {
                entries.append(entry)
                continue
            }
            guard placed.insert(index).inserted else { continue }
            let module = modules[index]
            let foldIndex = firstFold + index
            let weight = draft.addComputedTensor(
                ComputedTensorID(index: foldIndex, part: .weight), dtype: module.dtype, shape: module.weightShape)
            entries.append(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "weight")), value: weight))
            if module.hasBias {
                let bias = draft.addComputedTensor(
                    ComputedTensorID(index: foldIndex, part: .bias), dtype: module.dtype, shape: [module.outChannels])
                entries.append(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "bias")), value: bias))
            }
        }
        draft.graph[dict].entries = entries
        updateMetadata(of: dict, removing: modules, in: &draft.graph)
    }

    /// Drops `P.<branch>` and everything below it from the dict's `_metadata`; `P` stays (it is the conv now).
    static func updateMetadata(of dict: PickleNodeID, removing modules: [DAConvModule], in graph: inout PickleGraph) {
        guard let state = graph[dict].state, let metadata = graph.lookup(state, "_metadata")?.nodeID,
            case .dict = graph[metadata].kind
        else { return }
        let branchPrefixes = modules.flatMap { module in
            module.branches.map { MergePlanner.dotted(module.module, $0.rule.name) }
        }
        graph[metadata].entries.removeAll { entry in
            guard let key = entry.key.stringValue else { return false }
            return branchPrefixes.contains { key == $0 || key.hasPrefix($0 + ".") }
        }
    }
}
