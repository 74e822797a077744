import PickleMachine

/// Typed views of pickle values, for interpreting the few shapes torch writes (tuples of ints, strings,
/// globals). Each returns nil when the value has another shape, so callers can name what they expected.
extension PickleGraph {
    public func node(_ value: PickleValue) -> PickleNode? {
        guard case .node(let id) = value, id.index >= 0, id.index < nodes.count else { return nil }
        return self[id]
    }

    /// Items of a tuple or list.
    public func sequence(_ value: PickleValue) -> [PickleValue]? {
        guard let node = node(value) else { return nil }
        switch node.kind {
        case .tuple, .list: return node.items
        default: return nil
        }
    }

    public func global(_ value: PickleValue) -> PickleGlobal? {
        guard let node = node(value), case .global(let global) = node.kind else { return nil }
        return global
    }

    public func callee(_ value: PickleValue) -> PickleGlobal? {
        guard let node = node(value), case .call(let global) = node.kind else { return nil }
        return global
    }

    /// A sequence of Python ints that fit in Int (shapes, strides).
    public func ints(_ value: PickleValue) -> [Int]? {
        guard let items = sequence(value) ?? torchSizeItems(value) else { return nil }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let int = item.intValue else { return nil }
            result.append(int)
        }
        return result
    }

    /// `torch.Size((2, 3))` as older writers pickle it.
    private func torchSizeItems(_ value: PickleValue) -> [PickleValue]? {
        guard let node = node(value), case .call(let global) = node.kind, global.qualifiedName == "torch.Size",
            let args = sequence(node.args), args.count == 1
        else { return nil }
        return sequence(args[0])
    }

    public func isDict(_ value: PickleValue) -> Bool {
        guard let node = node(value), case .dict = node.kind else { return false }
        return true
    }

    /// Entries of a dict node, or nil.
    public func dictEntries(_ value: PickleValue) -> [PickleDictEntry]? {
        guard let node = node(value), case .dict = node.kind else { return nil }
        return node.entries
    }

    /// The value under a string key of a dict node.
    public func lookup(_ value: PickleValue, _ key: String) -> PickleValue? {
        dictEntries(value)?.first(where: { $0.key == .string(key) })?.value
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
