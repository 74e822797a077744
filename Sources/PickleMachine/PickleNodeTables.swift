/// Values attached to some nodes of one graph, found by node index: a flat array of positions into a dense
/// array of values, not a dictionary (no hashing, no resizing; a lookup is two array reads).
///
/// Nodes added to the graph after the map was made (a draft's new nodes) simply have no value.
public struct PickleNodeMap<Value: Sendable>: Sendable, Sequence {
    /// Per node index: the position of its value in `values`, -1 for none.
    @usableFromInline var positions: [Int32]
    @usableFromInline var storedValues: [Value] = []
    @usableFromInline var storedKeys: [PickleNodeID] = []

    /// The values, in the order they were set.
    @inlinable public var values: [Value] { storedValues }
    /// The node of each value.
    @inlinable public var keys: [PickleNodeID] { storedKeys }

    // Inlinable: other modules use the map with their own value types, and must specialize it.

    /// An empty map for a graph of `nodeCount` nodes.
    @inlinable
    public init(nodeCount: Int) {
        positions = [Int32](repeating: -1, count: nodeCount)
    }

    @inlinable public var count: Int { storedValues.count }
    @inlinable public var isEmpty: Bool { storedValues.isEmpty }

    /// The value of node `id`, if it has one. Setting nil is not supported: values are only added or replaced.
    @inlinable
    public subscript(id: PickleNodeID) -> Value? {
        get {
            guard id.index >= 0, id.index < positions.count, positions[id.index] >= 0 else { return nil }
            return storedValues[Int(positions[id.index])]
        }
        set {
            // Consumed, not copied: a value holding arrays or strings is then moved into the map without a
            // retain and release of each.
            guard case .some(let value) = consume newValue else {
                preconditionFailure("a node map does not forget values")
            }
            if id.index >= positions.count {
                positions += [Int32](repeating: -1, count: id.index + 1 - positions.count)
            }
            if positions[id.index] >= 0 {
                storedValues[Int(positions[id.index])] = consume value
            } else {
                precondition(storedValues.count < Int32.max, "more values than a node map holds")
                positions[id.index] = Int32(storedValues.count)
                storedValues.append(consume value)
                storedKeys.append(id)
            }
        }
    }

    /// Makes room for `count` values in all, so a map filled with tens of thousands of them is not copied as it
    /// grows.
    @inlinable
    public mutating func reserveCapacity(_ count: Int) {
        storedValues.reserveCapacity(count)
        storedKeys.reserveCapacity(count)
    }

    /// Whether node `id` has a value.
    @inlinable
    public func contains(_ id: PickleNodeID) -> Bool {
        id.index >= 0 && id.index < positions.count && positions[id.index] >= 0
    }

    /// (node, value) pairs in the order the values were set.
    @inlinable
    public func makeIterator() -> Zip2Sequence<[PickleNodeID], [Value]>.Iterator {
        zip(storedKeys, storedValues).makeIterator()
    }
}

/// A set of nodes of one graph, as one flag per node index.
public struct PickleNodeSet: Sendable {
    @usableFromInline var flags: [Bool]

    /// An empty set for a graph of `nodeCount` nodes (nodes beyond it can be inserted too).
    @inlinable
    public init(nodeCount: Int) {
        flags = [Bool](repeating: false, count: nodeCount)
    }

    /// The nodes of `ids`, for a graph of `nodeCount` nodes.
    @inlinable
    public init(_ ids: some Sequence<PickleNodeID>, nodeCount: Int) {
        self.init(nodeCount: nodeCount)
        for id in ids { insert(id) }
    }

    @inlinable
    public func contains(_ id: PickleNodeID) -> Bool {
        id.index >= 0 && id.index < flags.count && flags[id.index]
    }

    /// Adds `id`; returns whether it was new.
    @inlinable @discardableResult
    public mutating func insert(_ id: PickleNodeID) -> Bool {
        if id.index >= flags.count { flags += [Bool](repeating: false, count: id.index + 1 - flags.count) }
        guard !flags[id.index] else { return false }
        flags[id.index] = true
        return true
    }
}
