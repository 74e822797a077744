import PickleMachine
import TorchCheckpoint

/// What the output's pickle will name: a merge never writes a dangerous global (an inert object of
/// `subprocess.Popen` read through NEWOBJ, say), and warns about objects torch's weights-only loader refuses.
///
/// The reader keeps classes reached through NEWOBJ/BUILD as inert data, and everything that is not a DAConv
/// passes through a merge, so without this check a merge could launder such an object into a file that
/// looks like a clean state_dict.
enum OutputGlobals {
    /// Throws ``MergeError/dangerousGlobal(file:name:path:)`` for the first dangerous global reachable from the
    /// draft's root; returns one warning per global outside torch's allow-list otherwise.
    static func check(_ draft: CheckpointDraft, file: String) throws -> [String] {
        if namesOnlyAllowedGlobals(draft.graph) { return [] }
        var unsafe: [String] = []
        let walk = ReachableGlobals(draft)
        for found in walk.found {
            let global = draft.graph.global(of: found.node)!
            switch GlobalRisk.classify(global, usages: [found.usage]).risk {
            case .allowed: continue
            case .dangerous:
                let path = walk.path(of: found.record)
                throw MergeError.dangerousGlobal(file: file, name: global.qualifiedName, path: path.isEmpty ? "<root>" : path)
            case .unsafeForTorchLoad, .decodedData:
                if !unsafe.contains(global.qualifiedName) { unsafe.append(global.qualifiedName) }
            }
        }
        return unsafe.map {
            "the output keeps objects of \($0), which torch.load(weights_only=True) refuses unless it is allowed "
                + "with torch.serialization.add_safe_globals"
        }
    }
}

extension OutputGlobals {
    /// Whether every global the graph's nodes name is on torch's allow-list, whatever its use: then nothing
    /// reachable can be dangerous or refused, and the walk that finds what is reachable (and where) is not
    /// needed. A state dict's graph names a handful of globals, read off its nodes without building values.
    fileprivate static func namesOnlyAllowedGlobals(_ graph: PickleGraph) -> Bool {
        var checked = [Bool](repeating: false, count: graph.globalCount)
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            guard let number = graph.globalNumber(of: id), !checked[number] else { continue }
            guard let global = graph.global(of: id), TorchAllowList.allows(global) else { return false }
            checked[number] = true
        }
        return true
    }
}

/// Every global, call or object node reachable from a draft's root, with how the output will use it and where
/// it was first reached; each node once, and each global with each use only the first time (the verdict is the
/// same for the others). Paths are spelled only when asked for: the walk keeps each node's parent and step.
private struct ReachableGlobals {
    struct Found {
        let node: PickleNodeID
        let usage: PickleGlobalUsage
        let record: Int
    }

    private(set) var found: [Found] = []
    private let graph: PickleGraph
    /// Per node reached, in the order reached: the node, the record it was reached from, and its place there.
    private var nodes: [PickleNodeID] = []
    private var parents: [Int32] = []
    private var steps: [Step] = []

    /// A child's place in its parent: the step is spelled only for a path that is asked for.
    private enum Step {
        /// Adds nothing to the path (an entry's key, arguments, state, the root).
        case none
        case item(Int32)
        /// The value of the entry at this position.
        case entryValue(Int32)
    }

    init(_ draft: CheckpointDraft) {
        graph = draft.graph
        var seen = PickleNodeSet(nodeCount: graph.nodeCount)
        var usesSeen = Set<Int>()
        var stack: [(id: PickleNodeID, parent: Int32, step: Step)] = []
        func push(_ value: PickleValue, _ parent: Int32, _ step: Step) {
            if case .node(let id) = value { stack.append((id, parent, step)) }
        }
        push(draft.root, -1, .none)
        while let (id, parent, step) = stack.popLast() {
            guard seen.insert(id) else { continue }
            let record = Int32(parents.count)
            nodes.append(id)
            parents.append(parent)
            steps.append(step)
            let usage: PickleGlobalUsage?
            switch graph.kind(of: id) {
            case .global: usage = .pushed
            case .call: usage = .reduce
            case .object: usage = .newObject
            default: usage = nil
            }
            if let usage, let number = graph.globalNumber(of: id),
                usesSeen.insert(number * PickleGlobalUsage.allCases.count + usage.index).inserted
            {
                found.append(Found(node: id, usage: usage, record: Int(record)))
            }
            for (index, item) in graph.items(of: id).enumerated() { push(item, record, .item(Int32(index))) }
            let entries = graph.entries(of: id)
            for position in entries.indices {
                push(entries.key(at: position), record, .none)
                push(entries.value(at: position), record, .entryValue(Int32(position)))
            }
            push(graph.args(of: id), record, .none)
            if let state = graph.state(of: id) { push(state, record, .none) }
        }
    }

    /// The dotted path a node was first reached by (empty for the root; an empty path takes a component
    /// without a dot, even an empty one).
    func path(of record: Int) -> String {
        var parts: [String] = []
        var current = Int32(record)
        while current >= 0 {
            let parent = parents[Int(current)]
            switch steps[Int(current)] {
            case .none: break
            case .item(let index): parts.append(String(index))
            case .entryValue(let position):
                parts.append(graph.entries(of: nodes[Int(parent)]).key(at: Int(position)).stringValue ?? "?")
            }
            current = parent
        }
        return parts.reversed().reduce("") { path, part in path.isEmpty ? part : path + "." + part }
    }
}

extension PickleGlobalUsage {
    fileprivate var index: Int { Self.allCases.firstIndex(of: self)! }
}
