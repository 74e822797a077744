/// Reads pickles of protocols 0 to 5 into an inert ``PickleGraph``, executing nothing.
///
/// Globals become names, calls become nodes (or are refused by the ``UnpicklerPolicy``), NEWOBJ
/// allocations become object nodes, and persistent ids stay ids. Every size is checked against
/// ``UnpicklerLimits`` before anything is allocated, and the machine never recurses.
public enum Unpickler {
    /// Unpickles the pickle that starts at `start`, stopping just past its STOP.
    public static func unpickle(
        _ bytes: [UInt8], from start: Int = 0, policy: UnpicklerPolicy, limits: UnpicklerLimits = .standard
    ) throws -> UnpickleResult {
        precondition(start >= 0, "negative start offset")
        guard start <= bytes.count else { throw PickleError.truncated(opcode: nil, offset: start) }
        var machine = UnpicklerMachine(bytes: bytes, start: start, policy: policy, limits: limits)
        return try machine.run()
    }
}

extension UnpicklerMachine {
    mutating func run() throws -> UnpickleResult {
        // Read once: a static is behind a once-check on every access, a million times in a large pickle.
        let opcodes = PickleOpcode.byByte
        while true {
            guard let byte = input.nextOpcodeByte() else {
                throw PickleError.truncated(opcode: nil, offset: input.position)
            }
            guard let op = opcodes[Int(byte)] else {
                throw PickleError.unknownOpcode(byte, offset: input.opcodeOffset)
            }
            input.opcode = op
            // The opcodes a torch state_dict is mostly made of, handled here rather than through `execute`'s
            // two switches: they are nine in ten of a large checkpoint's opcodes.
            switch op {
            case .binPut: try storeMemo(Int(input.readByte()))
            case .longBinPut: try storeMemo(Int(input.readUInt32()))
            case .binGet: try push(memoValue(Int(input.readByte())))
            case .binInt1: try push(PickleSlot.smallInt(Int64(input.readByte()))!)
            case .newFalse: try push(PickleSlot.bool(false))
            case .mark: try pushMark()
            case .tuple: try markedTuple()
            case .tuple1: try topTuple(count: 1)
            case .emptyTuple: try push(tuple(stackItemsFrom: stack.count))
            case .stop: return try finish()
            default: try execute(op)
            }
        }
    }

    private mutating func execute(_ op: PickleOpcode) throws {
        switch op {
        case .none, .newTrue, .newFalse, .int, .binInt, .binInt1, .binInt2, .long, .long1, .long4, .float, .binFloat:
            try loadNumber(op)
        case .string, .binString, .shortBinString, .unicode, .shortBinUnicode, .binUnicode, .binUnicode8,
            .shortBinBytes, .binBytes, .binBytes8, .byteArray8:
            try loadText(op)
        case .emptyList, .emptyTuple, .emptyDict, .emptySet, .list, .tuple, .tuple1, .tuple2, .tuple3, .dict, .frozenSet:
            try buildContainer(op)
        case .append, .appends, .setItem, .setItems, .addItems:
            try mutateContainer(op)
        case .mark, .pop, .popMark, .dup, .get, .binGet, .longBinGet, .put, .binPut, .longBinPut, .memoize:
            try stackOrMemo(op)
        case .global, .stackGlobal, .reduce, .build, .inst, .obj, .newObj, .newObjEx, .persID, .binPersID:
            try objectOpcode(op)
        case .proto, .frame:
            try framing(op)
        case .ext1, .ext2, .ext4, .nextBuffer, .readonlyBuffer:
            throw PickleError.unsupportedOpcode(op, offset: offset)
        case .stop:
            preconditionFailure("STOP is handled by run()")
        }
    }

    /// STOP: the top item is the result, once the whole graph below it is known to nest within the
    /// limit (measured again only if depths tracked while parsing may be stale).
    private mutating func finish() throws -> UnpickleResult {
        let root = try pop()
        if depthsMayBeStale, let depth = NestingDepthCheck.depthExceeding(limits.maxNestingDepth, in: graph, from: root) {
            throw limitExceeded(.nestingDepth, depth)
        }
        var result = UnpickleResult(
            graph: graph, root: value(root), endOffset: input.position, protocolVersion: protocolVersion, globals: globalUses)
        result.defaultDictFactories = defaultDictFactories
        return result
    }
}

extension PickleOpcode {
    /// The opcode of each byte value, nil for bytes that are none.
    static let byByte: [PickleOpcode?] = (0..<256).map { PickleOpcode(rawValue: UInt8($0)) }
}
