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
        let count = probeShape.reduce(1, *)
        let input = try Tensor4(shape: Shape4(probeShape[0], probeShape[1], probeShape[2], probeShape[3]),
                                scalars: normal.samples(count))
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        var filters = try original.branches.map { try ConvFilter(weight: Tensor4(shape: weightShape, scalars: $0.weight), bias: $0.bias) }
        filters.append(ConvFilter(weight: try Tensor4(shape: weightShape, scalars: merged.weight), bias: merged.bias))
        let padding = ConvPair(height: dilation[0] * (shape[2] / 2), width: dilation[1] * (shape[3] / 2))
        let geometry = ConvGeometry(
            stride: ConvPair(height: strides[0], width: strides[1]), padding: padding,
            dilation: ConvPair(height: dilation[0], width: dilation[1]), groups: groups)
        var outputs = try Conv2D.forward(input, filters: filters, geometry: geometry)
        let mergedOutput = outputs.removeLast()
        let centred = original.branches.enumerated().filter { $0.element.kind != .vanilla }
        let sums = try centred.map { try ConvFilter<Double>(weight: spatialSum($0.element.weight, shape), bias: nil) }
        let pointwise = sums.isEmpty ? [] : try Conv2D.forward(
            input, filters: sums,
            geometry: ConvGeometry(stride: geometry.stride, padding: 0, dilation: 1, groups: groups))
        var reference = [Double](repeating: 0, count: mergedOutput.scalars.count)
        for (index, branch) in original.branches.enumerated() {
            var branchOutput = outputs[index].scalars
            if let position = centred.firstIndex(where: { $0.offset == index }) {
                let sign: Double = branch.kind == .add ? 1 : -1
                for i in branchOutput.indices { branchOutput[i] += sign * pointwise[position].scalars[i] }
            }
            let gate = branch.gate
            for i in reference.indices { reference[i] += gate * branchOutput[i] }
        }
        return errors(reference: reference, mergedOutput: mergedOutput.scalars, input: input.scalars)
    }

    /// `sum_hw W` as a `[out, in/groups, 1, 1]` kernel.
    func spatialSum(_ weight: [Double], _ shape: [Int]) throws -> Tensor4<Double> {
        let taps = shape[2] * shape[3]
        let sums = stride(from: 0, to: weight.count, by: taps).map { start in
            weight[start..<start + taps].reduce(0, +)
        }
        return try Tensor4(shape: Shape4(shape[0], shape[1], 1, 1), scalars: sums)
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
        var norm2 = 0.0, norm1 = 0.0
        for o in 0..<shape[0] {
            let range = o * perOutput..<(o + 1) * perOutput
            norm2 = max(norm2, merged.weight[range].reduce(0) { $0 + $1 * $1 }.squareRoot())
            var sum = merged.weight[range].reduce(0) { $0 + abs($1) }
            for branch in original.branches {
                let taps = branch.weight[range].reduce(0) { $0 + abs($1) }
                sum += branch.gate * (branch.kind == .vanilla ? taps : 2 * taps)
            }
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
