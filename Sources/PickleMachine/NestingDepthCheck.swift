/// The exact nesting depth of a graph, measured once at STOP.
///
/// Depths tracked while parsing can miss a chain built top-down through the memo (an outer list
/// receives an empty inner list, which grows later), so the finished graph is measured: the longest
/// chain of containment below the root, where an edge back to a node still being walked (a cycle)
/// does not count. A walker that recurses in the same child order (items, entries, args, state)
/// and skips nodes it has finished never nests deeper. Iterative; linear in nodes and edges.
enum NestingDepthCheck {
    /// The first depth found above `limit` below `root`, or nil if the graph stays within it.
    static func depthExceeding(_ limit: Int, in graph: PickleGraph, from root: PickleValue) -> Int? {
        guard case .node(let rootID) = root else { return nil }
        var finished = [Bool](repeating: false, count: graph.nodes.count)
        var walking = [Bool](repeating: false, count: graph.nodes.count)
        var heights = [Int32](repeating: 1, count: graph.nodes.count)
        var path: [(id: PickleNodeID, next: Int)] = [(rootID, 0)]
        walking[rootID.index] = true
        while let (id, next) = path.last {
            path[path.count - 1].next += 1
            if let child = childNode(of: graph.nodes[id.index], at: next) {
                if walking[child.index] { continue }  // a cycle
                if !finished[child.index] {
                    guard path.count < limit else { return path.count + 1 }
                    walking[child.index] = true
                    path.append((child, 0))
                    continue
                }
                heights[id.index] = max(heights[id.index], heights[child.index] + 1)
                if heights[id.index] > limit { return Int(heights[id.index]) }
            } else if next >= childCount(of: graph.nodes[id.index]) {
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
    private static func childCount(of node: PickleNode) -> Int {
        node.items.count + 2 * node.entries.count + 2
    }

    /// The child at `position` in ``childCount(of:)`` order if it is a node.
    private static func childNode(of node: PickleNode, at position: Int) -> PickleNodeID? {
        var position = position
        let value: PickleValue?
        if position < node.items.count {
            value = node.items[position]
        } else if position - node.items.count < 2 * node.entries.count {
            position -= node.items.count
            let entry = node.entries[position / 2]
            value = position % 2 == 0 ? entry.key : entry.value
        } else {
            position -= node.items.count + 2 * node.entries.count
            value = position == 0 ? node.args : position == 1 ? node.state : nil
        }
        guard case .node(let id)? = value else { return nil }
        return id
    }
}
