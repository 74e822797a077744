import XCTest

@testable import ConvEngine
import TestSupport

/// The engine against the plain direct convolution of `ConvReference` on seeded random shapes,
/// geometries and block sizes. Tolerance as in `ConvTolerance` (2 gamma(fanIn + 1) |w||x|).
final class ConvRandomShapeTests: XCTestCase {
    func testDoubleAgreesWithDirectConvolution() throws {
        var generator = SplitMix64(seed: 0x5EED_0001)
        for trial in 0..<300 {
            try checkRandomCase(Double.self, trial: trial, using: &generator)
        }
    }

    func testFloatAgreesWithDirectConvolution() throws {
        var generator = SplitMix64(seed: 0x5EED_0002)
        for trial in 0..<200 {
            try checkRandomCase(Float.self, trial: trial, using: &generator)
        }
    }

    private func checkRandomCase<Scalar: ConvScalar>(
        _ type: Scalar.Type, trial: Int,
        using generator: inout SplitMix64
    ) throws {
        let (inputShape, weightShape, geometry) = Self.randomProblem(using: &generator)
        let input = Tensor4<Scalar>.random(inputShape, using: &generator)
        let weight = Tensor4<Scalar>.random(weightShape, using: &generator)
        let bias: [Scalar]? =
            Bool.random(using: &generator)
            ? (0..<weightShape.n).map { _ in Scalar(Double.random(in: -1..<1, using: &generator)) } : nil
        let options = Self.randomOptions(using: &generator)
        let label = "trial \(trial): input \(inputShape) weight \(weightShape) \(geometry) tuning \(options.tuning)"

        let output = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: options)
        let reference = ConvReference(
            input: input.asDouble, weight: weight.asDouble,
            bias: bias?.map { Double($0) }, geometry: geometry)
        XCTAssertEqual(output.scalars.count, reference.values.count, label)
        let violation = ConvTolerance.firstViolation(
            actual: output.scalars.map { Double($0) }, expected: reference.values,
            magnitudes: reference.magnitudes, fanIn: weightShape.c * weightShape.h * weightShape.w,
            unitRoundoff: ConvTolerance.unitRoundoff(type))
        XCTAssertNil(violation, "\(label): \(String(describing: violation))")
    }

    /// A valid problem: small extents, any geometry whose dilated kernel fits the padded input.
    static func randomProblem(using generator: inout SplitMix64)
        -> (input: Shape4, weight: Shape4, geometry: ConvGeometry)
    {
        func pair(_ range: ClosedRange<Int>) -> ConvPair {
            ConvPair(height: Int.random(in: range, using: &generator), width: Int.random(in: range, using: &generator))
        }
        while true {
            let groups = [1, 1, 1, 2, 3].randomElement(using: &generator)!
            let inPerGroup = Int.random(in: 1...7, using: &generator)
            let outPerGroup = Int.random(in: 1...9, using: &generator)
            let kernel = pair(1...5)
            let geometry = ConvGeometry(
                stride: pair(1...3), padding: pair(0...2), dilation: pair(1...2),
                groups: groups)
            let batch = Int.random(in: 1...3, using: &generator)
            let size = pair(1...13)
            let input = Shape4(batch, inPerGroup * groups, size.height, size.width)
            let weight = Shape4(outPerGroup * groups, inPerGroup, kernel.height, kernel.width)
            if (try? ConvShape(input: input, weight: weight, geometry: geometry)) != nil {
                return (input, weight, geometry)
            }
        }
    }

    /// Random threads, block sizes, memory budget and kernel choice.
    static func randomOptions(using generator: inout SplitMix64) -> ConvOptions {
        let budget = [1, 3_000, 50_000, 32 << 20].randomElement(using: &generator)!
        var options = ConvOptions(threads: Int.random(in: 0...3, using: &generator), packedInputBudget: budget)
        options.tuning = ConvTuning(
            depthBlock: [nil, 1, 4, 17].randomElement(using: &generator)!,
            rowBlock: [nil, 1, 6, 13].randomElement(using: &generator)!,
            portableKernels: Bool.random(using: &generator),
            panelLayout: [nil, .wide, .narrow].randomElement(using: &generator)!)
        return options
    }
}
