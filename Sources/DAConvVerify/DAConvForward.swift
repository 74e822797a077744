import DAConvMerge

/// A DAConv's training-mode forward pass, branch by branch as PyTorch computes it, in float64:
/// `sum_b g_b * (conv(x, W_b, b_b) + conv1x1(x, sum_hw W_b))` for an add branch, with `-` for a
/// difference branch and no 1x1 term for a vanilla one; the 1x1 convolution has the same stride and
/// groups, no padding.
public enum DAConvForward {
    /// The DAConv's output for `input`, and the outputs of `extraFilters` (kxk filters with the module's
    /// kernel shape, e.g. the merged conv) computed on the same packed input. The kxk convolutions pad by
    /// dilation * (k // 2), the only padding under which a DAConv folds.
    public static func outputs(
        _ values: DAConvValues, input: Tensor4<Double>, stride: ConvPair = 1, dilation: ConvPair = 1, groups: Int = 1,
        extraFilters: [ConvFilter<Double>] = []
    ) throws -> (reference: Tensor4<Double>, extra: [Tensor4<Double>]) {
        let shape = values.shape
        let geometry = ConvGeometry(
            stride: stride, padding: ConvPair(height: dilation.height * (shape[2] / 2), width: dilation.width * (shape[3] / 2)),
            dilation: dilation, groups: groups)
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        let branchFilters = try values.branches.map {
            ConvFilter(weight: try Tensor4(shape: weightShape, scalars: $0.weight), bias: $0.bias)
        }
        var outputs = try Conv2D.forward(input, filters: branchFilters + extraFilters, geometry: geometry)
        let extra = Array(outputs[branchFilters.count...])
        outputs.removeLast(extraFilters.count)
        let centred = values.branches.indices.filter { values.branches[$0].kind != .vanilla }
        let sums = try centred.map { ConvFilter<Double>(weight: try spatialSum(values.branches[$0].weight, shape), bias: nil) }
        let pointwise = sums.isEmpty ? [] : try Conv2D.forward(
            input, filters: sums, geometry: ConvGeometry(stride: geometry.stride, padding: 0, dilation: 1, groups: geometry.groups))
        var reference = [Double](repeating: 0, count: outputs[0].scalars.count)
        for (index, branch) in values.branches.enumerated() {
            var branchOutput = outputs[index].scalars
            if let position = centred.firstIndex(of: index) {
                let sign: Double = branch.kind == .add ? 1 : -1
                let term = pointwise[position].scalars
                precondition(term.count == branchOutput.count, "with padding d*(k//2) both convolutions give the same output size")
                for i in branchOutput.indices { branchOutput[i] += sign * term[i] }
            }
            let gate = branch.gate
            for i in reference.indices { reference[i] += gate * branchOutput[i] }
        }
        return (try Tensor4(shape: outputs[0].shape, scalars: reference), extra)
    }

    /// `sum_hw W` as a `[out, in/groups, 1, 1]` kernel.
    static func spatialSum(_ weight: [Double], _ shape: [Int]) throws -> Tensor4<Double> {
        let sums = ReductionKernels.tapSums(weight, taps: shape[2] * shape[3])
        return try Tensor4(shape: Shape4(shape[0], shape[1], 1, 1), scalars: sums)
    }
}
