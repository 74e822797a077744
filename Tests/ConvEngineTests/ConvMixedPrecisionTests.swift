import XCTest

@testable import ConvEngine
import TestSupport

/// Float weights under double arithmetic: the very bits of converting the weights to `Double` first.
final class ConvMixedPrecisionTests: XCTestCase {
    /// Random problems, geometries, block sizes, thread counts and kernels (as the random-shape
    /// tests), two or three filters with and without bias: every output bit equal.
    func testFloatWeightsGiveTheBitsOfConvertedWeights() throws {
        var generator = SplitMix64(seed: 0x5EED_00F6)
        for trial in 0..<120 {
            let (inputShape, weightShape, geometry) = ConvRandomShapeTests.randomProblem(using: &generator)
            let input = Tensor4<Double>.random(inputShape, using: &generator)
            let filters = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                Self.randomFloatFilter(kernel: weightShape, groups: geometry.groups, using: &generator)
            }
            let options = ConvRandomShapeTests.randomOptions(using: &generator)
            let label = "trial \(trial): input \(inputShape) weight \(weightShape) \(geometry) tuning \(options.tuning)"
            let mixed = try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
            let converted = try Conv2D.forward(
                input, filters: filters.map(Self.asDouble), geometry: geometry,
                options: options)
            XCTAssertEqual(mixed.count, filters.count, label)
            for (index, (actual, expected)) in zip(mixed, converted).enumerated() {
                XCTAssertEqual(actual.shape, expected.shape, "\(label) filter \(index)")
                XCTAssertEqual(
                    actual.scalars.map(\.bitPattern), expected.scalars.map(\.bitPattern),
                    "\(label) filter \(index)")
            }
        }
    }

    /// The single-filter overload, in every test configuration, is also correct (not merely
    /// consistent): it agrees with the direct reference convolution within rounding.
    func testSingleFilterMatchesConversionAndReference() throws {
        var generator = SplitMix64(seed: 0x5EED_00F7)
        let input = Tensor4<Double>.random(Shape4(2, 6, 7, 5), using: &generator)
        let weight = Tensor4<Float>.random(Shape4(8, 3, 3, 3), using: &generator)
        let bias = (0..<8).map { Float($0) / 7 }
        let geometry = ConvGeometry(padding: 1, groups: 2)
        let reference = ConvReference(
            input: input, weight: weight.asDouble, bias: bias.map(Double.init),
            geometry: geometry)
        for (name, options) in ConvOptions.testConfigurations {
            let mixed = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: options)
            let converted = try Conv2D.forward(
                input, weight: weight.asDouble, bias: bias.map(Double.init),
                geometry: geometry, options: options)
            XCTAssertEqual(mixed, converted, name)
            XCTAssertNil(
                ConvTolerance.firstViolation(
                    actual: mixed.scalars, expected: reference.values, magnitudes: reference.magnitudes,
                    fanIn: 27, unitRoundoff: 0x1p-53), name)
        }
    }

    /// Validation is shared with the single-precision overloads: the same errors, same wrapping.
    func testErrorsOfTheMixedOverloads() {
        let input = try! Tensor4<Double>(shape: Shape4(1, 2, 4, 4), scalars: [Double](repeating: 1, count: 32))
        let weight = try! Tensor4<Float>(shape: Shape4(3, 2, 3, 3), scalars: [Float](repeating: 1, count: 54))
        XCTAssertThrowsError(try Conv2D.forward(input, filters: [ConvFilter<Float>]())) {
            XCTAssertEqual($0 as? ConvError, .noFilters)
        }
        XCTAssertThrowsError(try Conv2D.forward(input, weight: weight, bias: [1, 2])) {
            XCTAssertEqual($0 as? ConvError, .biasCountMismatch(expected: 3, actual: 2))
        }
        let bad = ConvFilter(weight: weight, bias: [Float](repeating: 0, count: 4))
        XCTAssertThrowsError(try Conv2D.forward(input, filters: [ConvFilter(weight: weight), bad])) {
            XCTAssertEqual($0 as? ConvError, .inFilter(index: 1, error: .biasCountMismatch(expected: 3, actual: 4)))
        }
        let wide = try! Tensor4<Float>(shape: Shape4(3, 2, 3, 5), scalars: [Float](repeating: 1, count: 90))
        XCTAssertThrowsError(try Conv2D.forward(input, filters: [ConvFilter(weight: weight), ConvFilter(weight: wide)])) {
            XCTAssertEqual(
                $0 as? ConvError,
                .filterKernelMismatch(
                    index: 1, expected: Shape4(3, 2, 3, 3),
                    actual: Shape4(3, 2, 3, 5)))
        }
        let large = try! Tensor4<Float>(shape: Shape4(1, 2, 5, 5), scalars: [Float](repeating: 1, count: 50))
        XCTAssertThrowsError(try Conv2D.forward(input, weight: large)) {
            XCTAssertEqual($0 as? ConvError, .kernelLargerThanInput(.height, paddedInput: 4, kernelExtent: 5))
        }
    }

    /// A filter for a random problem's kernel: its own output channel count (a multiple of the
    /// groups), float values, maybe a bias.
    static func randomFloatFilter(
        kernel: Shape4, groups: Int,
        using generator: inout SplitMix64
    ) -> ConvFilter<Float> {
        let outChannels = groups * Int.random(in: 1...5, using: &generator)
        let weight = Tensor4<Float>.random(Shape4(outChannels, kernel.c, kernel.h, kernel.w), using: &generator)
        let bias: [Float]? =
            Bool.random(using: &generator)
            ? (0..<outChannels).map { _ in Float.random(in: -1..<1, using: &generator) } : nil
        return ConvFilter(weight: weight, bias: bias)
    }

    /// The filter with its values converted to `Double` (exact).
    static func asDouble(_ filter: ConvFilter<Float>) -> ConvFilter<Double> {
        ConvFilter(weight: filter.weight.asDouble, bias: filter.bias?.map(Double.init))
    }
}
