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
            let operands = try pop(2).map { value($0) }
            guard case .string(let module) = operands[0], case .string(let name) = operands[1] else {
                throw PickleError.invalidOperand(
                    opcode: op, expected: "two strings",
                    found:
                        "\(PickleValueKind.describe(operands[0], in: graph)) and \(PickleValueKind.describe(operands[1], in: graph))",
                    offset: offset)
            }
            try push(pushedGlobal(module: module, name: name))
        case .reduce:
            // Operands are read into locals first: a helper's result handed to a mutating call in the same
            // expression copies the whole machine.
            let arguments = try pop()
            let callableValue = try pop()
            let callable = try globalOperand(callableValue)
            let tuple = try tupleOperand(arguments)
            let result = try call(callable, arguments: tuple, usage: .reduce)
            try push(result)
        case .newObj:
            let arguments = try pop()
            let clsValue = try pop()
            let cls = try globalOperand(clsValue)
            let tuple = try tupleOperand(arguments)
            let object = try newObject(cls, arguments: tuple, keywords: nil)
            try push(object)
        case .newObjEx:
            let keywordsValue = try pop()
            let arguments = try pop()
            let clsValue = try pop()
            let keywords = try dictOperand(keywordsValue)
            let cls = try globalOperand(clsValue)
            let tuple = try tupleOperand(arguments)
            let object = try newObject(cls, arguments: tuple, keywords: keywords)
            try push(object)
        case .build:
            let state = try pop()
            let target = try top()
            try build(target, state: state)
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
            let text = graph.stringSlot(id)
            try push(addNode(.persistentID, args: text))
        case .binPersID:
            let id = try pop()
            if let resolve = policy.resolvePersistentID, let resolved = resolve(value(id), graph) {
                try push(resolved)
            } else {
                try push(addNode(.persistentID, args: id))
            }
        default:
            preconditionFailure("\(op) is not an object opcode")
        }
    }

    /// The global node for GLOBAL / STACK_GLOBAL, with Python 2 names mapped as CPython does below
    /// protocol 3.
    private mutating func pushedGlobal(module: String, name: String) throws -> PickleSlot {
        try pushedGlobal(python3(PickleGlobal(module: module, name: name)))
    }

    /// The one node of `global`, its use noted as pushed at the current opcode.
    mutating func pushedGlobal(_ global: PickleGlobal) throws -> PickleSlot {
        let use = noteGlobal(global, .pushed)
        if let existing = globalNodes[global] { return .node(existing.index) }
        let value = try addNode(.global, global: globalNumber(use))
        globalNodes[global] = nodeID(value)
        tracking[value.index].slot = Int32(use)
        return value
    }

    mutating func python3(_ global: PickleGlobal) -> PickleGlobal {
        protocolVersion < 3 ? PythonNameMapping.python3(global) : global
    }

    /// REDUCE, INST and OBJ: a data constructor builds its data; any other callable becomes an inert
    /// call node if the policy allows it, and is refused otherwise.
    mutating func call(_ use: Int, arguments: PickleSlot, usage: PickleGlobalUsage) throws -> PickleSlot {
        // The global is read from `globalUses` only where needed: a copy retains its two strings.
        if constructors[use] == .attribute, let reference = try attributeReference(arguments) {
            noteUsage(use, .attributeReference)
            return reference
        }
        noteUsage(use, usage)
        if let constructor = constructors[use], constructor != .attribute {
            return try build(constructor, use: use, arguments: arguments)
        }
        if allowed[use] == nil { allowed[use] = policy.allows(globalUses[use].global) }
        guard allowed[use]! else {
            throw PickleError.refusedCallable(name: globalUses[use].global.qualifiedName, opcode: opcode, offset: offset)
        }
        return try addNode(.call, global: globalNumber(use), args: arguments)
    }

    /// The graph's number for `globalUses[use]`, found once.
    @inline(__always)
    mutating func globalNumber(_ use: Int) -> Int32 {
        if globalNumbers[use] < 0 { globalNumbers[use] = graph.globalNumber(globalUses[use].global) }
        return globalNumbers[use]
    }

    /// NEWOBJ / NEWOBJ_EX only allocate (`cls.__new__`), so any class is allowed and stays inert.
    mutating func newObject(_ use: Int, arguments: PickleSlot, keywords: PickleNodeID?) throws -> PickleSlot {
        noteUsage(use, .newObject)
        let cls = globalNumber(use)
        guard let keywords, graph.entryCount(of: keywords) > 0 else {
            return try addNode(.newObject, global: cls, args: arguments)
        }
        let pair = try tuple([arguments, .node(keywords.index)])
        return try addNode(.newObjectWithKeywords, global: cls, args: pair)
    }

    /// BUILD: state for objects, calls and OrderedDicts (their `__dict__`, e.g. `_metadata`).
    private mutating func build(_ target: PickleSlot, state: PickleSlot) throws {
        guard let id = nodeID(target) else { throw invalidTarget(target) }
        let owner: PickleGlobal
        let kind = nodeKind(id)
        if kind == .call || kind.isObject {
            owner = graph.global(of: id)!
        } else if kind == .orderedDict {
            owner = PickleGlobal(module: "collections", name: "OrderedDict")
        } else {
            throw invalidTarget(target)
        }
        guard graph.records[id.index].state == .absent else {
            throw PickleError.invalidTarget(opcode: opcode, target: "\(kindName(target)) that already has state", offset: offset)
        }
        try noteContains(id, state)
        graph.records[id.index].state = state
        noteGlobal(owner, .buildTarget)
    }

    // MARK: Operands

    /// The `globalUses` index of a global node.
    @inline(__always)
    mutating func globalOperand(_ value: PickleSlot) throws -> Int {
        guard let id = nodeID(value), nodeKind(id) == .global else {
            throw PickleError.invalidCallable(found: kindName(value), opcode: opcode, offset: offset)
        }
        return Int(tracking[id.index].slot)
    }

    @inline(__always)
    mutating func tupleOperand(_ value: PickleSlot) throws -> PickleSlot {
        guard let id = nodeID(value), nodeKind(id) == .tuple else {
            throw PickleError.invalidOperand(
                opcode: opcode, expected: "an argument tuple", found: kindName(value), offset: offset)
        }
        return value
    }

    mutating func dictOperand(_ value: PickleSlot) throws -> PickleNodeID {
        guard let id = nodeID(value), nodeKind(id).isDict else {
            throw PickleError.invalidOperand(opcode: opcode, expected: "a keyword dict", found: kindName(value), offset: offset)
        }
        return id
    }

    mutating func ascii(_ bytes: ArraySlice<UInt8>) throws -> String {
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
        globalNumbers.append(-1)
        return globalUses.count - 1
    }

    /// Records the first use of each kind; a bit mask spares a dictionary lookup per REDUCE.
    @inline(__always)
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
