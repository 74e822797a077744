/// Opcodes that build or fill lists, tuples, dicts and sets.
extension UnpicklerMachine {
    mutating func buildContainer(_ op: PickleOpcode) throws {
        switch op {
        case .emptyList: try push(addNode(PickleNode(kind: .list)))
        case .emptyDict: try push(addNode(PickleNode(kind: .dict(ordered: false))))
        case .emptySet: try push(addNode(PickleNode(kind: .set(frozen: false))))
        case .emptyTuple: try push(tuple([]))
        case .list: try push(addNode(PickleNode(kind: .list, items: popMarked())))
        case .tuple: try push(tuple(popMarked()))
        case .tuple1: try push(tuple(pop(1)))
        case .tuple2: try push(tuple(pop(2)))
        case .tuple3: try push(tuple(pop(3)))
        case .dict:
            let items = try popMarked()
            let dict = try addNode(PickleNode(kind: .dict(ordered: false)))
            try setItems(items, into: dict)
            try push(dict)
        case .frozenSet:
            let items = try popMarked()
            let set = try addNode(PickleNode(kind: .set(frozen: true)))
            try addSetMembers(items, to: nodeID(set)!)
            try push(set)
        default:
            preconditionFailure("\(op) is not a container-building opcode")
        }
    }

    /// A tuple node; the empty tuple is one shared node, as `()` is one object in Python.
    mutating func tuple(_ items: [PickleValue]) throws -> PickleValue {
        if items.isEmpty, let shared = emptyTuple { return .node(shared) }
        let value = try addNode(PickleNode(kind: .tuple, items: items))
        if items.isEmpty { emptyTuple = nodeID(value) }
        return value
    }

    mutating func mutateContainer(_ op: PickleOpcode) throws {
        switch op {
        case .append:
            let value = try pop()
            try appendItems([value], to: top())
        case .setItem:
            let pair = try pop(2)
            try setItems(pair, into: top())
        case .appends, .setItems, .addItems:
            let items = try popMarked()
            let target = try top()
            guard !items.isEmpty else { return }  // CPython ignores an empty batch, whatever the target
            switch op {
            case .appends: try appendItems(items, to: target)
            case .setItems: try setItems(items, into: target)
            default: try addSetMembers(items, to: setTarget(target))
            }
        default:
            preconditionFailure("\(op) is not a container-mutating opcode")
        }
    }

    /// APPEND(S): lists, and objects or calls (their `items`, as a list subclass's `append` would).
    mutating func appendItems(_ items: [PickleValue], to target: PickleValue) throws {
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        switch graph[id].kind {
        case .list, .object, .call:
            try countItems(items.count, existing: graph[id].items.count)
            for item in items { try noteContains(id, item) }
            graph[id].items.append(contentsOf: items)
        default:
            throw invalidTarget(target)
        }
    }

    /// SETITEM(S) and DICT: dicts with Python's semantics (a repeated key keeps its place and takes
    /// the new value); objects and calls record every pair in `entries` as given.
    mutating func setItems(_ items: [PickleValue], into target: PickleValue) throws {
        guard items.count % 2 == 0 else {
            throw PickleError.invalidOperand(
                opcode: opcode, expected: "key-value pairs", found: "\(items.count) items", offset: offset)
        }
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        switch graph[id].kind {
        case .dict:
            for i in stride(from: 0, to: items.count, by: 2) { try setEntry(items[i], items[i + 1], in: id) }
        case .object, .call:
            try countItems(items.count / 2, existing: graph[id].entries.count)
            for i in stride(from: 0, to: items.count, by: 2) {
                try noteContains(id, items[i])
                try noteContains(id, items[i + 1])
                graph[id].entries.append(PickleDictEntry(key: items[i], value: items[i + 1]))
            }
        default:
            throw invalidTarget(target)
        }
    }

    /// `dict[key] = value` for a dict node.
    mutating func setEntry(_ key: PickleValue, _ value: PickleValue, in id: PickleNodeID) throws {
        let hashKey = try self.hashKey(key)
        try noteContains(id, value)
        let slot = dictSlot(of: id)
        if let position = dictIndexes[slot].insert(hashKey) {
            graph[id].entries[position].value = value  // an existing key keeps its place
            return
        }
        // A refusal below ends the run, so the index need not forget the key.
        try countItems(1, existing: graph[id].entries.count)
        try noteContains(id, key)
        graph[id].entries.append(PickleDictEntry(key: key, value: value))
    }

    /// Adds members to a set node, skipping ones already present (Python equality).
    mutating func addSetMembers(_ members: [PickleValue], to id: PickleNodeID) throws {
        for member in members {
            let hashKey = try self.hashKey(member)
            let slot = setSlot(of: id)
            guard setIndexes[slot].insert(hashKey).inserted else { continue }
            try countItems(1, existing: graph[id].items.count)
            try noteContains(id, member)
            graph[id].items.append(member)
        }
    }

    /// The position of dict `id`'s key index in `dictIndexes`, created empty on first use.
    private mutating func dictSlot(of id: PickleNodeID) -> Int {
        if tracking[id.index].slot < 0 {
            tracking[id.index].slot = Int32(dictIndexes.count)
            dictIndexes.append(HashPositionIndex())
        }
        return Int(tracking[id.index].slot)
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
    func setTarget(_ target: PickleValue) throws -> PickleNodeID {
        guard let id = nodeID(target), graph[id].kind == .set(frozen: false) else { throw invalidTarget(target) }
        return id
    }

    mutating func hashKey(_ value: PickleValue) throws -> PickleHashKey {
        do {
            return try hashKeys.key(for: value, in: graph)
        } catch let unhashable as PickleHashKeys.Unhashable {
            throw PickleError.unhashableKey(kind: unhashable.kind, opcode: opcode, offset: offset)
        }
    }

    func invalidTarget(_ target: PickleValue) -> PickleError {
        .invalidTarget(opcode: opcode, target: kindName(target), offset: offset)
    }
}
