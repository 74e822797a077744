import DAConvMerge
import TorchCheckpoint

/// A DAConv's numbers in float64: what the reference computes with.
public struct DAConvValues: Sendable {
    /// Branch kinds, gates (before the sigmoid), weights and biases.
    public var branches: [DAConvFold.Branch]
    /// `[out, in/groups, kh, kw]`.
    public var shape: [Int]

    public init(branches: [DAConvFold.Branch], shape: [Int]) {
        self.branches = branches
        self.shape = shape
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
        let kernel = [shape[2], shape[3]]
        let stride = geometry?.stride ?? [1, 1]
        let dilation = geometry?.dilation ?? [1, 1]
        let groups = geometry?.groups ?? 1
        let size = options.spatialSize(kernel: kernel, dilation: dilation, stride: stride)
        let probeShape = [options.batch, shape[1] * groups, size, size]
        func result(_ errors: ProbeErrors?, problem: String?) -> LayerCheck {
            let tolerance = options.tolerance ?? errors?.tolerance ?? 0
            return LayerCheck(
                module: module, kernel: kernel, dtype: merged.dtype, stride: stride, dilation: dilation, groups: groups,
                geometrySource: geometry == nil ? .assumed : .pickledModel, probeShape: probeShape,
                maxAbsError: errors?.maxAbs ?? .infinity, maxRelError: errors?.maxRel ?? .infinity,
                tolerance: tolerance, toleranceRule: options.tolerance == nil ? ProbeTolerance.rule : "given by the user",
                passed: problem == nil && (errors.map { $0.maxAbs <= tolerance } ?? false), problem: problem)
        }
        guard merged.weightShape == shape else {
            return result(nil, problem: "merged weight has shape \(merged.weightShape), the DAConv's branches \(shape)")
        }
        if let bias = merged.bias, bias.count != shape[0] {
            return result(nil, problem: "merged bias has \(bias.count) values, expected \(shape[0])")
        }
        let expectsBias = original.branches.contains { $0.bias != nil }
        if expectsBias, merged.bias == nil {
            return result(nil, problem: "the merged conv has no bias but the DAConv's branches do")
        }
        do {
            let errors = try ProbeComputation(
                original: original, merged: merged, strides: stride, dilation: dilation, groups: groups,
                probeShape: probeShape, seed: SeededNormal.seed(options.seed, module)
            ).run()
            return result(errors, problem: errors.maxAbs.isFinite ? nil : "the outputs are not finite")
        } catch {
            return result(nil, problem: "\(error)")
        }
    }
}

/// The figures of one probe.
struct ProbeErrors {
    var maxAbs: Double
    var maxRel: Double
    var tolerance: Double
}
