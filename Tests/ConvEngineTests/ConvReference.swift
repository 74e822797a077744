@testable import ConvEngine
import TestSupport

/// A direct convolution written as plainly as possible (torch's definition, loop by loop), in
/// `Double`, with the magnitude sum of every output for error bounds. Independent of the engine:
/// no packing, no blocking, no C.
struct ConvReference {
    /// The exact-as-double results.
    let values: [Double]
    /// Per output: |bias| + sum of |weight| * |input| over the taps that contribute.
    let magnitudes: [Double]

    init(input: Tensor4<Double>, weight: Tensor4<Double>, bias: [Double]?, geometry: ConvGeometry) {
        let (x, w, g) = (input.shape, weight.shape, geometry)
        let outH = (x.h + 2 * g.padding.height - g.dilation.height * (w.h - 1) - 1) / g.stride.height + 1
        let outW = (x.w + 2 * g.padding.width - g.dilation.width * (w.w - 1) - 1) / g.stride.width + 1
        var values: [Double] = []
        var magnitudes: [Double] = []
        for n in 0..<x.n {
            for o in 0..<w.n {
                for oh in 0..<outH {
                    for ow in 0..<outW {
                        let (sum, magnitude) = Self.output(n, o, oh, ow, input, weight, geometry)
                        values.append(sum + (bias?[o] ?? 0))
                        magnitudes.append(magnitude + abs(bias?[o] ?? 0))
                    }
                }
            }
        }
        self.values = values
        self.magnitudes = magnitudes
    }

    /// One output value (without bias) and its magnitude sum.
    private static func output(
        _ n: Int, _ o: Int, _ oh: Int, _ ow: Int, _ input: Tensor4<Double>,
        _ weight: Tensor4<Double>, _ g: ConvGeometry
    ) -> (Double, Double) {
        let (x, w) = (input.shape, weight.shape)
        let group = o / (w.n / g.groups)
        var sum = 0.0
        var magnitude = 0.0
        for c in 0..<w.c {
            for ki in 0..<w.h {
                for kj in 0..<w.w {
                    let ih = oh * g.stride.height - g.padding.height + ki * g.dilation.height
                    let iw = ow * g.stride.width - g.padding.width + kj * g.dilation.width
                    guard ih >= 0, ih < x.h, iw >= 0, iw < x.w else { continue }
                    let product = input[n, group * w.c + c, ih, iw] * weight[o, c, ki, kj]
                    sum += product
                    magnitude += abs(product)
                }
            }
        }
        return (sum, magnitude)
    }
}

/// How far a computed convolution may be from another computation of the same convolution.
///
/// Any summation order of `n` rounded terms is within gamma(n) * sum|terms| of the exact sum,
/// with gamma(n) = n * u / (1 - n * u) and u the unit roundoff (2^-53 for Double, 2^-24 for
/// Float). An output sums fanIn products and a bias: n = fanIn + 1. Two independent
/// computations (ours and torch's, or ours and the reference) are then within
/// 2 * gamma(fanIn + 1) * (|bias| + sum |w| * |x|) of each other. A real bug (a wrong tap, a lost
/// block, a misplaced column) is off by O(1) times the magnitude, far outside this bound.
enum ConvTolerance {
    static func bound(fanIn: Int, unitRoundoff: Double, magnitude: Double) -> Double {
        let nu = Double(fanIn + 1) * unitRoundoff
        return 2 * nu / (1 - nu) * magnitude
    }

    /// The unit roundoff of `Scalar`'s precision.
    static func unitRoundoff<Scalar: ConvScalar>(_: Scalar.Type) -> Double {
        Scalar.convPrecision == .float64 ? 0x1p-53 : 0x1p-24
    }

    /// The index and excess of the worst output outside the bound, or nil when all are inside.
    static func firstViolation(
        actual: [Double], expected: [Double], magnitudes: [Double], fanIn: Int, unitRoundoff: Double
    ) -> (index: Int, error: Double, bound: Double)? {
        precondition(actual.count == expected.count && expected.count == magnitudes.count)
        for index in actual.indices {
            let error = abs(actual[index] - expected[index])
            let limit = bound(fanIn: fanIn, unitRoundoff: unitRoundoff, magnitude: magnitudes[index])
            if !(error <= limit) { return (index, error, limit) }
        }
        return nil
    }
}

extension Tensor4 where Scalar: ConvScalar {
    /// A tensor of uniform values in [-1, 1).
    static func random(_ shape: Shape4, using generator: inout SplitMix64) -> Tensor4 {
        let values = (0..<shape.elementCount!).map { _ in Scalar(Double.random(in: -1..<1, using: &generator)) }
        return try! Tensor4(shape: shape, scalars: values)
    }

    /// The same values as `Double` (exact for Float and Double).
    var asDouble: Tensor4<Double> {
        try! Tensor4<Double>(shape: shape, scalars: scalars.map { Double($0) })
    }
}

extension ConvOptions {
    /// Options that force the smallest blocks, one panel per chunk, and more workers than cores,
    /// so every edge path of packing and blocking runs even on small problems.
    static var tinyBlocks: ConvOptions {
        var options = ConvOptions(threads: 3, packedInputBudget: 1)
        options.tuning = ConvTuning(depthBlock: 5, rowBlock: 6, portableKernels: false)
        return options
    }

    /// Medium blocks: several depth blocks, row blocks of two micro-tiles, a few panels per chunk.
    static var mediumBlocks: ConvOptions {
        var options = ConvOptions(threads: 2, packedInputBudget: 40_000)
        options.tuning = ConvTuning(depthBlock: 64, rowBlock: 12, portableKernels: false)
        return options
    }

    /// The plain C kernels on one thread.
    static var portableSerial: ConvOptions {
        var options = ConvOptions(threads: 1)
        options.tuning.portableKernels = true
        return options
    }

    /// Every configuration the correctness tests run, by name.
    static var testConfigurations: [(String, ConvOptions)] {
        var portableTiny = ConvOptions.tinyBlocks
        portableTiny.tuning.portableKernels = true
        return [
            ("default", ConvOptions()), ("tiny", .tinyBlocks), ("medium", .mediumBlocks),
            ("portable", .portableSerial), ("portable-tiny", portableTiny),
        ]
    }
}
