import TorchCheckpoint

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fold of a DAConv into one convolution, in float64.
///
/// With padding = dilation * (k // 2), the 1x1 convolution of the spatially summed kernel reads exactly
/// the input pixel under the kxk kernel's centre tap, so it can be added to (CA unit) or subtracted from
/// (DA unit) that tap; gates scale whole branches, and biases add up the same way:
/// `W = sum_b g_b * T_b(W_b)`, `b = sum_b g_b * b_b`, with `g_b = sigmoid(theta_b)` (1 when ungated).
public enum DAConvFold {
    /// One branch's values, already converted to float64.
    public struct Branch: Sendable {
        public var kind: DAConvRules.Kind
        /// The branch's gate parameter before the sigmoid, or nil for an ungated branch.
        public var theta: Double?
        /// `[out, in/groups, kh, kw]`, row-major.
        public var weight: [Double]
        public var bias: [Double]?

        public init(kind: DAConvRules.Kind, theta: Double?, weight: [Double], bias: [Double]?) {
            self.kind = kind
            self.theta = theta
            self.weight = weight
            self.bias = bias
        }

        /// The branch's scale: sigmoid of its gate, as torch computes it in float64.
        public var gate: Double {
            guard let theta else { return 1 }
            return 1 / (1 + exp(-theta))
        }
    }

    /// The folded weight (and bias, when any branch has one) for weights of shape `[out, in/groups, kh, kw]`.
    public static func fold(_ branches: [Branch], shape: [Int]) -> (weight: [Double], bias: [Double]?) {
        precondition(shape.count == 4 && shape[2] % 2 == 1 && shape[3] % 2 == 1, "checked by FoldabilityCheck")
        let count = shape.reduce(1, *)
        var weight = [Double](repeating: 0, count: count)
        for branch in branches {
            precondition(branch.weight.count == count, "branch weights have the module's shape")
            let transformed = centred(branch.weight, kind: branch.kind, shape: shape)
            let gate = branch.gate
            for i in 0..<count { weight[i] += gate * transformed[i] }
        }
        guard branches.contains(where: { $0.bias != nil }) else { return (weight, nil) }
        return (weight, foldBias(branches, outChannels: shape[0]))
    }

    /// `sum_b g_b * b_b`; a branch without bias adds nothing. Needs no weights.
    public static func foldBias(_ branches: [Branch], outChannels: Int) -> [Double] {
        var bias = [Double](repeating: 0, count: outChannels)
        for branch in branches {
            guard let values = branch.bias else { continue }
            precondition(values.count == outChannels, "bias shapes are checked by FoldabilityCheck")
            let gate = branch.gate
            for (o, value) in values.enumerated() { bias[o] += gate * value }
        }
        return bias
    }

    /// `W + centre(sum_hw W)`, `W - centre(sum_hw W)` or `W`.
    static func centred(_ weight: [Double], kind: DAConvRules.Kind, shape: [Int]) -> [Double] {
        guard kind != .vanilla else { return weight }
        let (kh, kw) = (shape[2], shape[3])
        let taps = kh * kw
        let centre = (kh / 2) * kw + kw / 2
        var result = weight
        for start in stride(from: 0, to: weight.count, by: taps) {
            var sum = 0.0
            for tap in 0..<taps { sum += weight[start + tap] }
            result[start + centre] += kind == .add ? sum : -sum
        }
        return result
    }
}
