import XCTest

@testable import ConvEngine
import TestSupport

/// A convolution fed a block of output channels at a time must give `Conv2D.forward`'s outputs bit for bit,
/// whatever the blocks (across group boundaries too).
final class RowBlockConvolutionTests: XCTestCase {
    func testBlocksGiveTheWholeConvolutionBitForBit() throws {
        var generator = SplitMix64(seed: 0x2B10_C001)
        var tried = 0
        for trial in 0..<150 {
            let (inputShape, weightShape, geometry) = ConvRandomShapeTests.randomProblem(using: &generator)
            let input = Tensor4<Double>.random(inputShape, using: &generator)
            let filters = ConvTapPlanTests.randomFilters(2, weightShape, using: &generator)
            guard
                let blocks = try RowBlockConvolution<Float>(
                    input: input, weightShape: weightShape, geometry: geometry, filters: 2)
            else { continue }
            tried += 1
            let fanIn = weightShape.c * weightShape.h * weightShape.w
            for (index, filter) in filters.enumerated() {
                var row = 0
                while row < weightShape.n {
                    let end = min(weightShape.n, row + Int.random(in: 1...7, using: &generator))
                    blocks.multiply(
                        filter: index, rows: row..<end, weights: filter.weight.scalars[(row * fanIn)..<(end * fanIn)],
                        bias: filter.bias)
                    row = end
                }
            }
            let expected = try Conv2D.forward(input, filters: filters, geometry: geometry)
            ConvTapPlanTests.assertSameBits(
                blocks.results, expected, "trial \(trial): input \(inputShape) weight \(weightShape) \(geometry)")
        }
        XCTAssertGreaterThan(tried, 100, "most random problems can be convolved by blocks")
    }

    func testNoBlocksWhenATapNeverMeetsTheInput() throws {
        let input = Tensor4<Double>(validatedShape: Shape4(1, 2, 3, 3), scalars: Array(repeating: 1, count: 18))
        XCTAssertNil(
            try RowBlockConvolution<Float>(
                input: input, weightShape: Shape4(2, 2, 3, 3), geometry: ConvGeometry(padding: 3, dilation: 3), filters: 1))
    }
}
