import CheckpointContainers
import PickleMachine

/// Finds the tensors at a few dotted paths of a zip checkpoint this tool has just written, read from the file
/// the way `CheckpointReader.open` reads it, but only as far as those tensors need, so that a merge proves where
/// its few folded tensors landed at a fraction of a full open's cost.
///
/// What a lookup proves, as a full open would: the archive's directory reads, and its version and byte-order
/// records; `data.pkl` unpickles whole under torch's allow-list (every opcode and global of it); each path leads
/// through dicts keyed by strings or ints, lists and tuples to the first tensor the full listing finds there; that tensor's rebuild
/// call (and the tensor a parameter wraps) is well-formed, with its dtype and its geometry checked against its
/// storage's declaration; every persistent id declaring one of those storages' keys is well-formed and agrees
/// with the key's first declaration; each such storage's record is present with the size it declares.
/// What it leaves to a full open: the rebuild calls, numpy and pathlib values and storage declarations of the
/// rest of the pickle (the writer wrote them as they were read), and the count of storages against the limit.
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
            var search = PathSearch(rebuilds: WrittenTensorRebuilds(graph: unpickled.graph, root: unpickled.root, limits: limits))
            do {
                try search.visit(unpickled.root, wanted: names.map { ($0, $0[...]) }, depth: 0)
            } catch is PathSearch.UnnamedContainer {
                return nil
            }
            // In pickle order, as the interpreter would meet them: the first error is the one it would give.
            let calls = Set(search.found.values).sorted()
            var rebuilds = search.rebuilds
            try rebuilds.declareStorages(of: calls)
            var tensors: [PickleNodeID: TorchTensor] = [:]
            for call in calls { tensors[call] = try rebuilds.tensor(at: call) }
            let dataFolder = prefix + "/data/"
            for call in calls {
                guard let tensor = tensors[call] else { continue }
                guard let declaration = rebuilds.declarations[tensor.storageKey] else {
                    throw CheckpointError.Reason.missingRecord("storage \(tensor.storageKey)")
                }
                _ = try ZipCheckpointReader.storage(declaration, archive: archive, dataFolder: dataFolder)
            }
            return search.found.compactMapValues { tensors[$0] }
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

    let rebuilds: WrittenTensorRebuilds
    /// The tensor call found at each path.
    private(set) var found: [String: PickleNodeID] = [:]

    init(rebuilds: WrittenTensorRebuilds) {
        self.rebuilds = rebuilds
    }

    /// Searches `value` for the paths still `wanted`, each as its full name and the rest of it below `value`.
    mutating func visit(_ value: PickleValue, wanted: [(name: String, rest: Substring)], depth: Int) throws {
        let limit = rebuilds.limits.maxDepth
        guard depth <= limit else {
            throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: limit)
        }
        let graph = rebuilds.graph
        guard case .node(let id) = value, graph.contains(id) else { return }
        switch rebuilds.call(id) {
        case .rebuild, .wrapper:
            for (name, rest) in wanted where rest.isEmpty && found[name] == nil { found[name] = id }
            return
        case .leaf: return
        case .other: break
        }
        let open = wanted.filter { !$0.rest.isEmpty && found[$0.name] == nil }
        guard !open.isEmpty else { return }
        let beginnings = Self.beginnings(of: open)
        switch graph.kind(of: id) {
        case .list, .tuple:
            for (index, item) in graph.items(of: id).enumerated() {
                let component = String(index)
                if beginnings.contains(component) { try child(component, item, open, depth) }
            }
        case .dict:
            let entries = graph.entries(of: id)
            for position in entries.indices {
                switch entries.key(at: position) {
                // The value is read only for a key that begins a path.
                case .string(let text):
                    if beginnings.contains(text) { try child(text, entries.value(at: position), open, depth) }
                case .int(let number):
                    let component = String(number)
                    if beginnings.contains(component) { try child(component, entries.value(at: position), open, depth) }
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
        _ component: String, _ value: PickleValue, _ wanted: [(name: String, rest: Substring)], _ depth: Int
    ) throws {
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
    private static func beginnings(of wanted: [(name: String, rest: Substring)]) -> Set<String> {
        var names: Set<String> = []
        for (_, rest) in wanted {
            names.insert(String(rest))
            for dot in rest.indices where rest[dot] == "." { names.insert(String(rest[..<dot])) }
        }
        return names
    }
}
