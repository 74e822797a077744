/// A node's items as values, read from the graph's slots on access (nothing is copied).
public struct PickleValues: RandomAccessCollection, Sendable {
    @usableFromInline let tables: ValueTables
    @usableFromInline let start: Int
    public let count: Int

    init(graph: PickleGraph, run: SlotRun) {
        self.tables = ValueTables(graph)
        self.start = Int(run.start)
        self.count = Int(run.count)
    }

    /// No items.
    public init() {
        self.init(graph: PickleGraph(), run: SlotRun())
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> PickleValue {
        precondition(position >= 0 && position < count, "item index out of range")
        return tables.value(at: start + position)
    }
}

/// A node's entries as key-value pairs, read from the graph's slots on access.
public struct PickleEntries: RandomAccessCollection, Sendable {
    @usableFromInline let tables: ValueTables
    @usableFromInline let start: Int
    public let count: Int

    init(graph: PickleGraph, run: SlotRun) {
        self.tables = ValueTables(graph)
        self.start = Int(run.start)
        self.count = Int(run.count)
    }

    /// No entries.
    public init() {
        self.init(graph: PickleGraph(), run: SlotRun())
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> PickleDictEntry {
        precondition(position >= 0 && position < count, "entry index out of range")
        return PickleDictEntry(key: key(at: position), value: value(at: position))
    }

    /// The key of entry `position`, without reading its value.
    @inlinable
    public func key(at position: Int) -> PickleValue {
        tables.value(at: start + 2 * position)
    }

    /// The value of entry `position`.
    @inlinable
    public func value(at position: Int) -> PickleValue {
        tables.value(at: start + 2 * position + 1)
    }
}

/// The graph's arrays a value is read from: a view holds these three, not the whole graph.
@usableFromInline
struct ValueTables: Sendable {
    @usableFromInline let slots: [PickleSlot]
    @usableFromInline let strings: [String]
    @usableFromInline let scalars: [PickleValue]

    init(_ graph: PickleGraph) {
        slots = graph.slots
        strings = graph.strings
        scalars = graph.scalars
    }

    @usableFromInline
    func value(at position: Int) -> PickleValue {
        let slot = slots[position]
        switch slot.tag {
        case .string: return .string(strings[slot.index])
        case .scalar: return scalars[slot.index]
        default: return PickleGraph.inlineValue(of: slot)
        }
    }
}
