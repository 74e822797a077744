/// What one run of the unpickler produced.
public struct UnpickleResult: Sendable {
    /// Every node built while unpickling, including ones the root no longer reaches.
    public var graph: PickleGraph
    /// The value STOP returned.
    public var root: PickleValue
    /// Index just past STOP: callers check for trailing bytes, or read the next pickle from here
    /// (the legacy torch format concatenates five pickles).
    public var endOffset: Int
    /// The protocol PROTO announced, 0 if there was no PROTO.
    public var protocolVersion: Int
    /// Every global the pickle named, in order of first use, so a caller can audit or list them the
    /// way `torch.serialization.get_unsafe_globals_in_checkpoint` does.
    public var globals: [PickleGlobalUse]
    /// The dict nodes `collections.defaultdict` built, with their factory's `module.name` (`builtins.list`) or
    /// `None`: they are plain dicts in the graph, and a report can say what they were.
    public var defaultDictFactories: [PickleNodeID: String] = [:]

    /// Creates a result.
    public init(graph: PickleGraph, root: PickleValue, endOffset: Int, protocolVersion: Int, globals: [PickleGlobalUse]) {
        self.graph = graph
        self.root = root
        self.endOffset = endOffset
        self.protocolVersion = protocolVersion
        self.globals = globals
    }
}

/// How a global was used by the pickle.
public enum PickleGlobalUsage: String, Sendable, Hashable, CaseIterable {
    /// Pushed as a value by GLOBAL or STACK_GLOBAL (a class, a dtype, a function).
    case pushed
    /// Called by REDUCE (data constructors included).
    case reduce
    /// Allocated by NEWOBJ or NEWOBJ_EX (nothing runs).
    case newObject
    /// Named and called by INST.
    case inst
    /// Called by OBJ.
    case obj
    /// The class (or OrderedDict, or called function) of an object that BUILD gave state.
    case buildTarget
    /// `builtins.getattr(<global>, 'name')` through REDUCE, read as the global `<global>.name` (see
    /// ``AttributeReference``): nothing is called.
    case attributeReference
}

/// One global referenced by a pickle, with where and how it was used.
public struct PickleGlobalUse: Sendable, Equatable {
    /// The global, with Python 2 module names already mapped to Python 3.
    public var global: PickleGlobal
    /// Offset of the opcode that first named it (GLOBAL, STACK_GLOBAL or INST).
    public var offset: Int
    /// Each way it was used, with the offset of the first opcode that used it that way.
    public var usages: [PickleGlobalUsage: Int]

    /// Creates a record.
    public init(global: PickleGlobal, offset: Int, usages: [PickleGlobalUsage: Int]) {
        self.global = global
        self.offset = offset
        self.usages = usages
    }
}
