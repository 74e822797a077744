import PickleMachine
import TorchCheckpoint

/// Replaces a whole pickled model by the state_dict `Module.state_dict()` would return for it: an
/// OrderedDict of its parameters and persistent buffers, with `_metadata` giving each module's version.
enum WholeModelFlattening {
    /// Builds the state dict in the draft, puts it where the model was, and returns its node.
    static func replace(_ model: PickledModel, in draft: inout CheckpointDraft) throws -> PickleNodeID {
        var metadata: [PickleDictEntry] = []
        for module in model.modules {
            let version = draft.graph.add(
                PickleNode(
                    kind: .dict(ordered: false),
                    entries: [
                        PickleDictEntry(key: .string("version"), value: .int(version(of: module.className)))
                    ]))
            metadata.append(PickleDictEntry(key: .string(module.prefix), value: version))
        }
        let metadataNode = draft.graph.add(PickleNode(kind: .dict(ordered: true), entries: metadata))
        let state = draft.graph.add(
            PickleNode(
                kind: .dict(ordered: false),
                entries: [
                    PickleDictEntry(key: .string("_metadata"), value: metadataNode)
                ]))
        let entries = model.stateDict.map { PickleDictEntry(key: .string($0.name), value: $0.value) }
        let stateDict = draft.graph.add(PickleNode(kind: .dict(ordered: true), entries: entries, state: state))
        try TreeEditing.replace(at: model.path, with: stateDict, in: &draft)
        return stateDict.nodeID!
    }

    /// torch's class-level `_version`: 2 for the batch norms (which added num_batches_tracked), else 1.
    static func version(of className: String) -> Int64 {
        className.hasPrefix("torch.nn.modules.batchnorm.") ? 2 : 1
    }
}

/// Small edits of a draft's tree by path.
enum TreeEditing {
    /// Replaces the value at `path` (dict keys and list indices from the root).
    static func replace(at path: [String], with value: PickleValue, in draft: inout CheckpointDraft) throws {
        guard let last = path.last else {
            draft.root = value
            return
        }
        var current = draft.root
        for component in path.dropLast() {
            guard let next = child(of: current, component, draft.graph) else { throw notFound(path) }
            current = next
        }
        guard let parent = current.nodeID else { throw notFound(path) }
        if let index = draft.graph[parent].entries.firstIndex(where: { $0.key.stringValue == last }) {
            draft.graph[parent].entries[index].value = value
        } else if let index = Int(last), draft.graph[parent].items.indices.contains(index) {
            draft.graph[parent].items[index] = value
        } else {
            throw notFound(path)
        }
    }

    static func child(of value: PickleValue, _ component: String, _ graph: PickleGraph) -> PickleValue? {
        guard let node = graph.node(value) else { return nil }
        if let entry = node.entries.first(where: { $0.key.stringValue == component }) { return entry.value }
        if let index = Int(component), node.items.indices.contains(index) { return node.items[index] }
        return nil
    }

    private static func notFound(_ path: [String]) -> Error {
        CheckpointError.Reason.malformed(what: "tree edit", detail: "no value at \(path.joined(separator: "."))")
    }
}
