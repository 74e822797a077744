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
        _ entries: CheckpointEntries, _ checkpoint: Checkpoint, skipping models: [[String]], limit: Int = 60
    ) -> [StructureEntry] {
        var tensorsInside: TensorCounts?
        var result: [StructureEntry] = []
        for index in entries.indices where entries.depth(at: index) >= 1 && entries.depth(at: index) <= 2 {
            let value = entries.value(at: index)
            if let id = value.nodeID, checkpoint.tensors.contains(id) { continue }
            if !models.isEmpty {
                let path = entries.path(at: index)
                if models.contains(where: { path.count > $0.count && path.starts(with: $0) }) { continue }
            }
            guard result.count < limit else { break }
            let dotted = entries.dottedPath(at: index)
            let type = typeName(value, checkpoint)
            var summary: String
            var json: JSONValue?
            if let scalar = scalar(value) {
                (summary, json) = scalar
            } else if let id = value.nodeID, let data = checkpoint.decoded[id] {
                let decoded = DataObjectEntry.entry(dotted, data)
                if case .numpyArray = data, let dtype = decoded.dtype, let shape = decoded.shape {
                    summary = "\(dtype) \(Formatting.shape(shape)) \(decoded.summary)"
                } else {
                    summary = decoded.summary
                }
                json = decoded.value
            } else {
                if tensorsInside == nil { tensorsInside = TensorCounts(entries, checkpoint) }
                let inside = tensorsInside!.count(below: entries.path(at: index))
                summary = containerSummary(value, checkpoint) + (inside == 0 ? "" : ", " + Formatting.plural(inside, "tensor"))
            }
            if let alias = entries.aliasOf(index) { summary = "same object as \(entries.dottedPath(at: alias))" }
            result.append(
                StructureEntry(path: dotted, depth: entries.depth(at: index), type: type, summary: summary, value: json))
        }
        return result
    }

    /// How many tensor entries lie below each path of one or two components (by path, as their names read).
    private struct TensorCounts {
        private var counts: [[String]: Int] = [:]

        init(_ entries: CheckpointEntries, _ checkpoint: Checkpoint) {
            for index in entries.indices {
                guard let id = entries.value(at: index).nodeID, checkpoint.tensors.contains(id),
                    entries.depth(at: index) >= 2
                else { continue }
                let path = entries.path(at: index)
                counts[Array(path.prefix(1)), default: 0] += 1
                if path.count > 2 { counts[Array(path.prefix(2)), default: 0] += 1 }
            }
        }

        func count(below path: [String]) -> Int { counts[path] ?? 0 }
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
            switch checkpoint.graph.kind(of: id) {
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
        let graph = checkpoint.graph
        switch graph.kind(of: id) {
        case .list, .tuple, .set: return Formatting.plural(graph.itemCount(of: id), "item")
        case .dict:
            let count = graph.entryCount(of: id)
            return count == 1 ? "1 entry" : "\(Formatting.count(count)) entries"
        case .object: return "inert object, never run"
        default: return ""
        }
    }
}
