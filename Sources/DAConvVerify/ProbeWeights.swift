import ConvEngine
import DAConvMerge
import TorchCheckpoint

/// The precision a probe reads weights in. Float32 checkpoints stay float32 until the convolution packs them
/// into double panels (exactly, without a double copy of each weight); everything else is converted to
/// double first. Either way the arithmetic is float64.
public protocol ProbeWeightScalar: ConvScalar {
    static func convolve(_ input: Tensor4<Double>, filters: [ConvFilter<Self>], geometry: ConvGeometry, options: ConvOptions)
        throws -> [Tensor4<Double>]
    static func rowNorms(_ matrix: [Self], rows: Int, cols: Int) -> (l2: [Double], l1: [Double])
    static func tapSums(_ weight: [Self], taps: Int) -> [Double]
    static func maxMagnitude(_ values: [Self]) -> Double
}

extension Double: ProbeWeightScalar {
    public static func convolve(
        _ input: Tensor4<Double>, filters: [ConvFilter<Double>], geometry: ConvGeometry, options: ConvOptions
    ) throws -> [Tensor4<Double>] {
        try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
    }

    public static func rowNorms(_ matrix: [Double], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        ReductionKernels.rowNorms(matrix, rows: rows, cols: cols)
    }

    public static func tapSums(_ weight: [Double], taps: Int) -> [Double] {
        ReductionKernels.tapSums(weight, taps: taps)
    }

    public static func maxMagnitude(_ values: [Double]) -> Double {
        values.reduce(0) { max($0, abs($1)) }
    }
}

extension Float: ProbeWeightScalar {
    public static func convolve(
        _ input: Tensor4<Double>, filters: [ConvFilter<Float>], geometry: ConvGeometry, options: ConvOptions
    ) throws -> [Tensor4<Double>] {
        try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
    }

    public static func rowNorms(_ matrix: [Float], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        ReductionKernels.rowNorms(matrix, rows: rows, cols: cols)
    }

    public static func tapSums(_ weight: [Float], taps: Int) -> [Double] {
        ReductionKernels.tapSums(weight, taps: taps)
    }

    public static func maxMagnitude(_ values: [Float]) -> Double {
        Double(values.reduce(0) { max($0, abs($1)) })
    }
}

/// One module's numbers for a probe: the DAConv's branches and the merged conv, in one precision. The merge
/// pipeline builds one from the float32 arrays it folded, so the probe runs on the very bytes it writes.
public struct ProbeModule<W: ProbeWeightScalar> {
    public struct Branch {
        public var kind: DAConvRules.Kind
        /// `sigmoid(theta)`, or 1 for an ungated branch.
        public var gate: Double
        public var weight: [W]
        public var bias: [W]?

        public init(kind: DAConvRules.Kind, gate: Double, weight: [W], bias: [W]?) {
            self.kind = kind
            self.gate = gate
            self.weight = weight
            self.bias = bias
        }
    }

    public var branches: [Branch]
    public var mergedWeight: [W]
    public var mergedBias: [W]?
    /// `[out, in/groups, kh, kw]`.
    public var shape: [Int]
    /// Tap sums and norms already taken while folding (float32 merges); nil: the probe computes them.
    public var statistics: FoldStatistics?
    /// The branches' dtype; nil: the merged conv's.
    public var originalDType: TorchDType?

    public init(
        branches: [Branch], mergedWeight: [W], mergedBias: [W]?, shape: [Int], statistics: FoldStatistics? = nil,
        originalDType: TorchDType? = nil
    ) {
        self.branches = branches
        self.mergedWeight = mergedWeight
        self.mergedBias = mergedBias
        self.shape = shape
        self.statistics = statistics
        self.originalDType = originalDType
    }
}
