import PickleMachine
import TorchCheckpoint

/// Optimizer state refers to parameters by their position in `model.parameters()`; folding removes
/// parameters, so the positions no longer match the merged model and the state is dropped by default.
public enum OptimizerStates {
    /// Removes every dict entry whose value is optimizer state (see ``isOptimizerState(_:_:)``) and returns
    /// their paths.
    static func drop(from draft: inout CheckpointDraft, checkpoint: Checkpoint) -> [String] {
        var dropped: [String] = []
        var seen = Set<PickleNodeID>()
        var stack: [(PickleNodeID, [String])] = []
        if let root = draft.root.nodeID { stack.append((root, [])) }
        while let (id, path) = stack.popLast() {
            guard seen.insert(id).inserted, checkpoint.tensors[id] == nil else { continue }
            var kept: [PickleDictEntry] = []
            for entry in draft.graph[id].entries {
                let childPath = path + [entry.key.stringValue ?? "?"]
                if isOptimizerState(entry.value, draft.graph) {
                    dropped.append(childPath.joined(separator: "."))
                    continue
                }
                kept.append(entry)
                if let child = entry.value.nodeID { stack.append((child, childPath)) }
            }
            if case .dict = draft.graph[id].kind { draft.graph[id].entries = kept }
            for (i, item) in draft.graph[id].items.enumerated() {
                if let child = item.nodeID { stack.append((child, path + [String(i)])) }
            }
        }
        return dropped.sorted()
    }

    /// An optimizer state_dict (a dict with `state` and `param_groups`), or a list or tuple of them, as Lightning
    /// keeps `optimizer_states` and BasicSR its `optimizers`.
    public static func isOptimizerState(_ value: PickleValue, _ graph: PickleGraph) -> Bool {
        if let items = graph.sequence(value) {
            return !items.isEmpty && items.allSatisfy { isOptimizerStateDict($0, graph) }
        }
        return isOptimizerStateDict(value, graph)
    }

    private static func isOptimizerStateDict(_ value: PickleValue, _ graph: PickleGraph) -> Bool {
        guard let entries = graph.dictEntries(value) else { return false }
        let keys = Set(entries.compactMap { $0.key.stringValue })
        return keys.contains("state") && keys.contains("param_groups")
    }
}
