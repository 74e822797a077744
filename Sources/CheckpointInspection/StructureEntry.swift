import PickleMachine
import TorchCheckpoint

/// One line of the structure overview: a container or scalar near the root, with what it holds.
public struct StructureEntry: Sendable {
    public let path: String
    public let depth: Int
    /// Python type name (`OrderedDict`, `int`, `tensor`, or an object's class).
    public let type: String
    /// Scalars: their value as Python prints it. Containers: entry and tensor counts.
    public let summary: String
    /// Scalars only: the value for JSON.
    public let value: JSONValue?

    /// Non-tensor entries down to depth 2, at most `limit` of them; the insides of whole pickled models
    /// (at `skipping`) are left to the model listing.
    static func overview(
        _ entries: [CheckpointEntry], _ checkpoint: Checkpoint, skipping models: [[String]], limit: Int = 60
    ) -> [StructureEntry] {
        let tensorPaths = entries.compactMap { entry -> [String]? in
            guard let id = entry.value.nodeID, checkpoint.tensors[id] != nil else { return nil }
            return entry.path
        }
        var result: [StructureEntry] = []
        for entry in entries where entry.depth >= 1 && entry.depth <= 2 {
            if let id = entry.value.nodeID, checkpoint.tensors[id] != nil { continue }
            if models.contains(where: { entry.path.count > $0.count && entry.path.starts(with: $0) }) { continue }
            guard result.count < limit else { break }
            let type = typeName(entry.value, checkpoint)
            var summary: String
            var value: JSONValue?
            if let scalar = scalar(entry.value) {
                (summary, value) = scalar
            } else if let id = entry.value.nodeID, let data = checkpoint.decoded[id] {
                let decoded = DataObjectEntry.entry(entry.dottedPath, data)
                if case .numpyArray = data, let dtype = decoded.dtype, let shape = decoded.shape {
                    summary = "\(dtype) \(Formatting.shape(shape)) \(decoded.summary)"
                } else {
                    summary = decoded.summary
                }
                value = decoded.value
            } else {
                let inside = tensorPaths.filter {
                    $0.count > entry.path.count && Array($0.prefix(entry.path.count)) == entry.path
                }
                summary =
                    containerSummary(entry.value, checkpoint)
                    + (inside.isEmpty ? "" : ", " + Formatting.plural(inside.count, "tensor"))
            }
            if let alias = entry.aliasOf { summary = "same object as \(alias.joined(separator: "."))" }
            result.append(StructureEntry(path: entry.dottedPath, depth: entry.depth, type: type, summary: summary, value: value))
        }
        return result
    }

    static func typeName(_ value: PickleValue, _ checkpoint: Checkpoint) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .node(let id):
            if let tensor = checkpoint.tensors[id] { return tensor.isParameter ? "Parameter" : "tensor" }
            if let data = checkpoint.decoded[id] { return data.typeName }
            if checkpoint.defaultDictFactories[id] != nil { return "collections.defaultdict" }
            switch checkpoint.graph[id].kind {
            case .list: return "list"
            case .tuple: return "tuple"
            case .dict(let ordered): return ordered ? "OrderedDict" : "dict"
            case .set(let frozen): return frozen ? "frozenset" : "set"
            case .global(let global): return "global \(global.qualifiedName)"
            case .call(let global): return global.qualifiedName
            case .object(let global, _): return global.qualifiedName
            case .persistentID: return "persistent id"
            }
        }
    }

    static func scalar(_ value: PickleValue) -> (String, JSONValue)? {
        switch value {
        case .none: return ("None", .null)
        case .bool(let flag): return (flag ? "True" : "False", .bool(flag))
        case .int(let number): return (String(number), .int(Int(number)))
        case .bigInt(let number): return (number.description, .string(number.description))
        case .float(let number): return ("\(number)", .double(number))
        case .string(let text): return ("'\(text.count > 60 ? text.prefix(57) + "..." : text)'", .string(text))
        case .bytes(let bytes): return ("\(bytes.count) bytes", .string("<\(bytes.count) bytes>"))
        case .node: return nil
        }
    }

    private static func containerSummary(_ value: PickleValue, _ checkpoint: Checkpoint) -> String {
        guard let id = value.nodeID else { return "" }
        let node = checkpoint.graph[id]
        switch node.kind {
        case .list, .tuple, .set: return Formatting.plural(node.items.count, "item")
        case .dict: return node.entries.count == 1 ? "1 entry" : "\(Formatting.count(node.entries.count)) entries"
        case .object: return "inert object, never run"
        default: return ""
        }
    }
}
