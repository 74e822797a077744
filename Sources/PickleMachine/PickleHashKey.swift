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
struct ExactString: Hashable {
    let value: String

    /// Swift's `==` first (a fast byte comparison for ASCII; unequal Swift strings are never equal
    /// code points), then the bytes, since Swift also equates canonically equivalent strings.
    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value == rhs.value && lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    /// Swift's own string hash: strings with equal bytes are equal Swift strings, so they hash alike
    /// (the reverse need not hold), and it is much faster than feeding bytes one by one.
    func hash(into hasher: inout Hasher) {
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

    mutating func key(for value: PickleValue, in graph: PickleGraph) throws -> PickleHashKey {
        switch value {
        case .none: return .none
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .int(let number): return .int(number)
        case .bigInt(let number): return number.int64.map { .int($0) } ?? .bigInt(number)
        case .float(let number): return Int64(exactly: number).map { .int($0) } ?? .float(number)
        case .string(let text): return .string(ExactString(value: text))
        case .bytes(let data): return .bytes(data)
        case .node(let id): return try nodeKey(id, in: graph)
        }
    }

    private mutating func nodeKey(_ id: PickleNodeID, in graph: PickleGraph) throws -> PickleHashKey {
        switch graph[id].kind {
        case .list, .dict, .set(frozen: false):
            throw Unhashable(kind: PickleValueKind.describe(.node(id), in: graph))
        case .global(let global):
            return .global(global)
        case .tuple, .set(frozen: true):
            return .content(try contentNumber(id, in: graph))
        case .call, .object, .persistentID:
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
            let unnumbered = graph[id].items.compactMap { item -> PickleNodeID? in
                guard case .node(let child) = item, numberOfNode[child] == nil else { return nil }
                switch graph[child].kind {
                case .tuple, .set(frozen: true): return child
                default: return nil
                }
            }
            if !unnumbered.isEmpty {
                pending.append(contentsOf: unnumbered)
                continue
            }
            let keys = try graph[id].items.map { try key(for: $0, in: graph) }
            let content: Content = graph[id].kind == .tuple ? .tuple(keys) : .frozenSet(Set(keys))
            let number = numbers[content] ?? numbers.count
            numbers[content] = number
            numberOfNode[id] = number
            pending.removeLast()
        }
        return numberOfNode[root]!
    }
}
