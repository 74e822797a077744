/// Callables that only build data, which the machine evaluates itself whatever the policy says:
/// they are how CPython pickles OrderedDicts, sets, bytes, defaultdicts and protocol-0/1 objects.
enum DataConstructor {
    case orderedDict, set, frozenSet, codecsEncode, bytes, reconstructor, newObject, newObjectWithKeywords, defaultDict
    /// `builtins.getattr` in the one form read as data (``AttributeReference``); any other call of it follows the
    /// policy like any callable.
    case attribute

    init?(_ global: PickleGlobal) {
        switch (global.module, global.name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("collections", "defaultdict"): self = .defaultDict
        case ("builtins", "getattr"): self = .attribute
        case ("builtins", "set"): self = .set
        case ("builtins", "frozenset"): self = .frozenSet
        case ("_codecs", "encode"): self = .codecsEncode
        case ("builtins", "bytes"), ("builtins", "bytearray"): self = .bytes
        case ("copyreg", "_reconstructor"): self = .reconstructor
        case ("copyreg", "__newobj__"): self = .newObject
        case ("copyreg", "__newobj_ex__"): self = .newObjectWithKeywords
        default: return nil
        }
    }
}

extension UnpicklerMachine {
    /// The data `callable(*arguments)` builds.
    mutating func build(_ constructor: DataConstructor, use: Int, arguments: PickleSlot) throws -> PickleSlot {
        // `OrderedDict()`: every module's state_dict and `_metadata`, built without copying arguments or the name.
        if constructor == .orderedDict, graph.itemCount(of: nodeID(arguments)!) == 0 { return try addNode(.orderedDict) }
        let callable = globalUses[use].global
        let args = Array(graph.itemSlots(of: nodeID(arguments)!))
        switch constructor {
        case .orderedDict: return try orderedDict(args, callable)
        case .set: return try set(args, frozen: false, callable)
        case .frozenSet: return try set(args, frozen: true, callable)
        case .codecsEncode: return try builtSlot(codecsEncode(args, callable))
        case .bytes: return try builtSlot(bytesConstructor(args, callable))
        case .reconstructor:
            // _reconstructor(cls, base, state): allocates cls without running its __init__.
            guard args.count == 3 else { throw badArguments(callable, args) }
            let cls = try globalOperand(args[0])
            _ = try globalOperand(args[1])
            noteUsage(cls, .newObject)
            return try addNode(.reconstructor, global: globalNumber(cls), args: arguments)
        case .newObject:
            guard let first = args.first else { throw badArguments(callable, args) }
            let cls = try globalOperand(first)
            let rest = try tuple(args.dropFirst())
            return try newObject(cls, arguments: rest, keywords: nil)
        case .newObjectWithKeywords:
            guard args.count == 3 else { throw badArguments(callable, args) }
            return try newObject(globalOperand(args[0]), arguments: tupleOperand(args[1]), keywords: dictOperand(args[2]))
        case .defaultDict:
            return try defaultDict(args, callable: callable, arguments: arguments)
        case .attribute:
            preconditionFailure("getattr is read by attributeReference(_:) or follows the policy")
        }
    }

    /// The slot of a value built here (bytes), for the caller to push in the callable's place.
    private mutating func builtSlot(_ value: PickleValue) -> PickleSlot {
        graph.slot(for: value)
    }

    /// `OrderedDict()`, `OrderedDict(pairs)` with pairs a list or tuple of 2-tuples or 2-lists, or
    /// `OrderedDict(mapping)`.
    private mutating func orderedDict(_ args: [PickleSlot], _ callable: PickleGlobal) throws -> PickleSlot {
        let dict = try addNode(.orderedDict)
        guard let source = args.first else { return dict }
        guard args.count == 1, let sourceID = nodeID(source) else { throw badArguments(callable, args) }
        let dictID = nodeID(dict)!
        switch nodeKind(sourceID) {
        case .dict, .orderedDict:
            let entries = Array(graph.entrySlots(of: sourceID))
            for i in stride(from: 0, to: entries.count, by: 2) { try setEntry(entries[i], entries[i + 1], in: dictID) }
        case .list, .tuple:
            for pair in Array(graph.itemSlots(of: sourceID)) {
                guard let pairID = nodeID(pair), [.list, .tuple].contains(nodeKind(pairID)), graph.itemCount(of: pairID) == 2
                else { throw badArguments(callable, args) }
                let items = graph.itemSlots(of: pairID)
                try setEntry(items[items.startIndex], items[items.startIndex + 1], in: dictID)
            }
        default:
            throw badArguments(callable, args)
        }
        return dict
    }

    /// `set()` / `frozenset()` of nothing, a list, tuple, set, or dict (its keys).
    private mutating func set(_ args: [PickleSlot], frozen: Bool, _ callable: PickleGlobal) throws -> PickleSlot {
        let set = try addNode(frozen ? .frozenSet : .set)
        guard let source = args.first else { return set }
        guard args.count == 1, let sourceID = nodeID(source) else { throw badArguments(callable, args) }
        let members: [PickleSlot]
        switch nodeKind(sourceID) {
        case .list, .tuple, .set, .frozenSet: members = Array(graph.itemSlots(of: sourceID))
        case .dict, .orderedDict:
            members = graph.entrySlots(of: sourceID).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        default: throw badArguments(callable, args)
        }
        try addSetMembers(members, to: nodeID(set)!)
        return set
    }

    /// `_codecs.encode(text[, encoding[, 'strict']])`: how protocol 2 stores bytes.
    private func codecsEncode(_ slots: [PickleSlot], _ callable: PickleGlobal) throws -> PickleValue {
        let args = slots.map { graph.value(of: $0) }
        guard (1...3).contains(args.count), case .string(let text) = args[0],
            let bytes = encode(text, args.dropFirst())
        else { throw badArguments(callable, slots) }
        return .bytes(bytes)
    }

    /// `bytes(...)` / `bytearray(...)` of nothing, bytes, (text, encoding), or a list of byte values.
    private func bytesConstructor(_ slots: [PickleSlot], _ callable: PickleGlobal) throws -> PickleValue {
        let args = slots.map { graph.value(of: $0) }
        switch args.first {
        case nil: return .bytes([])
        case .bytes(let bytes)? where args.count == 1: return .bytes(bytes)
        case .string(let text)? where args.count >= 2:
            if let bytes = encode(text, args.dropFirst()) { return .bytes(bytes) }
        case .node(let id)? where args.count == 1 && [.list, .tuple].contains(graph.records[id.index].kind):
            let items = graph.items(of: id)
            let values = items.compactMap { item -> UInt8? in
                guard case .int(let value) = item else { return nil }
                return UInt8(exactly: value)
            }
            if values.count == items.count { return .bytes(values) }
        default: break
        }
        throw badArguments(callable, slots)
    }

    /// `text` encoded with the encoding named in `options` (default UTF-8), errors 'strict'.
    private func encode(_ text: String, _ options: ArraySlice<PickleValue>) -> [UInt8]? {
        var encoding = "utf_8"
        if let first = options.first {
            guard case .string(let name) = first else { return nil }
            encoding = String(name.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
        }
        if options.count == 2 {
            guard case .string("strict") = options.last! else { return nil }
        }
        let maximum: UInt32
        switch encoding {
        case "utf_8", "utf8", "u8", "utf": return Array(text.utf8)
        case "latin_1", "latin1", "iso_8859_1", "iso8859_1", "8859", "cp819", "l1", "latin": maximum = 0xFF
        case "ascii", "us_ascii", "646": maximum = 0x7F
        default: return nil
        }
        let scalars = text.unicodeScalars.map(\.value)
        guard scalars.allSatisfy({ $0 <= maximum }) else { return nil }
        return scalars.map { UInt8($0) }
    }

    private func badArguments(_ callable: PickleGlobal, _ args: [PickleSlot]) -> PickleError {
        let kinds = args.map { kindName($0) }.joined(separator: ", ")
        return .invalidOperand(
            opcode: opcode, expected: "arguments \(callable.qualifiedName) accepts", found: "(\(kinds))", offset: offset)
    }
}
