/// Items a writer gives in place of the graph's for a node (nil in a place: the graph's item there), held only
/// until the node's frame closes (a node is written once, then found in the memo): a few at a time, so a short
/// list searched from its end.
///
/// Its own type, so that the writer's hot paths ask it alone and never copy the whole machine to ask.
struct PicklerReplacedItems {
    private var held: [(node: Int, items: [PickleValue?])] = []

    /// The items given for node `id`, if any (looked up only while some are held).
    @inline(__always)
    func items(of id: PickleNodeID) -> [PickleValue?]? {
        held.isEmpty ? nil : held.last(where: { $0.node == id.index })?.items
    }

    /// The number of items written for node `id`: the given ones', else the graph's.
    @inline(__always)
    func itemCount(of id: PickleNodeID, in graph: borrowing PickleGraph) -> Int {
        items(of: id)?.count ?? graph.itemCount(of: id)
    }

    /// The item written in place `index` of node `id` instead of the graph's, if one was given.
    @inline(__always)
    func item(_ index: Int, of id: PickleNodeID) -> PickleValue? {
        guard !held.isEmpty, let items = items(of: id) else { return nil }
        return items[index]
    }

    mutating func hold(_ items: [PickleValue?], for id: PickleNodeID) {
        held.append((id.index, items))
    }

    /// Lets go of the items given for node `id`, whose frame closes.
    @inline(__always)
    mutating func release(_ id: PickleNodeID) {
        if !held.isEmpty, let last = held.lastIndex(where: { $0.node == id.index }) { held.remove(at: last) }
    }
}
