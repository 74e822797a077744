/// Where a node's items or entries are in the slot array.
@usableFromInline
struct SlotRun: Sendable {
    /// First slot.
    var start: UInt32 = 0
    /// Items, or entries (two slots each).
    var count: UInt32 = 0
    /// Items or entries the run has room for before it must move.
    var capacity: UInt32 = 0

    init() {}

    init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
        self.capacity = count
    }
}

/// One node: its kind, its global (an index into the global table, -1 for none), where its items and entries
/// are, its args and its state.
@usableFromInline
struct NodeRecord: Sendable {
    var kind: NodeKind
    var global: Int32 = -1
    var items = SlotRun()
    var entries = SlotRun()
    var args = PickleSlot.none
    var state = PickleSlot.absent

    init(kind: NodeKind) {
        self.kind = kind
    }
}

/// ``PickleNode/Kind`` without its global, in one byte.
@usableFromInline
enum NodeKind: UInt8, Sendable {
    case list, tuple, dict, orderedDict, set, frozenSet, global, call
    case newObject, newObjectWithKeywords, instantiate, reconstructor
    case persistentID

    static func code(of kind: PickleNode.Kind) -> (NodeKind, PickleGlobal?) {
        switch kind {
        case .list: return (.list, nil)
        case .tuple: return (.tuple, nil)
        case .dict(let ordered): return (ordered ? .orderedDict : .dict, nil)
        case .set(let frozen): return (frozen ? .frozenSet : .set, nil)
        case .global(let global): return (.global, global)
        case .call(let global): return (.call, global)
        case .object(let global, let construction):
            switch construction {
            case .newObject: return (.newObject, global)
            case .newObjectWithKeywords: return (.newObjectWithKeywords, global)
            case .instantiate: return (.instantiate, global)
            case .reconstructor: return (.reconstructor, global)
            }
        case .persistentID: return (.persistentID, nil)
        }
    }

    func kind(global: PickleGlobal?) -> PickleNode.Kind {
        switch self {
        case .list: return .list
        case .tuple: return .tuple
        case .dict: return .dict(ordered: false)
        case .orderedDict: return .dict(ordered: true)
        case .set: return .set(frozen: false)
        case .frozenSet: return .set(frozen: true)
        case .global: return .global(global!)
        case .call: return .call(global!)
        case .newObject: return .object(global!, .newObject)
        case .newObjectWithKeywords: return .object(global!, .newObjectWithKeywords)
        case .instantiate: return .object(global!, .instantiate)
        case .reconstructor: return .object(global!, .reconstructor)
        case .persistentID: return .persistentID
        }
    }

    var isDict: Bool { self == .dict || self == .orderedDict }
    var isObject: Bool { self == .newObject || self == .newObjectWithKeywords || self == .instantiate || self == .reconstructor }
}
