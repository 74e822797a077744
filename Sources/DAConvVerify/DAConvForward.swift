import ConvEngine
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
        let branches = values.branches.map {
            ProbeModule<Double>.Branch(kind: $0.kind, gate: $0.gate, weight: $0.weight, bias: $0.bias)
        }
        return try outputs(
            branches, shape: values.shape, input: input, stride: stride, dilation: dilation, groups: groups,
            extraFilters: extraFilters)
    }

    static func outputs<W: ProbeWeightScalar>(
        _ branches: [ProbeModule<W>.Branch], shape: [Int], input: Tensor4<Double>, stride: ConvPair, dilation: ConvPair,
        groups: Int, extraFilters: [ConvFilter<W>], tapSums: [[Double]]? = nil, options: ConvOptions = ConvOptions()
    ) throws -> (reference: Tensor4<Double>, extra: [Tensor4<Double>]) {
        let geometry = kernelGeometry(shape: shape, stride: stride, dilation: dilation, groups: groups)
        let weightShape = Shape4(shape[0], shape[1], shape[2], shape[3])
        let branchFilters = try branches.map {
            ConvFilter(weight: try Tensor4(shape: weightShape, scalars: $0.weight), bias: $0.bias)
        }
        var outputs = try W.convolve(input, filters: branchFilters + extraFilters, geometry: geometry, options: options)
        let extra = Array(outputs[branchFilters.count...])
        outputs.removeLast(extraFilters.count)
        let taps = shape[2] * shape[3]
        let sums = branches.indices.map { index in
            branches[index].kind == .vanilla ? [] : tapSums?[index] ?? W.tapSums(branches[index].weight, taps: taps)
        }
        let reference = try combine(
            branches.map { ($0.kind, $0.gate) }, convolutions: outputs, tapSums: sums, shape: shape, input: input,
            geometry: geometry, options: options)
        return (reference, extra)
    }

    /// The kxk convolutions a DAConv's branches compute: padding dilation * (k // 2).
    static func kernelGeometry(shape: [Int], stride: ConvPair, dilation: ConvPair, groups: Int) -> ConvGeometry {
        ConvGeometry(
            stride: stride, padding: ConvPair(height: dilation.height * (shape[2] / 2), width: dilation.width * (shape[3] / 2)),
            dilation: dilation, groups: groups)
    }

    /// The DAConv's output from its branches' kxk convolutions (biases included): each add or difference
    /// branch adds or subtracts the 1x1 convolution of its tap sums (`[out, in/groups]`, ignored for vanilla
    /// branches), and the branches are summed, each times its gate.
    static func combine(
        _ branches: [(kind: DAConvRules.Kind, gate: Double)], convolutions: [Tensor4<Double>], tapSums: [[Double]],
        shape: [Int], input: Tensor4<Double>, geometry: ConvGeometry, options: ConvOptions
    ) throws -> Tensor4<Double> {
        let centred = branches.indices.filter { branches[$0].kind != .vanilla }
        let sums = try centred.map { index in
            ConvFilter<Double>(weight: try Tensor4(shape: Shape4(shape[0], shape[1], 1, 1), scalars: tapSums[index]), bias: nil)
        }
        let pointwise =
            sums.isEmpty ? [] : try Conv2D.forward(input, filters: sums, geometry: pointwiseGeometry(geometry), options: options)
        var terms: [Tensor4<Double>?] = Array(repeating: nil, count: branches.count)
        for (position, index) in centred.enumerated() { terms[index] = pointwise[position] }
        return try combine(branches, convolutions: convolutions, pointwise: terms)
    }

    /// The 1x1 convolutions of the tap sums: the kxk convolutions' stride and groups, no padding.
    static func pointwiseGeometry(_ geometry: ConvGeometry) -> ConvGeometry {
        ConvGeometry(stride: geometry.stride, padding: 0, dilation: 1, groups: geometry.groups)
    }

    /// The same from the 1x1 convolutions already computed (nil for vanilla branches).
    static func combine(
        _ branches: [(kind: DAConvRules.Kind, gate: Double)], convolutions: [Tensor4<Double>], pointwise: [Tensor4<Double>?]
    ) throws -> Tensor4<Double> {
        var reference = [Double](repeating: 0, count: convolutions[0].scalars.count)
        for (index, branch) in branches.enumerated() {
            var branchOutput = convolutions[index].scalars
            if branch.kind != .vanilla, let term = pointwise[index]?.scalars {
                let sign: Double = branch.kind == .add ? 1 : -1
                precondition(
                    term.count == branchOutput.count, "with padding d*(k//2) both convolutions give the same output size")
                for i in branchOutput.indices { branchOutput[i] += sign * term[i] }
            }
            for i in reference.indices { reference[i] += branch.gate * branchOutput[i] }
        }
        return try Tensor4(shape: convolutions[0].shape, scalars: reference)
    }
}
