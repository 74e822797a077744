import CheckpointContainers
import PickleMachine

/// Finds the tensors at a few dotted paths of a zip checkpoint this tool has just written, read from the file
/// the way `CheckpointReader.open` reads it (the archive's directory, `data.pkl` under torch's allow-list, every
/// rebuild call interpreted with its geometry checked against its storage's declaration, the records of the
/// storages found checked for presence and size), but without listing the whole tree or building a
/// `Checkpoint`: a merge proves where its few folded tensors landed at a fraction of a full open's cost.
public enum WrittenTensorLookup {
    /// The first tensor (in the tree's depth-first order) at each of `names`; a name with no tensor is absent.
    /// Nil when a path leads through something other than dicts keyed by strings or ints, lists and tuples:
    /// the caller then opens the file in full, which names every kind of place.
    public static func tensors(named names: Set<String>, inZipCheckpoint path: String, limits: CheckpointLimits = .standard)
        throws -> [String: TorchTensor]?
    {
        do {
            let archive = try ZipArchiveReader(path: path)
            let prefix = try ZipCheckpointReader.archivePrefix(archive)
            var format = CheckpointFormat(kind: .zip)
            try ZipCheckpointReader.readSmallRecords(archive, prefix: prefix, into: &format)
            let unpickled = try ZipCheckpointReader.unpickleData(archive, prefix: prefix, limits: limits)
            let interpreter = try CheckpointUnpickling.interpret(unpickled, limits: limits)
            var search = PathSearch(interpreter: interpreter)
            do {
                try search.visit(unpickled.root, wanted: names.map { ($0, $0[...]) }, depth: 0)
            } catch is PathSearch.UnnamedContainer {
                return nil
            }
            let dataFolder = prefix + "/data/"
            for tensor in search.found.values {
                guard let declaration = interpreter.declarations[tensor.storageKey] else {
                    throw CheckpointError.Reason.missingRecord("storage \(tensor.storageKey)")
                }
                _ = try ZipCheckpointReader.storage(declaration, archive: archive, dataFolder: dataFolder)
            }
            return search.found
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: path, reason)
        } catch let error as ContainerError {
            throw CheckpointError(path: path, .container(error))
        }
    }
}

/// A depth-first search for a few dotted paths at once that enters only the children whose name begins one
/// of them, naming children as `Checkpoint.entries()` does (dict keys as Python prints strings and ints, list
/// and tuple items by index), so the first tensor found at a path is the one the full listing finds first.
private struct PathSearch {
    /// Thrown on reaching a container this search does not name (objects, calls, sets, other keys): a path
    /// could continue there, and only the full listing knows.
    struct UnnamedContainer: Error {}

    let interpreter: TensorInterpreter
    private(set) var found: [String: TorchTensor] = [:]

    init(interpreter: TensorInterpreter) {
        self.interpreter = interpreter
    }

    /// Searches `value` for the paths still `wanted`, each as its full name and the rest of it below `value`.
    mutating func visit(_ value: PickleValue, wanted: [(name: String, rest: Substring)], depth: Int) throws {
        let limit = interpreter.limits.maxDepth
        guard depth <= limit else {
            throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: limit)
        }
        guard case .node(let id) = value, interpreter.graph.contains(id) else { return }
        if let tensor = interpreter.tensors[id] {
            for (name, rest) in wanted where rest.isEmpty && found[name] == nil { found[name] = tensor }
            return
        }
        let open = wanted.filter { !$0.rest.isEmpty && found[$0.name] == nil }
        guard !open.isEmpty, interpreter.unsupportedTensors[id] == nil, interpreter.decoded[id] == nil else { return }
        let beginnings = Self.beginnings(of: open)
        let graph = interpreter.graph
        switch graph.kind(of: id) {
        case .list, .tuple:
            for (index, item) in graph.items(of: id).enumerated() {
                try child(String(index), item, open, beginnings, depth)
            }
        case .dict:
            let entries = graph.entries(of: id)
            for position in entries.indices {
                switch entries.key(at: position) {
                case .string(let text): try child(text, entries.value(at: position), open, beginnings, depth)
                case .int(let number): try child(String(number), entries.value(at: position), open, beginnings, depth)
                default: throw UnnamedContainer()
                }
            }
        case .global, .persistentID:
            return
        default:
            throw UnnamedContainer()
        }
    }

    /// Enters `value`, named `component`, with the paths whose rest is that name or begins with it and a dot.
    private mutating func child(
        _ component: String, _ value: PickleValue, _ wanted: [(name: String, rest: Substring)],
        _ beginnings: Set<Substring>, _ depth: Int
    ) throws {
        guard beginnings.contains(component[...]) else { return }
        var below: [(name: String, rest: Substring)] = []
        for (name, rest) in wanted where rest.hasPrefix(component) {
            let after = rest.dropFirst(component.count)
            if after.isEmpty {
                below.append((name, after))
            } else if after.first == "." {
                below.append((name, after.dropFirst()))
            }
        }
        try visit(value, wanted: below, depth: depth + 1)
    }

    /// Every name a child could have to begin one of the rests: each rest, and each part of it before a dot.
    private static func beginnings(of wanted: [(name: String, rest: Substring)]) -> Set<Substring> {
        var names: Set<Substring> = []
        for (_, rest) in wanted {
            names.insert(rest)
            for dot in rest.indices where rest[dot] == "." { names.insert(rest[..<dot]) }
        }
        return names
    }
}
