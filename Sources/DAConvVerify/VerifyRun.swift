import DAConvMerge
import PickleMachine
import TorchCheckpoint

/// What to verify and how.
public struct VerifyRequest: Sendable {
    public var original: String
    public var merged: String
    public var rules: DAConvRules = .standard
    public var probe = ProbeOptions()

    public init(original: String, merged: String) {
        self.original = original
        self.merged = merged
    }
}

/// An independent equivalence gate: pairs every DAConv module `P` of the original with the plain conv
/// `P.weight`/`P.bias` of the merged checkpoint, whoever produced it, and runs both on probe inputs. It
/// never uses the merge's fold: it checks outputs, not weights. Everything else must be present and
/// identical. One module's tensors are in memory at a time.
public enum VerifyRun {
    public static func run(_ request: VerifyRequest) throws -> EquivalenceReport {
        let original = try CheckpointReader.open(request.original)
        let merged = try CheckpointReader.open(request.merged)
        try original.verifyStorageChecksums()
        try merged.verifyStorageChecksums()
        let pairing = try VerifyPairing(original: original, merged: merged, rules: request.rules)
        let originalTensors = pairing.originalTensors
        let mergedTensors = pairing.mergedTensors
        var mergedByName: [String: TorchTensor] = [:]
        for named in mergedTensors where mergedByName[named.name] == nil { mergedByName[named.name] = named.tensor }
        let detection = DAConvDetector(rules: request.rules).detect(in: originalTensors.map { ($0.name, $0.tensor) })
        var warnings = detection.unfoldable.map(\.description)
        if detection.modules.isEmpty { warnings.append("the original has no DAConv module: only pass-through is checked") }
        let geometry = try GeometryLookup(original: original, merged: merged)
        let layers = try detection.modules.map { module in
            try check(
                module, original: original, merged: merged, mergedByName: mergedByName, pairing: pairing,
                geometry: geometry, probe: request.probe)
        }
        let (passThrough, dropped, notes, converted) = try PassThroughComparison(
            original: original, merged: merged, originalTensors: originalTensors, mergedTensors: mergedTensors,
            foldedModules: detection.modules, textScalars: pairing.textScalars, conversions: try conversions(original)
        ).run()
        warnings += notes
        for (group, count) in pairing.excluded where !dropped.contains(group) {
            warnings.append(
                "\(group) (\(Formatting.plural(count, "tensor"))) not compared: a safetensors file holds one state dict")
        }
        var report = EquivalenceReport(layers: layers, dropped: dropped, warnings: warnings, passThrough: passThrough)
        report.converted = converted
        return report
    }

    /// What a merge converts in the original, outside whole pickled models (which become state dicts).
    static func conversions(_ original: Checkpoint) throws -> [ConvertedEntry] {
        let models = try original.pickledModels().compactMap { $0.modules.first?.node }
        do {
            return try WeightsOnlyConversion.plan(
                graph: original.graph, root: original.root, decoded: original.decoded,
                defaultDicts: original.defaultDictFactories,
                leaves: PickleNodeSet(original.tensors.keys + models, nodeCount: original.graph.nodeCount),
                maxDepth: CheckpointLimits.standard.maxDepth)
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: original.path, reason)
        }
    }

    /// One module against the merged side's `P.weight`/`P.bias`, or why it cannot be checked.
    static func check(
        _ module: DAConvModule, original: Checkpoint, merged: Checkpoint, mergedByName: [String: TorchTensor],
        pairing: VerifyPairing, geometry: GeometryLookup, probe: ProbeOptions
    ) throws -> LayerCheck {
        // Reported under its name in the original file (`model.stem`) when paired through a state dict.
        let named =
            pairing.originalPrefix.isEmpty
            ? module
            : DAConvModule(module: MergePlanner.dotted(pairing.originalPrefix, module.module), branches: module.branches)
        let weightName = MergePlanner.dotted(module.module, "weight")
        guard let weight = mergedByName[weightName] else {
            return missingLayer(named, "\(weightName) is missing from the merged checkpoint")
        }
        guard weight.dtype.isFoldable else {
            return missingLayer(named, "\(weightName) has dtype \(weight.dtype), not a floating type")
        }
        let (moduleGeometry, problem) = geometry.geometry(of: named)
        if let problem {
            return missingLayer(named, "the DAConv itself cannot be folded exactly: \(problem)")
        }
        let values = try DAConvValues.read(module, from: original)
        let bias = mergedByName[MergePlanner.dotted(module.module, "bias")]
        let mergedValues = try MergedConvValues.read(weight: weight, bias: bias, from: merged)
        return EquivalenceProbe.check(
            module: named.module, original: values, merged: mergedValues, geometry: moduleGeometry, options: probe)
    }

    static func missingLayer(_ module: DAConvModule, _ problem: String) -> LayerCheck {
        LayerCheck(
            module: module.module, kernel: [module.kernel.height, module.kernel.width], dtype: module.dtype,
            stride: [1, 1], dilation: [1, 1], groups: 1, geometrySource: .assumed, probeShape: [],
            maxAbsError: .infinity, maxRelError: .infinity, tolerance: 0, toleranceRule: ProbeTolerance.rule(.anyNaturalFold),
            passed: false, problem: problem)
    }
}

/// Geometry from whichever side is a whole pickled model: the original's DAConv branches, or the merged
/// side's plain `Conv2d` at the module's prefix.
struct GeometryLookup {
    private let originalIndex: GeometryIndex
    private let originalModelPaths: [String]
    private let mergedModules: [String: (PickledModule, PickleGraph)]

    init(original: Checkpoint, merged: Checkpoint) throws {
        let models = try original.pickledModels()
        originalIndex = GeometryIndex(models: models, graph: original.graph)
        originalModelPaths = models.map { $0.path.joined(separator: ".") }
        var byName: [String: (PickledModule, PickleGraph)] = [:]
        for model in try merged.pickledModels() {
            let prefix = model.path.isEmpty ? "" : model.path.joined(separator: ".") + "."
            for module in model.modules { byName[prefix + module.prefix] = (module, merged.graph) }
        }
        mergedModules = byName
    }

    /// The geometry, and why the original module would not fold exactly, if its own model says so.
    func geometry(of module: DAConvModule) -> (ModuleGeometry?, problem: String?) {
        for path in originalModelPaths {
            let relative =
                path.isEmpty
                ? module.module
                : (module.module.hasPrefix(path + ".") ? String(module.module.dropFirst(path.count + 1)) : nil)
            guard let relative else { continue }
            let found = originalIndex.geometry(of: DAConvModule(module: relative, branches: module.branches), under: path)
            if found.value != nil || found.problem != nil { return (found.value, found.problem) }
        }
        guard let (pickled, graph) = mergedModules[module.module] else { return (nil, nil) }
        return (ModuleGeometry.read(pickled, graph: graph, kernel: [module.kernel.height, module.kernel.width]), nil)
    }
}
