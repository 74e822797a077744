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
        var maxAbs = 0.0, maxReference = 0.0
        for i in reference.indices {
            maxAbs = max(maxAbs, abs(mergedOutput[i] - reference[i]))
            maxReference = max(maxReference, abs(reference[i]))
        }
        if reference.contains(where: { !$0.isFinite }) || mergedOutput.contains(where: { !$0.isFinite }) { maxAbs = .infinity }
        let shape = original.shape
        let perOutput = shape[1] * shape[2] * shape[3]
        let gates = original.branches.map { ($0.gate, $0.kind == .vanilla ? 1.0 : 2.0) }
        var norm2 = 0.0, norm1 = 0.0
        for o in 0..<shape[0] {
            let range = o * perOutput..<(o + 1) * perOutput
            var squares = 0.0, sum = 0.0
            for i in range {
                let value = merged.weight[i]
                squares += value * value
                sum += abs(value)
            }
            for (branch, (gate, terms)) in zip(original.branches, gates) {
                var taps = 0.0
                for i in range { taps += abs(branch.weight[i]) }
                sum += gate * terms * taps
            }
            norm2 = max(norm2, squares.squareRoot())
            norm1 = max(norm1, sum)
        }
        let rms = (input.reduce(0) { $0 + $1 * $1 } / Double(max(input.count, 1))).squareRoot()
        let inputMax = input.reduce(0) { max($0, abs($1)) }
        let maxBias = max((merged.bias ?? []).reduce(0) { max($0, abs($1)) },
                          original.branches.compactMap(\.bias).flatMap { $0 }.reduce(0) { max($0, abs($1)) })
        let tolerance = ProbeTolerance.tolerance(
            dtypeName: merged.dtype.rawValue, weightNorm2: norm2, weightNorm1: norm1, maxBias: maxBias,
            fanIn: perOutput, inputRMS: rms, inputMax: inputMax)
        return ProbeErrors(maxAbs: maxAbs, maxRel: maxReference > 0 ? maxAbs / maxReference : maxAbs, tolerance: tolerance)
    }
}
