import DAConvMerge
import TorchCheckpoint

/// The precision a probe reads weights in. Float32 checkpoints stay float32 until the convolution packs them
/// into double panels (exactly, without a double copy of each weight); everything else is converted to
/// double first. Either way the arithmetic is float64.
protocol ProbeWeightScalar: ConvScalar {
    static func convolve(_ input: Tensor4<Double>, filters: [ConvFilter<Self>], geometry: ConvGeometry, options: ConvOptions) throws -> [Tensor4<Double>]
    static func rowNorms(_ matrix: [Self], rows: Int, cols: Int) -> (l2: [Double], l1: [Double])
    static func tapSums(_ weight: [Self], taps: Int) -> [Double]
    static func maxMagnitude(_ values: [Self]) -> Double
}

extension Double: ProbeWeightScalar {
    static func convolve(_ input: Tensor4<Double>, filters: [ConvFilter<Double>], geometry: ConvGeometry, options: ConvOptions) throws -> [Tensor4<Double>] {
        try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
    }

    static func rowNorms(_ matrix: [Double], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        ReductionKernels.rowNorms(matrix, rows: rows, cols: cols)
    }

    static func tapSums(_ weight: [Double], taps: Int) -> [Double] {
        ReductionKernels.tapSums(weight, taps: taps)
    }

    static func maxMagnitude(_ values: [Double]) -> Double {
        values.reduce(0) { max($0, abs($1)) }
    }
}

extension Float: ProbeWeightScalar {
    static func convolve(_ input: Tensor4<Double>, filters: [ConvFilter<Float>], geometry: ConvGeometry, options: ConvOptions) throws -> [Tensor4<Double>] {
        try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
    }

    static func rowNorms(_ matrix: [Float], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        ReductionKernels.rowNorms(matrix, rows: rows, cols: cols)
    }

    static func tapSums(_ weight: [Float], taps: Int) -> [Double] {
        ReductionKernels.tapSums(weight, taps: taps)
    }

    static func maxMagnitude(_ values: [Float]) -> Double {
        Double(values.reduce(0) { max($0, abs($1)) })
    }
}

/// One module's numbers for a probe: the DAConv's branches and the merged conv, in one precision.
struct ProbeModule<W: ProbeWeightScalar> {
    struct Branch {
        var kind: DAConvRules.Kind
        var gate: Double
        var weight: [W]
        var bias: [W]?
    }

    var branches: [Branch]
    var mergedWeight: [W]
    var mergedBias: [W]?
    /// `[out, in/groups, kh, kw]`.
    var shape: [Int]
    /// Tap sums and norms already taken while folding (float32 merges); nil: the probe computes them.
    var statistics: FoldStatistics? = nil
    /// The branches' dtype; nil: the merged conv's.
    var originalDType: TorchDType? = nil
}
