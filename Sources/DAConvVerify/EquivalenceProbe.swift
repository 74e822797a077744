import DAConvMerge
import TorchCheckpoint

/// A DAConv's numbers in float64: what the reference computes with.
public struct DAConvValues: Sendable {
    /// Branch kinds, gates (before the sigmoid), weights and biases.
    public var branches: [DAConvFold.Branch]
    /// `[out, in/groups, kh, kw]`.
    public var shape: [Int]
    /// The branches' dtype as stored: a merge may have folded in it. nil: the merged conv's.
    public var dtype: TorchDType?

    public init(branches: [DAConvFold.Branch], shape: [Int], dtype: TorchDType? = nil) {
        self.branches = branches
        self.shape = shape
        self.dtype = dtype
    }
}

/// A merged conv's stored numbers, converted exactly to float64.
public struct MergedConvValues: Sendable {
    public var weight: [Double]
    public var weightShape: [Int]
    public var bias: [Double]?
    public var dtype: TorchDType

    public init(weight: [Double], weightShape: [Int], bias: [Double]?, dtype: TorchDType) {
        self.weight = weight
        self.weightShape = weightShape
        self.bias = bias
        self.dtype = dtype
    }
}

/// Runs a DAConv's training-mode formula branch by branch, as PyTorch computes it, and the merged conv
/// on the same seeded inputs, and compares: the check does not trust the fold, only the outputs.
public enum EquivalenceProbe {
    public static func check(
        module: String, original: DAConvValues, merged: MergedConvValues, geometry: ModuleGeometry?,
        options: ProbeOptions
    ) -> LayerCheck {
        let shape = original.shape
        guard merged.weightShape == shape else {
            return failed(
                module, shape: shape, dtype: merged.dtype, geometry: geometry, options: options,
                problem: "merged weight has shape \(merged.weightShape), the DAConv's branches \(shape)")
        }
        let probe = ProbeModule<Double>(
            branches: original.branches.map { .init(kind: $0.kind, gate: $0.gate, weight: $0.weight, bias: $0.bias) },
            mergedWeight: merged.weight, mergedBias: merged.bias, shape: shape, originalDType: original.dtype)
        return check(module: module, probe: probe, dtype: merged.dtype, geometry: geometry, options: options)
    }

    /// The same check on numbers already in the probe's precision (the merge pipeline's float32 folds).
    public static func check<W: ProbeWeightScalar>(
        module: String, probe: ProbeModule<W>, dtype: TorchDType, geometry: ModuleGeometry?, options: ProbeOptions
    ) -> LayerCheck {
        check(module: module, probe: probe, dtype: dtype, geometry: geometry, options: options, convolved: nil)
    }

    /// `convolved`: the convolutions ``RowBlockProbe`` computed block by block (then the probe's weights are
    /// not read, only its statistics' norms).
    static func check<W: ProbeWeightScalar>(
        module: String, probe: ProbeModule<W>, dtype: TorchDType, geometry: ModuleGeometry?, options: ProbeOptions,
        convolved: ProbeConvolutions?
    ) -> LayerCheck {
        let shape = probe.shape
        let setup = ProbeSetup(shape: shape, geometry: geometry, options: options)
        if let bias = probe.mergedBias, bias.count != shape[0] {
            return setup.result(
                module, dtype: dtype, errors: nil, problem: "merged bias has \(bias.count) values, expected \(shape[0])")
        }
        if probe.branches.contains(where: { $0.bias != nil }), probe.mergedBias == nil {
            return setup.result(
                module, dtype: dtype, errors: nil, problem: "the merged conv has no bias but the DAConv's branches do")
        }
        do {
            let errors = try ProbeComputation(
                module: probe, dtype: dtype, strides: setup.stride, dilation: setup.dilation, groups: setup.groups,
                probeShape: setup.probeShape, seed: SeededNormal.seed(options.seed, module), origin: options.origin,
                threads: options.threads, convolved: convolved
            ).run()
            return setup.result(
                module, dtype: dtype, errors: errors, problem: errors.maxAbs.isFinite ? nil : "the outputs are not finite")
        } catch {
            return setup.result(module, dtype: dtype, errors: nil, problem: "\(error)")
        }
    }

    static func failed(
        _ module: String, shape: [Int], dtype: TorchDType, geometry: ModuleGeometry?, options: ProbeOptions, problem: String
    ) -> LayerCheck {
        ProbeSetup(shape: shape, geometry: geometry, options: options).result(module, dtype: dtype, errors: nil, problem: problem)
    }
}

/// The probe's geometry and input shape for a module, and how its figures become a `LayerCheck`.
struct ProbeSetup {
    let kernel: [Int]
    let stride: [Int]
    let dilation: [Int]
    let groups: Int
    let probeShape: [Int]
    let geometry: ModuleGeometry?
    let options: ProbeOptions

    init(shape: [Int], geometry: ModuleGeometry?, options: ProbeOptions) {
        kernel = [shape[2], shape[3]]
        stride = geometry?.stride ?? [1, 1]
        dilation = geometry?.dilation ?? [1, 1]
        groups = geometry?.groups ?? 1
        let size = options.spatialSize(kernel: kernel, dilation: dilation, stride: stride)
        probeShape = [options.batch, shape[1] * groups, size, size]
        self.geometry = geometry
        self.options = options
    }

    func result(_ module: String, dtype: TorchDType, errors: ProbeErrors?, problem: String?) -> LayerCheck {
        let tolerance = options.tolerance ?? errors?.tolerance ?? 0
        return LayerCheck(
            module: module, kernel: kernel, dtype: dtype, stride: stride, dilation: dilation, groups: groups,
            geometrySource: geometry == nil ? .assumed : .pickledModel, probeShape: probeShape,
            maxAbsError: errors?.maxAbs ?? .infinity, maxRelError: errors?.maxRel ?? .infinity,
            tolerance: tolerance,
            toleranceRule: options.tolerance == nil ? ProbeTolerance.rule(options.origin) : "given by the user",
            passed: problem == nil && (errors.map { $0.maxAbs <= tolerance } ?? false), problem: problem)
    }
}

/// The figures of one probe.
struct ProbeErrors {
    var maxAbs: Double
    var maxRel: Double
    var tolerance: Double
}
