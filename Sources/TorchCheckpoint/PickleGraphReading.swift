import PickleMachine

/// Typed views of pickle values, for interpreting the few shapes torch writes (tuples of ints, strings,
/// globals). Each returns nil when the value has another shape, so callers can name what they expected.
extension PickleGraph {
    /// The node behind `value` when it is a node of this graph.
    public func nodeID(of value: PickleValue) -> PickleNodeID? {
        guard case .node(let id) = value, contains(id) else { return nil }
        return id
    }

    /// The node behind `value` as a value of its own (items and entries copied out).
    public func node(_ value: PickleValue) -> PickleNode? {
        nodeID(of: value).map { self[$0] }
    }

    /// Items of a tuple or list, read in place.
    public func sequenceItems(_ value: PickleValue) -> PickleValues? {
        guard let id = nodeID(of: value), isTupleOrList(id) else { return nil }
        return items(of: id)
    }

    /// Items of a tuple or list.
    public func sequence(_ value: PickleValue) -> [PickleValue]? {
        sequenceItems(value).map(Array.init)
    }

    // By the node's kind byte: `kind(of:)` would copy the global's strings into a ``PickleNode/Kind`` first.
    public func global(_ value: PickleValue) -> PickleGlobal? {
        guard let id = nodeID(of: value), isGlobal(id) else { return nil }
        return global(of: id)
    }

    public func callee(_ value: PickleValue) -> PickleGlobal? {
        guard let id = nodeID(of: value), case .call(let global) = kind(of: id) else { return nil }
        return global
    }

    /// A sequence of Python ints that fit in Int (shapes, strides).
    public func ints(_ value: PickleValue) -> [Int]? {
        guard let items = sequenceItems(value) ?? torchSizeItems(value) else { return nil }
        return ints(items)
    }

    /// ``ints(_:)``, giving `previous` back when the items are the same ints: tensors in a row often have the
    /// same shape and strides (a norm's weight, bias and running statistics), and then share one array.
    public func ints(_ value: PickleValue, sameAs previous: [Int]) -> [Int]? {
        guard let items = sequenceItems(value) ?? torchSizeItems(value) else { return nil }
        guard items.count == previous.count else { return ints(items) }
        for position in 0..<items.count where items[position].intValue != previous[position] { return ints(items) }
        return previous
    }

    private func ints(_ items: PickleValues) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let int = item.intValue else { return nil }
            result.append(int)
        }
        return result
    }

    /// `torch.Size((2, 3))` as older writers pickle it.
    private func torchSizeItems(_ value: PickleValue) -> PickleValues? {
        guard let id = nodeID(of: value), case .call(let global) = kind(of: id), global.qualifiedName == "torch.Size",
            let args = sequenceItems(args(of: id)), args.count == 1
        else { return nil }
        return sequenceItems(args[0])
    }

    public func isDict(_ value: PickleValue) -> Bool {
        guard let id = nodeID(of: value), case .dict = kind(of: id) else { return false }
        return true
    }

    /// Entries of a dict node, read in place, or nil.
    public func dictEntriesView(_ value: PickleValue) -> PickleEntries? {
        guard let id = nodeID(of: value), case .dict = kind(of: id) else { return nil }
        return entries(of: id)
    }

    /// Entries of a dict node, or nil.
    public func dictEntries(_ value: PickleValue) -> [PickleDictEntry]? {
        dictEntriesView(value).map(Array.init)
    }

    /// The value under a string key of a dict node.
    public func lookup(_ value: PickleValue, _ key: String) -> PickleValue? {
        guard let entries = dictEntriesView(value) else { return nil }
        let wanted = PickleValue.string(key)
        guard let position = entries.indices.first(where: { entries.key(at: $0) == wanted }) else { return nil }
        return entries.value(at: position)
    }
}

extension PickleValue {
    public var intValue: Int? {
        switch self {
        case .int(let value): return Int(exactly: value)
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .int(let value): return value != 0
        default: return nil
        }
    }

    public var nodeID: PickleNodeID? {
        if case .node(let id) = self { return id }
        return nil
    }
}
