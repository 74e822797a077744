/// The opcodes and children that write one node, as CPython's pickler orders them.
enum PicklerStep {
    case opcode(PickleOpcode)
    /// A global and the writer's key for it (see ``PicklerProgram/key(of:in:)``).
    case global(PickleGlobal, key: Int)
    case value(PickleValue)
    /// BINPUT registering the frame's node, so later references (cycles included) use BINGET.
    case memoizeNode
    /// BINPUT for an intermediate object CPython memoizes (a set's list, an argument tuple).
    case memoizeAnonymous
    /// The frame node's items, in the given batching.
    case items(PicklerBatching)
    /// The frame node's entries, in the given batching.
    case entries(PicklerBatching)
}

/// How one node is written: its steps, each made when the writer reaches it (no list of steps per node).
///
/// The program is checked when the frame opens (``init(for:itemCount:in:)`` throws what CPython's pickler
/// would refuse); ``step(_:)`` then gives step `i`, BUILD of the state last.
struct PicklerProgram {
    private enum Shape {
        case list
        case smallTuple(PickleOpcode)
        case tuple, dict, orderedDict
        case set(frozen: Bool)
        case persistentID
        /// A call: its global, its argument tuple (both read from the graph when written), REDUCE; then as
        /// `created`. No payload but the global's key, so that frames stay small and make no array.
        case call(key: Int)
        /// `first` steps (callable and arguments), then memoize, items, entries.
        case created([PicklerStep])
    }

    private let shape: Shape
    private let stateValue: PickleValue?
    /// Steps before the state.
    private let creationCount: Int

    /// The steps for node `id`, which is neither a global nor the empty tuple; `itemCount` is the number of
    /// items written (a writer may replace a node's items).
    ///
    /// The graph is borrowed: an initializer would otherwise take it owned, retaining and releasing each of its
    /// tables once per node written.
    init(for id: PickleNodeID, itemCount: Int, in graph: borrowing PickleGraph) throws {
        stateValue = graph.state(of: id)
        // The record's kind code, not `graph.kind(of:)`: that would build each call's global for nothing.
        switch graph.records[id.index].kind {
        case .list: shape = .list
        case .tuple:
            switch itemCount {
            case 1: shape = .smallTuple(.tuple1)
            case 2: shape = .smallTuple(.tuple2)
            case 3: shape = .smallTuple(.tuple3)
            default: shape = .tuple
            }
        case .dict: shape = .dict
        case .orderedDict: shape = .orderedDict
        case .set: shape = .set(frozen: false)
        case .frozenSet: shape = .set(frozen: true)
        case .global: preconditionFailure("globals are written without a frame")
        case .call:
            _ = try Self.argumentTuple(id, in: graph)  // refused now, as CPython's pickler would
            shape = .call(key: Self.key(of: id, in: graph))
        case .newObject, .newObjectWithKeywords, .instantiate, .reconstructor:
            guard case .object(let cls, let construction) = graph.kind(of: id) else { preconditionFailure("an object node") }
            shape = .created(try Self.objectCreation(id, cls: cls, construction, in: graph))
        case .persistentID: shape = .persistentID
        }
        switch shape {
        case .list, .dict: creationCount = 3
        case .smallTuple: creationCount = 3
        case .tuple: creationCount = 4
        case .orderedDict: creationCount = 5
        case .set: creationCount = 8
        case .persistentID: creationCount = 2
        case .call: creationCount = 6
        case .created(let first): creationCount = first.count + 3
        }
    }

    /// Step `index`, or nil past the last.
    func step(_ index: Int, of id: PickleNodeID, in graph: PickleGraph) -> PicklerStep? {
        if index >= creationCount {
            guard let stateValue else { return nil }
            switch index - creationCount {
            case 0: return .value(stateValue)
            case 1: return .opcode(.build)
            default: return nil
            }
        }
        switch shape {
        case .list: return Self.pick(index, .opcode(.emptyList), .memoizeNode, .items(.list))
        case .smallTuple(let closer): return Self.pick(index, .items(.plain), .opcode(closer), .memoizeNode)
        case .tuple: return Self.pick(index, .opcode(.mark), .items(.plain), .opcode(.tuple), .memoizeNode)
        case .dict: return Self.pick(index, .opcode(.emptyDict), .memoizeNode, .entries(.dict))
        case .orderedDict:
            if index == 0 { return .global(Self.orderedDict, key: Self.orderedDictKey) }
            return Self.pick(index - 1, .opcode(.emptyTuple), .opcode(.reduce), .memoizeNode, .entries(.iterator))
        case .set(let frozen):
            switch index {
            case 0:
                return frozen
                    ? .global(PickleGlobal(module: "builtins", name: "frozenset"), key: Self.frozenSetKey)
                    : .global(PickleGlobal(module: "builtins", name: "set"), key: Self.setKey)
            case 1: return .opcode(.emptyList)
            case 2, 5: return .memoizeAnonymous
            case 3: return .items(.list)
            case 4: return .opcode(.tuple1)
            case 6: return .opcode(.reduce)
            default: return .memoizeNode
            }
        case .persistentID: return index == 0 ? .value(graph.args(of: id)) : .opcode(.binPersID)
        case .call(let key):
            switch index {
            case 0: return .global(graph.global(of: id)!, key: key)
            case 1: return .value(graph.args(of: id))
            case 2: return .opcode(.reduce)
            default: return Self.pick(index - 3, .memoizeNode, .items(.iterator), .entries(.iterator))
            }
        case .created(let first):
            // Memo, then list items and dict items (state follows): `save_reduce`'s order.
            if index < first.count { return first[index] }
            return Self.pick(index - first.count, .memoizeNode, .items(.iterator), .entries(.iterator))
        }
    }

    // Keys of the globals a program names itself; the graph's globals are keyed by their place in its table.
    static let orderedDict = PickleGlobal(module: "collections", name: "OrderedDict")
    static let orderedDictKey = -1
    static let setKey = -2
    static let frozenSetKey = -3
    static let reconstructorKey = -4
    static let newObjectExKey = -5

    /// The writer's key for the global of node `id`.
    static func key(of id: PickleNodeID, in graph: PickleGraph) -> Int {
        graph.globalNumber(of: id)!
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

    private static func objectCreation(
        _ id: PickleNodeID, cls: PickleGlobal, _ construction: PickleObjectConstruction, in graph: PickleGraph
    ) throws -> [PicklerStep] {
        let global = PicklerStep.global(cls, key: key(of: id, in: graph))
        switch construction {
        case .newObject:
            return [global, .value(try argumentTuple(id, in: graph)), .opcode(.newObj)]
        case .instantiate:
            return [global, .value(try argumentTuple(id, in: graph)), .opcode(.reduce)]
        case .reconstructor:
            let reconstructor = PickleGlobal(module: "copyreg", name: "_reconstructor")
            return [.global(reconstructor, key: reconstructorKey), .value(try argumentTuple(id, in: graph)), .opcode(.reduce)]
        case .newObjectWithKeywords:
            // Protocol 2 has no NEWOBJ_EX; copyreg.__newobj_ex__(cls, args, kwargs) does the same.
            let pair = graph.items(of: try tupleID(graph.args(of: id), of: id, in: graph))
            guard pair.count == 2 else { throw PickleError.argumentsNotTuple(node: id.index) }
            _ = try tupleID(pair[0], of: id, in: graph)
            return [
                .global(PickleGlobal(module: "copyreg", name: "__newobj_ex__"), key: newObjectExKey), global, .value(pair[0]),
                .value(pair[1]), .opcode(.tuple3), .memoizeAnonymous, .opcode(.reduce),
            ]
        }
    }

    private static func argumentTuple(_ id: PickleNodeID, in graph: PickleGraph) throws -> PickleValue {
        let args = graph.args(of: id)
        _ = try tupleID(args, of: id, in: graph)
        return args
    }

    private static func tupleID(_ value: PickleValue, of owner: PickleNodeID, in graph: PickleGraph) throws -> PickleNodeID {
        guard case .node(let id) = value else { throw PickleError.argumentsNotTuple(node: owner.index) }
        guard graph.contains(id) else { throw PickleError.danglingNode(index: id.index) }
        guard graph.kind(of: id) == .tuple else { throw PickleError.argumentsNotTuple(node: owner.index) }
        return id
    }
}
