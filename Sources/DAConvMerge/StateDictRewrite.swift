import CheckpointContainers
import PickleMachine
import TorchCheckpoint

/// Rewrites one dict of tensors in place: each DAConv's keys give way to `P.weight` (and `P.bias`) at the
/// position of its first key, and `_metadata` loses the branch entries, as torch writes it for the plain model.
enum StateDictRewrite {
    /// `firstFold` is the plan index of `modules[0]`: the folded bytes are asked of `provider` by that index.
    static func fold(
        _ modules: [DAConvModule], firstFold: Int, inDict dict: PickleNodeID, of draft: inout CheckpointDraft,
        provider: FoldedBytesProvider
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
            let module = modules[index], foldIndex = firstFold + index
            let weight = draft.addComputedTensor(dtype: module.dtype, shape: module.weightShape) {
                try provider.source.weightBytes(fold: foldIndex)
            }
            entries.append(PickleDictEntry(key: .string(MergePlanner.dotted(module.module, "weight")), value: weight))
            if module.hasBias {
                let bias = draft.addComputedTensor(dtype: module.dtype, shape: [module.outChannels]) {
                    try provider.source.biasBytes(fold: foldIndex)
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

/// Supplies the bytes of folded tensors when the writer reaches them, by fold index in plan order.
public protocol FoldedTensorSource: Sendable {
    func weightBytes(fold: Int) throws -> RecordBytes
    func biasBytes(fold: Int) throws -> RecordBytes
}

/// Where a plan's computed tensors get their bytes; a merge may replace the source (e.g. with a pipeline that
/// folds ahead of the writer) before writing.
public final class FoldedBytesProvider: @unchecked Sendable {
    public var source: FoldedTensorSource

    init(source: FoldedTensorSource) {
        self.source = source
    }
}

/// Folds on demand in the writer's thread: reads a module's branches and folds them (float64, rounded once
/// to the dtype).
public struct DirectFold: FoldedTensorSource {
    public let modules: [DAConvModule]
    public let checkpoint: Checkpoint

    public init(modules: [DAConvModule], checkpoint: Checkpoint) {
        self.modules = modules
        self.checkpoint = checkpoint
    }

    public func weightBytes(fold: Int) throws -> RecordBytes {
        let module = modules[fold]
        let folded = DAConvFold.fold(try Self.branches(module, checkpoint, biasOnly: false), shape: module.weightShape)
        return RecordBytes(ScalarConversion.littleEndianBytes(folded.weight, dtype: module.dtype))
    }

    public func biasBytes(fold: Int) throws -> RecordBytes {
        let module = modules[fold]
        let bias = DAConvFold.foldBias(try Self.branches(module, checkpoint, biasOnly: true), outChannels: module.outChannels)
        return RecordBytes(ScalarConversion.littleEndianBytes(bias, dtype: module.dtype))
    }

    /// Gates plus either the weights or the biases: each folded tensor reads only what it needs.
    static func branches(_ module: DAConvModule, _ checkpoint: Checkpoint, biasOnly: Bool) throws -> [DAConvFold.Branch] {
        try module.branches.map { branch in
            let theta = try branch.gate.map { try checkpoint.doubleValues(of: $0)[0] }
            let weight = biasOnly ? [] : try checkpoint.doubleValues(of: branch.weight)
            let bias = biasOnly ? try branch.bias.map { try checkpoint.doubleValues(of: $0) } : nil
            return DAConvFold.Branch(kind: branch.rule.kind, theta: theta, weight: weight, bias: bias)
        }
    }
}
