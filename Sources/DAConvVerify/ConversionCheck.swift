import PickleMachine
import TorchCheckpoint

/// Checks that the merged side holds, where the original held a numpy value, path, defaultdict or inert object,
/// what a merge writes for it (``WeightsOnlyConversion``), or the same value kept as it was.
struct ConversionCheck {
    let original: Checkpoint
    let merged: Checkpoint
    /// The merged side's values by dotted path (first paths), and its tensors by name.
    let mergedValues: [String: PickleValue]
    let mergedTensors: [String: TorchTensor]

    /// Conversions the merged side holds as a merge writes them, and what differs.
    struct Outcome {
        var converted: [ConvertedEntry] = []
        var compared = 0
        var changed: [String] = []
        var missing: [String] = []
        /// Tensors of the merged side that are converted arrays (not extra).
        var arrayPaths = Set<String>()
        /// Scalars of the merged side that are converted values (not extra).
        var scalarPaths = Set<String>()
    }

    func run(_ conversions: [ConvertedEntry]) throws -> Outcome {
        var outcome = Outcome()
        // A shared value is converted once and found under each of its paths on the merged side.
        var paths: [PickleNodeID: [String]] = [:]
        for entry in try original.entries() {
            if let id = entry.value.nodeID { paths[id, default: []].append(entry.dottedPath) }
        }
        for conversion in conversions {
            let all = paths[conversion.node] ?? [conversion.path]
            if case .tensor = conversion.target { outcome.arrayPaths.formUnion(all) }
            if case .scalar = conversion.target { outcome.scalarPaths.formUnion(all) }
            // builtins.complex(real, imaginary): its arguments are read as its parts.
            if case .complex = conversion.target { outcome.scalarPaths.formUnion(all.flatMap { ["\($0).0", "\($0).1"] }) }
            if conversion.isKey {
                // A converted dict key: the entries under it are found (and compared) under its value's name.
                outcome.converted.append(conversion)
                continue
            }
            guard let value = mergedValues[conversion.path] else {
                outcome.missing.append(conversion.path)
                continue
            }
            outcome.compared += 1
            if isKeptAsItWas(conversion, value) { continue }
            if let difference = try difference(conversion, value) {
                outcome.changed.append("\(conversion.path): \(conversion.from) \(difference)")
            } else {
                outcome.converted.append(conversion)
            }
        }
        return outcome
    }

    /// The merged side kept the original's object (a merge with `--keep-objects`): its content is compared by path.
    private func isKeptAsItWas(_ conversion: ConvertedEntry, _ value: PickleValue) -> Bool {
        guard let id = value.nodeID, let node = merged.graph.node(value) else { return false }
        if let data = original.decoded[conversion.node] { return merged.decoded[id] == data }
        switch (original.graph[conversion.node].kind, node.kind) {
        case (.object(let a, _), .object(let b, _)): return a == b
        case (.global(let a), .global(let b)): return a == b
        case (.set(frozen: true), .set(frozen: true)): return true
        default: return merged.defaultDictFactories[id] != nil && original.defaultDictFactories[conversion.node] != nil
        }
    }

    /// What differs from the form a merge writes, or nil.
    private func difference(_ conversion: ConvertedEntry, _ value: PickleValue) throws -> String? {
        switch conversion.target {
        case .scalar(let expected):
            return PassThroughComparison.same(expected, value)
                ? nil
                : "should be \(PassThroughComparison.show(expected)), found \(PassThroughComparison.show(value))"
        case .complex(let real, let imaginary):
            guard let node = merged.graph.node(value), case .call(let function) = node.kind,
                function.qualifiedName == "builtins.complex", let parts = merged.graph.sequence(node.args),
                parts.count == 2, PassThroughComparison.same(parts[0], .float(real)),
                PassThroughComparison.same(parts[1], .float(imaginary))
            else {
                return "should be complex (\(real), \(imaginary))"
            }
            return nil
        case .tensor(let array):
            guard let tensor = mergedTensors[conversion.path] else { return "should be a tensor" }
            let dtype = array.dtype.torchDType
            guard tensor.dtype == dtype, tensor.shape == array.shape else {
                return
                    "should be a \(dtype.rawValue) tensor of shape \(array.shape), found \(tensor.dtype.rawValue) \(tensor.shape)"
            }
            return try merged.contiguousBytes(of: tensor) == array.rowMajorBytes ? nil : "values differ from the array's"
        case .container(let content):
            guard let node = merged.graph.node(value), node.kind == content.kind else {
                return "should be a \(content.description)"
            }
            return nil
        case .set:
            guard merged.graph.node(value)?.kind == .set(frozen: false) else { return "should be a set" }
            return nil
        case .unchanged:
            return merged.graph.isDict(value) ? nil : "should be a dict"
        }
    }
}
