/// The opcodes and children that write one node, as CPython's pickler orders them.
enum PicklerStep {
    case opcode(PickleOpcode)
    case global(PickleGlobal)
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

extension PicklerStep {
    /// The steps for `node` (at `id`), which is neither a global nor the empty tuple; BUILD of its state last.
    static func program(for node: PickleNode, id: PickleNodeID, in graph: PickleGraph) throws -> [PicklerStep] {
        let state: [PicklerStep] = node.state.map { [.value($0), .opcode(.build)] } ?? []
        return try creation(for: node, id: id, in: graph) + state
    }

    private static func creation(for node: PickleNode, id: PickleNodeID, in graph: PickleGraph) throws -> [PicklerStep] {
        switch node.kind {
        case .list:
            return [.opcode(.emptyList), .memoizeNode, .items(.list)]
        case .tuple:
            let closer: [PickleOpcode] = [.tuple1, .tuple2, .tuple3]
            if node.items.count <= 3 { return [.items(.plain), .opcode(closer[node.items.count - 1]), .memoizeNode] }
            return [.opcode(.mark), .items(.plain), .opcode(.tuple), .memoizeNode]
        case .dict(ordered: false):
            return [.opcode(.emptyDict), .memoizeNode, .entries(.dict)]
        case .dict(ordered: true):
            let reduce: [PicklerStep] = [
                .global(PickleGlobal(module: "collections", name: "OrderedDict")),
                .opcode(.emptyTuple), .opcode(.reduce), .memoizeNode,
            ]
            return reduce + [.entries(.iterator)]
        case .set(let frozen):
            let constructor = PickleGlobal(module: "builtins", name: frozen ? "frozenset" : "set")
            return [
                .global(constructor), .opcode(.emptyList), .memoizeAnonymous, .items(.list), .opcode(.tuple1),
                .memoizeAnonymous, .opcode(.reduce), .memoizeNode,
            ]
        case .global:
            preconditionFailure("globals are written without a frame")
        case .call(let function):
            return [.global(function), .value(try argumentTuple(node, id, in: graph)), .opcode(.reduce)] + afterCreation
        case .object(let cls, let construction):
            return try objectCreation(node, id: id, cls: cls, construction, in: graph) + afterCreation
        case .persistentID:
            return [.value(node.args), .opcode(.binPersID)]
        }
    }

    /// Memo, then list items and dict items (state follows): `save_reduce`'s order.
    private static let afterCreation: [PicklerStep] = [.memoizeNode, .items(.iterator), .entries(.iterator)]

    private static func objectCreation(
        _ node: PickleNode, id: PickleNodeID, cls: PickleGlobal, _ construction: PickleObjectConstruction,
        in graph: PickleGraph
    ) throws -> [PicklerStep] {
        switch construction {
        case .newObject:
            return [.global(cls), .value(try argumentTuple(node, id, in: graph)), .opcode(.newObj)]
        case .instantiate:
            return [.global(cls), .value(try argumentTuple(node, id, in: graph)), .opcode(.reduce)]
        case .reconstructor:
            let reconstructor = PickleGlobal(module: "copyreg", name: "_reconstructor")
            return [.global(reconstructor), .value(try argumentTuple(node, id, in: graph)), .opcode(.reduce)]
        case .newObjectWithKeywords:
            // Protocol 2 has no NEWOBJ_EX; copyreg.__newobj_ex__(cls, args, kwargs) does the same.
            let pair = graph[try tupleID(node.args, of: id, in: graph)].items
            guard pair.count == 2 else { throw PickleError.argumentsNotTuple(node: id.index) }
            _ = try tupleID(pair[0], of: id, in: graph)
            return [
                .global(PickleGlobal(module: "copyreg", name: "__newobj_ex__")), .global(cls), .value(pair[0]),
                .value(pair[1]), .opcode(.tuple3), .memoizeAnonymous, .opcode(.reduce),
            ]
        }
    }

    private static func argumentTuple(_ node: PickleNode, _ id: PickleNodeID, in graph: PickleGraph) throws -> PickleValue {
        _ = try tupleID(node.args, of: id, in: graph)
        return node.args
    }

    private static func tupleID(_ value: PickleValue, of owner: PickleNodeID, in graph: PickleGraph) throws -> PickleNodeID {
        guard case .node(let id) = value else { throw PickleError.argumentsNotTuple(node: owner.index) }
        guard graph.nodes.indices.contains(id.index) else { throw PickleError.danglingNode(index: id.index) }
        guard graph[id].kind == .tuple else { throw PickleError.argumentsNotTuple(node: owner.index) }
        return id
    }
}
