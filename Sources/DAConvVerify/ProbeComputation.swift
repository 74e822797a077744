import DAConvMerge
import TorchCheckpoint

/// The convolutions of one probe: every kxk filter (each branch and the merged conv) in one pass over
/// the packed input, then the branches' 1x1 convolutions of their spatially summed kernels.
struct ProbeComputation {
    let original: DAConvValues
    let merged: MergedConvValues
    let strides: [Int]
    let dilation: [Int]
    let groups: Int
    let probeShape: [Int]
    let seed: UInt64

    func run() throws -> ProbeErrors {
        var normal = SeededNormal(seed: seed)
        let shape = original.shape
        let input = try Tensor4(shape: Shape4(probeShape[0], probeShape[1], probeShape[2], probeShape[3]),
                                scalars: normal.samples(probeShape.reduce(1, *)))
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        let mergedFilter = ConvFilter(weight: try Tensor4(shape: weightShape, scalars: merged.weight), bias: merged.bias)
        let (reference, extra) = try DAConvForward.outputs(
            original, input: input, stride: ConvPair(height: strides[0], width: strides[1]),
            dilation: ConvPair(height: dilation[0], width: dilation[1]), groups: groups, extraFilters: [mergedFilter])
        return errors(reference: reference.scalars, mergedOutput: extra[0].scalars, input: input.scalars)
    }

    func errors(reference: [Double], mergedOutput: [Double], input: [Double]) -> ProbeErrors {
        let (maxAbs, maxReference) = ReductionKernels.maxAbsDifference(mergedOutput, reference)
        let shape = original.shape
        let perOutput = shape[1] * shape[2] * shape[3]
        let mergedNorms = ReductionKernels.rowNorms(merged.weight, rows: shape[0], cols: perOutput)
        var rowL1 = mergedNorms.l1
        for branch in original.branches {
            let l1 = ReductionKernels.rowNorms(branch.weight, rows: shape[0], cols: perOutput).l1
            let terms = branch.kind == .vanilla ? 1.0 : 2.0
            for o in rowL1.indices { rowL1[o] += branch.gate * terms * l1[o] }
        }
        let (_, inputMax) = ReductionKernels.maxAbsDifference(input, [Double](repeating: 0, count: input.count))
        let inputRMS = ReductionKernels.rowNorms(input, rows: 1, cols: input.count).l2[0] / Double(max(input.count, 1)).squareRoot()
        let maxBias = max((merged.bias ?? []).reduce(0) { max($0, abs($1)) },
                          original.branches.compactMap(\.bias).flatMap { $0 }.reduce(0) { max($0, abs($1)) })
        let tolerance = ProbeTolerance.tolerance(
            dtypeName: merged.dtype.rawValue, weightNorm2: mergedNorms.l2.max() ?? 0, weightNorm1: rowL1.max() ?? 0,
            maxBias: maxBias, fanIn: perOutput, inputRMS: inputRMS, inputMax: inputMax)
        let finite = !maxAbs.isNaN && maxAbs.isFinite && maxReference.isFinite
        return ProbeErrors(
            maxAbs: finite ? maxAbs : .infinity, maxRel: maxReference > 0 ? maxAbs / maxReference : maxAbs, tolerance: tolerance)
    }
}
