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

/// Walks the value tree from the root without recursion, expanding each container once.
struct CheckpointPathWalker {
    let graph: PickleGraph
    /// Nodes that are leaves for naming purposes (tensors), never expanded.
    let leaves: Set<PickleNodeID>
    let maxDepth: Int
    /// numpy scalars and paths used as dict keys are named by their value, as the weights-only output names them.
    var decoded: [PickleNodeID: DecodedData] = [:]

    /// Every entry in depth-first order (a container's children in their stored order).
    func entries(from root: PickleValue) throws -> [CheckpointEntry] {
        var result: [CheckpointEntry] = []
        var firstPath: [PickleNodeID: [String]] = [:]
        var stack: [(path: [String], value: PickleValue, depth: Int)] = [([], root, 0)]
        while let (path, value, depth) = stack.popLast() {
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: maxDepth)
            }
            guard case .node(let id) = value else {
                result.append(CheckpointEntry(path: path, value: value, aliasOf: nil, depth: depth))
                continue
            }
            if let first = firstPath[id] {
                result.append(CheckpointEntry(path: path, value: value, aliasOf: first, depth: depth))
                continue
            }
            firstPath[id] = path
            result.append(CheckpointEntry(path: path, value: value, aliasOf: nil, depth: depth))
            if leaves.contains(id) { continue }
            for (component, child) in children(of: graph[id]).reversed() {
                stack.append((path + [component], child, depth + 1))
            }
        }
        return result
    }

    /// Named children of a node, in order.
    func children(of node: PickleNode) -> [(String, PickleValue)] {
        switch node.kind {
        case .list, .tuple, .set:
            return node.items.enumerated().map { (String($0.offset), $0.element) }
        case .dict:
            return node.entries.map { (keyComponent($0.key), $0.value) }
        case .object:
            var result = stateChildren(node.state)
            result += node.items.enumerated().map { (String($0.offset), $0.element) }
            result += node.entries.map { (keyComponent($0.key), $0.value) }
            return result
        case .call:
            // Non-tensor calls (torch.Size, torch.device, unsupported tensor kinds): their arguments.
            let args = graph.sequence(node.args) ?? []
            return args.enumerated().map { (String($0.offset), $0.element) } + stateChildren(node.state)
        case .global, .persistentID:
            return []
        }
    }

    /// An object's BUILD state: a dict of attributes, or `(dict, slots)`.
    private func stateChildren(_ state: PickleValue?) -> [(String, PickleValue)] {
        guard let state else { return [] }
        if let entries = graph.dictEntries(state) {
            return entries.map { (keyComponent($0.key), $0.value) }
        }
        if let parts = graph.sequence(state), parts.count == 2 {
            return parts.flatMap { part in (graph.dictEntries(part) ?? []).map { (keyComponent($0.key), $0.value) } }
        }
        return [("__state__", state)]
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

/// Python's spelling of scalars, for paths and reports.
enum PythonRepr {
    static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        // Swift's shortest round-trip spelling matches Python's repr for finite doubles.
        return "\(value)"
    }
}
