import PickleMachine
import TorchCheckpoint

/// Rewrites one dict of tensors in place: each DAConv's keys give way to `P.weight` (and `P.bias`) at the
/// position of its first key, and `_metadata` loses the branch entries, as torch writes it for the plain model.
enum StateDictRewrite {
    static func fold(
        _ modules: [DAConvModule], inDict dict: PickleNodeID, of draft: inout CheckpointDraft, checkpoint: Checkpoint
    ) throws {
        var owner: [String: Int] = [:]
        for (index, module) in modules.enumerated() {
            for key in module.keys { owner[key] = index }
        }
        var placed = Set<Int>()
        var entries: [PickleDictEntry] = []
        for entry in draft.graph[dict].entries {
            guard let key = entry.key.stringValue, let index = owner[key] else {
                entries.append(entry)
                continue
            }
            guard placed.insert(index).inserted else { continue }
            let module = modules[index]
            let weight = draft.addComputedTensor(dtype: module.dtype, shape: module.weightShape) {
                try FoldedTensors.weightBytes(module, checkpoint)
            }
            entries.append(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "weight")), value: weight))
            if module.hasBias {
                let bias = draft.addComputedTensor(dtype: module.dtype, shape: [module.outChannels]) {
                    try FoldedTensors.biasBytes(module, checkpoint)
                }
                entries.append(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "bias")), value: bias))
            }
        }
        draft.graph[dict].entries = entries
        updateMetadata(of: dict, removing: modules, in: &draft.graph)
    }

    /// Drops `P.<branch>` and everything below it from the dict's `_metadata`; `P` stays (it is the conv now).
    static func updateMetadata(of dict: PickleNodeID, removing modules: [DAConvModule], in graph: inout PickleGraph) {
        guard let state = graph[dict].state, let metadata = graph.lookup(state, "_metadata")?.nodeID,
              case .dict = graph[metadata].kind else { return }
        let branchPrefixes = modules.flatMap { module in
            module.branches.map { MergePlanner.dotted(module.module, $0.rule.name) }
        }
        graph[metadata].entries.removeAll { entry in
            guard let key = entry.key.stringValue else { return false }
            return branchPrefixes.contains { key == $0 || key.hasPrefix($0 + ".") }
        }
    }
}

/// Reads a module's branches and folds them (float64, rounded once to the dtype) when the writer needs them.
enum FoldedTensors {
    /// Gates plus either the weights or the biases: each folded tensor reads only what it needs.
    static func branches(_ module: DAConvModule, _ checkpoint: Checkpoint, biasOnly: Bool) throws -> [DAConvFold.Branch] {
        try module.branches.map { branch in
            let theta = try branch.gate.map { try checkpoint.doubleValues(of: $0)[0] }
            let weight = biasOnly ? [] : try checkpoint.doubleValues(of: branch.weight)
            let bias = biasOnly ? try branch.bias.map { try checkpoint.doubleValues(of: $0) } : nil
            return DAConvFold.Branch(kind: branch.rule.kind, theta: theta, weight: weight, bias: bias)
        }
    }

    static func weightBytes(_ module: DAConvModule, _ checkpoint: Checkpoint) throws -> [UInt8] {
        let folded = DAConvFold.fold(try branches(module, checkpoint, biasOnly: false), shape: module.weightShape)
        return ScalarConversion.littleEndianBytes(folded.weight, dtype: module.dtype)
    }

    static func biasBytes(_ module: DAConvModule, _ checkpoint: Checkpoint) throws -> [UInt8] {
        let bias = DAConvFold.foldBias(try branches(module, checkpoint, biasOnly: true), outChannels: module.outChannels)
        return ScalarConversion.littleEndianBytes(bias, dtype: module.dtype)
    }
}
