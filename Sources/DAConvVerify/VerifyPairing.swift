import DAConvMerge
import PickleMachine
import TorchCheckpoint

/// Lines up the two sides of a verification when one of them is a safetensors file, which holds one flat
/// state dict and string metadata: the other side, if it is a wrapped checkpoint, is compared through the
/// state dict the safetensors file corresponds to (`model` of `{"epoch", "model", "optimizer", ...}`), and
/// scalars are compared as the text `__metadata__` keeps them. Between two pickled checkpoints it changes
/// nothing.
struct VerifyPairing {
    typealias Named = (name: String, node: PickleNodeID, tensor: TorchTensor)

    var originalTensors: [Named]
    var mergedTensors: [Named]
    /// Dotted path stripped from the original's names (geometry lookups need the full names back).
    var originalPrefix = ""
    /// Tensors of the rerooted side outside the compared state dict, by top entry (`ema`: 29).
    var excluded: [(group: String, tensors: Int)] = []
    /// Set when either side is safetensors: scalar entries as text, by dotted path from the root.
    var textScalars: PassThroughComparison.TextScalars?

    init(original: Checkpoint, merged: Checkpoint, rules: DAConvRules) throws {
        originalTensors = try original.stateDictTensors()
        mergedTensors = try merged.stateDictTensors()
        let originalIsFlat = original.format.kind == .safetensors
        let mergedIsFlat = merged.format.kind == .safetensors
        guard originalIsFlat || mergedIsFlat else { return }
        textScalars = .init(original: try Self.scalarText(original), merged: try Self.scalarText(merged))
        if mergedIsFlat && !originalIsFlat {
            let names = Set(mergedTensors.map(\.name))
            let prefix = try Self.bestPrefix(original, originalTensors, matching: names, rules: rules)
            (originalTensors, excluded) = Self.reroot(originalTensors, at: prefix)
            originalPrefix = prefix
        } else if originalIsFlat && !mergedIsFlat {
            let names = Set(originalTensors.map(\.name))
            let prefix = try Self.bestPrefix(merged, mergedTensors, matching: names, rules: rules, folded: true)
            (mergedTensors, excluded) = Self.reroot(mergedTensors, at: prefix)
        }
    }

    /// A safetensors file's `__metadata__`, or a pickled checkpoint's strings and numbers outside whole
    /// pickled models, as text.
    static func scalarText(_ checkpoint: Checkpoint) throws -> [String: String] {
        if let header = checkpoint.format.safetensors {
            return Dictionary(header.metadata?.map { ($0.key, $0.value) } ?? [], uniquingKeysWith: { first, _ in first })
        }
        let models = try checkpoint.pickledModels().map(\.path)
        var result: [String: String] = [:]
        for entry in try checkpoint.entries() where entry.aliasOf == nil && !entry.path.isEmpty {
            guard !models.contains(where: { entry.path.starts(with: $0) }),
                let text = SafetensorsScalarText.text(of: entry.value)
            else { continue }
            result[entry.dottedPath] = text
        }
        // numpy scalars, paths and dtypes as a merge writes them (docs/checkpoints.md).
        for conversion in try VerifyRun.conversions(checkpoint) {
            guard case .scalar(let value) = conversion.target, let text = SafetensorsScalarText.text(of: value) else { continue }
            result[conversion.path] = text
        }
        return result
    }

    /// The dict (or whole pickled model) of `checkpoint` whose tensors best match `names`: most names in
    /// common, counting a DAConv module as matching when its folded `P.weight` is among `names` (or, for a
    /// merged side, when `P.weight` of the flat side's DAConv is there); ties go to the root, then to the
    /// usual network keys, then to tree order.
    static func bestPrefix(
        _ checkpoint: Checkpoint, _ tensors: [Named], matching names: Set<String>, rules: DAConvRules, folded: Bool = false
    ) throws -> String {
        var best: (prefix: String, score: Int, rank: Int)?
        for (order, prefix) in try candidatePrefixes(checkpoint).enumerated() {
            let inside = reroot(tensors, at: prefix).kept
            var score = inside.filter { names.contains($0.name) }.count
            if !folded {
                let modules = DAConvDetector(rules: rules).detect(in: inside.map { ($0.name, $0.tensor) }).modules
                score += modules.filter { names.contains(MergePlanner.dotted($0.module, "weight")) }.count
            }
            let preferred = prefix.isEmpty || networkKeys.contains(prefix)
            let rank = preferred ? order - 1_000_000 : order
            if best == nil || score > best!.score || (score == best!.score && rank < best!.rank) {
                best = (prefix, score, rank)
            }
        }
        return best?.prefix ?? ""
    }

    /// Keys training scripts commonly keep the network's state dict under (as the safetensors writer prefers).
    static let networkKeys: Set<String> = ["model", "state_dict", "model_state_dict", "net", "network", "params"]

    /// Paths of the dicts that hold tensors directly, and of whole pickled models, in tree order.
    static func candidatePrefixes(_ checkpoint: Checkpoint) throws -> [String] {
        var result: [String] = []
        for entry in try checkpoint.entries() where entry.aliasOf == nil {
            guard let entries = checkpoint.graph.dictEntries(entry.value),
                entries.contains(where: { $0.value.nodeID.map { checkpoint.tensors[$0] != nil } ?? false })
            else { continue }
            result.append(entry.dottedPath)
        }
        for model in try checkpoint.pickledModels() where !result.contains(model.path.joined(separator: ".")) {
            result.append(model.path.joined(separator: "."))
        }
        return result
    }

    /// The tensors under `prefix`, renamed relative to it, and the others counted by their top entry.
    static func reroot(_ tensors: [Named], at prefix: String) -> (kept: [Named], excluded: [(group: String, tensors: Int)]) {
        guard !prefix.isEmpty else { return (tensors, []) }
        var kept: [Named] = []
        var counts: [String: Int] = [:]
        var order: [String] = []
        for named in tensors {
            if named.name.hasPrefix(prefix + ".") {
                kept.append((String(named.name.dropFirst(prefix.count + 1)), named.node, named.tensor))
                continue
            }
            let group = String(named.name.split(separator: ".", maxSplits: 1).first ?? "")
            if counts[group] == nil { order.append(group) }
            counts[group, default: 0] += 1
        }
        return (kept, order.map { ($0, counts[$0]!) })
    }
}
