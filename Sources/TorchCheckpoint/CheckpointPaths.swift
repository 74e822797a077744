import PickleMachine

/// One place in the value tree, reached from the root by a dotted path.
public struct CheckpointEntry: Sendable {
    /// Dict keys, list/tuple indices and object attribute names from the root.
    public let path: [String]
    public let value: PickleValue
    /// When the node was already reached by another path (memo sharing, tied weights): that first path.
    /// Containers are expanded only under their first path, so a node reused 2^40 times is listed once.
    public let aliasOf: [String]?
    /// Nesting depth (the root is 0).
    public let depth: Int

    /// The path joined by dots, as torch's state_dict keys are.
    public var dottedPath: String { path.joined(separator: ".") }
}

/// Every place in the value tree in depth-first order, as flat arrays: each entry's parent entry, its path
/// component and its value. A path is spelled only when
/// asked for; ``CheckpointEntry`` values are made on access.
public struct CheckpointEntries: Sendable, RandomAccessCollection {
    /// The path components entries name (an index's once, however many entries it names).
    private var components: [String] = []
    /// Per entry: its component in `components` and its parent entry (-1 for the root).
    private var componentOf: [Int32] = []
    private var parentOf: [Int32] = []
    private var depths: [Int32] = []
    private var values: [PickleValue] = []
    /// Per entry: the entry that first reached the same node, for a second path to it; -1 otherwise.
    private var firstOf: [Int32] = []

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }

    public subscript(position: Int) -> CheckpointEntry {
        CheckpointEntry(
            path: path(at: position), value: values[position], aliasOf: aliasOf(position).map { path(at: $0) },
            depth: depth(at: position))
    }

    public func value(at index: Int) -> PickleValue { values[index] }
    public func depth(at index: Int) -> Int { Int(depths[index]) }

    /// The entry that first reached the same node, when `index` is a second path to it.
    public func aliasOf(_ index: Int) -> Int? {
        firstOf[index] >= 0 ? Int(firstOf[index]) : nil
    }

    /// The entry's container entry, nil for the root.
    public func parent(of index: Int) -> Int? {
        parentOf[index] >= 0 ? Int(parentOf[index]) : nil
    }

    /// The last component of the entry's path (nil for the root).
    public func component(at index: Int) -> String? {
        componentOf[index] >= 0 ? components[Int(componentOf[index])] : nil
    }

    /// The path from the root.
    public func path(at index: Int) -> [String] {
        var result: [String] = []
        result.reserveCapacity(depth(at: index))
        var current = index
        while componentOf[current] >= 0 {
            result.append(components[Int(componentOf[current])])
            current = Int(parentOf[current])
        }
        return result.reversed()
    }

    /// The path joined by dots; a top-level entry's (a state dict key's) is its component itself.
    public func dottedPath(at index: Int) -> String {
        guard componentOf[index] >= 0 else { return "" }
        if depths[index] == 1 { return components[Int(componentOf[index])] }
        return path(at: index).joined(separator: ".")
    }

    /// Whether entry `index` lies strictly below entry `ancestor`.
    public func isBelow(_ index: Int, _ ancestor: Int) -> Bool {
        var current = parentOf[index]
        while current >= 0 && depths[Int(current)] >= depths[ancestor] {
            if Int(current) == ancestor { return true }
            current = parentOf[Int(current)]
        }
        return false
    }

    /// Appends an entry and returns its index.
    mutating func append(parent: Int32, component: Int32, value: PickleValue, depth: Int32) -> Int32 {
        precondition(values.count < Int32.max, "more entries than a listing holds")
        componentOf.append(component)
        parentOf.append(parent)
        depths.append(depth)
        values.append(value)
        firstOf.append(-1)
        return Int32(values.count - 1)
    }

    mutating func markAlias(_ index: Int32, of first: Int32) {
        firstOf[Int(index)] = first
    }

    mutating func reserveCapacity(_ count: Int) {
        componentOf.reserveCapacity(count)
        parentOf.reserveCapacity(count)
        depths.reserveCapacity(count)
        values.reserveCapacity(count)
        firstOf.reserveCapacity(count)
    }

    /// Path components as the walker meets them. Keys are not interned: a key's String shares the graph's
    /// storage, so a second copy costs 16 bytes, less than hashing every key of a large state dict would.
    /// Index components are made once per index.
    struct ComponentTable {
        private(set) var strings: [String] = []
        /// Components of list and tuple indices, by index.
        private var indexIDs: [Int32] = []

        mutating func id(of component: String) -> Int32 {
            strings.append(component)
            return Int32(strings.count - 1)
        }

        mutating func id(ofIndex index: Int) -> Int32 {
            while indexIDs.count <= index { indexIDs.append(id(of: String(indexIDs.count))) }
            return indexIDs[index]
        }
    }

    mutating func setComponents(_ table: ComponentTable) {
        components = table.strings
    }
}

/// Walks the value tree from the root without recursion, expanding each container once.
struct CheckpointPathWalker {
    let graph: PickleGraph
    /// Nodes that are leaves for naming purposes (tensors), never expanded.
    let leaves: PickleNodeSet
    let maxDepth: Int
    /// numpy scalars and paths used as dict keys are named by their value, as the weights-only output names them.
    var decoded = PickleNodeMap<DecodedData>(nodeCount: 0)

    init(graph: PickleGraph, leaves: PickleNodeSet, maxDepth: Int) {
        self.graph = graph
        self.leaves = leaves
        self.maxDepth = maxDepth
    }

    /// Every entry in depth-first order (a container's children in their stored order).
    func entries(from root: PickleValue) throws -> CheckpointEntries {
        var listing = CheckpointEntries()
        var table = CheckpointEntries.ComponentTable()
        var firstEntry = [Int32](repeating: -1, count: graph.nodeCount)
        var stack: [(parent: Int32, component: Int32, value: PickleValue, depth: Int32)] = [(-1, -1, root, 0)]
        var children: [(step: PathStep, value: PickleValue)] = []
        while let (parent, component, value, depth) = stack.popLast() {
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: maxDepth)
            }
            let index = listing.append(parent: parent, component: component, value: value, depth: depth)
            guard case .node(let id) = value, id.index < firstEntry.count else { continue }
            if firstEntry[id.index] >= 0 {
                listing.markAlias(index, of: firstEntry[id.index])
                continue
            }
            firstEntry[id.index] = index
            if leaves.contains(id) { continue }
            children.removeAll(keepingCapacity: true)
            forEachChild(of: id) { children.append(($0, $1)) }
            for (step, child) in children.reversed() {
                stack.append((index, step.component(in: &table, walker: self), child, depth + 1))
            }
        }
        listing.setComponents(table)
        return listing
    }

    /// Named children of a node, in order.
    func children(of id: PickleNodeID) -> [(String, PickleValue)] {
        var result: [(String, PickleValue)] = []
        forEachChild(of: id) { step, value in result.append((step.spelled(by: self), value)) }
        return result
    }

    /// Calls `body` with each child of a node and its step from the node, in order.
    func forEachChild(of id: PickleNodeID, _ body: (PathStep, PickleValue) -> Void) {
        switch graph.kind(of: id) {
        case .list, .tuple, .set:
            for (index, item) in graph.items(of: id).enumerated() { body(.index(index), item) }
        case .dict:
            let entries = graph.entries(of: id)
            for position in entries.indices { body(.key(entries.key(at: position)), entries.value(at: position)) }
        case .object:
            forEachStateChild(graph.state(of: id), body)
            for (index, item) in graph.items(of: id).enumerated() { body(.index(index), item) }
            for entry in graph.entries(of: id) { body(.key(entry.key), entry.value) }
        case .call:
            // Non-tensor calls (torch.Size, torch.device, unsupported tensor kinds): their arguments.
            for (index, item) in (graph.sequenceItems(graph.args(of: id)) ?? PickleValues()).enumerated() {
                body(.index(index), item)
            }
            forEachStateChild(graph.state(of: id), body)
        case .global, .persistentID:
            return
        }
    }

    /// An object's BUILD state: a dict of attributes, or `(dict, slots)`.
    private func forEachStateChild(_ state: PickleValue?, _ body: (PathStep, PickleValue) -> Void) {
        guard let state else { return }
        if let entries = graph.dictEntriesView(state) {
            for entry in entries { body(.key(entry.key), entry.value) }
        } else if let parts = graph.sequenceItems(state), parts.count == 2 {
            for part in parts {
                for entry in graph.dictEntriesView(part) ?? PickleEntries() { body(.key(entry.key), entry.value) }
            }
        } else {
            body(.name("__state__"), state)
        }
    }

    /// How a dict key appears in a dotted path: strings as they are, numbers as Python prints them.
    func keyComponent(_ key: PickleValue) -> String {
        switch key {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .bigInt(let value): return value.description
        case .bool(let value): return value ? "True" : "False"
        case .none: return "None"
        case .float(let value): return PythonRepr.float(value)
        case .bytes(let bytes): return "b'" + String(decoding: bytes, as: UTF8.self) + "'"
        case .node(let id):
            switch decoded[id] {
            case .numpyScalar(let scalar)?: return scalar.text
            case .path(let path)?: return path.text
            default: break
            }
            guard let items = graph.sequence(key) else { return "<node \(id.index)>" }
            return "(" + items.map { keyComponent($0) }.joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        }
    }
}

/// A child's place in its container, before it is spelled.
enum PathStep {
    case index(Int)
    case key(PickleValue)
    case name(String)

    func spelled(by walker: CheckpointPathWalker) -> String {
        switch self {
        case .index(let index): return String(index)
        case .key(let key): return walker.keyComponent(key)
        case .name(let name): return name
        }
    }

    func component(in table: inout CheckpointEntries.ComponentTable, walker: CheckpointPathWalker) -> Int32 {
        if case .index(let index) = self { return table.id(ofIndex: index) }
        return table.id(of: spelled(by: walker))
    }
}

/// Python's spelling of scalars, for paths and reports.
enum PythonRepr {
    static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        // Swift's shortest round-trip spelling matches Python's repr for finite doubles.
        return "\(value)"
    }
}
