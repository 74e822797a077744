import PickleMachine

/// The content of an inert object as a plain container: what `vars(obj)` and the object's own items hold.
public struct ObjectContent: Sendable {
    /// A dict (attributes), a list (only appended items) or a tuple (only constructor arguments).
    public let kind: PickleNode.Kind
    /// A list's or tuple's items.
    public let items: [PickleValue]
    /// A dict's entries: attributes first, then entries SETITEMed into the object.
    public let entries: [PickleDictEntry]
    /// Appended items and constructor arguments kept beside attributes, under `__items__` and `__args__`.
    public let beside: [(key: String, items: [PickleValue])]

    /// A dict of the object's attributes (BUILD state: a dict, or `(dict, slots)`), then the entries SETITEMed
    /// into it; a list when it holds only appended items; a tuple when it holds only constructor arguments
    /// (a tuple subclass such as a namedtuple). A `_reconstructor` object's base data (a dict or list subclass
    /// at protocol 0/1) counts as its entries or items.
    init(_ node: PickleNode, _ construction: PickleObjectConstruction, in graph: PickleGraph) {
        var entries = Self.attributes(node.state, in: graph)
        var items = node.items
        var args = graph.sequence(node.args) ?? []
        if construction == .newObjectWithKeywords { args = graph.sequence(args.first ?? .none) ?? [] }
        if construction == .reconstructor {
            let base = args.count == 3 ? args[2] : .none
            args = []
            if let baseEntries = graph.dictEntries(base) { entries = baseEntries + entries }
            if let baseItems = graph.sequence(base) { items = baseItems + items }
        }
        entries += node.entries
        if entries.isEmpty && args.isEmpty && !items.isEmpty {
            (kind, self.items, self.entries, beside) = (.list, items, [], [])
        } else if entries.isEmpty && items.isEmpty && !args.isEmpty {
            (kind, self.items, self.entries, beside) = (.tuple, args, [], [])
        } else {
            let extra = [("__items__", items), ("__args__", args)].filter { !$0.1.isEmpty }
            (kind, self.items, self.entries, beside) = (.dict(ordered: false), [], entries, extra.map { ($0.0, $0.1) })
        }
    }

    private static func attributes(_ state: PickleValue?, in graph: PickleGraph) -> [PickleDictEntry] {
        guard let state, state != .none else { return [] }
        if let entries = graph.dictEntries(state) { return entries }
        if let parts = graph.sequence(state), parts.count == 2,
            parts.allSatisfy({ $0 == .none || graph.dictEntries($0) != nil })
        {
            return parts.flatMap { graph.dictEntries($0) ?? [] }
        }
        return [PickleDictEntry(key: .string("__state__"), value: state)]
    }

    /// The container node, with the lists it keeps beside its attributes added to `graph`.
    func node(adding graph: inout PickleGraph) -> PickleNode {
        var entries = self.entries
        for (key, items) in beside {
            entries.append(PickleDictEntry(key: .string(key), value: graph.add(PickleNode(kind: .list, items: items))))
        }
        return PickleNode(kind: kind, items: items, entries: entries)
    }

    /// What the object becomes, for the report: `dict of 4 entries`.
    public var description: String {
        switch kind {
        case .list: return "list of \(items.count) items"
        case .tuple: return "tuple of \(items.count) items"
        default:
            let count = entries.count + beside.count
            return "dict of \(count) " + (count == 1 ? "entry" : "entries")
        }
    }
}
