/// Opcodes that name globals, call or allocate objects, give them state, or load persistent ids.
/// Nothing is ever executed: every outcome is an inert node.
extension UnpicklerMachine {
    mutating func objectOpcode(_ op: PickleOpcode) throws {
        switch op {
        case .global:
            let moduleLine = try textLine()
            let nameLine = try textLine()
            guard !moduleLine.isEmpty, !nameLine.isEmpty else { throw invalidText }  // as CPython's load_global
            let module = try utf8(moduleLine)
            let name = try utf8(nameLine)
            try push(pushedGlobal(module: module, name: name))
        case .stackGlobal:
            let operands = try pop(2)
            guard case .string(let module) = operands[0], case .string(let name) = operands[1] else {
                throw PickleError.invalidOperand(
                    opcode: op, expected: "two strings",
                    found: "\(kindName(operands[0])) and \(kindName(operands[1]))", offset: offset)
            }
            try push(pushedGlobal(module: module, name: name))
        case .reduce:
            let arguments = try pop()
            let callableValue = try pop()
            let callable = try globalOperand(callableValue)
            try push(call(callable, arguments: tupleOperand(arguments), usage: .reduce))
        case .newObj:
            let arguments = try pop()
            let cls = try pop()
            try push(newObject(globalOperand(cls), arguments: tupleOperand(arguments), keywords: nil))
        case .newObjEx:
            let keywordsValue = try pop()
            let arguments = try pop()
            let cls = try pop()
            let keywords = try dictOperand(keywordsValue)
            try push(newObject(globalOperand(cls), arguments: tupleOperand(arguments), keywords: keywords))
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
            let moduleLine = try textLine()
            let nameLine = try textLine()
            guard !moduleLine.isEmpty, !nameLine.isEmpty else { throw invalidText }  // as CPython's load_inst
            let module = try ascii(moduleLine)
            let name = try ascii(nameLine)
            let callable = python3(PickleGlobal(module: module, name: name))
            let use = noteGlobal(callable, .inst)
            try push(call(use, arguments: tuple(popMarked()), usage: .inst))
        case .obj:
            let items = try popMarked()
            guard let first = items.first else { throw PickleError.stackUnderflow(opcode: op, offset: offset) }
            let callable = try globalOperand(first)
            try push(call(callable, arguments: tuple(Array(items.dropFirst())), usage: .obj))
        case .persID:
            let line = try textLine()
            let id = try ascii(line)
            try push(addNode(PickleNode(kind: .persistentID, args: .string(id))))
        case .binPersID:
            let id = try pop()
            if let resolved = policy.resolvePersistentID?(id, graph) {
                try push(resolved)
            } else {
                try push(addNode(PickleNode(kind: .persistentID, args: id)))
            }
        default:
            preconditionFailure("\(op) is not an object opcode")
        }
    }

    /// The global node for GLOBAL / STACK_GLOBAL, with Python 2 names mapped as CPython does below
    /// protocol 3.
    private mutating func pushedGlobal(module: String, name: String) throws -> PickleValue {
        try pushedGlobal(python3(PickleGlobal(module: module, name: name)))
    }

    /// The one node of `global`, its use noted as pushed at the current opcode.
    mutating func pushedGlobal(_ global: PickleGlobal) throws -> PickleValue {
        let use = noteGlobal(global, .pushed)
        if let existing = globalNodes[global] { return .node(existing) }
        let value = try addNode(PickleNode(kind: .global(global)))
        globalNodes[global] = nodeID(value)
        tracking[nodeID(value)!.index].slot = Int32(use)
        return value
    }

    func python3(_ global: PickleGlobal) -> PickleGlobal {
        protocolVersion < 3 ? PythonNameMapping.python3(global) : global
    }

    /// REDUCE, INST and OBJ: a data constructor builds its data; any other callable becomes an inert
    /// call node if the policy allows it, and is refused otherwise.
    mutating func call(_ use: Int, arguments: PickleValue, usage: PickleGlobalUsage) throws -> PickleValue {
        let callable = globalUses[use].global
        if constructors[use] == .attribute, let reference = try attributeReference(arguments) {
            noteUsage(use, .attributeReference)
            return reference
        }
        noteUsage(use, usage)
        if let constructor = constructors[use], constructor != .attribute {
            return try build(constructor, callable: callable, arguments: arguments)
        }
        if allowed[use] == nil { allowed[use] = policy.allows(callable) }
        guard allowed[use]! else {
            throw PickleError.refusedCallable(name: callable.qualifiedName, opcode: opcode, offset: offset)
        }
        return try addNode(PickleNode(kind: .call(callable), args: arguments))
    }

    /// NEWOBJ / NEWOBJ_EX only allocate (`cls.__new__`), so any class is allowed and stays inert.
    mutating func newObject(_ use: Int, arguments: PickleValue, keywords: PickleNodeID?) throws -> PickleValue {
        noteUsage(use, .newObject)
        let cls = globalUses[use].global
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
        case .object(let cls, _): owner = cls
        case .call(let function): owner = function
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

    /// The `globalUses` index of a global node.
    func globalOperand(_ value: PickleValue) throws -> Int {
        guard let id = nodeID(value), case .global = graph[id].kind else {
            throw PickleError.invalidCallable(found: kindName(value), opcode: opcode, offset: offset)
        }
        return Int(tracking[id.index].slot)
    }

    func tupleOperand(_ value: PickleValue) throws -> PickleValue {
        guard let id = nodeID(value), graph[id].kind == .tuple else {
            throw PickleError.invalidOperand(
                opcode: opcode, expected: "an argument tuple", found: kindName(value), offset: offset)
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

    /// Records a use of `global` at the current opcode and returns its index in `globalUses`.
    @discardableResult
    mutating func noteGlobal(_ global: PickleGlobal, _ usage: PickleGlobalUsage) -> Int {
        if let index = globalUseIndex[global] {
            noteUsage(index, usage)
            return index
        }
        globalUseIndex[global] = globalUses.count
        globalUses.append(PickleGlobalUse(global: global, offset: offset, usages: [usage: offset]))
        usageMasks.append(usage.bit)
        constructors.append(DataConstructor(global))
        allowed.append(nil)
        return globalUses.count - 1
    }

    /// Records the first use of each kind; a bit mask spares a dictionary lookup per REDUCE.
    mutating func noteUsage(_ index: Int, _ usage: PickleGlobalUsage) {
        guard usageMasks[index] & usage.bit == 0 else { return }
        usageMasks[index] |= usage.bit
        globalUses[index].usages[usage] = offset
    }
}

extension PickleGlobalUsage {
    fileprivate var bit: UInt8 {
        switch self {
        case .pushed: return 1
        case .reduce: return 2
        case .newObject: return 4
        case .inst: return 8
        case .obj: return 16
        case .buildTarget: return 32
        case .attributeReference: return 64
        }
    }
}
