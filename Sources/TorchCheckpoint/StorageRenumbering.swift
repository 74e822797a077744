import PickleMachine

/// Gives the storages of a draft torch's keys `"0"`, `"1"`, ... in the order the pickler will meet them, so
/// `data/<key>` records come in first-pickled order as torch writes them.
enum StorageRenumbering {
    /// The new items of every storage persistent id's tuple reachable from `root` (new key, location `cpu`),
    /// for the pickler to write instead of the graph's, and the old keys in their new order. The graph itself
    /// is not changed (a draft shares it with the checkpoint it was read from).
    static func renumber(_ graph: PickleGraph, root: PickleValue, maxDepth: Int) throws -> (
        order: [String], tuples: PickleNodeMap<[PickleValue]>
    ) {
        var order: [String] = []
        var newKey: [String: String] = [:]
        var tuples = PickleNodeMap<[PickleValue]>(nodeCount: graph.nodeCount)
        for id in try persistentIDsInPickleOrder(graph, root: root, maxDepth: maxDepth) {
            guard case .node(let tupleID) = graph.args(of: id), case .tuple = graph.kind(of: tupleID) else { continue }
            // A tuple shared by two ids is read as the first one rewrote it.
            var items = tuples[tupleID] ?? Array(graph.items(of: tupleID))
            guard items.count >= 5, items[0] == .string("storage"), var oldKey = items[2].stringValue else { continue }
            if items.count == 6, let view = graph.sequence(items[5]), view.count == 3, let viewKey = view[0].stringValue {
                // A legacy storage view becomes a storage of its own, as the reader declared it.
                oldKey = viewKey
                items[4] = view[2]
            }
            if newKey[oldKey] == nil {
                newKey[oldKey] = String(order.count)
                order.append(oldKey)
            }
            items[2] = .string(newKey[oldKey]!)
            items[3] = .string("cpu")
            if items.count == 6 { items.removeLast() }
            tuples[tupleID] = items
        }
        return (order, tuples)
    }

    /// Depth-first, children in the order the pickler writes them (args, items, entry keys and values,
    /// state); each node once.
    static func persistentIDsInPickleOrder(_ graph: PickleGraph, root: PickleValue, maxDepth: Int) throws -> [PickleNodeID] {
        var result: [PickleNodeID] = []
        var seen = PickleNodeSet(nodeCount: graph.nodeCount)
        var stack: [(PickleValue, Int)] = [(root, 0)]
        while let (value, depth) = stack.popLast() {
            guard case .node(let id) = value, seen.insert(id) else { continue }
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: maxDepth)
            }
            if case .persistentID = graph.kind(of: id) { result.append(id) }
            if let state = graph.state(of: id) { stack.append((state, depth + 1)) }
            let entries = graph.entries(of: id)
            for position in entries.indices.reversed() {
                stack.append((entries.value(at: position), depth + 1))
                stack.append((entries.key(at: position), depth + 1))
            }
            for item in graph.items(of: id).reversed() { stack.append((item, depth + 1)) }
            stack.append((graph.args(of: id), depth + 1))
        }
        return result
    }
}
