/// Opcodes that build or fill lists, tuples, dicts and sets.
extension UnpicklerMachine {
    mutating func buildContainer(_ op: PickleOpcode) throws {
        switch op {
        case .emptyList: try push(addNode(.list))
        case .emptyDict: try push(addNode(.dict))
        case .emptySet: try push(addNode(.set))
        case .emptyTuple: try push(tuple(stackItemsFrom: stack.count))
        case .list:
            let mark = try popMark()
            let list = try addNode(.list, stackItemsFrom: mark)
            dropStack(to: mark)
            try push(list)
        case .tuple: try markedTuple()
        case .tuple1, .tuple2, .tuple3: try topTuple(count: op == .tuple1 ? 1 : op == .tuple2 ? 2 : 3)
        case .dict:
            let items = try popMarked()
            let dict = try addNode(.dict)
            try setItems(items, into: dict)
            try push(dict)
        case .frozenSet:
            let items = try popMarked()
            let set = try addNode(.frozenSet)
            try addSetMembers(items, to: nodeID(set)!)
            try push(set)
        default:
            preconditionFailure("\(op) is not a container-building opcode")
        }
    }

    /// TUPLE: the items above the topmost mark become a tuple in their place.
    mutating func markedTuple() throws {
        let mark = try popMark()
        let tuple = try tuple(stackItemsFrom: mark)
        dropStack(to: mark)
        try push(tuple)
    }

    /// TUPLE1 to TUPLE3: the top `count` items become a tuple in their place (the stack shrinks, so no limit applies).
    mutating func topTuple(count: Int) throws {
        let start = stack.count - count
        guard start >= fence else { throw PickleError.stackUnderflow(opcode: opcode, offset: offset) }
        let tuple = try tuple(stackItemsFrom: start)
        dropStack(to: start + 1)
        stack[start] = tuple
    }

    /// A tuple of the stack's items from `start` up, which the caller then drops.
    mutating func tuple(stackItemsFrom start: Int) throws -> PickleSlot {
        if start == stack.count, let shared = emptyTuple { return .node(shared.index) }
        let value = try addNode(.tuple, stackItemsFrom: start)
        if start == stack.count { emptyTuple = nodeID(value) }
        return value
    }

    /// A tuple node; the empty tuple is one shared node, as `()` is one object in Python.
    mutating func tuple(_ items: some Collection<PickleSlot>) throws -> PickleSlot {
        if items.isEmpty, let shared = emptyTuple { return .node(shared.index) }
        let value = try addNode(.tuple, items: items)
        if items.isEmpty { emptyTuple = nodeID(value) }
        return value
    }

    mutating func mutateContainer(_ op: PickleOpcode) throws {
        switch op {
        case .append:
            let value = try pop()
            let target = try top()
            try appendItems([value], to: target)
        case .setItem:
            let value = try pop()
            let key = try pop()
            let target = try top()
            if let id = nodeID(target), nodeKind(id).isDict {
                try setEntry(key, value, in: id)  // as setItems would, without an array for the pair
            } else {
                try setItems([key, value], into: target)
            }
        case .appends, .setItems, .addItems:
            let items = try popMarked()
            let target = try top()
            guard !items.isEmpty else { return }  // CPython ignores an empty batch, whatever the target
            switch op {
            case .appends: try appendItems(items, to: target)
            case .setItems: try setItems(items, into: target)
            default:
                let set = try setTarget(target)
                try addSetMembers(items, to: set)
            }
        default:
            preconditionFailure("\(op) is not a container-mutating opcode")
        }
    }

    /// APPEND(S): lists, and objects or calls (their `items`, as a list subclass's `append` would).
    mutating func appendItems(_ items: [PickleSlot], to target: PickleSlot) throws {
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        let kind = nodeKind(id)
        guard kind == .list || kind == .call || kind.isObject else { throw invalidTarget(target) }
        try countItems(items.count, existing: graph.itemCount(of: id))
        for item in items { try noteContains(id, item) }
        graph.append(items, toEntries: false, of: id)
    }

    /// SETITEM(S) and DICT: dicts with Python's semantics (a repeated key keeps its place and takes
    /// the new value); objects and calls record every pair in `entries` as given.
    mutating func setItems(_ items: [PickleSlot], into target: PickleSlot) throws {
        guard items.count % 2 == 0 else {
            throw PickleError.invalidOperand(
                opcode: opcode, expected: "key-value pairs", found: "\(items.count) items", offset: offset)
        }
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        let kind = nodeKind(id)
        if kind.isDict {
            for i in stride(from: 0, to: items.count, by: 2) { try setEntry(items[i], items[i + 1], in: id) }
        } else if kind == .call || kind.isObject {
            try countItems(items.count / 2, existing: graph.entryCount(of: id))
            for item in items { try noteContains(id, item) }
            graph.append(items, toEntries: true, of: id)
        } else {
            throw invalidTarget(target)
        }
    }

    /// Adds members to a set node, skipping ones already present (Python equality).
    mutating func addSetMembers(_ members: [PickleSlot], to id: PickleNodeID) throws {
        for member in members {
            let hashKey = try self.hashKey(member)
            let slot = setSlot(of: id)
            guard setIndexes[slot].insert(hashKey).inserted else { continue }
            try countItems(1, existing: graph.itemCount(of: id))
            try noteContains(id, member)
            graph.append(CollectionOfOne(member), toEntries: false, of: id)
        }
    }

    /// The position of set `id`'s member index in `setIndexes`, created empty on first use.
    private mutating func setSlot(of id: PickleNodeID) -> Int {
        if tracking[id.index].slot < 0 {
            tracking[id.index].slot = Int32(setIndexes.count)
            setIndexes.append([])
        }
        return Int(tracking[id.index].slot)
    }

    /// ADDITEMS applies to mutable sets only.
    mutating func setTarget(_ target: PickleSlot) throws -> PickleNodeID {
        guard let id = nodeID(target), nodeKind(id) == .set else { throw invalidTarget(target) }
        return id
    }

    mutating func hashKey(_ value: PickleSlot) throws -> PickleHashKey {
        do {
            return try hashKeys.key(for: value, in: graph)
        } catch let unhashable as PickleHashKeys.Unhashable {
            throw PickleError.unhashableKey(kind: unhashable.kind, opcode: opcode, offset: offset)
        }
    }

    func invalidTarget(_ target: PickleSlot) -> PickleError {
        .invalidTarget(opcode: opcode, target: kindName(target), offset: offset)
    }
}

/// Two slots as a collection, to append a key and its value without an array.
struct CollectionOfTwo: RandomAccessCollection {
    let first: PickleSlot
    let second: PickleSlot

    init(_ first: PickleSlot, _ second: PickleSlot) {
        self.first = first
        self.second = second
    }

    var startIndex: Int { 0 }
    var endIndex: Int { 2 }
    subscript(position: Int) -> PickleSlot { position == 0 ? first : second }
}
