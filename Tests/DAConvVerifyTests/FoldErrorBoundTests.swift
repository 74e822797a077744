import ConvEngine
import TorchCheckpoint
import XCTest

@testable import DAConvMerge
@testable import DAConvVerify

/// The bound on a merged weight's error that `verify`'s tolerance is built from.
final class FoldErrorBoundTests: XCTestCase {
    /// One kernel whose only weight is the CA branch's centre (1) and gates at theta = 0 (s = 1/2), float32:
    /// the centre's bound is 4u s 2 (gate) + 8u s 1 (tap sum, 8 additions) + 4u s (the larger order's
    /// steps: centre add and product of 2s, or products, sums and difference of s) + u 2s (branch sum)
    /// = 22 u s, every other tap's is 0.
    func testTheBoundOfAHandWorkedKernel() {
        var weight = [Double](repeating: 0, count: 9)
        weight[4] = 1
        let branches = [
            ProbeModule<Double>.Branch(kind: .add, gate: 0.5, weight: weight, bias: nil),
            ProbeModule<Double>.Branch(kind: .difference, gate: 0.5, weight: [Double](repeating: 0, count: 9), bias: nil),
        ]
        let bound = FoldErrorBound(dtypeName: "float32", taps: 9, converted: false)
        XCTAssertEqual(bound.maxRowNorm(branches, shape: [1, 1, 3, 3]), 11)
        // float16: the gate costs 1u (+ float32's 4u in float16 units), the tap sum one rounding of |1|.
        let half = FoldErrorBound(dtypeName: "float16", taps: 9, converted: false)
        let gate = 1 + 4 * 0x1p-24 / 0x1p-11
        let tapSum = 8 * 0x1p-24 / 0x1p-11 + 1
        XCTAssertEqual(half.maxRowNorm(branches, shape: [1, 1, 3, 3]), (gate * 2 + tapSum + 4 + 2) * 0.5, accuracy: 1e-15)
    }

    /// Every natural merge of the grid is within the bound: `||E_o||_2 <= u ||B_o||_2` for every channel.
    func testEveryNaturalMergeIsWithinTheBound() {
        for dtype in NaturalFoldToleranceTests.dtypes {
            var largest = 0.0
            for fanIn in NaturalFoldToleranceTests.fanIns {
                for k in NaturalFoldToleranceTests.kernels {
                    let layer = NaturalFoldLayer(
                        dtype: dtype, out: 4, inPer: NaturalFoldToleranceTests.inputs(fanIn: fanIn, kernel: k),
                        kernel: k, seed: UInt64(fanIn * 7 + k))
                    let exact = DAConvFold.fold(layer.branches, shape: layer.shape).weight
                    let branches = layer.branches.map {
                        ProbeModule<Double>.Branch(kind: $0.kind, gate: $0.gate, weight: $0.weight, bias: $0.bias)
                    }
                    let u = ProbeTolerance.unitRoundoff(dtype.rawValue)
                    let bound =
                        u
                        * FoldErrorBound(dtypeName: dtype.rawValue, taps: k * k, converted: false).maxRowNorm(
                            branches, shape: layer.shape)
                    for origin in NaturalFoldLayer.Origin.all {
                        let error = zip(layer.merged(origin).weight, exact).map { $0 - $1 }
                        let norms = ReductionKernels.rowNorms(error, rows: 4, cols: error.count / 4).l2
                        XCTAssertLessThanOrEqual(norms.max()!, bound, "\(dtype) fan-in \(fanIn) k=\(k) \(origin)")
                        largest = max(largest, norms.max()! / bound)
                    }
                }
            }
            print("\(dtype.rawValue): largest ||E_o|| / (u ||B_o||) = \(EquivalenceReport.marginText(largest))")
        }
    }
}
