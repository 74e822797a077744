/// `collections.defaultdict(factory)`, as `defaultdict.__reduce__` pickles it: REDUCE of the class with the
/// factory alone, then SETITEMS. The machine builds a plain dict (nothing is called: the factory only matters
/// when a missing key is read, which never happens here) and remembers the factory beside the graph.
///
/// The factory is a global the pickle names; any callable could be one, so only builtin data types are read
/// as one (a defaultdict of `os.system` is refused by name).
enum DefaultDictFactories {
    /// `module.name` of the factories read as data: types whose call with no argument makes an empty value.
    static let dataTypes: Set<String> = [
        "builtins.list", "builtins.dict", "builtins.set", "builtins.frozenset", "builtins.tuple", "builtins.int",
        "builtins.float", "builtins.complex", "builtins.str", "builtins.bytes", "builtins.bytearray", "builtins.bool",
        "collections.OrderedDict", "collections.Counter",
    ]

    /// The spelling of a factory in reports: `builtins.list`, or `None` for a defaultdict without one.
    static let noFactory = "None"
}

extension UnpicklerMachine {
    /// `defaultdict()`, `defaultdict(None)` or `defaultdict(<builtin data type>)`: a dict node whose factory is
    /// kept in `defaultDictFactories`. An audit scan keeps any other factory as an inert call, so it can list it.
    mutating func defaultDict(_ args: [PickleSlot], callable: PickleGlobal, arguments: PickleSlot) throws -> PickleSlot {
        var factory = DefaultDictFactories.noFactory
        if let first = args.first, first != .none {
            guard let id = nodeID(first), case .global(let global) = graph.kind(of: id),
                DefaultDictFactories.dataTypes.contains(global.qualifiedName)
            else {
                if policy.keepsEveryCallInert { return try addNode(.call, global: graph.globalNumber(callable), args: arguments) }
                let found =
                    nodeID(first).flatMap { id -> String? in
                        if case .global(let global) = graph.kind(of: id) { return global.qualifiedName }
                        return nil
                    } ?? kindName(first)
                throw PickleError.refusedFactory(found: found, opcode: opcode, offset: offset)
            }
            factory = global.qualifiedName
        }
        guard args.count <= 1 else {
            throw PickleError.invalidOperand(
                opcode: opcode, expected: "collections.defaultdict's factory alone", found: "\(args.count) arguments",
                offset: offset)
        }
        let dict = try addNode(.dict)
        defaultDictFactories[nodeID(dict)!] = factory
        return dict
    }
}
