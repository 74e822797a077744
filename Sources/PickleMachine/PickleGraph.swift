/// The inert result of unpickling: scalars inline, every container or object a node.
///
/// Nodes refer to each other by ``PickleNodeID`` instead of by strong references, for two reasons:
/// a node reused through the memo stays one node however often it is referenced (a hostile pickle can
/// reference one node 2^40 times through nesting), and releasing a graph never recurses, so a chain
/// nested hundreds of thousands deep cannot overflow the stack when it is freed.
///
/// Everything lives in a few flat arrays: one record per node (its kind, its global, where its items and
/// entries are), every item, entry key and value in one array of 8-byte slots (``PickleSlot``), each string
/// once in a string table, each global once in a global table. A graph of a million nodes is a handful of
/// allocations, and reading it counts no references. ``PickleNode`` is the same node as a value of its own,
/// for building graphs and for code that is not in a hurry.
public struct PickleGraph: Sendable {
    @usableFromInline var records: [NodeRecord] = []
    @usableFromInline var slots: [PickleSlot] = []
    @usableFromInline var strings: [String] = []
    /// Values a slot cannot hold: floats, integers beyond 60 bits, big integers, bytes.
    @usableFromInline var scalars: [PickleValue] = []
    @usableFromInline var globals: [PickleGlobal] = []
    private var globalIndex: [PickleGlobal: Int32] = [:]

    /// An empty graph.
    public init() {}

    /// A graph holding `nodes`, node `i` at index `i`.
    public init(nodes: [PickleNode]) {
        for node in nodes { _ = add(node) }
    }

    /// Number of nodes.
    public var nodeCount: Int { records.count }

    /// Every node id, in creation order.
    public var nodeIDs: [PickleNodeID] { records.indices.map { PickleNodeID(index: $0) } }

    /// Whether `id` is a node of this graph.
    public func contains(_ id: PickleNodeID) -> Bool { id.index >= 0 && id.index < records.count }

    /// Adds a node and returns the value that refers to it.
    @discardableResult
    public mutating func add(_ node: PickleNode) -> PickleValue {
        records.append(NodeRecord(kind: .list))
        let id = PickleNodeID(index: records.count - 1)
        self[id] = node
        return .node(id)
    }

    /// The node `id` refers to, as a value of its own; setting it replaces the node's kind, items, entries,
    /// args and state. Traps if `id` is not from this graph.
    public subscript(id: PickleNodeID) -> PickleNode {
        get {
            PickleNode(
                kind: kind(of: id), items: Array(items(of: id)), entries: Array(entries(of: id)), args: args(of: id),
                state: state(of: id))
        }
        set {
            setKind(newValue.kind, of: id)
            setItems(of: id, newValue.items)
            setEntries(of: id, newValue.entries)
            setArgs(of: id, newValue.args)
            setState(of: id, newValue.state)
        }
    }

    // MARK: Reading

    /// What node `id` is.
    public func kind(of id: PickleNodeID) -> PickleNode.Kind {
        let record = records[id.index]
        return record.kind.kind(global: record.global >= 0 ? globals[Int(record.global)] : nil)
    }

    // Kind tests read the node's one-byte kind: building a ``PickleNode/Kind`` copies its global's strings,
    // which a loop over every node of a large checkpoint pays for each node.

    /// Whether node `id` is a call (REDUCE of an allowed global).
    public func isCall(_ id: PickleNodeID) -> Bool { records[id.index].kind == .call }

    /// Whether node `id` is a persistent id.
    public func isPersistentID(_ id: PickleNodeID) -> Bool { records[id.index].kind == .persistentID }

    /// Whether node `id` is an inert object (NEWOBJ, reconstructor).
    public func isObject(_ id: PickleNodeID) -> Bool { records[id.index].kind.isObject }

    /// Whether node `id` is a frozenset.
    public func isFrozenSet(_ id: PickleNodeID) -> Bool { records[id.index].kind == .frozenSet }

    /// Whether node `id` is a global pushed as a value.
    public func isGlobal(_ id: PickleNodeID) -> Bool { records[id.index].kind == .global }

    /// Whether node `id` is a tuple or a list.
    public func isTupleOrList(_ id: PickleNodeID) -> Bool {
        let kind = records[id.index].kind
        return kind == .tuple || kind == .list
    }

    /// The node's items (list, tuple or set items; items appended to an object or call).
    public func items(of id: PickleNodeID) -> PickleValues {
        PickleValues(graph: self, run: records[id.index].items)
    }

    /// The node's dict entries (or entries set into an object or call), in insertion order.
    public func entries(of id: PickleNodeID) -> PickleEntries {
        PickleEntries(graph: self, run: records[id.index].entries)
    }

    /// The node's arguments (calls and objects) or persistent id; `None` for other nodes.
    public func args(of id: PickleNodeID) -> PickleValue {
        value(of: records[id.index].args)
    }

    /// What BUILD gave the node, if anything.
    public func state(of id: PickleNodeID) -> PickleValue? {
        let slot = records[id.index].state
        return slot.tag == .absent ? nil : value(of: slot)
    }

    public func itemCount(of id: PickleNodeID) -> Int { Int(records[id.index].items.count) }
    public func entryCount(of id: PickleNodeID) -> Int { Int(records[id.index].entries.count) }

    /// The position of a global, call or object node's global in the graph's global table (each distinct global
    /// once, ``globalCount`` of them), for code that needs a flag or a verdict per global.
    public func globalNumber(of id: PickleNodeID) -> Int? {
        let index = records[id.index].global
        return index >= 0 ? Int(index) : nil
    }

    /// Number of distinct globals the nodes name.
    public var globalCount: Int { globals.count }

    /// The global of a global, call or object node.
    public func global(of id: PickleNodeID) -> PickleGlobal? {
        let index = records[id.index].global
        return index >= 0 ? globals[Int(index)] : nil
    }

    @usableFromInline
    func value(of slot: PickleSlot) -> PickleValue {
        switch slot.tag {
        case .string: return .string(strings[slot.index])
        case .scalar: return scalars[slot.index]
        default: return Self.inlineValue(of: slot)
        }
    }

    /// The value of a slot that holds it itself (not a string or table scalar).
    @usableFromInline
    static func inlineValue(of slot: PickleSlot) -> PickleValue {
        switch slot.tag {
        case .none, .absent: return .none
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .int: return .int(slot.int)
        case .node: return .node(PickleNodeID(index: slot.index))
        case .string, .scalar: preconditionFailure("strings and scalars are in the graph's tables")
        }
    }

    // MARK: Writing

    /// The slot that holds `value`: strings and other large scalars are appended to their tables.
    mutating func slot(for value: PickleValue) -> PickleSlot {
        switch value {
        case .none: return .none
        case .bool(let flag): return .bool(flag)
        case .int(let number): if let slot = PickleSlot.smallInt(number) { return slot }
        case .node(let id): return .node(id.index)
        case .string(let text): return stringSlot(text)
        case .bigInt, .float, .bytes: break
        }
        scalars.append(value)
        return PickleSlot(.scalar, UInt64(scalars.count - 1))
    }

    mutating func stringSlot(_ text: String) -> PickleSlot {
        strings.append(text)
        return PickleSlot(.string, UInt64(strings.count - 1))
    }

    /// The index of `global` in the global table, added when new.
    mutating func globalNumber(_ global: PickleGlobal) -> Int32 {
        if let index = globalIndex[global] { return index }
        globals.append(global)
        globalIndex[global] = Int32(globals.count - 1)
        return Int32(globals.count - 1)
    }

    public mutating func setKind(_ kind: PickleNode.Kind, of id: PickleNodeID) {
        let (code, global) = NodeKind.code(of: kind)
        records[id.index].kind = code
        records[id.index].global = global.map { globalNumber($0) } ?? -1
    }

    public mutating func setItems(of id: PickleNodeID, _ items: some Collection<PickleValue>) {
        let newSlots = items.map { slot(for: $0) }
        records[id.index].items = SlotRun(start: UInt32(slots.count), count: UInt32(newSlots.count))
        slots += newSlots
    }

    public mutating func setEntries(of id: PickleNodeID, _ entries: some Collection<PickleDictEntry>) {
        var newSlots: [PickleSlot] = []
        newSlots.reserveCapacity(2 * entries.count)
        for entry in entries {
            newSlots.append(slot(for: entry.key))
            newSlots.append(slot(for: entry.value))
        }
        placeEntries(newSlots, of: id)
    }

    /// Replaces item `index` of node `id`.
    public mutating func setItem(_ value: PickleValue, at index: Int, of id: PickleNodeID) {
        precondition(index >= 0 && index < Int(records[id.index].items.count), "item index out of range")
        let slot = slot(for: value)
        slots[Int(records[id.index].items.start) + index] = slot
    }

    /// Replaces the value of entry `index` of node `id`.
    public mutating func setEntryValue(_ value: PickleValue, at index: Int, of id: PickleNodeID) {
        precondition(index >= 0 && index < Int(records[id.index].entries.count), "entry index out of range")
        let slot = slot(for: value)
        slots[Int(records[id.index].entries.start) + 2 * index + 1] = slot
    }

    public mutating func setArgs(of id: PickleNodeID, _ args: PickleValue) {
        records[id.index].args = slot(for: args)
    }

    public mutating func setState(of id: PickleNodeID, _ state: PickleValue?) {
        records[id.index].state = state.map { slot(for: $0) } ?? .absent
    }

    /// Appends slots to node `id`'s items, or to its entries (key, value pairs): in place when its run has room
    /// or ends the slot array, else moved to the end with room to grow (so appends cost amortised O(1)).
    mutating func append(_ newSlots: some Collection<PickleSlot>, toEntries: Bool, of id: PickleNodeID) {
        var run = toEntries ? records[id.index].entries : records[id.index].items
        let width = toEntries ? 2 : 1
        let used = Int(run.count) * width
        let needed = used + newSlots.count
        if needed > Int(run.capacity) * width {
            if Int(run.start) + Int(run.capacity) * width == slots.count && run.count > 0 {
                slots.append(contentsOf: repeatElement(PickleSlot.none, count: needed - Int(run.capacity) * width))
                run.capacity = UInt32(needed / width)
            } else {
                let capacity = max(needed / width, 2 * Int(run.capacity), 4)
                let start = slots.count
                for index in Int(run.start)..<Int(run.start) + used { slots.append(slots[index]) }  // no slice: it would copy
                slots.append(contentsOf: repeatElement(PickleSlot.none, count: capacity * width - used))
                run.start = UInt32(start)
                run.capacity = UInt32(capacity)
            }
        }
        var position = Int(run.start) + used
        for slot in newSlots {
            slots[position] = slot
            position += 1
        }
        run.count += UInt32(newSlots.count / width)
        if toEntries { records[id.index].entries = run } else { records[id.index].items = run }
    }

    /// Sets the value slot of entry `index` of node `id`.
    mutating func setEntryValueSlot(_ slot: PickleSlot, at index: Int, of id: PickleNodeID) {
        slots[Int(records[id.index].entries.start) + 2 * index + 1] = slot
    }

    func itemSlots(of id: PickleNodeID) -> ArraySlice<PickleSlot> {
        let run = records[id.index].items
        return slots[Int(run.start)..<Int(run.start) + Int(run.count)]
    }

    /// Keys and values, alternating.
    func entrySlots(of id: PickleNodeID) -> ArraySlice<PickleSlot> {
        let run = records[id.index].entries
        return slots[Int(run.start)..<Int(run.start) + 2 * Int(run.count)]
    }
}
