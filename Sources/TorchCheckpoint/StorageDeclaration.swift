import PickleMachine

/// Reads torch's storage persistent ids: `("storage", StorageClass, key, location, numel)` in zip files,
/// with a sixth item (view metadata) in legacy files.
struct StorageDeclaration: Equatable {
    /// The key tensors refer to (for a legacy view, the view's key).
    let key: String
    /// The storage whose bytes hold this one's (itself unless a legacy view).
    let rootKey: String
    /// Where this storage starts inside the root's bytes, in elements.
    let rootElementOffset: Int
    let dtype: TorchDType
    let elementCount: Int
    let location: String
    let isUntyped: Bool

    /// Parses one persistent id: the storage it names (a legacy view: its root storage and the view), or
    /// nil for ids that are not storages (legacy `("module", ...)` ids). `types` keeps each storage class's dtype.
    static func parse(
        _ pid: PickleValue, in graph: PickleGraph, types: inout StorageTypes
    ) throws -> (root: StorageDeclaration, view: StorageDeclaration?)? {
        guard let items = graph.sequenceItems(pid), let tag = items.first else {
            throw malformed("a tuple", found: pid, graph)
        }
        guard tag == .string("storage") else {
            if tag == .string("module") { return nil }
            throw malformed("a tuple starting with 'storage'", found: pid, graph)
        }
        guard items.count == 5 || items.count == 6 else { throw malformed("5 or 6 items", found: pid, graph) }
        guard let storageClass = graph.nodeID(of: items[1]), graph.isGlobal(storageClass) else {
            throw malformed("a storage class", found: items[1], graph)
        }
        guard let key = key(items[2]) else { throw malformed("a string key", found: items[2], graph) }
        guard let location = items[3].stringValue else { throw malformed("a location string", found: items[3], graph) }
        guard let count = items[4].intValue, count >= 0 else {
            throw malformed("a non-negative element count", found: items[4], graph)
        }
        let (dtype, untyped) = try types.type(of: storageClass, in: graph)
        if items.count == 6, items[5] != .none {
            // Legacy storage view: (view_key, offset, view_size) inside the root storage `key`.
            guard let parts = graph.sequenceItems(items[5]), parts.count == 3, let viewKey = parts[0].stringValue,
                let offset = parts[1].intValue, let size = parts[2].intValue, offset >= 0, size >= 0,
                offset <= count, size <= count - offset
            else {
                throw malformed("view metadata (key, offset, size) inside the root storage", found: items[5], graph)
            }
            let view = StorageDeclaration(
                key: viewKey, rootKey: key, rootElementOffset: offset, dtype: dtype, elementCount: size,
                location: location, isUntyped: untyped)
            return (root(key, dtype, count, location, untyped), view)
        }
        return (root(key, dtype, count, location, untyped), nil)
    }

    /// A persistent id's key item as the key tensors use: a string, or an int or bytes spelled as one.
    static func key(_ item: PickleValue) -> String? {
        switch item {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// Checks a later declaration of this storage's key against this, the first: it must say the same, unless
    /// this one declares no elements (torch keeps the first).
    func admits(_ later: StorageDeclaration) throws {
        guard self == later || elementCount == 0 else {
            throw CheckpointError.Reason.inconsistentStorage(
                key: later.key, detail: "\(dtype) x \(elementCount) and \(later.dtype) x \(later.elementCount)")
        }
    }

    private static func root(
        _ key: String, _ dtype: TorchDType, _ count: Int, _ location: String, _ untyped: Bool
    ) -> StorageDeclaration {
        StorageDeclaration(
            key: key, rootKey: key, rootElementOffset: 0, dtype: dtype, elementCount: count, location: location,
            isUntyped: untyped)
    }

    /// The dtype of `torch.FloatStorage`, `torch.cuda.HalfStorage`, `torch.storage.UntypedStorage`, ...
    static func storageType(_ global: PickleGlobal) throws -> (TorchDType, untyped: Bool) {
        if global.name == "UntypedStorage" { return (.uint8, true) }
        guard global.module == "torch" || global.module == "torch.cuda",
            let dtype = TorchDType(storageClassName: global.name)
        else {
            throw CheckpointError.Reason.unknownDType(global.qualifiedName)
        }
        return (dtype, false)
    }

    private static func malformed(_ expected: String, found: PickleValue, _ graph: PickleGraph) -> Error {
        CheckpointError.Reason.malformed(
            what: "storage persistent id", detail: "expected \(expected), found \(describe(found, graph))")
    }
}

/// The dtype of each storage class a checkpoint names, found once per class (by its global's number).
struct StorageTypes {
    private var byGlobal: [(TorchDType, untyped: Bool)?]

    init(globalCount: Int) {
        byGlobal = Array(repeating: nil, count: globalCount)
    }

    /// The dtype of global node `id`'s storage class (see ``StorageDeclaration/storageType(_:)``).
    mutating func type(of id: PickleNodeID, in graph: PickleGraph) throws -> (TorchDType, untyped: Bool) {
        guard let number = graph.globalNumber(of: id), number < byGlobal.count else {
            return try StorageDeclaration.storageType(graph.global(of: id)!)
        }
        if let known = byGlobal[number] { return known }
        let type = try StorageDeclaration.storageType(graph.global(of: id)!)
        byGlobal[number] = type
        return type
    }
}

/// A short description of a pickle value for error messages.
func describe(_ value: PickleValue, _ graph: PickleGraph) -> String {
    switch value {
    case .none: return "None"
    case .bool(let flag): return flag ? "True" : "False"
    case .int(let number): return "int \(number)"
    case .bigInt(let number): return "int \(number)"
    case .float(let number): return "float \(number)"
    case .string(let text): return "str '\(text.prefix(40))'"
    case .bytes(let bytes): return "bytes of length \(bytes.count)"
    case .node(let id):
        guard let node = graph.node(value) else { return "node \(id.index)" }
        switch node.kind {
        case .list: return "list of \(node.items.count)"
        case .tuple: return "tuple of \(node.items.count)"
        case .dict: return "dict of \(node.entries.count)"
        case .set: return "set of \(node.items.count)"
        case .global(let global): return "global \(global)"
        case .call(let global): return "call of \(global)"
        case .object(let global, _): return "\(global) object"
        case .persistentID: return "persistent id"
        }
    }
}

/// The first declaration made for each storage key, in order of first appearance, found by key or by position.
struct StorageDeclarations {
    private(set) var all: [StorageDeclaration] = []
    private var positionOfKey: [String: Int32] = [:]

    var count: Int { all.count }

    /// Room for `count` storages without regrowing (and rehashing every key) along the way.
    mutating func reserveCapacity(_ count: Int) {
        all.reserveCapacity(count)
        positionOfKey.reserveCapacity(count)
    }

    /// Adds `declaration` unless its key has one already; either way, the position of the key's declaration.
    mutating func insert(_ declaration: StorageDeclaration) -> (position: Int32, inserted: Bool) {
        // One hash per storage: the subscript's default inserts a new key; the count says whether it did.
        let newPosition = Int32(all.count)
        let position = Self.read(&positionOfKey[declaration.key, default: newPosition])
        guard position == newPosition else { return (position, false) }
        all.append(declaration)
        return (position, true)
    }

    subscript(position: Int32) -> StorageDeclaration { all[Int(position)] }

    /// The declaration for `key`, if any.
    subscript(key: String) -> StorageDeclaration? {
        positionOfKey[key].map { all[Int($0)] }
    }

    private static func read(_ value: inout Int32) -> Int32 { value }
}
