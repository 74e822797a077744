/// One step of writing a node: an opcode, a child, a memo entry or a run of items or entries.
///
/// Plain data (a slot, not a ``PickleValue``; a global's key, not the global): a step is made each time the
/// writer reaches it, and copying it counts no references.
enum PicklerStep {
    case opcode(PickleOpcode)
    /// The global the writer knows by `key` (see ``PicklerProgram/global(forKey:in:)``).
    case global(key: Int)
    /// A child as the graph stores it (arguments, state, a keyword object's class arguments).
    case child(PickleSlot)
    /// The opcode that makes the frame's node, then BINPUT registering it, so later references (cycles
    /// included) use BINGET.
    case make(PickleOpcode)
    /// BINPUT for an intermediate object CPython memoizes (a set's list, an argument tuple).
    case memoizeAnonymous
    /// The frame node's items, in the given batching.
    case items(PicklerBatching)
    /// The frame node's entries, in the given batching.
    case entries(PicklerBatching)
}

/// How one node is written, as CPython's pickler orders its opcodes and children: chosen (and checked) when
/// the node's frame opens, then ``step(_:of:in:)`` gives step `i`, BUILD of the state last. One byte per frame,
/// and no list of steps is made for any node.
enum PicklerProgram: UInt8 {
    case list
    case tuple1, tuple2, tuple3
    /// A tuple of four items or more: MARK ... TUPLE.
    case tuple
    case dict, orderedDict
    case set, frozenSet
    case persistentID
    /// A call: its global, its argument tuple, REDUCE; then memo, items, entries.
    case call
    /// Objects: their class (or `copyreg` function), their arguments, NEWOBJ or REDUCE; then as a call.
    case newObject, instantiate, reconstructor
    /// `copyreg.__newobj_ex__(cls, args, kwargs)`: protocol 2 has no NEWOBJ_EX.
    case newObjectWithKeywords

    /// The program for node `id`, which is neither a global nor the empty tuple; `itemCount` is the number of
    /// items written (a writer may replace a node's items). Throws what CPython's pickler would refuse.
    ///
    /// The graph is borrowed: an initializer would otherwise take it owned, retaining and releasing each of its
    /// tables once per node written.
    init(for id: PickleNodeID, itemCount: Int, in graph: borrowing PickleGraph) throws {
        switch graph.records[id.index].kind {
        case .list: self = .list
        case .tuple:
            switch itemCount {
            case 1: self = .tuple1
            case 2: self = .tuple2
            case 3: self = .tuple3
            default: self = .tuple
            }
        case .dict: self = .dict
        case .orderedDict: self = .orderedDict
        case .set: self = .set
        case .frozenSet: self = .frozenSet
        case .global: preconditionFailure("globals are written without a frame")
        case .call: self = .call
        case .newObject: self = .newObject
        case .instantiate: self = .instantiate
        case .reconstructor: self = .reconstructor
        case .newObjectWithKeywords: self = .newObjectWithKeywords
        case .persistentID: self = .persistentID
        }
        switch self {
        case .call, .newObject, .instantiate, .reconstructor:
            _ = try Self.argumentTuple(of: id, in: graph)  // refused now, as CPython's pickler would
        case .newObjectWithKeywords:
            let pair = try Self.argumentTuple(of: id, in: graph)
            guard graph.itemCount(of: pair) == 2 else { throw PickleError.argumentsNotTuple(node: id.index) }
            _ = try Self.tupleID(graph.items(of: pair)[0], of: id, in: graph)
        default: break
        }
    }

    /// Steps before the state's.
    private var creationCount: Int {
        switch self {
        case .list, .tuple1, .tuple2, .tuple3, .dict, .persistentID: return 2
        case .tuple: return 3
        case .orderedDict: return 4
        case .set, .frozenSet: return 7
        case .call, .newObject, .instantiate, .reconstructor: return 5
        case .newObjectWithKeywords: return 9
        }
    }

    /// Step `index` of writing node `id`, or nil past the last.
    @inline(__always)
    func step(_ index: Int, of id: PickleNodeID, in graph: borrowing PickleGraph) -> PicklerStep? {
        if index >= creationCount {
            let state = graph.records[id.index].state
            guard state.tag != .absent else { return nil }
            switch index - creationCount {
            case 0: return .child(state)
            case 1: return .opcode(.build)
            default: return nil
            }
        }
        switch self {
        case .list: return index == 0 ? .make(.emptyList) : .items(.list)
        case .tuple1: return index == 0 ? .items(.plain) : .make(.tuple1)
        case .tuple2: return index == 0 ? .items(.plain) : .make(.tuple2)
        case .tuple3: return index == 0 ? .items(.plain) : .make(.tuple3)
        case .tuple: return Self.pick(index, .opcode(.mark), .items(.plain), .make(.tuple))
        case .dict: return index == 0 ? .make(.emptyDict) : .entries(.dict)
        case .orderedDict:
            return Self.pick(index, .global(key: Self.orderedDictKey), .opcode(.emptyTuple), .make(.reduce), .entries(.iterator))
        case .set, .frozenSet:
            switch index {
            case 0: return .global(key: self == .frozenSet ? Self.frozenSetKey : Self.setKey)
            case 1: return .opcode(.emptyList)
            case 2, 5: return .memoizeAnonymous
            case 3: return .items(.list)
            case 4: return .opcode(.tuple1)
            default: return .make(.reduce)
            }
        case .persistentID: return index == 0 ? .child(graph.records[id.index].args) : .opcode(.binPersID)
        case .call, .newObject, .instantiate, .reconstructor:
            // Memo, then list items and dict items (state follows): `save_reduce`'s order.
            switch index {
            case 0: return .global(key: self == .reconstructor ? Self.reconstructorKey : Self.key(of: id, in: graph))
            case 1: return .child(graph.records[id.index].args)
            case 2: return .make(self == .newObject ? .newObj : .reduce)
            default: return index == 3 ? .items(.iterator) : .entries(.iterator)
            }
        case .newObjectWithKeywords:
            switch index {
            case 0: return .global(key: Self.newObjectExKey)
            case 1: return .global(key: Self.key(of: id, in: graph))
            case 2, 3:
                // The class's arguments and keywords: the two items of the node's argument tuple.
                let pair = graph.records[graph.records[id.index].args.index].items
                return .child(graph.slots[Int(pair.start) + index - 2])
            case 4: return .opcode(.tuple3)
            case 5: return .memoizeAnonymous
            case 6: return .make(.reduce)
            default: return index == 7 ? .items(.iterator) : .entries(.iterator)
            }
        }
    }

    // Keys of the globals a program names itself, from `lowestKey`; the graph's globals are keyed by their place
    // in its table.
    static let lowestKey = -5
    static let orderedDictKey = -1
    static let setKey = -2
    static let frozenSetKey = -3
    static let reconstructorKey = -4
    static let newObjectExKey = -5

    /// The writer's key for the global of node `id`.
    static func key(of id: PickleNodeID, in graph: borrowing PickleGraph) -> Int {
        Int(graph.records[id.index].global)
    }

    /// The global the writer knows by `key`.
    static func global(forKey key: Int, in graph: borrowing PickleGraph) -> PickleGlobal {
        switch key {
        case orderedDictKey: return PickleGlobal(module: "collections", name: "OrderedDict")
        case setKey: return PickleGlobal(module: "builtins", name: "set")
        case frozenSetKey: return PickleGlobal(module: "builtins", name: "frozenset")
        case reconstructorKey: return PickleGlobal(module: "copyreg", name: "_reconstructor")
        case newObjectExKey: return PickleGlobal(module: "copyreg", name: "__newobj_ex__")
        default: return graph.globals[key]
        }
    }

    /// Step `index` of a short fixed sequence (no array made for it).
    private static func pick(
        _ index: Int, _ a: PicklerStep, _ b: PicklerStep, _ c: PicklerStep, _ d: PicklerStep? = nil
    ) -> PicklerStep {
        switch index {
        case 0: return a
        case 1: return b
        case 2: return c
        default: return d!
        }
    }

    /// The argument tuple of a call or object node, checked as CPython's pickler checks it.
    private static func argumentTuple(of id: PickleNodeID, in graph: borrowing PickleGraph) throws -> PickleNodeID {
        try tupleID(graph.args(of: id), of: id, in: graph)
    }

    private static func tupleID(_ value: PickleValue, of owner: PickleNodeID, in graph: borrowing PickleGraph) throws
        -> PickleNodeID
    {
        guard case .node(let id) = value else { throw PickleError.argumentsNotTuple(node: owner.index) }
        guard graph.contains(id) else { throw PickleError.danglingNode(index: id.index) }
        guard graph.records[id.index].kind == .tuple else { throw PickleError.argumentsNotTuple(node: owner.index) }
        return id
    }
}
