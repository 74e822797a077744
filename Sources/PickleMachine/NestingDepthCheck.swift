/// The exact nesting depth of a graph, measured once at STOP.
///
/// Depths tracked while parsing can miss a chain built top-down through the memo (an outer list
/// receives an empty inner list, which grows later), so the finished graph is measured: the longest
/// chain of containment below the root, where an edge back to a node still being walked (a cycle)
/// does not count. A walker that recurses in the same child order (items, entries, args, state)
/// and skips nodes it has finished never nests deeper. Iterative; linear in nodes and edges.
enum NestingDepthCheck {
    /// The first depth found above `limit` below `root`, or nil if the graph stays within it.
    static func depthExceeding(_ limit: Int, in graph: PickleGraph, from root: PickleSlot) -> Int? {
        guard let rootID = root.nodeID else { return nil }
        var finished = [Bool](repeating: false, count: graph.nodeCount)
        var walking = [Bool](repeating: false, count: graph.nodeCount)
        var heights = [Int32](repeating: 1, count: graph.nodeCount)
        var path: [(id: PickleNodeID, next: Int)] = [(rootID, 0)]
        walking[rootID.index] = true
        while let (id, next) = path.last {
            path[path.count - 1].next += 1
            if let child = childNode(of: graph.records[id.index], at: next, in: graph) {
                if walking[child.index] { continue }  // a cycle
                if !finished[child.index] {
                    guard path.count < limit else { return path.count + 1 }
                    walking[child.index] = true
                    path.append((child, 0))
                    continue
                }
                heights[id.index] = max(heights[id.index], heights[child.index] + 1)
                if heights[id.index] > limit { return Int(heights[id.index]) }
            } else if next >= childCount(of: graph.records[id.index]) {
                path.removeLast()
                walking[id.index] = false
                finished[id.index] = true
                if let parent = path.last?.id {
                    heights[parent.index] = max(heights[parent.index], heights[id.index] + 1)
                    if heights[parent.index] > limit { return Int(heights[parent.index]) }
                }
            }
        }
        return nil
    }

    /// Items, then entry keys and values, then args, then state.
    private static func childCount(of node: NodeRecord) -> Int {
        Int(node.items.count) + 2 * Int(node.entries.count) + 2
    }

    /// The child at `position` in ``childCount(of:)`` order if it is a node.
    private static func childNode(of node: NodeRecord, at position: Int, in graph: PickleGraph) -> PickleNodeID? {
        let items = Int(node.items.count)
        let entrySlots = 2 * Int(node.entries.count)
        let slot: PickleSlot
        if position < items {
            slot = graph.slots[Int(node.items.start) + position]
        } else if position - items < entrySlots {
            slot = graph.slots[Int(node.entries.start) + position - items]
        } else {
            let rest = position - items - entrySlots
            slot = rest == 0 ? node.args : rest == 1 ? node.state : .absent
        }
        return slot.nodeID
    }
}
