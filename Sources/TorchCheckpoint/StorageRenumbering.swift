import PickleMachine

/// Gives the storages of a draft torch's keys `"0"`, `"1"`, ... in the order the pickler will meet them, so
/// `data/<key>` records come in first-pickled order as torch writes them.
enum StorageRenumbering {
    /// Rewrites every storage persistent id of `graph` reachable from `root` (new key, location `cpu`) and
    /// returns the old keys in their new order.
    static func renumber(_ graph: inout PickleGraph, root: PickleValue, maxDepth: Int) throws -> [String] {
        var order: [String] = []
        var newKey: [String: String] = [:]
        for id in try persistentIDsInPickleOrder(graph, root: root, maxDepth: maxDepth) {
            guard case .node(let tupleID) = graph[id].args, case .tuple = graph[tupleID].kind,
                graph[tupleID].items.count >= 5, graph[tupleID].items[0] == .string("storage"),
                var oldKey = graph[tupleID].items[2].stringValue
            else { continue }
            if graph[tupleID].items.count == 6, let view = graph.sequence(graph[tupleID].items[5]), view.count == 3,
                let viewKey = view[0].stringValue
            {
                // A legacy storage view becomes a storage of its own, as the reader declared it.
                oldKey = viewKey
                graph[tupleID].items[4] = view[2]
            }
            if newKey[oldKey] == nil {
                newKey[oldKey] = String(order.count)
                order.append(oldKey)
            }
            graph[tupleID].items[2] = .string(newKey[oldKey]!)
            graph[tupleID].items[3] = .string("cpu")
            if graph[tupleID].items.count == 6 { graph[tupleID].items.removeLast() }
        }
        return order
    }

    /// Depth-first, children in the order the pickler writes them; each node once.
    static func persistentIDsInPickleOrder(_ graph: PickleGraph, root: PickleValue, maxDepth: Int) throws -> [PickleNodeID] {
        var result: [PickleNodeID] = []
        var seen = Set<PickleNodeID>()
        var stack: [(PickleValue, Int)] = [(root, 0)]
        while let (value, depth) = stack.popLast() {
            guard case .node(let id) = value, seen.insert(id).inserted else { continue }
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: maxDepth)
            }
            let node = graph[id]
            if case .persistentID = node.kind { result.append(id) }
            var children: [PickleValue] = [node.args] + node.items
            for entry in node.entries { children += [entry.key, entry.value] }
            if let state = node.state { children.append(state) }
            for child in children.reversed() { stack.append((child, depth + 1)) }
        }
        return result
    }
}
