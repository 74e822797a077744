import DAConvMerge
import PickleMachine
import TorchCheckpoint

/// Compares everything that is not a DAConv between the original and the merged checkpoint: tensors by
/// name (dtype, shape, every byte) and scalar entries (epoch, config, ...). Optimizer state the merged side
/// left out entirely is reported as dropped, as merging drops it by default.
struct PassThroughComparison {
    let original: Checkpoint
    let merged: Checkpoint
    let originalTensors: [(name: String, node: PickleNodeID, tensor: TorchTensor)]
    let mergedTensors: [(name: String, node: PickleNodeID, tensor: TorchTensor)]
    let foldedModules: [DAConvModule]
    /// Set when a side is safetensors: scalars are then compared as text (see ``TextScalars``).
    var textScalars: TextScalars? = nil
    /// The original's numpy values, paths and objects, and the form a merge writes them in.
    var conversions: [ConvertedEntry] = []

    /// Scalars by dotted path as `__metadata__` text. A safetensors file may keep any of them or none (its
    /// metadata is free-form), so only values present on both sides are compared; the rest are noted.
    struct TextScalars {
        let original: [String: String]
        let merged: [String: String]
    }

    /// The check, the optimizer paths dropped, notes on scalars a safetensors side could not compare, and the
    /// conversions the merged side holds.
    func run() throws -> (PassThroughCheck, dropped: [String], notes: [String], converted: [ConvertedEntry]) {
        let foldedKeys = Set(foldedModules.flatMap(\.keys))
        var produced = Set(foldedModules.map { MergePlanner.dotted($0.module, "weight") })
        for module in foldedModules where module.hasBias { produced.insert(MergePlanner.dotted(module.module, "bias")) }
        let mergedByName = Dictionary(mergedTensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let mergedScalars = try scalars(merged)
        let dropped = try optimizerPaths(original).filter { prefix in
            !mergedByName.keys.contains { $0.hasPrefix(prefix + ".") }
                && !mergedScalars.keys.contains { $0.hasPrefix(prefix + ".") }
                && !mergedScalars.keys.contains(prefix)
        }
        func isDropped(_ name: String) -> Bool { dropped.contains { name == $0 || name.hasPrefix($0 + ".") } }
        var check = PassThroughCheck(compared: 0)
        let kept = conversions.filter { !isDropped($0.path) }
        let conversion = try ConversionCheck(
            original: original, merged: merged, mergedValues: values(merged), mergedTensors: mergedByName
        ).run(textScalars == nil ? kept : [])
        check.compared += conversion.compared
        check.changed += conversion.changed
        check.missing += conversion.missing
        var originalNames = Set<String>()
        for (name, _, tensor) in originalTensors where !foldedKeys.contains(name) && !isDropped(name) {
            originalNames.insert(name)
            guard let other = mergedByName[name] else {
                check.missing.append(name)
                continue
            }
            check.compared += 1
            if let difference = try difference(tensor, other) { check.changed.append("\(name): \(difference)") }
        }
        check.extra = mergedTensors.map(\.name).filter {
            !originalNames.contains($0) && !produced.contains($0) && !conversion.arrayPaths.contains($0)
        }
        if let textScalars {
            let notes = Self.compare(textScalars, into: &check, skipping: isDropped)
            return (check, dropped, notes, [])
        }
        let originalScalars = try scalars(original)
        for (path, value) in originalScalars.sorted(by: { $0.key < $1.key }) where !isDropped(path) {
            guard let other = mergedScalars[path] else {
                check.missing.append(path)
                continue
            }
            check.compared += 1
            if !Self.same(value, other) { check.changed.append("\(path): \(Self.show(value)) became \(Self.show(other))") }
        }
        check.extra += mergedScalars.keys.sorted().filter { originalScalars[$0] == nil && !conversion.scalarPaths.contains($0) }
        return (check, dropped, [], conversion.converted)
    }

    /// Compares the scalars both sides hold as text; returns a note naming the original's scalars the other
    /// side lacks and the other side's extra ones (the metadata key `format`, which safetensors writers add
    /// on their own, is left out of both).
    static func compare(_ scalars: TextScalars, into check: inout PassThroughCheck, skipping dropped: (String) -> Bool)
        -> [String]
    {
        var absent: [String] = []
        for (path, value) in scalars.original.sorted(by: { $0.key < $1.key }) where !dropped(path) && path != "format" {
            guard let other = scalars.merged[path] else {
                absent.append(path)
                continue
            }
            check.compared += 1
            if value != other { check.changed.append("\(path): '\(value.prefix(40))' became '\(other.prefix(40))'") }
        }
        let extra = scalars.merged.keys.sorted().filter { scalars.original[$0] == nil && $0 != "format" }
        var notes: [String] = []
        if !absent.isEmpty {
            notes.append("scalars of the original not in the merged side (not compared): \(absent.joined(separator: ", "))")
        }
        if !extra.isEmpty {
            notes.append("scalars of the merged side not in the original (not compared): \(extra.joined(separator: ", "))")
        }
        return notes
    }

    private func difference(_ a: TorchTensor, _ b: TorchTensor) throws -> String? {
        guard a.dtype == b.dtype else { return "dtype \(a.dtype) became \(b.dtype)" }
        guard a.shape == b.shape else { return "shape \(a.shape) became \(b.shape)" }
        let left = try original.contiguousBytes(of: a)
        let right = try merged.contiguousBytes(of: b)
        guard let first = left.indices.first(where: { left[$0] != right[$0] }) else { return nil }
        return "values differ (first at element \(first / a.dtype.elementSize))"
    }

    /// Every value by its first dotted path, outside whole pickled models.
    private func values(_ checkpoint: Checkpoint) throws -> [String: PickleValue] {
        let models = try checkpoint.pickledModels().map(\.path)
        var result: [String: PickleValue] = [:]
        for entry in try checkpoint.entries() where entry.aliasOf == nil && !entry.path.isEmpty {
            if models.contains(where: { entry.path.starts(with: $0) && entry.path.count > $0.count }) { continue }
            result[entry.dottedPath] = entry.value
        }
        return result
    }

    /// Scalar entries by dotted path, outside whole pickled models (whose attributes a state_dict drops).
    private func scalars(_ checkpoint: Checkpoint) throws -> [String: PickleValue] {
        let models = try checkpoint.pickledModels().map(\.path)
        var result: [String: PickleValue] = [:]
        for entry in try checkpoint.entries() where entry.aliasOf == nil && !entry.path.isEmpty {
            if case .node = entry.value { continue }
            if models.contains(where: { entry.path.starts(with: $0) }) { continue }
            result[entry.dottedPath] = entry.value
        }
        return result
    }

    /// Paths of optimizer state (state dicts, and lists of them), as a merge drops it.
    private func optimizerPaths(_ checkpoint: Checkpoint) throws -> [String] {
        var paths: [String] = []
        for entry in try checkpoint.entries() where entry.aliasOf == nil && !entry.path.isEmpty {
            guard OptimizerStates.isOptimizerState(entry.value, checkpoint.graph),
                !paths.contains(where: { entry.dottedPath.hasPrefix($0 + ".") })
            else { continue }
            paths.append(entry.dottedPath)
        }
        return paths
    }

    static func same(_ a: PickleValue, _ b: PickleValue) -> Bool {
        if case .float(let x) = a, case .float(let y) = b { return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        return a == b
    }

    static func show(_ value: PickleValue) -> String {
        switch value {
        case .string(let text): return "'\(text.prefix(40))'"
        case .int(let number): return String(number)
        case .float(let number): return "\(number)"
        case .bool(let flag): return flag ? "True" : "False"
        case .none: return "None"
        case .bigInt(let number): return number.description
        case .bytes(let bytes): return "\(bytes.count) bytes"
        case .node: return "an object"
        }
    }
}
