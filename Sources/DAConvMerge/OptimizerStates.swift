import PickleMachine
import TorchCheckpoint

/// Optimizer state refers to parameters by their position in `model.parameters()`; folding removes
/// parameters, so the positions no longer match the merged model and the state is dropped by default.
public enum OptimizerStates {
    /// Removes every dict entry whose value is optimizer state (see ``isOptimizerState(_:_:)``) and returns
    /// their paths.
    static func drop(from draft: inout CheckpointDraft, checkpoint: Checkpoint) -> [String] {
        var dropped: [String] = []
        var seen = PickleNodeSet(nodeCount: draft.graph.nodeCount)
        var stack: [(PickleNodeID, [String])] = []
        if let root = draft.root.nodeID { stack.append((root, [])) }
        while let (id, path) = stack.popLast() {
            guard seen.insert(id), !checkpoint.tensors.contains(id) else { continue }
            // The positions of the entries kept, spelled out only once one is dropped.
            var kept: [PickleGraph.EntryEdit]?
            // A view of the graph alive across the edit below would make the edit copy the graph.
            do {
                let entries = draft.graph.entries(of: id)
                for position in entries.indices {
                    let value = entries.value(at: position)
                    // Tensors hold no optimizer state and are not walked into: most entries of a state dict end here.
                    if let child = value.nodeID, checkpoint.tensors.contains(child) {
                        kept?.append(.keep(position))
                        continue
                    }
                    let key = entries.key(at: position).stringValue ?? "?"
                    if isOptimizerState(value, draft.graph) {
                        dropped.append((path + [key]).joined(separator: "."))
                        if kept == nil { kept = (0..<position).map { .keep($0) } }
                        continue
                    }
                    kept?.append(.keep(position))
                    if let child = value.nodeID { stack.append((child, path + [key])) }
                }
            }
            let isDict: Bool
            if case .dict = draft.graph.kind(of: id) { isDict = true } else { isDict = false }
            for (i, item) in draft.graph.items(of: id).enumerated() {
                if let child = item.nodeID { stack.append((child, path + [String(i)])) }
            }
            if isDict, let kept { draft.graph.rewriteEntries(of: id, kept) }
        }
        return dropped.sorted()
    }

    /// An optimizer state_dict (a dict with `state` and `param_groups`), or a list or tuple of them, as Lightning
    /// keeps `optimizer_states` and BasicSR its `optimizers`.
    public static func isOptimizerState(_ value: PickleValue, _ graph: PickleGraph) -> Bool {
        if let items = graph.sequenceItems(value) {
            return !items.isEmpty && items.allSatisfy { isOptimizerStateDict($0, graph) }
        }
        return isOptimizerStateDict(value, graph)
    }

    private static func isOptimizerStateDict(_ value: PickleValue, _ graph: PickleGraph) -> Bool {
        guard let entries = graph.dictEntriesView(value) else { return false }
        let keys = Set(entries.compactMap { $0.key.stringValue })
        return keys.contains("state") && keys.contains("param_groups")
    }
}
