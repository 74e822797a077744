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
        var unsafe: [String] = []
        for (global, usage, path) in reachableGlobals(draft) {
            switch GlobalRisk.classify(global, usages: [usage]).risk {
            case .allowed: continue
            case .dangerous:
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

    /// Every global, call or object node reachable from the root, with how the output will use it and the
    /// dotted path it was first reached by; each node once.
    private static func reachableGlobals(_ draft: CheckpointDraft) -> [(PickleGlobal, PickleGlobalUsage, String)] {
        var found: [(PickleGlobal, PickleGlobalUsage, String)] = []
        var seen = Set<PickleNodeID>()
        var stack: [(PickleValue, String)] = [(draft.root, "")]
        while let (value, path) = stack.popLast() {
            guard case .node(let id) = value, seen.insert(id).inserted else { continue }
            let node = draft.graph[id]
            switch node.kind {
            case .global(let global): found.append((global, .pushed, path))
            case .call(let global): found.append((global, .reduce, path))
            case .object(let global, _): found.append((global, .newObject, path))
            default: break
            }
            func child(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
            for (index, item) in node.items.enumerated() { stack.append((item, child(String(index)))) }
            for entry in node.entries {
                stack.append((entry.key, path))
                stack.append((entry.value, child(entry.key.stringValue ?? "?")))
            }
            stack.append((node.args, path))
            if let state = node.state { stack.append((state, path)) }
        }
        return found
    }
}
