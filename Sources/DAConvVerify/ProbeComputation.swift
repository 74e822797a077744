import ConvEngine
import DAConvMerge
import TorchCheckpoint

/// A probe's convolutions computed elsewhere (``RowBlockProbe``): each branch's kxk convolution (bias
/// included), each add or difference branch's 1x1 convolution of its tap sums (nil for vanilla branches),
/// and the merged conv's.
struct ProbeConvolutions {
    var branches: [Tensor4<Double>]
    var pointwise: [Tensor4<Double>?]
    var merged: Tensor4<Double>
}

/// The convolutions of one probe: every kxk filter (each branch and the merged conv) in one pass over
/// the packed input, then the branches' 1x1 convolutions of their spatially summed kernels.
struct ProbeComputation<W: ProbeWeightScalar> {
    let module: ProbeModule<W>
    let dtype: TorchDType
    let strides: [Int]
    let dilation: [Int]
    let groups: Int
    let probeShape: [Int]
    let seed: UInt64
    /// How the merged weights were computed: sets the tolerance.
    let origin: MergedWeightsOrigin
    /// Convolution threads; nil: every core.
    var threads: Int? = nil

    /// The convolutions already computed on ``input(shape:seed:)``, as ``RowBlockProbe`` computes them; nil:
    /// computed here.
    var convolved: ProbeConvolutions? = nil

    func run() throws -> ProbeErrors {
        let shape = module.shape
        let input = try Self.input(shape: probeShape, seed: seed)
        let options = ConvOptions(threads: threads ?? ConvOptions.defaultThreads)
        let stride = ConvPair(height: strides[0], width: strides[1])
        let dilation = ConvPair(height: dilation[0], width: dilation[1])
        if let convolved {
            let reference = try DAConvForward.combine(
                module.branches.map { ($0.kind, $0.gate) }, convolutions: convolved.branches, pointwise: convolved.pointwise)
            return errors(reference: reference.scalars, mergedOutput: convolved.merged.scalars, input: input.scalars)
        }
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        let mergedFilter = ConvFilter(
            weight: try Tensor4(shape: weightShape, scalars: module.mergedWeight), bias: module.mergedBias)
        let (reference, extra) = try DAConvForward.outputs(
            module.branches, shape: shape, input: input, stride: stride, dilation: dilation, groups: groups,
            extraFilters: [mergedFilter], tapSums: module.statistics?.tapSums, options: options)
        return errors(reference: reference.scalars, mergedOutput: extra[0].scalars, input: input.scalars)
    }

    /// The probe's input: `shape` values drawn from N(0, 1) by the module's seeded generator.
    static func input(shape: [Int], seed: UInt64) throws -> Tensor4<Double> {
        var normal = SeededNormal(seed: seed)
        return try Tensor4(shape: Shape4(shape[0], shape[1], shape[2], shape[3]), scalars: normal.samples(shape.reduce(1, *)))
    }

    func errors(reference: [Double], mergedOutput: [Double], input: [Double]) -> ProbeErrors {
        let (maxAbs, maxReference) = ReductionKernels.maxAbsDifference(mergedOutput, reference)
        let (_, inputMax) = ReductionKernels.maxAbsDifference(input, [Double](repeating: 0, count: input.count))
        let tolerance = ProbeTolerance.tolerance(
            sigma: sigma(), bias: biasBound(), outputs: reference.count, weightNorm1: accumulationNorm1(),
            fanIn: module.shape[1] * module.shape[2] * module.shape[3], inputMax: inputMax)
        let finite = !maxAbs.isNaN && maxAbs.isFinite && maxReference.isFinite
        return ProbeErrors(
            maxAbs: finite ? maxAbs : .infinity, maxRel: maxReference > 0 ? maxAbs / maxReference : maxAbs, tolerance: tolerance)
    }

    /// The dtype whose rounding the merged weights may carry: the coarser of the merged conv's and the
    /// original's, since a merge may fold in one and store in the other.
    private var coarserDType: String {
        let original = (module.originalDType ?? dtype).rawValue
        return ProbeTolerance.unitRoundoff(original) > ProbeTolerance.unitRoundoff(dtype.rawValue) ? original : dtype.rawValue
    }

    private var unitRoundoff: Double { ProbeTolerance.unitRoundoff(coarserDType) }

    /// Bound on the standard deviation of any output's error due to the merged weights (``ProbeTolerance``).
    private func sigma() -> Double {
        let shape = module.shape
        switch origin {
        case .roundedOnce:
            let l2 =
                module.statistics?.mergedL2
                ?? W.rowNorms(module.mergedWeight, rows: shape[0], cols: shape[1] * shape[2] * shape[3]).l2
            return unitRoundoff * (l2.max() ?? 0)
        case .anyNaturalFold:
            return unitRoundoff * foldErrorBound.maxRowNorm(module.branches, shape: shape)
        }
    }

    private var foldErrorBound: FoldErrorBound {
        FoldErrorBound(
            dtypeName: coarserDType, taps: module.shape[2] * module.shape[3],
            converted: (module.originalDType ?? dtype) != dtype)
    }

    private func biasBound() -> Double {
        switch origin {
        case .roundedOnce: return unitRoundoff * W.maxMagnitude(module.mergedBias ?? [])
        case .anyNaturalFold: return unitRoundoff * foldErrorBound.biasBound(module.branches, outChannels: module.shape[0])
        }
    }

    /// Largest `||W_o||_1` over every convolution the probe computes: the merged conv, each branch's kxk
    /// conv and, for add/difference branches, its 1x1 conv of the tap sums.
    private func accumulationNorm1() -> Double {
        let shape = module.shape
        let perOutput = shape[1] * shape[2] * shape[3]
        let statistics = module.statistics
        var rowL1 = statistics?.mergedL1 ?? W.rowNorms(module.mergedWeight, rows: shape[0], cols: perOutput).l1
        for (index, branch) in module.branches.enumerated() {
            let l1 = statistics?.branchL1[index] ?? W.rowNorms(branch.weight, rows: shape[0], cols: perOutput).l1
            let terms = branch.kind == .vanilla ? 1.0 : 2.0
            for o in rowL1.indices { rowL1[o] += branch.gate * terms * l1[o] }
        }
        return rowL1.max() ?? 0
    }
}
