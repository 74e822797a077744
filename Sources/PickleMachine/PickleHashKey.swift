/// A dict key or set member as Python compares it, so duplicate keys behave as in Python.
///
/// `True`, `1` and `1.0` are one key; strings compare by code points (not by Swift's canonical
/// equivalence); tuples and frozensets compare by content; globals by name (one global is one Python
/// object); other objects by identity. Lists, dicts and sets are unhashable, as in Python.
/// Limitation: a float beyond Int64 never equals the big integer of the same value.
enum PickleHashKey: Hashable {
    case none
    case int(Int64)
    case bigInt(PickleBigInt)
    case float(Double)
    case string(ExactString)
    case bytes([UInt8])
    case global(PickleGlobal)
    /// A tuple or frozenset, by the number ``PickleHashKeys`` gave its content.
    case content(Int)
    case identity(PickleNodeID)
}

/// A string that compares and hashes by its UTF-8 bytes, as Python compares code points.
public struct ExactString: Hashable, Sendable {
    public let value: String

    public init(value: String) {
        self.value = value
    }

    /// Swift's `==` first (a fast byte comparison for ASCII; unequal Swift strings are never equal
    /// code points), then the bytes, since Swift also equates canonically equivalent strings.
    public static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value == rhs.value && lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    /// Swift's own string hash: strings with equal bytes are equal Swift strings, so they hash alike
    /// (the reverse need not hold), and it is much faster than feeding bytes one by one.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}

/// Builds ``PickleHashKey``s, numbering tuple and frozenset contents once per node so that keys
/// reached through memo sharing cost nothing extra (a key nested as a 2^40-path doubling is 40 steps).
struct PickleHashKeys {
    private enum Content: Hashable {
        case tuple([PickleHashKey])
        case frozenSet(Set<PickleHashKey>)
    }

    private var numbers: [Content: Int] = [:]
    private var numberOfNode: [PickleNodeID: Int] = [:]

    /// The kind of an unhashable value met while building a key.
    struct Unhashable: Error {
        let kind: String
    }

    mutating func key(for value: PickleSlot, in graph: PickleGraph) throws -> PickleHashKey {
        switch value.tag {
        case .none, .absent: return .none
        case .falseValue: return .int(0)
        case .trueValue: return .int(1)
        case .int: return .int(value.int)
        case .string: return .string(ExactString(value: graph.strings[value.index]))
        case .node: return try nodeKey(PickleNodeID(index: value.index), in: graph)
        case .scalar:
            switch graph.scalars[value.index] {
            case .int(let number): return .int(number)
            case .bigInt(let number): return number.int64.map { .int($0) } ?? .bigInt(number)
            case .float(let number): return Int64(exactly: number).map { .int($0) } ?? .float(number)
            case .bytes(let data): return .bytes(data)
            case .none, .bool, .string, .node: preconditionFailure("the scalar table holds numbers and bytes")
            }
        }
    }

    private mutating func nodeKey(_ id: PickleNodeID, in graph: PickleGraph) throws -> PickleHashKey {
        switch graph.records[id.index].kind {
        case .list, .dict, .orderedDict, .set:
            throw Unhashable(kind: PickleValueKind.describe(.node(id), in: graph))
        case .global:
            return .global(graph.global(of: id)!)
        case .tuple, .frozenSet:
            return .content(try contentNumber(id, in: graph))
        case .call, .newObject, .newObjectWithKeywords, .instantiate, .reconstructor, .persistentID:
            return .identity(id)
        }
    }

    /// Numbers the content of a tuple or frozenset, children first, without recursion: tuples and
    /// frozensets are built from existing values, so their nesting is acyclic and already bounded.
    private mutating func contentNumber(_ root: PickleNodeID, in graph: PickleGraph) throws -> Int {
        var pending = [root]
        while let id = pending.last {
            if numberOfNode[id] != nil {
                pending.removeLast()
                continue
            }
            let unnumbered = graph.itemSlots(of: id).compactMap { item -> PickleNodeID? in
                guard let child = item.nodeID, numberOfNode[child] == nil else { return nil }
                let kind = graph.records[child.index].kind
                return kind == .tuple || kind == .frozenSet ? child : nil
            }
            if !unnumbered.isEmpty {
                pending.append(contentsOf: unnumbered)
                continue
            }
            let keys = try graph.itemSlots(of: id).map { try key(for: $0, in: graph) }
            let content: Content = graph.records[id.index].kind == .tuple ? .tuple(keys) : .frozenSet(Set(keys))
            let number = numbers[content] ?? numbers.count
            numbers[content] = number
            numberOfNode[id] = number
            pending.removeLast()
        }
        return numberOfNode[root]!
    }
}
