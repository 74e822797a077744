/// Opcodes that name globals, call or allocate objects, give them state, or load persistent ids.
/// Nothing is ever executed: every outcome is an inert node.
extension UnpicklerMachine {
    mutating func objectOpcode(_ op: PickleOpcode) throws {
        switch op {
        case .global:
            let module = try utf8(textLine()), name = try utf8(textLine())
            try push(pushedGlobal(module: module, name: name))
        case .stackGlobal:
            let operands = try pop(2)
            guard case let .string(module) = operands[0], case let .string(name) = operands[1] else {
                throw PickleError.invalidOperand(
                    opcode: op, expected: "two strings",
                    found: "\(kindName(operands[0])) and \(kindName(operands[1]))", offset: offset)
            }
            try push(pushedGlobal(module: module, name: name))
        case .reduce:
            let operands = try pop(2)
            let callable = try globalOperand(operands[0])
            try push(call(callable, arguments: tupleOperand(operands[1]), usage: .reduce))
        case .newObj:
            let operands = try pop(2)
            try push(newObject(globalOperand(operands[0]), arguments: tupleOperand(operands[1]), keywords: nil))
        case .newObjEx:
            let operands = try pop(3)
            let keywords = try dictOperand(operands[2])
            try push(newObject(globalOperand(operands[0]), arguments: tupleOperand(operands[1]), keywords: keywords))
        case .build:
            let state = try pop()
            try build(top(), state: state)
        default:
            try instantiateOrPersist(op)
        }
    }

    private mutating func instantiateOrPersist(_ op: PickleOpcode) throws {
        switch op {
        case .inst:
            let module = try ascii(textLine()), name = try ascii(textLine())
            let callable = python3(PickleGlobal(module: module, name: name))
            noteGlobal(callable, .inst)
            try push(call(callable, arguments: tuple(popMarked()), usage: .inst))
        case .obj:
            let items = try popMarked()
            guard let first = items.first else { throw PickleError.stackUnderflow(opcode: op, offset: offset) }
            let callable = try globalOperand(first)
            try push(call(callable, arguments: tuple(Array(items.dropFirst())), usage: .obj))
        case .persID:
            let id = try ascii(textLine())
            try push(addNode(PickleNode(kind: .persistentID, args: .string(id))))
        case .binPersID:
            let id = try pop()
            try push(addNode(PickleNode(kind: .persistentID, args: id)))
        default:
            preconditionFailure("\(op) is not an object opcode")
        }
    }

    /// The global node for GLOBAL / STACK_GLOBAL, with Python 2 names mapped as CPython does below
    /// protocol 3.
    private mutating func pushedGlobal(module: String, name: String) throws -> PickleValue {
        let global = python3(PickleGlobal(module: module, name: name))
        noteGlobal(global, .pushed)
        if let existing = globalNodes[global] { return .node(existing) }
        let value = try addNode(PickleNode(kind: .global(global)))
        globalNodes[global] = nodeID(value)
        return value
    }

    func python3(_ global: PickleGlobal) -> PickleGlobal {
        protocolVersion < 3 ? PythonNameMapping.python3(global) : global
    }

    /// REDUCE, INST and OBJ: a data constructor builds its data; any other callable becomes an inert
    /// call node if the policy allows it, and is refused otherwise.
    mutating func call(_ callable: PickleGlobal, arguments: PickleValue, usage: PickleGlobalUsage) throws -> PickleValue {
        noteGlobal(callable, usage)
        if let data = try dataConstructor(callable, arguments: arguments) { return data }
        guard policy.allows(callable) else {
            throw PickleError.refusedCallable(name: callable.qualifiedName, opcode: opcode, offset: offset)
        }
        return try addNode(PickleNode(kind: .call(callable), args: arguments))
    }

    /// NEWOBJ / NEWOBJ_EX only allocate (`cls.__new__`), so any class is allowed and stays inert.
    mutating func newObject(_ cls: PickleGlobal, arguments: PickleValue, keywords: PickleNodeID?) throws -> PickleValue {
        noteGlobal(cls, .newObject)
        guard let keywords, !graph[keywords].entries.isEmpty else {
            return try addNode(PickleNode(kind: .object(cls, .newObject), args: arguments))
        }
        let pair = try tuple([arguments, .node(keywords)])
        return try addNode(PickleNode(kind: .object(cls, .newObjectWithKeywords), args: pair))
    }

    /// BUILD: state for objects, calls and OrderedDicts (their `__dict__`, e.g. `_metadata`).
    private mutating func build(_ target: PickleValue, state: PickleValue) throws {
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        let owner: PickleGlobal
        switch graph[id].kind {
        case let .object(cls, _): owner = cls
        case let .call(function): owner = function
        case .dict(ordered: true): owner = PickleGlobal(module: "collections", name: "OrderedDict")
        default: throw invalidTarget(target)
        }
        guard graph[id].state == nil else {
            throw PickleError.invalidTarget(opcode: opcode, target: "\(kindName(target)) that already has state", offset: offset)
        }
        try noteContains(id, state)
        graph[id].state = state
        noteGlobal(owner, .buildTarget)
    }

    // MARK: Operands

    func globalOperand(_ value: PickleValue) throws -> PickleGlobal {
        guard let id = nodeID(value), case let .global(global) = graph[id].kind else {
            throw PickleError.invalidCallable(found: kindName(value), opcode: opcode, offset: offset)
        }
        return global
    }

    func tupleOperand(_ value: PickleValue) throws -> PickleValue {
        guard let id = nodeID(value), graph[id].kind == .tuple else {
            throw PickleError.invalidOperand(opcode: opcode, expected: "an argument tuple", found: kindName(value), offset: offset)
        }
        return value
    }

    func dictOperand(_ value: PickleValue) throws -> PickleNodeID {
        guard let id = nodeID(value), case .dict = graph[id].kind else {
            throw PickleError.invalidOperand(opcode: opcode, expected: "a keyword dict", found: kindName(value), offset: offset)
        }
        return id
    }

    func ascii(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { throw invalidText }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Records a use of `global` at the current opcode.
    mutating func noteGlobal(_ global: PickleGlobal, _ usage: PickleGlobalUsage) {
        if let index = globalUseIndex[global] {
            if globalUses[index].usages[usage] == nil { globalUses[index].usages[usage] = offset }
            return
        }
        globalUseIndex[global] = globalUses.count
        globalUses.append(PickleGlobalUse(global: global, offset: offset, usages: [usage: offset]))
    }
}
