/// A container or object of the graph. Which fields are used depends on ``kind``.
public struct PickleNode: Sendable {
    /// What the node is.
    public enum Kind: Sendable, Equatable {
        /// `items`.
        case list
        /// `items`.
        case tuple
        /// `entries`; `state` holds what BUILD gave an OrderedDict (its `__dict__`, e.g. `_metadata`).
        case dict(ordered: Bool)
        /// `items`.
        case set(frozen: Bool)
        /// A GLOBAL reference pushed as a value (a class, a dtype such as `torch.float16`, a function).
        case global(PickleGlobal)
        /// REDUCE of an allow-listed callable: `args` is the argument tuple, `state` any BUILD state.
        /// Nothing is called; the layer that owns the allow-list interprets the node.
        case call(PickleGlobal)
        /// An instance of a class that is never run: `args` holds the constructor arguments,
        /// `state` the BUILD state, `items` / `entries` anything APPENDed or SETITEMed into it.
        case object(PickleGlobal, PickleObjectConstruction)
        /// BINPERSID / PERSID: `args` is the persistent id (torch: the storage tuple).
        case persistentID
    }

    /// What the node is, which decides the fields used.
    public var kind: Kind
    /// List, tuple or set items in order; items APPENDed to an object or call.
    public var items: [PickleValue]
    /// Dict entries in insertion order; entries SETITEMed into an object or call.
    public var entries: [PickleDictEntry]
    /// Arguments of a call or object (a tuple node), or a persistent id.
    public var args: PickleValue
    /// What BUILD gave the node, if anything.
    public var state: PickleValue?

    /// A node; fields not given stay empty.
    public init(
        kind: Kind, items: [PickleValue] = [], entries: [PickleDictEntry] = [],
        args: PickleValue = .none, state: PickleValue? = nil
    ) {
        self.kind = kind
        self.items = items
        self.entries = entries
        self.args = args
        self.state = state
    }
}
