import PickleMachine

/// Gives the storages of a draft torch's keys `"0"`, `"1"`, ... in the order the pickler meets them, so
/// `data/<key>` records come in first-pickled order as torch writes them. The pickler asks it for each
/// storage persistent id as it writes the id (``Pickler/pickle(_:root:maximumDepth:persistentIDItems:)``), so
/// the order comes out of the one pass that writes the pickle. The graph itself is not changed (a draft shares
/// it with the checkpoint it was read from).
final class StorageRenumbering {
    let graph: PickleGraph
    /// The draft's storage keys in their new order: `order[n]` is written as `data/n`.
    private(set) var order: [String] = []
    private var newKey: [String: String] = [:]

    /// `storageCount`: how many storages the draft has (the tables are sized once, not grown by rehashing).
    init(graph: PickleGraph, storageCount: Int = 0) {
        self.graph = graph
        order.reserveCapacity(storageCount)
        newKey.reserveCapacity(storageCount)
    }

    /// The items to write for persistent id `id`'s tuple: the new key and location `cpu` in place of the
    /// graph's (nil where the graph's item stays); nil for an id that is not a storage tuple.
    func items(forPersistentID id: PickleNodeID) -> [PickleValue?]? {
        guard case .node(let tupleID) = graph.args(of: id), case .tuple = graph.kind(of: tupleID) else { return nil }
        let items = graph.items(of: tupleID)
        guard items.count >= 5, items[0] == .string("storage"), var oldKey = items[2].stringValue else { return nil }
        // A legacy storage view becomes a storage of its own, as the reader declared it. A sixth item (a
        // legacy view's, or anything else) is not written: torch's tuples have five.
        var count: PickleValue? = nil
        if items.count == 6, let view = graph.sequence(items[5]), view.count == 3, let viewKey = view[0].stringValue {
            oldKey = viewKey
            count = view[2]
        }
        // One hash for a storage met the first time (nearly all): insert, and put back the rare key known before.
        var key = String(order.count)
        if let known = newKey.updateValue(key, forKey: oldKey) {
            newKey[oldKey] = known
            key = known
        } else {
            order.append(oldKey)
        }
        let location: PickleValue? = items[3] == .string("cpu") ? nil : .string("cpu")
        // Made whole at once: a literal of nils is a shared constant, which an edit would copy.
        let replaced: [PickleValue?] = [nil, nil, .string(key), location, count]
        guard items.count > 6 else { return replaced }
        return replaced + [PickleValue?](repeating: nil, count: items.count - 5)
    }
}
