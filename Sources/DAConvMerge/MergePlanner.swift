import PickleMachine
import TorchCheckpoint

/// Decides what a merge writes: every dict of tensors that holds DAConv modules gets each module's keys
/// replaced by `P.weight` (and `P.bias`) at the position of its first key, its `_metadata` updated, and
/// everything else is carried over untouched.
public enum MergePlanner {
    public static func plan(_ checkpoint: Checkpoint, options: MergeOptions = .init()) throws -> MergePlan {
        try plan(checkpoint, options: options, takingGraph: false)
    }

    /// The same for a merge that holds `checkpoint` alone and reads its tree no more: the draft takes the tree
    /// (``CheckpointDraft/init(takingGraphOf:)``) instead of copying it on its first edit.
    package static func plan(handingOverGraphOf checkpoint: Checkpoint, options: MergeOptions) throws -> MergePlan {
        try plan(checkpoint, options: options, takingGraph: true)
    }

    private static func plan(_ checkpoint: Checkpoint, options: MergeOptions, takingGraph: Bool) throws -> MergePlan {
        // What needs the checkpoint's own tree is read before the draft may take it.
        let models = try checkpoint.pickledModels()
        let geometries = GeometryIndex(models: models, graph: checkpoint.graph)
        var draft = takingGraph ? CheckpointDraft(takingGraphOf: checkpoint) : CheckpointDraft(copying: checkpoint)
        var warnings: [String] = []
        let fromWholeModel = !models.isEmpty
        var modelDicts: [PickleNodeID: String] = [:]
        for model in models {
            let node = try WholeModelFlattening.replace(model, in: &draft)
            modelDicts[node] = model.path.joined(separator: ".")
        }
        if fromWholeModel {
            warnings.append("the input is a whole pickled model; the output is its state_dict (load it with load_state_dict)")
        }
        var folds: [PlannedFold] = []
        var problems: [UnfoldableModule] = []
        let detector = DAConvDetector(rules: options.rules)
        let filter = DAConvDetector.KeyFilter(options.rules)
        for dict in tensorDicts(draft, checkpoint, modelDicts: modelDicts) {
            // Only the names that may end in a DAConv key go to the detector, with where they are in the dict.
            var tensors: [(name: String, tensor: TorchTensor)] = []
            var positions: [String: Int] = [:]
            positions.reserveCapacity(dict.entries.count)  // one table, never rehashed as it grows
            for (position, entry) in dict.entries.enumerated() {
                guard let key = entry.key, filter.mayEndInAKey(key), let id = entry.value.nodeID,
                    let tensor = checkpoint.tensors[id]
                else { continue }
                tensors.append((key, tensor))
                positions[key] = position
            }
            let found = detector.detect(in: tensors)
            problems += found.unfoldable.map { UnfoldableModule(module: dict.path(prefixing: $0.module), reason: $0.reason) }
            guard !found.modules.isEmpty else { continue }
            for module in found.modules {
                let geometry = geometries.geometry(of: module, under: dict.modelPrefix)
                if let problem = geometry.problem {
                    problems.append(UnfoldableModule(module: dict.path(prefixing: module.module), reason: problem))
                }
                folds.append(
                    PlannedFold(
                        module: module, weightName: dict.path(prefixing: dotted(module.module, "weight")),
                        biasName: module.hasBias ? dict.path(prefixing: dotted(module.module, "bias")) : nil,
                        geometry: geometry.value))
            }
            try StateDictRewrite.fold(
                found.modules, firstFold: folds.count - found.modules.count, inDict: dict.node, at: positions,
                entryCount: dict.entries.count, of: &draft)
        }
        if let first = problems.first { throw MergeError.unfoldable(file: checkpoint.path, first, others: problems.count - 1) }
        var dropped: [String] = []
        if !folds.isEmpty, !options.keepOptimizer {
            dropped = OptimizerStates.drop(from: &draft, checkpoint: checkpoint)
        }
        if folds.isEmpty { warnings.append("no DAConv module found: the output holds the same content") }
        var unsafe = try OutputGlobals.check(draft, file: checkpoint.path)
        var converted: [ConvertedEntry] = []
        if !options.keepObjects {
            converted = try weightsOnlyForm(&draft, checkpoint)
            // Without conversions the draft is as it was checked.
            if !converted.isEmpty { unsafe = try OutputGlobals.check(draft, file: checkpoint.path) }
        } else {
            WeightsOnlyConversion.restoreDefaultDicts(checkpoint.defaultDictFactories, in: &draft)
            unsafe = try OutputGlobals.check(draft, file: checkpoint.path)
            if !unsafe.isEmpty {
                warnings.append("--keep-objects: the output needs torch.load(weights_only=False), as the input did")
            }
        }
        warnings += unsafe
        return MergePlan(
            draft: draft, folds: folds, dropped: dropped, converted: converted, warnings: warnings,
            fromWholeModel: fromWholeModel)
    }

    /// Converts what torch's weights-only loader refuses (numpy values, paths, inert objects) in the draft.
    static func weightsOnlyForm(_ draft: inout CheckpointDraft, _ checkpoint: Checkpoint) throws -> [ConvertedEntry] {
        do {
            let conversions = try WeightsOnlyConversion.plan(
                graph: draft.graph, root: draft.root, decoded: checkpoint.decoded,
                defaultDicts: checkpoint.defaultDictFactories,
                leaves: PickleNodeSet(checkpoint.tensors.keys, nodeCount: draft.graph.nodeCount),
                maxDepth: CheckpointLimits.standard.maxDepth)
            WeightsOnlyConversion.apply(conversions, to: &draft)
            return conversions
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: checkpoint.path, reason)
        }
    }

    /// A dict of the output tree that holds tensors, with its path.
    struct TensorDict {
        let node: PickleNodeID
        let path: [String]
        /// The path of the whole pickled model the dict was made from, if any (for geometry lookups).
        let modelPrefix: String?
        let entries: [(key: String?, value: PickleValue)]

        func path(prefixing name: String) -> String {
            (path + [name]).filter { !$0.isEmpty }.joined(separator: ".")
        }
    }

    /// Dicts holding at least one tensor, in tree order, each once.
    static func tensorDicts(
        _ draft: CheckpointDraft, _ checkpoint: Checkpoint, modelDicts: [PickleNodeID: String]
    ) -> [TensorDict] {
        let graph = draft.graph
        var result: [TensorDict] = []
        var seen = PickleNodeSet(nodeCount: graph.nodeCount)
        var stack: [(PickleValue, [String])] = [(draft.root, [])]
        while let (value, path) = stack.popLast() {
            guard let id = value.nodeID, seen.insert(id), !checkpoint.tensors.contains(id) else { continue }
            if case .dict = graph.kind(of: id) {
                let view = graph.entries(of: id)
                let entries = view.indices.map { (key: view.key(at: $0).stringValue, value: view.value(at: $0)) }
                if entries.contains(where: { $0.value.nodeID.map { checkpoint.tensors.contains($0) } ?? false }) {
                    result.append(TensorDict(node: id, path: path, modelPrefix: modelDicts[id], entries: entries))
                }
                // Tensors are no dicts: only other nodes are walked into, each with its path.
                for entry in entries.reversed() {
                    guard let child = entry.value.nodeID, !checkpoint.tensors.contains(child) else { continue }
                    stack.append((entry.value, path + [entry.key ?? "?"]))
                }
            } else {
                for (i, item) in graph.items(of: id).enumerated().reversed() { stack.append((item, path + [String(i)])) }
                if let state = graph.state(of: id) { stack.append((state, path)) }
            }
        }
        return result
    }

    /// `prefix.name`, or `name` at the root.
    public static func dotted(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : prefix + "." + name
    }
}
