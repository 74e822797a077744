import DAConvMerge
import TorchCheckpoint

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
    /// Convolution threads; nil: every core.
    var threads: Int? = nil

    func run() throws -> ProbeErrors {
        var normal = SeededNormal(seed: seed)
        let shape = module.shape
        let input = try Tensor4(shape: Shape4(probeShape[0], probeShape[1], probeShape[2], probeShape[3]),
                                scalars: normal.samples(probeShape.reduce(1, *)))
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        let mergedFilter = ConvFilter(weight: try Tensor4(shape: weightShape, scalars: module.mergedWeight), bias: module.mergedBias)
        let (reference, extra) = try DAConvForward.outputs(
            module.branches, shape: shape, input: input, stride: ConvPair(height: strides[0], width: strides[1]),
            dilation: ConvPair(height: dilation[0], width: dilation[1]), groups: groups, extraFilters: [mergedFilter],
            tapSums: module.statistics?.tapSums, options: ConvOptions(threads: threads ?? ConvOptions.defaultThreads))
        return errors(reference: reference.scalars, mergedOutput: extra[0].scalars, input: input.scalars)
    }

    func errors(reference: [Double], mergedOutput: [Double], input: [Double]) -> ProbeErrors {
        let (maxAbs, maxReference) = ReductionKernels.maxAbsDifference(mergedOutput, reference)
        let shape = module.shape
        let perOutput = shape[1] * shape[2] * shape[3]
        let statistics = module.statistics
        let mergedNorms = statistics.map { (l2: $0.mergedL2, l1: $0.mergedL1) }
            ?? W.rowNorms(module.mergedWeight, rows: shape[0], cols: perOutput)
        var rowL1 = mergedNorms.l1
        for (index, branch) in module.branches.enumerated() {
            let l1 = statistics?.branchL1[index] ?? W.rowNorms(branch.weight, rows: shape[0], cols: perOutput).l1
            let terms = branch.kind == .vanilla ? 1.0 : 2.0
            for o in rowL1.indices { rowL1[o] += branch.gate * terms * l1[o] }
        }
        let (_, inputMax) = ReductionKernels.maxAbsDifference(input, [Double](repeating: 0, count: input.count))
        let inputRMS = ReductionKernels.rowNorms(input, rows: 1, cols: input.count).l2[0] / Double(max(input.count, 1)).squareRoot()
        let maxBias = max(W.maxMagnitude(module.mergedBias ?? []),
                          module.branches.map { W.maxMagnitude($0.bias ?? []) }.max() ?? 0)
        let tolerance = ProbeTolerance.tolerance(
            dtypeName: dtype.rawValue, weightNorm2: mergedNorms.l2.max() ?? 0, weightNorm1: rowL1.max() ?? 0,
            maxBias: maxBias, fanIn: perOutput, inputRMS: inputRMS, inputMax: inputMax)
        let finite = !maxAbs.isNaN && maxAbs.isFinite && maxReference.isFinite
        return ProbeErrors(
            maxAbs: finite ? maxAbs : .infinity, maxRel: maxReference > 0 ? maxAbs / maxReference : maxAbs, tolerance: tolerance)
    }
}
